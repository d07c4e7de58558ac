/**
 * Lightning Local's stand-in for `DealDeskController` (force-app/main/default/classes): the same
 * @AuraEnabled methods, answered from the local org with the signed-in user's access, with the
 * same results and the same error messages. Its contract lives in apex-contract.ts, which a test
 * holds in step with the Apex class. Like Apex, the stand-in reads with the user's object access
 * (`WITH USER_MODE`), finds running closures in system mode, inserts closures as the user and
 * then hands the callout to the middleware to the local org's Queueable stand-in.
 */
import { z } from 'zod';
import type { LocalOrg } from '@dealdesk/local-org';
import type { JsonRecord } from '@dealdesk/local-org';
import { SalesforceApiError } from '@dealdesk/local-org';
import { isSalesforceId, to18 } from '@dealdesk/contracts';
import { soqlString, soqlStringList } from '@dealdesk/contracts';
import type { UserAccess } from './access.ts';
import {
  DEAL_DESK_CONTROLLER,
  apexMessage,
  type ApexPrimitive,
  type ClosurePreview,
  type ContactLine,
  type DealDeskMethod,
  type ProductLine,
  type Readiness,
} from './apex-contract.ts';
import { buildTimeline } from './timeline.ts';
import { bool, datetime, date, num, parentField, picklistLabel, records, str } from './record-values.ts';

/** Deal_Closure__c.Note__c and Transcript__c lengths (DealClosureService.NOTE_MAX_LENGTH, TRANSCRIPT_MAX_LENGTH). */
export const NOTE_MAX_LENGTH = 32768;
export const TRANSCRIPT_MAX_LENGTH = 131072;

/** What the component receives as `error.body`, and the HTTP status Lightning Local answers with. */
export class ApexError extends Error {
  readonly exceptionType: string;
  readonly status: number;
  constructor(message: string, exceptionType = 'System.AuraHandledException', status = 400) {
    super(message);
    this.exceptionType = exceptionType;
    this.status = status;
  }

  body(): { message: string; exceptionType: string; isUserDefinedException: boolean } {
    return { message: this.message, exceptionType: this.exceptionType, isUserDefinedException: false };
  }
}

/** Exceptions inside the Apex code, before DealDeskController.auraError turns them into messages. */
class DealClosureException extends Error {}
class QueryException extends Error {}
class SecurityException extends Error {}
class DmlException extends Error {}

export const ApexRequestSchema = z.object({
  classname: z.string().min(1).max(255),
  method: z.string().min(1).max(255),
  params: z.record(z.string(), z.unknown()).default({}),
});
export type ApexRequest = z.infer<typeof ApexRequestSchema>;

export interface DealDeskControllerDeps {
  org: LocalOrg;
  /** The DealClosureStartQueueable stand-in: calls the middleware for a new Queued closure. */
  enqueueStart: (dealClosureId: string) => void;
}

const TERMINAL_STATUSES = ['Completed', 'Failed', 'Cancelled'];

export class DealDeskControllerStandIn {
  private readonly org: LocalOrg;
  private readonly enqueueStart: (dealClosureId: string) => void;

  constructor(deps: DealDeskControllerDeps) {
    this.org = deps.org;
    this.enqueueStart = deps.enqueueStart;
  }

  /**
   * One call from a component, as the platform runs it: class access, parameter conversion, the
   * method, and the method's exceptions turned into AuraHandledExceptions the way the class does.
   */
  invoke(user: UserAccess, request: ApexRequest): unknown {
    const { classname, method } = request;
    const contract = DEAL_DESK_CONTROLLER.methods[method as DealDeskMethod] as
      (typeof DEAL_DESK_CONTROLLER.methods)[DealDeskMethod] | undefined;
    if (
      classname !== DEAL_DESK_CONTROLLER.name ||
      !contract ||
      !Object.hasOwn(DEAL_DESK_CONTROLLER.methods, method)
    ) {
      throw new ApexError(
        `Unable to find '${method}' on '${classname}'.`,
        'System.NoSuchMethodException',
        404,
      );
    }
    if (!user.canCallClass(classname)) {
      throw new ApexError(
        `You do not have access to the Apex class named '${classname}'.`,
        'System.NoAccessException',
        403,
      );
    }
    const args = contract.params.map(([name, type]) => convertParam(name, type, request.params[name]));
    let result: unknown;
    try {
      result = this.run(user, method as DealDeskMethod, args);
    } catch (err) {
      throw auraError(err);
    }
    // zod at the boundary: what leaves is exactly the Apex class's shape.
    return contract.returns.parse(result);
  }

  private run(user: UserAccess, method: DealDeskMethod, args: (string | null)[]): unknown {
    switch (method) {
      case 'getClosurePreview':
        return this.getClosurePreview(user, args[0] ?? null);
      case 'startClosure':
        return this.startClosure(user, args[0] ?? null, args[1] ?? null, args[2] ?? null);
      case 'getTimeline':
        return this.getTimeline(user, args[0] ?? null);
    }
  }

  getClosurePreview(user: UserAccess, opportunityId: string | null): ClosurePreview {
    const opp = opportunityId ? this.selectPreview(user, opportunityId) : undefined;
    if (!opp) throw new DealClosureException(apexMessage('noOpportunity'));
    const items = records(opp.OpportunityLineItems);
    const id = String(opp.Id);
    const preview: ClosurePreview = {
      opportunityId: id,
      name: str(opp.Name),
      accountName: parentField(opp.Account, 'Name'),
      stageName: str(opp.StageName),
      isClosed: bool(opp.IsClosed),
      amount: num(opp.Amount),
      currencyIsoCode: str(
        this.queryAsUser(
          user,
          ['Opportunity'],
          `SELECT Id, CurrencyIsoCode FROM Opportunity WHERE Id = ${soqlString(id)} LIMIT 1`,
        )[0]?.CurrencyIsoCode,
      ),
      closeDate: date(opp.CloseDate),
      discountPercent: overallDiscount(items),
      products: items.map(toProductLine),
      contacts: records(opp.OpportunityContactRoles).map(toContactLine),
      readiness: this.latestReadiness(user, id),
      blockers: this.findBlockers(user, [id]).get(id) ?? [],
      canStart: false,
    };
    preview.canStart = preview.blockers.length === 0;
    return preview;
  }

  startClosure(
    user: UserAccess,
    opportunityId: string | null,
    note: string | null,
    transcript: string | null,
  ): string {
    const reasons: string[] = [];
    if (!opportunityId) reasons.push(apexMessage('chooseOpportunity'));
    else reasons.push(...(this.findBlockers(user, [opportunityId]).get(opportunityId) ?? []));
    if (note !== null && note.trim().length > NOTE_MAX_LENGTH)
      reasons.push(apexMessage('noteTooLong', NOTE_MAX_LENGTH));
    if (transcript !== null && transcript.trim().length > TRANSCRIPT_MAX_LENGTH)
      reasons.push(apexMessage('transcriptTooLong', TRANSCRIPT_MAX_LENGTH));
    if (reasons.length > 0 || !opportunityId) throw new DealClosureException(reasons.join(' '));
    // `insert as user`: object access first, then the org's own validation.
    if (!user.canCreate('Deal_Closure__c'))
      throw new SecurityException('DML operation INSERT not allowed on Deal_Closure__c');
    let dealClosureId: string;
    try {
      dealClosureId = this.org.transact(user.userId, (dml) =>
        dml.insert('Deal_Closure__c', {
          Opportunity__c: opportunityId,
          Status__c: 'Queued',
          Trigger__c: 'Rep',
          Note__c: isBlank(note) ? null : note!.trim(),
          Transcript__c: isBlank(transcript) ? null : transcript!.trim(),
          Started_At__c: this.org.nowIso(),
        }),
      ).Id;
    } catch (err) {
      if (err instanceof SalesforceApiError) throw new DmlException(err.message);
      throw err;
    }
    this.enqueueStart(dealClosureId);
    return dealClosureId;
  }

  getTimeline(user: UserAccess, recordId: string | null): ReturnType<typeof buildTimeline> {
    if (!recordId) throw new DealClosureException(apexMessage('noRecord'));
    const type = this.org.registry.byKeyPrefix(recordId.slice(0, 3))?.name;
    let dealClosureId: string | undefined;
    if (type === 'Deal_Closure__c') {
      dealClosureId = recordId;
    } else if (type === 'Opportunity') {
      dealClosureId = this.queryAsUser(
        user,
        ['Deal_Closure__c'],
        `SELECT Id FROM Deal_Closure__c WHERE Opportunity__c = ${soqlString(recordId)} ORDER BY CreatedDate DESC, Id DESC LIMIT 1`,
      ).map((r) => String(r.Id))[0];
    } else {
      throw new DealClosureException(apexMessage('wrongPage'));
    }
    return buildTimeline(this.org, (objects, soql) => this.queryAsUser(user, objects, soql), dealClosureId);
  }

  /** OpportunitySelector.selectPreviewByIdAsUser. SortOrder is left out: the local org has no such field and every line would sort as null. */
  private selectPreview(user: UserAccess, opportunityId: string): JsonRecord | undefined {
    return this.queryAsUser(
      user,
      ['Opportunity', 'Account', 'OpportunityLineItem', 'Product2', 'OpportunityContactRole', 'Contact'],
      'SELECT Id, Name, StageName, IsClosed, IsWon, Amount, CloseDate, Account.Name, ' +
        '(SELECT Id, Product2.Name, ProductCode, Quantity, UnitPrice, ListPrice, Discount, TotalPrice ' +
        'FROM OpportunityLineItems ORDER BY CreatedDate), ' +
        '(SELECT Id, ContactId, Contact.Name, Contact.Title, Contact.Email, Role, IsPrimary ' +
        'FROM OpportunityContactRoles ORDER BY IsPrimary DESC, CreatedDate) ' +
        `FROM Opportunity WHERE Id = ${soqlString(opportunityId)} LIMIT 1`,
    )[0];
  }

  /** DealClosureSelector.selectLatestReadinessAsUser, as DealDeskController.toReadiness maps it. */
  private latestReadiness(user: UserAccess, opportunityId: string): Readiness | null {
    const closure = this.queryAsUser(
      user,
      ['Deal_Closure__c'],
      'SELECT Id, Name, Status__c, Closing_Confidence__c, Decision__c, Completed_At__c, CreatedDate FROM Deal_Closure__c ' +
        `WHERE Opportunity__c = ${soqlString(opportunityId)} AND (Closing_Confidence__c != NULL OR Decision__c != NULL) ` +
        'ORDER BY CreatedDate DESC, Id DESC LIMIT 1',
    )[0];
    if (!closure) return null;
    return {
      dealClosureId: str(closure.Id),
      name: str(closure.Name),
      confidence: num(closure.Closing_Confidence__c),
      decision: str(closure.Decision__c),
      decisionLabel: picklistLabel(this.org, 'Deal_Closure__c', 'Decision__c', closure.Decision__c),
      assessedAt: datetime(closure.Completed_At__c) ?? datetime(closure.CreatedDate),
    };
  }

  /** DealClosureService.findBlockers with the user's access to the opportunities. */
  private findBlockers(user: UserAccess, opportunityIds: string[]): Map<string, string[]> {
    const ids = opportunityIds.map((id) => to18(id) ?? id);
    const visible = new Map(
      this.queryAsUser(
        user,
        ['Opportunity', 'OpportunityContactRole'],
        'SELECT Id, Name, StageName, IsClosed, Amount, (SELECT Id FROM OpportunityContactRoles WHERE IsPrimary = TRUE LIMIT 1) ' +
          `FROM Opportunity WHERE Id IN ${soqlStringList(ids)}`,
      ).map((o) => [String(o.Id), o]),
    );
    // Running closures in system mode: one the user cannot see still blocks a second.
    const running = new Map<string, JsonRecord>();
    for (const closure of this.org.query(
      `SELECT Id, Name, Status__c, Opportunity__c FROM Deal_Closure__c WHERE Opportunity__c IN ${soqlStringList(ids)} ` +
        `AND Status__c NOT IN ${soqlStringList(TERMINAL_STATUSES)} ORDER BY CreatedDate DESC`,
    ).records) {
      const key = String(closure.Opportunity__c);
      if (!running.has(key)) running.set(key, closure);
    }
    const out = new Map<string, string[]>();
    opportunityIds.forEach((requested, i) => {
      const id = ids[i]!;
      const reasons: string[] = [];
      const opp = visible.get(id);
      if (!opp) {
        reasons.push(apexMessage('noOpportunity'));
      } else {
        if (opp.IsClosed === true) reasons.push(apexMessage('alreadyClosed', String(opp.StageName)));
        if (opp.Amount === null || opp.Amount === undefined) reasons.push(apexMessage('noAmount'));
        if (records(opp.OpportunityContactRoles).length === 0) reasons.push(apexMessage('noPrimaryContact'));
      }
      const closure = running.get(id);
      if (closure)
        reasons.push(apexMessage('alreadyRunning', String(closure.Name), String(closure.Status__c)));
      out.set(requested, reasons);
    });
    return out;
  }

  /** A query `WITH USER_MODE`: an object the user may not read fails the query, as in Apex. */
  private queryAsUser(user: UserAccess, objects: string[], soql: string): JsonRecord[] {
    const denied = objects.find((o) => !user.canRead(o));
    if (denied) throw new QueryException(`sObject type '${denied}' is not supported.`);
    return this.org.query(soql).records;
  }
}

/** The Aura framework's conversion of an Id parameter: a malformed Id never reaches the method. */
function convertParam(name: string, type: ApexPrimitive, value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (type === 'Id') {
    if (typeof value !== 'string' || !isSalesforceId(value))
      throw new ApexError(
        `Value provided is invalid for action parameter '${name}' of type 'Id'`,
        'System.TypeException',
      );
    return to18(value) ?? value;
  }
  if (typeof value !== 'string')
    throw new ApexError(
      `Value provided is invalid for action parameter '${name}' of type '${type}'`,
      'System.TypeException',
    );
  return value;
}

/** DealDeskController.auraError. */
function auraError(err: unknown): ApexError {
  if (err instanceof ApexError) return err;
  if (err instanceof DmlException) return new ApexError(apexMessage('dmlFailed') + err.message);
  if (err instanceof QueryException) return new ApexError(apexMessage('queryFailed') + err.message);
  if (err instanceof DealClosureException || err instanceof SecurityException)
    return new ApexError(err.message);
  if (err instanceof SalesforceApiError) return new ApexError(apexMessage('queryFailed') + err.message);
  throw err;
}

/** DealDeskController.overallDiscount: 1 - sum(TotalPrice) / sum(ListPrice x Quantity), 0-100, two decimals. */
export function overallDiscount(items: JsonRecord[]): number | null {
  let gross = 0;
  let net = 0;
  for (const item of items) {
    const quantity = num(item.Quantity) ?? 0;
    const unitPrice = num(item.UnitPrice);
    let total = num(item.TotalPrice);
    if (total === null && unitPrice !== null)
      total = unitPrice * quantity * (1 - (num(item.Discount) ?? 0) / 100);
    const listPrice = num(item.ListPrice);
    const reference = listPrice !== null && listPrice > 0 ? listPrice : unitPrice;
    if (reference === null || total === null) continue;
    gross += reference * quantity;
    net += total;
  }
  if (gross <= 0) return null;
  // setScale(2, HALF_UP); the epsilon keeps binary fractions such as 4.675 from rounding down.
  const value = (1 - net / gross) * 100;
  return (Math.sign(value) * Math.round((Math.abs(value) + 1e-9) * 100)) / 100;
}

function toProductLine(item: JsonRecord): ProductLine {
  return {
    id: str(item.Id),
    name: parentField(item.Product2, 'Name'),
    productCode: str(item.ProductCode),
    quantity: num(item.Quantity),
    unitPrice: num(item.UnitPrice),
    listPrice: num(item.ListPrice),
    discountPercent: num(item.Discount),
    totalPrice: num(item.TotalPrice),
  };
}

function toContactLine(role: JsonRecord): ContactLine {
  return {
    id: str(role.Id),
    contactId: str(role.ContactId),
    name: parentField(role.Contact, 'Name'),
    title: parentField(role.Contact, 'Title'),
    email: parentField(role.Contact, 'Email'),
    role: str(role.Role),
    isPrimary: bool(role.IsPrimary),
  };
}

function isBlank(value: string | null): boolean {
  return value === null || value.trim() === '';
}
