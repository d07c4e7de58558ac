/**
 * Postgres mode (DATABASE_URL): the run store and the pg-boss scheduler, opened together at
 * start-up (migrations first), so every replica pointed at the same database shares the runs.
 */
import type { Logger } from '../../logger.ts';
import { createPgRunStore, type PgRunStore } from './pg-run-store.ts';
import { createPgBossScheduler, type PgBossScheduler } from './pg-boss-scheduler.ts';

export interface PostgresMode {
  store: PgRunStore;
  scheduler: PgBossScheduler;
}

export async function openPostgresMode(options: {
  databaseUrl: string;
  /** The run store's schema; pg-boss uses `<schema>_boss`. */
  schema: string;
  logger: Logger;
  concurrency?: number;
}): Promise<PostgresMode> {
  const store = await createPgRunStore({
    connectionString: options.databaseUrl,
    schema: options.schema,
    poolSize: 6,
  });
  try {
    const scheduler = await createPgBossScheduler({
      connectionString: options.databaseUrl,
      schema: `${options.schema}_boss`,
      logger: options.logger,
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    });
    options.logger.info({ schema: options.schema }, 'runs are stored in Postgres and scheduled with pg-boss');
    return { store, scheduler };
  } catch (err) {
    await store.close();
    throw err;
  }
}
