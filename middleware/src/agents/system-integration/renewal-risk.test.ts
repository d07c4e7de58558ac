import assert from 'node:assert/strict';
import type { ContactRole, LineItem } from '../../ports/crm.ts';
import type { RequestedTerms } from '../../ports/language.ts';
import { activity, contactRole, dealContext, lineItem, signal } from '../../test-support/deal-fixtures.ts';
import { describeRisk, renewalRisk } from './renewal-risk.ts';

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

describe("renewal risk from the conversation's evidence", () => {
  const roles = [
    role({
      role: 'Economic Buyer',
      isPrimary: true,
      contactId: '003Dd0000000301AAA',
      email: 'eva@c.example',
    }),
    role({ role: 'Technical Buyer' }),
    role({ role: 'Evaluator' }),
  ];
  const said = (type: string, quote: string, recordId: string, at: string, start = 0) =>
    signal({
      type,
      quote,
      source: { kind: 'email', recordId, occurredAt: at, label: 'email from eva@c.example', who: null },
      span: { field: 'email', start, end: start + quote.length },
    });
  const span = (recordId: string, start: number, end: number) => ({
    recordId,
    source: 'email' as const,
    start,
    end,
    occurredAt: '2026-11-05T00:00:00Z',
  });
  const terms: RequestedTerms = {
    billing: null,
    residency: null,
    healthData: false,
    securityReview: true,
    multiYear: false,
    termMonths: null,
    paymentDays: 90,
    nonStandard: [
      {
        kind: 'mfn_pricing',
        text: 'We expect your best price for any customer.',
        span: span('02sDd0000000302AAA', 0, 43),
      },
    ],
    evidence: {
      paymentDays: {
        span: span('02sDd0000000303AAA', 10, 40),
        excerpt: 'We pay all vendors at 90 days.',
        probability: 0.9,
      },
      securityReview: {
        span: span('02sDd0000000304AAA', 0, 20),
        excerpt: 'Pen test results due',
        probability: 0.8,
      },
    },
  };
  const input = (over: Partial<Parameters<typeof renewalRisk>[0]> = {}) => ({
    deal: dealContext({ account: null, lineItems: [item({})], contactRoles: roles }),
    signals: [],
    customTerms: false,
    signatureMs: null,
    peerSignatureMedianMs: null,
    ...over,
  });

  it('adds objections, price sensitivity, security and competitors, each citing its record, quote and span', () => {
    const r = renewalRisk(
      input({
        signals: [
          said('objection', 'Too expensive for year two.', '02sDd0000000305AAA', '2026-10-01T00:00:00Z', 12),
          said('hesitation', 'Not sure the board will agree.', '02sDd0000000306AAA', '2026-11-01T00:00:00Z'),
          said('security_concern', 'We need SOC 2.', '02sDd0000000307AAA', '2026-11-02T00:00:00Z'),
          said(
            'competitor_mention',
            'Northbeam offered 30% off.',
            '02sDd0000000308AAA',
            '2026-11-03T00:00:00Z',
          ),
        ],
        terms,
        competitors: ['Northbeam'],
      }),
    );
    const by = Object.fromEntries(r.factors.map((f) => [f.factor, f]));
    assert.deepEqual(
      r.factors.map((f) => [f.factor, f.points]),
      [
        ['competitor', 8],
        ['objection', 10],
        ['price_sensitivity', 10],
        ['security', 8],
      ],
    );
    assert.match(
      by.objection!.reason,
      /^2 objection\(s\) or hesitation\(s\) during the sale, latest "Not sure the board/,
    );
    assert.deepEqual(by.objection!.evidence[1], {
      source: 'EmailMessage 02sDd0000000305AAA',
      text: 'Too expensive for year two.',
      span: { field: 'email', start: 12, end: 39 },
      occurredAt: '2026-10-01T00:00:00Z',
    });
    assert.match(by.competitor!.reason, /^Northbeam came up 1 time\(s\)/);
    assert.match(by.price_sensitivity!.reason, /net 90 payment and most-favoured-customer pricing/);
    assert.deepEqual(
      by.price_sensitivity!.evidence.map((e) => e.source),
      ['EmailMessage 02sDd0000000303AAA', 'EmailMessage 02sDd0000000302AAA'],
    );
    assert.match(by.security!.reason, /^2 security concern\(s\) and a security review raised/);
    assert.equal(r.score, 36);
    assert.match(
      describeRisk(r, 'Rollout'),
      /\n {2}- EmailMessage 02sDd0000000305AAA \(email 12–39\) 2026-10-01: "Too expensive/,
    );
  });

  it('names people in the conversation who are not contact roles, and not the seller or those on record', () => {
    const email = (
      id: string,
      from: string,
      direction: 'inbound' | 'outbound',
      contactId: string | null = null,
    ) => activity({ id, kind: 'email', from, direction, contactId, occurredAt: '2026-11-10T00:00:00Z' });
    const deal = dealContext({
      account: null,
      contactRoles: roles,
      activities: [
        email('02sDd0000000311AAA', 'new.cfo@c.example', 'inbound'),
        email('02sDd0000000312AAA', 'EVA@c.example', 'inbound'),
        email('02sDd0000000313AAA', 'rep@seller.example', 'outbound'),
        email('02sDd0000000314AAA', 'x@c.example', 'inbound', '003Dd0000000301AAA'),
      ],
    });
    const change = renewalRisk(input({ deal })).factors.find((f) => f.factor === 'stakeholder_change')!;
    assert.equal(change.points, 5);
    assert.match(
      change.reason,
      /^new\.cfo@c\.example \(email 2026-11-10\) took part in the sale but is not among/,
    );
    assert.deepEqual(
      change.evidence.map((e) => e.source),
      ['EmailMessage 02sDd0000000311AAA'],
    );
  });

  it('asks nothing of the conversation when there is none: a plain deal stays at zero', () => {
    assert.deepEqual(
      renewalRisk(input({ terms: { ...terms, paymentDays: 30, nonStandard: [], securityReview: false } }))
        .factors,
      [],
    );
    assert.equal(describeRisk(renewalRisk(input()), 'Rollout'), 'No renewal risk factor found in Rollout.');
  });
});
