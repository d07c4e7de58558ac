/**
 * The Gemini adapter of the reasoning port: one structured `generateContent` call through the
 * real @google/genai client (Gemini Developer API, v1beta), answered as JSON that is validated
 * against the agent's zod schema.
 *
 * What the SDK does for us and what it does not (@google/genai 3.3.0):
 * - HTTP errors arrive as `ApiError` with the HTTP `status`; its `message` is the JSON-stringified
 *   error body (`{"error":{"code","message","status","details"}}`), or, when the response is not
 *   `application/json`, that envelope wrapped around the raw body text.
 * - The SDK retries only when `httpOptions.retryOptions` is set. We leave it unset and retry in
 *   `runStructuredCall` (shared with the OpenAI-compatible adapter), so the backoff honours
 *   google.rpc.RetryInfo and the overall deadline.
 * - `config.abortSignal` cancels the fetch (client side only: the server may still bill the call);
 *   `httpOptions.timeout` is a per-attempt timer that also sends `X-Server-Timeout` (seconds).
 * - The Gemini API version defaults to `v1` in SDK 3.x; we pin `v1beta` (see createGeminiLlm).
 * - `responseJsonSchema` is passed through untouched, so the subset Gemini accepts is ours to
 *   respect (see `toModelJsonSchema` in ../llm/json-schema.ts, exported here as `toGeminiJsonSchema`).
 */
import { ApiError, GoogleGenAI, type GenerateContentResponse } from '@google/genai';
import { z } from 'zod';
import type { Logger } from '../../logger.ts';
import type { LlmPort, ReasonerResult, StructuredRequest, TokenUsage } from '../../ports/llm.ts';
import { answerJsonSchema, type JsonSchemaObject } from '../llm/json-schema.ts';
import {
  errorName,
  httpFailure,
  isAbortError,
  isNetworkError,
  LlmUnavailableError,
  networkErrorCode,
  safeJsonParse,
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

// Shared with the OpenAI-compatible adapter; exported from here too, where callers found them first.
export { LlmUnavailableError, type LlmFailureKind } from '../llm/llm-errors.ts';
export { DEFAULT_MAX_ATTEMPTS, DEFAULT_TIMEOUT_MS } from '../llm/structured-call.ts';
export { toModelJsonSchema as toGeminiJsonSchema, type JsonSchemaObject } from '../llm/json-schema.ts';

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

export const GEMINI_API_VERSION = 'v1beta';
const TEMPERATURE = 0.1;

export function createGeminiLlm(deps: GeminiLlmDeps): LlmPort {
  const { apiKey, model } = deps;
  if (apiKey.trim() === '') throw new Error('createGeminiLlm: apiKey is empty');
  if (model.trim() === '') throw new Error('createGeminiLlm: model is empty');
  const defaultTimeoutMs = deps.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxAttempts = deps.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const sleep = deps.sleep ?? defaultSleep;
  const log = deps.logger?.child({ component: 'gemini-llm', model });
  const scrub = (text: string): string => text.split(apiKey).join('[REDACTED]');

  // vertexai: false explicitly, so GOOGLE_GENAI_USE_VERTEXAI in the environment cannot switch backends.
  // apiVersion pinned: SDK 3.x defaults the Gemini API to v1, while Google's docs for
  // responseJsonSchema + systemInstruction (and the SDK's own recorded system tests) use v1beta.
  const ai = new GoogleGenAI({
    vertexai: false,
    apiKey,
    apiVersion: GEMINI_API_VERSION,
    httpOptions: deps.baseUrl === undefined ? {} : { baseUrl: deps.baseUrl },
  });
  const call: GeminiCall = { ai, model, log, scrub, onUsage: deps.onUsage };

  async function generateStructured<S extends z.ZodType>(
    request: StructuredRequest<S>,
  ): Promise<ReasonerResult<z.infer<S>>> {
    const responseJsonSchema = answerJsonSchema(request, model);
    return runStructuredCall({
      label: 'Gemini',
      logName: 'gemini',
      model,
      agent: request.agent,
      timeoutMs: request.timeoutMs ?? defaultTimeoutMs,
      maxAttempts,
      sleep,
      log,
      attempt: (ctx) => generateOnce(call, request, responseJsonSchema, ctx),
    });
  }

  return { provider: 'gemini', model, generateStructured };
}

interface GeminiCall {
  ai: GoogleGenAI;
  model: string;
  log: Logger | undefined;
  scrub: (text: string) => string;
  onUsage: GeminiLlmDeps['onUsage'];
}

/** One generateContent request, its failure classified, its answer checked. */
async function generateOnce<S extends z.ZodType>(
  call: GeminiCall,
  request: StructuredRequest<S>,
  responseJsonSchema: JsonSchemaObject,
  ctx: AttemptContext,
): Promise<ReasonerResult<z.infer<S>>> {
  const { ai, model, log } = call;
  log?.debug(
    {
      agent: request.agent,
      attempt: ctx.attemptNumber,
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
        abortSignal: ctx.signal,
        // Per-attempt timer for the rest of the budget; also tells the server our deadline.
        httpOptions: { timeout: Math.max(1, Math.ceil(ctx.remainingMs())) },
      },
    });
  } catch (err) {
    throw classifyRequestError(err, { model, attempts: ctx.attemptNumber, scrub: call.scrub });
  }
  const usage = toUsage(response.usageMetadata);
  // Tokens are billed even when the answer is then rejected (blocked, invalid), so count them first.
  if (usage) call.onUsage?.(model, usage);
  const value = interpretResponse(response, request.schema, { model, attempts: ctx.attemptNumber });
  log?.debug(
    { agent: request.agent, attempt: ctx.attemptNumber, responseChars: value.textChars },
    'gemini response',
  );
  return { value: value.value, source: 'gemini', model, ...(usage === undefined ? {} : { usage }) };
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
    const { kind, retryable } = httpFailure(status);
    const retryDelayMs = retryable ? retryInfoDelayMs(rpc) : undefined;
    return new LlmUnavailableError({
      kind,
      message:
        kind === 'not_found'
          ? `Gemini model "${model}" was not found or does not support generateContent (404${rpcStatus ? ` ${rpcStatus}` : ''})`
          : label,
      attempts,
      model,
      httpStatus: status,
      retryable,
      cause: err,
      ...(rpcStatus ? { rpcStatus } : {}),
      ...(retryDelayMs === undefined ? {} : { retryDelayMs }),
    });
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
    const code = networkErrorCode(err);
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

function toUsage(meta: GenerateContentResponse['usageMetadata']): TokenUsage | undefined {
  if (meta === undefined) return undefined;
  const promptTokens = meta.promptTokenCount ?? 0;
  const outputTokens = (meta.candidatesTokenCount ?? 0) + (meta.thoughtsTokenCount ?? 0);
  return { promptTokens, outputTokens, totalTokens: meta.totalTokenCount ?? promptTokens + outputTokens };
}
