/**
 * Earlier contracts in the demo org: the final Contract_Version__c (full variant) of closed
 * deals, with what the customer asked for (Requested_Terms__c, as dealdesk writes it) and how
 * Legal settled what it did not accept (Settled_Terms__c). The Contract Generation Agent reads
 * them as the account's history:
 *
 * - Van Dijk Food Logistics asked for EU data residency and net 45 in both of its contracts, and
 *   got both: a new Van Dijk contract starts with them.
 * - Harbourline Ferries (an account of its own here, with three won deals) asked for uncapped
 *   liability every time: refused once, then settled at twice the annual fees twice; and for
 *   quarterly invoicing twice. A new Harbourline contract starts with the 2x cap and quarterly
 *   invoicing, saying so.
 * - Summit Valley's lost deal asked for uncapped liability and a BAA; a lost deal settled nothing.
 */
import { at, daysFromToday, ref, type SeedRecord } from './seed-types.ts';

interface Asked {
  term: string;
  topic: string;
  value?: number | string;
  text: string;
}

interface Settled {
  term: string;
  outcome: 'accepted' | 'settled' | 'refused';
  clause?: string;
  note?: string;
}

interface PastContract {
  key: string;
  /** The Deal_Closure__c of approval-history.ts, or one this file adds. */
  closure: string;
  account: string;
  /** Days from today the contract was generated. */
  createdDays: number;
  version: number;
  template: 'MSA' | 'Order_Form' | 'SOW';
  risk: 'Low' | 'Medium' | 'High';
  legalReview: boolean;
  asked: Asked[];
  settled: Settled[] | null;
}

const EU_RESIDENCY = { term: 'residency_EU', topic: 'EU data residency' };
const NET_45 = { term: 'payment_days', topic: 'payment terms', value: 45 };
const UNCAPPED = { term: 'uncapped_liability', topic: 'liability beyond the standard cap' };
const QUARTERLY = { term: 'billing', topic: 'invoicing', value: 'quarterly' };
const TWICE_FEES = {
  term: 'uncapped_liability',
  outcome: 'settled',
  clause: 'liability-cap-enhanced',
  note: 'a cap of twice the annual fees',
} as const;

const CONTRACTS: PastContract[] = [
  {
    key: 'van-dijk-platform',
    closure: 'closure.history.van-dijk-platform',
    account: 'account.van-dijk',
    createdDays: -219,
    version: 2,
    template: 'MSA',
    risk: 'High',
    legalReview: true,
    asked: [
      { ...EU_RESIDENCY, text: 'All our data stays in the EU: hosting in Frankfurt, backups included.' },
      { ...NET_45, text: 'We pay all logistics vendors at 45 days net.' },
    ],
    settled: null,
  },
  {
    key: 'van-dijk-iot',
    closure: 'closure.history.van-dijk-iot',
    account: 'account.van-dijk',
    createdDays: -107,
    version: 1,
    template: 'Order_Form',
    risk: 'Medium',
    legalReview: false,
    asked: [
      { ...EU_RESIDENCY, text: 'Same as the platform: telemetry stays in Frankfurt.' },
      { ...NET_45, text: '45 days net, as on the platform contract.' },
    ],
    settled: null,
  },
  {
    key: 'summit-valley',
    closure: 'closure.history.summit-valley',
    account: 'account.summit-valley',
    createdDays: -437,
    version: 1,
    template: 'MSA',
    risk: 'High',
    legalReview: true,
    asked: [
      { term: 'health_data', topic: 'business associate agreement', text: 'An executed BAA before go-live.' },
      { ...UNCAPPED, text: 'Liability for PHI breaches must be uncapped.' },
    ],
    settled: [{ term: 'uncapped_liability', outcome: 'refused' }],
  },
  {
    key: 'harbourline-fleet',
    closure: 'closure.history.harbourline-fleet',
    account: 'account.harbourline',
    createdDays: -572,
    version: 2,
    template: 'MSA',
    risk: 'High',
    legalReview: true,
    asked: [
      { ...UNCAPPED, text: 'Maintenance records are safety-critical: your liability must be uncapped.' },
      { ...QUARTERLY, text: 'We budget and pay quarterly.' },
    ],
    settled: [{ term: 'uncapped_liability', outcome: 'refused' }],
  },
  {
    key: 'harbourline-terminals',
    closure: 'closure.history.harbourline-terminals',
    account: 'account.harbourline',
    createdDays: -341,
    version: 3,
    template: 'MSA',
    risk: 'High',
    legalReview: true,
    asked: [
      { ...UNCAPPED, text: 'Uncapped liability again, for the terminal equipment.' },
      { ...QUARTERLY, text: 'Quarterly invoices, please, as on the fleet contract.' },
    ],
    settled: [TWICE_FEES],
  },
  {
    key: 'harbourline-crew',
    closure: 'closure.history.harbourline-crew',
    account: 'account.harbourline',
    createdDays: -84,
    version: 2,
    template: 'Order_Form',
    risk: 'High',
    legalReview: true,
    asked: [{ ...UNCAPPED, text: 'Our General Counsel asks for uncapped liability on every contract.' }],
    settled: [TWICE_FEES],
  },
];

/** Harbourline Ferries: an account whose history is its contracts (no open deal). */
const harbourline: SeedRecord[] = [
  {
    ref: 'account.harbourline',
    type: 'Account',
    fields: {
      Name: 'Harbourline Ferries Ltd',
      Industry: 'Transportation',
      NumberOfEmployees: 640,
      Type: 'Customer',
      Website: 'https://www.harbourline.example',
      Phone: '+44 23 8049 6100',
      BillingStreet: 'Ocean Gate, Town Quay',
      BillingCity: 'Southampton',
      BillingPostalCode: 'SO14 2AQ',
      BillingCountry: 'United Kingdom',
      Description:
        'Ferry operator on the Solent and the Channel Islands routes: seven vessels, two terminals. Customer for about 19 months; its General Counsel negotiates liability on every contract (maintenance records are safety-critical).',
      OwnerId: ref('user.rep2'),
      CurrencyIsoCode: 'GBP',
    },
  },
  ...(
    [
      ['harbourline-fleet', 'Harbourline Ferries - Fleet Maintenance', 86400, -560, 'New Business'],
      ['harbourline-terminals', 'Harbourline Ferries - Terminal Equipment', 61500, -330, 'Existing Business'],
      ['harbourline-crew', 'Harbourline Ferries - Crew Mobile', 38200, -75, 'Existing Business'],
    ] as const
  ).flatMap(([key, name, amount, closeDays, type]): SeedRecord[] => [
    {
      ref: `opportunity.${key}`,
      type: 'Opportunity',
      fields: {
        Name: name,
        AccountId: ref('account.harbourline'),
        StageName: 'Closed Won',
        Amount: amount,
        CloseDate: daysFromToday(closeDays),
        Type: type,
        Probability: 100,
        OwnerId: ref('user.rep2'),
        CurrencyIsoCode: 'GBP',
        ForecastCategoryName: 'Closed',
      },
    },
    {
      ref: `closure.history.${key}`,
      type: 'Deal_Closure__c',
      fields: {
        Opportunity__c: ref(`opportunity.${key}`),
        Status__c: 'Completed',
        Trigger__c: 'Rep',
        Run_Id__c: `run-history-${key}`,
        Started_At__c: at(closeDays - 14, '09:00'),
      },
    },
  ]),
];

export const contractHistory: SeedRecord[] = [
  ...harbourline,
  ...CONTRACTS.map((c): SeedRecord => ({
    ref: `contract-version.history.${c.key}`,
    type: 'Contract_Version__c',
    fields: {
      Deal_Closure__c: ref(c.closure),
      Account__c: ref(c.account),
      Version__c: c.version,
      Variant__c: 'Full',
      Template__c: c.template,
      Risk_Level__c: c.risk,
      Legal_Review_Required__c: c.legalReview,
      Requested_Terms__c: JSON.stringify(
        c.asked.map((a) => ({
          term: a.term,
          topic: a.topic,
          value: a.value ?? null,
          text: a.text,
          from: 'buyer',
        })),
      ),
      Settled_Terms__c: c.settled ? JSON.stringify(c.settled) : null,
      CreatedDate: at(c.createdDays, '10:00'),
      Idempotency_Key__c: `run-history-${c.key}:contract:v${c.version}:Full`,
    },
  })),
];
