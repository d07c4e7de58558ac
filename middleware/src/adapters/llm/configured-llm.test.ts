/**
 * The provider the configuration picks, wired to /metrics: an OpenAI-compatible server on
 * 127.0.0.1 answers a closure's model call, and its tokens and cost appear by provider and per
 * closure.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { z } from 'zod';
import { loadConfig } from '../../config/config.ts';
import { createMetrics } from '../../metrics.ts';
import type { StageContext } from '../../orchestrator/stage.ts';
import { startReplayServer, type ReplayServer } from '@dealdesk/test-kit/replay-server';
import { configuredLlm } from './configured-llm.ts';

const silent = pino({ level: 'silent' });
const completion: unknown = JSON.parse(
  readFileSync(new URL('../openai/fixtures/exchanges/closing-assessment.json', import.meta.url), 'utf8'),
).response.body;

const Answer = z.object({
  closingConfidence: z.number(),
  goNoGo: z.enum(['go', 'no_go']),
  signals: z.array(z.object({ kind: z.string(), evidence: z.string() })),
  strategy: z.string(),
});

describe('configuredLlm', () => {
  let server: ReplayServer;

  before(async () => {
    server = await startReplayServer();
  });

  after(async () => {
    await server?.close();
  });

  it('is absent without a model: the offline reasoner answers alone', async () => {
    assert.equal(
      await configuredLlm(loadConfig({}), { logger: silent, metrics: createMetrics() }),
      undefined,
    );
  });

  it('builds the Gemini adapter when GEMINI_API_KEY is set', async () => {
    const model = await configuredLlm(loadConfig({ GEMINI_API_KEY: 'g-key-123' }), {
      logger: silent,
      metrics: createMetrics({ defaultMetrics: false }),
    });
    assert.equal(model?.llm.provider, 'gemini');
    assert.equal(model?.llm.model, 'gemini-2.5-flash');
  });

  it('builds the OpenAI-compatible adapter for LLM_PROVIDER=openai, and meters its tokens and cost per closure', async () => {
    const config = loadConfig({
      LLM_PROVIDER: 'openai',
      LLM_BASE_URL: `${server.origin}/v1`,
      LLM_MODEL: 'qwen2.5-7b-instruct',
      LLM_PRICE_INPUT_PER_MTOK: '0.5',
      LLM_PRICE_OUTPUT_PER_MTOK: '1.5',
    });
    const metrics = createMetrics({ defaultMetrics: false });
    const model = await configuredLlm(config, { logger: silent, metrics });
    assert.ok(model);
    assert.equal(model.llm.provider, 'openai');
    assert.equal(model.llm.model, 'qwen2.5-7b-instruct');

    server.enqueue({ status: 200, body: completion });
    const closing = model.meter.meterStage({
      key: 'deal_closure',
      async run() {
        const answer = await model.llm.generateStructured({
          agent: 'Deal_Closure',
          systemInstruction: 'Judge the deal.',
          prompt: 'The deal.',
          schema: Answer,
        });
        assert.equal(answer.source, 'openai');
        return { status: 'stopped', reasoning: 'r', confidence: null, facts: {}, message: 'm' };
      },
    });
    await closing.run({ run: { id: 'run-1' } } as unknown as StageContext);

    assert.equal(server.requests[0]?.url, '/v1/chat/completions');
    assert.equal(server.requests[0]?.headers['authorization'], undefined, 'no LLM_API_KEY, no header');
    const text = await metrics.registry.metrics();
    const labels = 'provider="openai",model="qwen2.5-7b-instruct"';
    // The fixture's usage: 212 prompt and 64 completion tokens; (212 × 0.5 + 64 × 1.5) / 1e6.
    assert.ok(text.includes(`dealdesk_llm_tokens_total{${labels},kind="prompt"} 212`), text);
    assert.ok(text.includes(`dealdesk_llm_tokens_total{${labels},kind="output"} 64`));
    assert.ok(text.includes(`dealdesk_llm_cost_usd_total{${labels}} 0.000202`));
    assert.ok(text.includes(`dealdesk_llm_closure_tokens_sum{${labels}} 276`));
    assert.ok(text.includes(`dealdesk_llm_closure_cost_usd_sum{${labels}} 0.000202`));
  });
});
