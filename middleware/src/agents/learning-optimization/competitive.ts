/**
 * What competitive wins share (issue 20): when the Deal Closure assessment named a competitor,
 * the earlier completed closures that named the same one — every completed closure is a win —
 * compared on discount, the clauses a fact selected, cycle time and the contact roles involved.
 * One Win_Insight__c per competitor named, from the history the agent already read.
 */
import type { CrmWrite } from '../../ports/crm.ts';
import { median, type DealCycle, type LearningFigures } from './cycle-times.ts';
import { humanDuration, listed, percent } from './learning-wording.ts';

type InsightWrite = Extract<CrmWrite, { kind: 'insight' }>;

/** A trait is shared when at least this share of the wins has it (2 of 3, 3 of 4, 4 of 6 …). */
export const SHARED_SHARE = 2 / 3;

/** Keys of the names seen lately: every closure compares its competitors with 500 past ones. */
const keyCache = new Map<string, string>();

/** Competitor names compare without case, spacing or punctuation ("Plant Pulse" = "plantpulse"). */
export function competitorKey(name: string): string {
  const cached = keyCache.get(name);
  if (cached !== undefined) return cached;
  if (keyCache.size >= 2000) keyCache.clear();
  const key = slugOf(name);
  keyCache.set(name, key);
  return key;
}

function slugOf(name: string): string {
  const slug = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');
  // A name in a script without Latin letters keeps its own characters, lower-cased.
  return (slug || encodeURIComponent(name.trim().toLowerCase())).slice(0, 80);
}

/** The closures in `history` that named `competitor`. */
export function winsAgainst(history: readonly DealCycle[], competitor: string): DealCycle[] {
  const key = competitorKey(competitor);
  return history.filter((c) => (c.competitors ?? []).some((n) => competitorKey(n) === key));
}

export interface Shared {
  name: string;
  wins: number;
}

export interface SharedTraits {
  wins: number;
  medianDiscount: number | null;
  /** Wins whose discount lies within `DISCOUNT_BAND` points of the median. */
  nearMedianDiscount: number;
  medianTotalMs: number | null;
  /** Clauses (selected by a fact) in at least `SHARED_SHARE` of the wins, most common first. */
  clauses: Shared[];
  /** Contact roles in at least `SHARED_SHARE` of the wins, most common first. */
  stakeholders: Shared[];
}

/** Points either side of the median discount within which wins count as agreeing on price. */
export const DISCOUNT_BAND = 5;

function sharedAmong(wins: readonly DealCycle[], pick: (c: DealCycle) => readonly string[]): Shared[] {
  const counts = new Map<string, number>();
  for (const c of wins) for (const v of new Set(pick(c))) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts]
    .filter(([, n]) => n >= Math.ceil(wins.length * SHARED_SHARE - 1e-9))
    .map(([name, n]) => ({ name, wins: n }))
    .sort((a, b) => b.wins - a.wins || a.name.localeCompare(b.name));
}

/** What a set of wins has in common. */
export function sharedTraits(wins: readonly DealCycle[]): SharedTraits {
  const medianDiscount = median(wins.map((c) => c.discountPercent));
  return {
    wins: wins.length,
    medianDiscount,
    nearMedianDiscount:
      medianDiscount === null
        ? 0
        : wins.filter((c) => Math.abs(c.discountPercent - medianDiscount) <= DISCOUNT_BAND).length,
    medianTotalMs: median(wins.flatMap((c) => (c.totalMs === null ? [] : [c.totalMs]))),
    clauses: sharedAmong(wins, (c) => c.clauses ?? []),
    stakeholders: sharedAmong(wins, (c) => c.stakeholders ?? []),
  };
}

/** A deal as the insight names it: its account, else its opportunity id. */
export const dealName = (c: DealCycle): string => c.account ?? c.opportunityId;

const ofWins = (s: Shared, wins: number) => `${s.name} (${s.wins} of ${wins})`;

/** The shared traits in words, each against this deal's own figure. */
function describeShared(t: SharedTraits, cycle: DealCycle): string[] {
  const own = new Set(cycle.clauses ?? []);
  const roles = new Set(cycle.stakeholders ?? []);
  const parts: string[] = [];
  const a = t.wins > 1 ? 'a median' : 'a';
  if (t.medianDiscount !== null)
    parts.push(`${a} discount of ${percent(t.medianDiscount)} (this deal ${percent(cycle.discountPercent)})`);
  if (t.medianTotalMs !== null)
    parts.push(
      `${a} cycle of ${humanDuration(t.medianTotalMs)}${cycle.totalMs === null ? '' : ` (this deal ${humanDuration(cycle.totalMs)})`}`,
    );
  if (t.clauses.length > 0)
    parts.push(
      `the clauses ${listed(t.clauses.map((s) => ofWins(s, t.wins)))}, ${t.clauses.filter((s) => own.has(s.name)).length} of them in this deal`,
    );
  if (t.stakeholders.length > 0)
    parts.push(
      `${listed(t.stakeholders.map((s) => ofWins(s, t.wins)))} involved, ${t.stakeholders.filter((s) => roles.has(s.name)).length} of these roles in this deal`,
    );
  return parts;
}

/** This deal alone, for the first win against a competitor. */
function describeOwn(cycle: DealCycle): string {
  const clauses = cycle.clauses ?? [];
  const roles = cycle.stakeholders ?? [];
  return [
    `closed at a ${percent(cycle.discountPercent)} discount off list`,
    cycle.totalMs === null ? '' : ` in ${humanDuration(cycle.totalMs)} from verbal yes`,
    clauses.length > 0 ? `, with the clauses ${listed(clauses)}` : '',
    roles.length > 0 ? `; ${listed(roles)} involved` : '',
  ].join('');
}

/** One Competitive insight per competitor this deal named, against the earlier wins naming it. */
export function competitiveInsights(runId: string, { cycle, history }: LearningFigures): InsightWrite[] {
  const seen = new Set<string>();
  const out: InsightWrite[] = [];
  for (const competitor of cycle.competitors ?? []) {
    const key = competitorKey(competitor);
    if (seen.has(key)) continue;
    seen.add(key);
    const earlier = winsAgainst(history, competitor);
    const insight =
      earlier.length === 0
        ? `First win against ${competitor} on record: ${describeOwn(cycle)}.`
        : `Win ${earlier.length + 1} against ${competitor} on record. The ${
            earlier.length === 1 ? 'earlier win' : `${earlier.length} earlier wins`
          } (${listed(earlier.map(dealName))}) ${earlier.length === 1 ? 'had' : 'share'}: ${describeShared(
            sharedTraits(earlier),
            cycle,
          ).join('; ')}.`;
    out.push({
      kind: 'insight',
      key: `${runId}:insight:competitive:${key}`,
      category: 'Competitive',
      insight,
      // One metric per competitor: a closure's insights each measure a different thing.
      metric: `competitive_wins:${key}`.slice(0, 80),
      value: earlier.length + 1,
    });
  }
  return out;
}
