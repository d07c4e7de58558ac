/**
 * The standard sales objects: accounts and contacts, the product catalog, opportunities and
 * contracts, with the picklist values they share with the local org's automation.
 */
import { field, readOnly, type ObjectDef } from './model.ts';
import {
  address,
  bool,
  date,
  datetime,
  longText,
  money,
  pick,
  ref,
  required,
  standard,
  text,
} from './standard-fields.ts';
import { opportunityCompetitorObject } from './opportunity-competitor.ts';

export const INDUSTRIES = [
  'Agriculture',
  'Apparel',
  'Banking',
  'Biotechnology',
  'Chemicals',
  'Communications',
  'Construction',
  'Consulting',
  'Education',
  'Electronics',
  'Energy',
  'Engineering',
  'Entertainment',
  'Environmental',
  'Finance',
  'Food & Beverage',
  'Government',
  'Healthcare',
  'Hospitality',
  'Insurance',
  'Machinery',
  'Manufacturing',
  'Media',
  'Not For Profit',
  'Recreation',
  'Retail',
  'Shipping',
  'Technology',
  'Telecommunications',
  'Transportation',
  'Utilities',
  'Other',
] as const;

/** Opportunity stages with their default probability and forecast category (OpportunityStage). */
export const OPPORTUNITY_STAGES = [
  { name: 'Prospecting', probability: 10, forecast: 'Pipeline', closed: false, won: false },
  { name: 'Qualification', probability: 10, forecast: 'Pipeline', closed: false, won: false },
  { name: 'Needs Analysis', probability: 20, forecast: 'Pipeline', closed: false, won: false },
  { name: 'Value Proposition', probability: 50, forecast: 'Pipeline', closed: false, won: false },
  { name: 'Id. Decision Makers', probability: 60, forecast: 'Pipeline', closed: false, won: false },
  { name: 'Perception Analysis', probability: 70, forecast: 'Pipeline', closed: false, won: false },
  { name: 'Proposal/Price Quote', probability: 75, forecast: 'Pipeline', closed: false, won: false },
  { name: 'Negotiation/Review', probability: 90, forecast: 'Pipeline', closed: false, won: false },
  // Not a stock stage: orgs that run dealdesk add it so a stage move can start a closure.
  { name: 'Verbal Commit', probability: 95, forecast: 'Commit', closed: false, won: false },
  { name: 'Closed Won', probability: 100, forecast: 'Closed', closed: true, won: true },
  { name: 'Closed Lost', probability: 0, forecast: 'Omitted', closed: true, won: false },
] as const;

const CONTACT_ROLES = [
  'Business User',
  'Decision Maker',
  'Economic Buyer',
  'Economic Decision Maker',
  'Evaluator',
  'Executive Sponsor',
  'Influencer',
  'Technical Buyer',
  'Other',
];

/** Accounts and their contacts. */
export function accountObjects(): ObjectDef[] {
  return [
    standard({
      name: 'Account',
      label: 'Account',
      labelPlural: 'Accounts',
      keyPrefix: '001',
      owner: true,
      fields: [
        text('Name', 'Account Name', 255, { ...required, nameField: true }),
        pick('Industry', 'Industry', INDUSTRIES),
        pick('Type', 'Account Type', [
          'Prospect',
          'Customer - Direct',
          'Customer - Channel',
          'Channel Partner / Reseller',
          'Installation Partner',
          'Technology Partner',
          'Customer',
          'Other',
        ]),
        field('NumberOfEmployees', 'Employees', 'int', { precision: 8 }),
        money('AnnualRevenue', 'Annual Revenue'),
        field('Website', 'Website', 'url', { length: 255 }),
        field('Phone', 'Account Phone', 'phone', { length: 40 }),
        ...address('Billing', 'Billing'),
        ...address('Shipping', 'Shipping'),
        longText('Description', 'Account Description'),
        ref('ParentId', 'Parent Account ID', ['Account'], 'Parent', {
          childRelationshipName: 'ChildAccounts',
        }),
      ],
    }),
    standard({
      name: 'Contact',
      label: 'Contact',
      labelPlural: 'Contacts',
      keyPrefix: '003',
      owner: true,
      fields: [
        text('FirstName', 'First Name', 40),
        text('LastName', 'Last Name', 80, required),
        text('Name', 'Full Name', 121, { ...readOnly, nameField: true }),
        ref('AccountId', 'Account ID', ['Account'], 'Account', { childRelationshipName: 'Contacts' }),
        field('Email', 'Email', 'email', { length: 80 }),
        text('Title', 'Title', 128),
        text('Department', 'Department', 80),
        field('Phone', 'Business Phone', 'phone', { length: 40 }),
        longText('Description', 'Contact Description'),
      ],
    }),
  ];
}

/** The product catalog: products, price books and their entries. */
export function productObjects(): ObjectDef[] {
  return [
    standard({
      name: 'Product2',
      label: 'Product',
      labelPlural: 'Products',
      keyPrefix: '01t',
      fields: [
        text('Name', 'Product Name', 255, { ...required, nameField: true }),
        text('ProductCode', 'Product Code', 255),
        pick('Family', 'Product Family', ['Platform', 'Add-on', 'Services', 'Support', 'Training', 'None']),
        bool('IsActive', 'Active', true),
        longText('Description', 'Product Description', 4000),
      ],
    }),
    standard({
      name: 'Pricebook2',
      label: 'Price Book',
      labelPlural: 'Price Books',
      keyPrefix: '01s',
      currency: false,
      fields: [
        text('Name', 'Price Book Name', 255, { ...required, nameField: true }),
        bool('IsActive', 'Active', true),
        bool('IsStandard', 'Is Standard Price Book', false, readOnly),
        longText('Description', 'Description', 255),
      ],
    }),
    standard({
      name: 'PricebookEntry',
      label: 'Price Book Entry',
      labelPlural: 'Price Book Entries',
      keyPrefix: '01u',
      fields: [
        text('Name', 'Product Name', 255, { ...readOnly, nameField: true }),
        ref('Pricebook2Id', 'Price Book ID', ['Pricebook2'], 'Pricebook2', {
          ...required,
          updateable: false,
          childRelationshipName: 'PricebookEntries',
        }),
        ref('Product2Id', 'Product ID', ['Product2'], 'Product2', {
          ...required,
          updateable: false,
          childRelationshipName: 'PricebookEntries',
        }),
        money('UnitPrice', 'List Price', required),
        bool('IsActive', 'Active', true),
        bool('UseStandardPrice', 'Use Standard Price', false),
        text('ProductCode', 'Product Code', 255, readOnly),
      ],
    }),
  ];
}

/** Opportunities with their products, contact roles and competitors. */
// eslint-disable-next-line max-lines-per-function -- a table of the standard objects' fields: data, not logic
export function opportunityObjects(): ObjectDef[] {
  return [
    standard({
      name: 'Opportunity',
      label: 'Opportunity',
      labelPlural: 'Opportunities',
      keyPrefix: '006',
      owner: true,
      fields: [
        text('Name', 'Name', 120, { ...required, nameField: true }),
        ref('AccountId', 'Account ID', ['Account'], 'Account', { childRelationshipName: 'Opportunities' }),
        pick(
          'StageName',
          'Stage',
          OPPORTUNITY_STAGES.map((s) => s.name),
          { ...required, length: 40, restrictedPicklist: true },
        ),
        money('Amount', 'Amount'),
        date('CloseDate', 'Close Date', required),
        pick('Type', 'Opportunity Type', ['New Business', 'Existing Business', 'Renewal']),
        field('Probability', 'Probability (%)', 'percent', { precision: 3, scale: 0 }),
        longText('Description', 'Description'),
        text('NextStep', 'Next Step', 255),
        pick('LeadSource', 'Lead Source', [
          'Web',
          'Phone Inquiry',
          'Partner Referral',
          'Purchased List',
          'Trade Show',
          'Word of mouth',
          'Other',
        ]),
        pick('ForecastCategoryName', 'Forecast Category', [
          'Omitted',
          'Pipeline',
          'Best Case',
          'Commit',
          'Closed',
        ]),
        ref('Pricebook2Id', 'Price Book ID', ['Pricebook2'], 'Pricebook2', {
          childRelationshipName: 'Opportunities',
        }),
        ref('ContractId', 'Contract ID', ['Contract'], 'Contract'),
        bool('IsClosed', 'Closed', false, readOnly),
        bool('IsWon', 'Won', false, readOnly),
        bool('HasOpportunityLineItem', 'Has Line Item', false, readOnly),
        field('FiscalYear', 'Fiscal Year', 'int', { ...readOnly, precision: 4 }),
        field('FiscalQuarter', 'Fiscal Quarter', 'int', { ...readOnly, precision: 1 }),
      ],
    }),
    standard({
      name: 'OpportunityLineItem',
      label: 'Opportunity Product',
      labelPlural: 'Opportunity Product',
      keyPrefix: '00k',
      fields: [
        text('Name', 'Opportunity Product Name', 376, { ...readOnly, nameField: true }),
        ref('OpportunityId', 'Opportunity ID', ['Opportunity'], 'Opportunity', {
          ...required,
          updateable: false,
          childRelationshipName: 'OpportunityLineItems',
          cascadeDelete: true,
        }),
        ref('PricebookEntryId', 'Price Book Entry ID', ['PricebookEntry'], 'PricebookEntry', {
          updateable: false,
        }),
        ref('Product2Id', 'Product ID', ['Product2'], 'Product2', { updateable: false }),
        text('ProductCode', 'Product Code', 255, readOnly),
        field('Quantity', 'Quantity', 'double', { precision: 12, scale: 2, ...required }),
        money('UnitPrice', 'Sales Price'),
        money('ListPrice', 'List Price', readOnly),
        money('Subtotal', 'Subtotal', readOnly),
        money('TotalPrice', 'Total Price', readOnly),
        field('Discount', 'Discount', 'percent', { precision: 5, scale: 2 }),
        date('ServiceDate', 'Date'),
        text('Description', 'Line Description', 255),
      ],
    }),
    standard({
      name: 'OpportunityContactRole',
      label: 'Opportunity Contact Role',
      labelPlural: 'Opportunity Contact Role',
      keyPrefix: '00K',
      fields: [
        ref('OpportunityId', 'Opportunity ID', ['Opportunity'], 'Opportunity', {
          ...required,
          updateable: false,
          childRelationshipName: 'OpportunityContactRoles',
          cascadeDelete: true,
        }),
        ref('ContactId', 'Contact ID', ['Contact'], 'Contact', {
          ...required,
          childRelationshipName: 'OpportunityContactRoles',
        }),
        pick('Role', 'Role', CONTACT_ROLES),
        bool('IsPrimary', 'Primary', false),
      ],
    }),
    opportunityCompetitorObject(),
  ];
}

/** The contracts opportunities close into. */
export function contractObjects(): ObjectDef[] {
  return [
    standard({
      name: 'Contract',
      label: 'Contract',
      labelPlural: 'Contracts',
      keyPrefix: '800',
      owner: true,
      fields: [
        text('ContractNumber', 'Contract Number', 30, {
          ...readOnly,
          autoNumber: true,
          displayFormat: '{00000000}',
          nameField: true,
        }),
        text('Name', 'Contract Name', 80),
        ref('AccountId', 'Account ID', ['Account'], 'Account', {
          ...required,
          childRelationshipName: 'Contracts',
        }),
        pick('Status', 'Status', ['Draft', 'In Approval Process', 'Activated'], {
          ...required,
          restrictedPicklist: true,
          defaultValue: 'Draft',
        }),
        pick(
          'StatusCode',
          'Status Category',
          ['Draft', 'InApproval', 'Activated', 'Terminated', 'Expired'],
          readOnly,
        ),
        date('StartDate', 'Contract Start Date'),
        field('ContractTerm', 'Contract Term (months)', 'int', { precision: 4 }),
        date('EndDate', 'Contract End Date', readOnly),
        pick('OwnerExpirationNotice', 'Owner Expiration Notice', ['15', '30', '45', '60', '90', '120']),
        longText('SpecialTerms', 'Special Terms', 4000),
        longText('Description', 'Description'),
        ref('CustomerSignedId', 'Customer Signed By ID', ['Contact'], 'CustomerSigned'),
        date('CustomerSignedDate', 'Customer Signed Date'),
        text('CustomerSignedTitle', 'Customer Signed Title', 40),
        ref('CompanySignedId', 'Company Signed By ID', ['User'], 'CompanySigned'),
        date('CompanySignedDate', 'Company Signed Date'),
        datetime('ActivatedDate', 'Activated Date', readOnly),
        ref('ActivatedById', 'Activated By ID', ['User'], 'ActivatedBy', readOnly),
        ref('Pricebook2Id', 'Price Book ID', ['Pricebook2'], 'Pricebook2'),
        ...address('Billing', 'Billing'),
      ],
    }),
  ];
}
