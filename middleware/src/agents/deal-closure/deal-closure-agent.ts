/**
 * Deal Closure Agent: reads the deal and its last 90 days of activity in one call, finds the
 * closing signals with their evidence, and decides go / needs rep confirmation / not ready,
 * with a strategy drawn from the deal's own data. The offline reasoner always runs; Gemini,
 * when configured, may refine the signals and confidence, but only with quotes that appear in
 * the evidence.
 */
import type { Logger } from '../../logger.ts';
import type { CrmPort, DealContext } from '../../ports/crm.ts';
import type { LlmPort, TokenUsage } from '../../ports/llm.ts';
import type { Stage, StageContext, StageOutcome } from '../../orchestrator/stage.ts';
import { reasonWithFallback } from '../shared/reason-with-fallback.ts';
import type { Assessment } from './assessment.ts';
import { reasonOfflineNow, type OfflineReasoner } from './offline-reasoner.ts';
import {
  buildPrompt,
  evidenceItems,
  ModelAssessmentSchema,
  SYSTEM_INSTRUCTION,
  verifiedSignals,
  type ModelAssessment,
} from './prompt.ts';

export interface DealClosureAgentDeps {
  crm: CrmPort;
  llm?: LlmPort;
  logger?: Logger;
  activityDays?: number;
  repDiscountAuthorityPercent?: number;
  /** Where the offline reasoner runs (a worker thread in the wired system); here when absent. */
  offlineReasoner?: OfflineReasoner;
}

export interface DealClosureOutput {
  assessment: Assessment;
  source: 'gemini' | 'offline';
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
  return {
    key: 'deal_closure',
    async run(ctx: StageContext): Promise<StageOutcome> {
      const deal = await ctx.memo('deal', () => deps.crm.loadDeal(ctx.run.opportunityId, { activityDays }));
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
      const output = await ctx.memo('assessment', () => evaluate(deal, ctx, deps));
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
        reasoning: `${a.reasoning}${note}${output.fallbackReason ? ` (Gemini unavailable: ${output.fallbackReason}; offline reasoner used.)` : output.source === 'gemini' ? ` (Signals confirmed by ${output.model}.)` : ''}`,
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
): Promise<DealClosureOutput> {
  const input = {
    deal,
    transcript: ctx.run.transcript,
    note: ctx.run.note,
    now: ctx.now(),
    repDiscountAuthorityPercent: deps.repDiscountAuthorityPercent ?? 10,
    trigger: ctx.run.trigger,
  };
  const { signals, assessment: offline } = deps.offlineReasoner
    ? await deps.offlineReasoner(input)
    : reasonOfflineNow(input);
  if (!deps.llm || deps.llm.model === undefined) return { assessment: offline, source: 'offline' };
  const items = evidenceItems(signals);
  const result = await reasonWithFallback<typeof ModelAssessmentSchema>(
    deps.llm,
    {
      agent: 'Deal_Closure',
      systemInstruction: SYSTEM_INSTRUCTION,
      prompt: buildPrompt(deal, items),
      schema: ModelAssessmentSchema,
      timeoutMs: 20_000,
    },
    () => ({ signals: [], confidence: offline.confidence, decision: offline.decision, rationale: '' }),
    deps.logger ?? ctx.logger,
  );
  if (result.source !== 'gemini')
    return {
      assessment: offline,
      source: 'offline',
      ...(result.fallbackReason ? { fallbackReason: result.fallbackReason } : {}),
    };
  const merged = mergeModel(offline, result.value, items);
  if (!merged)
    return {
      assessment: offline,
      source: 'offline',
      fallbackReason: 'the model cited no evidence that could be verified',
    };
  return {
    assessment: merged,
    source: 'gemini',
    ...(result.model ? { model: result.model } : {}),
    ...(result.usage ? { usage: result.usage } : {}),
  };
}

/** The model's view, kept only where its quotes check out; strategy and facts stay computed. */
function mergeModel(
  offline: Assessment,
  model: ModelAssessment,
  items: ReturnType<typeof evidenceItems>,
): Assessment | undefined {
  const { kept, dropped } = verifiedSignals(model, items);
  if (kept.length === 0 && model.signals.length > 0) return undefined;
  const byN = new Map(items.map((i) => [i.n, i]));
  const signals = kept.map((s) => {
    const item = byN.get(s.evidence)!;
    const match = offline.signals.find((o) => o.source.recordId === item.recordId && o.quote === item.text);
    return {
      type: s.type,
      polarity: s.supportsClosing
        ? 1
        : s.type === 'negation' || s.type === 'hesitation' || s.type === 'objection'
          ? -1
          : 0,
      readiness: s.supportsClosing && (s.type === 'explicit_commitment' || s.type === 'paperwork_request'),
      quote: item.text,
      qualifiers: [`model quote: "${s.quote}"`],
      source: match?.source ?? {
        kind: 'activity',
        recordId: item.recordId,
        occurredAt: item.occurredAt,
        label: item.label,
        who: null,
      },
      weight: match?.weight ?? 0,
    };
  });
  return {
    ...offline,
    confidence: Math.round(model.confidence * 1000) / 1000,
    decision: model.decision,
    signals,
    reasoning: `${offline.reasoning} Model view (${kept.length} verified signal(s)${dropped > 0 ? `, ${dropped} unverifiable quote(s) discarded` : ''}): ${model.rationale}`,
  };
}

function formatStrategy(a: Assessment): string {
  const s = a.strategy;
  return [
    `Discount: ${s.discountAuthority}`,
    ...s.upsell.map((u) => `Upsell: ${u}`),
    ...s.stakeholderApproach.map((x) => `Stakeholders: ${x}`),
    ...s.risks.map((r) => `Risk: ${r}`),
  ].join('\n');
}
