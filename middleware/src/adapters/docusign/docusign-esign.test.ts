import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import https from 'node:https';
import { Writable } from 'node:stream';
import PDFDocument from 'pdfkit';
import { createLogger } from '../../logger.ts';
import { startFakeDocusign, type FakeDocusign } from '@dealdesk/test-kit/fake-docusign';
import { createDocusignEsign, type DocusignApiError, type DocusignEsign } from './docusign-esign.ts';
import type { CreateEnvelopeInput } from '../../ports/esign.ts';

const INTEGRATION_KEY = randomUUID();
const USER_ID = randomUUID();
const { privateKey, publicKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

function contractPdf(lines: string[]): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument();
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    doc.on('error', reject);
    for (const l of lines) doc.text(l);
    doc.end();
  });
}

describe('DocuSign adapter (docusign-esign against a local eSignature REST server)', () => {
  let fake: FakeDocusign;
  let esign: DocusignEsign;
  let logs: string;
  let input: CreateEnvelopeInput;
  let savedCa: unknown;

  before(async () => {
    fake = await startFakeDocusign({
      integrationKey: INTEGRATION_KEY,
      userId: USER_ID,
      publicKeyPem: publicKey,
    });
    savedCa = https.globalAgent.options.ca;
    https.globalAgent.options.ca = [fake.ca];
  });
  after(async () => {
    https.globalAgent.options.ca = savedCa as typeof https.globalAgent.options.ca;
    await fake.close();
  });

  beforeEach(async () => {
    logs = '';
    const destination = new Writable({
      write(chunk, _enc, done) {
        logs += String(chunk);
        done();
      },
    });
    esign = createDocusignEsign({
      integrationKey: INTEGRATION_KEY,
      userId: USER_ID,
      privateKey: Buffer.from(privateKey),
      authServer: fake.authServer,
      publicUrl: () => 'https://dealdesk.example.com/',
      notification: {
        reminderDelayDays: 2,
        reminderFrequencyDays: 3,
        expireAfterDays: 30,
        expireWarnDays: 5,
      },
      logger: createLogger({ level: 'debug', destination }),
    });
    input = {
      idempotencyKey: `run-${randomUUID()}`,
      subject: 'Please sign: Acme — Master Subscription Agreement',
      message: 'The agreement is ready.',
      documents: [
        {
          documentId: '1',
          name: 'Acme-MSA.pdf',
          pdf: await contractPdf([
            'Agreement',
            'Customer /sig1/ Date /date1/',
            'Provider /sig2/ Date /date2/',
          ]),
        },
      ],
      recipients: [
        {
          recipientKey: '003LEGAL',
          name: 'Lee Legal',
          email: 'lee@acme.example',
          role: 'Legal',
          routingOrder: 1,
          signAnchor: '/sig1/',
          dateAnchor: '/date1/',
        },
        {
          recipientKey: 'provider-1',
          name: 'Rita Rep',
          email: 'rita@northbeam.example',
          role: 'Provider countersignature',
          routingOrder: 2,
          signAnchor: '/sig2/',
        },
      ],
    };
  });

  it('logs in with the JWT grant, finds the default account and sends the envelope as DocuSign expects it', async () => {
    const sent = await esign.createEnvelope(input);
    assert.equal(sent.provider, 'DocuSign');
    assert.equal(sent.status, 'sent');
    assert.deepEqual(fake.calls.slice(0, 2), ['POST /oauth/token', 'GET /oauth/userinfo']);
    assert.ok(fake.calls.includes(`POST /restapi/v2.1/accounts/${fake.accountId}/envelopes`));
    const e = fake.envelopes.get(sent.envelopeId)!;
    assert.deepEqual(
      e.signers.map((s) => [
        s.recipientId,
        s.email,
        s.routingOrder,
        s.tabs.signHereTabs?.[0]?.anchorString,
        s.status,
      ]),
      [
        ['1', 'lee@acme.example', '1', '/sig1/', 'sent'],
        ['2', 'rita@northbeam.example', '2', '/sig2/', 'created'],
      ],
    );
    assert.deepEqual(e.notification, {
      useAccountDefaults: 'false',
      reminders: { reminderEnabled: 'true', reminderDelay: '2', reminderFrequency: '3' },
      expirations: { expireEnabled: 'true', expireAfter: '30', expireWarn: '5' },
    });
    assert.equal(e.eventNotification.url, 'https://dealdesk.example.com/v1/webhooks/docusign');
    assert.equal(e.eventNotification.deliveryMode, 'SIM');
    assert.equal(e.eventNotification.includeHMAC, 'true');
    assert.deepEqual(e.eventNotification.eventData, {
      version: 'restv2.1',
      format: 'json',
      includeData: ['recipients'],
    });
    assert.ok((e.eventNotification.events as string[]).includes('recipient-autoresponded'));
    assert.doesNotMatch(logs, /PRIVATE KEY|eyJ0-/);
  });

  it('does not send twice for the same idempotency key', async () => {
    const first = await esign.createEnvelope(input);
    const creates = () => fake.calls.filter((c) => c.endsWith('/envelopes') && c.startsWith('POST')).length;
    const before = creates();
    const again = await esign.createEnvelope(input);
    assert.equal(again.envelopeId, first.envelopeId);
    assert.equal(creates(), before);
  });

  it('refuses a document without the anchors it places tabs on', async () => {
    input.documents[0]!.pdf = await contractPdf(['Agreement without signature lines']);
    await assert.rejects(esign.createEnvelope(input), (err: DocusignApiError) => {
      assert.equal(err.docusignErrorCode, 'ANCHOR_TAB_STRING_NOT_FOUND');
      return true;
    });
  });

  it('reads status back, corrects a bounced recipient in place, resends, voids and downloads', async () => {
    const { envelopeId } = await esign.createEnvelope(input);
    fake.bounce(envelopeId, '1');
    let read = await esign.getEnvelope(envelopeId);
    assert.equal(read.recipients[0]!.recipientKey, '003LEGAL');
    assert.equal(read.recipients[0]!.status, 'auto_responded');
    await esign.correctRecipient!(envelopeId, '003LEGAL', { email: 'lee.legal@acme.example' });
    read = await esign.getEnvelope(envelopeId);
    assert.equal(read.envelopeId, envelopeId);
    assert.equal(read.recipients[0]!.email, 'lee.legal@acme.example');
    assert.equal(read.recipients[0]!.status, 'sent');
    await esign.resend!(envelopeId);
    assert.equal(fake.envelopes.get(envelopeId)!.resent, 1);
    fake.sign(envelopeId, '1');
    fake.sign(envelopeId, '2');
    read = await esign.getEnvelope(envelopeId);
    assert.equal(read.status, 'completed');
    assert.ok(read.recipients.every((r) => r.status === 'signed' && r.signedAt));
    const docs = await esign.downloadSigned(envelopeId);
    assert.equal(Buffer.from(docs.combined.subarray(0, 5)).toString(), '%PDF-');
    assert.equal(Buffer.from(docs.certificate.subarray(0, 5)).toString(), '%PDF-');
    await assert.rejects(esign.voidEnvelope(envelopeId, 'too late'), /ENVELOPE_CANNOT_VOID_INVALID_STATE/);
    const other = await esign.createEnvelope({ ...input, idempotencyKey: `run-${randomUUID()}` });
    await esign.voidEnvelope(other.envelopeId, 'Contract revised');
    assert.equal((await esign.getEnvelope(other.envelopeId)).status, 'voided');
  });

  it("reports DocuSign's hourly limit so the orchestrator backs off, without the token", async () => {
    const { envelopeId } = await esign.createEnvelope(input);
    fake.failNext(
      400,
      'HOURLY_APIINVOCATION_LIMIT_EXCEEDED',
      'The maximum number of hourly API invocations has been exceeded.',
    );
    await assert.rejects(esign.getEnvelope(envelopeId), (err: DocusignApiError) => {
      assert.equal(err.errorCode, 'REQUEST_LIMIT_EXCEEDED');
      assert.equal(err.docusignErrorCode, 'HOURLY_APIINVOCATION_LIMIT_EXCEEDED');
      assert.doesNotMatch(err.message, /eyJ0-|PRIVATE KEY/);
      return true;
    });
  });

  it('names the problem when the JWT grant is refused', async () => {
    const wrong = createDocusignEsign({
      integrationKey: randomUUID(),
      userId: USER_ID,
      privateKey: Buffer.from(privateKey),
      authServer: fake.authServer,
      publicUrl: () => 'https://dealdesk.example.com',
      notification: {
        reminderDelayDays: 2,
        reminderFrequencyDays: 3,
        expireAfterDays: 30,
        expireWarnDays: 5,
      },
      logger: createLogger({ level: 'silent' }),
    });
    await assert.rejects(
      wrong.getEnvelope(randomUUID()),
      /JWT grant failed \(400\): invalid_grant: issuer_not_found/,
    );
  });
});
