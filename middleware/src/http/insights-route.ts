/**
 * GET /v1/insights: what the organisation has learned from the closures so far, computed from
 * the run store on each call (median cycle times by industry and deal size, approvers' median
 * response, the clauses that most often came with legal review).
 */
import type { Request, Response } from 'express';
import { z } from 'zod';
import { aggregate, orgHistory } from '../agents/learning-optimization/cycle-times.ts';
import type { RunStore } from '../ports/store.ts';
import { sendError, validationDetails } from './errors.ts';

const InsightsQuerySchema = z
  .object({
    /** How many of the most recent completed closures to learn from. */
    limit: z.coerce.number().int().min(1).max(5000).default(500),
  })
  .strict();

export function insightsHandler(store: RunStore, clock: () => Date = () => new Date()) {
  return async (req: Request, res: Response): Promise<void> => {
    const query = InsightsQuerySchema.safeParse(req.query);
    if (!query.success) {
      sendError(res, 400, 'INVALID_REQUEST', 'The insights query is invalid', validationDetails(query.error));
      return;
    }
    const history = await orgHistory(store, query.data.limit);
    res.json({ generatedAt: clock().toISOString(), ...aggregate(history) });
  };
}
