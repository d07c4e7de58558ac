/**
 * The CRM port on Salesforce's REST API through jsforce. The same code serves a real org and
 * the local org. Reads are batched into composite calls; every step's write-back is one
 * all-or-none composite call keyed by external ids, so a retry never duplicates a record.
 */
import { createHash } from 'node:crypto';
import type { Connection } from '@jsforce/jsforce-node';
import type { z } from 'zod';
import type {
  ApprovalRule,
  ClosedWonReadBack,
  ClosurePatch,
  ClosureRef,
  CommitResult,
  CrmPort,
  CrmUser,
  CrmWrite,
  DealContext,
  SubmissionResult,
} from '../../ports/crm.ts';
import { toMinor } from '../../domain/money.ts';
import {
  ApprovalRuleRowSchema,
  CompositeResponseSchema,
  CurrencyRowSchema,
  OpportunityRowSchema,
  QueryResultSchema,
  UserRowSchema,
} from './salesforce-records.ts';
import { classifyFailure, type Resilience } from './resilience.ts';
import { CrmError, errorOf, subrequestError } from './salesforce-errors.ts';

export { CrmError };
import { requestCounter, type RequestListener } from './request-counter.ts';

export const APPROVAL_PROCESS_NAME = 'DealDesk_Deal_Approval';
const LONG_TEXT = 131_072;
const MEDIUM_TEXT = 32_768;

interface Subrequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  referenceId: string;
  body?: unknown;
}

/** SOQL string literal. */
function q(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function truncate(text: string | null | undefined, max: number): string | null {
  if (text === null || text === undefined) return null;
  return text.length <= max ? text : `${text.slice(0, max - 20)}… [truncated]`;
}

function parseRows<T extends z.ZodType>(schema: T, body: unknown, what: string): z.infer<T>[] {
  const result = QueryResultSchema.safeParse(body);
  if (!result.success) throw new CrmError('UNEXPECTED_RESPONSE', `${what}: not a query result`);
  return result.data.records.map((r, i) => {
    const parsed = schema.safeParse(r);
    if (!parsed.success) {
      throw new CrmError(
        'UNEXPECTED_RESPONSE',
        `${what} record ${i}: ${parsed.error.issues.map((x) => `${x.path.join('.')} ${x.message}`).join('; ')}`,
      );
    }
    return parsed.data;
  });
}

/**
 * A blob field's bytes. jsforce decodes every response body as text, which would mangle a PDF;
 * asked for base64 it hands back the raw bytes of the final response (after a session refresh
 * too). An error body then arrives base64-encoded as well: decoded, so the error keeps its
 * Salesforce code and the retry policy sees what kind it is.
 */
async function readBlob(conn: Connection, url: string, options: Record<string, unknown>): Promise<Buffer> {
  try {
    const body = await conn.request<string>({ method: 'GET', url }, { ...options, encoding: 'base64' });
    return Buffer.from(body, 'base64');
  } catch (err) {
    const e = err as { errorCode?: unknown; message?: unknown };
    if (
      typeof e.errorCode !== 'string' ||
      !e.errorCode.startsWith('ERROR_HTTP_') ||
      typeof e.message !== 'string'
    )
      throw err;
    let body: unknown;
    try {
      body = JSON.parse(Buffer.from(e.message, 'base64').toString('utf8'));
    } catch {
      throw err;
    }
    const decoded = errorOf(body);
    throw decoded.errorCode === 'UNKNOWN' ? err : decoded;
  }
}

export interface SalesforceCrmDeps {
  conn: Connection;
  apiVersion: string;
  /** Counts each API request by operation and outcome. */
  onRequest?: RequestListener;
  /** Retries, timeouts and the circuit breaker; calls go straight through without it. */
  resilience?: Resilience;
  /** Wraps each logical call (with its retries) for tracing. */
  trace?: <T>(operation: string, call: () => Promise<T>) => Promise<T>;
}

const direct: Resilience = {
  execute: (_options, call) => call(0),
  circuit: () => 'closed',
};

/** Platform events are notifications: a replayed one changes no record. */
const EVENT_URL = /\/sobjects\/Deal_Closure_Event__e$/;

export function createSalesforceCrm(deps: SalesforceCrmDeps): CrmPort {
  const resilience = deps.resilience ?? direct;
  const trace = deps.trace ?? (<T>(_operation: string, call: () => Promise<T>) => call());
  const counted = requestCounter(deps.onRequest);
  // jsforce's own retries would stack on ours (and replay POSTs blindly on 5xx for GETs only);
  // our policy decides, and each request gets the configured timeout.
  const transport = (timeoutMs: number) =>
    timeoutMs > 0 ? { timeout: timeoutMs, retry: { maxRetries: 0 } } : {};
  // Every Salesforce call goes through these, so each is counted once per HTTP request.
  const http = {
    request: <T = unknown>(url: string, timeoutMs: number) =>
      counted('query', () => deps.conn.request<T>({ method: 'GET', url }, transport(timeoutMs))),
    requestPost: <T = unknown>(url: string, body: object, timeoutMs: number) =>
      counted(
        url.endsWith('/composite')
          ? 'composite'
          : url.includes('/process/approvals')
            ? 'process/approvals'
            : 'post',
        () => deps.conn.requestPost<T>(url, body, transport(timeoutMs)),
      ),
  };
  const conn = {
    request: <T = unknown>(url: string) =>
      trace('query', () =>
        resilience.execute({ operation: 'query', idempotent: true }, (t) => http.request<T>(url, t)),
      ),
    // Approval submissions are safe to replay: a second one answers ALREADY_IN_PROCESS.
    requestPost: <T = unknown>(url: string, body: object) =>
      trace('process/approvals', () =>
        resilience.execute({ operation: 'process/approvals', idempotent: true }, (t) =>
          http.requestPost<T>(url, body, t),
        ),
      ),
  };
  const base = `/services/data/v${deps.apiVersion}`;

  function composite(
    subrequests: Subrequest[],
    allOrNone: boolean,
  ): Promise<Map<string, { status: number; body: unknown }>> {
    const writes = subrequests.some((s) => s.method !== 'GET');
    const operation = writes ? 'composite write' : 'composite read';
    // Upserts by external id and reads replay safely; a POST that creates a record does not.
    const idempotent = subrequests.every((s) => s.method !== 'POST' || EVENT_URL.test(s.url));
    return trace(operation, () =>
      resilience.execute({ operation, idempotent }, (t) => compositeOnce(subrequests, allOrNone, t)),
    );
  }

  async function compositeOnce(
    subrequests: Subrequest[],
    allOrNone: boolean,
    timeoutMs: number,
  ): Promise<Map<string, { status: number; body: unknown }>> {
    const response = await http.requestPost(
      `${base}/composite`,
      { allOrNone, compositeRequest: subrequests },
      timeoutMs,
    );
    const parsed = CompositeResponseSchema.safeParse(response);
    if (!parsed.success) throw new CrmError('UNEXPECTED_RESPONSE', 'composite: unexpected response shape');
    const out = new Map<string, { status: number; body: unknown }>();
    for (const r of parsed.data.compositeResponse)
      out.set(r.referenceId, { status: r.httpStatusCode, body: r.body });
    if (allOrNone) {
      const failed = parsed.data.compositeResponse.find((r) => r.httpStatusCode >= 400 && !isHalted(r.body));
      if (failed) {
        throw subrequestError(failed.referenceId, failed.body);
      }
    }
    return out;
  }

  const queryUrl = (soql: string) => `${base}/query?q=${encodeURIComponent(soql)}`;

  return {
    async loadDeal(opportunityId, options) {
      if (!/^006[a-zA-Z0-9]{12}([a-zA-Z0-9]{3})?$/.test(opportunityId)) {
        throw new CrmError('INVALID_ID', `not an Opportunity id: ${opportunityId}`);
      }
      const days = Math.max(1, Math.floor(options.activityDays));
      const soql = [
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
        ` FROM Opportunity WHERE Id = ${q(opportunityId)}`,
      ].join('');
      const results = await composite(
        [
          { method: 'GET', url: queryUrl(soql), referenceId: 'deal' },
          {
            method: 'GET',
            url: queryUrl(
              'SELECT IsoCode, ConversionRate, IsCorporate FROM CurrencyType WHERE IsActive = true',
            ),
            referenceId: 'rates',
          },
          { method: 'GET', url: queryUrl(RULES_SOQL), referenceId: 'rules' },
        ],
        false,
      );
      const dealResult = results.get('deal');
      if (!dealResult || dealResult.status >= 400) throw errorOf(dealResult?.body);
      const [row] = parseRows(OpportunityRowSchema, dealResult.body, 'Opportunity');
      if (!row) throw new CrmError('NOT_FOUND', `no Opportunity with id ${opportunityId}`);
      const rates: Record<string, number> = {};
      let corporate = row.CurrencyIsoCode;
      const ratesResult = results.get('rates');
      // Orgs without multi-currency have no CurrencyType: everything is in one currency.
      if (ratesResult && ratesResult.status < 400) {
        for (const r of parseRows(CurrencyRowSchema, ratesResult.body, 'CurrencyType')) {
          rates[r.IsoCode] = r.ConversionRate;
          if (r.IsCorporate) corporate = r.IsoCode;
        }
      }
      if (Object.keys(rates).length === 0) rates[corporate] = 1;
      const currency = row.CurrencyIsoCode;
      const money = (v: number | null) => (v === null ? null : toMinor(v, currency));
      const context: DealContext = {
        opportunity: {
          id: row.Id,
          name: row.Name,
          stageName: row.StageName,
          amountMinor: money(row.Amount),
          currency,
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
        },
        account: row.Account
          ? {
              id: row.Account.Id,
              name: row.Account.Name,
              industry: row.Account.Industry,
              employees: row.Account.NumberOfEmployees,
              type: row.Account.Type,
              billingStreet: row.Account.BillingStreet,
              billingCity: row.Account.BillingCity,
              billingState: row.Account.BillingState,
              billingPostalCode: row.Account.BillingPostalCode,
              billingCountry: row.Account.BillingCountry,
              website: row.Account.Website,
            }
          : null,
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
        activities: [
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
        ].sort((a, b) => b.occurredAt.localeCompare(a.occurredAt)),
        currencyRates: rates,
        corporateCurrency: corporate,
        approvalRules: (() => {
          const rules = results.get('rules');
          if (!rules || rules.status >= 400) throw errorOf(rules?.body);
          return toRules(rules.body);
        })(),
        readAt: new Date().toISOString(),
      };
      return context;
    },

    async loadApprovalRules() {
      return toRules(await conn.request(queryUrl(RULES_SOQL)));
    },

    async findUsers(usernames) {
      if (usernames.length === 0) return [];
      const soql = `SELECT Id, Username, Name, Email, IsActive, DelegatedApproverId, ManagerId FROM User WHERE Username IN (${usernames.map(q).join(', ')})`;
      const rows = parseRows(UserRowSchema, await conn.request(queryUrl(soql)), 'User');
      return rows.map((u): CrmUser => ({
        id: u.Id,
        username: u.Username,
        name: u.Name,
        email: u.Email,
        isActive: u.IsActive,
        delegatedApproverId: u.DelegatedApproverId,
        managerId: u.ManagerId,
      }));
    },

    async commitStep(closure, patch, step, writes, message) {
      const subrequests: Subrequest[] = [];
      const closureFields = closureBody(closure, patch);
      let closureRef: string;
      if (closure.dealClosureId) {
        subrequests.push({
          method: 'PATCH',
          url: `${base}/sobjects/Deal_Closure__c/${closure.dealClosureId}`,
          referenceId: 'closure',
          body: closureFields,
        });
        closureRef = closure.dealClosureId;
      } else {
        subrequests.push({
          method: 'PATCH',
          url: `${base}/sobjects/Deal_Closure__c/Run_Id__c/${encodeURIComponent(closure.runId)}`,
          referenceId: 'closure',
          body: { ...closureFields, Run_Id__c: undefined },
        });
        closureRef = '@{closure.id}';
      }
      subrequests.push({
        method: 'PATCH',
        url: `${base}/sobjects/Agent_Step__c/Step_Key__c/${encodeURIComponent(step.stepKey)}`,
        referenceId: 'step',
        body: {
          Deal_Closure__c: closureRef,
          Agent__c: step.agent,
          Status__c: step.status,
          Reasoning__c: truncate(step.reasoning, LONG_TEXT),
          Confidence__c: step.confidence === null ? null : Math.round(step.confidence * 10_000) / 100,
          Started_At__c: step.startedAt,
          Finished_At__c: step.finishedAt,
          Duration_Ms__c: step.durationMs,
          Error__c: truncate(step.error, MEDIUM_TEXT),
          Facts__c: truncate(JSON.stringify(step.facts ?? null), LONG_TEXT),
        },
      });
      const keyRefs: Record<string, string> = {};
      writes.forEach((w, i) => subrequests.push(...writeSubrequests(base, w, i, closureRef, keyRefs)));
      const closedWon = writes.find((w) => w.kind === 'closedWon');
      // Reading back in the same all-or-none call sees exactly what this transaction stored.
      if (closedWon) subrequests.push(...closedWonReads(base, closedWon.opportunityId, 'readback_'));
      subrequests.push({
        method: 'POST',
        url: `${base}/sobjects/Deal_Closure_Event__e`,
        referenceId: 'event',
        body: {
          Closure_Id__c: closure.dealClosureId ?? closureRef,
          Status__c: patch.status ?? step.status,
          Agent__c: step.agent,
          Message__c: truncate(message, 255),
          Step_Key__c: step.stepKey,
          Confidence__c: step.confidence === null ? null : Math.round(step.confidence * 10_000) / 100,
          Occurred_At__c: step.finishedAt ?? step.startedAt,
        },
      });
      const results = await composite(subrequests, true);
      const closureResult = results.get('closure');
      const created = closureResult?.body as { id?: string } | null | undefined;
      const dealClosureId = closure.dealClosureId ?? created?.id;
      if (!dealClosureId) throw new CrmError('UNEXPECTED_RESPONSE', 'the closure upsert returned no id');
      const ids: Record<string, string> = {};
      for (const [key, ref] of Object.entries(keyRefs)) {
        const body = results.get(ref)?.body as { id?: string } | undefined;
        if (body?.id) ids[key] = body.id;
      }
      if (!closedWon) return { dealClosureId, ids } satisfies CommitResult;
      const scheduleKeys = closedWon.schedule.map((r) => r.key);
      return {
        dealClosureId,
        ids,
        closedWon: parseClosedWon(results, closedWon.contract.key, scheduleKeys, 'readback_'),
      } satisfies CommitResult;
    },

    async existingKeys(kind, keys) {
      if (keys.length === 0) return new Set();
      const [object, field] =
        kind === 'file'
          ? ['ContentVersion', 'DealDesk_Key__c']
          : kind === 'contractVersion'
            ? ['Contract_Version__c', 'Idempotency_Key__c']
            : ['Win_Insight__c', 'Idempotency_Key__c'];
      const raw = await conn.request(
        queryUrl(`SELECT ${field} FROM ${object} WHERE ${field} IN (${keys.map(q).join(', ')})`),
      );
      const rows = QueryResultSchema.parse(raw).records as Record<string, unknown>[];
      return new Set(rows.map((r) => String(r[field])));
    },

    async readFile(key, sha256) {
      const found = QueryResultSchema.parse(
        await conn.request(
          queryUrl(
            `SELECT Id FROM ContentVersion WHERE DealDesk_Key__c = ${q(key)} ORDER BY CreatedDate DESC LIMIT 1`,
          ),
        ),
      ).records[0] as { Id?: unknown } | undefined;
      if (!found?.Id) return undefined;
      const url = `${base}/sobjects/ContentVersion/${String(found.Id)}/VersionData`;
      const bytes = await trace('file', () =>
        resilience.execute({ operation: 'file', idempotent: true }, (t) =>
          counted('file', () => readBlob(deps.conn, url, transport(t))),
        ),
      );
      const digest = createHash('sha256').update(bytes).digest('hex');
      if (digest !== sha256)
        throw new CrmError(
          'FILE_CHANGED',
          `the file ${key} in Salesforce is not the one that was generated and approved (SHA-256 ${digest.slice(0, 12)}…, expected ${sha256.slice(0, 12)}…)`,
        );
      return bytes;
    },

    async submitApprovals(submissions) {
      if (submissions.length === 0) return [];
      const requests = submissions.map((s) => ({
        actionType: 'Submit',
        contextId: s.approvalId,
        nextApproverIds: [s.approverId],
        comments: truncate(s.comments, 4000),
        processDefinitionNameOrId: APPROVAL_PROCESS_NAME,
        skipEntryCriteria: true,
      }));
      let raw: unknown;
      try {
        raw = await conn.requestPost(`${base}/process/approvals`, { requests });
      } catch (err) {
        const e = err as { errorCode?: string; message?: string };
        if (e.errorCode === 'ALREADY_IN_PROCESS')
          return submissions.map((s) => ({ approvalId: s.approvalId, ok: true }));
        // An outage is not the deal's fault: the orchestrator retries the step later.
        if (classifyFailure(err) !== 'permanent') throw err;
        return submissions.map((s) => ({
          approvalId: s.approvalId,
          ok: false,
          error: `${e.errorCode ?? 'ERROR'}: ${e.message ?? String(err)}`,
        }));
      }
      const results = Array.isArray(raw) ? (raw as Record<string, unknown>[]) : [];
      return submissions.map((s, i): SubmissionResult => {
        const r = results[i];
        if (!r || r.success !== true) {
          const errors = Array.isArray(r?.errors)
            ? (r.errors as { message?: string; statusCode?: string }[])
            : [];
          // A replay after a crash finds the request already submitted: that is success.
          if (errors.some((e) => e.statusCode === 'ALREADY_IN_PROCESS'))
            return { approvalId: s.approvalId, ok: true };
          return {
            approvalId: s.approvalId,
            ok: false,
            error:
              errors.map((e) => `${e.statusCode ?? 'ERROR'}: ${e.message ?? ''}`).join('; ') ||
              'submission failed',
          };
        }
        return {
          approvalId: s.approvalId,
          ok: true,
          processInstanceId: String(r.instanceId),
          workitemIds: Array.isArray(r.newWorkitemIds) ? r.newWorkitemIds.map(String) : [],
        };
      });
    },

    async readClosedWon(opportunityId, contractKey, scheduleKeys) {
      const reads = closedWonReads(base, opportunityId);
      const results = await composite(reads, true);
      return parseClosedWon(results, contractKey, scheduleKeys);
    },
  };
}

const RULES_SOQL =
  'SELECT DeveloperName, Role__c, Min_Amount__c, Min_Discount_Percent__c, Requires_Custom_Terms__c, Requires_Security_Review__c,' +
  ' Requires_Legal_Review__c, SLA_Hours__c, Approver_Username__c, Backup_Username__c, Currency_Iso_Code__c, Depends_On__c, Active__c' +
  ' FROM Approval_Rule__mdt ORDER BY DeveloperName';

function toRules(queryResult: unknown): ApprovalRule[] {
  const rows = parseRows(ApprovalRuleRowSchema, queryResult, 'Approval_Rule__mdt');
  const rules: ApprovalRule[] = [];
  for (const r of rows) {
    const role = r.Role__c;
    if (
      role !== 'Finance' &&
      role !== 'Legal' &&
      role !== 'Sales_VP' &&
      role !== 'InfoSec' &&
      role !== 'Executive'
    ) {
      throw new CrmError(
        'INVALID_RULE',
        `Approval rule ${r.DeveloperName} has no valid Role__c (got ${String(role)})`,
      );
    }
    const currency = r.Currency_Iso_Code__c;
    rules.push({
      name: r.DeveloperName,
      role,
      minAmountMinor: r.Min_Amount__c === null ? null : toMinor(r.Min_Amount__c, currency ?? 'USD'),
      currency,
      minDiscountPercent: r.Min_Discount_Percent__c,
      requiresCustomTerms: r.Requires_Custom_Terms__c,
      requiresSecurityReview: r.Requires_Security_Review__c,
      requiresLegalReview: r.Requires_Legal_Review__c,
      slaHours: r.SLA_Hours__c,
      approverUsername: r.Approver_Username__c,
      backupUsername: r.Backup_Username__c,
      dependsOn: (r.Depends_On__c ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
      active: r.Active__c,
    });
  }
  return rules;
}

function isHalted(body: unknown): boolean {
  return (
    Array.isArray(body) && body.some((e) => (e as { errorCode?: string }).errorCode === 'PROCESSING_HALTED')
  );
}

function closureBody(closure: ClosureRef, patch: ClosurePatch): Record<string, unknown> {
  const body: Record<string, unknown> = {
    Run_Id__c: closure.runId,
    Opportunity__c: closure.opportunityId,
    Trigger__c: closure.trigger,
  };
  const set = (field: string, value: unknown) => {
    if (value !== undefined) body[field] = value;
  };
  set('Status__c', patch.status);
  set('Current_Agent__c', patch.currentAgent);
  set(
    'Closing_Confidence__c',
    patch.closingConfidence === undefined || patch.closingConfidence === null
      ? patch.closingConfidence
      : Math.round(patch.closingConfidence * 10_000) / 100,
  );
  set('Decision__c', patch.decision);
  set('Signals__c', patch.signals === undefined ? undefined : truncate(patch.signals, LONG_TEXT));
  set('Strategy__c', patch.strategy === undefined ? undefined : truncate(patch.strategy, LONG_TEXT));
  set('Renewal_Risk_Score__c', patch.renewalRiskScore);
  set(
    'Renewal_Risk_Factors__c',
    patch.renewalRiskFactors === undefined ? undefined : truncate(patch.renewalRiskFactors, LONG_TEXT),
  );
  set('Started_At__c', patch.startedAt);
  set('Completed_At__c', patch.completedAt);
  set('Error__c', patch.error === undefined ? undefined : truncate(patch.error, MEDIUM_TEXT));
  if (closure.note !== null) body.Note__c = truncate(closure.note, MEDIUM_TEXT);
  if (closure.transcript !== null) body.Transcript__c = truncate(closure.transcript, LONG_TEXT);
  return body;
}

/** The subrequests of one domain write; `keyRefs` maps write keys to the referenceId holding their id. */
function writeSubrequests(
  base: string,
  w: CrmWrite,
  index: number,
  closureRef: string,
  keyRefs: Record<string, string>,
): Subrequest[] {
  const ref = `w${index}`;
  const upsert = (
    object: string,
    field: string,
    key: string,
    body: Record<string, unknown>,
    referenceId = ref,
  ): Subrequest => ({
    method: 'PATCH',
    url: `${base}/sobjects/${object}/${field}/${encodeURIComponent(key)}`,
    referenceId,
    body,
  });
  switch (w.kind) {
    case 'file':
      keyRefs[w.key] = ref;
      return [
        {
          method: 'POST',
          url: `${base}/sobjects/ContentVersion`,
          referenceId: ref,
          body: {
            Title: w.title,
            PathOnClient: w.fileName,
            VersionData: Buffer.from(w.data).toString('base64'),
            FirstPublishLocationId: w.linkedTo,
            // Lets a resumed step find the file instead of attaching it twice.
            DealDesk_Key__c: w.key,
          },
        },
      ];
    case 'contractVersion': {
      keyRefs[w.key] = ref;
      const fileRef = keyRefs[w.fileKey];
      return [
        upsert('Contract_Version__c', 'Idempotency_Key__c', w.key, {
          Deal_Closure__c: closureRef,
          Version__c: w.version,
          Variant__c: w.variant,
          Template__c: w.template,
          Clauses__c: truncate(w.clauses, LONG_TEXT),
          Risk_Level__c: w.riskLevel,
          Legal_Review_Required__c: w.legalReviewRequired,
          Content_Hash__c: w.contentHash,
          ...(fileRef ? { Content_Version_Id__c: `@{${fileRef}.id}` } : {}),
        }),
      ];
    }
    case 'approval':
      keyRefs[w.key] = ref;
      return [
        upsert('Deal_Approval__c', 'Idempotency_Key__c', w.key, {
          Deal_Closure__c: closureRef,
          Approver_Role__c: w.role,
          Approver__c: w.approverId,
          Backup_Approver__c: w.backupApproverId,
          Reason__c: truncate(w.reason, MEDIUM_TEXT),
          Rule__c: w.rule.slice(0, 80),
          Status__c: w.status,
          Due_At__c: w.dueAt,
          Escalation_Level__c: w.escalationLevel,
        }),
      ];
    case 'envelope':
      keyRefs[w.envelopeId] = ref;
      return [
        upsert('Signature_Envelope__c', 'Envelope_Id__c', w.envelopeId, {
          Deal_Closure__c: closureRef,
          Provider__c: w.provider,
          Status__c: w.status,
          Sent_At__c: w.sentAt,
          Completed_At__c: w.completedAt,
        }),
        ...w.recipients.map((r, i) =>
          upsert(
            'Envelope_Recipient__c',
            'Idempotency_Key__c',
            r.key,
            {
              Signature_Envelope__c: `@{${ref}.id}`,
              Name__c: r.name.slice(0, 121),
              Email__c: r.email,
              Role__c: r.role.slice(0, 80),
              Routing_Order__c: r.routingOrder,
              Status__c: r.status,
              Signed_At__c: r.signedAt,
            },
            `${ref}r${i}`,
          ),
        ),
      ];
    case 'closedWon': {
      const c = w.contract;
      keyRefs[c.key] = `${ref}c`;
      return [
        upsert(
          'Contract',
          'DealDesk_Key__c',
          c.key,
          {
            AccountId: w.accountId,
            StartDate: c.startDate,
            ContractTerm: c.termMonths,
            OwnerExpirationNotice: c.ownerExpirationNotice,
            SpecialTerms: truncate(c.specialTerms, 4000),
            Description: truncate(c.description, 32000),
            CurrencyIsoCode: w.currency,
          },
          `${ref}c`,
        ),
        // Contracts are created as Draft (the default) and activated by a separate update; a replay changes nothing.
        upsert('Contract', 'DealDesk_Key__c', c.key, { Status: 'Activated' }, `${ref}a`),
        {
          method: 'PATCH',
          url: `${base}/sobjects/Opportunity/${w.opportunityId}`,
          referenceId: `${ref}o`,
          body: { StageName: 'Closed Won', CloseDate: w.closeDate, ContractId: `@{${ref}c.id}` },
        },
        upsert(
          'Opportunity',
          'DealDesk_Key__c',
          w.renewal.key,
          {
            Name: w.renewal.name.slice(0, 120),
            AccountId: w.accountId,
            StageName: w.renewal.stageName,
            CloseDate: w.renewal.closeDate,
            Amount: w.renewal.amount,
            Type: 'Renewal',
            CurrencyIsoCode: w.currency,
          },
          `${ref}r`,
        ),
        {
          method: 'PATCH',
          url: `${base}/composite/sobjects/Revenue_Schedule__c/Idempotency_Key__c`,
          referenceId: `${ref}s`,
          body: {
            allOrNone: true,
            records: w.schedule.map((s) => ({
              attributes: { type: 'Revenue_Schedule__c' },
              Idempotency_Key__c: s.key,
              Deal_Closure__c: closureRef,
              Opportunity__c: w.opportunityId,
              Period_Start__c: s.periodStart,
              Amount__c: s.amount,
              CurrencyIsoCode: w.currency,
            })),
          },
        },
      ];
    }
    case 'handoff':
      keyRefs[w.key] = ref;
      return [
        upsert('Handoff_Package__c', 'Idempotency_Key__c', w.key, {
          Deal_Closure__c: closureRef,
          Team__c: w.team,
          Summary__c: truncate(w.summary, LONG_TEXT),
          Context__c: truncate(w.context, LONG_TEXT),
          Completeness__c: Math.round(w.completeness * 10_000) / 100,
          Status__c: w.status,
          ...(w.ownerId ? { OwnerId: w.ownerId } : {}),
        }),
      ];
    case 'insight':
      keyRefs[w.key] = ref;
      return [
        upsert('Win_Insight__c', 'Idempotency_Key__c', w.key, {
          Deal_Closure__c: closureRef,
          Category__c: w.category,
          Insight__c: truncate(w.insight, LONG_TEXT),
          Metric__c: w.metric.slice(0, 80),
          Value__c: w.value,
        }),
      ];
    case 'tasks':
      for (const t of w.tasks) keyRefs[t.key] = ref;
      if (w.tasks.length === 0) return [];
      return [
        {
          method: 'PATCH',
          url: `${base}/composite/sobjects/Task/DealDesk_Key__c`,
          referenceId: ref,
          body: {
            allOrNone: true,
            // Status is left to its default on insert, so a replay never reopens a Task someone completed.
            records: w.tasks.map((t) => ({
              attributes: { type: 'Task' },
              DealDesk_Key__c: t.key,
              Subject: t.subject.slice(0, 255),
              Description: truncate(t.description, 32000),
              ActivityDate: t.activityDate,
              OwnerId: t.ownerId,
              WhatId: t.whatId,
              WhoId: t.whoId,
              Priority: t.priority,
            })),
          },
        },
      ];
    case 'feedPost':
      keyRefs[w.guardKey] = ref;
      return [
        {
          method: 'POST',
          url: `${base}/sobjects/FeedItem`,
          referenceId: ref,
          body: { ParentId: w.parentId, Body: truncate(w.body, 10000), Type: 'TextPost' },
        },
      ];
  }
}

/**
 * The read-back of System Integration's write: the opportunity with the contract it points at,
 * and the schedule rows. Two queries, so together with the write's two sObject collections a
 * composite stays within Salesforce's five query-or-collection subrequests.
 */
function closedWonReads(base: string, opportunityId: string, prefix = ''): Subrequest[] {
  const queryUrl = (soql: string) => `${base}/query?q=${encodeURIComponent(soql)}`;
  return [
    {
      method: 'GET',
      url: queryUrl(
        `SELECT StageName, Amount, IsWon, ContractId, Contract.Id, Contract.Status, Contract.StartDate, Contract.EndDate, Contract.ContractTerm, Contract.DealDesk_Key__c FROM Opportunity WHERE Id = ${q(opportunityId)}`,
      ),
      referenceId: `${prefix}opp`,
    },
    {
      method: 'GET',
      url: queryUrl(
        `SELECT Idempotency_Key__c, Period_Start__c, Amount__c FROM Revenue_Schedule__c WHERE Opportunity__c = ${q(opportunityId)} ORDER BY Period_Start__c`,
      ),
      referenceId: `${prefix}schedule`,
    },
  ];
}

function parseClosedWon(
  results: Map<string, { status: number; body: unknown }>,
  contractKey: string,
  scheduleKeys: string[],
  prefix = '',
): ClosedWonReadBack {
  const opp = (QueryResultSchema.parse(results.get(`${prefix}opp`)?.body).records[0] ?? {}) as Record<
    string,
    unknown
  >;
  const linked = (opp.Contract ?? null) as Record<string, unknown> | null;
  // Only the contract this closure created counts: one the opportunity pointed at before is a mismatch.
  const contract = linked && linked.DealDesk_Key__c === contractKey ? linked : null;
  const wanted = new Set(scheduleKeys);
  const schedule = QueryResultSchema.parse(results.get(`${prefix}schedule`)?.body)
    .records.map((r) => r as Record<string, unknown>)
    .filter((r) => wanted.has(String(r.Idempotency_Key__c)))
    .map((r) => ({
      key: String(r.Idempotency_Key__c),
      periodStart: String(r.Period_Start__c),
      amount: Number(r.Amount__c),
    }));
  return {
    opportunity: {
      stageName: String(opp.StageName ?? ''),
      amount: typeof opp.Amount === 'number' ? opp.Amount : null,
      isWon: opp.IsWon === true,
      contractId: typeof opp.ContractId === 'string' ? opp.ContractId : null,
    },
    contract: contract
      ? {
          id: String(contract.Id),
          status: String(contract.Status),
          startDate: typeof contract.StartDate === 'string' ? contract.StartDate : null,
          endDate: typeof contract.EndDate === 'string' ? contract.EndDate : null,
          termMonths: typeof contract.ContractTerm === 'number' ? contract.ContractTerm : null,
        }
      : null,
    schedule,
  };
}
