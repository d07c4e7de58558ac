/**
 * The REST API surface of the local org, as a dispatcher from (method, path, body) to a
 * response. `rest-router.ts` feeds it HTTP requests; `composite` feeds it subrequests inside one
 * transaction. Shapes and status codes follow the Salesforce REST API Developer Guide.
 */
import { EmailSimpleSchema, FeedItemInputSchema, postFeedElement, sendSimpleEmails } from './notify-api.ts';
import { z } from 'zod';
import { ProcessRequestsBodySchema } from './approvals.ts';
import { describeGlobal, describeSObject, sobjectBasicInfo } from './describe.ts';
import type { Dml, JsonInput } from './dml.ts';
import { LOCK_MARKER } from './dml.ts';
import { SalesforceApiError, sfError } from './errors.ts';
import { mintId, to18 } from './ids.ts';
import { LOCAL_ORG_API_VERSION, type LocalOrg } from './local-org.ts';
import type { ObjectSchema } from './schema/registry.ts';
import type { JsonRecord } from './soql/engine.ts';
import type { SObjectRecord } from './store.ts';
import { queryColumns } from './query-columns.ts';
import { createSObjectTree } from './sobject-tree.ts';
import { unsupportedRestResource } from './unsupported.ts';
import { substituteReferences } from './composite-references.ts';

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

interface QueryCursor {
  records: JsonRecord[];
  totalSize: number;
  position: number;
  batchSize: number;
  expiresAt: number;
}

const MAX_COLLECTION = 200;
const MAX_COMPOSITE = 25;
/** "Up to 5 of these subrequests can be sObject Collections or query operations." */
const MAX_COMPOSITE_QUERIES = 5;
const CURSOR_TTL_MS = 15 * 60_000;

const CollectionBodySchema = z.object({
  allOrNone: z.boolean().optional().default(false),
  records: z.array(z.record(z.string(), z.unknown())),
});
const RetrieveManyBodySchema = z.object({
  ids: z.array(z.string()).min(1),
  fields: z.array(z.string()).min(1),
});
const CompositeBodySchema = z.object({
  allOrNone: z.boolean().optional().default(false),
  collateSubrequests: z.boolean().optional(),
  compositeRequest: z
    .array(
      z.object({
        method: z.enum(['GET', 'POST', 'PATCH', 'PUT', 'DELETE']),
        url: z.string().min(1),
        referenceId: z.string().regex(/^[A-Za-z0-9_]+$/),
        body: z.unknown().optional(),
        httpHeaders: z.record(z.string(), z.string()).optional(),
      }),
    )
    .min(1),
});

/** Thrown inside an all-or-none transaction to roll it back while keeping the results to report. */
class Rollback<T> extends Error {
  readonly results: T;
  constructor(results: T) {
    super('rollback');
    this.results = results;
  }
}

export class RestApi {
  private readonly org: LocalOrg;
  private readonly cursors = new Map<string, QueryCursor>();

  constructor(org: LocalOrg) {
    this.org = org;
  }

  handle(req: ApiRequest): ApiResponse {
    try {
      return this.route(req, undefined);
    } catch (err) {
      return errorResponse(err);
    }
  }

  private base(req: ApiRequest): string {
    return `/services/data/v${req.version}`;
  }

  /** Routes one request; `dml` is set when it runs inside a composite transaction. */
  private route(req: ApiRequest, dml: Dml | undefined): ApiResponse {
    const [resource, ...rest] = req.segments;
    const m = req.method;
    switch (resource) {
      case undefined:
      case '':
        this.count(req, 'resources', 'GET /');
        return { status: 200, body: this.resources(req) };
      case 'sobjects':
        return this.sobjects(req, rest, dml);
      case 'query':
      case 'queryAll':
        if (m !== 'GET') throw sfError.methodNotAllowed(m);
        return this.query(req, rest, resource, dml);
      case 'composite':
        return this.composite(req, rest, dml);
      case 'process':
        if (rest[0] !== 'approvals') break;
        return this.processApprovals(req, dml);
      case 'chatter':
        if (rest[0] !== 'feed-elements' || rest.length !== 1) break;
        if (m !== 'POST') throw sfError.methodNotAllowed(m);
        this.count(req, 'chatter', 'POST chatter/feed-elements');
        return {
          status: 201,
          body: this.write(req, dml, (d) => postFeedElement(d, parseBody(FeedItemInputSchema, req.body))),
        };
      case 'actions':
        if (rest[0] !== 'standard' || rest[1] !== 'emailSimple' || rest.length !== 2) break;
        if (m !== 'POST') throw sfError.methodNotAllowed(m);
        this.count(req, 'actions', 'POST actions/standard/emailSimple');
        return {
          status: 200,
          body: sendSimpleEmails(
            this.org.outbox,
            req.userId,
            this.org.clock(),
            parseBody(EmailSimpleSchema, req.body),
          ),
        };
      case 'limits':
        this.count(req, 'limits', 'GET limits');
        return { status: 200, body: this.limits() };
    }
    throw unsupportedRestResource(req.segments, req.version);
  }

  private count(req: ApiRequest, resource: string, operation: string): void {
    // Composite subrequests are part of one API call and are not counted again.
    if (req.headers['x-local-subrequest'] !== 'true') this.org.count(resource, operation);
  }

  private resources(req: ApiRequest): Record<string, string> {
    const base = this.base(req);
    return {
      sobjects: `${base}/sobjects`,
      query: `${base}/query`,
      queryAll: `${base}/queryAll`,
      composite: `${base}/composite`,
      process: `${base}/process`,
      limits: `${base}/limits`,
    };
  }

  private limits(): Record<string, { Max: number; Remaining: number }> {
    const used = this.org.requestStats().total;
    return {
      DailyApiRequests: { Max: 100_000, Remaining: Math.max(0, 100_000 - used) },
      DataStorageMB: { Max: 5, Remaining: 5 },
      FileStorageMB: { Max: 20, Remaining: 20 },
    };
  }

  // ---------- sobjects ----------

  private sobjects(req: ApiRequest, rest: string[], dml: Dml | undefined): ApiResponse {
    const m = req.method;
    const [typeName, a, b, ...extra] = rest;
    if (typeName === undefined) {
      if (m !== 'GET') throw sfError.methodNotAllowed(m);
      this.count(req, 'sobjects', 'GET sobjects');
      return { status: 200, body: describeGlobal(this.org.registry, this.base(req)) };
    }
    const schema = this.org.registry.get(typeName);
    if (!schema) throw sfError.notFoundType(typeName);
    if (extra.length > 0) throw sfError.notFound();
    if (a === undefined) {
      if (m === 'GET') {
        this.count(req, 'sobjects', 'GET sobjects/{type}');
        return { status: 200, body: sobjectBasicInfo(schema, this.base(req)) };
      }
      if (m !== 'POST') throw sfError.methodNotAllowed(m);
      this.count(req, 'sobjects', 'POST sobjects/{type}');
      const body = requireObject(req.body);
      const rec = this.write(req, dml, (d) => d.insert(schema.name, body));
      return {
        status: 201,
        body: { id: rec.Id, success: true, errors: [] },
        headers: { Location: `${this.base(req)}/sobjects/${schema.name}/${rec.Id}` },
      };
    }
    if (a === 'describe' && b === undefined) {
      if (m !== 'GET') throw sfError.methodNotAllowed(m);
      this.count(req, 'sobjects', 'GET sobjects/{type}/describe');
      return { status: 200, body: describeSObject(schema, this.base(req)) };
    }
    if (b === undefined) return this.recordById(req, schema, a, dml);
    // sobjects/{type}/{id}/{blobField} or sobjects/{type}/{externalIdField}/{value}
    const blobField = schema.field(b);
    if (blobField?.type === 'base64' && to18(a) && m === 'GET') {
      this.count(req, 'sobjects', 'GET sobjects/{type}/{id}/{blob}');
      const rec = this.reader(dml).get(to18(a)!);
      if (!rec || rec.type !== schema.name) throw sfError.notFound();
      const data = this.org.store.readBlob(rec.fields.Id, blobField.name) ?? new Uint8Array();
      return { status: 200, binary: { data, contentType: 'application/octetstream' } };
    }
    return this.recordByExternalId(req, schema, a, b, dml);
  }

  private recordById(
    req: ApiRequest,
    schema: ObjectSchema,
    rawId: string,
    dml: Dml | undefined,
  ): ApiResponse {
    const m = req.method;
    const id = to18(rawId);
    const stored = id ? this.reader(dml).get(id) : undefined;
    if (!stored || stored.type !== schema.name) {
      throw sfError.notFound(
        id
          ? 'The requested resource does not exist'
          : `Provided external ID field does not exist or is not accessible: ${rawId}`,
      );
    }
    switch (m) {
      case 'GET':
        this.count(req, 'sobjects', 'GET sobjects/{type}/{id}');
        return { status: 200, body: this.serialize(req, schema, stored.fields, fieldsParam(req.query)) };
      case 'PATCH': {
        this.count(req, 'sobjects', 'PATCH sobjects/{type}/{id}');
        const body = requireObject(req.body);
        this.write(req, dml, (d) => d.update(schema.name, stored.fields.Id, body));
        return { status: 204 };
      }
      case 'DELETE':
        this.count(req, 'sobjects', 'DELETE sobjects/{type}/{id}');
        this.write(req, dml, (d) => d.delete(schema.name, stored.fields.Id));
        return { status: 204 };
    }
    throw sfError.methodNotAllowed(m);
  }

  private recordByExternalId(
    req: ApiRequest,
    schema: ObjectSchema,
    fieldName: string,
    value: string,
    dml: Dml | undefined,
  ): ApiResponse {
    const m = req.method;
    const f = schema.field(fieldName);
    if (!f || (!f.externalId && f.name !== 'Id')) {
      throw sfError.notFound(`Provided external ID field does not exist or is not accessible: ${fieldName}`);
    }
    if (m === 'PATCH') {
      this.count(req, 'sobjects', 'PATCH sobjects/{type}/{externalIdField}/{value}');
      const body = requireObject(req.body);
      const { record, created } = this.write(req, dml, (d) => d.upsert(schema.name, f.name, value, body));
      return { status: created ? 201 : 200, body: { id: record.Id, success: true, errors: [], created } };
    }
    const matches = [...this.reader(dml).all(schema.name)].filter((r) => {
      const v = r[f.name];
      return v !== null && v !== undefined && String(v).toLowerCase() === value.toLowerCase();
    });
    if (matches.length === 0) throw sfError.notFound();
    if (matches.length > 1) {
      return { status: 300, body: matches.map((r) => `${this.base(req)}/sobjects/${schema.name}/${r.Id}`) };
    }
    const rec = matches[0]!;
    if (m === 'GET') {
      this.count(req, 'sobjects', 'GET sobjects/{type}/{externalIdField}/{value}');
      return { status: 200, body: this.serialize(req, schema, rec, fieldsParam(req.query)) };
    }
    if (m === 'DELETE') {
      this.count(req, 'sobjects', 'DELETE sobjects/{type}/{externalIdField}/{value}');
      this.write(req, dml, (d) => d.delete(schema.name, rec.Id));
      return { status: 204 };
    }
    throw sfError.methodNotAllowed(m);
  }

  /** Runs a write in the composite's transaction, or in a transaction of its own. */
  private write<T>(req: ApiRequest, dml: Dml | undefined, work: (dml: Dml) => T): T {
    return dml ? work(dml) : this.org.transact(req.userId, work);
  }

  private reader(dml: Dml | undefined) {
    return this.org.reader(dml ? dml.tx : this.org.store);
  }

  /** A record as the API returns it: attributes, then the requested (or all) fields. */
  private serialize(
    req: ApiRequest,
    schema: ObjectSchema,
    rec: SObjectRecord,
    fields: string[] | undefined,
  ): JsonRecord {
    const out: JsonRecord = {
      attributes: { type: schema.name, url: `${this.base(req)}/sobjects/${schema.name}/${rec.Id}` },
    };
    const wanted = fields
      ? fields.map((name) => {
          const f = schema.field(name);
          if (!f)
            throw sfError.invalidField(
              `No such column '${name}' on entity '${schema.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
            );
          return f;
        })
      : schema.def.fields;
    for (const f of wanted) {
      if (f.name === LOCK_MARKER) continue;
      out[f.name] =
        f.type === 'base64'
          ? `${this.base(req)}/sobjects/${schema.name}/${rec.Id}/${f.name}`
          : (rec[f.name] ?? null);
    }
    return out;
  }

  // ---------- query ----------

  private query(
    req: ApiRequest,
    rest: string[],
    resource: 'query' | 'queryAll',
    dml: Dml | undefined,
  ): ApiResponse {
    if (rest.length === 1) {
      this.count(req, resource, `GET ${resource}/{locator}`);
      return { status: 200, body: this.nextPage(req, rest[0]!) };
    }
    if (rest.length > 1) throw sfError.notFound();
    this.count(req, resource, `GET ${resource}`);
    const soql = req.query.get('q');
    if (!soql) throw sfError.malformedQuery('A query string has to be specified');
    if (req.query.get('columns') === 'true')
      return { status: 200, body: queryColumns(this.org, soql, req.version) };
    const result = this.org.query(soql, { apiVersion: req.version, ...(dml ? { tx: dml.tx } : {}) });
    const batchSize = batchSizeOf(req.headers['sforce-query-options']);
    if (result.records.length <= batchSize)
      return { status: 200, body: { totalSize: result.totalSize, done: true, records: result.records } };
    const locatorBase = mintId('01g', this.org.store.next('id:01g'));
    const cursor: QueryCursor = {
      records: result.records,
      totalSize: result.totalSize,
      position: batchSize,
      batchSize,
      expiresAt: this.org.clock().getTime() + CURSOR_TTL_MS,
    };
    this.cursors.set(locatorBase, cursor);
    this.expireCursors();
    return {
      status: 200,
      body: {
        totalSize: result.totalSize,
        done: false,
        nextRecordsUrl: `${this.base(req)}/query/${locatorBase}-${batchSize}`,
        records: result.records.slice(0, batchSize),
      },
    };
  }

  private nextPage(req: ApiRequest, locator: string): Record<string, unknown> {
    const m = /^([A-Za-z0-9]{18})-(\d+)$/.exec(locator);
    const cursor = m ? this.cursors.get(m[1]!) : undefined;
    if (!m || !cursor || cursor.expiresAt < this.org.clock().getTime()) {
      throw new SalesforceApiError('INVALID_QUERY_LOCATOR', 'invalid query locator', { status: 400 });
    }
    const start = Number(m[2]);
    const end = Math.min(start + cursor.batchSize, cursor.records.length);
    const done = end >= cursor.records.length;
    if (done) this.cursors.delete(m[1]!);
    return {
      totalSize: cursor.totalSize,
      done,
      ...(done ? {} : { nextRecordsUrl: `${this.base(req)}/query/${m[1]}-${end}` }),
      records: cursor.records.slice(start, end),
    };
  }

  private expireCursors(): void {
    const now = this.org.clock().getTime();
    for (const [key, c] of this.cursors) if (c.expiresAt < now) this.cursors.delete(key);
  }

  // ---------- composite ----------

  private composite(req: ApiRequest, rest: string[], dml: Dml | undefined): ApiResponse {
    if (rest.length === 0) {
      if (req.method !== 'POST') throw sfError.methodNotAllowed(req.method);
      this.count(req, 'composite', 'POST composite');
      return { status: 200, body: this.compositeRequest(req) };
    }
    if (rest[0] === 'sobjects') {
      this.count(
        req,
        'composite',
        `${req.method} composite/sobjects${rest.length > 1 ? '/{type}' : ''}${rest.length > 2 ? '/{externalIdField}' : ''}`,
      );
      return this.collections(req, rest.slice(1));
    }
    // A tree is a transaction of its own, so not a composite subrequest (Salesforce lists none).
    if (rest[0] === 'tree' && rest.length === 2 && req.method === 'POST' && !dml) {
      this.count(req, 'composite', 'POST composite/tree/{type}');
      return createSObjectTree(this.org, req.userId, rest[1]!, req.body);
    }
    throw unsupportedRestResource(req.segments, req.version);
  }

  private compositeRequest(req: ApiRequest): { compositeResponse: unknown[] } {
    const parsed = CompositeBodySchema.safeParse(req.body);
    if (!parsed.success) throw sfError.jsonParser(`Invalid composite request: ${zodMessage(parsed.error)}`);
    const { allOrNone, compositeRequest } = parsed.data;
    if (compositeRequest.length > MAX_COMPOSITE) {
      throw new SalesforceApiError(
        'LIMIT_EXCEEDED',
        `Composite requests may contain at most ${MAX_COMPOSITE} subrequests`,
      );
    }
    const heavy = compositeRequest.filter((r) =>
      /\/(query|queryAll)(\/|\?|$)|\/composite\/sobjects/.test(r.url),
    ).length;
    if (heavy > MAX_COMPOSITE_QUERIES) {
      throw new SalesforceApiError(
        'LIMIT_EXCEEDED',
        `Composite requests may contain at most ${MAX_COMPOSITE_QUERIES} query or sObject Collections subrequests`,
      );
    }
    const results = new Map<string, unknown>();
    const responses: {
      body: unknown;
      httpHeaders: Record<string, string>;
      httpStatusCode: number;
      referenceId: string;
    }[] = [];
    const runOne = (sub: (typeof compositeRequest)[number], dml: Dml | undefined) => {
      const url = substituteReferences(sub.url, results, true) as string;
      const body = sub.body === undefined ? undefined : substituteReferences(sub.body, results, false);
      const target = new URL(url, 'http://local');
      const match = /^\/services\/data\/v(\d+\.\d)\/(.*)$/.exec(target.pathname);
      if (!match)
        throw sfError.notFound(`composite subrequest URL must start with /services/data/vNN.N/: ${sub.url}`);
      const res = this.route(
        {
          method: sub.method,
          segments: match[2]!
            .split('/')
            .filter((s) => s.length > 0)
            .map(decodeURIComponent),
          query: target.searchParams,
          body,
          headers: { ...lowerKeys(sub.httpHeaders ?? {}), 'x-local-subrequest': 'true' },
          userId: req.userId,
          version: match[1]!,
        },
        dml,
      );
      return res;
    };
    const record = (sub: (typeof compositeRequest)[number], res: ApiResponse) => {
      if (res.status < 300) results.set(sub.referenceId, res.body ?? null);
      responses.push({
        body: res.body ?? null,
        httpHeaders: res.headers ?? {},
        httpStatusCode: res.status,
        referenceId: sub.referenceId,
      });
    };
    if (allOrNone) {
      try {
        this.org.transact(req.userId, (dml) => {
          for (const sub of compositeRequest) {
            let res: ApiResponse;
            try {
              res = runOne(sub, dml);
            } catch (err) {
              res = errorResponse(err);
            }
            record(sub, res);
            if (res.status >= 400) throw new Rollback(responses.length - 1);
          }
        });
      } catch (err) {
        if (!(err instanceof Rollback)) throw err;
        const failedAt = err.results as number;
        const halted = {
          body: [
            {
              errorCode: 'PROCESSING_HALTED',
              message:
                'The transaction was rolled back since another operation in the same transaction failed.',
            },
          ],
          httpHeaders: {},
          httpStatusCode: 400,
        };
        return {
          compositeResponse: compositeRequest.map((sub, i) =>
            i === failedAt ? responses[i]! : { ...halted, referenceId: sub.referenceId },
          ),
        };
      }
      return { compositeResponse: responses };
    }
    for (const sub of compositeRequest) {
      let res: ApiResponse;
      try {
        res = runOne(sub, undefined);
      } catch (err) {
        res = errorResponse(err);
      }
      record(sub, res);
    }
    return { compositeResponse: responses };
  }

  private collections(req: ApiRequest, rest: string[]): ApiResponse {
    const m = req.method;
    const [typeName, extField] = rest;
    if (typeName === undefined) {
      if (m === 'DELETE') {
        const ids = (req.query.get('ids') ?? '').split(',').filter((s) => s.length > 0);
        const allOrNone = req.query.get('allOrNone') === 'true';
        return this.saveMany(req, ids, allOrNone, (dml, id) => {
          const stored = to18(id) ? dml.tx.get(to18(id)!) : undefined;
          if (!stored) throw new SalesforceApiError('ENTITY_IS_DELETED', 'entity is deleted');
          dml.delete(stored.type, stored.fields.Id);
          return { id: stored.fields.Id };
        });
      }
      if (m === 'GET') throw sfError.notFound();
      const body = parseBody(CollectionBodySchema, req.body);
      if (m === 'POST') {
        return this.saveMany(req, body.records, body.allOrNone, (dml, rec) => {
          const type = recordType(rec);
          const { attributes: _a, ...fields } = rec;
          return { id: dml.insert(type, fields).Id };
        });
      }
      if (m === 'PATCH') {
        return this.saveMany(req, body.records, body.allOrNone, (dml, rec) => {
          const type = recordType(rec);
          const { attributes: _a, id, Id, ...fields } = rec;
          const recordId = typeof id === 'string' ? id : typeof Id === 'string' ? Id : undefined;
          if (!recordId)
            throw new SalesforceApiError('MISSING_ARGUMENT', 'Id not specified in an update call', {
              fields: ['Id'],
            });
          const schema = dml.schemaFor(type);
          const existing = dml.find(schema, recordId);
          if (!existing) throw new SalesforceApiError('ENTITY_IS_DELETED', 'entity is deleted');
          return { id: dml.update(type, existing.Id, fields).Id };
        });
      }
      throw sfError.methodNotAllowed(m);
    }
    const schema = this.org.registry.get(typeName);
    if (!schema) throw sfError.notFoundType(typeName);
    if (extField === undefined) {
      // Retrieve many: GET ?ids=&fields= or POST {ids, fields}.
      let ids: string[];
      let fields: string[];
      if (m === 'GET') {
        ids = (req.query.get('ids') ?? '').split(',').filter((s) => s.length > 0);
        fields = (req.query.get('fields') ?? '').split(',').filter((s) => s.length > 0);
        if (ids.length === 0 || fields.length === 0)
          throw new SalesforceApiError('MISSING_ARGUMENT', 'ids and fields are required');
      } else if (m === 'POST') {
        ({ ids, fields } = parseBody(RetrieveManyBodySchema, req.body));
      } else throw sfError.methodNotAllowed(m);
      if (ids.length > 2000)
        throw new SalesforceApiError('EXCEEDED_ID_LIMIT', 'Retrieve many accepts at most 2000 ids');
      const reader = this.reader(undefined);
      return {
        status: 200,
        body: ids.map((raw) => {
          const id = to18(raw);
          const stored = id ? reader.get(id) : undefined;
          return stored && stored.type === schema.name
            ? this.serialize(req, schema, stored.fields, fields)
            : null;
        }),
      };
    }
    if (m !== 'PATCH') throw sfError.methodNotAllowed(m);
    const body = parseBody(CollectionBodySchema, req.body);
    const f = schema.field(extField);
    if (!f || !f.externalId)
      throw sfError.notFound(`Provided external ID field does not exist or is not accessible: ${extField}`);
    return this.saveMany(req, body.records, body.allOrNone, (dml, rec) => {
      const { attributes: _a, ...fields } = rec;
      const value = Object.entries(fields).find(([k]) => k.toLowerCase() === f.name.toLowerCase())?.[1];
      if (value === undefined || value === null || value === '') {
        throw new SalesforceApiError('MISSING_ARGUMENT', `${f.name} not specified`, { fields: [f.name] });
      }
      const { record, created } = dml.upsert(schema.name, f.name, String(value), fields);
      return { id: record.Id, created };
    });
  }

  /** sObject Collections: per-record SaveResults; all-or-none rolls every record back on one failure. */
  private saveMany<T>(
    req: ApiRequest,
    items: T[],
    allOrNone: boolean,
    save: (dml: Dml, item: T) => { id: string; created?: boolean },
  ): ApiResponse {
    if (items.length > MAX_COLLECTION) {
      throw new SalesforceApiError(
        'EXCEEDED_ID_LIMIT',
        `record limit reached. cannot submit more than ${MAX_COLLECTION} records into this call`,
      );
    }
    type SaveResult = { id?: string; success: boolean; errors: unknown[]; created?: boolean };
    const attempt = (dml: Dml, item: T): SaveResult => {
      try {
        const r = save(dml, item);
        return {
          id: r.id,
          success: true,
          errors: [],
          ...(r.created === undefined ? {} : { created: r.created }),
        };
      } catch (err) {
        if (!(err instanceof SalesforceApiError)) throw err;
        return { success: false, errors: [err.toSaveError()] };
      }
    };
    if (allOrNone) {
      try {
        const results = this.org.transact(req.userId, (dml) => {
          const out = items.map((item) => attempt(dml, item));
          if (out.some((r) => !r.success)) throw new Rollback(out);
          return out;
        });
        return { status: 200, body: results };
      } catch (err) {
        if (!(err instanceof Rollback)) throw err;
        const rolledBack = {
          statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
          message:
            'Record rolled back because not all records were valid and the request was using AllOrNone header',
          fields: [],
        };
        const results = err.results as SaveResult[];
        return {
          status: 200,
          body: results.map((r) => (r.success ? { success: false, errors: [rolledBack] } : r)),
        };
      }
    }
    // Without allOrNone each record saves (or fails) on its own.
    const results = items.map((item) => {
      try {
        return this.org.transact(req.userId, (dml) => {
          const r = attempt(dml, item);
          if (!r.success) throw new Rollback(r);
          return r;
        });
      } catch (err) {
        if (err instanceof Rollback) return err.results as SaveResult;
        throw err;
      }
    });
    return { status: 200, body: results };
  }

  // ---------- process/approvals ----------

  private processApprovals(req: ApiRequest, dml: Dml | undefined): ApiResponse {
    if (req.method === 'GET') {
      this.count(req, 'process', 'GET process/approvals');
      const approvals: Record<string, unknown[]> = {};
      for (const def of this.org.approvals.list()) {
        (approvals[def.object] ??= []).push({
          description: def.description,
          id: this.org.processDefinitions.get(def.developerName),
          name: def.developerName,
          object: def.object,
          sortOrder: 1,
        });
      }
      return { status: 200, body: { approvals } };
    }
    if (req.method !== 'POST') throw sfError.methodNotAllowed(req.method);
    this.count(req, 'process', 'POST process/approvals');
    const body = parseBody(ProcessRequestsBodySchema, req.body);
    const ids = this.org.processDefinitions;
    if (body.requests.length === 1) {
      const result = this.write(req, dml, (d) => this.org.approvals.process(d, ids, body.requests[0]!));
      return { status: 200, body: [result] };
    }
    // Bulk: requests that succeed are committed; failing ones report their errors.
    const results = body.requests.map((r) => {
      try {
        return this.write(req, dml, (d) => this.org.approvals.process(d, ids, r));
      } catch (err) {
        if (!(err instanceof SalesforceApiError)) throw err;
        return {
          success: false,
          errors: [{ statusCode: err.errorCode, message: err.message, fields: err.fields }],
        };
      }
    });
    return { status: 200, body: results };
  }
}

export function errorResponse(err: unknown): ApiResponse {
  if (err instanceof SalesforceApiError) return { status: err.status, body: err.toBody() };
  throw err;
}

function requireObject(body: unknown): JsonInput {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw sfError.jsonParser(
      'Cannot deserialize instance of SObject from a non-object value: the body must be a JSON object',
    );
  }
  return body as JsonInput;
}

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw sfError.jsonParser(zodMessage(parsed.error));
  return parsed.data;
}

function zodMessage(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
}

function recordType(rec: Record<string, unknown>): string {
  const attributes = rec.attributes;
  const type =
    attributes && typeof attributes === 'object' ? (attributes as Record<string, unknown>).type : undefined;
  if (typeof type !== 'string') {
    throw new SalesforceApiError('INVALID_TYPE', 'Must specify the type of each record in attributes.type');
  }
  return type;
}

function fieldsParam(query: URLSearchParams): string[] | undefined {
  const raw = query.get('fields');
  return raw
    ? raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0)
    : undefined;
}

function batchSizeOf(header: string | undefined): number {
  const m = /batchSize=(\d+)/i.exec(header ?? '');
  if (!m) return 2000;
  return Math.min(2000, Math.max(200, Number(m[1])));
}

function lowerKeys(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}

export { LOCAL_ORG_API_VERSION };
