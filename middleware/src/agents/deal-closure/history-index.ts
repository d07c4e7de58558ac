/**
 * The org's closed deals indexed for the Deal Closure strategy: per deal its headline discount
 * (the deepest line discount), its size band and its competitors' names as keys; per history
 * snapshot its peer groups (by industry, by size band, by competitor) with their discount figures
 * and product-family attach rates. Worked out once per snapshot: the cached history is the same
 * array for every closure, so a closure pays for its own deal only, however long the history.
 */
import type { PastDeal } from '../../ports/crm.ts';
import { minorUnitDigits } from '../../domain/money.ts';
import type { DealRef } from './history-evidence.ts';
import { median as medianOf } from '../../domain/statistics.ts';

const round1 = (x: number) => Math.round(x * 10) / 10;

/** Upper bounds of the size bands in major units of the corporate currency. */
export const SIZE_BANDS = [100_000, 500_000] as const;

export function headlineDiscount(lines: readonly { discountPercent: number }[]): number {
  return lines.reduce((max, li) => Math.max(max, li.discountPercent), 0);
}

/** The median to one decimal, as the strategy states discounts. */
export function median(values: readonly number[]): number | null {
  const m = medianOf(values);
  return m === null ? null : round1(m);
}

/** Names compare without case, punctuation or a possessive: "PlantPulse's" is PlantPulse. */
export function competitorKey(name: string): string {
  return name
    .toLowerCase()
    .replace(/['’]s\b/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Keys compare as whole words: "Siemens Opcenter" in the words and "Siemens" on the record match. */
function sameKey(x: string, y: string): boolean {
  if (!x || !y) return false;
  return x === y || ` ${x} `.includes(` ${y} `) || ` ${y} `.includes(` ${x} `);
}

/** What each past deal contributes, worked out once per deal object. */
interface Derived {
  competitorKeys: string[];
  headline: number | null;
  bandIndex: number | null;
}
const derivedCache = new WeakMap<PastDeal, Derived>();
export function derived(d: PastDeal): Derived {
  let x = derivedCache.get(d);
  if (!x) {
    x = {
      competitorKeys: d.competitors.map(competitorKey),
      headline: d.lineItems.length > 0 ? headlineDiscount(d.lineItems) : null,
      bandIndex: bandIndex(d.amountMinor, d.currency),
    };
    derivedCache.set(d, x);
  }
  return x;
}

export function bandIndex(amountMinor: number | null, currency: string): number | null {
  if (amountMinor === null) return null;
  const major = amountMinor / 10 ** minorUnitDigits(currency);
  const index = SIZE_BANDS.findIndex((b) => major < b);
  return index < 0 ? SIZE_BANDS.length : index;
}

/**
 * The history's peer groups, once per snapshot. Won deals count only with their products: a deal
 * recorded without line items shows no discount or attach.
 */
export interface HistoryIndex {
  /** Every deal by each competitor name on it (as a key), newest first. */
  byCompetitor: Map<string, PastDeal[]>;
  won: PastDeal[];
  byIndustry: Map<string, PastDeal[]>;
  byBand: Map<string, PastDeal[]>;
  groups: Map<string, { discounts: { median: number; min: number; max: number }; attach: FamilyAttach[] }>;
}
const indexCache = new WeakMap<readonly PastDeal[], HistoryIndex>();

function pushTo<K, V>(m: Map<K, V[]>, key: K, value: V): void {
  const list = m.get(key);
  if (list) list.push(value);
  else m.set(key, [value]);
}

export function indexOf(history: readonly PastDeal[]): HistoryIndex {
  let index = indexCache.get(history);
  if (index) return index;
  const won = history.filter((d) => d.won && d.lineItems.length > 0);
  const group = (key: (d: PastDeal) => string | null) => {
    const m = new Map<string, PastDeal[]>();
    for (const d of won) {
      const k = key(d);
      if (k !== null) pushTo(m, k, d);
    }
    return m;
  };
  const byCompetitor = new Map<string, PastDeal[]>();
  for (const d of history) for (const k of new Set(derived(d).competitorKeys)) pushTo(byCompetitor, k, d);
  index = {
    byCompetitor,
    won,
    byIndustry: group((d) => d.industry?.toLowerCase() ?? null),
    byBand: group((d) => {
      const band = derived(d).bandIndex;
      return band === null ? null : `${d.currency}|${band}`;
    }),
    groups: new Map(),
  };
  indexCache.set(history, index);
  return index;
}

/** The deals that named a competitor, under any of the names that match its key, newest first. */
export function dealsAgainst(index: HistoryIndex, key: string): PastDeal[] {
  const matching = [...index.byCompetitor.keys()].filter((k) => sameKey(k, key));
  if (matching.length === 1) return index.byCompetitor.get(matching[0]!)!;
  const deals = new Set(matching.flatMap((k) => index.byCompetitor.get(k)!));
  return [...deals].sort((a, b) => b.closeDate.localeCompare(a.closeDate));
}

/** A peer group's discount figures and family attach rates, computed once per snapshot. */
export function groupFigures(index: HistoryIndex, key: string, deals: readonly PastDeal[]) {
  let g = index.groups.get(key);
  if (!g) {
    const values = deals.map((d) => derived(d).headline ?? 0);
    g = {
      discounts: { median: median(values)!, min: Math.min(...values), max: Math.max(...values) },
      attach: familyAttach(deals),
    };
    index.groups.set(key, g);
  }
  return g;
}

export interface FamilyAttach {
  family: string;
  attached: number;
  of: number;
  rate: number;
  topProduct: string | undefined;
  from: DealRef[];
}

function familyAttach(deals: readonly PastDeal[]): FamilyAttach[] {
  const byFamily = new Map<string, { from: DealRef[]; products: Map<string, number> }>();
  for (const d of deals) {
    const seen = new Set<string>();
    for (const li of d.lineItems) {
      if (!li.family) continue;
      const entry = byFamily.get(li.family) ?? { from: [], products: new Map<string, number>() };
      byFamily.set(li.family, entry);
      entry.products.set(li.productName, (entry.products.get(li.productName) ?? 0) + 1);
      if (seen.has(li.family)) continue;
      seen.add(li.family);
      entry.from.push({ id: d.id, name: d.name });
    }
  }
  return [...byFamily.entries()]
    .map(([family, e]) => ({
      family,
      attached: e.from.length,
      of: deals.length,
      rate: Math.round((e.from.length / deals.length) * 1000) / 1000,
      topProduct: [...e.products.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0],
      from: e.from,
    }))
    .sort((a, b) => b.rate - a.rate || a.family.localeCompare(b.family));
}
