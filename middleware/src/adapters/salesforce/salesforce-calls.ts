/**
 * Every request the CRM adapter sends to Salesforce, each one logical call under the resilience
 * policy (retries, per-request timeout, circuit breaker), traced once per call and counted once
 * per HTTP request. Reads are batched into composite calls; a step's write-back is one
 * all-or-none composite call keyed by external ids, so a retry never duplicates a record.
 */
import type { Connection } from '@jsforce/jsforce-node';
import { CompositeResponseSchema } from './salesforce-records.ts';
import type { Resilience } from './resilience.ts';
import { CrmError, errorOf, subrequestError } from './salesforce-errors.ts';
import { requestCounter, type RequestListener } from './request-counter.ts';

export interface Subrequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  referenceId: string;
  body?: unknown;
  /** Headers of this subrequest alone (e.g. `Sforce-Query-Options: batchSize=…`). */
  httpHeaders?: Record<string, string>;
}

/** A composite call's subresponses by referenceId. */
export type Subresponses = Map<string, { status: number; body: unknown }>;

export interface SalesforceCrmDeps {
  conn: Connection;
  apiVersion: string;
  /** Counts each API request by operation and outcome. */
  onRequest?: RequestListener;
  /** Retries, timeouts and the circuit breaker; calls go straight through without it. */
  resilience?: Resilience;
  /** Wraps each logical call (with its retries) for tracing. */
  trace?: <T>(operation: string, call: () => Promise<T>) => Promise<T>;
}

export interface SalesforceCalls {
  /** `/services/data/vNN.N`, which every REST URL starts with. */
  readonly base: string;
  /** One SOQL query; the raw query result. */
  query(soql: string): Promise<unknown>;
  /** The next page of a query result, from its `nextRecordsUrl`; the raw query result. */
  queryMore(nextRecordsUrl: string): Promise<unknown>;
  /** Subrequests in one composite call; with `allOrNone`, a failed subrequest throws its error. */
  composite(subrequests: Subrequest[], allOrNone: boolean): Promise<Subresponses>;
  /** A POST to process/approvals; the raw response. */
  processApprovals(body: object): Promise<unknown>;
  /** A blob field's bytes (ContentVersion.VersionData). */
  blob(url: string): Promise<Buffer>;
}

const direct: Resilience = {
  execute: (_options, call) => call(0),
  circuit: () => 'closed',
};

/** Platform events are notifications: a replayed one changes no record. */
const EVENT_URL = /\/sobjects\/Deal_Closure_Event__e$/;

/** A GET subrequest running one query. */
export function querySubrequest(base: string, referenceId: string, soql: string): Subrequest {
  return { method: 'GET', url: queryUrl(base, soql), referenceId };
}

export function queryUrl(base: string, soql: string): string {
  return `${base}/query?q=${encodeURIComponent(soql)}`;
}

export function createSalesforceCalls(deps: SalesforceCrmDeps): SalesforceCalls {
  const resilience = deps.resilience ?? direct;
  const trace = deps.trace ?? (<T>(_operation: string, call: () => Promise<T>) => call());
  const counted = requestCounter(deps.onRequest);
  const base = `/services/data/v${deps.apiVersion}`;
  // jsforce's own retries would stack on ours (and replay POSTs blindly on 5xx for GETs only);
  // our policy decides, and each request gets the configured timeout.
  const transport = (timeoutMs: number) =>
    timeoutMs > 0 ? { timeout: timeoutMs, retry: { maxRetries: 0 } } : {};
  /** One logical call: traced once around all its attempts, each attempt counted as a request. */
  const call = <T>(operation: string, idempotent: boolean, attempt: (timeoutMs: number) => Promise<T>) =>
    trace(operation, () => resilience.execute({ operation, idempotent }, attempt));
  const post = (operation: string, url: string, body: object, timeoutMs: number) =>
    counted(operation, () => deps.conn.requestPost<unknown>(url, body, transport(timeoutMs)));

  async function compositeOnce(
    subrequests: Subrequest[],
    allOrNone: boolean,
    timeoutMs: number,
  ): Promise<Subresponses> {
    const body = { allOrNone, compositeRequest: subrequests };
    const parsed = CompositeResponseSchema.safeParse(
      await post('composite', `${base}/composite`, body, timeoutMs),
    );
    if (!parsed.success) throw new CrmError('UNEXPECTED_RESPONSE', 'composite: unexpected response shape');
    const out: Subresponses = new Map();
    for (const r of parsed.data.compositeResponse)
      out.set(r.referenceId, { status: r.httpStatusCode, body: r.body });
    if (allOrNone) {
      const failed = parsed.data.compositeResponse.find((r) => r.httpStatusCode >= 400 && !isHalted(r.body));
      if (failed) throw subrequestError(failed.referenceId, failed.body);
    }
    return out;
  }

  const get = (url: string) =>
    call('query', true, (t) =>
      counted('query', () => deps.conn.request<unknown>({ method: 'GET', url }, transport(t))),
    );

  return {
    base,
    query: (soql) => get(queryUrl(base, soql)),
    queryMore: get,
    composite(subrequests, allOrNone) {
      const writes = subrequests.some((s) => s.method !== 'GET');
      const operation = writes ? 'composite write' : 'composite read';
      // Upserts by external id and reads replay safely; a POST that creates a record does not.
      const idempotent = subrequests.every((s) => s.method !== 'POST' || EVENT_URL.test(s.url));
      return call(operation, idempotent, (t) => compositeOnce(subrequests, allOrNone, t));
    },
    // Approval submissions are safe to replay: a second one answers ALREADY_IN_PROCESS.
    processApprovals: (body) =>
      call('process/approvals', true, (t) => post('process/approvals', `${base}/process/approvals`, body, t)),
    blob: (url) => call('file', true, (t) => counted('file', () => readBlob(deps.conn, url, transport(t)))),
  };
}

/** Another subrequest failed and this one was rolled back: the other one's error is the cause. */
function isHalted(body: unknown): boolean {
  return (
    Array.isArray(body) && body.some((e) => (e as { errorCode?: string }).errorCode === 'PROCESSING_HALTED')
  );
}

/**
 * A blob field's bytes. jsforce decodes every response body as text, which would mangle a PDF;
 * asked for base64 it hands back the raw bytes of the final response (after a session refresh
 * too). An error body then arrives base64-encoded as well: decoded, so the error keeps its
 * Salesforce code and the retry policy sees what kind it is.
 */
async function readBlob(conn: Connection, url: string, options: Record<string, unknown>): Promise<Buffer> {
  try {
    const body = await conn.request<string>({ method: 'GET', url }, { ...options, encoding: 'base64' });
    return Buffer.from(body, 'base64');
  } catch (err) {
    const e = err as { errorCode?: unknown; message?: unknown };
    if (
      typeof e.errorCode !== 'string' ||
      !e.errorCode.startsWith('ERROR_HTTP_') ||
      typeof e.message !== 'string'
    )
      throw err;
    let body: unknown;
    try {
      body = JSON.parse(Buffer.from(e.message, 'base64').toString('utf8'));
    } catch {
      throw err;
    }
    const decoded = errorOf(body);
    throw decoded.errorCode === 'UNKNOWN' ? err : decoded;
  }
}
