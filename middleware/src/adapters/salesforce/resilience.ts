/**
 * How the middleware calls an org that fails: retries with exponential backoff and decorrelated
 * jitter that honour the kind of failure, a per-request timeout, and a circuit breaker
 * (cockatiel) that stops calling an org that is down until a probe succeeds.
 *
 * Which failures are retried here, immediately:
 * - the org refused the request before doing anything (503 SERVER_UNAVAILABLE,
 *   REQUEST_LIMIT_EXCEEDED, UNABLE_TO_LOCK_ROW inside an all-or-none call, an expired session
 *   after jsforce refreshed it): always;
 * - the answer was lost (timeout, connection reset): only for idempotent calls (reads, upserts by
 *   external id, approval submissions). A lost answer to a call that creates records (files,
 *   feed posts) goes back to the orchestrator, whose next attempt checks what already exists.
 * Never retried: validation and other caller errors, and an open circuit (the run waits).
 */
import { classifyFailure, type FailureKind } from '../../domain/failures.ts';
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  circuitBreaker,
  handleWhen,
  retry,
  wrap,
} from 'cockatiel';

export { classifyFailure, type FailureKind } from '../../domain/failures.ts';

/** The request did not take effect: replaying it cannot duplicate anything. */
const NOT_APPLIED: ReadonlySet<FailureKind> = new Set(['unavailable', 'throttled', 'locked', 'session']);
/** The org itself looks unwell; these count towards opening the circuit. */
const OUTAGE: ReadonlySet<FailureKind> = new Set(['unavailable', 'throttled', 'timeout', 'network']);

export interface ResilienceOptions {
  requestTimeoutMs: number;
  maxRetries: number;
  retryBaseMs: number;
  breakerFailures: number;
  breakerHalfOpenMs: number;
  onRetry?: (kind: FailureKind, operation: string, attempt: number) => void;
  onCircuit?: (state: 'open' | 'half-open' | 'closed') => void;
}

export interface CallOptions {
  operation: string;
  /** Replaying the call after a lost answer cannot create a second record. */
  idempotent: boolean;
}

export interface Resilience {
  /** Runs `call` (given the per-request timeout) under retries and the circuit breaker. */
  execute<T>(options: CallOptions, call: (timeoutMs: number) => Promise<T>): Promise<T>;
  circuit(): 'open' | 'half-open' | 'closed';
}

export class CircuitOpenError extends Error {
  readonly errorCode = 'CIRCUIT_OPEN';
  /** When a probe may go through; the orchestrator waits at least this long. */
  readonly retryAfterMs: number;
  constructor(what: string, retryInMs: number) {
    super(
      `${what} is unavailable: calls are paused after repeated failures and resume with a probe in about ${Math.ceil(retryInMs / 1000)} s`,
    );
    this.name = 'CircuitOpenError';
    this.retryAfterMs = retryInMs;
  }
}

export function createResilience(what: string, options: ResilienceOptions): Resilience {
  const breaker = circuitBreaker(
    handleWhen((err) => OUTAGE.has(classifyFailure(err))),
    {
      halfOpenAfter: options.breakerHalfOpenMs,
      breaker: new ConsecutiveBreaker(options.breakerFailures),
    },
  );
  breaker.onStateChange((state) =>
    options.onCircuit?.(
      state === CircuitState.Open || state === CircuitState.Isolated
        ? 'open'
        : state === CircuitState.HalfOpen
          ? 'half-open'
          : 'closed',
    ),
  );
  const backoff = new ExponentialBackoff({
    initialDelay: options.retryBaseMs,
    maxDelay: options.retryBaseMs * 2 ** 6,
  });
  const retryable = (idempotent: boolean) => (err: unknown) => {
    const kind = classifyFailure(err);
    return NOT_APPLIED.has(kind) || (idempotent && (kind === 'timeout' || kind === 'network'));
  };
  const retryIfSafe = retryable(true);
  const retryIfNotApplied = retryable(false);
  return {
    async execute(call, fn) {
      // A policy per call, so each retry is reported with the operation it repeats.
      const policy = retry(handleWhen(call.idempotent ? retryIfSafe : retryIfNotApplied), {
        maxAttempts: options.maxRetries,
        backoff,
      });
      policy.onRetry((reason) => {
        const kind = 'error' in reason ? classifyFailure(reason.error) : 'permanent';
        options.onRetry?.(kind, call.operation, reason.attempt);
      });
      try {
        return await wrap(policy, breaker).execute(() => fn(options.requestTimeoutMs));
      } catch (err) {
        if (err instanceof BrokenCircuitError) throw new CircuitOpenError(what, options.breakerHalfOpenMs);
        throw err;
      }
    },
    circuit() {
      const s = breaker.state;
      return s === CircuitState.Closed ? 'closed' : s === CircuitState.HalfOpen ? 'half-open' : 'open';
    },
  };
}
