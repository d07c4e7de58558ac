/**
 * SOQL over the local org's records. Queries are parsed by @jetstreamapp/soql-parser-js and
 * evaluated here against the schema: field lists, parent paths (Account.Owner.Name), child
 * subqueries, WHERE with AND/OR/NOT and parentheses, typed comparisons, IN/NOT IN (lists and
 * semi-joins), LIKE, INCLUDES/EXCLUDES, date literals, ORDER BY with NULLS FIRST/LAST,
 * LIMIT/OFFSET, COUNT()/aggregates with GROUP BY, and FIELDS(ALL|STANDARD|CUSTOM).
 */
import {
  parseQuery,
  type Condition,
  type FieldType as SoqlField,
  type FunctionExp,
  type OrderByClause,
  type Query,
  type Subquery,
  type WhereClause,
} from '@jetstreamapp/soql-parser-js';
import { field, readOnly, type FieldDef } from '../schema/model.ts';
import type { ObjectSchema, SchemaRegistry } from '../schema/registry.ts';
import { SalesforceApiError, sfError } from '../errors.ts';
import { keyPrefixOf, to18 } from '../ids.ts';
import type { FieldValue, SObjectRecord } from '../store.ts';
import { parseDate, parseDateTime } from '../values.ts';
import { dateLiteralRange } from './date-literals.ts';

export interface RecordReader {
  get(id: string): { type: string; fields: SObjectRecord } | undefined;
  all(type: string): Iterable<SObjectRecord>;
  /**
   * Records of `type` whose `field` is exactly `value`, from an index; undefined when the reader
   * has none for that type (the engine then scans).
   */
  byField?(type: string, field: string, value: string): Iterable<SObjectRecord> | undefined;
}

export type JsonRecord = Record<string, unknown>;

export interface QueryOutput {
  totalSize: number;
  records: JsonRecord[];
}

type Getter = (rec: SObjectRecord) => FieldValue | undefined;

interface ResolvedPath {
  get: Getter;
  field: FieldDef;
  /** Relationship names walked, e.g. ['Account', 'Owner'] for Account.Owner.Name. */
  relationships: string[];
  /** Types along the relationship path, used to build nested output. */
  types: string[];
}

const invalidFilter = (message: string) => new SalesforceApiError('INVALID_QUERY_FILTER_OPERATOR', message);

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

type Token = '(' | ')' | 'AND' | 'OR' | 'NOT' | { cond: Condition };
type Predicate = (rec: SObjectRecord) => boolean;

class QueryRun {
  private readonly engine: SoqlEngine;
  private readonly reader: RecordReader;
  private readonly now: Date;
  private readonly apiBase: string;

  constructor(engine: SoqlEngine, reader: RecordReader, now: Date, apiBase: string) {
    this.engine = engine;
    this.reader = reader;
    this.now = now;
    this.apiBase = apiBase;
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
    const where = query.where ? this.compileWhere(query.where, schema, alias) : () => true;
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
    if (isAggregate) return this.aggregate(query, schema, rows, alias);
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

  private resolvePath(schema: ObjectSchema, rawPath: string, alias: string | undefined): ResolvedPath {
    let parts = rawPath.split('.');
    if (alias && parts.length > 1 && parts[0]!.toLowerCase() === alias.toLowerCase()) parts = parts.slice(1);
    if (
      parts.length > 1 &&
      parts[0]!.toLowerCase() === schema.name.toLowerCase() &&
      !schema.parentRelationship(parts[0]!)
    ) {
      parts = parts.slice(1);
    }
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
    if (sub.where) this.compileWhere(sub.where, childSchema, sub.sObjectAlias);
    return (rec, out) => {
      const result = this.run(sub, childSchema, { field: rel.field, id: rec.Id });
      out[rel.relationshipName] =
        result.records.length === 0
          ? null
          : { totalSize: result.totalSize, done: true, records: result.records };
    };
  }

  // ---------- WHERE ----------

  private compileWhere(where: WhereClause, schema: ObjectSchema, alias: string | undefined): Predicate {
    const tokens: Token[] = [];
    let node: WhereClause | undefined = where;
    while (node) {
      const left: unknown = node.left;
      if (left && typeof left === 'object') {
        const l = left as { openParen?: number; closeParen?: number; field?: string; fn?: unknown };
        for (let i = 0; i < (l.openParen ?? 0); i++) tokens.push('(');
        if (l.field !== undefined || l.fn !== undefined) tokens.push({ cond: left as Condition });
        for (let i = 0; i < (l.closeParen ?? 0); i++) tokens.push(')');
      }
      if ('operator' in node && node.operator) tokens.push(node.operator);
      node = 'right' in node ? node.right : undefined;
    }
    let pos = 0;
    const peek = () => tokens[pos];
    const expect = (t: Token) => {
      if (tokens[pos] !== t) throw sfError.malformedQuery('unexpected token in WHERE clause');
      pos++;
    };
    const parseOr = (): Predicate => {
      const parts = [parseAnd()];
      while (peek() === 'OR') {
        pos++;
        parts.push(parseAnd());
      }
      return parts.length === 1 ? parts[0]! : (r) => parts.some((p) => p(r));
    };
    const parseAnd = (): Predicate => {
      const parts = [parseUnary()];
      while (peek() === 'AND') {
        pos++;
        parts.push(parseUnary());
      }
      return parts.length === 1 ? parts[0]! : (r) => parts.every((p) => p(r));
    };
    const parseUnary = (): Predicate => {
      const t = peek();
      if (t === 'NOT') {
        pos++;
        const inner = parseUnary();
        return (r) => !inner(r);
      }
      if (t === '(') {
        pos++;
        const inner = parseOr();
        expect(')');
        return inner;
      }
      if (t && typeof t === 'object') {
        pos++;
        return this.compileCondition(t.cond, schema, alias);
      }
      throw sfError.malformedQuery('unexpected token in WHERE clause');
    };
    const predicate = parseOr();
    if (pos !== tokens.length) throw sfError.malformedQuery('unexpected token in WHERE clause');
    return predicate;
  }

  private compileCondition(cond: Condition, schema: ObjectSchema, alias: string | undefined): Predicate {
    if (!('field' in cond) || typeof cond.field !== 'string') {
      throw sfError.malformedQuery('functions in WHERE are not supported by the local org');
    }
    const path = this.resolvePath(schema, cond.field, alias);
    const f = path.field;
    const op = cond.operator;
    if ('valueQuery' in cond && cond.valueQuery) {
      if (op !== 'IN' && op !== 'NOT IN') throw sfError.malformedQuery('a semi-join needs IN or NOT IN');
      const sub: Query = cond.valueQuery as Query;
      if (!sub.sObject || (sub.fields ?? []).length !== 1) {
        throw sfError.malformedQuery('a semi-join subquery selects exactly one field');
      }
      const subSchema = this.engine.objectSchema(sub.sObject);
      const subField = sub.fields![0]!;
      const subPathRaw =
        subField.type === 'Field'
          ? subField.field
          : subField.type === 'FieldRelationship'
            ? [...subField.relationships, subField.field].join('.')
            : '';
      const subPath = this.resolvePath(subSchema, subPathRaw, sub.sObjectAlias);
      const subWhere = sub.where ? this.compileWhere(sub.where, subSchema, sub.sObjectAlias) : () => true;
      let values: Set<string> | undefined;
      return (rec) => {
        if (!values) {
          values = new Set();
          for (const r of this.reader.all(subSchema.name)) {
            if (!subWhere(r)) continue;
            const v = subPath.get(r);
            if (v !== null && v !== undefined) values.add(String(v));
          }
        }
        const v = path.get(rec);
        const hit = v !== null && v !== undefined && values.has(String(v));
        return op === 'IN' ? hit : !hit;
      };
    }
    const rawValues = asArray('value' in cond ? cond.value : undefined) as string[];
    const literalTypes = asArray('literalType' in cond ? cond.literalType : undefined) as string[];
    const literals = rawValues.map((v, i) =>
      this.literal(f, v, literalTypes[i] ?? literalTypes[0] ?? 'STRING', op),
    );
    const get = path.get;
    switch (op) {
      case '=':
      case '!=': {
        const lit = literals[0]!;
        const eq = (r: SObjectRecord) => matches(get(r), lit, f);
        return op === '=' ? eq : (r) => !eq(r);
      }
      case 'IN':
      case 'NOT IN': {
        const inList = (r: SObjectRecord) =>
          literals.some((lit) => lit.kind !== 'null' && matches(get(r), lit, f));
        return op === 'IN' ? inList : (r) => !inList(r) && get(r) !== null && get(r) !== undefined;
      }
      case '<':
      case '<=':
      case '>':
      case '>=': {
        const lit = literals[0]!;
        return (r) => compareOrdered(get(r), lit, f, op);
      }
      case 'LIKE': {
        if (!isTextual(f)) throw invalidFilter(`invalid operator on ${f.type} field: LIKE`);
        const lit = literals[0]!;
        if (lit.kind !== 'value' || typeof lit.value !== 'string') throw invalidFilter('LIKE needs a string');
        const re = likeToRegExp(lit.value);
        return (r) => {
          const v = get(r);
          return typeof v === 'string' && re.test(v);
        };
      }
      case 'INCLUDES':
      case 'EXCLUDES': {
        if (f.type !== 'multipicklist')
          throw invalidFilter(`${op} can only be used on a multi-select picklist field`);
        const wanted = literals.map((l) =>
          l.kind === 'value'
            ? String(l.value)
                .split(';')
                .map((s) => s.toLowerCase())
            : [],
        );
        const includes = (r: SObjectRecord) => {
          const have = new Set(
            String(get(r) ?? '')
              .split(';')
              .map((s) => s.toLowerCase()),
          );
          return wanted.some((set) => set.every((s) => have.has(s)));
        };
        return op === 'INCLUDES' ? includes : (r) => !includes(r);
      }
    }
    throw sfError.malformedQuery(`unexpected operator ${String(op)}`);
  }

  private literal(f: FieldDef, raw: string, literalType: string, op: string): Literal {
    const mustBe = (type: string, quoted: boolean) =>
      invalidFilter(
        `value of filter criterion for field '${f.name}' must be of type ${type} and should ${quoted ? '' : 'not '}be enclosed in quotes`,
      );
    if (literalType === 'NULL') return { kind: 'null' };
    if (literalType === 'APEX_BIND_VARIABLE')
      throw sfError.malformedQuery('bind variables are only valid in Apex');
    switch (f.type) {
      case 'int':
      case 'double':
      case 'currency':
      case 'percent': {
        if (
          !['INTEGER', 'DECIMAL', 'INTEGER_WITH_CURRENCY_PREFIX', 'DECIMAL_WITH_CURRENCY_PREFIX'].includes(
            literalType,
          )
        ) {
          throw mustBe(f.type === 'int' ? 'int' : 'double', false);
        }
        return { kind: 'value', value: Number(raw.replace(/^[A-Z]{3}/, '')) };
      }
      case 'boolean':
        if (literalType !== 'BOOLEAN') throw mustBe('boolean', false);
        return { kind: 'value', value: raw.toUpperCase() === 'TRUE' };
      case 'date':
      case 'datetime': {
        if (literalType === 'DATE_LITERAL' || literalType === 'DATE_N_LITERAL') {
          const range = dateLiteralRange(raw, this.now);
          if (!range) throw sfError.malformedQuery(`unexpected date literal: ${raw}`);
          return { kind: 'range', start: range[0], end: range[1] };
        }
        if (f.type === 'date' && literalType === 'DATE')
          return { kind: 'value', value: parseDate(raw)!.getTime() };
        if (f.type === 'datetime' && literalType === 'DATETIME') {
          const d = parseDateTime(raw);
          if (!d) throw sfError.malformedQuery(`invalid datetime: ${raw}`);
          return { kind: 'value', value: d.getTime() };
        }
        throw mustBe(f.type === 'date' ? 'date' : 'dateTime', false);
      }
      case 'id':
      case 'reference': {
        if (literalType !== 'STRING') throw mustBe('id', true);
        const s = unquote(raw);
        const id = to18(s);
        if (!id) {
          if (op === 'LIKE') return { kind: 'value', value: s };
          throw invalidFilter(`invalid ID field: ${s}`);
        }
        return { kind: 'value', value: id };
      }
      default:
        if (literalType !== 'STRING') throw mustBe('string', true);
        return { kind: 'value', value: unquote(raw) };
    }
  }

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

  // ---------- aggregates ----------

  private aggregate(
    query: Query | Subquery,
    schema: ObjectSchema,
    rows: SObjectRecord[],
    alias: string | undefined,
  ): QueryOutput {
    const fields = query.fields ?? [];
    const only = fields[0];
    if (
      fields.length === 1 &&
      only?.type === 'FieldFunctionExpression' &&
      only.functionName.toUpperCase() === 'COUNT' &&
      only.parameters.length === 0
    ) {
      if (query.groupBy) throw sfError.malformedQuery('COUNT() cannot be used with GROUP BY');
      return { totalSize: rows.length, records: [] };
    }
    const groupBy = asArray(query.groupBy).map((g) => {
      if (!('field' in g))
        throw sfError.malformedQuery('GROUP BY a function is not supported by the local org');
      return this.resolvePath(schema, g.field, alias);
    });
    const groupKeys = new Set(groupBy.map((g) => g.field.name.toLowerCase()));
    let exprIndex = 0;
    const columns = fields.map((f) => {
      if (f.type === 'Field' || f.type === 'FieldRelationship') {
        const raw = f.type === 'Field' ? f.field : [...f.relationships, f.field].join('.');
        const path = this.resolvePath(schema, raw, alias);
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
        compute: this.aggregateFunction(f, schema, alias),
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
    if (orderBy.length > 0) {
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
      out = out.sort((a, b) => {
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
    const offset = query.offset ?? 0;
    out = out.slice(offset, query.limit !== undefined ? offset + query.limit : undefined);
    return { totalSize: out.length, records: out };
  }

  private aggregateFunction(
    f: FunctionExp,
    schema: ObjectSchema,
    alias: string | undefined,
  ): (group: SObjectRecord[]) => FieldValue {
    const fn = (f.functionName ?? '').toUpperCase();
    const param = f.parameters?.[0];
    if (fn === 'COUNT' && param === undefined) return (g) => g.length;
    if (typeof param !== 'string') throw sfError.malformedQuery(`${fn} needs a field`);
    const path = this.resolvePath(schema, param, alias);
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
}

type Literal =
  | { kind: 'null' }
  | { kind: 'value'; value: string | number | boolean }
  | { kind: 'range'; start: number; end: number };

function asArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function unquote(raw: string): string {
  const inner = raw.startsWith("'") && raw.endsWith("'") ? raw.slice(1, -1) : raw;
  return inner.replace(
    /\\(.)/g,
    (_m, c: string) => ({ n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' })[c] ?? c,
  );
}

function isTextual(f: FieldDef): boolean {
  return [
    'string',
    'textarea',
    'email',
    'phone',
    'url',
    'picklist',
    'multipicklist',
    'id',
    'reference',
  ].includes(f.type);
}

/** A polymorphic parent (What, Who, Parent) exposes only the fields of the Name object. */
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

/** A stored value as a comparable number (dates, datetimes) or lower-cased string. */
function comparable(v: FieldValue | undefined, f: FieldDef | undefined): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (f?.type === 'date' && typeof v === 'string') return parseDate(v)?.getTime() ?? null;
  if (f?.type === 'datetime' && typeof v === 'string') return parseDateTime(v)?.getTime() ?? null;
  if (typeof v === 'string' && f && f.type !== 'id' && f.type !== 'reference') return v.toLowerCase();
  return v;
}

function matches(v: FieldValue | undefined, lit: Literal, f: FieldDef): boolean {
  if (lit.kind === 'null') return v === null || v === undefined;
  const c = comparable(v, f);
  if (c === null) return false;
  if (lit.kind === 'range') return typeof c === 'number' && c >= lit.start && c < lit.end;
  const l =
    typeof lit.value === 'string' && f.type !== 'id' && f.type !== 'reference'
      ? lit.value.toLowerCase()
      : lit.value;
  if (f.type === 'date' && typeof c === 'number' && typeof l === 'number') {
    return c === l;
  }
  return c === l;
}

function compareOrdered(
  v: FieldValue | undefined,
  lit: Literal,
  f: FieldDef,
  op: '<' | '<=' | '>' | '>=',
): boolean {
  if (lit.kind === 'null') return false;
  const c = comparable(v, f);
  if (c === null) return false;
  if (lit.kind === 'range') {
    if (typeof c !== 'number') return false;
    switch (op) {
      case '<':
        return c < lit.start;
      case '<=':
        return c < lit.end;
      case '>':
        return c >= lit.end;
      case '>=':
        return c >= lit.start;
    }
  }
  const l = typeof lit.value === 'string' ? lit.value.toLowerCase() : lit.value;
  switch (op) {
    case '<':
      return c < l;
    case '<=':
      return c <= l;
    case '>':
      return c > l;
    case '>=':
      return c >= l;
  }
}

function compareComparable(
  ca: ReturnType<typeof comparable>,
  cb: ReturnType<typeof comparable>,
  desc: boolean,
  nullsLast: boolean,
): number {
  if (ca === null || cb === null) {
    if (ca === cb) return 0;
    return (ca === null ? -1 : 1) * (nullsLast ? -1 : 1);
  }
  const x =
    typeof ca === 'string' && typeof cb === 'string' ? ca.localeCompare(cb) : ca < cb ? -1 : ca > cb ? 1 : 0;
  return desc ? -x : x;
}

function normalizeGroupValue(v: FieldValue | undefined): FieldValue {
  if (v === undefined) return null;
  return typeof v === 'string' ? v.toLowerCase() : v;
}

function likeToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) {
      re += escapeRegExp(pattern[++i]!);
    } else if (c === '%') re += '.*';
    else if (c === '_') re += '.';
    else re += escapeRegExp(c);
  }
  return new RegExp(`^${re}$`, 'is');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function compareForSort(
  a: FieldValue | undefined,
  b: FieldValue | undefined,
  f: FieldDef | undefined,
  desc: boolean,
  nullsLast: boolean,
): number {
  return compareComparable(
    comparable(a ?? null, f ?? undefined),
    comparable(b ?? null, f ?? undefined),
    desc,
    nullsLast,
  );
}
