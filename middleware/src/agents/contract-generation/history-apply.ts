/**
 * A history decision applied to a contract: the facts a carried term sets (as if the buyer had
 * asked), the requests it adds (so non-standard ones reach Legal like any other), the clauses it
 * explains or puts in its settled form, and the record of what was asked that the contract's
 * Contract_Version__c keeps for the customer's next contract.
 */
import type { RequestedTerms } from '../../ports/language.ts';
import type { ContractLibrary } from './clause-library.ts';
import type { CustomRequest } from './deal-facts.ts';
import type { SelectedClause } from './selection.ts';
import { topicOf, type CarriedTerm, type HistoryTerm, type RequestedTerm } from './account-history.ts';

/** What carried terms set among the facts the buyer's own requests set. */
export interface HistoryFacts {
  residency: 'EU' | 'UK' | 'US' | 'other' | null;
  paymentDays: CarriedTerm | null;
  billing: CarriedTerm | null;
  healthData: boolean;
  securityReview: boolean;
}

/** Where a carried request came from, as a request's source names it. */
export const historySource = (c: CarriedTerm) => `account history (${c.versions.join(', ')})`;

const REGIONS = ['EU', 'UK', 'US', 'other'] as const;

export function historyFacts(carried: CarriedTerm[]): HistoryFacts {
  // A settled form on a library clause changes that clause only, never the facts.
  const asked = carried.filter((c) => c.clause === null);
  const residency = asked.find((c) => c.form === 'asked' && c.term.startsWith('residency_'));
  const valued = (term: HistoryTerm) => asked.find((c) => c.term === term && c.value !== null) ?? null;
  const flag = (term: HistoryTerm) => asked.some((c) => c.term === term && c.form === 'asked');
  return {
    residency: REGIONS.find((r) => residency?.term === `residency_${r}`) ?? null,
    paymentDays: valued('payment_days'),
    billing: valued('billing'),
    healthData: flag('health_data'),
    securityReview: flag('security_review'),
  };
}

/**
 * The requests carried terms make: as asked, with the customer's earlier words and the library
 * clauses that answer them; settled in wording of its own, with that wording and no clause.
 * Payment days and invoicing are requests only beyond what the library offers (deal-facts).
 */
export function historyRequests(
  carried: CarriedTerm[],
  library: Pick<ContractLibrary, 'modelRequestTopics'>,
): CustomRequest[] {
  return carried
    .filter((c) => c.clause === null && c.term !== 'payment_days' && c.term !== 'billing')
    .map((c) => ({
      topic: c.topic,
      text: c.text,
      source: historySource(c),
      coveredBy:
        c.form === 'asked' && c.term in library.modelRequestTopics
          ? library.modelRequestTopics[c.term as keyof ContractLibrary['modelRequestTopics']].coveredBy
          : [],
      history: c.reason,
    }));
}

/** The selected clauses a carried term is answered by. */
function answering(
  c: CarriedTerm,
  library: Pick<ContractLibrary, 'modelRequestTopics'>,
): (s: SelectedClause) => boolean {
  if (c.term === 'payment_days') return (s) => s.group === 'payment';
  if (c.term === 'billing') return (s) => s.group === 'billing';
  const covered =
    library.modelRequestTopics[c.term as keyof ContractLibrary['modelRequestTopics']]?.coveredBy ?? [];
  return (s) => covered.includes(s.id);
}

const withReason = (s: SelectedClause, reason: string): SelectedClause =>
  s.because.includes(reason) ? s : { ...s, because: [...s.because, reason] };

/**
 * The selected clauses with history applied: a settled form on a library clause takes the place
 * of its group's default (or joins the contract), every clause a carried term put there says why.
 * A settled form never displaces a clause the library's rules chose for this deal's own facts:
 * that is policy, and the note says so.
 */
export function applyHistoryToClauses(
  selected: SelectedClause[],
  carried: CarriedTerm[],
  library: Pick<ContractLibrary, 'clauses' | 'modelRequestTopics'>,
): { clauses: SelectedClause[]; notes: string[] } {
  let clauses = selected;
  const notes: string[] = [];
  for (const c of carried) {
    if (c.clause === null) {
      const answers = answering(c, library);
      clauses = clauses.map((s) => (answers(s) ? withReason(s, c.reason) : s));
      continue;
    }
    const settled = library.clauses.find((x) => x.id === c.clause)!;
    const same = clauses.findIndex((s) => s.id === settled.id);
    if (same >= 0) {
      clauses = clauses.map((s, i) => (i === same ? withReason(s, c.reason) : s));
      continue;
    }
    const inGroup = settled.group ? clauses.findIndex((s) => s.group === settled.group) : -1;
    const current = inGroup >= 0 ? library.clauses.find((x) => x.id === clauses[inGroup]!.id) : undefined;
    if (current && current.when !== true) {
      notes.push(
        `${c.reason}: not pre-included, the library's rule for this deal chose ${current.id} (${current.rule})`,
      );
      continue;
    }
    const entry: SelectedClause = {
      id: settled.id,
      version: settled.version,
      title: settled.title,
      topic: settled.topic,
      mandatory: settled.mandatory,
      group: settled.group ?? null,
      rule: `the form this customer's ${c.topic} request was settled in before (account history)`,
      because: [c.reason],
      body: settled.body,
      nonStandard: false,
      newJurisdiction: settled.newJurisdiction ?? false,
    };
    if (inGroup >= 0) clauses = clauses.map((s, i) => (i === inGroup ? entry : s));
    else {
      // In the library's order, as selection would have placed it.
      const order = (id: string) => library.clauses.findIndex((x) => x.id === id);
      const at = clauses.findIndex((s) => order(s.id) > order(settled.id));
      clauses = at < 0 ? [...clauses, entry] : [...clauses.slice(0, at), entry, ...clauses.slice(at)];
    }
  }
  return { clauses, notes };
}

const TEXT_LIMIT = 300;
const clip = (text: string) => (text.length <= TEXT_LIMIT ? text : `${text.slice(0, TEXT_LIMIT - 1)}…`);

/**
 * What Requested_Terms__c records for this contract: each term the buyer asked for (in the
 * language module's reading), then each term carried from history with its reason.
 */
export function requestedTermsOf(
  terms: RequestedTerms | null,
  carried: CarriedTerm[],
  library: Pick<ContractLibrary, 'modelRequestTopics'>,
): RequestedTerm[] {
  const out: RequestedTerm[] = [];
  const buyer = (term: HistoryTerm, evidence: string, value: number | string | null = null) => {
    const topic = topicOf(term, library);
    out.push({ term, topic, value, text: clip(terms?.evidence[evidence]?.excerpt ?? topic), from: 'buyer' });
  };
  if (terms?.residency) buyer(`residency_${terms.residency}`, 'residency');
  if (terms?.healthData) buyer('health_data', 'healthData');
  if (terms?.securityReview) buyer('security_review', 'securityReview');
  if (terms?.multiYear) buyer('multi_year', 'multiYear');
  if (terms?.paymentDays != null && terms.paymentDays > 30)
    buyer('payment_days', 'paymentDays', terms.paymentDays);
  if (terms?.billing != null && terms.billing !== 'annual') buyer('billing', 'billing', terms.billing);
  for (const n of terms?.nonStandard ?? [])
    if (!out.some((r) => r.term === n.kind))
      out.push({
        term: n.kind,
        topic: topicOf(n.kind, library),
        value: null,
        text: clip(n.text),
        from: 'buyer',
      });
  for (const c of carried) {
    // The settled form the contract carries is what the customer's next contract counts it as.
    const settledAs =
      c.form === 'settled'
        ? {
            ...(c.clause !== null ? { clause: c.clause } : {}),
            ...(c.value !== null ? { value: c.value } : {}),
            ...(c.wording !== null ? { text: c.wording } : {}),
            ...(c.note !== null ? { note: c.note } : {}),
          }
        : undefined;
    out.push({
      term: c.term,
      topic: c.topic,
      value: c.value,
      text: clip(c.text),
      from: 'history',
      reason: c.reason,
      ...(settledAs ? { settledAs } : {}),
    });
  }
  return out;
}
