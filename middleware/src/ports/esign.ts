/**
 * The e-signature port. DocuSign (docusign-esign) in production; the local signing service in
 * local mode. Both report progress as the same internal events, which resume the run.
 */
import { z } from 'zod';

export const RecipientInputSchema = z.object({
  /** Stable id within the envelope, e.g. the Salesforce Contact id. */
  recipientKey: z.string().min(1),
  name: z.string().min(1),
  email: z.email(),
  role: z.string().min(1),
  /** 1-based; equal numbers sign in parallel, lower numbers first. */
  routingOrder: z.number().int().min(1),
  /** The text in the PDF where this recipient signs (e.g. `/sig1/`) and dates (`/date1/`). */
  signAnchor: z.string().min(1).optional(),
  dateAnchor: z.string().min(1).optional(),
});
export type RecipientInput = z.infer<typeof RecipientInputSchema>;

export interface EnvelopeDocument {
  documentId: string;
  name: string;
  /** PDF bytes; signature anchors such as `/sig1/` mark where each recipient signs. */
  pdf: Uint8Array;
}

export interface CreateEnvelopeInput {
  /** Idempotency: the same key returns the same envelope instead of sending twice. */
  idempotencyKey: string;
  subject: string;
  message: string;
  documents: EnvelopeDocument[];
  recipients: RecipientInput[];
}

export const RecipientStatusSchema = z.enum([
  'created',
  'sent',
  'delivered',
  'signed',
  'completed',
  'declined',
  'auto_responded',
]);
export const EnvelopeStatusSchema = z.enum([
  'created',
  'sent',
  'delivered',
  'completed',
  'declined',
  'voided',
  'expired',
]);

export interface EnvelopeRecipient extends RecipientInput {
  status: z.infer<typeof RecipientStatusSchema>;
  signedAt?: string;
  declineReason?: string;
  /** Local mode only: the tokenized signing page for this recipient. */
  signingUrl?: string;
  /** The provider's id for the recipient (DocuSign's recipientId), which its events name. */
  recipientId?: string;
}

export interface Envelope {
  envelopeId: string;
  provider: 'DocuSign' | 'Local';
  status: z.infer<typeof EnvelopeStatusSchema>;
  sentAt?: string;
  completedAt?: string;
  recipients: EnvelopeRecipient[];
}

/** What the provider reports; the orchestrator resumes the run on these. */
export const EsignEventSchema = z.object({
  /** Unique per delivery of a state change; duplicates are ignored. */
  eventId: z.string().min(1),
  envelopeId: z.string().min(1),
  kind: z.enum([
    'envelope-sent',
    'envelope-delivered',
    'recipient-sent',
    'recipient-delivered',
    'recipient-signed',
    'recipient-declined',
    'recipient-auto-responded',
    'envelope-completed',
    'envelope-declined',
    'envelope-voided',
    'envelope-expired',
  ]),
  recipientKey: z.string().optional(),
  /** The provider's own recipient id, when the provider does not know our key (DocuSign Connect). */
  recipientId: z.string().optional(),
  occurredAt: z.string(),
  reason: z.string().optional(),
});
export type EsignEvent = z.infer<typeof EsignEventSchema>;

export interface RecipientCorrection {
  email: string;
  name?: string;
}

export interface SignedDocuments {
  /** The combined signed PDF. */
  combined: Uint8Array;
  /** The certificate of completion. */
  certificate: Uint8Array;
}

export interface EsignPort {
  readonly provider: 'DocuSign' | 'Local';
  createEnvelope(input: CreateEnvelopeInput): Promise<Envelope>;
  getEnvelope(envelopeId: string): Promise<Envelope>;
  downloadSigned(envelopeId: string): Promise<SignedDocuments>;
  voidEnvelope(envelopeId: string, reason: string): Promise<void>;
  /**
   * Corrects a recipient who has not signed yet (e.g. a bounced address) on the live envelope
   * and sends them the envelope again, without restarting it. Providers without correction omit it.
   */
  correctRecipient?(envelopeId: string, recipientKey: string, change: RecipientCorrection): Promise<void>;
  /** Sends the envelope's notification again to the recipients whose turn it is. */
  resend?(envelopeId: string): Promise<void>;
  /** Registers the single consumer of provider events (the orchestrator). */
  onEvent(listener: (event: EsignEvent) => Promise<void>): void;
}
