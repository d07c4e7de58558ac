import assert from 'node:assert/strict';
import { createMetrics, type Metrics } from './metrics.ts';
import { costOf, createLlmUsageMeter } from './llm-usage.ts';
import type { CancelContext, Stage, StageContext, StageKey, StageOutcome } from './orchestrator/stage.ts';
import type { TokenUsage } from './ports/llm.ts';

const usage = (promptTokens: number, outputTokens: number): TokenUsage => ({
  promptTokens,
  outputTokens,
  totalTokens: promptTokens + outputTokens,
});

const outcome = (status: StageOutcome['status']): StageOutcome => ({
  status,
  reasoning: 'r',
  confidence: null,
  facts: {},
  message: 'm',
});

/** Just what the meter reads of a stage context: the run's id. */
const ctxOf = (runId: string) => ({ run: { id: runId } }) as unknown as StageContext;

/** A stage that makes model calls (reporting usage as an adapter does), then ends with `status`. */
function stage(
  key: StageKey,
  calls: (runId: string) => Promise<void> = async () => undefined,
  status: StageOutcome['status'] = 'succeeded',
): Stage {
  return {
    key,
    async run(ctx) {
      await calls(ctx.run.id);
      return outcome(status);
    },
  };
}

async function sample(metrics: Metrics, name: string): Promise<string> {
  const text = await metrics.registry.getSingleMetricAsString(name);
  return text;
}

describe('LLM usage metering', () => {
  it('prices tokens per million, 0 for a self-hosted model', () => {
    assert.equal(costOf(usage(1_000_000, 0), { inputPerMTok: 0.15, outputPerMTok: 0.6 }), 0.15);
    assert.equal(costOf(usage(2_000, 500), { inputPerMTok: 1.25, outputPerMTok: 10 }), 0.0025 + 0.005);
    assert.equal(costOf(usage(2_000, 500), { inputPerMTok: 0, outputPerMTok: 0 }), 0);
  });

  it('counts tokens and cost by provider and model on /metrics', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const meter = createLlmUsageMeter({
      metrics,
      provider: 'openai',
      model: 'qwen2.5-7b-instruct',
      prices: { inputPerMTok: 2, outputPerMTok: 8 },
    });

    meter.onUsage('qwen2.5-7b-instruct', usage(1_000, 250));
    meter.onUsage('qwen2.5-7b-instruct', usage(500, 50));

    const tokens = await sample(metrics, 'dealdesk_llm_tokens_total');
    assert.match(
      tokens,
      /dealdesk_llm_tokens_total\{provider="openai",model="qwen2.5-7b-instruct",kind="prompt"\} 1500/,
    );
    assert.match(
      tokens,
      /dealdesk_llm_tokens_total\{provider="openai",model="qwen2.5-7b-instruct",kind="output"\} 300/,
    );
    const cost = await sample(metrics, 'dealdesk_llm_cost_usd_total');
    // (1500 × 2 + 300 × 8) / 1e6
    assert.match(cost, /dealdesk_llm_cost_usd_total\{provider="openai",model="qwen2.5-7b-instruct"\} 0.0054/);
  });

  it('adds each closure’s calls to that closure, concurrent closures apart, and observes it when it finishes', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const meter = createLlmUsageMeter({
      metrics,
      provider: 'gemini',
      model: 'gemini-2.5-flash',
      prices: { inputPerMTok: 0.3, outputPerMTok: 2.5 },
    });
    const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
    const perCall = { 'run-a': usage(1_000, 200), 'run-b': usage(10_000, 2_000) };
    // Each closure's first stage makes two calls with a wait between them, interleaved with the
    // other closure's: the tally must follow the async context, not the order of events.
    const first = meter.meterStage(
      stage('deal_closure', async (runId) => {
        const each = perCall[runId as keyof typeof perCall];
        meter.onUsage('gemini-2.5-flash', each);
        await tick();
        meter.onUsage('gemini-2.5-flash', each);
      }),
    );

    await Promise.all([first.run(ctxOf('run-a')), first.run(ctxOf('run-b'))]);
    assert.equal(meter.openClosures(), 2);

    // Middle stages make no calls; the last stage finishing closes run-a; run-b stops early.
    await meter.meterStage(stage('learning_optimization')).run(ctxOf('run-a'));
    await meter.meterStage(stage('approval_orchestration', undefined, 'stopped')).run(ctxOf('run-b'));
    assert.equal(meter.openClosures(), 0);

    const hist = await sample(metrics, 'dealdesk_llm_closure_tokens');
    const labels = 'provider="gemini",model="gemini-2.5-flash"';
    // run-a: 2 × 1200 = 2400 tokens; run-b: 2 × 12000 = 24000.
    assert.match(hist, new RegExp(`_bucket\\{le="1000",${labels}\\} 0`));
    assert.match(hist, new RegExp(`_bucket\\{le="2500",${labels}\\} 1`));
    assert.match(hist, new RegExp(`_bucket\\{le="10000",${labels}\\} 1`));
    assert.match(hist, new RegExp(`_bucket\\{le="25000",${labels}\\} 2`));
    assert.match(hist, new RegExp(`_sum\\{${labels}\\} 26400`));
    const cost = await sample(metrics, 'dealdesk_llm_closure_cost_usd');
    // run-a: (2000 × 0.3 + 400 × 2.5) / 1e6 = 0.0016; run-b: ten times that.
    assert.match(cost, new RegExp(`_bucket\\{le="0.005",${labels}\\} 1`));
    assert.match(cost, new RegExp(`_bucket\\{le="0.025",${labels}\\} 2`));
    assert.match(cost, new RegExp(`_count\\{${labels}\\} 2`));
  });

  it('keeps one closure’s tokens to itself', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const meter = createLlmUsageMeter({
      metrics,
      provider: 'openai',
      model: 'm',
      prices: { inputPerMTok: 0, outputPerMTok: 0 },
    });
    const calling = stage('deal_closure', async () => meter.onUsage('m', usage(300, 100)));

    await meter.meterStage(calling).run(ctxOf('with-model'));
    await meter.meterStage(stage('deal_closure', undefined, 'stopped')).run(ctxOf('without-model'));
    await meter.meterStage(stage('learning_optimization')).run(ctxOf('with-model'));

    const hist = await sample(metrics, 'dealdesk_llm_closure_tokens');
    assert.match(hist, /_bucket\{le="0",provider="openai",model="m"\} 1/, 'the closure without calls used 0');
    assert.match(hist, /_bucket\{le="500",provider="openai",model="m"\} 2/);
    assert.match(hist, /_sum\{provider="openai",model="m"\} 400/);
    assert.match(hist, /_count\{provider="openai",model="m"\} 2/);
  });

  it('does not observe a closure this process did not start, nor a cancelled one', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const meter = createLlmUsageMeter({
      metrics,
      provider: 'openai',
      model: 'm',
      prices: { inputPerMTok: 0, outputPerMTok: 0 },
    });
    let cancelled = '';
    const waiting: Stage = {
      key: 'signature_management',
      ownsEvent: (kind) => kind.startsWith('esign:'),
      async run() {
        return outcome('waiting');
      },
      async onCancel(ctx) {
        cancelled = ctx.run.id;
        return 'withdrawn';
      },
    };
    const metered = meter.meterStage(waiting);
    assert.equal(metered.ownsEvent?.('esign:completed'), true, 'the rest of the stage passes through');

    // Started before a restart: its first stage ran elsewhere.
    await meter.meterStage(stage('learning_optimization')).run(ctxOf('resumed'));
    // Started here, then cancelled while waiting for signatures.
    await meter.meterStage(stage('deal_closure')).run(ctxOf('cancelled'));
    await metered.run(ctxOf('cancelled'));
    assert.equal(meter.openClosures(), 1);
    const line = await metered.onCancel?.({ run: { id: 'cancelled' } } as unknown as CancelContext);

    assert.equal(line, 'withdrawn');
    assert.equal(cancelled, 'cancelled');
    assert.equal(meter.openClosures(), 0);
    assert.doesNotMatch(await sample(metrics, 'dealdesk_llm_closure_tokens'), /_count/, 'nothing observed');
  });
});
