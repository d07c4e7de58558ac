/**
 * Signature_Envelope__c with its Envelope_Recipient__c: the org's signing history, from which
 * the Signature Management Agent predicts when each signer will sign. Only envelopes that were
 * sent say anything about signers; the newest come first, so a capped read keeps the recent past.
 */
import { z } from 'zod';
import { SignatureHistoryEnvelopeSchema, type SignatureHistoryEnvelope } from '../../../ports/crm.ts';
import { children } from '../salesforce-records.ts';
import { parseRows } from './rows.ts';

const shape = SignatureHistoryEnvelopeSchema.shape;
const recipient = shape.recipients.element.shape;

const SignatureHistoryRowSchema = z.object({
  Envelope_Id__c: z.string(),
  Status__c: shape.status,
  Sent_At__c: z.string().nullable(),
  Completed_At__c: z.string().nullable().optional(),
  Envelope_Recipients__r: children(
    z.object({
      Role__c: z.string().nullable().optional(),
      Routing_Order__c: z.number().nullable().optional(),
      Status__c: recipient.status,
      Signed_At__c: z.string().nullable().optional(),
    }),
  ),
});

/** A relationship query returns at most 2,000 parents per batch; a prediction needs far fewer. */
export const MAX_SIGNATURE_HISTORY = 2000;

export function signatureHistorySoql(limit: number): string {
  const n = Math.max(1, Math.min(MAX_SIGNATURE_HISTORY, Math.floor(limit)));
  return (
    'SELECT Envelope_Id__c, Status__c, Sent_At__c, Completed_At__c,' +
    ' (SELECT Role__c, Routing_Order__c, Status__c, Signed_At__c FROM Envelope_Recipients__r)' +
    ` FROM Signature_Envelope__c WHERE Sent_At__c != null ORDER BY Sent_At__c DESC LIMIT ${n}`
  );
}

export function toSignatureHistory(queryResult: unknown): SignatureHistoryEnvelope[] {
  return parseRows(SignatureHistoryRowSchema, queryResult, 'Signature_Envelope__c').map((r) => ({
    envelopeId: r.Envelope_Id__c,
    status: r.Status__c,
    sentAt: r.Sent_At__c,
    completedAt: r.Completed_At__c ?? null,
    recipients: r.Envelope_Recipients__r.map((x) => ({
      role: x.Role__c ?? null,
      routingOrder: x.Routing_Order__c ?? null,
      status: x.Status__c,
      signedAt: x.Signed_At__c ?? null,
    })),
  }));
}
