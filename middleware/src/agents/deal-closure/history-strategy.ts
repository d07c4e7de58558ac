/**
 * The competitive record, the discount benchmark and the upsell, learned from the org's own closed
 * deals (CrmPort.loadDealHistory): each recommendation states its figures and the deals they came
 * from, or says there is not enough history and how much there is. Pure functions over the deal,
 * the competitors read in its words and the history.
 *
 * A deal's discount here is its headline discount: the deepest line discount, which is what reps
 * quote and the approval matrix checks. Thresholds:
 * - a competitor's record and the discount benchmark need at least MIN_DEALS deals;
 * - similar deals for the discount are the won deals of the same industry, else of the same size
 *   band (corporate currency, the approval matrix's Finance and Executive thresholds);
 * - upsell looks at the won deals of the same industry when there are MIN_UPSELL_PEERS, else all
 *   won deals, and recommends a family the deal lacks that at least ATTACH_RATE of them carried.
 */
import type { DealContext, PastDeal } from '../../ports/crm.ts';
import { minorUnitDigits } from '../../domain/money.ts';
import type { HistoryRead, StrategyEvidence } from './history-evidence.ts';
import {
  bandIndex,
  competitorKey,
  dealsAgainst,
  derived,
  groupFigures,
  indexOf,
  median,
  SIZE_BANDS,
} from './history-index.ts';

export { StrategyEvidenceSchema, type HistoryRead, type StrategyEvidence } from './history-evidence.ts';

export const MIN_DEALS = 3;
export const MIN_UPSELL_PEERS = 5;
export const ATTACH_RATE = 0.5;
/** Discounts within this many points of the benchmark count as in line with it. */
const NEAR_POINTS = 2;
/** Opportunity types of deals sold into the installed base (the stock values and common variants). */
const EXPANSION_TYPE = /existing|upgrade|upsell|expansion|add-on/i;
/** How many deal names a sentence lists before "and N more" (the evidence keeps more). */
const NAMES_IN_TEXT = 4;

export interface HistoryStrategy {
  competitive: string[];
  discount: string;
  upsell: string[];
  evidence: StrategyEvidence;
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const pct = (x: number) => `${round1(x)}%`;

function period(sinceDays: number): string {
  const months = Math.round(sinceDays / 30.44);
  return months >= 2 ? `the last ${months} months` : `the last ${sinceDays} days`;
}

function listed(deals: readonly { name: string }[], describe?: (i: number) => string): string {
  const shown = deals
    .slice(0, NAMES_IN_TEXT)
    .map((d, i) => (describe ? `${d.name} (${describe(i)})` : d.name));
  const more = deals.length - shown.length;
  return `${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}`;
}

/** The record against one competitor named in this deal. */
export function competitorRecord(
  competitor: string,
  history: readonly PastDeal[],
  dealDiscount: number,
  sinceDays: number,
): StrategyEvidence['competitors'][number] {
  const against = dealsAgainst(indexOf(history), competitorKey(competitor));
  // A deal recorded without products shows no discount.
  const from = against.map((d) => ({ id: d.id, name: d.name, won: d.won, discount: derived(d).headline }));
  const won = from.filter((d) => d.won);
  const lost = from.filter((d) => !d.won);
  const discounts = (ds: typeof from) => ds.flatMap((d) => (d.discount === null ? [] : [d.discount]));
  const mw = median(discounts(won));
  const ml = median(discounts(lost));
  const base = { competitor, deals: from.length, won: won.length, from: from.slice(0, EVIDENCE_DEALS) };
  const when = period(sinceDays);
  const outcome = (i: number) => {
    const d = from[i]!;
    return `${d.won ? 'won' : 'lost'}${d.discount === null ? '' : `, ${pct(d.discount)}`}`;
  };
  if (from.length < MIN_DEALS) {
    const which =
      from.length === 0
        ? `no closed deal in ${when} named them`
        : `${from.length} closed deal(s) in ${when} named them (${listed(from, outcome)})`;
    return {
      ...base,
      enoughHistory: false,
      winRate: null,
      medianDiscountWon: mw,
      medianDiscountLost: ml,
      recommendation: `${competitor}: not enough history — ${which}; a record needs at least ${MIN_DEALS}.`,
    };
  }
  const winRate = Math.round((won.length / from.length) * 100) / 100;
  const figures = [
    `${Math.round(winRate * 100)}%`,
    ...(mw !== null ? [`median discount ${pct(mw)} when won`] : []),
    ...(ml !== null ? [`${pct(ml)} when lost`] : []),
  ].join('; ');
  const here =
    mw !== null
      ? ` This deal is at ${pct(dealDiscount)}, ${describeGap(dealDiscount - mw)} the median win.`
      : ` This deal is at ${pct(dealDiscount)}.`;
  return {
    ...base,
    enoughHistory: true,
    winRate,
    medianDiscountWon: mw,
    medianDiscountLost: ml,
    recommendation: `Against ${competitor} we won ${won.length} of ${from.length} closed deals in ${when} (${figures}): ${competitiveReading(won.length, lost.length, mw, ml)}.${here} From: ${listed(from, outcome)}.`,
  };
}

/** What the record says, from the counts and the median discounts (3 points apart or more count). */
function competitiveReading(won: number, lost: number, mw: number | null, ml: number | null): string {
  if (won === 0) return 'no win against them on record';
  if (lost === 0) return 'no loss against them on record';
  if (mw === null || ml === null) return 'no discounts on record to compare';
  if (mw - ml >= 3) return 'the wins came with deeper discounts than the losses';
  if (ml - mw >= 3) return 'the losses had deeper discounts than the wins, so price did not decide them';
  return 'discount depth made little difference';
}

function describeGap(points: number): string {
  const p = round1(points);
  return Math.abs(p) < 0.05 ? 'level with' : `${Math.abs(p)} point(s) ${p > 0 ? 'above' : 'below'}`;
}

/** The deal's amount in minor units of the corporate currency, when its rate is known. */
function corporateAmount(deal: DealContext): number | null {
  const rate = deal.currencyRates[deal.opportunity.currency];
  const amount = deal.opportunity.amountMinor;
  if (amount === null || !rate) return null;
  const scale = 10 ** (minorUnitDigits(deal.corporateCurrency) - minorUnitDigits(deal.opportunity.currency));
  return Math.round((amount / rate) * scale);
}

interface Band {
  index: number;
  label: string;
}

function sizeBand(amountMinor: number | null, currency: string): Band | null {
  const i = bandIndex(amountMinor, currency);
  if (i === null) return null;
  const money = (n: number) => `${currency} ${n.toLocaleString('en-US')}`;
  const label =
    i === 0
      ? `under ${money(SIZE_BANDS[0])}`
      : i === SIZE_BANDS.length
        ? `${money(SIZE_BANDS[i - 1]!)} and above`
        : `${money(SIZE_BANDS[i - 1]!)}–${money(SIZE_BANDS[i]!)}`;
  return { index: i, label };
}

/** The evidence keeps the newest deals of a figure up to this many; the figure counts them all. */
export const EVIDENCE_DEALS = 50;

/** The won deals of an industry, as a peer group. */
function industryPeers(index: ReturnType<typeof indexOf>, industry: string | null) {
  return {
    key: `industry:${industry}`,
    peers: `won ${industry} deals`,
    deals: (industry && index.byIndustry.get(industry.toLowerCase())) || [],
  };
}

/** The discount evidence when there is nothing to compare with, and why. */
function noBenchmark(dealDiscount: number, recommendation: string): StrategyEvidence['discount'] {
  return {
    dealDiscount,
    basis: 'none',
    peers: null,
    enoughHistory: false,
    deals: 0,
    median: null,
    min: null,
    max: null,
    from: [],
    recommendation,
  };
}

/** This deal's discount against the won deals most like it. */
export function discountBenchmark(
  deal: DealContext,
  dealDiscount: number,
  history: readonly PastDeal[],
  sinceDays: number,
): StrategyEvidence['discount'] {
  const index = indexOf(history);
  const industry = deal.account?.industry ?? null;
  const sameIndustry = industryPeers(index, industry);
  const byIndustry = sameIndustry.deals;
  const band = sizeBand(corporateAmount(deal), deal.corporateCurrency);
  const bandKey = band ? `${deal.corporateCurrency}|${band.index}` : null;
  const byBand = (bandKey && index.byBand.get(bandKey)) || [];
  const choice =
    industry && byIndustry.length >= MIN_DEALS
      ? { basis: 'industry' as const, ...sameIndustry }
      : band && byBand.length >= MIN_DEALS
        ? {
            basis: 'size' as const,
            key: `band:${bandKey}`,
            peers: `won deals of ${band.label}`,
            deals: byBand,
          }
        : null;
  if (!choice) {
    const counts = [
      industry ? `${byIndustry.length} won ${industry} deal(s)` : 'no industry on the account',
      band ? `${byBand.length} won deal(s) of ${band.label}` : 'no amount in the corporate currency',
    ];
    return noBenchmark(
      dealDiscount,
      `Not enough history to benchmark the ${pct(dealDiscount)} discount: ${counts.join(' and ')} in ${period(sinceDays)}; at least ${MIN_DEALS} are needed.`,
    );
  }
  const { median: m, min, max } = groupFigures(index, choice.key, choice.deals).discounts;
  const from = choice.deals
    .slice(0, EVIDENCE_DEALS)
    .map((d) => ({ id: d.id, name: d.name, discount: derived(d).headline ?? 0 }));
  const gap = round1(dealDiscount - m);
  const advice =
    gap > NEAR_POINTS
      ? 'more than similar wins needed: hold the price and trade any further ask for term or volume'
      : gap < -NEAR_POINTS
        ? `less than similar wins needed: there is room toward ${pct(m)} if price becomes the last obstacle`
        : 'in line with similar wins: avoid going deeper';
  return {
    dealDiscount,
    basis: choice.basis,
    peers: choice.peers,
    enoughHistory: true,
    deals: choice.deals.length,
    median: m,
    min,
    max,
    from,
    recommendation: `The ${choice.deals.length} ${choice.peers} in ${period(sinceDays)} closed at a median ${pct(m)} discount (${pct(min)}–${pct(max)}); this deal's ${pct(dealDiscount)} is ${describeGap(gap)} it, ${advice}. From: ${listed(choice.deals)}.`,
  };
}

/** Product families that similar won deals carried and this deal lacks. */
export function upsellFromHistory(
  deal: DealContext,
  history: readonly PastDeal[],
  sinceDays: number,
): StrategyEvidence['upsell'] {
  const index = indexOf(history);
  const won = index.won;
  const industry = deal.account?.industry ?? null;
  const sameIndustry = industryPeers(index, industry);
  const byIndustry = sameIndustry.deals;
  const choice =
    industry && byIndustry.length >= MIN_UPSELL_PEERS
      ? { basis: 'industry' as const, ...sameIndustry }
      : won.length >= MIN_UPSELL_PEERS
        ? { basis: 'all' as const, key: 'all', peers: 'won deals', deals: won }
        : null;
  if (!choice) {
    return {
      basis: 'none',
      peers: null,
      enoughHistory: false,
      families: [],
      recommendations: [
        `Not enough history for an upsell: ${industry ? `${byIndustry.length} won ${industry} deal(s) and ` : ''}${won.length} won deal(s) in all in ${period(sinceDays)}; at least ${MIN_UPSELL_PEERS} are needed.`,
      ],
    };
  }
  const inDeal = new Set(deal.lineItems.map((li) => (li.family ?? '').toLowerCase()).filter(Boolean));
  // A deal sold into the installed base (an add-on, an upgrade) lacks what the account already
  // bought in a won deal, the platform it runs on above all: that is no upsell for it.
  const accountId = deal.account?.id;
  const expansion = EXPANSION_TYPE.test(deal.opportunity.type ?? '');
  const owned = new Set(
    won
      .filter((d) => accountId && d.accountId === accountId)
      .flatMap((d) => d.lineItems.map((li) => (li.family ?? '').toLowerCase())),
  );
  const families = groupFigures(index, choice.key, choice.deals).attach.map((f) => ({
    ...f,
    inDeal: inDeal.has(f.family.toLowerCase()),
    ownedByAccount: owned.has(f.family.toLowerCase()),
  }));
  const of = choice.deals.length;
  const missing = families.filter(
    (f) => !f.inDeal && !(expansion && f.ownedByAccount) && f.rate >= ATTACH_RATE,
  );
  const recommendations = missing.map(
    (f) =>
      `${f.family}: attached in ${f.attached} of ${of} ${choice.peers} in ${period(sinceDays)} (${Math.round(f.rate * 100)}%${f.topProduct ? `, most often ${f.topProduct}` : ''}); this deal has none, so propose it. From: ${listed(f.from)}.`,
  );
  if (recommendations.length === 0) {
    const common = families.filter((f) => f.rate >= ATTACH_RATE).map((f) => f.family);
    const where = families.some((f) => expansion && f.ownedByAccount && !f.inDeal && f.rate >= ATTACH_RATE)
      ? 'is already on this deal or was bought by this account before'
      : 'is already on this deal';
    recommendations.push(
      common.length > 0
        ? `No upsell from history: every product family carried by at least ${Math.round(ATTACH_RATE * 100)}% of the ${of} ${choice.peers} (${common.join(', ')}) ${where}.`
        : `No upsell from history: no product family reaches ${Math.round(ATTACH_RATE * 100)}% of the ${of} ${choice.peers}.`,
    );
  }
  return {
    basis: choice.basis,
    peers: choice.peers,
    enoughHistory: true,
    families: families.map(({ topProduct: _top, from, ...f }) => ({
      ...f,
      from: from.slice(0, EVIDENCE_DEALS),
    })),
    recommendations,
  };
}

/** Everything the history says about this deal, or that it could not be read. */
export function historyStrategy(
  deal: DealContext,
  competitors: readonly string[],
  dealDiscount: number,
  read: HistoryRead,
): HistoryStrategy {
  // One record per competitor, under the spelling first read.
  const byKey = new Map<string, string>();
  for (const c of competitors) if (!byKey.has(competitorKey(c))) byKey.set(competitorKey(c), c);
  const names = [...byKey.values()];
  if ('unavailable' in read) {
    const why = `the deal history could not be read (${read.unavailable})`;
    const discount = `No benchmark for the ${pct(dealDiscount)} discount this time: ${why}.`;
    const upsell = [`No upsell from history this time: ${why}.`];
    return {
      competitive: names.map((c) => `${c}: no competitive record this time, ${why}.`),
      discount,
      upsell,
      evidence: {
        dealsRead: 0,
        sinceDays: read.sinceDays,
        unavailable: read.unavailable,
        competitors: [],
        discount: noBenchmark(dealDiscount, discount),
        upsell: { basis: 'none', peers: null, enoughHistory: false, families: [], recommendations: upsell },
      },
    };
  }
  const records = names.map((c) => competitorRecord(c, read.deals, dealDiscount, read.sinceDays));
  const discount = discountBenchmark(deal, dealDiscount, read.deals, read.sinceDays);
  const upsell = upsellFromHistory(deal, read.deals, read.sinceDays);
  return {
    competitive: records.map((r) => r.recommendation),
    discount: discount.recommendation,
    upsell: upsell.recommendations,
    evidence: {
      dealsRead: read.deals.length,
      sinceDays: read.sinceDays,
      competitors: records,
      discount,
      upsell,
    },
  };
}

/**
 * A strategy with the history's recommendations: the discount benchmark after the authority
 * check, the upsell from history before the deal's own, the competitive record, the evidence.
 */
export function withHistoryStrategy<S extends { discountAuthority: string; upsell: string[] }>(
  strategy: S,
  h: HistoryStrategy,
): S & { competitive: string[]; evidence: StrategyEvidence } {
  return {
    ...strategy,
    discountAuthority: `${strategy.discountAuthority} ${h.discount}`,
    upsell: [...h.upsell, ...strategy.upsell],
    competitive: h.competitive,
    evidence: h.evidence,
  };
}
