/**
 * Deal Closure Agent: reads the deal and its last 90 days of activity in one call; the language
 * module reads all of the deal's words (activities, the closure's transcript and note, the
 * opportunity's description and next step), and the agent decides go / needs rep confirmation /
 * not ready from the calibrated readiness and the deal's data, with a strategy drawn from the
 * deal's own data and the org's closed deals (competitive record, discount benchmark, upsell).
 * With a model configured (Gemini or an OpenAI-compatible server), the model reads the whole
 * conversation too; its verified quotes and a bounded blend of its readiness refine the offline
 * reading.
 */
import type { Logger } from '../../logger.ts';
import type { CrmPort, DealContext } from '../../ports/crm.ts';
import type { LanguagePort, ModelReaderPort, ModelReading } from '../../ports/language.ts';
import type { LlmProvider, TokenUsage } from '../../ports/llm.ts';
import type { Stage, StageContext, StageOutcome } from '../../orchestrator/stage.ts';
import { formatMoney } from '../../domain/money.ts';
import { assessedSignal, decide, type Assessment } from './assessment.ts';
import { dealTexts, sellerNames } from './deal-texts.ts';
import {
  createDealHistoryCache,
  DEFAULT_HISTORY_DAYS,
  DEFAULT_HISTORY_TTL_MS,
  readDealAndHistory,
  readHistory,
  type DealHistoryCache,
  type HistorySource,
} from './deal-history.ts';
import { historyStrategy, withHistoryStrategy, type HistoryRead } from './history-strategy.ts';
import {
  originsOf,
  reasonOfflineNow,
  type OfflineReasoner,
  type OfflineReasoning,
} from './offline-reasoner.ts';

export interface DealClosureAgentDeps {
  crm: CrmPort;
  /** The language model's reading of the whole conversation, when one is configured. */
  modelReader?: ModelReaderPort;
  /** The offline language module, for reasoning in this thread when no worker pool is given. */
  language?: LanguagePort;
  logger?: Logger;
  activityDays?: number;
  repDiscountAuthorityPercent?: number;
  /** Where the offline reasoner runs (a worker thread in the wired system); here when absent. */
  offlineReasoner?: OfflineReasoner;
  /** How far back the strategy looks at closed deals (default two years). */
  historyDays?: number;
  /** How long the process keeps the org's deal history (default 10 minutes). */
  historyTtlMs?: number;
  /** A history cache to share; by default each agent (one per process) holds its own. */
  historyCache?: DealHistoryCache;
}

export interface DealClosureOutput {
  assessment: Assessment;
  source: LlmProvider | 'offline';
  model?: string;
  usage?: TokenUsage;
  fallbackReason?: string;
}

const DECISION_LABEL = {
  go: 'Go',
  needs_rep_confirmation: 'Needs_Rep_Confirmation',
  not_ready: 'Not_Ready',
} as const;

/** The deal as read by this stage; later stages reuse it instead of reading Salesforce again. */
export const DEAL_MEMO = { stage: 'deal_closure', key: 'deal' } as const;

export function createDealClosureAgent(deps: DealClosureAgentDeps): Stage {
  const activityDays = deps.activityDays ?? 90;
  const history: HistorySource = {
    crm: deps.crm,
    cache:
      deps.historyCache ?? createDealHistoryCache({ ttlMs: deps.historyTtlMs ?? DEFAULT_HISTORY_TTL_MS }),
    historyDays: deps.historyDays ?? DEFAULT_HISTORY_DAYS,
    logger: deps.logger,
  };
  return {
    key: 'deal_closure',
    async run(ctx: StageContext): Promise<StageOutcome> {
      // The history read with the deal stays in memory: the run memoises the deal, not the org's history.
      let readWithDeal: HistoryRead | undefined;
      const deal = await ctx.memo('deal', async () => {
        const read = await readDealAndHistory(history, ctx.run.opportunityId, activityDays);
        readWithDeal = read.history;
        return read.deal;
      });
      const problem = dataProblem(deal);
      if (problem) {
        return {
          status: problem.stop ? 'stopped' : 'failed',
          reasoning: problem.message,
          confidence: null,
          facts: { opportunity: deal.opportunity.id, stage: deal.opportunity.stageName },
          message: problem.message.slice(0, 255),
          ...(problem.stop ? {} : { error: problem.message }),
        };
      }
      const output = await ctx.memo('assessment', () =>
        evaluate(deal, ctx, deps, () =>
          readWithDeal ? Promise.resolve(readWithDeal) : readHistory(history),
        ),
      );
      const a = output.assessment;
      const confirmed = ctx.events.find((e) => e.kind === 'rep:confirm');
      const repStarted = ctx.run.trigger === 'Rep';
      let status: StageOutcome['status'] = 'succeeded';
      let note = '';
      if (a.decision === 'needs_rep_confirmation' && !repStarted && !confirmed) {
        status = 'waiting';
        note = ' Waiting for the rep to confirm the verbal yes.';
      } else if (a.decision === 'not_ready' && !confirmed) {
        status = 'waiting';
        note = ' The closure waits: the rep can confirm to proceed anyway, or cancel.';
      } else if (confirmed && a.decision !== 'go') {
        note = ' The rep confirmed the closure.';
      }
      const pct = Math.round(a.confidence * 100);
      return {
        status,
        ...(status === 'waiting' ? { waitingFor: 'rep' as const } : {}),
        reasoning: `${a.reasoning}${note}${output.fallbackReason ? ` (${modelLabel(deps.modelReader)} unavailable: ${output.fallbackReason}; offline reasoner used.)` : output.source !== 'offline' ? ` (Signals confirmed by ${output.model}.)` : ''}`,
        confidence: a.confidence,
        facts: {
          ...a.facts,
          source: output.source,
          model: output.model ?? null,
          usage: output.usage ?? null,
          signalCount: a.signals.length,
        },
        message: `Closing confidence ${pct}% — ${DECISION_LABEL[a.decision].replace(/_/g, ' ').toLowerCase()}`,
        closurePatch: {
          closingConfidence: a.confidence,
          decision: DECISION_LABEL[a.decision],
          signals: JSON.stringify(a.signals.slice(0, 60)),
          strategy: formatStrategy(a),
        },
        output,
      };
    },
  };
}

/** How the reasoning names the model that could not answer. */
function modelLabel(reader: ModelReaderPort | undefined): string {
  return reader?.provider === 'openai' ? `Model ${reader.model ?? ''}`.trim() : 'Gemini';
}

function dataProblem(deal: DealContext): { message: string; stop: boolean } | undefined {
  const o = deal.opportunity;
  if (o.isClosed)
    return { message: `${o.name} is already ${o.stageName}; there is nothing to close.`, stop: true };
  if (o.amountMinor === null || o.amountMinor <= 0)
    return { message: `${o.name} has no amount: add products or an amount, then retry.`, stop: false };
  if (!deal.account)
    return { message: `${o.name} has no account: set the account, then retry.`, stop: false };
  if (!deal.contactRoles.some((r) => r.isPrimary))
    return {
      message: `${o.name} has no primary contact role: mark the customer's primary contact, then retry.`,
      stop: false,
    };
  return undefined;
}

async function evaluate(
  deal: DealContext,
  ctx: StageContext,
  deps: DealClosureAgentDeps,
  pastDeals: () => Promise<HistoryRead>,
): Promise<DealClosureOutput> {
  const input = {
    deal,
    transcript: ctx.run.transcript,
    note: ctx.run.note,
    now: ctx.now(),
    repDiscountAuthorityPercent: deps.repDiscountAuthorityPercent ?? 10,
    trigger: ctx.run.trigger,
  };
  const historyRead = pastDeals();
  let read: OfflineReasoning;
  if (deps.offlineReasoner) read = await deps.offlineReasoner(input);
  else if (deps.language) read = reasonOfflineNow(input, deps.language);
  else throw new Error('the Deal Closure Agent needs the language module (language or offlineReasoner)');
  const offline = { ...read, assessment: withHistory(read.assessment, deal, await historyRead) };
  if (!deps.modelReader || deps.modelReader.model === undefined)
    return { assessment: offline.assessment, source: 'offline' };
  const texts = dealTexts(deal, input.transcript, input.note, input.now);
  const result = await deps.modelReader.read({
    texts: texts.map(({ origin: _origin, ...t }) => t),
    options: { sellerNames: sellerNames(deal) },
    offline: offline.reading,
    dealFacts: dealFactsLine(deal),
  });
  if (!result.value)
    return {
      assessment: offline.assessment,
      source: 'offline',
      ...(result.fallbackReason ? { fallbackReason: result.fallbackReason } : {}),
    };
  return {
    assessment: mergeModel(offline.assessment, result.value, originsOf(texts), deal, input),
    source:
      result.source && result.source !== 'offline' ? result.source : (deps.modelReader.provider ?? 'gemini'),
    ...(result.model ? { model: result.model } : {}),
    ...(result.usage ? { usage: result.usage } : {}),
  };
}

/** The deal's data the model reads beside the records: figures and roles, no one's words. */
function dealFactsLine(deal: DealContext): string {
  const o = deal.opportunity;
  return [
    `Opportunity: ${o.name}; stage ${o.stageName}; amount ${o.amountMinor === null ? 'none' : formatMoney(o.amountMinor, o.currency)}; close date ${o.closeDate ?? 'none'}; owner (the seller's rep) ${o.ownerName ?? 'unknown'}.`,
    `Account: ${deal.account?.name ?? 'none'}; industry ${deal.account?.industry ?? 'unknown'}; country ${deal.account?.billingCountry ?? 'unknown'}.`,
    `Buyer contacts: ${deal.contactRoles.map((r) => `${r.name} (${r.title ?? 'no title'}, ${r.role ?? 'no role'}${r.isPrimary ? ', primary' : ''})`).join('; ') || 'none'}.`,
  ].join('\n');
}

/**
 * The model's view where it checks out: its verified quotes join the offline signals, and the
 * confidence is the combined readiness (combineReadiness), from which the decision is taken again
 * by the same rule as offline. Strategy and facts stay computed from the deal.
 */
function mergeModel(
  offline: Assessment,
  model: ModelReading,
  origins: ReturnType<typeof originsOf>,
  deal: DealContext,
  input: { now: Date },
): Assessment {
  const verified = model.signals.map((s) => {
    const a = assessedSignal(s.type, { span: s.span, excerpt: s.quote, probability: 1 }, origins);
    return {
      ...a,
      polarity: s.supportsClosing ? Math.max(0, a.polarity) : Math.min(0, a.polarity),
      readiness: a.readiness && s.supportsClosing,
      weight: 0,
      qualifiers: ['quoted by the language model, verified in the record'],
    };
  });
  const confidence = model.readiness;
  const state = confidence >= 0.5 ? 'committed' : (offline.readinessState ?? 'undecided');
  const decision = decide(deal, confidence, state, offline.facts.lastReadinessAt, input.now).decision;
  return {
    ...offline,
    confidence,
    decision,
    signals: [...offline.signals, ...verified],
    reasoning: `${offline.reasoning} Model view (${model.signals.length} verified quote(s)${model.dropped > 0 ? `, ${model.dropped} unverifiable quote(s) discarded` : ''}; it read ${model.recordsRead} record(s)${model.recordsOmitted > 0 ? `, ${model.recordsOmitted} older left out` : ''}; its readiness ${model.modelReadiness}, combined with the offline ${offline.confidence} to ${confidence}: ${decision.replace(/_/g, ' ')}): ${model.rationale}`,
  };
}

/** The strategy with what the org's closed deals say about this deal's competitors, discount and upsell. */
function withHistory(a: Assessment, deal: DealContext, read: HistoryRead): Assessment {
  const h = historyStrategy(deal, a.competitors ?? [], a.facts.maxDiscountPercent, read);
  return { ...a, strategy: withHistoryStrategy(a.strategy, h) };
}

function formatStrategy(a: Assessment): string {
  const s = a.strategy;
  return [
    `Discount: ${s.discountAuthority}`,
    ...(s.competitive ?? []).map((c) => `Competition: ${c}`),
    ...s.upsell.map((u) => `Upsell: ${u}`),
    ...s.stakeholderApproach.map((x) => `Stakeholders: ${x}`),
    ...s.risks.map((r) => `Risk: ${r}`),
  ].join('\n');
}
