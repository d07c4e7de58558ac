/**
 * The demo's deal through DocuSign: the middleware in local-org mode but with the DocuSign
 * adapter (JWT grant, envelope, Connect webhooks) against a local eSignature REST server. The
 * signers sign at "DocuSign", which reports through Connect JSON SIM messages signed with the
 * HMAC secret; they arrive duplicated and out of order, and the deal still closes exactly once.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@jsforce/jsforce-node';
import { loadConfig, createLogger, startServer, type RunningServer } from '@dealdesk/middleware';
import {
  closureView,
  driveToCompletion,
  startDemoClosure,
  targetOf,
  type DemoResult,
} from '@dealdesk/middleware/demo';
import { startTrustedFakeDocusign, type FakeDocusign } from '@dealdesk/test-kit/fake-docusign';

const SECRET = 'connect-hmac-secret-for-the-e2e-test';
const INTEGRATION_KEY = randomUUID();
const USER_ID = randomUUID();

describe('the demo deal through DocuSign and Connect webhooks', () => {
  let dir: string;
  let fake: FakeDocusign;
  let server: RunningServer;
  let result: DemoResult;
  let conn: Connection;
  let docusign: Awaited<ReturnType<typeof startTrustedFakeDocusign>> | undefined;
  const answers: { event: string; status: number; body: unknown }[] = [];

  before(async function () {
    this.timeout(90_000);
    dir = mkdtempSync(join(tmpdir(), 'dealdesk-docusign-e2e-'));
    docusign = await startTrustedFakeDocusign({ integrationKey: INTEGRATION_KEY, userId: USER_ID });
    fake = docusign.fake;
    writeFileSync(join(dir, 'docusign.pem'), docusign.privateKeyPem, { mode: 0o600 });
    const config = loadConfig({
      PORT: '0',
      DEALDESK_DATA_DIR: dir,
      LOG_LEVEL: 'silent',
      PUBLIC_URL: 'https://dealdesk.example.com',
      DEALDESK_ESIGN: 'docusign',
      DOCUSIGN_INTEGRATION_KEY: INTEGRATION_KEY,
      DOCUSIGN_USER_ID: USER_ID,
      DOCUSIGN_PRIVATE_KEY_FILE: join(dir, 'docusign.pem'),
      DOCUSIGN_AUTH_SERVER: fake.authServer,
      DOCUSIGN_CONNECT_SECRETS: `an-older-secret-still-active,${SECRET}`,
    });
    server = await startServer(config, createLogger({ level: 'silent' }), { timerPollMs: 100 });
    const started = await startDemoClosure(targetOf(server), () => undefined);
    const post = async (envelopeId: string, event: string, recipientId?: string, at?: Date) => {
      const m = fake.connectMessage(envelopeId, event, SECRET, {
        ...(recipientId ? { recipientId } : {}),
        ...(at ? { at } : {}),
      });
      const res = await fetch(`${server.url}/v1/webhooks/docusign`, {
        method: 'POST',
        headers: m.headers,
        body: m.body,
      });
      answers.push({ event, status: res.status, body: await res.json() });
      return m;
    };
    // The signers act at DocuSign once the closure waits on them; DocuSign tells us by Connect.
    const signing = (async () => {
      const deadline = Date.now() + 60_000;
      let envelopeId: string | undefined;
      while (!envelopeId) {
        if (Date.now() > deadline) throw new Error('the envelope was never sent');
        const view = await closureView(started.target, started.closureId);
        envelopeId = (view.envelope as { envelopeId?: string } | null)?.envelopeId;
        if (!envelopeId) await new Promise((r) => setTimeout(r, 50));
      }
      const sentAt = new Date();
      await post(envelopeId, 'envelope-sent', undefined, sentAt);
      fake.sign(envelopeId, '1');
      const first = await post(envelopeId, 'recipient-completed', '1');
      // Connect retries a message it thinks was not received: the very same bytes again.
      await fetch(`${server.url}/v1/webhooks/docusign`, {
        method: 'POST',
        headers: first.headers,
        body: first.body,
      }).then(async (res) =>
        answers.push({
          event: 'recipient-completed (redelivered)',
          status: res.status,
          body: await res.json(),
        }),
      );
      fake.sign(envelopeId, '2');
      // Out of order: the envelope completes before the last signer's own event arrives, and
      // an old "sent" message straggles in last.
      await post(envelopeId, 'envelope-completed');
      await post(envelopeId, 'recipient-completed', '2');
      await post(envelopeId, 'recipient-sent', '1', sentAt);
      await post(envelopeId, 'envelope-completed');
    })();
    [result] = await Promise.all([driveToCompletion(started, () => undefined, 60_000), signing]);
    await server.system.orchestrator.idle();
    conn = new Connection({ instanceUrl: server.url, accessToken: server.localOrg!.token, version: '65.0' });
  });

  after(async () => {
    await server?.close();
    await docusign?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sent one envelope through DocuSign in the role order, with the Connect subscription', () => {
    assert.equal(fake.envelopes.size, 1);
    const [envelope] = [...fake.envelopes.values()];
    assert.equal(envelope!.status, 'completed');
    assert.deepEqual(
      envelope!.signers.map((s) => [s.routingOrder, s.tabs.signHereTabs?.[0]?.anchorString]),
      [
        ['1', '/sig1/'],
        ['2', '/sig2/'],
      ],
    );
    assert.equal(envelope!.eventNotification.url, 'https://dealdesk.example.com/v1/webhooks/docusign');
    assert.ok(fake.calls.includes('POST /oauth/token'));
    // No polling: besides sending, one read at completion and the two downloads.
    const reads = fake.calls.filter((c) => c.startsWith('GET /restapi') && !c.includes('/documents/'));
    assert.ok(reads.length <= 3, reads.join(', '));
  });

  it('acknowledged every webhook and stored each state change once', () => {
    assert.ok(
      answers.every((a) => a.status === 200),
      JSON.stringify(answers),
    );
    const redelivered = answers.find((a) => a.event === 'recipient-completed (redelivered)');
    assert.deepEqual(redelivered?.body, { accepted: false, duplicate: true });
  });

  it('closed the deal exactly once, with the signed documents from DocuSign', async () => {
    assert.equal(result.view.status, 'Completed');
    const count = async (soql: string) => (await conn.query(soql)).totalSize;
    const where = `WHERE Deal_Closure__c = '${result.dealClosureId}'`;
    assert.equal(await count(`SELECT COUNT() FROM Agent_Step__c ${where}`), 7);
    assert.equal(await count(`SELECT COUNT() FROM Signature_Envelope__c ${where}`), 1);
    const envelope = await conn.query<{ Status__c: string; Provider__c: string }>(
      `SELECT Status__c, Provider__c FROM Signature_Envelope__c ${where}`,
    );
    assert.deepEqual(
      envelope.records.map((r) => [r.Provider__c, r.Status__c]),
      [['DocuSign', 'Completed']],
    );
    const recipients = await conn.query<{ Status__c: string; Signed_At__c: string | null }>(
      `SELECT Status__c, Signed_At__c FROM Envelope_Recipient__c WHERE Signature_Envelope__r.Deal_Closure__c = '${result.dealClosureId}'`,
    );
    assert.equal(recipients.totalSize, 2);
    assert.ok(recipients.records.every((r) => r.Status__c === 'Signed' && r.Signed_At__c));
    const opp = (await conn.sobject('Opportunity').retrieve(result.opportunityId)) as Record<string, unknown>;
    assert.equal(opp.StageName, 'Closed Won');
    assert.equal(
      await count(
        `SELECT COUNT() FROM Opportunity WHERE Type = 'Renewal' AND AccountId = '${String(opp.AccountId)}'`,
      ),
      1,
    );
    const files = await conn.query<{ Title: string }>(
      `SELECT Title FROM ContentVersion WHERE FirstPublishLocationId = '${result.opportunityId}'`,
    );
    // The three contract variants, then DocuSign's signed agreement and certificate, once each.
    assert.equal(files.totalSize, 5, files.records.map((f) => f.Title).join(', '));
    assert.equal(await count(`SELECT COUNT() FROM Handoff_Package__c ${where}`), 4);
    const metrics = await server.system.metrics.registry.getSingleMetricAsString(
      'dealdesk_runs_finished_total',
    );
    assert.match(metrics, /dealdesk_runs_finished_total\{status="completed"\} 1$/m);
  });
});
