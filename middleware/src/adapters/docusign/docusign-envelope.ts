/**
 * The envelope payloads of DocuSign eSignature REST v2.1: the definition this service sends (signers
 * with anchor tabs, the idempotency key as a hidden custom field, reminders and expiry, and the
 * envelope's own Connect subscription), and an envelope as DocuSign returns it mapped to the
 * EsignPort's Envelope. Pure mappings, kept apart from the adapter's session and transport.
 */
import type { CreateEnvelopeInput, Envelope, EnvelopeRecipient } from '../../ports/esign.ts';
import type { DocusignEsignDeps } from './docusign-esign.ts';

export type Json = Record<string, unknown>;

/** The recipient key we gave a DocuSign signer travels in its customFields. */
const KEY_FIELD = 'dealdesk_key=';
/** The envelope's idempotency key travels in a hidden text custom field. */
export const ENVELOPE_KEY_FIELD = 'dealdesk_key';

const SIM_EVENTS = [
  'envelope-sent',
  'envelope-delivered',
  'envelope-completed',
  'envelope-declined',
  'envelope-voided',
  'recipient-sent',
  'recipient-resent',
  'recipient-delivered',
  'recipient-completed',
  'recipient-declined',
  'recipient-autoresponded',
];

const RECIPIENT_STATUS: Record<string, EnvelopeRecipient['status']> = {
  created: 'created',
  sent: 'sent',
  delivered: 'delivered',
  signed: 'signed',
  completed: 'signed',
  declined: 'declined',
  autoresponded: 'auto_responded',
};

export function toEnvelope(raw: Json): Envelope {
  const signers = ((raw.recipients as Json | undefined)?.signers as Json[] | undefined) ?? [];
  const status = String(raw.status ?? 'sent').toLowerCase();
  const expired = status === 'voided' && /expir/i.test(String(raw.voidedReason ?? ''));
  return {
    envelopeId: String(raw.envelopeId),
    provider: 'DocuSign',
    status: expired
      ? 'expired'
      : ((['created', 'sent', 'delivered', 'completed', 'declined', 'voided'].find((s) => s === status) as
          Envelope['status'] | undefined) ?? 'sent'),
    ...(raw.sentDateTime ? { sentAt: String(raw.sentDateTime) } : {}),
    ...(raw.completedDateTime ? { completedAt: String(raw.completedDateTime) } : {}),
    recipients: signers.map((s) => {
      const key = ((s.customFields as string[] | undefined) ?? []).find((f) => f.startsWith(KEY_FIELD));
      const recipientStatus = RECIPIENT_STATUS[String(s.status ?? 'created').toLowerCase()] ?? 'sent';
      return {
        recipientKey: key ? key.slice(KEY_FIELD.length) : String(s.recipientId),
        recipientId: String(s.recipientId),
        name: String(s.name ?? ''),
        email: String(s.email ?? ''),
        role: String(s.roleName ?? ''),
        routingOrder: Number(s.routingOrder ?? 1),
        status: recipientStatus,
        ...(s.signedDateTime ? { signedAt: String(s.signedDateTime) } : {}),
        ...(s.declinedReason ? { declineReason: String(s.declinedReason) } : {}),
      };
    }),
  };
}

/** What `envelopes.create` is sent: `status: 'sent'` sends at once; Connect calls back `webhookUrl`. */
export function envelopeDefinition(
  input: CreateEnvelopeInput,
  n: DocusignEsignDeps['notification'],
  publicUrl: string,
) {
  return {
    emailSubject: input.subject.slice(0, 100),
    emailBlurb: input.message.slice(0, 10_000),
    status: 'sent',
    documents: input.documents.map((d) => ({
      documentId: d.documentId,
      name: d.name,
      fileExtension: 'pdf',
      documentBase64: Buffer.from(d.pdf).toString('base64'),
    })),
    recipients: {
      signers: input.recipients.map((r, i) => ({
        recipientId: String(i + 1),
        name: r.name,
        email: r.email,
        roleName: r.role,
        routingOrder: String(r.routingOrder),
        customFields: [`${KEY_FIELD}${r.recipientKey}`],
        tabs: {
          signHereTabs: [
            {
              anchorString: r.signAnchor ?? `/sig${i + 1}/`,
              anchorUnits: 'pixels',
              anchorXOffset: '0',
              anchorYOffset: '0',
              anchorIgnoreIfNotPresent: 'false',
            },
          ],
          ...(r.dateAnchor
            ? {
                dateSignedTabs: [
                  { anchorString: r.dateAnchor, anchorUnits: 'pixels', anchorIgnoreIfNotPresent: 'true' },
                ],
              }
            : {}),
        },
      })),
    },
    customFields: {
      textCustomFields: [
        { name: ENVELOPE_KEY_FIELD, value: input.idempotencyKey, show: 'false', required: 'false' },
      ],
    },
    notification: {
      useAccountDefaults: 'false',
      reminders: {
        reminderEnabled: 'true',
        reminderDelay: String(n.reminderDelayDays),
        reminderFrequency: String(n.reminderFrequencyDays),
      },
      expirations: {
        expireEnabled: 'true',
        expireAfter: String(n.expireAfterDays),
        expireWarn: String(n.expireWarnDays),
      },
    },
    eventNotification: {
      url: `${publicUrl.replace(/\/+$/, '')}/v1/webhooks/docusign`,
      deliveryMode: 'SIM',
      events: SIM_EVENTS,
      eventData: { version: 'restv2.1', format: 'json', includeData: ['recipients'] },
      includeHMAC: 'true',
      requireAcknowledgment: 'true',
      loggingEnabled: 'true',
      includeEnvelopeVoidReason: 'true',
    },
  };
}
