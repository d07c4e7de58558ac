/**
 * What the Approval Orchestration stage decides on and what it asks for: its state, the events
 * and facts `decide` reads, and the commands the agent carries out through the ports. Commands
 * that need the world's answer (reassign, recall, submit) come back as events.
 */
import { z } from 'zod';
import type {
  ReassignResult,
  ApprovalHistoryEntry,
  ApprovalRecord,
  ApproverWorkload,
} from '../../ports/approvals.ts';
import type { RequestedTerms } from '../../ports/language.ts';
import type {
  ApprovalRule,
  ApprovalSubmission,
  CrmUser,
  DealContext,
  SubmissionResult,
} from '../../ports/crm.ts';
import type { Notification } from '../../ports/notify.ts';
import type { StageOutcome } from '../../orchestrator/stage.ts';
import type { ContractOutput } from '../contract-generation/contract-agent.ts';
import type { DecisionTimeStats } from './approval-history.ts';
import type { RequiredApproval } from './approval-matrix.ts';
import type { ApproverBrief } from './approval-brief.ts';
import type { WrittenBrief } from './brief-draft.ts';

export type Role = RequiredApproval['role'];

/** A closure signal as the briefs read it: what was said, and where. */
export interface BriefSignal {
  type: string;
  quote?: string;
  source?: { label: string; recordId?: string };
}

export interface ApprovalState {
  role: Role;
  key: string;
  /** 1 for the first submission; a revision that resubmits this role starts the next round. */
  round: number;
  approvalId: string | null;
  approverId: string;
  approverName: string;
  /** Whom the rule named (the approver may have been replaced by a delegate or backup). */
  ruleApproverId: string;
  backupId: string | null;
  backupName: string | null;
  executiveId: string | null;
  executiveName: string | null;
  status: 'Planned' | 'Pending' | 'Approved' | 'Rejected' | 'Recalled';
  slaHours: number;
  submittedAt: string | null;
  dueAt: string;
  reason: string;
  rule: string;
  dependsOn: Role[];
  comment: string | null;
  decidedAt: string | null;
  routedToBackup: string | null;
  /** The approver's queue was over the threshold but the request stayed with them, and why. */
  queueNote?: string;
  /** 0 with the first approver, 1 reassigned to the backup, 2 escalated to the executive. */
  escalationLevel: number;
  /** Every action taken on this approval, oldest first. */
  log: string[];
  /** SLA steps already taken: a timer event seen again after a crash must not act twice. */
  slaDone?: string[];
  /** With a model configured, who wrote the brief the approver last got: the model or `offline templates`. */
  briefWrittenBy?: string;
  prediction: Pick<DecisionTimeStats, 'basis' | 'samples' | 'medianHours' | 'p90Hours'> & {
    /** Requests already waiting on the approver (not counting this closure's) when the stage read them. */
    openItems?: number;
    /** The median before the queue was accounted for. */
    usualMedianHours?: number;
  };
}

/** A Chatter post on an approval, written with the step's commit. */
export interface PendingPost {
  parentId: string;
  body: string;
  guardKey: string;
}

export const SLA_TIMER = 'approval-sla';
/** Reminder at 50% of the SLA, the backup at 100%, the executive at 150%. */
export const SLA_STEPS = [
  { step: 'remind', factor: 0.5 },
  { step: 'reassign', factor: 1 },
  { step: 'escalate', factor: 1.5 },
] as const;

/** An SLA timer's payload, as scheduled by `decide` and delivered back by the run store. */
export const SlaTimerSchema = z.object({
  approvalId: z.string().min(1),
  step: z.enum(['remind', 'reassign', 'escalate']),
});
export type SlaTimer = z.infer<typeof SlaTimerSchema>;
export type SlaStep = SlaTimer['step'];

/** A decision callout: it only says which approval to look at; Salesforce's record decides. */
export const DecisionCalloutSchema = z.object({
  approvalId: z.string().min(1),
  decision: z.enum(['approve', 'reject']),
  decidedAt: z.string(),
});
export type DecisionCallout = z.infer<typeof DecisionCalloutSchema>;

/** What survives restarts, each field under the same key of the stage's saved state. */
export interface SavedApprovals {
  /** The approvals as last planned; undefined before the first plan. */
  approvals?: ApprovalState[];
  /** The contract version they were planned for; undefined when they come from an earlier generation. */
  contractHash?: string;
  /** Approvals a revision replaced (the API answers late decisions on them). */
  superseded: ApprovalState[];
  /** Posts not yet in Salesforce. */
  posts: PendingPost[];
  /** Pending requests a revision replaced, to recall once the step is committed. */
  toRecall: string[];
}

/** The saved state plus what one pass of the stage carries between its decisions (never saved). */
export interface ApprovalStageState extends SavedApprovals {
  /** `start` until the stage has looked at its approvals, `looking` while it goes through the events, `committing` once its outcome is on the way to Salesforce. */
  phase: 'start' | 'looking' | 'committing';
  /** Timeline lines of this pass. */
  log: string[];
  /** Notifications, sent once the step is in Salesforce. */
  notes: Notification[];
  /** The commit of the planned records already named the approvers they are submitted to. */
  announced: boolean;
  /**
   * The approvers' briefs written in this pass, as text and with their sources, by approval and
   * the approvals' statuses: the record, the submission and the notice share one writing.
   */
  briefs: Record<string, WrittenBrief & { role: Role }>;
  /**
   * With a model configured (`ApprovalFacts.drafts` set), the template briefs this pass wrote
   * that no draft was given for, by the same key: the agent drafts them and decides again.
   */
  undrafted?: Record<string, ApproverBrief>;
}

type ReassignAnswer = Pick<ReassignResult, 'ok' | 'error'>;

/** Whom an SLA step moves a request to. */
export interface SlaTarget {
  id: string;
  name: string;
  /** The escalation level the request reaches. */
  level: 1 | 2;
}

export type ApprovalEvent =
  | ({ kind: 'decision' } & DecisionCallout)
  | ({ kind: 'sla' } & SlaTimer)
  | ({
      kind: 'reassigned';
      approvalId: string;
      step: 'reassign' | 'escalate';
      to: SlaTarget;
    } & ReassignAnswer)
  /** The step's outcome is in Salesforce; `ids` are its records' ids by write key. */
  | { kind: 'committed'; ids: Record<string, string> }
  | { kind: 'recalled'; results: ReassignResult[] }
  | { kind: 'submitted'; results: SubmissionResult[] };

export type ApprovalCommand =
  | { kind: 'save'; values: Partial<SavedApprovals> }
  | { kind: 'reassign'; approvalId: string; step: 'reassign' | 'escalate'; to: SlaTarget }
  | { kind: 'recall'; approvalIds: string[]; comments: string }
  | { kind: 'submit'; submissions: ApprovalSubmission[] }
  | { kind: 'schedule'; timers: { kind: typeof SLA_TIMER; dueAt: Date; payload: SlaTimer }[] }
  | { kind: 'clearTimers'; timerKind: typeof SLA_TIMER }
  | { kind: 'notify'; notification: Notification };

export interface Prediction {
  completionAt: string;
  p90At: string;
  targetDate: string | null;
  meetsTarget: boolean | null;
  summary: string;
}

/** What the step records as its output (the API shows the approvals from it). */
export interface ApprovalOutput {
  approvals: ApprovalState[];
  superseded: ApprovalState[];
  prediction?: Prediction;
  /** With a model configured: who wrote each brief this pass wrote, and what its check dropped. */
  briefs?: BriefWriter[];
}

export type BriefWriter = { role: Role; approval: string } & Omit<WrittenBrief, 'text' | 'withSources'>;

/** A step outcome as `decide` gives it: data only. */
export type Report = Omit<StageOutcome, 'afterCommit' | 'output'> & { output?: ApprovalOutput };

export type ApprovalOutcome =
  /** Carry out the commands, then decide on their answers followed by `remaining`. */
  | { kind: 'continue'; remaining: ApprovalEvent[] }
  /** The step's outcome; with `resume`, decide on `committed` once it is in Salesforce. */
  | { kind: 'report'; outcome: Report; resume: boolean }
  /**
   * Nothing new to report: the outcome already committed stands, and the step records `output`
   * (the approvals as submitted) instead of what it showed before.
   */
  | { kind: 'quiet'; output: Pick<ApprovalOutput, 'approvals' | 'superseded'> };

export interface Decision {
  state: ApprovalStageState;
  /** In order; the last may be one whose answer `continue` waits for. */
  commands: ApprovalCommand[];
  outcome: ApprovalOutcome;
}

/** What the stage read from the world for this decision. */
export interface ApprovalFacts {
  /** The time of the decision: `decide` never reads a clock. */
  now: Date;
  runId: string;
  deal: DealContext;
  contract: ContractOutput;
  /**
   * The closure assessment's signals (a security concern calls for a security review); their
   * quotes and sources go into the approvers' briefs.
   */
  signals: BriefSignal[];
  /** The terms the buyer asked for, as the closure assessment read them, with where each was read. */
  terms?: RequestedTerms | null;
  /** The approval rules in force for this generation of the step. */
  rules: ApprovalRule[];
  /** The users the rules name, for routing. */
  users: CrmUser[];
  /** Open approval requests per user the rules name, across the org, read with the users. */
  workload?: ApproverWorkload[];
  /** An approver with more open requests than this goes to a less loaded backup; none: never. */
  queueThreshold?: number;
  /** Past decisions, for predictions and precedent. */
  history: ApprovalHistoryEntry[];
  /** What Salesforce records for the approvals the events name (see `decisionsToCheck`). */
  recorded: ApprovalRecord[];
  repDiscountAuthorityPercent: number;
  /**
   * Set only when a model drafts the briefs: the drafted briefs by the key `decide` writes them
   * under. A brief it needs that is not here is written from the templates and noted in
   * `undrafted`.
   */
  drafts?: Record<string, WrittenBrief>;
}
