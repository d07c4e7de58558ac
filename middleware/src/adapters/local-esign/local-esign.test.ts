import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import PDFDocument from 'pdfkit';
import request from 'supertest';
import type { CreateEnvelopeInput, EsignEvent, RecipientInput } from '../../ports/esign.ts';
import { createLocalEsign, LocalEsignError, type LocalEsign } from './local-esign.ts';
import { pdfText } from '@dealdesk/test-kit/pdf-text';

const PUBLIC_URL = 'http://dealdesk.test:3000';
const ALICE: RecipientInput = {
  recipientKey: '003A',
  name: 'Alice Signer',
  email: 'alice@example.com',
  role: 'Customer',
  routingOrder: 1,
};
const BOB: RecipientInput = {
  recipientKey: '005B',
  name: 'Bob  van der Berg',
  email: 'bob@example.com',
  role: 'Sales VP',
  routingOrder: 2,
};

function makePdf(text: string): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ info: { CreationDate: new Date('2026-01-01T00:00:00Z') } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    doc.on('error', reject);
    doc.fontSize(12).text(text);
    doc.end();
  });
}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** A clock that ticks one second per reading, so every recorded time is distinct and known. */
function tickingClock(start = '2026-03-02T10:00:00.000Z'): () => Date {
  let t = Date.parse(start);
  return () => new Date((t += 1000));
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface Harness {
  esign: LocalEsign;
  app: express.Express;
}

function harness(dbPath = ':memory:'): Harness {
  const esign = createLocalEsign({
    dbPath,
    publicUrl: () => `${PUBLIC_URL}/`,
    clock: tickingClock(),
    redeliverEveryMs: 20,
  });
  const app = express();
  app.set('trust proxy', 'loopback');
  app.use(esign.router());
  return { esign, app };
}

function pathOf(signingUrl: string | undefined): string {
  assert.ok(signingUrl, 'recipient has a signing URL');
  return new URL(signingUrl).pathname;
}

describe('local e-signature provider', () => {
  let doc1: Uint8Array;
  let doc2: Uint8Array;
  let h: Harness;

  before(async () => {
    doc1 = await makePdf('Master Subscription Agreement. Customer signs here: /sig1/');
    doc2 = await makePdf('Order Form. Vendor signs here: /sig2/');
  });
  beforeEach(() => (h = harness()));
  afterEach(() => h.esign.close());

  function input(overrides: Partial<CreateEnvelopeInput> = {}): CreateEnvelopeInput {
    return {
      idempotencyKey: 'closure-1:signature',
      subject: 'Please sign: Acme & Co <MSA>',
      message: 'Hi,\nplease review and sign.',
      documents: [
        { documentId: 'msa', name: 'Master Subscription Agreement.pdf', pdf: doc1 },
        { documentId: 'order', name: 'Order Form.pdf', pdf: doc2 },
      ],
      recipients: [ALICE, BOB],
      ...overrides,
    };
  }

  function signAs(path: string, typed: string, agent = 'TestBrowser/1.0') {
    return request(h.app)
      .post(path)
      .set('User-Agent', agent)
      .type('form')
      .send({ action: 'sign', signature: typed, consent: 'on' });
  }

  describe('createEnvelope and getEnvelope', () => {
    it('sends the envelope with one unguessable signing URL per recipient, first routing order first', async () => {
      const env = await h.esign.createEnvelope(input());
      assert.equal(env.provider, 'Local');
      assert.equal(env.status, 'sent');
      assert.match(env.envelopeId, /^[0-9a-f-]{36}$/);
      assert.equal(env.sentAt, '2026-03-02T10:00:01.000Z');
      assert.deepEqual(
        env.recipients.map((r) => [r.recipientKey, r.status]),
        [
          ['003A', 'sent'],
          ['005B', 'created'],
        ],
      );
      for (const r of env.recipients) {
        assert.match(r.signingUrl ?? '', /^http:\/\/dealdesk\.test:3000\/esign\/sign\/[A-Za-z0-9_-]{43}$/);
      }
      assert.notEqual(env.recipients[0]?.signingUrl, env.recipients[1]?.signingUrl);
      assert.deepEqual(await h.esign.getEnvelope(env.envelopeId), env);
    });

    it('returns the same envelope for the same idempotency key instead of sending twice', async () => {
      const first = await h.esign.createEnvelope(input());
      const again = await h.esign.createEnvelope(input({ subject: 'A retry with a different subject' }));
      assert.deepEqual(again, first);
      const other = await h.esign.createEnvelope(input({ idempotencyKey: 'closure-2:signature' }));
      assert.notEqual(other.envelopeId, first.envelopeId);
    });

    it('rejects invalid input and unknown envelopes with typed errors', async () => {
      await assert.rejects(
        h.esign.createEnvelope(
          input({ documents: [{ documentId: 'x', name: 'x', pdf: new Uint8Array([1, 2]) }] }),
        ),
        (err: LocalEsignError) => err instanceof LocalEsignError && err.code === 'INVALID_INPUT',
      );
      await assert.rejects(
        h.esign.createEnvelope(input({ recipients: [ALICE, { ...BOB, recipientKey: ALICE.recipientKey }] })),
        /duplicate recipientKey/,
      );
      await assert.rejects(
        h.esign.getEnvelope('nope'),
        (err: LocalEsignError) => err instanceof LocalEsignError && err.code === 'NOT_FOUND',
      );
    });
  });

  describe('signing page', () => {
    it('renders the envelope, the documents and the recipient with strict security headers', async () => {
      const env = await h.esign.createEnvelope(input());
      const path = pathOf(env.recipients[0]?.signingUrl);
      const res = await request(h.app)
        .get(path)
        .expect(200)
        .expect('Content-Type', /text\/html/);
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.equal(res.headers['x-frame-options'], 'DENY');
      assert.equal(
        res.headers['content-security-policy'],
        "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'; img-src 'self'; form-action 'self'",
      );
      assert.equal(res.headers['referrer-policy'], 'no-referrer');
      const html = res.text;
      assert.match(html, /<html lang="en">/);
      assert.ok(html.includes('Please sign: Acme &amp; Co &lt;MSA&gt;'), 'subject escaped');
      assert.ok(
        html.includes('Alice Signer') && html.includes('alice@example.com') && html.includes('Customer'),
      );
      assert.ok(
        html.includes(`href="${path}/documents/msa"`) && html.includes(`href="${path}/documents/order"`),
      );
      assert.ok(html.includes(sha256(doc1)), 'document hash shown');
      assert.match(html, /<label for="signature">/);
      assert.match(html, /<input type="checkbox" id="consent" name="consent"/);
      assert.match(html, /I agree to sign electronically/);
      assert.match(html, /<button type="submit" class="primary">Sign<\/button>/);
      assert.match(html, /<textarea id="reason" name="reason"/);
      assert.match(html, /<button type="submit" class="danger">Decline<\/button>/);
      assert.doesNotMatch(html, /<script|https?:\/\//, 'no scripts and no external assets');
    });

    it('streams each original PDF', async () => {
      const env = await h.esign.createEnvelope(input());
      const path = pathOf(env.recipients[1]?.signingUrl);
      const res = await request(h.app)
        .get(`${path}/documents/order`)
        .buffer(true)
        .parse((r, cb) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => cb(null, Buffer.concat(chunks)));
        })
        .expect(200)
        .expect('Content-Type', 'application/pdf');
      assert.equal(sha256(res.body as Buffer), sha256(doc2));
      assert.match(String(res.headers['content-disposition']), /^inline; filename="Order Form\.pdf"/);
      await request(h.app).get(`${path}/documents/missing`).expect(404);
    });

    it('answers an unknown or malformed token with 404, as a page or as JSON', async () => {
      const unknown = `/esign/sign/${'A'.repeat(43)}`;
      const page = await request(h.app)
        .get(unknown)
        .expect(404)
        .expect('Content-Type', /text\/html/);
      assert.match(page.text, /Signing link not found/);
      await request(h.app).get('/esign/sign/short').expect(404);
      await request(h.app).get(`${unknown}/documents/msa`).expect(404);
      const json = await request(h.app)
        .post(unknown)
        .set('Accept', 'application/json')
        .type('form')
        .send({ action: 'sign', signature: 'x', consent: 'on' })
        .expect(404);
      assert.equal((json.body as { error: { code: string } }).error.code, 'NOT_FOUND');
    });

    it('escapes a recipient named <script>alert(1)</script> everywhere', async () => {
      const evil = { ...ALICE, name: '<script>alert(1)</script>', role: '"><img src=x onerror=alert(2)>' };
      const env = await h.esign.createEnvelope(input({ recipients: [evil] }));
      const path = pathOf(env.recipients[0]?.signingUrl);
      const html = (await request(h.app).get(path).expect(200)).text;
      assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
      assert.ok(html.includes('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;'));
      assert.doesNotMatch(html, /<script|<img/);
      // The error page re-fills the typed value; it must be escaped too.
      const bad = await signAs(path, '"><script>x</script>').expect(400);
      assert.doesNotMatch(bad.text, /<script/);
      await signAs(path, ' <SCRIPT>alert(1)</script> ').expect(200);
    });
  });

  describe('signing rules', () => {
    it('enforces routing order: recipient 2 cannot act before recipient 1 (409)', async () => {
      const env = await h.esign.createEnvelope(input());
      const bobPath = pathOf(env.recipients[1]?.signingUrl);
      const page = await signAs(bobPath, BOB.name).expect(409);
      assert.match(page.text, /Waiting for Alice Signer to sign first/);
      const json = await request(h.app)
        .post(bobPath)
        .set('Accept', 'application/json')
        .type('form')
        .send({ action: 'decline', reason: 'not yet' })
        .expect(409);
      assert.deepEqual(json.body, {
        error: { code: 'OUT_OF_ORDER', message: 'Waiting for Alice Signer to sign first.', details: {} },
      });
      const view = await request(h.app).get(bobPath).expect(200);
      assert.match(view.text, /You can sign once Alice Signer has signed/);
      assert.doesNotMatch(view.text, /<form/);
      assert.equal((await h.esign.getEnvelope(env.envelopeId)).recipients[1]?.status, 'created');
    });

    it('refuses a wrong typed name, a missing consent or a missing action with 400', async () => {
      const env = await h.esign.createEnvelope(input());
      const path = pathOf(env.recipients[0]?.signingUrl);
      const wrong = await signAs(path, 'Alice Someone')
        .expect(400)
        .expect('Content-Type', /text\/html/);
      assert.match(wrong.text, /role="alert"/);
      assert.match(wrong.text, /The typed name must match Alice Signer/);
      assert.match(wrong.text, /id="signature"[^>]*value="Alice Someone"[^>]*aria-invalid="true"/);

      const noConsent = await request(h.app)
        .post(path)
        .set('Accept', 'application/json')
        .type('form')
        .send({ action: 'sign', signature: 'Alice Signer' })
        .expect(400);
      assert.deepEqual(noConsent.body, {
        error: {
          code: 'INVALID_FORM',
          message: 'Tick "I agree to sign electronically" to sign.',
          details: { field: 'consent' },
        },
      });
      await request(h.app)
        .post(path)
        .type('form')
        .send({ signature: 'Alice Signer', consent: 'on' })
        .expect(400);
      await request(h.app).post(path).type('form').send({ action: 'decline', reason: '   ' }).expect(400);
      const json = await request(h.app)
        .post(path)
        .set('Accept', 'application/json')
        .type('form')
        .send({ action: 'sign', signature: 'Bob', consent: 'on' })
        .expect(400);
      assert.equal((json.body as { error: { code: string } }).error.code, 'SIGNATURE_MISMATCH');
      assert.equal((await h.esign.getEnvelope(env.envelopeId)).recipients[0]?.status, 'sent');
    });

    it('limits the form body to 16kb', async () => {
      const env = await h.esign.createEnvelope(input());
      const path = pathOf(env.recipients[0]?.signingUrl);
      await signAs(path, 'x'.repeat(20_000))
        .expect(413)
        .expect('Content-Type', /text\/html/);
    });
  });

  describe('completion and events', () => {
    it('signs in order, completes, and delivers each event exactly once despite a listener failure', async () => {
      const delivered: EsignEvent[] = [];
      let calls = 0;
      h.esign.onEvent(async (event) => {
        calls++;
        if (calls === 1) throw new Error('orchestrator briefly unavailable');
        delivered.push(event);
      });
      const env = await h.esign.createEnvelope(input());
      const [alice, bob] = env.recipients.map((r) => pathOf(r.signingUrl));
      assert.ok(alice && bob);

      const first = await signAs(alice, '  alice   SIGNER ', 'Browser/A').expect(200);
      assert.match(first.text, /Your signature has been recorded/);
      assert.doesNotMatch(first.text, /<form/);
      const mid = await h.esign.getEnvelope(env.envelopeId);
      assert.equal(mid.status, 'sent');
      assert.deepEqual(
        mid.recipients.map((r) => r.status),
        ['signed', 'sent'],
      );
      const json = await request(h.app)
        .post(bob)
        .set('Accept', 'application/json')
        .set('User-Agent', 'Browser/B')
        .type('form')
        .send({ action: 'sign', signature: 'bob van der berg', consent: 'on' })
        .expect(200);
      assert.deepEqual(json.body, {
        envelopeId: env.envelopeId,
        recipientKey: BOB.recipientKey,
        recipientStatus: 'signed',
        envelopeStatus: 'completed',
      });

      await waitFor(() => delivered.length >= 3, 'three events');
      await h.esign.deliverPending();
      await new Promise((r) => setTimeout(r, 80)); // a few redelivery ticks: nothing more may arrive
      assert.ok(calls >= 4, 'the failed delivery was retried');
      assert.deepEqual(
        delivered.map((e) => [e.kind, e.recipientKey]),
        [
          ['recipient-signed', ALICE.recipientKey],
          ['recipient-signed', BOB.recipientKey],
          ['envelope-completed', undefined],
        ],
      );
      assert.equal(new Set(delivered.map((e) => e.eventId)).size, 3, 'event ids are unique');
      assert.ok(delivered.every((e) => e.envelopeId === env.envelopeId));

      const done = await h.esign.getEnvelope(env.envelopeId);
      assert.equal(done.status, 'completed');
      assert.equal(done.completedAt, delivered[2]?.occurredAt);
      assert.ok(done.recipients.every((r) => r.status === 'signed' && r.signedAt));

      // Read-only afterwards: the page says so and a second POST is refused.
      const after = await request(h.app).get(alice).expect(200);
      assert.match(after.text, /Everyone has signed/);
      assert.doesNotMatch(after.text, /<form/);
      await signAs(alice, ALICE.name).expect(409);
    });

    it('returns a signature page and a certificate naming every signer and document hash, deterministically', async () => {
      const env = await h.esign.createEnvelope(input());
      await assert.rejects(
        h.esign.downloadSigned(env.envelopeId),
        (err: LocalEsignError) => err instanceof LocalEsignError && err.code === 'INVALID_STATE',
      );
      const [alice, bob] = env.recipients.map((r) => pathOf(r.signingUrl));
      await signAs(alice!, 'Alice Signer', 'Mozilla/5.0 (AliceOS)').expect(200);
      await signAs(bob!, 'Bob van der Berg', 'Mozilla/5.0 (BobOS)').expect(200);

      const signed = await h.esign.downloadSigned(env.envelopeId);
      for (const [label, pdf] of Object.entries(signed)) {
        const text = await pdfText(pdf);
        for (const expected of [
          'Alice Signer',
          'Bob van der Berg',
          sha256(doc1),
          sha256(doc2),
          'Mozilla/5.0 (AliceOS)',
          'Mozilla/5.0 (BobOS)',
          '127.0.0.1',
          'Master Subscription Agreement.pdf',
          'Order Form.pdf',
        ]) {
          assert.ok(text.includes(expected), `${label} contains ${expected}`);
        }
      }
      const certificate = await pdfText(signed.certificate);
      assert.ok(certificate.includes('Certificate of completion'));
      assert.ok(certificate.includes(env.envelopeId));
      assert.ok(certificate.includes('Sales VP') && certificate.includes('Routing order'));
      assert.ok(certificate.includes('envelope-completed') && certificate.includes('recipient-signed'));
      assert.ok(certificate.includes('match the originals'));

      const again = await h.esign.downloadSigned(env.envelopeId);
      assert.deepEqual(again.combined, signed.combined);
      assert.deepEqual(again.certificate, signed.certificate);
    });

    it('records a decline with its reason and closes the envelope for everyone', async () => {
      const delivered: EsignEvent[] = [];
      h.esign.onEvent(async (e) => void delivered.push(e));
      const env = await h.esign.createEnvelope(input());
      const [alice, bob] = env.recipients.map((r) => pathOf(r.signingUrl));
      const res = await request(h.app)
        .post(alice!)
        .type('form')
        .send({ action: 'decline', reason: 'Liability cap <too low>' })
        .expect(200);
      assert.match(res.text, /You declined to sign/);
      assert.ok(res.text.includes('Liability cap &lt;too low&gt;'));

      await waitFor(() => delivered.length >= 2, 'decline events');
      assert.deepEqual(
        delivered.map((e) => [e.kind, e.recipientKey, e.reason]),
        [
          ['recipient-declined', ALICE.recipientKey, 'Liability cap <too low>'],
          ['envelope-declined', ALICE.recipientKey, 'Liability cap <too low>'],
        ],
      );
      const after = await h.esign.getEnvelope(env.envelopeId);
      assert.equal(after.status, 'declined');
      assert.equal(after.recipients[0]?.status, 'declined');
      assert.equal(after.recipients[0]?.declineReason, 'Liability cap <too low>');
      assert.match((await request(h.app).get(bob!).expect(200)).text, /Another recipient declined/);
      await signAs(bob!, BOB.name).expect(409);
      await assert.rejects(h.esign.voidEnvelope(env.envelopeId, 'too late'), /cannot be voided/);
    });

    it('voids an envelope: an event, then links show the voided page and refuse to act', async () => {
      const delivered: EsignEvent[] = [];
      h.esign.onEvent(async (e) => void delivered.push(e));
      const env = await h.esign.createEnvelope(input());
      const alice = pathOf(env.recipients[0]?.signingUrl);
      await h.esign.voidEnvelope(env.envelopeId, 'Contract changed');
      await h.esign.voidEnvelope(env.envelopeId, 'Contract changed'); // a retry is harmless

      await waitFor(() => delivered.length >= 1, 'void event');
      await h.esign.deliverPending();
      assert.equal(delivered.length, 1);
      assert.equal(delivered[0]?.kind, 'envelope-voided');
      assert.equal(delivered[0]?.reason, 'Contract changed');
      assert.equal((await h.esign.getEnvelope(env.envelopeId)).status, 'voided');

      const page = await request(h.app).get(alice).expect(200);
      assert.match(page.text, /voided this envelope/);
      assert.match(page.text, /Contract changed/);
      assert.doesNotMatch(page.text, /<form|documents\/msa/);
      await request(h.app).get(`${alice}/documents/msa`).expect(410);
      await signAs(alice, ALICE.name).expect(409);
    });
  });

  describe('persistence', () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'local-esign-'))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('keeps envelopes, signatures and undelivered events across a restart', async () => {
      const dbPath = join(dir, 'esign.sqlite');
      const before = harness(dbPath);
      const env = await before.esign.createEnvelope(input());
      const alice = pathOf(env.recipients[0]?.signingUrl);
      const bob = pathOf(env.recipients[1]?.signingUrl);
      // No listener yet: the event is recorded but cannot be delivered before the "crash".
      await request(before.app)
        .post(alice)
        .type('form')
        .send({ action: 'sign', signature: 'Alice Signer', consent: 'on' })
        .expect(200);
      before.esign.close();

      const after = harness(dbPath);
      try {
        assert.deepEqual(
          await after.esign.getEnvelope(env.envelopeId),
          await (async () => {
            const e = structuredClone(env);
            e.recipients[0]!.status = 'signed';
            e.recipients[0]!.signedAt = '2026-03-02T10:00:02.000Z';
            e.recipients[1]!.status = 'sent';
            return e;
          })(),
        );
        assert.deepEqual(
          await after.esign.createEnvelope(input()),
          await after.esign.getEnvelope(env.envelopeId),
        );

        const delivered: EsignEvent[] = [];
        after.esign.onEvent(async (e) => void delivered.push(e));
        await waitFor(() => delivered.length >= 1, 'the event recorded before the restart');
        assert.equal(delivered[0]?.kind, 'recipient-signed');
        assert.equal(delivered[0]?.recipientKey, ALICE.recipientKey);

        await request(after.app)
          .post(bob)
          .type('form')
          .send({ action: 'sign', signature: 'Bob van der Berg', consent: 'on' })
          .expect(200);
        await waitFor(() => delivered.length >= 3, 'completion after the restart');
        assert.deepEqual(
          delivered.map((e) => e.kind),
          ['recipient-signed', 'recipient-signed', 'envelope-completed'],
        );
        const signed = await after.esign.downloadSigned(env.envelopeId);
        assert.ok((await pdfText(signed.combined)).includes('Alice Signer'));
      } finally {
        after.esign.close();
      }
    });
  });
});
