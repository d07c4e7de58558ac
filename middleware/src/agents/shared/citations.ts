/**
 * Where words the language module read came from, named the way Salesforce names the record: an
 * email is an EmailMessage, a logged call or meeting a Task, the opportunity's description and
 * next step the Opportunity, the rep's notes on a person the Contact (its Description), and the
 * closure's transcript and note the Deal_Closure__c that stores them (Transcript__c, Note__c). Handoff packages and renewal-risk factors cite the same
 * way, so a reader can open the record and find the quote at its offsets.
 */
import type { Evidence, TextSource } from '../../ports/language.ts';
import type { AssessedSignal } from '../deal-closure/assessment.ts';

export interface Citation {
  /** `<SObject> <id>` of the record the quote is in. */
  source: string;
  /** The words as written, verbatim. */
  quote: string;
  /**
   * Character offsets into the text the module read (end exclusive); `field` is its source
   * (`email`: subject and body as one text, `task`, `transcript`, `note`, `description`, `next_step`).
   */
  span?: { field: string; start: number; end: number };
  /** When the words were written or said (ISO). */
  occurredAt: string;
  /** The record as a rep recognises it ("email from eva@…: Pricing", "Call: kickoff"). */
  label?: string;
}

const OBJECT_OF: Record<TextSource, string> = {
  email: 'EmailMessage',
  task: 'Task',
  description: 'Opportunity',
  next_step: 'Opportunity',
  transcript: 'Deal_Closure__c',
  note: 'Deal_Closure__c',
};

/** The record a text of the given source is stored on. */
export function recordOf(field: string, recordId: string, closureRecordId: string | null): string {
  // The rep's notes on a person are the Contact's description, not the closure's note.
  if (field === 'note' && recordId.startsWith('003')) return `Contact ${recordId}`;
  const object = OBJECT_OF[field as TextSource] as string | undefined;
  if (object === 'Deal_Closure__c')
    // Before Salesforce created the closure record the text only exists in the run.
    return closureRecordId ? `Deal_Closure__c ${closureRecordId}` : `${field} ${recordId}`;
  return object ? `${object} ${recordId}` : `${field} ${recordId}`;
}

/** A signal or handoff fact Deal Closure handed on, as a citation. */
export function citeSignal(s: AssessedSignal, closureRecordId: string | null): Citation {
  // Signals stored before spans were kept name only the kind of text they came from.
  const field = s.span?.field ?? s.source.kind;
  return {
    source: recordOf(field, s.source.recordId, closureRecordId),
    quote: s.quote,
    ...(s.span ? { span: { field: s.span.field, start: s.span.start, end: s.span.end } } : {}),
    occurredAt: s.source.occurredAt,
    label: s.source.label,
  };
}

/** Evidence of a requested term (RequestedTerms.evidence, nonStandard), as a citation. */
export function citeEvidence(
  e: Pick<Evidence, 'span'> & { excerpt: string },
  closureRecordId: string | null,
  /** The record's label, when a signal from the same record named it. */
  labelOf?: (recordId: string, field: string) => string | undefined,
): Citation {
  const label = labelOf?.(e.span.recordId, e.span.source);
  return {
    source: recordOf(e.span.source, e.span.recordId, closureRecordId),
    quote: e.excerpt,
    span: { field: e.span.source, start: e.span.start, end: e.span.end },
    occurredAt: e.span.occurredAt,
    ...(label ? { label } : {}),
  };
}

/** Record labels as the signals of a deal carry them, for evidence that comes without one. */
export function labelsFrom(
  signals: AssessedSignal[],
): (recordId: string, field: string) => string | undefined {
  const labels = new Map(
    signals.map((s) => [`${s.source.recordId}|${s.span?.field ?? s.source.kind}`, s.source.label]),
  );
  return (recordId, field) => labels.get(`${recordId}|${field}`);
}

/** Two citations of the same words in the same record (a sentence that states several things). */
export function sameWords(a: Citation, b: Citation): boolean {
  return a.source === b.source && (a.span && b.span ? a.span.start === b.span.start : a.quote === b.quote);
}

/** The day the words were written; the opportunity's description and next step carry none (epoch). */
export function dayOf(c: Pick<Citation, 'occurredAt'>): string | null {
  return c.occurredAt.startsWith('1970-01-01') ? null : c.occurredAt.slice(0, 10);
}

/** `"quote" (Call: kickoff, 2026-11-20)`: a quote with where and when, for texts people read. */
export function quoted(c: Citation, max = 200): string {
  const words = c.quote.length > max ? `${c.quote.slice(0, max - 1)}…` : c.quote;
  const day = dayOf(c);
  return `"${words}" (${c.label ?? c.source}${day ? `, ${day}` : ''})`;
}
