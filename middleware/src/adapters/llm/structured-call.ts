/**
 * The deadline and retry loop every model adapter runs one structured call in, so Gemini and
 * OpenAI-compatible servers retry alike: one budget for the whole call (retries and waits
 * included), full-jitter exponential backoff, a server-requested delay (RetryInfo, Retry-After)
 * honoured up to a cap, and no wait that would outlast the budget.
 *
 * The adapter supplies one attempt, which throws an already classified `LlmUnavailableError`;
 * p-retry drives the attempts with its own delay off, so the wait can follow the server.
 */
import pRetry from 'p-retry';
import type { Logger } from '../../logger.ts';
import type { TokenUsage } from '../../ports/llm.ts';
import { errorName, isAbortError, LlmUnavailableError } from './llm-errors.ts';

export const DEFAULT_TIMEOUT_MS = 20_000;
export const DEFAULT_MAX_ATTEMPTS = 3;
/** Full-jitter backoff: wait random(0, min(cap, base * 2^retry)). */
const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 8_000;
/** A server-requested delay is honoured up to this. */
const SERVER_DELAY_CAP_MS = 30_000;

export interface AttemptContext {
  attemptNumber: number;
  /** Aborts at the call's deadline. */
  signal: AbortSignal;
  /** Milliseconds left of the call's budget. */
  remainingMs(): number;
}

export interface StructuredCallSpec<T extends { usage?: TokenUsage | undefined }> {
  /** How messages name the server, e.g. "Gemini". */
  label: string;
  /** How log messages name the adapter, e.g. "gemini". */
  logName: string;
  model: string;
  agent: string;
  timeoutMs: number;
  maxAttempts: number;
  sleep: (ms: number) => Promise<void>;
  log: Logger | undefined;
  attempt: (ctx: AttemptContext) => Promise<T>;
}

export function defaultSleep(ms: number): Promise<void> {
  return new Promise<void>((resolve) => setTimeout(resolve, ms));
}

/** Runs `spec.attempt` until it answers, fails for good, runs out of attempts or of time. */
export async function runStructuredCall<T extends { usage?: TokenUsage | undefined }>(
  spec: StructuredCallSpec<T>,
): Promise<T> {
  const { label, logName, model, agent, timeoutMs, log } = spec;
  const started = performance.now();
  const deadline = started + timeoutMs;
  const remainingMs = () => deadline - performance.now();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error('deadline exceeded')), timeoutMs);
  let attempt = 0;
  let lastFailure: LlmUnavailableError | undefined;

  const attemptOnce = async (attemptNumber: number): Promise<T> => {
    attempt = attemptNumber;
    try {
      return await spec.attempt({ attemptNumber, signal: controller.signal, remainingMs });
    } catch (err) {
      if (err instanceof LlmUnavailableError) lastFailure = err;
      throw err;
    }
  };

  try {
    const result = await pRetry(attemptOnce, {
      retries: Math.max(1, Math.floor(spec.maxAttempts)) - 1,
      // p-retry's own delay is off; the wait happens in shouldRetry so it can honour the server's
      // delay, use full jitter and give up when the wait would outlast the budget.
      minTimeout: 0,
      signal: controller.signal,
      shouldRetry: async ({ error, attemptNumber }) => {
        if (!(error instanceof LlmUnavailableError) || !error.retryable) return false;
        const delayMs = backoffDelay(error, attemptNumber);
        const details = {
          agent,
          attempt: attemptNumber,
          kind: error.kind,
          httpStatus: error.httpStatus,
          delayMs,
        };
        if (delayMs >= remainingMs()) {
          log?.warn(details, `${logName} call failed; the next attempt would outlast the deadline`);
          return false;
        }
        log?.warn(details, `${logName} call failed; retrying`);
        await sleepUnlessAborted(spec.sleep, delayMs, controller.signal);
        return true;
      },
    });
    log?.info(
      { agent, attempts: attempt, durationMs: Math.round(performance.now() - started), usage: result.usage },
      `${logName} answered`,
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
        message: `${label} gave no answer within ${timeoutMs} ms after ${attempt} attempt(s)${last}`,
        attempts: attempt,
        model,
        cause: err,
      });
    }
    throw new LlmUnavailableError({
      kind: 'unavailable',
      message: `${label} call failed: ${errorName(err)}`,
      attempts: attempt,
      model,
      cause: err,
    });
  } finally {
    clearTimeout(timer);
  }
}

function backoffDelay(error: LlmUnavailableError, attemptNumber: number): number {
  if (error.retryDelayMs !== undefined) return Math.min(error.retryDelayMs, SERVER_DELAY_CAP_MS);
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
