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
  if (!Number.isSafeInteger(totalMinor) || totalMinor < 0)
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
  // Largest-remainder apportionment in exact integers (BigInt: total × days can pass 2^53 for large
  // contracts in zero-decimal currencies): each share within one minor unit of its ideal.
  const total = BigInt(totalMinor);
  const denominator = BigInt(totalDays);
  const shares = periods.map((p, i) => {
    const numerator = total * BigInt(p.days);
    return { i, floor: numerator / denominator, remainder: numerator % denominator };
  });
  let remainder = total - shares.reduce((a, s) => a + s.floor, 0n);
  const order = [...shares].sort((a, b) =>
    a.remainder === b.remainder ? a.i - b.i : a.remainder > b.remainder ? -1 : 1,
  );
  for (const share of order) {
    if (remainder <= 0n) break;
    share.floor += 1n;
    remainder--;
  }
  return periods.map((p, i) => ({ periodStart: iso(p.start), amountMinor: Number(shares[i]!.floor) }));
}
