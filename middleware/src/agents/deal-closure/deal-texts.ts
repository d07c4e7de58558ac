/**
 * A deal's words as the language module reads them: every activity (logged calls and meetings,
 * emails in both directions with their quoted threads), the transcript and note that came with
 * the closure, the opportunity's description and next step, and the rep's notes on each contact, each with its record id, time
 * and a label a rep recognises.
 */
import type { Activity, ContactRole, DealContext } from '../../ports/crm.ts';
import type { DealText } from '../../ports/language.ts';

export interface TextOrigin {
  kind: 'task' | 'email' | 'transcript' | 'note';
  label: string;
  who: string | null;
}

export interface LabelledText extends DealText {
  origin: TextOrigin;
}

export function dealTexts(
  deal: DealContext,
  transcript: string | null,
  note: string | null,
  now: Date,
): LabelledText[] {
  const texts = recordFieldTexts(deal);
  for (const a of deal.activities) {
    const text = a.kind === 'email' ? emailText(a) : taskText(a, deal.contactRoles);
    if (text) texts.push(text);
  }
  texts.push(...closureTexts(transcript, note, now, deal.opportunity.ownerName));
  return texts;
}

/** The opportunity's description and next step, and the rep's notes on each contact. */
function recordFieldTexts(deal: DealContext): LabelledText[] {
  const texts: LabelledText[] = [];
  const opp = deal.opportunity;
  // The description and next step are as old as the last edit we know of: older than any activity.
  const fieldTime = new Date(0).toISOString();
  if (opp.description?.trim())
    texts.push({
      recordId: opp.id,
      source: 'description',
      text: opp.description,
      occurredAt: fieldTime,
      direction: null,
      origin: { kind: 'note', label: 'Opportunity description', who: opp.ownerName },
    });
  if (opp.nextStep?.trim())
    texts.push({
      recordId: opp.id,
      source: 'next_step',
      text: opp.nextStep,
      occurredAt: fieldTime,
      direction: null,
      origin: { kind: 'note', label: 'Opportunity next step', who: opp.ownerName },
    });
  // What the rep wrote down about each person (a contact's description): often their goals and
  // figures ("MTTR below 3 h"), which no activity repeats.
  for (const r of deal.contactRoles)
    if (r.description?.trim())
      texts.push({
        recordId: r.contactId,
        source: 'note',
        text: r.description,
        occurredAt: fieldTime,
        direction: null,
        origin: {
          kind: 'note',
          label: `notes on ${r.name}${r.title ? ` (${r.title})` : ''}`,
          who: opp.ownerName,
        },
      });
  return texts;
}

function emailText(a: Activity): LabelledText | null {
  const body = [a.subject, a.body].filter((t): t is string => Boolean(t?.trim())).join('\n\n');
  if (!body) return null;
  return {
    recordId: a.id,
    source: 'email',
    text: body,
    occurredAt: a.occurredAt,
    direction: a.direction ?? 'inbound',
    origin: {
      kind: 'email',
      label:
        `${a.direction === 'outbound' ? 'email to customer' : 'email from'} ${a.from ?? ''}`.trim() +
        (a.subject ? `: ${a.subject}` : ''),
      who: a.from,
    },
  };
}

function taskText(a: Activity, contactRoles: ContactRole[]): LabelledText | null {
  const text = [a.subject ? `${a.type ?? 'Task'}: ${a.subject}` : null, a.body]
    .filter((t): t is string => Boolean(t?.trim()))
    .join('\n\n');
  if (!text) return null;
  const contact = contactRoles.find((r) => r.contactId === a.contactId);
  return {
    recordId: a.id,
    source: 'task',
    text,
    occurredAt: a.occurredAt,
    direction: null,
    origin: {
      kind: 'task',
      label: `${a.type ?? 'activity'}: ${a.subject ?? ''}`.trim(),
      who: contact ? `${contact.name}${contact.title ? ` (${contact.title})` : ''}` : null,
    },
  };
}

/** The transcript and note that came with the closure request: written now. */
function closureTexts(
  transcript: string | null,
  note: string | null,
  now: Date,
  ownerName: string | null,
): LabelledText[] {
  const texts: LabelledText[] = [];
  const at = now.toISOString();
  if (transcript?.trim())
    texts.push({
      recordId: 'transcript',
      source: 'transcript',
      text: transcript,
      occurredAt: at,
      direction: null,
      origin: { kind: 'transcript', label: 'call transcript supplied with the closure', who: null },
    });
  if (note?.trim())
    texts.push({
      recordId: 'note',
      source: 'note',
      text: note,
      occurredAt: at,
      direction: null,
      origin: { kind: 'note', label: "rep's note with the closure", who: ownerName },
    });
  return texts;
}

/** The seller's people whose transcript turns are the seller's voice: the deal's owner. */
export function sellerNames(deal: DealContext): string[] {
  return [deal.opportunity.ownerName ?? ''].filter((n) => n.trim().length > 1);
}
