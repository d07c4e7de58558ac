/**
 * What this customer asked for in its earlier contracts, and how each request was settled, from
 * the Contract_Version__c records of its other, signed opportunities. A term asked for in at
 * least `minimum` of the last `window` signed contracts, and settled the same way that often, is
 * pre-included in the new contract even when the buyer did not ask this time: as asked when it
 * was accepted, in its settled form when Legal settled it otherwise. A term refused that often is
 * not. The buyer's current request always wins over history.
 */
import { z } from 'zod';
import type { EarlierContract } from '../../ports/crm.ts';
import { BILLING_FREQUENCIES, type RequestedTerms } from '../../ports/language.ts';
import { MODEL_REQUEST_KEYS } from '@dealdesk/contracts';
import type { ContractLibrary } from './clause-library.ts';

/** The terms history records: the language module's requests, payment days and invoicing. */
export const HISTORY_TERMS = [...MODEL_REQUEST_KEYS, 'payment_days', 'billing'] as const;
export type HistoryTerm = (typeof HISTORY_TERMS)[number];

/**
 * Recorded, never carried: the length of the term (and so price protection beyond it) is this
 * deal's own, set by its products or its buyer, not a habit of the customer.
 */
const NOT_CARRIED: ReadonlySet<HistoryTerm> = new Set(['multi_year']);

/** At least `minimum` of the last `window` signed contracts. */
export interface HistoryPolicy {
  window: number;
  minimum: number;
}
export const HISTORY_POLICY: HistoryPolicy = { window: 3, minimum: 2 };

const TermValue = z.union([z.number().int(), z.string()]);

/** The form a term was settled in, when not as asked. */
const SettledFormSchema = z.object({
  /** The library clause it was settled on. */
  clause: z.string().optional(),
  /** The value it was settled at (payment days, invoicing frequency). */
  value: TermValue.optional(),
  /** The wording agreed, when no library clause carries it. */
  text: z.string().min(1).optional(),
  /** How it was settled, in Legal's words, for the reasons ("a cap of twice the annual fees"). */
  note: z.string().min(1).optional(),
});
type SettledForm = z.infer<typeof SettledFormSchema>;

/** One entry of Requested_Terms__c: a term the customer asked for that the contract answers. */
export const RequestedTermSchema = z.object({
  term: z.enum(HISTORY_TERMS),
  topic: z.string(),
  /** Payment days or the invoicing frequency, for the terms that have one. */
  value: TermValue.nullable().default(null),
  /** The customer's words as the deal's texts gave them (at most 300 characters). */
  text: z.string(),
  /** Asked by the buyer of that deal, or carried from the account's history. */
  from: z.enum(['buyer', 'history']),
  reason: z.string().optional(),
  /**
   * A term carried in the form it was settled in before: the contract said that form, so unless
   * Settled_Terms__c says otherwise, that is how the term was settled this time too.
   */
  settledAs: SettledFormSchema.optional(),
});
export type RequestedTerm = z.infer<typeof RequestedTermSchema>;

/** One entry of Settled_Terms__c: how Legal settled a requested term. */
export const SettledTermSchema = z
  .object({
    term: z.enum(HISTORY_TERMS),
    outcome: z.enum(['accepted', 'settled', 'refused']),
    ...SettledFormSchema.shape,
  })
  .refine((s) => s.outcome !== 'settled' || s.clause || s.value !== undefined || s.text, {
    error: 'a settled term names the form it was settled in (clause, value or text)',
  });
export type SettledTerm = z.infer<typeof SettledTermSchema>;

/** A term pre-included from history, with why. */
export interface CarriedTerm {
  term: HistoryTerm;
  topic: string;
  /** As the customer asked for it before, or in the form it was settled in instead. */
  form: 'asked' | 'settled';
  value: number | string | null;
  /** The library clause of a settled form. */
  clause: string | null;
  /** The wording agreed for a settled form without a clause. */
  wording: string | null;
  /** Legal's words for the settled form. */
  note: string | null;
  /** The customer's words from the newest of those contracts, or the wording agreed. */
  text: string;
  reason: string;
  /** The contract versions it comes from, newest first. */
  versions: string[];
}

export interface HistoryDecision {
  /** The signed contracts weighed, newest first (Contract_Version__c names). */
  window: string[];
  carried: CarriedTerm[];
  /** What history said but did not decide: the buyer's request won, a term was refused, a record was unreadable. */
  notes: string[];
}

type Library = Pick<ContractLibrary, 'clauses' | 'modelRequestTopics'>;

interface ReadContract {
  name: string;
  requested: RequestedTerm[];
  settled: SettledTerm[];
}

/** The parsed value, or what is wrong with it. */
function parseJson<T extends z.ZodType>(schema: T, raw: string): { ok: z.infer<T> } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    return { problem: `not JSON (${err instanceof Error ? err.message : String(err)})` };
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: parsed.data };
  return {
    problem: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '),
  };
}

/**
 * The signed contracts that say what was asked, one per opportunity (its last version), newest
 * first. A record that cannot be read is left out, with a note naming it and the field.
 */
function readContracts(contracts: EarlierContract[], notes: string[]): ReadContract[] {
  const sorted = [...contracts].sort(
    (a, b) =>
      (b.closeDate ?? '').localeCompare(a.closeDate ?? '') ||
      b.version - a.version ||
      b.name.localeCompare(a.name),
  );
  const seen = new Set<string>();
  const out: ReadContract[] = [];
  for (const c of sorted) {
    if (seen.has(c.opportunityId)) continue;
    seen.add(c.opportunityId);
    // Versions written before the field was kept do not say what the customer asked for.
    if (c.requestedTerms === null) continue;
    const requested = parseJson(z.array(RequestedTermSchema), c.requestedTerms);
    const settled =
      c.settledTerms === null ? { ok: [] } : parseJson(z.array(SettledTermSchema), c.settledTerms);
    const leaveOut = (field: string, problem: string) =>
      notes.push(
        `${c.name} (${c.opportunityName}) left out of the history: its ${field} cannot be read (${problem})`,
      );
    if ('problem' in requested) {
      leaveOut('Requested_Terms__c', requested.problem);
      continue;
    }
    if ('problem' in settled) {
      leaveOut('Settled_Terms__c', settled.problem);
      continue;
    }
    out.push({ name: c.name, requested: requested.ok, settled: settled.ok });
  }
  return out;
}

interface Form {
  key: string;
  form: 'asked' | 'settled';
  value: number | string | null;
  clause: string | null;
  wording: string | null;
  text: string;
  note: string | null;
}

function settledForm(s: SettledForm, ask: RequestedTerm): Form {
  const clause = s.clause ?? null;
  const value = s.value ?? null;
  const wording = s.text ?? null;
  return {
    key: `settled:${JSON.stringify([clause, value, wording])}`,
    form: 'settled',
    value,
    clause,
    wording,
    text: wording ?? ask.text,
    note: s.note ?? null,
  };
}

/** The form a request ended in: as asked, as settled instead, or none when it was refused. */
function formOf(ask: RequestedTerm, settled: SettledTerm | undefined): Form | null {
  if (settled?.outcome === 'refused') return null;
  if (settled?.outcome === 'settled') return settledForm(settled, ask);
  // Accepted, or signed without a word from Legal: as the contract said it.
  if (ask.settledAs) return settledForm(ask.settledAs, ask);
  const value = ask.value;
  return {
    key: `asked:${JSON.stringify(value)}`,
    form: 'asked',
    value,
    clause: null,
    wording: null,
    text: ask.text,
    note: null,
  };
}

export function topicOf(term: HistoryTerm, library: Pick<ContractLibrary, 'modelRequestTopics'>): string {
  if (term === 'payment_days') return 'payment terms';
  if (term === 'billing') return 'invoicing';
  return library.modelRequestTopics[term].topic;
}

function valueWords(term: HistoryTerm, value: number | string | null): string | null {
  if (value === null) return null;
  return term === 'payment_days'
    ? `net ${value} days`
    : term === 'billing'
      ? `${value} invoicing`
      : String(value);
}

/** A term with its value, as the reasons name it: "payment terms (net 45 days)". */
export function termLabel(
  term: HistoryTerm,
  value: number | string | null,
  library: Pick<ContractLibrary, 'modelRequestTopics'>,
): string {
  const words = valueWords(term, value);
  return `${topicOf(term, library)}${words ? ` (${words})` : ''}`;
}

/** What is wrong with carrying this form, or null: a clause the library lacks, a value the term cannot take. */
function formProblem(term: HistoryTerm, f: Form, library: Library): string | null {
  if (f.clause !== null && !library.clauses.some((c) => c.id === f.clause))
    return `the library has no clause "${f.clause}"`;
  if (f.value === null) return term === 'payment_days' || term === 'billing' ? 'no value recorded' : null;
  if (term === 'payment_days')
    return typeof f.value === 'number' && f.value >= 1 && f.value <= 365
      ? null
      : `payment days of ${String(f.value)}`;
  if (term === 'billing')
    return (BILLING_FREQUENCIES as readonly unknown[]).includes(f.value)
      ? null
      : `invoicing "${String(f.value)}"`;
  return `a value (${String(f.value)}) for a term that has none`;
}

/** The settled form in words: Legal's note, else the clause, the value or the wording. */
function settledWords(term: HistoryTerm, f: Form, library: Library): string {
  if (f.note) return f.note;
  const clause = f.clause ? library.clauses.find((c) => c.id === f.clause) : undefined;
  if (clause) return `"${clause.title}" (${clause.id})`;
  return valueWords(term, f.value) ?? `"${f.text}"`;
}

/** Where the buyer stands on a term now: silent, asking for the same, or asking for something else. */
function buyerStance(
  term: HistoryTerm,
  value: number | string | null,
  terms: RequestedTerms | null,
): { stance: 'none' | 'same' } | { stance: 'other'; now: string } {
  if (!terms) return { stance: 'none' };
  if (term.startsWith('residency_')) {
    const region = term.slice('residency_'.length);
    if (terms.residency === null) return { stance: 'none' };
    return terms.residency === region
      ? { stance: 'same' }
      : { stance: 'other', now: `${terms.residency} data residency` };
  }
  if (term === 'payment_days' || term === 'billing') {
    const now = term === 'payment_days' ? terms.paymentDays : terms.billing;
    if (now === null) return { stance: 'none' };
    return now === value ? { stance: 'same' } : { stance: 'other', now: valueWords(term, now)! };
  }
  if (term === 'health_data') return { stance: terms.healthData ? 'same' : 'none' };
  if (term === 'security_review') return { stance: terms.securityReview ? 'same' : 'none' };
  return { stance: terms.nonStandard.some((n) => n.kind === term) ? 'same' : 'none' };
}

const list = (names: string[]) => names.join(', ');

interface Tally {
  term: HistoryTerm;
  asks: { contract: string; ask: RequestedTerm; form: Form | null }[];
}

function tallies(window: ReadContract[]): Tally[] {
  const byTerm = new Map<HistoryTerm, Tally>();
  for (const c of window)
    for (const ask of c.requested) {
      const t = byTerm.get(ask.term) ?? { term: ask.term, asks: [] };
      // A term listed twice in one contract is one request.
      if (t.asks.some((a) => a.contract === c.name)) continue;
      t.asks.push({
        contract: c.name,
        ask,
        form: formOf(
          ask,
          c.settled.find((s) => s.term === ask.term),
        ),
      });
      byTerm.set(ask.term, t);
    }
  return HISTORY_TERMS.filter((t) => byTerm.has(t)).map((t) => byTerm.get(t)!);
}

/** The form reached most often (the newest on a tie), if it reached the minimum. */
function winningForm(t: Tally, minimum: number): { form: Form; contracts: string[] } | undefined {
  const groups = new Map<string, { form: Form; contracts: string[] }>();
  for (const a of t.asks) {
    if (!a.form) continue;
    const g = groups.get(a.form.key) ?? { form: a.form, contracts: [] };
    g.contracts.push(a.contract);
    groups.set(a.form.key, g);
  }
  // Map order is first-seen order, and asks are newest first: the stable sort keeps the newest on a tie.
  const best = [...groups.values()].sort((a, b) => b.contracts.length - a.contracts.length)[0];
  return best && best.contracts.length >= minimum ? best : undefined;
}

/** What the weighed contracts say of a term, with the versions it rests on. */
function whatHistorySays(t: Tally, form: Form, settledIn: string[], w: number, library: Library): string {
  const asked = t.asks.length;
  if (form.form === 'settled')
    return `${topicOf(t.term, library)}: asked for in ${asked} of ${w} earlier contracts and settled as ${settledWords(t.term, form, library)} in ${settledIn.length} of them (${list(settledIn)})`;
  const label = termLabel(t.term, form.value, library);
  return asked === settledIn.length
    ? `${label}: asked for and accepted in ${asked} of ${w} earlier contracts (${list(settledIn)})`
    : `${label}: asked for in ${asked} of ${w} earlier contracts, accepted in ${settledIn.length} (${list(settledIn)})`;
}

export function decideFromHistory(
  contracts: EarlierContract[],
  terms: RequestedTerms | null,
  library: Library,
  policy: HistoryPolicy = HISTORY_POLICY,
): HistoryDecision {
  const notes: string[] = [];
  const window = readContracts(contracts, notes).slice(0, policy.window);
  const w = window.length;
  const carried: CarriedTerm[] = [];
  for (const t of tallies(window)) {
    if (NOT_CARRIED.has(t.term)) continue;
    const asked = t.asks.map((a) => a.contract);
    const label = termLabel(t.term, t.asks[0]!.ask.value, library);
    const win = winningForm(t, policy.minimum);
    if (!win) {
      const refused = t.asks.filter((a) => !a.form).map((a) => a.contract);
      if (refused.length >= policy.minimum)
        notes.push(
          `${label}: refused in ${refused.length} of ${w} earlier contracts (${list(refused)}); not pre-included`,
        );
      else if (asked.length >= policy.minimum)
        notes.push(
          `${label}: asked for in ${asked.length} of ${w} earlier contracts (${list(asked)}) but settled differently each time; not pre-included`,
        );
      continue;
    }
    const { form, contracts: settledIn } = win;
    const problem = formProblem(t.term, form, library);
    if (problem) {
      notes.push(
        `${label}: settled in ${settledIn.length} of ${w} earlier contracts (${list(settledIn)}), but not carried: ${problem}`,
      );
      continue;
    }
    const base = whatHistorySays(t, form, settledIn, w, library);
    const now = buyerStance(t.term, form.value, terms);
    if (now.stance !== 'none') {
      notes.push(
        now.stance === 'other'
          ? `${base}; the buyer asks for ${now.now} now, which wins`
          : `${base}; the buyer asks for it now${form.form === 'asked' ? ' too' : ', and that request stands'}`,
      );
      continue;
    }
    const reason = form.form === 'asked' ? base : `${base}; pre-included in its settled form`;
    carried.push({
      term: t.term,
      topic: topicOf(t.term, library),
      form: form.form,
      value: form.value,
      clause: form.clause,
      wording: form.wording,
      note: form.note,
      text: form.text,
      reason,
      versions: settledIn,
    });
  }
  return { window: window.map((c) => c.name), carried, notes };
}
