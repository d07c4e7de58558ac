/**
 * Crash safety of one run: the middleware process is killed with SIGKILL at random points while
 * it works on a closure (including mid-write-back: the local org is slowed so each Salesforce
 * call takes a while), restarted, and the run still finishes exactly once — no duplicated steps,
 * files, approvals, posts or schedule rows, and no lost approval decision or signature.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Connection } from '@jsforce/jsforce-node';
import { closureView, driveToCompletion, startDemoClosure, type DemoTarget } from '@dealdesk/middleware/demo';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const API_KEY = 'crash-test-api-key-0123456789abcdefghijklmnop';
const ORG_TOKEN = 'crash-test-local-org-token-0123456789';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe('crash and restart during a run', function () {
  this.timeout(120_000);
  let dir: string;
  let port: number;
  let child: ChildProcess | undefined;
  let target: DemoTarget;
  let seed = 12345;
  // A seeded generator keeps the kill points reproducible run to run.
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;

  async function start(latencyMs: number): Promise<void> {
    child = spawn(process.execPath, [join(ROOT, 'middleware/src/server.ts')], {
      env: {
        ...process.env,
        PORT: String(port),
        DEALDESK_DATA_DIR: dir,
        LOG_LEVEL: 'error',
        DEALDESK_API_KEY: API_KEY,
        LOCAL_ORG_TOKEN: ORG_TOKEN,
        LOCAL_ORG_LATENCY_MS: String(latencyMs),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 30_000;
    while (!out.includes('listening on')) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`middleware did not start: ${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async function kill(): Promise<void> {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dealdesk-crash-'));
    port = await freePort();
    target = { url: `http://127.0.0.1:${port}`, apiKey: API_KEY, orgToken: ORG_TOKEN };
  });
  after(async () => {
    await kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finishes the run exactly once after repeated SIGKILLs', async () => {
    await start(60);
    const started = await startDemoClosure(target, () => undefined);
    // Kill it several times while it reads the deal, writes steps, renders and attaches the
    // contract and submits approvals; each restart resumes the unfinished run.
    let kills = 0;
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 80 + random() * 400));
      await kill();
      kills++;
      await start(60);
      const view = await closureView(target, started.closureId);
      if (view.status === 'Waiting_Approval' && view.approvals.every((a) => a.status !== 'Planned')) break;
    }
    assert.ok(kills >= 1);
    // Finish without added latency: approve, sign and complete, killing the process right after
    // the first approval and the first signature, before their callbacks are sure to be handled.
    await kill();
    await start(0);
    const crashed = new Set<string>();
    const result = await driveToCompletion(
      started,
      () => undefined,
      60_000,
      async (what) => {
        if (crashed.has(what)) return;
        crashed.add(what);
        await kill();
        await start(0);
      },
    );
    assert.deepEqual([...crashed].sort(), ['approved', 'signed']);
    assert.equal(result.view.status, 'Completed');

    const conn = new Connection({ instanceUrl: target.url, accessToken: ORG_TOKEN, version: '65.0' });
    const count = async (soql: string) => (await conn.query(soql)).totalSize;
    const where = `WHERE Deal_Closure__c = '${started.dealClosureId}'`;
    assert.equal(
      await count(`SELECT COUNT() FROM Deal_Closure__c WHERE Opportunity__c = '${started.opportunityId}'`),
      1,
      'one closure record',
    );
    assert.equal(await count(`SELECT COUNT() FROM Agent_Step__c ${where}`), 7, 'seven steps');
    assert.equal(
      await count(`SELECT COUNT() FROM Contract_Version__c ${where}`),
      3,
      'one contract version per variant',
    );
    const approvals = await conn.query<{ Approver_Role__c: string; Status__c: string }>(
      `SELECT Approver_Role__c, Status__c FROM Deal_Approval__c ${where}`,
    );
    assert.equal(
      new Set(approvals.records.map((a) => a.Approver_Role__c)).size,
      approvals.totalSize,
      'one approval per role',
    );
    assert.ok(approvals.records.every((a) => a.Status__c === 'Approved'));
    assert.equal(
      await count(
        `SELECT COUNT() FROM ProcessInstance WHERE TargetObjectId IN (SELECT Id FROM Deal_Approval__c ${where})`,
      ),
      approvals.totalSize,
      'each approval submitted once',
    );
    assert.equal(await count(`SELECT COUNT() FROM Signature_Envelope__c ${where}`), 1, 'one envelope');
    assert.equal(
      await count(
        `SELECT COUNT() FROM ContentDocumentLink WHERE LinkedEntityId = '${started.opportunityId}'`,
      ),
      5,
      'five files (three contract variants, signed agreement, certificate), none twice',
    );
    assert.equal(
      await count(`SELECT COUNT() FROM FeedItem WHERE ParentId = '${started.opportunityId}'`),
      1,
      'one celebration post',
    );
    // Velocity, slowest and fastest phase, pricing, and legal review when there was one: each once.
    const insights = await count(
      `SELECT COUNT() FROM Win_Insight__c ${where} AND Category__c != 'Competitive'`,
    );
    assert.ok(insights >= 4 && insights <= 5, `${insights} insights`);
    // And one competitive insight for the competitor the deal's emails name (PlantPulse), once.
    assert.equal(
      await count(`SELECT COUNT() FROM Win_Insight__c ${where} AND Category__c = 'Competitive'`),
      1,
    );
    assert.equal(
      await count(
        `SELECT COUNT() FROM Task WHERE WhatId = '${started.opportunityId}' AND DealDesk_Key__c != null`,
      ),
      7,
      'renewal plan and kickoff Tasks, none twice',
    );
    assert.equal(await count(`SELECT COUNT() FROM Handoff_Package__c ${where}`), 4, 'one package per team');
    const opp = (await conn.sobject('Opportunity').retrieve(started.opportunityId)) as Record<
      string,
      unknown
    >;
    assert.equal(opp.StageName, 'Closed Won');
    const schedule = await conn.query<{ Amount__c: number }>(
      `SELECT Amount__c FROM Revenue_Schedule__c WHERE Opportunity__c = '${started.opportunityId}'`,
    );
    assert.equal(
      schedule.records.reduce((s, r) => s + Math.round(r.Amount__c * 100), 0),
      Math.round(Number(opp.Amount) * 100),
    );
    assert.equal(
      await count(
        `SELECT COUNT() FROM Contract WHERE AccountId = '${String(opp.AccountId)}' AND Status = 'Activated'`,
      ),
      1,
      'one activated contract',
    );
    assert.equal(
      await count(
        `SELECT COUNT() FROM Opportunity WHERE AccountId = '${String(opp.AccountId)}' AND Type = 'Renewal' AND IsClosed = false`,
      ),
      1,
      'one renewal',
    );
  });
});
