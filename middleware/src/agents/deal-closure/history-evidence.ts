/**
 * The figures and deals behind the Deal Closure strategy's competitive, discount and upsell
 * recommendations, as the assessment keeps them (StrategySchema.evidence).
 */
import { z } from 'zod';
import type { PastDeal } from '../../ports/crm.ts';

const DealRefSchema = z.object({ id: z.string(), name: z.string() });

export const StrategyEvidenceSchema = z.object({
  /** How many closed deals the history held, and over how many days back. */
  dealsRead: z.number().int(),
  sinceDays: z.number().int(),
  /** Why the history could not be read, when it could not. */
  unavailable: z.string().optional(),
  competitors: z.array(
    z.object({
      competitor: z.string(),
      enoughHistory: z.boolean(),
      deals: z.number().int(),
      won: z.number().int(),
      winRate: z.number().nullable(),
      medianDiscountWon: z.number().nullable(),
      medianDiscountLost: z.number().nullable(),
      from: z.array(DealRefSchema.extend({ won: z.boolean(), discount: z.number().nullable() })),
      recommendation: z.string(),
    }),
  ),
  discount: z.object({
    dealDiscount: z.number(),
    basis: z.enum(['industry', 'size', 'none']),
    peers: z.string().nullable(),
    enoughHistory: z.boolean(),
    /** How many similar won deals the figures come from (the evidence lists the newest of them). */
    deals: z.number().int(),
    median: z.number().nullable(),
    min: z.number().nullable(),
    max: z.number().nullable(),
    from: z.array(DealRefSchema.extend({ discount: z.number() })),
    recommendation: z.string(),
  }),
  upsell: z.object({
    basis: z.enum(['industry', 'all', 'none']),
    peers: z.string().nullable(),
    enoughHistory: z.boolean(),
    families: z.array(
      z.object({
        family: z.string(),
        attached: z.number().int(),
        of: z.number().int(),
        rate: z.number(),
        inDeal: z.boolean(),
        /** Bought by this deal's account in an earlier won deal. */
        ownedByAccount: z.boolean(),
        from: z.array(DealRefSchema),
      }),
    ),
    recommendations: z.array(z.string()),
  }),
});
export type StrategyEvidence = z.infer<typeof StrategyEvidenceSchema>;

export type DealRef = z.infer<typeof DealRefSchema>;

/** The history as the agent read it: the deals, or why it could not be read. */
export type HistoryRead = { sinceDays: number } & ({ deals: PastDeal[] } | { unavailable: string });
