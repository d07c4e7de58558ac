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
  // Building a formatter costs far more than formatting; contracts format hundreds of amounts.
  const key = `${locale}|${currency}`;
  let format = FORMATTERS.get(key);
  if (!format) FORMATTERS.set(key, (format = new Intl.NumberFormat(locale, { style: 'currency', currency })));
  return format.format(fromMinor(minor, currency));
}

const FORMATTERS = new Map<string, Intl.NumberFormat>();

export const ONES = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
export const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const SCALES: [number, string][] = [
  [1e12, 'trillion'],
  [1e9, 'billion'],
  [1e6, 'million'],
  [1e3, 'thousand'],
];

function integerInWords(n: number): string {
  if (n < 20) return ONES[n]!;
  if (n < 100) return TENS[Math.floor(n / 10)]! + (n % 10 ? `-${ONES[n % 10]}` : '');
  if (n < 1000) return `${ONES[Math.floor(n / 100)]} hundred${n % 100 ? ` ${integerInWords(n % 100)}` : ''}`;
  for (const [scale, name] of SCALES) {
    if (n >= scale)
      return `${integerInWords(Math.floor(n / scale))} ${name}${n % scale ? ` ${integerInWords(n % scale)}` : ''}`;
  }
  return String(n);
}

/** An amount in English words, as contracts state it: `five hundred thirty thousand euros and 00/100`. */
export function amountInWords(minor: number, currency: string): string {
  const digits = minorUnitDigits(currency);
  const factor = 10 ** digits;
  const whole = Math.floor(Math.abs(minor) / factor);
  const fraction = Math.abs(minor) % factor;
  const name = new Intl.DisplayNames('en', { type: 'currency' }).of(currency) ?? currency;
  const words = `${integerInWords(whole)} ${name.toLowerCase()}`;
  return digits === 0 ? words : `${words} and ${String(fraction).padStart(digits, '0')}/${factor}`;
}
