/**
 * A faithful subset of the standard objects dealdesk touches, with their real API names,
 * types, lengths, key prefixes and relationship names (Salesforce Object Reference).
 * Fields the org maintains itself (IsClosed, TotalPrice, ContentSize, ...) are read-only here
 * and computed by the local org's automation, as in a real org.
 */
import { field, picklistValues, readOnly, type FieldDef, type ObjectDef } from './model.ts';
import { auditFields, currencyField, idField, ownerField } from './system-fields.ts';
import { opportunityCompetitorObject } from './opportunity-competitor.ts';

export const ORG_CURRENCIES = [
  'USD',
  'EUR',
  'GBP',
  'CAD',
  'AUD',
  'JPY',
  'CHF',
  'SEK',
  'INR',
  'SGD',
  'KWD',
] as const;
export const CORPORATE_CURRENCY = 'USD';

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

const text = (name: string, label: string, length: number, extra: Partial<FieldDef> = {}) =>
  field(name, label, 'string', { length, ...extra });
const longText = (name: string, label: string, length = 32000, extra: Partial<FieldDef> = {}) =>
  field(name, label, 'textarea', { length, ...extra });
const ref = (
  name: string,
  label: string,
  to: string[],
  relationshipName: string,
  extra: Partial<FieldDef> = {},
) => field(name, label, 'reference', { length: 18, referenceTo: to, relationshipName, ...extra });
const bool = (name: string, label: string, defaultValue = false, extra: Partial<FieldDef> = {}) =>
  field(name, label, 'boolean', { nillable: false, defaultValue, ...extra });
const money = (name: string, label: string, extra: Partial<FieldDef> = {}) =>
  field(name, label, 'currency', { precision: 18, scale: 2, ...extra });
const pick = (name: string, label: string, values: readonly string[], extra: Partial<FieldDef> = {}) =>
  field(name, label, 'picklist', { length: 255, picklistValues: picklistValues(values), ...extra });
const num = (name: string, label: string, precision: number, scale: number, extra: Partial<FieldDef> = {}) =>
  field(name, label, scale === 0 && precision <= 9 ? 'int' : 'double', { precision, scale, ...extra });
const date = (name: string, label: string, extra: Partial<FieldDef> = {}) =>
  field(name, label, 'date', extra);
const datetime = (name: string, label: string, extra: Partial<FieldDef> = {}) =>
  field(name, label, 'datetime', extra);
const required = { nillable: false } as const;

const address = (prefix: string, label: string): FieldDef[] => [
  longText(`${prefix}Street`, `${label} Street`, 255),
  text(`${prefix}City`, `${label} City`, 40),
  text(`${prefix}State`, `${label} State/Province`, 80),
  text(`${prefix}PostalCode`, `${label} Zip/Postal Code`, 20),
  text(`${prefix}Country`, `${label} Country`, 80),
];

interface StandardSpec {
  name: string;
  label: string;
  labelPlural: string;
  keyPrefix: string;
  owner?: boolean;
  currency?: boolean;
  createable?: boolean;
  updateable?: boolean;
  deletable?: boolean;
  fields: FieldDef[];
}

function standard(spec: StandardSpec): ObjectDef {
  const currency = spec.currency ?? true;
  const fields = [
    idField(),
    ...(spec.owner ? [ownerField()] : []),
    ...spec.fields,
    ...(currency ? [currencyFieldForOrg()] : []),
    ...auditFields(),
  ];
  return {
    name: spec.name,
    label: spec.label,
    labelPlural: spec.labelPlural,
    keyPrefix: spec.keyPrefix,
    kind: 'standard',
    custom: false,
    queryable: true,
    createable: spec.createable ?? true,
    updateable: spec.updateable ?? true,
    deletable: spec.deletable ?? true,
    fields,
  };
}

export function currencyFieldForOrg(): FieldDef {
  return currencyField(ORG_CURRENCIES, CORPORATE_CURRENCY);
}

const TIME_ZONES = [
  'America/Los_Angeles',
  'America/New_York',
  'America/Chicago',
  'Europe/London',
  'Europe/Berlin',
  'Europe/Paris',
  'Asia/Singapore',
  'Asia/Tokyo',
  'Australia/Sydney',
  'GMT',
];
const LOCALES = ['en_US', 'en_GB', 'de_DE', 'fr_FR', 'ja_JP', 'en_AU', 'en_SG'];
/** ProcessInstance.Status and ProcessInstanceStep.StepStatus share these values. */
const APPROVAL_STATUSES = [
  'Approved',
  'Rejected',
  'Removed',
  'Fault',
  'Pending',
  'Held',
  'Reassigned',
  'Started',
  'NoResponse',
];
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

export function standardObjects(): ObjectDef[] {
  return [
    standard({
      name: 'Organization',
      label: 'Organization',
      labelPlural: 'Organizations',
      keyPrefix: '00D',
      currency: false,
      createable: false,
      deletable: false,
      fields: [
        text('Name', 'Name', 80, { ...required, nameField: true }),
        pick('DefaultLocaleSidKey', 'Locale', LOCALES),
        pick('TimeZoneSidKey', 'Time Zone', TIME_ZONES),
        pick('LanguageLocaleKey', 'Language', ['en_US', 'de', 'fr', 'ja']),
        text('OrganizationType', 'Edition', 40, readOnly),
        text('InstanceName', 'Instance Name', 5, readOnly),
        bool('IsSandbox', 'Is Sandbox', false, readOnly),
        pick('DefaultCurrencyIsoCode', 'Currency Locale', ORG_CURRENCIES, {
          createable: false,
          updateable: false,
        }),
        text('Country', 'Country', 80),
        // Read by @salesforce/core when an sf login records the org (determineOrg).
        text('NamespacePrefix', 'Namespace Prefix', 15, readOnly),
        datetime('TrialExpirationDate', 'Trial Expiration Date', readOnly),
      ],
    }),
    standard({
      name: 'CurrencyType',
      label: 'Currency Type',
      labelPlural: 'Currency Types',
      keyPrefix: '02C',
      currency: false,
      fields: [
        pick('IsoCode', 'Currency ISO Code', ORG_CURRENCIES, {
          ...required,
          restrictedPicklist: true,
          updateable: false,
        }),
        num('ConversionRate', 'Conversion Rate', 15, 6, required),
        num('DecimalPlaces', 'Decimal Places', 1, 0, { defaultValue: 2 }),
        bool('IsActive', 'Active', true),
        bool('IsCorporate', 'Corporate Currency', false),
      ],
    }),
    standard({
      name: 'Profile',
      label: 'Profile',
      labelPlural: 'Profiles',
      keyPrefix: '00e',
      currency: false,
      fields: [
        text('Name', 'Name', 255, { ...required, nameField: true }),
        longText('Description', 'Description', 255),
        bool('PermissionsModifyAllData', 'Modify All Data', false),
        bool('PermissionsApiEnabled', 'API Enabled', true),
      ],
    }),
    standard({
      name: 'User',
      label: 'User',
      labelPlural: 'Users',
      keyPrefix: '005',
      currency: false,
      deletable: false,
      fields: [
        text('Username', 'Username', 80, { ...required, unique: true }),
        text('FirstName', 'First Name', 40),
        text('LastName', 'Last Name', 80, required),
        text('Name', 'Full Name', 121, { ...readOnly, nameField: true }),
        field('Email', 'Email', 'email', { length: 128, ...required }),
        text('Alias', 'Alias', 8, required),
        ref('ProfileId', 'Profile ID', ['Profile'], 'Profile', {
          ...required,
          childRelationshipName: 'Users',
        }),
        text('Title', 'Title', 80),
        text('Department', 'Department', 80),
        bool('IsActive', 'Active', true),
        ref('ManagerId', 'Manager ID', ['User'], 'Manager'),
        ref('DelegatedApproverId', 'Delegated Approver ID', ['User'], 'DelegatedApprover'),
        pick('TimeZoneSidKey', 'Time Zone', TIME_ZONES, { defaultValue: 'America/Los_Angeles' }),
        pick('LocaleSidKey', 'Locale', LOCALES, { defaultValue: 'en_US' }),
        pick('LanguageLocaleKey', 'Language', ['en_US', 'de', 'fr', 'ja'], { defaultValue: 'en_US' }),
        pick('EmailEncodingKey', 'Email Encoding', ['UTF-8', 'ISO-8859-1'], { defaultValue: 'UTF-8' }),
        pick('DefaultCurrencyIsoCode', 'User Currency', ORG_CURRENCIES, { defaultValue: CORPORATE_CURRENCY }),
      ],
    }),
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
    standard({
      name: 'Task',
      label: 'Task',
      labelPlural: 'Tasks',
      keyPrefix: '00T',
      owner: true,
      fields: [
        text('Subject', 'Subject', 255, { nameField: true }),
        longText('Description', 'Comments', 32000),
        pick(
          'Status',
          'Status',
          ['Not Started', 'In Progress', 'Completed', 'Waiting on someone else', 'Deferred'],
          { ...required, defaultValue: 'Not Started' },
        ),
        pick('Priority', 'Priority', ['High', 'Normal', 'Low'], { ...required, defaultValue: 'Normal' }),
        date('ActivityDate', 'Due Date Only'),
        ref(
          'WhatId',
          'Related To ID',
          ['Account', 'Opportunity', 'Contract', 'Deal_Closure__c', 'Deal_Approval__c', 'Handoff_Package__c'],
          'What',
          { childRelationshipName: 'Tasks' },
        ),
        ref('WhoId', 'Name ID', ['Contact'], 'Who', { childRelationshipName: 'Tasks' }),
        pick('Type', 'Type', ['Call', 'Email', 'Meeting', 'Other']),
        pick('TaskSubtype', 'Task Subtype', ['Task', 'Email', 'Call', 'ListEmail', 'Cadence'], {
          updateable: false,
        }),
        field('CallDurationInSeconds', 'Call Duration', 'int', { precision: 8 }),
        bool('IsClosed', 'Closed', false, readOnly),
      ],
    }),
    standard({
      name: 'EmailMessage',
      label: 'Email Message',
      labelPlural: 'Email Messages',
      keyPrefix: '02s',
      currency: false,
      fields: [
        text('Subject', 'Subject', 3000, { nameField: true }),
        longText('TextBody', 'Text Body', 131072),
        longText('HtmlBody', 'HTML Body', 131072),
        text('FromAddress', 'From Address', 1000),
        text('FromName', 'From Name', 1000),
        text('ToAddress', 'To Address', 4000),
        text('CcAddress', 'CC Address', 4000),
        datetime('MessageDate', 'Message Date'),
        bool('Incoming', 'Is Incoming', false),
        pick('Status', 'Status', ['0', '1', '2', '3', '4', '5'], { ...required, defaultValue: '3' }),
        ref(
          'RelatedToId',
          'Related To ID',
          ['Account', 'Opportunity', 'Contract', 'Deal_Closure__c'],
          'RelatedTo',
          { childRelationshipName: 'Emails' },
        ),
      ],
    }),
    standard({
      name: 'ContentDocument',
      label: 'Content Document',
      labelPlural: 'Content Documents',
      keyPrefix: '069',
      owner: true,
      currency: false,
      createable: false,
      fields: [
        text('Title', 'Title', 255, { nameField: true }),
        ref(
          'LatestPublishedVersionId',
          'Latest Published Version ID',
          ['ContentVersion'],
          'LatestPublishedVersion',
          readOnly,
        ),
        text('FileType', 'File Type', 20, readOnly),
        text('FileExtension', 'File Extension', 40, readOnly),
        field('ContentSize', 'Size', 'int', { ...readOnly, precision: 10 }),
        longText('Description', 'Description', 1000),
      ],
    }),
    standard({
      name: 'ContentVersion',
      label: 'Content Version',
      labelPlural: 'Content Versions',
      keyPrefix: '068',
      owner: true,
      currency: false,
      deletable: false,
      fields: [
        text('Title', 'Title', 255, { ...required, nameField: true }),
        text('PathOnClient', 'Path On Client', 500, { ...required, updateable: false }),
        field('VersionData', 'Version Data', 'base64', { updateable: false }),
        ref('ContentDocumentId', 'Content Document ID', ['ContentDocument'], 'ContentDocument', {
          updateable: false,
          childRelationshipName: 'ContentVersions',
        }),
        ref(
          'FirstPublishLocationId',
          'First Publish Location ID',
          ['Account', 'Opportunity', 'Contract', 'Deal_Closure__c', 'User'],
          'FirstPublishLocation',
          { updateable: false },
        ),
        text('VersionNumber', 'Version Number', 20, readOnly),
        bool('IsLatest', 'Is Latest', true, readOnly),
        field('ContentSize', 'Size', 'int', { ...readOnly, precision: 10 }),
        text('FileType', 'File Type', 20, readOnly),
        text('FileExtension', 'File Extension', 40, readOnly),
        text('Checksum', 'Checksum', 50, readOnly),
        longText('Description', 'Description', 1000),
        longText('ReasonForChange', 'Reason For Change', 1000),
      ],
    }),
    standard({
      name: 'ContentDocumentLink',
      label: 'Content Document Link',
      labelPlural: 'Content Document Link',
      keyPrefix: '06A',
      currency: false,
      updateable: false,
      fields: [
        ref('ContentDocumentId', 'Content Document ID', ['ContentDocument'], 'ContentDocument', {
          ...required,
          updateable: false,
          childRelationshipName: 'ContentDocumentLinks',
          cascadeDelete: true,
        }),
        ref(
          'LinkedEntityId',
          'Linked Entity ID',
          ['Account', 'Opportunity', 'Contract', 'Deal_Closure__c', 'User'],
          'LinkedEntity',
          { ...required, updateable: false, childRelationshipName: 'ContentDocumentLinks' },
        ),
        pick('ShareType', 'Share Type', ['V', 'C', 'I'], { defaultValue: 'V' }),
        pick('Visibility', 'Visibility', ['AllUsers', 'InternalUsers', 'SharedUsers'], {
          defaultValue: 'AllUsers',
        }),
      ],
    }),
    standard({
      name: 'FeedItem',
      label: 'Feed Item',
      labelPlural: 'Feed Items',
      keyPrefix: '0D5',
      currency: false,
      fields: [
        ref(
          'ParentId',
          'Parent ID',
          ['Account', 'Opportunity', 'Contract', 'User', 'Deal_Closure__c', 'Deal_Approval__c'],
          'Parent',
          { ...required, updateable: false, childRelationshipName: 'Feeds' },
        ),
        longText('Body', 'Body', 10000),
        text('Title', 'Title', 255),
        field('LinkUrl', 'Link Url', 'url', { length: 1000 }),
        bool('IsRichText', 'Is Rich Text', false),
        pick('Type', 'Feed Item Type', ['TextPost', 'LinkPost', 'ContentPost', 'AdvancedTextPost'], {
          defaultValue: 'TextPost',
        }),
      ],
    }),
    standard({
      name: 'ProcessDefinition',
      label: 'Process Definition',
      labelPlural: 'Process Definitions',
      keyPrefix: '04a',
      currency: false,
      createable: false,
      updateable: false,
      deletable: false,
      fields: [
        text('Name', 'Name', 255, { nameField: true }),
        text('DeveloperName', 'Unique Name', 80),
        text('TableEnumOrId', 'Table Enum or ID', 40),
        pick('State', 'State', ['Active', 'Inactive', 'Obsolete']),
        pick('Type', 'Type', ['Approval']),
        longText('Description', 'Description', 1000),
      ],
    }),
    standard({
      name: 'ProcessInstance',
      label: 'Approval History',
      labelPlural: 'Approval Histories',
      keyPrefix: '04g',
      currency: false,
      createable: false,
      updateable: false,
      deletable: false,
      fields: [
        ref('ProcessDefinitionId', 'Approval Process ID', ['ProcessDefinition'], 'ProcessDefinition'),
        ref(
          'TargetObjectId',
          'Target Object ID',
          ['Account', 'Opportunity', 'Contract', 'Deal_Approval__c', 'Deal_Closure__c'],
          'TargetObject',
          { childRelationshipName: 'ProcessInstances' },
        ),
        pick('Status', 'Status', APPROVAL_STATUSES),
        ref('SubmittedById', 'Submitted By ID', ['User'], 'SubmittedBy'),
        ref('LastActorId', 'Last Actor ID', ['User'], 'LastActor'),
        datetime('CompletedDate', 'Completed Date'),
      ],
    }),
    standard({
      name: 'ProcessInstanceWorkitem',
      label: 'Approval Request',
      labelPlural: 'Approval Requests',
      keyPrefix: '04i',
      // ActorId is updateable: reassigning an approval request is an update of the work item.
      currency: false,
      createable: false,
      deletable: false,
      fields: [
        ref('ProcessInstanceId', 'Approval Instance ID', ['ProcessInstance'], 'ProcessInstance', {
          createable: false,
          updateable: false,
          childRelationshipName: 'Workitems',
        }),
        ref('ActorId', 'Actor ID', ['User'], 'Actor', { createable: false }),
        ref('OriginalActorId', 'Original Actor ID', ['User'], 'OriginalActor', readOnly),
        field('ElapsedTimeInHours', 'Elapsed Time in Hours', 'double', {
          ...readOnly,
          precision: 18,
          scale: 2,
        }),
      ],
    }),
    standard({
      name: 'ProcessInstanceStep',
      label: 'Approval Step',
      labelPlural: 'Approval Steps',
      keyPrefix: '04h',
      currency: false,
      createable: false,
      updateable: false,
      deletable: false,
      fields: [
        ref('ProcessInstanceId', 'Approval Instance ID', ['ProcessInstance'], 'ProcessInstance', {
          childRelationshipName: 'Steps',
        }),
        pick('StepStatus', 'Step Status', APPROVAL_STATUSES),
        ref('ActorId', 'Actor ID', ['User'], 'Actor'),
        ref('OriginalActorId', 'Original Actor ID', ['User'], 'OriginalActor'),
        longText('Comments', 'Comments', 4000),
      ],
    }),
    standard({
      name: 'PermissionSet',
      label: 'Permission Set',
      labelPlural: 'Permission Sets',
      keyPrefix: '0PS',
      currency: false,
      fields: [
        text('Name', 'Name', 80, { ...required, nameField: true }),
        text('Label', 'Label', 80, required),
        longText('Description', 'Description', 255),
      ],
    }),
    standard({
      name: 'PermissionSetAssignment',
      label: 'Permission Set Assignment',
      labelPlural: 'Permission Set Assignments',
      keyPrefix: '0Pa',
      currency: false,
      updateable: false,
      fields: [
        ref('AssigneeId', 'Assignee ID', ['User'], 'Assignee', {
          ...required,
          updateable: false,
          childRelationshipName: 'PermissionSetAssignments',
        }),
        ref('PermissionSetId', 'Permission Set ID', ['PermissionSet'], 'PermissionSet', {
          ...required,
          updateable: false,
          childRelationshipName: 'Assignments',
        }),
      ],
    }),
  ];
}
