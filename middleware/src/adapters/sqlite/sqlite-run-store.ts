/**
 * The run store on node:sqlite: the embedded default. WAL mode, one connection; every method is
 * synchronous underneath, so a multi-statement change (create-or-conflict) is one transaction.
 */
import { DatabaseSync } from 'node:sqlite';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
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
import { preparedStatements, writeTransaction } from '@dealdesk/contracts/sqlite';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY,
  opportunity_id TEXT NOT NULL,
  deal_closure_id TEXT,
  trigger TEXT NOT NULL,
  note TEXT,
  transcript TEXT,
  idempotency_key TEXT UNIQUE,
  status TEXT NOT NULL,
  waiting_for TEXT,
  stage_index INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  completed_at TEXT,
  memo TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS runs_status ON runs(status);
CREATE INDEX IF NOT EXISTS runs_opportunity ON runs(opportunity_id, status);
CREATE TABLE IF NOT EXISTS steps (
  run_id TEXT NOT NULL, stage TEXT NOT NULL, agent TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL,
  started_at TEXT NOT NULL, finished_at TEXT, duration_ms INTEGER, active_ms INTEGER NOT NULL, reasoning TEXT NOT NULL,
  confidence REAL, error TEXT, output TEXT,
  PRIMARY KEY (run_id, stage)
);
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL, kind TEXT NOT NULL, dedupe_key TEXT NOT NULL UNIQUE,
  payload TEXT NOT NULL, received_at TEXT NOT NULL, consumed_at TEXT
);
CREATE INDEX IF NOT EXISTS events_pending ON events(run_id, consumed_at);
CREATE TABLE IF NOT EXISTS timers (
  id INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL, kind TEXT NOT NULL, due_at TEXT NOT NULL, payload TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS timers_due ON timers(due_at);
CREATE TABLE IF NOT EXISTS record_index (record_id TEXT PRIMARY KEY, run_id TEXT NOT NULL, kind TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS run_memo (run_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (run_id, key));
CREATE TABLE IF NOT EXISTS hourly_budgets (name TEXT NOT NULL, hour TEXT NOT NULL, used INTEGER NOT NULL, PRIMARY KEY (name, hour));
`;

/**
 * A run's columns with its memo assembled from run_memo, optionally only the keys `keyFilter`
 * (an SQL condition on `m.key`) keeps. Each memo key is a row of its own, so a write stores only
 * the key it changes; rewriting a whole memo of tens of kB on every write was most of a closure's
 * cost.
 */
const runWithMemo = (keyFilter = '1') =>
  `${RUN_STATE_COLUMNS}, (SELECT json_group_object(m.key, json(m.value)) FROM run_memo m WHERE m.run_id = runs.id AND (${keyFilter})) AS memo`;
const RUN_WITH_MEMO = runWithMemo();

// SQLite keeps timestamps and JSON as text.
const CODEC: RowCodec = { date: String, json: (v) => JSON.parse(String(v ?? 'null')) as unknown };
const toRun = (r: Row): RunRecord => runFromRow(r, CODEC);

/** Databases written before run_memo kept the memo in runs.memo: move it over, once. */
function moveInlineMemos(db: DatabaseSync): void {
  const inline = db.prepare("SELECT id, memo FROM runs WHERE memo <> '{}'").all();
  if (inline.length === 0) return;
  const put = db.prepare('INSERT OR IGNORE INTO run_memo (run_id, key, value) VALUES (?, ?, ?)');
  writeTransaction(db, () => {
    for (const row of inline)
      for (const [key, value] of Object.entries(JSON.parse(String(row.memo)) as Record<string, unknown>))
        put.run(String(row.id), key, JSON.stringify(value));
    db.exec("UPDATE runs SET memo = '{}' WHERE memo <> '{}'");
  });
}

// eslint-disable-next-line max-lines-per-function -- a factory whose body is the RunStore port's methods over one connection, each a short function; run-store.contract.ts tests them
export function createSqliteRunStore(path: string): RunStore {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;');
  db.exec(SCHEMA);
  moveInlineMemos(db);
  const sql = preparedStatements(db);
  // The memo's rows parsed here, each once: json_group_object would have SQLite parse and
  // re-serialise every value (tens of kB per run) only for JSON.parse to read it all again.
  const getRun = (id: string): RunRecord | undefined => {
    const row = sql(`SELECT ${RUN_STATE_COLUMNS} FROM runs WHERE id = ?`).get(id);
    if (!row) return undefined;
    const memo: Record<string, unknown> = {};
    for (const m of sql('SELECT key, value FROM run_memo WHERE run_id = ? ORDER BY key').all(id))
      memo[String(m.key)] = JSON.parse(String(m.value)) as unknown;
    return { ...runStateFromRow(row, CODEC), memo };
  };
  const tx = <T>(work: () => T): T => writeTransaction(db, work);
  const saveStep = (s: StepRow) =>
    sql(
      `INSERT INTO steps (run_id, stage, agent, status, attempts, started_at, finished_at, duration_ms, active_ms, reasoning, confidence, error, output)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(run_id, stage) DO UPDATE SET agent = excluded.agent, status = excluded.status, attempts = excluded.attempts,
         started_at = excluded.started_at, finished_at = excluded.finished_at, duration_ms = excluded.duration_ms,
         active_ms = excluded.active_ms, reasoning = excluded.reasoning, confidence = excluded.confidence,
         error = excluded.error, output = excluded.output`,
    ).run(...stepParams(s));
  const consumeEvents = (ids: number[], at: string) => {
    const stmt = sql('UPDATE events SET consumed_at = ? WHERE id = ?');
    for (const id of ids) stmt.run(at, id);
  };
  const insertTimers = (timers: NewTimer[]) => {
    const put = sql('INSERT INTO timers (run_id, kind, due_at, payload) VALUES (?, ?, ?, ?)');
    for (const t of timers) put.run(t.runId, t.kind, t.dueAt, JSON.stringify(t.payload));
  };

  return {
    async createRun(input: NewRun): Promise<CreateRunResult> {
      return tx(() => {
        if (input.idempotencyKey) {
          const existing = sql('SELECT id FROM runs WHERE idempotency_key = ?').get(input.idempotencyKey);
          if (existing) return { outcome: 'existing', run: getRun(String(existing.id))! };
        }
        const running = sql(
          `SELECT id FROM runs WHERE opportunity_id = ? AND status IN ${ACTIVE} ORDER BY created_at LIMIT 1`,
        ).get(input.opportunityId);
        if (running) return { outcome: 'conflict', running: getRun(String(running.id))! };
        sql(
          `INSERT INTO runs (id, opportunity_id, deal_closure_id, trigger, note, transcript, idempotency_key, status, stage_index, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', 0, ?, ?)`,
        ).run(
          input.id,
          input.opportunityId,
          input.dealClosureId,
          input.trigger,
          input.note,
          input.transcript,
          input.idempotencyKey,
          input.createdAt,
          input.createdAt,
        );
        return { outcome: 'created', run: getRun(input.id)! };
      });
    },

    async getRun(id) {
      return getRun(id);
    },

    async unfinishedRuns() {
      return sql(`SELECT ${RUN_STATE_COLUMNS} FROM runs WHERE status IN ${ACTIVE} ORDER BY created_at`)
        .all()
        .map((r) => runStateFromRow(r, CODEC));
    },

    async countUnfinished() {
      return sql(
        `SELECT status, waiting_for, COUNT(*) AS n FROM runs WHERE status IN ${ACTIVE} GROUP BY status, waiting_for`,
      )
        .all()
        .map(unfinishedCountFromRow);
    },

    async updateRun(id, patch, memo, also) {
      return tx(() => {
        const sets: string[] = [];
        const values: (string | number | null)[] = [];
        for (const [key, value] of Object.entries(patch)) {
          const column = RUN_COLUMNS_BY_FIELD[key];
          if (!column || value === undefined) continue;
          sets.push(`${column} = ?`);
          values.push(value as string | number | null);
        }
        if (sets.length > 0) sql(`UPDATE runs SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
        const row = sql(`SELECT ${RUN_STATE_COLUMNS} FROM runs WHERE id = ?`).get(id);
        if (!row) throw new Error(`no run ${id}`);
        const put = sql(
          'INSERT INTO run_memo (run_id, key, value) VALUES (?, ?, ?) ON CONFLICT(run_id, key) DO UPDATE SET value = excluded.value',
        );
        for (const [key, value] of Object.entries(memo ?? {}))
          if (value !== undefined) put.run(id, key, JSON.stringify(value));
        if (also?.step) saveStep(also.step);
        if (also?.consumeEvents) consumeEvents(also.consumeEvents.ids, also.consumeEvents.at);
        if (also?.timers) insertTimers(also.timers);
        return runStateFromRow(row, CODEC);
      });
    },

    async saveStep(s: StepRow) {
      saveStep(s);
    },

    async steps(runId) {
      return sql('SELECT * FROM steps WHERE run_id = ? ORDER BY started_at, rowid')
        .all(runId)
        .map((r) => stepFromRow(r, CODEC));
    },

    async addEvent(runId, kind, dedupeKey, payload, receivedAt) {
      const result = sql(
        'INSERT INTO events (run_id, kind, dedupe_key, payload, received_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(dedupe_key) DO NOTHING',
      ).run(runId, kind, dedupeKey, JSON.stringify(payload), receivedAt);
      return Number(result.changes) > 0;
    },

    async pendingEvents(runId) {
      return sql('SELECT * FROM events WHERE run_id = ? AND consumed_at IS NULL ORDER BY id')
        .all(runId)
        .map((r): RunEvent => ({
          id: Number(r.id),
          runId: String(r.run_id),
          kind: String(r.kind),
          dedupeKey: String(r.dedupe_key),
          payload: JSON.parse(String(r.payload)) as unknown,
          receivedAt: String(r.received_at),
        }));
    },

    async consumeEvents(ids, at) {
      if (ids.length > 0) tx(() => consumeEvents(ids, at));
    },

    async addTimers(timers) {
      if (timers.length > 0) tx(() => insertTimers(timers));
    },

    async dueTimers(now) {
      return sql('SELECT * FROM timers WHERE due_at <= ? ORDER BY due_at, id')
        .all(now)
        .map((r): TimerRow => ({
          id: Number(r.id),
          runId: String(r.run_id),
          kind: String(r.kind),
          dueAt: String(r.due_at),
          payload: JSON.parse(String(r.payload)) as unknown,
        }));
    },

    async clearTimers(runId, kind) {
      if (kind) sql('DELETE FROM timers WHERE run_id = ? AND kind = ?').run(runId, kind);
      else sql('DELETE FROM timers WHERE run_id = ?').run(runId);
    },

    async deleteTimers(ids) {
      tx(() => {
        const stmt = sql('DELETE FROM timers WHERE id = ?');
        for (const id of ids) stmt.run(id);
      });
    },

    async indexRecords(runId, records) {
      if (records.length === 0) return;
      const put = sql(
        'INSERT INTO record_index (record_id, run_id, kind) VALUES (?, ?, ?) ON CONFLICT(record_id) DO NOTHING',
      );
      tx(() => {
        for (const r of records) put.run(r.recordId, runId, r.kind);
      });
    },

    async runForRecord(recordId) {
      const row = sql('SELECT run_id, kind FROM record_index WHERE record_id = ?').get(recordId);
      return row ? { runId: String(row.run_id), kind: String(row.kind) } : undefined;
    },

    async takeHourlyBudget(name, max, at) {
      if (max < 1) return false;
      return tx(() => {
        sql('DELETE FROM hourly_budgets WHERE name = ? AND hour < ?').run(name, hourBefore(at));
        return (
          sql(
            `INSERT INTO hourly_budgets (name, hour, used) VALUES (?, ?, 1)
             ON CONFLICT(name, hour) DO UPDATE SET used = used + 1 WHERE used < ? RETURNING used`,
          ).get(name, hourOf(at), max) !== undefined
        );
      });
    },

    async completedRuns(limit, memoPrefixes) {
      if (!memoPrefixes)
        return sql(
          `SELECT ${RUN_WITH_MEMO} FROM runs WHERE status = 'completed' ORDER BY completed_at DESC LIMIT ?`,
        )
          .all(limit)
          .map(toRun);
      // instr(key, p) = 1: the key starts with p (no LIKE wildcards to escape in the prefixes).
      const keep = memoPrefixes.length > 0 ? memoPrefixes.map(() => 'instr(m.key, ?) = 1').join(' OR ') : '0';
      return sql(
        `SELECT ${runWithMemo(keep)} FROM runs WHERE status = 'completed' ORDER BY completed_at DESC LIMIT ?`,
      )
        .all(...memoPrefixes, limit)
        .map(toRun);
    },

    async countCompletedThrough(stage, createdBefore, exceptRunId) {
      const row = sql(
        `SELECT COUNT(*) AS n FROM runs r WHERE r.status = 'completed' AND r.created_at < ? AND r.id <> ?
           AND EXISTS (SELECT 1 FROM steps s WHERE s.run_id = r.id AND s.stage = ?)`,
      ).get(createdBefore, exceptRunId, stage);
      return Number(row?.n ?? 0);
    },

    async completedStepDurations(stage, limit) {
      return sql(
        `SELECT s.run_id, s.duration_ms FROM steps s JOIN runs r ON r.id = s.run_id
         WHERE r.status = 'completed' AND s.stage = ? AND s.duration_ms IS NOT NULL
         ORDER BY r.completed_at DESC LIMIT ?`,
      )
        .all(stage, limit)
        .map((r) => ({ runId: String(r.run_id), durationMs: Number(r.duration_ms) }));
    },

    async close() {
      db.close();
    },
  };
}
