/**
 * How long approvers take, from past Deal_Approval__c decisions: per approver and per role, the
 * median and p90 of hours from submission to decision, with a prior from the SLA when there is
 * not enough history. The deal's completion is predicted by resampling those durations through
 * the dependency graph (parallel approvals finish at the slowest, dependent ones start after
 * their prerequisites), so the prediction accounts for "the slowest of three" instead of adding
 * medians. The Learning agent shares these functions for its cycle-time insights.
 */
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import quickselect from 'quickselect';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import type { ApprovalHistoryEntry } from '../../ports/approvals.ts';

/** Fewer decisions than this and the approver's own history is not trusted alone. */
export const MIN_SAMPLES = 3;

export interface DecisionTimeStats {
  /** Whose history it is: the approver, the role, or the SLA prior. */
  basis: 'approver' | 'role' | 'prior';
  samples: number;
  medianHours: number;
  p90Hours: number;
  /** The hours the prediction resamples from (the prior's are synthetic quantiles). */
  durations: number[];
}

export interface DecisionDuration {
  approverId: string | null;
  role: string;
  hours: number;
}

/** Hours from submission to decision of each decided approval (recalled ones say nothing about speed). */
export function decisionDurations(history: ApprovalHistoryEntry[]): DecisionDuration[] {
  const out: DecisionDuration[] = [];
  for (const h of history) {
    if ((h.status !== 'Approved' && h.status !== 'Rejected') || !h.decidedAt) continue;
    const hours = (Date.parse(h.decidedAt) - Date.parse(h.submittedAt)) / 3_600_000;
    if (Number.isFinite(hours) && hours >= 0) out.push({ approverId: h.approverId, role: h.role, hours });
  }
  return out;
}

/** Linear-interpolated quantile of sorted values (the R-7 / numpy default). */
export function quantile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/**
 * `quantile` of values in any order, found by selection (linear time) instead of a full sort; it
 * reorders `values`. A prediction needs a few quantiles of thousands of simulated times.
 */
export function selectQuantile(values: Float64Array, p: number): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  const pos = (n - 1) * p;
  const lo = Math.floor(pos);
  quickselect(values as unknown as number[], lo);
  const low = values[lo]!;
  if (pos === lo) return low;
  // Everything after `lo` is at least `low`: the next order statistic is the least of them.
  let high = Number.POSITIVE_INFINITY;
  for (let i = lo + 1; i < n; i++) if (values[i]! < high) high = values[i]!;
  return low + (high - low) * (pos - lo);
}

/**
 * The approver's decision-time statistics: their own history when they have enough, otherwise
 * the role's, otherwise a prior that expects a decision around 40% of the SLA and 90% by the SLA.
 */
export function decisionTimeStats(
  durations: DecisionDuration[],
  approverId: string,
  role: string,
  slaHours: number,
): DecisionTimeStats {
  const own = durations.filter((d) => d.approverId === approverId).map((d) => d.hours);
  const ofRole = durations.filter((d) => d.role === role).map((d) => d.hours);
  const pick = (values: number[], basis: 'approver' | 'role'): DecisionTimeStats => {
    const sorted = [...values].sort((a, b) => a - b);
    return {
      basis,
      samples: sorted.length,
      medianHours: quantile(sorted, 0.5),
      p90Hours: quantile(sorted, 0.9),
      durations: sorted,
    };
  };
  if (own.length >= MIN_SAMPLES) return pick(own, 'approver');
  if (ofRole.length >= MIN_SAMPLES) return pick(ofRole, 'role');
  const prior = [0.15, 0.25, 0.3, 0.35, 0.4, 0.45, 0.55, 0.65, 0.8, 0.9].map((f) => f * slaHours);
  return {
    basis: 'prior',
    samples: 0,
    medianHours: 0.4 * slaHours,
    p90Hours: 0.9 * slaHours,
    durations: prior,
  };
}

export interface PlannedApproval {
  role: string;
  dependsOn: string[];
  stats: DecisionTimeStats;
  /** Hours already elapsed since this approval was submitted (0 when not yet submitted). */
  elapsedHours?: number;
  decided?: boolean;
}

export interface CompletionPrediction {
  /** Median of the simulated completion times, hours from now. */
  medianHours: number;
  p90Hours: number;
  /** Per role: median hours from now until that approval is decided. */
  byRole: Record<string, number>;
}

/** A number in [0, 1) from the generator (it mutates: one sequence per prediction). */
function uniform(rng: RandomGenerator): number {
  return uniformInt(rng, 0, 0x3fffffff) / 0x40000000;
}

/** A stable seed from a string (e.g. the run id), so a run's prediction is reproducible. */
export function seedOf(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * Predicts when all approvals will be decided by resampling each approver's past durations
 * through the dependency graph. Approvals already pending for a while have their elapsed time
 * subtracted (conditioned on not being decided yet: only longer durations are drawn).
 */
export function predictCompletion(
  approvals: PlannedApproval[],
  seed: number,
  simulations = 2000,
): CompletionPrediction {
  const rng = xoroshiro128plus(seed);
  const byRole = new Map(approvals.map((a) => [a.role, a]));
  const roles = [...byRole.keys()];
  const indexOf = new Map(roles.map((r, i) => [r, i]));
  const nodes = roles.map((r) => byRole.get(r)!);
  // The dependency graph is the same in every simulation: order the open approvals once so each
  // comes after what it waits for (depth first, as the approvals are listed; an approval on a
  // cycle waits for nothing further round it), then each simulation is one pass in that order.
  const order: number[] = [];
  const placed = new Set<number>();
  const visit = (role: string, seen: Set<string>): void => {
    const i = indexOf.get(role);
    if (i === undefined || placed.has(i) || nodes[i]!.decided || seen.has(role)) return;
    seen.add(role);
    for (const d of nodes[i]!.dependsOn) visit(d, seen);
    placed.add(i);
    order.push(i);
  };
  for (const a of approvals) visit(a.role, new Set());
  const waitsFor = nodes.map((a) =>
    a.dependsOn.map((d) => indexOf.get(d)).filter((d): d is number => d !== undefined),
  );
  // The durations still possible for each approval (longer than it has already waited).
  const pools = nodes.map((a) => a.stats.durations.filter((d) => d > (a.elapsedHours ?? 0)));
  const finish = new Float64Array(nodes.length);
  // finish[i] belongs to simulation `stamp[i]`; an approval not drawn in this one (decided, or
  // later on a cycle) counts as done now.
  const stamp = new Int32Array(nodes.length).fill(-1);
  const totals = new Float64Array(simulations);
  const roleTimes = new Map(approvals.map((a) => [a.role, new Float64Array(simulations)]));
  const nodeOf = approvals.map((a) => indexOf.get(a.role)!);
  const timesOf = approvals.map((a) => roleTimes.get(a.role)!);
  for (let s = 0; s < simulations; s++) {
    for (const i of order) {
      let start = 0;
      for (const d of waitsFor[i]!) if (stamp[d] === s && finish[d]! > start) start = finish[d]!;
      const a = nodes[i]!;
      const pool = pools[i]!;
      // Past every recorded duration: expect it soon, at the longest we have seen plus a little.
      const draw =
        pool.length > 0
          ? pool[Math.floor(uniform(rng) * pool.length)]! - (a.elapsedHours ?? 0)
          : Math.max(1, 0.1 * (a.stats.p90Hours || 1));
      finish[i] = start + draw;
      stamp[i] = s;
    }
    let total = 0;
    for (let k = 0; k < nodeOf.length; k++) {
      const i = nodeOf[k]!;
      const t = stamp[i] === s ? finish[i]! : 0;
      timesOf[k]![s] = t;
      if (t > total) total = t;
    }
    totals[s] = total;
  }
  return {
    medianHours: selectQuantile(totals, 0.5),
    p90Hours: selectQuantile(totals, 0.9),
    byRole: Object.fromEntries([...roleTimes].map(([role, times]) => [role, selectQuantile(times, 0.5)])),
  };
}

export interface Precedent {
  /** The past Deal_Approval__c. */
  approvalId: string;
  opportunityName: string;
  amountMinor: number;
  currency: string;
  status: 'Approved' | 'Rejected';
  hours: number;
}

/** What `precedents` looks for: the deal at hand, as its approval request for one role sees it. */
export interface PrecedentQuery {
  role: string;
  amountCorporateMinor: number;
  toCorporate: (amountMinor: number, currency: string) => number | null;
  /** The deal itself, which is no precedent for itself. */
  excludeOpportunityId: string;
  /** At most this many precedents (3 unless given). */
  max?: number;
}

/**
 * Similar past deals for a role: the same role decided on a deal within half to double this
 * one's amount (compared in the corporate currency), most recent first, one per opportunity.
 */
export function precedents(
  history: ApprovalHistoryEntry[],
  { role, amountCorporateMinor, toCorporate, excludeOpportunityId, max = 3 }: PrecedentQuery,
): Precedent[] {
  const seen = new Set<string>();
  const out: Precedent[] = [];
  for (const h of history) {
    if (out.length >= max) break;
    if (h.role !== role || (h.status !== 'Approved' && h.status !== 'Rejected') || !h.decidedAt) continue;
    if (!h.opportunityId || h.opportunityId === excludeOpportunityId || seen.has(h.opportunityId)) continue;
    if (h.amountMinor === null || !h.currency) continue;
    const corporate = toCorporate(h.amountMinor, h.currency);
    if (corporate === null || corporate < amountCorporateMinor / 2 || corporate > amountCorporateMinor * 2)
      continue;
    seen.add(h.opportunityId);
    out.push({
      approvalId: h.approvalId,
      opportunityName: h.opportunityName ?? h.opportunityId,
      amountMinor: h.amountMinor,
      currency: h.currency,
      status: h.status,
      hours: (Date.parse(h.decidedAt) - Date.parse(h.submittedAt)) / 3_600_000,
    });
  }
  return out;
}
