/**
 * Approval Orchestration Agent: the required approvers from the matrix, one Deal_Approval__c
 * each, submitted into the Salesforce approval process (parallel where independent, in order
 * where a rule depends on another) with a decision brief; a predicted completion from past
 * decisions; reminders, reassignment to the backup and escalation to the executive on durable
 * timers; and, after a rejection, a revision that recalls and resubmits only what changed.
 */
import type { CommitResult, CrmPort, CrmUser, CrmWrite, DealContext } from '../../ports/crm.ts';
import type { ApprovalHistoryEntry, ApprovalsPort } from '../../ports/approvals.ts';
import type { Notification, Notifier } from '../../ports/notify.ts';
import { earlierResults } from '../shared/earlier-results.ts';
import { failedOutcome, type Stage, type StageContext, type StageOutcome } from '../../orchestrator/stage.ts';
import { formatMoney } from '../../domain/money.ts';
import type { ContractOutput } from '../contract-generation/contract-agent.ts';
import {
  ApprovalMatrixError,
  convertMinor,
  requiredApprovals,
  uncoveredRequirements,
  type DealFacts,
  type RequiredApproval,
} from './approval-matrix.ts';
import {
  decisionDurations,
  decisionTimeStats,
  precedents,
  predictCompletion,
  seedOf,
  type DecisionTimeStats,
} from './approval-history.ts';
import {
  reassignedMessage,
  rejectionMessage,
  reminderMessage,
  requestMessage,
  type MessageDeal,
} from './approval-messages.ts';

export interface ApprovalAgentDeps {
  crm: CrmPort;
  approvals: ApprovalsPort;
  notifier?: Notifier;
  /** Discounts above this need an approval rule; a deal with none is a policy gap. */
  repDiscountAuthorityPercent?: number;
  /** How many past Deal_Approval__c records feed predictions and precedent. */
  historyLimit?: number;
}

type Role = RequiredApproval['role'];

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
  /** 0 with the first approver, 1 reassigned to the backup, 2 escalated to the executive. */
  escalationLevel: number;
  /** Every action taken on this approval, oldest first. */
  log: string[];
  /** SLA steps already taken: a timer event seen again after a crash must not act twice. */
  slaDone?: string[];
  prediction: Pick<DecisionTimeStats, 'basis' | 'samples' | 'medianHours' | 'p90Hours'>;
}

interface PendingPost {
  parentId: string;
  body: string;
  guardKey: string;
}

interface Prediction {
  completionAt: string;
  p90At: string;
  targetDate: string | null;
  meetsTarget: boolean | null;
  summary: string;
}

const SLA_STEPS = [
  { step: 'remind', factor: 0.5 },
  { step: 'reassign', factor: 1 },
  { step: 'escalate', factor: 1.5 },
] as const;
type SlaStep = (typeof SLA_STEPS)[number]['step'];
export const SLA_TIMER = 'approval-sla';

const HOUR = 3_600_000;
const when = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;
const roleLabel = (r: string) => r.replace('_', ' ');

export function createApprovalAgent(deps: ApprovalAgentDeps): Stage {
  const authority = deps.repDiscountAuthorityPercent ?? 10;
  return {
    key: 'approval_orchestration',
    ownsEvent: (kind) => kind === 'approval:decision' || kind === `timer:${SLA_TIMER}`,
    async onCancel(ctx) {
      const pending = (ctx.load<ApprovalState[]>('approvals') ?? []).filter(
        (a) => a.status === 'Pending' && a.approvalId,
      );
      if (pending.length === 0) return undefined;
      // The approval process's recall action marks each Deal_Approval__c Recalled and unlocks it.
      const results = await deps.approvals.recall(
        pending.map((a) => a.approvalId!),
        'The rep cancelled the closure.',
      );
      const recalled = pending.filter((a) => results.find((r) => r.approvalId === a.approvalId)?.ok);
      const failed = pending.filter((a) => !recalled.includes(a));
      ctx.logger.info({ recalled: recalled.length, failed: failed.length }, 'approvals recalled on cancel');
      return [
        recalled.length > 0 ? `Recalled ${recalled.map((a) => roleLabel(a.role)).join(', ')}.` : '',
        failed.length > 0
          ? `Could not recall ${failed.map((a) => roleLabel(a.role)).join(', ')}; recall them in Salesforce.`
          : '',
      ]
        .filter(Boolean)
        .join(' ');
    },
    async run(ctx: StageContext): Promise<StageOutcome> {
      const { deal, contract, closure } = earlierResults(ctx);
      const facts = dealFacts(deal, contract, closure?.assessment.signals ?? []);
      const stored = ctx.load<ApprovalState[]>('approvals');
      const planned = await planApprovals(ctx, deps, deal, facts, authority);
      if ('error' in planned) return failedOutcome(planned.error, planned.facts);
      const history = planned.history;
      const posts = ctx.load<PendingPost[]>('posts') ?? [];
      const notes: Notification[] = [];
      const log: string[] = [];

      let approvals: ApprovalState[];
      const earlier = stored ? undefined : previousGeneration(ctx);
      const superseded = ctx.load<ApprovalState[]>('superseded') ?? earlier?.superseded ?? [];
      const current = stored ?? earlier?.approvals;
      if (!current) {
        approvals = planned.states;
      } else if (!stored || ctx.load<string>('contractHash') !== contract.contentHash) {
        // A new contract version after the rep revised, or a retry after a fix (the records already in
        // the approval process are locked): keep what still holds, redo what changed.
        const next = revise(current, planned.states, posts, log);
        const replaced = current.filter((s) => !next.includes(s));
        await ctx.save(
          'toRecall',
          replaced.filter((s) => s.status === 'Pending' && s.approvalId).map((s) => s.approvalId!),
        );
        for (const s of replaced) if (s.status === 'Pending' || s.status === 'Planned') s.status = 'Recalled';
        superseded.push(...replaced);
        approvals = next;
      } else {
        approvals = stored;
      }
      if (approvals.length === 0 && superseded.length === 0) {
        return {
          status: 'succeeded',
          reasoning: `No approval rule applies (${planned.ruleCount} rules checked against ${formatMoney(contract.totalMinor, contract.currency)}, ${facts.maxDiscountPercent}% discount, ${facts.customTerms ? '' : 'no '}custom terms, ${facts.legalReview ? '' : 'no '}legal review flag).`,
          confidence: null,
          facts,
          message: 'No approvals required',
          output: { approvals: [], superseded: [] },
        };
      }
      const messageDeal = toMessageDeal(deal, contract);

      // Decisions and timers that arrived since the last look. A decision callout only says which
      // approvals to look at: what counts is what Salesforce recorded (an approval process decides,
      // not whoever holds the API key). SLA timers look too, before reminding or moving a request:
      // a decision whose callout Salesforce gave up on is found there instead of being chased.
      // One read for all the approvals at hand.
      type DecisionCallout = { approvalId: string; decision: 'approve' | 'reject'; decidedAt: string };
      const lookAt = [
        ...new Set(
          ctx.events
            .filter((e) => e.kind === 'approval:decision' || e.kind === `timer:${SLA_TIMER}`)
            .map((e) => (e.payload as { approvalId: string }).approvalId)
            .filter((id) => approvals.some((a) => a.approvalId === id && a.status === 'Pending')),
        ),
      ];
      const recorded = new Map(
        (lookAt.length > 0 ? await deps.approvals.records(lookAt) : []).map((r) => [r.approvalId, r]),
      );
      /** Applies the decision Salesforce recorded for `a`, if it has one. */
      const decided = (a: ApprovalState, fallbackAt: string): boolean => {
        const record = recorded.get(a.approvalId!);
        if (record?.status !== 'Approved' && record?.status !== 'Rejected') return false;
        a.status = record.status;
        a.comment = record.comments;
        a.decidedAt = record.decidedAt ?? fallbackAt;
        const line = `${a.approverName} ${a.status.toLowerCase()}${a.comment ? `: "${a.comment}"` : ''}`;
        a.log.push(`${line} (${when(a.decidedAt)})`);
        log.push(`${roleLabel(a.role)}: ${line}`);
        if (a.status === 'Rejected')
          notes.push(rejectionMessage(messageOf(a), messageDeal, a.comment, ctx.run.id));
        return true;
      };
      for (const e of ctx.events) {
        if (e.kind === 'approval:decision') {
          const p = e.payload as DecisionCallout;
          const a = approvals.find((x) => x.approvalId === p.approvalId);
          if (!a || a.status !== 'Pending') continue;
          if (!decided(a, p.decidedAt)) {
            const record = recorded.get(p.approvalId);
            log.push(
              `${roleLabel(a.role)}: a decision callout said "${p.decision}", but Salesforce shows the request ${record ? record.status : 'missing'}; still waiting for ${a.approverName}`,
            );
          }
        } else if (e.kind === `timer:${SLA_TIMER}`) {
          const p = e.payload as { approvalId: string; step: SlaStep };
          const a = approvals.find((x) => x.approvalId === p.approvalId);
          if (!a || a.status !== 'Pending') continue;
          if (a.slaDone?.includes(p.step)) continue;
          if (decided(a, ctx.now().toISOString())) continue;
          await slaAction(deps, a, p.step, messageDeal, posts, notes, log, ctx.now());
          a.slaDone = [...(a.slaDone ?? []), p.step];
        }
      }
      // Together: approvals saved without the hash would look like a revision on the next run.
      await ctx.saveAll({ contractHash: contract.contentHash, approvals, superseded, posts });

      const unwritten = approvals.filter((a) => !a.approvalId);
      const finish = async (result: CommitResult): Promise<StageOutcome | undefined> => {
        for (const a of approvals) a.approvalId = result.ids[a.key] ?? a.approvalId;
        // Feed posts are in Salesforce now; never post them twice.
        await ctx.saveAll({ posts: [], approvals });
        const recall = ctx.load<string[]>('toRecall') ?? [];
        if (recall.length > 0) {
          const results = await deps.approvals.recall(
            recall,
            'The deal was revised; a new contract version replaces the one this request was about.',
          );
          const failed = results.filter((r) => !r.ok);
          if (failed.length > 0)
            return failedOutcome(`Recalling approvals failed: ${failed.map((f) => f.error).join('; ')}`, {
              approvals,
            });
          await ctx.save('toRecall', []);
        }
        const submitted = await submitReady(
          ctx,
          deps,
          approvals,
          deal,
          contract,
          history,
          messageDeal,
          notes,
        );
        for (const n of notes.splice(0)) await sendNote(ctx, deps, n);
        if (submitted.failure) return submitted.failure;
        // The commit that wrote the records already announced these submissions.
        if (submitted.count === 0 || announced) return undefined;
        const prediction = predict(ctx, approvals, history, deal);
        await ctx.save('approvals', approvals);
        return outcomeOf(
          approvals,
          superseded,
          prediction,
          [...log, ...submitted.lines],
          `Submitted to ${submitted.names.join(', ')}; ${predictionNote(prediction)}`,
        );
      };
      const prediction = predict(ctx, approvals, history, deal);
      const ready = readyToSubmit(approvals);
      const announced = unwritten.length > 0 && ready.length > 0;
      const outcome = outcomeOf(
        approvals,
        superseded,
        prediction,
        log,
        announced
          ? `Submitting to ${ready.map((a) => `${a.approverName} (${roleLabel(a.role)})`).join(', ')}; ${predictionNote(prediction)}`
          : undefined,
      );
      if (outcome.status === 'succeeded') await ctx.clearTimers(SLA_TIMER);
      // Planned records go out with the step in one write; submission follows in afterCommit.
      return {
        ...outcome,
        writes: [...unwritten.map((a) => approvalWrite(a)), ...postWrites(posts)],
        afterCommit: finish,
      };
    },
  };
}

/** The approvals of the step's previous generation, when a retry started a new one. */
function previousGeneration(
  ctx: StageContext,
): { approvals: ApprovalState[] | undefined; superseded: ApprovalState[] | undefined } | undefined {
  if (ctx.generation === 0) return undefined;
  const of = (key: string) =>
    ctx.earlier<ApprovalState[]>(key, 'state').find((e) => e.generation === ctx.generation - 1)?.value;
  return { approvals: of('approvals'), superseded: of('superseded') };
}

function dealFacts(deal: DealContext, contract: ContractOutput, signals: { type: string }[]): DealFacts {
  return {
    amountMinor: contract.totalMinor,
    currency: contract.currency,
    corporateCurrency: deal.corporateCurrency,
    rates: deal.currencyRates,
    maxDiscountPercent: Math.max(0, ...deal.lineItems.map((l) => l.discountPercent)),
    customTerms: contract.specialTerms.length > 0,
    securityReview:
      contract.clauses.some((c) => c.id === 'security-annex') ||
      signals.some((s) => s.type === 'security_concern'),
    legalReview: contract.legalReviewRequired,
  };
}

type Planned =
  | { states: ApprovalState[]; history: ApprovalHistoryEntry[]; ruleCount: number }
  | { error: string; facts: unknown };

/** The matrix for this contract, with each approver resolved to an active user. */
async function planApprovals(
  ctx: StageContext,
  deps: ApprovalAgentDeps,
  deal: DealContext,
  facts: DealFacts,
  authority: number,
): Promise<Planned> {
  // The rules as read with the deal; after a retry (an admin fixed a rule) read them again.
  const retried = ctx.generation > 0;
  const rules = retried ? await ctx.memo('rules', () => deps.crm.loadApprovalRules()) : deal.approvalRules;
  let required: RequiredApproval[];
  try {
    required = requiredApprovals(rules, facts);
  } catch (err) {
    if (err instanceof ApprovalMatrixError) return { error: `Approval matrix: ${err.message}.`, facts };
    throw err;
  }
  const gaps = uncoveredRequirements(rules, facts, { repDiscountAuthorityPercent: authority });
  if (gaps.length > 0)
    return {
      error: `No approval rule covers this deal although policy requires one: ${gaps.join('; ')}. Add or activate an Approval_Rule__mdt record, then retry.`,
      facts,
    };
  const execRule = rules.find((r) => r.active && r.role === 'Executive');
  const usernames = [
    ...new Set(
      [
        ...required.flatMap((r) => [r.approverUsername, r.backupUsername]),
        execRule?.approverUsername,
        execRule?.backupUsername,
      ].filter((u): u is string => Boolean(u)),
    ),
  ];
  if (required.length === 0) return { states: [], history: [], ruleCount: rules.length };
  // Users and past decisions in one round trip. Users are memoised per set of names, so a
  // revision naming other approvers reads again. History is not: it is hundreds of rows shared by
  // every closure (history-snapshot.ts), so a later pass (a decision days on) predicts from
  // current history instead of each run storing its own copy.
  const historyLimit = deps.historyLimit ?? 500;
  let history: ApprovalHistoryEntry[] | undefined;
  const users = await ctx.memo(`planning.users:${usernames.join(',')}`, async () => {
    const both = await deps.approvals.planningData(usernames, historyLimit);
    history = both.history;
    return both.users;
  });
  history ??= await deps.approvals.history({ limit: historyLimit });
  const byUsername = new Map(users.map((u) => [u.username.toLowerCase(), u]));
  const byId = new Map(users.map((u) => [u.id, u]));
  const find = (u: string | null | undefined) => (u ? byUsername.get(u.toLowerCase()) : undefined);
  const states: ApprovalState[] = [];
  for (const r of required) {
    const approver = find(r.approverUsername);
    const backup = find(r.backupUsername);
    if (!approver)
      return {
        error: `Approval rule ${r.rule} (${roleLabel(r.role)}) names approver ${r.approverUsername ?? '(none)'}, who is not a user in this org; fix Approver_Username__c, then retry.`,
        facts,
      };
    if (r.backupUsername && !backup)
      return {
        error: `Approval rule ${r.rule} (${roleLabel(r.role)}) names backup ${r.backupUsername}, who is not a user in this org; fix Backup_Username__c, then retry.`,
        facts,
      };
    // Out of office or gone: an inactive approver, or one who delegated, goes to the backup at once.
    let chosen: CrmUser = approver;
    let routed: string | null = null;
    if (!approver.isActive) {
      if (!backup?.isActive)
        return {
          error: `Approver ${approver.username} of rule ${r.rule} (${roleLabel(r.role)}) is inactive and the rule has no active backup; set Backup_Username__c or reactivate the user, then retry.`,
          facts,
        };
      chosen = backup;
      routed = `${approver.name} is inactive`;
    } else if (approver.delegatedApproverId) {
      const delegate = byId.get(approver.delegatedApproverId);
      if (backup?.isActive) {
        chosen = backup;
        routed = `${approver.name} delegated approvals${delegate ? ` to ${delegate.name}` : ''}; routed to the backup`;
      } else if (delegate?.isActive) {
        chosen = delegate;
        routed = `${approver.name} delegated approvals to ${delegate.name}`;
      }
    }
    const exec = find(execRule?.approverUsername);
    const execBackup = find(execRule?.backupUsername);
    const escalateTo =
      exec && exec.id !== chosen.id && exec.isActive ? exec : execBackup?.isActive ? execBackup : null;
    states.push({
      role: r.role,
      key: `${ctx.run.id}:approval:${r.role}`,
      round: 1,
      approvalId: null,
      approverId: chosen.id,
      approverName: chosen.name,
      ruleApproverId: approver.id,
      backupId: backup && backup.id !== chosen.id && backup.isActive ? backup.id : null,
      backupName: backup && backup.id !== chosen.id && backup.isActive ? backup.name : null,
      executiveId: escalateTo && escalateTo.id !== chosen.id ? escalateTo.id : null,
      executiveName: escalateTo && escalateTo.id !== chosen.id ? escalateTo.name : null,
      status: 'Planned',
      slaHours: r.slaHours,
      submittedAt: null,
      dueAt: new Date(ctx.now().getTime() + r.slaHours * HOUR).toISOString(),
      reason: r.reason,
      rule: r.rule,
      dependsOn: r.dependsOn,
      comment: null,
      decidedAt: null,
      routedToBackup: routed,
      escalationLevel: 0,
      log: routed ? [`Routed to ${chosen.name} at once: ${routed}`] : [],
      prediction: { basis: 'prior', samples: 0, medianHours: 0, p90Hours: 0 },
    });
  }
  return { states, history, ruleCount: rules.length };
}

/**
 * The approvals after a revision: an approval whose reason is unchanged and that was approved
 * or is still pending stays as it is; a rejected one, or one whose reason changed, goes out again
 * as a new Deal_Approval__c (the next round); roles no longer required are recalled.
 */
function revise(
  previous: ApprovalState[],
  next: ApprovalState[],
  posts: PendingPost[],
  log: string[],
): ApprovalState[] {
  const out: ApprovalState[] = [];
  for (const n of next) {
    const old = previous.find((p) => p.role === n.role);
    if (old && old.reason === n.reason && old.status !== 'Rejected' && old.status !== 'Recalled') {
      out.push(old);
      log.push(
        `${roleLabel(n.role)}: reason unchanged, ${old.status === 'Approved' ? 'approval kept' : 'request kept'}`,
      );
      continue;
    }
    const round = (old?.round ?? 0) + 1;
    out.push({ ...n, round, key: round === 1 ? n.key : `${n.key}:r${round}` });
    log.push(
      `${roleLabel(n.role)}: ${old ? (old.status === 'Rejected' ? 'resubmitted after the rejection' : 'reason changed, resubmitted') : 'newly required'} (${n.reason})`,
    );
  }
  for (const old of previous) {
    if (out.includes(old)) continue;
    if (old.status === 'Pending' && old.approvalId) {
      old.log.push('Recalled: the contract changed');
      posts.push({
        parentId: old.approvalId,
        body: `DealDesk recalled this request: the rep revised the deal and a new contract version replaced the one it was about.`,
        guardKey: `recall:${old.approvalId}`,
      });
      log.push(`${roleLabel(old.role)}: pending request recalled`);
    }
  }
  return out;
}

function messageOf(a: ApprovalState) {
  return {
    role: a.role,
    approvalId: a.approvalId ?? '',
    approverId: a.approverId,
    approverName: a.approverName,
    reason: a.reason,
    dueAt: a.dueAt,
    slaHours: a.slaHours,
    round: a.round,
  };
}

function toMessageDeal(deal: DealContext, contract: ContractOutput): MessageDeal {
  return {
    opportunityId: deal.opportunity.id,
    opportunityName: deal.opportunity.name,
    accountName: deal.account?.name ?? '',
    amount: formatMoney(contract.totalMinor, contract.currency),
    termMonths: contract.termMonths,
    riskLevel: contract.riskLevel,
    ownerId: deal.opportunity.ownerId,
  };
}

/** Reminder at 50% of the SLA, the backup at 100%, the executive at 150%. */
async function slaAction(
  deps: ApprovalAgentDeps,
  a: ApprovalState,
  step: SlaStep,
  deal: MessageDeal,
  posts: PendingPost[],
  notes: Notification[],
  log: string[],
  now: Date,
): Promise<void> {
  const record = (line: string, post: string) => {
    a.log.push(line);
    log.push(`${roleLabel(a.role)}: ${line}`);
    posts.push({ parentId: a.approvalId!, body: post, guardKey: `${step}:${a.approvalId}` });
  };
  if (step === 'remind') {
    if (a.escalationLevel > 0) return;
    notes.push(reminderMessage(messageOf(a), deal));
    record(
      `reminded ${a.approverName} at ${when(now.toISOString())} (half of the ${a.slaHours} h SLA)`,
      `DealDesk reminded ${a.approverName}: half of the ${a.slaHours} h SLA has passed; due ${when(a.dueAt)}.`,
    );
    return;
  }
  const target =
    step === 'reassign'
      ? a.escalationLevel < 1 && a.backupId
        ? { id: a.backupId, name: a.backupName ?? 'the backup', level: 1 }
        : null
      : a.escalationLevel < 2 && a.executiveId
        ? { id: a.executiveId, name: a.executiveName ?? 'the executive', level: 2 }
        : null;
  if (!target || target.id === a.approverId) {
    record(
      `${step === 'reassign' ? 'SLA missed' : 'SLA missed by half again'}; no ${step === 'reassign' ? 'backup' : 'executive'} to move it to, left with ${a.approverName}`,
      `DealDesk: the ${a.slaHours} h SLA has passed and there is no ${step === 'reassign' ? 'backup approver' : 'executive'} to take this request; it stays with ${a.approverName}.`,
    );
    return;
  }
  const result = await deps.approvals.reassign(a.approvalId!, target.id);
  if (!result.ok) {
    record(
      `could not move the request to ${target.name}: ${result.error ?? 'unknown error'}`,
      `DealDesk could not reassign this request to ${target.name}: ${result.error ?? 'unknown error'}.`,
    );
    return;
  }
  const previous = a.approverName;
  a.approverId = target.id;
  a.approverName = target.name;
  a.escalationLevel = target.level;
  // The new approver gets half an SLA from now before the next step.
  a.dueAt = new Date(now.getTime() + 0.5 * a.slaHours * HOUR).toISOString();
  const why =
    step === 'reassign'
      ? `${previous} did not decide within the ${a.slaHours} h SLA`
      : `the request is 50% past its ${a.slaHours} h SLA`;
  notes.push(
    reassignedMessage(
      messageOf(a),
      deal,
      previous,
      why,
      step === 'reassign' ? 'approval_request' : 'escalation',
    ),
  );
  record(
    `${step === 'reassign' ? 'reassigned to the backup' : 'escalated to the executive'} ${target.name} (was ${previous}): ${why}`,
    `DealDesk ${step === 'reassign' ? 'reassigned' : 'escalated'} this request from ${previous} to ${target.name}: ${why}. New due time ${when(a.dueAt)}.`,
  );
}

/** Submits planned approvals whose dependencies are approved, schedules their SLA timers, notifies. */
async function submitReady(
  ctx: StageContext,
  deps: ApprovalAgentDeps,
  approvals: ApprovalState[],
  deal: DealContext,
  contract: ContractOutput,
  history: ApprovalHistoryEntry[],
  messageDeal: MessageDeal,
  notes: Notification[],
): Promise<{ count: number; lines: string[]; names: string[]; failure?: StageOutcome }> {
  const ready = readyToSubmit(approvals).filter((a) => a.approvalId);
  if (ready.length === 0) return { count: 0, lines: [], names: [] };
  const now = ctx.now();
  const briefs = new Map(ready.map((a) => [a, brief(a, deal, contract, history)]));
  const results = await deps.crm.submitApprovals(
    ready.map((a) => ({ approvalId: a.approvalId!, approverId: a.approverId, comments: briefs.get(a)! })),
  );
  const lines: string[] = [];
  const names: string[] = [];
  const timers: Parameters<StageContext['schedule']>[0] = [];
  for (const r of results.filter((x) => x.ok)) {
    const a = approvals.find((x) => x.approvalId === r.approvalId);
    if (!a) continue;
    a.status = 'Pending';
    a.submittedAt = now.toISOString();
    a.dueAt = new Date(now.getTime() + a.slaHours * HOUR).toISOString();
    a.log.push(`submitted to ${a.approverName} at ${when(a.submittedAt)}, due ${when(a.dueAt)}`);
    lines.push(`${roleLabel(a.role)}: submitted to ${a.approverName}, due ${when(a.dueAt)}`);
    names.push(`${a.approverName} (${roleLabel(a.role)})`);
    for (const s of SLA_STEPS)
      timers.push({
        kind: SLA_TIMER,
        dueAt: new Date(now.getTime() + s.factor * a.slaHours * HOUR),
        payload: { approvalId: a.approvalId, step: s.step },
      });
    notes.push(requestMessage(messageOf(a), messageDeal, briefs.get(a)!));
  }
  await ctx.schedule(timers);
  await ctx.save('approvals', approvals);
  const failed = results.filter((r) => !r.ok);
  if (failed.length > 0)
    return {
      count: lines.length,
      lines,
      names,
      failure: failedOutcome(
        `Submitting to the approval process failed: ${failed.map((f) => f.error).join('; ')}`,
        {
          approvals,
        },
      ),
    };
  return { count: lines.length, lines, names };
}

/** Planned approvals whose prerequisites are approved; none while a rejection stands. */
function readyToSubmit(approvals: ApprovalState[]): ApprovalState[] {
  if (approvals.some((a) => a.status === 'Rejected')) return [];
  return approvals.filter(
    (a) =>
      a.status === 'Planned' &&
      a.dependsOn.every((d) => approvals.find((x) => x.role === d)?.status === 'Approved'),
  );
}

const predictionNote = (p: Prediction) =>
  p.meetsTarget === false
    ? `predicted ${when(p.completionAt)}, after the close date ${p.targetDate}`
    : `predicted done ${when(p.completionAt)}${p.meetsTarget ? ', before the close date' : ''}`;

async function sendNote(ctx: StageContext, deps: ApprovalAgentDeps, n: Notification): Promise<void> {
  if (!deps.notifier) return;
  try {
    await deps.notifier.notify(n);
  } catch (err) {
    // Best effort: the approval process and the timeline carry the request either way.
    ctx.logger.warn({ err, kind: n.kind, recordId: n.recordId }, 'notification failed');
  }
}

function predict(
  ctx: StageContext,
  approvals: ApprovalState[],
  history: ApprovalHistoryEntry[],
  deal: DealContext,
): Prediction {
  const durations = decisionDurations(history);
  const now = ctx.now();
  const planned = approvals.map((a) => {
    const stats = decisionTimeStats(durations, a.ruleApproverId, a.role, a.slaHours);
    a.prediction = {
      basis: stats.basis,
      samples: stats.samples,
      medianHours: round1(stats.medianHours),
      p90Hours: round1(stats.p90Hours),
    };
    return {
      role: a.role,
      dependsOn: a.dependsOn,
      stats,
      decided: a.status === 'Approved',
      elapsedHours:
        a.status === 'Pending' && a.submittedAt ? (now.getTime() - Date.parse(a.submittedAt)) / HOUR : 0,
    };
  });
  const p = predictCompletion(planned, seedOf(ctx.run.id));
  const completionAt = new Date(now.getTime() + p.medianHours * HOUR).toISOString();
  const p90At = new Date(now.getTime() + p.p90Hours * HOUR).toISOString();
  const target = deal.opportunity.closeDate;
  // The target is the close date; approvals must be done by the end of that day (UTC).
  const meets = target ? Date.parse(completionAt) <= Date.parse(`${target}T23:59:59Z`) : null;
  const perApprover = approvals
    .filter((a) => a.status !== 'Approved')
    .map(
      (a) =>
        `${a.approverName} ~${fmtHours(a.prediction.medianHours)} (p90 ${fmtHours(a.prediction.p90Hours)}, ${a.prediction.basis === 'prior' ? 'no history: SLA prior' : `${a.prediction.samples} past decisions`})`,
    )
    .join(', ');
  return {
    completionAt,
    p90At,
    targetDate: target,
    meetsTarget: meets,
    summary: `Predicted approval by ${when(completionAt)} (p90 ${when(p90At)})${target ? `, ${meets ? 'meets' : 'misses'} the close date ${target}` : ''}${perApprover ? `; ${perApprover}` : ''}.`,
  };
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const fmtHours = (h: number) => (h >= 48 ? `${round1(h / 24)} d` : `${round1(h)} h`);

function outcomeOf(
  approvals: ApprovalState[],
  superseded: ApprovalState[],
  prediction: Prediction,
  log: string[],
  headline?: string,
): StageOutcome {
  const summary = approvals
    .map(
      (a) =>
        `${roleLabel(a.role)}: ${a.approverName} ${a.status.toLowerCase()}${a.comment ? ` ("${a.comment}")` : ''}`,
    )
    .join('; ');
  const actions = log.length > 0 ? ` ${log.join('. ')}.` : '';
  const output = { approvals, superseded, prediction };
  const rejected = approvals.find((a) => a.status === 'Rejected');
  if (rejected) {
    return {
      status: 'waiting',
      waitingFor: 'rep',
      reasoning: `${rejected.approverName} (${roleLabel(rejected.role)}) rejected: "${rejected.comment ?? 'no comment'}". Signature is on hold until the rep revises the deal.${actions} ${summary}.`,
      confidence: null,
      facts: output,
      message: `Rejected by ${rejected.approverName}: ${rejected.comment ?? 'no comment'}`.slice(0, 255),
      output,
    };
  }
  if (approvals.every((a) => a.status === 'Approved')) {
    return {
      status: 'succeeded',
      reasoning: `All ${approvals.length} approvals granted.${actions} ${summary}.`,
      confidence: null,
      facts: output,
      message: `All ${approvals.length} approvals granted`,
      output,
    };
  }
  const pending = approvals.filter((a) => a.status !== 'Approved');
  const latest = log.at(-1);
  return {
    status: 'waiting',
    waitingFor: 'approval',
    reasoning: `Waiting for ${pending.map((a) => `${a.approverName} (${roleLabel(a.role)}, ${waitsFor(a)})`).join(', ')}. ${approvals.map((a) => `${roleLabel(a.role)} [${a.rule}]: ${a.reason}${a.routedToBackup ? ` (routed to ${a.approverName}: ${a.routedToBackup})` : ''}`).join('. ')}.${actions} ${prediction.summary}`,
    confidence: null,
    facts: output,
    message: ((headline ?? latest)
      ? (headline ?? latest)!
      : `Waiting for ${pending.length} of ${approvals.length} approval(s); ${prediction.meetsTarget === false ? 'predicted to miss' : 'predicted by'} ${prediction.meetsTarget === false ? `the close date ${prediction.targetDate}` : when(prediction.completionAt)}`
    ).slice(0, 255),
    output,
  };
}

function waitsFor(a: ApprovalState): string {
  if (a.status === 'Pending') return `due ${when(a.dueAt)}`;
  return a.dependsOn.length > 0 ? `after ${a.dependsOn.map(roleLabel).join(' and ')}` : 'being submitted';
}

function approvalWrite(a: ApprovalState): CrmWrite {
  return {
    kind: 'approval',
    key: a.key,
    role: a.role,
    approverId: a.approverId,
    backupApproverId: a.backupId,
    reason: a.reason,
    rule: a.rule,
    status: 'Pending',
    dueAt: a.dueAt,
    escalationLevel: a.escalationLevel,
  };
}

function postWrites(posts: PendingPost[]): CrmWrite[] {
  return posts.map((p) => ({ kind: 'feedPost', parentId: p.parentId, body: p.body, guardKey: p.guardKey }));
}

/** The decision brief in the approval request's comments: what the approver needs to decide. */
function brief(
  a: ApprovalState,
  deal: DealContext,
  contract: ContractOutput,
  history: ApprovalHistoryEntry[],
): string {
  const o = deal.opportunity;
  const corporate = deal.corporateCurrency;
  const rates = deal.currencyRates;
  const toCorporate = (minor: number, currency: string) => {
    try {
      return convertMinor(minor, currency, corporate, rates);
    } catch {
      return null;
    }
  };
  const amountCorporate = toCorporate(contract.totalMinor, contract.currency) ?? contract.totalMinor;
  const similar = precedents(history, a.role, amountCorporate, toCorporate, o.id);
  const precedent =
    similar.length > 0
      ? `Precedent: ${similar.map((p) => `${p.opportunityName} (${formatMoney(p.amountMinor, p.currency)}) ${p.status.toLowerCase()} in ${fmtHours(round1(p.hours))}`).join('; ')}.`
      : `Precedent: no ${roleLabel(a.role)} decision on a deal of similar size yet.`;
  const discount = Math.max(0, ...deal.lineItems.map((l) => l.discountPercent));
  return [
    `${o.name} — ${deal.account?.name ?? ''}: ${formatMoney(contract.totalMinor, contract.currency)} over ${contract.termMonths} months, ${discount}% max discount, close date ${o.closeDate ?? 'not set'}.`,
    `Why you (${a.rule}): ${a.reason}.`,
    `Risk: ${contract.riskLevel}${contract.riskFactors.length > 0 ? ` (${contract.riskFactors.join('; ')})` : ''}.`,
    precedent,
    `Please decide by ${when(a.dueAt)}.`,
  ].join(' ');
}
