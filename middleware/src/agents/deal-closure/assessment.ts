/**
 * From signals and the deal's structure to a closing confidence, a go / needs-rep-confirmation /
 * not-ready decision and a strategy. Every number in the reasoning comes from the deal.
 */
import { z } from 'zod';
import type { DealContext } from '../../ports/crm.ts';
import { formatMoney } from '../../domain/money.ts';
import type { Signal } from './evidence.ts';
import type { SignalType } from './signal-detector.ts';

const DAY = 86_400_000;

/** How much each signal moves the score, before recency and source reliability. */
const WEIGHTS: Record<SignalType, number> = {
  explicit_commitment: 3,
  paperwork_request: 2.5,
  budget_confirmed: 1.5,
  decision_maker_present: 0.8,
  timeline_urgency: 0.7,
  competitor_mention: -0.4,
  security_concern: -0.2,
  legal_concern: -0.2,
  objection: -1.2,
  hesitation: -1.5,
  negation: -3,
};
const HALF_LIFE_DAYS = 21;

export const DecisionSchema = z.enum(['go', 'needs_rep_confirmation', 'not_ready']);
export type Decision = z.infer<typeof DecisionSchema>;

export const AssessedSignalSchema = z.object({
  type: z.string(),
  polarity: z.number(),
  readiness: z.boolean(),
  quote: z.string(),
  qualifiers: z.array(z.string()),
  source: z.object({
    kind: z.string(),
    recordId: z.string(),
    occurredAt: z.string(),
    label: z.string(),
    who: z.string().nullable(),
  }),
  weight: z.number(),
});
export type AssessedSignal = z.infer<typeof AssessedSignalSchema>;

export const StrategySchema = z.object({
  discountAuthority: z.string(),
  upsell: z.array(z.string()),
  stakeholderApproach: z.array(z.string()),
  risks: z.array(z.string()),
});
export type Strategy = z.infer<typeof StrategySchema>;

export const AssessmentSchema = z.object({
  confidence: z.number().min(0).max(1),
  decision: DecisionSchema,
  signals: z.array(AssessedSignalSchema),
  strategy: StrategySchema,
  reasoning: z.string(),
  facts: z.object({
    score: z.number(),
    activityCount: z.number(),
    weightedDiscountPercent: z.number(),
    maxDiscountPercent: z.number(),
    lastReadinessAt: z.string().nullable(),
    lastSetbackAt: z.string().nullable(),
    economicBuyer: z.string().nullable(),
    daysToCloseDate: z.number().nullable(),
  }),
});
export type Assessment = z.infer<typeof AssessmentSchema>;

export interface AssessmentOptions {
  now: Date;
  /** Discount a rep may give without approval, in percent. */
  repDiscountAuthorityPercent: number;
  trigger: 'Rep' | 'Signal';
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function weightOf(s: Signal, now: Date): number {
  const ageDays = Math.max(0, (now.getTime() - new Date(s.source.occurredAt).getTime()) / DAY);
  const recency = 0.5 ** (ageDays / HALF_LIFE_DAYS);
  // A rep's narrative is good evidence; the seller's own hopes are none.
  const reliability = s.speaker === 'buyer' ? 1 : s.speaker === 'unknown' ? 0.8 : 0;
  let base = WEIGHTS[s.type as SignalType] ?? 0;
  // A qualified positive ("if legal approves, we'd sign") is interest, not commitment.
  if (base > 0 && s.polarity === 0) base = 0.2;
  if (
    base > 0 &&
    !s.readiness &&
    (s.type === 'explicit_commitment' || s.type === 'paperwork_request') &&
    s.polarity !== 1
  )
    base = 0.2;
  return base * recency * reliability;
}

export function assess(deal: DealContext, signals: Signal[], options: AssessmentOptions): Assessment {
  const { now } = options;
  const weighted = signals.map((s) => ({ s, w: weightOf(s, now) }));
  // One decision maker counts once per source, so a long call with the CFO is not ten signals.
  const seenDm = new Set<string>();
  let signalScore = 0;
  for (const { s, w } of weighted) {
    if (s.type === 'decision_maker_present') {
      if (seenDm.has(s.source.recordId)) continue;
      seenDm.add(s.source.recordId);
    }
    signalScore += w;
  }
  const roles = deal.contactRoles;
  const economicBuyer =
    roles.find((r) => /economic|decision maker|executive sponsor/i.test(r.role ?? '')) ?? null;
  const primary = roles.find((r) => r.isPrimary) ?? null;
  const closeDate = deal.opportunity.closeDate ? new Date(`${deal.opportunity.closeDate}T00:00:00Z`) : null;
  const daysToClose = closeDate ? Math.round((closeDate.getTime() - now.getTime()) / DAY) : null;
  let structure = 0;
  if (economicBuyer) structure += 0.5;
  if (primary) structure += 0.2;
  if (deal.lineItems.length > 0) structure += 0.2;
  structure += ((deal.opportunity.probability ?? 0) / 100) * 0.8;
  if (daysToClose !== null && daysToClose >= 0 && daysToClose <= 45) structure += 0.3;
  if (daysToClose !== null && daysToClose < -14) structure -= 0.4;
  const score = signalScore + structure;

  const buyerSignals = signals.filter((s) => s.speaker !== 'seller');
  const lastReadiness = buyerSignals
    .filter((s) => s.readiness)
    .sort((a, b) => b.source.occurredAt.localeCompare(a.source.occurredAt))[0];
  const lastSetback = buyerSignals
    .filter((s) => s.polarity === -1 && (s.type === 'negation' || s.type === 'hesitation'))
    .sort((a, b) => b.source.occurredAt.localeCompare(a.source.occurredAt))[0];
  const setbackAfterYes =
    lastSetback && (!lastReadiness || lastSetback.source.occurredAt > lastReadiness.source.occurredAt);

  const confidence = Math.min(0.98, Math.max(0.02, sigmoid(0.45 * score - 1.6)));
  const recentYes =
    lastReadiness &&
    now.getTime() - new Date(lastReadiness.source.occurredAt).getTime() <= HALF_LIFE_DAYS * DAY;
  let decision: Decision;
  if (setbackAfterYes && lastSetback?.type === 'negation') decision = 'not_ready';
  else if (confidence < 0.25) decision = 'not_ready';
  else if (confidence >= 0.75 && recentYes && !setbackAfterYes) decision = 'go';
  else decision = 'needs_rep_confirmation';

  const strategy = buildStrategy(deal, signals, options);
  const listed = weighted
    .filter(({ s }) => s.speaker !== 'seller')
    .sort((a, b) => Math.abs(b.w) - Math.abs(a.w))
    .map(({ s, w }): AssessedSignal => ({
      type: s.type,
      polarity: s.polarity,
      readiness: s.readiness,
      quote: s.quote.length > 400 ? `${s.quote.slice(0, 397)}...` : s.quote,
      qualifiers: s.qualifiers,
      source: s.source,
      weight: Math.round(w * 1000) / 1000,
    }));
  const discount = discountFacts(deal);
  const facts = {
    score: Math.round(score * 1000) / 1000,
    activityCount: deal.activities.length,
    weightedDiscountPercent: discount.weighted,
    maxDiscountPercent: discount.max,
    lastReadinessAt: lastReadiness?.source.occurredAt ?? null,
    lastSetbackAt: lastSetback?.source.occurredAt ?? null,
    economicBuyer: economicBuyer
      ? `${economicBuyer.name}${economicBuyer.title ? `, ${economicBuyer.title}` : ''}`
      : null,
    daysToCloseDate: daysToClose,
  };
  return {
    confidence: Math.round(confidence * 1000) / 1000,
    decision,
    signals: listed,
    strategy,
    reasoning: explain(deal, decision, confidence, listed, facts, lastReadiness, lastSetback, options),
    facts,
  };
}

function discountFacts(deal: DealContext): { weighted: number; max: number } {
  let list = 0;
  let net = 0;
  let max = 0;
  for (const li of deal.lineItems) {
    list += Math.round(li.quantity * li.unitPriceMinor);
    net += li.totalPriceMinor;
    max = Math.max(max, li.discountPercent);
  }
  const weighted = list > 0 ? Math.round((1 - net / list) * 10_000) / 100 : 0;
  return { weighted, max };
}

function buildStrategy(deal: DealContext, signals: Signal[], options: AssessmentOptions): Strategy {
  const { weighted, max } = discountFacts(deal);
  const authority = options.repDiscountAuthorityPercent;
  const discountAuthority =
    max > authority
      ? `Discount up to ${max}% (${weighted}% across the deal) exceeds the ${authority}% rep authority: expect Sales VP approval; hold the price and trade any further concession for term length or volume.`
      : `Discount ${max}% is within the ${authority}% rep authority: no discount approval needed; avoid further concessions.`;
  const families = new Set(deal.lineItems.map((li) => (li.family ?? '').toLowerCase()));
  const upsell: string[] = [];
  for (const [family, pitch] of [
    ['support', 'No support line on the deal: offer premium support, priced into the first year.'],
    ['training', 'No training line: propose onboarding training to protect adoption.'],
    ['services', 'No implementation services: offer a fixed-scope implementation package.'],
  ] as const) {
    if (!families.has(family)) upsell.push(pitch);
  }
  const employees = deal.account?.employees ?? null;
  const seats = deal.lineItems
    .filter((li) =>
      /platform|subscription|seat|user|licen[cs]e/i.test(`${li.family ?? ''} ${li.productName}`),
    )
    .reduce((n, li) => n + li.quantity, 0);
  if (employees && seats > 0 && seats / employees < 0.25) {
    upsell.push(
      `${seats} subscription units for ${employees.toLocaleString('en-US')} employees (${Math.round((seats / employees) * 1000) / 10}%): room for a phased expansion clause.`,
    );
  }
  const stakeholderApproach: string[] = [];
  const roles = deal.contactRoles;
  const has = (re: RegExp) => roles.find((r) => re.test(r.role ?? ''));
  const eb = has(/economic|decision maker|executive sponsor/i);
  if (eb)
    stakeholderApproach.push(
      `Route the paperwork through ${eb.name}${eb.title ? ` (${eb.title})` : ''}, the ${eb.role}.`,
    );
  else
    stakeholderApproach.push(
      'No economic buyer among the contact roles: confirm who signs before sending paperwork.',
    );
  const tech = has(/technical/i);
  if (!tech)
    stakeholderApproach.push('No technical buyer on record: identify who owns the technical sign-off.');
  const concerns = new Map<string, Set<string>>();
  for (const s of signals) {
    if (s.type !== 'security_concern' && s.type !== 'legal_concern') continue;
    const who = s.source.who ?? 'the customer';
    if (!concerns.has(s.type)) concerns.set(s.type, new Set());
    concerns.get(s.type)!.add(who);
  }
  if (concerns.has('security_concern'))
    stakeholderApproach.push(
      `Security topics raised by ${[...concerns.get('security_concern')!].join(', ')}: bring InfoSec in early with the security pack.`,
    );
  if (concerns.has('legal_concern'))
    stakeholderApproach.push(
      `Legal topics raised by ${[...concerns.get('legal_concern')!].join(', ')}: expect legal review; offer the standard clause library first.`,
    );
  const risks: string[] = [];
  const competitor = signals.filter((s) => s.type === 'competitor_mention' && s.speaker !== 'seller');
  if (competitor.length > 0)
    risks.push(
      `Competition mentioned ${competitor.length} time(s), latest: "${competitor.sort((a, b) => b.source.occurredAt.localeCompare(a.source.occurredAt))[0]!.quote.slice(0, 160)}"`,
    );
  const objections = signals.filter((s) => s.type === 'objection' && s.polarity === -1);
  if (objections.length > 0)
    risks.push(`${objections.length} objection(s) on record, e.g. "${objections[0]!.quote.slice(0, 160)}"`);
  return { discountAuthority, upsell, stakeholderApproach, risks };
}

function explain(
  deal: DealContext,
  decision: Decision,
  confidence: number,
  signals: AssessedSignal[],
  facts: Assessment['facts'],
  lastReadiness: Signal | undefined,
  lastSetback: Signal | undefined,
  options: AssessmentOptions,
): string {
  const opp = deal.opportunity;
  const amount = opp.amountMinor === null ? 'no amount' : formatMoney(opp.amountMinor, opp.currency);
  const positive = signals.filter((s) => s.polarity === 1).length;
  const negative = signals.filter((s) => s.polarity === -1).length;
  const parts = [
    `${opp.name} (${amount}, stage ${opp.stageName}): closing confidence ${Math.round(confidence * 100)}% from ${positive} supporting and ${negative} opposing signals in ${facts.activityCount} activities of the last 90 days.`,
  ];
  const days = (iso: string) =>
    Math.max(0, Math.round((options.now.getTime() - new Date(iso).getTime()) / DAY));
  if (lastReadiness)
    parts.push(
      `Latest commitment, ${days(lastReadiness.source.occurredAt)} day(s) ago (${lastReadiness.source.label}): "${lastReadiness.quote.slice(0, 200)}"`,
    );
  else parts.push('No unqualified commitment from the buyer on record.');
  if (lastSetback)
    parts.push(
      `Latest setback, ${days(lastSetback.source.occurredAt)} day(s) ago (${lastSetback.source.label}): "${lastSetback.quote.slice(0, 200)}"`,
    );
  if (facts.economicBuyer) parts.push(`Economic buyer: ${facts.economicBuyer}.`);
  if (facts.daysToCloseDate !== null)
    parts.push(
      `Close date ${facts.daysToCloseDate >= 0 ? `in ${facts.daysToCloseDate}` : `${-facts.daysToCloseDate} days past`} day(s).`,
    );
  const verdict = {
    go: 'Decision: go — the buyer has committed recently and nothing since takes it back.',
    needs_rep_confirmation: `Decision: needs rep confirmation — the evidence is not conclusive${options.trigger === 'Rep' ? '; the rep started the closure, which confirms it' : ''}.`,
    not_ready: 'Decision: not ready — the latest evidence works against closing now.',
  }[decision];
  parts.push(verdict);
  return parts.join(' ');
}
