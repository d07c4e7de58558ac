/**
 * The Gemini adapter run through the REAL @google/genai client against a local HTTP server that
 * replays recorded Gemini exchanges from /work/shared/vendor-samples/gemini (js-genai system-test
 * recordings, generative-ai-js mock responses, recorded error bodies). Nothing is mocked inside
 * the SDK: requests go over HTTP to 127.0.0.1 and are checked against the recorded requests.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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
// Vendor samples (outside the repo: <repo>/../shared/vendor-samples/gemini)

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const SAMPLES_DIR = path.resolve(repoRoot, '../shared/vendor-samples/gemini');

function samplePath(relative: string): string {
  return path.join(SAMPLES_DIR, relative);
}

function readJson(relative: string): unknown {
  return JSON.parse(readFileSync(samplePath(relative), 'utf8'));
}

const RecordingSchema = z.object({
  recordID: z.string(),
  interactions: z
    .array(
      z.object({
        request: z.object({
          method: z.string(),
          url: z.string(),
          headers: z.record(z.string(), z.string()),
          bodySegments: z.array(z.unknown()).min(1),
        }),
        response: z.object({
          statusCode: z.number(),
          headers: z.record(z.string(), z.string()),
          bodySegments: z.array(z.unknown()).min(1),
        }),
      }),
    )
    .min(1),
});
type Recording = z.infer<typeof RecordingSchema>;
type Interaction = Recording['interactions'][number];

function loadRecording(relative: string): Interaction {
  const interaction = RecordingSchema.parse(readJson(relative)).interactions[0];
  assert.ok(interaction, `${relative} has no interaction`);
  return interaction;
}

const REC = 'js-genai-recordings/';
const JSON_SCHEMA_RECORDING = `${REC}Client_Tests_generateContent_ML_Dev_should_generate_content_with_given_valid_json_schema_in_responseJsonSchema.json`;
const SYSTEM_INSTRUCTION_RECORDING = `${REC}Client_Tests_generateContent_ML_Dev_should_generate_content_with_system_instruction.json`;
const MAX_TOKENS_NO_TEXT_RECORDING = `${REC}Client_Tests_generateContent_ML_Dev_should_return_the_headers_in_the_sdkHttpResponse_by_default.json`;
const MAX_TOKENS_TRUNCATED_RECORDING = `${REC}Client_Tests_generateContent_ML_Dev_should_generate_content_with_specified_parameters.json`;
const NOT_FOUND_RECORDING = 'errors/404_NOT_FOUND.recording.json';

const RequestBodySchema = z.object({
  contents: z.array(z.unknown()),
  systemInstruction: z.unknown().optional(),
  generationConfig: z.record(z.string(), z.unknown()),
});

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

/** The recorded responseJsonSchema success body with its text part replaced. */
function recordedEnvelopeWithText(text: string): unknown {
  const body = structuredClone(loadRecording(JSON_SCHEMA_RECORDING).response.bodySegments[0]);
  const envelope = SuccessEnvelopeSchema.parse(body);
  const part = envelope.candidates[0]?.content.parts[0];
  assert.ok(part);
  part.text = text;
  return envelope;
}

function recordedRequestBody(relative: string): z.infer<typeof RequestBodySchema> {
  return RequestBodySchema.parse(loadRecording(relative).request.bodySegments[0]);
}

// ---------------------------------------------------------------------------------------------
// A local server that replays queued responses and records what the SDK sent

interface Reply {
  status: number;
  body?: unknown;
  /** Defaults to the recorded unary Content-Type, application/json; charset=UTF-8. */
  contentType?: string;
  delayMs?: number;
  /** Drop the connection without answering (a network error for the client). */
  destroySocket?: boolean;
}

interface CapturedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

interface ReplayServer {
  baseUrl: string;
  requests: CapturedRequest[];
  enqueue(...replies: Reply[]): void;
  reset(): void;
  close(): Promise<void>;
}

async function startReplayServer(): Promise<ReplayServer> {
  let queue: Reply[] = [];
  const requests: CapturedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = raw;
      try {
        body = JSON.parse(raw);
      } catch {
        // kept as text
      }
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const reply = queue.shift() ?? {
        status: 418,
        body: { error: { code: 418, message: 'replay queue empty', status: 'TEST_QUEUE_EMPTY' } },
      };
      if (reply.destroySocket) {
        req.socket.destroy();
        return;
      }
      const send = () => {
        const payload = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {});
        res.writeHead(reply.status, {
          'content-type': reply.contentType ?? 'application/json; charset=UTF-8',
        });
        res.end(payload);
      };
      if (reply.delayMs === undefined) {
        send();
        return;
      }
      const timer = setTimeout(send, reply.delayMs);
      res.on('close', () => clearTimeout(timer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (...replies) => queue.push(...replies),
    reset: () => {
      queue = [];
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

function recordedReply(relative: string, opts: { verbatimContentType?: boolean } = {}): Reply {
  const { response } = loadRecording(relative);
  const contentType = opts.verbatimContentType ? response.headers['Content-Type'] : undefined;
  return {
    status: response.statusCode,
    body: response.bodySegments[0],
    ...(contentType ? { contentType } : {}),
  };
}

function errorReply(relative: string): Reply {
  const body = readJson(relative);
  const code = z.object({ error: z.object({ code: z.number() }) }).parse(body).error.code;
  return { status: code, body };
}

function mockReply(name: string): Reply {
  return { status: 200, body: readJson(`generative-ai-js-mock-responses/${name}`) };
}

// ---------------------------------------------------------------------------------------------
// Fixtures

const API_KEY = 'AIzaSy-test-key-never-logged-0123456789';
const MODEL = 'gemini-2.5-flash'; // the model of the js-genai recordings
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

/** The zod twin of the schema the js-genai test sent in the recorded responseJsonSchema exchange. */
const InnerSchema = z.object({ innerString: z.string(), innerNumber: z.number() });
const RecordedTestSchema = z.object({
  simpleString: z.string().describe('This is a simple string'),
  stringDatatime: z.iso.datetime(),
  stringWithEnum: z.enum(['enumvalue1', 'enumvalue2', 'enumvalue3']),
  stringWithLength: z.string().min(1).max(10),
  simpleNumber: z.number(),
  simpleInteger: z.int(),
  integerInt64: z.int(),
  numberWithMinMax: z.number().min(1).max(10),
  simpleBoolean: z.boolean(),
  arrayFiled: z.array(z.string()),
  unionField: z.union([z.string(), z.number()]),
  nullableField: z.string().nullable(),
  nullableArrayField: z.array(z.string()).nullable(),
  nullableObjectField: InnerSchema.nullable(),
  inner: InnerSchema,
});

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

describe('createGeminiLlm (real @google/genai client, recorded Gemini exchanges)', () => {
  let server: ReplayServer;
  let sleeps: number[];
  let logLines: string[];

  before(async function () {
    if (!existsSync(SAMPLES_DIR)) {
      throw new Error(
        `Gemini vendor samples not found at ${SAMPLES_DIR} (expected <repo>/../shared/vendor-samples/gemini). ` +
          'These tests replay recorded Gemini exchanges and cannot run without them.',
      );
    }
    server = await startReplayServer();
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
      baseUrl: server.baseUrl,
      logger,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      ...overrides,
    });
  }

  describe('requests', () => {
    it('sends the recorded request shape: path, x-goog-api-key, JSON mime type, derived responseJsonSchema', async () => {
      const recordedJson = loadRecording(JSON_SCHEMA_RECORDING).request;
      const recordedJsonBody = recordedRequestBody(JSON_SCHEMA_RECORDING);
      const recordedSystemBody = recordedRequestBody(SYSTEM_INSTRUCTION_RECORDING);
      server.enqueue({ status: 200, body: recordedEnvelopeWithText(JSON.stringify(MODEL_ANSWER)) });

      await makeLlm().generateStructured(request);

      assert.equal(server.requests.length, 1);
      const sent = server.requests[0];
      assert.ok(sent);
      assert.equal(sent.method, recordedJson.method);
      assert.equal(sent.url, `/v1beta/models/${MODEL}:generateContent`);
      assert.equal(sent.url, recordedJson.url, 'same path as the recorded exchange');
      assert.equal(sent.headers['x-goog-api-key'], API_KEY);
      assert.match(sent.headers['content-type'] ?? '', /^application\/json/);

      const body = RequestBodySchema.parse(sent.body);
      // contents and systemInstruction have the recorded structure, with our texts.
      assert.deepEqual(body.contents, [{ parts: [{ text: request.prompt }], role: 'user' }]);
      const recordedContents = z.array(z.object({ role: z.string() })).parse(recordedJsonBody.contents);
      assert.equal(recordedContents[0]?.role, 'user');
      assert.deepEqual(body.systemInstruction, {
        parts: [{ text: request.systemInstruction }],
        role: 'user',
      });
      assert.deepEqual(Object.keys(recordedSystemBody.systemInstruction as object).sort(), ['parts', 'role']);

      const config = body.generationConfig;
      assert.equal(config['responseMimeType'], 'application/json');
      assert.equal(config['responseMimeType'], recordedJsonBody.generationConfig['responseMimeType']);
      assert.deepEqual(config['responseJsonSchema'], toGeminiJsonSchema(ClosingAssessmentSchema));
      assert.equal(config['temperature'], 0.1);
      assert.equal(config['responseSchema'], undefined, 'responseJsonSchema, not the OpenAPI responseSchema');

      // Every keyword we send appears in the schema the recorded exchange sent and Gemini accepted.
      const accepted = schemaKeywords(recordedJsonBody.generationConfig['responseJsonSchema']);
      const used = schemaKeywords(config['responseJsonSchema']);
      const unproven = [...used].filter((k) => !accepted.has(k));
      assert.deepEqual(unproven, [], `keywords not in the recorded accepted schema: ${unproven.join(', ')}`);
      assert.ok(!used.has('$schema'));
    });

    it('derives from zod exactly the responseJsonSchema of the recorded exchange (minus $schema) and parses its recorded answer', async () => {
      const recorded = loadRecording(JSON_SCHEMA_RECORDING);
      const recordedSchema = z
        .record(z.string(), z.unknown())
        .parse(recordedRequestBody(JSON_SCHEMA_RECORDING).generationConfig['responseJsonSchema']);
      const { $schema, ...recordedWithoutDialect } = recordedSchema;
      assert.equal($schema, 'http://json-schema.org/draft-07/schema#');

      assert.deepEqual(toGeminiJsonSchema(RecordedTestSchema), recordedWithoutDialect);

      server.enqueue(recordedReply(JSON_SCHEMA_RECORDING, { verbatimContentType: true }));
      const result = await makeLlm().generateStructured({
        agent: 'recording-twin',
        systemInstruction: 'populate the object',
        prompt: 'populate the following object',
        schema: RecordedTestSchema,
      });
      const sentBody = RequestBodySchema.parse(server.requests[0]?.body);
      assert.deepEqual(sentBody.generationConfig['responseJsonSchema'], recordedWithoutDialect);

      const envelope = SuccessEnvelopeSchema.parse(recorded.response.bodySegments[0]);
      const recordedText = envelope.candidates[0]?.content.parts[0]?.text ?? '';
      assert.deepEqual(result.value, JSON.parse(recordedText));
      assert.equal(result.source, 'gemini');
      assert.deepEqual(result.usage, { promptTokens: 5, outputTokens: 177 + 331, totalTokens: 513 });
    });
  });

  describe('answers', () => {
    it('returns the validated answer from the recorded success envelope, with model and token usage', async () => {
      server.enqueue({ status: 200, body: recordedEnvelopeWithText(JSON.stringify(MODEL_ANSWER)) });

      const result = await makeLlm().generateStructured(request);

      assert.deepEqual(result.value, MODEL_ANSWER);
      assert.equal(result.source, 'gemini');
      assert.equal(result.model, MODEL);
      assert.equal(result.fallbackReason, undefined);
      // usageMetadata of the recording: prompt 5, candidates 177, thoughts 331, total 513.
      assert.deepEqual(result.usage, { promptTokens: 5, outputTokens: 508, totalTokens: 513 });
      assert.deepEqual(sleeps, []);
    });

    it('rejects an answer that fails the zod schema as invalid_output, without retrying', async () => {
      const wrong = { ...MODEL_ANSWER, closingConfidence: 7, goNoGo: 'maybe' };
      server.enqueue({ status: 200, body: recordedEnvelopeWithText(JSON.stringify(wrong)) });

      const err = await expectLlmError(makeLlm().generateStructured(request));

      assert.equal(err.kind, 'invalid_output');
      assert.equal(err.attempts, 1);
      assert.equal(server.requests.length, 1);
      assert.match(err.message, /closingConfidence too_big/);
      assert.match(err.message, /goNoGo invalid_value/);
      assert.ok(!err.message.includes('maybe'), 'answer values stay out of the message');
      assert.deepEqual(err.usage, { promptTokens: 5, outputTokens: 508, totalTokens: 513 });
    });

    it('rejects text that is not JSON (finishReason STOP) as invalid_output', async () => {
      server.enqueue({ status: 200, body: recordedEnvelopeWithText('Sure! The deal looks good.') });

      const err = await expectLlmError(makeLlm().generateStructured(request));

      assert.equal(err.kind, 'invalid_output');
      assert.match(err.message, /not valid JSON/);
    });
  });

  describe('blocked and empty responses', () => {
    const cases: { name: string; reply: () => Reply; reason: RegExp }[] = [
      {
        name: 'prompt blocked (generative-ai-js unary-failure-prompt-blocked-safety)',
        reply: () => mockReply('unary-failure-prompt-blocked-safety.json'),
        reason: /blockReason SAFETY/,
      },
      {
        name: 'finishReason SAFETY with partial text (unary-failure-finish-reason-safety)',
        reply: () => mockReply('unary-failure-finish-reason-safety.json'),
        reason: /finishReason SAFETY/,
      },
      {
        name: 'finishReason RECITATION without content (unary-failure-citations)',
        reply: () => mockReply('unary-failure-citations.json'),
        reason: /finishReason RECITATION/,
      },
      {
        name: 'empty content (unary-failure-empty-content)',
        reply: () => mockReply('unary-failure-empty-content.json'),
        reason: /no text/,
      },
      {
        name: 'MAX_TOKENS with no parts (js-genai ...sdkHttpResponse_by_default recording)',
        reply: () => recordedReply(MAX_TOKENS_NO_TEXT_RECORDING),
        reason: /no text \(finishReason MAX_TOKENS\)/,
      },
      {
        name: 'MAX_TOKENS with truncated text (js-genai ...specified_parameters recording)',
        reply: () => recordedReply(MAX_TOKENS_TRUNCATED_RECORDING),
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
    it('retries 429 RESOURCE_EXHAUSTED (recorded body) twice, honouring RetryInfo 26s, then succeeds on attempt 3', async () => {
      server.enqueue(
        errorReply('errors/429_RESOURCE_EXHAUSTED.json'),
        errorReply('errors/429_RESOURCE_EXHAUSTED.json'),
        { status: 200, body: recordedEnvelopeWithText(JSON.stringify(MODEL_ANSWER)) },
      );

      const result = await makeLlm({ timeoutMs: 120_000 }).generateStructured(request);

      assert.deepEqual(result.value, MODEL_ANSWER);
      assert.equal(server.requests.length, 3);
      assert.deepEqual(sleeps, [26_000, 26_000]);
      assert.equal(logLines.filter((l) => l.includes('retrying')).length, 2);
    });

    it('gives up at once when the RetryInfo delay would outlast the deadline (rate_limited)', async () => {
      server.enqueue(errorReply('errors/429_RESOURCE_EXHAUSTED.json'));

      const err = await expectLlmError(makeLlm().generateStructured(request)); // default 20 s budget

      assert.equal(err.kind, 'rate_limited');
      assert.equal(err.httpStatus, 429);
      assert.equal(err.rpcStatus, 'RESOURCE_EXHAUSTED');
      assert.equal(err.retryDelayMs, 26_000);
      assert.equal(err.attempts, 1);
      assert.deepEqual(sleeps, []);
    });

    it('retries 503 UNAVAILABLE (recorded body) with full-jitter backoff until attempts run out', async () => {
      const unavailable = errorReply('errors/503_UNAVAILABLE.json');
      server.enqueue(unavailable, unavailable, unavailable, unavailable);

      const err = await expectLlmError(makeLlm({ maxAttempts: 3 }).generateStructured(request));

      assert.equal(err.kind, 'unavailable');
      assert.equal(err.httpStatus, 503);
      assert.equal(err.attempts, 3);
      assert.equal(server.requests.length, 3);
      assert.equal(sleeps.length, 2);
      assert.ok(sleeps[0] !== undefined && sleeps[0] >= 0 && sleeps[0] <= 500, `first wait ${sleeps[0]}`);
      assert.ok(sleeps[1] !== undefined && sleeps[1] >= 0 && sleeps[1] <= 1000, `second wait ${sleeps[1]}`);
      assert.match(err.message, /503 UNAVAILABLE: The model is overloaded/);
    });

    it('retries a dropped connection (network error) and then succeeds', async () => {
      server.enqueue(
        { status: 0, destroySocket: true },
        {
          status: 200,
          body: recordedEnvelopeWithText(JSON.stringify(MODEL_ANSWER)),
        },
      );

      const result = await makeLlm().generateStructured(request);

      assert.deepEqual(result.value, MODEL_ANSWER);
      assert.equal(server.requests.length, 2);
      assert.equal(sleeps.length, 1);
    });

    it('retries a 500 with a non-JSON body', async () => {
      server.enqueue(
        { status: 500, body: '<html>Internal error</html>', contentType: 'text/html' },
        { status: 200, body: recordedEnvelopeWithText(JSON.stringify(MODEL_ANSWER)) },
      );

      const result = await makeLlm().generateStructured(request);

      assert.equal(result.source, 'gemini');
      assert.equal(server.requests.length, 2);
    });
  });

  describe('failing fast', () => {
    it('400 INVALID_ARGUMENT (recorded body) → invalid_request, one attempt', async () => {
      server.enqueue(
        errorReply('errors/400_INVALID_ARGUMENT.json'),
        errorReply('errors/400_INVALID_ARGUMENT.json'),
      );

      const err = await expectLlmError(makeLlm().generateStructured(request));

      assert.equal(err.kind, 'invalid_request');
      assert.equal(err.httpStatus, 400);
      assert.equal(err.rpcStatus, 'INVALID_ARGUMENT');
      assert.equal(err.attempts, 1);
      assert.equal(server.requests.length, 1);
      assert.deepEqual(sleeps, []);
    });

    it('404 NOT_FOUND (js-genai recording) → not_found naming the model, one attempt', async () => {
      const recordedModel = 'custom-gemini-2.0-flash';
      server.enqueue(recordedReply(NOT_FOUND_RECORDING));

      const err = await expectLlmError(makeLlm({ model: recordedModel }).generateStructured(request));

      assert.equal(err.kind, 'not_found');
      assert.equal(err.model, recordedModel);
      assert.match(err.message, /custom-gemini-2\.0-flash/);
      assert.equal(err.attempts, 1);
      assert.equal(server.requests[0]?.url, `/v1beta/models/${recordedModel}:generateContent`);
    });

    it('404 with the recorded text/event-stream Content-Type (SDK wraps the raw body) → still not_found', async () => {
      server.enqueue(recordedReply(NOT_FOUND_RECORDING, { verbatimContentType: true }));

      const err = await expectLlmError(
        makeLlm({ model: 'custom-gemini-2.0-flash' }).generateStructured(request),
      );

      assert.equal(err.kind, 'not_found');
      assert.equal(err.rpcStatus, 'NOT_FOUND');
      assert.equal(server.requests.length, 1);
    });

    it('403 PERMISSION_DENIED (documented envelope, synthetic body) → auth, one attempt', async () => {
      server.enqueue({
        status: 403,
        body: { error: { code: 403, message: 'Permission denied.', status: 'PERMISSION_DENIED' } },
      });

      const err = await expectLlmError(makeLlm().generateStructured(request));

      assert.equal(err.kind, 'auth');
      assert.equal(server.requests.length, 1);
    });
  });

  describe('deadline', () => {
    it('aborts a server that answers later than timeoutMs → timeout', async () => {
      server.enqueue({
        status: 200,
        body: recordedEnvelopeWithText(JSON.stringify(MODEL_ANSWER)),
        delayMs: 3_000,
      });
      const started = performance.now();

      const err = await expectLlmError(makeLlm({ timeoutMs: 200 }).generateStructured(request));

      const elapsed = performance.now() - started;
      assert.equal(err.kind, 'timeout');
      assert.equal(err.attempts, 1);
      assert.ok(elapsed < 2_000, `gave up after ${Math.round(elapsed)} ms`);
      assert.equal(server.requests[0]?.headers['x-server-timeout'], '1', 'deadline passed to the server');
    });

    it('a per-request timeoutMs overrides the adapter default', async () => {
      server.enqueue({
        status: 200,
        body: recordedEnvelopeWithText(JSON.stringify(MODEL_ANSWER)),
        delayMs: 3_000,
      });

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
        errorReply('errors/429_RESOURCE_EXHAUSTED.json'),
        { status: 200, body: recordedEnvelopeWithText(JSON.stringify(MODEL_ANSWER)) },
        errorReply('errors/400_INVALID_ARGUMENT.json'),
        recordedReply(NOT_FOUND_RECORDING),
        { status: 200, body: recordedEnvelopeWithText(JSON.stringify(MODEL_ANSWER)), delayMs: 2_000 },
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
    if (!existsSync(SAMPLES_DIR)) throw new Error(`Gemini vendor samples not found at ${SAMPLES_DIR}`);
    server = await startReplayServer();
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
    createGeminiLlm({ apiKey: API_KEY, model: MODEL, baseUrl: server.baseUrl, sleep: async () => {} });

  it('returns the model answer when Gemini answers', async () => {
    server.enqueue({ status: 200, body: recordedEnvelopeWithText(JSON.stringify(MODEL_ANSWER)) });

    const result = await reasonWithFallback(llm(), request, () => OFFLINE_ANSWER, logger());

    assert.deepEqual(result.value, MODEL_ANSWER);
    assert.equal(result.source, 'gemini');
    assert.equal(result.fallbackReason, undefined);
    assert.equal(logLines.filter((l) => l.includes('"level":40')).length, 0);
  });

  it('returns the offline answer with fallbackReason when Gemini fails, and warns without prompt or key', async () => {
    server.enqueue(recordedReply(NOT_FOUND_RECORDING));

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
