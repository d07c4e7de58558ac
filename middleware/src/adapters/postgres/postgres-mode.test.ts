/**
 * Postgres mode end to end in one process: DATABASE_URL stores the runs in Postgres and drives
 * them through pg-boss jobs; the demo closure completes, and its state is in Postgres.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig } from '../../config/config.ts';
import { createLogger } from '../../logger.ts';
import { startServer } from '../../server.ts';
import { runDemo } from '../../demo/run-demo.ts';
import { dropSchemas, freshSchema, testDatabaseUrl } from '@dealdesk/test-kit/postgres';
import { RUN_QUEUE } from './pg-boss-scheduler.ts';

const url = testDatabaseUrl();

(url ? describe : describe.skip)('Postgres mode (DATABASE_URL)', function () {
  this.timeout(90_000);
  const schema = freshSchema('dd_mode');
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'dealdesk-pgmode-'));
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await dropSchemas(url!, schema, `${schema}_boss`);
  });

  it('runs the demo closure to completion with runs in Postgres, driven by pg-boss jobs', async () => {
    const config = loadConfig({
      PORT: '0',
      DEALDESK_DATA_DIR: dir,
      LOG_LEVEL: 'silent',
      DATABASE_URL: url!,
      DATABASE_SCHEMA: schema,
    });
    const server = await startServer(config, createLogger({ level: 'silent' }), { timerPollMs: 200 });
    let runId: string;
    try {
      const result = await runDemo(server, () => undefined);
      assert.equal(result.view.status, 'Completed');
      runId = result.closureId;
    } finally {
      await server.close();
    }
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const run = await client.query(`SELECT status, stage_index FROM ${schema}.runs WHERE id = $1`, [runId]);
      assert.deepEqual(run.rows, [{ status: 'completed', stage_index: 7 }]);
      const steps = await client.query(`SELECT count(*)::int AS n FROM ${schema}.steps WHERE run_id = $1`, [
        runId,
      ]);
      assert.equal(steps.rows[0].n, 7);
      const jobs = await client.query(
        `SELECT state, count(*)::int AS n FROM ${schema}_boss.job WHERE name = $1 AND singleton_key = $2 GROUP BY state`,
        [RUN_QUEUE, runId],
      );
      const byState = Object.fromEntries(jobs.rows.map((r: { state: string; n: number }) => [r.state, r.n]));
      assert.ok(
        (byState.completed ?? 0) >= 3,
        `the run was driven by pg-boss jobs: ${JSON.stringify(byState)}`,
      );
      assert.equal(byState.failed, undefined, 'no drive job failed');
    } finally {
      await client.end();
    }
  });
});
