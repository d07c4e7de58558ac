/**
 * Crash safety, bounded for `npm test`: 10 SIGKILLs of the middleware while it closes several
 * deals (Postgres mode when TEST_DATABASE_URL is set, else SQLite), then every closure finished
 * exactly once. `npm run soak` runs the 100-kill version (test/soak/).
 */
import assert from 'node:assert/strict';
import { runCrashHarness } from '@dealdesk/middleware/testing';
import { dropSchemas, freshSchema } from '@dealdesk/test-kit/postgres';

describe('crash harness (10 random SIGKILLs)', function () {
  this.timeout(240_000);
  const url = process.env.TEST_DATABASE_URL;
  const schema = freshSchema('dd_crash');
  after(async () => {
    if (url) await dropSchemas(url, schema, `${schema}_boss`);
  });

  it(`finishes every closure exactly once (${url ? 'Postgres' : 'SQLite'} mode)`, async () => {
    const report = await runCrashHarness({
      kills: 10,
      dealsPerWave: 3,
      ...(url ? { databaseUrl: url, databaseSchema: schema } : {}),
    });
    process.stdout.write(`      ${JSON.stringify(report)}\n`);
    assert.equal(report.kills, 10, 'every planned kill happened before the closures finished');
    assert.equal(report.completed, report.deals);
    assert.ok(report.killsMidWriteBack > 0, 'some kills landed mid-write-back');
  });
});
