/**
 * Recovery through DocuSign, on the demo deal: a bounced address is corrected on the live
 * envelope (no new envelope), a quiet signer is reminded and the silent envelope reconciled once
 * after the configured times, an expired envelope and a decline each reach the rep (the decline
 * with its reason) and park the run, and one resend action sends a fresh envelope each time; the
 * last completes the deal.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@jsforce/jsforce-node';
import {
  loadConfig,
  createLogger,
  startServer,
  type RunningServer,
  createRuntime,
  type Notification,
} from '@dealdesk/middleware';
import {
  closureView,
  driveToCompletion,
  startDemoClosure,
  targetOf,
  type StartedClosure,
} from '@dealdesk/middleware/demo';
import { startTrustedFakeDocusign, type FakeDocusign } from '@dealdesk/test-kit/fake-docusign';

const SECRET = 'connect-hmac-secret-for-recovery';
const INTEGRATION_KEY = randomUUID();
const USER_ID = randomUUID();
const HOUR = 3_600_000;

interface EnvelopeOutput {
  envelopeId: string;
  status: string;
  recipients: { recipientKey: string; name: string; email: string; status: string }[];
}

describe('signature recovery through DocuSign', () => {
  let dir: string;
  let fake: FakeDocusign;
  let server: RunningServer;
  let started: StartedClosure;
  let docusign: Awaited<ReturnType<typeof startTrustedFakeDocusign>> | undefined;
  let offset = 0;
  const clock = () => new Date(Date.now() + offset);
  const sentNotifications = () => (server.system.notifier as unknown as { sent: Notification[] }).sent;

  const view = async () => closureView(started.target, started.closureId);
  const envelopeOf = async () => (await view()).envelope as unknown as EnvelopeOutput | null;
  async function until<T>(what: string, check: () => Promise<T | undefined | null | false | ''>): Promise<T> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const value = await check();
      if (value) return value;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; closure ${JSON.stringify(await view())}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const connect = async (envelopeId: string, event: string, recipientId?: string) => {
    const m = fake.connectMessage(envelopeId, event, SECRET, {
      at: clock(),
      ...(recipientId ? { recipientId } : {}),
    });
    const res = await fetch(`${server.url}/v1/webhooks/docusign`, {
      method: 'POST',
      headers: m.headers,
      body: m.body,
    });
    assert.equal(res.status, 200, await res.text());
  };
  const api = (path: string, body: unknown) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.apiKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });

  before(async function () {
    this.timeout(60_000);
    dir = mkdtempSync(join(tmpdir(), 'dealdesk-recovery-'));
    docusign = await startTrustedFakeDocusign({ integrationKey: INTEGRATION_KEY, userId: USER_ID });
    fake = docusign.fake;
    const config = loadConfig({
      PORT: '0',
      DEALDESK_DATA_DIR: dir,
      LOG_LEVEL: 'silent',
      PUBLIC_URL: 'https://dealdesk.example.com',
      DOCUSIGN_INTEGRATION_KEY: INTEGRATION_KEY,
      DOCUSIGN_USER_ID: USER_ID,
      DOCUSIGN_PRIVATE_KEY: docusign.privateKeyPem,
      DOCUSIGN_AUTH_SERVER: fake.authServer,
      DOCUSIGN_CONNECT_SECRETS: SECRET,
    });
    server = await startServer(config, createRuntime({ logger: createLogger({ level: 'silent' }), clock }), {
      timerPollMs: 50,
    });
    started = await startDemoClosure(targetOf(server), () => undefined);
    // Approvals as in the demo; it stops with an error once the closure waits for the rep.
    void driveToCompletion(started, () => undefined, 30_000).catch(() => undefined);
  });

  after(async () => {
    await server?.close();
    await docusign?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('asks the rep for a correct address after a bounce and corrects the live envelope', async () => {
    const sent = await until(
      'the envelope',
      async () => (await envelopeOf())?.envelopeId && (await envelopeOf())!,
    );
    fake.bounce(sent.envelopeId, '1');
    await connect(sent.envelopeId, 'recipient-autoresponded', '1');
    const waiting = await until('the rep to be asked', async () => {
      const v = await view();
      return v.status === 'Waiting_Rep' && v;
    });
    assert.match(waiting.steps.at(-1)!.reasoning, /bounced or was auto-answered/);
    const customer = sent.recipients[0]!;
    const asked = sentNotifications().find((n) => n.audience === 'rep' && /bounced/.test(n.subject));
    assert.ok(asked, 'the rep was notified');
    assert.ok(asked.body.includes(`/signers/${customer.recipientKey}`));

    const refused = await api(`/v1/closures/${started.closureId}/signers/${customer.recipientKey}`, {
      email: 'nope',
    });
    assert.equal(refused.status, 400);
    const unknown = await api(`/v1/closures/${started.closureId}/signers/003000000000000AAA`, {
      email: 'a@b.example',
    });
    assert.equal(unknown.status, 404);
    const res = await api(`/v1/closures/${started.closureId}/signers/${customer.recipientKey}`, {
      email: 'katrin.vogel@corrected.example',
    });
    assert.equal(res.status, 202, await res.text());
    await until('the signature wait again', async () => (await view()).status === 'Waiting_Signature');
    assert.equal(fake.envelopes.size, 1, 'the envelope was not restarted');
    assert.equal(fake.envelopes.get(sent.envelopeId)!.signers[0]!.email, 'katrin.vogel@corrected.example');
    assert.ok(fake.calls.some((c) => c.endsWith(`/envelopes/${sent.envelopeId}/recipients`)));
    const env = await envelopeOf();
    assert.equal(env!.recipients[0]!.status, 'sent');
  });

  it('after a retry, voids the envelope still out for signature and sends a new one', async () => {
    const first = (await envelopeOf())!;
    fake.bounce(first.envelopeId, '1');
    await connect(first.envelopeId, 'recipient-autoresponded', '1');
    await until('the rep to be asked again', async () => (await view()).status === 'Waiting_Rep');
    const res = await api(`/v1/closures/${started.closureId}/retry`, {});
    assert.equal(res.status, 202, await res.text());
    const next = await until('a new envelope', async () => {
      const e = await envelopeOf();
      return e && e.envelopeId !== first.envelopeId && e;
    });
    assert.equal(fake.envelopes.size, 2);
    assert.equal(
      fake.envelopes.get(first.envelopeId)!.status,
      'voided',
      'nobody can sign the superseded copy',
    );
    assert.equal((await view()).status, 'Waiting_Signature');
    assert.equal(next.status, 'sent');
  });

  it('reconciles a silent envelope once and reminds the idle signer after the configured hours', async () => {
    const { envelopeId } = (await envelopeOf())!;
    const reads = () =>
      fake.calls.filter((c) => c === `GET /restapi/v2.1/accounts/${fake.accountId}/envelopes/${envelopeId}`)
        .length;
    const before = reads();
    // The reminder is due when comparable signers in the org's history typically have signed, as
    // the step says; the clock goes at least that far, so a slower seed history moves the wait
    // with the prediction instead of failing the test.
    const steps = (await view()).steps as { stage: string; reasoning: string | null }[];
    const said = steps
      .filter((st) => st.stage === 'signature_management')
      .map((st) => /will be reminded at (\S+Z)/.exec(st.reasoning ?? '')?.[1])
      .find(Boolean);
    const start = offset;
    offset += 25 * HOUR;
    await until('the reconciliation read', async () => reads() === before + 1);
    offset = Math.max(start + 49 * HOUR, said ? Date.parse(said) - Date.now() + HOUR : 0);
    const reminder = await until('the reminder', async () =>
      sentNotifications().find((n) => n.kind === 'reminder' && n.audience === 'signer'),
    );
    assert.equal(reminder.email, 'katrin.vogel@corrected.example');
    await until('the resend', async () => fake.envelopes.get(envelopeId)!.resent >= 1);
    assert.equal(reads(), before + 1, 'one reconciliation read, no polling');
  });

  it('tells the rep an envelope expired unsigned, and one action sends a fresh one', async function () {
    this.timeout(40_000);
    const expiring = (await envelopeOf())!;
    fake.expire(expiring.envelopeId);
    // DocuSign reports expiry to Connect as a void whose reason says it expired.
    await connect(expiring.envelopeId, 'envelope-voided');
    await until('the rep to decide', async () => (await view()).status === 'Waiting_Rep');
    assert.equal((await envelopeOf())!.status, 'expired');
    const told = sentNotifications().find((n) => n.audience === 'rep' && /expired/.test(n.subject));
    assert.ok(told, 'the rep is told');
    assert.match(told.body, /expired before everyone signed/);
    assert.match(told.body, /signature\/resend/);

    const res = await api(`/v1/closures/${started.closureId}/signature/resend`, {});
    assert.equal(res.status, 202, await res.text());
    const fresh = await until('a fresh envelope', async () => {
      const e = await envelopeOf();
      return e && e.envelopeId !== expiring.envelopeId && e.status === 'sent' && e;
    });
    assert.equal(
      fake.envelopes.get(expiring.envelopeId)!.status,
      'voided',
      'the expired one is left as DocuSign has it',
    );
    assert.equal(fresh.recipients[0]!.email, 'katrin.vogel@corrected.example', 'the correction carries over');
  });

  it('tells the rep why a signer declined and waits; one action sends a fresh envelope that completes', async function () {
    this.timeout(40_000);
    const first = (await envelopeOf())!;
    fake.decline(first.envelopeId, '1', 'Our legal entity name is wrong');
    await connect(first.envelopeId, 'recipient-declined', '1');
    await connect(first.envelopeId, 'envelope-declined');
    await until('the rep to decide', async () => (await view()).status === 'Waiting_Rep');
    const told = sentNotifications().find((n) => n.audience === 'rep' && /declined/.test(n.subject));
    assert.ok(told);
    assert.match(told.body, /Our legal entity name is wrong/);
    assert.equal((await envelopeOf())!.status, 'declined');

    const res = await api(`/v1/closures/${started.closureId}/signature/resend`, {});
    assert.equal(res.status, 202, await res.text());
    const second = await until('a fresh envelope', async () => {
      const e = await envelopeOf();
      return e && e.envelopeId !== first.envelopeId && e;
    });
    assert.equal(fake.envelopes.size, 4);
    assert.equal(
      second.recipients[0]!.email,
      'katrin.vogel@corrected.example',
      'the correction carries over',
    );

    const done = driveToCompletion(started, () => undefined, 30_000);
    fake.sign(second.envelopeId, '1');
    await connect(second.envelopeId, 'recipient-completed', '1');
    fake.sign(second.envelopeId, '2');
    await connect(second.envelopeId, 'envelope-completed');
    const result = await done;
    assert.equal(result.view.status, 'Completed');
    const conn = new Connection({
      instanceUrl: server.url,
      accessToken: server.localOrg!.token,
      version: '65.0',
    });
    const envelopes = await conn.query<{ Envelope_Id__c: string; Status__c: string }>(
      `SELECT Envelope_Id__c, Status__c FROM Signature_Envelope__c WHERE Deal_Closure__c = '${started.dealClosureId}'`,
    );
    const statuses = new Map(envelopes.records.map((r) => [r.Envelope_Id__c, r.Status__c]));
    assert.equal(envelopes.totalSize, 4);
    assert.equal(statuses.get(first.envelopeId), 'Declined');
    assert.equal(statuses.get(second.envelopeId), 'Completed');
    assert.deepEqual([...statuses.values()].sort(), ['Completed', 'Declined', 'Expired', 'Voided']);
    const opp = (await conn.sobject('Opportunity').retrieve(started.opportunityId)) as Record<
      string,
      unknown
    >;
    assert.equal(opp.StageName, 'Closed Won');
  });
});
