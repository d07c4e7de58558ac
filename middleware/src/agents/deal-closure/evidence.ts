/**
 * Turns a deal's activity into attributed sentences: who said it (buyer or seller), where it is
 * recorded (call note, email, transcript, rep note), when, and with which record id, so every
 * signal can cite its evidence.
 */
import type { DealContext } from '../../ports/crm.ts';
import {
  detectSentence,
  speakerOfLine,
  splitSentences,
  type SentenceSignal,
  type Speaker,
} from './signal-detector.ts';

export interface EvidenceSource {
  kind: 'task' | 'email' | 'transcript' | 'note';
  /** Salesforce record id, or `transcript` / `note` for text supplied with the request. */
  recordId: string;
  occurredAt: string;
  label: string;
  /** The person speaking, when known. */
  who: string | null;
}

export interface Signal extends SentenceSignal {
  source: EvidenceSource;
  speaker: Speaker;
}

const DECISION_TITLES =
  /\b(cfo|ceo|coo|cio|cto|ciso|chief|vp|vice president|head of|managing director|general manager|owner|president)\b/i;

export function extractSignals(
  deal: DealContext,
  transcript: string | null,
  note: string | null,
  now: Date,
): Signal[] {
  const sellerNames = [deal.opportunity.ownerName ?? ''].filter((n) => n.length > 0);
  const signals: Signal[] = [];
  const add = (text: string, speaker: Speaker, source: EvidenceSource) => {
    for (const sentence of splitSentences(text)) {
      for (const s of detectSentence(sentence, speaker)) signals.push({ ...s, source, speaker });
    }
  };
  for (const a of deal.activities) {
    const text = [a.subject, a.body].filter((t): t is string => Boolean(t)).join('. ');
    if (!text) continue;
    if (a.kind === 'email') {
      add(a.body ?? a.subject ?? '', a.direction === 'outbound' ? 'seller' : 'buyer', {
        kind: 'email',
        recordId: a.id,
        occurredAt: a.occurredAt,
        label:
          `${a.direction === 'outbound' ? 'email to customer' : 'email from'} ${a.from ?? ''}`.trim() +
          (a.subject ? `: ${a.subject}` : ''),
        who: a.from,
      });
      continue;
    }
    const contact = deal.contactRoles.find((r) => r.contactId === a.contactId);
    const source: EvidenceSource = {
      kind: 'task',
      recordId: a.id,
      occurredAt: a.occurredAt,
      label: `${a.type ?? 'activity'}: ${a.subject ?? ''}`.trim(),
      who: contact?.name ?? null,
    };
    // Rep notes report what the buyer said; direct quotes in them are the buyer's own words.
    const body = a.body ?? '';
    const quotes = [...body.matchAll(/["“]([^"”]{8,})["”]/g)].map((m) => m[1]!);
    for (const q of quotes) add(q, 'buyer', source);
    const withoutQuotes = body.replace(/["“][^"”]{8,}["”]/g, ' ').trim();
    // The subject is the rep's own to-do ("Send contract package"), not something the buyer did.
    if (a.subject) add(a.subject, 'seller', source);
    add(withoutQuotes, 'unknown', source);
    if (contact?.title && DECISION_TITLES.test(contact.title) && /call|meeting/i.test(a.type ?? '')) {
      signals.push({
        type: 'decision_maker_present',
        quote: `${contact.name} (${contact.title}) on the ${String(a.type).toLowerCase()} "${a.subject ?? ''}"`,
        qualifiers: ['from the activity contact'],
        polarity: 1,
        readiness: false,
        source,
        speaker: 'buyer',
      });
    }
  }
  if (transcript) {
    const source: EvidenceSource = {
      kind: 'transcript',
      recordId: 'transcript',
      occurredAt: now.toISOString(),
      label: 'call transcript supplied with the closure',
      who: null,
    };
    for (const line of transcript.split(/\n+/)) {
      const { speaker, text, title } = speakerOfLine(line, sellerNames);
      add(text, speaker, { ...source, who: title });
      if (speaker === 'buyer' && title && DECISION_TITLES.test(title)) {
        signals.push({
          type: 'decision_maker_present',
          quote: line.trim().slice(0, 200),
          qualifiers: ['speaker title'],
          polarity: 1,
          readiness: false,
          source,
          speaker,
        });
      }
    }
  }
  if (note)
    add(note, 'unknown', {
      kind: 'note',
      recordId: 'note',
      occurredAt: now.toISOString(),
      label: "rep's note with the closure",
      who: deal.opportunity.ownerName,
    });
  return signals;
}
