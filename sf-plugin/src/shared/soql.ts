/** SOQL helpers: quoting and validated reads (rows are parsed with zod before any command uses them). */
import type { Connection } from '@salesforce/core';
import { SfError } from '@salesforce/core';
import type { z } from 'zod';

export async function queryAll<T>(
  conn: Connection,
  soql: string,
  schema: z.ZodType<T>,
  what: string,
): Promise<T[]> {
  const res = await conn.query<Record<string, unknown>>(soql, { autoFetch: true, maxFetch: 50_000 });
  return res.records.map((r, i) => {
    const parsed = schema.safeParse(r);
    if (!parsed.success)
      throw new SfError(
        `Unexpected ${what} record ${i + 1} from the org: ${parsed.error.message}`,
        'UnexpectedRecord',
      );
    return parsed.data;
  });
}
