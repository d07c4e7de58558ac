/**
 * Schema migrations for the Postgres run store, applied at start-up. Each migration runs once,
 * in order, recorded in schema_migrations; replicas starting together take turns on an
 * advisory lock, so exactly one of them applies a new migration and the others see it done.
 * Append new migrations; never edit one that has shipped.
 */
import type pg from 'pg';

export const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'runs, steps, events, timers, record index',
    sql: `
CREATE TABLE runs (
  id text PRIMARY KEY,
  opportunity_id text NOT NULL,
  deal_closure_id text,
  trigger text NOT NULL,
  note text,
  transcript text,
  idempotency_key text UNIQUE,
  status text NOT NULL,
  waiting_for text,
  stage_index integer NOT NULL DEFAULT 0,
  error text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  completed_at timestamptz,
  memo jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX runs_status ON runs (status);
-- One active run per opportunity, whatever a replica does.
CREATE UNIQUE INDEX runs_one_active ON runs (opportunity_id) WHERE status IN ('queued', 'running', 'waiting');
CREATE TABLE steps (
  seq bigserial,
  run_id text NOT NULL,
  stage text NOT NULL,
  agent text NOT NULL,
  status text NOT NULL,
  attempts integer NOT NULL,
  started_at timestamptz NOT NULL,
  finished_at timestamptz,
  duration_ms integer,
  active_ms integer NOT NULL,
  reasoning text NOT NULL,
  confidence double precision,
  error text,
  output jsonb,
  PRIMARY KEY (run_id, stage)
);
CREATE TABLE events (
  id bigserial PRIMARY KEY,
  run_id text NOT NULL,
  kind text NOT NULL,
  dedupe_key text NOT NULL UNIQUE,
  payload jsonb NOT NULL,
  received_at timestamptz NOT NULL,
  consumed_at timestamptz
);
CREATE INDEX events_pending ON events (run_id) WHERE consumed_at IS NULL;
CREATE TABLE timers (
  id bigserial PRIMARY KEY,
  run_id text NOT NULL,
  kind text NOT NULL,
  due_at timestamptz NOT NULL,
  payload jsonb NOT NULL
);
CREATE INDEX timers_due ON timers (due_at);
CREATE INDEX timers_run ON timers (run_id);
CREATE TABLE record_index (
  record_id text PRIMARY KEY,
  run_id text NOT NULL,
  kind text NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'memo keys as rows of their own',
    sql: `
CREATE TABLE run_memo (
  run_id text NOT NULL,
  key text NOT NULL,
  value jsonb NOT NULL,
  PRIMARY KEY (run_id, key)
);
INSERT INTO run_memo (run_id, key, value) SELECT r.id, m.key, m.value FROM runs r, jsonb_each(r.memo) m;
UPDATE runs SET memo = '{}'::jsonb WHERE memo <> '{}'::jsonb;
`,
  },
  {
    version: 3,
    name: 'hourly budgets shared by the replicas',
    sql: `
CREATE TABLE hourly_budgets (
  name text NOT NULL,
  hour text NOT NULL,
  used integer NOT NULL,
  PRIMARY KEY (name, hour)
);
`,
  },
];

export async function migrate(pool: pg.Pool, schema: string): Promise<number[]> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
      `dealdesk:migrate:${schema}`,
    ]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const done = new Set(
      (await client.query<{ version: number }>(`SELECT version FROM ${schema}.schema_migrations`)).rows.map(
        (r) => r.version,
      ),
    );
    const applied: number[] = [];
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      await client.query(`SET LOCAL search_path TO ${schema}`);
      await client.query(m.sql);
      await client.query(`INSERT INTO ${schema}.schema_migrations (version, name) VALUES ($1, $2)`, [
        m.version,
        m.name,
      ]);
      applied.push(m.version);
    }
    await client.query('COMMIT');
    return applied;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
