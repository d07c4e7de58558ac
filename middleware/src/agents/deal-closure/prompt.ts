/**
 * What Gemini is asked when it is configured. The model reads numbered evidence sentences and
 * must cite them; answers whose quotes are not in the evidence are discarded.
 */
import { z } from 'zod';
import type { DealContext } from '../../ports/crm.ts';
import { formatMoney } from '../../domain/money.ts';
import { SIGNAL_TYPES } from './signal-detector.ts';
import type { Signal } from './evidence.ts';

export const SYSTEM_INSTRUCTION = `You assess whether a B2B buyer is ready to close a deal.
Read the deal facts and the numbered evidence. Report only signals you can quote from the evidence,
each with the evidence number and an exact quote copied from that evidence text.
A commitment counts only when the buyer (not the seller) states it, now, without a condition,
hypothetical, question, sarcasm, or past tense. Negated commitments ("not ready to move forward")
are negation signals. Confidence is the probability the deal closes this month (0 to 1).
Decision: "go" when the buyer has committed recently and nothing since takes it back,
"not_ready" when the latest evidence works against closing, otherwise "needs_rep_confirmation".`;

export const ModelAssessmentSchema = z.object({
  signals: z
    .array(
      z.object({
        type: z.enum(SIGNAL_TYPES),
        evidence: z.number().int().min(1),
        quote: z.string().min(3).max(400),
        supportsClosing: z.boolean(),
      }),
    )
    .max(40),
  confidence: z.number().min(0).max(1),
  decision: z.enum(['go', 'needs_rep_confirmation', 'not_ready']),
  rationale: z.string().max(1200),
});
export type ModelAssessment = z.infer<typeof ModelAssessmentSchema>;

export interface EvidenceItem {
  n: number;
  label: string;
  occurredAt: string;
  speaker: string;
  text: string;
  recordId: string;
}

/** Unique evidence sentences, numbered, most recent first. */
export function evidenceItems(signals: Signal[]): EvidenceItem[] {
  const seen = new Map<string, EvidenceItem>();
  for (const s of [...signals].sort((a, b) => b.source.occurredAt.localeCompare(a.source.occurredAt))) {
    const key = `${s.source.recordId}|${s.quote}`;
    if (!seen.has(key)) {
      seen.set(key, {
        n: seen.size + 1,
        label: s.source.label,
        occurredAt: s.source.occurredAt,
        speaker: s.speaker,
        text: s.quote,
        recordId: s.source.recordId,
      });
    }
  }
  return [...seen.values()].slice(0, 80);
}

export function buildPrompt(deal: DealContext, items: EvidenceItem[]): string {
  const o = deal.opportunity;
  const facts = [
    `Opportunity: ${o.name}; stage ${o.stageName}; amount ${o.amountMinor === null ? 'none' : formatMoney(o.amountMinor, o.currency)}; close date ${o.closeDate ?? 'none'}.`,
    `Account: ${deal.account?.name ?? 'none'}; industry ${deal.account?.industry ?? 'unknown'}; employees ${deal.account?.employees ?? 'unknown'}; country ${deal.account?.billingCountry ?? 'unknown'}.`,
    `Contacts: ${deal.contactRoles.map((r) => `${r.name} (${r.title ?? 'no title'}, ${r.role ?? 'no role'}${r.isPrimary ? ', primary' : ''})`).join('; ') || 'none'}.`,
    `Products: ${deal.lineItems.map((l) => `${l.quantity} × ${l.productName} at ${l.discountPercent}% discount`).join('; ') || 'none'}.`,
  ];
  const evidence = items.map(
    (i) => `[${i.n}] ${i.occurredAt.slice(0, 10)} ${i.label} (${i.speaker}): ${i.text}`,
  );
  return `${facts.join('\n')}\n\nEvidence:\n${evidence.join('\n')}`;
}

function normalize(s: string): string {
  return s.toLowerCase().replace(/[“”"]/g, '"').replace(/\s+/g, ' ').trim();
}

/** Keeps only the model's signals whose quotes appear in the cited evidence. */
export function verifiedSignals(
  model: ModelAssessment,
  items: EvidenceItem[],
): { kept: ModelAssessment['signals']; dropped: number } {
  const byN = new Map(items.map((i) => [i.n, i]));
  const kept = model.signals.filter((s) => {
    const item = byN.get(s.evidence);
    return item !== undefined && normalize(item.text).includes(normalize(s.quote));
  });
  return { kept, dropped: model.signals.length - kept.length };
}
