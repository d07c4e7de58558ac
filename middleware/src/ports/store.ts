/**
 * The run store: durable state of every closure run, its steps, the events that resume it and
 * its timers. SQLite (node:sqlite) is the embedded default; Postgres serves several replicas.
 */
import type { AgentName } from './crm.ts';

export type RunStatus = 'queued' | 'running' | 'waiting' | 'completed' | 'failed' | 'cancelled';
export type WaitReason = 'approval' | 'signature' | 'rep' | 'retry';

export interface RunRecord {
  id: string;
  opportunityId: string;
  dealClosureId: string | null;
  trigger: 'Rep' | 'Signal';
  note: string | null;
  transcript: string | null;
  idempotencyKey: string | null;
  status: RunStatus;
  waitingFor: WaitReason | null;
  stageIndex: number;
  error: string | null;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
  /** Persisted checkpoints: anything computed once and reused on resume. */
  memo: Record<string, unknown>;
}

/**
 * A run without its memo: what writes and listings return. The memo grows to tens of kB per run,
 * so reading it back on every write was most of a closure's cost; whoever drives the run keeps
 * the memo it wrote.
 */
export type RunState = Omit<RunRecord, 'memo'>;

export interface StepRow {
  runId: string;
  stage: string;
  agent: AgentName;
  status: 'Running' | 'Succeeded' | 'Failed' | 'Skipped' | 'Waiting';
  attempts: number;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  /** Time spent computing, excluding human waits. */
  activeMs: number;
  reasoning: string;
  confidence: number | null;
  error: string | null;
  output: unknown;
}

export interface RunEvent {
  id: number;
  runId: string;
  kind: string;
  dedupeKey: string;
  payload: unknown;
  receivedAt: string;
}

export interface TimerRow {
  id: number;
  runId: string;
  kind: string;
  dueAt: string;
  payload: unknown;
}

/** A timer to store: at `dueAt` it becomes an event of its run. */
export interface NewTimer {
  runId: string;
  kind: string;
  dueAt: string;
  payload: unknown;
}

/** Writes that go into the same transaction as a run's update. */
export interface RunUpdateExtras {
  /** The step row to save with it (a stage starting, finishing or failing). */
  step?: StepRow;
  /** Events the update consumes, so a stage's outcome and the events it answered commit together. */
  consumeEvents?: { ids: number[]; at: string };
  /** Timers to store with it, so a run never waits for a timer that was not stored (a retry's). */
  timers?: NewTimer[];
}

export type CreateRunResult =
  | { outcome: 'created'; run: RunRecord }
  | { outcome: 'existing'; run: RunRecord }
  | { outcome: 'conflict'; running: RunRecord };

export interface NewRun {
  id: string;
  opportunityId: string;
  dealClosureId: string | null;
  trigger: 'Rep' | 'Signal';
  note: string | null;
  transcript: string | null;
  idempotencyKey: string | null;
  createdAt: string;
}

export interface RunStore {
  /** Atomically: the run of an idempotency key, a conflict with a running closure, or a new run. */
  createRun(input: NewRun): Promise<CreateRunResult>;
  getRun(id: string): Promise<RunRecord | undefined>;
  /** Runs that are not finished, for resumption at start-up (without their memos). */
  unfinishedRuns(): Promise<RunState[]>;
  /** How many unfinished runs are in each state, without loading them (metrics scrape this). */
  countUnfinished(): Promise<
    { status: RunRecord['status']; waitingFor: RunRecord['waitingFor']; count: number }[]
  >;
  /**
   * Sets the patched columns and, atomically, the given top-level memo keys (other keys are kept,
   * concurrent writers of different keys both survive), and `also`'s step and consumed events in
   * the same transaction: after a crash a stage is either finished with its run moved on, or not.
   * Returns the run's columns, not its memo.
   */
  updateRun(
    id: string,
    patch: Partial<Omit<RunRecord, 'id' | 'memo'>>,
    memo?: Record<string, unknown>,
    also?: RunUpdateExtras,
  ): Promise<RunState>;
  saveStep(step: StepRow): Promise<void>;
  steps(runId: string): Promise<StepRow[]>;
  /** Stores an event once per dedupe key; false when it was already stored. */
  addEvent(
    runId: string,
    kind: string,
    dedupeKey: string,
    payload: unknown,
    receivedAt: string,
  ): Promise<boolean>;
  pendingEvents(runId: string): Promise<RunEvent[]>;
  consumeEvents(ids: number[], at: string): Promise<void>;
  /** Stores timers in one write (an approval stage sets several per approver at once). */
  addTimers(timers: NewTimer[]): Promise<void>;
  dueTimers(now: string): Promise<TimerRow[]>;
  clearTimers(runId: string, kind?: string): Promise<void>;
  deleteTimers(ids: number[]): Promise<void>;
  /** Maps Salesforce record ids (approvals, envelopes) to runs, so inbound calls find their run. */
  indexRecords(runId: string, records: { recordId: string; kind: string }[]): Promise<void>;
  runForRecord(recordId: string): Promise<{ runId: string; kind: string } | undefined>;
  /**
   * Takes one unit of the hourly budget `name` when fewer than `max` were taken in the clock hour
   * (UTC) of `at`; false when that hour's budget is spent. Every replica on the store shares it.
   */
  takeHourlyBudget(name: string, max: number, at: string): Promise<boolean>;
  /**
   * Completed runs, newest first, for learning and history. With `memoPrefixes`, each memo holds
   * only the keys that start with one of them: history readers need a few keys of each run, and
   * parsing every past deal's whole memo on every closure grew with the history.
   */
  completedRuns(limit: number, memoPrefixes?: string[]): Promise<RunRecord[]>;
  /** How many completed runs other than `exceptRunId`, created before `createdBefore`, went through `stage`. */
  countCompletedThrough(stage: string, createdBefore: string, exceptRunId: string): Promise<number>;
  /** The durations of `stage` in the most recent completed runs that timed it, newest first. */
  completedStepDurations(stage: string, limit: number): Promise<{ runId: string; durationMs: number }[]>;
  close(): Promise<void>;
}
