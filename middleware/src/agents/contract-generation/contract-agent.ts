/**
 * Contract Generation Agent: the template and clauses chosen by the library's rules on the
 * deal's facts (each with the rule that fired), non-standard requests carried to Legal, a risk
 * level with its factors, and three variants (full contract, executive summary, technical
 * appendix) rendered from one model, checked against each other, versioned by SHA-256 and
 * attached to the opportunity with their Contract_Version__c records.
 */
import type { CrmPort, CrmWrite, DealContext, EarlierContract } from '../../ports/crm.ts';
import type { RequestedTerms } from '../../ports/language.ts';
import type { LlmPort } from '../../ports/llm.ts';
import type { Logger } from '../../logger.ts';
import { failedOutcome, type Stage, type StageContext, type StageOutcome } from '../../orchestrator/stage.ts';
import { formatMoney } from '../../domain/money.ts';
import type { DealClosureOutput } from '../deal-closure/deal-closure-agent.ts';
import { ContractLibraryError, type ContractLibrary } from './clause-library.ts';
import {
  TemplateRenderError,
  VARIANTS,
  type Seller,
  type Signer,
  type VariantName,
} from './contract-model.ts';
import { deriveDeal, missingFacts, type SaleSignal } from './deal-facts.ts';
import {
  ContractConsistencyError,
  generateContract,
  type ContractGenerator,
  type GenerateInput,
} from './generate-contract.ts';
import type { RiskFactor } from './risk.ts';
import type { VersionSnapshot } from './versioning.ts';
import { proposeWording } from './wording.ts';
import { uncoveredRequests } from './selection.ts';
import {
  decideFromHistory,
  HISTORY_POLICY,
  type HistoryDecision,
  type RequestedTerm,
} from './account-history.ts';
import { requestedTermsOf } from './history-apply.ts';
import { contractWrites, fileKeysOf } from './contract-writes.ts';

export type { ContractLibrary } from './clause-library.ts';
export type { Seller } from './contract-model.ts';

export interface ContractAgentDeps {
  crm: CrmPort;
  /**
   * The clause library, or a loader read on every run: then an admin's fix to a template or
   * clause is picked up by the retry, and a library broken after start fails the step (naming
   * the file and clause) instead of the process.
   */
  library: ContractLibrary | (() => ContractLibrary);
  seller: Seller;
  defaultTermMonths: number;
  /** Discount a rep may give without approval, in percent (the risk policy's authority). */
  discountAuthorityPercent?: number;
  /** Contract value in the corporate currency from which size itself is a risk. */
  largeDealCorporate?: number;
  llm?: LlmPort;
  logger?: Logger;
  activityDays?: number;
  /**
   * Generates the contract (variants, consistency check, PDFs) off the event loop, in a worker
   * pool; in this thread when absent.
   */
  generate?: ContractGenerator;
}

export interface ContractVariantOutput {
  variant: VariantName;
  fileName: string;
  title: string;
  contentHash: string;
}

export interface ContractOutput {
  version: number;
  template: string;
  /** The template's title ("Statement of Work"); runs stored before it was kept lack it. */
  templateTitle?: string;
  templateRule: { rule: string; because: string[] };
  clauses: { id: string; version: number; rule: string; because: string[]; nonStandard: boolean }[];
  riskLevel: 'Low' | 'Medium' | 'High';
  riskFactors: string[];
  riskDetails: RiskFactor[];
  legalReviewRequired: boolean;
  /** SHA-256 of the full contract's PDF. */
  contentHash: string;
  fileName: string;
  /**
   * The write key of the full contract's file in Salesforce: Signature Management reads the
   * approved bytes back from there (checked against `contentHash`) rather than the run store
   * keeping a copy of every PDF.
   */
  fileKey: string;
  /** Runs stored before files were read back from Salesforce carried the PDF here. */
  pdfBase64?: string;
  variants: ContractVariantOutput[];
  /** What changed from the previous version; empty for a first or an unchanged version. */
  changes: string[];
  /** The previous version's content was identical, so its version and files stand. */
  unchanged: boolean;
  snapshot: VersionSnapshot;
  startDate: string;
  endDate: string;
  termMonths: number;
  totalMinor: number;
  currency: string;
  specialTerms: string;
  signers: Signer[];
  /** The terms asked for that the contract answers (Requested_Terms__c); runs stored before it was kept lack it. */
  requestedTerms?: RequestedTerm[];
  /** The account's earlier contracts weighed, the terms they pre-included and what else they said. */
  history?: {
    window: string[];
    carried: { term: string; topic: string; reason: string; versions: string[] }[];
    notes: string[];
  };
}

const STAGE = 'contract_generation';

/**
 * The contract of an earlier generation of this stage in the same run: after the rep fixes the
 * deal and retries, the orchestrator starts the stage afresh (a new memo generation), and the new
 * contract is compared with the last one to decide its version.
 */
function previousSnapshot(ctx: StageContext): VersionSnapshot | undefined {
  return ctx.earlier<ContractOutput>('contract', 'memo').find((e) => e.value.snapshot)?.value.snapshot;
}

/**
 * The account's signed contracts on its other opportunities: read beside the deal when it was
 * read with them, else once per run on their own.
 */
async function earlierContracts(
  ctx: StageContext,
  crm: CrmPort,
  deal: DealContext,
): Promise<EarlierContract[]> {
  if (!deal.account) return [];
  if (deal.accountContracts) return deal.accountContracts;
  const load = crm.loadContractHistory?.bind(crm);
  return load ? ctx.memo('account_contracts', () => load(ctx.run.opportunityId)) : [];
}

/** The history in the step's reasoning: what was weighed, pre-included and noted; null without any. */
function historySentence(h: ContractOutput['history']): string | null {
  if (!h || (h.window.length === 0 && h.notes.length === 0)) return null;
  const weighed =
    h.window.length > 0
      ? `${h.window.length} earlier signed contract${h.window.length > 1 ? 's' : ''} (${h.window.join(', ')})`
      : 'no readable earlier contract';
  const carried =
    h.carried.length > 0
      ? `pre-included ${h.carried.map((c) => c.reason).join('; ')}`
      : `no term asked for in ${HISTORY_POLICY.minimum} of the last ${HISTORY_POLICY.window} to pre-include`;
  return `Account history, ${weighed}: ${carried}${h.notes.length > 0 ? `. Also: ${h.notes.join('; ')}` : ''}.`;
}

const fileStem = (name: string) => name.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');

export function createContractAgent(deps: ContractAgentDeps): Stage {
  const policy = {
    discountAuthorityPercent: deps.discountAuthorityPercent ?? 10,
    largeDealCorporate: deps.largeDealCorporate ?? 1_000_000,
    sellerCountry: deps.seller.country,
  };
  return {
    key: STAGE,
    async run(ctx: StageContext): Promise<StageOutcome> {
      const deal = await readDeal(ctx, deps);
      const closure = ctx.recall<DealClosureOutput>('deal_closure', 'assessment');
      const missing = missingFacts(deal);
      if (missing.length > 0) {
        const message = `The contract needs the ${missing.join(', ')}; fix the opportunity and retry.`;
        return failedOutcome(message, { missing });
      }
      const generated = await generateOutput({ ctx, deps, policy, deal, closure });
      if ('failed' in generated) return generated.failed;
      const { output, pdfsOf } = generated;
      let writes: CrmWrite[];
      try {
        writes = await contractWrites(ctx, deps.crm, deal, output, pdfsOf);
      } catch (err) {
        if (!(err instanceof ContractConsistencyError)) throw err;
        const message = `The contract could not be attached: ${err.message}. Retry to generate it afresh.`;
        return failedOutcome(message, { error: err.name, problems: err.problems });
      }
      return succeededOutcome(output, writes);
    },
  };
}

/** The deal Deal Closure read, on the stage's first generation. */
async function readDeal(ctx: StageContext, deps: ContractAgentDeps): Promise<DealContext> {
  const generation = ctx.generation;
  const recalled = ctx.recall<DealContext>('deal_closure', 'deal');
  // A retry after the rep fixed the data must read the deal again, not reuse the first read.
  return generation === 0 && recalled
    ? recalled
    : await ctx.memo('deal', () =>
        deps.crm.loadDeal(ctx.run.opportunityId, { activityDays: deps.activityDays ?? 90 }),
      );
}

/** One run of the stage on a deal with every fact a contract needs. */
interface ContractRun {
  ctx: StageContext;
  deps: ContractAgentDeps;
  policy: GenerateInput['policy'];
  deal: DealContext;
  closure: DealClosureOutput | undefined;
}

/** What the contract is generated from, beside the deal. */
interface ContractPlan {
  signals: SaleSignal[];
  terms: RequestedTerms | null;
  createdAt: Date;
  previous: VersionSnapshot | undefined;
  library: ContractLibrary;
  history: HistoryDecision;
}

type Pdfs = Record<VariantName, Uint8Array>;

type GenerationResult = { output: ContractOutput; pdfsOf: () => Promise<Pdfs> } | { failed: StageOutcome };

/** The contract version (memoized) and its PDFs, or the failed step a broken library or template makes. */
async function generateOutput(run: ContractRun): Promise<GenerationResult> {
  const { ctx, deps, deal, closure } = run;
  const signals: SaleSignal[] = closure?.assessment.signals ?? [];
  const terms = closure?.assessment.terms ?? null;
  const createdAt = new Date(ctx.run.createdAt);
  const previous = previousSnapshot(ctx);
  const contracts = await earlierContracts(ctx, deps.crm, deal);
  try {
    const library = typeof deps.library === 'function' ? deps.library() : deps.library;
    const history = decideFromHistory(contracts, terms, library);
    const plan: ContractPlan = { signals, terms, createdAt, previous, library, history };
    const proposals = await wordingProposals(run, plan);
    const generate = contractGenerator(run, plan, proposals);
    // The PDFs stay out of the run store (they are attached in Salesforce): this attempt hands
    // on the ones it rendered; an attempt resumed after a crash renders them again, and the
    // rendering is byte-for-byte deterministic, which the recorded hashes confirm.
    let rendered: Pdfs | undefined;
    const output = await ctx.memo('contract', async () => {
      const generated = await generate();
      rendered = generated.pdfs;
      return toOutput(generated, deal, ctx.run.id, { terms, history, library });
    });
    return { output, pdfsOf: async () => rendered ?? (await renderAgain(generate, output)) };
  } catch (err) {
    return { failed: generationFailure(err) };
  }
}

/** The language model's proposed wording for the customer's requests (none without a model). */
async function wordingProposals(
  run: ContractRun,
  plan: ContractPlan,
): Promise<NonNullable<GenerateInput['proposals']>> {
  const { ctx, deps, deal } = run;
  const requests = deriveDeal(deal, plan.signals, {
    defaultTermMonths: deps.defaultTermMonths,
    today: plan.createdAt.toISOString().slice(0, 10),
    requestTopics: plan.library.requestTopics,
    modelRequestTopics: plan.library.modelRequestTopics,
    terms: plan.terms,
    carried: plan.history.carried,
  }).customRequests;
  return ctx.memo('wording', () =>
    proposeWording(
      deps.llm,
      requests,
      { customer: deal.account!.name, products: deal.lineItems.map((l) => l.productName) },
      ctx.logger,
    ),
  );
}

function contractGenerator(
  run: ContractRun,
  plan: ContractPlan,
  proposals: NonNullable<GenerateInput['proposals']>,
): () => Promise<GeneratedContract> {
  const { ctx, deps, deal, policy } = run;
  const { signals, terms, library, createdAt, previous, history } = plan;
  return () =>
    (deps.generate ?? generateContract)({
      deal,
      signals,
      terms,
      library,
      seller: deps.seller,
      policy,
      defaultTermMonths: deps.defaultTermMonths,
      agreementNumber: ctx.run.id.slice(4, 12).toUpperCase(),
      createdAt,
      proposals,
      history: history.carried,
      ...(previous ? { previous } : {}),
    });
}

/** The PDFs rendered again after a restart, refused unless they are the bytes recorded. */
async function renderAgain(
  generate: () => Promise<GeneratedContract>,
  memoized: ContractOutput,
): Promise<Pdfs> {
  const again = await generate();
  const differ = VARIANTS.filter(
    (v) => again.hashes[v] !== memoized.variants.find((x) => x.variant === v)?.contentHash,
  );
  if (differ.length > 0)
    throw new ContractConsistencyError([
      `re-rendering ${differ.join(', ')} after a restart gave different bytes than v${memoized.version} (the templates or clause library changed in between)`,
    ]);
  return again.pdfs;
}

/** A broken template, clause library or variant check fails the step for an admin to fix; anything else is thrown. */
function generationFailure(err: unknown): StageOutcome {
  if (
    err instanceof TemplateRenderError ||
    err instanceof ContractConsistencyError ||
    err instanceof ContractLibraryError
  ) {
    const message = `The contract could not be generated: ${err.message}. Fix the template or clause library and retry.`;
    return failedOutcome(message, {
      error: err.name,
      ...(err instanceof ContractConsistencyError ? { problems: err.problems } : {}),
    });
  }
  throw err;
}

/** The step's reasoning: version, template, clauses, history, risk, review and variants, in that order. */
function reasoningOf(output: ContractOutput): string {
  const total = formatMoney(output.totalMinor, output.currency);
  const versionNote = output.unchanged
    ? `unchanged from the previous version (same SHA-256), so v${output.version} stands`
    : output.changes.length > 0
      ? `changes from v${output.version - 1}: ${output.changes.join('; ')}`
      : 'first version';
  return [
    `${output.template} v${output.version} for ${total} over ${output.termMonths} months from ${output.startDate} (${versionNote}).`,
    `Template ${output.template}: ${output.templateRule.rule}${output.templateRule.because.length > 0 ? ` [${output.templateRule.because.join(', ')}]` : ''}.`,
    `${output.clauses.length} clauses: ${output.clauses.map((c) => `${c.id}${c.nonStandard ? ' (NON-STANDARD)' : ''} [${c.rule}${c.because.length > 0 ? `; ${c.because.join(', ')}` : ''}]`).join(', ')}.`,
    historySentence(output.history),
    `Risk ${output.riskLevel}${output.riskDetails.length > 0 ? `: ${output.riskDetails.map((f) => `${f.detail} (+${f.points})`).join('; ')}` : ': standard terms throughout'}.`,
    output.legalReviewRequired ? 'Legal review required.' : 'No legal review needed.',
    `Variants: ${output.variants.map((v) => `${v.variant} ${v.contentHash.slice(0, 12)}`).join(', ')}; figures identical across all three.`,
  ]
    .filter((line) => line !== null)
    .join(' ');
}

function succeededOutcome(output: ContractOutput, writes: CrmWrite[]): StageOutcome {
  return {
    status: 'succeeded',
    reasoning: reasoningOf(output),
    confidence: null,
    facts: {
      template: output.template,
      clauses: output.clauses,
      riskFactors: output.riskDetails,
      variants: output.variants,
      changes: output.changes,
      ...(output.history ? { history: output.history } : {}),
      totalMinor: output.totalMinor,
      currency: output.currency,
    },
    message: `Contract v${output.version} generated (${output.riskLevel} risk${output.legalReviewRequired ? ', legal review' : ''})`,
    writes,
    output,
  };
}

type GeneratedContract = Awaited<ReturnType<typeof generateContract>>;

function toOutput(
  g: GeneratedContract,
  deal: DealContext,
  runId: string,
  asked: { terms: RequestedTerms | null; history: HistoryDecision; library: ContractLibrary },
): ContractOutput {
  const m = g.model;
  const stem = fileStem(m.customer.name);
  const suffix: Record<VariantName, string> = {
    Full: m.template.id.replace('_', '-'),
    Executive_Summary: 'Executive-Summary',
    Technical_Appendix: 'Technical-Appendix',
  };
  const variants = VARIANTS.map((v) => ({
    variant: v,
    fileName: `${stem}-${suffix[v]}-v${m.version}.pdf`,
    title: `${deal.opportunity.name} — ${v === 'Full' ? m.template.title : v.replace('_', ' ')} v${m.version}`,
    contentHash: g.hashes[v],
  }));
  return {
    version: m.version,
    template: m.template.id,
    templateTitle: m.template.title,
    templateRule: { rule: m.template.rule, because: m.template.because },
    clauses: m.clauses.map((c) => ({
      id: c.id,
      version: c.version,
      rule: c.rule,
      because: c.because,
      nonStandard: c.nonStandard,
    })),
    riskLevel: m.risk.level,
    riskFactors: m.risk.factors.map((f) => f.detail),
    riskDetails: m.risk.factors,
    legalReviewRequired: m.risk.legalReviewRequired,
    contentHash: g.hashes.Full,
    fileName: variants[0]!.fileName,
    fileKey: fileKeysOf(runId, m.version).Full.file,
    variants,
    changes: g.changes,
    unchanged: g.reused,
    snapshot: g.snapshot,
    startDate: m.startDate,
    endDate: m.endDate,
    termMonths: m.termMonths,
    totalMinor: m.totalMinor,
    currency: m.currency,
    // Only what the library does not answer: a request met by a standard clause is standard terms.
    specialTerms: uncoveredRequests(g.derived.customRequests, m.clauses)
      .map((r) => `${r.topic}: "${r.text}" (${r.source})`)
      .join('\n'),
    signers: m.signers,
    requestedTerms: requestedTermsOf(asked.terms, asked.history.carried, asked.library),
    history: {
      window: asked.history.window,
      carried: asked.history.carried.map((c) => ({
        term: c.term,
        topic: c.topic,
        reason: c.reason,
        versions: c.versions,
      })),
      notes: [...asked.history.notes, ...g.historyNotes],
    },
  };
}
