import assert from 'node:assert/strict';
import type { Envelope, EsignEvent } from '../../ports/esign.ts';
import { corrected, currentSigners, fold, merge, startTracking } from './envelope-tracking.ts';
import { createSqliteRunStore } from '../../adapters/sqlite/sqlite-run-store.ts';
import { storedHourlyBudget, routingOrders, DEFAULT_POLICY } from './routing.ts';
import type { ContactRole } from '../../ports/crm.ts';

const ENV = 'env-1';
const sent: Envelope = {
  envelopeId: ENV,
  provider: 'DocuSign',
  status: 'sent',
  recipients: [
    {
      recipientKey: '003A',
      recipientId: '1',
      name: 'Ann',
      email: 'ann@x.example',
      role: 'Legal',
      routingOrder: 1,
      status: 'sent',
    },
    {
      recipientKey: 'provider-2',
      recipientId: '2',
      name: 'Rep',
      email: 'rep@y.example',
      role: 'Provider',
      routingOrder: 2,
      status: 'created',
    },
  ],
};
let n = 0;
const ev = (kind: EsignEvent['kind'], at: string, recipientId?: string, reason?: string): EsignEvent => ({
  eventId: `e${++n}`,
  envelopeId: ENV,
  kind,
  occurredAt: at,
  ...(recipientId ? { recipientId } : {}),
  ...(reason ? { reason } : {}),
});

describe('envelope tracking', () => {
  it('moves forward only, whatever order and however often events arrive', () => {
    const events = [
      ev('recipient-signed', '2026-03-02T10:05:00Z', '1'),
      ev('recipient-delivered', '2026-03-02T10:01:00Z', '1'),
      ev('envelope-completed', '2026-03-02T10:09:00Z'),
      ev('recipient-signed', '2026-03-02T10:08:00Z', '2'),
    ];
    const inOrder = fold(
      startTracking(sent),
      [...events].sort((a, b) => a.occurredAt.localeCompare(b.occurredAt)),
    );
    const reversed = fold(startTracking(sent), [...events].reverse());
    const piecewise = events.reduce((t, e) => fold(fold(t, [e]), [e]), startTracking(sent));
    for (const t of [inOrder, reversed, piecewise]) {
      assert.equal(t.status, 'completed');
      assert.deepEqual(
        t.recipients.map((r) => r.status),
        ['signed', 'signed'],
      );
      assert.equal(t.recipients[0]!.signedAt, '2026-03-02T10:05:00Z');
      assert.equal(t.completedAt, '2026-03-02T10:09:00Z');
    }
    // A late "sent" for a signed recipient and a "delivered" for a completed envelope change nothing.
    const late = fold(inOrder, [
      ev('recipient-sent', '2026-03-02T10:00:00Z', '1'),
      ev('envelope-delivered', '2026-03-02T10:02:00Z'),
    ]);
    assert.equal(late.status, 'completed');
    assert.equal(late.recipients[0]!.status, 'signed');
  });

  it('hands the envelope to the next routing order once the earlier one signed', () => {
    const t = fold(startTracking(sent), [ev('recipient-signed', '2026-03-02T10:05:00Z', '1')]);
    assert.deepEqual(
      currentSigners(t).map((r) => [r.recipientKey, r.status]),
      [['provider-2', 'sent']],
    );
  });

  it('keeps a decline final and its reason', () => {
    const t = fold(startTracking(sent), [
      ev('recipient-declined', '2026-03-02T10:05:00Z', '1', 'Wrong legal entity'),
      ev('recipient-signed', '2026-03-02T10:06:00Z', '1'),
      ev('envelope-completed', '2026-03-02T10:07:00Z'),
    ]);
    assert.equal(t.status, 'declined');
    assert.equal(t.recipients[0]!.status, 'declined');
    assert.equal(t.recipients[0]!.declineReason, 'Wrong legal entity');
  });

  it('after a corrected address ignores the old address bouncing late, not a new bounce', () => {
    const bounced = fold(startTracking(sent), [ev('recipient-auto-responded', '2026-03-02T10:01:00Z', '1')]);
    assert.equal(bounced.recipients[0]!.status, 'auto_responded');
    const fixed = corrected(bounced, '003A', { email: 'ann.b@x.example' }, '2026-03-02T11:00:00Z');
    assert.equal(fixed.recipients[0]!.status, 'sent');
    const stale = fold(fixed, [ev('recipient-auto-responded', '2026-03-02T10:30:00Z', '1')]);
    assert.equal(stale.recipients[0]!.status, 'sent');
    const again = fold(stale, [ev('recipient-auto-responded', '2026-03-02T11:30:00Z', '1')]);
    assert.equal(again.recipients[0]!.status, 'auto_responded');
    assert.equal(merge(fixed, { ...sent }).recipients[0]!.email, 'ann.b@x.example');
  });

  it('orders signers by contact role: Legal, economic buyer, procurement, provider last', () => {
    const role = (contactId: string, r: string): ContactRole => ({
      id: `00K${contactId}`,
      contactId,
      name: contactId,
      title: null,
      email: null,
      department: null,
      description: null,
      role: r,
      isPrimary: false,
    });
    const roles = [
      role('003P', 'Procurement'),
      role('003E', 'Economic Buyer'),
      role('003L', 'Legal Counsel'),
      role('003O', 'Influencer'),
    ];
    const signers = [
      { contactId: '003P', role: 'Customer' },
      { contactId: null, role: 'Provider' },
      { contactId: '003E', role: 'Customer' },
      { contactId: '003O', role: 'Customer' },
      { contactId: '003L', role: 'Customer' },
    ];
    assert.deepEqual(routingOrders(signers, roles, DEFAULT_POLICY), [3, 5, 2, 4, 1]);
    assert.deepEqual(routingOrders([signers[2]!, signers[1]!], roles, DEFAULT_POLICY), [1, 2]);
  });

  it('spends at most the hourly reconciliation budget, kept in the run store', async () => {
    let now = Date.parse('2026-03-02T10:00:00Z');
    const store = createSqliteRunStore(':memory:');
    const budget = storedHourlyBudget(store, 'signature-reconcile', 2, () => new Date(now));
    assert.deepEqual([await budget.take(), await budget.take(), await budget.take()], [true, true, false]);
    now += 3_600_000;
    assert.equal(await budget.take(), true);
    await store.close();
  });
});
