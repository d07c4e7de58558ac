/**
 * How a model adapter says it could not answer, whichever provider it speaks to. Both adapters
 * (Gemini, OpenAI-compatible) throw `LlmUnavailableError` with the same kinds, so callers fall
 * back to the offline reasoner the same way and metrics and logs read alike.
 */
import type { z } from 'zod';
import type { TokenUsage } from '../../ports/llm.ts';

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
  /** google.rpc status name from a Gemini error body, e.g. RESOURCE_EXHAUSTED. */
  readonly rpcStatus: string | undefined;
  /** `error.code` (or `error.type`) of an OpenAI-style error body, e.g. rate_limit_exceeded. */
  readonly providerCode: string | undefined;
  /** Server-requested wait before retrying (RetryInfo, Retry-After), in ms. */
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
    providerCode?: string;
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
    this.providerCode = init.providerCode;
    this.retryDelayMs = init.retryDelayMs;
    this.usage = init.usage;
  }
}

/**
 * The kind of an HTTP error status and whether retrying can help, the same for every provider:
 * 408/500/502/503/504 are transient, 429 is a rate limit, 404 a missing model, 401/403 refused
 * credentials, any other 4xx a request the server will never accept.
 */
export function httpFailure(status: number): { kind: LlmFailureKind; retryable: boolean } {
  if (status === 429) return { kind: 'rate_limited', retryable: true };
  if (TRANSIENT_STATUSES.has(status)) return { kind: 'unavailable', retryable: true };
  if (status === 404) return { kind: 'not_found', retryable: false };
  if (status === 401 || status === 403) return { kind: 'auth', retryable: false };
  if (status >= 400 && status < 500) return { kind: 'invalid_request', retryable: false };
  return { kind: 'unavailable', retryable: false };
}

const TRANSIENT_STATUSES = new Set([408, 500, 502, 503, 504]);

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

export function isNetworkError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = errorCode(err) ?? errorCode(err.cause);
  if (code !== undefined && (NETWORK_ERROR_CODES.has(code) || code.startsWith('UND_ERR_'))) return true;
  return err instanceof TypeError && err.message === 'fetch failed';
}

/** The system error code of an error or of its cause (fetch wraps them), e.g. ECONNREFUSED. */
export function networkErrorCode(err: unknown): string | undefined {
  return errorCode(err) ?? (err instanceof Error ? errorCode(err.cause) : undefined);
}

export function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  return typeof err.code === 'string' ? err.code : undefined;
}

export function isAbortError(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError');
}

export function errorName(err: unknown): string {
  return err instanceof Error ? err.name : typeof err;
}

const MESSAGE_LIMIT = 300;

export function truncate(text: string): string {
  return text.length > MESSAGE_LIMIT ? `${text.slice(0, MESSAGE_LIMIT)}…` : text;
}

export function safeJsonParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Paths and issue codes only: the values may be deal data. */
export function summarizeIssues(error: z.ZodError): string {
  const shown = error.issues.slice(0, 5).map((i) => `${i.path.map(String).join('.') || '(root)'} ${i.code}`);
  const more = error.issues.length > shown.length ? `; +${error.issues.length - shown.length} more` : '';
  return shown.join('; ') + more;
}
