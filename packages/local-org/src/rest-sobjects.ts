/**
 * `sobjects/…`: the global and per-object describes, a record by id or by external id (read,
 * create, update, upsert, delete), and a record's blob field. Also how a record is serialized
 * for the API, which Collections' retrieve-many reuses.
 */
import { describeGlobal, describeSObject, sobjectBasicInfo } from './describe.ts';
import type { Dml } from './dml.ts';
import { LOCK_MARKER } from './dml.ts';
import { sfError } from './errors.ts';
import { to18 } from './ids.ts';
import {
  apiBase,
  requireObject,
  type ApiRequest,
  type ApiResponse,
  type RestContext,
} from './rest-common.ts';
import type { ObjectSchema } from './schema/registry.ts';
import type { JsonRecord } from './soql/engine.ts';
import type { SObjectRecord } from './store.ts';

export function sobjects(
  ctx: RestContext,
  req: ApiRequest,
  rest: string[],
  dml: Dml | undefined,
): ApiResponse {
  const m = req.method;
  const [typeName, a, b, ...extra] = rest;
  if (typeName === undefined) {
    if (m !== 'GET') throw sfError.methodNotAllowed(m);
    ctx.count(req, 'sobjects', 'GET sobjects');
    return { status: 200, body: describeGlobal(ctx.org.registry, apiBase(req)) };
  }
  const schema = ctx.org.registry.get(typeName);
  if (!schema) throw sfError.notFoundType(typeName);
  if (extra.length > 0) throw sfError.notFound();
  if (a === undefined) {
    if (m === 'GET') {
      ctx.count(req, 'sobjects', 'GET sobjects/{type}');
      return { status: 200, body: sobjectBasicInfo(schema, apiBase(req)) };
    }
    if (m !== 'POST') throw sfError.methodNotAllowed(m);
    ctx.count(req, 'sobjects', 'POST sobjects/{type}');
    const body = requireObject(req.body);
    const rec = ctx.write(req, dml, (d) => d.insert(schema.name, body));
    return {
      status: 201,
      body: { id: rec.Id, success: true, errors: [] },
      headers: { Location: `${apiBase(req)}/sobjects/${schema.name}/${rec.Id}` },
    };
  }
  if (a === 'describe' && b === undefined) {
    if (m !== 'GET') throw sfError.methodNotAllowed(m);
    ctx.count(req, 'sobjects', 'GET sobjects/{type}/describe');
    return { status: 200, body: describeSObject(schema, apiBase(req)) };
  }
  if (b === undefined) return recordById(ctx, req, schema, a, dml);
  // sobjects/{type}/{id}/{blobField} or sobjects/{type}/{externalIdField}/{value}
  const blobField = schema.field(b);
  if (blobField?.type === 'base64' && to18(a) && m === 'GET') {
    ctx.count(req, 'sobjects', 'GET sobjects/{type}/{id}/{blob}');
    const rec = ctx.reader(dml).get(to18(a)!);
    if (!rec || rec.type !== schema.name) throw sfError.notFound();
    const data = ctx.org.store.readBlob(rec.fields.Id, blobField.name) ?? new Uint8Array();
    return { status: 200, binary: { data, contentType: 'application/octetstream' } };
  }
  return recordByExternalId(ctx, req, schema, { fieldName: a, value: b }, dml);
}

function recordById(
  ctx: RestContext,
  req: ApiRequest,
  schema: ObjectSchema,
  rawId: string,
  dml: Dml | undefined,
): ApiResponse {
  const m = req.method;
  const id = to18(rawId);
  const stored = id ? ctx.reader(dml).get(id) : undefined;
  if (!stored || stored.type !== schema.name) {
    throw sfError.notFound(
      id
        ? 'The requested resource does not exist'
        : `Provided external ID field does not exist or is not accessible: ${rawId}`,
    );
  }
  switch (m) {
    case 'GET':
      ctx.count(req, 'sobjects', 'GET sobjects/{type}/{id}');
      return { status: 200, body: serialize(req, schema, stored.fields, fieldsParam(req.query)) };
    case 'PATCH': {
      ctx.count(req, 'sobjects', 'PATCH sobjects/{type}/{id}');
      const body = requireObject(req.body);
      ctx.write(req, dml, (d) => d.update(schema.name, stored.fields.Id, body));
      return { status: 204 };
    }
    case 'DELETE':
      ctx.count(req, 'sobjects', 'DELETE sobjects/{type}/{id}');
      ctx.write(req, dml, (d) => d.delete(schema.name, stored.fields.Id));
      return { status: 204 };
  }
  throw sfError.methodNotAllowed(m);
}

/** `sobjects/{type}/{externalIdField}/{value}`: the path's field name and the value looked up. */
interface ExternalIdPath {
  fieldName: string;
  value: string;
}

function recordByExternalId(
  ctx: RestContext,
  req: ApiRequest,
  schema: ObjectSchema,
  { fieldName, value }: ExternalIdPath,
  dml: Dml | undefined,
): ApiResponse {
  const m = req.method;
  const f = schema.field(fieldName);
  if (!f || (!f.externalId && f.name !== 'Id')) {
    throw sfError.notFound(`Provided external ID field does not exist or is not accessible: ${fieldName}`);
  }
  if (m === 'PATCH') {
    ctx.count(req, 'sobjects', 'PATCH sobjects/{type}/{externalIdField}/{value}');
    const body = requireObject(req.body);
    const { record, created } = ctx.write(req, dml, (d) => d.upsert(schema.name, f.name, value, body));
    return { status: created ? 201 : 200, body: { id: record.Id, success: true, errors: [], created } };
  }
  const matches = [...ctx.reader(dml).all(schema.name)].filter((r) => {
    const v = r[f.name];
    return v !== null && v !== undefined && String(v).toLowerCase() === value.toLowerCase();
  });
  if (matches.length === 0) throw sfError.notFound();
  if (matches.length > 1) {
    return { status: 300, body: matches.map((r) => `${apiBase(req)}/sobjects/${schema.name}/${r.Id}`) };
  }
  const rec = matches[0]!;
  if (m === 'GET') {
    ctx.count(req, 'sobjects', 'GET sobjects/{type}/{externalIdField}/{value}');
    return { status: 200, body: serialize(req, schema, rec, fieldsParam(req.query)) };
  }
  if (m === 'DELETE') {
    ctx.count(req, 'sobjects', 'DELETE sobjects/{type}/{externalIdField}/{value}');
    ctx.write(req, dml, (d) => d.delete(schema.name, rec.Id));
    return { status: 204 };
  }
  throw sfError.methodNotAllowed(m);
}

/** A record as the API returns it: attributes, then the requested (or all) fields. */
export function serialize(
  req: ApiRequest,
  schema: ObjectSchema,
  rec: SObjectRecord,
  fields: string[] | undefined,
): JsonRecord {
  const out: JsonRecord = {
    attributes: { type: schema.name, url: `${apiBase(req)}/sobjects/${schema.name}/${rec.Id}` },
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
        ? `${apiBase(req)}/sobjects/${schema.name}/${rec.Id}/${f.name}`
        : (rec[f.name] ?? null);
  }
  return out;
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
