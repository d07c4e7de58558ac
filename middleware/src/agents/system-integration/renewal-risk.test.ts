import assert from 'node:assert/strict';
import type { ContactRole, DealContext, LineItem } from '../../ports/crm.ts';
import { renewalRisk } from './renewal-risk.ts';

const item = (over: Partial<LineItem>): LineItem => ({
  id: '00kDd0000000001AAA',
  productId: null,
  productName: 'Platform',
  productCode: null,
  family: 'Platform',
  quantity: 10,
  unitPriceMinor: 10_000,
  listPriceMinor: 10_000,
  discountPercent: 0,
  totalPriceMinor: 100_000,
  description: null,
  serviceDate: null,
  ...over,
});
const role = (over: Partial<ContactRole>): ContactRole => ({
  id: '00KDd0000000001AAA',
  contactId: '003Dd0000000001AAA',
  name: 'A',
  title: null,
  email: null,
  department: null,
  description: null,
  role: 'Business User',
  isPrimary: false,
  ...over,
});
const deal = (lineItems: LineItem[], contactRoles: ContactRole[]): DealContext => ({
  opportunity: {
    id: '006Dd0000000001AAA',
    name: 'D',
    stageName: 'Negotiation/Review',
    amountMinor: 100_000,
    currency: 'USD',
    closeDate: null,
    type: null,
    probability: 90,
    description: null,
    nextStep: null,
    isClosed: false,
    isWon: false,
    ownerId: '005Dd0000000001AAA',
    ownerName: null,
    ownerEmail: null,
    pricebookId: null,
  },
  account: null,
  lineItems,
  contactRoles,
  activities: [],
  currencyRates: { USD: 1 },
  corporateCurrency: 'USD',
  approvalRules: [],
  readAt: '2026-11-25T00:00:00Z',
});
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
      ...Array.from({ length: 5 }, (_, i) =>
        item({
          id: `00kDd000000000${i}AAA`,
          productName: 'Implementation services',
          family: 'Services',
          quantity: 1,
          unitPriceMinor: 1000,
          totalPriceMinor: 1000,
        }),
      ),
    ];
    const competitor = {
      type: 'competitor_mention',
      polarity: 0,
      readiness: false,
      quote: 'Acme is cheaper',
      qualifiers: [],
      source: {
        kind: 'email',
        recordId: '02s',
        occurredAt: '2026-11-01T00:00:00Z',
        label: 'email',
        who: null,
      },
      weight: 0,
    };
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
