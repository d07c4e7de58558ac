/**
 * The run store on Postgres (node-postgres): several middleware replicas share it. Semantics
 * match the SQLite store exactly (one contract test suite runs against both): createRun is one
 * transaction serialised per opportunity and idempotency key by advisory locks, a partial
 * unique index keeps one active run per opportunity even so, events are stored once per dedupe
 * key, and each memo key is a row of its own, upserted, so concurrent writers cannot lose a key.
 */
import pg from 'pg';
import type {
  CreateRunResult,
  NewRun,
  NewTimer,
  RunEvent,
  RunRecord,
  RunStore,
  StepRow,
  TimerRow,
} from '../../ports/store.ts';
import {
  ACTIVE,
  hourBefore,
  hourOf,
  RUN_COLUMNS_BY_FIELD,
  RUN_STATE_COLUMNS,
  runFromRow,
  runStateFromRow,
  stepFromRow,
  stepParams,
  unfinishedCountFromRow,
  type Row,
  type RowCodec,
} from '../run-store-rows.ts';
import { migrate } from './migrations.ts';

export interface PgRunStoreOptions {
  connectionString: string;
  /** A Postgres schema of its own (created when missing); `public` by default. */
  schema?: string;
  /** Connections this process may hold. */
  poolSize?: number;
}

export interface PgRunStore extends RunStore {
  pool: pg.Pool;
  schema: string;
}

const iso = (v: unknown): string => (v instanceof Date ? v.toISOString() : String(v));

// node-postgres hands back timestamps as Date and jsonb already parsed.
const CODEC: RowCodec = { date: iso, json: (v) => v ?? null };
const toRun = (r: Row): RunRecord => runFromRow(r, CODEC);
/** The pool, or a client inside a transaction. */
type Queryable = pg.Pool | pg.PoolClient;

/**
 * A run's columns with its memo assembled from run_memo, optionally only the keys `keyFilter` (an
 * SQL condition on `m.key`) keeps: each memo key is a row of its own, so a write stores only the
 * key it changes instead of rewriting (and sending back) the whole memo.
 */
const runWithMemo = (keyFilter = 'true') =>
  `${RUN_STATE_COLUMNS}, (SELECT coalesce(jsonb_object_agg(m.key, m.value), '{}'::jsonb) FROM run_memo m WHERE m.run_id = runs.id AND (${keyFilter})) AS memo`;
const RUN_WITH_MEMO = runWithMemo();

/** A schema name goes into SQL text, so only plain identifiers are accepted. */
export function assertSchemaName(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
    throw new Error(`invalid Postgres schema name "${schema}": use lower-case letters, digits and _`);
  return schema;
}

// eslint-disable-next-line max-lines-per-function -- a factory whose body is the RunStore port's methods over one pool, each a short function; run-store.contract.ts tests them
export async function createPgRunStore(options: PgRunStoreOptions): Promise<PgRunStore> {
  const schema = assertSchemaName(options.schema ?? 'public');
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize ?? 10,
    // Every connection sees this store's tables first, whatever the role's default search path.
    options: `-c search_path=${schema}`,
  });
  // An idle client losing its server (a restart, a failover) must not crash the process.
  pool.on('error', () => undefined);
  try {
    await migrate(pool, schema);
  } catch (err) {
    await pool.end();
    throw err;
  }

  const saveStep = (q: Queryable, s: StepRow) =>
    q.query(
      `INSERT INTO steps (run_id, stage, agent, status, attempts, started_at, finished_at, duration_ms, active_ms, reasoning, confidence, error, output)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb)
       ON CONFLICT (run_id, stage) DO UPDATE SET agent = excluded.agent, status = excluded.status, attempts = excluded.attempts,
         started_at = excluded.started_at, finished_at = excluded.finished_at, duration_ms = excluded.duration_ms,
         active_ms = excluded.active_ms, reasoning = excluded.reasoning, confidence = excluded.confidence,
         error = excluded.error, output = excluded.output`,
      stepParams(s),
    );
  const consumeEvents = async (q: Queryable, ids: number[], at: string) => {
    if (ids.length > 0)
      await q.query('UPDATE events SET consumed_at = $1 WHERE id = ANY($2::bigint[])', [at, ids]);
  };
  const insertTimers = async (q: Queryable, timers: NewTimer[]) => {
    if (timers.length === 0) return;
    await q.query(
      `INSERT INTO timers (run_id, kind, due_at, payload)
       SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::jsonb[])`,
      [
        timers.map((t) => t.runId),
        timers.map((t) => t.kind),
        timers.map((t) => t.dueAt),
        timers.map((t) => JSON.stringify(t.payload ?? null)),
      ],
    );
  };
  const one = async (sql: string, params: unknown[] = []): Promise<Row | undefined> =>
    (await pool.query<Row>(sql, params)).rows[0];
  const all = async (sql: string, params: unknown[] = []): Promise<Row[]> =>
    (await pool.query<Row>(sql, params)).rows;
  const tx = async <T>(work: (c: pg.PoolClient) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  };

  return {
    pool,
    schema,

    async createRun(input: NewRun): Promise<CreateRunResult> {
      return tx(async (c) => {
        // Two replicas creating a run for the same opportunity (or key) take turns here.
        const keys = [`opp:${input.opportunityId}`];
        if (input.idempotencyKey) keys.push(`key:${input.idempotencyKey}`);
        // Always in the same order, so two transactions never wait on each other's second lock.
        for (const key of keys.sort())
          await c.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`dealdesk:${key}`]);
        if (input.idempotencyKey) {
          const existing = (
            await c.query<Row>(`SELECT ${RUN_WITH_MEMO} FROM runs WHERE idempotency_key = $1`, [
              input.idempotencyKey,
            ])
          ).rows[0];
          if (existing) return { outcome: 'existing', run: toRun(existing) };
        }
        const running = (
          await c.query<Row>(
            `SELECT ${RUN_WITH_MEMO} FROM runs WHERE opportunity_id = $1 AND status IN ${ACTIVE} ORDER BY created_at LIMIT 1`,
            [input.opportunityId],
          )
        ).rows[0];
        if (running) return { outcome: 'conflict', running: toRun(running) };
        const created = (
          await c.query<Row>(
            `INSERT INTO runs (id, opportunity_id, deal_closure_id, trigger, note, transcript, idempotency_key, status, stage_index, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued', 0, $8, $8) RETURNING ${RUN_STATE_COLUMNS}`,
            [
              input.id,
              input.opportunityId,
              input.dealClosureId,
              input.trigger,
              input.note,
              input.transcript,
              input.idempotencyKey,
              input.createdAt,
            ],
          )
        ).rows[0]!;
        return { outcome: 'created', run: toRun(created) };
      });
    },

    async getRun(id) {
      const row = await one(`SELECT ${RUN_WITH_MEMO} FROM runs WHERE id = $1`, [id]);
      return row ? toRun(row) : undefined;
    },

    async unfinishedRuns() {
      return (
        await all(`SELECT ${RUN_STATE_COLUMNS} FROM runs WHERE status IN ${ACTIVE} ORDER BY created_at, id`)
      ).map((r) => runStateFromRow(r, CODEC));
    },

    async countUnfinished() {
      const rows = await all(
        `SELECT status, waiting_for, COUNT(*) AS n FROM runs WHERE status IN ${ACTIVE} GROUP BY status, waiting_for`,
      );
      return rows.map(unfinishedCountFromRow);
    },

    async updateRun(id, patch, memo, also) {
      const sets: string[] = [];
      const values: unknown[] = [];
      for (const [key, value] of Object.entries(patch)) {
        const column = RUN_COLUMNS_BY_FIELD[key];
        if (!column || value === undefined) continue;
        values.push(value);
        sets.push(`${column} = $${values.length}`);
      }
      values.push(id);
      const idParam = `$${values.length}`;
      const run =
        sets.length > 0
          ? `UPDATE runs SET ${sets.join(', ')} WHERE id = ${idParam} RETURNING ${RUN_STATE_COLUMNS}`
          : `SELECT ${RUN_STATE_COLUMNS} FROM runs WHERE id = ${idParam}`;
      // One statement: the memo keys are stored only when the run exists.
      const update = async (q: Queryable) => {
        const row = memo
          ? (
              await q.query<Row>(
                `WITH run AS (${run}), memo AS (
                   INSERT INTO run_memo (run_id, key, value)
                   SELECT run.id, m.key, m.value FROM run, jsonb_each($${values.length + 1}::jsonb) m
                   ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value
                 ) SELECT * FROM run`,
                [...values, JSON.stringify(memo)],
              )
            ).rows[0]
          : (await q.query<Row>(run, values)).rows[0];
        if (!row) throw new Error(`no run ${id}`);
        return runStateFromRow(row, CODEC);
      };
      if (!also?.step && !also?.consumeEvents?.ids.length && !also?.timers?.length) return update(pool);
      return tx(async (c) => {
        const state = await update(c);
        if (also.step) await saveStep(c, also.step);
        if (also.consumeEvents) await consumeEvents(c, also.consumeEvents.ids, also.consumeEvents.at);
        if (also.timers) await insertTimers(c, also.timers);
        return state;
      });
    },

    async saveStep(s: StepRow) {
      await saveStep(pool, s);
    },

    async steps(runId) {
      return (await all('SELECT * FROM steps WHERE run_id = $1 ORDER BY started_at, seq', [runId])).map((r) =>
        stepFromRow(r, CODEC),
      );
    },

    async addEvent(runId, kind, dedupeKey, payload, receivedAt) {
      const result = await pool.query(
        `INSERT INTO events (run_id, kind, dedupe_key, payload, received_at) VALUES ($1, $2, $3, $4::jsonb, $5)
         ON CONFLICT (dedupe_key) DO NOTHING`,
        [runId, kind, dedupeKey, JSON.stringify(payload ?? null), receivedAt],
      );
      return (result.rowCount ?? 0) > 0;
    },

    async pendingEvents(runId) {
      return (
        await all('SELECT * FROM events WHERE run_id = $1 AND consumed_at IS NULL ORDER BY id', [runId])
      ).map((r): RunEvent => ({
        id: Number(r.id),
        runId: String(r.run_id),
        kind: String(r.kind),
        dedupeKey: String(r.dedupe_key),
        payload: r.payload ?? null,
        receivedAt: iso(r.received_at),
      }));
    },

    async consumeEvents(ids, at) {
      await consumeEvents(pool, ids, at);
    },

    async addTimers(timers) {
      await insertTimers(pool, timers);
    },

    async dueTimers(now) {
      return (await all('SELECT * FROM timers WHERE due_at <= $1 ORDER BY due_at, id', [now])).map(
        (r): TimerRow => ({
          id: Number(r.id),
          runId: String(r.run_id),
          kind: String(r.kind),
          dueAt: iso(r.due_at),
          payload: r.payload ?? null,
        }),
      );
    },

    async clearTimers(runId, kind) {
      if (kind) await pool.query('DELETE FROM timers WHERE run_id = $1 AND kind = $2', [runId, kind]);
      else await pool.query('DELETE FROM timers WHERE run_id = $1', [runId]);
    },

    async deleteTimers(ids) {
      if (ids.length === 0) return;
      await pool.query('DELETE FROM timers WHERE id = ANY($1::bigint[])', [ids]);
    },

    async indexRecords(runId, records) {
      if (records.length === 0) return;
      await pool.query(
        `INSERT INTO record_index (record_id, run_id, kind)
         SELECT r.id, $1, r.kind FROM unnest($2::text[], $3::text[]) AS r(id, kind)
         ON CONFLICT (record_id) DO NOTHING`,
        [runId, records.map((r) => r.recordId), records.map((r) => r.kind)],
      );
    },

    async runForRecord(recordId) {
      const row = await one('SELECT run_id, kind FROM record_index WHERE record_id = $1', [recordId]);
      return row ? { runId: String(row.run_id), kind: String(row.kind) } : undefined;
    },

    async takeHourlyBudget(name, max, at) {
      if (max < 1) return false;
      // The upsert takes the row's lock: replicas taking at once each see the other's unit.
      await one('DELETE FROM hourly_budgets WHERE name = $1 AND hour < $2', [name, hourBefore(at)]);
      const row = await one(
        `INSERT INTO hourly_budgets (name, hour, used) VALUES ($1, $2, 1)
         ON CONFLICT (name, hour) DO UPDATE SET used = hourly_budgets.used + 1
         WHERE hourly_budgets.used < $3 RETURNING used`,
        [name, hourOf(at), max],
      );
      return row !== undefined;
    },

    async completedRuns(limit, memoPrefixes) {
      if (!memoPrefixes)
        return (
          await all(
            `SELECT ${RUN_WITH_MEMO} FROM runs WHERE status = 'completed' ORDER BY completed_at DESC LIMIT $1`,
            [limit],
          )
        ).map(toRun);
      return (
        await all(
          `SELECT ${runWithMemo('EXISTS (SELECT 1 FROM unnest($2::text[]) AS p(prefix) WHERE starts_with(m.key, p.prefix))')}
           FROM runs WHERE status = 'completed' ORDER BY completed_at DESC LIMIT $1`,
          [limit, memoPrefixes],
        )
      ).map(toRun);
    },

    async countCompletedThrough(stage, createdBefore, exceptRunId) {
      const row = await one(
        `SELECT COUNT(*)::int AS n FROM runs r WHERE r.status = 'completed' AND r.created_at < $1 AND r.id <> $2
           AND EXISTS (SELECT 1 FROM steps s WHERE s.run_id = r.id AND s.stage = $3)`,
        [createdBefore, exceptRunId, stage],
      );
      return Number(row?.n ?? 0);
    },

    async completedStepDurations(stage, limit) {
      return (
        await all(
          `SELECT s.run_id, s.duration_ms FROM steps s JOIN runs r ON r.id = s.run_id
           WHERE r.status = 'completed' AND s.stage = $1 AND s.duration_ms IS NOT NULL
           ORDER BY r.completed_at DESC LIMIT $2`,
          [stage, limit],
        )
      ).map((r) => ({ runId: String(r.run_id), durationMs: Number(r.duration_ms) }));
    },

    async close() {
      await pool.end();
    },
  };
}
