/**
 * The named facts the clause library's conditions read, derived from the deal as Salesforce holds
 * it and from what the buyer asked for during the sale, as the language module read it from all of
 * the deal's words (the Deal Closure Agent's reading). Also: the facts a contract cannot be written
 * without (billing country, amount, products), and the customer's requests that no library clause
 * answers, carried verbatim so they reach Legal instead of being dropped.
 */
import type { DealContext } from '../../ports/crm.ts';
import type { RequestedTerms } from '../../ports/language.ts';
import { fromMinor } from '../../domain/money.ts';
import type { DealFacts } from '@dealdesk/contracts';
import type { ModelRequestTopics, RequestTopic } from './clause-library.ts';
import type { CarriedTerm } from './account-history.ts';
import { historyFacts, historyRequests, historySource, type HistoryFacts } from './history-apply.ts';

/** What Deal Closure found in the activity history (a subset of its AssessedSignal). */
export interface SaleSignal {
  type: string;
  quote: string;
  source: { label: string; recordId?: string };
}

const SOURCE_NAMES: Record<string, string> = {
  transcript: 'call transcript supplied with the closure',
  note: "rep's note with the closure",
  description: 'Opportunity description',
  next_step: 'Opportunity next step',
};

/** A record's label as the Deal Closure Agent named it, for the requests' sources. */
export function labelFrom(signals: SaleSignal[]): (recordId: string, source: string) => string {
  return (recordId, source) =>
    SOURCE_NAMES[source] ??
    signals.find((s) => s.source.recordId === recordId)?.source.label ??
    `${source} ${recordId}`;
}

export interface CustomRequest {
  topic: string;
  text: string;
  source: string;
  /** Library clauses that answer the request when selected; none for a non-standard request. */
  coveredBy: string[];
  /** For a request carried from the account's earlier contracts: why (thresholds met, versions). */
  history?: string;
}

export interface DerivedDeal {
  facts: DealFacts;
  totalMinor: number;
  termMonths: number;
  startDate: string;
  endDate: string;
  customRequests: CustomRequest[];
}

const EU_EEA = new Set([
  'Austria',
  'Belgium',
  'Bulgaria',
  'Croatia',
  'Cyprus',
  'Czechia',
  'Denmark',
  'Estonia',
  'Finland',
  'France',
  'Germany',
  'Greece',
  'Hungary',
  'Ireland',
  'Italy',
  'Latvia',
  'Lithuania',
  'Luxembourg',
  'Malta',
  'Netherlands',
  'Poland',
  'Portugal',
  'Romania',
  'Slovakia',
  'Slovenia',
  'Spain',
  'Sweden',
  'Iceland',
  'Liechtenstein',
  'Norway',
]);
const COUNTRY_ALIASES: Record<string, string> = {
  usa: 'United States',
  us: 'United States',
  'u.s.': 'United States',
  'u.s.a.': 'United States',
  'united states of america': 'United States',
  uk: 'United Kingdom',
  'great britain': 'United Kingdom',
  england: 'United Kingdom',
  scotland: 'United Kingdom',
  wales: 'United Kingdom',
  deutschland: 'Germany',
  'czech republic': 'Czechia',
  holland: 'Netherlands',
  'the netherlands': 'Netherlands',
};

export function normaliseCountry(country: string): string {
  const trimmed = country.trim();
  return COUNTRY_ALIASES[trimmed.toLowerCase()] ?? trimmed;
}

export function regionOf(country: string): 'EU' | 'UK' | 'US' | 'Other' {
  if (EU_EEA.has(country)) return 'EU';
  if (country === 'United Kingdom') return 'UK';
  if (country === 'United States') return 'US';
  return 'Other';
}

/** The facts a contract cannot be written without, named as the rep finds them in Salesforce. */
export function missingFacts(deal: DealContext): string[] {
  return [
    !deal.account ? 'account (Opportunity.AccountId)' : null,
    deal.account && !deal.account.billingCountry?.trim() ? 'billing country (Account.BillingCountry)' : null,
    deal.opportunity.amountMinor === null ? 'amount (Opportunity.Amount)' : null,
    deal.lineItems.length === 0 ? 'products (Opportunity line items)' : null,
  ].filter((m): m is string => m !== null);
}

const SERVICE = /implementation|training|consulting|professional services|onboarding/i;

function sentences(text: string | null | undefined): string[] {
  if (!text) return [];
  return text
    .split(/\n+|(?<=[.!?])\s+(?=[A-Z(])/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function addMonths(iso: string, months: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d.toISOString().slice(0, 10);
}

/** The last day of a term that starts on `start` and runs `months` months. */
export function termEnd(start: string, months: number): string {
  const next = new Date(`${addMonths(start, months)}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() - 1);
  return next.toISOString().slice(0, 10);
}

/** The requests the language module reads, as the library names them (requests.json). */
function modelRequests(
  terms: RequestedTerms | null,
  topics: ModelRequestTopics,
  label: (recordId: string, source: string) => string,
): CustomRequest[] {
  if (!terms) return [];
  const out: CustomRequest[] = [];
  const add = (
    key: keyof ModelRequestTopics,
    evidence: keyof RequestedTerms['evidence'] | undefined,
    text?: string,
    source?: string,
  ) => {
    const t = topics[key];
    const e = evidence ? terms.evidence[evidence] : undefined;
    out.push({
      topic: t.topic,
      text: text ?? e?.excerpt ?? t.topic,
      source: source ?? (e ? label(e.span.recordId, e.span.source) : 'deal notes'),
      coveredBy: t.coveredBy,
    });
  };
  if (terms.residency) add(`residency_${terms.residency}`, 'residency');
  if (terms.healthData) add('health_data', 'healthData');
  if (terms.securityReview) add('security_review', 'securityReview');
  if (terms.multiYear) add('multi_year', 'multiYear');
  for (const n of terms.nonStandard) add(n.kind, undefined, n.text, label(n.span.recordId, n.span.source));
  return out;
}

type LineItem = DealContext['lineItems'][number];

export interface DeriveOptions {
  defaultTermMonths: number;
  today: string;
  requestTopics: RequestTopic[];
  modelRequestTopics: ModelRequestTopics;
  /** What the buyer asked for, as the language module read it; null when nothing was read. */
  terms: RequestedTerms | null;
  /** Terms pre-included from the account's earlier contracts (where the buyer said nothing). */
  carried?: CarriedTerm[];
}

/**
 * The term's length: the products' own ("3-year" subscription line), else the length the buyer
 * asked for (the language module's multi-year reading), else the default.
 */
function termMonthsOf(deal: DealContext, terms: RequestedTerms | null, defaultTermMonths: number): number {
  const lineText = deal.lineItems.map((li) => `${li.productName} ${li.description ?? ''}`).join('\n');
  const years = /(\d+)[- ]?(?:year|yr)s?\b/i.exec(lineText)?.[1];
  return years ? Number(years) * 12 : (terms?.termMonths ?? defaultTermMonths);
}

/** The first service date from today on, else the close date when still ahead, else today. */
function startDateOf(deal: DealContext, today: string): string {
  const opp = deal.opportunity;
  const serviceDates = deal.lineItems
    .map((li) => li.serviceDate)
    .filter((d): d is string => d !== null)
    .sort();
  return (
    serviceDates.find((d) => d >= today) ?? (opp.closeDate && opp.closeDate >= today ? opp.closeDate : today)
  );
}

const isService = (li: LineItem) =>
  li.family === 'Services' ||
  li.family === 'Training' ||
  (li.family === null && SERVICE.test(li.productName));

/** The payment, invoicing and residency terms: the buyer's, else the account history's. */
interface AskedTerms {
  past: HistoryFacts;
  /** The history's payment days and invoicing, only where the buyer named none. */
  pastPayment: CarriedTerm | null;
  pastBilling: CarriedTerm | null;
  requestedPaymentDays: number;
  billingFrequency: NonNullable<RequestedTerms['billing']>;
  dataResidency: DealFacts['dataResidency'];
}

function askedTerms(terms: RequestedTerms | null, carried: CarriedTerm[]): AskedTerms {
  // History fills in only what the buyer left unsaid: the decision dropped every term they spoke to.
  const past = historyFacts(carried);
  const pastPayment = terms?.paymentDays == null ? past.paymentDays : null;
  const pastBilling = terms?.billing == null ? past.billing : null;
  const requestedPaymentDays = Math.max(30, terms?.paymentDays ?? Number(pastPayment?.value ?? 0));
  const billingFrequency = terms?.billing ?? (pastBilling?.value as RequestedTerms['billing']) ?? 'annual';
  const residency = terms?.residency ?? past.residency;
  const dataResidency = residency === 'EU' || residency === 'UK' || residency === 'US' ? residency : 'none';
  return { past, pastPayment, pastBilling, requestedPaymentDays, billingFrequency, dataResidency };
}

/** Admins' own request topics (requests.json) over every text of the deal, added to `customRequests`. */
function addTopicRequests(
  deal: DealContext,
  signals: SaleSignal[],
  topics: RequestTopic[],
  customRequests: CustomRequest[],
): void {
  const opp = deal.opportunity;
  const candidates = [
    ...signals.map((sig) => ({ text: sig.quote, source: sig.source.label })),
    ...sentences(opp.description).map((text) => ({ text, source: 'Opportunity description' })),
    ...sentences(opp.nextStep).map((text) => ({ text, source: 'Opportunity next step' })),
    ...deal.activities.flatMap((a) =>
      sentences(`${a.subject ?? ''}\n${a.body ?? ''}`).map((text) => ({ text, source: a.subject ?? a.kind })),
    ),
  ];
  for (const t of topics) {
    if (customRequests.some((r) => r.topic === t.topic)) continue;
    const hit = candidates.find(
      (c) =>
        t.re.test(c.text) &&
        // A generic line ("special terms") is only a request of its own when no specific topic explains it.
        (!t.generic || (!topics.some((o) => !o.generic && o.re.test(c.text)) && customRequests.length === 0)),
    );
    if (hit)
      customRequests.push({ topic: t.topic, text: hit.text, source: hit.source, coveredBy: t.coveredBy });
  }
}

/** Where a payment or invoicing term was asked for: the buyer's words, else the history, else the notes. */
function termSource(
  evidence: RequestedTerms['evidence'][string] | undefined,
  past: CarriedTerm | null,
  label: (recordId: string, source: string) => string,
): string {
  if (evidence) return label(evidence.span.recordId, evidence.span.source);
  return past ? historySource(past) : 'deal notes';
}

/** Payment days and invoicing beyond what the library offers, as requests for Legal. */
function paymentAndBillingRequests(
  terms: RequestedTerms | null,
  asked: AskedTerms,
  label: (recordId: string, source: string) => string,
): CustomRequest[] {
  const { requestedPaymentDays, billingFrequency, pastPayment, pastBilling } = asked;
  const out: CustomRequest[] = [];
  if (requestedPaymentDays > 60)
    out.push({
      topic: 'payment terms',
      text: `Payment terms of net ${requestedPaymentDays} days (the library offers net 30, 45 or 60).`,
      source: termSource(terms?.evidence['paymentDays'], pastPayment, label),
      coveredBy: [],
      ...(pastPayment ? { history: pastPayment.reason } : {}),
    });
  if (billingFrequency === 'monthly' || billingFrequency === 'semiannual')
    out.push({
      topic: `${billingFrequency} invoicing`,
      text: `${billingFrequency === 'monthly' ? 'Monthly' : 'Semi-annual'} invoicing of subscription fees (the library offers annual or quarterly).`,
      source: termSource(terms?.evidence['billing'], pastBilling, label),
      coveredBy: [],
      ...(pastBilling ? { history: pastBilling.reason } : {}),
    });
  return out;
}

/** The customer's requests: the language module's, the history's, the admins' topics, then payment and invoicing. */
function customRequestsOf(
  deal: DealContext,
  signals: SaleSignal[],
  options: DeriveOptions,
  asked: AskedTerms,
): CustomRequest[] {
  const label = labelFrom(signals);
  const customRequests: CustomRequest[] = [
    ...modelRequests(options.terms, options.modelRequestTopics, label),
    ...historyRequests(options.carried ?? [], { modelRequestTopics: options.modelRequestTopics }),
  ];
  addTopicRequests(deal, signals, options.requestTopics, customRequests);
  customRequests.push(...paymentAndBillingRequests(options.terms, asked, label));
  return customRequests;
}

/** What the facts are computed from, beside the deal. */
interface FactInputs {
  signals: SaleSignal[];
  terms: RequestedTerms | null;
  asked: AskedTerms;
  customRequests: CustomRequest[];
  totalMinor: number;
  termMonths: number;
}

function dealFactsOf(deal: DealContext, inputs: FactInputs): DealFacts {
  const { signals, terms, asked, customRequests, totalMinor, termMonths } = inputs;
  const { past } = asked;
  const opp = deal.opportunity;
  const account = deal.account!;
  const currency = opp.currency;
  const hasServices = deal.lineItems.some(isService);
  const servicesOnly = deal.lineItems.length > 0 && deal.lineItems.every(isService);
  const legalRequest = terms?.nonStandard.some((n) => n.kind !== 'mfn_pricing') ?? false;

  const rate = deal.currencyRates[currency] ?? 1;
  const contractValue = fromMinor(totalMinor, currency);
  const contractValueCorporate = Math.round((contractValue / rate) * 100) / 100;
  const country = normaliseCountry(account.billingCountry ?? '');
  const industry = account.industry?.trim() || null;
  return {
    industry,
    billingCountry: country,
    region: regionOf(country),
    employees: account.employees,
    currency,
    contractValue,
    contractValueCorporate,
    annualValueCorporate: Math.round(((contractValueCorporate * 12) / termMonths) * 100) / 100,
    termMonths,
    multiYear: termMonths > 12,
    maxDiscountPercent: Math.max(0, ...deal.lineItems.map((l) => l.discountPercent)),
    opportunityType: opp.type,
    securityConcern:
      signals.some((s) => s.type === 'security_concern') ||
      (terms?.securityReview ?? false) ||
      past.securityReview,
    legalConcern: signals.some((s) => s.type === 'legal_concern') || legalRequest,
    customTermsRequested: customRequests.length > 0,
    requestedPaymentDays: asked.requestedPaymentDays,
    billingFrequency: asked.billingFrequency,
    dataResidency: asked.dataResidency,
    healthData:
      /health|hospital|medical|pharma/i.test(industry ?? '') ||
      (terms?.healthData ?? false) ||
      past.healthData,
    hasSubscription: !servicesOnly,
    hasServices,
    servicesOnly,
    hasIot: deal.lineItems.some((li) => /\biot\b/i.test(`${li.productName} ${li.productCode ?? ''}`)),
    hasPremiumSupport: deal.lineItems.some(
      (li) => li.family === 'Support' || /premium support/i.test(li.productName),
    ),
  };
}

export function deriveDeal(deal: DealContext, signals: SaleSignal[], options: DeriveOptions): DerivedDeal {
  const totalMinor = deal.lineItems.reduce((s, li) => s + li.totalPriceMinor, 0);
  const terms = options.terms;
  const termMonths = termMonthsOf(deal, terms, options.defaultTermMonths);
  const startDate = startDateOf(deal, options.today);
  const asked = askedTerms(terms, options.carried ?? []);
  const customRequests = customRequestsOf(deal, signals, options, asked);
  const facts = dealFactsOf(deal, { signals, terms, asked, customRequests, totalMinor, termMonths });
  return {
    facts,
    totalMinor,
    termMonths,
    startDate,
    endDate: termEnd(startDate, termMonths),
    customRequests,
  };
}
