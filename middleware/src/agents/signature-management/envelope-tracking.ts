/**
 * Folding provider events into what the agent knows of an envelope. Webhooks arrive late,
 * twice, or out of order; a status only ever moves forward, so a replayed "sent" never undoes
 * a "signed", and a second "completed" changes nothing. The one deliberate step back is a
 * corrected address, which the agent applies itself (see `corrected`).
 */
import type { Envelope, EnvelopeRecipient, EsignEvent } from '../../ports/esign.ts';

const RECIPIENT_RANK: Record<EnvelopeRecipient['status'], number> = {
  created: 0,
  sent: 1,
  auto_responded: 2,
  delivered: 3,
  signed: 4,
  completed: 4,
  declined: 5,
};
const ENVELOPE_RANK: Record<Envelope['status'], number> = {
  created: 0,
  sent: 1,
  delivered: 2,
  completed: 3,
  declined: 3,
  voided: 3,
  expired: 3,
};

export interface TrackedEnvelope extends Envelope {
  /** Provider events folded in so far (their ids), so progress can be told from silence. */
  seen: string[];
  lastEventAt: string | null;
  /** When each recipient's address was last corrected; older events about them are stale. */
  correctedAt: Record<string, string>;
}

export function startTracking(envelope: Envelope): TrackedEnvelope {
  const t: TrackedEnvelope = { ...structuredClone(envelope), seen: [], lastEventAt: null, correctedAt: {} };
  promote(t);
  return t;
}

/** Once the earlier routing orders have signed, the next ones have been sent the envelope. */
function promote(t: TrackedEnvelope): void {
  if (t.status !== 'sent' && t.status !== 'delivered') return;
  for (const r of currentSigners(t)) if (r.status === 'created') r.status = 'sent';
}

function recipientOf(t: TrackedEnvelope, e: EsignEvent): EnvelopeRecipient | undefined {
  return t.recipients.find(
    (r) =>
      (e.recipientKey !== undefined && r.recipientKey === e.recipientKey) ||
      (e.recipientId !== undefined && r.recipientId === e.recipientId),
  );
}

function advance(r: EnvelopeRecipient, status: EnvelopeRecipient['status']): void {
  if (RECIPIENT_RANK[status] > RECIPIENT_RANK[r.status]) r.status = status;
}

function advanceEnvelope(t: TrackedEnvelope, status: Envelope['status']): void {
  if (ENVELOPE_RANK[t.status] < 3 && ENVELOPE_RANK[status] > ENVELOPE_RANK[t.status]) t.status = status;
}

/** Applies events about this envelope; returns a new value (the stored one is never mutated). */
export function fold(tracked: TrackedEnvelope, events: EsignEvent[]): TrackedEnvelope {
  const t: TrackedEnvelope = structuredClone(tracked);
  const sorted = events
    .filter((e) => e.envelopeId === t.envelopeId && !t.seen.includes(e.eventId))
    .sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
  for (const e of sorted) {
    t.seen.push(e.eventId);
    if (!t.lastEventAt || e.occurredAt > t.lastEventAt) t.lastEventAt = e.occurredAt;
    const r = recipientOf(t, e);
    if (r && (t.correctedAt[r.recipientKey] ?? '') > e.occurredAt) continue;
    switch (e.kind) {
      case 'envelope-sent':
        advanceEnvelope(t, 'sent');
        t.sentAt ??= e.occurredAt;
        break;
      case 'envelope-delivered':
        advanceEnvelope(t, 'delivered');
        break;
      case 'recipient-sent':
        if (r) advance(r, 'sent');
        break;
      case 'recipient-delivered':
        if (r) advance(r, 'delivered');
        advanceEnvelope(t, 'delivered');
        break;
      case 'recipient-auto-responded':
        if (r) advance(r, 'auto_responded');
        break;
      case 'recipient-signed':
        if (r) {
          advance(r, 'signed');
          r.signedAt ??= e.occurredAt;
        }
        break;
      case 'recipient-declined':
        if (r) {
          advance(r, 'declined');
          if (e.reason) r.declineReason ??= e.reason;
        }
        advanceEnvelope(t, 'declined');
        break;
      case 'envelope-completed':
        advanceEnvelope(t, 'completed');
        if (t.status === 'completed') {
          t.completedAt ??= e.occurredAt;
          for (const x of t.recipients) if (x.status !== 'declined') advance(x, 'signed');
        }
        break;
      case 'envelope-declined':
        advanceEnvelope(t, 'declined');
        break;
      case 'envelope-voided':
        advanceEnvelope(t, 'voided');
        break;
      case 'envelope-expired':
        advanceEnvelope(t, 'expired');
        break;
    }
  }
  promote(t);
  return t;
}

/** Merges a fresh read from the provider, keeping whatever is further along on either side. */
export function merge(tracked: TrackedEnvelope, fresh: Envelope): TrackedEnvelope {
  const t: TrackedEnvelope = structuredClone(tracked);
  advanceEnvelope(t, fresh.status);
  t.sentAt ??= fresh.sentAt;
  if (t.status === 'completed') t.completedAt ??= fresh.completedAt;
  for (const f of fresh.recipients) {
    const r = t.recipients.find((x) => x.recipientKey === f.recipientKey);
    if (!r) continue;
    advance(r, f.status);
    if (f.signedAt) r.signedAt ??= f.signedAt;
    if (f.declineReason) r.declineReason ??= f.declineReason;
    if (!t.correctedAt[r.recipientKey]) r.email = f.email;
    r.recipientId ??= f.recipientId;
  }
  promote(t);
  return t;
}

/** The rep gave a new address: the recipient is sent the envelope again from there. */
export function corrected(
  tracked: TrackedEnvelope,
  recipientKey: string,
  change: { email: string; name?: string | undefined },
  at: string,
): TrackedEnvelope {
  const t: TrackedEnvelope = structuredClone(tracked);
  const r = t.recipients.find((x) => x.recipientKey === recipientKey);
  if (!r) return t;
  r.email = change.email;
  if (change.name) r.name = change.name;
  if (r.status === 'auto_responded' || r.status === 'created' || r.status === 'delivered') r.status = 'sent';
  t.correctedAt[recipientKey] = at;
  return t;
}

/** Recipients whose turn it is: the lowest routing order not yet signed. */
export function currentSigners(t: Envelope): EnvelopeRecipient[] {
  const open = t.recipients.filter((r) => r.status !== 'signed' && r.status !== 'completed');
  if (open.length === 0) return [];
  const order = Math.min(...open.map((r) => r.routingOrder));
  return open.filter((r) => r.routingOrder === order);
}
