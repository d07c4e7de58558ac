/**
 * SOQL WHERE compiled to a predicate over stored records: AND/OR/NOT with parentheses (the
 * parser hands them over as a flat chain, re-parsed here by precedence), typed comparisons,
 * IN/NOT IN lists and semi-joins, LIKE, INCLUDES/EXCLUDES, and literals checked against the
 * field's type the way Salesforce rejects them. Separate from the engine because it is the
 * largest part of it and needs only the query's context, not its projection or ordering.
 */
import type { Condition, Query, WhereClause } from '@jetstreamapp/soql-parser-js';
import type { FieldDef } from '../schema/model.ts';
import type { ObjectSchema } from '../schema/registry.ts';
import { SalesforceApiError, sfError } from '../errors.ts';
import { to18 } from '../ids.ts';
import type { SObjectRecord } from '../store.ts';
import { parseDate, parseDateTime } from '../values.ts';
import {
  asArray,
  compareOrdered,
  isTextual,
  likeToRegExp,
  matches,
  unquote,
  type Literal,
} from './compare.ts';
import type { QueryContext, ResolvedPath } from './context.ts';
import { dateLiteralRange } from './date-literals.ts';

type Token = '(' | ')' | 'AND' | 'OR' | 'NOT' | { cond: Condition };
export type Predicate = (rec: SObjectRecord) => boolean;

const invalidFilter = (message: string) => new SalesforceApiError('INVALID_QUERY_FILTER_OPERATOR', message);

export function compileWhere(
  ctx: QueryContext,
  where: WhereClause,
  schema: ObjectSchema,
  alias: string | undefined,
): Predicate {
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
      return compileCondition(ctx, t.cond, schema, alias);
    }
    throw sfError.malformedQuery('unexpected token in WHERE clause');
  };
  const predicate = parseOr();
  if (pos !== tokens.length) throw sfError.malformedQuery('unexpected token in WHERE clause');
  return predicate;
}

function compileCondition(
  ctx: QueryContext,
  cond: Condition,
  schema: ObjectSchema,
  alias: string | undefined,
): Predicate {
  if (!('field' in cond) || typeof cond.field !== 'string') {
    throw sfError.malformedQuery('functions in WHERE are not supported by the local org');
  }
  const path = ctx.resolvePath(schema, cond.field, alias);
  const f = path.field;
  const op = cond.operator;
  if ('valueQuery' in cond && cond.valueQuery) {
    if (op !== 'IN' && op !== 'NOT IN') throw sfError.malformedQuery('a semi-join needs IN or NOT IN');
    return compileSemiJoin(ctx, cond.valueQuery as Query, path, op);
  }
  const rawValues = asArray('value' in cond ? cond.value : undefined) as string[];
  const literalTypes = asArray('literalType' in cond ? cond.literalType : undefined) as string[];
  const literals = rawValues.map((v, i) =>
    literal(f, v, literalTypes[i] ?? literalTypes[0] ?? 'STRING', op, ctx.now),
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

/** `field IN (SELECT f FROM …)`: the subquery's values are read once, on the first record tested. */
function compileSemiJoin(ctx: QueryContext, sub: Query, path: ResolvedPath, op: 'IN' | 'NOT IN'): Predicate {
  if (!sub.sObject || (sub.fields ?? []).length !== 1) {
    throw sfError.malformedQuery('a semi-join subquery selects exactly one field');
  }
  const subSchema = ctx.objectSchema(sub.sObject);
  const subField = sub.fields![0]!;
  const subPathRaw =
    subField.type === 'Field'
      ? subField.field
      : subField.type === 'FieldRelationship'
        ? [...subField.relationships, subField.field].join('.')
        : '';
  const subPath = ctx.resolvePath(subSchema, subPathRaw, sub.sObjectAlias);
  const subWhere = sub.where ? compileWhere(ctx, sub.where, subSchema, sub.sObjectAlias) : () => true;
  let values: Set<string> | undefined;
  return (rec) => {
    if (!values) {
      values = new Set();
      for (const r of ctx.reader.all(subSchema.name)) {
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

function literal(f: FieldDef, raw: string, literalType: string, op: string, now: Date): Literal {
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
        const range = dateLiteralRange(raw, now);
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
