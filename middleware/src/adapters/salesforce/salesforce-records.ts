/**
 * zod schemas for what dealdesk reads from Salesforce. jsforce does not validate responses, so
 * every record is parsed here before any agent sees it; a surprise in the org's data fails with
 * the field that surprised us instead of a wrong decision later.
 */
import { z } from 'zod';

export const str = z
  .string()
  .nullable()
  .optional()
  .transform((v) => v ?? null);
const num = z
  .number()
  .nullable()
  .optional()
  .transform((v) => v ?? null);
const bool = z
  .boolean()
  .nullable()
  .optional()
  .transform((v) => v ?? false);

/** A child relationship in a query result: null when empty. */
export const children = <T extends z.ZodType>(record: T) =>
  z
    .object({ records: z.array(record) })
    .nullable()
    .optional()
    .transform((v) => v?.records ?? []);

export const OpportunityRowSchema = z.object({
  Id: z.string(),
  Name: z.string(),
  StageName: z.string(),
  Amount: num,
  CurrencyIsoCode: z.string().optional().default('USD'),
  CloseDate: str,
  Type: str,
  Probability: num,
  Description: str,
  NextStep: str,
  IsClosed: bool,
  IsWon: bool,
  OwnerId: z.string(),
  Owner: z.object({ Name: str, Email: str }).nullable().optional(),
  Pricebook2Id: str,
  Account: z
    .object({
      Id: z.string(),
      Name: z.string(),
      Industry: str,
      NumberOfEmployees: num,
      Type: str,
      BillingStreet: str,
      BillingCity: str,
      BillingState: str,
      BillingPostalCode: str,
      BillingCountry: str,
      Website: str,
    })
    .nullable()
    .optional(),
  OpportunityLineItems: children(
    z.object({
      Id: z.string(),
      Product2Id: str,
      Product2: z.object({ Name: str, ProductCode: str, Family: str }).nullable().optional(),
      Quantity: z.number(),
      UnitPrice: num,
      ListPrice: num,
      Discount: num,
      TotalPrice: num,
      Description: str,
      ServiceDate: str,
    }),
  ),
  OpportunityContactRoles: children(
    z.object({
      Id: z.string(),
      ContactId: z.string(),
      Contact: z
        .object({ Name: str, Title: str, Email: str, Department: str, Description: str })
        .nullable()
        .optional(),
      Role: str,
      IsPrimary: bool,
    }),
  ),
  Tasks: children(
    z.object({
      Id: z.string(),
      Type: str,
      Subject: str,
      Description: str,
      CreatedDate: z.string(),
      ActivityDate: str,
      WhoId: str,
    }),
  ),
  Emails: children(
    z.object({
      Id: z.string(),
      Subject: str,
      TextBody: str,
      MessageDate: str,
      CreatedDate: z.string(),
      Incoming: bool,
      FromAddress: str,
      FromName: str,
    }),
  ),
});
export type OpportunityRow = z.infer<typeof OpportunityRowSchema>;

export const CurrencyRowSchema = z.object({
  IsoCode: z.string(),
  ConversionRate: z.number(),
  IsCorporate: bool,
});

export const ApprovalRuleRowSchema = z.object({
  DeveloperName: z.string(),
  Role__c: str,
  Min_Amount__c: num,
  Min_Discount_Percent__c: num,
  Requires_Custom_Terms__c: bool,
  Requires_Security_Review__c: bool,
  Requires_Legal_Review__c: bool,
  SLA_Hours__c: num,
  Approver_Username__c: str,
  Backup_Username__c: str,
  Currency_Iso_Code__c: str,
  Depends_On__c: str,
  Active__c: bool,
});

export const UserRowSchema = z.object({
  Id: z.string(),
  Username: z.string(),
  Name: z.string(),
  Email: str,
  IsActive: z.boolean(),
  DelegatedApproverId: str,
  ManagerId: str,
});
export type UserRow = z.infer<typeof UserRowSchema>;

/** A SaveResult-like body or an error array, as composite subresponses carry them. */
export const CompositeResponseSchema = z.object({
  compositeResponse: z.array(
    z.object({
      body: z.unknown(),
      httpStatusCode: z.number(),
      referenceId: z.string(),
    }),
  ),
});

export const SalesforceErrorArraySchema = z.array(
  z.object({
    errorCode: z.string().optional(),
    statusCode: z.string().optional(),
    message: z.string(),
    fields: z.array(z.string()).optional(),
  }),
);

export const QueryResultSchema = z.object({
  totalSize: z.number(),
  done: z.boolean(),
  records: z.array(z.unknown()),
});
