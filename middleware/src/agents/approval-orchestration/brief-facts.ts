/**
 * What the approvers' briefs are made of: statements, each with the facts it rests on, and the
 * helpers the role briefs share.
 */
import { formatMoney } from '../../domain/money.ts';
import { convertMinor } from './approval-matrix.ts';
import type { ApprovalFacts } from './approval-state.ts';
import type { RequestedTerms } from '../../ports/language.ts';
import type { ApprovalHistoryEntry } from '../../ports/approvals.ts';
import type { DealContext } from '../../ports/crm.ts';

/** A fact a statement rests on: where it is held, and its value there. */
export interface Trace {
  /** The object or document holding it: an SObject, `Contract` (the generated contract), `Policy`. */
  source: string;
  /** The record's id, the clause's id or the rule's name. */
  id?: string;
  field: string;
  value: string | number;
}

export interface Statement {
  text: string;
  /** Never empty: a statement without a fact behind it is not written. */
  traces: Trace[];
}

/** What a brief is written from. */
export type BriefFacts = Pick<
  ApprovalFacts,
  'deal' | 'contract' | 'history' | 'signals' | 'terms' | 'repDiscountAuthorityPercent'
>;

/** The deal's money in the corporate currency, or null when the org has no rate for it. */
export function corporate(facts: BriefFacts) {
  const { deal } = facts;
  return (minor: number, currency: string): number | null => {
    try {
      return convertMinor(minor, currency, deal.corporateCurrency, deal.currencyRates);
    } catch {
      return null;
    }
  };
}

/** The SObject a record id belongs to, by its key prefix, for traces of activity records. */
export function recordKind(recordId: string | undefined, fallback: string): string {
  const prefix = recordId?.slice(0, 3);
  return prefix === '00T'
    ? 'Task'
    : prefix === '02s'
      ? 'EmailMessage'
      : prefix === '006'
        ? 'Opportunity'
        : fallback;
}

export const money = (minor: number, currency: string) => formatMoney(minor, currency);

/** Traces beyond this many are counted, not listed: a statement over the whole history stays short. */
const MAX_TRACES = 6;

/**
 * The first traces of a list drawn from many records (the history), and how many there were in
 * all; `make` runs only for the listed ones.
 */
export function someOf<T>(items: readonly T[], make: (item: T) => Trace, all: Omit<Trace, 'value'>): Trace[] {
  const listed = items.slice(0, MAX_TRACES).map(make);
  return items.length > MAX_TRACES ? [...listed, { ...all, value: items.length }] : listed;
}
export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const QUOTE_MAX = 240;
/** A quote short enough for a brief; the trace keeps it whole. */
export const clip = (s: string) => (s.length > QUOTE_MAX ? `${s.slice(0, QUOTE_MAX - 1)}…` : s);

/**
 * "The buyer asked for …" for each requested term that was asked for (`asked` not null) and read
 * somewhere: the record and the words, as the closure assessment found them.
 */
export function askedFor(
  terms: RequestedTerms | null | undefined,
  asks: readonly (readonly [term: string, asked: string | null])[],
): Statement[] {
  return asks.flatMap(([term, asked]) => {
    const e = terms?.evidence[term];
    if (!asked || !e) return [];
    const kind = recordKind(e.span.recordId, e.span.source);
    return [
      {
        text: `The buyer asked for ${asked} in ${kind} ${e.span.recordId}: "${clip(e.excerpt)}"`,
        traces: [
          {
            source: kind,
            id: e.span.recordId,
            field: `${e.span.source} ${e.span.start}–${e.span.end}`,
            value: e.excerpt,
          },
        ],
      },
    ];
  });
}

/** A past decision with its hours from submission to decision. */
export interface Decided {
  entry: ApprovalHistoryEntry & { status: 'Approved' | 'Rejected'; decidedAt: string };
  hours: number;
}

/** What the briefs read from the history, worked out once per closure instead of once per brief. */
export interface HistoryIndex {
  /** Decided requests on other deals, newest first. */
  decided: Decided[];
  /** Other deals with an amount, one per opportunity, in the corporate currency. */
  peers: { approvalId: string; name: string; amount: number }[];
  /** Decided requests on other deals whose reason names a discount. */
  discounts: (Decided & { discount: number })[];
}

const indexes = new WeakMap<readonly ApprovalHistoryEntry[], WeakMap<DealContext, HistoryIndex>>();

export function historyIndex(facts: BriefFacts): HistoryIndex {
  const byDeal = indexes.get(facts.history) ?? new WeakMap<DealContext, HistoryIndex>();
  indexes.set(facts.history, byDeal);
  const known = byDeal.get(facts.deal);
  if (known) return known;
  const own = facts.deal.opportunity.id;
  const toCorporate = corporate(facts);
  const index: HistoryIndex = { decided: [], peers: [], discounts: [] };
  const seen = new Set<string>([own]);
  for (const h of facts.history) {
    if (h.opportunityId === own) continue;
    if (h.opportunityId && !seen.has(h.opportunityId) && h.amountMinor !== null && h.currency) {
      const amount = toCorporate(h.amountMinor, h.currency);
      if (amount !== null) {
        seen.add(h.opportunityId);
        index.peers.push({ approvalId: h.approvalId, name: h.opportunityName ?? h.opportunityId, amount });
      }
    }
    if ((h.status !== 'Approved' && h.status !== 'Rejected') || !h.decidedAt) continue;
    const d: Decided = {
      entry: h as Decided['entry'],
      hours: (Date.parse(h.decidedAt) - Date.parse(h.submittedAt)) / 3_600_000,
    };
    index.decided.push(d);
    const m = /discount (\d+(?:\.\d+)?)%/.exec(h.reason ?? '');
    if (m) index.discounts.push({ ...d, discount: Number(m[1]) });
  }
  byDeal.set(facts.deal, index);
  return index;
}
