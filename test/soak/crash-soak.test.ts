/**
 * The long crash soak (`npm run soak`): 100 random SIGKILLs of the middleware while it closes
 * deals, in Postgres mode (TEST_DATABASE_URL) and in SQLite mode; every closure finishes exactly
 * once. Prints the figures as JSON. SOAK_KILLS changes the number of kills.
 */
import assert from 'node:assert/strict';
import { runCrashHarness } from '@dealdesk/middleware/testing';
import { dropSchemas, freshSchema, testDatabaseUrl } from '@dealdesk/test-kit/postgres';

const kills = Number(process.env.SOAK_KILLS ?? 100);
if (!Number.isInteger(kills) || kills < 1) throw new Error('SOAK_KILLS must be a positive integer');
const url = testDatabaseUrl();

describe(`crash soak (${kills} random SIGKILLs)`, function () {
  this.timeout(0);
  const schema = freshSchema('dd_soak');
  after(async () => {
    if (url) await dropSchemas(url, schema, `${schema}_boss`);
  });

  for (const store of ['postgres', 'sqlite'] as const) {
    (store === 'postgres' && !url ? it.skip : it)(
      `${store}: every closure finishes exactly once`,
      async () => {
        const report = await runCrashHarness({
          kills,
          dealsPerWave: 4,
          timeoutMs: kills * 30_000,
          ...(store === 'postgres' ? { databaseUrl: url!, databaseSchema: schema } : {}),
        });
        process.stdout.write(`      ${JSON.stringify(report)}\n`);
        assert.equal(report.kills, kills);
        assert.equal(report.completed, report.deals);
      },
    );
  }
});
