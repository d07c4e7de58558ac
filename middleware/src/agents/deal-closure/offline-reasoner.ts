/**
 * The offline reasoner: the language module reads all of the deal's words (activities, the
 * closure's transcript and note, the opportunity's description and next step), and the assessment
 * is drawn from that reading and the deal's data. Pure CPU work on plain data, so a worker thread
 * can run it (the worker pool in adapters/workers) and keep the event loop for requests, webhooks
 * and Salesforce calls; `reasonOfflineNow` runs it here.
 */
import type { DealContext } from '../../ports/crm.ts';
import type { DealReading, LanguagePort } from '../../ports/language.ts';
import { assess, type Assessment } from './assessment.ts';
import { dealTexts, sellerNames, type LabelledText, type TextOrigin } from './deal-texts.ts';

export interface OfflineReasoningInput {
  deal: DealContext;
  transcript: string | null;
  note: string | null;
  now: Date;
  repDiscountAuthorityPercent: number;
  trigger: 'Rep' | 'Signal';
}

export interface OfflineReasoning {
  /** The module's reading without its per-passage detail (which stays in the thread). */
  reading: Omit<DealReading, 'passages'>;
  assessment: Assessment;
}

export type OfflineReasoner = (input: OfflineReasoningInput) => Promise<OfflineReasoning>;

export function originsOf(texts: LabelledText[]): (recordId: string, source: string) => TextOrigin {
  const byKey = new Map(texts.map((t) => [`${t.recordId}|${t.source}`, t.origin]));
  return (recordId, source) =>
    byKey.get(`${recordId}|${source}`) ?? { kind: 'note', label: `${source} ${recordId}`, who: null };
}

export function reasonOfflineNow(input: OfflineReasoningInput, language: LanguagePort): OfflineReasoning {
  const texts = dealTexts(input.deal, input.transcript, input.note, input.now);
  const { passages: _passages, ...reading } = language.read(
    texts.map(({ origin: _origin, ...t }) => t),
    { sellerNames: sellerNames(input.deal) },
  );
  const assessment = assess(input.deal, reading, originsOf(texts), {
    now: input.now,
    repDiscountAuthorityPercent: input.repDiscountAuthorityPercent,
    trigger: input.trigger,
  });
  return { reading, assessment };
}
