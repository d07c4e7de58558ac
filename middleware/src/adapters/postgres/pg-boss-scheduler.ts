/**
 * Scheduling on pg-boss, so several replicas share the work: "drive run X" and "fire due
 * timers" are pg-boss jobs in the same Postgres as the runs.
 * - The run queue uses the `short` policy keyed by run id: at most one queued job per run, so a
 *   burst of events for one run wakes it once, while a job may still be queued behind an active
 *   one (an event that arrives after the driver read its events is never lost).
 * - A session-level advisory lock per run, held on a dedicated connection while the run is
 *   driven, keeps two replicas (or two workers of one) from ever driving the same run at once.
 *   A replica that finds the lock taken queues the run again shortly, so the holder's late
 *   events are still handled. A killed replica's connection closes, which releases its locks at
 *   once; its claimed job comes back through pg-boss's heartbeat, and restarted replicas wake
 *   every unfinished run anyway.
 */
import pg from 'pg';
import { PgBoss, type Job } from 'pg-boss';
import type { Logger } from '../../logger.ts';
import type { RunScheduler, SchedulerWork } from '../../orchestrator/scheduler.ts';
import { assertSchemaName } from './pg-run-store.ts';

export const RUN_QUEUE = 'dealdesk-run';
export const TIMER_QUEUE = 'dealdesk-timer';

export interface PgBossSchedulerOptions {
  connectionString: string;
  /** pg-boss's own Postgres schema. */
  schema: string;
  logger: Logger;
  /** Runs this replica drives at once. */
  concurrency?: number;
  /** How long a replica that found a run locked waits before looking again. */
  lockRetryMs?: number;
  /**
   * How often an idle worker looks for jobs no NOTIFY told it of: 2 s, or 0.5 s while NOTIFY is
   * unavailable. Tests lengthen it to show that a backlog never waits for it.
   */
  backstopPollSeconds?: number;
}

export interface PgBossScheduler extends RunScheduler {
  boss: PgBoss;
}

// eslint-disable-next-line max-lines-per-function -- a factory whose body is the scheduler port's methods over one pg-boss instance, each a short function
export async function createPgBossScheduler(options: PgBossSchedulerOptions): Promise<PgBossScheduler> {
  const schema = assertSchemaName(options.schema);
  const concurrency = options.concurrency ?? 8;
  const lockRetryMs = options.lockRetryMs ?? 300;
  const polling = {
    pollingIntervalSeconds: options.backstopPollSeconds ?? 0.5,
    notifyPollingIntervalSeconds: options.backstopPollSeconds ?? 2,
  };
  const logger = options.logger.child({ component: 'pg-boss' });
  const boss = new PgBoss({
    connectionString: options.connectionString,
    schema,
    application_name: 'dealdesk',
    // Connections are counted per replica against max_connections (100 by default): stay small.
    max: 4,
    useListenNotify: true,
    // Claimed jobs of a replica that died are retried after a missed heartbeat; check often.
    superviseIntervalSeconds: 5,
  });
  boss.on('error', (err: unknown) => logger.error({ err }, 'pg-boss error'));
  await boss.start();
  const queueDefaults = {
    notify: true,
    heartbeatSeconds: 10,
    expireInSeconds: 600,
    retryLimit: 20,
    retryDelay: 1,
    retryBackoff: true,
    retryDelayMax: 30,
    deleteAfterSeconds: 3600,
  };
  await boss.createQueue(RUN_QUEUE, { ...queueDefaults, policy: 'short' });
  await boss.createQueue(TIMER_QUEUE, { ...queueDefaults, policy: 'standard' });
  // Lock connections are held for a whole drive, so they come from a pool of their own.
  const locks = new pg.Pool({ connectionString: options.connectionString, max: concurrency + 1 });
  locks.on('error', (err) => logger.warn({ err }, 'advisory lock connection lost'));
  const sendRun = (runId: string, startAfter?: Date) =>
    boss.send(RUN_QUEUE, { runId }, { singletonKey: runId, ...(startAfter ? { startAfter } : {}) });

  async function driveLocked(work: SchedulerWork, runId: string): Promise<void> {
    const client = await locks.connect();
    let release = true;
    try {
      const key = `dealdesk:run:${runId}`;
      const got = await client.query<{ ok: boolean }>(
        'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok',
        [key],
      );
      if (!got.rows[0]?.ok) {
        // Another driver holds the run; look again once it is likely done, so nothing it missed waits.
        await sendRun(runId, new Date(Date.now() + lockRetryMs));
        return;
      }
      try {
        await work.drive(runId);
      } finally {
        try {
          await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]);
        } catch (err) {
          // The session may be gone; a broken connection must not go back to the pool holding a lock.
          release = false;
          client.release(err instanceof Error ? err : true);
        }
      }
    } finally {
      if (release) client.release();
    }
  }

  let stopping: Promise<void> | undefined;
  return {
    boss,
    async start(work) {
      // One pg-boss worker per slot, each told to fetch again as soon as its run is driven. A
      // worker that fetched one job otherwise waits out the backstop poll before the next (no
      // NOTIFY comes for jobs already queued), so a backlog, e.g. a burst of closures or the
      // unfinished runs after a restart, drained at one run per worker every 2 s.
      for (let slot = 0; slot < concurrency; slot++) {
        // Known once work() returns; a first job that finishes before then just waits its poll.
        const worker: { id?: string } = {};
        worker.id = await boss.work<{ runId: string }>(
          RUN_QUEUE,
          { localConcurrency: 1, ...polling },
          async (jobs: Job<{ runId: string }>[]) => {
            try {
              for (const job of jobs) await driveLocked(work, job.data.runId);
            } finally {
              if (worker.id) boss.notifyWorker(worker.id);
            }
          },
        );
      }
      await boss.work(TIMER_QUEUE, { localConcurrency: 1, ...polling }, async () => work.tick());
    },
    async kick(runId) {
      await sendRun(runId);
    },
    async timersAdded(runId, dueAts) {
      // One tick per distinct due time: a tick fires every timer due by then.
      const distinct = [...new Set(dueAts.map((d) => d.getTime()))];
      if (distinct.length > 0)
        await boss.insert(
          TIMER_QUEUE,
          distinct.map((t) => ({ data: { runId }, startAfter: new Date(t) })),
        );
    },
    // Once: the orchestrator stops it on a normal stop, and the process that opened it stops it
    // again whether or not the orchestrator ever ran (a start that failed half way).
    stop() {
      stopping ??= (async () => {
        await boss.stop({ graceful: true, timeout: 10_000 });
        await locks.end();
      })();
      return stopping;
    },
  };
}
