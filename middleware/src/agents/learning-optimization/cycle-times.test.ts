import assert from 'node:assert/strict';
import type { RunRecord, StepRow } from '../../ports/store.ts';
import type { DealContext } from '../../ports/crm.ts';
import { contactRole, contractOutput, dealContext, lineItem } from '../../test-support/deal-fixtures.ts';
import { aggregate, approverMedians, dealCycle, orgHistory, type DealCycle } from './cycle-times.ts';
import { createSqliteRunStore } from '../../adapters/sqlite/sqlite-run-store.ts';
import { newRun } from '../../ports/run-store.contract.ts';
import { celebration, insightsFor } from './learning-agent.ts';

const H = 3_600_000;
const T0 = Date.parse('2026-11-02T08:00:00Z');
const at = (hours: number) => new Date(T0 + hours * H).toISOString();

function step(stage: string, start: number, end: number, output: unknown = null): StepRow {
  return {
    runId: 'r',
    stage,
    agent: 'Deal_Closure',
    status: 'Succeeded',
    attempts: 1,
    startedAt: at(start),
    finishedAt: at(end),
    durationMs: (end - start) * H,
    activeMs: 0,
    reasoning: '',
    confidence: null,
    error: null,
    output,
  };
}

/** One closure: contract after 1 h, Finance then Legal (sequential), two signers in order, synced. */
function closure(
  id: string,
  over: {
    industry?: string;
    amountMinor?: number;
    legal?: boolean;
    clauses?: { id: string; rule: string }[];
    discount?: number;
    financeHours?: number;
  } = {},
): { run: RunRecord; steps: StepRow[] } {
  const deal = dealContext({
    account: { industry: over.industry ?? 'Manufacturing' },
    lineItems: [
      lineItem({
        quantity: 1,
        unitPriceMinor: 100_000_00,
        totalPriceMinor: Math.round(100_000_00 * (1 - (over.discount ?? 0) / 100)),
      }),
    ],
  });
  const contract = contractOutput({
    totalMinor: over.amountMinor ?? 100_000_00,
    legalReviewRequired: over.legal ?? false,
    clauses: (over.clauses ?? [{ id: 'sla', rule: 'standard clause' }]).map((c) => ({
      ...c,
      version: 1,
      because: [],
      nonStandard: false,
    })),
  });
  const finance = over.financeHours ?? 2;
  const approvals = [
    {
      role: 'Finance',
      approverId: '005Dd0000000011AAA',
      approverName: 'Elena Petrova',
      status: 'Approved',
      dependsOn: [],
      decidedAt: at(1 + finance),
    },
    {
      role: 'Legal',
      approverId: '005Dd0000000012AAA',
      approverName: 'Oliver Grant',
      status: 'Approved',
      dependsOn: ['Finance'],
      decidedAt: at(1 + finance + 3),
    },
  ];
  const approvalsDone = 1 + finance + 3;
  return {
    run: {
      id,
      opportunityId: '006Dd0000000001AAA',
      dealClosureId: null,
      trigger: 'Rep',
      note: null,
      transcript: null,
      idempotencyKey: null,
      status: 'completed',
      waitingFor: null,
      stageIndex: 7,
      error: null,
      createdAt: at(0),
      updatedAt: at(20),
      completedAt: at(20),
      memo: {
        'deal_closure.deal': deal,
        'contract_generation.contract': contract,
        'signature_management.envelope': {
          sentAt: at(approvalsDone),
          recipients: [
            { name: 'Sabine Krüger', role: 'Customer signer', routingOrder: 1 },
            { name: 'Marcus Bell', role: 'Provider countersignature', routingOrder: 2 },
          ],
        },
      },
    },
    steps: [
      step('deal_closure', 0, 0.5),
      step('contract_generation', 0.5, 1),
      step('approval_orchestration', 1, approvalsDone, { approvals }),
      step('signature_management', approvalsDone, approvalsDone + 10, {
        signedAt: [at(approvalsDone + 6), at(approvalsDone + 10)],
      }),
      step('system_integration', approvalsDone + 10, approvalsDone + 10.5),
    ],
  };
}

const cycleOf = (c: ReturnType<typeof closure>) => dealCycle(c.run, c.steps)!;

describe('cycle times', () => {
  it("reads each past run's recorded cycle, not the history that run read", async () => {
    const store = createSqliteRunStore(':memory:');
    const recorded = cycleOf(closure('a', { discount: 10 }));
    const older = cycleOf(closure('b', { discount: 20 }));
    const t = (h: number) => new Date(Date.UTC(2026, 10, 2, h)).toISOString();
    // One run from before the cycle had a key of its own (figures with the history inside), one after.
    await store.createRun(newRun('run-old', '006B', { createdAt: t(0) }));
    await store.updateRun(
      'run-old',
      { status: 'completed', completedAt: t(1) },
      {
        'learning_optimization.figures': { cycle: older, history: [recorded] },
      },
    );
    await store.createRun(newRun('run-new', '006A', { createdAt: t(2) }));
    const history = Array.from({ length: 50 }, () => older);
    await store.updateRun(
      'run-new',
      { status: 'completed', completedAt: t(3) },
      {
        'learning_optimization.cycle': recorded,
        'learning_optimization.history': history,
      },
    );
    const read: string[] = [];
    const spy = {
      ...store,
      completedRuns: async (limit: number, prefixes?: string[]) => {
        const runs = await store.completedRuns(limit, prefixes);
        for (const r of runs) read.push(...Object.keys(r.memo));
        return runs;
      },
    };
    const cycles = await orgHistory(spy);
    assert.deepEqual(
      cycles.map((c) => c.discountPercent),
      [recorded.discountPercent, older.discountPercent],
      "the new run's cycle, then the old run's from its figures",
    );
    assert.ok(
      !read.includes('learning_optimization.history'),
      `a past run's own history is not read again (read ${read.join(', ')})`,
    );
    await store.close();
  });

  it('times each phase, each approver from their turn and each signer from theirs', () => {
    const cycle = cycleOf(closure('a', { discount: 10 }));
    assert.deepEqual(cycle.phases, {
      verbal_to_contract: 1 * H,
      approvals: 5 * H,
      signature: 10 * H,
      sync: 0.5 * H,
    });
    assert.equal(cycle.totalMs, 16.5 * H);
    assert.deepEqual(
      cycle.approvers.map((a) => [a.role, a.responseMs / H]),
      [
        ['Finance', 2],
        ['Legal', 3],
      ],
    );
    assert.deepEqual(
      cycle.recipients.map((r) => [r.name, r.ms / H]),
      [
        ['Sabine Krüger', 6],
        ['Marcus Bell', 4],
      ],
    );
    assert.equal(cycle.discountPercent, 10);
    assert.equal(cycle.legalReview, true, 'a Legal approval is a legal review');
    assert.equal(cycle.sizeBand, '50k–250k');
  });

  it('records what later closures learn from: competitors, clauses a fact selected, contact roles', () => {
    const c = closure('k', {
      clauses: [
        { id: 'sla', rule: 'every contract' },
        { id: 'pilot-terms', rule: 'a pilot was requested' },
      ],
    });
    const contract = c.run.memo['contract_generation.contract'] as {
      clauses: { id: string; because: string[] }[];
    };
    contract.clauses[1]!.because = ['pilotRequested = true'];
    const deal = c.run.memo['deal_closure.deal'] as DealContext;
    deal.contactRoles = [
      contactRole({ role: 'Economic Buyer' }),
      contactRole({ role: ' Economic Buyer ' }),
      contactRole({ role: 'Technical Buyer' }),
      contactRole({ role: null }),
    ];
    c.run.memo['deal_closure.assessment'] = {
      assessment: { competitors: ['PlantPulse', ' PlantPulse', 'Acme Sensors'] },
      source: 'offline',
    };
    const cycle = cycleOf(c);
    assert.deepEqual(cycle.competitors, ['PlantPulse', 'Acme Sensors']);
    assert.deepEqual(
      cycle.clauses,
      ['pilot-terms'],
      'a clause every contract carries tells deals apart by nothing',
    );
    assert.deepEqual(cycle.stakeholders, ['Economic Buyer', 'Technical Buyer']);
    delete c.run.memo['deal_closure.assessment'];
    assert.deepEqual(cycleOf(c).competitors, [], 'no assessment, no competitors');
  });

  it('has no cycle for a run that never synced', () => {
    const c = closure('b');
    assert.equal(dealCycle(c.run, c.steps.slice(0, 4)), null);
  });

  it('aggregates medians by industry and size, approver medians and legal-review clauses', () => {
    const cycles: DealCycle[] = [
      cycleOf(closure('1', { financeHours: 1, clauses: [{ id: 'custom-terms', rule: '2 requests' }] })),
      cycleOf(closure('2', { financeHours: 3, amountMinor: 2_000_000_00 })),
      cycleOf(
        closure('3', {
          financeHours: 8,
          industry: 'Healthcare',
          clauses: [
            { id: 'custom-terms', rule: '1 request' },
            { id: 'security-annex', rule: 'security topics' },
          ],
        }),
      ),
    ];
    const insights = aggregate(cycles);
    assert.equal(insights.deals, 3);
    assert.deepEqual(Object.keys(insights.byIndustry), ['Healthcare', 'Manufacturing']);
    assert.equal(insights.byIndustry.Manufacturing!.deals, 2);
    // Manufacturing totals: 15.5 h and 17.5 h → median 16.5 h.
    assert.equal(insights.byIndustry.Manufacturing!.medianTotalMs, 16.5 * H);
    assert.deepEqual(Object.keys(insights.bySize), ['1M and over', '50k–250k']);
    const finance = insights.approvers.find((a) => a.role === 'Finance')!;
    assert.deepEqual(
      [finance.approverName, finance.medianMs / H, finance.decisions],
      ['Elena Petrova', 3, 3],
    );
    assert.deepEqual(approverMedians(cycles), insights.approvers);
    assert.deepEqual(insights.legalReview, {
      deals: 3,
      clauses: [
        { clause: 'custom-terms', deals: 2, share: 0.67 },
        { clause: 'security-annex', deals: 1, share: 0.33 },
      ],
    });
  });
});

describe('learning insights', () => {
  const history = [
    cycleOf(closure('1', { discount: 5 })),
    cycleOf(closure('2', { discount: 10 })),
    cycleOf(closure('3', { discount: 15 })),
  ];

  it('names the slowest and fastest phase against history, the discount against peers and the review clauses', () => {
    const cycle = cycleOf(
      closure('now', {
        discount: 22,
        financeHours: 20,
        legal: true,
        clauses: [
          { id: 'sla', rule: 'standard clause' },
          { id: 'custom-terms', rule: '2 non-standard request(s)' },
        ],
      }),
    );
    const insights = insightsFor('run-now', { cycle, history });
    const by = Object.fromEntries(insights.map((i) => [i.key.split(':').at(-1), i]));
    assert.deepEqual(Object.keys(by), [
      'velocity',
      'phase-slowest',
      'phase-fastest',
      'pricing',
      'legal-review',
    ]);
    assert.match(by.velocity!.insight, /slower than the median of 3 earlier Manufacturing deals/);
    // Approvals took 23 h against a 5 h median: the slowest relative to history; Finance named with its time.
    assert.match(
      by['phase-slowest']!.insight,
      /^Slowest phase relative to history: approvals took 23 h against a median of 5 h/,
    );
    assert.match(by['phase-slowest']!.insight, /Finance Elena Petrova 20 h, Legal Oliver Grant 3 h/);
    assert.equal(by['phase-slowest']!.metric, 'approvals_hours');
    assert.match(
      by.pricing!.insight,
      /22% discount off list, 12 points deeper than the median of 3 earlier Manufacturing deals \(10%\)/,
    );
    assert.equal(by.pricing!.value, 22);
    assert.match(by['legal-review']!.insight, /custom-terms/);
    assert.doesNotMatch(by['legal-review']!.insight, /\bsla\b/);
  });

  it('sets the baseline when there is no history', () => {
    const insights = insightsFor('run-first', { cycle: cycleOf(closure('first')), history: [] });
    assert.match(insights[0]!.insight, /the first closure on record/);
    assert.match(insights.find((i) => i.metric === 'discount_percent')!.insight, /first deal on record/);
  });

  it('words the celebration from the deal: amount, signers, approvers, cycle time, owners, rep', () => {
    const text = celebration(
      cycleOf(closure('c')),
      { accountName: 'Acme GmbH', opportunityName: 'Rollout', termMonths: 12, owner: 'Jordan Keller' },
      { packages: [{ team: 'Customer_Success', owner: { name: 'Nina Hoffmann' } }] },
    );
    assert.equal(
      text,
      'Closed Won: Acme GmbH signed Rollout — $100,000.00 over 12 months. Signed by Sabine Krüger and Marcus Bell. Approved by Elena Petrova (Finance), Oliver Grant (Legal). 16.5 h from verbal yes to a signed contract in Salesforce. Handed off to Nina Hoffmann (Customer Success). Congratulations Jordan Keller!',
    );
  });
});
