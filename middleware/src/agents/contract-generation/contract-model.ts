/**
 * The one source of truth every variant is rendered from: parties, lines, figures formatted for
 * the deal's currency and the customer's locale, dates, the numbered clauses and the risk. The
 * full contract, the executive summary and the technical appendix are views of this model.
 */
import Mustache from 'mustache';
import type { DealContext } from '../../ports/crm.ts';
import { amountInWords, formatMoney } from '../../domain/money.ts';
import type { ContractLibrary } from './clause-library.ts';
import type { DerivedDeal } from './deal-facts.ts';
import type { RiskAssessment } from './risk.ts';
import type { SelectedClause, TemplateChoice } from './selection.ts';

export interface Seller {
  name: string;
  address: string;
  country: string;
  governingLaw: string;
}

export interface Signer {
  role: string;
  name: string;
  title: string | null;
  email: string | null;
  contactId: string | null;
  anchor: string;
}

export type VariantName = 'Full' | 'Executive_Summary' | 'Technical_Appendix';
export const VARIANTS: readonly VariantName[] = ['Full', 'Executive_Summary', 'Technical_Appendix'];

const LOCALES: Record<string, string> = {
  'United States': 'en-US',
  'United Kingdom': 'en-GB',
  Ireland: 'en-IE',
  Canada: 'en-CA',
  Australia: 'en-AU',
  Germany: 'de-DE',
  Austria: 'de-AT',
  France: 'fr-FR',
  Netherlands: 'nl-NL',
  Belgium: 'nl-BE',
  Spain: 'es-ES',
  Italy: 'it-IT',
  Sweden: 'sv-SE',
  Denmark: 'da-DK',
  Switzerland: 'de-CH',
  Japan: 'ja-JP',
};

export function localeFor(country: string): string {
  return LOCALES[country] ?? 'en-US';
}

/** Money in the deal's currency as the customer's locale writes it (in a font the PDF can show). */
export function moneyFormatter(currency: string, locale: string): (minor: number) => string {
  // Narrow no-break spaces (fr-FR, sv-SE) are outside the PDF's standard font encoding.
  return (minor) => formatMoney(minor, currency, locale).replace(/\u202f/g, '\u00a0');
}

const DATE = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});
export const formatDate = (iso: string) => DATE.format(new Date(`${iso}T00:00:00Z`));

export interface ContractModel {
  agreementNumber: string;
  version: number;
  effectiveDate: string;
  template: Omit<TemplateChoice, 'source'>;
  seller: Seller;
  customer: { name: string; address: string; country: string };
  currency: string;
  currencyName: string;
  locale: string;
  totalMinor: number;
  annualMinor: number;
  liabilityCapMinor: number;
  termMonths: number;
  startDate: string;
  endDate: string;
  paymentDays: number;
  billingFrequency: 'annually' | 'quarterly' | 'monthly in arrears';
  maxDiscountPercent: number;
  lines: {
    quantity: number;
    product: string;
    productCode: string | null;
    unitPriceMinor: number;
    discountPercent: number;
    totalMinor: number;
  }[];
  clauses: (SelectedClause & { number: number; text: string })[];
  signers: Signer[];
  risk: RiskAssessment;
}

export class TemplateRenderError extends Error {
  override name = 'TemplateRenderError';
}

export function buildSigners(deal: DealContext): Signer[] {
  const roles = deal.contactRoles;
  const pick = (re: RegExp) => roles.find((r) => re.test(r.role ?? ''));
  const signer =
    pick(/economic buyer|economic decision maker|decision maker|executive sponsor/i) ??
    roles.find((r) => r.isPrimary) ??
    roles[0];
  const signers: Signer[] = [];
  if (signer)
    signers.push({
      role: 'Customer',
      name: signer.name,
      title: signer.title,
      email: signer.email,
      contactId: signer.contactId,
      anchor: '/sig1/',
    });
  signers.push({
    role: 'Provider',
    name: deal.opportunity.ownerName ?? 'Authorised signatory',
    title: null,
    email: deal.opportunity.ownerEmail,
    contactId: null,
    anchor: `/sig${signers.length + 1}/`,
  });
  return signers;
}

/** The liability cap the chosen clause commits to, in minor units. */
export function liabilityCapMinor(clauses: SelectedClause[], annualMinor: number): number {
  return clauses.some((c) => c.id === 'liability-cap-enhanced') ? annualMinor * 2 : annualMinor;
}

export function annualValueMinor(totalMinor: number, termMonths: number): number {
  return Math.round((totalMinor * 12) / termMonths);
}

/**
 * Renders a template with the view, first checking that every name it uses exists in the view
 * and every partial it includes exists: mustache itself would print nothing for a typo, and a
 * contract with a silently empty figure is worse than no contract.
 */
export function renderStrict(
  source: string,
  view: object,
  partials: Record<string, string>,
  where: string,
): string {
  const check = (tokens: unknown[], stack: unknown[], inside: string): void => {
    for (const t of tokens as [string, string, number, number, unknown[]?][]) {
      const [type, name] = t;
      if (type === '>') {
        const partial = partials[name];
        if (partial === undefined)
          throw new TemplateRenderError(`${where}: the partial "${name}" does not exist`);
        check(Mustache.parse(partial), stack, `${inside} > ${name}`);
        continue;
      }
      if (!['name', '&', '#', '^'].includes(type) || name === '.') continue;
      const resolved = lookup(stack, name);
      if (resolved === MISSING)
        throw new TemplateRenderError(`${where}${inside}: {{${name}}} is not a field of the contract model`);
      if (type === '#' && t[4]) {
        const children = t[4];
        if (Array.isArray(resolved)) {
          for (const item of resolved.slice(0, 1)) check(children, [...stack, item], inside);
        } else if (resolved && typeof resolved === 'object') check(children, [...stack, resolved], inside);
        else check(children, stack, inside);
      } else if (type === '^' && t[4]) check(t[4], stack, inside);
    }
  };
  try {
    check(Mustache.parse(source), [view], '');
    return Mustache.render(source, view, partials, { escape: (v: unknown) => String(v) });
  } catch (err) {
    if (err instanceof TemplateRenderError) throw err;
    throw new TemplateRenderError(`${where}: ${(err as Error).message}`);
  }
}

const MISSING = Symbol('missing');
function lookup(stack: unknown[], name: string): unknown {
  const [head, ...rest] = name.split('.');
  for (let i = stack.length - 1; i >= 0; i--) {
    const ctx = stack[i];
    if (ctx && typeof ctx === 'object' && head! in ctx) {
      let v: unknown = (ctx as Record<string, unknown>)[head!];
      for (const part of rest) {
        if (v === null || v === undefined) return v;
        if (typeof v !== 'object' || !(part in v)) return MISSING;
        v = (v as Record<string, unknown>)[part];
      }
      return v;
    }
  }
  return MISSING;
}

function firstSentence(text: string): string {
  const m = /^[\s\S]*?[.!?](?=\s|$)/.exec(text);
  return (m ? m[0] : text).trim();
}

export interface ModelInput {
  deal: DealContext;
  derived: DerivedDeal;
  template: TemplateChoice;
  clauses: SelectedClause[];
  risk: RiskAssessment;
  seller: Seller;
  agreementNumber: string;
  effectiveDate: string;
  version: number;
  partials: Record<string, string>;
}

export function buildModel(input: ModelInput): ContractModel {
  const { deal, derived, seller } = input;
  const account = deal.account!;
  const country = derived.facts.billingCountry ?? '';
  const currency = deal.opportunity.currency;
  const locale = localeFor(country);
  const money = moneyFormatter(currency, locale);
  const annualMinor = annualValueMinor(derived.totalMinor, derived.termMonths);
  const capMinor = liabilityCapMinor(input.clauses, annualMinor);
  const clauseView = {
    liabilityCap: money(capMinor),
    annualValue: money(annualMinor),
    currency,
    termMonths: derived.termMonths,
    seller,
  };
  const clauses = input.clauses.map((c, i) => ({
    ...c,
    number: i + 3,
    text: c.nonStandard
      ? c.body
      : renderStrict(c.body, clauseView, input.partials, `clause "${c.id}" v${c.version}`),
  }));
  return {
    agreementNumber: input.agreementNumber,
    version: input.version,
    effectiveDate: input.effectiveDate,
    template: {
      id: input.template.id,
      title: input.template.title,
      rule: input.template.rule,
      because: input.template.because,
    },
    seller,
    customer: {
      name: account.name,
      address:
        [account.billingStreet, account.billingCity, account.billingPostalCode, country]
          .filter(Boolean)
          .join(', ') || country,
      country,
    },
    currency,
    currencyName: new Intl.DisplayNames('en', { type: 'currency' }).of(currency) ?? currency,
    locale,
    totalMinor: derived.totalMinor,
    annualMinor,
    liabilityCapMinor: capMinor,
    termMonths: derived.termMonths,
    startDate: derived.startDate,
    endDate: derived.endDate,
    paymentDays: input.clauses.some((c) => c.id === 'payment-net-60')
      ? 60
      : input.clauses.some((c) => c.id === 'payment-net-45')
        ? 45
        : 30,
    billingFrequency: derived.facts.servicesOnly
      ? 'monthly in arrears'
      : input.clauses.some((c) => c.id === 'billing-quarterly')
        ? 'quarterly'
        : 'annually',
    maxDiscountPercent: derived.facts.maxDiscountPercent ?? 0,
    lines: deal.lineItems.map((li) => ({
      quantity: li.quantity,
      product: li.productName,
      productCode: li.productCode,
      unitPriceMinor: li.unitPriceMinor,
      discountPercent: li.discountPercent,
      totalMinor: li.totalPriceMinor,
    })),
    clauses,
    signers: buildSigners(deal),
    risk: input.risk,
  };
}

/** Every money figure the model states: a variant may print no other. */
export function modelAmounts(model: ContractModel): Set<string> {
  const money = moneyFormatter(model.currency, model.locale);
  return new Set(
    [
      model.totalMinor,
      model.annualMinor,
      model.liabilityCapMinor,
      ...model.lines.flatMap((l) => [l.unitPriceMinor, l.totalMinor]),
    ].map(money),
  );
}

/** The mustache view of the model, shared by all variants. */
export function viewOf(model: ContractModel): Record<string, unknown> {
  const money = moneyFormatter(model.currency, model.locale);
  const clause = (c: ContractModel['clauses'][number]) => ({
    number: c.number,
    id: c.id,
    title: c.title,
    body: c.text,
    nonStandard: c.nonStandard,
    summary: c.nonStandard
      ? 'non-standard terms requested by the customer; Legal must approve them.'
      : firstSentence(c.text),
  });
  return {
    agreementNumber: model.agreementNumber,
    version: model.version,
    effectiveDate: formatDate(model.effectiveDate),
    templateTitle: model.template.title,
    seller: model.seller,
    customer: model.customer,
    currency: model.currency,
    currencyName: model.currencyName,
    termMonths: model.termMonths,
    startDate: formatDate(model.startDate),
    endDate: formatDate(model.endDate),
    paymentTerms: `net ${model.paymentDays} days`,
    billingFrequency: model.billingFrequency,
    totalValue: money(model.totalMinor),
    totalValueWords: amountInWords(model.totalMinor, model.currency),
    annualValue: money(model.annualMinor),
    maxDiscount: model.maxDiscountPercent,
    lines: model.lines.map((l) => ({
      quantity: l.quantity,
      product: l.product,
      productCode: l.productCode,
      unitPrice: money(l.unitPriceMinor),
      discount: l.discountPercent,
      total: money(l.totalMinor),
    })),
    clauses: model.clauses.map(clause),
    commercialClauses: model.clauses.filter((c) => c.topic === 'commercial' || c.nonStandard).map(clause),
    technicalClauses: model.clauses.filter((c) => c.topic === 'technical').map(clause),
    signatureSection: model.clauses.length + 3,
    signers: model.signers.map((s, i) => ({ ...s, title: s.title ?? '', dateAnchor: `/date${i + 1}/` })),
    risk: {
      level: model.risk.level,
      legalReview: model.risk.legalReviewRequired,
      factors: model.risk.factors.map((f) => f.detail),
    },
  };
}

export function renderVariants(
  model: ContractModel,
  library: ContractLibrary,
  templateSource: string,
): Record<VariantName, string> {
  const view = viewOf(model);
  return {
    Full: renderStrict(templateSource, view, library.partials, `template ${model.template.id}`),
    Executive_Summary: renderStrict(
      library.variants.Executive_Summary.source,
      view,
      library.partials,
      'template Executive_Summary',
    ),
    Technical_Appendix: renderStrict(
      library.variants.Technical_Appendix.source,
      view,
      library.partials,
      'template Technical_Appendix',
    ),
  };
}
