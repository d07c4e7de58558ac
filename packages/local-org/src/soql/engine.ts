/**
 * SOQL over the local org's records. Queries are parsed by @jetstreamapp/soql-parser-js and
 * evaluated here against the schema: field lists, parent paths (Account.Owner.Name), child
 * subqueries, WHERE with AND/OR/NOT and parentheses, typed comparisons, IN/NOT IN (lists and
 * semi-joins), LIKE, INCLUDES/EXCLUDES, date literals, ORDER BY with NULLS FIRST/LAST,
 * LIMIT/OFFSET, COUNT()/aggregates with GROUP BY, and FIELDS(ALL|STANDARD|CUSTOM).
 * This file resolves paths, projects and orders records; WHERE (where.ts), aggregates
 * (aggregate.ts) and value comparison (compare.ts) are handed a QueryRun as their context.
 */
import {
  parseQuery,
  type FieldType as SoqlField,
  type OrderByClause,
  type Query,
  type Subquery,
  type WhereClause,
} from '@jetstreamapp/soql-parser-js';
import { field, readOnly, type FieldDef } from '../schema/model.ts';
import type { ObjectSchema, SchemaRegistry } from '../schema/registry.ts';
import { SalesforceApiError, sfError } from '../errors.ts';
import { keyPrefixOf } from '../ids.ts';
import type { FieldValue, SObjectRecord } from '../store.ts';
import { aggregate } from './aggregate.ts';
import { asArray, comparable, compareComparable, unquote } from './compare.ts';
import type { Getter, JsonRecord, QueryContext, QueryOutput, RecordReader, ResolvedPath } from './context.ts';
import { compileWhere } from './where.ts';

export type { JsonRecord, QueryOutput, RecordReader } from './context.ts';

export class SoqlEngine {
  private readonly registry: SchemaRegistry;

  constructor(registry: SchemaRegistry) {
    this.registry = registry;
  }

  /** Runs a query; `apiBase` (e.g. `/services/data/v65.0`) prefixes the record URLs. */
  execute(soql: string, reader: RecordReader, now: Date, apiBase: string): QueryOutput {
    let query: Query;
    try {
      query = parseQuery(soql);
    } catch (err) {
      throw sfError.malformedQuery(err instanceof Error ? err.message.split('\n')[0]! : 'unparseable query');
    }
    if (!query.sObject) throw sfError.malformedQuery('unexpected token: missing FROM');
    const schema = this.objectSchema(query.sObject);
    return new QueryRun(this, reader, now, apiBase).run(query, schema);
  }

  objectSchema(name: string): ObjectSchema {
    const schema = this.registry.get(name);
    if (!schema || !schema.def.queryable) throw sfError.invalidType(name);
    return schema;
  }

  schemaOfId(id: string): ObjectSchema | undefined {
    return this.registry.byKeyPrefix(keyPrefixOf(id));
  }

  get schemas(): SchemaRegistry {
    return this.registry;
  }
}

/** One query's evaluation; it is the context WHERE compilation and aggregation are handed. */
class QueryRun implements QueryContext {
  private readonly engine: SoqlEngine;
  readonly reader: RecordReader;
  readonly now: Date;
  private readonly apiBase: string;

  constructor(engine: SoqlEngine, reader: RecordReader, now: Date, apiBase: string) {
    this.engine = engine;
    this.reader = reader;
    this.now = now;
    this.apiBase = apiBase;
  }

  objectSchema(name: string): ObjectSchema {
    return this.engine.objectSchema(name);
  }

  private recordUrl(type: string, id: string): string {
    return `${this.apiBase}/sobjects/${type}/${id}`;
  }

  run(
    query: Query | Subquery,
    schema: ObjectSchema,
    /** A subquery's rows: the children whose relationship field is the parent's id. */
    parent?: { field: string; id: string },
  ): QueryOutput {
    const fields = query.fields ?? [];
    if (fields.length === 0) throw sfError.malformedQuery('unexpected token: FROM');
    const alias = query.sObjectAlias;
    const where = query.where ? compileWhere(this, query.where, schema, alias) : () => true;
    const isAggregate =
      fields.some((f) => f.type === 'FieldFunctionExpression' && f.isAggregateFn) ||
      query.groupBy !== undefined;
    if (query.having) throw sfError.malformedQuery('HAVING is not supported by the local org');
    let rows: SObjectRecord[] = [];
    // A subquery looks its children up by the relationship field: scanning every child record of
    // the type for each parent made a deal's subqueries grow with the whole org.
    const candidates = parent
      ? (this.reader.byField?.(schema.name, parent.field, parent.id) ??
        [...this.reader.all(schema.name)].filter((rec) => rec[parent.field] === parent.id))
      : (this.indexedCandidates(query.where, schema) ?? this.reader.all(schema.name));
    for (const rec of candidates) if (where(rec)) rows.push(rec);
    if (isAggregate) return aggregate(this, query, schema, rows, alias);
    const orderBy = asArray(query.orderBy);
    if (orderBy.length > 0) rows = this.sort(rows, orderBy, schema, alias);
    const offset = query.offset ?? 0;
    if (offset > 2000) {
      throw new SalesforceApiError('NUMBER_OUTSIDE_VALID_RANGE', 'Maximum SOQL offset allowed is 2000');
    }
    const limited = rows.slice(offset, query.limit !== undefined ? offset + query.limit : undefined);
    const project = this.compileProjection(fields, schema, alias);
    return { totalSize: limited.length, records: limited.map(project) };
  }

  // ---------- field paths ----------

  /**
   * The records a WHERE clause of AND-ed conditions narrows to through one of them, an id or
   * reference field equal to an 18-character id, looked up rather than scanned; undefined when no
   * condition allows it. The whole clause is still applied to them.
   */
  private indexedCandidates(
    where: WhereClause | undefined,
    schema: ObjectSchema,
  ): Iterable<SObjectRecord> | undefined {
    let chosen: { field: FieldDef; id: string } | undefined;
    for (let node: WhereClause | undefined = where; node; node = 'right' in node ? node.right : undefined) {
      if ('operator' in node && node.operator && node.operator !== 'AND') return undefined;
      const left = node.left as {
        field?: unknown;
        operator?: unknown;
        value?: unknown;
        literalType?: unknown;
      } | null;
      if (
        chosen ||
        !left ||
        left.operator !== '=' ||
        left.literalType !== 'STRING' ||
        typeof left.field !== 'string' ||
        left.field.includes('.') ||
        typeof left.value !== 'string'
      )
        continue;
      const field = schema.field(left.field);
      const id = unquote(left.value);
      if (field && (field.type === 'id' || field.type === 'reference') && /^[a-zA-Z0-9]{18}$/.test(id))
        chosen = { field, id };
    }
    if (!chosen) return undefined;
    if (chosen.field.type === 'id') {
      const found = this.reader.get(chosen.id);
      return found && found.type === schema.name ? [found.fields] : [];
    }
    return this.reader.byField?.(schema.name, chosen.field.name, chosen.id);
  }

  resolvePath(schema: ObjectSchema, rawPath: string, alias: string | undefined): ResolvedPath {
    const parts = pathParts(schema, rawPath, alias);
    const steps: { field: FieldDef; polymorphic: boolean }[] = [];
    const relationships: string[] = [];
    const types: string[] = [];
    let current: ObjectSchema | undefined = schema;
    for (let i = 0; i < parts.length - 1; i++) {
      const part = parts[i]!;
      const rel: FieldDef | undefined = current?.parentRelationship(part);
      if (!rel) {
        throw sfError.invalidField(
          `Didn't understand relationship '${part}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
        );
      }
      const polymorphic: boolean = rel.referenceTo.length > 1;
      steps.push({ field: rel, polymorphic });
      relationships.push(rel.relationshipName!);
      current = polymorphic ? undefined : this.engine.objectSchema(rel.referenceTo[0]!);
      types.push(polymorphic ? 'Name' : current!.name);
    }
    const last = parts[parts.length - 1]!;
    let leaf: FieldDef | undefined;
    if (current) leaf = current.field(last);
    else leaf = polymorphicNameField(last);
    if (!leaf) {
      const on = current?.name ?? 'Name';
      throw sfError.invalidField(
        `No such column '${last}' on entity '${on}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
      );
    }
    const leafName = leaf.name;
    const reader = this.reader;
    const engine = this.engine;
    const get: Getter = (rec) => {
      let cur: SObjectRecord | undefined = rec;
      for (const step of steps) {
        const id: FieldValue | undefined = cur?.[step.field.name];
        cur = typeof id === 'string' ? reader.get(id)?.fields : undefined;
        if (!cur) return undefined;
      }
      if (!cur) return undefined;
      if (leafName === 'Type' && steps.length > 0 && steps[steps.length - 1]!.polymorphic) {
        return engine.schemaOfId(cur.Id)?.name ?? null;
      }
      return cur[leafName];
    };
    return { get, field: leaf, relationships, types };
  }

  // ---------- SELECT list ----------

  private compileProjection(
    fields: SoqlField[],
    schema: ObjectSchema,
    alias: string | undefined,
  ): (rec: SObjectRecord) => JsonRecord {
    const writers: ((rec: SObjectRecord, out: JsonRecord) => void)[] = [];
    for (const item of this.expandFieldsFunction(fields, schema)) {
      switch (item.type) {
        case 'Field':
        case 'FieldRelationship': {
          const raw = item.type === 'Field' ? item.field : [...item.relationships, item.field].join('.');
          const path = this.resolvePath(schema, raw, alias);
          writers.push((rec, out) => this.writePath(rec, out, path, schema));
          break;
        }
        case 'FieldSubquery':
          writers.push(this.compileSubquery(item.subquery, schema));
          break;
        case 'FieldFunctionExpression':
          throw sfError.malformedQuery(
            `function ${item.functionName} is not supported by the local org in a non-aggregate query`,
          );
        case 'FieldTypeof':
          throw sfError.malformedQuery('TYPEOF is not supported by the local org');
      }
    }
    return (rec) => {
      const out: JsonRecord = { attributes: { type: schema.name, url: this.recordUrl(schema.name, rec.Id) } };
      for (const w of writers) w(rec, out);
      return out;
    };
  }

  /** FIELDS(ALL | STANDARD | CUSTOM) expands to the object's fields. */
  private expandFieldsFunction(fields: SoqlField[], schema: ObjectSchema): SoqlField[] {
    return fields.flatMap((f): SoqlField[] => {
      if (f.type !== 'FieldFunctionExpression' || f.functionName.toUpperCase() !== 'FIELDS') return [f];
      const which = String(f.parameters[0] ?? '').toUpperCase();
      const keep = schema.def.fields.filter(
        (d) => d.type !== 'base64' && (which === 'ALL' || (which === 'CUSTOM' ? d.custom : !d.custom)),
      );
      return keep.map((d) => ({ type: 'Field', field: d.name }));
    });
  }

  private writePath(rec: SObjectRecord, out: JsonRecord, path: ResolvedPath, schema: ObjectSchema): void {
    if (path.relationships.length === 0) {
      out[path.field.name] = this.outputValue(schema.name, rec, path.field);
      return;
    }
    let target: JsonRecord = out;
    let cur: SObjectRecord | undefined = rec;
    let curSchema: ObjectSchema | undefined = schema;
    for (const relName of path.relationships) {
      const relField: FieldDef | undefined = curSchema?.parentRelationship(relName);
      const id: FieldValue | undefined = relField ? cur?.[relField.name] : undefined;
      const parent: { type: string; fields: SObjectRecord } | undefined =
        typeof id === 'string' ? this.reader.get(id) : undefined;
      if (!parent) {
        if (!(relName in target)) target[relName] = null;
        return;
      }
      const existing = target[relName];
      const node: JsonRecord =
        existing && typeof existing === 'object'
          ? (existing as JsonRecord)
          : { attributes: { type: parent.type, url: this.recordUrl(parent.type, parent.fields.Id) } };
      target[relName] = node;
      target = node;
      cur = parent.fields;
      curSchema = this.engine.schemas.get(parent.type);
    }
    const leafType = curSchema?.name ?? '';
    if (path.field.name === 'Type' && !curSchema?.field('Type')) target.Type = leafType;
    else
      target[path.field.name] = cur
        ? this.outputValue(leafType, cur, curSchema?.field(path.field.name) ?? path.field)
        : null;
  }

  /** What the API returns for a stored value: base64 fields are served as a URL. */
  private outputValue(type: string, rec: SObjectRecord, f: FieldDef): FieldValue {
    if (f.type === 'base64') return `${this.recordUrl(type, rec.Id)}/${f.name}`;
    return rec[f.name] ?? null;
  }

  private compileSubquery(
    sub: Subquery,
    parent: ObjectSchema,
  ): (rec: SObjectRecord, out: JsonRecord) => void {
    const rel = parent.childRelationship(sub.relationshipName);
    if (!rel) {
      throw sfError.invalidField(
        `Didn't understand relationship '${sub.relationshipName}' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
      );
    }
    const childSchema = this.engine.objectSchema(rel.childSObject);
    // Validate the subquery once, up front, so a bad field fails even when no parent has children.
    this.compileProjection(sub.fields ?? [], childSchema, sub.sObjectAlias);
    if (sub.where) compileWhere(this, sub.where, childSchema, sub.sObjectAlias);
    return (rec, out) => {
      const result = this.run(sub, childSchema, { field: rel.field, id: rec.Id });
      out[rel.relationshipName] =
        result.records.length === 0
          ? null
          : { totalSize: result.totalSize, done: true, records: result.records };
    };
  }

  // ---------- WHERE ----------
  // ---------- ORDER BY ----------

  private sort(
    rows: SObjectRecord[],
    orderBy: OrderByClause[],
    schema: ObjectSchema,
    alias: string | undefined,
  ): SObjectRecord[] {
    const keys = orderBy.map((o) => {
      if (!('field' in o))
        throw sfError.malformedQuery('ORDER BY a function is only supported in aggregate queries');
      const path = this.resolvePath(schema, o.field, alias);
      return {
        get: path.get,
        field: path.field,
        desc: o.order === 'DESC',
        nullsLast: o.nulls ? o.nulls === 'LAST' : o.order === 'DESC',
      };
    });
    // Each row's sort keys are computed once (parsing a datetime per comparison made sorting the
    // largest cost of a query).
    const decorated = rows.map((row) => ({
      row,
      values: keys.map((k) => comparable(k.get(row) ?? null, k.field)),
    }));
    decorated.sort((a, b) => {
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        const c = compareComparable(a.values[i]!, b.values[i]!, k.desc, k.nullsLast);
        if (c !== 0) return c;
      }
      return 0;
    });
    return decorated.map((d) => d.row);
  }
}

/** A polymorphic parent (What, Who, Parent) exposes only the fields of the Name object. */
/** Path parts without a leading FROM alias or object name (`Opportunity.Name` is `Name`). */
export function pathParts(schema: ObjectSchema, path: string, alias: string | undefined): string[] {
  let parts = path.split('.');
  if (alias && parts.length > 1 && parts[0]!.toLowerCase() === alias.toLowerCase()) parts = parts.slice(1);
  if (
    parts.length > 1 &&
    parts[0]!.toLowerCase() === schema.name.toLowerCase() &&
    !schema.parentRelationship(parts[0]!)
  )
    parts = parts.slice(1);
  return parts;
}

export function polymorphicNameField(name: string): FieldDef | undefined {
  switch (name.toLowerCase()) {
    case 'id':
      return field('Id', 'Id', 'id', { ...readOnly, length: 18 });
    case 'name':
      return field('Name', 'Name', 'string', { ...readOnly, length: 255, nameField: true });
    case 'type':
      return field('Type', 'Type', 'string', { ...readOnly, length: 255 });
  }
  return undefined;
}
