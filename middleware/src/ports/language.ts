/**
 * The language port: the only way agents learn what people's words say. A deal's texts go in,
 * each with its source record; out comes a reading per passage (calibrated probabilities, the
 * buyer's requested terms, the language), every item citing its record and character span, and
 * the deal-level readiness and terms drawn from them. The offline implementation is a trained
 * linear model (middleware/src/language); it is pure CPU work on plain data.
 */
import { z } from 'zod';
import { NON_STANDARD_REQUESTS, RESIDENCY_REGIONS } from '@dealdesk/contracts';
import type { LlmProvider, TokenUsage } from './llm.ts';

export const TEXT_SOURCES = ['transcript', 'email', 'note', 'task', 'description', 'next_step'] as const;
export const SIGNALS = [
  'explicit_commitment',
  'paperwork_request',
  'budget_confirmed',
  'decision_maker_present',
  'timeline_urgency',
  'competitor_mention',
  'security_concern',
  'legal_concern',
  'objection',
  'hesitation',
  'negation',
] as const;
export const BILLING_FREQUENCIES = ['monthly', 'quarterly', 'semiannual', 'annual'] as const;
export { NON_STANDARD_REQUESTS, RESIDENCY_REGIONS };
export const VOICES = ['buyer', 'seller', 'rep_report', 'quoted'] as const;
/** What the teams taking over after the deal need to know, as the module reads it. */
export const HANDOFF_FACTS = ['success_criteria', 'seller_commitment', 'technical_requirement'] as const;
export type HandoffFact = (typeof HANDOFF_FACTS)[number];

export type TextSource = (typeof TEXT_SOURCES)[number];
export type SignalName = (typeof SIGNALS)[number];
export type NonStandardRequest = (typeof NON_STANDARD_REQUESTS)[number];

export const DealTextSchema = z.object({
  /** The Salesforce record id, or `transcript` / `note` for text that came with the request. */
  recordId: z.string().min(1).max(80),
  source: z.enum(TEXT_SOURCES),
  text: z.string(),
  /** When the text was written; orders passages from oldest to newest. */
  occurredAt: z.string(),
  /** Emails: from the buyer side (inbound) or the seller (outbound). */
  direction: z.enum(['inbound', 'outbound']).nullable(),
});
export type DealText = z.infer<typeof DealTextSchema>;

export const SpanSchema = z.object({
  recordId: z.string(),
  source: z.enum(TEXT_SOURCES),
  /** Character offsets into the record's text, end exclusive. */
  start: z.number().int().min(0),
  end: z.number().int().min(0),
  occurredAt: z.string(),
});
export type Span = z.infer<typeof SpanSchema>;

/** The requested terms a passage and a deal state alike; payment days and the non-standard requests differ in detail. */
const TERM_FIELDS = {
  billing: z.enum(BILLING_FREQUENCIES).nullable(),
  residency: z.enum(RESIDENCY_REGIONS).nullable(),
  healthData: z.boolean(),
  securityReview: z.boolean(),
  multiYear: z.boolean(),
  /** The length of the multi-year term asked for, in months, when it is said. */
  termMonths: z.number().int().nullable(),
};

export const PassageReadingSchema = z.object({
  span: SpanSchema,
  /** The passage's text (at most 600 characters of it). */
  excerpt: z.string(),
  language: z.enum(['en', 'de', 'fr', 'es', 'und']),
  /** Whose words: the buyer's, the seller's, a rep reporting, or an older quoted message. */
  voice: z.enum(VOICES),
  /** Calibrated probability that the buyer side is ready to close, as of this passage. */
  readiness: z.number().min(0).max(1),
  /** Calibrated probability of each signal. */
  signals: z.record(z.enum(SIGNALS), z.number().min(0).max(1)),
  /** The handoff facts the passage states (the buyer's success criteria, the seller's commitments, technical requirements). */
  handoff: z.array(z.enum(HANDOFF_FACTS)),
  competitor: z.object({ name: z.string(), start: z.number().int(), end: z.number().int() }).nullable(),
  terms: z.object({
    ...TERM_FIELDS,
    paymentDays: z
      .object({ days: z.number().int(), start: z.number().int(), end: z.number().int() })
      .nullable(),
    nonStandard: z.array(z.enum(NON_STANDARD_REQUESTS)),
  }),
});
export type PassageReading = z.infer<typeof PassageReadingSchema>;

export const EvidenceSchema = z.object({
  span: SpanSchema,
  excerpt: z.string(),
  probability: z.number().min(0).max(1),
});
export type Evidence = z.infer<typeof EvidenceSchema>;

export const RequestedTermsSchema = z.object({
  ...TERM_FIELDS,
  paymentDays: z.number().int().nullable(),
  nonStandard: z.array(z.object({ kind: z.enum(NON_STANDARD_REQUESTS), text: z.string(), span: SpanSchema })),
  /** Where each term above was read, by term name. */
  evidence: z.record(z.string(), EvidenceSchema),
});
export type RequestedTerms = z.infer<typeof RequestedTermsSchema>;

export const DealReadingSchema = z.object({
  passages: z.array(PassageReadingSchema),
  /**
   * Deal-level readiness: the latest decisive passage's calibrated probability, and what that
   * passage is: a yes, a refusal (a no, a withdrawal, a freeze), a hesitation or objection, or
   * nothing decisive on record.
   */
  readiness: z.object({
    probability: z.number().min(0).max(1),
    state: z.enum(['committed', 'refused', 'hesitating', 'undecided']),
    basis: EvidenceSchema.nullable(),
  }),
  /** For each signal, its passages with probability ≥ 0.5, newest first. */
  signals: z.record(z.enum(SIGNALS), z.array(EvidenceSchema)),
  competitors: z.array(z.object({ name: z.string(), span: SpanSchema })),
  terms: RequestedTermsSchema,
  /** For each handoff fact, its passages' strongest sentences, newest first. */
  handoff: z.record(z.enum(HANDOFF_FACTS), z.array(EvidenceSchema)),
  languages: z.record(z.string(), z.number().int()),
  /** True when a text was too long and only its most recent part was read. */
  truncated: z.boolean(),
  model: z.object({ version: z.string(), corpusSha256: z.string() }),
});
export type DealReading = z.infer<typeof DealReadingSchema>;

export interface ReadOptions {
  /** The seller's people (the deal owner, the rep): their transcript turns are the seller's voice. */
  sellerNames: string[];
}

export interface LanguagePort {
  read(texts: DealText[], options: ReadOptions): DealReading;
}

/** A signal the language model reported and the reader verified: its quote is in the record. */
export interface VerifiedModelSignal {
  type: SignalName;
  supportsClosing: boolean;
  quote: string;
  span: Span;
}

export interface ModelReading {
  /** The model's readiness combined with the offline calibrated probability (see combineReadiness). */
  readiness: number;
  /** The model's own stated readiness, as it said it (not used as is). */
  modelReadiness: number;
  signals: VerifiedModelSignal[];
  /** Quotes that could not be found in the record they cite, dropped. */
  dropped: number;
  rationale: string;
  /** Records the model read, and those left out by the token budget. */
  recordsRead: number;
  recordsOmitted: number;
}

export interface ModelReadingRequest {
  texts: DealText[];
  options: ReadOptions;
  offline: Omit<DealReading, 'passages'>;
  /** The deal's facts as a few lines (stage, amount, contacts), not people's words. */
  dealFacts: string;
}

/**
 * A language model reading the whole conversation (Gemini or an OpenAI-compatible server through
 * the reasoning port), with the offline reading as evidence. Undefined value means the model could
 * not answer; the reason says why, and the offline reading stands.
 */
export interface ModelReaderPort {
  readonly model: string | undefined;
  /** Which provider serves the model, when known. */
  readonly provider?: LlmProvider;
  read(request: ModelReadingRequest): Promise<{
    value?: ModelReading;
    /** The provider whose model gave `value`. */
    source?: LlmProvider | 'offline';
    model?: string;
    usage?: TokenUsage;
    fallbackReason?: string;
  }>;
}
