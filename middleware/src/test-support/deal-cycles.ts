/** Completed closures' figures (DealCycle), as the Learning agent records them, for pure tests. */
import type { DealCycle } from '../agents/learning-optimization/cycle-times.ts';

export const HOUR_MS = 3_600_000;

/** One closure's figures; `id` numbers the run, opportunity, account and completion day. */
export function dealCycle(id: string, over: Partial<DealCycle> = {}): DealCycle {
  const n = Number(id.replace(/\D/g, '')) || 1;
  return {
    runId: `run-${id}`,
    opportunityId: `006Dd${String(n).padStart(10, '0')}AAA`,
    account: `Account ${id}`,
    industry: 'Manufacturing',
    sizeBand: '50k–250k',
    amountMinor: 100_000_00,
    currency: 'EUR',
    discountPercent: 10,
    completedAt: new Date(Date.UTC(2026, 9, 1) + n * 86_400_000).toISOString(),
    phases: {
      verbal_to_contract: HOUR_MS,
      approvals: 5 * HOUR_MS,
      signature: 10 * HOUR_MS,
      sync: HOUR_MS / 2,
    },
    totalMs: 16.5 * HOUR_MS,
    approvers: [],
    recipients: [],
    legalReview: false,
    reviewClauses: [],
    competitors: [],
    clauses: [],
    stakeholders: [],
    ...over,
  };
}
