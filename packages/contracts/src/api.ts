/**
 * The middleware's v1 API as both sides see it (docs/api.md): the bodies the middleware
 * validates, and the answers the `sf dealdesk` plugin parses. The middleware types its answers
 * with these schemas, so a field renamed on one side fails the other's typecheck.
 */
import { z } from 'zod';
import { SALESFORCE_ID_PATTERN } from './salesforce-id.ts';

/** A record id in a path or a body. */
export const SalesforceIdSchema = z
  .string()
  .regex(SALESFORCE_ID_PATTERN, 'expected a 15- or 18-character Salesforce id');

/** POST /v1/closures */
export const StartClosureBodySchema = z
  .object({
    opportunityId: SalesforceIdSchema.refine(
      (v) => v.startsWith('006'),
      'expected an Opportunity id (006...)',
    ),
    trigger: z.enum(['Rep', 'Signal']),
    note: z.string().max(32_000).optional(),
    transcript: z.string().max(131_072).optional(),
    dealClosureId: SalesforceIdSchema.optional(),
  })
  .strict();
export type StartClosureBody = z.input<typeof StartClosureBodySchema>;

/** POST /v1/closures/:id/approvals/:approvalId/decision */
export const DecisionBodySchema = z
  .object({
    decision: z.enum(['approve', 'reject']),
    comment: z.string().max(4000).nullish(),
    actorId: SalesforceIdSchema.nullish(),
  })
  .strict();

/** POST /v1/closures/:id/retry, /cancel and the rep's signature actions. */
export const RepActionBodySchema = z.object({ comment: z.string().max(4000).optional() }).strict();

/** The Idempotency-Key header of POST /v1/closures. */
export const IdempotencyKeySchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');

/** POST /v1/playbook/suggestions/:id/decision */
export const SuggestionIdSchema = SalesforceIdSchema;
export const PlaybookDecisionBodySchema = z
  .object({
    decision: z.enum(['accept', 'dismiss']),
    /** The Salesforce username of the manager deciding. */
    decidedBy: z
      .string()
      .trim()
      .min(3)
      .max(80)
      .regex(/^[^\s@]+@[^\s@]+$/, 'expected a Salesforce username (name@domain)'),
    note: z.string().max(4000).optional(),
  })
  .strict();
export type PlaybookDecisionBody = z.input<typeof PlaybookDecisionBodySchema>;

/** Every 4xx and 5xx answer. */
export const ApiErrorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

/** 202 to POST /v1/closures. */
export const ClosureStartedSchema = z.object({ closureId: z.string(), status: z.string() });
export type ClosureStarted = z.infer<typeof ClosureStartedSchema>;
/** 202 to a rep's action (retry, cancel). */
export const ActionAcceptedSchema = z.object({ closureId: z.string(), accepted: z.string() });
export type ActionAccepted = z.infer<typeof ActionAcceptedSchema>;
/** GET /v1/closures/:id: the fields every reader relies on; the middleware sends more. */
export const ClosureSummarySchema = z.object({
  closureId: z.string(),
  status: z.string(),
  waitingFor: z.string().nullable().optional(),
  dealClosureId: z.string().nullable().optional(),
  currentStage: z.string().nullable().optional(),
  error: z.unknown().optional(),
});
export type ClosureSummary = z.infer<typeof ClosureSummarySchema>;
/** 200 to a playbook decision. */
export const SuggestionDecisionSchema = z.object({
  suggestionId: z.string(),
  name: z.string(),
  status: z.enum(['Accepted', 'Dismissed']),
  decidedById: z.string().nullable(),
  decidedAt: z.string().nullable(),
  changed: z.boolean(),
});
export type SuggestionDecision = z.infer<typeof SuggestionDecisionSchema>;
