/**
 * Two different deals through the language module, System Integration and Handoff Coordination:
 * every sentence of the renewal risk, the renewal plan and the handoff packages must come from its
 * deal. The test fails on any sentence both deals' outputs share, outside ALLOWED below.
 */
import assert from 'node:assert/strict';
import type { Activity, CrmWrite, DealContext, PastDeal } from '../../ports/crm.ts';
import type { StageOutcome } from '../../orchestrator/stage.ts';
import { sharedLanguageReader } from '../../language/index.ts';
import { serviceEnd } from '../../domain/revenue-schedule.ts';
import { loadHandoffChecklists } from '../../wiring.ts';
import {
  activity,
  contactRole,
  contractOutput,
  dealContext,
  handoffUsers,
  lineItem,
  stageContext,
} from '../../test-support/deal-fixtures.ts';
import { sentencesOf, sharedSentences } from '@dealdesk/test-kit/shared-sentences';
import { reasonOfflineNow } from '../deal-closure/offline-reasoner.ts';
import type { DealClosureOutput } from '../deal-closure/deal-closure-agent.ts';
import { historyStrategy, withHistoryStrategy } from '../deal-closure/history-strategy.ts';
import type { ContractOutput } from '../contract-generation/contract-agent.ts';
import { createSystemIntegrationAgent } from '../system-integration/system-integration-agent.ts';
import type { RenewalRisk } from '../system-integration/renewal-risk.ts';
import { createHandoffAgent, type Fact } from '../handoff-coordination/handoff-agent.ts';
import { loadHandoffOwners } from '../handoff-coordination/handoff-owners.ts';

/** The clause library's SLA clause (config/contracts/clauses.json), the same in both contracts. */
const SLA = {
  id: 'sla',
  version: 2,
  title: 'Service levels',
  text: 'Provider makes the subscription services available 99.9% of each calendar month, excluding announced maintenance. If it misses that level, Customer receives a service credit of 5% of the monthly fee per 0.1% below target, up to 30%.',
};

/**
 * Sentences both deals may share. Only legal boilerplate: the contract's clause text, quoted
 * verbatim from the clause library into the Support package's service level (the same clause
 * version reads the same in every contract, by design).
 */
const ALLOWED: (string | RegExp)[] = [
  ...sentencesOf(SLA.text),
  /(?:Service level: )?Service levels \(clause sla v2\): Provider makes the subscription services available 99\.9% of each calendar month, excluding announced maintenance\./,
];

const email = (
  id: string,
  occurredAt: string,
  from: string,
  text: string,
  direction: 'inbound' | 'outbound' = 'inbound',
) => activity({ id, kind: 'email', type: 'Email', subject: null, body: text, occurredAt, direction, from });

/** A contract with the library's SLA clause and the given payment terms. */
const contractWithSla = (payment: string, over: Partial<ContractOutput>) =>
  contractOutput({
    clauses: [{ id: 'sla', version: 2, rule: 'every subscription', because: [], nonStandard: false }],
    snapshot: { ...contractOutput().snapshot, payment, clauses: [SLA] },
    ...over,
  });

function hollweg(): { deal: DealContext; contract: ContractOutput } {
  const eva = contactRole({
    contactId: '003Dd0000000101AAA',
    name: 'Eva Brandt',
    title: 'CFO',
    role: 'Economic Buyer',
    email: 'eva.brandt@hollweg.example',
    isPrimary: true,
    description: 'Prefers a one-page monthly status report.',
  });
  const tim = contactRole({
    contactId: '003Dd0000000102AAA',
    name: 'Tim Vogel',
    title: 'IT Director',
    role: 'Technical Buyer',
    email: 'tim.vogel@hollweg.example',
  });
  const pia = contactRole({ name: 'Pia Kern', title: 'Procurement Lead', role: 'Other' });
  const activities: Activity[] = [
    email(
      '02sDd0000000101AAA',
      '2026-10-20T09:00:00.000Z',
      eva.email!,
      'Hello Jordan, thanks for the proposal. To be frank, the price is well above what Siemens Opcenter quoted us for the same scope. We will also need payment on net 60 days, that is our group policy.',
    ),
    email(
      '02sDd0000000102AAA',
      '2026-11-02T09:00:00.000Z',
      tim.email!,
      'Our InfoSec team needs the SOC 2 Type II report and a penetration test summary before we can sign. All production data must stay in Frankfurt.',
    ),
    activity({
      id: '00TDd0000000103AAA',
      subject: 'Pilot review',
      body: 'Pilot at the Ulm plant went well, 18% less unplanned downtime. Tim needs the SAP S/4HANA connector and SSO through Azure AD.',
      occurredAt: '2026-11-10T09:00:00.000Z',
      contactId: tim.contactId,
    }),
    email(
      '02sDd0000000104AAA',
      '2026-11-16T09:00:00.000Z',
      'jordan.keller@dealdesk-demo.example',
      'Hi Eva, thanks - contract attached as promised, with the net 60 terms you asked for. Our team will handle the data migration from your legacy MES.',
      'outbound',
    ),
    email(
      '02sDd0000000105AAA',
      '2026-11-18T09:00:00.000Z',
      'm.roth@hollweg.example',
      'Jordan, we have budget approval from the board. We are ready to sign, please send the contract so we can go live before the plant shutdown on 15 March.',
    ),
  ];
  const deal = dealContext({
    opportunity: {
      id: '006Dd0000000101AAA',
      name: 'Hollweg predictive maintenance',
      currency: 'EUR',
      amountMinor: 91_800_00,
      ownerName: 'Jordan Keller',
      closeDate: '2026-11-30',
    },
    account: { id: '001Dd0000000101AAA', name: 'Hollweg Maschinenbau GmbH' },
    lineItems: [
      lineItem({
        productName: 'Maintenance Platform',
        productCode: 'MNT-PLT',
        quantity: 120,
        unitPriceMinor: 600_00,
        discountPercent: 15,
        totalPriceMinor: 61_200_00,
      }),
      lineItem({
        productName: 'Implementation services',
        productCode: 'SVC-IMP',
        family: 'Services',
        quantity: 1,
        unitPriceMinor: 30_600_00,
        totalPriceMinor: 30_600_00,
      }),
    ],
    contactRoles: [eva, tim, pia],
    activities,
    currencyRates: { USD: 1, EUR: 0.9 },
  });
  const contract = contractWithSla('net 60 days, invoiced annually', {
    startDate: '2027-01-01',
    endDate: '2029-12-31',
    termMonths: 36,
    totalMinor: 91_800_00,
    currency: 'EUR',
    specialTerms: 'Customer data is hosted in Frankfurt (EU).',
  });
  return { deal, contract };
}

function clearwater(): { deal: DealContext; contract: ContractOutput } {
  const dana = contactRole({
    contactId: '003Dd0000000201AAA',
    name: 'Dana Price',
    title: 'VP Operations',
    role: 'Executive Sponsor',
    email: 'dana.price@clearwater.example',
    isPrimary: true,
  });
  const sam = contactRole({
    contactId: '003Dd0000000202AAA',
    name: 'Sam Ortiz',
    title: 'Security Architect',
    role: 'Technical Buyer',
    email: 'sam.ortiz@clearwater.example',
  });
  const activities: Activity[] = [
    email(
      '02sDd0000000201AAA',
      '2026-11-03T15:00:00.000Z',
      dana.email!,
      "Hi Maya, the pilot went well. We are still comparing you with Epic's Cosmos module, and our CMO is unsure whether the rollout will disrupt the clinics during flu season.",
    ),
    email(
      '02sDd0000000202AAA',
      '2026-11-12T15:00:00.000Z',
      sam.email!,
      'Since you will process patient records we need a signed BAA, HIPAA-compliant hosting in the US, and most favored customer pricing for the three-year term.',
    ),
    activity({
      id: '00TDd0000000203AAA',
      type: 'Meeting',
      subject: 'Clinic rollout',
      body: 'Dana happy with the pilot, intake time down from 30 to 18 minutes. Target is 12 minutes in all 14 clinics by June 2027. Sam needs audit logs streamed to Splunk.',
      occurredAt: '2026-11-16T15:00:00.000Z',
      contactId: sam.contactId,
    }),
    email(
      '02sDd0000000204AAA',
      '2026-11-21T15:00:00.000Z',
      dana.email!,
      "Maya, Dana signed off. Let's move forward, please send the order form for signature this week.",
    ),
  ];
  const deal = dealContext({
    opportunity: {
      id: '006Dd0000000201AAA',
      name: 'Clearwater clinic intake',
      currency: 'USD',
      amountMinor: 48_000_00,
      ownerName: 'Maya Lin',
      closeDate: '2026-12-05',
    },
    account: {
      id: '001Dd0000000201AAA',
      name: 'Clearwater Health Partners',
      industry: 'Healthcare',
      billingStreet: '200 Harbor Way',
      billingCity: 'Tampa',
      billingPostalCode: '33602',
      billingCountry: 'United States',
    },
    lineItems: [
      lineItem({
        productName: 'Clinic Intake Suite',
        productCode: 'CIS',
        quantity: 40,
        unitPriceMinor: 1_200_00,
        totalPriceMinor: 48_000_00,
      }),
    ],
    contactRoles: [dana, sam],
    activities,
  });
  const contract = contractWithSla('net 30 days, invoiced quarterly', {
    startDate: '2027-02-01',
    endDate: '2030-01-31',
    termMonths: 36,
    totalMinor: 48_000_00,
    currency: 'USD',
  });
  return { deal, contract };
}

const NOW = new Date('2026-11-25T12:00:00Z');
const checklists = loadHandoffChecklists();
const owners = loadHandoffOwners();
const users = handoffUsers(owners);

interface Rendered {
  closure: DealClosureOutput;
  integration: StageOutcome;
  handoff: StageOutcome;
  risk: RenewalRisk;
  /** Every text the two stages write for people to read. */
  texts: string[];
}

/** System Integration's step, with a commit that reads back exactly what was written. */
async function integrate(
  earlier: Parameters<typeof stageContext>[1],
  { deal, contract }: { deal: DealContext; contract: ContractOutput },
) {
  const ctx = stageContext('system_integration', earlier, { now: NOW });
  const end = serviceEnd(contract.startDate, contract.termMonths);
  const committed: CrmWrite[] = [];
  // Each deal's contract gets its own id, as Salesforce would give it.
  const contractId = `800${deal.opportunity.id.slice(3)}`;
  ctx.commit = async ({ writes }) => {
    committed.push(...(writes ?? []));
    const won = committed.find((w): w is Extract<CrmWrite, { kind: 'closedWon' }> => w.kind === 'closedWon')!;
    return {
      dealClosureId: 'a00Dd0000000001AAA',
      ids: {},
      closedWon: {
        opportunity: {
          stageName: 'Closed Won',
          amount: won.amount,
          isWon: true,
          contractId,
        },
        contract: {
          id: contractId,
          status: 'Activated',
          startDate: contract.startDate,
          endDate: new Date(end.getTime() - 86_400_000).toISOString().slice(0, 10),
          termMonths: contract.termMonths,
        },
        schedule: won.schedule.map((r) => ({ key: r.key, periodStart: r.periodStart, amount: r.amount })),
      },
    };
  };
  const outcome = await createSystemIntegrationAgent({ crm: {} as never, renewalLeadDays: 60 }).run(ctx);
  return { outcome, committed };
}

async function render({
  deal,
  contract,
}: {
  deal: DealContext;
  contract: ContractOutput;
}): Promise<Rendered> {
  const reasoning = reasonOfflineNow(
    { deal, transcript: null, note: null, now: NOW, repDiscountAuthorityPercent: 10, trigger: 'Rep' },
    sharedLanguageReader(),
  );
  const closure: DealClosureOutput = { assessment: reasoning.assessment, source: 'offline' };
  const earlier = {
    deal_closure: { deal, assessment: closure },
    contract_generation: { contract },
    signature_management: {
      envelope: { sentAt: '2026-11-23T10:00:00Z', envelopeId: `env-${deal.opportunity.id}` },
      output: { completedAt: '2026-11-24T16:00:00Z' },
    },
  };
  const { outcome: integration, committed } = await integrate(earlier, { deal, contract });
  assert.equal(integration.status, 'succeeded', integration.reasoning);
  const handoff = await createHandoffAgent({ checklists, owners, crm: { findUsers: async () => users } }).run(
    stageContext(
      'handoff_coordination',
      { ...earlier, system_integration: { output: integration.output } },
      { now: NOW },
    ),
  );
  const writes = [...committed, ...(handoff.writes ?? [])];
  const texts = [
    integration.reasoning,
    integration.closurePatch!.renewalRiskFactors!,
    handoff.reasoning,
    ...writes.flatMap((w) =>
      w.kind === 'closedWon'
        ? [w.renewal.name]
        : w.kind === 'handoff'
          ? [
              w.summary,
              ...Object.values(JSON.parse(w.context).sections as Record<string, { text: string }[]>)
                .flat()
                .map((f) => f.text),
            ]
          : w.kind === 'tasks'
            ? w.tasks.flatMap((t) => [t.subject, t.description ?? ''])
            : [],
    ),
  ];
  const risk = (integration.output as { renewalRisk: RenewalRisk }).renewalRisk;
  return { closure, integration, handoff, risk, texts };
}

const sections = (outcome: StageOutcome, team: string) =>
  JSON.parse(
    (outcome.writes ?? []).find(
      (w): w is Extract<CrmWrite, { kind: 'handoff' }> => w.kind === 'handoff' && w.team === team,
    )!.context,
  ).sections as Record<string, Pick<Fact, 'text' | 'source' | 'quote' | 'span' | 'who'>[]>;

describe('handoff packages and renewal risk, written from the deal', () => {
  let a: Rendered;
  let b: Rendered;
  before(async () => {
    a = await render(hollweg());
    b = await render(clearwater());
  });

  it('share no sentence between two different deals, outside the legal boilerplate allowed', () => {
    assert.deepEqual(sharedSentences(a.texts, b.texts, ALLOWED), []);
    // The check sees a shared sentence when there is one: a deal against itself shares all of them.
    assert.ok(sharedSentences(a.texts, a.texts, ALLOWED).length > 20);
  });

  it('gives each deal its own closing strategy from the same org history', () => {
    // Closed deals in both deals' industries, naming both deals' competitors.
    const history: PastDeal[] = [
      ...['Manufacturing', 'Healthcare'].flatMap((industry, n) =>
        Array.from({ length: 6 }, (_, i) => ({
          id: `006Dd00000009${n}${i}AAA`,
          name: `${industry} deal ${i + 1}`,
          accountId: null,
          won: i !== 5,
          amountMinor: 80_000_00 + i * 40_000_00,
          currency: 'USD',
          closeDate: '2026-05-01',
          industry,
          country: null,
          lineItems: [
            { productName: 'Platform', family: 'Platform', quantity: 50, discountPercent: 8 + i + n * 4 },
            ...(i < 4
              ? [{ productName: 'Training', family: 'Training', quantity: 10, discountPercent: 0 }]
              : []),
            ...(i % 2
              ? [{ productName: 'Premium Support', family: 'Support', quantity: 1, discountPercent: 0 }]
              : []),
          ],
          competitors: i < 3 ? [n === 0 ? 'Siemens Opcenter' : 'Epic'] : [],
        })),
      ),
    ];
    const strategy = (r: Rendered, deal: DealContext) => {
      const x = r.closure.assessment;
      const h = historyStrategy(deal, x.competitors ?? [], x.facts.maxDiscountPercent, {
        sinceDays: 730,
        deals: history,
      });
      const s = withHistoryStrategy(x.strategy, h);
      return [s.discountAuthority, ...s.competitive, ...s.upsell, ...s.stakeholderApproach, ...s.risks];
    };
    const [ha, hb] = [strategy(a, hollweg().deal), strategy(b, clearwater().deal)];
    assert.ok(
      ha.some((t) => t.includes('The 5 won Manufacturing deals')),
      ha.join('\n'),
    );
    assert.ok(
      hb.some((t) => t.includes('won Healthcare deals')),
      hb.join('\n'),
    );
    assert.deepEqual(sharedSentences(ha, hb, ALLOWED), []);
    assert.ok(sharedSentences(ha, ha, ALLOWED).length > 5);
  });

  it('cites the conversation in the renewal risk: each factor with its record, quote and span', () => {
    const by = Object.fromEntries(a.risk.factors.map((f) => [f.factor, f]));
    assert.deepEqual(
      by.objection!.evidence.map((e) => [e.source, e.text]),
      [
        [
          'EmailMessage 02sDd0000000101AAA',
          'To be frank, the price is well above what Siemens Opcenter quoted us for the same scope.',
        ],
      ],
    );
    assert.match(by.price_sensitivity!.reason, /the buyer asked for net 60 payment/);
    assert.match(by.security!.reason, /SOC 2 Type II/);
    assert.match(by.stakeholder_change!.reason, /m\.roth@hollweg\.example \(email 2026-11-18\)/);
    assert.equal(by.stakeholder_change!.evidence[0]!.source, 'EmailMessage 02sDd0000000105AAA');
    assert.equal(
      by.custom_terms!.evidence[0]!.source,
      'Contract 800Dd0000000101AAA',
      'the Contract record written',
    );
    assert.equal(
      a.risk.score,
      Math.min(
        100,
        a.risk.factors.reduce((s, f) => s + f.points, 0),
      ),
    );
    const mfn = b.risk.factors.find((f) => f.factor === 'price_sensitivity')!;
    assert.match(mfn.reason, /most-favoured-customer pricing/);
    assert.equal(mfn.evidence[0]!.source, 'EmailMessage 02sDd0000000202AAA');
    assert.ok(b.risk.factors.some((f) => f.factor === 'objection' && /Epic's Cosmos/.test(f.reason)));
    assert.ok(!b.risk.factors.some((f) => f.factor === 'discount_depth'), 'Clearwater pays list price');
    // Every quote is where its span says, in the record its source names.
    for (const [deal, rendered] of [
      [hollweg().deal, a],
      [clearwater().deal, b],
    ] as const)
      for (const e of rendered.risk.factors.flatMap((f) => f.evidence).filter((e) => e.span)) {
        const record = deal.activities.find((x) => e.source.endsWith(x.id))!;
        assert.equal(record.body!.slice(e.span!.start, e.span!.end), e.text, e.source);
      }
    assert.match(
      a.integration.closurePatch!.renewalRiskFactors!,
      /- EmailMessage 02sDd0000000101AAA \(email 39–127\) 2026-10-20: "To be frank/,
    );
  });

  it('hands the teams what the conversation said, each quote with its record and span', () => {
    const cs = sections(a.handoff, 'Customer_Success');
    assert.ok(
      cs.priorities!.some((f) => /^Eva Brandt \(Economic Buyer\) — objection: "To be frank/.test(f.text)),
    );
    assert.ok(
      cs.communication!.some((f) =>
        /^Tim Vogel \(Technical Buyer\): 1 × email from them, 1 × Call; latest Call on 2026-11-10$/.test(
          f.text,
        ),
      ),
    );
    assert.ok(
      cs.commitments!.some(
        (f) => f.source === 'EmailMessage 02sDd0000000104AAA' && /as promised/.test(f.quote!),
      ),
    );
    assert.ok(cs.risks!.some((f) => /^renewal risk \+\d+ discount depth/.test(f.text)));
    const impl = sections(a.handoff, 'Implementation');
    const sap = impl.technicalRequirements!.find((f) => /SAP S\/4HANA/.test(f.text))!;
    assert.equal(sap.source, 'Task 00TDd0000000103AAA');
    assert.equal(sap.span!.field, 'task');
    const residency = impl.technicalRequirements!.find((f) =>
      /the buyer asked for data hosted in EU/.test(f.text),
    )!;
    assert.equal(residency.source, 'EmailMessage 02sDd0000000102AAA');
    assert.equal(residency.who, 'Tim Vogel');
    const support = sections(b.handoff, 'Support');
    assert.ok(support.technicalRequirements!.some((f) => /health data processed/.test(f.text)));
    for (const f of Object.values(cs)
      .flat()
      .filter((f) => f.quote))
      assert.ok(f.span, f.text);
  });
});
