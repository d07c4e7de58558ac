/**
 * The notify port: tells a person something they must act on (an approver's request, a rep's
 * rejected deal, a signer's bounced email) or celebrates a win. Salesforce (Chatter mention /
 * email) in salesforce mode, an optional Slack incoming webhook, the console in local mode.
 * Delivery is best-effort and never fails a step: the timeline stays the system of record.
 */
import { z } from 'zod';

export const NotificationSchema = z.object({
  /** Who must read it: a person by Salesforce User id, or the team channel (Slack). */
  audience: z.enum(['rep', 'approver', 'signer', 'channel']),
  /** Salesforce User id of the person, when the audience is a person with a Salesforce user. */
  userId: z.string().min(15).max(18).optional(),
  /** Email of a person without a Salesforce user (e.g. a customer signer). */
  email: z.email().optional(),
  /** The record the notification is about (Opportunity, Deal_Approval__c, Signature_Envelope__c). */
  recordId: z.string().min(15).max(18),
  subject: z.string().min(1).max(255),
  /** Plain text tailored to the reader: what to look at, what to do, by when. */
  body: z.string().min(1).max(10000),
  /** Deadline for the action, ISO-8601, when there is one. */
  dueAt: z.iso.datetime().optional(),
  /** For dedupe: the same key is delivered at most once per notifier. */
  key: z.string().min(1).max(255),
  kind: z.enum([
    'approval_request',
    'reminder',
    'escalation',
    'rejection',
    'signature',
    'celebration',
    'info',
  ]),
});
export type Notification = z.infer<typeof NotificationSchema>;

export interface DeliveryResult {
  channel: string;
  delivered: boolean;
  detail?: string;
}

export interface Notifier {
  notify(notification: Notification): Promise<DeliveryResult[]>;
}
