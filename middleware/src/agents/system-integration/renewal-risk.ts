/**
 * Renewal risk: a 0–100 score with the factors that raised it, from what the sale revealed. The
 * deal's figures (discount, products, contact roles, the signature cycle, the contract's
 * non-standard terms) and the conversation as the language module read it (objections, price
 * sensitivity, competitors named, security concerns, people who joined off the record) each add
 * points with their reason and evidence: the record, and for words the quote and its span. The
 * score is the sum of the points, capped at 100, so the number always explains itself.
 */
import type { ContactRole, DealContext, LineItem } from '../../ports/crm.ts';
import type { RequestedTerms } from '../../ports/language.ts';
import type { AssessedSignal } from '../deal-closure/assessment.ts';
import { formatMoney } from '../../domain/money.ts';
import {
  citeEvidence,
  citeSignal,
  dayOf,
  labelsFrom,
  quoted,
  sameWords,
  type Citation,
} from '../shared/citations.ts';
import { roleOf } from '../shared/participants.ts';

export const RISK_FACTORS = [
  'discount_depth',
  'custom_terms',
  'signature_cycle',
  'competitor',
  'champion',
  'implementation',
  'objection',
  'price_sensitivity',
  'security',
  'stakeholder_change',
] as const;
export type RiskFactorName = (typeof RISK_FACTORS)[number];

export interface RiskEvidence {
  /** `<SObject> <id>` of the record. */
  source: string;
  /** With a span, the quote as written; without, the record's figure the factor used. */
  text: string;
  span?: Citation['span'];
  occurredAt?: string;
}

export interface RiskFactor {
  factor: RiskFactorName;
  points: number;
  reason: string;
  evidence: RiskEvidence[];
}

export interface RenewalRisk {
  score: number;
  level: 'Low' | 'Medium' | 'High';
  factors: RiskFactor[];
}

export interface RenewalRiskInput {
  deal: DealContext;
  signals: AssessedSignal[];
  customTerms: boolean;
  /** Time from sending the envelope to the last signature, and the median of earlier deals. */
  signatureMs: number | null;
  peerSignatureMedianMs: number | null;
  /** The terms the buyer asked for, as the language module read them, with their evidence. */
  terms?: RequestedTerms;
  /** Competitors the module found named. */
  competitors?: string[];
  /** The contract the terms are in: its record, special terms and non-standard clauses. */
  contract?: { source: string; specialTerms: string; nonStandardClauses: string[] };
  /** The envelope the signature cycle was measured on. */
  signatureSource?: string;
  /** The Deal_Closure__c holding the closure's transcript and note, once Salesforce created it. */
  closureRecordId?: string | null;
}

/** The contract's standard payment term: a longer one asked for is price (or cash) sensitivity. */
const STANDARD_PAYMENT_DAYS = 30;
/** How many quotes or records a factor keeps as its evidence. */
const EVIDENCE_KEPT = 3;

const fromCitation = (c: Citation): RiskEvidence => ({
  source: c.source,
  text: c.quote,
  ...(c.span ? { span: c.span } : {}),
  occurredAt: c.occurredAt,
});
const lineEvidence = (li: LineItem): RiskEvidence => ({
  source: `OpportunityLineItem ${li.id}`,
  text: `${li.quantity} × ${li.productName}${li.discountPercent > 0 ? ` at ${li.discountPercent}% discount` : ''}`,
});
/** Text on one line, cut at `max` characters. */
const brief = (text: string, max: number) => {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};
const roleLabel = (r: ContactRole) => `${r.name} (${r.role ?? 'no role'})`;
/** Newest first, so the reason quotes the latest words. */
const newestFirst = (cs: Citation[]) => [...cs].sort((a, b) => b.occurredAt.localeCompare(a.occurredAt));

function discountDepth(deal: DealContext): RiskFactor | undefined {
  const listMinor = deal.lineItems.reduce((s, li) => s + Math.round(li.quantity * li.unitPriceMinor), 0);
  const netMinor = deal.lineItems.reduce((s, li) => s + li.totalPriceMinor, 0);
  const discount = listMinor > 0 ? (1 - netMinor / listMinor) * 100 : 0;
  // Deep first-year discounts make the renewal price a visible increase.
  if (discount < 10) return undefined;
  const money = (m: number) => formatMoney(m, deal.opportunity.currency);
  return {
    factor: 'discount_depth',
    points: Math.min(25, Math.round(discount)),
    reason: `${Math.round(discount * 10) / 10}% discount across the deal (${money(netMinor)} instead of ${money(listMinor)}) makes the undiscounted price at renewal a visible increase of ${money(listMinor - netMinor)}`,
    evidence: deal.lineItems.filter((li) => li.discountPercent > 0).map(lineEvidence),
  };
}

function customTerms(input: RenewalRiskInput): RiskFactor | undefined {
  if (!input.customTerms) return undefined;
  const c = input.contract;
  // Special terms run to several lines (one per request); one line here, the Contract holds them all.
  const special = c ? brief(c.specialTerms, 200) : '';
  const what = [
    c?.nonStandardClauses.length ? `clauses ${c.nonStandardClauses.join(', ')}` : null,
    special ? `"${special}"` : null,
  ].filter(Boolean);
  return {
    factor: 'custom_terms',
    points: 10,
    reason: `non-standard terms must be honoured and renegotiated at renewal${what.length > 0 ? `: ${what.join('; ')}` : ''}`,
    evidence: c
      ? [{ source: c.source, text: brief(c.specialTerms, 400) || c.nonStandardClauses.join(', ') }]
      : [],
  };
}

const duration = (ms: number) =>
  ms >= 48 * 3_600_000 ? `${Math.round(ms / 86_400_000)} days` : `${Math.round(ms / 360_000) / 10} hours`;

function signatureCycle(input: RenewalRiskInput): RiskFactor | undefined {
  const { signatureMs: took, peerSignatureMedianMs: median } = input;
  if (took === null || median === null || median <= 0 || took <= 1.5 * median) return undefined;
  return {
    factor: 'signature_cycle',
    points: 10,
    reason: `signature took ${Math.round((took / median) * 10) / 10}× the median of earlier deals (${duration(took)} against ${duration(median)})`,
    evidence: input.signatureSource ? [{ source: input.signatureSource, text: duration(took) }] : [],
  };
}

function competitor(input: RenewalRiskInput, cite: (s: AssessedSignal) => Citation): RiskFactor | undefined {
  const mentions = input.signals.filter((s) => s.type === 'competitor_mention');
  if (mentions.length === 0) return undefined;
  const names = [...new Set(input.competitors ?? [])];
  const quotes = newestFirst(mentions.map(cite));
  return {
    factor: 'competitor',
    points: Math.min(20, 8 * mentions.length),
    reason: `${names.length > 0 ? names.join(', ') : 'a competitor'} came up ${mentions.length} time(s) during the sale, latest ${quoted(quotes[0]!, 160)}`,
    evidence: quotes.slice(0, EVIDENCE_KEPT).map(fromCitation),
  };
}

function champion(deal: DealContext): RiskFactor | undefined {
  const roles = deal.contactRoles;
  const sponsor = roles.some((r) =>
    /economic buyer|economic decision maker|executive sponsor|decision maker/i.test(r.role ?? ''),
  );
  const primary = roles.some((r) => r.isPrimary);
  if (sponsor && primary && roles.length >= 3) return undefined;
  return {
    factor: 'champion',
    points: (!sponsor ? 10 : 0) + (!primary ? 10 : 0) + (roles.length < 3 ? 5 : 0),
    reason: [
      !sponsor ? 'no economic buyer or sponsor on record' : null,
      !primary ? 'no primary contact' : null,
      roles.length < 3
        ? `only ${roles.length} contact role(s)${roles.length > 0 ? `: ${roles.map(roleLabel).join(', ')}` : ''}`
        : null,
    ]
      .filter(Boolean)
      .join('; '),
    evidence:
      roles.length > 0
        ? roles.map((r) => ({ source: `OpportunityContactRole ${r.id}`, text: roleLabel(r) }))
        : [{ source: `Opportunity ${deal.opportunity.id}`, text: 'no contact roles' }],
  };
}

function implementation(deal: DealContext): RiskFactor | undefined {
  const services = deal.lineItems.filter((li) =>
    /services|implementation|onboarding|integration/i.test(`${li.family ?? ''} ${li.productName}`),
  );
  if (deal.lineItems.length < 5 && services.length === 0) return undefined;
  const names = [...new Set(deal.lineItems.map((li) => li.productName))];
  return {
    factor: 'implementation',
    points: Math.min(15, 3 * deal.lineItems.length + 5 * services.length),
    reason: `${deal.lineItems.length} products (${names.slice(0, 6).join(', ')}${names.length > 6 ? ', …' : ''})${services.length > 0 ? ` including ${services.length} implementation/services line(s)` : ''}: adoption depends on a complex rollout`,
    evidence: (services.length > 0 ? services : deal.lineItems).slice(0, EVIDENCE_KEPT).map(lineEvidence),
  };
}

/** A conversation factor: points per quote up to a cap, the reason quoting the latest. */
function fromQuotes(
  factor: RiskFactorName,
  quotes: Citation[],
  perQuote: number,
  cap: number,
  what: (n: number) => string,
): RiskFactor | undefined {
  if (quotes.length === 0) return undefined;
  const sorted = newestFirst(quotes);
  return {
    factor,
    points: Math.min(cap, perQuote * quotes.length),
    reason: `${what(quotes.length)}, latest ${quoted(sorted[0]!, 160)}`,
    evidence: sorted.slice(0, EVIDENCE_KEPT).map(fromCitation),
  };
}

function priceSensitivity(input: RenewalRiskInput): RiskFactor | undefined {
  const terms = input.terms;
  if (!terms) return undefined;
  const labels = labelsFrom(input.signals);
  const cite = (e: Parameters<typeof citeEvidence>[0]) =>
    citeEvidence(e, input.closureRecordId ?? null, labels);
  const asks: { what: string; citation: Citation }[] = [];
  const payment = terms.evidence['paymentDays'];
  if (terms.paymentDays !== null && terms.paymentDays > STANDARD_PAYMENT_DAYS && payment)
    asks.push({ what: `net ${terms.paymentDays} payment`, citation: cite(payment) });
  for (const ns of terms.nonStandard.filter((n) => n.kind === 'mfn_pricing'))
    asks.push({
      what: 'most-favoured-customer pricing',
      citation: cite({ span: ns.span, excerpt: ns.text }),
    });
  if (asks.length === 0) return undefined;
  return {
    factor: 'price_sensitivity',
    points: Math.min(10, 5 * asks.length),
    reason: `the buyer asked for ${asks.map((a) => a.what).join(' and ')}: ${asks.map((a) => quoted(a.citation, 160)).join('; ')}`,
    evidence: asks.map((a) => fromCitation(a.citation)),
  };
}

function security(input: RenewalRiskInput, cite: (s: AssessedSignal) => Citation): RiskFactor | undefined {
  const concerns = input.signals.filter((s) => s.type === 'security_concern').map(cite);
  const review = input.terms?.securityReview ? input.terms.evidence['securityReview'] : undefined;
  const reviewCitation = review
    ? citeEvidence(review, input.closureRecordId ?? null, labelsFrom(input.signals))
    : undefined;
  const quotes =
    reviewCitation && !concerns.some((c) => sameWords(c, reviewCitation))
      ? [...concerns, reviewCitation]
      : concerns;
  return fromQuotes(
    'security',
    quotes,
    4,
    12,
    (n) => `${n} security concern(s)${review ? ' and a security review' : ''} raised during the sale`,
  );
}

/** Buyer-side people in the conversation whom the opportunity's contact roles do not name. */
function stakeholderChange(deal: DealContext): RiskFactor | undefined {
  const latest = new Map<string, DealContext['activities'][number]>();
  for (const a of deal.activities) {
    // Outbound emails are the seller's; a task without a contact names no one.
    if (a.kind === 'email' ? a.direction === 'outbound' : a.contactId === null) continue;
    const who = a.kind === 'email' ? (a.from ?? a.contactId) : a.contactId;
    if (!who || roleOf(deal.contactRoles, a)) continue;
    const key = who.toLowerCase();
    const seen = latest.get(key);
    if (!seen || seen.occurredAt < a.occurredAt) latest.set(key, a);
  }
  if (latest.size === 0) return undefined;
  const people = [...latest.values()].map((a) => ({
    who: a.kind === 'email' ? (a.from ?? `contact ${a.contactId}`) : `contact ${a.contactId}`,
    a,
  }));
  return {
    factor: 'stakeholder_change',
    points: Math.min(10, 5 * people.length),
    reason: `${people.map((p) => `${p.who} (${p.a.kind === 'email' ? 'email' : (p.a.type ?? 'activity')} ${p.a.occurredAt.slice(0, 10)})`).join(', ')} took part in the sale but ${people.length > 1 ? 'are' : 'is'} not among the opportunity's ${deal.contactRoles.length} contact role(s)`,
    evidence: people.slice(0, EVIDENCE_KEPT).map((p) => ({
      source: `${p.a.kind === 'email' ? 'EmailMessage' : 'Task'} ${p.a.id}`,
      text: `${p.a.kind === 'email' ? 'email from' : `${p.a.type ?? 'activity'} with`} ${p.who}`,
      occurredAt: p.a.occurredAt,
    })),
  };
}

export function renewalRisk(input: RenewalRiskInput): RenewalRisk {
  const cite = (s: AssessedSignal) => citeSignal(s, input.closureRecordId ?? null);
  const setbacks = input.signals.filter((s) => s.type === 'objection' || s.type === 'hesitation').map(cite);
  const factors = [
    discountDepth(input.deal),
    customTerms(input),
    signatureCycle(input),
    competitor(input, cite),
    champion(input.deal),
    implementation(input.deal),
    fromQuotes('objection', setbacks, 5, 15, (n) => `${n} objection(s) or hesitation(s) during the sale`),
    priceSensitivity(input),
    security(input, cite),
    stakeholderChange(input.deal),
  ].filter((f): f is RiskFactor => f !== undefined);
  const score = Math.min(
    100,
    factors.reduce((s, f) => s + f.points, 0),
  );
  return { score, level: score >= 50 ? 'High' : score >= 25 ? 'Medium' : 'Low', factors };
}

/** One piece of evidence on a line: the record, where in it, when, and the quote or figure. */
function evidenceLine(e: RiskEvidence): string {
  const day = e.occurredAt ? dayOf({ occurredAt: e.occurredAt }) : null;
  const where = e.span ? ` (${e.span.field} ${e.span.start}–${e.span.end})` : '';
  return `  - ${e.source}${where}${day ? ` ${day}` : ''}: ${e.span ? `"${brief(e.text, 160)}"` : brief(e.text, 300)}`;
}

/** The factors as Renewal_Risk_Factors__c shows them: points, reason, and each piece of evidence. */
export function describeRisk(risk: RenewalRisk, dealName: string): string {
  if (risk.factors.length === 0) return `No renewal risk factor found in ${dealName}.`;
  return risk.factors
    .flatMap((f) => [
      `+${f.points} ${f.factor.replace(/_/g, ' ')}: ${f.reason}`,
      ...f.evidence.map(evidenceLine),
    ])
    .join('\n');
}
