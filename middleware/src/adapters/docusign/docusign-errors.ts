/**
 * DocuSign failures as one error type: the vendor's errorCode and message (from an eSignature
 * REST error body or an OAuth error), never the request or its credentials, with rate limits and
 * network failures coded so the orchestrator's failure policy backs off or retries. Separate from
 * the adapter, whose session and calls only need to know that `errorOf` wraps what the SDK throws.
 */
import type { Json } from './docusign-envelope.ts';

/** A DocuSign API failure: the vendor's errorCode and message, never the request's credentials. */
export class DocusignApiError extends Error {
  readonly status: number | undefined;
  /** REQUEST_LIMIT_EXCEEDED for DocuSign's hourly/burst limits, so the orchestrator backs off. */
  readonly errorCode: string;
  readonly docusignErrorCode: string | undefined;
  constructor(operation: string, status: number | undefined, code: string | undefined, message: string) {
    super(
      `DocuSign ${operation} failed${status ? ` (${status})` : ''}: ${code ? `${code}: ` : ''}${message}`,
    );
    this.name = 'DocusignApiError';
    this.status = status;
    this.docusignErrorCode = code;
    this.errorCode =
      code && /APIINVOCATION_LIMIT_EXCEEDED|POLLING_LIMIT_EXCEEDED/i.test(code)
        ? 'REQUEST_LIMIT_EXCEEDED'
        : (code ?? 'DOCUSIGN_ERROR');
  }
}

export function errorOf(operation: string, err: unknown): DocusignApiError {
  const e = err as { response?: { status?: number; data?: unknown }; message?: string; code?: string };
  const data = e.response?.data;
  let body: Json | undefined;
  if (
    data &&
    typeof data === 'object' &&
    !Buffer.isBuffer(data) &&
    typeof (data as { on?: unknown }).on !== 'function'
  )
    body = data as Json;
  else if (typeof data === 'string') {
    try {
      body = JSON.parse(data) as Json;
    } catch {
      body = undefined;
    }
  }
  const code =
    typeof body?.errorCode === 'string'
      ? body.errorCode
      : typeof body?.error === 'string'
        ? body.error
        : undefined;
  const message =
    typeof body?.message === 'string'
      ? body.message
      : typeof body?.error_description === 'string'
        ? body.error_description
        : e.response
          ? 'no error details'
          : (e.code ?? 'network error');
  const wrapped = new DocusignApiError(operation, e.response?.status, code, message);
  // Network failures keep their code (ECONNREFUSED, ...) so the orchestrator retries them.
  if (!e.response && e.code) Object.assign(wrapped, { errorCode: e.code });
  return wrapped;
}
