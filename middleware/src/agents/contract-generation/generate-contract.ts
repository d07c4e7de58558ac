/**
 * From a deal to three consistent, versioned PDFs: facts, template and clause selection, risk,
 * the source-of-truth model, the rendered variants, the consistency check and the PDFs. Pure
 * apart from the clock the caller passes; the stage wraps it with memoisation and CRM writes.
 */
import { createHash } from 'node:crypto';
import type { DealContext } from '../../ports/crm.ts';
import type { ContractLibrary } from './clause-library.ts';
import {
  buildModel,
  moneyFormatter,
  renderVariants,
  VARIANTS,
  type ContractModel,
  type Seller,
  type VariantName,
} from './contract-model.ts';
import { checkConsistency } from './consistency.ts';
import type { PdfRenderer } from './contract-pdf.ts';
import type { RequestedTerms } from '../../ports/language.ts';
import { deriveDeal, type DerivedDeal, type SaleSignal } from './deal-facts.ts';
import { assessRisk, type RiskPolicy } from './risk.ts';
import {
  nonStandardClauses,
  selectClauses,
  selectTemplate,
  uncoveredRequests,
  type ProposedWording,
} from './selection.ts';
import { diffVersions, fingerprintOf, snapshotOf, type VersionSnapshot } from './versioning.ts';
import { annualValueMinor, liabilityCapMinor } from './contract-model.ts';
import type { CarriedTerm } from './account-history.ts';
import { applyHistoryToClauses } from './history-apply.ts';

export class ContractConsistencyError extends Error {
  override name = 'ContractConsistencyError';
  readonly problems: string[];
  constructor(problems: string[]) {
    super(
      `the contract variants disagree: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''}`,
    );
    this.problems = problems;
  }
}

export interface GenerateInput {
  deal: DealContext;
  signals: SaleSignal[];
  /** What the buyer asked for, as the language module read it (the Deal Closure Agent's reading). */
  terms: RequestedTerms | null;
  library: ContractLibrary;
  seller: Seller;
  policy: RiskPolicy;
  defaultTermMonths: number;
  agreementNumber: string;
  /** The run's creation time: the effective date, and the PDFs' fixed creation date. */
  createdAt: Date;
  proposals?: (ProposedWording | null)[];
  /** Terms pre-included from the account's earlier contracts (account-history). */
  history?: CarriedTerm[];
  previous?: VersionSnapshot;
  /** Where the PDFs are rendered; this thread unless given (a test seam). */
  renderPdf?: PdfRenderer;
  /** Test seam: alter a variant's text before the check, as a template bug would. */
  tamper?: (variant: VariantName, text: string) => string;
}

/** Generates a contract: here (`generateContract`), or in a worker pool (adapters/workers). */
export type ContractGenerator = (input: GenerateInput) => Promise<GeneratedContract>;

export interface GeneratedContract {
  model: ContractModel;
  derived: DerivedDeal;
  texts: Record<VariantName, string>;
  pdfs: Record<VariantName, Uint8Array>;
  hashes: Record<VariantName, string>;
  snapshot: VersionSnapshot;
  /** The previous version's content was identical: same version, same files. */
  reused: boolean;
  changes: string[];
  /** Carried terms the library's rules for this deal kept out, and why. */
  historyNotes: string[];
}

/**
 * Rendering in this thread loads pdfkit on first use: with a worker pool (the default) contracts
 * are generated there, and the renderer module, fonts and all, stays out of the event loop's heap.
 */
const renderInThisThread: PdfRenderer = async (text, options) =>
  (await import('./contract-pdf.ts')).renderContractPdf(text, options);

export function planContract(input: GenerateInput): {
  model: ContractModel;
  derived: DerivedDeal;
  templateSource: string;
  historyNotes: string[];
} {
  const today = input.createdAt.toISOString().slice(0, 10);
  const derived = deriveDeal(input.deal, input.signals, {
    defaultTermMonths: input.defaultTermMonths,
    today,
    requestTopics: input.library.requestTopics,
    modelRequestTopics: input.library.modelRequestTopics,
    terms: input.terms,
    carried: input.history ?? [],
  });
  const template = selectTemplate(input.library, derived.facts);
  const { clauses: standard, notes: historyNotes } = applyHistoryToClauses(
    selectClauses(input.library, derived.facts),
    input.history ?? [],
    input.library,
  );
  const clauses = [
    ...standard,
    ...nonStandardClauses(uncoveredRequests(derived.customRequests, standard), input.proposals ?? []),
  ];
  const currency = input.deal.opportunity.currency;
  const annual = annualValueMinor(derived.totalMinor, derived.termMonths);
  const cap = liabilityCapMinor(clauses, annual);
  const money = moneyFormatter(currency, 'en-US');
  const risk = assessRisk(
    derived.facts,
    clauses,
    {
      liabilityCap: money(cap),
      totalValue: money(derived.totalMinor),
      capToValue: derived.totalMinor > 0 ? cap / derived.totalMinor : 0,
      corporateValue: new Intl.NumberFormat('en-US', {
        style: 'currency',
        currency: input.deal.corporateCurrency,
      }).format(derived.facts.contractValueCorporate ?? 0),
    },
    input.policy,
  );
  const model = buildModel({
    deal: input.deal,
    derived,
    template,
    clauses,
    risk,
    seller: input.seller,
    agreementNumber: input.agreementNumber,
    effectiveDate: today,
    version: 1,
    partials: input.library.partials,
  });
  return { model, derived, templateSource: template.source, historyNotes };
}

export async function generateContract(input: GenerateInput): Promise<GeneratedContract> {
  const { model: draft, derived, templateSource, historyNotes } = planContract(input);
  const fingerprint = fingerprintOf(draft, input.library.version);
  const previous = input.previous;
  const reused = previous?.fingerprint === fingerprint;
  const version = reused ? previous.version : (previous?.version ?? 0) + 1;
  const model: ContractModel = { ...draft, version };
  const rendered = renderVariants(model, input.library, templateSource);
  const texts = input.tamper
    ? (Object.fromEntries(VARIANTS.map((v) => [v, input.tamper!(v, rendered[v])])) as Record<
        VariantName,
        string
      >)
    : rendered;
  const problems = checkConsistency(model, texts);
  if (problems.length > 0) throw new ContractConsistencyError(problems);
  const titles: Record<VariantName, string> = {
    Full: model.template.title,
    Executive_Summary: `${input.library.variants.Executive_Summary.title} — ${model.template.title}`,
    Technical_Appendix: `${input.library.variants.Technical_Appendix.title} — ${model.template.title}`,
  };
  const pdfList = await Promise.all(
    VARIANTS.map((v) =>
      (input.renderPdf ?? renderInThisThread)(texts[v], {
        title: `${model.customer.name} — ${titles[v]}`,
        createdAt: input.createdAt,
        reference: `Agreement ${model.agreementNumber} v${model.version}`,
      }),
    ),
  );
  const pdfs = Object.fromEntries(VARIANTS.map((v, i) => [v, pdfList[i]!])) as Record<
    VariantName,
    Uint8Array
  >;
  const hashes = Object.fromEntries(
    VARIANTS.map((v) => [v, createHash('sha256').update(pdfs[v]).digest('hex')]),
  ) as Record<VariantName, string>;
  const snapshot = snapshotOf(model, fingerprint, hashes);
  return {
    model,
    derived,
    texts,
    pdfs,
    hashes,
    snapshot,
    reused,
    changes: previous && !reused ? diffVersions(previous, snapshot) : [],
    historyNotes,
  };
}
