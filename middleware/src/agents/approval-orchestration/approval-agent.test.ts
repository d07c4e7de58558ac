import assert from 'node:assert/strict';
import { createLogger } from '../../logger.ts';
import type { StageContext, StageOutcome } from '../../orchestrator/stage.ts';
import type { ApprovalRule, CrmPort, CrmUser, DealContext, ApprovalSubmission } from '../../ports/crm.ts';
import type { ApprovalHistoryEntry, ApprovalRecord, ApprovalsPort } from '../../ports/approvals.ts';
import type { Notification } from '../../ports/notify.ts';
import type { RunRecord } from '../../ports/store.ts';
import type { LlmPort } from '../../ports/llm.ts';
import { draftingLlm } from '../../test-support/drafting-llm.ts';
import { earlierValues, memoKey, type MemoKind } from '../../orchestrator/run-memo.ts';
import type { ContractOutput } from '../contract-generation/contract-agent.ts';
import { approvalRule, contractOutput, lineItem } from '../../test-support/deal-fixtures.ts';
import { createApprovalAgent, SLA_TIMER, type ApprovalState } from './approval-agent.ts';

const NOW = new Date('2026-03-02T09:00:00.000Z');
const user = (n: number, username: string, over: Partial<CrmUser> = {}): CrmUser => ({
  id: `005Dd00000000${String(n).padStart(2, '0')}AAA`,
  username,
  name: username.split('@')[0]!,
  email: username,
  isActive: true,
  delegatedApproverId: null,
  managerId: null,
  ...over,
});
const rule = (over: Partial<ApprovalRule>): ApprovalRule =>
  approvalRule({ minAmountMinor: 100_000_00, ...over });

function harness(
  rules: ApprovalRule[],
  users: CrmUser[],
  history: ApprovalHistoryEntry[] = [],
  fixedRules?: ApprovalRule[],
  generation = 0,
  llm?: LlmPort,
) {
  const deal = {
    opportunity: {
      id: '006Dd0000000001AAA',
      name: 'Northwind renewal',
      closeDate: '2026-03-31',
      ownerId: '005Dd0000000099AAA',
      amountMinor: 120_000_00,
      currency: 'USD',
    },
    account: { name: 'Northwind' },
    lineItems: [
      lineItem({
        discountPercent: 5,
        quantity: 1,
        unitPriceMinor: 126_315_79,
        listPriceMinor: 126_315_79,
        totalPriceMinor: 120_000_00,
      }),
    ],
    currencyRates: { USD: 1 },
    corporateCurrency: 'USD',
    approvalRules: rules,
  } as unknown as DealContext;
  const contract: ContractOutput = contractOutput({
    totalMinor: 120_000_00,
    currency: 'USD',
    specialTerms: '',
    clauses: [],
    legalReviewRequired: false,
    riskLevel: 'Low',
    riskFactors: [],
    termMonths: 12,
    contentHash: 'hash-1',
  });
  const memo = new Map<string, unknown>([
    ['deal_closure.deal', deal],
    ['contract_generation.contract', contract],
  ]);
  const timers: { kind: string; dueAt: Date; payload: unknown }[] = [];
  const submitted: ApprovalSubmission[] = [];
  const sent: Notification[] = [];
  const reassigned: [string, string][] = [];
  /** What the org records for each approval; unlisted ones are still pending there. */
  const recorded = new Map<string, ApprovalRecord>();
  /** Open approval requests per user id, as the org would count them. */
  const openItems = new Map<string, number>();
  const planningCalls: { usernames: string[]; exclude: string[] }[] = [];
  const ctx: StageContext = {
    run: { id: 'run-1', memo: { 'approval_orchestration.generation': generation } } as unknown as RunRecord,
    stage: 'approval_orchestration',
    attempt: 1,
    generation,
    events: [],
    logger: createLogger({ level: 'silent' }),
    now: () => NOW,
    memo: async <T>(key: string, compute: () => Promise<T>) => {
      const k = `approval_orchestration.${key}`;
      if (!memo.has(k)) memo.set(k, await compute());
      return memo.get(k) as T;
    },
    recall: <T>(stage: string, key: string) => memo.get(`${stage}.${key}`) as T | undefined,
    earlier: <T>(key: string, kind: MemoKind) =>
      earlierValues<T>(ctx.run.memo, 'approval_orchestration', key, kind),
    load: <T>(key: string) => memo.get(`state.${key}`) as T | undefined,
    save: async (key: string, value: unknown) => void memo.set(`state.${key}`, structuredClone(value)),
    saveAll: async (values: Record<string, unknown>) => {
      for (const [key, value] of Object.entries(values)) memo.set(`state.${key}`, structuredClone(value));
    },
    commit: async () => ({ dealClosureId: 'a01Dd0000000001AAA', ids: {} }),
    index: async () => undefined,
    schedule: async (added) => void timers.push(...added),
    clearTimers: async () => undefined,
  };
  const crm = {
    loadApprovalRules: async () => fixedRules ?? rules,
    submitApprovals: async (subs: ApprovalSubmission[]) => {
      submitted.push(...subs);
      return subs.map((s) => ({ approvalId: s.approvalId, ok: true }));
    },
  } as unknown as CrmPort;
  const approvals: ApprovalsPort = {
    history: async () => history,
    planningData: async (names, _limit, options) => {
      planningCalls.push({ usernames: names, exclude: options?.excludeApprovalIds ?? [] });
      const read = users.filter((u) => names.includes(u.username));
      const workload = read.flatMap((u) =>
        openItems.get(u.id) ? [{ userId: u.id, openItems: openItems.get(u.id)! }] : [],
      );
      return { users: read, history, workload };
    },
    reassign: async (approvalId, to) => {
      reassigned.push([approvalId, to]);
      return { approvalId, ok: true };
    },
    recall: async (ids) => ids.map((approvalId) => ({ approvalId, ok: true })),
    records: async (ids) =>
      ids.map(
        (approvalId) =>
          recorded.get(approvalId) ?? { approvalId, status: 'Pending', decidedAt: null, comments: null },
      ),
  };
  const agent = createApprovalAgent({
    crm,
    approvals,
    notifier: { notify: async (n) => (sent.push(n), []) },
    queueThreshold: 5,
    llm,
  });
  return { agent, ctx, timers, submitted, sent, reassigned, recorded, openItems, planningCalls };
}

describe('Approval Orchestration Agent', () => {
  const finance = user(1, 'finance@x.example');
  const backup = user(2, 'backup@x.example');

  it('names the rule and the user when a rule names someone who is not in the org; the run waits', async () => {
    const h = harness([rule({ approverUsername: 'gone@x.example' })], [backup]);
    const out = await h.agent.run(h.ctx);
    assert.equal(out.status, 'failed', 'failed outcomes park the run for the admin, nothing is skipped');
    assert.match(
      out.error!,
      /rule Finance_Large_Deal \(Finance\) names approver gone@x\.example, who is not a user/,
    );
    assert.equal(h.submitted.length, 0);
    // The admin fixes the rule and retries: the retried step reads the rules again.
    const fixed = harness(
      [rule({ approverUsername: 'gone@x.example' })],
      [finance, backup],
      [],
      [rule({})],
      1,
    );
    const retried = await fixed.agent.run(fixed.ctx);
    assert.equal(retried.status, 'waiting');
    assert.match(retried.message, /Submitting to finance \(Finance\)/);
    const noBackup = harness([rule({ backupUsername: 'nobody@x.example' })], [finance]);
    assert.match(
      (await noBackup.agent.run(noBackup.ctx)).error!,
      /names backup nobody@x\.example.*Backup_Username__c/,
    );
  });

  it('names a dependency cycle and a policy gap', async () => {
    const cyclic = harness(
      [rule({ dependsOn: ['Sales_VP'] }), rule({ name: 'VP', role: 'Sales_VP', dependsOn: ['Finance'] })],
      [finance, backup],
    );
    assert.match(
      (await cyclic.agent.run(cyclic.ctx)).error!,
      /cycle: .*Finance.*Sales_VP|cycle: .*Sales_VP.*Finance/,
    );
    const gap = harness([rule({})], [finance, backup]);
    (
      gap.ctx.recall<ContractOutput>('contract_generation', 'contract') as { legalReviewRequired: boolean }
    ).legalReviewRequired = true;
    assert.match((await gap.agent.run(gap.ctx)).error!, /No approval rule covers this deal.*legal review/);
  });

  it("reads the approvers' open requests once per run with the users, and routes and predicts by them", async () => {
    const h = harness([rule({})], [finance, backup]);
    h.openItems.set(finance.id, 8);
    h.openItems.set(backup.id, 2);
    const out = await h.agent.run(h.ctx);
    assert.deepEqual(
      out.writes?.map((w) => w.kind === 'approval' && [w.role, w.approverId]),
      [['Finance', backup.id]],
    );
    assert.match(
      out.reasoning,
      /finance has 8 open approval items, over the threshold of 5; routed to the backup backup, who has 2/,
    );
    assert.match(out.reasoning, /Workload: backup has 2 open items; predicted 14\.4 h instead of 9\.6 h/);
    await out.afterCommit!({
      dealClosureId: 'a01Dd0000000001AAA',
      ids: { 'run-1:approval:Finance': 'a02Dd0000000001AAA' },
    });
    // A later pass of the same run (a decision, a timer) does not read the queues again.
    h.openItems.set(backup.id, 40);
    await h.agent.run(h.ctx);
    assert.equal(h.planningCalls.length, 1);
    assert.deepEqual(h.planningCalls[0], {
      usernames: ['finance@x.example', 'backup@x.example'],
      exclude: [],
    });
    // The brief went to the backup with the submission, and to Brief__c with its sources.
    assert.equal(h.submitted[0]!.approverId, backup.id);
    const write = out.writes!.find((w) => w.kind === 'approval') as { brief?: string };
    assert.match(write.brief!, /^Northwind renewal — Northwind: \$120,000\.00 over 12 months/);
    assert.match(write.brief!, /\n {2}\[OpportunityLineItem /);
  });

  it('routes an inactive approver to the backup at once and submits with a brief, timers and a notice', async () => {
    const h = harness(
      [rule({})],
      [user(1, 'finance@x.example', { isActive: false }), backup],
      [3, 5, 7, 9].map((hours, i) => ({
        approvalId: `a00Dd000000000${i}AAA`,
        role: 'Finance',
        approverId: backup.id,
        status: 'Approved' as const,
        submittedAt: '2026-01-01T00:00:00.000Z',
        decidedAt: new Date(Date.parse('2026-01-01T00:00:00.000Z') + hours * 3_600_000).toISOString(),
        reason: null,
        comments: null,
        opportunityId: `006Dd000000000${i}AAA`,
        opportunityName: `Deal ${i}`,
        amountMinor: 110_000_00,
        currency: 'USD',
      })),
    );
    const out = await h.agent.run(h.ctx);
    assert.equal(out.status, 'waiting');
    assert.deepEqual(
      out.writes?.map((w) => w.kind === 'approval' && [w.role, w.approverId]),
      [['Finance', backup.id]],
    );
    // The records exist now: the commit gives them ids, then submission follows.
    const follow = await out.afterCommit!({
      dealClosureId: 'a01Dd0000000001AAA',
      ids: { 'run-1:approval:Finance': 'a02Dd0000000001AAA' },
    });
    assert.equal(follow, undefined, 'the commit already announced the submission');
    assert.equal(h.submitted.length, 1);
    assert.match(h.submitted[0]!.comments, /Why you \(Finance_Large_Deal\)/);
    assert.match(h.submitted[0]!.comments, /Precedent: Deal 0 \(\$110,000\.00\) approved in 3 h/);
    assert.deepEqual(
      h.timers.map((t) => [t.kind, t.dueAt.toISOString()]),
      [
        [SLA_TIMER, '2026-03-02T21:00:00.000Z'],
        [SLA_TIMER, '2026-03-03T09:00:00.000Z'],
        [SLA_TIMER, '2026-03-03T21:00:00.000Z'],
      ],
    );
    assert.equal(h.sent[0]!.userId, backup.id);
    const state = h.ctx.load<ApprovalState[]>('approvals')!;
    assert.equal(state[0]!.status, 'Pending');
    assert.deepEqual(state[0]!.prediction, { basis: 'role', samples: 4, medianHours: 6, p90Hours: 8.4 });
    assert.match(out.reasoning, /finance is inactive/);
    assert.match(
      out.reasoning,
      /Predicted approval by 2026-03-02 1\d:\d\d UTC .*meets the close date 2026-03-31/,
    );
  });

  it('moves a request to the backup once, even when the timer event is seen again after a crash', async () => {
    const h = harness([rule({})], [finance, backup]);
    const planned = await h.agent.run(h.ctx);
    await planned.afterCommit!({
      dealClosureId: 'a01Dd0000000001AAA',
      ids: { 'run-1:approval:Finance': 'a02Dd0000000001AAA' },
    });
    const timer = {
      id: 7,
      kind: `timer:${SLA_TIMER}`,
      payload: { approvalId: 'a02Dd0000000001AAA', step: 'reassign' },
    } as unknown as StageContext['events'][number];
    const later = { ...h.ctx, events: [timer], now: () => new Date(NOW.getTime() + 24 * 3_600_000) };
    const moved = await h.agent.run(later);
    assert.deepEqual(h.reassigned, [['a02Dd0000000001AAA', backup.id]]);
    assert.match(moved.message, /reassigned to the backup backup \(was finance\)/);
    assert.deepEqual(
      moved.writes?.filter((w) => w.kind === 'feedPost').map((w) => w.kind === 'feedPost' && w.parentId),
      ['a02Dd0000000001AAA'],
    );
    await moved.afterCommit!({ dealClosureId: 'a01Dd0000000001AAA', ids: {} });
    const replay = await h.agent.run(later);
    assert.equal(h.reassigned.length, 1, 'not reassigned twice');
    assert.equal(replay.writes?.filter((w) => w.kind === 'feedPost').length, 0, 'nothing posted twice');
    assert.doesNotMatch(replay.reasoning, /no backup/);
    assert.equal(h.sent.filter((n) => n.userId === backup.id).length, 1);
  });

  it('counts a decision when Salesforce records it, not when a callout claims it', async () => {
    const h = harness([rule({})], [finance, backup]);
    const planned = await h.agent.run(h.ctx);
    await planned.afterCommit!({
      dealClosureId: 'a01Dd0000000001AAA',
      ids: { 'run-1:approval:Finance': 'a02Dd0000000001AAA' },
    });
    const callout = (id: number, decision: 'approve' | 'reject') =>
      ({
        id,
        kind: 'approval:decision',
        payload: { approvalId: 'a02Dd0000000001AAA', decision, decidedAt: '2026-03-02T12:00:00.000Z' },
      }) as unknown as StageContext['events'][number];
    // A callout for a request the org still shows pending (a forged or early call) changes nothing.
    const early = await h.agent.run({ ...h.ctx, events: [callout(1, 'approve')] });
    assert.equal(early.status, 'waiting');
    assert.equal(h.ctx.load<ApprovalState[]>('approvals')![0]!.status, 'Pending');
    assert.match(early.reasoning, /callout said "approve", but Salesforce shows the request Pending/);
    // The org's record decides: here the approver rejected, whatever the callout said.
    h.recorded.set('a02Dd0000000001AAA', {
      approvalId: 'a02Dd0000000001AAA',
      status: 'Rejected',
      decidedAt: '2026-03-02T12:05:00.000Z',
      comments: 'Margin too thin',
    });
    await h.agent.run({ ...h.ctx, events: [callout(2, 'approve')] });
    const [finance0] = h.ctx.load<ApprovalState[]>('approvals')!;
    assert.deepEqual(
      [finance0!.status, finance0!.comment, finance0!.decidedAt],
      ['Rejected', 'Margin too thin', '2026-03-02T12:05:00.000Z'],
    );
  });

  it('finds a decision whose callout never came when an SLA timer fires, instead of chasing the approver', async () => {
    const h = harness([rule({})], [finance, backup]);
    const planned = await h.agent.run(h.ctx);
    await planned.afterCommit!({
      dealClosureId: 'a01Dd0000000001AAA',
      ids: { 'run-1:approval:Finance': 'a02Dd0000000001AAA' },
    });
    // Finance approved in Salesforce, but the trigger's callout was lost (Salesforce gave up).
    h.recorded.set('a02Dd0000000001AAA', {
      approvalId: 'a02Dd0000000001AAA',
      status: 'Approved',
      decidedAt: '2026-03-02T15:00:00.000Z',
      comments: 'Fine',
    });
    const timer = {
      id: 8,
      kind: `timer:${SLA_TIMER}`,
      payload: { approvalId: 'a02Dd0000000001AAA', step: 'reassign' },
    } as unknown as StageContext['events'][number];
    const out = await h.agent.run({
      ...h.ctx,
      events: [timer],
      now: () => new Date(NOW.getTime() + 24 * 3_600_000),
    });
    assert.deepEqual(h.reassigned, [], 'not moved to the backup');
    const [state] = h.ctx.load<ApprovalState[]>('approvals')!;
    assert.deepEqual(
      [state!.status, state!.comment, state!.decidedAt],
      ['Approved', 'Fine', '2026-03-02T15:00:00.000Z'],
    );
    assert.equal(out.status, 'succeeded');
  });

  it('after a retry, keeps the requests already in the approval process instead of writing them again', async () => {
    const first = harness([rule({})], [finance, backup]);
    const planned = await first.agent.run(first.ctx);
    await planned.afterCommit!({
      dealClosureId: 'a01Dd0000000001AAA',
      ids: { 'run-1:approval:Finance': 'a02Dd0000000001AAA' },
    });
    const earlier = first.ctx.load<ApprovalState[]>('approvals');
    // A retry starts generation 1; generation 0's state is where the orchestrator keeps it.
    const retry = harness([rule({})], [finance, backup], [], undefined, 1);
    const memo = retry.ctx.run.memo as Record<string, unknown>;
    memo[memoKey(memo, 'approval_orchestration', 'approvals', 'state', 0)] = earlier;
    const out = await retry.agent.run(retry.ctx);
    assert.equal(
      out.writes?.filter((w) => w.kind === 'approval').length,
      0,
      'the locked record is not rewritten',
    );
    assert.equal(retry.submitted.length, 0);
    assert.equal(out.status, 'waiting');
    assert.match(out.reasoning, /Finance: reason unchanged, request kept/);
  });
});

/**
 * A language model that drafts each brief as two sentences: the brief's first statement as it
 * stands, citing it, and one it made up (a figure and a name no statement holds); or that is down.
 */
function briefLlm(down = false) {
  return draftingLlm((prompt) => {
    const first = /<fact id="s1"[^>]*>\n(.+)\n/.exec(prompt)![1]!;
    return [
      { text: first, facts: ['s1'] },
      { text: 'Marcus Lee already agreed to a 40% discount on the renewal.', facts: ['s1', 's2'] },
    ];
  }, down);
}

describe('approval briefs drafted by a language model', () => {
  const finance = user(1, 'finance@x.example');
  const backup = user(2, 'backup@x.example');
  // Each harness numbers its line items anew.
  const briefOf = (out: StageOutcome) =>
    (out.writes!.find((w) => w.kind === 'approval') as { brief: string }).brief.replace(
      /00kDd\w+AAA/g,
      '00k-line',
    );
  const ids = { 'run-1:approval:Finance': 'a02Dd0000000001AAA' };

  it('stores only the verified sentence with its sources, submits it, and records who wrote it', async () => {
    const offline = harness([rule({})], [finance, backup]);
    const template = briefOf(await offline.agent.run(offline.ctx));
    const header = template.split('\n')[0]!;
    const { llm, requests } = briefLlm();
    const h = harness([rule({})], [finance, backup], [], undefined, 0, llm);
    const out = await h.agent.run(h.ctx);
    assert.equal(requests.length, 1, 'one draft for the one approver');
    assert.equal(requests[0]!.agent, 'Approval_Orchestration');
    assert.match(requests[0]!.prompt, /Audience: the Finance approver/);
    assert.equal(
      briefOf(out),
      `${header}\n${template.split('\n')[1]}\nWritten by fake-model; 1 unverifiable sentence(s) dropped.`,
    );
    assert.doesNotMatch(briefOf(out), /Marcus|40%/);
    assert.deepEqual((out.facts as { briefs: unknown }).briefs, [
      {
        role: 'Finance',
        approval: 'run-1:approval:Finance',
        writtenBy: 'fake-model',
        dropped: 1,
        droppedReasons: { unsupported_number: 1 },
      },
    ]);
    // A replay of the pass (a crash before the commit) keeps the brief and asks the model nothing.
    const replay = await h.agent.run(h.ctx);
    assert.equal(briefOf(replay), briefOf(out));
    assert.equal(requests.length, 1);
    await replay.afterCommit!({ dealClosureId: 'a01Dd0000000001AAA', ids });
    assert.equal(h.submitted[0]!.comments, header);
    assert.equal(requests.length, 1, 'the submission carries the brief the record holds');
  });

  it('writes from the templates when the model fails, and says so', async () => {
    const offline = harness([rule({})], [finance, backup]);
    const offlineOut = await offline.agent.run(offline.ctx);
    const template = briefOf(offlineOut);
    const h = harness([rule({})], [finance, backup], [], undefined, 0, briefLlm(true).llm);
    const out = await h.agent.run(h.ctx);
    assert.equal(
      briefOf(out),
      `${template}\nWritten by offline templates (unavailable after 3 attempt(s): over capacity).`,
    );
    await out.afterCommit!({ dealClosureId: 'a01Dd0000000001AAA', ids });
    assert.deepEqual(
      (out.facts as { briefs: { writtenBy: string }[] }).briefs.map((b) => b.writtenBy),
      ['offline templates'],
    );
    // Without a model the step's facts are as they always were.
    assert.equal('briefs' in (offlineOut.facts as object), false);
    assert.equal(
      h.submitted[0]!.comments.replace(/00kDd\w+AAA/g, '00k-line'),
      template
        .split('\n')
        .filter((l) => !l.startsWith('  ['))
        .join('\n'),
    );
  });
});
