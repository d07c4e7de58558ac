/**
 * The Gemini adapter of the reasoning port: one structured `generateContent` call through the
 * real @google/genai client (Gemini Developer API, v1beta), answered as JSON that is validated
 * against the agent's zod schema.
 *
 * What the SDK does for us and what it does not (@google/genai 3.3.0):
 * - HTTP errors arrive as `ApiError` with the HTTP `status`; its `message` is the JSON-stringified
 *   error body (`{"error":{"code","message","status","details"}}`), or, when the response is not
 *   `application/json`, that envelope wrapped around the raw body text.
 * - The SDK retries only when `httpOptions.retryOptions` is set. We leave it unset and retry here
 *   with p-retry, so the backoff honours google.rpc.RetryInfo and the overall deadline.
 * - `config.abortSignal` cancels the fetch (client side only: the server may still bill the call);
 *   `httpOptions.timeout` is a per-attempt timer that also sends `X-Server-Timeout` (seconds).
 * - The Gemini API version defaults to `v1` in SDK 3.x; we pin `v1beta` (see createGeminiLlm).
 * - `responseJsonSchema` is passed through untouched, so the subset Gemini accepts is ours to
 *   respect (see `toGeminiJsonSchema`).
 */
import { ApiError, GoogleGenAI, type GenerateContentResponse } from '@google/genai';
import pRetry from 'p-retry';
import { z } from 'zod';
import type { Logger } from '../../logger.ts';
import type { LlmPort, ReasonerResult, StructuredRequest, TokenUsage } from '../../ports/llm.ts';

export type LlmFailureKind =
  | 'timeout'
  | 'rate_limited'
  | 'unavailable'
  | 'invalid_request'
  | 'not_found'
  | 'blocked'
  | 'invalid_output'
  | 'auth';

/**
 * Why the model could not answer. Callers fall back to the offline reasoner and record `kind`.
 * Messages never carry the API key, the prompt or the model's text.
 */
export class LlmUnavailableError extends Error {
  override readonly name = 'LlmUnavailableError';
  readonly kind: LlmFailureKind;
  /** HTTP attempts made, including the first. */
  readonly attempts: number;
  /** Whether another attempt could have helped (429, 5xx, network). */
  readonly retryable: boolean;
  readonly model: string;
  readonly httpStatus: number | undefined;
  /** google.rpc status name from the error body, e.g. RESOURCE_EXHAUSTED. */
  readonly rpcStatus: string | undefined;
  /** Server-requested wait before retrying (google.rpc.RetryInfo), in ms. */
  readonly retryDelayMs: number | undefined;
  /** Tokens billed for a call whose answer could not be used (blocked, invalid output). */
  readonly usage: TokenUsage | undefined;

  constructor(init: {
    kind: LlmFailureKind;
    message: string;
    attempts: number;
    model: string;
    retryable?: boolean;
    httpStatus?: number;
    rpcStatus?: string;
    retryDelayMs?: number;
    usage?: TokenUsage;
    cause?: unknown;
  }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.attempts = init.attempts;
    this.retryable = init.retryable ?? false;
    this.model = init.model;
    this.httpStatus = init.httpStatus;
    this.rpcStatus = init.rpcStatus;
    this.retryDelayMs = init.retryDelayMs;
    this.usage = init.usage;
  }
}

export interface GeminiLlmDeps {
  apiKey: string;
  model: string;
  /** Override of https://generativelanguage.googleapis.com (tests, proxies). */
  baseUrl?: string;
  /** Budget for one `generateStructured` call including retries and backoff; default 20 s. */
  timeoutMs?: number;
  /** HTTP attempts per call, including the first; default 3. */
  maxAttempts?: number;
  logger?: Logger;
  /** Backoff wait; injected by tests. */
  sleep?: (ms: number) => Promise<void>;
  /** Called with the token usage of every response received (metrics). */
  onUsage?: (model: string, usage: TokenUsage) => void;
}

export const DEFAULT_TIMEOUT_MS = 20_000;
export const DEFAULT_MAX_ATTEMPTS = 3;
export const GEMINI_API_VERSION = 'v1beta';
const TEMPERATURE = 0.1;
/** Full-jitter backoff: wait random(0, min(cap, base * 2^retry)). */
const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 8_000;
/** A server-requested RetryInfo delay is honoured up to this. */
const RETRY_INFO_CAP_MS = 30_000;
const MESSAGE_LIMIT = 300;

export function createGeminiLlm(deps: GeminiLlmDeps): LlmPort {
  const { apiKey, model } = deps;
  if (apiKey.trim() === '') throw new Error('createGeminiLlm: apiKey is empty');
  if (model.trim() === '') throw new Error('createGeminiLlm: model is empty');
  const defaultTimeoutMs = deps.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxAttempts = Math.max(1, Math.floor(deps.maxAttempts ?? DEFAULT_MAX_ATTEMPTS));
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const log = deps.logger?.child({ component: 'gemini-llm', model });
  const scrub = (text: string): string => text.split(apiKey).join('[REDACTED]');

  // vertexai: false explicitly, so GOOGLE_GENAI_USE_VERTEXAI in the environment cannot switch backends.
  // apiVersion pinned: SDK 3.x defaults the Gemini API to v1, while the recorded exchanges that
  // prove responseJsonSchema + systemInstruction are accepted are v1beta (as are Google's docs).
  const ai = new GoogleGenAI({
    vertexai: false,
    apiKey,
    apiVersion: GEMINI_API_VERSION,
    httpOptions: deps.baseUrl === undefined ? {} : { baseUrl: deps.baseUrl },
  });

  async function generateStructured<S extends z.ZodType>(
    request: StructuredRequest<S>,
  ): Promise<ReasonerResult<z.infer<S>>> {
    const timeoutMs = request.timeoutMs ?? defaultTimeoutMs;
    const started = performance.now();
    const deadline = started + timeoutMs;
    const remaining = () => deadline - performance.now();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error('deadline exceeded')), timeoutMs);

    let responseJsonSchema: JsonSchemaObject;
    try {
      responseJsonSchema = toGeminiJsonSchema(request.schema);
    } catch (err) {
      clearTimeout(timer);
      throw new LlmUnavailableError({
        kind: 'invalid_request',
        message: `the answer schema of ${request.agent} has no JSON Schema form: ${errorName(err)}`,
        attempts: 0,
        model,
        cause: err,
      });
    }

    let attempt = 0;
    let lastFailure: LlmUnavailableError | undefined;

    const attemptOnce = async (attemptNumber: number): Promise<ReasonerResult<z.infer<S>>> => {
      attempt = attemptNumber;
      log?.debug(
        {
          agent: request.agent,
          attempt: attemptNumber,
          promptChars: request.prompt.length,
          systemChars: request.systemInstruction.length,
        },
        'gemini request',
      );
      let response: GenerateContentResponse;
      try {
        response = await ai.models.generateContent({
          model,
          contents: request.prompt,
          config: {
            systemInstruction: request.systemInstruction,
            responseMimeType: 'application/json',
            responseJsonSchema,
            temperature: TEMPERATURE,
            candidateCount: 1,
            abortSignal: controller.signal,
            // Per-attempt timer for the rest of the budget; also tells the server our deadline.
            httpOptions: { timeout: Math.max(1, Math.ceil(remaining())) },
          },
        });
      } catch (err) {
        lastFailure = classifyRequestError(err, { model, attempts: attemptNumber, scrub });
        throw lastFailure;
      }
      const usage = toUsage(response.usageMetadata);
      // Tokens are billed even when the answer is then rejected (blocked, invalid), so count them first.
      if (usage) deps.onUsage?.(model, usage);
      const value = interpretResponse(response, request.schema, { model, attempts: attemptNumber });
      log?.debug(
        { agent: request.agent, attempt: attemptNumber, responseChars: value.textChars },
        'gemini response',
      );
      return {
        value: value.value,
        source: 'gemini',
        model,
        ...(usage === undefined ? {} : { usage }),
      };
    };

    try {
      const result = await pRetry(attemptOnce, {
        retries: maxAttempts - 1,
        // p-retry's own delay is off; the wait happens in shouldRetry so it can honour RetryInfo,
        // use full jitter and give up when the wait would outlast the budget.
        minTimeout: 0,
        signal: controller.signal,
        shouldRetry: async ({ error, attemptNumber }) => {
          if (!(error instanceof LlmUnavailableError) || !error.retryable) return false;
          const delayMs = backoffDelay(error, attemptNumber);
          const details = {
            agent: request.agent,
            attempt: attemptNumber,
            kind: error.kind,
            httpStatus: error.httpStatus,
            delayMs,
          };
          if (delayMs >= remaining()) {
            log?.warn(details, 'gemini call failed; the next attempt would outlast the deadline');
            return false;
          }
          log?.warn(details, 'gemini call failed; retrying');
          await sleepUnlessAborted(sleep, delayMs, controller.signal);
          return true;
        },
      });
      log?.info(
        {
          agent: request.agent,
          attempts: attempt,
          durationMs: Math.round(performance.now() - started),
          usage: result.usage,
        },
        'gemini answered',
      );
      return result;
    } catch (err) {
      if (err instanceof LlmUnavailableError && err.kind !== 'timeout') throw err;
      const timedOut = err instanceof LlmUnavailableError || controller.signal.aborted || isAbortError(err);
      if (timedOut) {
        const last =
          lastFailure && lastFailure.kind !== 'timeout' ? ` (last failure: ${lastFailure.message})` : '';
        throw new LlmUnavailableError({
          kind: 'timeout',
          message: `Gemini gave no answer within ${timeoutMs} ms after ${attempt} attempt(s)${last}`,
          attempts: attempt,
          model,
          cause: err,
        });
      }
      throw new LlmUnavailableError({
        kind: 'unavailable',
        message: `Gemini call failed: ${errorName(err)}`,
        attempts: attempt,
        model,
        cause: err,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  return { model, generateStructured };
}

// ---------------------------------------------------------------------------------------------
// Errors from the SDK

/** `{"error": {...}}`, the envelope of every Gemini error body. */
const RpcErrorBodySchema = z.object({
  error: z.object({
    code: z.number().optional(),
    message: z.string().optional(),
    status: z.string().optional(),
    details: z.array(z.record(z.string(), z.unknown())).optional(),
  }),
});
type RpcError = z.infer<typeof RpcErrorBodySchema>['error'];

function parseRpcError(text: string): RpcError | undefined {
  const parsed = RpcErrorBodySchema.safeParse(safeJsonParse(text));
  if (!parsed.success) return undefined;
  const inner = parsed.data.error;
  // A non-JSON response (e.g. text/event-stream) is wrapped by the SDK around the raw body text.
  if (inner.message !== undefined) {
    const nested = RpcErrorBodySchema.safeParse(safeJsonParse(inner.message));
    if (nested.success) return nested.data.error;
  }
  return inner;
}

/** google.rpc.RetryInfo.retryDelay is a protobuf Duration in JSON form: "26s", "0.5s". */
function retryInfoDelayMs(rpc: RpcError | undefined): number | undefined {
  for (const detail of rpc?.details ?? []) {
    const type = detail['@type'];
    const delay = detail['retryDelay'];
    if (typeof type === 'string' && type.endsWith('google.rpc.RetryInfo') && typeof delay === 'string') {
      const match = /^(\d+(?:\.\d+)?)s$/.exec(delay.trim());
      if (match?.[1] !== undefined) return Math.round(Number(match[1]) * 1000);
    }
  }
  return undefined;
}

const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

function isNetworkError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = errorCode(err) ?? errorCode(err.cause);
  if (code !== undefined && (NETWORK_ERROR_CODES.has(code) || code.startsWith('UND_ERR_'))) return true;
  return err instanceof TypeError && err.message === 'fetch failed';
}

function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  return typeof err.code === 'string' ? err.code : undefined;
}

function isAbortError(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError');
}

function errorName(err: unknown): string {
  return err instanceof Error ? err.name : typeof err;
}

function classifyRequestError(
  err: unknown,
  ctx: { model: string; attempts: number; scrub: (s: string) => string },
): LlmUnavailableError {
  const { model, attempts, scrub } = ctx;
  if (err instanceof LlmUnavailableError) return err;
  if (err instanceof ApiError) {
    const status = err.status;
    const rpc = parseRpcError(err.message);
    const rpcStatus = rpc?.status;
    const serverMessage = truncate(scrub(rpc?.message ?? ''));
    const label = `Gemini ${status}${rpcStatus ? ` ${rpcStatus}` : ''}${serverMessage ? `: ${serverMessage}` : ''}`;
    const base = { attempts, model, httpStatus: status, cause: err, ...(rpcStatus ? { rpcStatus } : {}) };
    if (status === 429) {
      const retryDelayMs = retryInfoDelayMs(rpc);
      return new LlmUnavailableError({
        ...base,
        kind: 'rate_limited',
        message: label,
        retryable: true,
        ...(retryDelayMs === undefined ? {} : { retryDelayMs }),
      });
    }
    if (status === 408 || status === 500 || status === 502 || status === 503 || status === 504) {
      const retryDelayMs = retryInfoDelayMs(rpc);
      return new LlmUnavailableError({
        ...base,
        kind: 'unavailable',
        message: label,
        retryable: true,
        ...(retryDelayMs === undefined ? {} : { retryDelayMs }),
      });
    }
    if (status === 404) {
      return new LlmUnavailableError({
        ...base,
        kind: 'not_found',
        message: `Gemini model "${model}" was not found or does not support generateContent (404${rpcStatus ? ` ${rpcStatus}` : ''})`,
      });
    }
    if (status === 401 || status === 403) {
      return new LlmUnavailableError({ ...base, kind: 'auth', message: label });
    }
    if (status >= 400 && status < 500) {
      return new LlmUnavailableError({ ...base, kind: 'invalid_request', message: label });
    }
    return new LlmUnavailableError({ ...base, kind: 'unavailable', message: label });
  }
  if (isAbortError(err)) {
    return new LlmUnavailableError({
      kind: 'timeout',
      message: 'Gemini request aborted at the deadline',
      attempts,
      model,
      cause: err,
    });
  }
  if (isNetworkError(err)) {
    const code = errorCode(err) ?? (err instanceof Error ? errorCode(err.cause) : undefined);
    return new LlmUnavailableError({
      kind: 'unavailable',
      message: `network error reaching Gemini${code ? ` (${code})` : ''}`,
      attempts,
      model,
      retryable: true,
      cause: err,
    });
  }
  return new LlmUnavailableError({
    kind: 'unavailable',
    message: `Gemini call failed: ${errorName(err)}`,
    attempts,
    model,
    cause: err,
  });
}

function backoffDelay(error: LlmUnavailableError, attemptNumber: number): number {
  if (error.retryDelayMs !== undefined) return Math.min(error.retryDelayMs, RETRY_INFO_CAP_MS);
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attemptNumber - 1));
  return Math.round(Math.random() * ceiling);
}

function sleepUnlessAborted(
  sleep: (ms: number) => Promise<void>,
  ms: number,
  signal: AbortSignal,
): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    sleep(ms).then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

// ---------------------------------------------------------------------------------------------
// Responses

/** Finish reasons that mean the content was withheld, whatever text came with them. */
const BLOCKING_FINISH_REASONS = new Set([
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
  'IMAGE_RECITATION',
]);

function interpretResponse<S extends z.ZodType>(
  response: GenerateContentResponse,
  schema: S,
  ctx: { model: string; attempts: number },
): { value: z.infer<S>; textChars: number } {
  const { model, attempts } = ctx;
  const usage = toUsage(response.usageMetadata);
  const fail = (kind: 'blocked' | 'invalid_output', message: string) =>
    new LlmUnavailableError({ kind, message, attempts, model, ...(usage === undefined ? {} : { usage }) });

  const blockReason: string | undefined = response.promptFeedback?.blockReason;
  if (blockReason) throw fail('blocked', `Gemini blocked the prompt (blockReason ${blockReason})`);
  const candidate = response.candidates?.[0];
  if (candidate === undefined) throw fail('blocked', 'Gemini returned no candidates');
  const finishReason: string | undefined = candidate.finishReason;
  if (finishReason !== undefined && BLOCKING_FINISH_REASONS.has(finishReason)) {
    throw fail('blocked', `Gemini withheld the answer (finishReason ${finishReason})`);
  }
  // The text parts of the first candidate, without thought summaries (what `response.text` returns,
  // minus its console warnings).
  const parts = candidate.content?.parts ?? [];
  const texts = parts
    .filter((p) => typeof p.text === 'string' && p.thought !== true)
    .map((p) => p.text ?? '');
  const text = texts.join('');
  const stoppedEarly =
    finishReason !== undefined && finishReason !== 'STOP' && finishReason !== 'FINISH_REASON_UNSPECIFIED';
  if (texts.length === 0 || text.trim() === '') {
    throw fail('blocked', `Gemini returned no text${finishReason ? ` (finishReason ${finishReason})` : ''}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw stoppedEarly
      ? fail('blocked', `Gemini stopped before a complete answer (finishReason ${finishReason})`)
      : fail('invalid_output', `Gemini answer is not valid JSON (${text.length} chars)`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    if (stoppedEarly)
      throw fail('blocked', `Gemini stopped before a complete answer (finishReason ${finishReason})`);
    throw fail('invalid_output', `Gemini answer does not match the schema: ${summarizeIssues(parsed.error)}`);
  }
  return { value: parsed.data, textChars: text.length };
}

/** Paths and issue codes only: the values may be deal data. */
function summarizeIssues(error: z.ZodError): string {
  const shown = error.issues.slice(0, 5).map((i) => `${i.path.map(String).join('.') || '(root)'} ${i.code}`);
  const more = error.issues.length > shown.length ? `; +${error.issues.length - shown.length} more` : '';
  return shown.join('; ') + more;
}

function toUsage(meta: GenerateContentResponse['usageMetadata']): TokenUsage | undefined {
  if (meta === undefined) return undefined;
  const promptTokens = meta.promptTokenCount ?? 0;
  const outputTokens = (meta.candidatesTokenCount ?? 0) + (meta.thoughtsTokenCount ?? 0);
  return { promptTokens, outputTokens, totalTokens: meta.totalTokenCount ?? promptTokens + outputTokens };
}

function safeJsonParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function truncate(text: string): string {
  return text.length > MESSAGE_LIMIT ? `${text.slice(0, MESSAGE_LIMIT)}…` : text;
}

// ---------------------------------------------------------------------------------------------
// JSON Schema for responseJsonSchema

export type JsonSchemaObject = { [key: string]: unknown };

/**
 * Keywords Gemini's responseJsonSchema documents (GenerateContentConfig.responseJsonSchema in the
 * SDK typings), plus minLength/maxLength, which the recorded js-genai exchange sent and the API
 * accepted. Everything else zod emits (`$schema`, `pattern`, `default`, `const`,
 * `exclusiveMinimum`, `propertyNames`, …) is dropped or rewritten; the zod schema still validates
 * the answer in full, so a looser hint to the model never lets a wrong answer through.
 */
const KEPT_KEYWORDS = new Set([
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
  'minLength',
  'maxLength',
  'anyOf',
  'oneOf',
  'properties',
  'additionalProperties',
  'required',
  'propertyOrdering',
]);
/** Formats worth passing on; zod's others (email, uuid, …) are checked by zod alone. */
const KEPT_FORMATS = new Set(['date-time', 'date', 'time']);

const schemaCache = new WeakMap<z.ZodType, JsonSchemaObject>();

/** The JSON Schema sent as `responseJsonSchema` for a zod schema (the model writes zod's input). */
export function toGeminiJsonSchema(schema: z.ZodType): JsonSchemaObject {
  const cached = schemaCache.get(schema);
  if (cached !== undefined) return cached;
  const raw = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  const result = sanitizeSchema(raw);
  const object: JsonSchemaObject = isRecord(result) ? result : {};
  schemaCache.set(schema, object);
  return object;
}

function sanitizeSchema(node: unknown): unknown {
  if (!isRecord(node)) return node;
  const out: JsonSchemaObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (!KEPT_KEYWORDS.has(key)) continue;
    switch (key) {
      case 'properties':
      case '$defs':
        out[key] = isRecord(value)
          ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sanitizeSchema(v)]))
          : value;
        break;
      case 'anyOf':
      case 'oneOf':
      case 'prefixItems':
        out[key] = Array.isArray(value) ? value.map(sanitizeSchema) : value;
        break;
      case 'items':
        // `items: false` closes a tuple after prefixItems; boolean schemas are not in Gemini's subset.
        if (typeof value !== 'boolean') out[key] = sanitizeSchema(value);
        break;
      case 'additionalProperties':
        out[key] = typeof value === 'boolean' ? value : sanitizeSchema(value);
        break;
      case 'format':
        if (typeof value === 'string' && KEPT_FORMATS.has(value)) out[key] = value;
        break;
      default:
        out[key] = value;
    }
  }
  // const → enum (enum is supported for strings and numbers); a boolean/null const keeps its type.
  const constant = node['const'];
  if ((typeof constant === 'string' || typeof constant === 'number') && out['enum'] === undefined) {
    out['enum'] = [constant];
  }
  // Exclusive bounds become inclusive ones (exact for integers, slightly loose for numbers).
  const isInteger = node['type'] === 'integer';
  const exclusiveMinimum = node['exclusiveMinimum'];
  if (typeof exclusiveMinimum === 'number' && out['minimum'] === undefined) {
    out['minimum'] = isInteger ? Math.floor(exclusiveMinimum) + 1 : exclusiveMinimum;
  }
  const exclusiveMaximum = node['exclusiveMaximum'];
  if (typeof exclusiveMaximum === 'number' && out['maximum'] === undefined) {
    out['maximum'] = isInteger ? Math.ceil(exclusiveMaximum) - 1 : exclusiveMaximum;
  }
  // z.int() bounds every integer by the safe-integer range: noise for the model.
  if (out['minimum'] === Number.MIN_SAFE_INTEGER) delete out['minimum'];
  if (out['maximum'] === Number.MAX_SAFE_INTEGER) delete out['maximum'];
  // Objects are closed (what zod's output mode and the recorded request send).
  if (isRecord(out['properties']) && out['additionalProperties'] === undefined) {
    out['additionalProperties'] = false;
  }
  return out;
}

function isRecord(value: unknown): value is JsonSchemaObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
