import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { CrmError, createSalesforceCrm } from './salesforce-crm.ts';
import { CircuitOpenError, classifyFailure, createResilience, type FailureKind } from './resilience.ts';
import { createJwtConnection } from './jwt-bearer.ts';
import { LocalOrg, LOCAL_ORG_API_VERSION } from '@dealdesk/local-org';
import { createLocalOrgRouter } from '@dealdesk/local-org';
import type { OrgFaultKind, OrgFaultOptions } from '@dealdesk/local-org';
import { FORCE_APP_DIR } from '../../paths.ts';

const options = {
  requestTimeoutMs: 1000,
  maxRetries: 3,
  retryBaseMs: 1,
  breakerFailures: 50,
  breakerHalfOpenMs: 1000,
};

function failing(errors: unknown[]): { calls: number; fn: () => Promise<string> } {
  const state = {
    calls: 0,
    fn: async () => {
      const err = errors[state.calls++];
      if (err) throw err;
      return 'ok';
    },
  };
  return state;
}

const sf = (errorCode: string) => Object.assign(new Error(errorCode), { errorCode });
const lostAnswer = () => Object.assign(new Error('aborted'), { name: 'AbortError' });

describe('Salesforce call resilience', () => {
  it('classifies failures by what they say about the request', () => {
    const cases: [unknown, FailureKind][] = [
      [sf('SERVER_UNAVAILABLE'), 'unavailable'],
      [sf('REQUEST_LIMIT_EXCEEDED'), 'throttled'],
      [sf('UNABLE_TO_LOCK_ROW'), 'locked'],
      [sf('INVALID_SESSION_ID'), 'session'],
      [lostAnswer(), 'timeout'],
      [Object.assign(new Error('reset'), { code: 'ECONNRESET' }), 'network'],
      [new CrmError('FIELD_CUSTOM_VALIDATION_EXCEPTION', 'Amount must be positive'), 'permanent'],
      [new CrmError('REQUIRED_FIELD_MISSING', 'Name'), 'permanent'],
      [Object.assign(new Error('x'), { status: 429 }), 'throttled'],
      [Object.assign(new Error('x'), { status: 503 }), 'unavailable'],
    ];
    for (const [err, kind] of cases) assert.equal(classifyFailure(err), kind, String(err));
  });

  it('never retries a validation error', async () => {
    const r = createResilience('Salesforce', options);
    const call = failing([new CrmError('FIELD_CUSTOM_VALIDATION_EXCEPTION', 'no')]);
    await assert.rejects(
      r.execute({ operation: 'composite write', idempotent: true }, call.fn),
      /FIELD_CUSTOM/,
    );
    assert.equal(call.calls, 1);
  });

  it('retries what the org refused before applying, even for calls that create records', async () => {
    const retried: FailureKind[] = [];
    const r = createResilience('Salesforce', { ...options, onRetry: (kind) => retried.push(kind) });
    const call = failing([sf('SERVER_UNAVAILABLE'), sf('UNABLE_TO_LOCK_ROW'), sf('REQUEST_LIMIT_EXCEEDED')]);
    assert.equal(await r.execute({ operation: 'composite write', idempotent: false }, call.fn), 'ok');
    assert.equal(call.calls, 4);
    assert.deepEqual(retried, ['unavailable', 'locked', 'throttled']);
  });

  it('replays a lost answer only when the call is idempotent', async () => {
    const r = createResilience('Salesforce', options);
    const creates = failing([lostAnswer()]);
    await assert.rejects(r.execute({ operation: 'composite write', idempotent: false }, creates.fn));
    assert.equal(creates.calls, 1, 'a create whose answer was lost goes back to the orchestrator');
    const upserts = failing([lostAnswer(), lostAnswer()]);
    assert.equal(await r.execute({ operation: 'composite write', idempotent: true }, upserts.fn), 'ok');
    assert.equal(upserts.calls, 3);
  });

  it('gives up after the configured retries', async () => {
    const r = createResilience('Salesforce', options);
    const call = failing(Array.from({ length: 10 }, () => sf('SERVER_UNAVAILABLE')));
    await assert.rejects(r.execute({ operation: 'query', idempotent: true }, call.fn), /SERVER_UNAVAILABLE/);
    assert.equal(call.calls, options.maxRetries + 1);
  });

  it('opens the circuit after consecutive outages, fails fast while open, and closes after a good probe', async () => {
    const states: string[] = [];
    const r = createResilience('Salesforce', {
      ...options,
      maxRetries: 0,
      breakerFailures: 3,
      breakerHalfOpenMs: 100,
      onCircuit: (s) => states.push(s),
    });
    const down = failing(Array.from({ length: 3 }, () => sf('SERVER_UNAVAILABLE')));
    for (let i = 0; i < 3; i++)
      await assert.rejects(r.execute({ operation: 'query', idempotent: true }, down.fn));
    assert.equal(r.circuit(), 'open');
    const blocked = failing([]);
    const err = await r
      .execute({ operation: 'query', idempotent: true }, blocked.fn)
      .catch((e: unknown) => e);
    assert.ok(err instanceof CircuitOpenError);
    assert.equal(err.errorCode, 'CIRCUIT_OPEN');
    assert.equal(blocked.calls, 0, 'no call reaches an org behind an open circuit');
    // Validation errors say nothing about the org's health.
    await new Promise((resolve) => setTimeout(resolve, 120));
    assert.equal(await r.execute({ operation: 'query', idempotent: true }, failing([]).fn), 'ok');
    assert.equal(r.circuit(), 'closed');
    assert.deepEqual(states, ['open', 'half-open', 'closed']);
  });
});

describe('an expired session against the local org (JWT bearer refresh)', () => {
  let org: LocalOrg;
  let server: Server;
  let url: string;
  const faults: OrgFaultOptions = { rate: 0, kinds: ['INVALID_SESSION_ID'], seed: 1, hangMs: 0 };
  let expireOnNextDownload = false;
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });

  before(async () => {
    org = new LocalOrg({
      dbPath: ':memory:',
      forceAppDir: FORCE_APP_DIR,
      token: 'test-token-of-the-org',
      connectedApps: [
        {
          clientId: 'test-app',
          publicKey: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        },
      ],
    });
    const app = express();
    // Arms one fault for the next file download, so the session expires mid-read of the bytes.
    app.use((req, _res, next) => {
      if (expireOnNextDownload && req.path.endsWith('/VersionData')) {
        expireOnNextDownload = false;
        faults.rate = 1;
      }
      next();
    });
    app.use(createLocalOrgRouter(org, { faults }));
    server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    org.close();
  });

  it('logs in again and repeats the call, once', async () => {
    const username = String(org.store.get(org.integrationUserId)?.fields.Username);
    const conn = await createJwtConnection({
      loginUrl: url,
      clientId: 'test-app',
      username,
      privateKey: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      apiVersion: LOCAL_ORG_API_VERSION,
    });
    const injected: OrgFaultKind[] = [];
    faults.rate = 1;
    faults.onFault = (kind) => {
      injected.push(kind);
      faults.rate = 0;
    };
    const before = conn.accessToken;
    const crm = createSalesforceCrm({
      conn,
      apiVersion: LOCAL_ORG_API_VERSION,
      resilience: createResilience('Salesforce', options),
    });
    const rules = await crm.loadApprovalRules();
    assert.ok(rules.length > 0);
    assert.deepEqual(injected, ['INVALID_SESSION_ID']);
    assert.notEqual(conn.accessToken, before, 'a new session');
    // The old session really ended.
    assert.throws(() => org.authenticate(`Bearer ${before}`), /Session expired or invalid/);
  });

  it('reads back an attached file byte for byte, across an expired session, and refuses a changed one', async () => {
    const conn = await createJwtConnection({
      loginUrl: url,
      clientId: 'test-app',
      username: String(org.store.get(org.integrationUserId)?.fields.Username),
      privateKey: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      apiVersion: LOCAL_ORG_API_VERSION,
    });
    const crm = createSalesforceCrm({
      conn,
      apiVersion: LOCAL_ORG_API_VERSION,
      resilience: createResilience('Salesforce', options),
    });
    // Every byte value, so any text decoding on the way would show.
    const pdf = Buffer.concat([
      Buffer.from('%PDF-1.7\n'),
      Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
    ]);
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    await conn.sobject('ContentVersion').create({
      Title: 'Contract',
      PathOnClient: 'contract.pdf',
      VersionData: pdf.toString('base64'),
      DealDesk_Key__c: 'run-x:contract:v1:file',
    });
    assert.deepEqual(await crm.readFile('run-x:contract:v1:file', sha(pdf)), pdf);

    // Each failure the org can answer a download with (a read locks no row): retried, after a new
    // login for an expired session, and the bytes that come back are the file's, never the error's.
    const kinds: OrgFaultKind[] = ['INVALID_SESSION_ID', '503', 'REQUEST_LIMIT_EXCEEDED'];
    const injected: OrgFaultKind[] = [];
    faults.onFault = (kind, _method, path) => {
      injected.push(kind);
      assert.match(path, /VersionData$/);
      faults.rate = 0;
    };
    for (const kind of kinds) {
      faults.kinds = [kind];
      expireOnNextDownload = true;
      assert.deepEqual(await crm.readFile('run-x:contract:v1:file', sha(pdf)), pdf, kind);
    }
    assert.deepEqual(injected, kinds);
    faults.kinds = ['INVALID_SESSION_ID'];

    assert.equal(await crm.readFile('run-x:contract:v9:file', sha(pdf)), undefined);
    await assert.rejects(
      crm.readFile('run-x:contract:v1:file', 'f'.repeat(64)),
      (err: unknown) => err instanceof CrmError && err.errorCode === 'FILE_CHANGED',
    );
  });
});
