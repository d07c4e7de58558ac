/**
 * Closures against a faulty org and a faulty signing service: 20% of the middleware's Salesforce
 * requests fail (503, REQUEST_LIMIT_EXCEEDED, UNABLE_TO_LOCK_ROW, INVALID_SESSION_ID, timeouts
 * whose writes did land) and 20% of its e-signature calls fail, and every run still completes with
 * each record written once. Then the org goes down: the circuit opens, calls stop, the run says it
 * waits, and it finishes once the org is back. FAULT_DEALS (default 6), FAULT_CONCURRENCY
 * (default 16) and FAULT_SEED scale it;
 * `npm run soak` runs the long version.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@jsforce/jsforce-node';
import { loadConfig, createLogger, startServer, type RunningServer } from '@dealdesk/middleware';
import { driveToCompletion, targetOf, type DemoResult } from '@dealdesk/middleware/demo';
import { seedDealCopies } from '@dealdesk/middleware/testing';

const DEALS = Number(process.env.FAULT_DEALS ?? 6);
const SEED = String(process.env.FAULT_SEED ?? 7);
const CONCURRENCY = Number(process.env.FAULT_CONCURRENCY ?? 16);

async function metricValue(server: RunningServer, name: string, labels: Record<string, string> = {}) {
  const metric = await server.system.metrics.registry.getSingleMetric(name)?.get();
  return (metric?.values ?? [])
    .filter((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want))
    .reduce((sum, v) => sum + v.value, 0);
}

async function startClosure(server: RunningServer, opportunityId: string): Promise<string> {
  const res = await fetch(`${server.url}/v1/closures`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${server.apiKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ opportunityId, trigger: 'Rep' }),
  });
  assert.equal(res.status, 202);
  return ((await res.json()) as { closureId: string }).closureId;
}

describe('closures against a faulty org and signing service', function () {
  this.timeout(240_000);
  let dir: string;
  let server: RunningServer;
  let admin: Connection;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dealdesk-faults-'));
    const config = loadConfig({
      PORT: '0',
      DEALDESK_DATA_DIR: dir,
      LOG_LEVEL: 'silent',
      LOCAL_ORG_FAULT_RATE: '0.2',
      LOCAL_ORG_FAULTS: '503,REQUEST_LIMIT_EXCEEDED,UNABLE_TO_LOCK_ROW,INVALID_SESSION_ID,timeout',
      LOCAL_ORG_FAULT_SEED: SEED,
      LOCAL_ORG_FAULT_HANG_MS: '2500',
      LOCAL_ESIGN_FAULT_RATE: '0.2',
      LOCAL_ESIGN_FAULT_SEED: SEED,
      LOCAL_ESIGN_FAULT_HANG_MS: '2500',
      SF_REQUEST_TIMEOUT_MS: '1200',
      SF_RETRY_BASE_MS: '20',
      SF_MAX_RETRIES: '6',
      SF_BREAKER_FAILURES: '12',
      SF_BREAKER_HALF_OPEN_MS: '500',
      DEALDESK_RATE_LIMIT_PER_MINUTE: '1000000',
    });
    server = await startServer(config, createLogger({ level: 'silent' }), { timerPollMs: 50 });
    admin = new Connection({ instanceUrl: server.url, accessToken: server.localOrg!.token, version: '65.0' });
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`completes ${DEALS} of ${DEALS} closures with 20% of calls failing, each record once`, async () => {
    const org = server.localOrg!;
    const opportunityIds = seedDealCopies(org, DEALS, 'f');
    assert.equal(opportunityIds.length, DEALS);
    // At most CONCURRENCY closures in flight: on two cores, hundreds at once would make healthy
    // requests outlast the 1.2 s request timeout, which measures the machine, not the retries.
    const results: DemoResult[] = [];
    let next = 0;
    const worker = async () => {
      while (next < opportunityIds.length) results.push(await closeOne(opportunityIds[next++]!));
    };
    const closeOne = async (opportunityId: string): Promise<DemoResult> => {
      const closureId = await startClosure(server, opportunityId);
      return driveToCompletion(
        {
          target: targetOf(server),
          closureId,
          dealClosureId: '',
          opportunityId,
          requestsBefore: 0,
          startedAt: Date.now(),
        },
        () => undefined,
        200_000,
      );
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, DEALS) }, worker));
    assert.equal(results.filter((r) => r.view.status === 'Completed').length, DEALS);

    const injected = await metricValue(server, 'dealdesk_local_faults_injected_total', {
      target: 'local-org',
    });
    const kinds = new Set(
      (
        (await server.system.metrics.registry.getSingleMetric('dealdesk_local_faults_injected_total')?.get())
          ?.values ?? []
      )
        .filter((v) => v.value > 0)
        .map((v) => `${v.labels.target}:${v.labels.kind}`),
    );
    assert.ok(injected >= DEALS * 2, `${injected} org faults injected`);
    for (const kind of [
      '503',
      'REQUEST_LIMIT_EXCEEDED',
      'UNABLE_TO_LOCK_ROW',
      'INVALID_SESSION_ID',
      'timeout',
    ])
      assert.ok(kinds.has(`local-org:${kind}`), `no ${kind} fault was injected (${[...kinds].join(', ')})`);
    assert.ok(await metricValue(server, 'dealdesk_dependency_retries_total'), 'calls were retried');

    const count = async (soql: string) => (await admin.query(soql)).totalSize;
    for (const opportunityId of opportunityIds) {
      const closures = await admin.query<{ Id: string; Status__c: string }>(
        `SELECT Id, Status__c FROM Deal_Closure__c WHERE Opportunity__c = '${opportunityId}'`,
      );
      assert.equal(closures.totalSize, 1, `one Deal_Closure__c for ${opportunityId}`);
      assert.equal(closures.records[0]!.Status__c, 'Completed');
      const where = `WHERE Deal_Closure__c = '${closures.records[0]!.Id}'`;
      assert.equal(await count(`SELECT COUNT() FROM Agent_Step__c ${where}`), 7);
      // Full contract, executive summary and technical appendix: one version, three variants.
      assert.equal(await count(`SELECT COUNT() FROM Contract_Version__c ${where}`), 3);
      assert.equal(await count(`SELECT COUNT() FROM Signature_Envelope__c ${where}`), 1);
      assert.equal(await count(`SELECT COUNT() FROM Handoff_Package__c ${where}`), 4);
      // Several insights per deal, each once: no metric twice.
      const insights = await admin.query<{ Metric__c: string }>(
        `SELECT Metric__c FROM Win_Insight__c ${where}`,
      );
      assert.ok(insights.totalSize >= 1);
      assert.equal(
        new Set(insights.records.map((r) => r.Metric__c)).size,
        insights.totalSize,
        'each insight once',
      );
      assert.equal(await count(`SELECT COUNT() FROM FeedItem WHERE ParentId = '${opportunityId}'`), 1);
      assert.equal(
        await count(`SELECT COUNT() FROM ContentVersion WHERE FirstPublishLocationId = '${opportunityId}'`),
        5,
        'three contract variants, signed agreement and certificate, once each',
      );
      const opp = (await admin.sobject('Opportunity').retrieve(opportunityId)) as Record<string, unknown>;
      assert.equal(opp.StageName, 'Closed Won');
      const schedule = await admin.query<{ Amount__c: number }>(
        `SELECT Amount__c FROM Revenue_Schedule__c WHERE Opportunity__c = '${opportunityId}'`,
      );
      const cents = schedule.records.reduce((s, r) => s + Math.round(r.Amount__c * 100), 0);
      assert.equal(cents, Math.round(Number(opp.Amount) * 100), 'the schedule is written once, to the cent');
    }
    const renewals = await admin.query<{ DealDesk_Key__c: string }>(
      `SELECT DealDesk_Key__c FROM Opportunity WHERE Type = 'Renewal' AND DealDesk_Key__c != null`,
    );
    const runs = new Set(results.map((r) => r.closureId));
    const mine = renewals.records.filter((r) => runs.has(r.DealDesk_Key__c.replace(/:renewal$/, '')));
    assert.equal(mine.length, DEALS, 'one renewal opportunity per deal');
  });

  it('stops calling an org that is down, says so on the timeline, and resumes when it is back', async () => {
    const org = server.localOrg!;
    const faults = server.orgFaults!;
    const [opportunityId] = seedDealCopies(org, 1, 'down');
    faults.rate = 1;
    faults.kinds = ['503'];
    const closureId = await startClosure(server, opportunityId!);
    const view = async () =>
      (await (
        await fetch(`${server.url}/v1/closures/${closureId}`, {
          headers: { Authorization: `Bearer ${server.apiKey}` },
        })
      ).json()) as {
        status: string;
        waitingFor: string | null;
        error: string | null;
        steps: { reasoning: string }[];
      };
    let v = await view();
    for (let i = 0; i < 200 && !/paused after repeated failures/.test(v.error ?? ''); i++) {
      await new Promise((r) => setTimeout(r, 50));
      v = await view();
    }
    assert.match(v.error ?? '', /Salesforce is unavailable: calls are paused after repeated failures/);
    assert.equal(v.waitingFor, 'retry');
    assert.match(v.steps[0]!.reasoning, /retrying automatically at/);
    assert.equal(await metricValue(server, 'dealdesk_circuit_state', { service: 'salesforce' }), 2);
    // While the circuit is open only the occasional probe reaches the org.
    const before = await metricValue(server, 'dealdesk_local_faults_injected_total', { kind: '503' });
    await new Promise((r) => setTimeout(r, 1500));
    const during =
      (await metricValue(server, 'dealdesk_local_faults_injected_total', { kind: '503' })) - before;
    assert.ok(during <= 6, `${during} requests reached a down org in 1.5 s`);

    faults.rate = 0;
    let status = v.status;
    for (let i = 0; i < 600 && status !== 'Waiting_Approval'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      status = (await view()).status;
    }
    assert.equal(status, 'Waiting_Approval', 'the run went on once the org was back');
    assert.equal(await metricValue(server, 'dealdesk_circuit_state', { service: 'salesforce' }), 0);
    const closures = await admin.query<{ Id: string }>(
      `SELECT Id FROM Deal_Closure__c WHERE Opportunity__c = '${opportunityId}'`,
    );
    assert.equal(closures.totalSize, 1);
  });
});
