import assert from 'node:assert/strict';
import type { ContactRole, LineItem } from '../../ports/crm.ts';
import { contactRole, dealContext, lineItem, signal } from '../../test-support/deal-fixtures.ts';
import { renewalRisk } from './renewal-risk.ts';

const item = lineItem;
const role = contactRole;
const deal = (lineItems: LineItem[], contactRoles: ContactRole[]) =>
  dealContext({ account: null, lineItems, contactRoles });
const strongRoles = [
  role({ role: 'Economic Buyer', isPrimary: true }),
  role({ role: 'Technical Buyer' }),
  role({ role: 'Evaluator' }),
];

describe('renewal risk', () => {
  it('is low for a full-price, well-sponsored, simple deal', () => {
    const r = renewalRisk({
      deal: deal([item({})], strongRoles),
      signals: [],
      customTerms: false,
      signatureMs: 1000,
      peerSignatureMedianMs: 1000,
    });
    assert.deepEqual([r.score, r.level, r.factors], [0, 'Low', []]);
  });

  it('adds each factor with its reason and caps at 100', () => {
    const lines = [
      item({ totalPriceMinor: 70_000, discountPercent: 30 }),
      ...Array.from({ length: 5 }, () =>
        item({
          productName: 'Implementation services',
          family: 'Services',
          quantity: 1,
          unitPriceMinor: 1000,
          totalPriceMinor: 1000,
        }),
      ),
    ];
    const competitor = signal({
      type: 'competitor_mention',
      quote: 'Acme is cheaper',
      source: {
        kind: 'email',
        recordId: '02sDd0000000001AAA',
        occurredAt: '2026-11-01T00:00:00Z',
        label: 'email',
        who: null,
      },
    });
    const r = renewalRisk({
      deal: deal(lines, [role({})]),
      signals: [competitor, competitor, competitor],
      customTerms: true,
      signatureMs: 5000,
      peerSignatureMedianMs: 1000,
    });
    const by = Object.fromEntries(r.factors.map((f) => [f.factor, f.points]));
    assert.equal(by.custom_terms, 10);
    assert.equal(by.signature_cycle, 10);
    assert.equal(by.competitor, 20);
    assert.equal(by.champion, 25);
    assert.equal(by.implementation, 15);
    assert.ok(by.discount_depth! > 0);
    assert.equal(
      r.score,
      Math.min(
        100,
        r.factors.reduce((s, f) => s + f.points, 0),
      ),
    );
    assert.equal(r.level, 'High');
    assert.ok(r.factors.every((f) => f.reason.length > 0));
  });
});
