/**
 * The pg-boss scheduler against a real Postgres: how its workers take a backlog, and how it stops.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../../logger.ts';
import { dropSchemas, freshSchema, testDatabaseUrl } from '@dealdesk/test-kit/postgres';
import { createPgBossScheduler } from './pg-boss-scheduler.ts';

const url = testDatabaseUrl();

(url ? describe : describe.skip)('pg-boss scheduler', function () {
  this.timeout(60_000);
  const schema = freshSchema('dd_sched');
  after(async () => dropSchemas(url!, schema));

  it('drains a backlog at once: a worker that finishes a run fetches the next, not at the next poll', async () => {
    // A 30 s backstop poll: were the workers not told to fetch again, two workers would take
    // twelve queued runs two at a time, 30 s apart, and the 10 s wait below would fail.
    const scheduler = await createPgBossScheduler({
      connectionString: url!,
      schema,
      logger: createLogger({ level: 'silent' }),
      concurrency: 2,
      backstopPollSeconds: 30,
    });
    try {
      const runIds = Array.from({ length: 12 }, (_, i) => `run-backlog-${i}`);
      for (const id of runIds) await scheduler.kick(id);
      const driven: string[] = [];
      let drained: () => void = () => {};
      const all = new Promise<void>((resolve) => (drained = resolve));
      await scheduler.start({
        drive: async (runId) => {
          driven.push(runId);
          if (driven.length === runIds.length) drained();
        },
        tick: async () => {},
      });
      const waited = await Promise.race([all.then(() => 'drained'), sleep(10_000).then(() => 'poll')]);
      assert.equal(waited, 'drained', `only ${driven.length} of ${runIds.length} runs driven within 10 s`);
      assert.deepEqual([...driven].sort(), [...runIds].sort(), 'each run driven once');
    } finally {
      await scheduler.stop();
    }
  });

  it('stops once: the orchestrator and the process that opened it may both stop it', async () => {
    const scheduler = await createPgBossScheduler({
      connectionString: url!,
      schema,
      logger: createLogger({ level: 'silent' }),
    });
    await Promise.all([scheduler.stop(), scheduler.stop()]);
    await scheduler.stop();
    await assert.rejects(scheduler.kick('run-after-stop'));
  });
});
