/**
 * setup and doctor against a mocked real org: TestContext answers SOQL, describe, the Connect
 * named-credentials API and sObject collections; SDR's deploy is stubbed and records what it was
 * given. These cover what the local org cannot (Metadata API, Named Credentials, Apex).
 */
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { MockTestOrgData, TestContext } from '@salesforce/core/testSetup';
import type { AnyJson } from '@salesforce/ts-types';
import { stubSfCommandUx, stubSpinner } from '@salesforce/sf-plugins-core';
import { ComponentSet } from '@salesforce/source-deploy-retrieve';
import DealdeskSetup from '../../../src/commands/dealdesk/setup.ts';
import DealdeskDoctor from '../../../src/commands/dealdesk/doctor.ts';
import { DEFAULT_SOURCE_DIR, expectedSchema } from '../../../src/shared/source.ts';

type Req = { method?: string; url: string; body?: string };

interface FakeOrg {
  rules: number;
  keySet: boolean;
  endpoint: string;
  processState: string;
  assignments: { AssigneeId: string; PermissionSetId: string }[];
  closures: Record<string, unknown>[];
  deployState: 'Created' | 'Unchanged' | 'Failed';
  /** The credentials API answers 404 for a principal without stored credentials. */
  credential404: boolean;
  /** Every org request fails with this (a refused session, an unreachable instance). */
  broken: Error | null;
}

const rows = (records: unknown[]): AnyJson => ({ totalSize: records.length, done: true, records }) as AnyJson;
const SETS = ['DealDesk_Admin', 'DealDesk_Approver', 'DealDesk_Integration', 'DealDesk_User'].map(
  (Name, i) => ({
    Id: `0PS00000000000${i}AAA`,
    Name,
  }),
);

describe('setup and doctor (TestContext, SDR stubbed)', () => {
  const $$ = new TestContext();
  const testOrg = new MockTestOrgData();
  let org: FakeOrg;
  let requests: Req[];
  let deployed: { files: string[]; namedCredential: string | null }[];

  beforeEach(async () => {
    await $$.stubAuths(testOrg);
    stubSfCommandUx($$.SANDBOX);
    stubSpinner($$.SANDBOX);
    process.exitCode = 0;
    org = {
      rules: 0,
      keySet: false,
      endpoint: 'https://dealdesk-middleware.example.com',
      processState: 'Active',
      assignments: [{ AssigneeId: '005000000000009AAA', PermissionSetId: SETS[2]!.Id }],
      closures: [],
      deployState: 'Created',
      credential404: false,
      broken: null,
    };
    requests = [];
    deployed = [];
    $$.SANDBOX.stub(globalThis, 'fetch').callsFake(async (input) => {
      expect(String(input)).to.equal('https://dealdesk.acme.com/readyz');
      return new Response(
        JSON.stringify({
          status: 'ready',
          checks: [
            { name: 'salesforce', ok: true },
            { name: 'run-store', ok: true },
          ],
        }),
        { status: 200 },
      );
    });
    const schema = expectedSchema(DEFAULT_SOURCE_DIR);
    $$.fakeConnectionRequest = (request) => {
      const req: Req =
        typeof request === 'string' ? { url: request, method: 'GET' } : (request as unknown as Req);
      requests.push(req);
      const url = new URL(req.url, 'https://x');
      const q = url.searchParams.get('q') ?? '';
      const method = (req.method ?? 'GET').toUpperCase();
      if (org.broken) return Promise.reject(org.broken);
      if (q.startsWith('SELECT Id, Name, InstanceName, OrganizationType FROM Organization'))
        return Promise.resolve(
          rows([
            {
              Id: '00D000000000001AAA',
              Name: 'Acme',
              InstanceName: 'USA570S',
              OrganizationType: 'Enterprise Edition',
            },
          ]),
        );
      if (q.startsWith('SELECT COUNT() FROM Approval_Rule__mdt'))
        return Promise.resolve(rows(new Array(org.rules).fill({})));
      if (q.includes('FROM User'))
        return Promise.resolve(
          rows([{ Id: '005000000000001AAA', Username: 'rep@acme.com', IsActive: true }]),
        );
      if (q.includes('FROM PermissionSetAssignment')) return Promise.resolve(rows(org.assignments));
      if (q.includes('FROM PermissionSet')) return Promise.resolve(rows(SETS));
      if (q.includes('FROM ApexClass'))
        return Promise.resolve(
          rows(
            ['DealDeskController', 'DealClosureService', 'DealDeskMiddlewareClient'].map((Name) => ({
              Name,
              Status: 'Active',
            })),
          ),
        );
      if (q.includes('FROM NamedCredential')) return Promise.resolve(rows([{ Endpoint: org.endpoint }]));
      if (q.includes('FROM ProcessDefinition'))
        return Promise.resolve(rows([{ DeveloperName: 'DealDesk_Deal_Approval', State: org.processState }]));
      if (q.includes('FROM Deal_Closure__c')) return Promise.resolve(rows(org.closures));
      const describe = /\/sobjects\/(\w+)\/describe$/.exec(url.pathname);
      if (describe)
        return Promise.resolve({
          // As in an org: Task and Event carry the fields defined on Activity.
          fields: [
            'Id',
            ...(schema.get(describe[1]!) ?? []),
            ...(['Task', 'Event'].includes(describe[1]!) ? (schema.get('Activity') ?? []) : []),
          ].map((name) => ({ name })),
        } as AnyJson);
      if (url.pathname.endsWith('/named-credentials/credential')) {
        if (method === 'GET' && org.credential404)
          return Promise.reject(
            Object.assign(new Error('The requested resource does not exist'), { errorCode: 'NOT_FOUND' }),
          );
        if (method === 'GET')
          return Promise.resolve({
            credentials: org.keySet ? { ApiKey: { encrypted: true, value: '****' } } : {},
          } as AnyJson);
        org.keySet = true;
        return Promise.resolve({} as AnyJson);
      }
      if (url.pathname.endsWith('/composite/sobjects') && method === 'POST') {
        const body = JSON.parse(req.body ?? '{}') as {
          records: { AssigneeId: string; PermissionSetId: string }[];
        };
        org.assignments.push(
          ...body.records.map(({ AssigneeId, PermissionSetId }) => ({ AssigneeId, PermissionSetId })),
        );
        return Promise.resolve(
          body.records.map((_r, i) => ({
            id: `0Pa00000000000${i}AAA`,
            success: true,
            errors: [],
          })) as AnyJson,
        );
      }
      if (url.pathname.endsWith('/sobjects/PermissionSetAssignment') && method === 'POST') {
        const body = JSON.parse(req.body ?? '{}') as { AssigneeId: string; PermissionSetId: string };
        org.assignments.push(body);
        return Promise.resolve({ id: '0Pa000000000001AAA', success: true, errors: [] } as AnyJson);
      }
      return Promise.reject(new Error(`unexpected ${method} ${req.url}`));
    };
    $$.SANDBOX.stub(ComponentSet.prototype, 'deploy').callsFake(async function (this: ComponentSet) {
      const files = this.getSourceComponents()
        .toArray()
        .map((c) => c.xml ?? c.content ?? '');
      const nc = files.find((f) => f.endsWith('DealDesk_Middleware.namedCredential-meta.xml'));
      deployed.push({ files, namedCredential: nc && existsSync(nc) ? readFileSync(nc, 'utf8') : null });
      const state = org.deployState;
      org.rules = Math.max(org.rules, files.filter((f) => f.includes('Approval_Rule.')).length);
      org.endpoint = 'https://dealdesk.acme.com';
      return {
        pollStatus: async () => ({
          response: {
            id: '0Af000000000002',
            success: state !== 'Failed',
            status: state === 'Failed' ? 'Failed' : 'Succeeded',
          },
          getFileResponses: () =>
            files.map((f, i) =>
              state === 'Failed' && i === 0
                ? {
                    state,
                    fullName: 'Deal_Closure__c.Renewal_Risk_Score__c',
                    type: 'CustomField',
                    error: 'Field limit reached',
                  }
                : { state: state === 'Failed' ? 'Created' : state, fullName: f, type: 'x' },
            ),
        }),
      } as never;
    });
  });
  afterEach(() => {
    $$.restore();
    process.exitCode = 0;
  });

  it('setup deploys force-app with the Named Credential pointed, assigns, generates a key, then runs doctor', async () => {
    org.credential404 = true;
    const out = join(statSync('.').isDirectory() ? process.env.HOME! : '.', 'key-1');
    const result = await DealdeskSetup.run([
      '--target-org',
      testOrg.username,
      '--middleware-url',
      'https://dealdesk.acme.com/',
      '--user',
      'rep@acme.com',
      '--admin-user',
      'rep@acme.com',
      '--api-key-output',
      out,
    ]);
    expect(result.stages.map((s) => [s.stage, s.outcome])).to.deep.equal([
      ['deploy', 'changed'],
      ['assign', 'changed'],
      ['key', 'changed'],
      ['doctor', 'unchanged'],
    ]);
    expect(deployed).to.have.length(1);
    expect(deployed[0]!.namedCredential).to.include(
      '<parameterValue>https://dealdesk.acme.com</parameterValue>',
    );
    expect(
      deployed[0]!.files.some((f) => f.includes('Approval_Rule.Finance_Large_Deal')),
      'default matrix on first install',
    ).to.equal(true);
    const key = readFileSync(out, 'utf8').trim();
    expect(key).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect((statSync(out).mode & 0o777).toString(8)).to.equal('600');
    const post = requests.find(
      (r) => r.url.endsWith('/named-credentials/credential') && r.method?.toUpperCase() === 'POST',
    )!;
    expect(JSON.parse(post.body!)).to.deep.equal({
      externalCredential: 'DealDesk_Middleware_Auth',
      principalName: 'Middleware',
      principalType: 'NamedPrincipal',
      credentials: { ApiKey: { value: key, encrypted: true } },
    });
    expect(org.assignments).to.have.length(3);
    expect(
      result.checks.every((c) => c.status !== 'fail'),
      JSON.stringify(result.checks),
    ).to.equal(true);
    expect(result.changed).to.equal(true);
  });

  it('a second setup run changes nothing, keeps the rules and the key, and says so', async () => {
    org.rules = 6;
    org.keySet = true;
    org.deployState = 'Unchanged';
    org.assignments.push({ AssigneeId: '005000000000001AAA', PermissionSetId: SETS[3]!.Id });
    org.assignments.push({ AssigneeId: '005000000000001AAA', PermissionSetId: SETS[0]!.Id });
    const result = await DealdeskSetup.run([
      '--target-org',
      testOrg.username,
      '--middleware-url',
      'https://dealdesk.acme.com',
      '--user',
      'rep@acme.com',
      '--admin-user',
      'rep@acme.com',
    ]);
    expect(result.stages.slice(0, 3).map((s) => s.outcome)).to.deep.equal([
      'unchanged',
      'unchanged',
      'unchanged',
    ]);
    expect(result.changed).to.equal(false);
    expect(
      deployed[0]!.files.some((f) => f.includes('Approval_Rule.')),
      'rules an admin changed are not overwritten',
    ).to.equal(false);
    expect(
      requests.some((r) => r.method?.toUpperCase() === 'POST' || r.method?.toUpperCase() === 'PUT'),
    ).to.equal(false);
  });

  it('a failed deploy stops setup before any other stage, naming the component and the error', async () => {
    org.deployState = 'Failed';
    const err = (await DealdeskSetup.run([
      '--target-org',
      testOrg.username,
      '--middleware-url',
      'https://dealdesk.acme.com',
      '--user',
      'rep@acme.com',
      '--admin-user',
      'rep@acme.com',
    ]).catch((e: unknown) => e)) as Error & { exitCode: number };
    expect(err.message).to.match(
      /The deploy 0Af000000000002 failed: CustomField Deal_Closure__c.Renewal_Risk_Score__c: Field limit reached/,
    );
    expect(err.exitCode).to.equal(1);
    expect(org.assignments).to.have.length(1);
    expect(requests.some((r) => r.url.includes('named-credentials'))).to.equal(false);
  });

  it('setup with --api-key-file replaces a key already set (Salesforce cannot say whether it matches)', async () => {
    org.rules = 6;
    org.keySet = true;
    org.deployState = 'Unchanged';
    const keyFile = join(process.env.HOME!, 'given-key');
    writeFileSync(keyFile, 'given-key-0123456789abcdef\n');
    const result = await DealdeskSetup.run([
      '--target-org',
      testOrg.username,
      '--middleware-url',
      'https://dealdesk.acme.com',
      '--admin-user',
      'rep@acme.com',
      '--api-key-file',
      keyFile,
    ]);
    expect(result.stages.find((s) => s.stage === 'key')).to.deep.include({ outcome: 'changed' });
    expect(result.apiKeyFile, 'a given key is not written anywhere').to.equal(null);
    const put = requests.find(
      (r) => r.url.endsWith('/named-credentials/credential') && r.method?.toUpperCase() === 'PUT',
    )!;
    expect(JSON.parse(put.body!).credentials).to.deep.equal({
      ApiKey: { value: 'given-key-0123456789abcdef', encrypted: true },
    });
  });

  it('setup --dry-run reads but neither deploys nor writes', async () => {
    const result = await DealdeskSetup.run([
      '--target-org',
      testOrg.username,
      '--middleware-url',
      'https://dealdesk.acme.com',
      '--user',
      'rep@acme.com',
      '--admin-user',
      'rep@acme.com',
      '--dry-run',
    ]);
    expect(result.stages.map((s) => s.outcome)).to.deep.equal(['planned', 'planned', 'planned']);
    expect(deployed).to.deep.equal([]);
    expect(requests.some((r) => (r.method ?? 'GET').toUpperCase() !== 'GET')).to.equal(false);
  });

  it('setup refuses a bad middleware URL and an unreadable key file before touching the org', async () => {
    const bad = (await DealdeskSetup.run([
      '--target-org',
      testOrg.username,
      '--middleware-url',
      'not a url',
    ]).catch((e: unknown) => e)) as Error;
    expect(bad.message).to.match(/is not a URL/);
    const noFile = (await DealdeskSetup.run([
      '--target-org',
      testOrg.username,
      '--middleware-url',
      'https://x.example.org',
      '--api-key-file',
      '/nonexistent/key',
    ]).catch((e: unknown) => e)) as Error;
    expect(noFile.message).to.match(/No file found|does not exist/);
    // Only @salesforce/core's own org lookup while resolving --target-org.
    expect(requests.filter((r) => !r.url.includes('FROM%20Organization'))).to.deep.equal([]);
  });

  it('doctor fails the placeholder Named Credential, an inactive approval process and failed closures, each with a fix', async () => {
    org.processState = 'Inactive';
    org.closures = [
      {
        Name: 'DC-1',
        Status__c: 'Failed',
        Run_Id__c: 'r1',
        Error__c: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
        CreatedDate: '2026-11-25T06:00:00.000+0000',
      },
      { Name: 'DC-2', Status__c: 'Queued', Run_Id__c: null, CreatedDate: '2020-01-01T00:00:00.000+0000' },
    ];
    const result = await DealdeskDoctor.run(['--target-org', testOrg.username]);
    const by = Object.fromEntries(result.checks.map((c) => [c.name, c]));
    expect(by['named-credential']!.status).to.equal('fail');
    expect(by['named-credential']!.message).to.match(/placeholder/);
    expect(by['approval-process']!.fix).to.match(/Activate it/);
    expect(by['recent-closures']!.message).to.match(
      /DC-1 failed: FIELD_CUSTOM_VALIDATION_EXCEPTION; DC-2 queued for over 15 minutes/,
    );
    expect(by['permission-sets']!.message).to.equal('nobody has DealDesk_User');
    expect(by.apex!.status).to.equal('pass');
    expect(by.metadata!.status, by.metadata!.message).to.equal('pass');
    expect(result.ok).to.equal(false);
    expect(process.exitCode).to.equal(1);
  });
});

// The deploy stub reads files SDR resolved from the prepared copy; make sure force-app has what it relies on.
describe('force-app as setup deploys it', () => {
  it('has the Named Credential with a Url parameter and the default rules', () => {
    const nc = readFileSync(
      join(DEFAULT_SOURCE_DIR, 'main/default/namedCredentials/DealDesk_Middleware.namedCredential-meta.xml'),
      'utf8',
    );
    expect(nc).to.match(/<parameterName>Url<\/parameterName>\s*<parameterType>Url<\/parameterType>/);
    expect(
      readdirSync(join(DEFAULT_SOURCE_DIR, 'main/default/customMetadata')).filter((f) =>
        f.startsWith('Approval_Rule.'),
      ),
    ).to.have.length(6);
  });
});
