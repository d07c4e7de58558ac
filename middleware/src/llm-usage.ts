/**
 * Token use and cost of the model on /metrics: counters by provider and model for every response
 * (exact whatever process answers), and per closure, a histogram of the tokens and cost each
 * closure used, observed when it finishes.
 *
 * A model call does not know its closure, so each stage runs inside an AsyncLocalStorage scope
 * holding its run id, and the adapters' usage callback adds to that run's tally. The tally lives
 * in this process: a closure is observed when the process that ran its first stage also finishes
 * it (always, with one process and no restart in between); the counters cover the rest.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Metrics } from './metrics.ts';
import { STAGES, type Stage, type StageKey, type StageOutcome } from './orchestrator/stage.ts';
import type { LlmProvider, TokenUsage } from './ports/llm.ts';

/** Prices per million tokens (USD); 0 for a self-hosted model. */
export interface LlmPrices {
  inputPerMTok: number;
  outputPerMTok: number;
}

export function costOf(usage: TokenUsage, prices: LlmPrices): number {
  return (usage.promptTokens * prices.inputPerMTok + usage.outputTokens * prices.outputPerMTok) / 1_000_000;
}

export interface LlmUsageMeter {
  /** The adapters' `onUsage`: counts one response's tokens and cost. */
  onUsage(model: string, usage: TokenUsage): void;
  /** The stage, run so that model calls inside it count towards its closure. */
  meterStage(stage: Stage): Stage;
  /** Closures whose tally is open (for tests and leak checks). */
  openClosures(): number;
}

interface Tally {
  tokens: number;
  cost: number;
}

/** Cancelled or abandoned closures never finish; the oldest tallies go beyond this many. */
const MAX_OPEN_CLOSURES = 10_000;
const FIRST_STAGE: StageKey = STAGES[0];
const LAST_STAGE: StageKey = STAGES[STAGES.length - 1]!;

export function createLlmUsageMeter(deps: {
  metrics: Metrics;
  provider: LlmProvider;
  /** The configured model, the label of the per-closure histograms. */
  model: string;
  prices: LlmPrices;
}): LlmUsageMeter {
  const { metrics, provider, prices } = deps;
  const runOfCall = new AsyncLocalStorage<string>();
  const open = new Map<string, Tally>();

  const openTally = (runId: string) => {
    if (open.has(runId)) return;
    open.set(runId, { tokens: 0, cost: 0 });
    for (const oldest of open.keys()) {
      if (open.size <= MAX_OPEN_CLOSURES) break;
      open.delete(oldest);
    }
  };

  const finish = (runId: string) => {
    const tally = open.get(runId);
    if (tally === undefined) return;
    open.delete(runId);
    const labels = { provider, model: deps.model };
    metrics.llmClosureTokens.observe(labels, tally.tokens);
    metrics.llmClosureCost.observe(labels, tally.cost);
  };

  return {
    onUsage(model, usage) {
      const cost = costOf(usage, prices);
      metrics.llmTokens.inc({ provider, model, kind: 'prompt' }, usage.promptTokens);
      metrics.llmTokens.inc({ provider, model, kind: 'output' }, usage.outputTokens);
      metrics.llmCost.inc({ provider, model }, cost);
      const runId = runOfCall.getStore();
      const tally = runId === undefined ? undefined : open.get(runId);
      if (tally === undefined) return;
      tally.tokens += usage.promptTokens + usage.outputTokens;
      tally.cost += cost;
    },
    meterStage(stage) {
      const { onCancel } = stage;
      return {
        // Spread, so whatever else a stage offers the orchestrator passes through unchanged.
        ...stage,
        async run(ctx) {
          if (stage.key === FIRST_STAGE) openTally(ctx.run.id);
          const outcome = await runOfCall.run(ctx.run.id, () => stage.run(ctx));
          if (finishesClosure(stage.key, outcome)) finish(ctx.run.id);
          return outcome;
        },
        ...(onCancel
          ? {
              onCancel(ctx) {
                open.delete(ctx.run.id);
                return onCancel.call(stage, ctx);
              },
            }
          : {}),
      };
    },
    openClosures: () => open.size,
  };
}

/** The orchestrator's rule: a stopped stage ends the run, and so does the last stage succeeding. */
function finishesClosure(stage: StageKey, outcome: StageOutcome): boolean {
  return outcome.status === 'stopped' || (outcome.status === 'succeeded' && stage === LAST_STAGE);
}
