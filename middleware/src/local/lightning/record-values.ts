/**
 * Values out of local-org query results, converted as Apex serialises them to a component: text
 * as text, numbers as numbers, datetimes as ISO 8601 in UTC, and null for anything absent.
 */
import type { LocalOrg } from '@dealdesk/local-org';
import type { JsonRecord } from '@dealdesk/local-org';
import { parseDateTime } from '@dealdesk/local-org';

export function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

export function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export function bool(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}

export function date(value: unknown): string | null {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : null;
}

export function datetime(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  return parseDateTime(value)?.toISOString() ?? null;
}

/** A field of a parent record in a query result (`Account.Name`), or null. */
export function parentField(parent: unknown, field: string): string | null {
  return parent && typeof parent === 'object' ? str((parent as JsonRecord)[field]) : null;
}

/** The rows of a child subquery in a query result. */
export function records(value: unknown): JsonRecord[] {
  if (!value || typeof value !== 'object') return [];
  const rows = (value as { records?: unknown }).records;
  return Array.isArray(rows) ? (rows as JsonRecord[]) : [];
}

/** DealDeskController.label: a picklist value's label, or the value with underscores as spaces. */
export function picklistLabel(org: LocalOrg, object: string, field: string, value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const entry = org.registry
    .get(object)
    ?.field(field)
    ?.picklistValues.find((p) => p.value === value);
  return entry?.label ?? value.replaceAll('_', ' ');
}
