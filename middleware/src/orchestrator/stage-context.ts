/**
 * The StageContext an attempt hands its stage: memo and saved state keyed by the run memo's
 * layout, earlier stages' results, partial commits, timers and the record index. The run it
 * works on is held by `RunHandle`, which every write replaces with the run as written.
 */
import type { Logger } from '../logger.ts';
import type { CommitResult, StepRecord } from '../ports/crm.ts';
import type { RunRecord, RunStore, StepRow } from '../ports/store.ts';
import type { Attempt } from './attempt.ts';
import { earlierValues, generationOf, memoKey } from './run-memo.ts';
import type { StageContext, StageKey, StageOutcome } from './stage.ts';

export interface RunHandle {
  current: RunRecord;
}

/** What the context needs from the orchestrator: the writes it may make. */
export interface StageContextIo {
  store: RunStore;
  logger: Logger;
  now(): Date;
  /** Writes memo keys to the run and updates the handle. */
  patchMemo(handle: RunHandle, memo: Record<string, unknown>): Promise<void>;
  /** Commits a step record with writes, as a partial outcome, and updates the handle. */
  commitStep(
    handle: RunHandle,
    step: StepRecord,
    writes: NonNullable<StageOutcome['writes']>,
    message: string,
  ): Promise<CommitResult>;
  addTimers(runId: string, timers: { kind: string; dueAt: Date; payload: unknown }[]): Promise<void>;
}

export function buildStageContext(
  a: Attempt,
  handle: RunHandle,
  io: StageContextIo,
): StageContext & {
  partialCommits(): number;
} {
  const { stage, run } = a;
  let partialCommits = 0;
  const state = (key: string) => memoKey(handle.current.memo, stage, key, 'state');
  const ctx: StageContext & { partialCommits(): number } = {
    run: handle.current,
    stage,
    attempt: a.number,
    events: a.events,
    logger: io.logger,
    now: () => io.now(),
    generation: generationOf(handle.current.memo, stage),
    memo: async <T>(key: string, compute: () => Promise<T>): Promise<T> => {
      const full = memoKey(handle.current.memo, stage, key);
      if (full in handle.current.memo) return handle.current.memo[full] as T;
      const value = await compute();
      await io.patchMemo(handle, { [full]: value });
      return value;
    },
    earlier: <T>(key: string, kind: 'memo' | 'state') =>
      earlierValues<T>(handle.current.memo, stage, key, kind),
    recall: <T>(from: StageKey, key: string) => recalled<T>(handle.current, a.steps, from, key),
    load: <T>(key: string) => handle.current.memo[state(key)] as T | undefined,
    save: async (key: string, value: unknown) => ctx.saveAll({ [key]: value }),
    saveAll: async (values: Record<string, unknown>) => {
      const memo: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(values)) memo[state(key)] = value;
      await io.patchMemo(handle, memo);
    },
    commit: async (partial) => {
      partialCommits++;
      const step: StepRecord = {
        stepKey: `${run.id}:${stage}`,
        agent: a.agent,
        status: partial.status ?? 'Running',
        reasoning: a.previous?.reasoning ?? '',
        confidence: null,
        startedAt: a.stepStartedAt,
        finishedAt: null,
        durationMs: null,
        error: null,
        facts: null,
      };
      return io.commitStep(handle, step, partial.writes ?? [], partial.message);
    },
    schedule: async (timers) => io.addTimers(run.id, timers),
    clearTimers: async (kind) => io.store.clearTimers(run.id, kind),
    index: async (recordId, kind) => io.store.indexRecords(run.id, [{ recordId, kind }]),
    partialCommits: () => partialCommits,
  };
  return ctx;
}

/**
 * What `recall` answers: an earlier stage's output from its step row, which holds it anyway (a copy
 * in the memo was ~37 kB more written per closure), else the memoised value.
 */
export function recalled<T>(run: RunRecord, steps: StepRow[], stage: StageKey, key: string): T | undefined {
  if (key === 'output') return (steps.find((s) => s.stage === stage)?.output ?? undefined) as T | undefined;
  return run.memo[memoKey(run.memo, stage, key)] as T | undefined;
}
