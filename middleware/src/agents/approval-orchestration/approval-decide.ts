/**
 * The Approval Orchestration stage's decisions, without I/O: given its state, what happened
 * (decisions, SLA timers, the answers to its own commands) and what it read (the contract, the
 * rules, the users, the history, what Salesforce recorded, the time), it says what to do next and
 * what the step reports. The agent (approval-agent.ts) carries the commands out.
 *
 * A pass of the stage: `decide(startPass(saved), events, facts)` plans the approvals against the
 * current contract (a new contract version is the rep's revision), goes through the events and
 * reports the step with the records to write; once they are in Salesforce, `committed` recalls
 * what a revision replaced and submits what is ready.
 */
import { failedOutcome } from '../../orchestrator/stage.ts';
import { formatMoney } from '../../domain/money.ts';
import { reassignedMessage, rejectionMessage, reminderMessage, requestMessage } from './approval-messages.ts';
import { dealFacts, plan, revise } from './approval-plan.ts';
import { approverBrief, type ApproverBrief } from './approval-brief.ts';
import { templateBrief, type WrittenBrief } from './brief-draft.ts';
import {
  approvalWrite,
  HOUR,
  messageOf,
  outcomeOf,
  postWrites,
  predict,
  predictionNote,
  roleLabel,
  toMessageDeal,
  when,
} from './approval-report.ts';
import {
  SLA_STEPS,
  SLA_TIMER,
  type ApprovalCommand,
  type ApprovalEvent,
  type ApprovalFacts,
  type ApprovalOutcome,
  type ApprovalStageState,
  type ApprovalState,
  type Decision,
  type Report,
  type SavedApprovals,
  type BriefWriter,
  type SlaStep,
  type SlaTarget,
} from './approval-state.ts';

/** The state a pass of the stage starts from. */
export function startPass(saved: SavedApprovals): ApprovalStageState {
  return { ...structuredClone(saved), phase: 'start', log: [], notes: [], announced: false, briefs: {} };
}

/** What one event leads to: nothing more, an answer to wait for, or the end of the pass. */
type Next = undefined | 'await' | ApprovalOutcome;

/** The pass ends with this outcome for the step. */
const end = (outcome: Report): ApprovalOutcome => ({ kind: 'report', outcome, resume: false });
/** A step that stops for a person to fix what the message names. */
const failed = (message: string, facts: unknown): ApprovalOutcome =>
  end({ ...failedOutcome(message, facts), output: undefined });
/** The pass ends without a new outcome; the step shows the approvals as they are now. */
const quiet = (s: ApprovalStageState): ApprovalOutcome => ({
  kind: 'quiet',
  output: { approvals: s.approvals ?? [], superseded: s.superseded },
});

export function decide(state: ApprovalStageState, events: ApprovalEvent[], facts: ApprovalFacts): Decision {
  // The caller's state is never changed: what `decide` returns is a new one.
  const s = structuredClone(state);
  const commands: ApprovalCommand[] = [];
  const done = (outcome: ApprovalOutcome): Decision => ({ state: s, commands, outcome });
  if (s.phase === 'start') {
    const stop = look(s, facts, commands);
    if (stop) return done(stop);
  }
  for (const [i, event] of events.entries()) {
    const next = on(s, event, facts, commands);
    // Later events wait for the answer: each sees the approvals as the one before left them.
    if (next === 'await') return done({ kind: 'continue', remaining: events.slice(i + 1) });
    if (next) return done(next);
  }
  return done(s.phase === 'looking' ? report(s, facts, commands) : quiet(s));
}

/**
 * The approval ids the events name that are pending once the stage has looked: the agent reads
 * what Salesforce recorded for them into `facts.recorded` before deciding.
 */
export function decisionsToCheck(
  state: ApprovalStageState,
  events: ApprovalEvent[],
  facts: Omit<ApprovalFacts, 'recorded'>,
): string[] {
  const s = structuredClone(state);
  if (s.phase === 'start' && look(s, { ...facts, recorded: [] }, [])) return [];
  const named = events.flatMap((e) => (e.kind === 'decision' || e.kind === 'sla' ? [e.approvalId] : []));
  return [...new Set(named)].filter((id) =>
    s.approvals?.some((a) => a.approvalId === id && a.status === 'Pending'),
  );
}

/** Plans against the current contract and keeps what still holds; an outcome when the pass ends here. */
function look(
  s: ApprovalStageState,
  facts: ApprovalFacts,
  commands: ApprovalCommand[],
): ApprovalOutcome | undefined {
  const planned = plan(facts);
  if ('error' in planned) return failed(planned.error, planned.facts);
  const hash = facts.contract.contentHash;
  if (!s.approvals) {
    s.approvals = planned.approvals;
  } else if (s.contractHash !== hash) {
    // A new contract version after the rep revised, or a retry after a fix (the records already in
    // the approval process are locked): keep what still holds, redo what changed.
    const current = s.approvals;
    const next = revise(current, planned.approvals, s.posts, s.log);
    const replaced = current.filter((a) => !next.includes(a));
    s.toRecall = replaced.filter((a) => a.status === 'Pending' && a.approvalId).map((a) => a.approvalId!);
    commands.push(save({ toRecall: s.toRecall }));
    for (const a of replaced) if (a.status === 'Pending' || a.status === 'Planned') a.status = 'Recalled';
    s.superseded.push(...replaced);
    s.approvals = next;
  }
  s.contractHash = hash;
  s.phase = 'looking';
  if (s.approvals.length > 0 || s.superseded.length > 0) return undefined;
  const f = dealFacts(facts.deal, facts.contract, facts.signals);
  const { contract } = facts;
  return end({
    status: 'succeeded',
    reasoning: `No approval rule applies (${planned.ruleCount} rules checked against ${formatMoney(contract.totalMinor, contract.currency)}, ${f.maxDiscountPercent}% discount, ${f.customTerms ? '' : 'no '}custom terms, ${f.legalReview ? '' : 'no '}legal review flag).`,
    confidence: null,
    facts: f,
    message: 'No approvals required',
    output: { approvals: [], superseded: [] },
  });
}

function on(
  s: ApprovalStageState,
  e: ApprovalEvent,
  facts: ApprovalFacts,
  commands: ApprovalCommand[],
): Next {
  switch (e.kind) {
    case 'decision': {
      const a = pendingOf(s, e.approvalId);
      if (a && !decided(s, a, e.decidedAt, facts)) {
        const record = facts.recorded.find((r) => r.approvalId === e.approvalId);
        s.log.push(
          `${roleLabel(a.role)}: a decision callout said "${e.decision}", but Salesforce shows the request ${record ? record.status : 'missing'}; still waiting for ${a.approverName}`,
        );
      }
      return undefined;
    }
    case 'sla': {
      const a = pendingOf(s, e.approvalId);
      if (!a || a.slaDone?.includes(e.step)) return undefined;
      // Salesforce may hold a decision whose callout it gave up on: found here, not chased.
      if (decided(s, a, facts.now.toISOString(), facts)) return undefined;
      return slaStep(s, a, e.step, facts, commands);
    }
    case 'reassigned':
      return moved(s, e, facts);
    case 'committed':
      return committed(s, e.ids, facts, commands);
    case 'recalled': {
      const refused = e.results.filter((r) => !r.ok);
      if (refused.length > 0)
        return failed(`Recalling approvals failed: ${refused.map((f) => f.error).join('; ')}`, {
          approvals: s.approvals,
        });
      s.toRecall = [];
      commands.push(save({ toRecall: [] }));
      return submitReady(s, facts, commands);
    }
    case 'submitted':
      return submitted(s, e.results, facts, commands);
  }
}

function pendingOf(s: ApprovalStageState, approvalId: string): ApprovalState | undefined {
  const a = s.approvals?.find((x) => x.approvalId === approvalId);
  return a?.status === 'Pending' ? a : undefined;
}

/** Applies the decision Salesforce recorded for `a`, if it has one. */
function decided(s: ApprovalStageState, a: ApprovalState, fallbackAt: string, facts: ApprovalFacts): boolean {
  const record = facts.recorded.find((r) => r.approvalId === a.approvalId);
  if (record?.status !== 'Approved' && record?.status !== 'Rejected') return false;
  a.status = record.status;
  a.comment = record.comments;
  a.decidedAt = record.decidedAt ?? fallbackAt;
  const line = `${a.approverName} ${a.status.toLowerCase()}${a.comment ? `: "${a.comment}"` : ''}`;
  a.log.push(`${line} (${when(a.decidedAt)})`);
  s.log.push(`${roleLabel(a.role)}: ${line}`);
  if (a.status === 'Rejected')
    s.notes.push(
      rejectionMessage(messageOf(a), toMessageDeal(facts.deal, facts.contract), a.comment, facts.runId),
    );
  return true;
}

/** A line on the approval and the timeline, and a post on the request in Salesforce. */
function record(s: ApprovalStageState, a: ApprovalState, step: SlaStep, line: string, post: string): void {
  a.log.push(line);
  s.log.push(`${roleLabel(a.role)}: ${line}`);
  s.posts.push({ parentId: a.approvalId!, body: post, guardKey: `${step}:${a.approvalId}` });
}

/** Whom an SLA step would move the request to: the backup at 100%, the executive at 150%. */
export function slaTarget(a: ApprovalState, step: 'reassign' | 'escalate'): SlaTarget | null {
  if (step === 'reassign')
    return a.escalationLevel < 1 && a.backupId
      ? { id: a.backupId, name: a.backupName ?? 'the backup', level: 1 }
      : null;
  return a.escalationLevel < 2 && a.executiveId
    ? { id: a.executiveId, name: a.executiveName ?? 'the executive', level: 2 }
    : null;
}

/** Reminder at 50% of the SLA, the backup at 100%, the executive at 150%. */
function slaStep(
  s: ApprovalStageState,
  a: ApprovalState,
  step: SlaStep,
  facts: ApprovalFacts,
  commands: ApprovalCommand[],
): Next {
  if (step === 'remind') {
    if (a.escalationLevel === 0) {
      const lead = briefOf(s, a, facts).specific.map((x) => x.text);
      s.notes.push(reminderMessage(messageOf(a), toMessageDeal(facts.deal, facts.contract), lead));
      record(
        s,
        a,
        step,
        `reminded ${a.approverName} at ${when(facts.now.toISOString())} (half of the ${a.slaHours} h SLA)`,
        `DealDesk reminded ${a.approverName}: half of the ${a.slaHours} h SLA has passed; due ${when(a.dueAt)}.`,
      );
    }
    a.slaDone = [...(a.slaDone ?? []), step];
    return undefined;
  }
  const to = slaTarget(a, step);
  if (!to || to.id === a.approverId) {
    const nobody = step === 'reassign' ? 'backup' : 'executive';
    record(
      s,
      a,
      step,
      `${step === 'reassign' ? 'SLA missed' : 'SLA missed by half again'}; no ${nobody} to move it to, left with ${a.approverName}`,
      `DealDesk: the ${a.slaHours} h SLA has passed and there is no ${step === 'reassign' ? 'backup approver' : 'executive'} to take this request; it stays with ${a.approverName}.`,
    );
    a.slaDone = [...(a.slaDone ?? []), step];
    return undefined;
  }
  commands.push({ kind: 'reassign', approvalId: a.approvalId!, step, to });
  return 'await';
}

/** The answer to a reassignment: the request moved (or not), the approver and the backup told. */
function moved(
  s: ApprovalStageState,
  e: Extract<ApprovalEvent, { kind: 'reassigned' }>,
  facts: ApprovalFacts,
): Next {
  const a = s.approvals?.find((x) => x.approvalId === e.approvalId);
  if (!a) return undefined;
  const { step, to } = e;
  a.slaDone = [...(a.slaDone ?? []), step];
  if (!e.ok) {
    record(
      s,
      a,
      step,
      `could not move the request to ${to.name}: ${e.error ?? 'unknown error'}`,
      `DealDesk could not reassign this request to ${to.name}: ${e.error ?? 'unknown error'}.`,
    );
    return undefined;
  }
  const previous = a.approverName;
  a.approverId = to.id;
  a.approverName = to.name;
  a.escalationLevel = to.level;
  // The new approver gets half an SLA from now before the next step.
  a.dueAt = new Date(facts.now.getTime() + 0.5 * a.slaHours * HOUR).toISOString();
  const why =
    step === 'reassign'
      ? `${previous} did not decide within the ${a.slaHours} h SLA`
      : `the request is 50% past its ${a.slaHours} h SLA`;
  const kind = step === 'reassign' ? 'approval_request' : 'escalation';
  s.notes.push(
    reassignedMessage(messageOf(a), toMessageDeal(facts.deal, facts.contract), {
      previous,
      why,
      kind,
      brief: written(s, a, facts).text,
    }),
  );
  record(
    s,
    a,
    step,
    `${step === 'reassign' ? 'reassigned to the backup' : 'escalated to the executive'} ${to.name} (was ${previous}): ${why}`,
    `DealDesk ${step === 'reassign' ? 'reassigned' : 'escalated'} this request from ${previous} to ${to.name}: ${why}. New due time ${when(a.dueAt)}.`,
  );
  return undefined;
}

/** The end of the look: save, and report the step with the records still to write. */
function report(s: ApprovalStageState, facts: ApprovalFacts, commands: ApprovalCommand[]): ApprovalOutcome {
  const approvals = s.approvals!;
  const unwritten = approvals.filter((a) => !a.approvalId);
  // Written before the save: with a model, each approval keeps who wrote its brief.
  const briefs = unwritten.map((a) => written(s, a, facts).withSources);
  // Together: approvals saved without the hash would look like a revision on the next run.
  commands.push(save({ contractHash: s.contractHash, approvals, superseded: s.superseded, posts: s.posts }));
  const prediction = predict(approvals, facts);
  const ready = readyToSubmit(approvals);
  s.announced = unwritten.length > 0 && ready.length > 0;
  const outcome = outcomeOf(
    approvals,
    s.superseded,
    prediction,
    s.log,
    s.announced
      ? `Submitting to ${ready.map((a) => `${a.approverName} (${roleLabel(a.role)})`).join(', ')}; ${predictionNote(prediction)}`
      : undefined,
  );
  if (outcome.status === 'succeeded') commands.push({ kind: 'clearTimers', timerKind: SLA_TIMER });
  s.phase = 'committing';
  // Planned records go out with the step in one write; submission follows once they have ids.
  const writes = [...unwritten.map((a, i) => approvalWrite(a, briefs[i])), ...postWrites(s.posts)];
  // The step's facts are its output: who wrote the briefs shows on the timeline step.
  if (outcome.output) Object.assign(outcome.output, writers(s));
  return { kind: 'report', outcome: { ...outcome, writes }, resume: true };
}

/** The records are in Salesforce: note their ids, recall what a revision replaced, submit what is ready. */
function committed(
  s: ApprovalStageState,
  ids: Record<string, string>,
  facts: ApprovalFacts,
  commands: ApprovalCommand[],
): Next {
  const approvals = s.approvals ?? [];
  for (const a of approvals) a.approvalId = ids[a.key] ?? a.approvalId;
  // Feed posts are in Salesforce now; never post them twice.
  s.posts = [];
  commands.push(save({ posts: [], approvals }));
  if (s.toRecall.length === 0) return submitReady(s, facts, commands);
  commands.push({
    kind: 'recall',
    approvalIds: s.toRecall,
    comments: 'The deal was revised; a new contract version replaces the one this request was about.',
  });
  return 'await';
}

/** Submits planned approvals whose prerequisites are approved; tells whom the pass told nothing yet. */
function submitReady(s: ApprovalStageState, facts: ApprovalFacts, commands: ApprovalCommand[]): Next {
  const ready = readyToSubmit(s.approvals ?? []).filter((a) => a.approvalId);
  if (ready.length === 0) {
    notify(s, commands);
    return quiet(s);
  }
  commands.push({
    kind: 'submit',
    submissions: ready.map((a) => ({
      approvalId: a.approvalId!,
      approverId: a.approverId,
      comments: written(s, a, facts).text,
    })),
  });
  return 'await';
}

/** The submissions' answer: SLA timers for each request now pending, a notice to its approver. */
function submitted(
  s: ApprovalStageState,
  results: Extract<ApprovalEvent, { kind: 'submitted' }>['results'],
  facts: ApprovalFacts,
  commands: ApprovalCommand[],
): Next {
  const approvals = s.approvals ?? [];
  const now = facts.now;
  const messageDeal = toMessageDeal(facts.deal, facts.contract);
  const lines: string[] = [];
  const names: string[] = [];
  const timers: Extract<ApprovalCommand, { kind: 'schedule' }>['timers'] = [];
  for (const r of results.filter((x) => x.ok)) {
    const a = approvals.find((x) => x.approvalId === r.approvalId);
    if (!a) continue;
    // The brief as submitted: it names the due date planned before submission.
    const comments = written(s, a, facts).text;
    a.status = 'Pending';
    a.submittedAt = now.toISOString();
    a.dueAt = new Date(now.getTime() + a.slaHours * HOUR).toISOString();
    a.log.push(`submitted to ${a.approverName} at ${when(a.submittedAt)}, due ${when(a.dueAt)}`);
    lines.push(`${roleLabel(a.role)}: submitted to ${a.approverName}, due ${when(a.dueAt)}`);
    names.push(`${a.approverName} (${roleLabel(a.role)})`);
    for (const step of SLA_STEPS)
      timers.push({
        kind: SLA_TIMER,
        dueAt: new Date(now.getTime() + step.factor * a.slaHours * HOUR),
        payload: { approvalId: a.approvalId!, step: step.step },
      });
    s.notes.push(requestMessage(messageOf(a), messageDeal, comments));
  }
  commands.push({ kind: 'schedule', timers }, save({ approvals }));
  notify(s, commands);
  const refused = results.filter((r) => !r.ok);
  if (refused.length > 0)
    return failed(`Submitting to the approval process failed: ${refused.map((f) => f.error).join('; ')}`, {
      approvals,
    });
  // The commit that wrote the records already announced these submissions.
  if (lines.length === 0 || s.announced) return quiet(s);
  const prediction = predict(approvals, facts);
  const outcome = outcomeOf(
    approvals,
    s.superseded,
    prediction,
    [...s.log, ...lines],
    `Submitted to ${names.join(', ')}; ${predictionNote(prediction)}`,
  );
  if (outcome.output) Object.assign(outcome.output, writers(s));
  return end(outcome);
}

/** Planned approvals whose prerequisites are approved; none while a rejection stands. */
export function readyToSubmit(approvals: ApprovalState[]): ApprovalState[] {
  if (approvals.some((a) => a.status === 'Rejected')) return [];
  return approvals.filter(
    (a) =>
      a.status === 'Planned' &&
      a.dependsOn.every((d) => approvals.find((x) => x.role === d)?.status === 'Approved'),
  );
}

function notify(s: ApprovalStageState, commands: ApprovalCommand[]): void {
  for (const notification of s.notes.splice(0)) commands.push({ kind: 'notify', notification });
}

/** The approver's brief, from the deal and the closure's other approvals as they stand. */
const briefOf = (s: ApprovalStageState, a: ApprovalState, facts: ApprovalFacts): ApproverBrief =>
  approverBrief({ approval: a, approvals: s.approvals ?? [], facts });

/**
 * The brief as the record, the submission and the request notice carry it: written once a pass.
 * With a model configured, the draft the agent made for it; a brief not drafted yet is written
 * from the templates and noted, so the agent drafts it and decides again.
 */
function written(s: ApprovalStageState, a: ApprovalState, facts: ApprovalFacts): WrittenBrief {
  const key = `${a.key}|${a.dueAt}|${(s.approvals ?? []).map((x) => x.status).join(',')}`;
  let brief = s.briefs[key];
  if (!brief) {
    const drafted = facts.drafts?.[key];
    const b = drafted ? undefined : briefOf(s, a, facts);
    if (b && facts.drafts) s.undrafted = { ...s.undrafted, [key]: b };
    brief = s.briefs[key] = drafted ? { ...drafted, role: a.role } : { ...templateBrief(b!), role: a.role };
  }
  if (brief.writtenBy) a.briefWrittenBy = brief.writtenBy;
  return brief;
}

/** Who wrote the briefs of this pass; nothing without a model (the step's facts stay as they were). */
function writers(s: ApprovalStageState): { briefs?: BriefWriter[] } {
  const briefs = Object.entries(s.briefs).flatMap(([key, { text: _t, withSources: _w, role, ...w }]) =>
    w.writtenBy ? [{ role, approval: key.split('|')[0]!, ...w, writtenBy: w.writtenBy }] : [],
  );
  return briefs.length > 0 ? { briefs } : {};
}

/** A save command holds the values as they are now, not as later decisions leave them. */
const save = (values: Partial<SavedApprovals>): ApprovalCommand => ({
  kind: 'save',
  values: structuredClone(values),
});
