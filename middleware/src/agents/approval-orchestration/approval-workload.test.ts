/**
 * Approver workload: open requests route to a less loaded backup over the threshold, and stretch
 * the predicted decision time, with the figures said.
 */
import assert from 'node:assert/strict';
import type { ApprovalHistoryEntry } from '../../ports/approvals.ts';
import type { CrmUser, CrmWrite } from '../../ports/crm.ts';
import { approvalRule, contractOutput, dealContext, lineItem } from '../../test-support/deal-fixtures.ts';
import { decide, startPass } from './approval-decide.ts';
import type { ApprovalFacts } from './approval-state.ts';
import { DEFAULT_PER_ITEM, queueFactor, routeByQueue, workloadOf } from './approval-workload.ts';

const T0 = new Date('2026-03-02T09:00:00.000Z');

const person = (n: number, name: string, over: Partial<CrmUser> = {}): CrmUser => ({
  id: `005Dd00000002${String(n).padStart(2, '0')}AAA`,
  username: `${name.split(' ')[0]!.toLowerCase()}@org.example`,
  name,
  email: null,
  isActive: true,
  delegatedApproverId: null,
  managerId: null,
  ...over,
});
const elena = person(1, 'Elena Petrova');
const raj = person(2, 'Raj Patel');

/** Elena decided six requests, each in about 18 h, with nothing else waiting. */
const calmHistory: ApprovalHistoryEntry[] = [16, 17, 18, 18, 19, 20].map((hours, i) => ({
  approvalId: `a0BDd00000001${String(i).padStart(2, '0')}AAA`,
  role: 'Finance',
  approverId: elena.id,
  status: 'Approved',
  submittedAt: `2026-0${i + 1}-01T10:00:00.000Z`,
  decidedAt: new Date(Date.parse(`2026-0${i + 1}-01T10:00:00.000Z`) + hours * 3_600_000).toISOString(),
  reason: null,
  comments: null,
  opportunityId: `006Dd00000001${String(i).padStart(2, '0')}AAA`,
  opportunityName: `Deal ${i}`,
  amountMinor: 500_000_00,
  currency: 'USD',
}));

function factsOf(over: Partial<ApprovalFacts> = {}): ApprovalFacts {
  return {
    now: T0,
    runId: 'run-9',
    deal: dealContext({
      opportunity: { name: 'Brennecke rollout', closeDate: '2026-03-31' },
      lineItems: [lineItem({ totalPriceMinor: 120_000_00 })],
    }),
    contract: contractOutput({ totalMinor: 120_000_00 }),
    signals: [],
    rules: [
      approvalRule({
        minAmountMinor: 100_000_00,
        approverUsername: elena.username,
        backupUsername: raj.username,
      }),
    ],
    users: [elena, raj],
    history: calmHistory,
    recorded: [],
    repDiscountAuthorityPercent: 10,
    queueThreshold: 5,
    ...over,
  };
}

const planned = (f: ApprovalFacts) => {
  const d = decide(startPass({ superseded: [], posts: [], toRecall: [] }), [], f);
  assert.equal(d.outcome.kind, 'report');
  return d.outcome.kind === 'report' ? d.outcome.outcome : assert.fail('no outcome');
};
const financeWrite = (writes: CrmWrite[] | undefined) =>
  writes?.find((w): w is Extract<CrmWrite, { kind: 'approval' }> => w.kind === 'approval');

describe('approver workload', () => {
  it('routes to the backup only over the threshold and only when the backup has fewer open items', () => {
    const load = (e: number, r: number) =>
      workloadOf([
        { userId: elena.id, openItems: e },
        { userId: raj.id, openItems: r },
      ]);
    assert.deepEqual(routeByQueue(elena, raj, load(5, 0), 5), { toBackup: false, note: null });
    assert.deepEqual(routeByQueue(elena, raj, load(6, 2), 5), {
      toBackup: true,
      note: 'Elena Petrova has 6 open approval items, over the threshold of 5; routed to the backup Raj Patel, who has 2',
    });
    assert.deepEqual(routeByQueue(elena, raj, load(6, 6), 5), {
      toBackup: false,
      note: 'Elena Petrova has 6 open approval items, over the threshold of 5; the backup Raj Patel has 6, no fewer, so the request stays',
    });
    assert.match(
      routeByQueue(elena, { ...raj, isActive: false }, load(9, 0), 5).note!,
      /Raj Patel is inactive/,
    );
    assert.match(routeByQueue(elena, undefined, load(9, 0), 5).note!, /names no backup/);
  });

  it('plans the request with the less loaded backup, and says why on the step', () => {
    /** The plan when Elena has `e` open items and Raj `r`. */
    const withLoad = (e: number, r: number) =>
      planned(
        factsOf({
          workload: [
            { userId: elena.id, openItems: e },
            { userId: raj.id, openItems: r },
          ],
        }),
      );
    const busy = withLoad(7, 1);
    assert.equal(financeWrite(busy.writes)?.approverId, raj.id);
    assert.match(
      busy.reasoning,
      /routed to Raj Patel: Elena Petrova has 7 open approval items, over the threshold of 5; routed to the backup Raj Patel, who has 1/,
    );
    const calm = planned(factsOf({ workload: [{ userId: elena.id, openItems: 3 }] }));
    assert.equal(financeWrite(calm.writes)?.approverId, elena.id);
    const both = withLoad(7, 9);
    assert.equal(financeWrite(both.writes)?.approverId, elena.id);
    assert.match(both.reasoning, /the backup Raj Patel has 9, no fewer, so the request stays/);
    // Without a threshold the queue never reroutes.
    const unset = planned(
      factsOf({ queueThreshold: undefined, workload: [{ userId: elena.id, openItems: 50 }] }),
    );
    assert.equal(financeWrite(unset.writes)?.approverId, elena.id);
  });

  it('predicts a longer decision with every open item, and says by how much', () => {
    const none = planned(factsOf());
    const four = planned(factsOf({ workload: [{ userId: elena.id, openItems: 4 }] }));
    // Six calm decisions, median 18 h; four open items at the default 25% each: twice as long.
    assert.match(none.reasoning, /Elena Petrova ~18 h \(p90 19\.5 h, 6 past decisions\)\./);
    assert.doesNotMatch(none.reasoning, /Workload/);
    assert.match(
      four.reasoning,
      /Elena Petrova ~36 h \(p90 39 h, 6 past decisions\)\. Workload: Elena Petrova has 4 open items; predicted 36 h instead of 18 h \(each open item adds 25% of the usual time, the default while fewer than 5 past decisions were made with a queue \(0 so far\)\)\./,
    );
    const at = (o: ReturnType<typeof planned>) =>
      Date.parse((o.output as { prediction: { completionAt: string } }).prediction.completionAt);
    assert.ok(at(four) > at(none) + 12 * 3_600_000, 'the completion moves out with the queue');
  });

  it('fits the time per open item from past decisions made with a queue', () => {
    assert.deepEqual(queueFactor(calmHistory), { perItem: DEFAULT_PER_ITEM, basis: 'default', samples: 0 });
    // Raj takes 10 h with nothing else open; five requests arrived an hour after another one and
    // took 15 h: half as long again with one item ahead.
    const at = (day: number, hour: number) =>
      `2026-05-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00.000Z`;
    const entry = (i: number, submitted: string, hours: number): ApprovalHistoryEntry => ({
      ...calmHistory[0]!,
      approvalId: `a0BDd00000002${String(i).padStart(2, '0')}AAA`,
      approverId: raj.id,
      submittedAt: submitted,
      decidedAt: new Date(Date.parse(submitted) + hours * 3_600_000).toISOString(),
    });
    const history: ApprovalHistoryEntry[] = [];
    for (let k = 0; k < 5; k++)
      history.push(entry(2 * k, at(1 + 3 * k, 0), 10), entry(2 * k + 1, at(1 + 3 * k, 1), 15));
    assert.deepEqual(queueFactor(history), { perItem: 0.5, basis: 'history', samples: 5 });
    // Four such decisions are not enough to trust.
    assert.equal(queueFactor(history.slice(0, 8)).basis, 'default');
  });
});
