/**
 * One attempt of a stage, and what its outcome means for the step, the run and the closure: pure
 * functions over an `Attempt`, so the orchestrator only carries them out.
 */
import type { AgentName, ClosurePatch, ClosureStatus, StepRecord } from '../ports/crm.ts';
import type { RunEvent, RunRecord, StepRow, WaitReason } from '../ports/store.ts';
import { AGENT_OF, STAGES, type StageKey, type StageOutcome } from './stage.ts';

export interface Attempt {
  /** The run as the attempt found it. */
  readonly run: RunRecord;
  readonly stage: StageKey;
  readonly agent: AgentName;
  /** 1 for the step's first attempt. */
  readonly number: number;
  /** When the step first started (its first attempt). */
  readonly stepStartedAt: string;
  /** When this attempt started. */
  readonly started: Date;
  /** The step's row before this attempt, if it ran before. */
  readonly previous: StepRow | undefined;
  /** Events delivered since the stage last ran. */
  readonly events: RunEvent[];
  /** The run's steps as this attempt found them. */
  readonly steps: StepRow[];
}

export function beginAttempt(
  run: RunRecord,
  stage: StageKey,
  events: RunEvent[],
  steps: StepRow[],
  now: Date,
): Attempt {
  const previous = steps.find((s) => s.stage === stage);
  return {
    run,
    stage,
    agent: AGENT_OF[stage],
    number: (previous?.attempts ?? 0) + 1,
    stepStartedAt: previous?.startedAt ?? now.toISOString(),
    started: now,
    previous,
    events,
    steps,
  };
}

/** The step as recorded before any side effect: after a crash, the next attempt knows it is a retry. */
export function attemptStepRow(a: Attempt): StepRow {
  const p = a.previous;
  return {
    runId: a.run.id,
    stage: a.stage,
    agent: a.agent,
    status: p?.status === 'Waiting' ? 'Waiting' : 'Running',
    attempts: a.number,
    startedAt: a.stepStartedAt,
    finishedAt: null,
    durationMs: null,
    activeMs: p?.activeMs ?? 0,
    reasoning: p?.reasoning ?? '',
    confidence: p?.confidence ?? null,
    error: p?.error ?? null,
    output: p?.output ?? null,
  };
}

export interface Settled {
  stepStatus: StepRecord['status'];
  runStatus: RunRecord['status'];
  waitingFor: WaitReason | null;
}

/** Where an outcome leaves the step and the run. */
export function settle(stage: StageKey, outcome: StageOutcome): Settled {
  const stepStatus =
    outcome.status === 'succeeded'
      ? 'Succeeded'
      : outcome.status === 'waiting'
        ? 'Waiting'
        : outcome.status === 'stopped'
          ? 'Skipped'
          : 'Failed';
  const isLast = stage === STAGES[STAGES.length - 1];
  const runStatus: RunRecord['status'] =
    outcome.status === 'waiting' || outcome.status === 'failed'
      ? 'waiting'
      : outcome.status === 'stopped' || (outcome.status === 'succeeded' && isLast)
        ? 'completed'
        : 'running';
  const waitingFor: WaitReason | null =
    outcome.status === 'waiting' ? (outcome.waitingFor ?? 'rep') : outcome.status === 'failed' ? 'rep' : null;
  return { stepStatus, runStatus, waitingFor };
}

export function closureStatusOf(run: Pick<RunRecord, 'status' | 'waitingFor'>): ClosureStatus {
  switch (run.status) {
    case 'queued':
      return 'Queued';
    case 'running':
      return 'Running';
    case 'waiting':
      return run.waitingFor === 'approval'
        ? 'Waiting_Approval'
        : run.waitingFor === 'signature'
          ? 'Waiting_Signature'
          : run.waitingFor === 'retry'
            ? 'Running'
            : 'Waiting_Rep';
    case 'completed':
      return 'Completed';
    case 'failed':
      return 'Failed';
    case 'cancelled':
      return 'Cancelled';
  }
}

/** The Agent_Step__c an outcome writes, and the Deal_Closure__c change that goes with it. */
export function outcomeRecords(
  a: Attempt,
  outcome: StageOutcome,
  settled: Settled,
  finished: Date,
): { step: StepRecord; patch: ClosurePatch } {
  const { stepStatus, runStatus, waitingFor } = settled;
  const done = stepStatus !== 'Waiting' && stepStatus !== 'Failed';
  const step: StepRecord = {
    stepKey: `${a.run.id}:${a.stage}`,
    agent: a.agent,
    status: stepStatus,
    reasoning: outcome.reasoning,
    confidence: outcome.confidence,
    startedAt: a.stepStartedAt,
    finishedAt: done ? finished.toISOString() : null,
    durationMs: done ? finished.getTime() - new Date(a.stepStartedAt).getTime() : null,
    error: outcome.error ?? null,
    facts: outcome.facts,
  };
  const patch: ClosurePatch = {
    ...outcome.closurePatch,
    status: closureStatusOf({ status: runStatus, waitingFor }),
    currentAgent: runStatus === 'completed' ? null : a.agent,
    ...(a.run.stageIndex === 0 && a.number === 1 ? { startedAt: a.stepStartedAt } : {}),
    ...(runStatus === 'completed' ? { completedAt: finished.toISOString() } : {}),
    error: outcome.error ?? null,
  };
  return { step, patch };
}

/** The step row the store keeps once the outcome is in Salesforce. */
export function finalStepRow(a: Attempt, outcome: StageOutcome, step: StepRecord, activeMs: number): StepRow {
  return {
    runId: a.run.id,
    stage: a.stage,
    agent: a.agent,
    status: step.status,
    attempts: a.number,
    startedAt: a.stepStartedAt,
    finishedAt: step.finishedAt,
    durationMs: step.durationMs,
    activeMs,
    reasoning: outcome.reasoning,
    confidence: outcome.confidence,
    error: outcome.error ?? null,
    output: outcome.output ?? null,
  };
}
