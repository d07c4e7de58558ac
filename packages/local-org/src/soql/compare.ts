/**
 * How the SOQL engine compares values: stored field values against WHERE literals (typed, case-
 * insensitive for text, date ranges for date literals), ORDER BY and MIN/MAX ordering with NULLS
 * FIRST/LAST, LIKE patterns, and the small parsing helpers (quotes, one-or-many) the parser's
 * output needs. Pure functions with no reader or schema registry, kept apart so WHERE, ORDER BY
 * and aggregates all share one definition of "equal" and "before".
 */
import type { FieldDef } from '../schema/model.ts';
import type { FieldValue } from '../store.ts';
import { parseDate, parseDateTime } from '../values.ts';

export type Literal =
  | { kind: 'null' }
  | { kind: 'value'; value: string | number | boolean }
  | { kind: 'range'; start: number; end: number };

export function asArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

export function unquote(raw: string): string {
  const inner = raw.startsWith("'") && raw.endsWith("'") ? raw.slice(1, -1) : raw;
  return inner.replace(
    /\\(.)/g,
    (_m, c: string) => ({ n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' })[c] ?? c,
  );
}

export function isTextual(f: FieldDef): boolean {
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

/** A stored value as a comparable number (dates, datetimes) or lower-cased string. */
export function comparable(
  v: FieldValue | undefined,
  f: FieldDef | undefined,
): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (f?.type === 'date' && typeof v === 'string') return parseDate(v)?.getTime() ?? null;
  if (f?.type === 'datetime' && typeof v === 'string') return parseDateTime(v)?.getTime() ?? null;
  if (typeof v === 'string' && f && f.type !== 'id' && f.type !== 'reference') return v.toLowerCase();
  return v;
}

export function matches(v: FieldValue | undefined, lit: Literal, f: FieldDef): boolean {
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

export function compareOrdered(
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

export function compareComparable(
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

export function normalizeGroupValue(v: FieldValue | undefined): FieldValue {
  if (v === undefined) return null;
  return typeof v === 'string' ? v.toLowerCase() : v;
}

export function likeToRegExp(pattern: string): RegExp {
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

export function compareForSort(
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
