/**
 * The Deal Closure Agent with a self-hosted model: LLM_PROVIDER=openai points the real `openai`
 * client at a local server speaking the Chat Completions wire format (as in
 * middleware/src/adapters/openai/fixtures). The model reads the whole conversation through the
 * same port Gemini does: its verified quotes refine the offline reading, the step records which
 * provider answered and its tokens, /metrics counts tokens and cost by provider, and an outage or
 * a refusal leaves the offline reading with the reason on the timeline.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { Connection } from '@jsforce/jsforce-node';
import { loadConfig, createLogger, startServer, type RunningServer } from '@dealdesk/middleware';
import { closureView, startDemoClosure, targetOf } from '@dealdesk/middleware/demo';

type Mode = 'answer' | 'unavailable' | 'refusal';
const MODEL = 'qwen2.5-7b-instruct';

interface ChatRequest {
  model: string;
  messages: { role: string; content: string }[];
  response_format: { type: string; json_schema: { name: string; strict: boolean; schema: unknown } };
}

function fakeChatCompletions(mode: () => Mode) {
  const app = express();
  const requests: ChatRequest[] = [];
  app.post('/v1/chat/completions', express.json({ limit: '5mb' }), (req, res) => {
    const body = req.body as ChatRequest;
    requests.push(body);
    if (mode() === 'unavailable') {
      res.status(503).json({
        error: { message: 'All GPUs are busy.', type: 'server_error', param: null, code: null },
      });
      return;
    }
    const prompt = body.messages.find((m) => m.role === 'user')?.content ?? '';
    // One faithful quote from the newest record, as the Gemini test's model gives.
    const first = /<record n="1"[^>]*>\n([^\n]+)/.exec(prompt)?.[1] ?? '';
    const answer = {
      signals: [{ type: 'explicit_commitment', record: 1, quote: first.slice(0, 40), supportsClosing: true }],
      readiness: 0.88,
      rationale: 'The buyer confirmed in writing.',
    };
    const refused = mode() === 'refusal';
    res.json({
      id: 'chatcmpl-e2e-1',
      object: 'chat.completion',
      created: 1796000000,
      model: MODEL,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: refused ? null : JSON.stringify(answer),
            refusal: refused ? 'I will not assess this deal.' : null,
          },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 3000, completion_tokens: 500, total_tokens: 3500 },
    });
  });
  return new Promise<{ url: string; requests: ChatRequest[]; close(): Promise<void> }>((resolve) => {
    const server: Server = app.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
        requests,
        close: () => new Promise((r) => server.close(() => r())),
      }),
    );
  });
}

describe('Deal Closure Agent with an OpenAI-compatible (self-hosted) model', function () {
  this.timeout(60_000);
  let mode: Mode = 'answer';
  let llm: Awaited<ReturnType<typeof fakeChatCompletions>>;
  let dir: string;
  let server: RunningServer;

  before(async () => {
    llm = await fakeChatCompletions(() => mode);
    dir = mkdtempSync(join(tmpdir(), 'dealdesk-openai-'));
    const config = loadConfig({
      PORT: '0',
      DEALDESK_DATA_DIR: dir,
      LOG_LEVEL: 'silent',
      LLM_PROVIDER: 'openai',
      LLM_BASE_URL: llm.url,
      LLM_MODEL: MODEL,
      LLM_PRICE_INPUT_PER_MTOK: '1',
      LLM_PRICE_OUTPUT_PER_MTOK: '4',
    });
    server = await startServer(config, createLogger({ level: 'silent' }), { timerPollMs: 0 });
  });
  after(async () => {
    await server?.close();
    await llm?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function firstStep(closureId: string) {
    for (let i = 0; i < 400; i++) {
      const view = await closureView(targetOf(server), closureId);
      const step = view.steps.find((s) => s.agent === 'Deal_Closure');
      if (step && step.status !== 'Running') return step;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('the Deal Closure step did not finish');
  }

  async function closeWith(m: Mode) {
    mode = m;
    const started = await startDemoClosure(targetOf(server), () => undefined);
    const step = await firstStep(started.closureId);
    await fetch(`${server.url}/v1/closures/${started.closureId}/cancel`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.apiKey}`, 'Content-Type': 'application/json' },
      body: '{}',
    });
    await server.system.orchestrator.idle();
    return { step, closureId: started.closureId };
  }

  it('reads the deal with the model, records the provider and its tokens, and counts tokens and cost on /metrics', async () => {
    const { step, closureId } = await closeWith('answer');

    assert.match(step.reasoning, /Model view \(1 verified quote\(s\)/);
    assert.match(step.reasoning, /Signals confirmed by qwen2\.5-7b-instruct/);
    const sent = llm.requests.find((r) => r.response_format.json_schema.name === 'Deal_Closure')!;
    assert.ok(sent, 'the Deal Closure Agent asked the model');
    assert.equal(sent.model, MODEL);
    assert.equal(sent.response_format.type, 'json_schema');
    assert.equal(sent.response_format.json_schema.name, 'Deal_Closure');
    assert.equal(sent.response_format.json_schema.strict, true, 'the reading schema is strict-compatible');
    assert.ok((sent.messages[1]!.content.match(/<record n=/g) ?? []).length >= 10, 'the whole conversation');

    const conn = new Connection({
      instanceUrl: server.url,
      accessToken: server.localOrg!.token,
      version: '65.0',
    });
    const rows = await conn.query<{ Facts__c: string }>(
      `SELECT Facts__c FROM Agent_Step__c WHERE Step_Key__c = '${closureId}:deal_closure'`,
    );
    const facts = JSON.parse(rows.records[0]!.Facts__c) as { source: string; model: string; usage: unknown };
    assert.equal(facts.source, 'openai');
    assert.equal(facts.model, MODEL);
    assert.deepEqual(facts.usage, { promptTokens: 3000, outputTokens: 500, totalTokens: 3500 });

    const metrics = await server.system.metrics.registry.metrics();
    const labels = `provider="openai",model="${MODEL}"`;
    assert.match(metrics, new RegExp(`dealdesk_llm_tokens_total\\{${labels},kind="prompt"\\} \\d+`));
    // (3000 × 1 + 500 × 4) / 1e6 per call.
    const cost = Number(
      new RegExp(`dealdesk_llm_cost_usd_total\\{${labels}\\} ([\\d.e-]+)`).exec(metrics)?.[1],
    );
    const calls = llm.requests.length;
    assert.ok(Math.abs(cost - calls * 0.005) < 1e-9, `cost ${cost} for ${calls} call(s)`);
  });

  it('falls back to the offline reading when the server is unavailable, naming the model', async () => {
    const before = llm.requests.length;
    const { step } = await closeWith('unavailable');
    assert.ok(llm.requests.length - before >= 2, 'retried the 503');
    assert.match(step.reasoning, /Model qwen2\.5-7b-instruct unavailable: unavailable after \d attempt\(s\)/);
    assert.doesNotMatch(step.reasoning, /Model view/);
  });

  it('treats a refusal as no answer', async () => {
    const { step } = await closeWith('refusal');
    assert.match(step.reasoning, /unavailable: blocked after 1 attempt\(s\): the model refused to answer/);
    assert.doesNotMatch(step.reasoning, /I will not assess/);
  });
});
