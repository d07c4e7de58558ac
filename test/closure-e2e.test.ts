/**
 * One deal end to end in local mode, through the real HTTP paths: the demo closes the seeded
 * verbal-yes deal, and the local org then holds every record the seven agents write. Replaying
 * completion changes nothing.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@jsforce/jsforce-node';
import { loadConfig, createLogger, startServer, type RunningServer } from '@dealdesk/middleware';
import { runDemo, type DemoResult } from '@dealdesk/middleware/demo';

describe('a deal from verbal yes to handoff (local mode)', () => {
  let dir: string;
  let server: RunningServer;
  let result: DemoResult;
  let conn: Connection;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dealdesk-e2e-'));
    const config = loadConfig({ PORT: '0', DEALDESK_DATA_DIR: dir, LOG_LEVEL: 'silent' });
    server = await startServer(config, createLogger({ level: 'silent' }), { timerPollMs: 100 });
    result = await runDemo(server, () => undefined);
    conn = new Connection({ instanceUrl: server.url, accessToken: server.localOrg!.token, version: '65.0' });
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('completes all seven stages within the API budget', () => {
    assert.equal(result.view.status, 'Completed');
    assert.deepEqual(
      result.view.steps.map((s) => [s.agent, s.status]),
      [
        ['Deal_Closure', 'Succeeded'],
        ['Contract_Generation', 'Succeeded'],
        ['Approval_Orchestration', 'Succeeded'],
        ['Signature_Management', 'Succeeded'],
        ['System_Integration', 'Succeeded'],
        ['Handoff_Coordination', 'Succeeded'],
        ['Learning_Optimization', 'Succeeded'],
      ],
    );
    assert.ok(
      result.apiCallsToApprovalsSubmitted > 0 && result.apiCallsToApprovalsSubmitted <= 6,
      `${result.apiCallsToApprovalsSubmitted} API requests to approvals submitted`,
    );
  });

  it('leaves the records in Salesforce, once each', async () => {
    const closure = (await conn.sobject('Deal_Closure__c').retrieve(result.dealClosureId)) as Record<
      string,
      unknown
    >;
    assert.equal(closure.Status__c, 'Completed');
    assert.equal(closure.Run_Id__c, result.closureId);
    assert.equal(closure.Decision__c, 'Go');
    assert.ok(Number(closure.Closing_Confidence__c) >= 75);
    assert.ok(
      Number.isInteger(closure.Renewal_Risk_Score__c) && Number(closure.Renewal_Risk_Score__c) > 0,
      'the renewal risk score is set',
    );
    assert.match(String(closure.Renewal_Risk_Factors__c), /discount depth|custom terms|implementation/);
    const count = async (soql: string) => (await conn.query(soql)).totalSize;
    const where = `WHERE Deal_Closure__c = '${result.dealClosureId}'`;
    assert.equal(
      await count(`SELECT COUNT() FROM Deal_Closure__c WHERE Opportunity__c = '${result.opportunityId}'`),
      1,
    );
    assert.equal(await count(`SELECT COUNT() FROM Agent_Step__c ${where}`), 7);
    assert.equal(
      await count(`SELECT COUNT() FROM Contract_Version__c ${where}`),
      3,
      'one version per variant',
    );
    assert.ok((await count(`SELECT COUNT() FROM Deal_Approval__c ${where} AND Status__c = 'Approved'`)) >= 1);
    assert.equal(await count(`SELECT COUNT() FROM Deal_Approval__c ${where} AND Status__c != 'Approved'`), 0);
    assert.equal(
      await count(`SELECT COUNT() FROM Signature_Envelope__c ${where} AND Status__c = 'Completed'`),
      1,
    );
    assert.equal(await count(`SELECT COUNT() FROM Handoff_Package__c ${where}`), 4, 'one package per team');
    assert.ok((await count(`SELECT COUNT() FROM Win_Insight__c ${where}`)) >= 3, 'velocity, phases, pricing');
    assert.equal(
      await count(`SELECT COUNT() FROM Task WHERE DealDesk_Key__c LIKE '${result.closureId}:task:%'`),
      7,
      'renewal plan (3) and one kickoff per team (4)',
    );
    assert.equal(await count(`SELECT COUNT() FROM FeedItem WHERE ParentId = '${result.opportunityId}'`), 1);
    const opp = (await conn.sobject('Opportunity').retrieve(result.opportunityId)) as Record<string, unknown>;
    assert.equal(opp.StageName, 'Closed Won');
    assert.ok(opp.ContractId);
    const contract = (await conn.sobject('Contract').retrieve(String(opp.ContractId))) as Record<
      string,
      unknown
    >;
    assert.equal(contract.Status, 'Activated');
    const schedule = await conn.query<{ Amount__c: number }>(
      `SELECT Amount__c FROM Revenue_Schedule__c WHERE Opportunity__c = '${result.opportunityId}'`,
    );
    const cents = schedule.records.reduce((s, r) => s + Math.round(r.Amount__c * 100), 0);
    assert.equal(cents, Math.round(Number(opp.Amount) * 100), 'the schedule sums to the amount, to the cent');
    assert.equal(
      await count(
        `SELECT COUNT() FROM Opportunity WHERE Type = 'Renewal' AND AccountId = '${String(opp.AccountId)}' AND IsClosed = false`,
      ),
      1,
    );
    const files = await conn.query<{ Title: string }>(
      `SELECT ContentDocument.Title FROM ContentDocumentLink WHERE LinkedEntityId = '${result.opportunityId}'`,
    );
    assert.equal(files.totalSize, 5, 'three contract variants, signed agreement and certificate');
    // Each file carries the key a resumed step looks it up by, so none is ever attached twice.
    const keyed = await conn.query<{ DealDesk_Key__c: string | null }>(
      `SELECT DealDesk_Key__c FROM ContentVersion WHERE FirstPublishLocationId = '${result.opportunityId}'`,
    );
    assert.equal(keyed.totalSize, 5);
    assert.ok(
      keyed.records.every(
        (r) => typeof r.DealDesk_Key__c === 'string' && r.DealDesk_Key__c.startsWith(result.closureId),
      ),
    );
    const crm = server.system.crm;
    const found = await crm.existingKeys(
      'file',
      keyed.records.map((r) => r.DealDesk_Key__c!),
    );
    assert.equal(found.size, 5);
  });

  it('published a timeline event for every step write', () => {
    const events = server
      .localOrg!.platformEventsSince(0, 'Deal_Closure_Event__e')
      .filter((e) => e.payload.Closure_Id__c === result.dealClosureId);
    assert.ok(events.length >= 7, `${events.length} events`);
    assert.ok(events.some((e) => e.payload.Status__c === 'Completed'));
  });

  it('leaves every record unchanged when the completion is replayed', async () => {
    const objects = [
      'Opportunity',
      'Contract',
      'Revenue_Schedule__c',
      'Handoff_Package__c',
      'Win_Insight__c',
      'Task',
      'FeedItem',
      'ContentVersion',
      'Deal_Approval__c',
      'Signature_Envelope__c',
      'Envelope_Recipient__c',
    ];
    const volatile = new Set(['LastModifiedDate', 'SystemModstamp', 'LastModifiedById']);
    const snapshot = () =>
      Object.fromEntries(
        objects.map((o) => [
          o,
          [...server.localOrg!.store.all(o)].map((r) =>
            Object.fromEntries(Object.entries(r).filter(([k]) => !volatile.has(k))),
          ),
        ]),
      );
    const before = snapshot();
    const { store, orchestrator } = server.system;
    // The provider delivers the completion again (a retried webhook) ...
    const envelope = await conn.query<{ Envelope_Id__c: string }>(
      `SELECT Envelope_Id__c FROM Signature_Envelope__c WHERE Deal_Closure__c = '${result.dealClosureId}'`,
    );
    const envelopeId = envelope.records[0]!.Envelope_Id__c;
    await orchestrator.deliver(result.closureId, 'esign:envelope-completed', `esign:replay-${envelopeId}`, {
      eventId: `replay-${envelopeId}`,
      envelopeId,
      kind: 'envelope-completed',
    });
    // ... and the post-signature stages run again from System Integration, as after a crash.
    await store.updateRun(result.closureId, { status: 'running', stageIndex: 4, completedAt: null });
    orchestrator.kick(result.closureId);
    await orchestrator.idle();
    assert.equal((await store.getRun(result.closureId))?.status, 'completed');
    assert.deepEqual(snapshot(), before);
  });

  it('reports insights computed from the closures so far', async () => {
    const get = (path: string, key = server.apiKey) =>
      fetch(`${server.url}${path}`, { headers: { Authorization: `Bearer ${key}` } });
    assert.equal((await get('/v1/insights', 'wrong')).status, 401);
    const bad = await get('/v1/insights?limit=0');
    assert.equal(bad.status, 400);
    const res = await get('/v1/insights');
    assert.equal(res.status, 200);
    const body = (await res.json()) as {
      deals: number;
      byIndustry: Record<string, { deals: number; medianTotalMs: number }>;
      bySize: Record<string, { deals: number }>;
      approvers: { role: string; medianMs: number; decisions: number }[];
      legalReview: { deals: number; clauses: { clause: string }[] };
    };
    assert.equal(body.deals, 1);
    const steps = result.view.steps;
    assert.ok(body.byIndustry.Manufacturing && body.byIndustry.Manufacturing.deals === 1);
    // The figures the Learning agent recorded, not the replay's re-timed steps.
    const learning = (await server.system.store.steps(result.closureId)).find(
      (s) => s.stage === 'learning_optimization',
    );
    const recorded = (learning?.output as { totalMs: number }).totalMs;
    assert.ok(recorded > 0);
    assert.equal(body.byIndustry.Manufacturing.medianTotalMs, recorded);
    assert.ok(body.bySize['250k–1M'], JSON.stringify(Object.keys(body.bySize)));
    const approvedRoles = result.view.approvals.map((a) => a.role).sort();
    assert.deepEqual(body.approvers.map((a) => a.role).sort(), approvedRoles);
    assert.ok(body.approvers.every((a) => a.decisions === 1 && a.medianMs >= 0));
    assert.ok(steps.length === 7);
  });

  it('answers the same Idempotency-Key with the same closure', async () => {
    const api = (body: unknown, key: string) =>
      fetch(`${server.url}/v1/closures`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${server.apiKey}`,
          'Content-Type': 'application/json',
          'Idempotency-Key': key,
        },
        body: JSON.stringify(body),
      });
    const again = await api(
      { opportunityId: result.opportunityId, trigger: 'Rep', dealClosureId: result.dealClosureId },
      result.dealClosureId,
    );
    assert.equal(again.status, 202);
    assert.equal(((await again.json()) as { closureId: string }).closureId, result.closureId);
  });
});
