/**
 * The orchestrator: a run is a persisted state machine over the seven stages. Each stage
 * attempt writes its result back to Salesforce idempotently (Agent_Step__c by Step_Key__c,
 * Deal_Closure__c by id or Run_Id__c) together with a Deal_Closure_Event__e, in one call.
 * Human waits park the run; decisions, webhooks and timers resume it; unfinished runs resume
 * at start-up. A crash at any point replays the current stage, which is safe because writes
 * are upserts and one-time work is memoised.
 */
import { randomUUID } from 'node:crypto';
import pLimit, { type LimitFunction } from 'p-limit';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { ClosurePatch, ClosureRef, CommitResult, CrmPort, StepRecord } from '../ports/crm.ts';
import type { RunEvent, RunRecord, RunStore, RunUpdateExtras, StepRow } from '../ports/store.ts';
import {
  attemptStepRow,
  beginAttempt,
  finalStepRow,
  outcomeRecords,
  settle,
  type Attempt,
} from './attempt.ts';
import { decideOnFailure, errorMessage, failedStepRow } from './failure-policy.ts';
import { failuresKey, memoKey, nextGenerations } from './run-memo.ts';
import { buildStageContext, recalled, type RunHandle, type StageContextIo } from './stage-context.ts';
import type { RunScheduler } from './scheduler.ts';
import { withSpan } from '../tracing.ts';
import {
  AGENT_OF,
  STAGES,
  type Stage,
  type StageContext,
  type StageKey,
  type StageOutcome,
} from './stage.ts';

export interface OrchestratorDeps {
  store: RunStore;
  crm: CrmPort;
  stages: Stage[];
  logger: Logger;
  clock?: () => Date;
  /** How often due timers are checked; 0 disables the poller (tests call `tick`). */
  timerPollMs?: number;
  /**
   * Runs driven at once in this process; more wait their turn in order. Against the local org the
   * work is CPU-bound and more at once only holds more deals in memory; against a real org each
   * closure also waits ~1 s on Salesforce, so the limit must leave room for that.
   */
  maxActiveRuns?: number;
  /** Transient failures are retried this many times before the run waits for a person. */
  maxAutomaticRetries?: number;
  metrics?: Metrics;
  /** Shares runs and timers between replicas (Postgres mode); runs are driven in-process without one. */
  scheduler?: RunScheduler;
}

export interface StartClosureInput {
  opportunityId: string;
  dealClosureId: string | null;
  trigger: 'Rep' | 'Signal';
  note: string | null;
  transcript: string | null;
  idempotencyKey: string | null;
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

/** Runs a process drives at once unless configured (DEALDESK_MAX_ACTIVE_RUNS). */
const DEFAULT_MAX_ACTIVE_RUNS = 32;

export { closureStatusOf } from './attempt.ts';

export class Orchestrator {
  private readonly deps: OrchestratorDeps;
  private readonly stages: Map<StageKey, Stage>;
  private readonly clock: () => Date;
  /** Runs being driven in this process, so one run never runs two stages at once. */
  private readonly active = new Map<string, Promise<void>>();
  private readonly rerun = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly idleWaiters: (() => void)[] = [];
  private readonly drives: LimitFunction;

  constructor(deps: OrchestratorDeps) {
    this.deps = deps;
    this.clock = deps.clock ?? (() => new Date());
    this.drives = pLimit(deps.maxActiveRuns ?? DEFAULT_MAX_ACTIVE_RUNS);
    this.stages = new Map(deps.stages.map((s) => [s.key, s]));
    for (const key of STAGES) if (!this.stages.has(key)) throw new Error(`no stage for ${key}`);
  }

  /** Resumes unfinished runs and starts the timer poller. */
  async start(): Promise<void> {
    await this.deps.scheduler?.start({
      drive: (runId) => this.driveHere(runId),
      tick: () => this.tick(),
    });
    const runs = await this.deps.store.unfinishedRuns();
    for (const run of runs) await this.wake(run.id);
    if (runs.length > 0) this.deps.logger.info({ runs: runs.length }, 'resuming unfinished runs');
    const every = this.deps.timerPollMs ?? 1000;
    if (every > 0) {
      this.timer = setInterval(
        () => void this.tick().catch((err: unknown) => this.deps.logger.error({ err }, 'timer poll failed')),
        every,
      );
      this.timer.unref();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.deps.scheduler?.stop();
    await Promise.allSettled([...this.active.values()]);
  }

  async startClosure(input: StartClosureInput) {
    const result = await this.deps.store.createRun({
      id: `run-${randomUUID()}`,
      ...input,
      createdAt: this.clock().toISOString(),
    });
    if (result.outcome === 'created') {
      this.deps.metrics?.runsStarted.inc({ trigger: input.trigger });
      await this.wake(result.run.id);
    }
    return result;
  }

  /** Stores an event for a run (once per dedupe key) and resumes it. */
  async deliver(runId: string, kind: string, dedupeKey: string, payload: unknown): Promise<boolean> {
    const stored = await this.deps.store.addEvent(
      runId,
      kind,
      dedupeKey,
      payload,
      this.clock().toISOString(),
    );
    if (stored) await this.wake(runId);
    return stored;
  }

  /** Fires due timers as events. */
  async tick(): Promise<void> {
    const due = await this.deps.store.dueTimers(this.clock().toISOString());
    for (const t of due) {
      await this.deps.store.addEvent(
        t.runId,
        `timer:${t.kind}`,
        `timer:${t.id}`,
        t.payload,
        this.clock().toISOString(),
      );
    }
    if (due.length > 0) {
      await this.deps.store.deleteTimers(due.map((t) => t.id));
      for (const runId of new Set(due.map((t) => t.runId))) await this.wake(runId);
    }
  }

  /** Resolves when no run is being driven (tests and the demo wait on this). */
  async idle(): Promise<void> {
    while (this.active.size > 0) await Promise.allSettled([...this.active.values()]);
  }

  /** Has the run driven: by the scheduler's replicas when there is one, else in this process. */
  private async wake(runId: string): Promise<void> {
    if (this.deps.scheduler) {
      if (!this.stopped) await this.deps.scheduler.kick(runId);
    } else this.kick(runId);
  }

  /** The scheduler's worker: drives the run here, tracked so `stop` and `idle` wait for it. */
  private async driveHere(runId: string): Promise<void> {
    if (this.stopped) return;
    const work = this.drive(runId).catch((err: unknown) =>
      this.deps.logger.error({ err, runId }, 'run driver failed'),
    );
    this.active.set(runId, work);
    try {
      await work;
    } finally {
      if (this.active.get(runId) === work) this.active.delete(runId);
      if (this.active.size === 0) for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  private async addTimers(
    runId: string,
    timers: { kind: string; dueAt: Date; payload: unknown }[],
  ): Promise<void> {
    if (timers.length === 0) return;
    await this.deps.store.addTimers(
      timers.map((t) => ({ runId, kind: t.kind, dueAt: t.dueAt.toISOString(), payload: t.payload })),
    );
    await this.deps.scheduler?.timersAdded(
      runId,
      timers.map((t) => t.dueAt),
    );
  }

  kick(runId: string): void {
    if (this.stopped) return;
    if (this.active.has(runId)) {
      // A stage is running; look again when it finishes so the new event is not missed.
      this.rerun.add(runId);
      return;
    }
    const work = this.drives(() =>
      withSpan('dealdesk.run', { 'dealdesk.run_id': runId }, () => this.drive(runId)),
    )
      .catch((err: unknown) => this.deps.logger.error({ err, runId }, 'run driver failed'))
      .finally(() => {
        this.active.delete(runId);
        if (this.rerun.delete(runId)) this.kick(runId);
        if (this.active.size === 0) for (const w of this.idleWaiters.splice(0)) w();
      });
    this.active.set(runId, work);
  }

  private async drive(runId: string): Promise<void> {
    // The run and its steps as the last stage left them. This process holds the run (one driver at
    // a time) and is the only writer of its memo and steps, so the next stage starts from them
    // rather than reading back and parsing tens of kB; a control event that rewrites the run makes
    // it read both again.
    let carried: { run: RunRecord; steps: StepRow[] } | undefined;
    for (;;) {
      if (this.stopped) return;
      const run = carried?.run ?? (await this.deps.store.getRun(runId));
      const knownSteps = carried?.steps;
      carried = undefined;
      if (!run || TERMINAL.has(run.status)) return;
      const events = await this.deps.store.pendingEvents(runId);
      const control = await this.applyControlEvents(run, events);
      if (control === 'stop') return;
      // A rep action may have moved the run (e.g. a revision rewinds it): read it again.
      if (control === 'resume') continue;
      const stageKey = STAGES[run.stageIndex];
      // Events a stage owns (approval decisions) wait for that stage rather than being consumed unseen.
      const owner = (kind: string) => this.deps.stages.find((s) => s.ownsEvent?.(kind))?.key;
      const stageEvents = events.filter(
        (e) => !isControl(e.kind) && (owner(e.kind) ?? stageKey) === stageKey,
      );
      if (run.status === 'waiting' && stageEvents.length === 0) return;
      if (!stageKey) {
        await this.deps.store.updateRun(runId, {
          status: 'completed',
          completedAt: this.clock().toISOString(),
          updatedAt: this.clock().toISOString(),
        });
        return;
      }
      const advanced = await withSpan(
        'dealdesk.step',
        { 'dealdesk.run_id': runId, 'dealdesk.stage': stageKey, 'dealdesk.agent': AGENT_OF[stageKey] },
        () => this.runStage(run, stageKey, stageEvents, knownSteps),
      );
      if (!advanced) return;
      carried = advanced;
    }
  }

  /** Rep actions: cancel stops the run; retry and confirm resume a run that waits for the rep. */
  private async applyControlEvents(run: RunRecord, events: RunEvent[]): Promise<'stop' | 'resume' | 'none'> {
    const control = events.filter((e) => isControl(e.kind));
    if (control.length === 0) return 'none';
    const now = this.clock().toISOString();
    await this.deps.store.consumeEvents(
      control.map((e) => e.id),
      now,
    );
    if (control.some((e) => e.kind === 'control:cancel')) {
      const stage = STAGES[run.stageIndex] ?? 'learning_optimization';
      const withdrawn = run.status === 'waiting' ? await this.withdrawOnCancel(run, stage) : undefined;
      const updated = await this.patchRun(run, {
        status: 'cancelled',
        waitingFor: null,
        completedAt: now,
        updatedAt: now,
      });
      await this.deps.store.clearTimers(run.id);
      this.deps.metrics?.runsFinished.inc({ status: 'cancelled' });
      const reasoning = `Cancelled at the rep's request.${withdrawn ? ` ${withdrawn}` : ''}`;
      // The API's timeline shows the stage that was waiting as ended by the cancel, like Salesforce's.
      const waitingStep = (await this.deps.store.steps(run.id)).find((s) => s.stage === stage);
      if (waitingStep)
        await this.deps.store.saveStep({ ...waitingStep, status: 'Skipped', reasoning, finishedAt: now });
      await this.commitSafely(
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
      await this.deps.store.updateRun(
        run.id,
        { status: 'running', waitingFor: null, error: null, stageIndex: 0, updatedAt: now },
        memo,
      );
      // Revising is the rep's go-ahead: the re-read deal needs no second confirmation.
      await this.deps.store.addEvent(
        run.id,
        'rep:confirm',
        `revise-confirm:${control[0]!.id}`,
        { at: now },
        now,
      );
      return 'resume';
    }
    if (run.status === 'waiting' && (run.waitingFor === 'rep' || run.waitingFor === 'retry')) {
      // A retry after the rep fixed the data recomputes the stage from fresh reads.
      const stage = STAGES[run.stageIndex];
      const generation = stage ? nextGenerations(run.memo, [stage]) : {};
      await this.deps.store.updateRun(
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
  private async withdrawOnCancel(run: RunRecord, stageKey: StageKey): Promise<string | undefined> {
    const stage = this.stages.get(stageKey);
    if (!stage?.onCancel) return undefined;
    const logger = this.deps.logger.child({ runId: run.id, stage: stageKey });
    try {
      const steps = await this.deps.store.steps(run.id);
      return await stage.onCancel({
        run,
        logger,
        now: () => this.clock(),
        load: <T>(key: string) => run.memo[memoKey(run.memo, stageKey, key, 'state')] as T | undefined,
        recall: <T>(from: StageKey, key: string) => recalled<T>(run, steps, from, key),
      });
    } catch (err) {
      logger.warn({ err }, 'could not withdraw open requests on cancel');
      const message = err instanceof Error ? err.message : String(err);
      return `Open requests could not all be withdrawn (${message}); withdraw them in Salesforce.`;
    }
  }

  /**
   * Runs one stage; the run and its steps as they now stand when the run moves on to the next
   * stage, else undefined. `knownSteps` are the run's steps when the caller has them.
   */
  private async runStage(
    run: RunRecord,
    stageKey: StageKey,
    events: RunEvent[],
    knownSteps?: StepRow[],
  ): Promise<{ run: RunRecord; steps: StepRow[] } | undefined> {
    const steps = knownSteps ?? (await this.deps.store.steps(run.id));
    const attempt = beginAttempt(run, stageKey, events, steps, this.clock());
    // drive() only runs stages of unfinished runs, so the run is queued, running or waiting here.
    const handle: RunHandle = {
      current: await this.patchRun(
        run,
        { status: 'running', updatedAt: attempt.started.toISOString() },
        undefined,
        { step: attemptStepRow(attempt) },
      ),
    };
    const logger = this.deps.logger.child({ runId: run.id, stage: stageKey, attempt: attempt.number });
    const ctx = buildStageContext(attempt, handle, this.stageContextIo(logger));
    const committed = await this.runAndCommit(this.stages.get(stageKey)!, ctx, attempt, handle);
    if (!committed) return undefined;
    const { outcome, finished, settled, step, activeMs } = committed;
    const finalStep = finalStepRow(attempt, outcome, step, activeMs);
    const nowIso = finished.toISOString();
    // The step, the events it answered and the run moving on: one write, so a crash leaves either
    // the stage to run again or the run past it, never a finished step on a run that did not move.
    const moved = await this.patchRun(
      handle.current,
      {
        status: settled.runStatus,
        waitingFor: settled.waitingFor,
        stageIndex: outcome.status === 'succeeded' ? run.stageIndex + 1 : run.stageIndex,
        error: outcome.error ?? null,
        updatedAt: nowIso,
        ...(settled.runStatus === 'completed' ? { completedAt: nowIso } : {}),
      },
      // An attempt that got through ends the run of failures.
      Number(handle.current.memo[failuresKey(stageKey)] ?? 0) > 0
        ? { [failuresKey(stageKey)]: 0 }
        : undefined,
      { step: finalStep, consumeEvents: { ids: events.map((e) => e.id), at: nowIso } },
    );
    const ms = finished.getTime() - attempt.started.getTime();
    logger.info({ status: settled.stepStatus, partialCommits: ctx.partialCommits(), ms }, 'stage finished');
    this.deps.metrics?.stepDuration.observe({ agent: attempt.agent, status: settled.stepStatus }, ms / 1000);
    if (settled.runStatus === 'completed')
      this.deps.metrics?.runsFinished.inc({ status: outcome.status === 'stopped' ? 'stopped' : 'completed' });
    return settled.runStatus === 'running'
      ? { run: moved, steps: [...steps.filter((s) => s.stage !== stageKey), finalStep] }
      : undefined;
  }

  /** The writes a stage context may make, through this orchestrator's store and CRM. */
  private stageContextIo(logger: Logger): StageContextIo {
    return {
      store: this.deps.store,
      logger,
      now: () => this.clock(),
      patchMemo: async (handle, memo) => {
        handle.current = await this.patchRun(handle.current, {}, memo);
      },
      commitStep: async (handle, step, writes, message) => {
        const result = await this.deps.crm.commitStep(
          this.closureRef(handle.current),
          { status: 'Running', currentAgent: step.agent },
          step,
          writes,
          message,
        );
        handle.current = await this.rememberClosureId(handle.current, result);
        await this.indexRecords(handle.current.id, result);
        return result;
      },
      addTimers: (runId, timers) => this.addTimers(runId, timers),
    };
  }

  /**
   * Runs the stage and commits its outcome; a post-commit action (e.g. submitting approvals) may
   * replace it with another outcome, which is committed in turn. Undefined when the attempt
   * failed (the failure is handled).
   */
  private async runAndCommit(stage: Stage, ctx: StageContext, attempt: Attempt, handle: RunHandle) {
    let outcome: StageOutcome;
    try {
      outcome = await stage.run(ctx);
    } catch (err) {
      await this.handleFailure(handle.current, attempt, err);
      return undefined;
    }
    for (;;) {
      const finished = this.clock();
      const committed = await this.commitOutcome(handle, attempt, outcome, finished);
      if (!committed) return undefined;
      let follow: StageOutcome | undefined;
      try {
        follow = await outcome.afterCommit?.(committed.result);
      } catch (err) {
        await this.handleFailure(handle.current, attempt, err);
        return undefined;
      }
      if (!follow) return { outcome, finished, ...committed };
      outcome = follow;
    }
  }

  /** Writes an outcome back to Salesforce: the step, the closure status, the stage's records and an event. */
  private async commitOutcome(handle: RunHandle, attempt: Attempt, outcome: StageOutcome, finished: Date) {
    const settled = settle(attempt.stage, outcome);
    const { step, patch } = outcomeRecords(attempt, outcome, settled, finished);
    const activeMs = (attempt.previous?.activeMs ?? 0) + (finished.getTime() - attempt.started.getTime());
    try {
      const result = await this.deps.crm.commitStep(
        this.closureRef(handle.current),
        patch,
        step,
        outcome.writes ?? [],
        outcome.message,
      );
      handle.current = await this.rememberClosureId(handle.current, result);
      await this.indexRecords(attempt.run.id, result);
      return { result, settled, step, activeMs };
    } catch (err) {
      await this.handleFailure(handle.current, attempt, err);
      return undefined;
    }
  }

  /** Records a failed attempt: a retry timer for a transient failure, else a wait for the rep. */
  private async handleFailure(run: RunRecord, attempt: Attempt, err: unknown): Promise<void> {
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

  /** Best-effort timeline write for a failure; Salesforce being down must not hide the local state. */
  private async commitSafely(
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
  private async indexRecords(runId: string, result: CommitResult): Promise<void> {
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
  private async patchRun(
    run: RunRecord,
    patch: Parameters<RunStore['updateRun']>[1],
    memo?: Record<string, unknown>,
    also?: RunUpdateExtras,
  ): Promise<RunRecord> {
    const state = await this.deps.store.updateRun(run.id, patch, memo, also);
    return { ...state, memo: memo ? { ...run.memo, ...memo } : run.memo };
  }

  private closureRef(run: RunRecord): ClosureRef {
    return {
      runId: run.id,
      opportunityId: run.opportunityId,
      dealClosureId: run.dealClosureId,
      trigger: run.trigger,
      note: run.note,
      transcript: run.transcript,
    };
  }

  private async rememberClosureId(run: RunRecord, result: CommitResult): Promise<RunRecord> {
    if (run.dealClosureId === result.dealClosureId) return run;
    return this.patchRun(run, {
      dealClosureId: result.dealClosureId,
      updatedAt: this.clock().toISOString(),
    });
  }
}

function isControl(kind: string): boolean {
  return kind.startsWith('control:');
}
