/**
 * Labeled contract scenarios (test/fixtures/contracts/scenarios.json): a compact deal description
 * turned into the DealContext and sale signals the Contract Generation Agent reads, with the
 * template, clauses and risk level the written policy requires. Used by `npm run eval`, the
 * benchmark and the agent's tests.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { DealContext } from '../ports/crm.ts';
import { toMinor } from '../domain/money.ts';
import type { SaleSignal } from '../agents/contract-generation/deal-facts.ts';

/** The seeded demo catalogue (list prices per currency). */
export const CATALOGUE = {
  enterprise: {
    name: 'Meridian Platform - Enterprise Edition',
    code: 'MER-PLT-ENT',
    family: 'Platform',
    USD: 960,
    EUR: 900,
    GBP: 780,
  },
  professional: {
    name: 'Meridian Platform - Professional Edition',
    code: 'MER-PLT-PRO',
    family: 'Platform',
    USD: 600,
    EUR: 560,
    GBP: 480,
  },
  iot: {
    name: 'Predictive Maintenance Module (IoT)',
    code: 'MER-ADD-IOT',
    family: 'Add-on',
    USD: 18000,
    EUR: 16800,
    GBP: 14400,
  },
  mobile: {
    name: 'Mobile Offline Module',
    code: 'MER-ADD-MOB',
    family: 'Add-on',
    USD: 180,
    EUR: 168,
    GBP: 144,
  },
  analytics: {
    name: 'Advanced Analytics Module',
    code: 'MER-ADD-ANL',
    family: 'Add-on',
    USD: 24000,
    EUR: 22000,
    GBP: 19000,
  },
  implementation: {
    name: 'Implementation Services (per day)',
    code: 'MER-SVC-IMP',
    family: 'Services',
    USD: 1800,
    EUR: 1650,
    GBP: 1450,
  },
  support: {
    name: 'Premium Support (24x7)',
    code: 'MER-SUP-PRM',
    family: 'Support',
    USD: 28000,
    EUR: 26000,
    GBP: 22000,
  },
  training: {
    name: 'Admin & Power User Training (per seat)',
    code: 'MER-TRN-APU',
    family: 'Training',
    USD: 450,
    EUR: 420,
    GBP: 360,
  },
} as const;
type ProductKey = keyof typeof CATALOGUE;

export const ScenarioSchema = z
  .object({
    id: z.string().min(1),
    why: z.string().min(1),
    deal: z
      .object({
        type: z.string().nullable(),
        currency: z.enum(['USD', 'EUR', 'GBP']),
        industry: z.string().nullable(),
        country: z.string().nullable(),
        employees: z.number().int().nullable(),
        description: z.string().optional(),
        lines: z
          .array(
            z.object({
              product: z.enum(Object.keys(CATALOGUE) as [ProductKey, ...ProductKey[]]),
              qty: z.number().positive(),
              discount: z.number().min(0).max(100).default(0),
              note: z.string().optional(),
            }),
          )
          .min(1),
        signals: z.array(z.object({ type: z.string(), quote: z.string() })).default([]),
      })
      .strict(),
    expected: z
      .object({
        template: z.enum(['MSA', 'SOW', 'Order_Form']),
        clauses: z.array(z.string()).min(1),
        risk: z.enum(['Low', 'Medium', 'High']),
        legalReview: z.boolean(),
      })
      .strict(),
  })
  .strict();
export type Scenario = z.infer<typeof ScenarioSchema>;

export function loadScenarios(file: string): Scenario[] {
  const parsed = z.array(ScenarioSchema).safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success)
    throw new Error(
      `${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const ids = new Set<string>();
  for (const s of parsed.data) {
    if (ids.has(s.id)) throw new Error(`${file}: scenario ${s.id} appears twice`);
    ids.add(s.id);
  }
  return parsed.data;
}

const id = (prefix: string, n: number) => `${prefix}${String(n).padStart(15 - prefix.length, '0')}`;

/** The deal as the CRM port would deliver it, with the sale signals Deal Closure would pass on. */
export function scenarioDeal(
  s: Scenario,
  today = '2026-11-25',
): { deal: DealContext; signals: SaleSignal[] } {
  const d = s.deal;
  const lineItems = d.lines.map((l, i) => {
    const p = CATALOGUE[l.product];
    const unitPriceMinor = toMinor(p[d.currency], d.currency);
    return {
      id: id('00k', i + 1),
      productId: id('01t', i + 1),
      productName: p.name,
      productCode: p.code,
      family: p.family,
      quantity: l.qty,
      unitPriceMinor,
      listPriceMinor: unitPriceMinor,
      discountPercent: l.discount,
      totalPriceMinor: Math.round(unitPriceMinor * l.qty * (1 - l.discount / 100)),
      description: l.note ?? null,
      serviceDate: null,
    };
  });
  const deal: DealContext = {
    opportunity: {
      id: id('006', 1),
      name: `${s.id} deal`,
      stageName: 'Negotiation/Review',
      amountMinor: lineItems.reduce((a, l) => a + l.totalPriceMinor, 0),
      currency: d.currency,
      closeDate: today,
      type: d.type,
      probability: 90,
      description: d.description ?? null,
      nextStep: null,
      isClosed: false,
      isWon: false,
      ownerId: id('005', 1),
      ownerName: 'Jordan Reyes',
      ownerEmail: 'jordan.reyes@example.com',
      pricebookId: null,
    },
    account: {
      id: id('001', 1),
      name: `Customer ${s.id}`,
      industry: d.industry,
      employees: d.employees,
      type: 'Customer',
      billingStreet: '1 Main Street',
      billingCity: 'Springfield',
      billingState: null,
      billingPostalCode: '12345',
      billingCountry: d.country,
      website: null,
    },
    lineItems,
    contactRoles: [
      {
        id: id('00K', 1),
        contactId: id('003', 1),
        name: 'Avery Quinn',
        title: 'Chief Financial Officer',
        email: 'avery.quinn@example.com',
        department: 'Finance',
        description: null,
        role: 'Economic Buyer',
        isPrimary: true,
      },
    ],
    // What the buyer said, as the calls the rep logged: the language module reads it from there.
    activities: d.signals.map((x, i) => ({
      id: id('00T', i + 1),
      kind: 'task' as const,
      type: 'Call',
      subject: `Call ${i + 1}`,
      body: x.quote,
      occurredAt: `2026-11-${String(10 + i).padStart(2, '0')}T15:00:00.000Z`,
      direction: null,
      from: null,
      contactId: id('003', 1),
    })),
    currencyRates: { USD: 1, EUR: 0.92, GBP: 0.79 },
    corporateCurrency: 'USD',
    approvalRules: [],
    readAt: `${today}T09:00:00.000Z`,
  };
  const signals = d.signals.map((x, i) => ({
    type: x.type,
    quote: x.quote,
    source: { label: `Call ${i + 1}` },
  }));
  return { deal, signals };
}
