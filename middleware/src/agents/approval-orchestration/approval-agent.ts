/**
 * Approval Orchestration Agent: the required approvers from the matrix, one Deal_Approval__c
 * each, submitted into the Salesforce approval process (parallel where independent, in order
 * where a rule depends on another) with a decision brief; a predicted completion from past
 * decisions; reminders, reassignment to the backup and escalation to the executive on durable
 * timers; and, after a rejection, a revision that recalls and resubmits only what changed.
 *
 * What to do is `decide`'s (approval-decide.ts, no I/O); this file reads what it decides on and
 * carries out its commands through the ports.
 */
import type { CrmPort } from '../../ports/crm.ts';
import type { ApprovalHistoryEntry, ApprovalsPort } from '../../ports/approvals.ts';
import type { Notification, Notifier } from '../../ports/notify.ts';
import type { Stage, StageContext, StageOutcome } from '../../orchestrator/stage.ts';
import { earlierResults } from '../shared/earlier-results.ts';
import { decide, decisionsToCheck, startPass } from './approval-decide.ts';
import { usersToRead } from './approval-plan.ts';
import { roleLabel } from './approval-report.ts';
import type { ApproverBrief } from './approval-brief.ts';
import { briefDigest, draftBrief } from './brief-draft.ts';
import type { LlmPort } from '../../ports/llm.ts';
import {
  DecisionCalloutSchema,
  SLA_TIMER,
  SlaTimerSchema,
  type ApprovalCommand,
  type ApprovalEvent,
  type ApprovalFacts,
  type ApprovalStageState,
  type ApprovalState,
  type Decision,
  type SavedApprovals,
} from './approval-state.ts';

export { SLA_TIMER, type ApprovalState } from './approval-state.ts';

export interface ApprovalAgentDeps {
  crm: CrmPort;
  approvals: ApprovalsPort;
  notifier?: Notifier;
  /** Discounts above this need an approval rule; a deal with none is a policy gap. */
  repDiscountAuthorityPercent?: number;
  /** How many past Deal_Approval__c records feed predictions and precedent. */
  historyLimit?: number;
  /**
   * An approver with more open approval requests than this goes to the rule's backup when the
   * backup has fewer; unset: workload never reroutes (it still lengthens the prediction).
   */
  queueThreshold?: number;
  /** The language model that drafts each approver's brief; the templates write it without one. */
  llm?: LlmPort;
}

const DECISION_EVENT = 'approval:decision';
const TIMER_EVENT = `timer:${SLA_TIMER}`;

export function createApprovalAgent(deps: ApprovalAgentDeps): Stage {
  const authority = deps.repDiscountAuthorityPercent ?? 10;
  return {
    key: 'approval_orchestration',
    ownsEvent: (kind) => kind === DECISION_EVENT || kind === TIMER_EVENT,
    onCancel: (ctx) => recallOnCancel(ctx, deps),
    async run(ctx: StageContext): Promise<StageOutcome> {
      const saved = savedState(ctx);
      const read = await readFacts(ctx, deps, authority, ownApprovalIds(saved));
      const events = stageEvents(ctx);
      const start = startPass(saved);
      // A decision callout only says which approvals to look at: what counts is what Salesforce
      // recorded (an approval process decides, not whoever holds the API key). SLA timers look too,
      // before reminding or moving a request. One read for all the approvals at hand.
      const lookAt = decisionsToCheck(start, events, read);
      const facts = { ...read, recorded: lookAt.length > 0 ? await deps.approvals.records(lookAt) : [] };
      const { state, outcome } = await play(ctx, deps, facts, start, events);
      if (outcome.kind !== 'report')
        throw new Error('the approval stage looked at its approvals without reporting the step');
      return stepOutcome(ctx, deps, facts, state, outcome);
    },
  };
}

type Ended = Exclude<Decision['outcome'], { kind: 'continue' }>;

/**
 * One approver's brief as the model drafted it, memoised by the statements it was drafted from:
 * a replayed pass keeps its brief and asks the model nothing; a brief over other facts is drafted.
 */
function drafted(ctx: StageContext, llm: LlmPort, facts: ApprovalFacts, brief: ApproverBrief) {
  const { deal } = facts;
  return ctx.memo(`brief:${brief.role}:${briefDigest(brief)}`, () =>
    draftBrief(
      llm,
      brief,
      { opportunity: deal.opportunity.name, account: deal.account?.name ?? undefined },
      ctx.logger,
    ),
  );
}

/** Decides and carries out the commands, feeding their answers back, until the pass ends. */
async function play(
  ctx: StageContext,
  deps: ApprovalAgentDeps,
  facts: ApprovalFacts,
  state: ApprovalStageState,
  events: ApprovalEvent[],
): Promise<{ state: ApprovalStageState; outcome: Ended }> {
  for (;;) {
    const now = ctx.now();
    let decision = decide(state, events, { ...facts, now });
    // With a model, a decision that wrote template briefs is a draft of itself: `decide` is pure,
    // so the briefs it wrote are drafted and it decides again over the same state and time.
    for (let round = 0; deps.llm?.model && facts.drafts && round < 3; round++) {
      const undrafted = Object.entries(decision.state.undrafted ?? {});
      if (undrafted.length === 0) break;
      for (const [key, brief] of undrafted) facts.drafts[key] = await drafted(ctx, deps.llm, facts, brief);
      decision = decide(state, events, { ...facts, now });
    }
    const answers = await carryOut(ctx, deps, decision.commands);
    if (decision.outcome.kind !== 'continue') return { state: decision.state, outcome: decision.outcome };
    state = decision.state;
    events = [...answers, ...decision.outcome.remaining];
  }
}

/** The outcome for the orchestrator; when `decide` resumes after the commit, its afterCommit. */
function stepOutcome(
  ctx: StageContext,
  deps: ApprovalAgentDeps,
  facts: ApprovalFacts,
  state: ApprovalStageState,
  reported: Extract<Ended, { kind: 'report' }>,
): StageOutcome {
  const { outcome, resume } = reported;
  if (!resume) return outcome;
  return {
    ...outcome,
    afterCommit: async (result) => {
      const after = await play(ctx, deps, facts, state, [{ kind: 'committed', ids: result.ids }]);
      if (after.outcome.kind === 'report') return stepOutcome(ctx, deps, facts, after.state, after.outcome);
      // Nothing new to commit: the step row the orchestrator writes from this outcome's output
      // shows the approvals as submitted (ids, pending), without another write to Salesforce.
      if (outcome.output) Object.assign(outcome.output, after.outcome.output);
      return undefined;
    },
  };
}

async function carryOut(
  ctx: StageContext,
  deps: ApprovalAgentDeps,
  commands: ApprovalCommand[],
): Promise<ApprovalEvent[]> {
  const answers: ApprovalEvent[] = [];
  for (const c of commands) {
    switch (c.kind) {
      case 'save':
        await ctx.saveAll(c.values);
        break;
      case 'reassign': {
        const r = await deps.approvals.reassign(c.approvalId, c.to.id);
        answers.push({
          kind: 'reassigned',
          approvalId: c.approvalId,
          step: c.step,
          to: c.to,
          ok: r.ok,
          error: r.error,
        });
        break;
      }
      case 'recall':
        answers.push({ kind: 'recalled', results: await deps.approvals.recall(c.approvalIds, c.comments) });
        break;
      case 'submit':
        answers.push({ kind: 'submitted', results: await deps.crm.submitApprovals(c.submissions) });
        break;
      case 'schedule':
        await ctx.schedule(c.timers);
        break;
      case 'clearTimers':
        await ctx.clearTimers(c.timerKind);
        break;
      case 'notify':
        await sendNote(ctx, deps, c.notification);
        break;
    }
  }
  return answers;
}

async function sendNote(ctx: StageContext, deps: ApprovalAgentDeps, n: Notification): Promise<void> {
  if (!deps.notifier) return;
  try {
    await deps.notifier.notify(n);
  } catch (err) {
    // Best effort: the approval process and the timeline carry the request either way.
    ctx.logger.warn({ err, kind: n.kind, recordId: n.recordId }, 'notification failed');
  }
}

/** This closure's approval requests so far, which are not other work on the approvers' desks. */
function ownApprovalIds(saved: SavedApprovals): string[] {
  return [...(saved.approvals ?? []), ...saved.superseded].flatMap((a) =>
    a.approvalId ? [a.approvalId] : [],
  );
}

/**
 * The deal, the contract, the rules, the users they name with their open approval requests, and
 * past decisions; the time is read per decision.
 */
async function readFacts(
  ctx: StageContext,
  deps: ApprovalAgentDeps,
  authority: number,
  own: string[],
): Promise<Omit<ApprovalFacts, 'recorded'>> {
  const { deal, contract, closure } = earlierResults(ctx);
  const signals = closure?.assessment.signals ?? [];
  const terms = closure?.assessment.terms ?? null;
  // The rules as read with the deal; after a retry (an admin fixed a rule) read them again.
  const rules =
    ctx.generation > 0 ? await ctx.memo('rules', () => deps.crm.loadApprovalRules()) : deal.approvalRules;
  const matrix = { deal, contract, signals, rules, repDiscountAuthorityPercent: authority };
  const usernames = usersToRead(matrix);
  let people: Pick<ApprovalFacts, 'users' | 'workload'> = { users: [], workload: [] };
  let history: ApprovalHistoryEntry[] = [];
  if (usernames) {
    // Users, their open approval requests and past decisions in one round trip. Users and their
    // workload are memoised per set of names: read once per run (a revision naming other approvers
    // reads again). History is not: it is hundreds of rows shared by every closure
    // (history-snapshot.ts), so a later pass (a decision days on) predicts from current history
    // instead of each run storing its own copy.
    const historyLimit = deps.historyLimit ?? 500;
    let fresh: ApprovalHistoryEntry[] | undefined;
    people = await ctx.memo(`planning.people:${usernames.join(',')}`, async () => {
      const read = await deps.approvals.planningData(usernames, historyLimit, { excludeApprovalIds: own });
      fresh = read.history;
      if (read.workloadError)
        ctx.logger.warn(
          { error: read.workloadError },
          'approver workload not read; routing and prediction ignore it',
        );
      return { users: read.users, workload: read.workload ?? [] };
    });
    history = fresh ?? (await deps.approvals.history({ limit: historyLimit }));
  }
  return {
    ...matrix,
    ...people,
    terms,
    history,
    queueThreshold: deps.queueThreshold,
    now: ctx.now(),
    runId: ctx.run.id,
    // Only with a model: without one nothing about the briefs changes, nor what they cost.
    ...(deps.llm?.model ? { drafts: {} } : {}),
  };
}

/** Decision callouts and SLA timers, checked: a malformed one is logged and left out. */
function stageEvents(ctx: StageContext): ApprovalEvent[] {
  return ctx.events.flatMap((e): ApprovalEvent[] => {
    const schema =
      e.kind === DECISION_EVENT ? DecisionCalloutSchema : e.kind === TIMER_EVENT ? SlaTimerSchema : undefined;
    if (!schema) return [];
    const parsed = schema.safeParse(e.payload);
    if (!parsed.success) {
      ctx.logger.warn({ eventId: e.id, kind: e.kind, issues: parsed.error.issues }, 'approval event ignored');
      return [];
    }
    return [
      'decision' in parsed.data ? { kind: 'decision', ...parsed.data } : { kind: 'sla', ...parsed.data },
    ];
  });
}

/** What this generation saved, or after a retry the previous generation's approvals to revise. */
function savedState(ctx: StageContext): SavedApprovals {
  const stored = ctx.load<ApprovalState[]>('approvals');
  const earlier = stored ? undefined : previousGeneration(ctx);
  return {
    approvals: stored ?? earlier?.approvals,
    // Approvals from an earlier generation carry no hash: they are revised against this contract.
    contractHash: stored ? ctx.load<string>('contractHash') : undefined,
    superseded: ctx.load<ApprovalState[]>('superseded') ?? earlier?.superseded ?? [],
    posts: ctx.load<SavedApprovals['posts']>('posts') ?? [],
    toRecall: ctx.load<string[]>('toRecall') ?? [],
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

/**
 * Withdraws the pending requests when the rep cancels, so no approver acts on a closure that no
 * longer exists. The approval process's recall action marks each Deal_Approval__c Recalled and
 * unlocks it.
 */
async function recallOnCancel(
  ctx: Pick<StageContext, 'load' | 'logger'>,
  deps: ApprovalAgentDeps,
): Promise<string | undefined> {
  const pending = (ctx.load<ApprovalState[]>('approvals') ?? []).filter(
    (a) => a.status === 'Pending' && a.approvalId,
  );
  if (pending.length === 0) return undefined;
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
}
