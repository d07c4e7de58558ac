/**
 * The files of the governed clause library (`config/contracts/`): clauses.json, requests.json and
 * templates.json. The middleware loads them with these schemas, and `sf dealdesk templates push`
 * validates an admin's edit with the same ones before anything reaches the org.
 */
import { z } from 'zod';
import { ConditionSchema } from './conditions.ts';
import { NON_STANDARD_REQUESTS, RESIDENCY_REGIONS } from './terms.ts';

export const ClauseSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/, { error: 'expected a kebab-case clause id' }),
    version: z.number().int().min(1),
    /** Clauses of one group are alternatives: the first whose condition holds is chosen. */
    group: z.string().min(1).optional(),
    topic: z.enum(['commercial', 'legal', 'technical']),
    /** Policy requires the clause whenever its condition holds. */
    mandatory: z.boolean(),
    title: z.string().min(1),
    /** Why the clause applies, in words a lawyer reads. */
    rule: z.string().min(1),
    /** The governing-law fallback: the customer's country has no clause of its own. */
    newJurisdiction: z.boolean().optional(),
    when: ConditionSchema,
    body: z.string().min(1),
  })
  .strict();
export type Clause = z.infer<typeof ClauseSchema>;

export const ClausesFileSchema = z
  .object({ version: z.string().min(1), clauses: z.array(ClauseSchema).min(1) })
  .strict();

export const ModelTopicSchema = z
  .object({
    topic: z.string().min(1),
    /** Library clauses that answer the request when they apply to the deal. */
    coveredBy: z.array(z.string()).default([]),
  })
  .strict();

/** The requests the language module reads, each named as the contract desk names it. */
export const MODEL_REQUEST_KEYS = [
  ...RESIDENCY_REGIONS.map((r) => `residency_${r}` as const),
  'health_data',
  'security_review',
  'multi_year',
  ...NON_STANDARD_REQUESTS,
] as const;

export const RequestsFileSchema = z
  .object({
    version: z.string().min(1),
    /** Requests the language module reads from the buyer's words: a topic and covering clauses each. */
    modelRequests: z.strictObject(
      Object.fromEntries(MODEL_REQUEST_KEYS.map((k) => [k, ModelTopicSchema])) as Record<
        (typeof MODEL_REQUEST_KEYS)[number],
        typeof ModelTopicSchema
      >,
    ),
    /** Admins' own request topics, matched as regular expressions over the deal's texts. */
    topics: z
      .array(
        z
          .object({
            topic: z.string().min(1),
            /** A case-insensitive regular expression over what the buyer and the rep wrote. */
            pattern: z.string().min(1),
            /** Library clauses that answer the request when they apply to the deal. */
            coveredBy: z.array(z.string()).default([]),
            /** Only a request of its own when no specific topic matches the same sentence. */
            generic: z.boolean().default(false),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

export const TemplateRuleSchema = z
  .object({
    id: z.enum(['MSA', 'SOW', 'Order_Form']),
    title: z.string().min(1),
    file: z.string().regex(/^[a-z0-9-]+\.mustache$/),
    rule: z.string().min(1),
    when: ConditionSchema,
  })
  .strict();
export const TemplatesFileSchema = z
  .object({
    version: z.string().min(1),
    templates: z.array(TemplateRuleSchema).min(1),
    variants: z
      .object({
        Executive_Summary: z.object({ title: z.string(), file: z.string() }).strict(),
        Technical_Appendix: z.object({ title: z.string(), file: z.string() }).strict(),
      })
      .strict(),
    partials: z.array(z.string().regex(/^[a-z0-9-]+$/)),
  })
  .strict();
