import assert from 'node:assert/strict';
import type { ContactRole, CrmWrite, DealContext } from '../../ports/crm.ts';
import type { StageContext } from '../../orchestrator/stage.ts';
import type { ContractOutput } from '../contract-generation/contract-agent.ts';
import { loadHandoffChecklists } from '../../wiring.ts';
import { createHandoffAgent } from './handoff-agent.ts';

const role = (name: string, role: string, title: string, extra: Partial<ContactRole> = {}): ContactRole => ({
  id: `00KDd00000000${name.length}AAA`,
  contactId: `003Dd00000000${name.length}AAA`,
  name,
  title,
  email: `${name.toLowerCase()}@c.example`,
  department: null,
  description: `${name} wants weekly status emails`,
  role,
  isPrimary: role === 'Economic Buyer',
  ...extra,
});
const deal = (roles: ContactRole[]): DealContext => ({
  opportunity: {
    id: '006Dd0000000001AAA',
    name: 'Rollout',
    stageName: 'Negotiation/Review',
    amountMinor: 120_000_00,
    currency: 'EUR',
    closeDate: null,
    type: null,
    probability: 90,
    description: null,
    nextStep: null,
    isClosed: false,
    isWon: false,
    ownerId: '005Dd0000000001AAA',
    ownerName: 'Jo',
    ownerEmail: null,
    pricebookId: null,
  },
  account: {
    id: '001Dd0000000001AAA',
    name: 'Acme GmbH',
    industry: 'Manufacturing',
    employees: 900,
    type: null,
    billingStreet: 'Hauptstr. 1',
    billingCity: 'Ulm',
    billingState: null,
    billingPostalCode: '89073',
    billingCountry: 'Germany',
    website: null,
  },
  lineItems: [
    {
      id: '00kDd0000000001AAA',
      productId: null,
      productName: 'Platform',
      productCode: 'PLT',
      family: 'Platform',
      quantity: 100,
      unitPriceMinor: 1200_00,
      listPriceMinor: 1200_00,
      discountPercent: 0,
      totalPriceMinor: 120_000_00,
      description: null,
      serviceDate: null,
    },
  ],
  contactRoles: roles,
  activities: [
    {
      id: '00TDd0000000001AAA',
      kind: 'task',
      type: 'Call',
      subject: 'Scoping',
      body: 'Must integrate with SAP via the API. Go-live before the March shutdown. Goal: reduce downtime by 20%.',
      occurredAt: '2026-11-20T10:00:00.000+0000',
      direction: null,
      from: null,
      contactId: null,
    },
  ],
  currencyRates: { EUR: 0.92, USD: 1 },
  corporateCurrency: 'USD',
  approvalRules: [],
  readAt: '2026-11-25T00:00:00Z',
});
const contract = {
  version: 1,
  totalMinor: 120_000_00,
  currency: 'EUR',
  termMonths: 12,
  startDate: '2026-12-01',
  specialTerms: '',
  clauses: [{ id: 'sla', version: 1, rule: 'standard clause' }],
} as unknown as ContractOutput;

const closure = {
  assessment: {
    signals: [
      {
        type: 'security_concern',
        polarity: 0,
        readiness: false,
        quote: 'We need SSO and the SOC 2 report.',
        qualifiers: [],
        source: {
          kind: 'task',
          recordId: '00TDd0000000001AAA',
          occurredAt: '2026-11-20T10:00:00Z',
          label: 'Call',
          who: null,
        },
        weight: 0,
      },
    ],
  },
};

async function packages(roles: ContactRole[]) {
  const ctx = {
    run: { id: 'run-h' },
    stage: 'handoff_coordination',
    recall: (stage: string, key: string) =>
      stage === 'deal_closure' && key === 'deal'
        ? deal(roles)
        : stage === 'deal_closure'
          ? closure
          : stage === 'contract_generation'
            ? contract
            : undefined,
  } as unknown as StageContext;
  const outcome = await createHandoffAgent({ checklists: loadHandoffChecklists() }).run(ctx);
  return (outcome.writes ?? []).filter(
    (w): w is Extract<CrmWrite, { kind: 'handoff' }> => w.kind === 'handoff',
  );
}

describe('handoff packages', () => {
  const full = [
    role('Eva', 'Economic Buyer', 'CFO'),
    role('Tim', 'Technical Buyer', 'IT Director'),
    role('Pia', 'Other', 'Procurement Lead'),
  ];

  it('writes one complete package per team, every fact with its source', async () => {
    const written = await packages(full);
    assert.deepEqual(
      written.map((w) => [w.team, w.completeness, w.status]),
      [
        ['Customer_Success', 1, 'Ready'],
        ['Finance', 1, 'Ready'],
        ['Support', 1, 'Ready'],
        ['Implementation', 1, 'Ready'],
      ],
    );
    const impl = JSON.parse(written.find((w) => w.team === 'Implementation')!.context) as {
      sections: Record<string, { text: string; source: string }[]>;
    };
    assert.ok(
      impl.sections.technicalRequirements!.some(
        (f) => /SAP/.test(f.text) && f.source === 'Task 00TDd0000000001AAA',
      ),
    );
    for (const facts of Object.values(impl.sections)) for (const f of facts) assert.ok(f.source.length > 0);
  });

  it('drops the score and names the missing item and who supplies it when facts are removed', async () => {
    const written = await packages([role('Eva', 'Economic Buyer', 'CFO', { description: null })]);
    const support = written.find((w) => w.team === 'Support')!;
    assert.ok(support.completeness < 1);
    assert.equal(support.status, 'Incomplete');
    const context = JSON.parse(support.context) as { missing: { item: string; supplier: string }[] };
    assert.deepEqual(
      context.missing.map((m) => m.item),
      ['supportContacts'],
    );
    assert.match(context.missing[0]!.supplier, /technical buyer/);
    const cs = written.find((w) => w.team === 'Customer_Success')!;
    assert.ok(
      (JSON.parse(cs.context) as { missing: { item: string }[] }).missing.some(
        (m) => m.item === 'priorities',
      ),
    );
  });
});
