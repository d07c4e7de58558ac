import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ApprovalHistoryEntry } from '../../ports/approvals.ts';
import {
  decisionDurations,
  decisionTimeStats,
  precedents,
  predictCompletion,
  quantile,
  selectQuantile,
  type DecisionTimeStats,
} from './approval-history.ts';

const U1 = '005Dd0000000001AAA';
const U2 = '005Dd0000000002AAA';
let n = 0;
const entry = (over: Partial<ApprovalHistoryEntry> & { hours?: number }): ApprovalHistoryEntry => {
  n++;
  const submittedAt = '2026-01-01T00:00:00.000Z';
  const { hours, ...rest } = over;
  return {
    approvalId: `a00Dd00000000${String(n).padStart(2, '0')}AAA`,
    role: 'Finance',
    approverId: U1,
    status: 'Approved',
    submittedAt,
    decidedAt:
      hours === undefined ? null : new Date(Date.parse(submittedAt) + hours * 3_600_000).toISOString(),
    reason: null,
    comments: null,
    opportunityId: `006Dd00000000${String(n).padStart(2, '0')}AAA`,
    opportunityName: `Deal ${n}`,
    amountMinor: 100_000_00,
    currency: 'USD',
    ...rest,
  };
};
const fixed = (hours: number): DecisionTimeStats => ({
  basis: 'approver',
  samples: 1,
  medianHours: hours,
  p90Hours: hours,
  durations: [hours],
});

describe('approval history', () => {
  it('computes median and p90 per approver, falling back to the role, then to the SLA prior', () => {
    const history = [
      entry({ hours: 2 }),
      entry({ hours: 4 }),
      entry({ hours: 6 }),
      entry({ hours: 8 }),
      entry({ hours: 100, status: 'Recalled' }),
      entry({ status: 'Pending' }),
      entry({ approverId: U2, role: 'Legal', hours: 30 }),
    ];
    const durations = decisionDurations(history);
    assert.equal(durations.length, 5, 'recalled and pending approvals say nothing about speed');
    const own = decisionTimeStats(durations, U1, 'Finance', 24);
    assert.equal(own.basis, 'approver');
    assert.equal(own.medianHours, 5);
    assert.ok(Math.abs(own.p90Hours - 7.4) < 1e-9);
    // A new Finance approver inherits the role's history.
    assert.equal(decisionTimeStats(durations, U2, 'Finance', 24).basis, 'role');
    const prior = decisionTimeStats(durations, U2, 'Legal', 48);
    assert.equal(prior.basis, 'prior', 'one decision is not enough history');
    assert.equal(prior.medianHours, 0.4 * 48);
    assert.equal(prior.p90Hours, 0.9 * 48);
  });

  it('interpolates quantiles', () => {
    assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
    assert.equal(quantile([5], 0.9), 5);
    assert.ok(Number.isNaN(quantile([], 0.5)));
  });

  it('selects the same quantiles as sorting would, for any values and any p', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ noNaN: true, min: -1e9, max: 1e9 }), { maxLength: 300 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (values, p) => {
          const sorted = Float64Array.from(values).sort();
          const selected = selectQuantile(Float64Array.from(values), p);
          if (values.length === 0) return Number.isNaN(selected);
          return selected === quantile(sorted, p);
        },
      ),
      { numRuns: 500 },
    );
    // Ties and a single value: the next order statistic after a run of equal values.
    assert.equal(selectQuantile(Float64Array.from([3, 1, 3, 3, 2]), 0.75), 3);
    assert.equal(selectQuantile(Float64Array.from([7]), 0.9), 7);
  });

  it('predicts parallel approvals by the slowest and dependent ones in sequence', () => {
    const p = predictCompletion(
      [
        { role: 'Finance', dependsOn: [], stats: fixed(10) },
        { role: 'Legal', dependsOn: [], stats: fixed(20) },
        { role: 'Executive', dependsOn: ['Finance', 'Legal'], stats: fixed(5) },
      ],
      1,
      50,
    );
    assert.equal(p.byRole.Finance, 10);
    assert.equal(p.byRole.Executive, 25);
    assert.equal(p.medianHours, 25);
    // Already pending for 8 hours: 2 left; a decided prerequisite takes no time.
    const later = predictCompletion(
      [
        { role: 'Finance', dependsOn: [], stats: fixed(10), elapsedHours: 8 },
        { role: 'Legal', dependsOn: [], stats: fixed(20), decided: true },
        { role: 'Executive', dependsOn: ['Finance', 'Legal'], stats: fixed(5) },
      ],
      1,
      50,
    );
    assert.equal(later.medianHours, 7);
  });

  it('is reproducible for a seed and reflects the spread of the history', () => {
    const spread: DecisionTimeStats = { ...fixed(10), durations: [2, 4, 6, 8, 10, 30, 40, 50] };
    const a = predictCompletion([{ role: 'Finance', dependsOn: [], stats: spread }], 42);
    const b = predictCompletion([{ role: 'Finance', dependsOn: [], stats: spread }], 42);
    assert.deepEqual(a, b);
    assert.ok(a.p90Hours > a.medianHours);
  });

  it('finds precedent of similar size for the same role, one per deal', () => {
    const history = [
      entry({ hours: 5, amountMinor: 90_000_00, opportunityName: 'Close in size' }),
      entry({ hours: 5, amountMinor: 900_000_00, opportunityName: 'Too big' }),
      entry({ hours: 5, role: 'Legal', opportunityName: 'Other role' }),
      entry({
        hours: 9,
        status: 'Rejected',
        amountMinor: 80_000_00,
        currency: 'EUR',
        opportunityName: 'In euros',
      }),
      entry({ hours: 9, opportunityId: '006Dd0000000099AAA', opportunityName: 'This deal' }),
    ];
    const toUsd = (m: number, c: string) => (c === 'USD' ? m : c === 'EUR' ? Math.round(m / 0.92) : null);
    const found = precedents(history, {
      role: 'Finance',
      amountCorporateMinor: 100_000_00,
      toCorporate: toUsd,
      excludeOpportunityId: '006Dd0000000099AAA',
    });
    assert.deepEqual(
      found.map((p) => [p.opportunityName, p.status]),
      [
        ['Close in size', 'Approved'],
        ['In euros', 'Rejected'],
      ],
    );
  });
});
