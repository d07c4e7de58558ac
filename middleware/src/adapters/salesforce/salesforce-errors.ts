/**
 * Salesforce's error bodies as errors that keep their code. The retry policy and the orchestrator
 * decide by `errorCode` (a lock or a limit is retried, a validation rule waits for the rep), so a
 * failure decoded from a response body must carry it, not just a message.
 */
import { SalesforceErrorArraySchema } from './salesforce-records.ts';

export class CrmError extends Error {
  readonly errorCode: string;
  readonly fields: string[];
  constructor(errorCode: string, message: string, fields: string[] = []) {
    super(`${errorCode}: ${message}`);
    this.name = 'CrmError';
    this.errorCode = errorCode;
    this.fields = fields;
  }
}

/**
 * The error in a failed response body, `[{ errorCode, message, fields }]`. A composite call's
 * `PROCESSING_HALTED` only says another subrequest failed, so the real cause is preferred.
 */
export function errorOf(body: unknown): CrmError {
  const parsed = SalesforceErrorArraySchema.safeParse(body);
  const first = parsed.success
    ? (parsed.data.find((e) => (e.errorCode ?? e.statusCode) !== 'PROCESSING_HALTED') ?? parsed.data[0])
    : undefined;
  if (!first) return new CrmError('UNKNOWN', (JSON.stringify(body) ?? 'no response').slice(0, 500));
  return new CrmError(first.errorCode ?? first.statusCode ?? 'UNKNOWN', first.message, first.fields ?? []);
}

/** A failed composite subrequest's error, its reference id leading the message. */
export function subrequestError(referenceId: string, body: unknown): CrmError {
  const err = errorOf(body);
  return new CrmError(err.errorCode, `${referenceId}: ${err.message.replace(/^[A-Z_]+: /, '')}`, err.fields);
}
