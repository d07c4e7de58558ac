/**
 * SOQL aggregate queries over the rows WHERE kept: COUNT() as a bare total, GROUP BY with
 * COUNT/COUNT_DISTINCT/SUM/AVG/MIN/MAX, and ORDER BY over the grouped columns. Rows come out as
 * AggregateResult records with `exprN` or alias keys. Separate from the engine because grouping
 * shares nothing with projecting records but the path resolution it is handed.
 */
import type { FunctionExp, OrderByClause, Query, Subquery } from '@jetstreamapp/soql-parser-js';
import type { ObjectSchema } from '../schema/registry.ts';
import { sfError } from '../errors.ts';
import type { FieldValue, SObjectRecord } from '../store.ts';
import { asArray, compareForSort, normalizeGroupValue } from './compare.ts';
import type { JsonRecord, QueryContext, QueryOutput } from './context.ts';

/** A selected grouping or aggregate: its output key, its text for ORDER BY, its value per group. */
interface Column {
  name: string;
  raw: string;
  compute: (group: SObjectRecord[]) => FieldValue;
}

/** `SELECT COUNT() FROM …`: only totalSize, no rows and no columns. */
export function isBareCount(fields: NonNullable<Query['fields']>): boolean {
  const only = fields[0];
  return (
    fields.length === 1 &&
    only?.type === 'FieldFunctionExpression' &&
    only.functionName.toUpperCase() === 'COUNT' &&
    only.parameters.length === 0
  );
}

export function aggregate(
  ctx: QueryContext,
  query: Query | Subquery,
  schema: ObjectSchema,
  rows: SObjectRecord[],
  alias: string | undefined,
): QueryOutput {
  const fields = query.fields ?? [];
  if (isBareCount(fields)) {
    if (query.groupBy) throw sfError.malformedQuery('COUNT() cannot be used with GROUP BY');
    return { totalSize: rows.length, records: [] };
  }
  const groupBy = asArray(query.groupBy).map((g) => {
    if (!('field' in g))
      throw sfError.malformedQuery('GROUP BY a function is not supported by the local org');
    return ctx.resolvePath(schema, g.field, alias);
  });
  const groupKeys = new Set(groupBy.map((g) => g.field.name.toLowerCase()));
  let exprIndex = 0;
  const columns = fields.map((f): Column => {
    if (f.type === 'Field' || f.type === 'FieldRelationship') {
      const raw = f.type === 'Field' ? f.field : [...f.relationships, f.field].join('.');
      const path = ctx.resolvePath(schema, raw, alias);
      if (!groupKeys.has(path.field.name.toLowerCase())) {
        throw sfError.malformedQuery(`Field must be grouped or aggregated: ${path.field.name}`);
      }
      const name = 'alias' in f && f.alias ? f.alias : path.field.name;
      return {
        name,
        raw: raw.toLowerCase(),
        compute: (group: SObjectRecord[]) => (group[0] ? (path.get(group[0]) ?? null) : null),
      };
    }
    if (f.type !== 'FieldFunctionExpression' || !f.isAggregateFn) {
      throw sfError.malformedQuery(
        'only grouped fields and aggregate functions may be selected in an aggregate query',
      );
    }
    const name = f.alias ?? `expr${exprIndex++}`;
    return {
      name,
      raw: (f.rawValue ?? '').toLowerCase(),
      compute: aggregateFunction(ctx, f, schema, alias),
    };
  });
  const groups = new Map<string, SObjectRecord[]>();
  for (const rec of rows) {
    const key = JSON.stringify(groupBy.map((g) => normalizeGroupValue(g.get(rec))));
    const group = groups.get(key);
    if (group) group.push(rec);
    else groups.set(key, [rec]);
  }
  if (groupBy.length === 0 && groups.size === 0) groups.set('[]', []);
  let out: JsonRecord[] = [...groups.values()].map((group) => {
    const rec: JsonRecord = { attributes: { type: 'AggregateResult' } };
    for (const c of columns) rec[c.name] = c.compute(group);
    return rec;
  });
  const orderBy = asArray(query.orderBy);
  if (orderBy.length > 0) out = sortGroups(out, orderBy, columns);
  const offset = query.offset ?? 0;
  out = out.slice(offset, query.limit !== undefined ? offset + query.limit : undefined);
  return { totalSize: out.length, records: out };
}

/** ORDER BY in an aggregate query names a selected grouping or aggregate (or its alias). */
function sortGroups(out: JsonRecord[], orderBy: OrderByClause[], columns: Column[]): JsonRecord[] {
  const keys = orderBy.map((o) => {
    const raw = ('field' in o ? o.field : (o.fn.rawValue ?? '')).toLowerCase();
    const col = columns.find((c) => c.raw === raw || c.name.toLowerCase() === raw);
    if (!col) throw sfError.malformedQuery(`ORDER BY ${raw} must be a selected grouping or aggregate`);
    return {
      name: col.name,
      desc: o.order === 'DESC',
      nullsLast: o.nulls ? o.nulls === 'LAST' : o.order === 'DESC',
    };
  });
  return out.sort((a, b) => {
    for (const k of keys) {
      const c = compareForSort(
        a[k.name] as FieldValue,
        b[k.name] as FieldValue,
        undefined,
        k.desc,
        k.nullsLast,
      );
      if (c !== 0) return c;
    }
    return 0;
  });
}

function aggregateFunction(
  ctx: QueryContext,
  f: FunctionExp,
  schema: ObjectSchema,
  alias: string | undefined,
): (group: SObjectRecord[]) => FieldValue {
  const fn = (f.functionName ?? '').toUpperCase();
  const param = f.parameters?.[0];
  if (fn === 'COUNT' && param === undefined) return (g) => g.length;
  if (typeof param !== 'string') throw sfError.malformedQuery(`${fn} needs a field`);
  const path = ctx.resolvePath(schema, param, alias);
  const values = (g: SObjectRecord[]) =>
    g.map(path.get).filter((v): v is FieldValue => v !== null && v !== undefined);
  const numeric = ['int', 'double', 'currency', 'percent'].includes(path.field.type);
  switch (fn) {
    case 'COUNT':
      return (g) => values(g).length;
    case 'COUNT_DISTINCT':
      return (g) => new Set(values(g).map((v) => normalizeGroupValue(v))).size;
    case 'SUM':
    case 'AVG': {
      if (!numeric)
        throw sfError.malformedQuery(`field ${path.field.name} does not support aggregate operator ${fn}`);
      return (g) => {
        const vs = values(g).map(Number);
        if (vs.length === 0) return null;
        const sum = vs.reduce((a, b) => a + b, 0);
        return fn === 'SUM' ? Math.round(sum * 1e6) / 1e6 : sum / vs.length;
      };
    }
    case 'MIN':
    case 'MAX':
      return (g) => {
        const vs = values(g);
        if (vs.length === 0) return null;
        return vs.reduce((a, b) => {
          const c = compareForSort(a, b, path.field, false, false);
          return fn === 'MIN' ? (c <= 0 ? a : b) : c >= 0 ? a : b;
        });
      };
  }
  throw sfError.malformedQuery(`aggregate function ${fn} is not supported by the local org`);
}
