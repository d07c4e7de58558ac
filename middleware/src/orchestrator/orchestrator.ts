/**
 * The orchestrator: a run is a persisted state machine over the seven stages. Each stage
 * attempt writes its result back to Salesforce idempotently (Agent_Step__c by Step_Key__c,
 * Deal_Closure__c by id or Run_Id__c) together with a Deal_Closure_Event__e, in one call.
 * Human waits park the run; decisions, webhooks and timers resume it; unfinished runs resume
 * at start-up. A crash at any point replays the current stage, which is safe because writes
 * are upserts and one-time work is memoised. The run's writes are in `run-writer.ts`, the rep's
 * control events in `control-events.ts`.
 */
import { randomUUID } from 'node:crypto';
import pLimit, { type LimitFunction } from 'p-limit';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { CrmPort } from '../ports/crm.ts';
import type { RunEvent, RunRecord, RunStore, StepRow } from '../ports/store.ts';
import {
  attemptStepRow,
  beginAttempt,
  finalStepRow,
  outcomeRecords,
  settle,
  type Attempt,
} from './attempt.ts';
import { applyControlEvents, isControl, type ControlIo } from './control-events.ts';
import { failuresKey } from './run-memo.ts';
import { RunWriter } from './run-writer.ts';
import { buildStageContext, type RunHandle, type StageContextIo } from './stage-context.ts';
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
  private readonly writer: RunWriter;
  private readonly controlIo: ControlIo;

  constructor(deps: OrchestratorDeps) {
    this.deps = deps;
    this.clock = deps.clock ?? (() => new Date());
    this.drives = pLimit(deps.maxActiveRuns ?? DEFAULT_MAX_ACTIVE_RUNS);
    this.stages = new Map(deps.stages.map((s) => [s.key, s]));
    for (const key of STAGES) if (!this.stages.has(key)) throw new Error(`no stage for ${key}`);
    this.writer = new RunWriter({
      store: deps.store,
      crm: deps.crm,
      logger: deps.logger,
      clock: this.clock,
      maxAutomaticRetries: deps.maxAutomaticRetries,
      scheduler: deps.scheduler,
    });
    this.controlIo = {
      store: deps.store,
      writer: this.writer,
      logger: deps.logger,
      clock: this.clock,
      stages: this.stages,
      metrics: deps.metrics,
    };
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
      const control = await applyControlEvents(this.controlIo, run, events);
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
      current: await this.writer.patchRun(
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
    const moved = await this.writer.patchRun(
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
        handle.current = await this.writer.patchRun(handle.current, {}, memo);
      },
      commitStep: async (handle, step, writes, message) => {
        const result = await this.deps.crm.commitStep(
          this.writer.closureRef(handle.current),
          { status: 'Running', currentAgent: step.agent },
          step,
          writes,
          message,
        );
        handle.current = await this.writer.rememberClosureId(handle.current, result);
        await this.writer.indexRecords(handle.current.id, result);
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
      await this.writer.handleFailure(handle.current, attempt, err);
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
        await this.writer.handleFailure(handle.current, attempt, err);
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
        this.writer.closureRef(handle.current),
        patch,
        step,
        outcome.writes ?? [],
        outcome.message,
      );
      handle.current = await this.writer.rememberClosureId(handle.current, result);
      await this.writer.indexRecords(attempt.run.id, result);
      return { result, settled, step, activeMs };
    } catch (err) {
      await this.writer.handleFailure(handle.current, attempt, err);
      return undefined;
    }
  }
}
