/**
 * sObject Collections (`composite/sobjects`): create, update and delete up to 200 records of any
 * types, retrieve many records of one type, and upsert by an external id; each record gets its
 * own SaveResult and `allOrNone` rolls them all back together.
 */
import { z } from 'zod';
import type { Dml } from './dml.ts';
import { SalesforceApiError, sfError } from './errors.ts';
import { to18 } from './ids.ts';
import { parseBody, Rollback, type ApiRequest, type ApiResponse, type RestContext } from './rest-common.ts';
import { serialize } from './rest-sobjects.ts';
import type { ObjectSchema } from './schema/registry.ts';

const MAX_COLLECTION = 200;

const CollectionBodySchema = z.object({
  allOrNone: z.boolean().optional().default(false),
  records: z.array(z.record(z.string(), z.unknown())),
});
const RetrieveManyBodySchema = z.object({
  ids: z.array(z.string()).min(1),
  fields: z.array(z.string()).min(1),
});

export function collections(ctx: RestContext, req: ApiRequest, rest: string[]): ApiResponse {
  const m = req.method;
  const [typeName, extField] = rest;
  if (typeName === undefined) return typelessCollection(ctx, req);
  const schema = ctx.org.registry.get(typeName);
  if (!schema) throw sfError.notFoundType(typeName);
  if (extField === undefined) return retrieveMany(ctx, req, schema);
  if (m !== 'PATCH') throw sfError.methodNotAllowed(m);
  const body = parseBody(CollectionBodySchema, req.body);
  const f = schema.field(extField);
  if (!f || !f.externalId)
    throw sfError.notFound(`Provided external ID field does not exist or is not accessible: ${extField}`);
  return saveMany(ctx, req, body.records, body.allOrNone, (dml, rec) => {
    const { attributes: _a, ...fields } = rec;
    const value = Object.entries(fields).find(([k]) => k.toLowerCase() === f.name.toLowerCase())?.[1];
    if (value === undefined || value === null || value === '') {
      throw new SalesforceApiError('MISSING_ARGUMENT', `${f.name} not specified`, { fields: [f.name] });
    }
    const { record, created } = dml.upsert(schema.name, f.name, String(value), fields);
    return { id: record.Id, created };
  });
}

/** `composite/sobjects` without a type: records carry their own type in `attributes`. */
function typelessCollection(ctx: RestContext, req: ApiRequest): ApiResponse {
  const m = req.method;
  if (m === 'DELETE') {
    const ids = (req.query.get('ids') ?? '').split(',').filter((s) => s.length > 0);
    const allOrNone = req.query.get('allOrNone') === 'true';
    return saveMany(ctx, req, ids, allOrNone, (dml, id) => {
      const stored = to18(id) ? dml.tx.get(to18(id)!) : undefined;
      if (!stored) throw new SalesforceApiError('ENTITY_IS_DELETED', 'entity is deleted');
      dml.delete(stored.type, stored.fields.Id);
      return { id: stored.fields.Id };
    });
  }
  if (m === 'GET') throw sfError.notFound();
  const body = parseBody(CollectionBodySchema, req.body);
  if (m === 'POST') {
    return saveMany(ctx, req, body.records, body.allOrNone, (dml, rec) => {
      const type = recordType(rec);
      const { attributes: _a, ...fields } = rec;
      return { id: dml.insert(type, fields).Id };
    });
  }
  if (m === 'PATCH') {
    return saveMany(ctx, req, body.records, body.allOrNone, (dml, rec) => {
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

/** Retrieve many: GET ?ids=&fields= or POST {ids, fields}. */
function retrieveMany(ctx: RestContext, req: ApiRequest, schema: ObjectSchema): ApiResponse {
  const m = req.method;
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
  const reader = ctx.reader(undefined);
  return {
    status: 200,
    body: ids.map((raw) => {
      const id = to18(raw);
      const stored = id ? reader.get(id) : undefined;
      return stored && stored.type === schema.name ? serialize(req, schema, stored.fields, fields) : null;
    }),
  };
}

/** sObject Collections: per-record SaveResults; all-or-none rolls every record back on one failure. */
function saveMany<T>(
  ctx: RestContext,
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
      const results = ctx.org.transact(req.userId, (dml) => {
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
      return ctx.org.transact(req.userId, (dml) => {
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

function recordType(rec: Record<string, unknown>): string {
  const attributes = rec.attributes;
  const type =
    attributes && typeof attributes === 'object' ? (attributes as Record<string, unknown>).type : undefined;
  if (typeof type !== 'string') {
    throw new SalesforceApiError('INVALID_TYPE', 'Must specify the type of each record in attributes.type');
  }
  return type;
}
