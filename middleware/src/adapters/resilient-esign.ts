/**
 * The e-signature port under the same retry, timeout and circuit-breaker policy as Salesforce
 * calls. Every call is safe to replay: envelopes are created with an idempotency key, voiding a
 * voided envelope changes nothing, and the rest are reads.
 */
import { TaskCancelledError, TimeoutStrategy, timeout } from 'cockatiel';
import type { EsignPort } from '../ports/esign.ts';
import type { Resilience } from './salesforce/resilience.ts';

type Calls = Pick<EsignPort, 'createEnvelope' | 'getEnvelope' | 'downloadSigned' | 'voidEnvelope'>;

export function withEsignResilience<T extends Calls>(port: T, resilience: Resilience): T {
  const guard = <A extends unknown[], R>(operation: string, call: (...args: A) => Promise<R>) => {
    return (...args: A): Promise<R> =>
      resilience.execute({ operation, idempotent: true }, (ms) =>
        timeout(ms, TimeoutStrategy.Aggressive)
          .execute(() => call(...args))
          .catch((err: unknown) => {
            if (!(err instanceof TaskCancelledError)) throw err;
            // A lost answer, in the terms the orchestrator retries on.
            throw Object.assign(new Error(`${operation}: no answer within ${ms} ms`), {
              name: 'TimeoutError',
              code: 'ETIMEDOUT',
            });
          }),
      );
  };
  const wrapped = Object.create(port) as T;
  wrapped.createEnvelope = guard('createEnvelope', port.createEnvelope.bind(port));
  wrapped.getEnvelope = guard('getEnvelope', port.getEnvelope.bind(port));
  wrapped.downloadSigned = guard('downloadSigned', port.downloadSigned.bind(port));
  wrapped.voidEnvelope = guard('voidEnvelope', port.voidEnvelope.bind(port));
  return wrapped;
}
