/**
 * Opportunity: the deal with its account, line items, contact roles and recent activity, read
 * in one query, and its mapping into the domain's DealContext (money in minor units).
 */
import type { DealContext } from '../../../ports/crm.ts';
import { toMinor } from '../../../domain/money.ts';
import { soqlString } from '@dealdesk/contracts';
import type { OpportunityRow } from '../salesforce-records.ts';
import type { CurrencyRates } from './currency-type.ts';

/** The deal and its last `activityDays` (at least one) of tasks and emails. */
export function dealSoql(opportunityId: string, activityDays: number): string {
  const days = Math.max(1, Math.floor(activityDays));
  return [
    'SELECT Id, Name, StageName, Amount, CurrencyIsoCode, CloseDate, Type, Probability, Description, NextStep,',
    ' IsClosed, IsWon, OwnerId, Owner.Name, Owner.Email, Pricebook2Id,',
    ' Account.Id, Account.Name, Account.Industry, Account.NumberOfEmployees, Account.Type, Account.BillingStreet,',
    ' Account.BillingCity, Account.BillingState, Account.BillingPostalCode, Account.BillingCountry, Account.Website,',
    ' (SELECT Id, Product2Id, Product2.Name, Product2.ProductCode, Product2.Family, Quantity, UnitPrice, ListPrice,',
    '  Discount, TotalPrice, Description, ServiceDate FROM OpportunityLineItems ORDER BY TotalPrice DESC),',
    ' (SELECT Id, ContactId, Contact.Name, Contact.Title, Contact.Email, Contact.Department, Contact.Description, Role,',
    '  IsPrimary FROM OpportunityContactRoles),',
    ` (SELECT Id, Type, Subject, Description, CreatedDate, ActivityDate, WhoId FROM Tasks WHERE CreatedDate = LAST_N_DAYS:${days} ORDER BY CreatedDate DESC),`,
    ` (SELECT Id, Subject, TextBody, MessageDate, CreatedDate, Incoming, FromAddress, FromName FROM Emails WHERE MessageDate = LAST_N_DAYS:${days} ORDER BY MessageDate DESC)`,
    ` FROM Opportunity WHERE Id = ${soqlString(opportunityId)}`,
  ].join('');
}

type Money = (value: number | null) => number | null;

/** The deal as the agents see it, short of what other reads bring (the approval policy, when). */
export function toDealContext(
  row: OpportunityRow,
  currency: CurrencyRates,
): Omit<DealContext, 'approvalRules' | 'readAt'> {
  const money: Money = (v) => (v === null ? null : toMinor(v, row.CurrencyIsoCode));
  return {
    opportunity: toOpportunity(row, money),
    account: toAccount(row.Account),
    lineItems: row.OpportunityLineItems.map((li) => ({
      id: li.Id,
      productId: li.Product2Id,
      productName: li.Product2?.Name ?? 'Product',
      productCode: li.Product2?.ProductCode ?? null,
      family: li.Product2?.Family ?? null,
      quantity: li.Quantity,
      unitPriceMinor: money(li.UnitPrice) ?? 0,
      listPriceMinor: money(li.ListPrice),
      discountPercent: li.Discount ?? 0,
      totalPriceMinor: money(li.TotalPrice) ?? 0,
      description: li.Description,
      serviceDate: li.ServiceDate,
    })),
    contactRoles: row.OpportunityContactRoles.map((r) => ({
      id: r.Id,
      contactId: r.ContactId,
      name: r.Contact?.Name ?? 'Contact',
      title: r.Contact?.Title ?? null,
      email: r.Contact?.Email ?? null,
      department: r.Contact?.Department ?? null,
      description: r.Contact?.Description ?? null,
      role: r.Role,
      isPrimary: r.IsPrimary,
    })),
    activities: toActivities(row),
    currencyRates: currency.rates,
    corporateCurrency: currency.corporate,
  };
}

function toOpportunity(row: OpportunityRow, money: Money): DealContext['opportunity'] {
  return {
    id: row.Id,
    name: row.Name,
    stageName: row.StageName,
    amountMinor: money(row.Amount),
    currency: row.CurrencyIsoCode,
    closeDate: row.CloseDate,
    type: row.Type,
    probability: row.Probability,
    description: row.Description,
    nextStep: row.NextStep,
    isClosed: row.IsClosed,
    isWon: row.IsWon,
    ownerId: row.OwnerId,
    ownerName: row.Owner?.Name ?? null,
    ownerEmail: row.Owner?.Email ?? null,
    pricebookId: row.Pricebook2Id,
  };
}

function toAccount(account: OpportunityRow['Account']): DealContext['account'] {
  if (!account) return null;
  return {
    id: account.Id,
    name: account.Name,
    industry: account.Industry,
    employees: account.NumberOfEmployees,
    type: account.Type,
    billingStreet: account.BillingStreet,
    billingCity: account.BillingCity,
    billingState: account.BillingState,
    billingPostalCode: account.BillingPostalCode,
    billingCountry: account.BillingCountry,
    website: account.Website,
  };
}

/** Tasks and emails together, newest first. */
function toActivities(row: OpportunityRow): DealContext['activities'] {
  return [
    ...row.Tasks.map((t) => ({
      id: t.Id,
      kind: 'task' as const,
      type: t.Type,
      subject: t.Subject,
      body: t.Description,
      occurredAt: t.CreatedDate,
      direction: null,
      from: null,
      contactId: t.WhoId,
    })),
    ...row.Emails.map((e) => ({
      id: e.Id,
      kind: 'email' as const,
      type: 'Email',
      subject: e.Subject,
      body: e.TextBody,
      occurredAt: e.MessageDate ?? e.CreatedDate,
      direction: e.Incoming ? ('inbound' as const) : ('outbound' as const),
      from: e.FromName ?? e.FromAddress,
      contactId: null,
    })),
  ].sort((a, b) => b.occurredAt.localeCompare(a.occurredAt));
}
