/**
 * The named facts the clause library's conditions read, derived from the deal as Salesforce holds
 * it and from what the buyer said during the sale. Also: the facts a contract cannot be written
 * without (billing country, amount, products), and the customer's requests that no library clause
 * answers, carried verbatim so they reach Legal instead of being dropped.
 */
import type { DealContext } from '../../ports/crm.ts';
import { fromMinor } from '../../domain/money.ts';
import type { DealFacts } from './conditions.ts';
import type { RequestTopic } from './clause-library.ts';

/** What Deal Closure found in the activity history (a subset of its AssessedSignal). */
export interface SaleSignal {
  type: string;
  quote: string;
  source: { label: string };
}

export interface CustomRequest {
  topic: string;
  text: string;
  source: string;
  /** Library clauses that answer the request when selected; none for a non-standard request. */
  coveredBy: string[];
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

const EU_RESIDENCY = new RegExp(
  String.raw`\bEU data residency\b|\bdata residency\b[^.\n]{0,30}\bEU\b|\b(stay|stays|hosted|hosting|stored|kept) in (the EU|the European Union|Europe|Frankfurt|${[...EU_EEA].join('|')})\b|\b(EU|European Union|Frankfurt)\b[^.\n]{0,40}\b(residency|hosting|hosted|data cent(er|re))\b`,
  'i',
);
const US_RESIDENCY = /\bUS[- ]only\b|\bUS data residency\b/;
const SECURITY =
  /\bsecurity (questionnaire|review|assessment|team|requirements?)\b|\binfosec\b|\bpen(etration)? test|\bsoc ?2\b|\biso ?27001\b|\bright to audit\b|\bvda isa\b|\bsso\b.*\bscim\b|\bscim\b/i;
const LEGAL =
  /\bredlines?\b|\bdpa\b|\bindemnit(y|ies|ication)\b|\bliability cap\b|\buncapped\b|\bunlimited liability\b|\blegal review\b/i;
const HEALTH = /\b(phi|hipaa|baa|business associate|patient data|protected health)\b/i;
const SERVICE = /implementation|training|consulting|professional services|onboarding/i;
const WORDS: Record<string, number> = { one: 1, two: 2, three: 3, four: 4, five: 5 };

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

export function deriveDeal(
  deal: DealContext,
  signals: SaleSignal[],
  options: { defaultTermMonths: number; today: string; requestTopics: RequestTopic[] },
): DerivedDeal {
  const opp = deal.opportunity;
  const account = deal.account!;
  const currency = opp.currency;
  const totalMinor = deal.lineItems.reduce((s, li) => s + li.totalPriceMinor, 0);
  const dealTexts = [
    ...sentences(opp.description),
    ...sentences(opp.nextStep),
    ...deal.activities.flatMap((a) => sentences(`${a.subject ?? ''}\n${a.body ?? ''}`)),
  ];
  const allText = [...dealTexts, ...signals.map((s) => s.quote)].join('\n');

  const lineText = deal.lineItems.map((li) => `${li.productName} ${li.description ?? ''}`).join('\n');
  const years =
    /(\d+)[- ]?(?:year|yr)s?\b/i.exec(lineText)?.[1] ??
    /\b(\d+|one|two|three|four|five)[- ]year (?:term|subscription|contract|commitment|agreement|deal)\b/i.exec(
      allText,
    )?.[1];
  const months = /\b(\d{2})[- ]month (?:term|subscription|contract|commitment)\b/i.exec(allText)?.[1];
  const termMonths = months
    ? Number(months)
    : years
      ? (WORDS[years.toLowerCase()] ?? Number(years)) * 12
      : options.defaultTermMonths;

  const serviceDates = deal.lineItems
    .map((li) => li.serviceDate)
    .filter((d): d is string => d !== null)
    .sort();
  const startDate =
    serviceDates.find((d) => d >= options.today) ??
    (opp.closeDate && opp.closeDate >= options.today ? opp.closeDate : options.today);

  const isService = (li: DealContext['lineItems'][number]) =>
    li.family === 'Services' ||
    li.family === 'Training' ||
    (li.family === null && SERVICE.test(li.productName));
  const hasServices = deal.lineItems.some(isService);
  const servicesOnly = deal.lineItems.length > 0 && deal.lineItems.every(isService);

  const paymentDays = [
    ...allText.matchAll(
      /\bnet[- ]?(\d{2,3})\b|\bpayment (?:terms? )?(?:of )?(\d{2,3}) days\b|\b(\d{2,3}) days net\b|\b(\d{2,3})[- ]day payment terms?\b|\bpays? (?:\w+ )?within (\d{2,3}) days\b/gi,
    ),
  ].map((m) => Number(m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5]));
  const requestedPaymentDays = Math.max(30, ...paymentDays);
  const frequency =
    /\b(?:billed|invoiced|pay|paid|invoicing|billing|payments?)\s+(quarterly|monthly)\b|\b(quarterly|monthly) (?:billing|invoicing|invoices|payments|instalments|installments)\b/i.exec(
      allText,
    );
  const billingFrequency = (frequency?.[1] ?? frequency?.[2] ?? 'annual').toLowerCase();
  const dataResidency = EU_RESIDENCY.test(allText) ? 'EU' : US_RESIDENCY.test(allText) ? 'US' : 'none';

  // The customer's own words first (what Deal Closure found), then the rep's notes.
  const candidates = [
    ...signals.map((sig) => ({ text: sig.quote, source: sig.source.label })),
    ...sentences(opp.description).map((text) => ({ text, source: 'Opportunity description' })),
    ...sentences(opp.nextStep).map((text) => ({ text, source: 'Opportunity next step' })),
  ];
  const customRequests: CustomRequest[] = [];
  const topics = options.requestTopics;
  for (const t of topics) {
    const hit = candidates.find(
      (c) =>
        t.re.test(c.text) &&
        // A generic line ("special terms") is only a request of its own when no specific topic explains it.
        (!t.generic || !topics.some((o) => !o.generic && o.re.test(c.text))),
    );
    if (hit)
      customRequests.push({ topic: t.topic, text: hit.text, source: hit.source, coveredBy: t.coveredBy });
  }
  if (requestedPaymentDays > 60)
    customRequests.push({
      topic: 'payment terms',
      text: `Payment terms of net ${requestedPaymentDays} days (the library offers net 30, 45 or 60).`,
      source: 'deal notes',
      coveredBy: [],
    });
  if (billingFrequency === 'monthly')
    customRequests.push({
      topic: 'monthly invoicing',
      text: 'Monthly invoicing of subscription fees (the library offers annual or quarterly).',
      source: 'deal notes',
      coveredBy: [],
    });

  const rate = deal.currencyRates[currency] ?? 1;
  const contractValue = fromMinor(totalMinor, currency);
  const contractValueCorporate = Math.round((contractValue / rate) * 100) / 100;
  const country = normaliseCountry(account.billingCountry ?? '');
  const industry = account.industry?.trim() || null;
  const facts: DealFacts = {
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
    securityConcern: signals.some((s) => s.type === 'security_concern') || SECURITY.test(allText),
    legalConcern: signals.some((s) => s.type === 'legal_concern') || LEGAL.test(allText),
    customTermsRequested: customRequests.length > 0,
    requestedPaymentDays,
    billingFrequency,
    dataResidency,
    healthData: /health|hospital|medical|pharma/i.test(industry ?? '') || HEALTH.test(allText),
    hasSubscription: !servicesOnly,
    hasServices,
    servicesOnly,
    hasIot: deal.lineItems.some((li) => /\biot\b/i.test(`${li.productName} ${li.productCode ?? ''}`)),
    hasPremiumSupport: deal.lineItems.some(
      (li) => li.family === 'Support' || /premium support/i.test(li.productName),
    ),
  };
  return {
    facts,
    totalMinor,
    termMonths,
    startDate,
    endDate: termEnd(startDate, termMonths),
    customRequests,
  };
}
