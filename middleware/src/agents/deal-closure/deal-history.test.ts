import assert from 'node:assert/strict';
import type { CrmPort, DealContext, DealHistoryResult, PastDeal } from '../../ports/crm.ts';
import { dealContext } from '../../test-support/deal-fixtures.ts';
import {
  createDealHistoryCache,
  readDealAndHistory,
  readHistory,
  type HistorySource,
} from './deal-history.ts';

const PAST: PastDeal = {
  id: '006Dd0000000901AAA',
  name: 'Earlier deal',
  accountId: '001Dd0000000901AAA',
  won: true,
  amountMinor: 50_000_00,
  currency: 'USD',
  closeDate: '2026-01-10',
  industry: 'Manufacturing',
  country: 'Germany',
  lineItems: [{ productName: 'Platform', family: 'Platform', quantity: 10, discountPercent: 10 }],
  competitors: ['PlantPulse'],
};

/** A CRM that counts its reads: the deal alone, the history alone, or both in one round trip. */
function countingCrm(history: () => DealHistoryResult = () => ({ deals: [PAST] })) {
  const calls = { deal: 0, history: 0, both: 0 };
  const deal = dealContext();
  const crm = {
    loadDeal: async () => {
      calls.deal++;
      return deal;
    },
    loadDealHistory: async () => {
      calls.history++;
      const h = history();
      if ('error' in h) throw new Error(h.error);
      return h.deals;
    },
    loadDealWithHistory: async () => {
      calls.both++;
      return { deal, history: history() };
    },
  } as unknown as CrmPort;
  return { crm, calls, deal };
}

describe('the deal history the Deal Closure strategy reads', () => {
  let now = 0;
  const source = (crm: CrmPort): HistorySource => ({
    crm,
    cache: createDealHistoryCache({ ttlMs: 600_000, clock: () => now }),
    historyDays: 730,
  });
  beforeEach(() => (now = 1_000_000));

  it('rides along with the deal when due, then serves closures from the cache until the TTL runs out', async () => {
    const { crm, calls, deal } = countingCrm();
    const src = source(crm);
    const first = await readDealAndHistory(src, deal.opportunity.id, 90);
    assert.equal(first.deal, deal);
    assert.deepEqual(first.history, { sinceDays: 730, deals: [PAST] });
    assert.deepEqual(calls, { deal: 0, history: 0, both: 1 }, 'one round trip for both');

    now += 599_000;
    const second = await readDealAndHistory(src, deal.opportunity.id, 90);
    assert.equal(second.history, undefined, 'the history is cached: nothing read with the deal');
    assert.deepEqual(await readHistory(src), { sinceDays: 730, deals: [PAST] });
    assert.deepEqual(calls, { deal: 1, history: 0, both: 1 });

    now += 2_000;
    await readDealAndHistory(src, deal.opportunity.id, 90);
    assert.deepEqual(calls, { deal: 1, history: 0, both: 2 }, 'stale after ten minutes: read again');
  });

  it('reads once for closures that start together', async () => {
    const { crm, calls } = countingCrm();
    const src = source(crm);
    const reads = await Promise.all([readHistory(src), readHistory(src), readHistory(src)]);
    assert.ok(reads.every((r) => 'deals' in r && r.deals[0] === PAST));
    assert.equal(calls.history, 1);
  });

  it('keeps the deal when the history part fails, says why, and tries again next time', async () => {
    let fail = true;
    const { crm, calls, deal } = countingCrm(() =>
      fail ? { error: 'INVALID_TYPE: OpportunityCompetitor' } : { deals: [PAST] },
    );
    const src = source(crm);
    const first = await readDealAndHistory(src, deal.opportunity.id, 90);
    assert.equal(first.deal, deal);
    assert.deepEqual(first.history, { sinceDays: 730, unavailable: 'INVALID_TYPE: OpportunityCompetitor' });
    fail = false;
    const second = await readDealAndHistory(src, deal.opportunity.id, 90);
    assert.deepEqual(second.history, { sinceDays: 730, deals: [PAST] }, 'a failure is not cached');
    assert.equal(calls.both, 2);
  });

  it('fails the read when the deal itself cannot be read', async () => {
    const crm = {
      loadDeal: async () => dealContext(),
      loadDealWithHistory: async (): Promise<{ deal: DealContext; history: DealHistoryResult }> => {
        throw new Error('NOT_FOUND: no Opportunity');
      },
    } as unknown as CrmPort;
    await assert.rejects(readDealAndHistory(source(crm), '006Dd0000000001AAA', 90), /NOT_FOUND/);
  });

  it('says there is no history when the CRM adapter cannot read it', async () => {
    const crm = { loadDeal: async () => dealContext() } as unknown as CrmPort;
    const src = source(crm);
    assert.equal((await readDealAndHistory(src, '006Dd0000000001AAA', 90)).history, undefined);
    assert.deepEqual(await readHistory(src), {
      sinceDays: 730,
      unavailable: 'this CRM adapter reads no deal history',
    });
  });
});
