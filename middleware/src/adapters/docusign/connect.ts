/**
 * DocuSign Connect (JSON SIM) messages: HMAC verification and translation into the port's
 * events. Per DocuSign's "How to validate an HMAC signature": HMAC-SHA256 keyed with the
 * Connect secret over the raw body bytes, base64-encoded, one `X-DocuSign-Signature-N` header
 * per active key; a message is genuine when any header matches any of our secrets.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { EsignEvent } from '../../ports/esign.ts';

export function connectSignature(secret: string, rawBody: Uint8Array): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(rawBody).digest('base64');
}

/** The values of X-DocuSign-Signature-1..N, in header order (header names are case-insensitive). */
export function signatureHeaders(headers: Record<string, string | string[] | undefined>): string[] {
  const found: { n: number; value: string }[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const m = /^x-docusign-signature-(\d{1,3})$/i.exec(name);
    if (!m || value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) found.push({ n: Number(m[1]), value: v.trim() });
  }
  return found.sort((a, b) => a.n - b.n).map((f) => f.value);
}

/**
 * True when any presented signature matches any secret. Every pair is compared, in constant
 * time on the decoded digests, so timing reveals neither which key matched nor how much.
 */
export function verifyConnectSignature(
  rawBody: Uint8Array,
  presented: readonly string[],
  secrets: readonly string[],
): boolean {
  const expected = secrets.map((s) => Buffer.from(connectSignature(s, rawBody), 'base64'));
  let ok = false;
  for (const p of presented) {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(p)) continue;
    const got = Buffer.from(p, 'base64');
    for (const e of expected) if (got.length === e.length && timingSafeEqual(got, e)) ok = true;
  }
  return ok;
}

const SignerSummarySchema = z
  .object({
    recipientId: z.string().optional(),
    status: z.string().optional(),
    declinedReason: z.string().optional(),
    email: z.string().optional(),
  })
  .loose();

/** The fields of connect.schema-v2.json this service reads; everything else passes through. */
export const ConnectMessageSchema = z
  .object({
    event: z.string().min(1),
    apiVersion: z.string().optional(),
    uri: z.string().optional(),
    retryCount: z.union([z.number(), z.string()]).optional(),
    configurationId: z.union([z.number(), z.string()]).optional(),
    generatedDateTime: z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'expected a date-time'),
    data: z
      .object({
        accountId: z.string().optional(),
        userId: z.string().optional(),
        envelopeId: z.string().min(1),
        recipientId: z.string().optional(),
        envelopeSummary: z
          .object({
            status: z.string().optional(),
            voidedReason: z.string().optional(),
            recipients: z
              .object({ signers: z.array(SignerSummarySchema).optional() })
              .loose()
              .optional(),
          })
          .loose()
          .optional(),
      })
      .loose(),
  })
  .loose();
export type ConnectMessage = z.infer<typeof ConnectMessageSchema>;

const RECIPIENT_EVENTS: Record<string, EsignEvent['kind']> = {
  'recipient-sent': 'recipient-sent',
  'recipient-resent': 'recipient-sent',
  'recipient-delivered': 'recipient-delivered',
  'recipient-completed': 'recipient-signed',
  'recipient-declined': 'recipient-declined',
  'recipient-autoresponded': 'recipient-auto-responded',
};
const ENVELOPE_EVENTS: Record<string, EsignEvent['kind']> = {
  'envelope-sent': 'envelope-sent',
  'envelope-delivered': 'envelope-delivered',
  'envelope-completed': 'envelope-completed',
  'envelope-declined': 'envelope-declined',
  'envelope-voided': 'envelope-voided',
};

/**
 * The port event a Connect message stands for, or null for events the run does not act on
 * (envelope-created, recipient-authenticationfailed, ...). Expiry reaches Connect as a void
 * whose reason says so.
 */
export function toEsignEvent(message: ConnectMessage): EsignEvent | null {
  const { event, data } = message;
  let kind = RECIPIENT_EVENTS[event] ?? ENVELOPE_EVENTS[event];
  if (!kind) return null;
  const summary = data.envelopeSummary;
  if (kind === 'envelope-voided' && /expir/i.test(summary?.voidedReason ?? '')) kind = 'envelope-expired';
  const isRecipient = event.startsWith('recipient-');
  if (isRecipient && !data.recipientId) return null;
  const signer = summary?.recipients?.signers?.find((s) => s.recipientId === data.recipientId);
  const reason =
    kind === 'recipient-declined'
      ? signer?.declinedReason
      : kind === 'envelope-voided' || kind === 'envelope-expired'
        ? summary?.voidedReason
        : undefined;
  const occurredAt = new Date(Date.parse(message.generatedDateTime)).toISOString();
  return {
    // A redelivery of the same message keeps its generation time, so it dedupes; a new bounce
    // after a corrected address is a new message and counts.
    eventId: `docusign:${data.envelopeId}:${event}:${data.recipientId ?? '-'}:${occurredAt}`,
    envelopeId: data.envelopeId,
    kind,
    ...(isRecipient ? { recipientId: data.recipientId } : {}),
    occurredAt,
    ...(reason ? { reason } : {}),
  };
}
