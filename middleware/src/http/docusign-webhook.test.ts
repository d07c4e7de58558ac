import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import pino from 'pino';
import { createApp } from './app.ts';
import { createDocusignWebhookRouter } from './docusign-webhook.ts';
import { createSqliteRunStore } from '../adapters/sqlite/sqlite-run-store.ts';
import { connectSignature, verifyConnectSignature } from '../adapters/docusign/connect.ts';
import type { RunStore } from '../ports/store.ts';
import { newRun } from '../ports/run-store.contract.ts';
import type { EsignEvent } from '../ports/esign.ts';

const SECRET = 'current-connect-hmac-secret-1';
const NEXT_SECRET = 'next-connect-hmac-secret-2222';
const ENVELOPE = '93be49ab-afa0-4adf-933c-f752070d71ec';
const NOW = new Date('2026-03-02T10:00:00.000Z');

/** A JSON SIM message in the shape of DocuSign's connect.schema-v2.json, with envelopeSummary data. */
function simMessage(
  event: string,
  extra: { recipientId?: string; at?: string; declinedReason?: string } = {},
) {
  return {
    event,
    apiVersion: 'v2.1',
    uri: `/restapi/v2.1/accounts/2d2a8b8e-0f0f-4c4b-9a57-0d3c5b1a7e11/envelopes/${ENVELOPE}`,
    retryCount: 0,
    configurationId: 12345,
    generatedDateTime: extra.at ?? '2026-03-02T09:59:30.1234567Z',
    data: {
      accountId: '2d2a8b8e-0f0f-4c4b-9a57-0d3c5b1a7e11',
      userId: '7c1d9e1a-3b2f-4a8e-8f0e-5a6b7c8d9e0f',
      envelopeId: ENVELOPE,
      ...(extra.recipientId ? { recipientId: extra.recipientId } : {}),
      envelopeSummary: {
        status: event === 'envelope-completed' ? 'completed' : 'sent',
        emailSubject: 'Please sign',
        recipients: {
          signers: [
            {
              recipientId: '1',
              email: 'dana@example.com',
              status: extra.declinedReason ? 'declined' : 'sent',
              ...(extra.declinedReason ? { declinedReason: extra.declinedReason } : {}),
            },
          ],
        },
      },
    },
  };
}

describe('POST /v1/webhooks/docusign', () => {
  let dir: string;
  let store: RunStore;
  let runId: string;
  let app: ReturnType<typeof createApp>;
  let delivered: string[];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dd-webhook-'));
    store = createSqliteRunStore(join(dir, 'runs.sqlite'));
    const created = await store.createRun(
      newRun('run-1', '006000000000001AAA', { createdAt: NOW.toISOString() }),
    );
    assert.equal(created.outcome, 'created');
    runId = created.outcome === 'created' ? created.run.id : '';
    await store.indexRecords(runId, [{ recordId: ENVELOPE, kind: 'envelope' }]);
    delivered = [];
    const logger = pino({ level: 'silent' });
    app = createApp({
      logger,
      mounts: [
        createDocusignWebhookRouter({
          secrets: [SECRET, NEXT_SECRET],
          maxAgeMinutes: 60,
          store,
          deliver: async (id, kind, key, payload) => {
            const stored = await store.addEvent(id, kind, key, payload, NOW.toISOString());
            if (stored) delivered.push(kind);
            return stored;
          },
          logger,
          clock: () => NOW,
        }),
      ],
    });
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (raw: string, headers: Record<string, string>) =>
    request(app).post('/v1/webhooks/docusign').set('Content-Type', 'application/json').set(headers).send(raw);
  const signed = (raw: string, secret = SECRET) => ({
    'X-DocuSign-Signature-1': connectSignature(secret, Buffer.from(raw)),
  });

  it('computes the documented signature (HMAC-SHA256 over the raw body, base64)', () => {
    // A self-computed vector (DocuSign publishes none): HMAC-SHA256 keyed with the secret over the
    // raw body bytes, base64 with padding, as DocuSign's Connect HMAC documentation describes.
    const raw =
      '{"event":"envelope-completed","apiVersion":"v2.1","uri":"/restapi/v2.1/accounts/acct/envelopes/env","retryCount":0,"configurationId":12345,"generatedDateTime":"2024-01-01T00:00:00.0000000Z","data":{"accountId":"acct","userId":"user","envelopeId":"env"}}';
    assert.equal(
      connectSignature('test-connect-hmac-key', Buffer.from(raw)),
      'VYEZMnOopxU9HjgFtr+UFUVU1606f1kPhv5OJtajWi8=',
    );
    assert.equal(
      verifyConnectSignature(
        Buffer.from(raw),
        ['VYEZMnOopxU9HjgFtr+UFUVU1606f1kPhv5OJtajWi8='],
        ['x'.repeat(16)],
      ),
      false,
    );
  });

  it('stores a signed event once and acknowledges duplicates without storing them again', async () => {
    // Pretty-printed with CRLF: the signature covers the bytes as sent, not a re-serialisation.
    const raw = JSON.stringify(simMessage('recipient-completed', { recipientId: '1' }), null, 2).replace(
      /\n/g,
      '\r\n',
    );
    const first = await post(raw, signed(raw));
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.deepEqual(first.body, { accepted: true, duplicate: false });
    const again = await post(raw, signed(raw));
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, { accepted: false, duplicate: true });
    const events = await store.pendingEvents(runId);
    assert.equal(events.length, 1);
    const payload = events[0]!.payload as EsignEvent;
    assert.equal(events[0]!.kind, 'esign:recipient-signed');
    assert.equal(payload.envelopeId, ENVELOPE);
    assert.equal(payload.recipientId, '1');
    assert.equal(payload.occurredAt, '2026-03-02T09:59:30.123Z');
  });

  it('accepts a message whose second signature header matches a secret being rotated in', async () => {
    const raw = JSON.stringify(
      simMessage('recipient-declined', { recipientId: '1', declinedReason: 'Wrong entity name' }),
    );
    const res = await post(raw, {
      'X-DocuSign-Signature-1': connectSignature('some-retired-secret-value', Buffer.from(raw)),
      'X-DocuSign-Signature-2': connectSignature(NEXT_SECRET, Buffer.from(raw)),
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const [event] = await store.pendingEvents(runId);
    assert.equal((event!.payload as EsignEvent).reason, 'Wrong entity name');
  });

  it('reads an expiry from the void reason', async () => {
    const msg = simMessage('envelope-voided');
    (msg.data.envelopeSummary as Record<string, unknown>).voidedReason = 'Envelope has expired.';
    const raw = JSON.stringify(msg);
    assert.equal((await post(raw, signed(raw))).status, 200);
    assert.deepEqual(delivered, ['esign:envelope-expired']);
  });

  const refusals: [string, () => [string, Record<string, string>], number, string][] = [
    [
      'a wrong signature',
      () => {
        const raw = JSON.stringify(simMessage('envelope-completed'));
        return [raw, signed(raw, 'not-the-connect-secret')];
      },
      401,
      'SIGNATURE_INVALID',
    ],
    [
      'a body changed after signing',
      () => {
        const raw = JSON.stringify(simMessage('envelope-completed'));
        return [raw.replace('completed', 'declined'), signed(raw)];
      },
      401,
      'SIGNATURE_INVALID',
    ],
    [
      'no signature header',
      () => [JSON.stringify(simMessage('envelope-completed')), {}],
      401,
      'SIGNATURE_MISSING',
    ],
    [
      'a stale replay',
      () => {
        const raw = JSON.stringify(simMessage('envelope-completed', { at: '2026-03-02T08:00:00.0000000Z' }));
        return [raw, signed(raw)];
      },
      400,
      'STALE_MESSAGE',
    ],
    [
      'malformed JSON',
      () => {
        const raw = '{"event":"envelope-completed",';
        return [raw, signed(raw)];
      },
      400,
      'MALFORMED_JSON',
    ],
    [
      'a message without an envelope id',
      () => {
        const raw = JSON.stringify({
          event: 'envelope-completed',
          generatedDateTime: NOW.toISOString(),
          data: {},
        });
        return [raw, signed(raw)];
      },
      400,
      'INVALID_MESSAGE',
    ],
    [
      'an unknown envelope',
      () => {
        const raw = JSON.stringify(simMessage('envelope-completed')).replaceAll(
          ENVELOPE,
          '00000000-0000-0000-0000-000000000000',
        );
        return [raw, signed(raw)];
      },
      404,
      'UNKNOWN_ENVELOPE',
    ],
  ];
  for (const [what, make, status, code] of refusals) {
    it(`refuses ${what} with ${status} ${code} and writes nothing`, async () => {
      const [raw, headers] = make();
      const res = await post(raw, headers);
      assert.equal(res.status, status, JSON.stringify(res.body));
      assert.equal(res.body.error.code, code);
      assert.equal((await store.pendingEvents(runId)).length, 0);
    });
  }

  it('acknowledges, without storing, events the agent does not use and events for a finished closure', async () => {
    const created = JSON.stringify(simMessage('envelope-created'));
    assert.deepEqual((await post(created, signed(created))).body, {
      accepted: false,
      reason: 'event not used',
    });
    await store.updateRun(runId, { status: 'completed' });
    const done = JSON.stringify(simMessage('envelope-completed'));
    const res = await post(done, signed(done));
    assert.equal(res.status, 200);
    assert.equal(res.body.accepted, false);
    assert.equal((await store.pendingEvents(runId)).length, 0);
  });
});
