/**
 * Postgres for tests: TEST_DATABASE_URL names a database the tests may create schemas in
 * (`.ci/run` starts a local cluster and sets it). Each suite works in a schema of its own and
 * drops it afterwards, so suites and parallel runs never see each other's rows.
 * Without TEST_DATABASE_URL the Postgres suites fail under CI and are skipped, loudly, elsewhere.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

let warned = false;

/** The test database URL, or undefined when the Postgres suites should be skipped (never in CI). */
export function testDatabaseUrl(): string | undefined {
  const url = process.env.TEST_DATABASE_URL;
  if (url) return url;
  if (process.env.CI)
    throw new Error(
      'TEST_DATABASE_URL is not set: the Postgres suites must run in CI (.ci/run starts a local PostgreSQL and sets it)',
    );
  if (!warned) {
    warned = true;
    process.stderr.write(
      '\n*** SKIPPING the Postgres suites: TEST_DATABASE_URL is not set. ' +
        'Start PostgreSQL and set TEST_DATABASE_URL=postgres://user:pass@127.0.0.1:5432/db (see .ci/run) to run them. ***\n\n',
    );
  }
  return undefined;
}

/** A fresh schema name for one suite or test. */
export function freshSchema(prefix = 'dd_test'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

export async function dropSchemas(url: string, ...schemas: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const s of schemas) {
      if (!/^[a-z_][a-z0-9_]*$/.test(s)) throw new Error(`invalid schema ${s}`);
      await client.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    }
  } finally {
    await client.end();
  }
}
