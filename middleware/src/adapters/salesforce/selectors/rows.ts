/**
 * Query results as typed rows. Every row is parsed before any agent sees it, so a surprise in
 * the org's data fails with the record and field that surprised us, under an error code the
 * retry policy treats as permanent.
 */
import type { z } from 'zod';
import { QueryResultSchema } from '../salesforce-records.ts';
import { CrmError } from '../salesforce-errors.ts';

/** The rows of a raw query result. */
export function parseRows<T extends z.ZodType>(schema: T, body: unknown, what: string): z.infer<T>[] {
  const result = QueryResultSchema.safeParse(body);
  if (!result.success) throw new CrmError('UNEXPECTED_RESPONSE', `${what}: not a query result`);
  return result.data.records.map((r, i) => parseRow(schema, r, what, i));
}

/** Row `index` of a `what` query. */
export function parseRow<T extends z.ZodType>(
  schema: T,
  raw: unknown,
  what: string,
  index: number,
): z.infer<T> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new CrmError(
      'UNEXPECTED_RESPONSE',
      `${what} record ${index}: ${parsed.error.issues.map((x) => `${x.path.join('.')} ${x.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}
