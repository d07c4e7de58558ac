/**
 * A labelled passage as a deal the agents can close: the passage goes where production finds such
 * words (a transcript or note with the closure, an email or logged call on the opportunity, its
 * description or next step), around it an ordinary open deal, and the Deal Closure Agent's own
 * entry point (`Stage.run`) decides, as in production.
 */
import { createLogger } from '../logger.ts';
import type { Activity, CrmPort, DealContext } from '../ports/crm.ts';
import type { LanguagePort } from '../ports/language.ts';
import type { RunRecord } from '../ports/store.ts';
import type { StageOutcome } from '../orchestrator/stage.ts';
import { stageContext } from '../test-support/deal-fixtures.ts';
import type { CorpusLine } from '../language/corpus.ts';
import { createDealClosureAgent, type DealClosureOutput } from '../agents/deal-closure/deal-closure-agent.ts';
import type { ModelReaderPort } from '../ports/language.ts';

export const EVAL_NOW = new Date('2026-11-25T09:00:00.000Z');
const id = (prefix: string, n = 1) => `${prefix}${String(n).padStart(15 - prefix.length, '0')}`;

/** A logged call's text: "Call: subject", a blank line, the comments. */
function taskParts(text: string): { type: string | null; subject: string | null; body: string } {
  const m = /^(Call|Meeting|Task|Email|Other)\s*:\s*([^\n]*)\n+([\s\S]*)$/.exec(text);
  return m
    ? { type: m[1]!, subject: m[2]!.trim() || null, body: m[3]! }
    : { type: 'Call', subject: null, body: text };
}

export function passageDeal(line: CorpusLine): { deal: DealContext; run: RunRecord } {
  const activities: Activity[] = [];
  const yesterday = new Date(EVAL_NOW.getTime() - 86_400_000).toISOString();
  if (line.source === 'email')
    activities.push({
      id: id('02s'),
      kind: 'email',
      type: 'Email',
      subject: null,
      body: line.text,
      occurredAt: yesterday,
      direction: line.direction ?? 'inbound',
      from: line.direction === 'outbound' ? line.rep : 'customer@buyer.example',
      contactId: null,
    });
  if (line.source === 'task') {
    const t = taskParts(line.text);
    activities.push({
      id: id('00T'),
      kind: 'task',
      type: t.type,
      subject: t.subject,
      body: t.body,
      occurredAt: yesterday,
      direction: null,
      from: null,
      contactId: id('003'),
    });
  }
  const deal: DealContext = {
    opportunity: {
      id: id('006'),
      name: `Passage ${line.id}`,
      stageName: 'Negotiation/Review',
      amountMinor: 48_000_00,
      currency: 'USD',
      closeDate: '2026-12-15',
      type: 'New Business',
      probability: 60,
      description: line.source === 'description' ? line.text : null,
      nextStep: line.source === 'next_step' ? line.text : null,
      isClosed: false,
      isWon: false,
      ownerId: id('005'),
      ownerName: line.rep,
      ownerEmail: 'rep@seller.example',
      pricebookId: null,
    },
    account: {
      id: id('001'),
      name: 'Customer',
      industry: 'Technology',
      employees: 300,
      type: 'Prospect',
      billingStreet: '1 Main Street',
      billingCity: 'Springfield',
      billingState: null,
      billingPostalCode: '12345',
      billingCountry: 'United States',
      website: null,
    },
    lineItems: [
      {
        id: id('00k'),
        productId: id('01t'),
        productName: 'Platform subscription',
        productCode: 'PLAT',
        family: 'Subscription',
        quantity: 40,
        unitPriceMinor: 1_200_00,
        listPriceMinor: 1_200_00,
        discountPercent: 0,
        totalPriceMinor: 48_000_00,
        description: null,
        serviceDate: null,
      },
    ],
    contactRoles: [
      {
        id: id('00K'),
        contactId: id('003'),
        name: 'Primary Contact',
        title: null,
        email: 'customer@buyer.example',
        department: null,
        description: null,
        role: 'Business User',
        isPrimary: true,
      },
    ],
    activities,
    currencyRates: { USD: 1 },
    corporateCurrency: 'USD',
    approvalRules: [],
    readAt: EVAL_NOW.toISOString(),
  };
  const run: RunRecord = {
    id: `run-${line.id}`,
    opportunityId: deal.opportunity.id,
    dealClosureId: null,
    trigger: 'Signal',
    note: line.source === 'note' ? line.text : null,
    transcript: line.source === 'transcript' ? line.text : null,
    idempotencyKey: null,
    status: 'running',
    waitingFor: null,
    stageIndex: 0,
    error: null,
    createdAt: EVAL_NOW.toISOString(),
    updatedAt: EVAL_NOW.toISOString(),
    completedAt: null,
    memo: {},
  };
  return { deal, run };
}

const silent = createLogger({ level: 'silent' });

/** The Deal Closure Agent's decision on a passage's deal, through its own entry point. */
export async function closePassage(
  line: CorpusLine,
  language: LanguagePort,
  modelReader?: ModelReaderPort,
): Promise<{ outcome: StageOutcome; output: DealClosureOutput }> {
  const { deal, run } = passageDeal(line);
  const crm = { loadDeal: async () => deal } as unknown as CrmPort;
  const agent = createDealClosureAgent({
    crm,
    language,
    ...(modelReader ? { modelReader } : {}),
    logger: silent,
  });
  // The tests' stage context, in memory (no store, no Salesforce), around this passage's run.
  const outcome = await agent.run({ ...stageContext('deal_closure', {}, { now: EVAL_NOW }), run });
  return { outcome, output: outcome.output as DealClosureOutput };
}
