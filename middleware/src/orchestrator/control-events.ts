/**
 * The rep's control events on a run: cancel (withdrawing what the waiting stage has open),
 * revise after a rejection (re-reading the deal for the next contract version), and retry or
 * confirm of a run that waits for the rep. They are consumed before any stage runs. Separate from
 * the orchestrator's loop because each is a small rewrite of the run, not a stage attempt.
 */
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { RunEvent, RunRecord, RunStore } from '../ports/store.ts';
import { memoKey, nextGenerations } from './run-memo.ts';
import type { RunWriter } from './run-writer.ts';
import { recalled } from './stage-context.ts';
import { STAGES, type Stage, type StageKey } from './stage.ts';

/** What control events need from the orchestrator. */
export interface ControlIo {
  store: RunStore;
  writer: RunWriter;
  logger: Logger;
  clock: () => Date;
  stages: Map<StageKey, Stage>;
  metrics?: Metrics;
}

/** Rep actions: cancel stops the run; retry and confirm resume a run that waits for the rep. */
export async function applyControlEvents(
  io: ControlIo,
  run: RunRecord,
  events: RunEvent[],
): Promise<'stop' | 'resume' | 'none'> {
  const control = events.filter((e) => isControl(e.kind));
  if (control.length === 0) return 'none';
  const now = io.clock().toISOString();
  await io.store.consumeEvents(
    control.map((e) => e.id),
    now,
  );
  if (control.some((e) => e.kind === 'control:cancel')) {
    const stage = STAGES[run.stageIndex] ?? 'learning_optimization';
    const withdrawn = run.status === 'waiting' ? await withdrawOnCancel(io, run, stage) : undefined;
    const updated = await io.writer.patchRun(run, {
      status: 'cancelled',
      waitingFor: null,
      completedAt: now,
      updatedAt: now,
    });
    await io.store.clearTimers(run.id);
    io.metrics?.runsFinished.inc({ status: 'cancelled' });
    const reasoning = `Cancelled at the rep's request.${withdrawn ? ` ${withdrawn}` : ''}`;
    // The API's timeline shows the stage that was waiting as ended by the cancel, like Salesforce's.
    const waitingStep = (await io.store.steps(run.id)).find((s) => s.stage === stage);
    if (waitingStep)
      await io.store.saveStep({ ...waitingStep, status: 'Skipped', reasoning, finishedAt: now });
    await io.writer.commitSafely(
      updated,
      stage,
      {
        status: 'Skipped',
        reasoning,
        confidence: null,
        error: null,
        facts: { cancelledAt: now },
      },
      { status: 'Cancelled', completedAt: now },
      'Closure cancelled',
    );
    return 'stop';
  }
  if (
    control.some((e) => e.kind === 'control:revise') &&
    run.status === 'waiting' &&
    run.waitingFor === 'rep' &&
    STAGES[run.stageIndex] === 'approval_orchestration'
  ) {
    // The rep revised the deal after a rejection: read it again and generate the next contract
    // version; the approval stage keeps its state and resubmits only what changed.
    const memo: Record<string, unknown> = {
      revisions: Number(run.memo.revisions ?? 0) + 1,
      ...nextGenerations(run.memo, ['deal_closure', 'contract_generation']),
    };
    await io.store.updateRun(
      run.id,
      { status: 'running', waitingFor: null, error: null, stageIndex: 0, updatedAt: now },
      memo,
    );
    // Revising is the rep's go-ahead: the re-read deal needs no second confirmation.
    await io.store.addEvent(run.id, 'rep:confirm', `revise-confirm:${control[0]!.id}`, { at: now }, now);
    return 'resume';
  }
  if (run.status === 'waiting' && (run.waitingFor === 'rep' || run.waitingFor === 'retry')) {
    // A retry after the rep fixed the data recomputes the stage from fresh reads.
    const stage = STAGES[run.stageIndex];
    const generation = stage ? nextGenerations(run.memo, [stage]) : {};
    await io.store.updateRun(
      run.id,
      { status: 'running', waitingFor: null, error: null, updatedAt: now },
      run.waitingFor === 'rep' ? generation : undefined,
    );
    return 'resume';
  }
  return 'none';
}

/**
 * Lets the waiting stage withdraw its open requests. Best effort: a failure is logged and told on
 * the timeline, and never keeps the rep from cancelling.
 */
async function withdrawOnCancel(
  io: ControlIo,
  run: RunRecord,
  stageKey: StageKey,
): Promise<string | undefined> {
  const stage = io.stages.get(stageKey);
  if (!stage?.onCancel) return undefined;
  const logger = io.logger.child({ runId: run.id, stage: stageKey });
  try {
    const steps = await io.store.steps(run.id);
    return await stage.onCancel({
      run,
      logger,
      now: () => io.clock(),
      load: <T>(key: string) => run.memo[memoKey(run.memo, stageKey, key, 'state')] as T | undefined,
      recall: <T>(from: StageKey, key: string) => recalled<T>(run, steps, from, key),
    });
  } catch (err) {
    logger.warn({ err }, 'could not withdraw open requests on cancel');
    const message = err instanceof Error ? err.message : String(err);
    return `Open requests could not all be withdrawn (${message}); withdraw them in Salesforce.`;
  }
}

export function isControl(kind: string): boolean {
  return kind.startsWith('control:');
}
