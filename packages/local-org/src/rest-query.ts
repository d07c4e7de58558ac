/**
 * `query` and `queryAll`: a SOQL query's first batch, and the following batches through the
 * query locator in `nextRecordsUrl`. The cursors those locators name are the only state the REST
 * API keeps between requests, so they live here with the resource that pages through them.
 */
import type { Dml } from './dml.ts';
import { SalesforceApiError, sfError } from './errors.ts';
import { mintId } from './ids.ts';
import { queryColumns } from './query-columns.ts';
import { apiBase, type ApiRequest, type ApiResponse, type RestContext } from './rest-common.ts';
import type { JsonRecord } from './soql/engine.ts';

interface QueryCursor {
  records: JsonRecord[];
  totalSize: number;
  position: number;
  batchSize: number;
  expiresAt: number;
}

const CURSOR_TTL_MS = 15 * 60_000;

export class QueryResource {
  private readonly ctx: RestContext;
  private readonly cursors = new Map<string, QueryCursor>();

  constructor(ctx: RestContext) {
    this.ctx = ctx;
  }

  handle(req: ApiRequest, rest: string[], resource: 'query' | 'queryAll', dml: Dml | undefined): ApiResponse {
    if (rest.length === 1) {
      this.ctx.count(req, resource, `GET ${resource}/{locator}`);
      return { status: 200, body: this.nextPage(req, rest[0]!) };
    }
    if (rest.length > 1) throw sfError.notFound();
    this.ctx.count(req, resource, `GET ${resource}`);
    const soql = req.query.get('q');
    if (!soql) throw sfError.malformedQuery('A query string has to be specified');
    if (req.query.get('columns') === 'true')
      return { status: 200, body: queryColumns(this.ctx.org, soql, req.version) };
    const result = this.ctx.org.query(soql, { apiVersion: req.version, ...(dml ? { tx: dml.tx } : {}) });
    const batchSize = batchSizeOf(req.headers['sforce-query-options']);
    if (result.records.length <= batchSize)
      return { status: 200, body: { totalSize: result.totalSize, done: true, records: result.records } };
    const locatorBase = mintId('01g', this.ctx.org.store.next('id:01g'));
    const cursor: QueryCursor = {
      records: result.records,
      totalSize: result.totalSize,
      position: batchSize,
      batchSize,
      expiresAt: this.ctx.org.clock().getTime() + CURSOR_TTL_MS,
    };
    this.cursors.set(locatorBase, cursor);
    this.expireCursors();
    return {
      status: 200,
      body: {
        totalSize: result.totalSize,
        done: false,
        nextRecordsUrl: `${apiBase(req)}/query/${locatorBase}-${batchSize}`,
        records: result.records.slice(0, batchSize),
      },
    };
  }

  private nextPage(req: ApiRequest, locator: string): Record<string, unknown> {
    const m = /^([A-Za-z0-9]{18})-(\d+)$/.exec(locator);
    const cursor = m ? this.cursors.get(m[1]!) : undefined;
    if (!m || !cursor || cursor.expiresAt < this.ctx.org.clock().getTime()) {
      throw new SalesforceApiError('INVALID_QUERY_LOCATOR', 'invalid query locator', { status: 400 });
    }
    const start = Number(m[2]);
    const end = Math.min(start + cursor.batchSize, cursor.records.length);
    const done = end >= cursor.records.length;
    if (done) this.cursors.delete(m[1]!);
    return {
      totalSize: cursor.totalSize,
      done,
      ...(done ? {} : { nextRecordsUrl: `${apiBase(req)}/query/${m[1]}-${end}` }),
      records: cursor.records.slice(start, end),
    };
  }

  private expireCursors(): void {
    const now = this.ctx.org.clock().getTime();
    for (const [key, c] of this.cursors) if (c.expiresAt < now) this.cursors.delete(key);
  }
}

function batchSizeOf(header: string | undefined): number {
  const m = /batchSize=(\d+)/i.exec(header ?? '');
  if (!m) return 2000;
  return Math.min(2000, Math.max(200, Number(m[1])));
}
