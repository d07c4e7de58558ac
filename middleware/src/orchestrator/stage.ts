/**
 * What a stage of the closure is to the orchestrator. Stages are the agents' entry points; they
 * import ports only, and everything they must not repeat on resume goes through `memo`.
 */
import type { Logger } from '../logger.ts';
import type { AgentName, ClosurePatch, CommitResult, CrmWrite } from '../ports/crm.ts';
import type { RunEvent, RunRecord, WaitReason } from '../ports/store.ts';
import type { EarlierValue, MemoKind } from './run-memo.ts';

export const STAGES = [
  'deal_closure',
  'contract_generation',
  'approval_orchestration',
  'signature_management',
  'system_integration',
  'handoff_coordination',
  'learning_optimization',
] as const;
export type StageKey = (typeof STAGES)[number];

export const AGENT_OF: Record<StageKey, AgentName> = {
  deal_closure: 'Deal_Closure',
  contract_generation: 'Contract_Generation',
  approval_orchestration: 'Approval_Orchestration',
  signature_management: 'Signature_Management',
  system_integration: 'System_Integration',
  handoff_coordination: 'Handoff_Coordination',
  learning_optimization: 'Learning_Optimization',
};

export interface StageOutcome {
  /**
   * succeeded: next stage; waiting: park until an event; stopped: the run ends here without
   * error (e.g. not ready, cancelled by the rep); failed: the run waits for the rep to fix data.
   */
  status: 'succeeded' | 'waiting' | 'stopped' | 'failed';
  waitingFor?: WaitReason;
  reasoning: string;
  /** 0–1, or null when the stage makes no judgement. */
  confidence: number | null;
  /** The facts the decision used. */
  facts: unknown;
  /** Short timeline message (≤ 255 characters). */
  message: string;
  closurePatch?: ClosurePatch;
  writes?: CrmWrite[];
  /** Persisted with the step for the API and later stages. */
  output?: unknown;
  error?: string;
  /**
   * Runs once the outcome is in Salesforce (e.g. submitting approvals for the records just
   * written). It may return a replacement outcome, which is committed in turn.
   */
  afterCommit?: (result: CommitResult) => Promise<StageOutcome | undefined>;
}

/** A step that stops for a person to fix the data the message names. */
export function failedOutcome(message: string, facts: unknown): StageOutcome {
  return {
    status: 'failed',
    reasoning: message,
    confidence: null,
    facts,
    message: message.slice(0, 255),
    error: message,
  };
}

export interface StageContext {
  readonly run: RunRecord;
  readonly stage: StageKey;
  readonly attempt: number;
  /**
   * 0 for the step's first run; each retry after the rep fixed data (and, for the first two
   * stages, each revision) starts the next generation, whose memo starts empty.
   */
  readonly generation: number;
  /** Events delivered since the stage last ran (approval decisions, signature events, rep actions). */
  readonly events: RunEvent[];
  readonly logger: Logger;
  now(): Date;
  /** Computes once per run and persists; later attempts get the stored value. */
  memo<T>(key: string, compute: () => Promise<T>): Promise<T>;
  /**
   * This stage's values from its earlier generations, newest first: what `memo(key)` computed
   * (`'memo'`) or `save(key)` saved (`'state'`). A key ending in `*` matches every key it starts.
   */
  earlier<T>(key: string, kind: MemoKind): EarlierValue<T>[];
  /**
   * A value a stage memoised (`recall('deal_closure', 'deal')`), if any; `recall(stage, 'output')`
   * is an earlier stage's output as its step recorded it.
   */
  recall<T>(stage: StageKey, key: string): T | undefined;
  /** Mutable per-stage state that survives restarts (e.g. decisions received so far). */
  load<T>(key: string): T | undefined;
  save(key: string, value: unknown): Promise<void>;
  /** Saves several keys in one write: after a crash, all of them are there or none. */
  saveAll(values: Record<string, unknown>): Promise<void>;
  /** Writes part of the outcome now (before a side effect that needs the records); the final outcome is still committed. */
  commit(
    partial: Pick<StageOutcome, 'writes' | 'message'> & { status?: 'Running' | 'Waiting' },
  ): Promise<CommitResult>;
  /** Lets inbound events that name this record (e.g. a provider's envelope id) find the run. */
  index(recordId: string, kind: string): Promise<void>;
  /** Schedules timer events for this run, in one write. */
  schedule(timers: { kind: string; dueAt: Date; payload: unknown }[]): Promise<void>;
  /** Drops this run's timers of a kind that no longer matter (e.g. SLA timers once all approved). */
  clearTimers(kind: string): Promise<void>;
}

export interface Stage {
  readonly key: StageKey;
  run(ctx: StageContext): Promise<StageOutcome>;
  /**
   * Event kinds only this stage may consume (e.g. approval decisions): while another stage runs
   * (a revision re-running earlier stages) they stay pending instead of being consumed unseen.
   */
  ownsEvent?(kind: string): boolean;
  /**
   * Withdraws what the stage left open in other systems when the rep cancels while it waits
   * (pending approval requests, an envelope out for signature), so no approver or signer acts
   * on a closure that no longer exists. Returns a line for the timeline.
   */
  onCancel?(ctx: CancelContext): Promise<string | undefined>;
}

/** What a stage may read when the run is cancelled: its own saved state, nothing to write. */
export type CancelContext = Pick<StageContext, 'run' | 'logger' | 'now' | 'load' | 'recall'>;
