/**
 * The standard Salesforce objects and fields dealdesk's Salesforce side references (Apex SOQL and constructors,
 * permission sets, layouts). A name used in force-app must be listed here or be custom metadata in
 * force-app/main/default/objects; adding a reference to a new standard field means adding it here, which keeps
 * every standard dependency of the package visible in one place.
 */
export interface StandardObject {
  fields: string[];
  /** Relationship name → target object (e.g. Opportunity.Account → Account). */
  parents?: Record<string, string>;
  /** Child relationship name → child object (e.g. Opportunity.OpportunityLineItems → OpportunityLineItem). */
  children?: Record<string, string>;
}

const AUDIT = ['Id', 'CreatedDate', 'CreatedById', 'LastModifiedDate', 'LastModifiedById', 'SystemModstamp'];
const AUDIT_PARENTS = { CreatedBy: 'User', LastModifiedBy: 'User' };

export const STANDARD_OBJECTS: Record<string, StandardObject> = {
  Account: {
    fields: [...AUDIT, 'Name', 'OwnerId', 'Industry', 'NumberOfEmployees', 'BillingCountry'],
    parents: { ...AUDIT_PARENTS, Owner: 'User' },
    children: { Opportunities: 'Opportunity', Contacts: 'Contact' },
  },
  AsyncApexJob: { fields: ['Id', 'Status', 'JobType', 'CreatedDate'] },
  Contact: {
    fields: [...AUDIT, 'Name', 'FirstName', 'LastName', 'Title', 'Email', 'AccountId', 'OwnerId'],
    parents: { ...AUDIT_PARENTS, Account: 'Account', Owner: 'User' },
  },
  ContentVersion: {
    fields: [...AUDIT, 'Title', 'PathOnClient', 'VersionData', 'ContentDocumentId', 'FirstPublishLocationId'],
    parents: AUDIT_PARENTS,
  },
  Contract: {
    fields: [...AUDIT, 'AccountId', 'Status', 'StartDate', 'ContractTerm', 'EndDate', 'OwnerId'],
    parents: { ...AUDIT_PARENTS, Account: 'Account', Owner: 'User' },
  },
  Opportunity: {
    fields: [
      ...AUDIT,
      'Name',
      'AccountId',
      'OwnerId',
      'StageName',
      'Amount',
      'CloseDate',
      'Type',
      'Description',
      'IsClosed',
      'IsWon',
      'Probability',
      'CurrencyIsoCode',
    ],
    parents: { ...AUDIT_PARENTS, Account: 'Account', Owner: 'User' },
    children: {
      OpportunityLineItems: 'OpportunityLineItem',
      OpportunityContactRoles: 'OpportunityContactRole',
    },
  },
  OpportunityContactRole: {
    fields: [...AUDIT, 'OpportunityId', 'ContactId', 'Role', 'IsPrimary'],
    parents: { ...AUDIT_PARENTS, Opportunity: 'Opportunity', Contact: 'Contact' },
  },
  OpportunityLineItem: {
    fields: [
      ...AUDIT,
      'Name',
      'OpportunityId',
      'PricebookEntryId',
      'Product2Id',
      'ProductCode',
      'Quantity',
      'UnitPrice',
      'ListPrice',
      'Discount',
      'TotalPrice',
      'SortOrder',
    ],
    parents: {
      ...AUDIT_PARENTS,
      Opportunity: 'Opportunity',
      Product2: 'Product2',
      PricebookEntry: 'PricebookEntry',
    },
  },
  OpportunityStage: {
    fields: ['Id', 'ApiName', 'MasterLabel', 'IsActive', 'IsClosed', 'IsWon', 'SortOrder'],
  },
  PermissionSet: { fields: ['Id', 'Name', 'Label'] },
  PermissionSetAssignment: {
    fields: ['Id', 'AssigneeId', 'PermissionSetId'],
    parents: { Assignee: 'User', PermissionSet: 'PermissionSet' },
  },
  PricebookEntry: {
    fields: [...AUDIT, 'Pricebook2Id', 'Product2Id', 'UnitPrice', 'IsActive'],
    parents: { ...AUDIT_PARENTS, Product2: 'Product2' },
  },
  ProcessInstance: { fields: [...AUDIT, 'TargetObjectId', 'Status'] },
  ProcessInstanceStep: {
    fields: [
      'Id',
      'CreatedDate',
      'ProcessInstanceId',
      'StepStatus',
      'Comments',
      'ActorId',
      'OriginalActorId',
    ],
    parents: { ProcessInstance: 'ProcessInstance', Actor: 'User' },
  },
  Product2: { fields: [...AUDIT, 'Name', 'ProductCode', 'IsActive'], parents: AUDIT_PARENTS },
  Profile: { fields: ['Id', 'Name'] },
  User: {
    fields: [
      ...AUDIT,
      'Name',
      'FirstName',
      'LastName',
      'Alias',
      'Username',
      'Email',
      'ProfileId',
      'IsActive',
      'TimeZoneSidKey',
      'LocaleSidKey',
      'EmailEncodingKey',
      'LanguageLocaleKey',
    ],
    parents: { ...AUDIT_PARENTS, Profile: 'Profile' },
  },
};

/** Standard layout items and related lists that are not fields of the object. */
export const STANDARD_LAYOUT_FIELDS = ['Name', 'OwnerId', 'CreatedById', 'LastModifiedById'];
export const STANDARD_RELATED_LISTS = [
  'RelatedProcessHistoryList',
  'RelatedEntityHistoryList',
  'RelatedNoteList',
];
