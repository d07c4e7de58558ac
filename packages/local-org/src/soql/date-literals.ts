/**
 * SOQL date literals (TODAY, LAST_N_DAYS:n, THIS_QUARTER, ...) as half-open UTC ranges
 * [start, end) in milliseconds. The local org's time zone is UTC and its fiscal year is the
 * calendar year (the default for a new org); weeks start on Sunday as in the en_US locale.
 */

const DAY = 86_400_000;

function startOfDay(now: Date): number {
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
}
function monthStart(year: number, month: number): number {
  return Date.UTC(year, month, 1);
}

type Range = [number, number];

function weeks(now: Date, offset: number, count = 1): Range {
  const today = startOfDay(now);
  const weekStart = today - new Date(today).getUTCDay() * DAY;
  return [weekStart + offset * 7 * DAY, weekStart + (offset + count) * 7 * DAY];
}
function months(now: Date, offset: number, count = 1): Range {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  return [monthStart(y, m + offset), monthStart(y, m + offset + count)];
}
function quarters(now: Date, offset: number, count = 1): Range {
  const y = now.getUTCFullYear();
  const q = Math.floor(now.getUTCMonth() / 3) * 3;
  return [monthStart(y, q + offset * 3), monthStart(y, q + (offset + count) * 3)];
}
function years(now: Date, offset: number, count = 1): Range {
  const y = now.getUTCFullYear();
  return [Date.UTC(y + offset, 0, 1), Date.UTC(y + offset + count, 0, 1)];
}

/** The range of a date literal, or undefined if the literal is unknown. */
export function dateLiteralRange(literal: string, now: Date): Range | undefined {
  const [name, arg] = literal.toUpperCase().split(':');
  const fixed = fixedLiteralRange(name, now);
  if (fixed) return fixed;
  const n = arg === undefined ? NaN : Number(arg);
  if (!Number.isInteger(n) || n < 0) return undefined;
  return nLiteralRange(name, n, now);
}

/** The literals without an argument (TODAY, THIS_QUARTER, ...); undefined for any other name. */
function fixedLiteralRange(name: string | undefined, now: Date): Range | undefined {
  const today = startOfDay(now);
  switch (name) {
    case 'TODAY':
      return [today, today + DAY];
    case 'YESTERDAY':
      return [today - DAY, today];
    case 'TOMORROW':
      return [today + DAY, today + 2 * DAY];
    case 'LAST_WEEK':
      return weeks(now, -1);
    case 'THIS_WEEK':
      return weeks(now, 0);
    case 'NEXT_WEEK':
      return weeks(now, 1);
    case 'LAST_MONTH':
      return months(now, -1);
    case 'THIS_MONTH':
      return months(now, 0);
    case 'NEXT_MONTH':
      return months(now, 1);
    case 'LAST_90_DAYS':
      return [today - 90 * DAY, today + DAY];
    case 'NEXT_90_DAYS':
      return [today + DAY, today + 91 * DAY];
    case 'THIS_QUARTER':
    case 'THIS_FISCAL_QUARTER':
      return quarters(now, 0);
    case 'LAST_QUARTER':
    case 'LAST_FISCAL_QUARTER':
      return quarters(now, -1);
    case 'NEXT_QUARTER':
    case 'NEXT_FISCAL_QUARTER':
      return quarters(now, 1);
    case 'THIS_YEAR':
    case 'THIS_FISCAL_YEAR':
      return years(now, 0);
    case 'LAST_YEAR':
    case 'LAST_FISCAL_YEAR':
      return years(now, -1);
    case 'NEXT_YEAR':
    case 'NEXT_FISCAL_YEAR':
      return years(now, 1);
  }
  return undefined;
}

/** The literals that take a day, week, month, quarter or year count n (LAST_N_DAYS:n, ...). */
function nLiteralRange(name: string | undefined, n: number, now: Date): Range | undefined {
  const today = startOfDay(now);
  switch (name) {
    // "Starts with the current day and continues for the past n days."
    case 'LAST_N_DAYS':
      return [today - n * DAY, today + DAY];
    case 'NEXT_N_DAYS':
      return [today + DAY, today + (n + 1) * DAY];
    case 'N_DAYS_AGO':
      return [today - n * DAY, today - (n - 1) * DAY];
    case 'LAST_N_WEEKS':
      return weeks(now, -n, n);
    case 'NEXT_N_WEEKS':
      return weeks(now, 1, n);
    case 'N_WEEKS_AGO':
      return weeks(now, -n);
    case 'LAST_N_MONTHS':
      return months(now, -n, n);
    case 'NEXT_N_MONTHS':
      return months(now, 1, n);
    case 'N_MONTHS_AGO':
      return months(now, -n);
    case 'LAST_N_QUARTERS':
    case 'LAST_N_FISCAL_QUARTERS':
      return quarters(now, -n, n);
    case 'NEXT_N_QUARTERS':
    case 'NEXT_N_FISCAL_QUARTERS':
      return quarters(now, 1, n);
    case 'N_QUARTERS_AGO':
    case 'N_FISCAL_QUARTERS_AGO':
      return quarters(now, -n);
    case 'LAST_N_YEARS':
    case 'LAST_N_FISCAL_YEARS':
      return years(now, -n, n);
    case 'NEXT_N_YEARS':
    case 'NEXT_N_FISCAL_YEARS':
      return years(now, 1, n);
    case 'N_YEARS_AGO':
    case 'N_FISCAL_YEARS_AGO':
      return years(now, -n);
  }
  return undefined;
}
