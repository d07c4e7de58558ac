/**
 * Monthly revenue recognition in integer minor units. Each month's share is proportional to the
 * days of service in it (so a mid-month start recognises a partial first and last month), and
 * the rounding remainder goes to the periods with the largest fractional parts, so the entries
 * always sum exactly to the contract value.
 */

export interface SchedulePeriod {
  /** First day of service in the period (YYYY-MM-DD). */
  periodStart: string;
  amountMinor: number;
}

const DAY = 86_400_000;

function parse(date: string): Date {
  const d = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) throw new Error(`invalid date: ${date}`);
  return d;
}

function iso(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** The day after the last day of service: start + term months (month-end clamped). */
export function serviceEnd(startDate: string, termMonths: number): Date {
  const s = parse(startDate);
  const end = new Date(Date.UTC(s.getUTCFullYear(), s.getUTCMonth() + termMonths, s.getUTCDate()));
  if (end.getUTCDate() !== s.getUTCDate()) end.setUTCDate(0);
  return end;
}

export function monthlySchedule(totalMinor: number, startDate: string, termMonths: number): SchedulePeriod[] {
  if (!Number.isInteger(totalMinor) || totalMinor < 0)
    throw new Error(`total must be non-negative integer minor units, got ${totalMinor}`);
  if (!Number.isInteger(termMonths) || termMonths < 1)
    throw new Error(`term must be at least one month, got ${termMonths}`);
  const start = parse(startDate);
  const end = serviceEnd(startDate, termMonths);
  const totalDays = Math.round((end.getTime() - start.getTime()) / DAY);
  const periods: { start: Date; days: number }[] = [];
  let cursor = start;
  while (cursor < end) {
    const nextMonth = new Date(Date.UTC(cursor.getUTCFullYear(), cursor.getUTCMonth() + 1, 1));
    const periodEnd = nextMonth < end ? nextMonth : end;
    periods.push({ start: cursor, days: Math.round((periodEnd.getTime() - cursor.getTime()) / DAY) });
    cursor = periodEnd;
  }
  // Largest-remainder apportionment: exact in integers, each share within one minor unit of its ideal.
  const exact = periods.map((p) => (totalMinor * p.days) / totalDays);
  const floors = exact.map(Math.floor);
  let remainder = totalMinor - floors.reduce((a, b) => a + b, 0);
  const order = exact
    .map((v, i) => ({ i, frac: v - Math.floor(v) }))
    .sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (const { i } of order) {
    if (remainder <= 0) break;
    floors[i]! += 1;
    remainder--;
  }
  return periods.map((p, i) => ({ periodStart: iso(p.start), amountMinor: floors[i]! }));
}
