/**
 * Contract Generation Agent (first version): one mustache template and a clause library chosen
 * by rules on the deal's facts, a risk level with the factors that raised it, rendered to PDF
 * and attached to the opportunity with a Contract_Version__c carrying its SHA-256.
 */
import { createHash } from 'node:crypto';
import Mustache from 'mustache';
import type { CrmPort, DealContext } from '../../ports/crm.ts';
import { failedOutcome, type Stage, type StageContext, type StageOutcome } from '../../orchestrator/stage.ts';
import { amountInWords, formatMoney } from '../../domain/money.ts';
import type { DealClosureOutput } from '../deal-closure/deal-closure-agent.ts';
import { renderContractPdf } from './contract-pdf.ts';

export interface Clause {
  id: string;
  version: number;
  title: string;
  body: string;
  when: 'always' | 'eu_customer' | 'non_eu_customer' | 'security_concern' | 'custom_terms';
}

export interface ContractLibrary {
  version: string;
  template: string;
  templateName: string;
  clauses: Clause[];
}

export interface Seller {
  name: string;
  address: string;
  country: string;
  governingLaw: string;
}

export interface ContractAgentDeps {
  crm: CrmPort;
  library: ContractLibrary;
  seller: Seller;
  defaultTermMonths: number;
}

export interface ContractOutput {
  version: number;
  template: string;
  clauses: { id: string; version: number; rule: string }[];
  riskLevel: 'Low' | 'Medium' | 'High';
  riskFactors: string[];
  legalReviewRequired: boolean;
  contentHash: string;
  fileName: string;
  pdfBase64: string;
  startDate: string;
  termMonths: number;
  totalMinor: number;
  currency: string;
  specialTerms: string;
  signers: {
    role: string;
    name: string;
    title: string | null;
    email: string | null;
    contactId: string | null;
    anchor: string;
  }[];
}

const EU = new Set([
  'Austria',
  'Belgium',
  'Bulgaria',
  'Croatia',
  'Cyprus',
  'Czech Republic',
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
]);
const LAW_BY_COUNTRY: Record<string, string> = {
  Germany: 'the Federal Republic of Germany',
  'United Kingdom': 'England and Wales',
  France: 'France',
  Netherlands: 'the Netherlands',
  Ireland: 'Ireland',
};
const CUSTOM_TERMS =
  /\b(custom|special|non-?standard|bespoke) (terms?|clause|warranty)|\bwarranty\b|\bdata residency\b|\bresidency\b|\bbaa\b|\bbusiness associate\b|\bcompatib(le|ility)\b|\bmost[- ]favou?red\b/i;

export function createContractAgent(deps: ContractAgentDeps): Stage {
  return {
    key: 'contract_generation',
    async run(ctx: StageContext): Promise<StageOutcome> {
      const deal = ctx.recall<DealContext>('deal_closure', 'deal');
      const closure = ctx.recall<DealClosureOutput>('deal_closure', 'assessment');
      if (!deal) throw new Error('the deal was not read by the Deal Closure step');
      const missing = [
        !deal.account ? 'account' : null,
        !deal.account?.billingCountry ? 'billing country (Account.BillingCountry)' : null,
        deal.opportunity.amountMinor === null ? 'amount (Opportunity.Amount)' : null,
        deal.lineItems.length === 0 ? 'products (Opportunity line items)' : null,
      ].filter((m): m is string => m !== null);
      if (missing.length > 0) {
        const message = `The contract needs the ${missing.join(', ')}; fix the opportunity and retry.`;
        return failedOutcome(message, { missing });
      }
      const output = await ctx.memo('contract', () =>
        // Each revision by the rep (POST /v1/closures/:id/revise) makes the next version.
        buildContract(
          deal,
          closure,
          deps,
          ctx.run.id,
          new Date(ctx.run.createdAt),
          1 + Number(ctx.run.memo.revisions ?? 0),
        ),
      );
      const fileKey = `${ctx.run.id}:contract:v${output.version}:file`;
      const versionKey = `${ctx.run.id}:contract:v${output.version}:Full`;
      // After a crash the file may already be in Salesforce with its version record; never attach it twice.
      const exists = ctx.attempt > 1 && (await deps.crm.existingKeys('file', [fileKey])).has(fileKey);
      const writes = exists
        ? []
        : [
            {
              kind: 'file' as const,
              key: fileKey,
              title: `${deal.opportunity.name} — Master Subscription Agreement v${output.version}`,
              fileName: output.fileName,
              data: Buffer.from(output.pdfBase64, 'base64'),
              linkedTo: deal.opportunity.id,
            },
            {
              kind: 'contractVersion' as const,
              key: versionKey,
              version: output.version,
              variant: 'Full' as const,
              template: output.template,
              clauses: JSON.stringify(output.clauses),
              riskLevel: output.riskLevel,
              legalReviewRequired: output.legalReviewRequired,
              contentHash: output.contentHash,
              fileKey,
            },
          ];
      const total = formatMoney(output.totalMinor, output.currency);
      return {
        status: 'succeeded',
        reasoning: `Master Subscription Agreement v${output.version} for ${total} over ${output.termMonths} months from ${output.startDate}: ${output.clauses.length} clauses (${output.clauses.map((c) => `${c.id} [${c.rule}]`).join(', ')}). Risk ${output.riskLevel}${output.riskFactors.length > 0 ? ` because ${output.riskFactors.join('; ')}` : ': standard terms, discount within policy'}. ${output.legalReviewRequired ? 'Legal review required.' : 'No legal review needed.'}`,
        confidence: null,
        facts: {
          clauses: output.clauses,
          riskFactors: output.riskFactors,
          contentHash: output.contentHash,
          totalMinor: output.totalMinor,
          currency: output.currency,
        },
        message: `Contract v${output.version} generated (${output.riskLevel} risk${output.legalReviewRequired ? ', legal review' : ''})`,
        writes,
        output: { ...output, pdfBase64: undefined },
      };
    },
  };
}

function buildSigners(deal: DealContext): ContractOutput['signers'] {
  const roles = deal.contactRoles;
  const pick = (re: RegExp) => roles.find((r) => re.test(r.role ?? ''));
  const signer =
    pick(/economic buyer|economic decision maker|decision maker|executive sponsor/i) ??
    roles.find((r) => r.isPrimary) ??
    roles[0];
  const signers: ContractOutput['signers'] = [];
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
    anchor: '/sig2/',
  });
  return signers;
}

async function buildContract(
  deal: DealContext,
  closure: DealClosureOutput | undefined,
  deps: ContractAgentDeps,
  runId: string,
  createdAt: Date,
  version = 1,
): Promise<ContractOutput> {
  const opp = deal.opportunity;
  const account = deal.account!;
  const currency = opp.currency;
  const totalMinor = deal.lineItems.reduce((s, li) => s + li.totalPriceMinor, 0);
  const years = deal.lineItems
    .map((li) => /(\d+)[- ]?(year|yr)/i.exec(`${li.productName} ${li.description ?? ''}`)?.[1])
    .find((y) => y !== undefined);
  const termMonths = years ? Number(years) * 12 : deps.defaultTermMonths;
  const today = createdAt.toISOString().slice(0, 10);
  const serviceDates = deal.lineItems
    .map((li) => li.serviceDate)
    .filter((d): d is string => d !== null)
    .sort();
  const startDate =
    serviceDates.find((d) => d >= today) ?? (opp.closeDate && opp.closeDate >= today ? opp.closeDate : today);
  const signals = closure?.assessment.signals ?? [];
  const security = signals.some((s) => s.type === 'security_concern');
  const legal = signals.some((s) => s.type === 'legal_concern');
  const customRequests = signals
    .filter((s) => CUSTOM_TERMS.test(s.quote))
    .map((s) => `"${s.quote.slice(0, 240)}" (${s.source.label})`);
  const uniqueRequests = [...new Set(customRequests)].slice(0, 5);
  const eu = EU.has(account.billingCountry ?? '');
  const facts: Record<Clause['when'], boolean> = {
    always: true,
    eu_customer: eu,
    non_eu_customer: !eu,
    security_concern: security,
    custom_terms: uniqueRequests.length > 0,
  };
  const ruleText: Record<Clause['when'], string> = {
    always: 'standard clause',
    eu_customer: `billing country ${account.billingCountry} is in the EU`,
    non_eu_customer: `billing country ${account.billingCountry} is outside the EU`,
    security_concern: 'security topics raised during the sale',
    custom_terms: `${uniqueRequests.length} non-standard request(s) in the activity history`,
  };
  const selected = deps.library.clauses.filter((c) => facts[c.when]);
  const governingLaw = LAW_BY_COUNTRY[account.billingCountry ?? ''] ?? deps.seller.governingLaw;
  const maxDiscount = Math.max(0, ...deal.lineItems.map((l) => l.discountPercent));
  const rate = (c: string) => deal.currencyRates[c] ?? 1;
  const corporateTotal = Math.round(totalMinor / rate(currency));
  const riskFactors: string[] = [];
  if (maxDiscount > 20) riskFactors.push(`discount of ${maxDiscount}% is beyond the 20% standard range`);
  if (uniqueRequests.length > 0) riskFactors.push('the customer asked for non-standard terms');
  if (legal) riskFactors.push('legal topics (redlines, DPA/BAA, liability) came up during the sale');
  if (corporateTotal >= 500_000_00)
    riskFactors.push(
      `contract value ${formatMoney(corporateTotal, deal.corporateCurrency)} is above ${formatMoney(500_000_00, deal.corporateCurrency)}`,
    );
  if (!LAW_BY_COUNTRY[account.billingCountry ?? ''] && account.billingCountry !== deps.seller.country)
    riskFactors.push(`no standard governing law for ${account.billingCountry}`);
  const riskLevel = riskFactors.length >= 3 ? 'High' : riskFactors.length >= 1 ? 'Medium' : 'Low';
  const legalReviewRequired = uniqueRequests.length > 0 || riskLevel === 'High';
  const money = (m: number) => formatMoney(m, currency);
  const clauseView = {
    liabilityCapMonths: 12,
    liabilityCap: money(totalMinor),
    governingLaw,
    specialTerms: uniqueRequests.join('; '),
  };
  const signers = buildSigners(deal);
  const view = {
    agreementNumber: runId.slice(4, 12).toUpperCase(),
    version,
    effectiveDate: today,
    seller: deps.seller,
    customer: {
      name: account.name,
      address:
        [account.billingStreet, account.billingCity, account.billingPostalCode, account.billingCountry]
          .filter(Boolean)
          .join(', ') || null,
    },
    termMonths,
    startDate,
    lines: deal.lineItems.map((li) => ({
      quantity: li.quantity,
      product: li.productName,
      productCode: li.productCode,
      unitPrice: money(li.unitPriceMinor),
      discount: li.discountPercent,
      total: money(li.totalPriceMinor),
    })),
    totalValue: money(totalMinor),
    totalValueWords: amountInWords(totalMinor, currency),
    currency,
    billingFrequency: 'annually',
    paymentTerms: 'net 30 days',
    clauses: selected.map((c, i) => ({
      number: i + 3,
      title: c.title,
      body: Mustache.render(c.body, clauseView),
    })),
    signatureSection: selected.length + 3,
    signers: signers.map((s, i) => ({ ...s, dateAnchor: `/date${i + 1}/` })),
  };
  const text = Mustache.render(deps.library.template, view, {}, { escape: (v: unknown) => String(v) });
  const pdf = await renderContractPdf(text, {
    title: `${account.name} — Master Subscription Agreement`,
    createdAt,
  });
  return {
    version,
    template: deps.library.templateName,
    clauses: selected.map((c) => ({ id: c.id, version: c.version, rule: ruleText[c.when] })),
    riskLevel,
    riskFactors,
    legalReviewRequired,
    contentHash: createHash('sha256').update(pdf).digest('hex'),
    fileName: `${account.name.replace(/[^A-Za-z0-9]+/g, '-')}-MSA-v1.pdf`,
    pdfBase64: Buffer.from(pdf).toString('base64'),
    startDate,
    termMonths,
    totalMinor,
    currency,
    specialTerms: uniqueRequests.join('\n'),
    signers,
  };
}
