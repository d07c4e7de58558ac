/**
 * Two years of the demo company's closed deals, generated from the small table below, so the
 * Deal Closure strategy has history to learn from. The table holds the patterns a sales team
 * would recognise:
 * - against PlantPulse (manufacturing) we mostly win at modest discounts; the two losses came
 *   with deeper ones (they promised a faster go-live, not a lower price);
 * - against Assetra (healthcare, utilities, food) we mostly lose, and the wins needed deeper
 *   discounts than the losses;
 * - against FieldCore (transport, technology) we rarely win; UptimeIQ appears twice only;
 * - products attach by industry: training and premium support in most won manufacturing deals,
 *   premium support in most won healthcare deals, little of either in transportation.
 * Everything else (close dates, sizes, names, which services attach) follows deterministically
 * from a deal's position in the table and its account.
 */
import { at, daysFromToday, ref, type SeedRecord } from './seed-types.ts';
import {
  account,
  COMPETITORS,
  competitorSeed,
  lineItemSeed,
  type AccountKey,
  type CompetitorName,
  type ProductKey,
} from './sales-accounts.ts';

interface Play {
  competitor: CompetitorName | null;
  /** The deals' accounts, taken in turn. */
  accounts: readonly AccountKey[];
  /** One letter per deal: W won, L lost. */
  outcomes: string;
  /** Each deal's discount on its subscription lines, in percent. */
  discounts: readonly number[];
  won: string;
  lost: string;
}

const PLAYS: readonly Play[] = [
  {
    competitor: 'PlantPulse',
    accounts: ['halvorsen', 'lyonnaise', 'great-lakes', 'pennine'],
    outcomes: 'WWLWWWLWW',
    discounts: [10, 8, 16, 12, 10, 9, 18, 11, 10],
    won: 'The OPC UA connector to their Siemens controllers, proven in the pilot, decided it.',
    lost: 'PlantPulse promised a go-live in four weeks; our deeper discount did not change that.',
  },
  {
    competitor: 'Assetra',
    accounts: ['st-aidan', 'harborview', 'northgate', 'lakeshore'],
    outcomes: 'LWLLWLLW',
    discounts: [10, 18, 8, 12, 20, 10, 9, 17],
    won: 'Matched on price with a deeper discount and a signed BAA.',
    lost: "Assetra's multi-year price lock undercut our offer.",
  },
  {
    competitor: 'FieldCore',
    accounts: ['alpen-logistik', 'cascade-transit', 'brightwell', 'maple-grid'],
    outcomes: 'LLWLL',
    discounts: [12, 10, 15, 14, 10],
    won: 'Preventive maintenance depth outweighed their dispatch features.',
    lost: 'FieldCore bundled telematics and route planning we do not offer.',
  },
  {
    competitor: 'UptimeIQ',
    accounts: ['rheinstrom', 'prairie-wind'],
    outcomes: 'WL',
    discounts: [12, 10],
    won: 'They wanted work orders, not another analytics tool.',
    lost: 'UptimeIQ sensors were already installed on the turbines.',
  },
  {
    competitor: null,
    accounts: [
      'halvorsen',
      'st-aidan',
      'alpen-logistik',
      'rheinstrom',
      'great-lakes',
      'harborview',
      'cascade-transit',
      'lakeshore',
      'lyonnaise',
      'northgate',
      'brightwell',
      'maple-grid',
      'pennine',
      'prairie-wind',
    ],
    outcomes: 'WWWLWWWWLWWWWLWWWWWW',
    discounts: [10, 12, 8, 12, 9, 14, 10, 11, 12, 13, 15, 10, 12, 5, 11, 9, 12, 8, 10, 12],
    won: 'Standard terms; chosen after the demo and references.',
    lost: 'The budget moved to the next fiscal year (no decision).',
  },
];

/** What each industry buys beside the platform, and how often services attach to won deals (lost: half as often). */
const PROFILES: Record<
  string,
  { addOns: readonly ProductKey[]; attach: Readonly<Partial<Record<ProductKey, number>>>; purposes: string[] }
> = {
  Manufacturing: {
    addOns: ['iot'],
    attach: { implementation: 1, training: 0.8, 'premium-support': 0.7 },
    purposes: [
      'Plant Maintenance Rollout',
      'Line Monitoring Pilot',
      'Second Site',
      'Press Shop IoT',
      'Tooling Upkeep',
    ],
  },
  Healthcare: {
    addOns: ['mobile'],
    attach: { implementation: 1, 'premium-support': 0.9, training: 0.5 },
    purposes: [
      'Biomed Work Orders',
      'Facilities Platform',
      'Clinic Rollout',
      'Equipment Registry',
      'Estates Mobile',
    ],
  },
  Transportation: {
    addOns: ['mobile'],
    attach: { implementation: 0.8, training: 0.3, 'premium-support': 0.2 },
    purposes: ['Depot Maintenance', 'Workshop Mobile', 'Fleet Pilot', 'Yard Assets', 'Second Depot'],
  },
  Utilities: {
    addOns: ['iot', 'analytics'],
    attach: { implementation: 0.9, 'premium-support': 0.6, training: 0.4 },
    purposes: ['Pumping Stations', 'Network Telemetry', 'Treatment Works', 'Asset Analytics', 'Field Crews'],
  },
  Energy: {
    addOns: ['iot', 'analytics'],
    attach: { implementation: 0.9, 'premium-support': 0.6, training: 0.4 },
    purposes: ['Substation Assets', 'Turbine Monitoring', 'Grid Analytics', 'Field Crews', 'Plant Upkeep'],
  },
  'Food & Beverage': {
    addOns: ['iot'],
    attach: { implementation: 0.8, training: 0.6, 'premium-support': 0.4 },
    purposes: [
      'Cold Storage Monitoring',
      'Plant Maintenance',
      'Refrigeration IoT',
      'Bottling Line',
      'Warehouses',
    ],
  },
  Technology: {
    addOns: ['iot', 'mobile'],
    attach: { implementation: 0.6, 'premium-support': 0.3, training: 0.2 },
    purposes: [
      'Facilities Monitoring',
      'Cooling Assets',
      'Field Engineers',
      'Site Expansion',
      'Power Systems',
    ],
  },
  Telecommunications: {
    addOns: ['analytics', 'mobile'],
    attach: { implementation: 0.8, 'premium-support': 0.7, training: 0.3 },
    purposes: ['Tower Sites', 'Field Services', 'Network Assets', 'Shelter Monitoring', 'Regional Rollout'],
  },
};

/** Services attach in a fixed rotation: the n-th deal of an industry gets a service when its slot is under the rate. */
const SLOT_OFFSET: Partial<Record<ProductKey, number>> = {
  implementation: 0,
  training: 3,
  'premium-support': 7,
};

interface HistoryDeal {
  ref: string;
  accountKey: AccountKey;
  play: Play;
  won: boolean;
  discount: number;
  daysAgo: number;
  /** The deal's position among its industry's deals of the same outcome. */
  slot: number;
}

function historyDeals(): HistoryDeal[] {
  const deals: HistoryDeal[] = [];
  const slots = new Map<string, number>();
  let n = 0;
  for (const play of PLAYS) {
    [...play.outcomes].forEach((o, i) => {
      const accountKey = play.accounts[i % play.accounts.length]!;
      const won = o === 'W';
      const slotKey = `${account(accountKey).industry}|${won}`;
      const slot = slots.get(slotKey) ?? 0;
      slots.set(slotKey, slot + 1);
      // 263 and 680 share no factor, so the deals spread over 30–709 days ago without repeating a day.
      deals.push({
        ref: `opportunity.history.${n}`,
        accountKey,
        play,
        won,
        discount: play.discounts[i]!,
        daysAgo: 30 + ((n * 263) % 680),
        slot,
      });
      n++;
    });
  }
  return deals;
}

/** The products of a deal: the platform sized to the account, its industry's add-ons, the services that attach. */
function products(deal: HistoryDeal): [ProductKey, number][] {
  const a = account(deal.accountKey);
  const profile = PROFILES[a.industry]!;
  const users = Math.min(400, Math.max(25, Math.round((a.employees * 0.06) / 5) * 5));
  const quantities: Record<ProductKey, number> = {
    'platform-enterprise': users,
    'platform-professional': users,
    iot: Math.max(1, Math.round(users / 60)),
    mobile: Math.round(users * 0.7),
    analytics: 1,
    implementation: Math.min(60, Math.max(5, Math.round(users / 8))),
    'premium-support': 1,
    training: Math.max(8, Math.round(users * 0.15)),
  };
  const attached = (Object.entries(profile.attach) as [ProductKey, number][]).filter(
    ([key, rate]) => ((deal.slot + (SLOT_OFFSET[key] ?? 0)) % 10) / 10 < (deal.won ? rate : rate / 2),
  );
  const platform: ProductKey = users <= 60 ? 'platform-professional' : 'platform-enterprise';
  return [platform, ...profile.addOns, ...attached.map(([key]) => key)].map((key) => [key, quantities[key]]);
}

function dealRecords(deal: HistoryDeal, name: string): SeedRecord[] {
  const a = account(deal.accountKey);
  const { competitor } = deal.play;
  const outcome = deal.won
    ? `Won${competitor ? ` against ${competitor}` : ''} at ${deal.discount}% off the subscription lines. ${deal.play.won}`
    : `Lost${competitor ? ` to ${competitor}` : ''} with ${deal.discount}% off the subscription lines on the table. ${deal.play.lost}`;
  return [
    {
      ref: deal.ref,
      type: 'Opportunity',
      fields: {
        Name: name,
        AccountId: ref(`account.${deal.accountKey}`),
        StageName: deal.won ? 'Closed Won' : 'Closed Lost',
        CloseDate: daysFromToday(-deal.daysAgo),
        CreatedDate: at(-deal.daysAgo - 75),
        Type: 'New Business',
        OwnerId: ref(a.owner),
        Description: outcome,
        Pricebook2Id: ref('pricebook.list'),
        CurrencyIsoCode: a.currency,
      },
    },
    ...products(deal).map(([key, quantity]) =>
      lineItemSeed(deal.ref, a.currency, key, quantity, deal.discount, -deal.daysAgo + 14),
    ),
    ...(competitor
      ? [
          competitorSeed(
            deal.ref,
            competitor,
            COMPETITORS[competitor].strengths,
            COMPETITORS[competitor].weaknesses,
          ),
        ]
      : []),
  ];
}

/** The closed deals with their line items and competitors, oldest names first per account. */
export function salesHistory(): SeedRecord[] {
  const perAccount = new Map<AccountKey, number>();
  return historyDeals().flatMap((deal) => {
    const k = perAccount.get(deal.accountKey) ?? 0;
    perAccount.set(deal.accountKey, k + 1);
    const a = account(deal.accountKey);
    const purposes = PROFILES[a.industry]!.purposes;
    if (k >= purposes.length) throw new Error(`more history deals for ${a.short} than names`);
    return dealRecords(deal, `${a.short} - ${purposes[k]}`);
  });
}
