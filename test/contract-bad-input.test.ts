/**
 * A contract cannot be written without the customer's billing country: the Contract Generation
 * step fails naming the missing field (on Agent_Step__c), the run waits for the rep, and once the
 * account is fixed a retry resumes from this step with the deal read afresh.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@jsforce/jsforce-node';
import { loadConfig, createLogger, startServer, type RunningServer } from '@dealdesk/middleware';
import { demoScenario } from '@dealdesk/local-org';

interface View {
  status: string;
  error: string | null;
  steps: { agent: string; status: string; error: string | null }[];
  contractVersions: { version: number; variant: string }[];
}

describe('contract generation with a missing deal fact', () => {
  let dir: string;
  let server: RunningServer;
  let conn: Connection;
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${server.url}${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${server.apiKey}`, 'Content-Type': 'application/json' },
    });
  const waitFor = async (id: string, done: (v: View) => boolean): Promise<View> => {
    for (let i = 0; i < 400; i++) {
      const view = (await (await api(`/v1/closures/${id}`)).json()) as View;
      if (done(view)) return view;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`closure ${id} did not reach the expected state`);
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dealdesk-contract-'));
    const config = loadConfig({ PORT: '0', DEALDESK_DATA_DIR: dir, LOG_LEVEL: 'silent' });
    server = await startServer(config, createLogger({ level: 'silent' }), { timerPollMs: 50 });
    conn = new Connection({ instanceUrl: server.url, accessToken: server.localOrg!.token, version: '65.0' });
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails naming the billing country, then resumes from this step once the rep fixes it', async () => {
    const name = demoScenario('verbal-yes').opportunityName;
    const opp = (
      await conn.query<{ Id: string; AccountId: string }>(
        `SELECT Id, AccountId FROM Opportunity WHERE Name = '${name}'`,
      )
    ).records[0]!;
    await conn.sobject('Account').update({ Id: opp.AccountId, BillingCountry: null });
    const res = await api('/v1/closures', {
      method: 'POST',
      body: JSON.stringify({ opportunityId: opp.Id, trigger: 'Rep' }),
    });
    const { closureId } = (await res.json()) as { closureId: string };
    const failed = await waitFor(closureId, (v) => v.status === 'Waiting_Rep');
    const step = failed.steps.find((s) => s.agent === 'Contract_Generation')!;
    assert.equal(step.status, 'Failed');
    assert.match(step.error ?? '', /billing country \(Account\.BillingCountry\)/);
    const records = await conn.query<{ Status__c: string; Error__c: string | null }>(
      `SELECT Status__c, Error__c FROM Agent_Step__c WHERE Step_Key__c = '${closureId}:contract_generation'`,
    );
    assert.equal(records.records[0]?.Status__c, 'Failed');
    assert.match(records.records[0]?.Error__c ?? '', /billing country \(Account\.BillingCountry\)/);

    await conn.sobject('Account').update({ Id: opp.AccountId, BillingCountry: 'Germany' });
    const retry = await api(`/v1/closures/${closureId}/retry`, { method: 'POST', body: '{}' });
    assert.ok(retry.status < 300, `retry answered ${retry.status}`);
    const resumed = await waitFor(
      closureId,
      (v) => v.steps.find((s) => s.agent === 'Contract_Generation')?.status === 'Succeeded',
    );
    assert.deepEqual(
      resumed.steps.filter((s) => s.agent === 'Deal_Closure').map((s) => s.status),
      ['Succeeded'],
      'the earlier step is not repeated',
    );
    const versions = await conn.query<{ Variant__c: string; Template__c: string }>(
      `SELECT Variant__c, Template__c FROM Contract_Version__c WHERE Idempotency_Key__c LIKE '${closureId}:contract:%'`,
    );
    assert.deepEqual(versions.records.map((r) => r.Variant__c).sort(), [
      'Executive_Summary',
      'Full',
      'Technical_Appendix',
    ]);
  });
});
