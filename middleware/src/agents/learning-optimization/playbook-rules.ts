/**
 * Playbook suggestions (issue 20): patterns in the completed closures strong enough to change how
 * deals are run, each proposed to a manager as a Playbook_Suggestion__c with its evidence, the
 * thresholds it met, the deals it rests on and what accepting it would change. One record per
 * pattern (its key names the pattern, not the run), so a later closure updates the evidence
 * instead of adding a suggestion; a pattern below its thresholds proposes nothing.
 *
 * Rules, each evaluated only for what this closure has (its clauses, its competitors), over this
 * closure and the history the agent already read:
 * - Legal review per clause: among closures that went to legal review with a timed Legal
 *   decision, those whose contract carried the clause against those without it. Proposed when
 *   ≥ LEGAL_MIN_WITH closures carried it, ≥ LEGAL_MIN_WITHOUT did not, the median Legal time with
 *   it is ≥ LEGAL_MIN_RATIO × the median without, and ≥ SHARED_SHARE of the closures with it took
 *   longer than the median without.
 * - Competitive playbook per competitor: the wins naming it (this one included). Proposed when
 *   there are ≥ COMPETITIVE_MIN_WINS and they share something: a clause or a contact role in
 *   ≥ SHARED_SHARE of them, or a discount within DISCOUNT_BAND points of their median in
 *   ≥ SHARED_SHARE of them.
 */
import type { CrmWrite } from '../../ports/crm.ts';
import { median, type DealCycle, type LearningFigures } from './cycle-times.ts';
import {
  competitorKey,
  dealName,
  DISCOUNT_BAND,
  SHARED_SHARE,
  sharedTraits,
  winsAgainst,
} from './competitive.ts';
import { humanDuration, listed, percent } from './learning-wording.ts';

export type SuggestionWrite = Extract<CrmWrite, { kind: 'playbookSuggestion' }>;

export const LEGAL_MIN_WITH = 4;
export const LEGAL_MIN_WITHOUT = 3;
export const LEGAL_MIN_RATIO = 1.5;
export const COMPETITIVE_MIN_WINS = 3;
/** Deals listed by name in a suggestion's evidence; the rest are counted. */
const MAX_LISTED_DEALS = 50;

const atLeastShare = (n: number, of: number) => of > 0 && n >= Math.ceil(of * SHARED_SHARE - 1e-9);
const round2 = (x: number) => Math.round(x * 100) / 100;

/** The longest Legal decision of a closure that went to legal review, if one was timed. */
function legalMs(c: DealCycle): number | null {
  if (!c.legalReview) return null;
  const times = c.approvers.filter((a) => a.role === 'Legal').map((a) => a.responseMs);
  return times.length > 0 ? Math.max(...times) : null;
}

/** Clauses a fact selected; figures recorded before they were kept fall back to the reviewed clauses. */
const clausesOf = (c: DealCycle): readonly string[] => c.clauses ?? c.reviewClauses;

function dealLine(c: DealCycle, detail: string): string {
  return `${c.completedAt?.slice(0, 10) ?? '?'} ${dealName(c)} (opportunity ${c.opportunityId}, run ${c.runId}): ${detail}`;
}

function dealLines(cycles: readonly DealCycle[], detail: (c: DealCycle) => string): string {
  const lines = cycles.slice(0, MAX_LISTED_DEALS).map((c) => dealLine(c, detail(c)));
  if (cycles.length > MAX_LISTED_DEALS) lines.push(`… and ${cycles.length - MAX_LISTED_DEALS} more`);
  return lines.join('\n');
}

const newest = (cycles: readonly DealCycle[]) =>
  cycles
    .map((c) => c.completedAt ?? '')
    .filter(Boolean)
    .sort()
    .at(-1) ?? null;

interface Timed {
  c: DealCycle;
  ms: number;
}

/** The closures with a timed Legal decision. */
const timedLegal = (all: readonly DealCycle[]): Timed[] =>
  all.flatMap((c) => {
    const ms = legalMs(c);
    return ms === null ? [] : [{ c, ms }];
  });

/** Whether a clause goes with longer legal review, by the thresholds above; the suggestion if so. */
export function legalClauseSuggestion(
  clause: string,
  all: readonly DealCycle[],
  sourceInsights: string[],
  timed: readonly Timed[] = timedLegal(all),
): SuggestionWrite | undefined {
  const withIt = timed.filter((t) => clausesOf(t.c).includes(clause));
  const without = timed.filter((t) => !clausesOf(t.c).includes(clause));
  if (withIt.length < LEGAL_MIN_WITH || without.length < LEGAL_MIN_WITHOUT) return undefined;
  const medWith = median(withIt.map((t) => t.ms))!;
  const medWithout = median(without.map((t) => t.ms))!;
  if (medWithout <= 0) return undefined;
  const ratio = medWith / medWithout;
  const slower = withIt.filter((t) => t.ms > medWithout).length;
  if (ratio < LEGAL_MIN_RATIO || !atLeastShare(slower, withIt.length)) return undefined;
  const times = `${round2(ratio)}× the median`;
  return {
    kind: 'playbookSuggestion',
    key: `playbook:legal-clause:${clause}`,
    category: 'Legal_Review',
    title: `Legal review: clause ${clause}`,
    suggestion: `Legal review took ${times} on closures whose contract carried the clause ${clause}: ${humanDuration(medWith)} against ${humanDuration(medWithout)} without it, and longer than that median in ${slower} of ${withIt.length} closures. Pre-approve fallback wording for ${clause} so Legal reviews it by exception.`,
    evidence: [
      `Legal decision time on closures that went to legal review: ${withIt.length} with ${clause} (median ${humanDuration(medWith)}), ${without.length} without (median ${humanDuration(medWithout)}); ratio ${round2(ratio)}; ${slower} of ${withIt.length} with it above the median without it.`,
      `Thresholds: at least ${LEGAL_MIN_WITH} closures with the clause and ${LEGAL_MIN_WITHOUT} without, a ratio of at least ${LEGAL_MIN_RATIO}, and at least ${Math.round(SHARED_SHARE * 100)}% of the closures with it slower than the median without it.`,
    ].join('\n'),
    metric: 'legal_review_ratio',
    value: round2(ratio),
    supportingDeals: withIt.length,
    sourceDeals: dealLines(
      withIt.map((t) => t.c),
      (c) => `Legal ${humanDuration(legalMs(c)!)}`,
    ),
    sourceInsights: sourceInsights.join('\n'),
    target: `Clause library: ${clause} (config/contracts/clauses.json)`,
    evidenceAsOf: newest(all),
  };
}

/** Whether the wins against a competitor share enough to write down; the suggestion if so. */
export function competitiveSuggestion(
  competitor: string,
  wins: readonly DealCycle[],
  sourceInsights: string[],
): SuggestionWrite | undefined {
  if (wins.length < COMPETITIVE_MIN_WINS) return undefined;
  const t = sharedTraits(wins);
  const priceAgrees = t.medianDiscount !== null && atLeastShare(t.nearMedianDiscount, t.wins);
  if (!priceAgrees && t.clauses.length === 0 && t.stakeholders.length === 0) return undefined;
  const share = (n: number) => `${n} of ${t.wins}`;
  const traits = [
    ...(priceAgrees
      ? [
          `a median ${percent(t.medianDiscount!)} discount (${share(t.nearMedianDiscount)} within ${DISCOUNT_BAND} points of it)`,
        ]
      : []),
    ...(t.clauses.length > 0
      ? [`the clauses ${listed(t.clauses.map((s) => `${s.name} (${share(s.wins)})`))}`]
      : []),
    ...(t.stakeholders.length > 0
      ? [`${listed(t.stakeholders.map((s) => `${s.name} (${share(s.wins)})`))} involved`]
      : []),
  ];
  return {
    kind: 'playbookSuggestion',
    key: `playbook:competitive:${competitorKey(competitor)}`,
    category: 'Competitive',
    title: `Competitive playbook: ${competitor}`.slice(0, 255),
    suggestion: `Against ${competitor}, ${t.wins} wins on record share ${listed(traits)}${
      t.medianTotalMs === null ? '' : `, with a median cycle of ${humanDuration(t.medianTotalMs)}`
    }. Add this to the competitive playbook for ${competitor}.`,
    evidence: [
      `Wins naming ${competitor}: ${t.wins}; median discount ${t.medianDiscount === null ? 'n/a' : percent(t.medianDiscount)} (${share(t.nearMedianDiscount)} within ${DISCOUNT_BAND} points).`,
      `Thresholds: at least ${COMPETITIVE_MIN_WINS} wins; a clause or contact role counts as shared in at least ${Math.round(SHARED_SHARE * 100)}% of them, the discount when at least ${Math.round(SHARED_SHARE * 100)}% lie within ${DISCOUNT_BAND} points of the median.`,
    ].join('\n'),
    metric: 'competitive_wins',
    value: t.wins,
    supportingDeals: t.wins,
    sourceDeals: dealLines(
      wins,
      (c) =>
        `${percent(c.discountPercent)} discount${c.totalMs === null ? '' : `, ${humanDuration(c.totalMs)}`}${
          (c.clauses ?? []).length > 0 ? `, clauses ${(c.clauses ?? []).join(', ')}` : ''
        }${(c.stakeholders ?? []).length > 0 ? `, ${(c.stakeholders ?? []).join(', ')}` : ''}`,
    ),
    sourceInsights: sourceInsights.join('\n'),
    target: null,
    evidenceAsOf: newest(wins),
  };
}

/** Every suggestion this closure's figures support, one per pattern. */
export function playbookSuggestions(runId: string, { cycle, history }: LearningFigures): SuggestionWrite[] {
  const all = [cycle, ...history];
  const out: SuggestionWrite[] = [];
  if (legalMs(cycle) !== null) {
    const timed = timedLegal(all);
    for (const clause of new Set(clausesOf(cycle))) {
      const s = legalClauseSuggestion(clause, all, [`${runId}:insight:legal-review`], timed);
      if (s) out.push(s);
    }
  }
  const seen = new Set<string>();
  for (const competitor of cycle.competitors ?? []) {
    const key = competitorKey(competitor);
    if (seen.has(key)) continue;
    seen.add(key);
    const s = competitiveSuggestion(
      competitor,
      [cycle, ...winsAgainst(history, competitor)],
      [`${runId}:insight:competitive:${key}`],
    );
    if (s) out.push(s);
  }
  return out;
}
