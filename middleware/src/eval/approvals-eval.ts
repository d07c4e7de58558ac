/**
 * Evaluation of the Approval Orchestration Agent on labeled data (`npm run eval`):
 * - routing: the required approvers and the executive's prerequisites for each deal in
 *   test/fixtures/approvals/deals.jsonl, against labels reasoned from the written policy;
 * - prediction: on a simulated approval history drawn from known per-approver response-time
 *   distributions (log-normal, seeded), how often the predicted completion is within ±20% of
 *   the simulated actual completion of each deal's approvals.
 */
import { readFileSync } from 'node:fs';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import { z } from 'zod';
import { toMinor } from '../domain/money.ts';
import type { ApprovalRule } from '../ports/crm.ts';
import type { ApprovalHistoryEntry } from '../ports/approvals.ts';
import { ApprovalMatrixError, requiredApprovals } from '../agents/approval-orchestration/approval-matrix.ts';
import {
  decisionDurations,
  decisionTimeStats,
  predictCompletion,
  type PlannedApproval,
} from '../agents/approval-orchestration/approval-history.ts';

const RoleSchema = z.enum(['Finance', 'Legal', 'Sales_VP', 'InfoSec', 'Executive']);

export const ApprovalPolicySchema = z.object({
  corporateCurrency: z.string().length(3),
  rates: z.record(z.string(), z.number().positive()),
  rules: z.array(
    z.object({
      name: z.string(),
      role: RoleSchema,
      minAmount: z.number().nullable(),
      currency: z.string().length(3).nullable(),
      minDiscountPercent: z.number().nullable(),
      requiresCustomTerms: z.boolean(),
      requiresSecurityReview: z.boolean(),
      requiresLegalReview: z.boolean(),
      slaHours: z.number().positive(),
      approverUsername: z.string(),
      backupUsername: z.string().nullable(),
      dependsOn: z.array(z.string()),
      active: z.boolean(),
    }),
  ),
});
export type ApprovalPolicy = z.infer<typeof ApprovalPolicySchema>;

export const LabeledDealSchema = z.object({
  id: z.string(),
  currency: z.string().length(3),
  amount: z.number().nonnegative(),
  maxDiscountPercent: z.number().min(0).max(100),
  customTerms: z.boolean(),
  securityReview: z.boolean(),
  legalReview: z.boolean(),
  expected: z.union([
    z.object({ approvers: z.partialRecord(RoleSchema, z.array(RoleSchema)) }),
    z.object({ error: z.literal(true) }),
  ]),
  why: z.string().min(1),
});
export type LabeledDeal = z.infer<typeof LabeledDealSchema>;

export function loadApprovalPolicy(file: string): ApprovalPolicy {
  return ApprovalPolicySchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

export function loadLabeledDeals(file: string): LabeledDeal[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => {
      const parsed = LabeledDealSchema.safeParse(JSON.parse(l));
      if (!parsed.success) throw new Error(`${file}:${i + 1}: ${parsed.error.message}`);
      return parsed.data;
    });
}

export function rulesOf(policy: ApprovalPolicy): ApprovalRule[] {
  return policy.rules.map((r) => ({
    name: r.name,
    role: r.role,
    minAmountMinor:
      r.minAmount === null ? null : toMinor(r.minAmount, r.currency ?? policy.corporateCurrency),
    currency: r.currency,
    minDiscountPercent: r.minDiscountPercent,
    requiresCustomTerms: r.requiresCustomTerms,
    requiresSecurityReview: r.requiresSecurityReview,
    requiresLegalReview: r.requiresLegalReview,
    slaHours: r.slaHours,
    approverUsername: r.approverUsername,
    backupUsername: r.backupUsername,
    dependsOn: r.dependsOn,
    active: r.active,
  }));
}

type Routed = { approvers: Record<string, string[]> } | { error: string };

export function route(policy: ApprovalPolicy, deal: LabeledDeal): Routed {
  try {
    const required = requiredApprovals(rulesOf(policy), {
      amountMinor: toMinor(deal.amount, deal.currency),
      currency: deal.currency,
      corporateCurrency: policy.corporateCurrency,
      rates: policy.rates,
      maxDiscountPercent: deal.maxDiscountPercent,
      customTerms: deal.customTerms,
      securityReview: deal.securityReview,
      legalReview: deal.legalReview,
    });
    return { approvers: Object.fromEntries(required.map((r) => [r.role, [...r.dependsOn].sort()])) };
  } catch (err) {
    if (err instanceof ApprovalMatrixError) return { error: err.message };
    throw err;
  }
}

const canonical = (r: Record<string, string[]>) =>
  JSON.stringify(
    Object.keys(r)
      .sort()
      .map((k) => [k, [...(r[k] ?? [])].sort()]),
  );

export function evaluateRouting(policy: ApprovalPolicy, deals: LabeledDeal[]) {
  let exact = 0;
  let rolesRight = 0;
  const errors: { id: string; expected: unknown; got: unknown; why: string }[] = [];
  const covered = new Set<string>();
  for (const d of deals) {
    const got = route(policy, d);
    if ('approvers' in got) for (const role of Object.keys(got.approvers)) covered.add(role);
    const expected = d.expected;
    let ok: boolean;
    let rolesOk: boolean;
    if ('error' in expected) {
      ok = rolesOk = 'error' in got;
    } else if ('error' in got) {
      ok = rolesOk = false;
    } else {
      rolesOk =
        JSON.stringify(Object.keys(got.approvers).sort()) ===
        JSON.stringify(Object.keys(expected.approvers).sort());
      ok = canonical(got.approvers) === canonical(expected.approvers);
    }
    if (ok) exact++;
    if (rolesOk) rolesRight++;
    if (!ok) errors.push({ id: d.id, expected, got, why: d.why });
  }
  return {
    deals: deals.length,
    accuracy: round(exact / deals.length),
    approverSetAccuracy: round(rolesRight / deals.length),
    rolesRouted: [...covered].sort(),
    errors,
  };
}

/** How an approver answers: log-normal hours with this median and log-space spread. */
export interface ResponseProfile {
  medianHours: number;
  sigma: number;
}

export const APPROVER_PROFILES: Record<string, ResponseProfile> = {
  Finance: { medianHours: 6, sigma: 0.15 },
  Legal: { medianHours: 20, sigma: 0.12 },
  Sales_VP: { medianHours: 3, sigma: 0.2 },
  InfoSec: { medianHours: 30, sigma: 0.12 },
  Executive: { medianHours: 10, sigma: 0.15 },
};

function uniform(rng: RandomGenerator): number {
  // Never 0: the log below needs a positive number.
  return (uniformInt(rng, 0, 0x3fffffff) + 0.5) / 0x40000000;
}

function logNormal(rng: RandomGenerator, p: ResponseProfile): number {
  const z = Math.sqrt(-2 * Math.log(uniform(rng))) * Math.cos(2 * Math.PI * uniform(rng));
  return p.medianHours * Math.exp(p.sigma * z);
}

/**
 * Simulates `historyPerApprover` past decisions per role, then, for every routable deal,
 * `outcomesPerDeal` actual approval rounds; compares each with the prediction made from the
 * history alone.
 */
export function evaluatePrediction(
  policy: ApprovalPolicy,
  deals: LabeledDeal[],
  options: {
    seed: number;
    profiles?: Record<string, ResponseProfile>;
    historyPerApprover?: number;
    outcomesPerDeal?: number;
    tolerance?: number;
  },
) {
  const profiles = options.profiles ?? APPROVER_PROFILES;
  const rng = xoroshiro128plus(options.seed);
  const tolerance = options.tolerance ?? 0.2;
  const approverId = (role: string) =>
    `005Dd00000000${String(Object.keys(profiles).indexOf(role)).padStart(2, '0')}AAA`;
  const history: ApprovalHistoryEntry[] = [];
  const start = Date.parse('2026-01-05T09:00:00.000Z');
  let n = 0;
  for (const role of Object.keys(profiles)) {
    for (let i = 0; i < (options.historyPerApprover ?? 30); i++) {
      const submitted = start + n * 7 * 3_600_000;
      const hours = logNormal(rng, profiles[role]!);
      n++;
      history.push({
        approvalId: `a00Dd${String(n).padStart(10, '0')}AAA`,
        role,
        approverId: approverId(role),
        status: 'Approved',
        submittedAt: new Date(submitted).toISOString(),
        decidedAt: new Date(submitted + hours * 3_600_000).toISOString(),
        reason: null,
        comments: null,
        opportunityId: null,
        opportunityName: null,
        amountMinor: null,
        currency: null,
      });
    }
  }
  const durations = decisionDurations(history);
  const sla = new Map(policy.rules.map((r) => [r.role, r.slaHours]));
  let within = 0;
  let total = 0;
  let dealsEvaluated = 0;
  const relErrors: number[] = [];
  for (const d of deals) {
    const routed = route(policy, d);
    if ('error' in routed || Object.keys(routed.approvers).length === 0) continue;
    dealsEvaluated++;
    const planned: PlannedApproval[] = Object.entries(routed.approvers).map(([role, dependsOn]) => ({
      role,
      dependsOn,
      stats: decisionTimeStats(
        durations,
        approverId(role),
        role,
        sla.get(role as ApprovalRule['role']) ?? 24,
      ),
    }));
    const predicted = predictCompletion(planned, options.seed ^ dealsEvaluated, 1000).medianHours;
    for (let k = 0; k < (options.outcomesPerDeal ?? 20); k++) {
      const took = new Map(planned.map((p) => [p.role, logNormal(rng, profiles[p.role]!)]));
      const finish = new Map<string, number>();
      const finishOf = (role: string): number => {
        const known = finish.get(role);
        if (known !== undefined) return known;
        const p = planned.find((x) => x.role === role)!;
        const t = Math.max(0, ...p.dependsOn.map(finishOf)) + took.get(role)!;
        finish.set(role, t);
        return t;
      };
      const actual = Math.max(...planned.map((p) => finishOf(p.role)));
      const rel = Math.abs(predicted - actual) / actual;
      relErrors.push(rel);
      total++;
      if (rel <= tolerance) within++;
    }
  }
  relErrors.sort((a, b) => a - b);
  return {
    deals: dealsEvaluated,
    outcomes: total,
    tolerance,
    withinTolerance: round(within / total),
    medianRelativeError: round(relErrors[Math.floor(relErrors.length / 2)] ?? 0),
    p90RelativeError: round(relErrors[Math.floor(relErrors.length * 0.9)] ?? 0),
  };
}

const round = (x: number) => Math.round(x * 1000) / 1000;
