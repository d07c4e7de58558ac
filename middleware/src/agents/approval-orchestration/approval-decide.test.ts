/**
 * The approval stage's decisions, with no ports: states, events and facts in, commands and the
 * step's outcome out. Answers to commands (the commit's ids, submissions, reassignments, recalls)
 * are events the tests write.
 */
import assert from 'node:assert/strict';
import type { ApprovalRecord } from '../../ports/approvals.ts';
import type { ApprovalRule, CrmUser, CrmWrite } from '../../ports/crm.ts';
import { approvalRule, contractOutput, dealContext, lineItem } from '../../test-support/deal-fixtures.ts';
import { decide, decisionsToCheck, startPass } from './approval-decide.ts';
import {
  SLA_TIMER,
  type ApprovalCommand,
  type ApprovalEvent,
  type ApprovalFacts,
  type ApprovalStageState,
  type Decision,
  type Role,
} from './approval-state.ts';

const T0 = new Date('2026-03-02T09:00:00.000Z');
const hoursAfter = (h: number) => new Date(T0.getTime() + h * 3_600_000);

/** Users by name; `n` makes the Salesforce id. */
const people: Record<string, CrmUser> = Object.fromEntries(
  ['fin', 'finbak', 'legal', 'legalbak', 'legaldel', 'vp', 'vpdel', 'exec', 'execbak'].map((name, n) => [
    name,
    {
      id: `005Dd00000001${String(n).padStart(2, '0')}AAA`,
      username: `${name}@org.example`,
      name,
      email: null,
      isActive: true,
      delegatedApproverId: null,
      managerId: null,
    },
  ]),
);
const who = (name: string, over: Partial<CrmUser> = {}): CrmUser => ({ ...people[name]!, ...over });

/** Finance over $100k, Legal on custom terms, the VP from a 10% discount, the executive after Finance and Legal. */
function rulesOf(over: Partial<Record<Role, Partial<ApprovalRule>>> = {}): ApprovalRule[] {
  const names = (approver: string, backup: string | null) => ({
    approverUsername: `${approver}@org.example`,
    backupUsername: backup && `${backup}@org.example`,
  });
  const table: (Partial<ApprovalRule> & { role: Role })[] = [
    { name: 'Finance_Large', role: 'Finance', minAmountMinor: 100_000_00, ...names('fin', 'finbak') },
    {
      name: 'Legal_Terms',
      role: 'Legal',
      requiresCustomTerms: true,
      slaHours: 48,
      ...names('legal', 'legalbak'),
    },
    { name: 'VP_Discount', role: 'Sales_VP', minDiscountPercent: 10, ...names('vp', null) },
    {
      name: 'Exec_Large',
      role: 'Executive',
      minAmountMinor: 100_000_00,
      dependsOn: ['Finance', 'Legal'],
      ...names('exec', 'execbak'),
    },
  ];
  return table.map((r) => approvalRule({ ...r, ...over[r.role] }));
}

interface DealShape {
  hash?: string;
  discount?: number;
  customTerms?: boolean;
  rules?: ApprovalRule[];
  users?: CrmUser[];
  recorded?: ApprovalRecord[];
  now?: Date;
}

function factsOf(d: DealShape = {}): ApprovalFacts {
  const deal = dealContext({
    opportunity: { name: 'Northwind renewal', closeDate: '2026-03-31', ownerId: '005Dd0000000099AAA' },
    account: { name: 'Northwind' },
    lineItems: [lineItem({ discountPercent: d.discount ?? 12 })],
  });
  const contract = contractOutput({
    totalMinor: 120_000_00,
    specialTerms: d.customTerms === false ? '' : 'Data residency addendum',
    clauses: [],
    riskLevel: 'Medium',
    riskFactors: ['non-standard terms'],
    contentHash: d.hash ?? 'hash-1',
  });
  return {
    now: d.now ?? T0,
    runId: 'run-7',
    deal,
    contract,
    signals: [],
    rules: d.rules ?? rulesOf(),
    users: d.users ?? Object.values(people),
    history: [],
    recorded: d.recorded ?? [],
    repDiscountAuthorityPercent: 10,
  };
}

const fresh = () => startPass({ superseded: [], posts: [], toRecall: [] });
const approvalIdOf = (role: Role, round = 1) =>
  `a02Dd00000000${['Finance', 'Legal', 'Sales_VP', 'Executive'].indexOf(role)}${round}AAA`;
const idsFor = (s: ApprovalStageState) =>
  Object.fromEntries(
    (s.approvals ?? []).filter((a) => !a.approvalId).map((a) => [a.key, approvalIdOf(a.role, a.round)]),
  );
const ofKind = <K extends ApprovalCommand['kind']>(d: Decision, kind: K) =>
  d.commands.filter((c): c is Extract<ApprovalCommand, { kind: K }> => c.kind === kind);
const writesOf = (d: Decision): CrmWrite[] =>
  d.outcome.kind === 'report' ? (d.outcome.outcome.writes ?? []) : [];
const roleOf = (d: Decision, approvalId: string) =>
  d.state.approvals!.find((a) => a.approvalId === approvalId)!;

/** The step's commit answered with ids for the records it wrote. */
const commit = (d: Decision, f: ApprovalFacts) =>
  decide(d.state, [{ kind: 'committed', ids: idsFor(d.state) }], f);
/** Every submission accepted by the approval process. */
function accept(d: Decision, f: ApprovalFacts): Decision {
  const [submit] = ofKind(d, 'submit');
  assert.ok(submit, 'a submission to answer');
  return decide(
    d.state,
    [{ kind: 'submitted', results: submit.submissions.map((s) => ({ approvalId: s.approvalId, ok: true })) }],
    f,
  );
}
/** The org's answer to the reassignment `d` asked for, followed by the events `d` left for after it. */
function moved(
  d: Decision,
  f: ApprovalFacts,
  answer: { ok: boolean; error?: string } = { ok: true },
): Decision {
  const [ask] = ofKind(d, 'reassign');
  assert.ok(ask, 'a reassignment to answer');
  const rest = d.outcome.kind === 'continue' ? d.outcome.remaining : [];
  return decide(
    d.state,
    [{ kind: 'reassigned', approvalId: ask.approvalId, step: ask.step, to: ask.to, ...answer }, ...rest],
    f,
  );
}
/** A pass of the stage on these events, with what Salesforce recorded. */
const look = (s: ApprovalStageState, events: ApprovalEvent[], f: ApprovalFacts) =>
  decide(startPass(s), events, f);
const recorded = (
  role: Role,
  status: 'Approved' | 'Rejected',
  comments: string | null = null,
): ApprovalRecord => ({
  approvalId: approvalIdOf(role),
  status,
  decidedAt: '2026-03-02T15:00:00.000Z',
  comments,
});
/** A decision callout: it claims an approval; what Salesforce recorded decides. */
const decision = (role: Role): ApprovalEvent => ({
  kind: 'decision',
  approvalId: approvalIdOf(role),
  decision: 'approve',
  decidedAt: hoursAfter(2).toISOString(),
});
const timer = (role: Role, step: 'remind' | 'reassign' | 'escalate'): ApprovalEvent => ({
  kind: 'sla',
  approvalId: approvalIdOf(role),
  step,
});

/** Planned, committed and submitted: Finance, Legal and the VP pending, the executive waiting for them. */
function submittedState(f = factsOf()): ApprovalStageState {
  const done = accept(commit(decide(fresh(), [], f), f), f);
  assert.equal(done.outcome.kind, 'quiet');
  return done.state;
}

describe('approval decisions (decide, no ports)', () => {
  it('routes an inactive approver and a delegating one to the backup, and one without a backup to the delegate', () => {
    const f = factsOf({
      users: [
        who('fin', { isActive: false }),
        who('finbak'),
        who('legal', { delegatedApproverId: people.legaldel!.id }),
        who('legalbak'),
        who('legaldel'),
        who('vp', { delegatedApproverId: people.vpdel!.id }),
        who('vpdel'),
        who('exec'),
        who('execbak'),
      ],
    });
    const d = decide(fresh(), [], f);
    assert.equal(d.outcome.kind, 'report');
    assert.deepEqual(
      writesOf(d).map((w) => w.kind === 'approval' && [w.role, w.approverId, w.backupApproverId]),
      [
        ['Finance', people.finbak!.id, null],
        ['Legal', people.legalbak!.id, null],
        ['Sales_VP', people.vpdel!.id, null],
        ['Executive', people.exec!.id, people.execbak!.id],
      ],
    );
    const reasoning = d.outcome.kind === 'report' ? d.outcome.outcome.reasoning : '';
    assert.match(reasoning, /routed to finbak: fin is inactive/);
    assert.match(
      reasoning,
      /routed to legalbak: legal delegated approvals to legaldel; routed to the backup/,
    );
    assert.match(reasoning, /routed to vpdel: vp delegated approvals to vpdel\)/);
    // The state with the hash goes out before the step's commit; nothing is submitted before the records exist.
    assert.deepEqual(
      d.commands.map((c) => c.kind),
      ['save'],
    );
    assert.equal(ofKind(d, 'save')[0]!.values.contractHash, 'hash-1');

    const stranded = decide(
      fresh(),
      [],
      factsOf({ users: [who('fin', { isActive: false }), who('finbak', { isActive: false })] }),
    );
    assert.equal(stranded.outcome.kind === 'report' && stranded.outcome.outcome.status, 'failed');
    assert.match(
      stranded.outcome.kind === 'report' ? stranded.outcome.outcome.error! : '',
      /Approver fin@org\.example of rule Finance_Large \(Finance\) is inactive and the rule has no active backup/,
    );
    assert.deepEqual(stranded.commands, [], 'nothing saved for a plan that cannot go out');
  });

  it('submits the executive only after Finance and Legal approve, with SLA timers at 50%, 100% and 150%', () => {
    const f = factsOf();
    const planned = decide(fresh(), [], f);
    assert.match(
      planned.outcome.kind === 'report' ? planned.outcome.outcome.message : '',
      /^Submitting to fin \(Finance\), legal \(Legal\), vp \(Sales VP\);/,
    );
    const committed = commit(planned, f);
    const [submit] = ofKind(committed, 'submit');
    assert.deepEqual(
      submit!.submissions.map((s) => [s.approvalId, s.approverId]),
      [
        [approvalIdOf('Finance'), people.fin!.id],
        [approvalIdOf('Legal'), people.legal!.id],
        [approvalIdOf('Sales_VP'), people.vp!.id],
      ],
    );
    assert.match(
      submit!.submissions[1]!.comments,
      /Why you \(Legal_Terms\): the contract carries non-standard terms\./,
    );
    const submitted = accept(committed, f);
    const [schedule] = ofKind(submitted, 'schedule');
    assert.deepEqual(
      schedule!.timers
        .filter((t) => t.payload.approvalId === approvalIdOf('Legal'))
        .map((t) => [t.kind, t.payload.step, t.dueAt.toISOString()]),
      [
        [SLA_TIMER, 'remind', hoursAfter(24).toISOString()],
        [SLA_TIMER, 'reassign', hoursAfter(48).toISOString()],
        [SLA_TIMER, 'escalate', hoursAfter(72).toISOString()],
      ],
    );
    assert.deepEqual(
      ofKind(submitted, 'notify').map((c) => [c.notification.kind, c.notification.userId]),
      [
        ['approval_request', people.fin!.id],
        ['approval_request', people.legal!.id],
        ['approval_request', people.vp!.id],
      ],
    );
    assert.equal(submitted.outcome.kind, 'quiet', 'the commit already announced these submissions');

    // Finance approves: the executive still waits for Legal.
    const later = factsOf({ now: hoursAfter(6), recorded: [recorded('Finance', 'Approved', 'Fine')] });
    const financeOk = look(submitted.state, [decision('Finance')], later);
    assert.equal(financeOk.outcome.kind === 'report' && financeOk.outcome.outcome.status, 'waiting');
    assert.deepEqual(ofKind(commit(financeOk, later), 'submit'), []);
    // Legal approves too: now the executive goes out, and only the executive.
    const both = factsOf({ now: hoursAfter(8), recorded: [recorded('Legal', 'Approved')] });
    const legalOk = look(commit(financeOk, later).state, [decision('Legal')], both);
    const executive = commit(legalOk, both);
    assert.deepEqual(
      ofKind(executive, 'submit')[0]!.submissions.map((s) => s.approvalId),
      [approvalIdOf('Executive')],
    );
    const announced = accept(executive, both);
    assert.match(
      announced.outcome.kind === 'report' ? announced.outcome.outcome.message : '',
      /^Submitted to exec \(Executive\);/,
    );
  });

  it('reminds at 50%, moves the request to the backup at 100% and to the executive at 150%, each once', () => {
    const s = submittedState();
    const remind = look(s, [timer('Finance', 'remind')], factsOf({ now: hoursAfter(12) }));
    assert.deepEqual(
      writesOf(remind)
        .filter((w) => w.kind === 'feedPost')
        .map((w) => w.kind === 'feedPost' && [w.parentId, w.guardKey]),
      [[approvalIdOf('Finance'), `remind:${approvalIdOf('Finance')}`]],
    );
    assert.deepEqual(ofKind(remind, 'notify'), [], 'told once the step is in Salesforce');
    const reminded = commit(remind, factsOf({ now: hoursAfter(12) }));
    assert.deepEqual(
      ofKind(reminded, 'notify').map((c) => [c.notification.kind, c.notification.userId]),
      [['reminder', people.fin!.id]],
    );

    // The org was down for a day: the 100% and 150% timers arrive together and act in order.
    const f = factsOf({ now: hoursAfter(36) });
    const first = look(reminded.state, [timer('Finance', 'reassign'), timer('Finance', 'escalate')], f);
    assert.deepEqual(
      ofKind(first, 'reassign').map((c) => [c.approvalId, c.to.id, c.to.level]),
      [[approvalIdOf('Finance'), people.finbak!.id, 1]],
    );
    assert.equal(first.outcome.kind, 'continue');
    const second = moved(first, f);
    assert.equal(roleOf(second, approvalIdOf('Finance')).approverName, 'finbak');
    assert.deepEqual(
      ofKind(second, 'reassign').map((c) => [c.to.id, c.to.level]),
      [[people.exec!.id, 2]],
    );
    const third = moved(second, f);
    const finance = roleOf(third, approvalIdOf('Finance'));
    assert.deepEqual(
      [finance.approverId, finance.escalationLevel, finance.dueAt, finance.slaDone],
      [people.exec!.id, 2, hoursAfter(48).toISOString(), ['remind', 'reassign', 'escalate']],
    );
    assert.match(
      third.outcome.kind === 'report' ? third.outcome.outcome.message : '',
      /escalated to the executive exec \(was finbak\): the request is 50% past its 24 h SLA/,
    );
    assert.deepEqual(
      ofKind(commit(third, f), 'notify').map((c) => [c.notification.kind, c.notification.userId]),
      [
        ['approval_request', people.finbak!.id],
        ['escalation', people.exec!.id],
      ],
    );

    // The same timers seen again after a crash change nothing.
    const replay = look(
      commit(third, f).state,
      [timer('Finance', 'reassign'), timer('Finance', 'escalate')],
      f,
    );
    assert.deepEqual(ofKind(replay, 'reassign'), []);
    assert.deepEqual(writesOf(replay), []);
  });

  it('says when a request could not be moved and when nobody is left to move it to', () => {
    const f = factsOf({ now: hoursAfter(24) });
    const asked = look(submittedState(), [timer('Finance', 'reassign'), timer('Sales_VP', 'reassign')], f);
    const refused = moved(asked, f, { ok: false, error: 'INSUFFICIENT_ACCESS' });
    assert.equal(roleOf(refused, approvalIdOf('Finance')).approverName, 'fin');
    assert.deepEqual(ofKind(refused, 'reassign'), [], 'the VP rule names no backup');
    const reasoning = refused.outcome.kind === 'report' ? refused.outcome.outcome.reasoning : '';
    assert.match(reasoning, /Finance: could not move the request to finbak: INSUFFICIENT_ACCESS/);
    assert.match(reasoning, /Sales VP: SLA missed; no backup to move it to, left with vp/);
  });

  it('stops on a rejection: the rep is told and nothing more is submitted while it stands', () => {
    const f = factsOf({
      now: hoursAfter(5),
      recorded: [
        recorded('Finance', 'Approved'),
        recorded('Legal', 'Approved'),
        recorded('Sales_VP', 'Rejected', 'Discount too deep'),
      ],
    });
    const d = look(submittedState(), [decision('Finance'), decision('Legal'), decision('Sales_VP')], f);
    assert.equal(d.outcome.kind, 'report');
    const outcome = d.outcome.kind === 'report' ? d.outcome.outcome : undefined;
    assert.deepEqual([outcome?.status, outcome?.waitingFor], ['waiting', 'rep']);
    assert.equal(outcome?.message, 'Rejected by vp: Discount too deep');
    const after = commit(d, f);
    assert.deepEqual(ofKind(after, 'submit'), [], 'the executive, whose prerequisites are approved, waits');
    assert.deepEqual(
      ofKind(after, 'notify').map((c) => [c.notification.kind, c.notification.userId]),
      [['rejection', '005Dd0000000099AAA']],
    );
  });

  it('counts what Salesforce recorded, not what a callout claims', () => {
    const s = submittedState();
    const claim = decision('Finance');
    assert.deepEqual(
      decisionsToCheck(startPass(s), [claim, timer('Executive', 'remind')], factsOf()),
      [approvalIdOf('Finance')],
      'the executive is not pending',
    );
    const d = look(
      s,
      [claim],
      factsOf({
        recorded: [
          { approvalId: approvalIdOf('Finance'), status: 'Pending', decidedAt: null, comments: null },
        ],
      }),
    );
    assert.equal(roleOf(d, approvalIdOf('Finance')).status, 'Pending');
    assert.match(
      d.outcome.kind === 'report' ? d.outcome.outcome.reasoning : '',
      /a decision callout said "approve", but Salesforce shows the request Pending; still waiting for fin/,
    );
  });

  it('on revision keeps the executive request but drops a prerequisite the new plan no longer has', () => {
    const before = factsOf({ now: hoursAfter(5), recorded: [recorded('Finance', 'Approved')] });
    const decided = commit(look(submittedState(), [decision('Finance')], before), before);
    // The rep drops the custom terms: Legal is no longer required, the executive still is.
    const f = factsOf({ hash: 'hash-2', customTerms: false, now: hoursAfter(30) });
    const revised = commit(look(decided.state, [], f), f);
    const executive = revised.state.approvals!.find((a) => a.role === 'Executive')!;
    assert.deepEqual(executive.dependsOn, ['Finance'], 'the executive no longer waits for Legal');
    // Legal's pending request is recalled first; the submissions follow the recall's answer.
    const [recall] = ofKind(revised, 'recall');
    assert.deepEqual(
      recall?.approvalIds,
      [approvalIdOf('Legal')],
      'the request Legal no longer needs is recalled',
    );
    const after = decide(
      revised.state,
      [{ kind: 'recalled', results: recall!.approvalIds.map((approvalId) => ({ approvalId, ok: true })) }],
      f,
    );
    const submitted = ofKind(after, 'submit').flatMap((c) => c.submissions.map((s) => s.approvalId));
    assert.ok(
      submitted.includes(executive.approvalId ?? ''),
      `the executive is submitted once Finance has approved (submitted: ${submitted.join(', ') || 'none'})`,
    );
  });

  it('on revision resubmits the rejected approval and the one whose reason changed, recalls the replaced request, keeps the rest', () => {
    const before = factsOf({
      now: hoursAfter(5),
      recorded: [recorded('Finance', 'Approved'), recorded('Legal', 'Rejected', 'No')],
    });
    const decided = commit(look(submittedState(), [decision('Finance'), decision('Legal')], before), before);
    // The rep cuts the discount to 15% (the VP's reason changes) and the contract is regenerated.
    const f = factsOf({ hash: 'hash-2', discount: 15, now: hoursAfter(30) });
    const revised = look(decided.state, [], f);
    assert.deepEqual(
      revised.commands[0],
      { kind: 'save', values: { toRecall: [approvalIdOf('Sales_VP')] } },
      'what to recall is saved first',
    );
    assert.deepEqual(
      writesOf(revised).map((w) =>
        w.kind === 'approval' ? [w.kind, w.key] : [w.kind, w.kind === 'feedPost' && w.parentId],
      ),
      [
        ['approval', 'run-7:approval:Legal:r2'],
        ['approval', 'run-7:approval:Sales_VP:r2'],
        ['feedPost', approvalIdOf('Sales_VP')],
      ],
    );
    const reasoning = revised.outcome.kind === 'report' ? revised.outcome.outcome.reasoning : '';
    assert.match(reasoning, /Finance: reason unchanged, approval kept/);
    assert.match(reasoning, /Legal: resubmitted after the rejection/);
    assert.match(reasoning, /Sales VP: reason changed, resubmitted \(discount 15% is at or above 10%\)/);
    assert.match(reasoning, /Executive: reason unchanged, request kept/);
    assert.deepEqual(
      revised.state.superseded.map((a) => [a.role, a.status]),
      [
        ['Legal', 'Rejected'],
        ['Sales_VP', 'Recalled'],
      ],
    );

    const committed = commit(revised, f);
    assert.deepEqual(
      ofKind(committed, 'recall').map((c) => c.approvalIds),
      [[approvalIdOf('Sales_VP')]],
    );
    const recalled = decide(
      committed.state,
      [{ kind: 'recalled', results: [{ approvalId: approvalIdOf('Sales_VP'), ok: true }] }],
      f,
    );
    assert.deepEqual(ofKind(recalled, 'save')[0]!.values, { toRecall: [] });
    assert.deepEqual(
      ofKind(recalled, 'submit')[0]!.submissions.map((s) => s.approvalId),
      [approvalIdOf('Legal', 2), approvalIdOf('Sales_VP', 2)],
      'the approved Finance request is not asked again; the executive still waits for Legal',
    );
    const failedRecall = decide(
      committed.state,
      [
        {
          kind: 'recalled',
          results: [{ approvalId: approvalIdOf('Sales_VP'), ok: false, error: 'ENTITY_IS_LOCKED' }],
        },
      ],
      f,
    );
    assert.match(
      failedRecall.outcome.kind === 'report' ? failedRecall.outcome.outcome.error! : '',
      /Recalling approvals failed: ENTITY_IS_LOCKED/,
    );
  });

  it('succeeds at once when no rule applies, and never changes the state it is given', () => {
    const none = decide(
      fresh(),
      [],
      factsOf({
        discount: 0,
        customTerms: false,
        rules: rulesOf({
          Finance: { minAmountMinor: 500_000_00 },
          Executive: { minAmountMinor: 500_000_00 },
        }),
      }),
    );
    assert.equal(none.outcome.kind === 'report' && none.outcome.outcome.status, 'succeeded');
    assert.match(
      none.outcome.kind === 'report' ? none.outcome.outcome.reasoning : '',
      /No approval rule applies \(4 rules checked against \$120,000\.00, 0% discount, no custom terms/,
    );

    const s = submittedState();
    const copy = structuredClone(s);
    const f = factsOf({ now: hoursAfter(24) });
    const a = look(s, [timer('Finance', 'reassign')], f);
    assert.deepEqual(s, copy);
    assert.deepEqual(look(s, [timer('Finance', 'reassign')], f), a, 'the same inputs, the same decision');
  });
});
