/**
 * How the orchestrator writes a run: the run row (with the memo this process holds), the
 * Salesforce closure it belongs to, the records inbound calls name, and a failed attempt with
 * its retry timer or wait for the rep, told on the timeline. Kept apart from the orchestrator's
 * driving loop so the loop reads as the state machine and these as the writes it makes.
 */
import type { Logger } from '../logger.ts';
import type { ClosurePatch, ClosureRef, CommitResult, CrmPort, StepRecord } from '../ports/crm.ts';
import type { RunRecord, RunStore, RunUpdateExtras, StepRow } from '../ports/store.ts';
import type { Attempt } from './attempt.ts';
import { decideOnFailure, errorMessage, failedStepRow, type FailureDecision } from './failure-policy.ts';
import { failuresKey } from './run-memo.ts';
import type { RunScheduler } from './scheduler.ts';
import { AGENT_OF, type StageKey } from './stage.ts';

export interface RunWriterDeps {
  store: RunStore;
  crm: CrmPort;
  logger: Logger;
  clock: () => Date;
  maxAutomaticRetries?: number;
  scheduler?: RunScheduler;
}

/** A failed attempt the failure policy decided to retry, as `handleFailure` recorded it. */
interface RetryingFailure {
  decision: Extract<FailureDecision, { kind: 'retry' }>;
  failedStep: StepRow;
  message: string;
  now: Date;
}

export class RunWriter {
  private readonly deps: RunWriterDeps;

  constructor(deps: RunWriterDeps) {
    this.deps = deps;
  }

  private clock(): Date {
    return this.deps.clock();
  }

  /** Records a failed attempt: a retry timer for a transient failure, else a wait for the rep. */
  async handleFailure(run: RunRecord, attempt: Attempt, err: unknown): Promise<void> {
    const stageKey = attempt.stage;
    const message = errorMessage(err);
    const now = this.clock();
    const decision = decideOnFailure(
      err,
      Number(run.memo[failuresKey(stageKey)] ?? 0),
      this.deps.maxAutomaticRetries ?? 5,
      now,
    );
    this.deps.logger.warn(
      {
        runId: run.id,
        stage: stageKey,
        attempt: attempt.number,
        failures: decision.failures,
        transient: decision.transient,
        err,
      },
      'stage failed',
    );
    const failedStep = failedStepRow(attempt, decision, message, now);
    const agentName = attempt.agent.replace('_', ' ');
    if (decision.kind === 'retry') {
      await this.waitForRetry(run, attempt, { decision, failedStep, message, now });
      return;
    }
    // The events this attempt saw stay unconsumed, so nothing a person or a webhook sent is lost.
    const updated = await this.patchRun(
      run,
      { status: 'waiting', waitingFor: 'rep', error: message, updatedAt: now.toISOString() },
      // The rep's retry starts a fresh count.
      { [failuresKey(stageKey)]: 0 },
      { step: failedStep },
    );
    await this.commitSafely(
      updated,
      stageKey,
      {
        status: 'Failed',
        reasoning: 'The step stopped; fix the data named in the error and retry the closure.',
        confidence: null,
        error: message,
        facts: { attempt: attempt.number },
      },
      { status: 'Waiting_Rep', error: message },
      `${agentName} needs attention: ${message}`.slice(0, 255),
    );
  }

  /** A transient failure: the run waits for a retry timer, and the timeline says when. */
  private async waitForRetry(run: RunRecord, attempt: Attempt, failure: RetryingFailure): Promise<void> {
    const { decision, failedStep, message, now } = failure;
    const stageKey = attempt.stage;
    const agentName = attempt.agent.replace('_', ' ');
    const retryAt = decision.at.toISOString();
    // The timer and the waiting state are one write: a crash between two left a retry timer behind.
    const waiting = await this.patchRun(
      run,
      { status: 'waiting', waitingFor: 'retry', error: message, updatedAt: now.toISOString() },
      { [failuresKey(stageKey)]: decision.failures },
      {
        step: failedStep,
        timers: [
          {
            runId: run.id,
            kind: 'retry',
            dueAt: retryAt,
            payload: { stage: stageKey, attempt: attempt.number },
          },
        ],
      },
    );
    await this.deps.scheduler?.timersAdded(run.id, [decision.at]);
    // The timeline says why the run paused; while the circuit is open this fails fast, without a call.
    await this.commitSafely(
      waiting,
      stageKey,
      {
        status: 'Waiting',
        reasoning: `Paused by a temporary failure (${message}); retrying automatically at ${retryAt}.`,
        confidence: null,
        error: message,
        facts: { attempt: attempt.number, retryAt },
      },
      { status: 'Running', error: null },
      `${agentName} paused: ${message}; retrying at ${retryAt.slice(11, 19)} UTC`.slice(0, 255),
    );
  }

  /** Best-effort timeline write for a failure; Salesforce being down must not hide the local state. */
  async commitSafely(
    run: RunRecord,
    stageKey: StageKey,
    step: Pick<StepRecord, 'status' | 'reasoning' | 'confidence' | 'error' | 'facts'>,
    patch: ClosurePatch,
    message: string,
  ): Promise<void> {
    try {
      const steps = await this.deps.store.steps(run.id);
      const startedAt = steps.find((s) => s.stage === stageKey)?.startedAt ?? this.clock().toISOString();
      const result = await this.deps.crm.commitStep(
        this.closureRef(run),
        { ...patch, currentAgent: AGENT_OF[stageKey] },
        {
          stepKey: `${run.id}:${stageKey}`,
          agent: AGENT_OF[stageKey],
          startedAt,
          finishedAt: null,
          durationMs: null,
          ...step,
        },
        [],
        message,
      );
      await this.rememberClosureId(run, result);
    } catch (err) {
      this.deps.logger.warn({ runId: run.id, err }, 'could not write the failure back to Salesforce');
    }
  }

  /** Records that inbound calls name (approvals by Deal_Approval__c id) lead back to their run. */
  async indexRecords(runId: string, result: CommitResult): Promise<void> {
    const records: { recordId: string; kind: string }[] = [];
    for (const [key, recordId] of Object.entries(result.ids)) {
      const kind = /:(approval|envelope):/.exec(key)?.[1];
      if (kind) records.push({ recordId, kind });
    }
    await this.deps.store.indexRecords(runId, records);
  }

  /**
   * Writes a run and returns it with the memo this process holds plus the keys just written: the
   * store does not send the memo back, and only the process driving a run writes its memo.
   */
  async patchRun(
    run: RunRecord,
    patch: Parameters<RunStore['updateRun']>[1],
    memo?: Record<string, unknown>,
    also?: RunUpdateExtras,
  ): Promise<RunRecord> {
    const state = await this.deps.store.updateRun(run.id, patch, memo, also);
    return { ...state, memo: memo ? { ...run.memo, ...memo } : run.memo };
  }

  closureRef(run: RunRecord): ClosureRef {
    return {
      runId: run.id,
      opportunityId: run.opportunityId,
      dealClosureId: run.dealClosureId,
      trigger: run.trigger,
      note: run.note,
      transcript: run.transcript,
    };
  }

  async rememberClosureId(run: RunRecord, result: CommitResult): Promise<RunRecord> {
    if (run.dealClosureId === result.dealClosureId) return run;
    return this.patchRun(run, {
      dealClosureId: result.dealClosureId,
      updatedAt: this.clock().toISOString(),
    });
  }
}
