/**
 * The demo company's open pipeline beside the three scenario deals: twenty opportunities a rep
 * would recognise, across stages, sizes (a EUR 13,776 add-on to a EUR 590,200 group rollout),
 * industries, currencies and countries. Some name a competitor (an OpportunityCompetitor record,
 * and the description says so for the language module to read), some carry security or legal
 * asks (in the description or a short logged call), and the small ones on standard terms need no
 * approval at all under the shipped approval matrix (below USD 100,000, discount under 15%).
 */
import { at, daysFromToday, ref, type SeedRecord } from './seed-types.ts';
import {
  account,
  COMPETITORS,
  competitorSeed,
  contactSeedRef,
  lineItemSeed,
  type AccountKey,
  type CompetitorName,
  type ProductKey,
} from './sales-accounts.ts';

interface OpenDeal {
  key: string;
  account: AccountKey;
  title: string;
  stage: string;
  /** Close date, days from today. */
  close: number;
  type?: 'New Business' | 'Existing Business';
  lines: readonly (readonly [ProductKey, number])[];
  /** Discount on the subscription lines, in percent. */
  discount: number;
  competitor?: CompetitorName;
  description: string;
  nextStep: string;
  /** A short logged call with the buyer's ask, in their words. */
  call?: { subject: string; body: string; daysAgo: number };
}

const PIPELINE: readonly OpenDeal[] = [
  {
    key: 'halvorsen-bielefeld',
    account: 'halvorsen',
    title: 'Bielefeld Plant Rollout',
    stage: 'Negotiation/Review',
    close: 21,
    lines: [
      ['platform-enterprise', 110],
      ['iot', 3],
      ['implementation', 20],
    ],
    discount: 12,
    competitor: 'PlantPulse',
    description:
      'Rollout to the Bielefeld plant after a successful trial on the corrugator line: 110 Enterprise users, IoT for 300 assets, 20 implementation days. PlantPulse is also on the shortlist with a lower entry price.',
    nextStep: 'Send the revised proposal to Lena Hoffmann; OPC UA demo for Jonas Weber.',
  },
  {
    key: 'lyonnaise-pilot',
    account: 'lyonnaise',
    title: 'Predictive Maintenance Pilot',
    stage: 'Value Proposition',
    close: 60,
    lines: [
      ['platform-professional', 40],
      ['iot', 1],
      ['implementation', 8],
    ],
    discount: 5,
    description:
      'Pilot on the two induction furnaces in Vénissieux: 40 Professional users, one IoT pack, 8 implementation days, standard terms.',
    nextStep: 'Pilot success criteria workshop with Hugo Lefèvre.',
  },
  {
    key: 'great-lakes-foundry',
    account: 'great-lakes',
    title: 'Foundry Maintenance Platform',
    stage: 'Proposal/Price Quote',
    close: 35,
    lines: [
      ['platform-enterprise', 90],
      ['iot', 2],
      ['implementation', 15],
      ['training', 15],
    ],
    discount: 18,
    competitor: 'PlantPulse',
    description:
      'Maintenance platform for the Toledo foundry: 90 Enterprise users, IoT on the melt shop, 15 implementation days, 15 training seats. Competition: PlantPulse quoted below us; Mark Kowalski asked for 18% off to match.',
    nextStep: 'Sales VP review of the 18% discount before the proposal goes out.',
  },
  {
    key: 'pennine-cnc',
    account: 'pennine',
    title: 'CNC Cell Monitoring',
    stage: 'Qualification',
    close: 90,
    lines: [
      ['platform-professional', 30],
      ['iot', 1],
    ],
    discount: 0,
    description: 'Monitoring for six CNC cells: 30 Professional users and one IoT pack at list price.',
    nextStep: 'Confirm budget owner with Gareth Holt.',
  },
  {
    key: 'st-aidan-biomed',
    account: 'st-aidan',
    title: 'Biomedical Equipment Maintenance',
    stage: 'Negotiation/Review',
    close: 28,
    lines: [
      ['platform-enterprise', 260],
      ['mobile', 180],
      ['implementation', 35],
      ['premium-support', 1],
    ],
    discount: 15,
    competitor: 'Assetra',
    description:
      'Biomedical and estates maintenance across four hospitals: 260 Enterprise users, 180 Mobile Offline users, 35 implementation days, Premium Support. Competing with Assetra, which runs facilities today and offers a three-year price lock.',
    nextStep: 'Answer the InfoSec questionnaire; EU-only support access addendum to Declan Murphy.',
    call: {
      subject: 'Call with Declan Murphy - security review',
      body: 'Declan needs our ISO 27001 certificate, the latest penetration test summary and written confirmation that only EU-based staff can access their data before he signs off the security review.',
      daysAgo: 6,
    },
  },
  {
    key: 'harborview-facilities',
    account: 'harborview',
    title: 'Clinic Facilities Work Orders',
    stage: 'Id. Decision Makers',
    close: 45,
    lines: [
      ['platform-enterprise', 140],
      ['mobile', 80],
      ['implementation', 20],
      ['premium-support', 1],
      ['training', 20],
    ],
    discount: 10,
    competitor: 'Assetra',
    description:
      'Facilities work orders for 18 clinics: 140 Enterprise users, 80 Mobile Offline users, Premium Support, 20 implementation days, 20 training seats. Competing with Assetra.',
    nextStep: 'Legal to review the BAA redlines from Ryan Patel.',
    call: {
      subject: 'Call with Ryan Patel - BAA',
      body: 'Ryan wants breach notification within 5 business days in the BAA (our standard is 10) and asked whether we accept their liability language for PHI.',
      daysAgo: 9,
    },
  },
  {
    key: 'northgate-telemetry',
    account: 'northgate',
    title: 'Pumping Station Telemetry',
    stage: 'Perception Analysis',
    close: 50,
    lines: [
      ['platform-enterprise', 180],
      ['iot', 6],
      ['analytics', 1],
      ['implementation', 40],
    ],
    discount: 12,
    description:
      'Telemetry-driven maintenance for 140 pumping stations: 180 Enterprise users, IoT for 600 assets, Advanced Analytics, 40 implementation days. Security: Owen Price requires the NCSC Cyber Assessment Framework questionnaire and gateways that connect outbound only.',
    nextStep: 'Send the CAF questionnaire answers and the gateway network diagram to Owen Price.',
  },
  {
    key: 'rheinstrom-substations',
    account: 'rheinstrom',
    title: 'Substation Maintenance',
    stage: 'Negotiation/Review',
    close: 18,
    lines: [
      ['platform-enterprise', 220],
      ['iot', 8],
      ['analytics', 1],
      ['implementation', 45],
      ['premium-support', 1],
      ['training', 30],
    ],
    discount: 14,
    competitor: 'UptimeIQ',
    description:
      'Maintenance for 320 substations (critical infrastructure, KRITIS): 220 Enterprise users, IoT for 800 assets, Advanced Analytics, 45 implementation days, Premium Support, 30 training seats. Competing with UptimeIQ, whose vibration sensors the grid team liked. Custom terms requested: hosting in Germany only, and a security review by Anja Schulz under the KRITIS rules.',
    nextStep: 'Security review with Anja Schulz; German-hosting addendum to Legal.',
  },
  {
    key: 'prairie-wind-crews',
    account: 'prairie-wind',
    title: 'Turbine Fleet Mobile Crews',
    stage: 'Proposal/Price Quote',
    close: 40,
    lines: [
      ['platform-professional', 35],
      ['mobile', 35],
      ['implementation', 6],
    ],
    discount: 8,
    description:
      'Mobile work orders for the turbine crews: 35 Professional users, 35 Mobile Offline users, 6 implementation days, standard terms.',
    nextStep: 'Proposal walkthrough with Cody Hansen.',
  },
  {
    key: 'lakeshore-cold-storage',
    account: 'lakeshore',
    title: 'Cold Storage IoT Expansion',
    stage: 'Needs Analysis',
    close: 75,
    lines: [
      ['platform-enterprise', 150],
      ['iot', 5],
      ['implementation', 20],
      ['training', 20],
    ],
    discount: 10,
    description:
      'Cold storage monitoring for three plants: 150 Enterprise users, IoT for 500 refrigeration assets, 20 implementation days, 20 training seats.',
    nextStep: 'Site walk at the Milwaukee plant with Kelly Nguyen.',
  },
  {
    key: 'alpen-workshops',
    account: 'alpen-logistik',
    title: 'Fleet Workshop Platform',
    stage: 'Prospecting',
    close: 120,
    lines: [
      ['platform-professional', 50],
      ['mobile', 40],
      ['implementation', 6],
    ],
    discount: 0,
    competitor: 'FieldCore',
    description:
      'Workshop maintenance for 420 trucks: 50 Professional users, 40 Mobile Offline users. They are also looking at FieldCore for dispatch.',
    nextStep: 'Discovery call with Eva Huber.',
  },
  {
    key: 'cascade-depots',
    account: 'cascade-transit',
    title: 'Bus Depot Maintenance',
    stage: 'Value Proposition',
    close: 70,
    lines: [
      ['platform-enterprise', 200],
      ['mobile', 150],
      ['implementation', 30],
      ['premium-support', 1],
    ],
    discount: 12,
    competitor: 'FieldCore',
    description:
      'Maintenance for four bus depots: 200 Enterprise users, 150 Mobile Offline users, 30 implementation days, Premium Support. Competing with FieldCore, the other finalist. Legal: Marcus Lee requires the state procurement terms, including termination for convenience.',
    nextStep: 'Send the state terms to Legal for review.',
  },
  {
    key: 'brightwell-facilities',
    account: 'brightwell',
    title: 'Critical Facilities Maintenance',
    stage: 'Negotiation/Review',
    close: 25,
    lines: [
      ['platform-enterprise', 60],
      ['iot', 2],
      ['implementation', 10],
      ['premium-support', 1],
    ],
    discount: 10,
    description:
      'Maintenance for cooling and power in two data halls: 60 Enterprise users, IoT for 200 assets, 10 implementation days, Premium Support.',
    nextStep: 'Security pack to Tom Ashworth.',
    call: {
      subject: 'Call with Tom Ashworth - security review',
      body: 'Tom needs our SOC 2 Type II report and a penetration test summary before the contract, and asked for single sign-on through Okta.',
      daysAgo: 4,
    },
  },
  {
    key: 'maple-grid-towers',
    account: 'maple-grid',
    title: 'Tower Site Maintenance',
    stage: 'Qualification',
    close: 100,
    lines: [
      ['platform-enterprise', 300],
      ['mobile', 250],
      ['analytics', 1],
      ['implementation', 50],
    ],
    discount: 0,
    competitor: 'FieldCore',
    description:
      'Maintenance for 2,600 tower sites: 300 Enterprise users, 250 Mobile Offline users, Advanced Analytics, 50 implementation days. Competition: FieldCore, the incumbent for dispatch.',
    nextStep: 'Qualify budget and timeline with Nathan Tremblay.',
  },
  {
    key: 'halvorsen-mobile',
    account: 'halvorsen',
    title: 'Mobile Offline for Technicians',
    stage: 'Proposal/Price Quote',
    close: 30,
    type: 'Existing Business',
    lines: [
      ['mobile', 60],
      ['training', 10],
    ],
    discount: 5,
    description:
      'Mobile Offline for 60 technicians on the night shift, with 10 training seats; standard terms.',
    nextStep: 'Order form to Lena Hoffmann.',
  },
  {
    key: 'harborview-analytics',
    account: 'harborview',
    title: 'Advanced Analytics',
    stage: 'Proposal/Price Quote',
    close: 20,
    type: 'Existing Business',
    lines: [['analytics', 1]],
    discount: 0,
    description: 'Advanced Analytics for the facilities team at list price; standard terms.',
    nextStep: 'Angela Brooks to confirm the purchase order.',
  },
  {
    key: 'northgate-training',
    account: 'northgate',
    title: 'Training for Reservoir Teams',
    stage: 'Negotiation/Review',
    close: 12,
    type: 'Existing Business',
    lines: [
      ['training', 40],
      ['implementation', 4],
    ],
    discount: 0,
    description:
      'Training for 40 reservoir technicians and 4 consulting days for the rollout plan; standard terms.',
    nextStep: 'Fiona Clarke signs the order form this week.',
  },
  {
    key: 'lyonnaise-group',
    account: 'lyonnaise',
    title: 'Group Platform (4 Sites)',
    stage: 'Prospecting',
    close: 150,
    lines: [
      ['platform-enterprise', 400],
      ['iot', 10],
      ['analytics', 1],
      ['implementation', 60],
      ['premium-support', 1],
      ['training', 60],
    ],
    discount: 20,
    competitor: 'PlantPulse',
    description:
      'Group-wide platform for four foundries if the pilot succeeds: 400 Enterprise users, IoT for 1,000 assets, Advanced Analytics, 60 implementation days, Premium Support, 60 training seats. Camille Moreau expects 20% off for the group deal; Competing with PlantPulse, which is pitching the group too.',
    nextStep: 'Wait for the pilot review; prepare the group business case.',
  },
  {
    key: 'lakeshore-support',
    account: 'lakeshore',
    title: 'Premium Support Upgrade',
    stage: 'Id. Decision Makers',
    close: 33,
    type: 'Existing Business',
    lines: [['premium-support', 1]],
    discount: 0,
    description: 'Premium Support (24x7) for the night shifts; standard terms.',
    nextStep: 'Brian Olson to approve the upgrade.',
  },
  {
    key: 'brightwell-expansion',
    account: 'brightwell',
    title: 'Slough Campus Expansion',
    stage: 'Needs Analysis',
    close: 80,
    type: 'Existing Business',
    lines: [
      ['platform-enterprise', 40],
      ['iot', 1],
    ],
    discount: 15,
    description:
      'Expansion to the new Slough campus: 40 Enterprise users and one IoT pack; Imogen Fraser asked for 15% off to keep the per-user price of the first hall.',
    nextStep: 'Check the discount with the Sales VP.',
  },
];

function openDealRecords(d: OpenDeal): SeedRecord[] {
  const a = account(d.account);
  const oppRef = `opportunity.pipeline.${d.key}`;
  const [first, second] = a.people;
  return [
    {
      ref: oppRef,
      type: 'Opportunity',
      fields: {
        Name: `${a.short} - ${d.title}`,
        AccountId: ref(`account.${d.account}`),
        StageName: d.stage,
        CloseDate: daysFromToday(d.close),
        CreatedDate: at(-30),
        Type: d.type ?? 'New Business',
        OwnerId: ref(a.owner),
        Description: d.description,
        NextStep: d.nextStep,
        Pricebook2Id: ref('pricebook.list'),
        CurrencyIsoCode: a.currency,
      },
    },
    ...d.lines.map(([key, quantity]) =>
      lineItemSeed(oppRef, a.currency, key, quantity, d.discount, d.close + 14),
    ),
    ...[first, second].map((p, i) => ({
      ref: `ocr.pipeline.${d.key}.${i}`,
      type: 'OpportunityContactRole',
      fields: {
        OpportunityId: ref(oppRef),
        ContactId: ref(contactSeedRef(d.account, i)),
        Role: p![3],
        IsPrimary: i === 0,
      },
    })),
    ...(d.competitor
      ? [
          competitorSeed(
            oppRef,
            d.competitor,
            COMPETITORS[d.competitor].strengths,
            COMPETITORS[d.competitor].weaknesses,
          ),
        ]
      : []),
    ...(d.call
      ? [
          {
            ref: `task.pipeline.${d.key}`,
            type: 'Task',
            fields: {
              Subject: d.call.subject,
              Description: d.call.body,
              Status: 'Completed',
              Priority: 'Normal',
              Type: 'Call',
              TaskSubtype: 'Call',
              ActivityDate: daysFromToday(-d.call.daysAgo),
              CreatedDate: at(-d.call.daysAgo, '15:00'),
              WhatId: ref(oppRef),
              WhoId: ref(contactSeedRef(d.account, 1)),
              OwnerId: ref(a.owner),
            },
          },
        ]
      : []),
  ];
}

export const openPipeline: SeedRecord[] = PIPELINE.flatMap(openDealRecords);
