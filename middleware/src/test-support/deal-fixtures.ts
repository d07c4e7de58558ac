/**
 * Builders for the deal as the CRM port hands it to the agents (DealContext and its parts), and a
 * StageContext that serves earlier stages' memoised results, for agent unit tests. Each builder
 * takes overrides, so a test states only what it is about.
 */
import type { Activity, ApprovalRule, ContactRole, CrmUser, DealContext, LineItem } from '../ports/crm.ts';
import type { RequestedTerms } from '../ports/language.ts';
import type { StageContext, StageKey } from '../orchestrator/stage.ts';
import type { AssessedSignal } from '../agents/deal-closure/assessment.ts';
import type { ContractOutput } from '../agents/contract-generation/contract-agent.ts';
import type { HandoffOwners } from '../agents/handoff-coordination/handoff-owners.ts';
import { createLogger } from '../logger.ts';

let sequence = 0;
/** A distinct, well-formed Salesforce id with the given key prefix. */
export function sfId(prefix: string): string {
  sequence++;
  return `${prefix}Dd${String(sequence).padStart(10, '0')}AAA`;
}

export function lineItem(over: Partial<LineItem> = {}): LineItem {
  return {
    id: sfId('00k'),
    productId: null,
    productName: 'Platform',
    productCode: 'PLT',
    family: 'Platform',
    quantity: 10,
    unitPriceMinor: 10_000,
    listPriceMinor: 10_000,
    discountPercent: 0,
    totalPriceMinor: 100_000,
    description: null,
    serviceDate: null,
    ...over,
  };
}

export function contactRole(over: Partial<ContactRole> = {}): ContactRole {
  return {
    id: sfId('00K'),
    contactId: sfId('003'),
    name: 'A',
    title: null,
    email: null,
    department: null,
    description: null,
    role: 'Business User',
    isPrimary: false,
    ...over,
  };
}

export function activity(over: Partial<Activity> = {}): Activity {
  return {
    id: sfId('00T'),
    kind: 'task',
    type: 'Call',
    subject: 'Call',
    body: null,
    occurredAt: '2026-11-20T10:00:00.000+0000',
    direction: null,
    from: null,
    contactId: null,
    ...over,
  };
}

export type DealOverrides = Partial<Omit<DealContext, 'opportunity' | 'account'>> & {
  opportunity?: Partial<DealContext['opportunity']>;
  account?: Partial<NonNullable<DealContext['account']>> | null;
};

/** A deal in negotiation: USD 1,000.00, one line item, no contacts or activity unless given. */
export function dealContext(over: DealOverrides = {}): DealContext {
  const { opportunity, account, ...rest } = over;
  return {
    opportunity: {
      id: '006Dd0000000001AAA',
      name: 'Rollout',
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
      ...opportunity,
    },
    account:
      account === null
        ? null
        : {
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
            ...account,
          },
    lineItems: [lineItem()],
    contactRoles: [],
    activities: [],
    currencyRates: { USD: 1 },
    corporateCurrency: 'USD',
    approvalRules: [],
    readAt: '2026-11-25T00:00:00Z',
    ...rest,
  };
}

/** A closing signal found in an activity (or a transcript). */
export function signal(
  over: Partial<AssessedSignal> & Pick<AssessedSignal, 'type' | 'quote'>,
): AssessedSignal {
  return {
    polarity: 0,
    readiness: false,
    qualifiers: [],
    source: {
      kind: 'task',
      recordId: '00TDd0000000001AAA',
      occurredAt: '2026-11-20T10:00:00Z',
      label: 'Call',
      who: null,
    },
    weight: 0,
    ...over,
  };
}

/** The contract Contract Generation hands on: 12 months from 1 December 2026, the SLA clause. */
export function contractOutput(over: Partial<ContractOutput> = {}): ContractOutput {
  return {
    version: 1,
    template: 'MSA',
    templateRule: { rule: 'default template', because: [] },
    clauses: [{ id: 'sla', version: 1, rule: 'standard clause', because: [], nonStandard: false }],
    riskLevel: 'Low',
    riskFactors: [],
    riskDetails: [],
    legalReviewRequired: false,
    contentHash: 'a'.repeat(64),
    fileName: 'msa.pdf',
    fileKey: 'run-1:contract:v1:file',
    variants: [],
    changes: [],
    unchanged: false,
    snapshot: {
      version: 1,
      fingerprint: 'f'.repeat(64),
      totalValue: '',
      term: '',
      payment: 'net 30 days, invoiced annually',
      riskLevel: 'Low',
      lines: [],
      clauses: [],
      hashes: {},
    },
    startDate: '2026-12-01',
    endDate: '2027-11-30',
    termMonths: 12,
    totalMinor: 100_000,
    currency: 'USD',
    specialTerms: '',
    signers: [],
    ...over,
  };
}

/** What the language module read the buyer asking for: nothing, unless the overrides say so. */
export function requestedTerms(over: Partial<RequestedTerms> = {}): RequestedTerms {
  return {
    paymentDays: null,
    billing: null,
    residency: null,
    healthData: false,
    securityReview: false,
    multiYear: false,
    termMonths: null,
    nonStandard: [],
    evidence: {},
    ...over,
  };
}

/** An active Finance approval rule with no condition, a 24 h SLA, an approver and a backup. */
export function approvalRule(over: Partial<ApprovalRule> = {}): ApprovalRule {
  return {
    name: 'Finance_Large_Deal',
    role: 'Finance',
    minAmountMinor: null,
    currency: 'USD',
    minDiscountPercent: null,
    requiresCustomTerms: false,
    requiresSecurityReview: false,
    requiresLegalReview: false,
    slaHours: 24,
    approverUsername: 'finance@x.example',
    backupUsername: 'backup@x.example',
    dependsOn: [],
    active: true,
    ...over,
  };
}

/** Every user the handoff owner rules name, active, as Salesforce would return them. */
export function handoffUsers(owners: HandoffOwners): CrmUser[] {
  const names = Object.values(owners.teams).flatMap((t) => [
    ...t.industrySpecialists.map((r) => r.username),
    ...t.territories.map((r) => r.username),
    ...t.roundRobin,
  ]);
  return [...new Set(names)].map((username, i) => ({
    id: `005Dd00000000${String(i + 10).padStart(2, '0')}AAA`,
    username,
    name: username.split('@')[0]!,
    email: username,
    isActive: true,
    delegatedApproverId: null,
    managerId: null,
  }));
}

/**
 * A StageContext for one stage: `recall` serves the given memoised results of earlier stages
 * (`{ deal_closure: { deal, assessment } }`), `memo` computes once and keeps the value.
 */
export function stageContext(
  stage: StageKey,
  earlier: Partial<Record<StageKey, Record<string, unknown>>>,
  over: { runId?: string; now?: Date; createdAt?: string } = {},
): StageContext & { memos: Map<string, unknown> } {
  const memos = new Map<string, unknown>();
  const state = new Map<string, unknown>();
  const now = over.now ?? new Date('2026-11-25T12:00:00Z');
  return {
    memos,
    run: {
      id: over.runId ?? 'run-test',
      opportunityId: '006Dd0000000001AAA',
      dealClosureId: null,
      trigger: 'Rep',
      note: null,
      transcript: null,
      idempotencyKey: null,
      status: 'running',
      waitingFor: null,
      stageIndex: 0,
      error: null,
      createdAt: over.createdAt ?? '2026-11-25T10:00:00Z',
      updatedAt: now.toISOString(),
      completedAt: null,
      memo: {},
    },
    stage,
    attempt: 1,
    generation: 0,
    events: [],
    logger: createLogger({ level: 'silent' }),
    now: () => now,
    async memo<T>(key: string, compute: () => Promise<T>): Promise<T> {
      if (!memos.has(key)) memos.set(key, await compute());
      return memos.get(key) as T;
    },
    recall: <T>(from: StageKey, key: string) => earlier[from]?.[key] as T | undefined,
    earlier: () => [],
    load: <T>(key: string) => state.get(key) as T | undefined,
    async save(key, value) {
      state.set(key, value);
    },
    async saveAll(values) {
      for (const [key, value] of Object.entries(values)) state.set(key, value);
    },
    async commit() {
      throw new Error('this test stage context does not commit');
    },
    async index() {},
    async schedule() {},
    async clearTimers() {},
  };
}
