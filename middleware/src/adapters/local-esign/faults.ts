/**
 * Fault injection for the local signing service, the e-signature counterpart of
 * `local/org/faults.ts`: a share of the middleware's calls fail the way DocuSign's eSignature
 * REST API fails under load — HTTP 503, HTTP 429 with HOURLY_APIINVOCATION_LIMIT_EXCEEDED
 * (the API's rate limit error code) — or answer only after `hangMs` (applied, answer late).
 */
import type { EsignPort } from '../../ports/esign.ts';
import { createFaultDice } from '@dealdesk/local-org';

export const ESIGN_FAULT_KINDS = ['503', '429', 'timeout'] as const;
export type EsignFaultKind = (typeof ESIGN_FAULT_KINDS)[number];

export interface EsignFaultOptions {
  rate: number;
  kinds: readonly EsignFaultKind[];
  seed: number;
  hangMs: number;
  onFault?: (kind: EsignFaultKind, operation: string) => void;
}

/** An e-signature API error with the HTTP status the provider answered. */
export class EsignApiError extends Error {
  readonly status: number;
  readonly errorCode: string;
  constructor(status: number, errorCode: string, message: string) {
    super(`${errorCode}: ${message}`);
    this.name = 'EsignApiError';
    this.status = status;
    this.errorCode = errorCode;
  }
}

type Calls = Pick<EsignPort, 'createEnvelope' | 'getEnvelope' | 'downloadSigned' | 'voidEnvelope'>;

/** The same port with faults injected into the calls the middleware makes. */
export function withEsignFaults<T extends Calls>(port: T, options: EsignFaultOptions): T {
  const dice = createFaultDice(options.seed);
  const inject = <A extends unknown[], R>(operation: string, call: (...args: A) => Promise<R>) => {
    return async (...args: A): Promise<R> => {
      if (!dice.chance(options.rate)) return call(...args);
      const kind = dice.pick(options.kinds);
      options.onFault?.(kind, operation);
      if (kind === '503')
        throw new EsignApiError(503, 'SERVICE_UNAVAILABLE', 'The service is temporarily unavailable');
      if (kind === '429')
        throw new EsignApiError(
          429,
          'HOURLY_APIINVOCATION_LIMIT_EXCEEDED',
          'The maximum number of hourly API invocations has been exceeded',
        );
      const result = await call(...args);
      await new Promise((resolve) => setTimeout(resolve, options.hangMs));
      return result;
    };
  };
  const wrapped = Object.create(port) as T;
  wrapped.createEnvelope = inject('createEnvelope', port.createEnvelope.bind(port));
  wrapped.getEnvelope = inject('getEnvelope', port.getEnvelope.bind(port));
  wrapped.downloadSigned = inject('downloadSigned', port.downloadSigned.bind(port));
  wrapped.voidEnvelope = inject('voidEnvelope', port.voidEnvelope.bind(port));
  return wrapped;
}
