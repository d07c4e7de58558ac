/**
 * Money inside the middleware is integer minor units (cents for USD/EUR/GBP, yen for JPY), so
 * sums and schedules are exact. Conversion happens only at the Salesforce boundary, where
 * currency fields are decimals.
 */

const fractionDigitsCache = new Map<string, number>();

/** Decimal places of a currency's minor unit (ISO 4217, as Intl knows it). */
export function minorUnitDigits(currency: string): number {
  let digits = fractionDigitsCache.get(currency);
  if (digits === undefined) {
    digits =
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ??
      2;
    fractionDigitsCache.set(currency, digits);
  }
  return digits;
}

/** A Salesforce decimal amount to integer minor units, rounding half away from zero. */
export function toMinor(amount: number, currency: string): number {
  const factor = 10 ** minorUnitDigits(currency);
  return Math.sign(amount) * Math.round(Math.abs(amount) * factor + 1e-7);
}

/** Integer minor units back to the decimal Salesforce stores. */
export function fromMinor(minor: number, currency: string): number {
  if (!Number.isInteger(minor)) throw new Error(`money must be integer minor units, got ${minor}`);
  return minor / 10 ** minorUnitDigits(currency);
}

/** Human-readable amount, e.g. `EUR 530,558.00` or `€530,558.00` with a locale. */
export function formatMoney(minor: number, currency: string, locale = 'en-US'): string {
  return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(fromMinor(minor, currency));
}
