/**
 * More of the demo company's customers and prospects: the accounts its closed-deal history
 * (sales-history.ts) and its open pipeline (open-pipeline.ts) belong to, each with two contacts,
 * and the helpers both files build opportunities with. Products and price book entries are the
 * demo company's (demo-company.ts), referenced by their seed names; a line item left without a
 * UnitPrice takes its price book entry's price, as in a real org.
 */
import { daysFromToday, ref, type SeedRecord, type SeedValue } from './seed-types.ts';

export type Currency = 'USD' | 'EUR' | 'GBP';
export type ProductKey =
  | 'platform-enterprise'
  | 'platform-professional'
  | 'iot'
  | 'mobile'
  | 'analytics'
  | 'implementation'
  | 'premium-support'
  | 'training';

/** Subscriptions carry the deal's discount; services, support and training are sold at list. */
export const SUBSCRIPTIONS: ReadonlySet<ProductKey> = new Set([
  'platform-enterprise',
  'platform-professional',
  'iot',
  'mobile',
  'analytics',
]);

interface AccountSeed {
  name: string;
  /** Short name opportunity names start with. */
  short: string;
  industry: string;
  city: string;
  country: string;
  currency: Currency;
  employees: number;
  owner: 'user.rep' | 'user.rep2';
  /** Two people: [first, last, title, opportunity contact role]. */
  people: readonly (readonly [string, string, string, string])[];
}

export const SALES_ACCOUNTS = {
  halvorsen: {
    name: 'Halvorsen Verpackung GmbH',
    short: 'Halvorsen Verpackung',
    industry: 'Manufacturing',
    city: 'Bielefeld',
    country: 'Germany',
    currency: 'EUR',
    employees: 1400,
    owner: 'user.rep',
    people: [
      ['Lena', 'Hoffmann', 'Head of Maintenance', 'Decision Maker'],
      ['Jonas', 'Weber', 'OT Systems Engineer', 'Technical Buyer'],
    ],
  },
  lyonnaise: {
    name: 'Fonderie Lyonnaise SA',
    short: 'Fonderie Lyonnaise',
    industry: 'Manufacturing',
    city: 'Lyon',
    country: 'France',
    currency: 'EUR',
    employees: 2100,
    owner: 'user.rep',
    people: [
      ['Camille', 'Moreau', 'Directrice des opérations', 'Economic Buyer'],
      ['Hugo', 'Lefèvre', 'Responsable maintenance', 'Evaluator'],
    ],
  },
  'great-lakes': {
    name: 'Great Lakes Castings Inc.',
    short: 'Great Lakes Castings',
    industry: 'Manufacturing',
    city: 'Toledo',
    country: 'United States',
    currency: 'USD',
    employees: 900,
    owner: 'user.rep',
    people: [
      ['Mark', 'Kowalski', 'VP Operations', 'Economic Buyer'],
      ['Tanya', 'Reed', 'Reliability Engineer', 'Technical Buyer'],
    ],
  },
  pennine: {
    name: 'Pennine Precision Components Ltd',
    short: 'Pennine Precision',
    industry: 'Manufacturing',
    city: 'Huddersfield',
    country: 'United Kingdom',
    currency: 'GBP',
    employees: 380,
    owner: 'user.rep2',
    people: [
      ['Gareth', 'Holt', 'Operations Director', 'Decision Maker'],
      ['Priya', 'Shah', 'Maintenance Planner', 'Evaluator'],
    ],
  },
  'st-aidan': {
    name: 'St. Aidan Hospital Group',
    short: 'St. Aidan Hospital Group',
    industry: 'Healthcare',
    city: 'Dublin',
    country: 'Ireland',
    currency: 'EUR',
    employees: 5200,
    owner: 'user.rep2',
    people: [
      ['Siobhán', 'Byrne', 'Director of Estates & Biomedical Engineering', 'Decision Maker'],
      ['Declan', 'Murphy', 'Information Security Manager', 'Technical Buyer'],
    ],
  },
  harborview: {
    name: 'Harborview Medical Partners',
    short: 'Harborview Medical Partners',
    industry: 'Healthcare',
    city: 'Portland',
    country: 'United States',
    currency: 'USD',
    employees: 3800,
    owner: 'user.rep',
    people: [
      ['Angela', 'Brooks', 'VP Facilities', 'Economic Buyer'],
      ['Ryan', 'Patel', 'Compliance Counsel', 'Influencer'],
    ],
  },
  northgate: {
    name: 'Northgate Water Services',
    short: 'Northgate Water',
    industry: 'Utilities',
    city: 'Leeds',
    country: 'United Kingdom',
    currency: 'GBP',
    employees: 1700,
    owner: 'user.rep2',
    people: [
      ['Fiona', 'Clarke', 'Head of Asset Management', 'Decision Maker'],
      ['Owen', 'Price', 'OT Security Lead', 'Technical Buyer'],
    ],
  },
  rheinstrom: {
    name: 'Rheinstrom Energie AG',
    short: 'Rheinstrom Energie',
    industry: 'Energy',
    city: 'Köln',
    country: 'Germany',
    currency: 'EUR',
    employees: 2600,
    owner: 'user.rep',
    people: [
      ['Matthias', 'Krüger', 'Leiter Netzbetrieb', 'Economic Buyer'],
      ['Anja', 'Schulz', 'Informationssicherheitsbeauftragte', 'Technical Buyer'],
    ],
  },
  'prairie-wind': {
    name: 'Prairie Wind Power LLC',
    short: 'Prairie Wind Power',
    industry: 'Energy',
    city: 'Amarillo',
    country: 'United States',
    currency: 'USD',
    employees: 260,
    owner: 'user.rep',
    people: [
      ['Cody', 'Hansen', 'Site Operations Manager', 'Decision Maker'],
      ['Maria', 'Lopez', 'Field Crew Supervisor', 'Business User'],
    ],
  },
  lakeshore: {
    name: 'Lakeshore Foods Co.',
    short: 'Lakeshore Foods',
    industry: 'Food & Beverage',
    city: 'Milwaukee',
    country: 'United States',
    currency: 'USD',
    employees: 1900,
    owner: 'user.rep',
    people: [
      ['Brian', 'Olson', 'Director of Engineering', 'Economic Buyer'],
      ['Kelly', 'Nguyen', 'Cold Chain Manager', 'Evaluator'],
    ],
  },
  'alpen-logistik': {
    name: 'Alpen Logistik GmbH',
    short: 'Alpen Logistik',
    industry: 'Transportation',
    city: 'Linz',
    country: 'Austria',
    currency: 'EUR',
    employees: 640,
    owner: 'user.rep2',
    people: [
      ['Stefan', 'Gruber', 'Fuhrparkleiter', 'Decision Maker'],
      ['Eva', 'Huber', 'Werkstattleiterin', 'Evaluator'],
    ],
  },
  'cascade-transit': {
    name: 'Cascade Transit Authority',
    short: 'Cascade Transit',
    industry: 'Transportation',
    city: 'Seattle',
    country: 'United States',
    currency: 'USD',
    employees: 2300,
    owner: 'user.rep',
    people: [
      ['Denise', 'Walker', 'Director of Fleet Maintenance', 'Economic Buyer'],
      ['Marcus', 'Lee', 'Contracts Officer', 'Influencer'],
    ],
  },
  brightwell: {
    name: 'Brightwell Data Centres Ltd',
    short: 'Brightwell Data Centres',
    industry: 'Technology',
    city: 'Slough',
    country: 'United Kingdom',
    currency: 'GBP',
    employees: 420,
    owner: 'user.rep2',
    people: [
      ['Imogen', 'Fraser', 'Head of Critical Facilities', 'Decision Maker'],
      ['Tom', 'Ashworth', 'CISO', 'Technical Buyer'],
    ],
  },
  'maple-grid': {
    name: 'Maple Grid Telecom',
    short: 'Maple Grid Telecom',
    industry: 'Telecommunications',
    city: 'Toronto',
    country: 'Canada',
    currency: 'USD',
    employees: 3100,
    owner: 'user.rep',
    people: [
      ['Nathan', 'Tremblay', 'VP Network Operations', 'Economic Buyer'],
      ['Aisha', 'Khan', 'Field Services Manager', 'Evaluator'],
    ],
  },
} as const satisfies Record<string, AccountSeed>;

export type AccountKey = keyof typeof SALES_ACCOUNTS;

export const account = (key: AccountKey): AccountSeed => SALES_ACCOUNTS[key];
const domain = (key: AccountKey) => `${key}.example`;
export const contactSeedRef = (key: AccountKey, index: number) => `contact.${key}.${index}`;

const rec = (refName: string, type: string, fields: Record<string, SeedValue>): SeedRecord => ({
  ref: refName,
  type,
  fields,
});

export const salesAccounts: SeedRecord[] = (Object.keys(SALES_ACCOUNTS) as AccountKey[]).flatMap((key) => {
  const a = account(key);
  return [
    rec(`account.${key}`, 'Account', {
      Name: a.name,
      Industry: a.industry,
      NumberOfEmployees: a.employees,
      Type: 'Prospect',
      Website: `https://www.${domain(key)}`,
      BillingCity: a.city,
      BillingCountry: a.country,
      OwnerId: ref(a.owner),
      CurrencyIsoCode: a.currency,
    }),
    ...a.people.map(([first, last, title], i) =>
      rec(contactSeedRef(key, i), 'Contact', {
        FirstName: first,
        LastName: last,
        Title: title,
        Email: `${first}.${last}@${domain(key)}`
          .normalize('NFD')
          .replace(/[\u0300-\u036f]/g, '')
          .toLowerCase(),
        AccountId: ref(`account.${key}`),
        OwnerId: ref(a.owner),
      }),
    ),
  ];
});

/** A line item at the price book's list price (the demo company's `list` price book). */
export function lineItemSeed(
  opportunityRef: string,
  currency: Currency,
  product: ProductKey,
  quantity: number,
  discount: number,
  serviceDay: number,
): SeedRecord {
  return rec(`oli.${opportunityRef}.${product}`, 'OpportunityLineItem', {
    OpportunityId: ref(opportunityRef),
    PricebookEntryId: ref(`pbe.list.${product}.${currency.toLowerCase()}`),
    Quantity: quantity,
    UnitPrice: null,
    Discount: SUBSCRIPTIONS.has(product) ? discount : 0,
    ServiceDate: daysFromToday(serviceDay),
  });
}

/** A competitor named on an opportunity, with what the team wrote about it. */
export function competitorSeed(
  opportunityRef: string,
  name: string,
  strengths: string,
  weaknesses: string,
): SeedRecord {
  return rec(`competitor.${opportunityRef}.${name.toLowerCase()}`, 'OpportunityCompetitor', {
    OpportunityId: ref(opportunityRef),
    CompetitorName: name,
    Strengths: strengths,
    Weaknesses: weaknesses,
  });
}

/** What the sales team knows about each competitor (OpportunityCompetitor Strengths/Weaknesses). */
export const COMPETITORS = {
  PlantPulse: {
    strengths: 'Low entry price; fast pilot installs on a few machines.',
    weaknesses: 'No OPC UA connector for Siemens S7 controllers; no EU-only hosting.',
  },
  Assetra: {
    strengths: 'Incumbent in hospital facilities; aggressive multi-year price locks.',
    weaknesses: 'Mobile app built for facilities, not medical devices; no BAA negotiation.',
  },
  FieldCore: {
    strengths: 'Dispatch and route planning for field crews; bundled telematics.',
    weaknesses: 'Thin preventive maintenance and asset registry.',
  },
  UptimeIQ: {
    strengths: 'Vibration analytics with its own sensors.',
    weaknesses: 'No work order management; needs a separate CMMS.',
  },
} as const;
export type CompetitorName = keyof typeof COMPETITORS;
