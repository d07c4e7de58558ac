/**
 * The CRM port's history reads: what the org already settled (signed contracts, closed deals,
 * sent envelopes) that agents learn from. Re-exported by `crm.ts`, the port's entry point.
 */
import { z } from 'zod';
import { SalesforceIdSchema } from '@dealdesk/contracts';

const Id = SalesforceIdSchema;

/**
 * A signed contract of the same account on another opportunity (its Contract_Version__c, full
 * variant): what the customer asked for and how it was settled, as stored.
 */
export const EarlierContractSchema = z.object({
  /** Contract_Version__c.Name, e.g. `CV-000123`. */
  name: z.string(),
  version: z.number().int(),
  opportunityId: Id,
  opportunityName: z.string(),
  closeDate: z.string().nullable(),
  /** Requested_Terms__c (JSON dealdesk writes); null on versions written before it was kept. */
  requestedTerms: z.string().nullable(),
  /** Settled_Terms__c (JSON Legal writes); null when every term was signed as asked. */
  settledTerms: z.string().nullable(),
});
export type EarlierContract = z.infer<typeof EarlierContractSchema>;

/**
 * A closed deal (won or lost) of the org's history, as the Deal Closure strategy learns from it:
 * the amount in the org's corporate currency, the products with their discounts, the competitors
 * named on it (OpportunityCompetitor).
 */
export const PastDealSchema = z.object({
  id: Id,
  name: z.string(),
  accountId: Id.nullable(),
  won: z.boolean(),
  /** Amount converted at the org's CurrencyType rates, in minor units of `currency`; null without an amount or rate. */
  amountMinor: z.number().int().nullable(),
  /** The corporate currency. */
  currency: z.string().length(3),
  closeDate: z.string(),
  industry: z.string().nullable(),
  country: z.string().nullable(),
  lineItems: z.array(
    z.object({
      productName: z.string(),
      family: z.string().nullable(),
      quantity: z.number(),
      discountPercent: z.number(),
    }),
  ),
  competitors: z.array(z.string()),
});
export type PastDeal = z.infer<typeof PastDealSchema>;

/** The deal history read beside a deal: the deals, or why the history part of the read failed. */
export type DealHistoryResult = { deals: PastDeal[] } | { error: string };

const EnvelopeStatusSchema = z.enum([
  'Created',
  'Sent',
  'Delivered',
  'Completed',
  'Declined',
  'Voided',
  'Expired',
]);
const RecipientStatusSchema = z.enum([
  'Created',
  'Sent',
  'Delivered',
  'Signed',
  'Completed',
  'Declined',
  'Auto_Responded',
]);

/** A past Signature_Envelope__c with its recipients: the org's signing history. */
export const SignatureHistoryEnvelopeSchema = z.object({
  envelopeId: z.string(),
  status: EnvelopeStatusSchema,
  sentAt: z.string().nullable(),
  completedAt: z.string().nullable(),
  recipients: z.array(
    z.object({
      /** As written: "Customer signer (General Counsel)", "Provider countersignature". */
      role: z.string().nullable(),
      routingOrder: z.number().nullable(),
      status: RecipientStatusSchema,
      signedAt: z.string().nullable(),
    }),
  ),
});
export type SignatureHistoryEnvelope = z.infer<typeof SignatureHistoryEnvelopeSchema>;
