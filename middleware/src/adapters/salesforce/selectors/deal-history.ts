/**
 * The org's closed deals with their products and competitors (OpportunityCompetitor), read for
 * the Deal Closure strategy: one query with two child subqueries, every page of it (a query
 * answers at most 2,000 rows a page, fewer with subqueries, and says where the next page is).
 * Amounts are converted into the corporate currency at the org's CurrencyType rates.
 */
import { z } from 'zod';
import type { DealContext, DealHistoryResult, PastDeal } from '../../../ports/crm.ts';
import { PastDealSchema } from '../../../ports/crm.ts';
import { toMinor } from '../../../domain/money.ts';
import { CrmError, errorOf } from '../salesforce-errors.ts';
import { querySubrequest, queryUrl, type SalesforceCalls, type Subrequest } from '../salesforce-calls.ts';
import { CURRENCY_RATES_SOQL, toCurrencyRates, type CurrencyRates } from './currency-type.ts';
import { parseRow } from './rows.ts';

/** The newest this many closed deals at most: enough to learn from, bounded in memory and requests. */
export const DEAL_HISTORY_LIMIT = 5000;

export function dealHistorySoql(sinceDays: number): string {
  const days = Math.max(1, Math.floor(sinceDays));
  return [
    'SELECT Id, Name, AccountId, IsWon, Amount, CurrencyIsoCode, CloseDate, Account.Industry, Account.BillingCountry,',
    ' (SELECT Product2.Name, Product2.Family, Quantity, Discount FROM OpportunityLineItems),',
    ' (SELECT CompetitorName FROM OpportunityCompetitors)',
    ` FROM Opportunity WHERE IsClosed = true AND CloseDate = LAST_N_DAYS:${days}`,
    ` ORDER BY CloseDate DESC, Id LIMIT ${DEAL_HISTORY_LIMIT}`,
  ].join('');
}

/**
 * The history query as a composite subrequest; `batchSize` (200–2,000) asks for smaller pages,
 * which Salesforce honours on the query resource and in a subrequest's headers.
 */
export function dealHistorySubrequest(base: string, sinceDays: number, batchSize?: number): Subrequest {
  return {
    method: 'GET',
    url: queryUrl(base, dealHistorySoql(sinceDays)),
    referenceId: 'history',
    ...(batchSize ? { httpHeaders: { 'Sforce-Query-Options': `batchSize=${batchSize}` } } : {}),
  };
}

const PageSchema = z.object({
  done: z.boolean(),
  nextRecordsUrl: z.string().optional(),
  records: z.array(z.unknown()),
});

const str = z
  .string()
  .nullable()
  .optional()
  .transform((v) => v ?? null);

/** A child subquery's first page; a long child list carries its own nextRecordsUrl. */
const children = <T extends z.ZodType>(record: T) =>
  z
    .object({ done: z.boolean().optional(), nextRecordsUrl: z.string().optional(), records: z.array(record) })
    .nullable()
    .optional()
    .transform((v) => v ?? { done: true, records: [] as z.infer<T>[] });

const LineRowSchema = z.object({
  Product2: z.object({ Name: str, Family: str }).nullable().optional(),
  Quantity: z.number(),
  Discount: z.number().nullable().optional(),
});
const CompetitorRowSchema = z.object({ CompetitorName: str });

const HistoryRowSchema = z.object({
  Id: z.string(),
  Name: z.string(),
  AccountId: str,
  IsWon: z.boolean(),
  Amount: z.number().nullable().optional(),
  CurrencyIsoCode: z.string().optional(),
  CloseDate: z.string(),
  Account: z.object({ Industry: str, BillingCountry: str }).nullable().optional(),
  OpportunityLineItems: children(LineRowSchema),
  OpportunityCompetitors: children(CompetitorRowSchema),
});
type HistoryRow = z.infer<typeof HistoryRowSchema>;

/** At most this many pages are followed, so a server that always says "more" cannot loop us. */
const MAX_PAGES = Math.ceil(DEAL_HISTORY_LIMIT / 200) + 1;

/** Every record of a query result, following its nextRecordsUrl. */
async function allRecords(calls: SalesforceCalls, first: unknown, what: string): Promise<unknown[]> {
  const records: unknown[] = [];
  let body = first;
  for (let page = 0; page < MAX_PAGES; page++) {
    const parsed = PageSchema.safeParse(body);
    if (!parsed.success) throw new CrmError('UNEXPECTED_RESPONSE', `${what}: not a query result`);
    records.push(...parsed.data.records);
    if (parsed.data.done || !parsed.data.nextRecordsUrl) return records;
    body = await calls.queryMore(parsed.data.nextRecordsUrl);
  }
  throw new CrmError('UNEXPECTED_RESPONSE', `${what}: more than ${MAX_PAGES} pages`);
}

/** The history from the first page of its query (a query or a composite subresponse body). */
export async function toDealHistory(
  calls: SalesforceCalls,
  firstPage: unknown,
  currency: CurrencyRates,
): Promise<PastDeal[]> {
  const raw = await allRecords(calls, firstPage, 'Opportunity history');
  const rows = raw.map((r, i) => parseRow(HistoryRowSchema, r, 'Opportunity history', i));
  return Promise.all(rows.map((row) => toPastDeal(calls, row, currency)));
}

async function toPastDeal(
  calls: SalesforceCalls,
  row: HistoryRow,
  currency: CurrencyRates,
): Promise<PastDeal> {
  const lines = await childRecords(calls, row.OpportunityLineItems, LineRowSchema, row.Id);
  const competitors = await childRecords(calls, row.OpportunityCompetitors, CompetitorRowSchema, row.Id);
  return PastDealSchema.parse({
    id: row.Id,
    name: row.Name,
    accountId: row.AccountId,
    won: row.IsWon,
    amountMinor: corporateMinor(row.Amount ?? null, row.CurrencyIsoCode ?? currency.corporate, currency),
    currency: currency.corporate,
    closeDate: row.CloseDate,
    industry: row.Account?.Industry ?? null,
    country: row.Account?.BillingCountry ?? null,
    lineItems: lines.map((li) => ({
      productName: li.Product2?.Name ?? 'Product',
      family: li.Product2?.Family ?? null,
      quantity: li.Quantity,
      discountPercent: li.Discount ?? 0,
    })),
    competitors: [
      ...new Set(competitors.map((c) => c.CompetitorName?.trim() ?? '').filter((n) => n.length > 0)),
    ],
  });
}

/** A child list in full: its first page from the row, any further pages fetched. */
async function childRecords<T extends z.ZodType>(
  calls: SalesforceCalls,
  first: { done?: boolean; nextRecordsUrl?: string; records: z.infer<T>[] },
  schema: T,
  parentId: string,
): Promise<z.infer<T>[]> {
  if (first.done !== false || !first.nextRecordsUrl) return first.records;
  const rest = await allRecords(
    calls,
    await calls.queryMore(first.nextRecordsUrl),
    `children of ${parentId}`,
  );
  return [...first.records, ...rest.map((r, i) => parseRow(schema, r, `children of ${parentId}`, i))];
}

/** An amount in its currency to minor units of the corporate currency; null without a rate. */
function corporateMinor(amount: number | null, iso: string, currency: CurrencyRates): number | null {
  const rate = currency.rates[iso];
  if (amount === null || !rate) return null;
  return toMinor(amount / rate, currency.corporate);
}

/** A composite subresponse of the history query, or the error it answered. */
export async function dealHistoryFromSubresponse(
  calls: SalesforceCalls,
  result: { status: number; body: unknown } | undefined,
  currency: CurrencyRates,
): Promise<PastDeal[]> {
  if (!result || result.status >= 400) throw errorOf(result?.body);
  return toDealHistory(calls, result.body, currency);
}

/** The history on its own: its query and the currency rates in one composite read, then any further pages. */
export async function loadDealHistory(
  calls: SalesforceCalls,
  sinceDays: number,
  batchSize?: number,
): Promise<PastDeal[]> {
  const results = await calls.composite(
    [
      dealHistorySubrequest(calls.base, sinceDays, batchSize),
      querySubrequest(calls.base, 'rates', CURRENCY_RATES_SOQL),
    ],
    false,
  );
  // An org without multi-currency has no CurrencyType: every amount is then in one currency.
  const currency = toCurrencyRates(results.get('rates'), 'USD');
  return dealHistoryFromSubresponse(calls, results.get('history'), currency);
}

/** The history subresponse of a deal's composite read, converted at the rates read with the deal. */
export async function historyBesideDeal(
  calls: SalesforceCalls,
  result: { status: number; body: unknown } | undefined,
  deal: DealContext,
): Promise<DealHistoryResult> {
  try {
    const currency = { rates: deal.currencyRates, corporate: deal.corporateCurrency };
    return { deals: await dealHistoryFromSubresponse(calls, result, currency) };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}
