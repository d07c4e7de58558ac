/**
 * Property-based: for any amount, term, currency and start date, the schedule has one entry per
 * calendar month of service, dated right, and the entries — converted to the decimals Salesforce
 * stores and back — sum exactly to the contract value.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fromMinor, minorUnitDigits, toMinor } from './money.ts';
import { monthlySchedule, serviceEnd } from './revenue-schedule.ts';

// Zero-decimal (JPY, KRW), two-decimal (USD, EUR, GBP, CHF) and three-decimal (KWD, BHD, OMR) minor units.
const CURRENCIES = ['USD', 'EUR', 'GBP', 'CHF', 'JPY', 'KRW', 'KWD', 'BHD', 'OMR'] as const;

const day = (y: number, m: number, d: number) => new Date(Date.UTC(y, m, d)).toISOString().slice(0, 10);
const daysIn = (y: number, m: number) => new Date(Date.UTC(y, m + 1, 0)).getUTCDate();

/** Start dates: any day, the 1st, the 15th, and month ends (28th–31st, incl. 29 February). */
const startDate = fc
  .record({
    year: fc.integer({ min: 2020, max: 2040 }),
    month: fc.integer({ min: 0, max: 11 }),
    kind: fc.constantFrom('any', 'first', 'mid', 'last', 'last-but-one'),
    any: fc.integer({ min: 1, max: 31 }),
  })
  .map(({ year, month, kind, any }) => {
    const last = daysIn(year, month);
    const d =
      kind === 'first'
        ? 1
        : kind === 'mid'
          ? 15
          : kind === 'last'
            ? last
            : kind === 'last-but-one'
              ? last - 1
              : Math.min(any, last);
    return day(year, month, d);
  });

/** Amounts from a single minor unit to what a large multi-year zero-decimal contract reaches. */
const amount = fc.oneof(
  fc.integer({ min: 0, max: 1000 }),
  fc.integer({ min: 0, max: 100_000_000 }),
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
);

const deal = fc.record({
  totalMinor: amount,
  currency: fc.constantFrom(...CURRENCIES),
  termMonths: fc.oneof(fc.constantFrom(1, 12, 24, 36, 60), fc.integer({ min: 1, max: 120 })),
  startDate,
});

const monthIndex = (date: string) => Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7)) - 1;

describe('monthly revenue schedule (property-based)', () => {
  it('sums exactly to the contract value, one entry per month, dated right', () => {
    fc.assert(
      fc.property(deal, ({ totalMinor, currency, termMonths, startDate }) => {
        const periods = monthlySchedule(totalMinor, startDate, termMonths);
        const end = serviceEnd(startDate, termMonths).toISOString().slice(0, 10);
        const lastDay = new Date(Date.parse(`${end}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);

        // One entry per calendar month from the start month to the month of the last day of service.
        const months = periods.map((p) => monthIndex(p.periodStart));
        assert.equal(periods.length, monthIndex(lastDay) - monthIndex(startDate) + 1);
        months.forEach((m, i) => assert.equal(m, monthIndex(startDate) + i));
        assert.equal(periods[0]!.periodStart, startDate);
        for (const p of periods.slice(1)) assert.equal(p.periodStart.slice(8), '01');
        // A start on the 1st gives exactly `term` entries; otherwise the first and last are partial.
        assert.equal(periods.length, startDate.endsWith('-01') ? termMonths : periods.length);
        assert.ok(periods.length === termMonths || periods.length === termMonths + 1);

        // Integer minor units, summing exactly; each share within one minor unit of its pro-rata ideal.
        assert.equal(
          periods.reduce((s, p) => s + BigInt(p.amountMinor), 0n),
          BigInt(totalMinor),
        );
        const totalDays = (Date.parse(end) - Date.parse(startDate)) / 86_400_000;
        periods.forEach((p, i) => {
          assert.ok(Number.isSafeInteger(p.amountMinor) && p.amountMinor >= 0);
          const next = periods[i + 1]?.periodStart ?? end;
          const days = (Date.parse(next) - Date.parse(p.periodStart)) / 86_400_000;
          const ideal = (BigInt(totalMinor) * BigInt(days)) / BigInt(totalDays);
          const diff = BigInt(p.amountMinor) - ideal;
          assert.ok(diff === 0n || diff === 1n, `period ${i} is ${p.amountMinor}, ideal floor ${ideal}`);
        });

        // What Salesforce stores (decimals in the currency's minor unit) converts back without loss.
        if (totalMinor <= 1e15 / 10 ** minorUnitDigits(currency)) {
          const back = periods.map((p) => toMinor(fromMinor(p.amountMinor, currency), currency));
          assert.deepEqual(
            back,
            periods.map((p) => p.amountMinor),
          );
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('knows the minor units of the currencies it is tested with', () => {
    assert.deepEqual(
      CURRENCIES.map((c) => [c, minorUnitDigits(c)]),
      [
        ['USD', 2],
        ['EUR', 2],
        ['GBP', 2],
        ['CHF', 2],
        ['JPY', 0],
        ['KRW', 0],
        ['KWD', 3],
        ['BHD', 3],
        ['OMR', 3],
      ],
    );
  });
});
