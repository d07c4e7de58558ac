/**
 * The org's deal history for the Deal Closure strategy, held per process for a short time: it is
 * org-wide and changes slowly, so closures share one read instead of querying it each. One read
 * at a time (closures that start together wait for the same one); a failed read is not kept, so
 * the next closure tries again. When the history is due, it rides along in the deal's own read
 * (CrmPort.loadDealWithHistory), so a closure never spends a Salesforce request on it.
 */
import type { Logger } from '../../logger.ts';
import type { CrmPort, DealContext, PastDeal } from '../../ports/crm.ts';
import type { HistoryRead } from './history-evidence.ts';

export const DEFAULT_HISTORY_TTL_MS = 10 * 60_000;
/** Two years of closed deals. */
export const DEFAULT_HISTORY_DAYS = 730;

export interface DealHistoryCache {
  /** The history when it is fresh or being read; undefined when the caller should read it. */
  current(): Promise<PastDeal[]> | undefined;
  /** Runs `read` as the one refresh and keeps its result for the TTL. */
  refresh(read: () => Promise<PastDeal[]>): Promise<PastDeal[]>;
}

export function createDealHistoryCache(options: { ttlMs: number; clock?: () => number }): DealHistoryCache {
  const clock = options.clock ?? Date.now;
  let kept: { deals: Promise<PastDeal[]>; at: number } | undefined;
  let pending: Promise<PastDeal[]> | undefined;
  return {
    current() {
      if (pending) return pending;
      if (kept && clock() - kept.at < options.ttlMs) return kept.deals;
      return undefined;
    },
    refresh(read) {
      if (pending) return pending;
      const started = clock();
      const attempt = read().then(
        (deals) => {
          kept = { deals: Promise.resolve(deals), at: started };
          pending = undefined;
          return deals;
        },
        (err: unknown) => {
          pending = undefined;
          throw err;
        },
      );
      pending = attempt;
      return attempt;
    },
  };
}

export interface HistorySource {
  crm: CrmPort;
  cache: DealHistoryCache;
  historyDays: number;
  logger?: Logger | undefined;
}

/**
 * The deal, and the history when this closure is the one to refresh it: read together in one
 * round trip. The deal's read failing fails this; the history part failing only says why.
 */
export async function readDealAndHistory(
  src: HistorySource,
  opportunityId: string,
  activityDays: number,
): Promise<{ deal: DealContext; history?: HistoryRead }> {
  const both = src.crm.loadDealWithHistory?.bind(src.crm);
  if (src.cache.current() || !both) return { deal: await src.crm.loadDeal(opportunityId, { activityDays }) };
  let result: Awaited<ReturnType<typeof both>> | undefined;
  const refreshed = src.cache.refresh(async () => {
    result = await both(opportunityId, { activityDays, historyDays: src.historyDays });
    if ('error' in result.history) throw new Error(result.history.error);
    return result.history.deals;
  });
  let history: HistoryRead;
  try {
    history = historyOf(src, await refreshed);
  } catch (err) {
    // Without a result the deal itself could not be read: that is the closure's failure.
    if (!result) throw err;
    history = unavailable(src, err);
  }
  // `result` is unset only if another closure's refresh was already under way: then read the deal alone.
  return { deal: result ? result.deal : await src.crm.loadDeal(opportunityId, { activityDays }), history };
}

/** The history from the cache, or read on its own when the cache has none. */
export async function readHistory(src: HistorySource): Promise<HistoryRead> {
  const load = src.crm.loadDealHistory?.bind(src.crm);
  if (!load) return { sinceDays: src.historyDays, unavailable: 'this CRM adapter reads no deal history' };
  try {
    const deals = await (src.cache.current() ??
      src.cache.refresh(() => load({ sinceDays: src.historyDays })));
    return historyOf(src, deals);
  } catch (err) {
    return unavailable(src, err);
  }
}

const historyOf = (src: HistorySource, deals: PastDeal[]): HistoryRead => ({
  sinceDays: src.historyDays,
  deals,
});

function unavailable(src: HistorySource, err: unknown): HistoryRead {
  const message = err instanceof Error ? err.message : String(err);
  src.logger?.warn({ err: message }, 'deal history unavailable; the strategy goes without it');
  return { sinceDays: src.historyDays, unavailable: message };
}
