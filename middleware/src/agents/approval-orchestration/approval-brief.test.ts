import assert from 'node:assert/strict';
import type { ApprovalHistoryEntry } from '../../ports/approvals.ts';
import type { RequestedTerms, Span } from '../../ports/language.ts';
import { activity, contractOutput, dealContext, lineItem } from '../../test-support/deal-fixtures.ts';
import { sharedSentences } from '@dealdesk/test-kit/shared-sentences';
import { approverBrief, briefText, briefWithSources, type BriefFacts } from './approval-brief.ts';
import type { ApprovalState, Role } from './approval-state.ts';
import { paymentTerms } from './brief-commercial.ts';
import { nonStandardClauses } from '../contract-generation/selection.ts';

const span = (recordId: string, source: Span['source']): Span => ({
  recordId,
  source,
  start: 0,
  end: 40,
  occurredAt: '2026-11-10T10:00:00Z',
});

/** A EUR deal with a deep discount, net 45 quarterly, a source-code escrow request and security asks. */
function hollweg(): BriefFacts {
  const terms: RequestedTerms = {
    paymentDays: 45,
    billing: 'quarterly',
    residency: 'EU',
    healthData: false,
    securityReview: true,
    multiYear: false,
    termMonths: null,
    nonStandard: [
      {
        kind: 'source_code_escrow',
        text: 'We need the source code in escrow with NCC.',
        span: span('00TDd0000000104AAA', 'task'),
      },
    ],
    evidence: {
      paymentDays: {
        span: span('02sDd0000000102AAA', 'email'),
        excerpt: 'We sign if payment is net 45, invoiced quarterly.',
        probability: 0.9,
      },
      billing: {
        span: span('02sDd0000000102AAA', 'email'),
        excerpt: 'We sign if payment is net 45, invoiced quarterly.',
        probability: 0.8,
      },
      residency: {
        span: span('02sDd0000000103AAA', 'email'),
        excerpt: 'All data must stay in Frankfurt.',
        probability: 0.9,
      },
      securityReview: {
        span: span('00TDd0000000105AAA', 'task'),
        excerpt: 'Our CISO wants the pen test summary.',
        probability: 0.9,
      },
    },
  };
  const escrowText =
    'Requested by Customer (source code escrow; Call: escrow with NCC): "We need the source code in escrow with NCC."\n\nNo library clause covers this request.';
  const clause = (id: string, rule: string, because: string[] = [], nonStandard = false) => ({
    id,
    version: 1,
    rule,
    because,
    nonStandard,
  });
  return {
    deal: dealContext({
      opportunity: {
        id: '006Dd0000000101AAA',
        name: 'Hollweg MES rollout',
        currency: 'EUR',
        closeDate: '2026-12-18',
      },
      account: { name: 'Hollweg Maschinenbau GmbH' },
      lineItems: [
        lineItem({
          id: '00kDd0000000101AAA',
          productName: 'MES Platform',
          quantity: 200,
          unitPriceMinor: 1_000_00,
          listPriceMinor: 1_000_00,
          discountPercent: 15,
          totalPriceMinor: 170_000_00,
        }),
        lineItem({
          id: '00kDd0000000102AAA',
          productName: 'Implementation days',
          quantity: 40,
          unitPriceMinor: 1_200_00,
          listPriceMinor: 1_200_00,
          discountPercent: 0,
          totalPriceMinor: 48_000_00,
        }),
      ],
      currencyRates: { USD: 1, EUR: 0.92 },
      activities: [
        activity({ id: '00TDd0000000104AAA' }),
        activity({ id: '02sDd0000000102AAA', kind: 'email' }),
      ],
    }),
    contract: contractOutput({
      version: 2,
      templateTitle: 'Master Subscription Agreement',
      totalMinor: 218_000_00,
      currency: 'EUR',
      riskLevel: 'High',
      riskFactors: [
        '1 non-standard clause requested by the customer',
        'discount of 15% is beyond the 10% authority',
      ],
      riskDetails: [
        {
          factor: 'non_standard_clauses',
          points: 2,
          detail: '1 non-standard clause requested by the customer',
        },
        {
          factor: 'discount_beyond_authority',
          points: 1,
          detail: 'discount of 15% is beyond the 10% authority',
        },
        {
          factor: 'legal_topics',
          points: 1,
          detail: 'legal topics (redlines, DPA or BAA, liability, indemnities) came up during the sale',
        },
      ],
      changes: ['payment terms: net 30 days → net 45 days'],
      clauses: [
        clause('liability-cap', 'standard cap: the fees payable in the first twelve months'),
        clause('data-protection-eu', 'EU data residency requested: GDPR processing terms', ['region = "EU"']),
        clause('security-annex', 'security topics came up during the sale', ['securityConcern = true']),
        clause('payment-net-45', 'the customer asked for payment terms of 31 to 45 days: net 45', [
          'requestedPaymentDays = 45',
        ]),
        clause('billing-quarterly', 'a subscription whose customer asked for quarterly invoicing', [
          'billingFrequency = "quarterly"',
        ]),
        clause('governing-law-germany', 'billing country Germany: German law, courts of Frankfurt am Main', [
          'billingCountry = "Germany"',
        ]),
        clause(
          'non-standard-1',
          'source code escrow: requested by the customer (Call: escrow with NCC); no library clause answers it, so Legal must approve it',
          ['customTermsRequested = true'],
          true,
        ),
      ],
      snapshot: {
        ...contractOutput().snapshot,
        payment: 'net 45 days, invoiced quarterly',
        clauses: [
          { id: 'security-annex', version: 1, title: 'Security review and audit', text: '…' },
          { id: 'data-protection-eu', version: 1, title: 'Data protection and EU data residency', text: '…' },
          { id: 'non-standard-1', version: 0, title: 'Special terms (source code escrow)', text: escrowText },
        ],
      },
    }),
    signals: [
      {
        type: 'security_concern',
        quote: 'Our CISO wants the pen test summary before signature.',
        source: { label: 'Call: security review', recordId: '00TDd0000000105AAA' },
      },
      {
        type: 'explicit_commitment',
        quote: 'Send the paperwork.',
        source: { label: 'Call: go', recordId: '00TDd0000000106AAA' },
      },
      {
        type: 'security_concern',
        quote: 'Our CISO wants the pen test summary before signature.',
        source: { label: 'Call: security review', recordId: '00TDd0000000105AAA' },
      },
    ],
    terms,
    history: HISTORY,
    repDiscountAuthorityPercent: 10,
  };
}

/** A USD deal at list price on standard terms, with nothing for Legal or InfoSec. */
function clearwater(): BriefFacts {
  return {
    deal: dealContext({
      opportunity: {
        id: '006Dd0000000201AAA',
        name: 'Clearwater clinic scheduling',
        currency: 'USD',
        closeDate: '2026-12-30',
      },
      account: { name: 'Clearwater Health' },
      lineItems: [
        lineItem({
          id: '00kDd0000000201AAA',
          productName: 'Scheduling Suite',
          quantity: 50,
          unitPriceMinor: 1_500_00,
          listPriceMinor: 1_500_00,
          discountPercent: 0,
          totalPriceMinor: 75_000_00,
        }),
        lineItem({
          id: '00kDd0000000202AAA',
          productName: 'Premium Support',
          quantity: 1,
          unitPriceMinor: 9_000_00,
          listPriceMinor: 9_000_00,
          discountPercent: 0,
          totalPriceMinor: 9_000_00,
        }),
      ],
      activities: [
        activity({ id: '00TDd0000000201AAA' }),
        activity({ id: '00TDd0000000202AAA' }),
        activity({ id: '00TDd0000000203AAA' }),
      ],
    }),
    contract: contractOutput({
      template: 'ORDER_FORM',
      templateTitle: 'Order Form',
      totalMinor: 84_000_00,
      currency: 'USD',
      clauses: [
        {
          id: 'liability-cap',
          version: 2,
          rule: 'standard cap: the fees payable in the first twelve months',
          because: [],
          nonStandard: false,
        },
        {
          id: 'encryption',
          version: 1,
          rule: 'every contract: the encryption standard Provider commits to',
          because: [],
          nonStandard: false,
        },
        {
          id: 'payment-net-30',
          version: 1,
          rule: 'standard payment terms: net 30 days',
          because: [],
          nonStandard: false,
        },
        {
          id: 'governing-law-us',
          version: 1,
          rule: "billing country United States: Provider's home law",
          because: [],
          nonStandard: false,
        },
      ],
      snapshot: {
        ...contractOutput().snapshot,
        payment: 'net 30 days, invoiced annually',
        clauses: [{ id: 'encryption', version: 1, title: 'Encryption standard', text: '…' }],
      },
    }),
    signals: [
      {
        type: 'budget_confirmed',
        quote: 'Budget is approved.',
        source: { label: 'Call: budget', recordId: '00TDd0000000202AAA' },
      },
    ],
    terms: null,
    history: HISTORY,
    repDiscountAuthorityPercent: 10,
  };
}

const past = (
  n: number,
  role: Role,
  status: 'Approved' | 'Rejected',
  hours: number,
  amountMinor: number,
  over: Partial<ApprovalHistoryEntry> = {},
): ApprovalHistoryEntry => ({
  approvalId: `a0BDd00000000${String(n).padStart(2, '0')}AAA`,
  role,
  approverId: '005Dd0000000011AAA',
  status,
  submittedAt: '2026-06-01T10:00:00.000Z',
  decidedAt: new Date(Date.parse('2026-06-01T10:00:00.000Z') + hours * 3_600_000).toISOString(),
  reason: null,
  comments: null,
  opportunityId: `006Dd00000000${String(n).padStart(2, '0')}AAA`,
  opportunityName: `Past deal ${n}`,
  amountMinor,
  currency: 'USD',
  ...over,
});

const HISTORY: ApprovalHistoryEntry[] = [
  past(1, 'Finance', 'Approved', 6, 200_000_00),
  past(2, 'Finance', 'Rejected', 30, 260_000_00),
  past(3, 'Finance', 'Approved', 4, 90_000_00),
  past(4, 'Sales_VP', 'Approved', 3, 300_000_00, { reason: 'discount 25% is at or above 15%' }),
  past(5, 'Executive', 'Rejected', 20, 150_000_00, {
    reason: 'discount 30% is above the 20% the CRO signs off',
  }),
  past(6, 'Legal', 'Rejected', 70, 240_000_00, { reason: 'the contract carries non-standard terms' }),
];

const approvalOf = (role: Role, over: Partial<ApprovalState> = {}): ApprovalState => ({
  role,
  key: `run-1:approval:${role}`,
  round: 1,
  approvalId: null,
  approverId: '005Dd0000000011AAA',
  approverName: `${role} approver`,
  ruleApproverId: '005Dd0000000011AAA',
  backupId: null,
  backupName: null,
  executiveId: null,
  executiveName: null,
  status: 'Planned',
  slaHours: 24,
  submittedAt: null,
  dueAt: '2026-11-26T12:00:00.000Z',
  reason: `${role} rule fired`,
  rule: `${role}_Rule`,
  dependsOn: role === 'Executive' ? ['Finance', 'Legal'] : [],
  comment: null,
  decidedAt: null,
  routedToBackup: null,
  escalationLevel: 0,
  log: [],
  prediction: { basis: 'prior', samples: 0, medianHours: 0, p90Hours: 0 },
  ...over,
});

const ROLES: Role[] = ['Finance', 'Legal', 'Sales_VP', 'InfoSec', 'Executive'];

function briefs(facts: BriefFacts, reasons: Record<Role, string>) {
  const approvals = ROLES.map((r) =>
    approvalOf(r, {
      reason: reasons[r],
      ...(r === 'Finance'
        ? {
            status: 'Approved',
            approvalId: 'a0ADd0000000001AAA',
            comment: 'Fine at this price',
            decidedAt: '2026-11-25T15:00:00.000Z',
          }
        : {}),
    }),
  );
  return Object.fromEntries(
    approvals.map((a) => [a.role, approverBrief({ approval: a, approvals, facts })]),
  ) as Record<Role, ReturnType<typeof approverBrief>>;
}

const texts = (b: ReturnType<typeof approverBrief>) => b.statements.map((s) => s.text);
const has = (b: ReturnType<typeof approverBrief>, re: RegExp) =>
  assert.ok(
    b.statements.some((s) => re.test(s.text)),
    `${b.role} brief has no statement matching ${re}:\n${texts(b).join('\n')}`,
  );

describe('approver briefs, written from the deal', () => {
  const a = briefs(hollweg(), {
    Finance: 'amount $236,956.52 (€218,000.00) is at or above $100,000.00',
    Legal: 'the contract carries non-standard terms',
    Sales_VP: 'discount 15% is at or above 15%',
    InfoSec: 'security topics came up during the sale',
    Executive: 'amount $236,956.52 (€218,000.00) is at or above $200,000.00',
  });
  const b = briefs(clearwater(), {
    Finance: 'amount $84,000.00 is at or above $50,000.00',
    Legal: 'the contract was flagged for legal review',
    Sales_VP: 'amount $84,000.00 is at or above $80,000.00',
    InfoSec: 'a security review was asked for on the account',
    Executive: 'amount $84,000.00 is at or above $75,000.00',
  });

  it('traces every statement to at least one fact with its field and value', () => {
    for (const brief of [...Object.values(a), ...Object.values(b)])
      for (const s of brief.statements) {
        assert.ok(s.traces.length > 0, `${brief.role}: "${s.text}" has no trace`);
        for (const t of s.traces) {
          assert.ok(t.source && t.field, `${brief.role}: "${s.text}" has a trace without source or field`);
          assert.notEqual(String(t.value), '', `${brief.role}: "${s.text}" traces an empty value`);
        }
      }
  });

  it('gives two different deals briefs that share no sentence, in any role', () => {
    for (const role of ROLES) assert.deepEqual(sharedSentences(texts(a[role]), texts(b[role])), [], role);
    // The check sees a shared sentence when there is one.
    assert.ok(sharedSentences(texts(a.Finance), texts(a.Finance)).length > 5);
  });

  it('tells Finance the discount against list and authority, the margin, the payment terms and their cash effect', () => {
    const f = a.Finance;
    has(
      f,
      /^At list the order comes to €248,000\.00; net it is €218,000\.00: €30,000\.00 \(12\.1%\) less revenue on 1 of 2 lines, and as much less gross margin/,
    );
    has(
      f,
      /^The deepest discount, 15% on MES Platform, is 5 points beyond the 10% a rep may give; the discount beyond that authority is worth €10,000\.00 on 1 line\.$/,
    );
    has(
      f,
      /^Payment terms: net 45 days, invoiced quarterly, instead of the standard net 30, invoiced annually \(clause payment-net-45 v1, billing-quarterly v1\)\.$/,
    );
    has(
      f,
      /^The buyer asked for net 45 in EmailMessage 02sDd0000000102AAA: "We sign if payment is net 45, invoiced quarterly\."/,
    );
    has(f, /^The buyer asked for quarterly invoicing in EmailMessage 02sDd0000000102AAA/);
    // Quarterly in advance: invoices on average 3/8 of a year (136.9 days) later, plus 15 more days.
    has(
      f,
      /^Cash effect: each contract year's €218,000\.00 is paid on average 152 days later than on standard terms, which keeps about €90,783\.56 more outstanding \(€218,000\.00 × 152 \/ 365\)\.$/,
    );
    const line = f.statements.find((s) => s.text.startsWith('At list'))!;
    assert.deepEqual(
      line.traces.map((t) => [t.source, t.id, t.value]),
      [
        ['OpportunityLineItem', '00kDd0000000101AAA', '€200,000.00 → €170,000.00 (15%)'],
        ['OpportunityLineItem', '00kDd0000000102AAA', '€48,000.00 → €48,000.00 (0%)'],
      ],
    );
    const g = b.Finance;
    has(
      g,
      /^All 2 lines of the order are at list price \(\$84,000\.00 in all\): no discount, so no effect on margin\.$/,
    );
    has(
      g,
      /^Payment terms are the standard net 30, invoiced annually in advance: no effect on cash against standard\.$/,
    );
    assert.ok(!texts(g).some((t) => /Cash effect|beyond the/.test(t)));
    // What the role looks at heads the facts, and names the deal.
    has(
      f,
      /^What matters for Finance on Hollweg MES rollout: the total contract value, payment terms and the discount against list price\.$/,
    );
  });

  it("shows Legal each non-standard clause with the customer's words and where they were said", () => {
    const l = a.Legal;
    has(l, /^1 of the 7 clauses in Master Subscription Agreement v2 are non-standard\.$/);
    has(
      l,
      /^Non-standard clause non-standard-1 \(source code escrow\), asked for in Call: escrow with NCC \(Task 00TDd0000000104AAA\): "We need the source code in escrow with NCC\."; no library clause answers it/,
    );
    has(
      l,
      /^Legal risk: legal topics \(redlines, DPA or BAA, liability, indemnities\) came up during the sale\.$/,
    );
    has(l, /^Changed from v1: payment terms: net 30 days → net 45 days\.$/);
    const escrow = l.statements.find((s) => s.text.startsWith('Non-standard clause'))!;
    assert.deepEqual(escrow.traces[1], {
      source: 'Task',
      id: '00TDd0000000104AAA',
      field: 'request',
      value: 'We need the source code in escrow with NCC.',
    });
    has(b.Legal, /^All 4 clauses of Order Form v1 come from the clause library; none is non-standard\.$/);
    has(b.Legal, /^No legal risk factor: liability under liability-cap .*governing law by governing-law-us/);
  });

  it('shows InfoSec the security asks, residency and security clauses, or that there are none', () => {
    const i = a.InfoSec;
    has(
      i,
      /^Security raised during the sale: "Our CISO wants the pen test summary before signature\." \(Call: security review\)\.$/,
    );
    has(
      i,
      /^The buyer asked for EU data residency in EmailMessage 02sDd0000000103AAA: "All data must stay in Frankfurt\."/,
    );
    has(i, /^The buyer asked for a security review in Task 00TDd0000000105AAA/);
    has(
      i,
      /^The contract commits to Data protection and EU data residency \(data-protection-eu\), Security review and audit \(security-annex\)\.$/,
    );
    has(
      b.InfoSec,
      /^No security ask in Clearwater clinic scheduling: no security passage among its 3 activities, no residency or security-review request, and only the library's standing Encryption standard \(encryption\) in the contract\.$/,
    );
  });

  it('sets the deal against its peers and past discount decisions for the Sales VP and the Executive', () => {
    has(
      a.Sales_VP,
      /^At \$236,956\.52 the deal is larger than 3 of the 6 earlier deals in the approval history \(median \$220,000\.00; largest Past deal 4 at \$300,000\.00\)\.$/,
    );
    has(
      a.Sales_VP,
      /^Discount precedent against this deal's 15%: Past deal 4 at 25% approved by Sales VP in 3 h; Past deal 5 at 30% rejected by Executive in 20 h; of 2 discount requests, 1 approved and 1 rejected\.$/,
    );
    has(b.Sales_VP, /^All 2 lines of the order are at list price/);
    assert.ok(
      !texts(b.Sales_VP).some((t) => /Discount precedent/.test(t)),
      'no discount, no discount precedent',
    );
    has(
      a.Executive,
      /^The other approvals of Hollweg MES rollout: Finance approved \(Finance approver, 2026-11-25 15:00 UTC: "Fine at this price"\); Legal has not decided yet \(Legal approver; this request waits for it\); Sales VP has not decided yet \(Sales_VP approver\); InfoSec has not decided yet \(InfoSec approver\)\.$/,
    );
    has(a.Executive, /^Discount precedent against this deal's 15%: Past deal 5 at 30% rejected by Executive/);
  });

  it('tallies how the role decided similar requests, with their ids', () => {
    has(
      a.Finance,
      /^Precedent: Past deal 1 \(\$200,000\.00\) approved in 6 h; Past deal 2 \(\$260,000\.00\) rejected in 30 h; of the 2 Finance requests on deals of half to double \$236,956\.52, 1 approved and 1 rejected, in a median 18 h \(a0BDd0000000001AAA, a0BDd0000000002AAA\)\.$/,
    );
    // Nothing of similar size: the role's whole record instead.
    has(
      b.Legal,
      /^Precedent: no Legal decision on a deal of similar size \(half to double \$84,000\.00\) yet; of all 1 Legal request in the history, 0 approved and 1 rejected, in a median 2\.9 d \(a0BDd0000000006AAA\)\.$/,
    );
  });

  it('keeps the text within the comments limit and writes the sources under each statement', () => {
    const text = briefText(a.Legal, 400);
    assert.ok(text.length <= 400);
    assert.ok(a.Legal.statements[0]!.text === text.split('\n')[0]);
    const withSources = briefWithSources(a.Finance);
    assert.match(
      withSources,
      /\n {2}\[OpportunityLineItem 00kDd0000000101AAA ListPrice × Quantity → TotalPrice \(Discount\): €200,000\.00 → €170,000\.00 \(15%\);/,
    );
  });

  it('reads the request behind a non-standard clause as Contract Generation writes it', () => {
    const [clause] = nonStandardClauses(
      [
        {
          topic: 'termination for convenience',
          text: 'We must be able to exit after year one.',
          source: 'Call: legal review',
          coveredBy: [],
        },
      ],
      [],
    );
    const facts = clearwater();
    facts.contract = contractOutput({
      ...facts.contract,
      clauses: [
        {
          id: clause!.id,
          version: clause!.version,
          rule: clause!.rule,
          because: clause!.because,
          nonStandard: true,
        },
      ],
      snapshot: {
        ...facts.contract.snapshot,
        clauses: [{ id: clause!.id, version: 0, title: clause!.title, text: clause!.body }],
      },
    });
    facts.signals = [
      {
        type: 'legal_concern',
        quote: 'exit',
        source: { label: 'Call: legal review', recordId: '00TDd0000000299AAA' },
      },
    ];
    const legal = approverBrief({ approval: approvalOf('Legal'), approvals: [], facts });
    has(
      legal,
      /^Non-standard clause non-standard-1 \(termination for convenience\), asked for in Call: legal review \(Task 00TDd0000000299AAA\): "We must be able to exit after year one\."; no library clause answers it/,
    );
  });

  it('takes monthly invoicing in arrears as standard for a services-only contract, and as late for a subscription', () => {
    const services = clearwater();
    services.contract = contractOutput({
      ...services.contract,
      clauses: services.contract.clauses.filter((c) => !c.id.startsWith('billing-')),
      snapshot: { ...services.contract.snapshot, payment: 'net 30 days, invoiced monthly in arrears' },
    });
    const f = approverBrief({ approval: approvalOf('Finance'), approvals: [], facts: services });
    has(
      f,
      /^Payment terms are the standard net 30, invoiced monthly in arrears: no effect on cash against standard\.$/,
    );
    services.contract.clauses.push({
      id: 'billing-monthly',
      version: 1,
      rule: 'asked for',
      because: [],
      nonStandard: false,
    });
    const g = approverBrief({ approval: approvalOf('Finance'), approvals: [], facts: services });
    has(
      g,
      /^Cash effect: each contract year's \$84,000\.00 is paid on average 198 days later than on standard terms/,
    );
  });

  it('reads the payment terms as the contract states them', () => {
    assert.deepEqual(paymentTerms('net 60 days, invoiced monthly in arrears'), {
      days: 60,
      billing: 'monthly in arrears',
    });
    assert.equal(paymentTerms('due on receipt'), null);
  });
});
