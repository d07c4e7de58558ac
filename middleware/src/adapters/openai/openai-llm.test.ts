/**
 * The OpenAI-compatible adapter run through the REAL `openai` client against a local HTTP server
 * that replays Chat Completions exchanges written for this repository in the API's wire format
 * (./fixtures, see fixtures/README.md for the documentation they follow). Nothing is mocked
 * inside the SDK: requests go over HTTP to 127.0.0.1 and are checked against the fixtures.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { z } from 'zod';
import { reasonWithFallback } from '../../agents/shared/reason-with-fallback.ts';
import type { LlmPort, TokenUsage } from '../../ports/llm.ts';
import {
  startReplayServer,
  type CapturedRequest,
  type Reply,
  type ReplayServer,
} from '@dealdesk/test-kit/replay-server';
import { LlmUnavailableError } from '../llm/llm-errors.ts';
import { toModelJsonSchema } from '../llm/json-schema.ts';
import {
  createOpenAiLlm,
  responseFormatFor,
  retryAfterMs,
  schemaName,
  type OpenAiLlmDeps,
} from './openai-llm.ts';

// ---------------------------------------------------------------------------------------------
// Fixtures: one HTTP exchange per file, written in the Chat Completions wire format

const FIXTURES_DIR = new URL('./fixtures/', import.meta.url);
const API_KEY_PLACEHOLDER = '{{API_KEY}}';

const RequestBodySchema = z.object({
  model: z.string(),
  messages: z.array(z.object({ role: z.string(), content: z.string() })),
  response_format: z.object({
    type: z.literal('json_schema'),
    json_schema: z.object({
      name: z.string(),
      schema: z.record(z.string(), z.unknown()),
      strict: z.boolean(),
    }),
  }),
  temperature: z.number(),
  n: z.number(),
});

const FixtureSchema = z.object({
  about: z.string().min(1),
  request: z
    .object({
      method: z.string(),
      path: z.string(),
      headers: z.record(z.string(), z.string()),
      body: RequestBodySchema,
    })
    .optional(),
  response: z.object({
    status: z.number().int(),
    headers: z.record(z.string(), z.string()),
    body: z.unknown(),
  }),
});
type Fixture = z.infer<typeof FixtureSchema>;

function loadFixture(name: string): Fixture {
  return FixtureSchema.parse(JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES_DIR), 'utf8')));
}

function fixtureReply(name: string, extra: Partial<Reply> = {}): Reply {
  const { response } = loadFixture(name);
  return { status: response.status, body: response.body, headers: response.headers, ...extra };
}

function fixtureRequest(name: string): NonNullable<Fixture['request']> {
  const { request } = loadFixture(name);
  assert.ok(request, `${name} has no request`);
  return request;
}

/** The assistant message content of a fixture's completion. */
function fixtureContent(name: string): string {
  const body = z
    .object({ choices: z.array(z.object({ message: z.object({ content: z.string() }) })).min(1) })
    .parse(loadFixture(name).response.body);
  return body.choices[0]!.message.content;
}

function fixtureErrorMessage(name: string): string {
  return z.object({ error: z.object({ message: z.string() }) }).parse(loadFixture(name).response.body).error
    .message;
}

const CLOSING_ASSESSMENT = 'exchanges/closing-assessment';
const MODEL_NOT_FOUND = 'exchanges/model-not-found';
const ERROR_400 = 'errors/400-invalid-request';
const ERROR_400_VLLM = 'errors/400-vllm-context-length';
const ERROR_401 = 'errors/401-invalid-api-key';
const ERROR_429 = 'errors/429-rate-limit';
const ERROR_429_QUOTA = 'errors/429-insufficient-quota';
const ERROR_503 = 'errors/503-overloaded';

// ---------------------------------------------------------------------------------------------
// The request under test (its texts are those of the closing-assessment fixture)

const API_KEY = 'sk-dealdesk-test-key-never-logged-5e7d';
const MODEL = 'qwen2.5-7b-instruct';
const SYSTEM_MARKER = 'SYS-7f3a';
const PROMPT_MARKER = 'PROMPT-9c1e';
const ANSWER_MARKER = 'ANSWER-41d2';
const REFUSAL_MARKER = 'REFUSAL-TEXT-88b0';

const ClosingAssessmentSchema = z.object({
  closingConfidence: z.number().min(0).max(1),
  goNoGo: z.enum(['go', 'no_go']),
  signals: z.array(z.object({ kind: z.string(), evidence: z.string().max(300) })).max(10),
  strategy: z.string(),
});

const expected = fixtureRequest(CLOSING_ASSESSMENT);
const request = {
  agent: 'Deal_Closure',
  systemInstruction: expected.body.messages[0]!.content,
  prompt: expected.body.messages[1]!.content,
  schema: ClosingAssessmentSchema,
};
/** The fixture's usage: prompt 212, completion 64. */
const FIXTURE_USAGE: TokenUsage = { promptTokens: 212, outputTokens: 64, totalTokens: 276 };

async function expectLlmError(promise: Promise<unknown>): Promise<LlmUnavailableError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof LlmUnavailableError, `expected LlmUnavailableError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the call to fail');
}

function sentBody(sent: CapturedRequest | undefined) {
  assert.ok(sent, 'a request was sent');
  return RequestBodySchema.parse(sent.body);
}

// ---------------------------------------------------------------------------------------------

describe('createOpenAiLlm (real openai client, Chat Completions exchanges replayed from fixtures)', () => {
  let server: ReplayServer;
  let sleeps: number[];
  let logLines: string[];
  let usages: { model: string; usage: TokenUsage }[];

  before(async () => {
    server = await startReplayServer();
  });

  after(async () => {
    await server?.close();
  });

  beforeEach(() => {
    server.reset();
    sleeps = [];
    logLines = [];
    usages = [];
  });

  function makeLlm(overrides: Partial<OpenAiLlmDeps> = {}): LlmPort {
    const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });
    return createOpenAiLlm({
      baseUrl: `${server.origin}/v1`,
      model: MODEL,
      apiKey: API_KEY,
      logger,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      onUsage: (model, usage) => usages.push({ model, usage }),
      ...overrides,
    });
  }

  describe('requests', () => {
    it('sends the fixture request: path, bearer key, system and user messages, strict json_schema from zod', async () => {
      server.enqueue(fixtureReply(CLOSING_ASSESSMENT));

      await makeLlm().generateStructured(request);

      assert.equal(server.requests.length, 1);
      const sent = server.requests[0]!;
      assert.equal(sent.method, expected.method);
      assert.equal(sent.url, expected.path);
      for (const [name, value] of Object.entries(expected.headers)) {
        assert.equal(sent.headers[name], value.replace(API_KEY_PLACEHOLDER, API_KEY), `header ${name}`);
      }
      const body = sentBody(sent);
      assert.deepEqual(body, expected.body, 'the whole body is the fixture request');
      assert.deepEqual(body.messages, [
        { role: 'system', content: request.systemInstruction },
        { role: 'user', content: request.prompt },
      ]);
      assert.equal(body.response_format.json_schema.name, 'Deal_Closure');
      assert.equal(body.response_format.json_schema.strict, true);
      // The schema is the shared zod derivation (the one Gemini gets), already strict-compatible.
      assert.deepEqual(body.response_format.json_schema.schema, toModelJsonSchema(ClosingAssessmentSchema));
    });

    it('sends no Authorization header when no key is configured (a local server)', async () => {
      server.enqueue(fixtureReply(CLOSING_ASSESSMENT));

      const result = await makeLlm({ apiKey: undefined }).generateStructured(request);

      assert.equal(result.source, 'openai');
      assert.equal(server.requests[0]?.headers['authorization'], undefined);
    });

    it('sends a schema strict mode cannot express (an optional field) with strict: false', async () => {
      const WithOptional = z.object({ decision: z.enum(['go', 'wait']), note: z.string().optional() });
      server.enqueue({
        status: 200,
        body: completionWith(JSON.stringify({ decision: 'wait' })),
      });

      const result = await makeLlm().generateStructured({
        ...request,
        agent: 'Approval brief',
        schema: WithOptional,
      });

      assert.deepEqual(result.value, { decision: 'wait' });
      const format = sentBody(server.requests[0]).response_format.json_schema;
      assert.equal(format.strict, false);
      assert.equal(format.name, 'Approval_brief');
      assert.deepEqual(format.schema['required'], ['decision']);
      assert.deepEqual(
        format,
        responseFormatFor({ agent: 'Approval brief', schema: WithOptional }, MODEL).json_schema,
      );
    });

    it('names the schema within the allowed characters and length', () => {
      assert.equal(schemaName('Deal_Closure'), 'Deal_Closure');
      assert.equal(schemaName('contract wording: v2'), 'contract_wording_v2');
      assert.equal(schemaName('x'.repeat(80)).length, 64);
      assert.equal(schemaName('***'), '_');
    });
  });

  describe('answers', () => {
    it('returns the validated answer with source openai, the model and the token usage, and reports the usage', async () => {
      server.enqueue(fixtureReply(CLOSING_ASSESSMENT));

      const result = await makeLlm().generateStructured(request);

      assert.deepEqual(result.value, JSON.parse(fixtureContent(CLOSING_ASSESSMENT)));
      assert.equal(result.value.strategy.includes(ANSWER_MARKER), true);
      assert.equal(result.source, 'openai');
      assert.equal(result.model, MODEL);
      assert.equal(result.fallbackReason, undefined);
      assert.deepEqual(result.usage, FIXTURE_USAGE);
      assert.deepEqual(usages, [{ model: MODEL, usage: FIXTURE_USAGE }]);
      assert.deepEqual(sleeps, []);
    });

    it('rejects an answer that breaks the schema as invalid_output: paths and codes only, usage kept, not retried', async () => {
      server.enqueue(fixtureReply('responses/schema-mismatch'), fixtureReply(CLOSING_ASSESSMENT));

      const err = await expectLlmError(makeLlm().generateStructured(request));

      assert.equal(err.kind, 'invalid_output');
      assert.equal(err.attempts, 1);
      assert.equal(server.requests.length, 1);
      assert.match(err.message, /closingConfidence too_big/);
      assert.match(err.message, /goNoGo invalid_value/);
      assert.match(err.message, /strategy invalid_type/);
      assert.ok(!err.message.includes('probably'), 'answer values stay out of the message');
      assert.deepEqual(err.usage, { promptTokens: 212, outputTokens: 20, totalTokens: 232 });
      assert.equal(usages.length, 1, 'the tokens of a rejected answer are still counted');
    });

    it('rejects prose instead of JSON as invalid_output', async () => {
      server.enqueue(fixtureReply('responses/not-json'));

      const err = await expectLlmError(makeLlm().generateStructured(request));

      assert.equal(err.kind, 'invalid_output');
      assert.match(err.message, /not valid JSON \(47 chars\)/);
      assert.ok(!err.message.includes('Northwind'));
    });

    const blocked: { name: string; reply: () => Reply; reason: RegExp }[] = [
      {
        name: 'a refusal (responses/refusal)',
        reply: () => fixtureReply('responses/refusal'),
        reason: /the model refused to answer \(refusal of \d+ chars\)/,
      },
      {
        name: 'finish_reason length with JSON cut off (responses/length-truncated)',
        reply: () => fixtureReply('responses/length-truncated'),
        reason: /stopped before a complete answer \(finish_reason length\)/,
      },
      {
        name: 'finish_reason content_filter (responses/content-filter)',
        reply: () => fixtureReply('responses/content-filter'),
        reason: /withheld the answer \(finish_reason content_filter\)/,
      },
      {
        name: 'an empty choices array',
        reply: () => ({ status: 200, body: { ...completionWith('{}'), choices: [] } }),
        reason: /returned no choices/,
      },
      {
        name: 'empty content with finish_reason stop',
        reply: () => ({ status: 200, body: completionWith('  ') }),
        reason: /returned no text \(finish_reason stop\)/,
      },
    ];
    for (const c of blocked) {
      it(`${c.name} → blocked, not retried, no model text in the message`, async () => {
        server.enqueue(c.reply(), fixtureReply(CLOSING_ASSESSMENT));

        const err = await expectLlmError(makeLlm().generateStructured(request));

        assert.equal(err.kind, 'blocked');
        assert.match(err.message, c.reason);
        assert.equal(err.attempts, 1);
        assert.equal(server.requests.length, 1);
        assert.ok(!err.message.includes(REFUSAL_MARKER) && !err.message.includes('legal has'));
      });
    }
  });

  describe('failing fast on permanent errors', () => {
    it('400 invalid_request_error → invalid_request with the server message, one attempt', async () => {
      server.enqueue(fixtureReply(ERROR_400), fixtureReply(ERROR_400));

      const err = await expectLlmError(makeLlm().generateStructured(request));

      assert.equal(err.kind, 'invalid_request');
      assert.equal(err.httpStatus, 400);
      assert.equal(err.providerCode, 'invalid_request_error', 'the type stands in for a null code');
      assert.equal(err.retryable, false);
      assert.equal(err.attempts, 1);
      assert.equal(server.requests.length, 1);
      assert.ok(err.message.includes(fixtureErrorMessage(ERROR_400)), err.message);
      assert.deepEqual(sleeps, []);
    });

    it("400 in vLLM's envelope (numeric code) → invalid_request", async () => {
      server.enqueue(fixtureReply(ERROR_400_VLLM));

      const err = await expectLlmError(makeLlm().generateStructured(request));

      assert.equal(err.kind, 'invalid_request');
      assert.equal(err.providerCode, '400');
      assert.match(err.message, /^OpenAI-compatible server 400 400: The prompt is 40960 tokens long/);
    });

    it('401 invalid_api_key → auth, one attempt', async () => {
      server.enqueue(fixtureReply(ERROR_401), fixtureReply(ERROR_401));

      const err = await expectLlmError(makeLlm().generateStructured(request));

      assert.equal(err.kind, 'auth');
      assert.equal(err.httpStatus, 401);
      assert.equal(err.providerCode, 'invalid_api_key');
      assert.equal(server.requests.length, 1);
    });

    it('404 model_not_found (fixture exchange) → not_found naming the model and the variables to check', async () => {
      const notFound = fixtureRequest(MODEL_NOT_FOUND);
      server.enqueue(fixtureReply(MODEL_NOT_FOUND));

      const err = await expectLlmError(makeLlm({ model: notFound.body.model }).generateStructured(request));

      assert.equal(err.kind, 'not_found');
      assert.equal(err.model, 'llama-retired-for-tests');
      assert.match(
        err.message,
        /model "llama-retired-for-tests" .* \(404 model_not_found\): check LLM_MODEL and LLM_BASE_URL/,
      );
      assert.equal(err.attempts, 1);
      assert.deepEqual(sentBody(server.requests[0]), notFound.body);
    });

    it('429 insufficient_quota → rate_limited but not retried: waiting does not buy credit', async () => {
      server.enqueue(fixtureReply(ERROR_429_QUOTA), fixtureReply(CLOSING_ASSESSMENT));

      const err = await expectLlmError(makeLlm().generateStructured(request));

      assert.equal(err.kind, 'rate_limited');
      assert.equal(err.retryable, false);
      assert.equal(err.providerCode, 'insufficient_quota');
      assert.equal(server.requests.length, 1);
      assert.deepEqual(sleeps, []);
    });
  });

  describe('retries', () => {
    it('retries a 429 after its Retry-After (7 s, without waiting for real), then succeeds', async () => {
      server.enqueue(fixtureReply(ERROR_429), fixtureReply(CLOSING_ASSESSMENT));

      const result = await makeLlm().generateStructured(request);

      assert.equal(result.source, 'openai');
      assert.deepEqual(result.value, JSON.parse(fixtureContent(CLOSING_ASSESSMENT)));
      assert.equal(server.requests.length, 2);
      assert.deepEqual(sleeps, [7_000]);
      assert.equal(logLines.filter((l) => l.includes('openai call failed; retrying')).length, 1);
      assert.ok(logLines.some((l) => l.includes('"kind":"rate_limited"') && l.includes('"delayMs":7000')));
    });

    it('prefers retry-after-ms, and reads an HTTP-date Retry-After against the injected clock', async () => {
      const now = Date.parse('2026-12-07T10:00:00Z');
      server.enqueue(
        fixtureReply(ERROR_429, { headers: { 'retry-after-ms': '1250', 'retry-after': '9' } }),
        fixtureReply(ERROR_429, { headers: { 'retry-after': 'Mon, 07 Dec 2026 10:00:04 GMT' } }),
        fixtureReply(CLOSING_ASSESSMENT),
      );

      await makeLlm({ now: () => now, timeoutMs: 60_000 }).generateStructured(request);

      assert.deepEqual(sleeps, [1_250, 4_000]);
    });

    it('gives up at once when the requested wait would outlast the deadline', async () => {
      server.enqueue(
        fixtureReply(ERROR_429, { headers: { 'retry-after': '25' } }),
        fixtureReply(CLOSING_ASSESSMENT),
      );

      const err = await expectLlmError(makeLlm().generateStructured(request)); // default 20 s budget

      assert.equal(err.kind, 'rate_limited');
      assert.equal(err.providerCode, 'rate_limit_exceeded');
      assert.equal(err.retryDelayMs, 25_000);
      assert.equal(err.attempts, 1);
      assert.deepEqual(sleeps, []);
      assert.ok(logLines.some((l) => l.includes('the next attempt would outlast the deadline')));
    });

    it('retries 503 with full-jitter backoff until the attempts run out', async () => {
      const overloaded = fixtureReply(ERROR_503);
      server.enqueue(overloaded, overloaded, overloaded, overloaded);

      const err = await expectLlmError(makeLlm({ maxAttempts: 3 }).generateStructured(request));

      assert.equal(err.kind, 'unavailable');
      assert.equal(err.httpStatus, 503);
      assert.equal(err.attempts, 3);
      assert.equal(server.requests.length, 3);
      assert.equal(sleeps.length, 2);
      assert.ok(sleeps[0]! >= 0 && sleeps[0]! <= 500, `first wait ${sleeps[0]}`);
      assert.ok(sleeps[1]! >= 0 && sleeps[1]! <= 1000, `second wait ${sleeps[1]}`);
      assert.ok(err.message.includes(`503 server_error: ${fixtureErrorMessage(ERROR_503)}`), err.message);
    });

    it('does not retry a 503 the server marks x-should-retry: false', async () => {
      server.enqueue(
        fixtureReply(ERROR_503, { headers: { 'x-should-retry': 'false' } }),
        fixtureReply(CLOSING_ASSESSMENT),
      );

      const err = await expectLlmError(makeLlm().generateStructured(request));

      assert.equal(err.kind, 'unavailable');
      assert.equal(err.retryable, false);
      assert.equal(server.requests.length, 1);
    });

    it('retries a dropped connection (network error), then succeeds', async () => {
      server.enqueue({ status: 0, destroySocket: true }, fixtureReply(CLOSING_ASSESSMENT));

      const result = await makeLlm().generateStructured(request);

      assert.equal(result.source, 'openai');
      assert.equal(server.requests.length, 2);
      assert.equal(sleeps.length, 1);
    });

    it('reports a server that is not there as unavailable after the attempts', async () => {
      const closed = await startReplayServer();
      await closed.close();

      const err = await expectLlmError(
        makeLlm({ baseUrl: `${closed.origin}/v1`, maxAttempts: 2 }).generateStructured(request),
      );

      assert.equal(err.kind, 'unavailable');
      assert.equal(err.attempts, 2);
      assert.match(err.message, /network error reaching the OpenAI-compatible server/);
    });
  });

  describe('deadline', () => {
    it('aborts a server that answers later than timeoutMs → timeout', async () => {
      server.enqueue(fixtureReply(CLOSING_ASSESSMENT, { delayMs: 3_000 }));
      const started = performance.now();

      const err = await expectLlmError(makeLlm({ timeoutMs: 200 }).generateStructured(request));

      const elapsed = performance.now() - started;
      assert.equal(err.kind, 'timeout');
      assert.equal(err.attempts, 1);
      assert.match(err.message, /gave no answer within 200 ms after 1 attempt\(s\)/);
      assert.ok(elapsed < 2_000, `gave up after ${Math.round(elapsed)} ms`);
    });

    it('a per-request timeoutMs overrides the adapter default', async () => {
      server.enqueue(fixtureReply(CLOSING_ASSESSMENT, { delayMs: 3_000 }));

      const err = await expectLlmError(
        makeLlm({ timeoutMs: 60_000 }).generateStructured({ ...request, timeoutMs: 150 }),
      );

      assert.equal(err.kind, 'timeout');
      assert.match(err.message, /within 150 ms/);
    });
  });

  describe('secrets and prompt text', () => {
    it('never logs or returns the API key, the prompt, the instruction, the answer or a refusal', async () => {
      const llm = makeLlm({ timeoutMs: 60_000 });
      // A server that echoes the key it refused must not get it into our messages.
      const echoing = fixtureReply(ERROR_401);
      echoing.body = {
        error: {
          message: `Key ${API_KEY} is not valid.`,
          type: 'invalid_request_error',
          param: null,
          code: 'invalid_api_key',
        },
      };
      server.enqueue(
        fixtureReply(ERROR_429),
        fixtureReply(CLOSING_ASSESSMENT),
        echoing,
        fixtureReply('responses/refusal'),
        fixtureReply(CLOSING_ASSESSMENT, { delayMs: 2_000 }),
      );
      await llm.generateStructured(request);
      const errors = [
        await expectLlmError(llm.generateStructured(request)),
        await expectLlmError(llm.generateStructured(request)),
      ];
      const fallback = await reasonWithFallback(
        makeLlm({ timeoutMs: 100 }),
        request,
        () => ({ closingConfidence: 0.5, goNoGo: 'no_go' as const, signals: [], strategy: 'offline rules' }),
        pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) }),
      );
      assert.equal(fallback.source, 'offline');
      assert.match(fallback.fallbackReason ?? '', /^timeout after 1 attempt\(s\)/);
      assert.match(errors[0]!.message, /Key \[REDACTED\] is not valid/);

      const logs = logLines.join('');
      assert.match(logs, /"promptChars":\d+/);
      for (const secret of [API_KEY, PROMPT_MARKER, SYSTEM_MARKER, ANSWER_MARKER, REFUSAL_MARKER]) {
        assert.ok(!logs.includes(secret), `logs contain ${secret}`);
        for (const err of errors)
          assert.ok(!err.message.includes(secret), `${err.message} contains ${secret}`);
        assert.ok(!(fallback.fallbackReason ?? '').includes(secret));
      }
      const infoAndAbove = logLines.filter((l) => !l.includes('"level":20'));
      assert.ok(
        infoAndAbove.length > 0 && infoAndAbove.every((l) => !l.includes('promptChars')),
        'sizes only at debug',
      );
    });
  });

  describe('reasonWithFallback', () => {
    it('returns the model answer when the server answers, and the offline answer with the reason when it refuses', async () => {
      server.enqueue(fixtureReply(CLOSING_ASSESSMENT), fixtureReply('responses/refusal'));
      const offline = () => ({
        closingConfidence: 0.5,
        goNoGo: 'no_go' as const,
        signals: [],
        strategy: 'offline',
      });

      const answered = await reasonWithFallback(makeLlm(), request, offline);
      const refused = await reasonWithFallback(makeLlm(), request, offline);

      assert.equal(answered.source, 'openai');
      assert.equal(answered.fallbackReason, undefined);
      assert.equal(refused.source, 'offline');
      assert.deepEqual(refused.value, offline());
      assert.match(
        refused.fallbackReason ?? '',
        /^blocked after 1 attempt\(s\): the model refused to answer/,
      );
    });
  });
});

describe('retryAfterMs', () => {
  const now = () => Date.parse('2026-12-07T10:00:00Z');
  const headers = (h: Record<string, string>) => new Headers(h);

  it('reads seconds, fractional seconds, milliseconds and HTTP dates; ignores what it cannot read', () => {
    assert.equal(retryAfterMs(headers({ 'retry-after': '7' }), now), 7_000);
    assert.equal(retryAfterMs(headers({ 'retry-after': '0.5' }), now), 500);
    assert.equal(retryAfterMs(headers({ 'retry-after-ms': '250', 'retry-after': '7' }), now), 250);
    assert.equal(retryAfterMs(headers({ 'retry-after': 'Mon, 07 Dec 2026 10:00:30 GMT' }), now), 30_000);
    assert.equal(
      retryAfterMs(headers({ 'retry-after': 'Mon, 07 Dec 2026 09:59:00 GMT' }), now),
      0,
      'a past date',
    );
    assert.equal(retryAfterMs(headers({ 'retry-after': 'soon' }), now), undefined);
    assert.equal(retryAfterMs(headers({}), now), undefined);
    assert.equal(retryAfterMs(undefined, now), undefined);
  });
});

/** A chat.completion with this content (finish_reason stop), for the cases no fixture needs. */
function completionWith(content: string): Record<string, unknown> {
  const body = z.record(z.string(), z.unknown()).parse(loadFixture(CLOSING_ASSESSMENT).response.body);
  return {
    ...body,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content, refusal: null },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
  };
}
