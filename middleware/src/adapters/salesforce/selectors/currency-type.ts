/** CurrencyType: the org's active currencies and their conversion rates. */
import { CurrencyRowSchema } from '../salesforce-records.ts';
import { parseRows } from './rows.ts';

export const CURRENCY_RATES_SOQL =
  'SELECT IsoCode, ConversionRate, IsCorporate FROM CurrencyType WHERE IsActive = true';

export interface CurrencyRates {
  /** Units of each currency per one unit of the corporate currency. */
  rates: Record<string, number>;
  corporate: string;
}

/**
 * The rates from a CurrencyType subresponse. Orgs without multi-currency have no CurrencyType
 * (the query fails): everything is then in one currency, `fallback`, at rate 1.
 */
export function toCurrencyRates(
  result: { status: number; body: unknown } | undefined,
  fallback: string,
): CurrencyRates {
  const rates: Record<string, number> = {};
  let corporate = fallback;
  if (result && result.status < 400) {
    for (const r of parseRows(CurrencyRowSchema, result.body, 'CurrencyType')) {
      rates[r.IsoCode] = r.ConversionRate;
      if (r.IsCorporate) corporate = r.IsoCode;
    }
  }
  if (Object.keys(rates).length === 0) rates[corporate] = 1;
  return { rates, corporate };
}
