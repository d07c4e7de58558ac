import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { Connection } from '@jsforce/jsforce-node';
import { loadConfig } from './config/config.ts';
import { createLogger } from './logger.ts';
import { ADMIN_TOKEN_FILE, banner, startServer, type RunningServer } from './server.ts';
import { REPO_ROOT } from './paths.ts';

function captureLogs(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { lines, stream };
}

describe('middleware server (local mode)', () => {
  let dir: string;
  let running: RunningServer;
  const logs = captureLogs();
  const token = 'local-org-token-for-tests-0123456789';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dealdesk-server-'));
    const config = loadConfig({
      PORT: '0',
      DEALDESK_DATA_DIR: dir,
      LOCAL_ORG_TOKEN: token,
      LOG_LEVEL: 'info',
    });
    const logger = createLogger({ level: 'info', secrets: [token], destination: logs.stream });
    running = await startServer(config, logger);
  });
  after(async () => {
    await running.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves health and readiness', async () => {
    const health = await fetch(`${running.url}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(((await health.json()) as { status: string }).status, 'ok');
    const ready = await fetch(`${running.url}/readyz`);
    assert.equal(ready.status, 200);
    const unknown = await fetch(`${running.url}/nope`);
    assert.equal(unknown.status, 404);
    assert.deepEqual(await unknown.json(), {
      error: { code: 'NOT_FOUND', message: 'No such endpoint', details: {} },
    });
  });

  it('serves Lightning Local at /lightning: a sign-in page for the admin, listed in the banner', async () => {
    const page = await fetch(`${running.url}/lightning/o/Opportunity/list`, { redirect: 'manual' });
    assert.equal(page.status, 303, 'an unauthenticated page goes to the sign-in page');
    assert.equal(
      page.headers.get('location'),
      '/lightning/login?retURL=%2Flightning%2Fo%2FOpportunity%2Flist',
      'and back to the page after it, as Salesforce does',
    );
    const login = await fetch(`${running.url}/lightning/login`);
    assert.equal(login.status, 200);
    assert.match(
      await login.text(),
      new RegExp(ADMIN_TOKEN_FILE),
      'the sign-in page says where the token is',
    );
    assert.match(banner(running, loadConfig({ PORT: '0' })), /lightning: {2}http:\/\/\S+\/lightning/);
  });

  it('lets a plain jsforce Connection create, query, upsert and run composite on the seeded org', async () => {
    const conn = new Connection({ instanceUrl: running.url, accessToken: token, version: '65.0' });
    const opp = await conn.query<{
      Id: string;
      Name: string;
      Account: { Name: string };
      OpportunityLineItems: { totalSize: number };
    }>(
      "SELECT Id, Name, Account.Name, (SELECT Quantity, TotalPrice FROM OpportunityLineItems) FROM Opportunity WHERE StageName = 'Negotiation/Review' ORDER BY Amount DESC LIMIT 1",
    );
    assert.equal(opp.totalSize, 1);
    assert.ok(opp.records[0]!.Account.Name.length > 0);
    assert.ok(opp.records[0]!.OpportunityLineItems.totalSize > 0);
    const closure = await conn.sobject('Deal_Closure__c').upsert(
      {
        Run_Id__c: 'server-test',
        Opportunity__c: opp.records[0]!.Id,
        Status__c: 'Queued',
        Trigger__c: 'Rep',
      },
      'Run_Id__c',
    );
    assert.ok(closure.success);
    const created = await conn.sobject('Task').create({ Subject: 'Follow up', WhatId: opp.records[0]!.Id });
    assert.ok(created.success);
    const composite = await conn.requestPost<{ compositeResponse: { httpStatusCode: number }[] }>(
      '/services/data/v65.0/composite',
      {
        allOrNone: true,
        compositeRequest: [
          {
            method: 'PATCH',
            url: '/services/data/v65.0/sobjects/Deal_Closure__c/Run_Id__c/server-test',
            referenceId: 'c',
            body: { Status__c: 'Running' },
          },
          {
            method: 'POST',
            url: '/services/data/v65.0/sobjects/Agent_Step__c',
            referenceId: 's',
            body: {
              Deal_Closure__c: '@{c.id}',
              Agent__c: 'Deal_Closure',
              Status__c: 'Running',
              Step_Key__c: 'server-test:1',
            },
          },
        ],
      },
    );
    assert.deepEqual(
      composite.compositeResponse.map((r) => r.httpStatusCode),
      [200, 201],
    );
  });

  it('keeps the local org token out of the logs', () => {
    const all = logs.lines.join('');
    assert.ok(all.length > 0, 'requests were logged');
    assert.ok(!all.includes(token), 'token redacted');
    assert.ok(!all.includes(running.localAdmin!.accessToken), "the admin's token is not logged either");
  });

  it("gives the admin a token of their own: in the banner's token line and a mode-600 file, signing in as the admin", async () => {
    const admin = running.localAdmin!;
    assert.equal(admin.username, 'alex.morgan@dealdesk-demo.example');
    assert.equal(admin.tokenFile, join(dir, ADMIN_TOKEN_FILE));
    assert.equal(readFileSync(admin.tokenFile, 'utf8'), `${admin.accessToken}\n`);
    assert.equal((statSync(admin.tokenFile).mode & 0o777).toString(8), '600');
    const me = await fetch(`${running.url}/services/oauth2/userinfo`, {
      headers: { Authorization: `Bearer ${admin.accessToken}` },
    });
    assert.equal(((await me.json()) as { preferred_username: string }).preferred_username, admin.username);

    const text = banner(running, loadConfig({ PORT: '0', DEALDESK_DATA_DIR: dir }));
    // The first token line is the admin's: the quick start reads the first one.
    assert.equal(/token:\s+(\S+)/.exec(text)?.[1], admin.accessToken);
    assert.match(text, new RegExp(`admin:\\s+${admin.username}`));
    assert.ok(
      text.includes(
        `SF_ACCESS_TOKEN="$(cat ${admin.tokenFile})" sf org login access-token --instance-url ${running.url} --alias local --no-prompt`,
      ),
      text,
    );
    assert.ok(text.includes(`integration user's token (the middleware's own user): ${token}`), text);
  });
});

describe('middleware process', () => {
  it('exits non-zero with a message naming each bad config key', async () => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'middleware/src/server.ts')], {
      env: { ...process.env, PORT: 'not-a-port', LOG_LEVEL: 'chatty' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 1);
    assert.match(stderr, /PORT \(port\): expected an integer port/);
    assert.match(stderr, /LOG_LEVEL \(logLevel\): expected one of/);
  });
});

describe('metrics and security headers', () => {
  let dir: string;
  let running: RunningServer;
  const logs = captureLogs();
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dealdesk-metrics-'));
    const config = loadConfig({ PORT: '0', DEALDESK_DATA_DIR: dir, LOG_LEVEL: 'debug' });
    const logger = createLogger({ level: 'debug', destination: logs.stream });
    running = await startServer(config, logger, { timerPollMs: 0 });
  });
  after(async () => {
    await running.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exposes Prometheus metrics for runs, steps and Salesforce requests', async () => {
    const opp = running.localOrg!.query(
      "SELECT Id FROM Opportunity WHERE StageName = 'Proposal/Price Quote' LIMIT 1",
    ).records[0]!;
    await fetch(`${running.url}/v1/closures`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${running.apiKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ opportunityId: opp.Id, trigger: 'Rep' }),
    });
    await running.system.orchestrator.idle();
    const res = await fetch(`${running.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    const text = await res.text();
    assert.match(text, /dealdesk_runs_started_total\{trigger="Rep"\} 1/);
    assert.match(text, /dealdesk_step_duration_seconds_count\{agent="Deal_Closure",status="Waiting"\} 1/);
    assert.match(text, /dealdesk_salesforce_requests_total\{operation="composite",outcome="ok"\} 2/);
    assert.match(text, /dealdesk_http_requests_total\{method="POST",route="\/v1\/closures",status="202"\} 1/);
    // The local org stands in for Salesforce: its calls count as Salesforce requests, not as the API's.
    assert.doesNotMatch(text, /dealdesk_http_requests_total\{[^}]*services/);
    // ...and each is in the debug log once, with its outcome and duration.
    const calls = logs.lines
      .map((line) => JSON.parse(line) as { msg?: string; operation?: string; outcome?: string; ms?: number })
      .filter((entry) => entry.msg === 'salesforce request');
    assert.equal(calls.filter((c) => c.operation === 'composite' && c.outcome === 'ok').length, 2);
    assert.ok(calls.every((c) => typeof c.ms === 'number' && c.ms >= 0));
    assert.ok(!text.includes(running.apiKey), 'no secret in metrics');
  });

  it('sends security headers', async () => {
    const res = await fetch(`${running.url}/healthz`);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.ok(res.headers.get('strict-transport-security'));
    assert.equal(res.headers.get('x-powered-by'), null);
  });
});

describe('storage configuration', () => {
  it('fails to start when DATABASE_URL cannot be reached, rather than storing runs elsewhere', async () => {
    const config = loadConfig({
      PORT: '0',
      LOG_LEVEL: 'silent',
      DATABASE_URL: 'postgres://dealdesk:secret@127.0.0.1:1/dealdesk',
    });
    await assert.rejects(startServer(config, createLogger({ level: 'silent' })), /ECONNREFUSED/);
  });

  it('closes what it opened before the failure: the port is free for the next start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dealdesk-failed-start-'));
    try {
      const probe = createServer();
      const listenOn = (port: number) =>
        new Promise<number>((ok, fail) => {
          probe.once('error', fail);
          probe.listen(port, '127.0.0.1', () => ok((probe.address() as AddressInfo).port));
        });
      const port = await listenOn(0);
      await new Promise((ok) => probe.close(ok));
      const config = loadConfig({
        PORT: String(port),
        DEALDESK_DATA_DIR: dir,
        LOG_LEVEL: 'silent',
        DATABASE_URL: 'postgres://dealdesk:secret@127.0.0.1:1/dealdesk',
      });
      await assert.rejects(startServer(config, createLogger({ level: 'silent' })), /ECONNREFUSED/);
      // The failed start's listener is closed: the port takes a new one at once.
      assert.equal(await listenOn(port), port);
      await new Promise((ok) => probe.close(ok));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
