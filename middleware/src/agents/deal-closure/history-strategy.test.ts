import assert from 'node:assert/strict';
import type { PastDeal } from '../../ports/crm.ts';
import { dealContext, lineItem, sfId } from '../../test-support/deal-fixtures.ts';
import {
  competitorRecord,
  discountBenchmark,
  historyStrategy,
  StrategyEvidenceSchema,
  upsellFromHistory,
} from './history-strategy.ts';
import { competitorKey, median } from './history-index.ts';

const DAYS = 730;

/** A closed deal: the platform at `discount`, plus one line per extra family. */
function past(
  o: Partial<Omit<PastDeal, 'lineItems'>> & { discount?: number; families?: string[]; name?: string },
): PastDeal {
  const id = o.id ?? sfId('006');
  return {
    id,
    name: o.name ?? `Deal ${id.slice(-8, -3)}`,
    accountId: o.accountId ?? null,
    won: o.won ?? true,
    amountMinor: o.amountMinor ?? 150_000_00,
    currency: o.currency ?? 'USD',
    closeDate: o.closeDate ?? '2026-06-01',
    industry: o.industry === undefined ? 'Manufacturing' : o.industry,
    country: o.country ?? 'Germany',
    lineItems: [
      { productName: 'Platform', family: 'Platform', quantity: 100, discountPercent: o.discount ?? 10 },
      ...(o.families ?? []).map((family) => ({
        productName: `${family} product`,
        family,
        quantity: 1,
        discountPercent: 0,
      })),
    ],
    competitors: o.competitors ?? [],
  };
}

const against = (competitor: string, outcomes: [boolean, number][]) =>
  outcomes.map(([won, discount]) => past({ won, discount, competitors: [competitor] }));

describe('the Deal Closure strategy from the org’s closed deals', () => {
  describe('the record against a competitor', () => {
    it('counts wins and losses where the competitor was named, with median discounts and the deals', () => {
      const history = [
        ...against('PlantPulse', [
          [true, 10],
          [true, 12],
          [true, 8],
          [true, 11],
          [true, 10],
          [false, 18],
          [false, 20],
          [false, 16],
        ]),
        ...against('Assetra', [[false, 5]]),
        past({ won: true, discount: 30 }),
      ];
      const r = competitorRecord('PlantPulse', history, 12, DAYS);
      assert.equal(r.enoughHistory, true);
      assert.deepEqual([r.deals, r.won, r.winRate], [8, 5, 0.63]);
      assert.deepEqual([r.medianDiscountWon, r.medianDiscountLost], [10, 18]);
      assert.deepEqual(
        r.from.map((d) => d.id),
        history.slice(0, 8).map((d) => d.id),
        'the deals it came from, and only those',
      );
      assert.match(
        r.recommendation,
        /^Against PlantPulse we won 5 of 8 closed deals in the last 24 months \(63%; median discount 10% when won; 18% when lost\): the losses had deeper discounts than the wins, so price did not decide them\. This deal is at 12%, 2 point\(s\) above the median win\. From: /,
      );
      assert.ok(r.recommendation.includes(`${history[0]!.name} (won, 10%)`));
      assert.match(r.recommendation, /and 4 more\.$/);
    });

    it('reads the wins as needing deeper discounts when they did, and says so when there was no win', () => {
      const deeper = competitorRecord(
        'Assetra',
        against('Assetra', [
          [true, 18],
          [true, 20],
          [false, 10],
          [false, 9],
        ]),
        10,
        DAYS,
      );
      assert.match(
        deeper.recommendation,
        /won 2 of 4 .*\(50%; median discount 19% when won; 9\.5% when lost\): the wins came with deeper discounts than the losses\. This deal is at 10%, 9 point\(s\) below the median win/,
      );
      const none = competitorRecord(
        'FieldCore',
        against('FieldCore', [
          [false, 10],
          [false, 12],
          [false, 14],
        ]),
        10,
        DAYS,
      );
      assert.match(
        none.recommendation,
        /won 0 of 3 .*\(0%; 12% when lost\): no win against them on record\. This deal is at 10%\./,
      );
    });

    it('says "not enough history" below three deals, with the count and the deals, from exactly three it has a record', () => {
      const two = against('UptimeIQ', [
        [true, 12],
        [false, 10],
      ]);
      const r = competitorRecord('UptimeIQ', two, 10, DAYS);
      assert.equal(r.enoughHistory, false);
      assert.equal(r.winRate, null);
      assert.equal(
        r.recommendation,
        `UptimeIQ: not enough history — 2 closed deal(s) in the last 24 months named them (${two[0]!.name} (won, 12%); ${two[1]!.name} (lost, 10%)); a record needs at least 3.`,
      );
      assert.match(
        competitorRecord('Nobody', two, 10, DAYS).recommendation,
        /^Nobody: not enough history — no closed deal in the last 24 months named them; a record needs at least 3\.$/,
      );
      const three = [...two, ...against('UptimeIQ', [[true, 14]])];
      assert.equal(competitorRecord('UptimeIQ', three, 10, DAYS).enoughHistory, true);
    });

    it('matches a name as read in the buyer’s words to the one on the record', () => {
      assert.equal(competitorKey("PlantPulse's"), 'plantpulse');
      const history = against('Siemens', [
        [true, 10],
        [true, 10],
        [false, 10],
      ]);
      assert.equal(competitorRecord('Siemens Opcenter', history, 10, DAYS).deals, 3);
      assert.equal(competitorRecord('siemens', history, 10, DAYS).deals, 3);
      assert.equal(competitorRecord('Siem', history, 10, DAYS).deals, 0, 'part of a word is not the name');
    });
  });

  describe('the discount benchmark', () => {
    const deal = (discount: number, over: Parameters<typeof dealContext>[0] = {}) =>
      dealContext({ lineItems: [lineItem({ discountPercent: discount })], ...over });

    it('compares with the won deals of the same industry, with the range and the deals', () => {
      const wins = [8, 10, 12].map((discount) => past({ discount }));
      const history = [
        ...wins,
        past({ won: false, discount: 30 }),
        past({ industry: 'Healthcare', discount: 25 }),
      ];
      const b = discountBenchmark(deal(15), 15, history, DAYS);
      assert.deepEqual([b.basis, b.median, b.min, b.max, b.enoughHistory], ['industry', 10, 8, 12, true]);
      assert.deepEqual(
        b.from.map((d) => d.id),
        wins.map((d) => d.id),
      );
      assert.match(
        b.recommendation,
        /^The 3 won Manufacturing deals in the last 24 months closed at a median 10% discount \(8%–12%\); this deal's 15% is 5 point\(s\) above it, more than similar wins needed: hold the price/,
      );
      assert.match(
        discountBenchmark(deal(5), 5, history, DAYS).recommendation,
        /5 point\(s\) below it, less than similar wins needed: there is room toward 10%/,
      );
      assert.match(
        discountBenchmark(deal(11), 11, history, DAYS).recommendation,
        /1 point\(s\) above it, in line with similar wins/,
      );
    });

    it('falls back to the size band when the industry has too few, and says when neither has enough', () => {
      const band = [
        past({ industry: 'Energy', amountMinor: 200_000_00 }),
        past({ industry: 'Retail', amountMinor: 450_000_00 }),
        past({ industry: null, amountMinor: 120_000_00 }),
      ];
      const history = [...band, past({ amountMinor: 120_000_00 }), past({ amountMinor: 90_000_00 })];
      // EUR 184,000 at 0.92 per USD is USD 200,000: the USD 100,000–500,000 band.
      const eur = deal(10, {
        opportunity: { amountMinor: 184_000_00, currency: 'EUR' },
        currencyRates: { USD: 1, EUR: 0.92 },
      });
      const b = discountBenchmark(eur, 10, history, DAYS);
      assert.equal(b.basis, 'size');
      assert.equal(b.peers, 'won deals of USD 100,000–USD 500,000');
      assert.equal(b.from.length, 4, 'the band holds three other-industry wins and one Manufacturing win');
      const thin = discountBenchmark(eur, 10, history.slice(3), DAYS);
      assert.equal(thin.enoughHistory, false);
      assert.equal(
        thin.recommendation,
        'Not enough history to benchmark the 10% discount: 2 won Manufacturing deal(s) and 1 won deal(s) of USD 100,000–USD 500,000 in the last 24 months; at least 3 are needed.',
      );
    });

    it('leaves out deals recorded without products', () => {
      const history = [past({ discount: 10 }), past({ discount: 12 }), { ...past({}), lineItems: [] }];
      assert.equal(discountBenchmark(deal(10), 10, history, DAYS).enoughHistory, false);
    });
  });

  describe('the upsell', () => {
    const manufacturing = [
      past({ families: ['Training', 'Support'] }),
      past({ families: ['Training', 'Support'] }),
      past({ families: ['Training'] }),
      past({ families: ['Training'] }),
      past({ families: ['Services'] }),
    ];
    const deal = (families: string[], industry = 'Manufacturing') =>
      dealContext({
        account: { industry },
        lineItems: [lineItem(), ...families.map((family) => lineItem({ family, productName: family }))],
      });

    it('recommends the families similar wins carried and this deal lacks, from half of them up, with the deals', () => {
      const u = upsellFromHistory(
        deal([]),
        [...manufacturing, past({ won: false, families: ['Support'] })],
        DAYS,
      );
      assert.equal(u.basis, 'industry');
      assert.deepEqual(
        u.families.map((f) => [f.family, f.attached, f.of]),
        [
          ['Platform', 5, 5],
          ['Training', 4, 5],
          ['Support', 2, 5],
          ['Services', 1, 5],
        ],
      );
      assert.equal(u.recommendations.length, 1, 'Support at 40% is under the 50% cut-off');
      assert.match(
        u.recommendations[0]!,
        /^Training: attached in 4 of 5 won Manufacturing deals in the last 24 months \(80%, most often Training product\); this deal has none, so propose it\. From: /,
      );
      assert.deepEqual(
        u.families.find((f) => f.family === 'Training')!.from.map((d) => d.id),
        manufacturing.slice(0, 4).map((d) => d.id),
      );
      const atHalf = [...manufacturing, past({ families: ['Support'] })];
      assert.match(
        upsellFromHistory(deal(['Training']), atHalf, DAYS).recommendations.join(),
        /^Support: attached in 3 of 6 won Manufacturing deals .*\(50%/,
      );
    });

    it('does not propose to an add-on deal what the account already bought in an earlier won deal', () => {
      const accountId = '001Dd0000000001AAA';
      const earlier = past({ accountId, families: ['Training'] });
      const addOn = { ...deal([]), opportunity: { ...deal([]).opportunity, type: 'Existing Business' } };
      assert.match(
        upsellFromHistory(deal([]), [...manufacturing, earlier], DAYS).recommendations[0]!,
        /^Training: attached in 5 of 6/,
        'a new deal is proposed it all the same',
      );
      const u = upsellFromHistory(addOn, [...manufacturing, earlier], DAYS);
      assert.deepEqual(
        u.families.filter((f) => f.ownedByAccount).map((f) => f.family),
        ['Platform', 'Training'],
      );
      assert.deepEqual(u.recommendations, [
        'No upsell from history: every product family carried by at least 50% of the 6 won Manufacturing deals (Platform, Training) is already on this deal or was bought by this account before.',
      ]);
    });

    it('says so when the deal already carries what similar wins carried', () => {
      const u = upsellFromHistory(deal(['Training']), manufacturing, DAYS);
      assert.deepEqual(u.recommendations, [
        'No upsell from history: every product family carried by at least 50% of the 5 won Manufacturing deals (Platform, Training) is already on this deal.',
      ]);
    });

    it('looks at all won deals below five of the industry, and says "not enough history" below five in all', () => {
      const all = upsellFromHistory(deal([], 'Energy'), manufacturing, DAYS);
      assert.deepEqual([all.basis, all.peers], ['all', 'won deals']);
      const thin = upsellFromHistory(deal([], 'Energy'), manufacturing.slice(1), DAYS);
      assert.equal(thin.enoughHistory, false);
      assert.deepEqual(thin.recommendations, [
        'Not enough history for an upsell: 0 won Energy deal(s) and 4 won deal(s) in all in the last 24 months; at least 5 are needed.',
      ]);
    });
  });

  it('puts it together per deal, every figure with its deals, and says why when the history could not be read', () => {
    const history = [
      ...against('PlantPulse', [
        [true, 10],
        [true, 12],
        [false, 16],
      ]),
      past({ families: ['Training'] }),
      past({ families: ['Training'] }),
      past({ families: ['Training'] }),
    ];
    const deal = dealContext({ lineItems: [lineItem({ discountPercent: 14 })] });
    const h = historyStrategy(deal, ['PlantPulse', 'plantpulse', 'Assetra'], 14, {
      sinceDays: DAYS,
      deals: history,
    });
    assert.equal(h.competitive.length, 2, 'one record per competitor, however often named');
    assert.match(h.competitive[0]!, /^Against PlantPulse we won 2 of 3/);
    assert.match(h.competitive[1]!, /^Assetra: not enough history/);
    assert.match(h.discount, /median 10% discount/);
    assert.match(h.upsell[0]!, /^Training: attached in 3 of 5 won Manufacturing deals/);
    assert.doesNotThrow(() => StrategyEvidenceSchema.parse(h.evidence));
    assert.equal(h.evidence.dealsRead, 6);

    const down = historyStrategy(deal, ['PlantPulse'], 14, {
      sinceDays: DAYS,
      unavailable: 'REQUEST_LIMIT_EXCEEDED',
    });
    assert.deepEqual(down.competitive, [
      'PlantPulse: no competitive record this time, the deal history could not be read (REQUEST_LIMIT_EXCEEDED).',
    ]);
    assert.match(
      down.discount,
      /^No benchmark for the 14% discount this time: the deal history could not be read/,
    );
    assert.equal(down.evidence.unavailable, 'REQUEST_LIMIT_EXCEEDED');
  });

  it('takes the median of an even count as the mean of the middle two', () => {
    assert.equal(median([8, 12, 9, 10]), 9.5);
    assert.equal(median([]), null);
  });
});
