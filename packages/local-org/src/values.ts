/**
 * Field value coercion and formatting with Salesforce's rules: what JSON values each field type
 * accepts, how numbers are bounded and rounded, and how dates and datetimes are written on the
 * wire (`2026-01-31` and `2026-01-31T09:30:00.000+0000`).
 */
import type { FieldDef } from './schema/model.ts';
import { SalesforceApiError, sfError } from './errors.ts';
import { isSalesforceId, to18 } from './ids.ts';
import type { FieldValue } from './store.ts';

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function formatDateTime(d: Date): string {
  return d.toISOString().replace('Z', '+0000');
}

export function formatDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** Parses the datetime forms Salesforce accepts (ISO 8601 with Z, ±hh:mm or ±hhmm). */
export function parseDateTime(value: string): Date | undefined {
  const normalized = value.trim().replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$/.test(normalized))
    return undefined;
  const withZone =
    /T.*(Z|[+-]\d{2}:\d{2})$/.test(normalized) || !normalized.includes('T') ? normalized : `${normalized}Z`;
  const d = new Date(withZone);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export function parseDate(value: string): Date | undefined {
  const m = DATE_RE.exec(value.trim());
  if (!m) return undefined;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return formatDate(d) === value.trim() ? d : undefined;
}

function deserializeError(f: FieldDef, raw: unknown): SalesforceApiError {
  const token =
    typeof raw === 'string'
      ? 'VALUE_STRING'
      : typeof raw === 'number'
        ? 'VALUE_NUMBER'
        : typeof raw === 'boolean'
          ? 'VALUE_BOOLEAN'
          : Array.isArray(raw)
            ? 'START_ARRAY'
            : 'START_OBJECT';
  const shown = typeof raw === 'object' ? '' : ` value ${String(raw)}`;
  return sfError.jsonParser(
    `Cannot deserialize instance of ${f.type} from ${token}${shown} or request may be missing a required field`,
  );
}

/** Rounds half away from zero at `scale` places, as Salesforce stores numbers. */
function roundTo(n: number, scale: number): number {
  const factor = 10 ** scale;
  return (Math.sign(n) * Math.round(Math.abs(n) * factor + 1e-9)) / factor;
}

/**
 * Turns a JSON value into the stored value of field `f`, or throws the error Salesforce gives.
 * Empty strings mean null, as in Salesforce.
 */
export function coerceFieldValue(f: FieldDef, raw: unknown): FieldValue {
  if (raw === null || raw === undefined || raw === '') return f.type === 'boolean' ? false : null;
  switch (f.type) {
    case 'string':
    case 'textarea':
    case 'phone':
    case 'url':
    case 'email':
    case 'picklist':
    case 'multipicklist':
      return coerceText(f, raw);
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === 'false') return raw === 'true';
      throw deserializeError(f, raw);
    case 'int':
    case 'double':
    case 'currency':
    case 'percent':
      return coerceNumber(f, raw);
    case 'date': {
      if (typeof raw !== 'string') throw deserializeError(f, raw);
      // A datetime is accepted for a date field; its date part is kept.
      const d = parseDate(raw) ?? parseDateTime(raw);
      if (!d) throw deserializeError(f, raw);
      return formatDate(d);
    }
    case 'datetime': {
      if (typeof raw !== 'string') throw deserializeError(f, raw);
      const d = parseDateTime(raw);
      if (!d) throw deserializeError(f, raw);
      return formatDateTime(d);
    }
    case 'reference':
    case 'id': {
      if (typeof raw !== 'string') throw deserializeError(f, raw);
      if (!isSalesforceId(raw)) {
        throw new SalesforceApiError('MALFORMED_ID', `${f.label}: id value of incorrect type: ${raw}`, {
          fields: [f.name],
        });
      }
      return to18(raw)!;
    }
    case 'base64':
      if (typeof raw !== 'string' || !/^[A-Za-z0-9+/=\s]*$/.test(raw)) throw deserializeError(f, raw);
      return raw;
  }
}

/** Text types, picklists included: bounded by the field's length, checked against its values. */
function coerceText(f: FieldDef, raw: unknown): string {
  if (typeof raw === 'object') throw deserializeError(f, raw);
  const s = String(raw);
  if (f.length > 0 && s.length > f.length) throw sfError.stringTooLong(f.label, f.name, s, f.length);
  if (f.type === 'email' && !EMAIL_RE.test(s)) {
    throw new SalesforceApiError('INVALID_EMAIL_ADDRESS', `${f.label}: invalid email address: ${s}`, {
      fields: [f.name],
    });
  }
  if (f.type === 'picklist' && f.restrictedPicklist && !f.picklistValues.some((v) => v.value === s)) {
    throw new SalesforceApiError(
      'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      `${f.label}: bad value for restricted picklist field: ${s}`,
      { fields: [f.name] },
    );
  }
  if (f.type === 'multipicklist' && f.restrictedPicklist) {
    const bad = s.split(';').find((part) => !f.picklistValues.some((v) => v.value === part));
    if (bad !== undefined) {
      throw new SalesforceApiError(
        'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
        `${f.label}: bad value for restricted picklist field: ${bad}`,
        { fields: [f.name] },
      );
    }
  }
  return s;
}

function coerceNumber(f: FieldDef, raw: unknown): number {
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (!Number.isFinite(n)) throw deserializeError(f, raw);
  if (f.type === 'int' && !Number.isInteger(n)) throw deserializeError(f, raw);
  const integerDigits = Math.max(f.precision - f.scale, 1);
  if (Math.abs(n) >= 10 ** integerDigits) {
    throw new SalesforceApiError(
      'NUMBER_OUTSIDE_VALID_RANGE',
      `${f.label}: value outside of valid range on numeric field: ${String(raw)}`,
      { fields: [f.name] },
    );
  }
  return f.type === 'int' ? n : roundTo(n, f.scale);
}
