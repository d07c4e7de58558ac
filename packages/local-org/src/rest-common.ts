/**
 * What the local org's REST resources share: the request and response shapes the dispatcher
 * passes around, the context a resource handler is given (counting, transactions, reading, and
 * routing for composite subrequests), and the body and error helpers every resource uses. Kept
 * apart so each resource family (`rest-sobjects.ts`, `rest-query.ts`, `rest-collections.ts`,
 * `rest-composite.ts`) depends on this small surface rather than on the dispatcher's class.
 */
import type { z } from 'zod';
import type { Dml, JsonInput } from './dml.ts';
import { SalesforceApiError, sfError } from './errors.ts';
import type { LocalOrg } from './local-org.ts';
import type { RecordReader } from './soql/engine.ts';

export interface ApiRequest {
  method: string;
  /** Path segments after `/services/data/vNN.N/`, URL-decoded. */
  segments: string[];
  query: URLSearchParams;
  body: unknown;
  headers: Record<string, string | undefined>;
  userId: string;
  version: string;
}

export interface ApiResponse {
  status: number;
  body?: unknown;
  binary?: { data: Uint8Array; contentType: string };
  headers?: Record<string, string>;
}

/** What a resource handler needs from the dispatcher; `dml` is set inside a composite transaction. */
export interface RestContext {
  readonly org: LocalOrg;
  count(req: ApiRequest, resource: string, operation: string): void;
  /** Runs a write in the composite's transaction, or in a transaction of its own. */
  write<T>(req: ApiRequest, dml: Dml | undefined, work: (dml: Dml) => T): T;
  reader(dml: Dml | undefined): RecordReader;
  /** Routes one (sub)request, as composite does for each of its subrequests. */
  route(req: ApiRequest, dml: Dml | undefined): ApiResponse;
}

export function apiBase(req: ApiRequest): string {
  return `/services/data/v${req.version}`;
}

/** Thrown inside an all-or-none transaction to roll it back while keeping the results to report. */
export class Rollback<T> extends Error {
  readonly results: T;
  constructor(results: T) {
    super('rollback');
    this.results = results;
  }
}

export function errorResponse(err: unknown): ApiResponse {
  if (err instanceof SalesforceApiError) return { status: err.status, body: err.toBody() };
  throw err;
}

export function requireObject(body: unknown): JsonInput {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw sfError.jsonParser(
      'Cannot deserialize instance of SObject from a non-object value: the body must be a JSON object',
    );
  }
  return body as JsonInput;
}

export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw sfError.jsonParser(zodMessage(parsed.error));
  return parsed.data;
}

export function zodMessage(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
}
