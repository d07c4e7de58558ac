/**
 * Salesforce mode against an org the middleware does not host: the middleware logs in with the
 * OAuth 2.0 JWT bearer flow (a connected app's key pair), runs a closure to approvals submitted
 * through the same jsforce path, and logs in again when its session expires. A key the org
 * does not trust is refused at start-up with Salesforce's error.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, createLogger, startServer, SalesforceAuthError } from '@dealdesk/middleware';
import { startLocalOrg, type LocalOrgHarness } from '@dealdesk/local-org/testing';
import { demoCompany, demoScenario } from '@dealdesk/local-org';

const keys = () =>
  generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });

describe('salesforce mode (JWT bearer flow)', function () {
  this.timeout(60_000);
  let dir: string;
  let org: LocalOrgHarness;
  const trusted = keys();
  const apiKey = 'salesforce-mode-test-key-0123456789abcdef';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dealdesk-sfmode-'));
    org = await startLocalOrg({
      connectedApps: [{ clientId: '3MVG9dealdesk', publicKey: trusted.publicKey }],
    });
    org.org.seed(demoCompany);
  });
  after(async () => {
    await org.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function config(privateKey: string) {
    const keyFile = join(dir, `key-${Math.random().toString(36).slice(2)}.pem`);
    writeFileSync(keyFile, privateKey, { mode: 0o600 });
    return loadConfig({
      DEALDESK_MODE: 'salesforce',
      PORT: '0',
      DEALDESK_DATA_DIR: join(dir, 'middleware'),
      LOG_LEVEL: 'silent',
      DEALDESK_API_KEY: apiKey,
      SF_LOGIN_URL: org.url,
      SF_CLIENT_ID: '3MVG9dealdesk',
      SF_USERNAME: 'integration@dealdesk-demo.example',
      SF_PRIVATE_KEY_FILE: keyFile,
    });
  }

  it("refuses a key the connected app does not trust, with Salesforce's error", async () => {
    await assert.rejects(
      startServer(config(keys().privateKey), createLogger({ level: 'silent' })),
      (err: unknown) => {
        assert.ok(err instanceof SalesforceAuthError);
        assert.equal(err.error, 'invalid_grant');
        return true;
      },
    );
  });

  it('logs in, re-logs in after the session expires, and runs a closure to approvals submitted', async () => {
    const server = await startServer(config(trusted.privateKey), createLogger({ level: 'silent' }), {
      timerPollMs: 0,
    });
    try {
      assert.equal(server.localOrg, undefined, 'the middleware hosts no org in salesforce mode');
      // Expire every session of the integration user: the first call must log in again.
      org.org.expireSessions(org.org.integrationUserId);
      const opp = org.org.query(
        `SELECT Id FROM Opportunity WHERE Name = '${demoScenario('verbal-yes').opportunityName.replace(/'/g, "\\'")}'`,
      ).records[0]!;
      const res = await fetch(`${server.url}/v1/closures`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ opportunityId: opp.Id, trigger: 'Rep' }),
      });
      assert.equal(res.status, 202);
      const { closureId } = (await res.json()) as { closureId: string };
      await server.system.orchestrator.idle();
      const view = (await (
        await fetch(`${server.url}/v1/closures/${closureId}`, {
          headers: { Authorization: `Bearer ${apiKey}` },
        })
      ).json()) as {
        status: string;
        approvals: { status: string }[];
      };
      assert.equal(view.status, 'Waiting_Approval');
      // Independent approvals are in the approval process; dependent ones (Executive) wait their turn.
      const pending = view.approvals.filter((a) => a.status === 'Pending').length;
      assert.ok(pending > 0 && view.approvals.every((a) => a.status === 'Pending' || a.status === 'Planned'));
      const closure = org.org.query(
        `SELECT Status__c, Decision__c FROM Deal_Closure__c WHERE Run_Id__c = '${closureId}'`,
      ).records[0];
      assert.equal(closure?.Status__c, 'Waiting_Approval');
      assert.equal(
        org.org.query("SELECT COUNT() FROM ProcessInstance WHERE Status = 'Pending'").totalSize,
        pending,
      );
    } finally {
      await server.close();
    }
  });
});
