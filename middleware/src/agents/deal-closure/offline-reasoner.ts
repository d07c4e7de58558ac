/**
 * The offline reasoner: the closing signals in the deal's activity, transcript and note, and the
 * assessment drawn from them. Pure CPU work on plain data, so a worker thread can run it (the
 * worker pool in adapters/workers) and keep the event loop for requests, webhooks and Salesforce
 * calls; `reasonOfflineNow` runs it here.
 */
import type { DealContext } from '../../ports/crm.ts';
import { assess, type Assessment } from './assessment.ts';
import { extractSignals, type Signal } from './evidence.ts';

export interface OfflineReasoningInput {
  deal: DealContext;
  transcript: string | null;
  note: string | null;
  now: Date;
  repDiscountAuthorityPercent: number;
  trigger: 'Rep' | 'Signal';
}

export interface OfflineReasoning {
  signals: Signal[];
  assessment: Assessment;
}

export type OfflineReasoner = (input: OfflineReasoningInput) => Promise<OfflineReasoning>;

export function reasonOfflineNow(input: OfflineReasoningInput): OfflineReasoning {
  const signals = extractSignals(input.deal, input.transcript, input.note, input.now);
  const assessment = assess(input.deal, signals, {
    now: input.now,
    repDiscountAuthorityPercent: input.repDiscountAuthorityPercent,
    trigger: input.trigger,
  });
  return { signals, assessment };
}
