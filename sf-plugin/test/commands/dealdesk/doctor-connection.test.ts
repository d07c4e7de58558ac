/**
 * doctor and setup when the org connection is broken, against a mocked org (TestContext) whose
 * every request fails the way a refused session, an unreachable instance or a wrong URL fails:
 * the connection check says which, and nothing is blamed on missing metadata.
 */
import { expect } from 'chai';
import { MockTestOrgData, TestContext } from '@salesforce/core/testSetup';
import { stubSfCommandUx, stubSpinner } from '@salesforce/sf-plugins-core';
import { ComponentSet } from '@salesforce/source-deploy-retrieve';
import DealdeskSetup from '../../../src/commands/dealdesk/setup.ts';
import DealdeskDoctor from '../../../src/commands/dealdesk/doctor.ts';

describe('doctor and setup on a broken connection (TestContext)', () => {
  const $$ = new TestContext();
  const testOrg = new MockTestOrgData();
  let requests: string[];
  let failure: Error;
  let deploys: number;

  beforeEach(async () => {
    await $$.stubAuths(testOrg);
    stubSfCommandUx($$.SANDBOX);
    stubSpinner($$.SANDBOX);
    process.exitCode = 0;
    requests = [];
    deploys = 0;
    $$.SANDBOX.stub(globalThis, 'fetch').callsFake(async () =>
      Response.json({ status: 'ready', checks: [{ name: 'salesforce', ok: true }] }),
    );
    $$.fakeConnectionRequest = (request) => {
      const url = typeof request === 'string' ? request : (request as unknown as { url: string }).url;
      requests.push(url);
      return Promise.reject(failure);
    };
    $$.SANDBOX.stub(ComponentSet.prototype, 'deploy').callsFake(async () => {
      deploys++;
      throw new Error('no deploy on a broken connection');
    });
  });
  afterEach(() => {
    $$.restore();
    process.exitCode = 0;
  });

  const sessionRefused = () =>
    Object.assign(new Error('Session expired or invalid'), {
      name: 'INVALID_SESSION_ID',
      errorCode: 'INVALID_SESSION_ID',
    });

  it('doctor fails the connection on INVALID_SESSION_ID and skips the org checks instead of blaming metadata', async () => {
    failure = sessionRefused();
    const result = await DealdeskDoctor.run([
      '--target-org',
      testOrg.username,
      '--middleware-url',
      'https://dealdesk.acme.com',
    ]);
    const by = Object.fromEntries(result.checks.map((c) => [c.name, c]));
    expect(result.checks[0]!.name).to.equal('connection');
    expect(by.connection!.status).to.equal('fail');
    expect(by.connection!.message).to.match(/refused the session: Session expired or invalid/);
    expect(by.connection!.fix).to.match(/sf org login access-token/);
    for (const name of [
      'metadata',
      'apex',
      'permission-sets',
      'named-credential',
      'approval-process',
      'recent-closures',
    ]) {
      expect(by[name]!.status, name).to.equal('skip');
      expect(by[name]!.message, name).to.equal(
        'not checked: the connection to the org failed (the org refused the session)',
      );
    }
    // The middleware is asked, not the org: its checks still run.
    expect(by['middleware-ready']!.status).to.equal('pass');
    expect(result).to.include({ ok: false, failed: 1 });
    expect(process.exitCode).to.equal(1);
    expect(
      requests.filter((r) => !r.includes('FROM%20Organization') && !r.includes('FROM+Organization')),
      'no check asked the org after the connection failed',
    ).to.deep.equal([]);
  });

  it('doctor tells an instance that does not answer apart from a refused session', async () => {
    failure = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
    });
    const result = await DealdeskDoctor.run(['--target-org', testOrg.username, '--json']);
    const connection = result.checks.find((c) => c.name === 'connection')!;
    expect(connection.status).to.equal('fail');
    expect(connection.message).to.match(/^Cannot reach the org at \S+ \(ECONNREFUSED\)$/);
    expect(result.checks.find((c) => c.name === 'metadata')!.message).to.match(/the org did not answer\)$/);
  });

  it('doctor reports an instance URL that is not an org REST API (404) as a connection failure, not missing metadata', async () => {
    failure = Object.assign(new Error('The requested resource does not exist'), {
      name: 'NOT_FOUND',
      errorCode: 'NOT_FOUND',
    });
    const result = await DealdeskDoctor.run(['--target-org', testOrg.username]);
    const connection = result.checks.find((c) => c.name === 'connection')!;
    expect(connection.message).to.match(
      /did not answer like a Salesforce org's REST API: The requested resource does not exist \(NOT_FOUND\)/,
    );
    expect(result.checks.find((c) => c.name === 'metadata')!.status).to.equal('skip');
  });

  it('setup stops before any stage when the org refuses the session, saying so', async () => {
    failure = sessionRefused();
    const err = (await DealdeskSetup.run([
      '--target-org',
      testOrg.username,
      '--middleware-url',
      'https://dealdesk.acme.com',
    ]).catch((e: unknown) => e)) as Error & { name: string; actions?: string[]; exitCode: number };
    expect(err.name).to.equal('OrgConnectionFailed');
    expect(err.message).to.match(/^Cannot set up \S+: \S+ refused the session: Session expired or invalid$/);
    expect(err.actions?.[0]).to.match(/Log in again/);
    expect(err.exitCode).to.equal(1);
    expect(deploys).to.equal(0);
  });
});
