/**
 * What the model predicts for a passage, one logistic head each, and how a labelled corpus line
 * becomes the heads' targets.
 */
import { HANDOFF_FACTS, NON_STANDARD_REQUESTS, SIGNALS } from '../ports/language.ts';
import type { CorpusLine } from './corpus.ts';

export const HEADS = [
  'ready',
  ...SIGNALS,
  // Whether a payment term, an invoicing frequency or a hosting region is asked for; which one is
  // the candidate models' call.
  'payment_terms',
  'billing',
  'residency',
  'health_data',
  'security_review',
  'multi_year',
  ...NON_STANDARD_REQUESTS.map((n) => `ns_${n}` as const),
  // Labelled in a second pass (test/fixtures/language/handoff): NaN where a passage has none.
  ...HANDOFF_FACTS,
] as const;
export type Head = (typeof HEADS)[number];

export const HEAD_INDEX = new Map<string, number>(HEADS.map((h, i) => [h, i]));

export function headIndex(h: Head): number {
  return HEAD_INDEX.get(h)!;
}

export function targets(line: CorpusLine, handoff?: readonly string[]): Float32Array {
  const y = new Float32Array(HEADS.length);
  const set = (h: string, v: boolean) => {
    y[HEAD_INDEX.get(h)!] = v ? 1 : 0;
  };
  set('ready', line.ready);
  for (const s of SIGNALS) set(s, line.signals.includes(s));
  const t = line.terms;
  set('payment_terms', t.payment_days !== null);
  set('billing', t.billing !== null);
  set('residency', t.residency !== null);
  set('health_data', t.health_data);
  set('security_review', t.security_review);
  set('multi_year', t.multi_year);
  for (const n of NON_STANDARD_REQUESTS) set(`ns_${n}`, t.non_standard.includes(n));
  for (const f of HANDOFF_FACTS)
    if (handoff) set(f, handoff.includes(f));
    else y[HEAD_INDEX.get(f)!] = Number.NaN;
  return y;
}
