/**
 * Which failures are worth another attempt, one classification for the whole middleware: the
 * Salesforce resilience policy retries by it, and the orchestrator decides by it whether a failed
 * stage retries itself later (transient) or waits for the rep (permanent).
 */

export type FailureKind =
  'unavailable' | 'throttled' | 'locked' | 'session' | 'timeout' | 'network' | 'circuit-open' | 'permanent';

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ENOTFOUND',
  'ENETDOWN',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
]);

export function classifyFailure(err: unknown): FailureKind {
  const e = (err ?? {}) as {
    errorCode?: string;
    code?: string;
    name?: string;
    cause?: { code?: string };
    isBrokenCircuitError?: boolean;
    isTaskCancelledError?: boolean;
  };
  // cockatiel's open circuit and cancelled task, told by the flags its errors carry.
  if (e.isBrokenCircuitError === true) return 'circuit-open';
  if (e.isTaskCancelledError === true) return 'timeout';
  switch (e.errorCode) {
    case 'SERVER_UNAVAILABLE':
    case 'ERROR_HTTP_500':
    case 'ERROR_HTTP_502':
    case 'ERROR_HTTP_503':
    case 'ERROR_HTTP_504':
      return 'unavailable';
    case 'REQUEST_LIMIT_EXCEEDED':
      return 'throttled';
    case 'UNABLE_TO_LOCK_ROW':
      return 'locked';
    case 'INVALID_SESSION_ID':
      return 'session';
    case 'CIRCUIT_OPEN':
      return 'circuit-open';
  }
  const status = (err as { status?: unknown } | null)?.status;
  if (status === 429) return 'throttled';
  if (typeof status === 'number' && status >= 500 && status <= 599) return 'unavailable';
  if (e.name === 'AbortError' || e.name === 'TimeoutError' || e.name === 'TaskCancelledError')
    return 'timeout';
  const code = e.code ?? e.cause?.code;
  if (code && NETWORK_CODES.has(code)) return 'network';
  if (err instanceof TypeError && /fetch failed/i.test(err.message)) return 'network';
  return 'permanent';
}

/** Whether another attempt later could succeed: anything but a permanent failure. */
export function isTransientFailure(err: unknown): boolean {
  return classifyFailure(err) !== 'permanent';
}
