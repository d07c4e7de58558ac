/**
 * From the language module's reading of the deal and the deal's own data to a closing
 * confidence, a go / needs-rep-confirmation / not-ready decision and a strategy. The confidence is
 * the module's calibrated readiness probability; the deal's data (stage, close date, contact
 * roles, the age of the yes) can hold a go back for the rep to confirm, and says why. Every number
 * in the reasoning comes from the deal or the reading.
 */
import { z } from 'zod';
import type { DealContext } from '../../ports/crm.ts';
import {
  HANDOFF_FACTS,
  RequestedTermsSchema,
  SIGNALS,
  type HandoffFact,
  type DealReading,
  type Evidence,
  type SignalName,
} from '../../ports/language.ts';
import { formatMoney } from '../../domain/money.ts';
import type { TextOrigin } from './deal-texts.ts';
import { StrategyEvidenceSchema } from './history-evidence.ts';

const DAY = 86_400_000;
/** A yes older than this is stale: the rep confirms it still stands. */
const STALE_YES_DAYS = 30;
/** How many passages each signal keeps as evidence. */
const EVIDENCE_PER_SIGNAL = 5;

const POSITIVE: ReadonlySet<SignalName> = new Set([
  'explicit_commitment',
  'paperwork_request',
  'budget_confirmed',
  'decision_maker_present',
  'timeline_urgency',
]);
const NEGATIVE: ReadonlySet<SignalName> = new Set(['objection', 'hesitation', 'negation']);
const READINESS: ReadonlySet<SignalName> = new Set(['explicit_commitment', 'paperwork_request']);

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
  /** The calibrated probability, signed by the signal's direction. */
  weight: z.number(),
  /** Where the quote is: character offsets into the record's text (`field`: transcript, email, description, …). */
  span: z.object({ start: z.number().int(), end: z.number().int(), field: z.string() }).optional(),
});
export type AssessedSignal = z.infer<typeof AssessedSignalSchema>;

export const StrategySchema = z.object({
  discountAuthority: z.string(),
  upsell: z.array(z.string()),
  stakeholderApproach: z.array(z.string()),
  risks: z.array(z.string()),
  /** The record against each competitor named in the deal, from the org's closed deals. */
  competitive: z.array(z.string()).optional(),
  /** The figures and deals behind the competitive, discount and upsell recommendations. */
  evidence: StrategyEvidenceSchema.optional(),
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
  /** What the buyer asked for in this contract, each term with its evidence. */
  terms: RequestedTermsSchema.optional(),
  competitors: z.array(z.string()).optional(),
  languages: z.record(z.string(), z.number()).optional(),
  /** The buyer's success criteria, the seller's commitments and technical requirements, as read. */
  handoffFacts: z.record(z.string(), z.array(AssessedSignalSchema)).optional(),
  /** What the latest decisive words are (the language module's reading). */
  readinessState: z.enum(['committed', 'refused', 'hesitating', 'undecided']).optional(),
  model: z.string().optional(),
});
export type Assessment = z.infer<typeof AssessmentSchema>;

export interface AssessmentOptions {
  now: Date;
  /** Discount a rep may give without approval, in percent. */
  repDiscountAuthorityPercent: number;
  trigger: 'Rep' | 'Signal';
}

/** Where each text came from, by record id and source, for labels the rep recognises. */
export type Origins = (recordId: string, source: string) => TextOrigin;

const round3 = (x: number) => Math.round(x * 1000) / 1000;

export function assessedSignal(
  type: SignalName | HandoffFact,
  e: Evidence,
  origins: Origins,
): AssessedSignal {
  const o = origins(e.span.recordId, e.span.source);
  const polarity = POSITIVE.has(type as SignalName) ? 1 : NEGATIVE.has(type as SignalName) ? -1 : 0;
  return {
    type,
    polarity,
    readiness: READINESS.has(type as SignalName),
    quote: e.excerpt.length > 400 ? `${e.excerpt.slice(0, 397)}...` : e.excerpt,
    qualifiers: [`probability ${e.probability}`],
    source: {
      kind: o.kind,
      recordId: e.span.recordId,
      occurredAt: e.span.occurredAt,
      label: o.label,
      who: o.who,
    },
    weight: round3(polarity === 0 ? e.probability : polarity * e.probability),
    span: { start: e.span.start, end: e.span.end, field: e.span.source },
  };
}

export function assess(
  deal: DealContext,
  reading: Omit<DealReading, 'passages'>,
  origins: Origins,
  options: AssessmentOptions,
): Assessment {
  const { now } = options;
  const confidence = round3(reading.readiness.probability);
  const signals = SIGNALS.flatMap((type) =>
    reading.signals[type].slice(0, EVIDENCE_PER_SIGNAL).map((e) => assessedSignal(type, e, origins)),
  ).sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight));
  const basis = reading.readiness.basis;
  const setbacks = (['negation', 'hesitation'] as const)
    .flatMap((t) => reading.signals[t])
    .sort((a, b) => b.span.occurredAt.localeCompare(a.span.occurredAt));
  const lastSetback = setbacks[0];
  const roles = deal.contactRoles;
  const economicBuyer =
    roles.find((r) => /economic|decision maker|executive sponsor/i.test(r.role ?? '')) ?? null;
  const daysToClose = daysToCloseDate(deal, now);
  const { decision, holds } = decide(
    deal,
    confidence,
    reading.readiness.state,
    // The description and next step carry no date of their own: their yes cannot be called stale.
    basis && confidence >= 0.5 && basis.span.source !== 'description' && basis.span.source !== 'next_step'
      ? basis.span.occurredAt
      : null,
    now,
  );
  const discount = discountFacts(deal);
  const facts = {
    score: round3(Math.log(Math.max(1e-6, confidence) / Math.max(1e-6, 1 - confidence))),
    activityCount: deal.activities.length,
    weightedDiscountPercent: discount.weighted,
    maxDiscountPercent: discount.max,
    lastReadinessAt: basis && confidence >= 0.5 ? basis.span.occurredAt : null,
    lastSetbackAt: lastSetback?.span.occurredAt ?? null,
    economicBuyer: economicBuyer
      ? `${economicBuyer.name}${economicBuyer.title ? `, ${economicBuyer.title}` : ''}`
      : null,
    daysToCloseDate: daysToClose,
  };
  const strategy = buildStrategy(
    deal,
    signals,
    options,
    reading.competitors.map((c) => c.name),
  );
  return {
    confidence,
    decision,
    signals,
    strategy,
    reasoning: explain(deal, decision, confidence, { basis, lastSetback, holds, facts, origins, reading }),
    facts,
    terms: reading.terms,
    competitors: [...new Set(reading.competitors.map((c) => c.name))],
    languages: reading.languages,
    readinessState: reading.readiness.state,
    handoffFacts: Object.fromEntries(
      HANDOFF_FACTS.map((f) => [
        f,
        (reading.handoff?.[f] ?? [])
          .slice(0, 8)
          .map((e) => ({ ...assessedSignal(f, e, origins), polarity: 0, readiness: false })),
      ]),
    ),
    model: reading.model.version,
  };
}

/** Days from now to the opportunity's close date (negative once it has passed), if it has one. */
function daysToCloseDate(deal: DealContext, now: Date): number | null {
  const close = deal.opportunity.closeDate;
  return close ? Math.round((new Date(`${close}T00:00:00Z`).getTime() - now.getTime()) / DAY) : null;
}

/**
 * The decision from the calibrated readiness and the deal's data: go from 0.8 when nothing in the
 * deal holds it back (a stale yes, a close date long past, an early stage), not ready below 0.2
 * when the latest decisive words are a refusal, the rep confirms everything else.
 */
export function decide(
  deal: DealContext,
  confidence: number,
  state: DealReading['readiness']['state'],
  lastYesAt: string | null,
  now: Date,
): { decision: Decision; holds: string[] } {
  const holds: string[] = [];
  if (lastYesAt) {
    const age = Math.round((now.getTime() - new Date(lastYesAt).getTime()) / DAY);
    if (age > STALE_YES_DAYS) holds.push(`the latest yes is ${age} days old`);
  }
  const daysToClose = daysToCloseDate(deal, now);
  if (daysToClose !== null && daysToClose < -30) holds.push(`the close date passed ${-daysToClose} days ago`);
  const probability = deal.opportunity.probability;
  if (probability !== null && probability < 20)
    holds.push(`the opportunity is at stage ${deal.opportunity.stageName} (${probability}%)`);
  // Not ready takes a refusal on record; a low readiness from hesitation alone is the rep's call.
  const decision: Decision =
    confidence < 0.2 && state === 'refused'
      ? 'not_ready'
      : confidence >= 0.8 && holds.length === 0
        ? 'go'
        : 'needs_rep_confirmation';
  return { decision, holds };
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

function buildStrategy(
  deal: DealContext,
  signals: AssessedSignal[],
  options: AssessmentOptions,
  competitors: string[],
): Strategy {
  const { weighted, max } = discountFacts(deal);
  const authority = options.repDiscountAuthorityPercent;
  // What to do about the discount and what to add come from the org's closed deals
  // (history-strategy.ts); from the deal alone, only where it stands against the rep's authority.
  const discountAuthority =
    max > authority
      ? `Discount up to ${max}% (${weighted}% across the deal) exceeds the ${authority}% rep authority: expect Sales VP approval.`
      : `Discount ${max}% is within the ${authority}% rep authority: no discount approval needed.`;
  const upsell: string[] = [];
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
  const competitor = signals
    .filter((s) => s.type === 'competitor_mention')
    .sort((a, b) => b.source.occurredAt.localeCompare(a.source.occurredAt));
  if (competitor.length > 0)
    risks.push(
      `Competition mentioned in ${competitor.length} passage(s)${competitors.length > 0 ? ` (${[...new Set(competitors)].join(', ')})` : ''}, latest: "${competitor[0]!.quote.slice(0, 160)}"`,
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
  x: {
    basis: Evidence | null;
    lastSetback: Evidence | undefined;
    holds: string[];
    facts: Assessment['facts'];
    origins: Origins;
    reading: Omit<DealReading, 'passages'>;
  },
): string {
  const opp = deal.opportunity;
  const amount = opp.amountMinor === null ? 'no amount' : formatMoney(opp.amountMinor, opp.currency);
  const languages = Object.entries(x.reading.languages)
    .filter(([l]) => l !== 'und')
    .map(([l, n]) => `${l} ${n}`)
    .join(', ');
  const parts = [
    `${opp.name} (${amount}, stage ${opp.stageName}): the buyer is ready to close with probability ${Math.round(confidence * 100)}%, read from ${Object.values(x.reading.languages).reduce((a, b) => a + b, 0)} passage(s)${languages ? ` (${languages})` : ''} in ${x.facts.activityCount} activities and the closure's own text.`,
  ];
  const label = (e: Evidence) => x.origins(e.span.recordId, e.span.source).label;
  if (x.basis && confidence >= 0.5)
    parts.push(
      `Latest commitment (${label(x.basis)}, ${x.basis.span.occurredAt.slice(0, 10)}): "${x.basis.excerpt.slice(0, 200)}"`,
    );
  else if (x.basis) parts.push(`Strongest evidence (${label(x.basis)}): "${x.basis.excerpt.slice(0, 200)}"`);
  else parts.push('No words from the buyer on record.');
  if (x.lastSetback)
    parts.push(
      `Latest setback (${label(x.lastSetback)}, ${x.lastSetback.span.occurredAt.slice(0, 10)}): "${x.lastSetback.excerpt.slice(0, 200)}"`,
    );
  if (x.facts.economicBuyer) parts.push(`Economic buyer: ${x.facts.economicBuyer}.`);
  if (x.facts.daysToCloseDate !== null)
    parts.push(
      `Close date ${x.facts.daysToCloseDate >= 0 ? `in ${x.facts.daysToCloseDate}` : `${-x.facts.daysToCloseDate} days past`} day(s).`,
    );
  const verdict = {
    go: 'Decision: go — the buyer has committed and nothing since takes it back.',
    needs_rep_confirmation:
      x.holds.length > 0 && confidence >= 0.8
        ? `Decision: needs rep confirmation — the words say yes, but ${x.holds.join('; ')}.`
        : x.reading.readiness.state === 'hesitating'
          ? 'Decision: needs rep confirmation — the buyer is hesitating or objecting, not refusing.'
          : 'Decision: needs rep confirmation — the evidence is not conclusive.',
    not_ready: 'Decision: not ready — the latest evidence works against closing now.',
  }[decision];
  parts.push(verdict);
  return parts.join(' ');
}
