import assert from 'node:assert/strict';
import { monthlySchedule, serviceEnd } from './revenue-schedule.ts';

describe('monthly revenue schedule', () => {
  it('gives a full-month start equal months, remainder spread by one cent at most', () => {
    const periods = monthlySchedule(100_000_01, '2026-01-01', 12);
    assert.equal(periods.length, 12);
    const amounts = periods.map((p) => p.amountMinor);
    assert.ok(
      Math.max(...amounts) - Math.min(...amounts) <= Math.ceil((100_000_01 / 365) * 3),
      'months differ only by their days',
    );
    assert.deepEqual(
      periods.map((p) => p.periodStart.slice(5, 7)),
      ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12'],
    );
  });

  it('prorates a mid-month start: a partial first and last month', () => {
    const periods = monthlySchedule(36_500, '2026-03-16', 12);
    assert.equal(periods.length, 13);
    assert.equal(periods[0]!.periodStart, '2026-03-16');
    assert.equal(periods[1]!.periodStart, '2026-04-01');
    assert.equal(periods.at(-1)!.periodStart, '2027-03-01');
    assert.equal(periods[0]!.amountMinor, 1600, '16 of 365 days');
    assert.equal(serviceEnd('2026-03-16', 12).toISOString().slice(0, 10), '2027-03-16');
    assert.equal(
      serviceEnd('2026-01-31', 1).toISOString().slice(0, 10),
      '2026-02-28',
      'month-end starts clamp',
    );
  });

  it('rejects money that is not integer minor units', () => {
    assert.throws(() => monthlySchedule(10.5, '2026-01-01', 12), /integer minor units/);
    assert.throws(() => monthlySchedule(100, '2026-01-01', 0), /at least one month/);
  });
});
