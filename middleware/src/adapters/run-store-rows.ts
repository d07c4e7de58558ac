/**
 * What the SQLite and Postgres run stores share: the run and step columns, and how a row
 * becomes a record. The two databases hand back dates and JSON differently (text vs Date and
 * parsed jsonb), so each store passes its own codec.
 */
import type { AgentName } from '../ports/crm.ts';
import type { RunRecord, RunState, StepRow } from '../ports/store.ts';

export type Row = Record<string, unknown>;

/** The statuses of a run that is not finished, as an SQL list. */
export const ACTIVE = "('queued', 'running', 'waiting')";

/** RunRecord fields a patch may set, and their columns. */
export const RUN_COLUMNS_BY_FIELD: Record<string, string> = {
  opportunityId: 'opportunity_id',
  dealClosureId: 'deal_closure_id',
  trigger: 'trigger',
  note: 'note',
  transcript: 'transcript',
  idempotencyKey: 'idempotency_key',
  status: 'status',
  waitingFor: 'waiting_for',
  stageIndex: 'stage_index',
  error: 'error',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  completedAt: 'completed_at',
};

/** Every run column but the memo. */
export const RUN_STATE_COLUMNS =
  'id, opportunity_id, deal_closure_id, trigger, note, transcript, idempotency_key, status, waiting_for, stage_index, error, created_at, updated_at, completed_at';

export interface RowCodec {
  /** A timestamp column as ISO-8601 text. */
  date(value: unknown): string;
  /** A JSON column as its value (null when empty). */
  json(value: unknown): unknown;
}

const dateOrNull = (codec: RowCodec, value: unknown): string | null =>
  value === null || value === undefined ? null : codec.date(value);

export function runFromRow(r: Row, codec: RowCodec): RunRecord {
  return { ...runStateFromRow(r, codec), memo: (codec.json(r.memo) ?? {}) as Record<string, unknown> };
}

/** A row without its memo column (writes and listings do not select it). */
export function runStateFromRow(r: Row, codec: RowCodec): RunState {
  return {
    id: String(r.id),
    opportunityId: String(r.opportunity_id),
    dealClosureId: (r.deal_closure_id as string | null) ?? null,
    trigger: r.trigger === 'Signal' ? 'Signal' : 'Rep',
    note: (r.note as string | null) ?? null,
    transcript: (r.transcript as string | null) ?? null,
    idempotencyKey: (r.idempotency_key as string | null) ?? null,
    status: r.status as RunRecord['status'],
    waitingFor: (r.waiting_for as RunRecord['waitingFor']) ?? null,
    stageIndex: Number(r.stage_index),
    error: (r.error as string | null) ?? null,
    createdAt: codec.date(r.created_at),
    updatedAt: codec.date(r.updated_at),
    completedAt: dateOrNull(codec, r.completed_at),
  };
}

export function stepFromRow(r: Row, codec: RowCodec): StepRow {
  return {
    runId: String(r.run_id),
    stage: String(r.stage),
    agent: r.agent as AgentName,
    status: r.status as StepRow['status'],
    attempts: Number(r.attempts),
    startedAt: codec.date(r.started_at),
    finishedAt: dateOrNull(codec, r.finished_at),
    durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
    activeMs: Number(r.active_ms),
    reasoning: String(r.reasoning),
    confidence: r.confidence === null ? null : Number(r.confidence),
    error: (r.error as string | null) ?? null,
    output: codec.json(r.output) ?? null,
  };
}

/** The steps upsert's parameters, in the column order both stores' INSERT lists. */
export function stepParams(s: StepRow): (string | number | null)[] {
  return [
    s.runId,
    s.stage,
    s.agent,
    s.status,
    s.attempts,
    s.startedAt,
    s.finishedAt,
    s.durationMs,
    s.activeMs,
    s.reasoning,
    s.confidence,
    s.error,
    JSON.stringify(s.output ?? null),
  ];
}

/** One row of `SELECT status, waiting_for, COUNT(*) AS n … GROUP BY status, waiting_for`. */
export function unfinishedCountFromRow(r: Row): {
  status: RunRecord['status'];
  waitingFor: RunRecord['waitingFor'];
  count: number;
} {
  return {
    status: r.status as RunRecord['status'],
    waitingFor: (r.waiting_for as RunRecord['waitingFor']) ?? null,
    count: Number(r.n),
  };
}

/** The clock hour (UTC) of an ISO time, as hourly budgets count it: `2026-11-25T12`. */
export function hourOf(at: string): string {
  return new Date(at).toISOString().slice(0, 13);
}

/** The hour before `at`'s: budget rows older than that are spent and go. */
export function hourBefore(at: string): string {
  return new Date(Date.parse(at) - 3_600_000).toISOString().slice(0, 13);
}
