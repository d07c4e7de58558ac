/**
 * A customer's contract history end to end in local mode: the demo deal, moved to Harbourline
 * Ferries (whose three earlier contracts asked for uncapped liability, settled at twice the annual
 * fees, and for quarterly invoicing), is closed through the real HTTP paths. Its contract starts
 * with the settled cap and quarterly invoicing, says why in the step and on Contract_Version__c,
 * and, once signed, is itself the newest contract the account's next deal reads.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@jsforce/jsforce-node';
import { loadConfig, createLogger, startServer, type RunningServer } from '@dealdesk/middleware';
import { runDemo, type DemoResult } from '@dealdesk/middleware/demo';
import { demoScenario } from '@dealdesk/local-org';
import { decideFromHistory, RequestedTermSchema } from '@dealdesk/middleware/agents';
import { shippedContractLibrary } from '@dealdesk/middleware/testing';

describe("a contract shaped by the customer's earlier contracts (local mode)", () => {
  let dir: string;
  let server: RunningServer;
  let conn: Connection;
  let result: DemoResult;
  let harbourline: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dealdesk-history-'));
    const config = loadConfig({ PORT: '0', DEALDESK_DATA_DIR: dir, LOG_LEVEL: 'silent' });
    server = await startServer(config, createLogger({ level: 'silent' }), { timerPollMs: 100 });
    conn = new Connection({ instanceUrl: server.url, accessToken: server.localOrg!.token, version: '65.0' });
    harbourline = (
      await conn.query<{ Id: string }>("SELECT Id FROM Account WHERE Name = 'Harbourline Ferries Ltd'")
    ).records[0]!.Id;
    const name = demoScenario('verbal-yes').opportunityName;
    const opp = (await conn.query<{ Id: string }>(`SELECT Id FROM Opportunity WHERE Name = '${name}'`))
      .records[0]!;
    await conn.sobject('Opportunity').update({ Id: opp.Id, AccountId: harbourline });
    result = await runDemo(server, () => undefined);
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pre-includes what the account settled on before, saying why in the step and on the contract version', async () => {
    assert.equal(result.view.status, 'Completed');
    const step = result.view.steps.find((s) => s.agent === 'Contract_Generation')!;
    assert.match(
      step.reasoning,
      /Account history, 3 earlier signed contracts \(CV-\d+, CV-\d+, CV-\d+\): pre-included liability beyond the standard cap: asked for in 3 of 3 earlier contracts and settled as a cap of twice the annual fees in 2 of them/,
    );
    const [full] = (
      await conn.query<{ Account__c: string; Clauses__c: string; Requested_Terms__c: string }>(
        `SELECT Account__c, Clauses__c, Requested_Terms__c FROM Contract_Version__c WHERE Deal_Closure__c = '${result.dealClosureId}' AND Variant__c = 'Full'`,
      )
    ).records;
    assert.equal(full!.Account__c, harbourline);
    const clauses = JSON.parse(full!.Clauses__c) as { id: string; because: string[] }[];
    const cap = clauses.find((c) => c.id === 'liability-cap-enhanced');
    assert.ok(cap, clauses.map((c) => c.id).join(', '));
    assert.match(cap.because.join(' '), /pre-included in its settled form/);
    assert.ok(clauses.some((c) => c.id === 'billing-quarterly'));
    const asked = RequestedTermSchema.array().parse(JSON.parse(full!.Requested_Terms__c));
    assert.deepEqual(
      asked.filter((a) => a.from === 'history').map((a) => a.term),
      ['uncapped_liability', 'billing'],
    );
    assert.ok(asked.some((a) => a.from === 'buyer' && a.term === 'payment_days' && a.value === 45));
  });

  it("is, once signed, the newest contract the account's next deal weighs", async () => {
    const next = await conn.sobject('Opportunity').create({
      Name: 'Harbourline Ferries - Next Deal',
      AccountId: harbourline,
      StageName: 'Negotiation/Review',
      CloseDate: '2027-03-31',
      Amount: 40000,
    });
    const contracts = await server.system.crm.loadContractHistory!(next.id!);
    assert.equal(contracts.length, 4);
    assert.equal(contracts[0]!.opportunityId, result.opportunityId);
    const d = decideFromHistory(contracts, null, shippedContractLibrary());
    assert.equal(d.window.length, 3, 'the last three');
    // The closed deal carried the 2x cap and quarterly invoicing: signed, they count as settled so.
    assert.deepEqual(
      d.carried.map((c) => [c.term, c.clause ?? c.value, c.versions.length]),
      [
        ['uncapped_liability', 'liability-cap-enhanced', 3],
        ['billing', 'quarterly', 2],
      ],
    );
  });
});
