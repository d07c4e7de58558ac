/**
 * The OpenAI-compatible adapter of the reasoning port: one Chat Completions call through the
 * official `openai` client to any server that speaks that API (vLLM, Ollama, Azure OpenAI's v1
 * API, OpenAI itself), so customers whose deal data may not leave their network can run the
 * model there. The answer is requested as `response_format: {type: "json_schema"}` and validated
 * against the agent's zod schema; errors, retries and the deadline behave as Gemini's do.
 *
 * What the SDK does for us and what it does not (openai 7.60.0):
 * - HTTP errors arrive as `APIError` subclasses carrying `status`, `headers` and `error`: the
 *   body's `error` object (`message`, `type`, `param`, `code`), or the whole body when a server
 *   sends no envelope.
 * - The SDK retries by itself (twice by default). We set `maxRetries: 0` and retry in
 *   `runStructuredCall`, so Retry-After, backoff and the budget follow one rule for every provider.
 * - A per-request `timeout` ends in APIConnectionTimeoutError, an aborted `signal` in
 *   APIUserAbortError: both mean this call's deadline passed.
 * - The constructor refuses to build without a key, and reads OPENAI_* variables for whatever is
 *   not passed. Local servers need no key: a placeholder satisfies the constructor and the
 *   Authorization header is removed; the organisation, project and admin key are set to none.
 */
import { OpenAI, APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat';
import { toStrictJsonSchema } from 'openai/lib/transform';
import { z } from 'zod';
import type { Logger } from '../../logger.ts';
import type { LlmPort, ReasonerResult, StructuredRequest, TokenUsage } from '../../ports/llm.ts';
import { answerJsonSchema, type JsonSchemaObject } from '../llm/json-schema.ts';
import {
  errorName,
  httpFailure,
  isAbortError,
  LlmUnavailableError,
  networkErrorCode,
  summarizeIssues,
  truncate,
} from '../llm/llm-errors.ts';
import {
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_TIMEOUT_MS,
  defaultSleep,
  runStructuredCall,
  type AttemptContext,
} from '../llm/structured-call.ts';

export interface OpenAiLlmDeps {
  /** The server's OpenAI-compatible root, e.g. http://vllm:8000/v1 or http://localhost:11434/v1. */
  baseUrl: string;
  /** The model (vLLM's served model name, an Ollama tag, an Azure deployment). */
  model: string;
  /** Sent as `Authorization: Bearer`; local servers usually need none. */
  apiKey?: string;
  /** Budget for one `generateStructured` call including retries and backoff; default 20 s. */
  timeoutMs?: number;
  /** HTTP attempts per call, including the first; default 3. */
  maxAttempts?: number;
  logger?: Logger;
  /** Backoff wait; injected by tests. */
  sleep?: (ms: number) => Promise<void>;
  /** Epoch milliseconds, to turn a Retry-After date into a wait; injected by tests. */
  now?: () => number;
  /** Called with the token usage of every response received (metrics). */
  onUsage?: (model: string, usage: TokenUsage) => void;
}

const LABEL = 'OpenAI-compatible server';
const TEMPERATURE = 0.1;
/** Placeholder the SDK's constructor accepts when the server needs no key; never sent. */
const NO_KEY = 'no-key';

export function createOpenAiLlm(deps: OpenAiLlmDeps): LlmPort {
  const { model } = deps;
  if (model.trim() === '') throw new Error('createOpenAiLlm: model is empty');
  if (!URL.canParse(deps.baseUrl)) throw new Error('createOpenAiLlm: baseUrl is not a URL');
  const apiKey = deps.apiKey?.trim() ? deps.apiKey : undefined;
  const defaultTimeoutMs = deps.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxAttempts = deps.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const sleep = deps.sleep ?? defaultSleep;
  const now = deps.now ?? Date.now;
  // The host only: a base URL may carry credentials in its user-info part.
  const log = deps.logger?.child({ component: 'openai-llm', model, host: new URL(deps.baseUrl).host });
  const scrub = (text: string): string => (apiKey ? text.split(apiKey).join('[REDACTED]') : text);

  const client = new OpenAI({
    baseURL: deps.baseUrl,
    apiKey: apiKey ?? NO_KEY,
    adminAPIKey: null,
    organization: null,
    project: null,
    maxRetries: 0,
    timeout: defaultTimeoutMs,
    // Our own structured logs say what happened; the SDK's console logging stays off.
    logLevel: 'off',
    ...(apiKey ? {} : { defaultHeaders: { Authorization: null } }),
  });

  const call: OpenAiCall = { client, model, log, scrub, now, onUsage: deps.onUsage };

  async function generateStructured<S extends z.ZodType>(
    request: StructuredRequest<S>,
  ): Promise<ReasonerResult<z.infer<S>>> {
    const format = responseFormatFor(request, model, log);
    return runStructuredCall({
      label: LABEL,
      logName: 'openai',
      model,
      agent: request.agent,
      timeoutMs: request.timeoutMs ?? defaultTimeoutMs,
      maxAttempts,
      sleep,
      log,
      attempt: (ctx) => completeOnce(call, request, format, ctx),
    });
  }

  return { provider: 'openai', model, generateStructured };
}

interface OpenAiCall {
  client: OpenAI;
  model: string;
  log: Logger | undefined;
  scrub: (text: string) => string;
  now: () => number;
  onUsage: OpenAiLlmDeps['onUsage'];
}

/** One chat completion, its failure classified, its answer checked. */
async function completeOnce<S extends z.ZodType>(
  call: OpenAiCall,
  request: StructuredRequest<S>,
  format: JsonSchemaFormat,
  ctx: AttemptContext,
): Promise<ReasonerResult<z.infer<S>>> {
  const { client, model, log } = call;
  log?.debug(
    {
      agent: request.agent,
      attempt: ctx.attemptNumber,
      promptChars: request.prompt.length,
      systemChars: request.systemInstruction.length,
      strict: format.json_schema.strict,
    },
    'openai request',
  );
  const body: ChatCompletionCreateParamsNonStreaming = {
    model,
    messages: [
      { role: 'system', content: request.systemInstruction },
      { role: 'user', content: request.prompt },
    ],
    response_format: format,
    temperature: TEMPERATURE,
    n: 1,
  };
  let completion: ChatCompletion;
  try {
    // Per-attempt timer for the rest of the budget; the SDK's own retries stay off.
    const timeout = Math.max(1, Math.ceil(ctx.remainingMs()));
    completion = await client.chat.completions.create(body, { signal: ctx.signal, timeout, maxRetries: 0 });
  } catch (err) {
    throw classifyRequestError(err, { model, attempts: ctx.attemptNumber, scrub: call.scrub, now: call.now });
  }
  const usage = toUsage(completion.usage);
  // Tokens are billed even when the answer is then rejected (refused, invalid), so count them first.
  if (usage) call.onUsage?.(model, usage);
  const answer = interpretCompletion(completion, request.schema, { model, attempts: ctx.attemptNumber });
  log?.debug(
    { agent: request.agent, attempt: ctx.attemptNumber, responseChars: answer.textChars },
    'openai response',
  );
  return { value: answer.value, source: 'openai', model, ...(usage === undefined ? {} : { usage }) };
}

// ---------------------------------------------------------------------------------------------
// The request's response_format

type JsonSchemaFormat = {
  type: 'json_schema';
  json_schema: { name: string; schema: JsonSchemaObject; strict: boolean };
};

const strictCache = new WeakMap<z.ZodType, { schema: JsonSchemaObject; strict: boolean }>();

/**
 * `response_format` for an agent's schema: the JSON Schema every adapter derives from zod, made
 * strict by the SDK's own `toStrictJsonSchema` when it can be (objects closed, every property
 * required). A schema strict mode cannot express (an optional property, a tuple) is sent with
 * `strict: false`: servers then follow it as guidance, and zod still checks the answer.
 */
export function responseFormatFor(
  request: Pick<StructuredRequest<z.ZodType>, 'agent' | 'schema'>,
  model: string,
  log?: Logger,
): JsonSchemaFormat {
  let derived = strictCache.get(request.schema);
  if (derived === undefined) {
    const base = answerJsonSchema(request, model);
    try {
      derived = { schema: toStrictJsonSchema(base) as JsonSchemaObject, strict: true };
    } catch (err) {
      // The vendor's message names the schema path, never a value.
      log?.debug({ agent: request.agent, reason: truncate(errorMessage(err)) }, 'schema sent without strict');
      derived = { schema: base, strict: false };
    }
    strictCache.set(request.schema, derived);
  }
  return { type: 'json_schema', json_schema: { name: schemaName(request.agent), ...derived } };
}

/** `json_schema.name` allows a-z, A-Z, 0-9, _ and -, at most 64 characters. */
export function schemaName(agent: string): string {
  const name = agent.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 64);
  return name === '' ? 'answer' : name;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// ---------------------------------------------------------------------------------------------
// Errors from the SDK

/** The error object of OpenAI's envelope `{"error": {"message", "type", "param", "code"}}`. */
const ErrorObjectSchema = z.looseObject({
  message: z.string().optional(),
  type: z.string().nullish(),
  param: z.string().nullish(),
  code: z.union([z.string(), z.number()]).nullish(),
});

/** 429s that waiting does not cure: the account is out of credit or over its spend limit. */
const QUOTA_CODES = new Set(['insufficient_quota', 'billing_hard_limit_reached']);

function classifyRequestError(
  err: unknown,
  ctx: { model: string; attempts: number; scrub: (s: string) => string; now: () => number },
): LlmUnavailableError {
  const { model, attempts } = ctx;
  if (err instanceof LlmUnavailableError) return err;
  // The abort and connection errors are APIError subclasses without a status: test them first.
  if (err instanceof APIUserAbortError || err instanceof APIConnectionTimeoutError || isAbortError(err)) {
    return new LlmUnavailableError({
      kind: 'timeout',
      message: `${LABEL} request aborted at the deadline`,
      attempts,
      model,
      cause: err,
    });
  }
  if (err instanceof APIConnectionError) {
    const code = networkErrorCode(err.cause);
    return new LlmUnavailableError({
      kind: 'unavailable',
      message: `network error reaching the ${LABEL}${code ? ` (${code})` : ''}`,
      attempts,
      model,
      retryable: true,
      cause: err,
    });
  }
  if (err instanceof APIError && typeof err.status === 'number')
    return classifyHttpError(err, err.status, ctx);
  return new LlmUnavailableError({
    kind: 'unavailable',
    message: `${LABEL} call failed: ${errorName(err)}`,
    attempts,
    model,
    cause: err,
  });
}

function classifyHttpError(
  err: APIError,
  status: number,
  ctx: { model: string; attempts: number; scrub: (s: string) => string; now: () => number },
): LlmUnavailableError {
  const { model, attempts, scrub } = ctx;
  const body = ErrorObjectSchema.safeParse(err.error);
  const info = body.success ? body.data : {};
  const code = info.code ?? info.type ?? undefined;
  const providerCode = code === undefined || code === null ? undefined : String(code);
  const serverMessage = truncate(scrub(info.message ?? ''));
  const label = `${LABEL} ${status}${providerCode ? ` ${providerCode}` : ''}${serverMessage ? `: ${serverMessage}` : ''}`;
  const failure = httpFailure(status);
  const quota = status === 429 && (QUOTA_CODES.has(String(info.code)) || QUOTA_CODES.has(String(info.type)));
  const retryDelayMs = failure.retryable ? retryAfterMs(err.headers, ctx.now) : undefined;
  return new LlmUnavailableError({
    kind: failure.kind,
    message:
      failure.kind === 'not_found'
        ? `model "${model}" or the chat completions route was not found (${status}${providerCode ? ` ${providerCode}` : ''}): check LLM_MODEL and LLM_BASE_URL`
        : label,
    attempts,
    model,
    httpStatus: status,
    retryable: failure.retryable && !quota && shouldRetryHeader(err.headers) !== false,
    ...(providerCode ? { providerCode } : {}),
    ...(retryDelayMs === undefined ? {} : { retryDelayMs }),
    cause: err,
  });
}

/** OpenAI's `x-should-retry` header overrides the status when the server sends it. */
function shouldRetryHeader(headers: Headers | undefined): boolean | undefined {
  const value = headers?.get('x-should-retry');
  return value === 'true' ? true : value === 'false' ? false : undefined;
}

/**
 * The server's requested wait: `retry-after-ms` (OpenAI's), else `Retry-After` in seconds or as
 * an HTTP date (RFC 9110 §10.2.3).
 */
export function retryAfterMs(headers: Headers | undefined, now: () => number): number | undefined {
  const millis = headers?.get('retry-after-ms');
  if (millis && Number.isFinite(Number(millis)) && Number(millis) >= 0) return Math.round(Number(millis));
  const value = headers?.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now());
}

// ---------------------------------------------------------------------------------------------
// Responses

function interpretCompletion<S extends z.ZodType>(
  completion: ChatCompletion,
  schema: S,
  ctx: { model: string; attempts: number },
): { value: z.infer<S>; textChars: number } {
  const { model, attempts } = ctx;
  const usage = toUsage(completion.usage);
  const fail = (kind: 'blocked' | 'invalid_output', message: string) =>
    new LlmUnavailableError({ kind, message, attempts, model, ...(usage === undefined ? {} : { usage }) });

  // Servers that are only "compatible" may leave out fields the SDK's types promise.
  const choice = Array.isArray(completion.choices) ? completion.choices[0] : undefined;
  if (choice === undefined) throw fail('blocked', `${LABEL} returned no choices`);
  const finishReason: string | null | undefined = choice.finish_reason;
  const message = choice.message as Partial<ChatCompletion['choices'][number]['message']> | undefined;
  // A refusal is the model's own text about the deal: its length is logged, never its words.
  if (typeof message?.refusal === 'string' && message.refusal.trim() !== '') {
    throw fail('blocked', `the model refused to answer (refusal of ${message.refusal.length} chars)`);
  }
  if (finishReason === 'content_filter') {
    throw fail('blocked', `${LABEL} withheld the answer (finish_reason content_filter)`);
  }
  const text = typeof message?.content === 'string' ? message.content : '';
  const stoppedEarly = typeof finishReason === 'string' && finishReason !== 'stop';
  if (text.trim() === '') {
    throw fail(
      'blocked',
      `${LABEL} returned no text${finishReason ? ` (finish_reason ${finishReason})` : ''}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw stoppedEarly
      ? fail('blocked', `${LABEL} stopped before a complete answer (finish_reason ${finishReason})`)
      : fail('invalid_output', `${LABEL} answer is not valid JSON (${text.length} chars)`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    if (stoppedEarly)
      throw fail('blocked', `${LABEL} stopped before a complete answer (finish_reason ${finishReason})`);
    throw fail(
      'invalid_output',
      `${LABEL} answer does not match the schema: ${summarizeIssues(parsed.error)}`,
    );
  }
  return { value: parsed.data, textChars: text.length };
}

/** `usage.completion_tokens` already counts reasoning tokens, so it is the whole output. */
function toUsage(usage: ChatCompletion['usage']): TokenUsage | undefined {
  if (usage === undefined || usage === null) return undefined;
  const promptTokens = usage.prompt_tokens ?? 0;
  const outputTokens = usage.completion_tokens ?? 0;
  return { promptTokens, outputTokens, totalTokens: usage.total_tokens ?? promptTokens + outputTokens };
}
