/**
 * The Gemini adapter run through the REAL @google/genai client against a local HTTP server that
 * replays Gemini exchanges written for this repository in the Gemini API's wire format (./fixtures,
 * see fixtures/README.md for the documentation they follow). Nothing is mocked inside the SDK:
 * requests go over HTTP to 127.0.0.1 and are checked against the fixtures' requests.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  startReplayServer,
  type CapturedRequest,
  type ReplayServer,
  type Reply,
} from '@dealdesk/test-kit/replay-server';
import { pino } from 'pino';
import { z } from 'zod';
import { reasonWithFallback } from '../../agents/shared/reason-with-fallback.ts';
import type { LlmPort } from '../../ports/llm.ts';
import {
  createGeminiLlm,
  LlmUnavailableError,
  toGeminiJsonSchema,
  type GeminiLlmDeps,
} from './gemini-llm.ts';

// ---------------------------------------------------------------------------------------------
// Fixtures: one HTTP exchange per file (request optional), written in Gemini's wire format

const FIXTURES_DIR = new URL('./fixtures/', import.meta.url);
/** Stands for the test's API key in the fixtures' request headers. */
const API_KEY_PLACEHOLDER = '{{API_KEY}}';

const RequestBodySchema = z.object({
  contents: z.array(z.unknown()),
  systemInstruction: z.unknown().optional(),
  generationConfig: z.record(z.string(), z.unknown()),
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
    headers: z.object({ 'content-type': z.string() }),
    body: z.unknown(),
  }),
});
type Fixture = z.infer<typeof FixtureSchema>;

function loadFixture(name: string): Fixture {
  return FixtureSchema.parse(JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES_DIR), 'utf8')));
}

function fixtureRequest(name: string): NonNullable<Fixture['request']> {
  const { request } = loadFixture(name);
  assert.ok(request, `${name} has no request`);
  return request;
}

const CLOSING_ASSESSMENT = 'exchanges/closing-assessment';
const SCHEMA_KEYWORDS = 'exchanges/schema-keywords';
const MODEL_NOT_FOUND = 'exchanges/model-not-found';
const ERROR_400 = 'errors/400-invalid-argument';
const ERROR_403 = 'errors/403-permission-denied';
const ERROR_429 = 'errors/429-resource-exhausted';
const ERROR_503 = 'errors/503-unavailable';

const SuccessEnvelopeSchema = z.looseObject({
  candidates: z
    .array(
      z.looseObject({
        content: z.looseObject({ parts: z.array(z.looseObject({ text: z.string() })).min(1) }),
      }),
    )
    .min(1),
  usageMetadata: z.looseObject({
    promptTokenCount: z.number(),
    candidatesTokenCount: z.number(),
    thoughtsTokenCount: z.number(),
    totalTokenCount: z.number(),
  }),
  modelVersion: z.string(),
});

/** The text of the first candidate's first part of a fixture's success body. */
function fixtureAnswerText(name: string): string {
  const envelope = SuccessEnvelopeSchema.parse(loadFixture(name).response.body);
  return envelope.candidates[0]?.content.parts[0]?.text ?? '';
}

/** The closing-assessment success body with its text part replaced. */
function successBodyWithText(text: string): unknown {
  const envelope = SuccessEnvelopeSchema.parse(loadFixture(CLOSING_ASSESSMENT).response.body);
  const part = envelope.candidates[0]?.content.parts[0];
  assert.ok(part);
  part.text = text;
  return envelope;
}

/** The text of a Content (`{parts: [{text}], role}`) of a fixture request. */
function contentText(content: unknown): string {
  return z.object({ parts: z.array(z.object({ text: z.string() })).length(1) }).parse(content).parts[0]!.text;
}

// ---------------------------------------------------------------------------------------------
// A local server that replays queued responses and records what the SDK sent

/** Gemini's unary answers are JSON in UTF-8; an empty queue answers in Gemini's error shape. */
const startGeminiReplay = () =>
  startReplayServer({
    contentType: 'application/json; charset=UTF-8',
    emptyQueue: {
      status: 418,
      body: { error: { code: 418, message: 'replay queue empty', status: 'TEST_QUEUE_EMPTY' } },
    },
  });

/** A fixture's response as a reply; its status agrees with the error envelope's code. */
function fixtureReply(name: string, opts: { contentType?: string } = {}): Reply {
  const { response } = loadFixture(name);
  const code = z.object({ error: z.object({ code: z.number() }) }).safeParse(response.body);
  if (code.success) assert.equal(response.status, code.data.error.code, `${name}: status vs error.code`);
  const contentType = opts.contentType ?? response.headers['content-type'];
  return {
    status: response.status,
    body: response.body,
    ...(contentType ? { headers: { 'content-type': contentType } } : {}),
  };
}

/** The `error.message` of a fixture's error envelope. */
function fixtureErrorMessage(name: string): string {
  return z.object({ error: z.object({ message: z.string() }) }).parse(loadFixture(name).response.body).error
    .message;
}

// ---------------------------------------------------------------------------------------------
// The request under test (its texts are those of the closing-assessment fixture)

const API_KEY = 'AIzaSy-test-key-never-logged-0123456789';
const MODEL = 'gemini-2.5-flash'; // the model of the fixtures
const PROMPT_MARKER = 'PROMPT-MARKER-Acme-Corp-wants-40-seats';
const SYSTEM_MARKER = 'SYSTEM-MARKER-assess-closing-confidence';
const ANSWER_MARKER = 'ANSWER-MARKER-strategy-text';

const ClosingAssessmentSchema = z.object({
  closingConfidence: z.number().min(0).max(1),
  goNoGo: z.enum(['go', 'no_go']),
  signals: z.array(z.object({ kind: z.string(), evidence: z.string() })),
  strategy: z.string(),
});
type ClosingAssessment = z.infer<typeof ClosingAssessmentSchema>;

const MODEL_ANSWER: ClosingAssessment = {
  closingConfidence: 0.82,
  goNoGo: 'go',
  signals: [{ kind: 'verbal_commit', evidence: 'Email 2025-08-14: "we are ready to sign"' }],
  strategy: ANSWER_MARKER,
};

const OFFLINE_ANSWER: ClosingAssessment = {
  closingConfidence: 0.6,
  goNoGo: 'go',
  signals: [],
  strategy: 'offline rules',
};

const request = {
  agent: 'deal-closure',
  systemInstruction: `You are the Deal Closure Agent. ${SYSTEM_MARKER}`,
  prompt: `Opportunity 006xx: ${PROMPT_MARKER}. Assess the deal.`,
  schema: ClosingAssessmentSchema,
};

/** The zod twin of the keyword-rich responseJsonSchema of the schema-keywords fixture. */
const ContactSchema = z.object({ name: z.string(), influence: z.number() });
const DealSnapshotSchema = z.object({
  accountName: z.string().describe('Legal name of the buying company'),
  expectedCloseAt: z.iso.datetime(),
  signatureDate: z.iso.date(),
  stage: z.enum(['negotiation', 'verbal_commit', 'contract_out']),
  currencyCode: z.string().min(3).max(3),
  amount: z.number(),
  seats: z.int(),
  termMonths: z.int().min(1).max(60),
  discountPercent: z.number().min(0).max(100),
  autoRenews: z.boolean(),
  productCodes: z.array(z.string()),
  approvers: z.array(z.string()).min(1).max(5),
  purchaseOrderRef: z.union([z.string(), z.number()]),
  legalNotes: z.string().nullable(),
  blockedTerms: z.array(z.string()).nullable(),
  champion: ContactSchema.nullable(),
  economicBuyer: ContactSchema,
});

/**
 * The JSON Schema keywords Gemini documents for responseJsonSchema (structured-output guide,
 * https://ai.google.dev/gemini-api/docs/structured-output, and GenerateContentConfig.responseJsonSchema
 * in the @google/genai typings), plus minLength/maxLength, which the live API accepts (see
 * fixtures/README.md). The fixtures' schemas and every schema the adapter sends stay inside it.
 */
const SUPPORTED_SCHEMA_KEYWORDS = new Set([
  '$id',
  '$defs',
  '$ref',
  '$anchor',
  'type',
  'format',
  'title',
  'description',
  'enum',
  'items',
  'prefixItems',
  'minItems',
  'maxItems',
  'minimum',
  'maximum',
  'anyOf',
  'oneOf',
  'properties',
  'additionalProperties',
  'required',
  'propertyOrdering',
  'minLength',
  'maxLength',
]);

function schemaKeywords(node: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(node)) {
    for (const item of node) schemaKeywords(item, into);
  } else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      into.add(key);
      if (key === 'properties' || key === '$defs') {
        for (const sub of Object.values(value as object)) schemaKeywords(sub, into);
      } else if (typeof value === 'object') {
        schemaKeywords(value, into);
      }
    }
  }
  return into;
}

async function expectLlmError(promise: Promise<unknown>): Promise<LlmUnavailableError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof LlmUnavailableError, `expected LlmUnavailableError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the call to fail');
}

// ---------------------------------------------------------------------------------------------

describe('createGeminiLlm (real @google/genai client, Gemini exchanges replayed from fixtures)', () => {
  let server: ReplayServer;
  let sleeps: number[];
  let logLines: string[];

  before(async () => {
    server = await startGeminiReplay();
  });

  after(async () => {
    await server?.close();
  });

  beforeEach(() => {
    server.reset();
    sleeps = [];
    logLines = [];
  });

  function makeLlm(overrides: Partial<GeminiLlmDeps> = {}): LlmPort {
    const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });
    return createGeminiLlm({
      apiKey: API_KEY,
      model: MODEL,
      baseUrl: server.origin,
      logger,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      ...overrides,
    });
  }

  /** The fixture request's headers are all sent, with the test's key for the placeholder. */
  function assertSentHeaders(sent: CapturedRequest, expected: Record<string, string>): void {
    for (const [name, value] of Object.entries(expected)) {
      assert.equal(sent.headers[name], value === API_KEY_PLACEHOLDER ? API_KEY : value, `header ${name}`);
    }
  }

  describe('requests', () => {
    it('sends the fixture request: path, x-goog-api-key, JSON mime type, derived responseJsonSchema', async () => {
      const expected = fixtureRequest(CLOSING_ASSESSMENT);
      server.enqueue(fixtureReply(CLOSING_ASSESSMENT));

      await makeLlm().generateStructured(request);

      assert.equal(server.requests.length, 1);
      const sent = server.requests[0];
      assert.ok(sent);
      assert.equal(sent.method, expected.method);
      assert.equal(sent.url, `/v1beta/models/${MODEL}:generateContent`);
      assert.equal(sent.url, expected.path, 'same path as the fixture exchange');
      assertSentHeaders(sent, expected.headers);
      assert.equal(sent.headers['x-goog-api-key'], API_KEY);
      assert.match(sent.headers['content-type'] ?? '', /^application\/json/);

      const body = RequestBodySchema.parse(sent.body);
      // contents and systemInstruction: one user Content each, with our texts.
      assert.deepEqual(body.contents, [{ parts: [{ text: request.prompt }], role: 'user' }]);
      assert.equal(contentText(expected.body.contents[0]), request.prompt);
      assert.deepEqual(body.systemInstruction, {
        parts: [{ text: request.systemInstruction }],
        role: 'user',
      });
      assert.equal(contentText(expected.body.systemInstruction), request.systemInstruction);

      const config = body.generationConfig;
      assert.equal(config['responseMimeType'], 'application/json');
      assert.deepEqual(config['responseJsonSchema'], toGeminiJsonSchema(ClosingAssessmentSchema));
      assert.equal(config['temperature'], 0.1);
      assert.equal(config['responseSchema'], undefined, 'responseJsonSchema, not the OpenAPI responseSchema');
      // The whole body, generationConfig included, is the fixture's.
      assert.deepEqual(body, expected.body);

      // Every keyword we send is in the documented responseJsonSchema subset.
      const used = schemaKeywords(config['responseJsonSchema']);
      const unsupported = [...used].filter((k) => !SUPPORTED_SCHEMA_KEYWORDS.has(k));
      assert.deepEqual(unsupported, [], `keywords outside the supported subset: ${unsupported.join(', ')}`);
      assert.ok(!used.has('$schema'));
    });

    it('derives from zod exactly the keyword-rich responseJsonSchema of the schema-keywords fixture and parses its answer', async () => {
      const expected = fixtureRequest(SCHEMA_KEYWORDS);
      const fixtureSchema = z
        .record(z.string(), z.unknown())
        .parse(expected.body.generationConfig['responseJsonSchema']);
      const fixtureKeywords = schemaKeywords(fixtureSchema);
      const unsupported = [...fixtureKeywords].filter((k) => !SUPPORTED_SCHEMA_KEYWORDS.has(k));
      assert.deepEqual(unsupported, [], `fixture keywords outside the supported subset: ${unsupported}`);
      assert.ok(fixtureKeywords.size >= 15, 'the fixture exercises most of the subset');

      assert.deepEqual(toGeminiJsonSchema(DealSnapshotSchema), fixtureSchema);

      server.enqueue(fixtureReply(SCHEMA_KEYWORDS));
      const result = await makeLlm().generateStructured({
        agent: 'schema-keywords',
        systemInstruction: contentText(expected.body.systemInstruction),
        prompt: contentText(expected.body.contents[0]),
        schema: DealSnapshotSchema,
      });
      const sent = server.requests[0];
      assert.ok(sent);
      assert.equal(sent.url, expected.path);
      assert.deepEqual(RequestBodySchema.parse(sent.body), expected.body);

      assert.deepEqual(result.value, JSON.parse(fixtureAnswerText(SCHEMA_KEYWORDS)));
      assert.equal(result.source, 'gemini');
      // usageMetadata of the fixture: prompt 41, candidates 187, thoughts 402, total 630.
      assert.deepEqual(result.usage, { promptTokens: 41, outputTokens: 187 + 402, totalTokens: 630 });
    });
  });

  describe('answers', () => {
    it('returns the validated answer from the fixture success envelope, with model and token usage', async () => {
      server.enqueue(fixtureReply(CLOSING_ASSESSMENT));

      const result = await makeLlm().generateStructured(request);

      assert.deepEqual(result.value, MODEL_ANSWER);
      assert.deepEqual(result.value, JSON.parse(fixtureAnswerText(CLOSING_ASSESSMENT)));
      assert.equal(result.source, 'gemini');
      assert.equal(result.model, MODEL);
      assert.equal(result.fallbackReason, undefined);
      // usageMetadata of the fixture: prompt 143, candidates 52, thoughts 296, total 491.
      assert.deepEqual(result.usage, { promptTokens: 143, outputTokens: 348, totalTokens: 491 });
      assert.deepEqual(sleeps, []);
    });

    it('rejects an answer that fails the zod schema as invalid_output, without retrying', async () => {
      const wrong = { ...MODEL_ANSWER, closingConfidence: 7, goNoGo: 'maybe' };
      server.enqueue({ status: 200, body: successBodyWithText(JSON.stringify(wrong)) });

      const err = await expectLlmError(makeLlm().generateStructured(request));

      assert.equal(err.kind, 'invalid_output');
      assert.equal(err.attempts, 1);
      assert.equal(server.requests.length, 1);
      assert.match(err.message, /closingConfidence too_big/);
      assert.match(err.message, /goNoGo invalid_value/);
      assert.ok(!err.message.includes('maybe'), 'answer values stay out of the message');
      assert.deepEqual(err.usage, { promptTokens: 143, outputTokens: 348, totalTokens: 491 });
    });

    it('rejects text that is not JSON (finishReason STOP) as invalid_output', async () => {
      server.enqueue({ status: 200, body: successBodyWithText('Sure! The deal looks good.') });

      const err = await expectLlmError(makeLlm().generateStructured(request));

      assert.equal(err.kind, 'invalid_output');
      assert.match(err.message, /not valid JSON/);
    });
  });

  describe('blocked and empty responses', () => {
    const cases: { name: string; reply: () => Reply; reason: RegExp }[] = [
      {
        name: 'prompt blocked: promptFeedback.blockReason SAFETY, no candidates (responses/prompt-blocked-safety)',
        reply: () => fixtureReply('responses/prompt-blocked-safety'),
        reason: /blockReason SAFETY/,
      },
      {
        name: 'finishReason SAFETY with partial text (responses/finish-safety-partial-text)',
        reply: () => fixtureReply('responses/finish-safety-partial-text'),
        reason: /finishReason SAFETY/,
      },
      {
        name: 'finishReason RECITATION without content, with citationMetadata (responses/finish-recitation)',
        reply: () => fixtureReply('responses/finish-recitation'),
        reason: /finishReason RECITATION/,
      },
      {
        name: 'empty text part with finishReason STOP (responses/empty-text)',
        reply: () => fixtureReply('responses/empty-text'),
        reason: /no text/,
      },
      {
        name: 'MAX_TOKENS with no parts (responses/max-tokens-no-parts)',
        reply: () => fixtureReply('responses/max-tokens-no-parts'),
        reason: /no text \(finishReason MAX_TOKENS\)/,
      },
      {
        name: 'MAX_TOKENS with truncated text (responses/max-tokens-truncated)',
        reply: () => fixtureReply('responses/max-tokens-truncated'),
        reason: /stopped before a complete answer \(finishReason MAX_TOKENS\)/,
      },
      {
        name: 'no candidates at all',
        reply: () => ({ status: 200, body: { usageMetadata: { promptTokenCount: 3, totalTokenCount: 3 } } }),
        reason: /no candidates/,
      },
    ];
    for (const c of cases) {
      it(`${c.name} → blocked, not retried`, async () => {
        server.enqueue(c.reply());

        const err = await expectLlmError(makeLlm().generateStructured(request));

        assert.equal(err.kind, 'blocked');
        assert.match(err.message, c.reason);
        assert.equal(err.attempts, 1);
        assert.equal(server.requests.length, 1);
      });
    }
  });

  describe('retries', () => {
    it('retries 429 RESOURCE_EXHAUSTED (fixture body) twice, honouring RetryInfo 26s, then succeeds on attempt 3', async () => {
      server.enqueue(fixtureReply(ERROR_429), fixtureReply(ERROR_429), fixtureReply(CLOSING_ASSESSMENT));

      const result = await makeLlm({ timeoutMs: 120_000 }).generateStructured(request);

      assert.deepEqual(result.value, MODEL_ANSWER);
      assert.equal(server.requests.length, 3);
      assert.deepEqual(sleeps, [26_000, 26_000]);
      assert.equal(logLines.filter((l) => l.includes('retrying')).length, 2);
    });

    it('gives up at once when the RetryInfo delay would outlast the deadline (rate_limited)', async () => {
      server.enqueue(fixtureReply(ERROR_429));

      const err = await expectLlmError(makeLlm().generateStructured(request)); // default 20 s budget

      assert.equal(err.kind, 'rate_limited');
      assert.equal(err.httpStatus, 429);
      assert.equal(err.rpcStatus, 'RESOURCE_EXHAUSTED');
      assert.equal(err.retryDelayMs, 26_000);
      assert.equal(err.attempts, 1);
      assert.deepEqual(sleeps, []);
    });

    it('retries 503 UNAVAILABLE (fixture body) with full-jitter backoff until attempts run out', async () => {
      const unavailable = fixtureReply(ERROR_503);
      server.enqueue(unavailable, unavailable, unavailable, unavailable);

      const err = await expectLlmError(makeLlm({ maxAttempts: 3 }).generateStructured(request));

      assert.equal(err.kind, 'unavailable');
      assert.equal(err.httpStatus, 503);
      assert.equal(err.attempts, 3);
      assert.equal(server.requests.length, 3);
      assert.equal(sleeps.length, 2);
      assert.ok(sleeps[0] !== undefined && sleeps[0] >= 0 && sleeps[0] <= 500, `first wait ${sleeps[0]}`);
      assert.ok(sleeps[1] !== undefined && sleeps[1] >= 0 && sleeps[1] <= 1000, `second wait ${sleeps[1]}`);
      assert.ok(
        err.message.includes(`503 UNAVAILABLE: ${fixtureErrorMessage(ERROR_503)}`),
        `message: ${err.message}`,
      );
    });

    it('retries a dropped connection (network error) and then succeeds', async () => {
      server.enqueue({ status: 0, destroySocket: true }, fixtureReply(CLOSING_ASSESSMENT));

      const result = await makeLlm().generateStructured(request);

      assert.deepEqual(result.value, MODEL_ANSWER);
      assert.equal(server.requests.length, 2);
      assert.equal(sleeps.length, 1);
    });

    it('retries a 500 with a non-JSON body', async () => {
      server.enqueue(
        { status: 500, body: '<html>Internal error</html>', headers: { 'content-type': 'text/html' } },
        fixtureReply(CLOSING_ASSESSMENT),
      );

      const result = await makeLlm().generateStructured(request);

      assert.equal(result.source, 'gemini');
      assert.equal(server.requests.length, 2);
    });
  });

  describe('failing fast', () => {
    it('400 INVALID_ARGUMENT (fixture body) → invalid_request, one attempt', async () => {
      server.enqueue(fixtureReply(ERROR_400), fixtureReply(ERROR_400));

      const err = await expectLlmError(makeLlm().generateStructured(request));

      assert.equal(err.kind, 'invalid_request');
      assert.equal(err.httpStatus, 400);
      assert.equal(err.rpcStatus, 'INVALID_ARGUMENT');
      assert.equal(err.attempts, 1);
      assert.equal(server.requests.length, 1);
      assert.deepEqual(sleeps, []);
    });

    it('404 NOT_FOUND (fixture exchange) → not_found naming the model, one attempt', async () => {
      const expected = fixtureRequest(MODEL_NOT_FOUND);
      const missingModel = 'gemini-retired-for-tests';
      server.enqueue(fixtureReply(MODEL_NOT_FOUND));

      const err = await expectLlmError(makeLlm({ model: missingModel }).generateStructured(request));

      assert.equal(err.kind, 'not_found');
      assert.equal(err.model, missingModel);
      assert.match(err.message, /gemini-retired-for-tests/);
      assert.equal(err.attempts, 1);
      assert.equal(server.requests[0]?.url, `/v1beta/models/${missingModel}:generateContent`);
      assert.equal(server.requests[0]?.url, expected.path);
      assert.deepEqual(server.requests[0]?.body, expected.body);
    });

    it('404 served as text/event-stream, as streamGenerateContent answers errors (SDK wraps the raw body) → still not_found', async () => {
      server.enqueue(fixtureReply(MODEL_NOT_FOUND, { contentType: 'text/event-stream' }));

      const err = await expectLlmError(
        makeLlm({ model: 'gemini-retired-for-tests' }).generateStructured(request),
      );

      assert.equal(err.kind, 'not_found');
      assert.equal(err.rpcStatus, 'NOT_FOUND');
      assert.equal(server.requests.length, 1);
    });

    it('403 PERMISSION_DENIED (fixture body) → auth, one attempt', async () => {
      server.enqueue(fixtureReply(ERROR_403));

      const err = await expectLlmError(makeLlm().generateStructured(request));

      assert.equal(err.kind, 'auth');
      assert.equal(err.rpcStatus, 'PERMISSION_DENIED');
      assert.equal(server.requests.length, 1);
    });
  });

  describe('deadline', () => {
    it('aborts a server that answers later than timeoutMs → timeout', async () => {
      server.enqueue({ ...fixtureReply(CLOSING_ASSESSMENT), delayMs: 3_000 });
      const started = performance.now();

      const err = await expectLlmError(makeLlm({ timeoutMs: 200 }).generateStructured(request));

      const elapsed = performance.now() - started;
      assert.equal(err.kind, 'timeout');
      assert.equal(err.attempts, 1);
      assert.ok(elapsed < 2_000, `gave up after ${Math.round(elapsed)} ms`);
      assert.equal(server.requests[0]?.headers['x-server-timeout'], '1', 'deadline passed to the server');
    });

    it('a per-request timeoutMs overrides the adapter default', async () => {
      server.enqueue({ ...fixtureReply(CLOSING_ASSESSMENT), delayMs: 3_000 });

      const err = await expectLlmError(
        makeLlm({ timeoutMs: 60_000 }).generateStructured({ ...request, timeoutMs: 150 }),
      );

      assert.equal(err.kind, 'timeout');
      assert.match(err.message, /within 150 ms/);
    });
  });

  describe('secrets and prompt text', () => {
    it('never logs the API key or the prompt, instruction or answer text (sizes only at debug)', async () => {
      const llm = makeLlm({ timeoutMs: 120_000 });
      server.enqueue(
        fixtureReply(ERROR_429),
        fixtureReply(CLOSING_ASSESSMENT),
        fixtureReply(ERROR_400),
        fixtureReply(MODEL_NOT_FOUND),
        { ...fixtureReply(CLOSING_ASSESSMENT), delayMs: 2_000 },
      );
      await llm.generateStructured(request);
      const errors = [
        await expectLlmError(llm.generateStructured(request)),
        await expectLlmError(llm.generateStructured(request)),
      ];
      const fallback = await reasonWithFallback(
        makeLlm({ timeoutMs: 100 }), // the delayed reply: a timeout
        request,
        () => OFFLINE_ANSWER,
        pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) }),
      );
      assert.equal(fallback.source, 'offline');
      assert.match(fallback.fallbackReason ?? '', /^timeout/);

      const logs = logLines.join('');
      assert.ok(logLines.length >= 5, 'something was logged');
      assert.match(logs, /"promptChars":\d+/);
      for (const secret of [API_KEY, PROMPT_MARKER, SYSTEM_MARKER, ANSWER_MARKER]) {
        assert.ok(!logs.includes(secret), `logs contain ${secret}`);
        for (const err of errors) assert.ok(!err.message.includes(secret));
        assert.ok(!(fallback.fallbackReason ?? '').includes(secret));
      }
      const infoAndAbove = logLines.filter((l) => !l.includes('"level":20'));
      assert.ok(
        infoAndAbove.every((l) => !l.includes('promptChars')),
        'sizes only at debug',
      );
    });
  });
});

describe('reasonWithFallback', () => {
  let server: ReplayServer;
  let logLines: string[];

  before(async () => {
    server = await startGeminiReplay();
  });
  after(async () => {
    await server?.close();
  });
  beforeEach(() => {
    server.reset();
    logLines = [];
  });

  const logger = () => pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) });
  const llm = (): LlmPort =>
    createGeminiLlm({ apiKey: API_KEY, model: MODEL, baseUrl: server.origin, sleep: async () => {} });

  it('returns the model answer when Gemini answers', async () => {
    server.enqueue(fixtureReply(CLOSING_ASSESSMENT));

    const result = await reasonWithFallback(llm(), request, () => OFFLINE_ANSWER, logger());

    assert.deepEqual(result.value, MODEL_ANSWER);
    assert.equal(result.source, 'gemini');
    assert.equal(result.fallbackReason, undefined);
    assert.equal(logLines.filter((l) => l.includes('"level":40')).length, 0);
  });

  it('returns the offline answer with fallbackReason when Gemini fails, and warns without prompt or key', async () => {
    server.enqueue(fixtureReply(MODEL_NOT_FOUND));

    const result = await reasonWithFallback(llm(), request, () => OFFLINE_ANSWER, logger());

    assert.deepEqual(result.value, OFFLINE_ANSWER);
    assert.equal(result.source, 'offline');
    assert.match(
      result.fallbackReason ?? '',
      /^not_found after 1 attempt\(s\): Gemini model "gemini-2\.5-flash"/,
    );
    const warnings = logLines.filter((l) => l.includes('"level":40'));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /"kind":"not_found"/);
    assert.match(warnings[0] ?? '', /"agent":"deal-closure"/);
    for (const secret of [API_KEY, PROMPT_MARKER, SYSTEM_MARKER])
      assert.ok(!logLines.join('').includes(secret));
  });

  it('answers offline without fallbackReason when no model is configured', async () => {
    let calls = 0;
    const result = await reasonWithFallback(undefined, request, () => {
      calls++;
      return OFFLINE_ANSWER;
    });

    assert.deepEqual(result, { value: OFFLINE_ANSWER, source: 'offline' });
    assert.equal(calls, 1);
    assert.equal(server.requests.length, 0);
  });

  it('falls back on an unexpected error, keeping only its class name', async () => {
    const broken: LlmPort = {
      model: 'fake',
      generateStructured: async () => {
        throw new RangeError(`boom ${PROMPT_MARKER}`);
      },
    };

    const result = await reasonWithFallback(broken, request, () => OFFLINE_ANSWER, logger());

    assert.equal(result.source, 'offline');
    assert.equal(result.fallbackReason, 'unexpected RangeError from the model adapter');
    assert.ok(!logLines.join('').includes(PROMPT_MARKER));
  });
});
