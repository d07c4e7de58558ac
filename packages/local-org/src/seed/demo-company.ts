/**
 * The demo company a fresh local org is seeded with.
 *
 * The seller is "Meridian", a maintenance and field-service SaaS vendor (users live under
 * @dealdesk-demo.example). Its book of business:
 *
 * - Brennecke Antriebstechnik GmbH (Germany, manufacturing, EUR): `opportunity.verbal-yes`, a
 *   three-plant rollout where the COO gave a clear verbal yes; plus the Chemnitz pilot won ~11 months ago.
 * - Summit Valley Health (United States, healthcare, USD): `opportunity.ambiguous`, mixed signals
 *   (BAA, CFO sign-off, Assetra comparison, open security items); plus a deal lost ~14 months ago.
 * - Kestrel Charge Ltd (United Kingdom, technology, GBP): `opportunity.not-ready`, budget freeze,
 *   champion gone, revisit next quarter.
 * - Van Dijk Food Logistics, Pinecrest Senior Living, Mercia Rail Engineering: closed deals that
 *   give the agents precedent (EU data residency, a negotiated BAA, a 25% discount, a UK contract).
 *
 * All dates are relative to the day of seeding; texts say "in nine weeks", never a calendar date,
 * so the story stays consistent whenever the org is seeded. Every Opportunity Amount equals the
 * sum of its line items' Quantity x UnitPrice x (1 - Discount/100).
 */
import { at, daysFromToday, ref, type SeedRecord } from './seed-types.ts';
import { approvalHistory } from './approval-history.ts';
import { contractHistory } from './contract-history.ts';
import { signatureHistory } from './signature-history.ts';
import { salesBook } from './sales-book.ts';
import { BASELINE_REFS } from './seed-loader.ts';
import type { PackagePermissionSet } from './permission-sets.ts';

type Fields = SeedRecord['fields'];
type Currency = 'USD' | 'EUR' | 'GBP';

const CURRENCIES: readonly Currency[] = ['USD', 'EUR', 'GBP'];
const DOMAIN = 'dealdesk-demo.example';

const rec = (refName: string, type: string, fields: Fields): SeedRecord => ({ ref: refName, type, fields });
const lines = (...parts: string[]): string => parts.join('\n');

// ---------------------------------------------------------------------------------------------
// Currencies
// ---------------------------------------------------------------------------------------------

const currencies: SeedRecord[] = [
  rec('currency.usd', 'CurrencyType', {
    IsoCode: 'USD',
    ConversionRate: 1.0,
    IsCorporate: true,
    IsActive: true,
    DecimalPlaces: 2,
  }),
  rec('currency.eur', 'CurrencyType', {
    IsoCode: 'EUR',
    ConversionRate: 0.92,
    IsCorporate: false,
    IsActive: true,
    DecimalPlaces: 2,
  }),
  rec('currency.gbp', 'CurrencyType', {
    IsoCode: 'GBP',
    ConversionRate: 0.79,
    IsCorporate: false,
    IsActive: true,
    DecimalPlaces: 2,
  }),
];

// ---------------------------------------------------------------------------------------------
// Users (the seller's people). Order matters: managers and delegates come before their reports.
// ---------------------------------------------------------------------------------------------

interface UserSeed {
  ref: string;
  username: string;
  first: string;
  last: string;
  alias: string;
  title: string;
  department: string;
  timeZone: 'America/New_York' | 'America/Chicago' | 'Europe/London' | 'Europe/Berlin' | 'Europe/Paris';
  locale: 'en_US' | 'en_GB' | 'de_DE' | 'fr_FR';
  currency: Currency;
  manager?: string;
  delegatedApprover?: string;
}

const USERS: readonly UserSeed[] = [
  {
    ref: 'user.admin',
    username: `alex.morgan@${DOMAIN}`,
    first: 'Alex',
    last: 'Morgan',
    alias: 'amorgan',
    title: 'Salesforce Administrator',
    department: 'Revenue Operations',
    timeZone: 'America/New_York',
    locale: 'en_US',
    currency: 'USD',
  },
  {
    ref: 'user.integration',
    username: `integration@${DOMAIN}`,
    first: 'DealDesk',
    last: 'Integration',
    alias: 'ddinteg',
    title: 'Integration User',
    department: 'Revenue Operations',
    timeZone: 'America/New_York',
    locale: 'en_US',
    currency: 'USD',
  },
  {
    ref: 'user.exec',
    username: `marcus.bell@${DOMAIN}`,
    first: 'Marcus',
    last: 'Bell',
    alias: 'mbell',
    title: 'Chief Revenue Officer',
    department: 'Executive',
    timeZone: 'America/New_York',
    locale: 'en_US',
    currency: 'USD',
  },
  {
    ref: 'user.exec-backup',
    username: `laura.jennings@${DOMAIN}`,
    first: 'Laura',
    last: 'Jennings',
    alias: 'ljenning',
    title: 'Chief Operating Officer',
    department: 'Executive',
    timeZone: 'America/New_York',
    locale: 'en_US',
    currency: 'USD',
  },
  {
    ref: 'user.sales-vp',
    username: `priya.raman@${DOMAIN}`,
    first: 'Priya',
    last: 'Raman',
    alias: 'praman',
    title: 'VP of Sales, Enterprise',
    department: 'Sales',
    timeZone: 'America/New_York',
    locale: 'en_US',
    currency: 'USD',
    manager: 'user.exec',
  },
  {
    ref: 'user.sales-vp-backup',
    username: `claire.dubois@${DOMAIN}`,
    first: 'Claire',
    last: 'Dubois',
    alias: 'cdubois',
    title: 'VP of Sales, EMEA',
    department: 'Sales',
    timeZone: 'Europe/Paris',
    locale: 'fr_FR',
    currency: 'EUR',
    manager: 'user.exec',
  },
  {
    ref: 'user.sales-manager',
    username: `dana.whitfield@${DOMAIN}`,
    first: 'Dana',
    last: 'Whitfield',
    alias: 'dwhitfie',
    title: 'Sales Manager, Strategic Accounts',
    department: 'Sales',
    timeZone: 'America/New_York',
    locale: 'en_US',
    currency: 'USD',
    manager: 'user.sales-vp',
  },
  {
    ref: 'user.rep',
    username: `jordan.keller@${DOMAIN}`,
    first: 'Jordan',
    last: 'Keller',
    alias: 'jkeller',
    title: 'Senior Account Executive, Strategic Accounts',
    department: 'Sales',
    timeZone: 'America/New_York',
    locale: 'en_US',
    currency: 'USD',
    manager: 'user.sales-manager',
  },
  {
    ref: 'user.rep2',
    username: `tom.hadley@${DOMAIN}`,
    first: 'Tom',
    last: 'Hadley',
    alias: 'thadley',
    title: 'Account Executive, UK & Benelux',
    department: 'Sales',
    timeZone: 'Europe/London',
    locale: 'en_GB',
    currency: 'GBP',
    manager: 'user.sales-manager',
  },
  {
    ref: 'user.finance',
    username: `elena.petrova@${DOMAIN}`,
    first: 'Elena',
    last: 'Petrova',
    alias: 'epetrova',
    title: 'Director of Finance, Deal Desk',
    department: 'Finance',
    timeZone: 'America/New_York',
    locale: 'en_US',
    currency: 'USD',
    manager: 'user.exec-backup',
  },
  {
    ref: 'user.finance-backup',
    username: `raj.patel@${DOMAIN}`,
    first: 'Raj',
    last: 'Patel',
    alias: 'rpatel',
    title: 'Senior Finance Manager, Revenue',
    department: 'Finance',
    timeZone: 'America/Chicago',
    locale: 'en_US',
    currency: 'USD',
    manager: 'user.finance',
  },
  {
    ref: 'user.legal-backup',
    username: `oliver.grant@${DOMAIN}`,
    first: 'Oliver',
    last: 'Grant',
    alias: 'ogrant',
    title: 'Commercial Counsel',
    department: 'Legal',
    timeZone: 'Europe/London',
    locale: 'en_GB',
    currency: 'GBP',
    manager: 'user.exec-backup',
  },
  {
    // Out of office: her approvals go to her delegate, the Legal backup.
    ref: 'user.legal',
    username: `hannah.brooks@${DOMAIN}`,
    first: 'Hannah',
    last: 'Brooks',
    alias: 'hbrooks',
    title: 'Senior Corporate Counsel',
    department: 'Legal',
    timeZone: 'America/New_York',
    locale: 'en_US',
    currency: 'USD',
    manager: 'user.exec-backup',
    delegatedApprover: 'user.legal-backup',
  },
  {
    ref: 'user.infosec',
    username: `samuel.okafor@${DOMAIN}`,
    first: 'Samuel',
    last: 'Okafor',
    alias: 'sokafor',
    title: 'Head of Information Security',
    department: 'Security',
    timeZone: 'America/Chicago',
    locale: 'en_US',
    currency: 'USD',
    manager: 'user.exec-backup',
  },
  {
    ref: 'user.infosec-backup',
    username: `mei.chen@${DOMAIN}`,
    first: 'Mei',
    last: 'Chen',
    alias: 'mchen',
    title: 'Security Compliance Manager',
    department: 'Security',
    timeZone: 'Europe/Berlin',
    locale: 'en_GB',
    currency: 'EUR',
    manager: 'user.infosec',
  },
  // The teams that receive handoffs (config/handoff-owners.json assigns them by rule).
  {
    ref: 'user.cs-lead',
    username: `sophie.laurent@${DOMAIN}`,
    first: 'Sophie',
    last: 'Laurent',
    alias: 'slaurent',
    title: 'Head of Customer Success',
    department: 'Customer Success',
    timeZone: 'Europe/Paris',
    locale: 'fr_FR',
    currency: 'EUR',
    manager: 'user.exec-backup',
  },
  {
    ref: 'user.csm-manufacturing',
    username: `nina.hoffmann@${DOMAIN}`,
    first: 'Nina',
    last: 'Hoffmann',
    alias: 'nhoffman',
    title: 'Customer Success Manager, Manufacturing',
    department: 'Customer Success',
    timeZone: 'Europe/Berlin',
    locale: 'de_DE',
    currency: 'EUR',
    manager: 'user.cs-lead',
  },
  {
    ref: 'user.csm-americas',
    username: `carlos.mendes@${DOMAIN}`,
    first: 'Carlos',
    last: 'Mendes',
    alias: 'cmendes',
    title: 'Customer Success Manager, Americas',
    department: 'Customer Success',
    timeZone: 'America/Chicago',
    locale: 'en_US',
    currency: 'USD',
    manager: 'user.cs-lead',
  },
  {
    ref: 'user.implementation-emea',
    username: `felix.wagner@${DOMAIN}`,
    first: 'Felix',
    last: 'Wagner',
    alias: 'fwagner',
    title: 'Implementation Lead, EMEA',
    department: 'Professional Services',
    timeZone: 'Europe/Berlin',
    locale: 'de_DE',
    currency: 'EUR',
    manager: 'user.exec-backup',
  },
  {
    ref: 'user.implementation',
    username: `aisha.khan@${DOMAIN}`,
    first: 'Aisha',
    last: 'Khan',
    alias: 'akhan',
    title: 'Implementation Consultant',
    department: 'Professional Services',
    timeZone: 'Europe/London',
    locale: 'en_GB',
    currency: 'GBP',
    manager: 'user.implementation-emea',
  },
  {
    ref: 'user.support-lead',
    username: `diego.ramos@${DOMAIN}`,
    first: 'Diego',
    last: 'Ramos',
    alias: 'dramos',
    title: 'Support Team Lead',
    department: 'Support',
    timeZone: 'America/New_York',
    locale: 'en_US',
    currency: 'USD',
    manager: 'user.exec-backup',
  },
  {
    ref: 'user.support',
    username: `lena.novak@${DOMAIN}`,
    first: 'Lena',
    last: 'Novak',
    alias: 'lnovak',
    title: 'Support Engineer',
    department: 'Support',
    timeZone: 'Europe/Berlin',
    locale: 'en_GB',
    currency: 'EUR',
    manager: 'user.support-lead',
  },
];

const users: SeedRecord[] = USERS.map((u) =>
  rec(u.ref, 'User', {
    Username: u.username,
    FirstName: u.first,
    LastName: u.last,
    Email: u.username,
    Alias: u.alias,
    Title: u.title,
    Department: u.department,
    IsActive: true,
    ManagerId: u.manager ? ref(u.manager) : null,
    DelegatedApproverId: u.delegatedApprover ? ref(u.delegatedApprover) : null,
    TimeZoneSidKey: u.timeZone,
    LocaleSidKey: u.locale,
    LanguageLocaleKey: 'en_US',
    EmailEncodingKey: 'UTF-8',
    DefaultCurrencyIsoCode: u.currency,
    // Administrators (Modify All Data) may act on any approval request; everyone else is a standard user.
    ProfileId: ref(u.ref === 'user.admin' ? BASELINE_REFS.adminProfile : BASELINE_REFS.standardProfile),
  }),
);

// What an admin assigns after installing the package (sf dealdesk setup does the same): reps
// DealDesk_User, the approvers of the approval matrix and their backups DealDesk_Approver, the
// admin DealDesk_Admin. DealDesk_Integration goes to the integration user in the baseline (seed-loader.ts).
const PERMISSION_SETS_BY_USER: Readonly<Record<string, readonly PackagePermissionSet[]>> = {
  'user.admin': ['DealDesk_Admin'],
  'user.rep': ['DealDesk_User'],
  'user.rep2': ['DealDesk_User'],
  // The reps' manager follows their closures on the timeline and may close a deal for them.
  'user.sales-manager': ['DealDesk_User'],
  'user.exec': ['DealDesk_Approver'],
  'user.exec-backup': ['DealDesk_Approver'],
  'user.sales-vp': ['DealDesk_Approver'],
  'user.sales-vp-backup': ['DealDesk_Approver'],
  'user.finance': ['DealDesk_Approver'],
  'user.finance-backup': ['DealDesk_Approver'],
  'user.legal': ['DealDesk_Approver'],
  'user.legal-backup': ['DealDesk_Approver'],
  'user.infosec': ['DealDesk_Approver'],
  'user.infosec-backup': ['DealDesk_Approver'],
};

const permissionSetAssignments: SeedRecord[] = Object.entries(PERMISSION_SETS_BY_USER).flatMap(
  ([user, sets]) =>
    sets.map((set) =>
      rec(`permissionsetassignment.${user}.${set}`, 'PermissionSetAssignment', {
        AssigneeId: ref(user),
        // The baseline seeded one PermissionSet per force-app permission set under these refs.
        PermissionSetId: ref(`permissionset.${set}`),
      }),
    ),
);

interface Party {
  email: string;
  name: string;
}

const JORDAN: Party = { email: `jordan.keller@${DOMAIN}`, name: 'Jordan Keller' };
const HANNAH: Party = { email: `hannah.brooks@${DOMAIN}`, name: 'Hannah Brooks' };

// ---------------------------------------------------------------------------------------------
// Accounts
// ---------------------------------------------------------------------------------------------

const accounts: SeedRecord[] = [
  rec('account.brennecke', 'Account', {
    Name: 'Brennecke Antriebstechnik GmbH',
    Industry: 'Manufacturing',
    NumberOfEmployees: 4100,
    AnnualRevenue: 890000000,
    Type: 'Customer',
    Website: 'https://www.brennecke-antriebe.example',
    Phone: '+49 7161 5550 100',
    BillingStreet: 'Industriestraße 14',
    BillingCity: 'Göppingen',
    BillingState: 'Baden-Württemberg',
    BillingPostalCode: '73037',
    BillingCountry: 'Germany',
    Description: lines(
      'Family-owned manufacturer of industrial gear motors and drive systems (founded 1951), supplying automotive, intralogistics and packaging OEMs.',
      'Three plants, three-shift operation: Göppingen (HQ, ~1,900 staff), Chemnitz (~1,300) and Zwickau (~800).',
      'Customer since the Chemnitz pilot (Enterprise Edition, 40 users), won about 11 months ago.',
      'TISAX-labelled automotive supplier: vendor security reviews follow the VDA ISA questionnaire. Production and asset data must stay in the EU.',
      'The annual two-week plant shutdown is the only window for installing sensors on the production lines.',
      'Works council (Betriebsrat) co-determination applies to any tool that records technician activity.',
      'Contracts require two signatures (Prokura): typically the COO and the General Counsel.',
    ),
    OwnerId: ref('user.rep'),
    CurrencyIsoCode: 'EUR',
  }),
  rec('account.summit-valley', 'Account', {
    Name: 'Summit Valley Health',
    Industry: 'Healthcare',
    NumberOfEmployees: 12400,
    AnnualRevenue: 2350000000,
    Type: 'Prospect',
    Website: 'https://www.summitvalleyhealth.example',
    Phone: '+1 615 555 0140',
    BillingStreet: '1450 Medical Center Parkway',
    BillingCity: 'Nashville',
    BillingState: 'TN',
    BillingPostalCode: '37203',
    BillingCountry: 'United States',
    Description: lines(
      'Non-profit integrated health network in Middle Tennessee: 9 hospitals, 62 outpatient clinics, ~38,000 medical devices under clinical engineering.',
      'Support for the legacy CMMS runs out in about four months (they extended it after our lost deal).',
      "Recently acquired St. Brendan's and Clearwater hospitals, which run Assetra for facilities work orders.",
      'HIPAA covered entity: an executed BAA, US-only hosting and support access for PHI, and an InfoSec review (SOC 2 Type II, pen test, SSO via Entra ID, SCIM) are mandatory for any vendor whose system holds work orders.',
      'Capital purchases above $500k need CFO approval through the capital committee.',
      'Previous attempt (Clinical Engineering Work Orders) was lost about 14 months ago to no decision after the BAA negotiation and security review ran out of time.',
    ),
    OwnerId: ref('user.rep'),
    CurrencyIsoCode: 'USD',
  }),
  rec('account.kestrel', 'Account', {
    Name: 'Kestrel Charge Ltd',
    Industry: 'Technology',
    NumberOfEmployees: 150,
    AnnualRevenue: 21000000,
    Type: 'Prospect',
    Website: 'https://www.kestrelcharge.example',
    Phone: '+44 117 496 0321',
    BillingStreet: 'Floor 3, 40 Victoria Street',
    BillingCity: 'Bristol',
    BillingState: 'England',
    BillingPostalCode: 'BS1 6BY',
    BillingCountry: 'United Kingdom',
    Description: lines(
      'Bristol-based EV charging network operator and software company (founded 2017, ~150 staff).',
      'Operates ~2,400 public chargers across the UK, many under local-council concession contracts with uptime SLAs and penalties.',
      '45 in-house field engineers; charger telemetry via OCPP 1.6J and 2.0.1 into their own back office.',
      'Venture-backed; Series B round delayed, non-essential spend frozen until it closes.',
      'Referred by our hardware partner VoltBridge.',
    ),
    OwnerId: ref('user.rep'),
    CurrencyIsoCode: 'GBP',
  }),
  rec('account.van-dijk', 'Account', {
    Name: 'Van Dijk Food Logistics B.V.',
    Industry: 'Transportation',
    NumberOfEmployees: 850,
    AnnualRevenue: 210000000,
    Type: 'Customer',
    Website: 'https://www.vandijk-logistics.example',
    Phone: '+31 10 555 2840',
    BillingStreet: 'Waalhaven Zuidzijde 40',
    BillingCity: 'Rotterdam',
    BillingState: 'South Holland',
    BillingPostalCode: '3089 JH',
    BillingCountry: 'Netherlands',
    Description: lines(
      'Temperature-controlled food logistics: six distribution centres in the Netherlands and Belgium, ~1,100 refrigeration units and compressors.',
      'Customer for about seven months (Enterprise Edition + Mobile Offline), expanded with the IoT module about three months ago.',
      'First customer on our EU Data Residency Addendum (EU-only hosting in Frankfurt, support access by EU-based staff only).',
    ),
    OwnerId: ref('user.rep2'),
    CurrencyIsoCode: 'EUR',
  }),
  rec('account.pinecrest', 'Account', {
    Name: 'Pinecrest Senior Living',
    Industry: 'Healthcare',
    NumberOfEmployees: 2300,
    AnnualRevenue: 310000000,
    Type: 'Customer',
    Website: 'https://www.pinecrestseniorliving.example',
    Phone: '+1 704 555 0188',
    BillingStreet: '4100 Lakeview Boulevard',
    BillingCity: 'Charlotte',
    BillingState: 'NC',
    BillingPostalCode: '28209',
    BillingCountry: 'United States',
    Description: lines(
      'Operator of 24 senior living and skilled nursing communities in North and South Carolina.',
      'Customer for about five months: facilities and biomedical equipment maintenance, 140 users.',
      'Signed our BAA with a negotiated 7-business-day breach notification (our standard is 10), approved by Legal.',
      'Reference customer for healthcare prospects (Gloria Ramirez).',
    ),
    OwnerId: ref('user.rep'),
    CurrencyIsoCode: 'USD',
  }),
  rec('account.mercia', 'Account', {
    Name: 'Mercia Rail Engineering Ltd',
    Industry: 'Transportation',
    NumberOfEmployees: 420,
    AnnualRevenue: 58000000,
    Type: 'Customer',
    Website: 'https://www.merciarail.example',
    Phone: '+44 121 496 0754',
    BillingStreet: 'Unit 7, Tyseley Depot, Wharfdale Road',
    BillingCity: 'Birmingham',
    BillingState: 'England',
    BillingPostalCode: 'B11 2DE',
    BillingCountry: 'United Kingdom',
    Description: lines(
      'Rolling-stock maintenance and overhaul contractor with two depots (Tyseley, Birmingham and Crewe).',
      'Customer for about nine months on Professional Edition; hosted in our UK (London) region under the standard UK GDPR DPA, no custom terms.',
    ),
    OwnerId: ref('user.rep2'),
    CurrencyIsoCode: 'GBP',
  }),
];

// ---------------------------------------------------------------------------------------------
// Contacts (Description holds stated priorities and communication preferences)
// ---------------------------------------------------------------------------------------------

interface ContactSeed {
  account: string;
  owner: string;
  first: string;
  last: string;
  email: string;
  title: string;
  department: string;
  phone: string;
  description: string;
}

const CONTACTS = {
  // Brennecke Antriebstechnik GmbH
  vogel: {
    account: 'account.brennecke',
    owner: 'user.rep',
    first: 'Katrin',
    last: 'Vogel',
    email: 'katrin.vogel@brennecke-antriebe.example',
    title: 'Chief Operating Officer (Member of the Executive Board)',
    department: 'Executive Board',
    phone: '+49 7161 5550 210',
    description: lines(
      'Dr. Katrin Vogel. Economic buyer and decision maker for the group rollout; co-signs contracts with Dr. Albrecht (two-signature rule).',
      'Priorities: OEE and unplanned downtime across all three plants; the go-live must land inside the annual plant shutdown.',
      'Communication: one-page executive summaries, decisions on calls rather than long email threads; formal address (Dr. Vogel); answers email early in the morning CET.',
    ),
  },
  feldmann: {
    account: 'account.brennecke',
    owner: 'user.rep',
    first: 'Markus',
    last: 'Feldmann',
    email: 'markus.feldmann@brennecke-antriebe.example',
    title: 'Head of Maintenance & Reliability (Group)',
    department: 'Maintenance',
    phone: '+49 7161 5550 344',
    description: lines(
      'Champion since the Chemnitz pilot; owns the group business case.',
      'Priorities: a reliable shift handover (today on paper), MTTR below 3 h, PM compliance above 95%, no per-technician performance tracking (works council).',
      'Communication: prefers a weekly written status email on Fridays and a phone call for anything urgent; German or English. Sceptical of vendors who over-promise.',
    ),
  },
  brandt: {
    account: 'account.brennecke',
    owner: 'user.rep',
    first: 'Thomas',
    last: 'Brandt',
    email: 'thomas.brandt@brennecke-antriebe.example',
    title: 'Head of IT/OT Security and Information Security Officer',
    department: 'IT',
    phone: '+49 7161 5550 415',
    description: lines(
      'Owns the VDA ISA / TISAX vendor review; approved our questionnaire once the EU Data Residency Addendum was in the contract draft.',
      'Non-negotiables: EU-only data, backups and support access; outbound-only IoT edge gateway (no inbound connections into the OT network); prior approval of any new non-EU sub-processor.',
      'Technical requirements: SSO via Microsoft Entra ID, OPC UA from Siemens S7-1500 controllers, SAP PM stays system of record for cost centres and spare parts.',
      'Communication: email with the documents attached; dislikes marketing material.',
    ),
  },
  koch: {
    account: 'account.brennecke',
    owner: 'user.rep',
    first: 'Sabine',
    last: 'Koch',
    email: 'sabine.koch@brennecke-antriebe.example',
    title: 'Senior Strategic Buyer, Indirect Procurement',
    department: 'Procurement',
    phone: '+49 7161 5550 287',
    description: lines(
      'Runs the formal purchasing process (guideline: at least two offers). Wants every term in the main contract, never in side letters; asked for 45 days net payment terms.',
      'Communication: formal email (Ms Koch); contract documents as PDF plus an editable Word version for redlines.',
    ),
  },
  albrecht: {
    account: 'account.brennecke',
    owner: 'user.rep',
    first: 'Jens',
    last: 'Albrecht',
    email: 'jens.albrecht@brennecke-antriebe.example',
    title: 'General Counsel',
    department: 'Legal',
    phone: '+49 7161 5550 120',
    description: lines(
      'Dr. Jens Albrecht, holds Prokura; co-signatory with Dr. Vogel. Reviews the equipment-compatibility warranty wording and the DPA.',
      'Communication: through Sabine Koch; redlines in Word with tracked changes.',
    ),
  },
  ritter: {
    account: 'account.brennecke',
    owner: 'user.rep',
    first: 'Stefan',
    last: 'Ritter',
    email: 'stefan.ritter@brennecke-antriebe.example',
    title: 'Maintenance Manager, Chemnitz Plant',
    department: 'Maintenance',
    phone: '+49 371 5550 622',
    description: lines(
      'Ran the Chemnitz pilot day to day; strong advocate with the technicians and the reference for Göppingen and Zwickau.',
      'Will be key user for the Chemnitz part of the rollout. Communication: Teams call or phone, German preferred.',
    ),
  },

  // Summit Valley Health
  harper: {
    account: 'account.summit-valley',
    owner: 'user.rep',
    first: 'Denise',
    last: 'Harper',
    email: 'denise.harper@summitvalleyhealth.example',
    title: 'VP Facilities & Clinical Engineering',
    department: 'Facilities & Clinical Engineering',
    phone: '+1 615 555 0173',
    description: lines(
      'Champion and day-to-day decision maker; promoted since last year, when she was Director of Clinical Engineering on the deal we lost. Does not control the budget (the CFO does).',
      'Priorities: one system of record for every medical device before the next Joint Commission survey; 100% PM completion on high-risk equipment; fewer OR delays caused by equipment; no go-live during the Epic upgrade change freeze.',
      'Communication: a short written summary after every meeting; prefers a phone call for anything about price; "no surprises".',
    ),
  },
  castellano: {
    account: 'account.summit-valley',
    owner: 'user.rep',
    first: 'Robert',
    last: 'Castellano',
    email: 'robert.castellano@summitvalleyhealth.example',
    title: 'Chief Financial Officer',
    department: 'Finance',
    phone: '+1 615 555 0102',
    description: lines(
      "Economic buyer; approves capital projects through the capital committee. Has Assetra's three-year price lock in front of him.",
      'Priorities: total cost over three years and predictable increases. Not engaged with us directly yet; reaches us through Denise Harper and Derek Lyons.',
      'Communication: one-page financial summary, routed through Strategic Sourcing.',
    ),
  },
  obrien: {
    account: 'account.summit-valley',
    owner: 'user.rep',
    first: 'Kevin',
    last: "O'Brien",
    email: 'kevin.obrien@summitvalleyhealth.example',
    title: 'Director of Information Security',
    department: 'Information Security',
    phone: '+1 615 555 0131',
    description: lines(
      'Technical buyer for security. Accepts SOC 2 Type II plus an independent pen test in lieu of HITRUST.',
      'Open items: a written SCIM 2.0 GA date before signature, US-only support access to PHI, an annual right to audit. Requires SSO via Entra ID and audit-log streaming to Splunk.',
      'Communication: wants full reports, not summaries; responds fastest to email with documents attached; allergic to vendor marketing language.',
    ),
  },
  nguyen: {
    account: 'account.summit-valley',
    owner: 'user.rep',
    first: 'Lisa',
    last: 'Nguyen',
    email: 'lisa.nguyen@summitvalleyhealth.example',
    title: 'Associate General Counsel',
    department: 'Legal',
    phone: '+1 615 555 0119',
    description: lines(
      'Owns the BAA and MSA review. Positions: breach notification within 5 business days (open to 7), uncapped PHI liability (our counter: 3x annual fees), $10M cyber insurance, US-based subcontractors for PHI.',
      'Communication: redlines in Word; prefers counsel-to-counsel calls.',
    ),
  },
  lyons: {
    account: 'account.summit-valley',
    owner: 'user.rep',
    first: 'Derek',
    last: 'Lyons',
    email: 'derek.lyons@summitvalleyhealth.example',
    title: 'Strategic Sourcing Manager',
    department: 'Supply Chain',
    phone: '+1 615 555 0156',
    description: lines(
      'Runs the competitive evaluation against Assetra and writes the capital committee paper.',
      'Priorities: price parity with Assetra and multi-year price protection.',
      'Communication: formal email with their pricing forms; holds vendors to deadlines.',
    ),
  },

  // Kestrel Charge Ltd
  bennett: {
    account: 'account.kestrel',
    owner: 'user.rep',
    first: 'Oliver',
    last: 'Bennett',
    email: 'oliver.bennett@kestrelcharge.example',
    title: 'CEO & Co-founder',
    department: 'Executive',
    phone: '+44 117 496 0300',
    description: lines(
      'Final decision maker on spend. Froze all non-essential spend until the Series B closes and asked us to revisit next quarter.',
      'Communication: brief, direct emails; no slide decks.',
    ),
  },
  clarke: {
    account: 'account.kestrel',
    owner: 'user.rep',
    first: 'Emma',
    last: 'Clarke',
    email: 'emma.clarke@kestrelcharge.example',
    title: 'Finance Director',
    department: 'Finance',
    phone: '+44 117 496 0302',
    description: lines(
      'Economic buyer. Set a GBP 75k ceiling for this financial year before the freeze.',
      'Communication: everything in writing, in one consolidated document rather than long attachment chains.',
    ),
  },
  whitaker: {
    account: 'account.kestrel',
    owner: 'user.rep',
    first: 'James',
    last: 'Whitaker',
    email: 'james.whitaker@kestrelcharge.example',
    title: 'Chief Technology Officer',
    department: 'Engineering',
    phone: '+44 117 496 0310',
    description: lines(
      'Technical buyer. Requirements: OCPP 1.6J / 2.0.1 fault webhooks with retries, Google Workspace SSO, UK data hosting (UK GDPR), a documented API.',
      'Dry, sarcastic humour: do not take his jokes literally. His team has a sandbox (extended by 90 days).',
      'Communication: email plus API docs; dislikes sales calls.',
    ),
  },
  adeyemi: {
    account: 'account.kestrel',
    owner: 'user.rep',
    first: 'Chloe',
    last: 'Adeyemi',
    email: 'chloe.adeyemi@kestrelcharge.example',
    title: 'Head of Field Operations',
    department: 'Field Operations',
    phone: '+44 117 496 0330',
    description: lines(
      'LEFT KESTREL about seven weeks ago (her auto-reply confirms it). Former champion; her business case was never presented to the board.',
      'Do not email. Field operations contact is now Ravi Menon.',
    ),
  },
  menon: {
    account: 'account.kestrel',
    owner: 'user.rep',
    first: 'Ravi',
    last: 'Menon',
    email: 'ravi.menon@kestrelcharge.example',
    title: 'Field Operations Manager (interim Head of Field Operations)',
    department: 'Field Operations',
    phone: '+44 117 496 0334',
    description: lines(
      'Interim head of field operations since Chloe Adeyemi left. Supportive, but no budget authority.',
      "Priorities: engineers' first-time-fix rate, fewer dispatch errors from the shared spreadsheet.",
      'Communication: phone, early morning before the engineers go out.',
    ),
  },

  // Van Dijk Food Logistics B.V.
  devries: {
    account: 'account.van-dijk',
    owner: 'user.rep2',
    first: 'Pieter',
    last: 'de Vries',
    email: 'pieter.devries@vandijk-logistics.example',
    title: 'Director of Warehouse Operations',
    department: 'Operations',
    phone: '+31 10 555 2861',
    description: lines(
      'Sponsor of both purchases. Priorities: cold-chain compliance (HACCP audits) and compressor uptime.',
      'Communication: Teams calls in English, short agendas sent the day before.',
    ),
  },
  jansen: {
    account: 'account.van-dijk',
    owner: 'user.rep2',
    first: 'Femke',
    last: 'Jansen',
    email: 'femke.jansen@vandijk-logistics.example',
    title: 'IT Manager',
    department: 'IT',
    phone: '+31 10 555 2877',
    description: lines(
      'Insisted on EU-only hosting and support access, which became our EU Data Residency Addendum.',
      'Communication: email; wants change notices for sub-processors 30 days ahead.',
    ),
  },

  // Pinecrest Senior Living
  ramirez: {
    account: 'account.pinecrest',
    owner: 'user.rep',
    first: 'Gloria',
    last: 'Ramirez',
    email: 'gloria.ramirez@pinecrestseniorliving.example',
    title: 'VP Facilities & Environmental Services',
    department: 'Facilities',
    phone: '+1 704 555 0191',
    description: lines(
      'Economic buyer; happy reference for healthcare prospects (BAA and biomed use case).',
      'Priorities: CMS survey readiness, generator and fire-safety PM on schedule.',
      "Communication: phone; please give a day's notice before a reference call.",
    ),
  },
  sullivan: {
    account: 'account.pinecrest',
    owner: 'user.rep',
    first: 'Nathan',
    last: 'Sullivan',
    email: 'nathan.sullivan@pinecrestseniorliving.example',
    title: 'Chief Compliance & Privacy Officer',
    department: 'Compliance',
    phone: '+1 704 555 0164',
    description: 'Negotiated the BAA (7-business-day breach notification). Communication: email.',
  },

  // Mercia Rail Engineering Ltd
  price: {
    account: 'account.mercia',
    owner: 'user.rep2',
    first: 'Gareth',
    last: 'Price',
    email: 'gareth.price@merciarail.example',
    title: 'Depot Engineering Manager',
    department: 'Engineering',
    phone: '+44 121 496 0761',
    description:
      'Sponsor. Priorities: fleet availability for the morning peak, audit trail for safety-critical work. Communication: phone, not before 10:00.',
  },
  marsh: {
    account: 'account.mercia',
    owner: 'user.rep2',
    first: 'Helen',
    last: 'Marsh',
    email: 'helen.marsh@merciarail.example',
    title: 'Procurement Lead',
    department: 'Procurement',
    phone: '+44 121 496 0702',
    description: 'Ran the tender; standard terms accepted. Communication: email, with the order form as PDF.',
  },
} as const satisfies Record<string, ContactSeed>;

type ContactKey = keyof typeof CONTACTS;

const contactRef = (key: ContactKey): string => `contact.${key}`;
const person = (key: ContactKey): Party => ({
  email: CONTACTS[key].email,
  name: `${CONTACTS[key].first} ${CONTACTS[key].last}`,
});

const contacts: SeedRecord[] = (Object.keys(CONTACTS) as ContactKey[]).map((key) => {
  const c: ContactSeed = CONTACTS[key];
  return rec(contactRef(key), 'Contact', {
    FirstName: c.first,
    LastName: c.last,
    Email: c.email,
    Title: c.title,
    Department: c.department,
    Phone: c.phone,
    AccountId: ref(c.account),
    OwnerId: ref(c.owner),
    Description: c.description,
  });
});

// ---------------------------------------------------------------------------------------------
// Products, price books and price book entries
// ---------------------------------------------------------------------------------------------

interface ProductSeed {
  key: string;
  name: string;
  code: string;
  family: 'Platform' | 'Add-on' | 'Services' | 'Support' | 'Training';
  description: string;
  prices: Record<Currency, number>;
}

const PRODUCTS = [
  {
    key: 'platform-enterprise',
    name: 'Meridian Platform - Enterprise Edition',
    code: 'MER-PLT-ENT',
    family: 'Platform',
    description:
      'Annual subscription per named user. Work orders, preventive maintenance, asset registry, multi-site, SSO (SAML 2.0), audit trail, full API, 99.9% uptime SLA. Hosted in the US, EU (Frankfurt) or UK (London) region.',
    prices: { USD: 960, EUR: 900, GBP: 780 },
  },
  {
    key: 'platform-professional',
    name: 'Meridian Platform - Professional Edition',
    code: 'MER-PLT-PRO',
    family: 'Platform',
    description:
      'Annual subscription per named user, for single-region teams of up to 150 users. Work orders, preventive maintenance, asset registry, standard API, SSO, 99.5% uptime SLA.',
    prices: { USD: 600, EUR: 560, GBP: 480 },
  },
  {
    key: 'iot',
    name: 'Predictive Maintenance Module (IoT)',
    code: 'MER-ADD-IOT',
    family: 'Add-on',
    description:
      'Annual subscription per pack of 100 connected assets. Ingests controller and sensor data (OPC UA, MQTT, OCPP), condition thresholds, anomaly detection, automatic work orders. Edge gateway connects outbound only.',
    prices: { USD: 18000, EUR: 16800, GBP: 14400 },
  },
  {
    key: 'mobile',
    name: 'Mobile Offline Module',
    code: 'MER-ADD-MOB',
    family: 'Add-on',
    description:
      'Annual subscription per named user. iOS/Android technician app with full offline work orders, barcode/NFC asset scanning, photos and digital sign-off; syncs when back online.',
    prices: { USD: 180, EUR: 168, GBP: 144 },
  },
  {
    key: 'analytics',
    name: 'Advanced Analytics Module',
    code: 'MER-ADD-ANL',
    family: 'Add-on',
    description:
      'Annual subscription per org. OEE, MTBF/MTTR, PM compliance and backlog dashboards, cross-site benchmarks, scheduled exports to a customer data warehouse.',
    prices: { USD: 24000, EUR: 22000, GBP: 19000 },
  },
  {
    key: 'implementation',
    name: 'Implementation Services (per day)',
    code: 'MER-SVC-IMP',
    family: 'Services',
    description:
      'Consulting day, remote or on site: solution design, data migration, integrations, cut-over and hypercare. Billed monthly in arrears against a statement of work.',
    prices: { USD: 1800, EUR: 1650, GBP: 1450 },
  },
  {
    key: 'premium-support',
    name: 'Premium Support (24x7)',
    code: 'MER-SUP-PRM',
    family: 'Support',
    description:
      'Annual. 24x7 phone and chat support, 1-hour response for P1 incidents, named technical account manager, quarterly service reviews.',
    prices: { USD: 28000, EUR: 26000, GBP: 22000 },
  },
  {
    key: 'training',
    name: 'Admin & Power User Training (per seat)',
    code: 'MER-TRN-APU',
    family: 'Training',
    description:
      'Two-day instructor-led course, remote or on site, in English or German, for administrators, planners and power users; includes the certification exam.',
    prices: { USD: 450, EUR: 420, GBP: 360 },
  },
] as const satisfies readonly ProductSeed[];

type ProductKey = (typeof PRODUCTS)[number]['key'];

function product(key: ProductKey): ProductSeed {
  const found = PRODUCTS.find((p) => p.key === key);
  if (!found) throw new Error(`unknown product ${key}`);
  return found;
}

const products: SeedRecord[] = PRODUCTS.map((p) =>
  rec(`product.${p.key}`, 'Product2', {
    Name: p.name,
    ProductCode: p.code,
    Family: p.family,
    IsActive: true,
    Description: p.description,
  }),
);

const pricebooks: SeedRecord[] = [
  rec('pricebook.standard', 'Pricebook2', { Name: 'Standard Price Book', IsActive: true, IsStandard: true }),
  rec('pricebook.list', 'Pricebook2', { Name: 'Meridian List Prices', IsActive: true, IsStandard: false }),
];

const PRICEBOOKS = ['standard', 'list'] as const;
const entryRef = (pricebook: (typeof PRICEBOOKS)[number], key: ProductKey, currency: Currency): string =>
  `pbe.${pricebook}.${key}.${currency.toLowerCase()}`;

const pricebookEntries: SeedRecord[] = PRICEBOOKS.flatMap((pricebook) =>
  PRODUCTS.flatMap((p) =>
    CURRENCIES.map((currency) =>
      rec(entryRef(pricebook, p.key, currency), 'PricebookEntry', {
        Pricebook2Id: ref(`pricebook.${pricebook}`),
        Product2Id: ref(`product.${p.key}`),
        UnitPrice: p.prices[currency],
        IsActive: true,
        UseStandardPrice: false,
        CurrencyIsoCode: currency,
      }),
    ),
  ),
);

// ---------------------------------------------------------------------------------------------
// Opportunities
// ---------------------------------------------------------------------------------------------

const opportunities: SeedRecord[] = [
  // --- open -----------------------------------------------------------------------------------
  rec('opportunity.verbal-yes', 'Opportunity', {
    Name: 'Brennecke Antriebstechnik - Group Rollout (3 Plants)',
    AccountId: ref('account.brennecke'),
    StageName: 'Negotiation/Review',
    Amount: 530558,
    CloseDate: daysFromToday(14),
    Type: 'Existing Business',
    Probability: 90,
    OwnerId: ref('user.rep'),
    Description: lines(
      'Group-wide rollout across Göppingen, Chemnitz and Zwickau after the Chemnitz pilot (unplanned downtime on line 4 down 23%, MTTR from 4.1 h to 3.2 h).',
      'Scope: 380 Enterprise users (includes the 40 pilot users; the pilot subscription ends the day this one starts), 260 Mobile Offline users, IoT module for 600 critical assets (6 packs), 45 implementation days, Premium Support (three-shift operation), 40 training seats.',
      'Commercials: EUR 530,558.00 first year; 15% discount on the subscription lines (proposal v2); payment 45 days net requested (our standard is 30).',
      'Custom terms requested: (1) EU Data Residency Addendum: hosting in Frankfurt, backups in the EU, support access by EU-based staff only, new non-EU sub-processors need prior approval; (2) equipment-compatibility warranty: IoT connector warranted to work with their Siemens S7-1500 controllers (OPC UA) and the existing wireless vibration sensors; remedy: fix within 30 days or refund of the IoT module fees. Both in the main contract, not a side letter.',
      'Security: VDA ISA questionnaire completed and approved by Thomas Brandt (IT/OT security).',
      'Competition: PlantPulse evaluated and dropped by procurement.',
      'Budget: EUR 550,000 approved by the board for the maintenance digitalisation programme.',
      'Timeline: sensors can only be installed during the annual two-week plant shutdown, which starts in about nine weeks; kick-off needed within three weeks.',
      'Signatories: Dr. Katrin Vogel (COO) and Dr. Jens Albrecht (General Counsel), two signatures required.',
    ),
    NextStep:
      'Send order form, MSA, DPA with EU Data Residency Addendum and compatibility warranty to Sabine Koch (cc Dr. Vogel); signers Dr. Vogel + Dr. Albrecht.',
    LeadSource: 'Trade Show',
    Pricebook2Id: ref('pricebook.list'),
    CurrencyIsoCode: 'EUR',
    ForecastCategoryName: 'Commit',
  }),
  rec('opportunity.ambiguous', 'Opportunity', {
    Name: 'Summit Valley Health - Clinical Engineering & Facilities Platform',
    AccountId: ref('account.summit-valley'),
    StageName: 'Negotiation/Review',
    Amount: 1122400,
    CloseDate: daysFromToday(40),
    Type: 'New Business',
    Probability: 60,
    OwnerId: ref('user.rep'),
    Description: lines(
      'Network-wide platform for clinical engineering (biomed) and facilities maintenance across 9 hospitals and 62 clinics.',
      "Scope: 900 Enterprise users, 600 Mobile Offline users, Advanced Analytics, 80 implementation days (migration from the legacy CMMS and from Assetra at St. Brendan's and Clearwater), Premium Support, 120 training seats.",
      'Commercials: $1,122,400.00 first year with 10% off the subscription lines; Sourcing says Assetra is about 8% below us with a three-year price lock.',
      'Open: BAA redlines (our counter: 7-business-day breach notification, PHI liability capped at 3x annual fees); CFO sign-off through the capital committee; InfoSec wants a written SCIM GA date, US-only support access and an annual right to audit.',
      'Risk: go-live must not collide with the Epic upgrade change freeze.',
    ),
    NextStep:
      "Send SCIM GA letter + US-only support addendum to Kevin O'Brien; Legal's answer on our BAA counter; CFO capital committee in about two weeks.",
    LeadSource: 'Web',
    Pricebook2Id: ref('pricebook.list'),
    CurrencyIsoCode: 'USD',
    ForecastCategoryName: 'Best Case',
  }),
  rec('opportunity.not-ready', 'Opportunity', {
    Name: 'Kestrel Charge - Field Service Platform',
    AccountId: ref('account.kestrel'),
    StageName: 'Proposal/Price Quote',
    Amount: 72782.4,
    CloseDate: daysFromToday(105),
    Type: 'New Business',
    Probability: 20,
    OwnerId: ref('user.rep'),
    Description: lines(
      'Field service platform for 45 field engineers maintaining ~2,400 public chargers: 60 Professional users, 45 Mobile Offline users, IoT module for a 200-charger pilot in the South West (OCPP faults to automatic work orders), 12 implementation days, 15 training seats.',
      'Revised proposal at 22% off the subscription lines (GBP 72,782.40, approved by the Sales VP) has expired.',
      'Champion Chloe Adeyemi (Head of Field Operations) has left the company; Ravi Menon is interim and has no budget authority.',
      'CEO Oliver Bennett froze non-essential spend until the Series B closes and asked us to revisit next quarter.',
    ),
    NextStep:
      'Re-engage Oliver Bennett and Emma Clarke after the Series B closes (next quarter); re-quote, the current offer has expired.',
    LeadSource: 'Partner Referral',
    Pricebook2Id: ref('pricebook.list'),
    CurrencyIsoCode: 'GBP',
    ForecastCategoryName: 'Pipeline',
  }),

  // --- history --------------------------------------------------------------------------------
  rec('opportunity.brennecke-pilot', 'Opportunity', {
    Name: 'Brennecke Antriebstechnik - Chemnitz Pilot',
    AccountId: ref('account.brennecke'),
    StageName: 'Closed Won',
    Amount: 53940,
    CloseDate: daysFromToday(-345),
    Type: 'New Business',
    Probability: 100,
    OwnerId: ref('user.rep'),
    Description: lines(
      'Pilot at the Chemnitz plant (lines 3 to 5): 40 Enterprise users, 10 implementation days, 12 training seats, 10% pilot discount.',
      'Success criteria written into the order: unplanned downtime on line 4 down 15% within six months, MTTR below 3.5 h. Both met at the six-month review (23% and 3.2 h).',
      'First met Markus Feldmann at Hannover Messe. 23 days from proposal to signature; signed by Markus Feldmann and Dr. Jens Albrecht (two signatures).',
    ),
    LeadSource: 'Trade Show',
    Pricebook2Id: ref('pricebook.list'),
    CurrencyIsoCode: 'EUR',
    ForecastCategoryName: 'Closed',
  }),
  rec('opportunity.summit-valley-lost', 'Opportunity', {
    Name: 'Summit Valley Health - Clinical Engineering Work Orders',
    AccountId: ref('account.summit-valley'),
    StageName: 'Closed Lost',
    Amount: 299640,
    CloseDate: daysFromToday(-420),
    Type: 'New Business',
    Probability: 0,
    OwnerId: ref('user.rep'),
    Description: lines(
      'Lost to no decision. The BAA negotiation stalled on the breach-notification window (they wanted 5 business days, we held at 10) and the liability cap; the InfoSec review only started in week 9 of 11 and was not finished before their fiscal-year capital freeze.',
      'They extended support for the legacy CMMS by 18 months instead. Denise Harper (then Director of Clinical Engineering) stayed a supporter.',
      'Lesson: start BAA and security review at discovery, not at the end.',
    ),
    LeadSource: 'Web',
    Pricebook2Id: ref('pricebook.list'),
    CurrencyIsoCode: 'USD',
    ForecastCategoryName: 'Omitted',
  }),
  rec('opportunity.mercia-depots', 'Opportunity', {
    Name: 'Mercia Rail Engineering - Depot Maintenance',
    AccountId: ref('account.mercia'),
    StageName: 'Closed Won',
    Amount: 39680,
    CloseDate: daysFromToday(-270),
    Type: 'New Business',
    Probability: 100,
    OwnerId: ref('user.rep2'),
    Description: lines(
      'Professional Edition for the Tyseley and Crewe depots: 50 users, 50 Mobile Offline users, 8 implementation days; 10% discount.',
      'UK-hosted (London region) under the standard UK GDPR DPA; no custom terms. 34 days from proposal to signature.',
    ),
    LeadSource: 'Trade Show',
    Pricebook2Id: ref('pricebook.list'),
    CurrencyIsoCode: 'GBP',
    ForecastCategoryName: 'Closed',
  }),
  rec('opportunity.van-dijk-platform', 'Opportunity', {
    Name: 'Van Dijk Food Logistics - Warehouse Maintenance Platform',
    AccountId: ref('account.van-dijk'),
    StageName: 'Closed Won',
    Amount: 146445.6,
    CloseDate: daysFromToday(-210),
    Type: 'New Business',
    Probability: 100,
    OwnerId: ref('user.rep2'),
    Description: lines(
      'Enterprise Edition for six distribution centres: 120 users, 90 Mobile Offline users, 18 implementation days, 20 training seats; 12% discount on subscriptions.',
      'First deal on the EU Data Residency Addendum (EU-only hosting in Frankfurt, support access by EU-based staff only): approved by Legal and InfoSec in 6 business days.',
    ),
    LeadSource: 'Partner Referral',
    Pricebook2Id: ref('pricebook.list'),
    CurrencyIsoCode: 'EUR',
    ForecastCategoryName: 'Closed',
  }),
  rec('opportunity.pinecrest-platform', 'Opportunity', {
    Name: 'Pinecrest Senior Living - Facilities & Biomed Maintenance',
    AccountId: ref('account.pinecrest'),
    StageName: 'Closed Won',
    Amount: 198112,
    CloseDate: daysFromToday(-150),
    Type: 'New Business',
    Probability: 100,
    OwnerId: ref('user.rep'),
    Description: lines(
      'Enterprise Edition for 24 communities: 140 users, 100 Mobile Offline users, Premium Support, 20 implementation days; 12% discount on subscriptions.',
      'BAA signed with a negotiated 7-business-day breach notification (standard 10), approved by Legal. InfoSec review completed on our SOC 2 Type II report and pen test summary; no SCIM requirement.',
    ),
    LeadSource: 'Word of mouth',
    Pricebook2Id: ref('pricebook.list'),
    CurrencyIsoCode: 'USD',
    ForecastCategoryName: 'Closed',
  }),
  rec('opportunity.van-dijk-iot', 'Opportunity', {
    Name: 'Van Dijk Food Logistics - IoT Refrigeration Monitoring',
    AccountId: ref('account.van-dijk'),
    StageName: 'Closed Won',
    Amount: 64200,
    CloseDate: daysFromToday(-100),
    Type: 'Existing Business',
    Probability: 100,
    OwnerId: ref('user.rep2'),
    Description: lines(
      'IoT module for 300 refrigeration units and compressors plus Advanced Analytics, 6 implementation days.',
      '25% discount on subscriptions to displace an in-house telemetry project; approved by the Sales VP and the CRO (discount above 20%).',
      'Compatibility with their existing refrigeration controllers proven in a two-week proof of concept before signature, so no compatibility warranty was needed.',
    ),
    LeadSource: 'Other',
    Pricebook2Id: ref('pricebook.list'),
    CurrencyIsoCode: 'EUR',
    ForecastCategoryName: 'Closed',
  }),
];

// ---------------------------------------------------------------------------------------------
// Opportunity line items (UnitPrice is the list price; Discount is a percentage)
// ---------------------------------------------------------------------------------------------

function lineItem(
  opportunity: string,
  currency: Currency,
  key: ProductKey,
  quantity: number,
  discount: number,
  description: string,
  serviceDay: number,
): SeedRecord {
  return rec(`oli.${opportunity}.${key}`, 'OpportunityLineItem', {
    OpportunityId: ref(`opportunity.${opportunity}`),
    PricebookEntryId: ref(entryRef('list', key, currency)),
    Product2Id: ref(`product.${key}`),
    Quantity: quantity,
    UnitPrice: product(key).prices[currency],
    Discount: discount,
    Description: description,
    ServiceDate: daysFromToday(serviceDay),
  });
}

const lineItems: SeedRecord[] = [
  // Brennecke group rollout, EUR: 290,700 + 85,680 + 37,128 + 74,250 + 26,000 + 16,800 = 530,558.00
  lineItem(
    'verbal-yes',
    'EUR',
    'platform-enterprise',
    380,
    15,
    'Three plants; includes the 40 Chemnitz pilot users',
    30,
  ),
  lineItem(
    'verbal-yes',
    'EUR',
    'iot',
    6,
    15,
    '600 critical assets; OPC UA from Siemens S7-1500 + wireless vibration sensors',
    30,
  ),
  lineItem(
    'verbal-yes',
    'EUR',
    'mobile',
    260,
    15,
    'Technicians on all shifts; offline needed in Zwickau press shop',
    30,
  ),
  lineItem(
    'verbal-yes',
    'EUR',
    'implementation',
    45,
    0,
    'SSO, SAP PM connector, gateway install, go-live during plant shutdown, on-site hypercare',
    21,
  ),
  lineItem('verbal-yes', 'EUR', 'premium-support', 1, 0, '24x7 for three-shift operation', 30),
  lineItem(
    'verbal-yes',
    'EUR',
    'training',
    40,
    0,
    'Planners and power users, German-language, before the shutdown',
    49,
  ),

  // Summit Valley, USD: 777,600 + 97,200 + 21,600 + 144,000 + 28,000 + 54,000 = 1,122,400.00
  lineItem(
    'ambiguous',
    'USD',
    'platform-enterprise',
    900,
    10,
    'Biomed and facilities techs, supervisors; 9 hospitals, 62 clinics',
    75,
  ),
  lineItem('ambiguous', 'USD', 'mobile', 600, 10, 'Field and in-house technicians', 75),
  lineItem(
    'ambiguous',
    'USD',
    'analytics',
    1,
    10,
    'Joint Commission PM compliance and OR equipment downtime dashboards',
    75,
  ),
  lineItem(
    'ambiguous',
    'USD',
    'implementation',
    80,
    0,
    'Migration from legacy CMMS (~410k records) and Assetra; SSO, SCIM, Splunk',
    60,
  ),
  lineItem('ambiguous', 'USD', 'premium-support', 1, 0, '24x7 with named TAM', 75),
  lineItem('ambiguous', 'USD', 'training', 120, 0, 'Super-users per hospital', 90),

  // Kestrel, GBP: 22,464 + 5,054.40 + 22,464 + 17,400 + 5,400 = 72,782.40
  lineItem('not-ready', 'GBP', 'platform-professional', 60, 22, '45 engineers + dispatch and managers', 120),
  lineItem('not-ready', 'GBP', 'mobile', 45, 22, 'Field engineers', 120),
  lineItem(
    'not-ready',
    'GBP',
    'iot',
    2,
    22,
    '200-charger pilot in the South West, OCPP fault ingestion',
    120,
  ),
  lineItem(
    'not-ready',
    'GBP',
    'implementation',
    12,
    0,
    'OCPP webhook integration, Google Workspace SSO',
    115,
  ),
  lineItem('not-ready', 'GBP', 'training', 15, 0, 'Dispatchers and team leads', 130),

  // Brennecke Chemnitz pilot, EUR: 32,400 + 16,500 + 5,040 = 53,940.00
  lineItem('brennecke-pilot', 'EUR', 'platform-enterprise', 40, 10, 'Chemnitz plant, lines 3 to 5', -335),
  lineItem('brennecke-pilot', 'EUR', 'implementation', 10, 0, 'Pilot set-up and on-site go-live', -335),
  lineItem('brennecke-pilot', 'EUR', 'training', 12, 0, 'Chemnitz key users', -320),

  // Summit Valley lost deal, USD: 220,800 + 24,840 + 54,000 = 299,640.00
  lineItem('summit-valley-lost', 'USD', 'platform-enterprise', 250, 8, 'Clinical engineering only', -400),
  lineItem('summit-valley-lost', 'USD', 'mobile', 150, 8, 'Biomed technicians', -400),
  lineItem('summit-valley-lost', 'USD', 'implementation', 30, 0, 'Legacy CMMS migration', -400),

  // Mercia Rail, GBP: 21,600 + 6,480 + 11,600 = 39,680.00
  lineItem('mercia-depots', 'GBP', 'platform-professional', 50, 10, 'Tyseley and Crewe depots', -260),
  lineItem('mercia-depots', 'GBP', 'mobile', 50, 10, 'Depot technicians', -260),
  lineItem('mercia-depots', 'GBP', 'implementation', 8, 0, 'Asset import, UK hosting set-up', -262),

  // Van Dijk platform, EUR: 95,040 + 13,305.60 + 29,700 + 8,400 = 146,445.60
  lineItem('van-dijk-platform', 'EUR', 'platform-enterprise', 120, 12, 'Six distribution centres', -200),
  lineItem('van-dijk-platform', 'EUR', 'mobile', 90, 12, 'Warehouse technicians', -200),
  lineItem('van-dijk-platform', 'EUR', 'implementation', 18, 0, 'Migration and EU-only hosting set-up', -202),
  lineItem('van-dijk-platform', 'EUR', 'training', 20, 0, 'Key users per DC', -190),

  // Pinecrest, USD: 118,272 + 15,840 + 28,000 + 36,000 = 198,112.00
  lineItem('pinecrest-platform', 'USD', 'platform-enterprise', 140, 12, '24 communities', -140),
  lineItem('pinecrest-platform', 'USD', 'mobile', 100, 12, 'Maintenance and biomed techs', -140),
  lineItem('pinecrest-platform', 'USD', 'premium-support', 1, 0, '24x7 for skilled nursing facilities', -140),
  lineItem('pinecrest-platform', 'USD', 'implementation', 20, 0, 'Migration, SSO, BAA controls', -142),

  // Van Dijk IoT, EUR: 37,800 + 16,500 + 9,900 = 64,200.00
  lineItem('van-dijk-iot', 'EUR', 'iot', 3, 25, '300 refrigeration units and compressors', -90),
  lineItem('van-dijk-iot', 'EUR', 'analytics', 1, 25, 'Cold-chain and compressor uptime dashboards', -90),
  lineItem('van-dijk-iot', 'EUR', 'implementation', 6, 0, 'Gateway roll-out after the proof of concept', -92),
];

// ---------------------------------------------------------------------------------------------
// Opportunity contact roles
// ---------------------------------------------------------------------------------------------

type ContactRole =
  | 'Business User'
  | 'Decision Maker'
  | 'Economic Buyer'
  | 'Economic Decision Maker'
  | 'Evaluator'
  | 'Executive Sponsor'
  | 'Influencer'
  | 'Technical Buyer'
  | 'Other';

const role = (
  opportunity: string,
  contact: ContactKey,
  roleName: ContactRole,
  isPrimary = false,
): SeedRecord =>
  rec(`ocr.${opportunity}.${contact}`, 'OpportunityContactRole', {
    OpportunityId: ref(`opportunity.${opportunity}`),
    ContactId: ref(contactRef(contact)),
    Role: roleName,
    IsPrimary: isPrimary,
  });

const contactRoles: SeedRecord[] = [
  role('verbal-yes', 'vogel', 'Economic Buyer'),
  role('verbal-yes', 'feldmann', 'Business User', true),
  role('verbal-yes', 'brandt', 'Technical Buyer'),
  role('verbal-yes', 'koch', 'Evaluator'),
  role('verbal-yes', 'albrecht', 'Other'),

  role('ambiguous', 'harper', 'Decision Maker', true),
  role('ambiguous', 'castellano', 'Economic Buyer'),
  role('ambiguous', 'obrien', 'Technical Buyer'),
  role('ambiguous', 'lyons', 'Evaluator'),
  role('ambiguous', 'nguyen', 'Other'),

  role('not-ready', 'bennett', 'Decision Maker'),
  role('not-ready', 'clarke', 'Economic Buyer'),
  role('not-ready', 'whitaker', 'Technical Buyer'),
  role('not-ready', 'menon', 'Evaluator', true),
  role('not-ready', 'adeyemi', 'Business User'),

  role('brennecke-pilot', 'feldmann', 'Decision Maker', true),
  role('brennecke-pilot', 'ritter', 'Business User'),
  role('brennecke-pilot', 'brandt', 'Technical Buyer'),

  role('summit-valley-lost', 'harper', 'Decision Maker', true),
  role('summit-valley-lost', 'obrien', 'Technical Buyer'),
  role('summit-valley-lost', 'nguyen', 'Other'),

  role('mercia-depots', 'price', 'Decision Maker', true),
  role('mercia-depots', 'marsh', 'Evaluator'),

  role('van-dijk-platform', 'devries', 'Decision Maker', true),
  role('van-dijk-platform', 'jansen', 'Technical Buyer'),

  role('pinecrest-platform', 'ramirez', 'Economic Buyer', true),
  role('pinecrest-platform', 'sullivan', 'Evaluator'),

  role('van-dijk-iot', 'devries', 'Economic Buyer', true),
  role('van-dijk-iot', 'jansen', 'Technical Buyer'),
];

// ---------------------------------------------------------------------------------------------
// Activities: Tasks (call notes, meetings, to-dos) and EmailMessages
// ---------------------------------------------------------------------------------------------

interface TaskSeed {
  opportunity: string;
  kind: 'Call' | 'Meeting' | 'Note' | 'To-do';
  subject: string;
  description: string;
  /** Day the activity happened (completed) or was created (open), relative to today. */
  day: number;
  /** UTC wall-clock time it was logged. */
  time: string;
  who?: ContactKey;
  owner?: string;
  /** Call length in minutes (calls only). */
  minutes?: number;
  priority?: 'High' | 'Normal' | 'Low';
  /** Open tasks only: due day relative to today. */
  due?: number;
  status?: 'Completed' | 'Not Started' | 'In Progress';
}

function task(refName: string, t: TaskSeed): SeedRecord {
  const status = t.status ?? (t.due === undefined ? 'Completed' : 'Not Started');
  const fields: Fields = {
    Subject: t.subject,
    Description: t.description,
    Status: status,
    Priority: t.priority ?? 'Normal',
    ActivityDate: daysFromToday(t.due ?? t.day),
    WhatId: ref(`opportunity.${t.opportunity}`),
    WhoId: t.who ? ref(contactRef(t.who)) : null,
    OwnerId: ref(t.owner ?? 'user.rep'),
    Type: t.kind === 'Call' ? 'Call' : t.kind === 'Meeting' ? 'Meeting' : 'Other',
    TaskSubtype: t.kind === 'Call' ? 'Call' : 'Task',
    CreatedDate: at(t.day, t.time),
  };
  if (t.minutes !== undefined) fields.CallDurationInSeconds = t.minutes * 60;
  return rec(refName, 'Task', fields);
}

interface EmailSeed {
  opportunity: string;
  subject: string;
  body: string;
  from: Party;
  to: Party[];
  cc?: Party[];
  day: number;
  time: string;
  /** 1 = read, 2 = replied (incoming); 3 = sent (outgoing). */
  status: '1' | '2' | '3';
}

function email(refName: string, m: EmailSeed): SeedRecord {
  const incoming = m.from.email !== JORDAN.email;
  const fields: Fields = {
    Subject: m.subject,
    TextBody: m.body,
    FromAddress: m.from.email,
    FromName: m.from.name,
    ToAddress: m.to.map((p) => p.email).join('; '),
    CcAddress: m.cc && m.cc.length > 0 ? m.cc.map((p) => p.email).join('; ') : null,
    MessageDate: at(m.day, m.time),
    Incoming: incoming,
    Status: m.status,
    RelatedToId: ref(`opportunity.${m.opportunity}`),
  };
  return rec(refName, 'EmailMessage', fields);
}

const JORDAN_SIGNATURE = ['Jordan Keller', 'Senior Account Executive, Strategic Accounts', 'Meridian'];

// --- opportunity.verbal-yes (Brennecke) ------------------------------------------------------

const verbalYesActivities: SeedRecord[] = [
  task('task.verbal-yes.pilot-review', {
    opportunity: 'verbal-yes',
    kind: 'Meeting',
    who: 'feldmann',
    day: -172,
    time: '09:30',
    subject: 'Chemnitz pilot - six-month review (on site)',
    description: lines(
      'Attendees: Markus Feldmann, Stefan Ritter (Chemnitz maintenance), Dr. Katrin Vogel (joined for the last 30 minutes), Jordan Keller.',
      'Results against the pilot success criteria: unplanned downtime on line 4 down 23% (target 15%); MTTR from 4.1 h to 3.2 h (target below 3.5 h); PM compliance from 91% to 97%.',
      'Stefan: "The night shift finally writes things down, because the app is faster than the paper form."',
      'Dr. Vogel: "If Chemnitz can do this, I want Göppingen and Zwickau on the same system before the next annual shutdown. Bring me a group business case."',
      'Action: Markus puts a group rollout budget request into the next group planning round; we prepare the business case with him.',
    ),
  }),
  email('email.verbal-yes.budget-request', {
    opportunity: 'verbal-yes',
    from: person('feldmann'),
    to: [JORDAN],
    day: -128,
    time: '15:20',
    status: '2',
    subject: 'Group rollout - budget request submitted',
    body: lines(
      'Hi Jordan,',
      '',
      'quick update: the budget request for the group rollout (three plants, including IoT for the critical assets) is in the planning round with EUR 550k. Dr. Vogel is sponsoring it.',
      '',
      'Heads-up: procurement will insist on a second offer. That is our purchasing guideline, nothing personal. Thomas Brandt will send you the VDA ISA questionnaire once we start formally.',
      '',
      'Viele Grüße',
      'Markus Feldmann',
      'Head of Maintenance & Reliability',
      'Brennecke Antriebstechnik GmbH',
    ),
  }),
  task('task.verbal-yes.discovery', {
    opportunity: 'verbal-yes',
    kind: 'Meeting',
    who: 'feldmann',
    day: -84,
    time: '08:00',
    subject: 'Discovery workshop Göppingen - group rollout scope',
    description: lines(
      'On site in Göppingen, 4 hours. Markus Feldmann, Thomas Brandt, two planners from each plant (Zwickau joined by video).',
      'Scope: 3 plants, ~380 users (planners, technicians, shift supervisors), ~600 critical assets to instrument (presses, gear-cutting machines, test benches); 260 technicians need the mobile app.',
      'Technical requirements: SSO via Microsoft Entra ID; SAP PM stays the system of record for cost centres and spare parts (our standard SAP connector, nightly sync is fine); IoT via OPC UA from the Siemens S7-1500 controllers plus the existing wireless vibration sensors; the edge gateway may only make outbound connections; the Zwickau press-shop basement has no Wi-Fi, so offline mode is mandatory; German UI and German training material.',
      'Markus: "The shift handover is where we lose everything. The night shift writes on paper and the morning shift can\'t read it."',
      'Success criteria for the group: unplanned downtime down 20% across all three plants within 12 months of go-live, MTTR below 3 h, PM compliance above 95%.',
      'Timing: sensors can only be installed on the lines during the annual two-week shutdown, about five months out. Markus: "If we miss the shutdown, we wait a full year. That is not an option for me."',
      'Next: send the security pack to Thomas; draft the proposal.',
    ),
  }),
  email('email.verbal-yes.procurement-process', {
    opportunity: 'verbal-yes',
    from: person('koch'),
    to: [JORDAN],
    cc: [person('feldmann')],
    day: -70,
    time: '08:40',
    status: '2',
    subject: 'Brennecke - procurement process for the maintenance platform',
    body: lines(
      'Dear Mr Keller,',
      '',
      'I am the responsible buyer for the maintenance platform project. For good order, please note:',
      '1. Brennecke is not in a position to sign any agreement until the information security questionnaire (VDA ISA) has been completed and approved by Mr Brandt.',
      '2. As per our purchasing guideline we obtain at least two offers; we are evaluating PlantPulse in parallel.',
      '3. Please submit your commercial offer in EUR, including all one-off and recurring costs.',
      '',
      'Kind regards',
      'Sabine Koch',
      'Senior Strategic Buyer, Indirect Procurement',
      'Brennecke Antriebstechnik GmbH',
    ),
  }),
  task('task.verbal-yes.security-call', {
    opportunity: 'verbal-yes',
    kind: 'Call',
    who: 'brandt',
    day: -62,
    time: '13:00',
    minutes: 45,
    subject: 'Call with Thomas Brandt - security questionnaire walkthrough',
    description: lines(
      'Walked through the VDA ISA questionnaire with Thomas (IT/OT security, ISO). 71 of 74 controls answered to his satisfaction. Three open findings:',
      '(1) Data residency: production and asset data must stay in the EU, including backups and support access. Our EU region hosts in Frankfurt, but follow-the-sun support includes US engineers, so we need the EU Data Residency Addendum (same as Van Dijk).',
      '(2) Latest external pen test report, under NDA.',
      '(3) IoT edge gateway. Thomas: "Our OT network will never accept inbound connections. Full stop." Our gateway is outbound-only (MQTT over TLS 1.3, port 8883); he wants that in writing plus a network diagram.',
      'Thomas: Brennecke holds a TISAX label, so any vendor storing production data has to pass this review. No exceptions for pilots that become rollouts.',
      'Follow-up: pen test summary (NDA in place), addendum draft, gateway network diagram.',
    ),
  }),
  task('task.verbal-yes.vendor-presentation', {
    opportunity: 'verbal-yes',
    kind: 'Meeting',
    who: 'feldmann',
    day: -55,
    time: '09:00',
    subject: 'Vendor presentation and live demo in Göppingen (competitive)',
    description: lines(
      'Attendees: Markus Feldmann, Thomas Brandt, Sabine Koch, six maintenance planners, Stefan Ritter by video. PlantPulse presented the week before.',
      'Demo: shift handover in the mobile app, offline work order in the Zwickau scenario, an OPC UA alarm from an S7-1500 test rig creating a work order in under 10 seconds. Planners asked detailed questions on spare-parts reservation in SAP.',
      'Competitor context, Markus after the session: "PlantPulse told us they \'go live in four weeks, guaranteed\' and that their connector supports the S7-1500. Then their engineer asked what an S7 was." The planners scored our mobile app first, 6 votes to 0.',
      'Markus on the status quo: "Sure, let\'s plan another shutdown with Excel and walkie-talkies. Everyone loves that."',
      'Sabine: "Price is still the open question. Nobody here is signing at list price." Procurement is still collecting both offers; no decision yet.',
    ),
  }),
  email('email.verbal-yes.findings', {
    opportunity: 'verbal-yes',
    from: person('brandt'),
    to: [JORDAN],
    day: -48,
    time: '11:05',
    status: '2',
    subject: 'RE: VDA ISA questionnaire - open findings',
    body: lines(
      'Hello Jordan,',
      '',
      'thanks for the pen test summary and the gateway diagram. Status of the three open findings:',
      '1. EU data residency including support access: still open, depends on the addendum. We cannot accept support access from outside the EU, not even "in exceptional cases".',
      '2. Pen test: closed. No critical or high findings, two medium findings remediated and retested. Fine for us.',
      '3. Outbound-only gateway: closed, the diagram matches our OT zone model.',
      '',
      'Once the addendum is in the contract draft I will sign off the questionnaire.',
      '',
      'Best regards',
      'Thomas Brandt',
      'Head of IT/OT Security (ISO)',
      'Brennecke Antriebstechnik GmbH',
    ),
  }),
  task('task.verbal-yes.business-case', {
    opportunity: 'verbal-yes',
    kind: 'Call',
    who: 'vogel',
    day: -41,
    time: '14:00',
    minutes: 40,
    priority: 'High',
    subject: 'Business case review with Dr. Vogel and Markus Feldmann',
    description: lines(
      'Dr. Katrin Vogel (COO, economic buyer) and Markus Feldmann.',
      "Walked through the group business case: at 20% less unplanned downtime across the three plants, Brennecke saves about EUR 1.9M a year (Markus's numbers, EUR 11,500 per hour of line stoppage); payback under five months.",
      'Dr. Vogel: "The business case holds even if we only get half of what Chemnitz saw."',
      'On price: "I will not approve list price for a three-plant rollout. Come back with a number that reflects the volume."',
      'Budget: the EUR 550k request is in the group planning round, decision expected in about four weeks. Dr. Vogel: "I am sponsoring it, but it is not approved until the board says so."',
      'Timing: the shutdown is about 15 weeks away; implementation needs roughly 8 weeks before it for configuration, the SAP connector and gateway preparation.',
      'Next: proposal v2 with a volume discount to Sabine Koch, cc Dr. Vogel and Markus.',
    ),
  }),
  email('email.verbal-yes.proposal-v2', {
    opportunity: 'verbal-yes',
    from: JORDAN,
    to: [person('koch')],
    cc: [person('vogel'), person('feldmann')],
    day: -34,
    time: '10:15',
    status: '3',
    subject: 'Brennecke - commercial proposal v2 (group rollout)',
    body: lines(
      'Dear Ms Koch,',
      '',
      'as discussed with Dr. Vogel, please find our revised commercial proposal for the three-plant rollout (EUR, first year):',
      '- Meridian Platform - Enterprise Edition: 380 users x EUR 900, less 15% = EUR 290,700.00',
      '- Predictive Maintenance Module (IoT): 6 packs (600 assets) x EUR 16,800, less 15% = EUR 85,680.00',
      '- Mobile Offline Module: 260 users x EUR 168, less 15% = EUR 37,128.00',
      '- Implementation Services: 45 days x EUR 1,650 = EUR 74,250.00',
      '- Premium Support (24x7): EUR 26,000.00',
      '- Admin & Power User Training: 40 seats x EUR 420 = EUR 16,800.00',
      'Total first year: EUR 530,558.00',
      '',
      'The 15% volume discount on the subscription lines is valid for 60 days, so that implementation can start in time for the plant shutdown. The 40 Chemnitz pilot users are included; the pilot subscription ends on the day the group subscription starts.',
      '',
      'As requested by Mr Brandt, the contract will include our EU Data Residency Addendum (hosting in Frankfurt, backups in the EU, support access by EU-based staff only).',
      '',
      'Kind regards',
      ...JORDAN_SIGNATURE,
    ),
  }),
  email('email.verbal-yes.competitor-dropped', {
    opportunity: 'verbal-yes',
    from: person('koch'),
    to: [JORDAN],
    cc: [person('vogel'), person('feldmann')],
    day: -27,
    time: '07:50',
    status: '2',
    subject: 'RE: Brennecke - commercial proposal v2 (group rollout)',
    body: lines(
      'Dear Mr Keller,',
      '',
      'thank you for the revised proposal. Following the evaluation we have decided not to proceed with PlantPulse; their offer did not meet our requirements on OT integration and EU data residency. We continue with Meridian only.',
      '',
      'Before we can finalise, we need one additional term in the contract itself (not in a side letter): an equipment-compatibility warranty. Meridian warrants that the IoT connector works with our Siemens S7-1500 controllers (OPC UA) and the existing wireless vibration sensors listed in the discovery documentation. If it does not, Meridian fixes it within 30 days; otherwise Brennecke is entitled to a refund of the IoT module fees.',
      '',
      'Please also confirm payment terms of 45 days net.',
      '',
      'Kind regards',
      'Sabine Koch',
      'Senior Strategic Buyer, Indirect Procurement',
      'Brennecke Antriebstechnik GmbH',
    ),
  }),
  email('email.verbal-yes.questionnaire-approved', {
    opportunity: 'verbal-yes',
    from: person('brandt'),
    to: [JORDAN],
    cc: [person('koch'), person('feldmann')],
    day: -20,
    time: '12:10',
    status: '1',
    subject: 'VDA ISA questionnaire - approved',
    body: lines(
      'Hello Jordan,',
      '',
      'with the EU Data Residency Addendum in the contract draft, all three findings are closed. I approved the questionnaire from the IT/OT security side today.',
      '',
      'One request: keep the sub-processor list in the addendum current. Any new sub-processor outside the EU needs our prior approval.',
      '',
      'Best regards',
      'Thomas Brandt',
    ),
  }),
  task('task.verbal-yes.budget-approved', {
    opportunity: 'verbal-yes',
    kind: 'Call',
    who: 'vogel',
    day: -13,
    time: '15:00',
    minutes: 25,
    priority: 'High',
    subject: 'Call with Dr. Vogel - board budget decision',
    description: lines(
      'Dr. Vogel called after the board meeting. Budget confirmed: "The board approved EUR 550,000 for the maintenance digitalisation programme. Your proposal fits inside it, including the services."',
      'She confirmed she is the decision maker for the rollout; Dr. Jens Albrecht (General Counsel, Prokura) co-signs under the two-signature rule.',
      'Works council: agreements signed for Göppingen and Chemnitz, on the condition that the mobile app is not used to evaluate individual technicians, so no per-technician productivity reports in our configuration. The Zwickau works council meets in two weeks; Dr. Vogel expects no issues.',
      'Still open on their side: Dr. Albrecht is reviewing the wording of the compatibility warranty.',
      'Internal: the compatibility warranty and the 45-day payment terms need Legal and Finance approval on our side.',
    ),
  }),
  task('task.verbal-yes.implementation-planning', {
    opportunity: 'verbal-yes',
    kind: 'Meeting',
    who: 'feldmann',
    day: -6,
    time: '08:30',
    subject: 'Implementation planning for the shutdown window (Göppingen)',
    description: lines(
      'Markus Feldmann, Stefan Ritter, Thomas Brandt; our solution architect joined.',
      'The shutdown starts in just under ten weeks and lasts two weeks. Plan: kick-off within four weeks at the latest; SSO and SAP connector in weeks 1 to 3; gateway preparation and OPC UA mapping of the 600 assets in weeks 3 to 6; sensor commissioning and go-live on the lines during the shutdown; on-site hypercare in the first production week after it.',
      'Commitments we made: an on-site hypercare team (two consultants) in Göppingen and Zwickau during the shutdown and the week after; German-language UI and training material; a named Customer Success Manager in the DACH time zone; no per-technician productivity reports (works council).',
      'Markus: "Honestly, there is no reason not to move forward. The plan works if the paperwork doesn\'t hold us up."',
      'Risks: Zwickau works council approval still pending; 45 implementation days are tight if the SAP spare-parts sync needs custom mapping.',
    ),
  }),
  task('task.verbal-yes.verbal-commit', {
    opportunity: 'verbal-yes',
    kind: 'Call',
    who: 'vogel',
    day: -2,
    time: '13:00',
    minutes: 31,
    priority: 'High',
    subject: 'Call with Dr. Vogel, Markus Feldmann and Sabine Koch - go decision',
    description: lines(
      'Attendees: Dr. Katrin Vogel (COO, economic buyer and decision maker), Markus Feldmann, Sabine Koch.',
      'Dr. Vogel: "We\'re ready to move forward. Send the paperwork over and we will sign before the end of next week. Sabine will turn it around."',
      'Terms confirmed on the call: EUR 530,558.00 for the first year as per proposal v2 (15% off the subscription lines), 45 days net, the EU Data Residency Addendum and the compatibility warranty (S7-1500 and vibration sensors; fix within 30 days or refund of the IoT fees), both in the main contract.',
      'Sabine: "I need the addendum and the warranty in the main contract, not in a side letter. Otherwise Dr. Albrecht will send it straight back."',
      'Dr. Vogel on timing: "The shutdown starts in nine weeks. If the sensors are not installed in that window, we wait another year. So the contract has to be signed in time for a kick-off in three weeks."',
      'Signatories: Dr. Katrin Vogel and Dr. Jens Albrecht (two signatures). Documents go to Sabine Koch with Dr. Vogel in copy.',
      'Next: contract package out within a day; internal approvals for discount, custom terms and payment terms.',
    ),
  }),
  email('email.verbal-yes.written-confirmation', {
    opportunity: 'verbal-yes',
    from: person('vogel'),
    to: [JORDAN],
    cc: [person('koch'), person('feldmann')],
    day: -1,
    time: '07:45',
    status: '1',
    subject: 'Maintenance platform - confirmation',
    body: lines(
      'Dear Mr Keller,',
      '',
      'as discussed yesterday, Brennecke would like to proceed with the group rollout of the Meridian platform for Göppingen, Chemnitz and Zwickau at the agreed terms (EUR 530,558.00 for the first year, payment 45 days net), including the EU Data Residency Addendum and the equipment-compatibility warranty.',
      '',
      'Please send the contract documents to Ms Koch with me in copy. The contract will be signed by myself and by Dr. Jens Albrecht, our General Counsel.',
      '',
      'We are counting on the kick-off in three weeks so that the installation can be completed during the plant shutdown.',
      '',
      'Kind regards',
      'Dr. Katrin Vogel',
      'Chief Operating Officer',
      'Brennecke Antriebstechnik GmbH',
    ),
  }),
  task('task.verbal-yes.send-contract', {
    opportunity: 'verbal-yes',
    kind: 'To-do',
    who: 'koch',
    day: -1,
    time: '08:10',
    due: 1,
    priority: 'High',
    subject: 'Send contract package to Sabine Koch (cc Dr. Vogel)',
    description: lines(
      'Order form (EUR 530,558.00), MSA, DPA with the EU Data Residency Addendum, equipment-compatibility warranty clause, 45 days net.',
      'Signers in order: Dr. Katrin Vogel, then Dr. Jens Albrecht. PDF plus an editable Word version for Sabine.',
    ),
  }),
];

// --- opportunity.ambiguous (Summit Valley Health) --------------------------------------------

const ambiguousActivities: SeedRecord[] = [
  task('task.ambiguous.re-engaged', {
    opportunity: 'ambiguous',
    kind: 'Note',
    who: 'harper',
    day: -150,
    time: '19:00',
    subject: 'Re-engaged Summit Valley - new budget cycle',
    description: lines(
      'Lunch with Denise Harper at the AAMI regional meeting. She has been promoted to VP Facilities & Clinical Engineering.',
      "The legacy CMMS support extension they signed after last year's no-decision runs out in about nine months. The two newly acquired hospitals (St. Brendan's, Clearwater) run Assetra for facilities work orders, so Assetra will be in the running this time.",
      'Denise: "Last time we died in legal and security. If you come back, come back with the BAA and the security package on day one."',
      'Lesson from the lost deal: start the InfoSec review and the BAA in parallel with discovery.',
    ),
  }),
  email('email.ambiguous.security-pack', {
    opportunity: 'ambiguous',
    from: JORDAN,
    to: [person('harper')],
    day: -135,
    time: '16:00',
    status: '3',
    subject: 'Security package and our standard BAA, ahead of any evaluation',
    body: lines(
      'Hi Denise,',
      '',
      'as promised at lunch: our SOC 2 Type II report (under NDA), the ISO 27001 certificate, the pen test executive summary and our standard BAA, so Kevin and Legal can start early this time rather than at the end.',
      '',
      'Best,',
      ...JORDAN_SIGNATURE,
    ),
  }),
  task('task.ambiguous.discovery', {
    opportunity: 'ambiguous',
    kind: 'Meeting',
    who: 'harper',
    day: -86,
    time: '15:00',
    subject: 'Discovery - clinical engineering and facilities (Nashville)',
    description: lines(
      'Denise Harper, three clinical engineering managers, and the facilities director for the two acquired hospitals.',
      'Scope: 9 hospitals, 62 clinics, ~38,000 medical devices plus facilities assets; ~900 users (biomed techs, facilities techs, supervisors), ~600 of them need mobile.',
      'Priorities: one system of record for all devices before the next Joint Commission survey; 100% PM completion on high-risk equipment (life support, infusion pumps); fewer OR delays caused by equipment.',
      'Denise: "I need one system of record for every infusion pump in the network before our next Joint Commission survey."',
      "Technical: SSO via Entra ID, SCIM provisioning (hard requirement from InfoSec), audit-log export to Splunk, migration from the legacy CMMS (~410k work order records) and from Assetra at St. Brendan's and Clearwater. Work order notes sometimes contain patient names and room numbers, so PHI, so a BAA is required.",
      'Competitor: Assetra is the incumbent at the two acquired hospitals and their facilities director likes it.',
      'Communication: Denise wants a short written summary after every meeting and "no surprises on price".',
    ),
  }),
  task('task.ambiguous.security-call', {
    opportunity: 'ambiguous',
    kind: 'Call',
    who: 'obrien',
    day: -71,
    time: '18:00',
    minutes: 50,
    subject: "Security call with Kevin O'Brien (InfoSec)",
    description: lines(
      'Kevin read our SOC 2 Type II report and the ISO 27001 certificate before the call. His concerns:',
      '- PHI in free-text work order notes: wants field-level protection; we have AES-256 encryption at rest and optional PHI redaction rules.',
      '- US-only data residency including backups and support access. Our US region qualifies, but follow-the-sun support includes engineers in Dublin and Krakow. Open.',
      '- SCIM 2.0 provisioning with Entra ID: ours is in beta, GA planned for the next release. Open.',
      '- Audit-log streaming to Splunk: supported.',
      '- No HITRUST r2: he will accept SOC 2 Type II plus a pen test with compensating controls, "but I need to read the pen test, not a marketing summary."',
      "Kevin on vendor claims: \"Everybody has 'military-grade encryption' these days. Forgive me if I'm not impressed.\"",
      'Status: security review open; no go/no-go until he has the pen test report and a SCIM answer.',
    ),
  }),
  task('task.ambiguous.demo', {
    opportunity: 'ambiguous',
    kind: 'Meeting',
    who: 'harper',
    day: -63,
    time: '16:00',
    subject: 'Product demo for the clinical engineering and facilities teams',
    description: lines(
      "12 attendees: biomed techs and supervisors, two facilities managers from St. Brendan's.",
      'Biomed supervisor: "This is the first system my techs didn\'t laugh at." PM scheduling by device risk class and the recall lookup landed well.',
      "St. Brendan's facilities manager on Assetra: \"Assetra's mobile app is fine for light bulbs, but it doesn't know what an infusion pump is.\" He still wants to keep Assetra for facilities at his site; not resolved.",
      "Hesitation, Denise: \"My worry isn't the product, it's timing. The Epic upgrade change freeze starts in four or five months and I can't have two go-lives at once.\"",
      'Next: pricing submission to Derek Lyons (Strategic Sourcing).',
    ),
  }),
  email('email.ambiguous.pricing-request', {
    opportunity: 'ambiguous',
    from: person('lyons'),
    to: [JORDAN],
    cc: [person('harper')],
    day: -56,
    time: '14:20',
    status: '2',
    subject: 'Summit Valley Health - pricing request (maintenance platform)',
    body: lines(
      'Jordan,',
      '',
      'Summit Valley Strategic Sourcing is running a competitive evaluation for the clinical engineering & facilities platform. Please submit first-year pricing and a three-year view by the end of next week using the attached pricing form.',
      '',
      'For transparency: Assetra has indicated they are "HIPAA certified" and are offering a three-year price lock. Please address both points in your response.',
      '',
      'Any award is subject to (1) an executed Business Associate Agreement, (2) InfoSec approval and (3) CFO approval through the capital committee.',
      '',
      'Regards,',
      'Derek Lyons',
      'Strategic Sourcing Manager',
      'Summit Valley Health',
    ),
  }),
  email('email.ambiguous.pricing-response', {
    opportunity: 'ambiguous',
    from: JORDAN,
    to: [person('lyons')],
    cc: [person('harper')],
    day: -49,
    time: '20:05',
    status: '3',
    subject: 'RE: Summit Valley Health - pricing request (maintenance platform)',
    body: lines(
      'Derek,',
      '',
      'attached is our completed pricing form. Summary, first year (USD):',
      '- Meridian Platform - Enterprise Edition: 900 users x $960, less 10% = $777,600.00',
      '- Mobile Offline Module: 600 users x $180, less 10% = $97,200.00',
      '- Advanced Analytics Module: $24,000, less 10% = $21,600.00',
      '- Implementation Services: 80 days x $1,800 = $144,000.00',
      '- Premium Support (24x7): $28,000.00',
      '- Admin & Power User Training: 120 seats x $450 = $54,000.00',
      'Total first year: $1,122,400.00',
      "Years 2 and 3: subscriptions and support only ($924,400.00 at this year's rates), increases capped at 3% a year.",
      '',
      'On the two points you raised: there is no such thing as a HIPAA certification, so no vendor, including us, can be "HIPAA certified". What matters is a signed BAA and independent audits. We sign a BAA, and we provide our SOC 2 Type II report and an independent pen test.',
      '',
      'Best,',
      ...JORDAN_SIGNATURE,
    ),
  }),
  task('task.ambiguous.champion-readout', {
    opportunity: 'ambiguous',
    kind: 'Call',
    who: 'harper',
    day: -40,
    time: '19:30',
    minutes: 30,
    subject: 'Call with Denise Harper - read-out after the pricing submission',
    description: lines(
      'Denise gave a candid read-out: "Honestly, I want you. But I don\'t sign the check. Robert does, and Assetra\'s three-year price lock is in his inbox."',
      'Budget: the project is in the capital plan, but Robert Castellano (CFO) has not signed off; it goes to the capital committee once Sourcing finishes the comparison.',
      'She asked whether we could match a three-year lock; told her I would check internally (needs Finance approval).',
      'Positive: clinical engineering scored us first in the functional evaluation. Still open: InfoSec (Kevin) and Legal (BAA).',
      'Offered a reference call with Gloria Ramirez at Pinecrest Senior Living (BAA and biomed use case). Denise prefers a phone call over email for anything about price.',
    ),
  }),
  email('email.ambiguous.baa-redlines', {
    opportunity: 'ambiguous',
    from: person('nguyen'),
    to: [JORDAN],
    cc: [person('lyons')],
    day: -33,
    time: '21:10',
    status: '2',
    subject: 'BAA redlines - Summit Valley Health / Meridian',
    body: lines(
      'Jordan,',
      '',
      'attached are our redlines to your Business Associate Agreement. Key points:',
      '1. Breach notification within 5 business days of discovery (your draft: 10 business days).',
      '2. Liability for breaches involving PHI uncapped and outside the general limitation of liability.',
      '3. Cyber liability insurance of at least $10M, naming Summit Valley as additional insured.',
      '4. Subcontractors with access to PHI must be US-based.',
      '',
      'Summit Valley cannot proceed with any award without an executed BAA. Happy to set up a call with your counsel.',
      '',
      'Lisa Nguyen',
      'Associate General Counsel',
      'Summit Valley Health',
    ),
  }),
  task('task.ambiguous.security-follow-up', {
    opportunity: 'ambiguous',
    kind: 'Meeting',
    who: 'obrien',
    day: -26,
    time: '17:30',
    subject: 'Security review follow-up - pen test report and open items',
    description: lines(
      'Kevin O\'Brien plus one of his security engineers. Kevin read the full pen test report: "Fine. Two mediums, both retested. That\'s better than most."',
      'Still open:',
      '(1) SCIM: the beta is not acceptable for production; he needs a written GA commitment date before contract signature.',
      '(2) Support access: PHI may only be accessible to US-based support staff, so a US-only support addendum (comparable to the EU-only addendum we did for Van Dijk).',
      '(3) An annual right to audit.',
      'Kevin: "I\'m not saying no. I\'m saying not yet."',
      'Security review status: conditional, not approved.',
    ),
  }),
  email('email.ambiguous.baa-counter', {
    opportunity: 'ambiguous',
    from: JORDAN,
    to: [person('nguyen')],
    cc: [HANNAH, person('lyons')],
    day: -19,
    time: '18:40',
    status: '3',
    subject: 'RE: BAA redlines - Summit Valley Health / Meridian',
    body: lines(
      'Lisa,',
      '',
      'thank you for the redlines. Our counsel Hannah Brooks (copied) has reviewed them. Our counter-proposal:',
      '1. Breach notification within 7 business days of discovery (we have agreed this with other health systems).',
      '2. Liability for PHI breaches outside the general cap, with a separate cap of 3x annual fees.',
      '3. Cyber insurance of $10M: accepted, certificate attached.',
      '4. US-based subcontractors for PHI access: accepted, together with the US-only support addendum your InfoSec team asked for.',
      '',
      'Hannah is available this week or next for a call.',
      '',
      'Best,',
      ...JORDAN_SIGNATURE,
    ),
  }),
  task('task.ambiguous.decision-timeline', {
    opportunity: 'ambiguous',
    kind: 'Call',
    who: 'harper',
    day: -11,
    time: '19:00',
    minutes: 35,
    priority: 'High',
    subject: 'Call with Denise Harper and Derek Lyons - decision timeline',
    description: lines(
      'Denise: "We\'re leaning your way. If legal signs off on the BAA and Robert approves the budget, we\'d probably sign this quarter."',
      'Derek: "Assetra came back 8% below your number, with the three-year lock. I need something to take to the committee."',
      'Denise asked us to "send the paperwork over so Lisa can start on the MSA. That\'s not a commitment, it just saves us time."',
      'Hesitation again: Denise is worried about go-live colliding with the Epic upgrade change freeze (now under three months away); she floated starting with clinical engineering only and adding facilities later.',
      'Budget: the capital committee has not scheduled the item yet; CFO sign-off still pending.',
      'My read: positive intent, nothing decided.',
    ),
  }),
  email('email.ambiguous.where-we-are', {
    opportunity: 'ambiguous',
    from: person('harper'),
    to: [JORDAN],
    day: -4,
    time: '16:35',
    status: '1',
    subject: 'Where we are',
    body: lines(
      'Jordan,',
      '',
      "quick update so you're not guessing:",
      "- Robert hasn't signed off yet. The capital committee meets in two weeks and our project is on the agenda.",
      "- Lisa is still reviewing your BAA counter. She's fine with 7 days; the 3x cap is the sticking point.",
      '- Kevin wants the SCIM date in writing before anything gets signed.',
      '',
      "Don't read too much into the silence, we're not walking away. But I can't promise you this quarter either.",
      '',
      'Denise',
    ),
  }),
  task('task.ambiguous.scim-letter', {
    opportunity: 'ambiguous',
    kind: 'To-do',
    who: 'obrien',
    day: -4,
    time: '17:00',
    due: 3,
    priority: 'High',
    subject: "Send SCIM GA commitment letter and US-only support addendum to Kevin O'Brien",
    description:
      'Product confirmed SCIM 2.0 GA in the next release (about six weeks). Our InfoSec (Samuel Okafor) must review the US-only support addendum before it goes out.',
  }),
  task('task.ambiguous.capital-committee', {
    opportunity: 'ambiguous',
    kind: 'To-do',
    who: 'castellano',
    day: -4,
    time: '17:05',
    due: 10,
    subject: 'Follow up on the capital committee outcome (CFO sign-off)',
    description:
      'Capital committee meets in about two weeks. Ask Denise whether Robert Castellano wants a three-year price view; prepare a Finance approval request if we match a three-year lock.',
  }),
];

// --- opportunity.not-ready (Kestrel Charge) --------------------------------------------------

const notReadyActivities: SeedRecord[] = [
  task('task.not-ready.intro', {
    opportunity: 'not-ready',
    kind: 'Call',
    who: 'adeyemi',
    day: -190,
    time: '10:00',
    minutes: 25,
    subject: 'Intro call with Chloe Adeyemi (referral from VoltBridge)',
    description: lines(
      'Referred by VoltBridge (charger hardware partner). Chloe runs field operations: 45 engineers, ~2,400 public chargers, many on council concession contracts with 97% uptime SLAs and penalties.',
      'Chloe: "Every hour a charger is down on a council contract costs us twice: in penalties and in one-star reviews on the app."',
      'Today: faults arrive from the OCPP back office in a shared inbox and get dispatched from a spreadsheet. She wants automatic work orders from charger faults.',
      'Timing: not before their next budget round; she will come back to us.',
    ),
  }),
  email('email.not-ready.back-on-radar', {
    opportunity: 'not-ready',
    from: person('adeyemi'),
    to: [JORDAN],
    day: -135,
    time: '11:30',
    status: '2',
    subject: 'Back on the radar',
    body: lines(
      'Hi Jordan,',
      '',
      "good news: field service tooling is in next financial year's plan. Can we set up a demo for me and James (our CTO)? If it does half of what you showed me, we're ready to sign once the board signs off the budget.",
      '',
      'Chloe',
    ),
  }),
  task('task.not-ready.demo', {
    opportunity: 'not-ready',
    kind: 'Meeting',
    who: 'adeyemi',
    day: -88,
    time: '13:00',
    subject: 'Demo for Chloe Adeyemi and James Whitaker (CTO)',
    description: lines(
      'Chloe Adeyemi (Head of Field Operations, champion) and James Whitaker (CTO), video call.',
      'Showed: OCPP fault to automatic work order to mobile dispatch; offline mode for rural sites; first-time-fix tracking.',
      'Requirements: OCPP 1.6J and 2.0.1 fault notifications via their back-office webhooks; Google Workspace SSO; UK data hosting (UK GDPR); 60 users (45 engineers plus dispatch and managers).',
      'Success criteria (Chloe): charger uptime on council contracts from 97.1% to 99%; first-time-fix rate from 68% to 80%; retire the shared inbox.',
      'James, dry as ever: "Great, another dashboard. Exactly what we were missing." He warmed up once he saw the API docs and the webhook retries.',
      'Scope idea: IoT module for a 200-charger pilot in the South West first.',
    ),
  }),
  email('email.not-ready.proposal', {
    opportunity: 'not-ready',
    from: JORDAN,
    to: [person('adeyemi')],
    cc: [person('whitaker')],
    day: -80,
    time: '15:30',
    status: '3',
    subject: 'Kestrel Charge - proposal',
    body: lines(
      'Hi Chloe,',
      '',
      'as promised, our proposal (GBP, first year, list prices):',
      '- Meridian Platform - Professional Edition: 60 users x GBP 480 = GBP 28,800.00',
      '- Mobile Offline Module: 45 users x GBP 144 = GBP 6,480.00',
      '- Predictive Maintenance Module (IoT): 2 packs (200 chargers, South West pilot) x GBP 14,400 = GBP 28,800.00',
      '- Implementation Services: 12 days x GBP 1,450 = GBP 17,400.00',
      '- Admin & Power User Training: 15 seats x GBP 360 = GBP 5,400.00',
      'Total: GBP 86,880.00',
      '',
      'Hosting in our UK (London) region.',
      '',
      'Best,',
      ...JORDAN_SIGNATURE,
    ),
  }),
  task('task.not-ready.budget-call', {
    opportunity: 'not-ready',
    kind: 'Call',
    who: 'clarke',
    day: -72,
    time: '14:00',
    minutes: 30,
    subject: 'Budget call with Emma Clarke (FD) and Chloe Adeyemi',
    description: lines(
      'Emma Clarke: "GBP 75k is the ceiling this financial year, and that\'s before the board looks at it."',
      'Chloe pushed to keep the full scope including the IoT pilot rather than cutting it: "Without the telemetry link we\'re just buying a nicer spreadsheet."',
      'Agreed to look at a deeper discount on the subscription lines to land under GBP 75k. Anything above 20% needs Sales VP approval.',
      'Emma wants everything in writing, in one consolidated document.',
    ),
  }),
  email('email.not-ready.revised-proposal', {
    opportunity: 'not-ready',
    from: JORDAN,
    to: [person('adeyemi'), person('clarke')],
    day: -64,
    time: '16:10',
    status: '3',
    subject: 'Kestrel Charge - revised proposal',
    body: lines(
      'Hi Chloe, hi Emma,',
      '',
      'revised proposal with 22% off all subscription lines (approved internally):',
      '- Professional Edition: 60 x GBP 480, less 22% = GBP 22,464.00',
      '- Mobile Offline Module: 45 x GBP 144, less 22% = GBP 5,054.40',
      '- IoT module: 2 packs x GBP 14,400, less 22% = GBP 22,464.00',
      '- Implementation Services: 12 days x GBP 1,450 = GBP 17,400.00',
      '- Training: 15 seats x GBP 360 = GBP 5,400.00',
      'Total first year: GBP 72,782.40, under your GBP 75k ceiling. This offer is valid for 30 days.',
      '',
      'Best,',
      ...JORDAN_SIGNATURE,
    ),
  }),
  task('task.not-ready.tech-deep-dive', {
    opportunity: 'not-ready',
    kind: 'Meeting',
    who: 'whitaker',
    day: -55,
    time: '10:00',
    subject: 'Technical deep-dive with James Whitaker',
    description: lines(
      'James and two backend engineers. Covered webhook signing, API rate limits (600 requests/minute is plenty for their ~4,000 fault events a day), UK data residency, Google Workspace SAML SSO, data export.',
      'James: "If your webhooks retry properly, I\'m happy. Obviously we could build all this ourselves in a sprint." (A joke: they tried in-house last year and abandoned it.)',
      'Sandbox access granted to his team for 60 days. No security blockers.',
    ),
  }),
  email('email.not-ready.auto-reply', {
    opportunity: 'not-ready',
    from: person('adeyemi'),
    to: [JORDAN],
    day: -41,
    time: '09:02',
    status: '1',
    subject: 'Automatic reply: Kestrel Charge - pilot region question',
    body: lines(
      'Thank you for your email. I have now left Kestrel Charge.',
      'For field operations please contact Ravi Menon (ravi.menon@kestrelcharge.example). For anything else, please contact office@kestrelcharge.example.',
      '',
      'Chloe',
    ),
  }),
  task('task.not-ready.interim-contact', {
    opportunity: 'not-ready',
    kind: 'Call',
    who: 'menon',
    day: -39,
    time: '08:15',
    minutes: 20,
    subject: 'Call with Ravi Menon (interim Field Operations)',
    description: lines(
      'Chloe left Kestrel about two weeks ago (joined a charging network in the Netherlands). Ravi Menon is interim head of field operations; he was in the demo but has no budget authority.',
      "Ravi: \"I'd love to keep this going, but I'm holding the fort here. I can't make commitments on Chloe's projects.\"",
      "He doesn't know where the proposal stands with Emma or Oliver. Chloe's business case apparently never went to the board.",
      'Champion lost. Need a new sponsor: Oliver Bennett (CEO) or Emma Clarke.',
    ),
  }),
  email('email.not-ready.on-hold', {
    opportunity: 'not-ready',
    from: person('bennett'),
    to: [JORDAN],
    cc: [person('clarke')],
    day: -30,
    time: '17:45',
    status: '2',
    subject: 'Field service platform - on hold',
    body: lines(
      'Jordan,',
      '',
      "thanks for your patience over the last few weeks. I'll be straight with you: our Series B has slipped, and until the round closes we have frozen all non-essential spend. I'm afraid that includes the field service platform.",
      '',
      'This is not a comment on your product. The team rated it highly.',
      '',
      'Oliver',
      '',
      'Oliver Bennett',
      'CEO & Co-founder, Kestrel Charge',
    ),
  }),
  task('task.not-ready.freeze-call', {
    opportunity: 'not-ready',
    kind: 'Call',
    who: 'bennett',
    day: -21,
    time: '15:00',
    minutes: 22,
    priority: 'High',
    subject: 'Call with Oliver Bennett and Emma Clarke - budget freeze',
    description: lines(
      'Oliver: "We\'re not ready to move forward this quarter. Nothing against you, you were the favourite."',
      'Emma: the 22% offer has lapsed and she does not expect us to hold it. Spend is frozen until the Series B closes, which Oliver expects next quarter, "if the investors stop moving the goalposts".',
      'Oliver: "Revisit next quarter, once the round is done. I\'m happy to sign the NDA extension so James can keep testing the sandbox, but nothing commercial."',
      'Who owns the project now that Chloe has gone: Oliver will decide after the round, possibly a new Head of Field Operations hire.',
      'Agreed: sandbox extended by 90 days, NDA extension, reconnect next quarter.',
    ),
  }),
  email('email.not-ready.summary', {
    opportunity: 'not-ready',
    from: JORDAN,
    to: [person('bennett')],
    cc: [person('clarke'), person('whitaker')],
    day: -18,
    time: '09:30',
    status: '3',
    subject: 'RE: Field service platform - on hold',
    body: lines(
      'Oliver, Emma,',
      '',
      'thanks for the honest update, understood. To summarise what we agreed:',
      '- No commercial steps until the Series B closes; we reconnect next quarter.',
      "- James's sandbox is extended by 90 days; the NDA extension is attached for signature.",
      '- The revised offer (GBP 72,782.40) has expired; we will re-quote when you are ready, scoped with whoever takes over field operations.',
      '',
      'Good luck with the round.',
      '',
      ...JORDAN_SIGNATURE,
    ),
  }),
  task('task.not-ready.pipeline-review', {
    opportunity: 'not-ready',
    kind: 'Note',
    day: -17,
    time: '14:30',
    subject: 'Pipeline review with Dana - Kestrel pushed to next quarter',
    description: lines(
      'Reviewed with Dana Whitfield. Close date moved to next quarter, probability 20%, forecast category Pipeline, stage back to Proposal/Price Quote.',
      'Champion gone, budget frozen, no sponsor until after the Series B. Do not forecast this quarter.',
    ),
  }),
  task('task.not-ready.re-engage', {
    opportunity: 'not-ready',
    kind: 'To-do',
    who: 'bennett',
    day: -17,
    time: '14:35',
    due: 70,
    priority: 'Low',
    subject: 'Re-engage Oliver Bennett after the Series B closes',
    description:
      'Check funding news first. Re-quote (the 22% offer expired); find out who owns field operations; offer a fresh demo to a new Head of Field Operations if one is hired.',
  }),
];

// --- history ---------------------------------------------------------------------------------

const historyActivities: SeedRecord[] = [
  task('task.brennecke-pilot.signed', {
    opportunity: 'brennecke-pilot',
    kind: 'Note',
    who: 'feldmann',
    day: -345,
    time: '10:00',
    subject: 'Chemnitz pilot signed',
    description: lines(
      'Pilot order signed by Markus Feldmann and Dr. Jens Albrecht (two signatures). 10% pilot discount approved by Dana Whitfield.',
      'Success criteria written into the order: unplanned downtime on line 4 down 15% within six months, MTTR below 3.5 h.',
      'Markus: "If this works in Chemnitz, the other plants will follow. If it doesn\'t, you\'ll never hear from us again."',
    ),
  }),
  task('task.summit-valley-lost.closed', {
    opportunity: 'summit-valley-lost',
    kind: 'Note',
    who: 'harper',
    day: -420,
    time: '20:00',
    subject: 'Closed Lost - no decision',
    description: lines(
      'Denise: "It\'s not you. Legal and security ran out the clock, and the capital freeze did the rest."',
      'The BAA stalled on 5-day breach notification (ours was 10) and the liability cap; the InfoSec review started in week 9 of an 11-week cycle. They extended the legacy CMMS support by 18 months.',
      'Lesson: start BAA and security review at discovery.',
    ),
  }),
  task('task.mercia-depots.signed', {
    opportunity: 'mercia-depots',
    kind: 'Note',
    who: 'marsh',
    owner: 'user.rep2',
    day: -270,
    time: '11:00',
    subject: 'Mercia order form signed',
    description:
      'Signed on our standard terms and the UK GDPR DPA, London hosting. 34 days from proposal to signature; 10% discount approved by Dana Whitfield.',
  }),
  task('task.van-dijk-platform.residency', {
    opportunity: 'van-dijk-platform',
    kind: 'Call',
    who: 'jansen',
    owner: 'user.rep2',
    day: -216,
    time: '09:00',
    minutes: 30,
    subject: 'Call with Femke Jansen - EU data residency',
    description: lines(
      'Femke: "Frankfurt hosting is fine, but if a support engineer in Denver can open our data, it is not EU-only."',
      'Legal (Hannah Brooks) and InfoSec (Samuel Okafor) approved the new EU Data Residency Addendum in 6 business days; Pieter de Vries signed the order the following week.',
    ),
  }),
  task('task.pinecrest-platform.baa', {
    opportunity: 'pinecrest-platform',
    kind: 'Note',
    who: 'sullivan',
    day: -152,
    time: '18:00',
    subject: 'Pinecrest BAA agreed - 7 business days',
    description:
      'Nathan Sullivan accepted our BAA with breach notification within 7 business days (standard 10) and the PHI liability inside a 2x fees cap. Hannah Brooks approved the deviation. Order signed by Gloria Ramirez two days later.',
  }),
  task('task.van-dijk-iot.approval', {
    opportunity: 'van-dijk-iot',
    kind: 'Note',
    who: 'devries',
    owner: 'user.rep2',
    day: -103,
    time: '13:00',
    subject: 'Van Dijk IoT - 25% discount approved, PoC passed',
    description:
      'Two-week proof of concept on 20 refrigeration units passed (alarms within 30 seconds). 25% discount approved by Priya Raman (Sales VP) and Marcus Bell (CRO) to displace the in-house telemetry project. Pieter: "Your proof of concept did more in two weeks than our own project did in a year."',
  }),
];

// ---------------------------------------------------------------------------------------------

export const demoCompany: SeedRecord[] = [
  ...currencies,
  ...users,
  ...permissionSetAssignments,
  ...accounts,
  ...contacts,
  ...products,
  ...pricebooks,
  ...pricebookEntries,
  ...opportunities,
  ...lineItems,
  ...contactRoles,
  ...verbalYesActivities,
  ...ambiguousActivities,
  ...notReadyActivities,
  ...historyActivities,
  ...approvalHistory,
  ...contractHistory,
  ...signatureHistory,
  ...salesBook,
];

/** The three open deals the demo and the tests work with, by their seed names. */
export function demoScenario(name: 'verbal-yes' | 'ambiguous' | 'not-ready'): {
  opportunityName: string;
  ownerUsername: string;
} {
  const opp = demoCompany.find((r) => r.ref === `opportunity.${name}`);
  const ownerRef = opp?.fields.OwnerId;
  const owner = demoCompany.find(
    (r) => typeof ownerRef === 'object' && ownerRef !== null && 'ref' in ownerRef && r.ref === ownerRef.ref,
  );
  if (!opp || typeof opp.fields.Name !== 'string' || typeof owner?.fields.Username !== 'string')
    throw new Error(`no demo scenario ${name}`);
  return { opportunityName: opp.fields.Name, ownerUsername: owner.fields.Username };
}
