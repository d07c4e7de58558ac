/**
 * Approver workload: how many approval requests already wait on each approver across the org, and
 * what that does to routing and to the predicted decision time. Pure: the counts come read.
 *
 * The queue model is deliberately simple. An approver with `n` open items is expected to take
 * (1 + f·n) times their usual decision time, where `f` is fitted from the approval history (each
 * past decision against the number of requests that were open on its approver when it arrived,
 * least squares through "no queue, usual time") once at least MIN_QUEUED_DECISIONS decisions were
 * made with a queue; until then `f` is DEFAULT_PER_ITEM, a quarter of the usual time per item.
 */
import type { ApprovalHistoryEntry, ApproverWorkload } from '../../ports/approvals.ts';
import type { CrmUser } from '../../ports/crm.ts';
import { quantile } from './approval-history.ts';

/** Each open item ahead adds this share of the approver's usual decision time, until history says. */
export const DEFAULT_PER_ITEM = 0.25;
/** Decisions made with a queue needed before the factor is fitted from history. */
export const MIN_QUEUED_DECISIONS = 5;
/** A fitted factor is kept within this: history with a few outliers must not predict weeks. */
const MAX_PER_ITEM = 2;

export interface QueueFactor {
  perItem: number;
  /** `history` when fitted from past decisions, `default` otherwise. */
  basis: 'history' | 'default';
  /** Decisions made with a queue that the fit used. */
  samples: number;
}

/** Open items per user id; users without any are not in the map. */
export type Workload = ReadonlyMap<string, number>;

export function workloadOf(rows: readonly ApproverWorkload[] | undefined): Workload {
  return new Map((rows ?? []).map((r) => [r.userId, r.openItems]));
}

export const openItemsOf = (w: Workload, userId: string): number => w.get(userId) ?? 0;

const HOUR = 3_600_000;

/** How many values of sorted `a` are below `x` (`orEqual`: at most `x`). */
function countBelow(a: Float64Array, x: number, orEqual = false): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x || (orEqual && a[mid] === x)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Each decided request of one approver with the number of their other requests still open when it
 * arrived (submitted before it, decided after it or not at all), and its hours to decide.
 * Recalled requests without a decision time left the queue at an unknown time: not counted.
 */
function queued(mine: readonly ApprovalHistoryEntry[]): { open: number; hours: number }[] {
  const counted = mine.flatMap((x) => {
    const submitted = Date.parse(x.submittedAt);
    if (!Number.isFinite(submitted)) return [];
    if (x.decidedAt) return [{ x, submitted, closed: Date.parse(x.decidedAt) }];
    return x.status === 'Pending' || x.status === 'Escalated'
      ? [{ x, submitted, closed: Number.POSITIVE_INFINITY }]
      : [];
  });
  const starts = Float64Array.from(counted.map((c) => c.submitted)).sort();
  const ends = Float64Array.from(counted.map((c) => c.closed)).sort();
  return counted.flatMap(({ x, submitted, closed }) => {
    const hours = (closed - submitted) / HOUR;
    if ((x.status !== 'Approved' && x.status !== 'Rejected') || !(hours > 0)) return [];
    // Submitted before it, less those already closed by then (each closes no earlier than it starts).
    const open = countBelow(starts, submitted) - countBelow(ends, submitted, true);
    return [{ open: Math.max(0, open), hours }];
  });
}

const fitted = new WeakMap<readonly ApprovalHistoryEntry[], QueueFactor>();

/** How much longer an approver takes per open item, from the history or the default; once per history read. */
export function queueFactor(history: readonly ApprovalHistoryEntry[]): QueueFactor {
  const known = fitted.get(history);
  if (known) return known;
  const byApprover = new Map<string, ApprovalHistoryEntry[]>();
  for (const h of history) {
    if (!h.approverId) continue;
    const list = byApprover.get(h.approverId) ?? [];
    list.push(h);
    byApprover.set(h.approverId, list);
  }
  let numerator = 0;
  let denominator = 0;
  let samples = 0;
  for (const mine of byApprover.values()) {
    const decided = queued(mine);
    // The approver's usual time: decisions made with nothing else open, or all of them.
    const calm = decided.filter((d) => d.open === 0).map((d) => d.hours);
    const usual = quantile(
      (calm.length > 0 ? calm : decided.map((d) => d.hours)).sort((a, b) => a - b),
      0.5,
    );
    if (!(usual > 0)) continue;
    for (const d of decided.filter((x) => x.open > 0)) {
      numerator += d.open * (d.hours / usual - 1);
      denominator += d.open * d.open;
      samples++;
    }
  }
  const factor: QueueFactor =
    samples < MIN_QUEUED_DECISIONS || denominator === 0
      ? { perItem: DEFAULT_PER_ITEM, basis: 'default', samples }
      : { perItem: Math.min(MAX_PER_ITEM, Math.max(0, numerator / denominator)), basis: 'history', samples };
  fitted.set(history, factor);
  return factor;
}

/** The factor a queue of `openItems` multiplies the usual decision time by. */
export const queueMultiplier = (factor: QueueFactor, openItems: number): number =>
  1 + factor.perItem * openItems;

export const describeFactor = (f: QueueFactor): string =>
  f.basis === 'history'
    ? `each open item adds ${Math.round(f.perItem * 100)}% of the usual time, fitted on ${f.samples} past decisions made with a queue`
    : `each open item adds ${Math.round(f.perItem * 100)}% of the usual time, the default while fewer than ${MIN_QUEUED_DECISIONS} past decisions were made with a queue (${f.samples} so far)`;

export interface QueueRouting {
  /** Send the request to the backup instead of the approver. */
  toBackup: boolean;
  /** What the queue did, for the timeline; null when the approver's queue is within the threshold. */
  note: string | null;
}

/**
 * An approver whose queue is over the threshold: the request goes to the rule's backup when the
 * backup is active and less loaded; otherwise it stays, and the note says why.
 */
export function routeByQueue(
  approver: CrmUser,
  backup: CrmUser | undefined,
  workload: Workload,
  threshold: number,
): QueueRouting {
  const n = openItemsOf(workload, approver.id);
  if (n <= threshold) return { toBackup: false, note: null };
  const over = `${approver.name} has ${n} open approval item${n === 1 ? '' : 's'}, over the threshold of ${threshold}`;
  if (!backup || backup.id === approver.id)
    return { toBackup: false, note: `${over}; the rule names no backup, so the request stays` };
  if (!backup.isActive)
    return { toBackup: false, note: `${over}; the backup ${backup.name} is inactive, so the request stays` };
  const m = openItemsOf(workload, backup.id);
  if (m < n) return { toBackup: true, note: `${over}; routed to the backup ${backup.name}, who has ${m}` };
  return {
    toBackup: false,
    note: `${over}; the backup ${backup.name} has ${m}, no fewer, so the request stays`,
  };
}
