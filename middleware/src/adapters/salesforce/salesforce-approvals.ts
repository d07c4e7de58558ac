/**
 * The approvals port on Salesforce's REST API: past Deal_Approval__c decisions (SOQL), reassigning
 * a pending request by updating its ProcessInstanceWorkitem's ActorId (as the "Reassign" link does),
 * and recalling with process/approvals `Removed` on the work item. Same code for a real org and
 * the local org.
 */
import type { Connection } from '@jsforce/jsforce-node';
import { z } from 'zod';
import { toMinor } from '../../domain/money.ts';
import type { ApprovalHistoryEntry, ApprovalsPort, ReassignResult } from '../../ports/approvals.ts';
import { soqlString, soqlStringList } from '@dealdesk/contracts';
import { SALESFORCE_ID_PATTERN } from '@dealdesk/contracts';
import { CompositeResponseSchema, QueryResultSchema, UserRowSchema } from './salesforce-records.ts';
import { requestCounter, type RequestListener } from './request-counter.ts';
import { subrequestError } from './salesforce-errors.ts';
import { querySubrequest, queryUrl } from './salesforce-calls.ts';
import { parseRow } from './selectors/rows.ts';
import { toCrmUser, usersByUsernameSoql } from './selectors/user.ts';

export interface SalesforceApprovalsDeps {
  conn: Connection;
  apiVersion: string;
  onRequest?: RequestListener;
}

const str = z
  .string()
  .nullable()
  .optional()
  .transform((v) => v ?? null);

const HistoryRowSchema = z.object({
  Id: z.string(),
  Approver_Role__c: str,
  Approver__c: str,
  Status__c: z.enum(['Pending', 'Approved', 'Rejected', 'Escalated', 'Recalled']),
  CreatedDate: z.string(),
  Decided_At__c: str,
  Reason__c: str,
  Comments__c: str,
  Deal_Closure__r: z
    .object({
      Opportunity__c: str,
      Opportunity__r: z
        .object({
          Name: str,
          Amount: z.number().nullable().optional(),
          CurrencyIsoCode: z.string().optional(),
        })
        .nullable()
        .optional(),
    })
    .nullable()
    .optional(),
});

const WorkitemRowSchema = z.object({ Id: z.string(), ActorId: z.string() });
const DecisionStepRowSchema = z.object({
  Comments: str,
  CreatedDate: z.string(),
  ProcessInstance: z.object({ TargetObjectId: z.string() }),
});
const ApprovalRecordRowSchema = HistoryRowSchema.pick({
  Id: true,
  Status__c: true,
  Decided_At__c: true,
  Comments__c: true,
});

function describeError(err: unknown): string {
  const e = err as { errorCode?: string; message?: string };
  return `${e.errorCode ?? 'ERROR'}: ${e.message ?? String(err)}`;
}

/** The org's reads for this adapter: single queries, and several in one composite request. */
function approvalQueries(deps: SalesforceApprovalsDeps) {
  const base = `/services/data/v${deps.apiVersion}`;
  const counted = requestCounter(deps.onRequest);
  const query = async (soql: string) =>
    QueryResultSchema.parse(await counted('query', () => deps.conn.request(queryUrl(base, soql)))).records;
  /** Several queries in one composite request; each result's records by reference id. */
  const queries = async (soql: Record<string, string>) => {
    const raw = await counted('composite', () =>
      deps.conn.requestPost(`${base}/composite`, {
        allOrNone: false,
        compositeRequest: Object.entries(soql).map(([referenceId, s]) =>
          querySubrequest(base, referenceId, s),
        ),
      }),
    );
    const parsed = CompositeResponseSchema.parse(raw);
    return (ref: string) => {
      const r = parsed.compositeResponse.find((x) => x.referenceId === ref);
      if (!r) return [];
      if (r.httpStatusCode >= 400) throw subrequestError(ref, r.body);
      return QueryResultSchema.parse(r.body).records;
    };
  };
  const workitemOf = async (approvalId: string) => {
    const rows = await query(
      `SELECT Id, ActorId FROM ProcessInstanceWorkitem WHERE ProcessInstance.TargetObjectId = ${soqlString(approvalId)}`,
    );
    return rows.map((r) => WorkitemRowSchema.parse(r))[0];
  };
  return { base, counted, query, queries, workitemOf };
}

function historySoql(limit: number): string {
  return (
    'SELECT Id, Approver_Role__c, Approver__c, Status__c, CreatedDate, Decided_At__c, Reason__c, Comments__c,' +
    ' Deal_Closure__r.Opportunity__c, Deal_Closure__r.Opportunity__r.Name, Deal_Closure__r.Opportunity__r.Amount,' +
    ' Deal_Closure__r.Opportunity__r.CurrencyIsoCode' +
    ` FROM Deal_Approval__c ORDER BY CreatedDate DESC LIMIT ${Math.max(1, Math.min(2000, Math.floor(limit)))}`
  );
}

/**
 * Open approval requests per user across the org, whatever the process: the pending work items
 * they are the actor of. Grouped in the org, so the answer is one row per busy user however long
 * the queues are.
 */
function workloadSoql(usernames: readonly string[], excludeApprovalIds: readonly string[]): string {
  const excluded =
    excludeApprovalIds.length > 0
      ? ` AND ProcessInstance.TargetObjectId NOT IN ${soqlStringList(excludeApprovalIds)}`
      : '';
  return (
    'SELECT ActorId, COUNT(Id) openItems FROM ProcessInstanceWorkitem' +
    ` WHERE ActorId IN (SELECT Id FROM User WHERE Username IN ${soqlStringList(usernames)})${excluded}` +
    ' GROUP BY ActorId'
  );
}

const WorkloadRowSchema = z.object({
  ActorId: z.string().regex(SALESFORCE_ID_PATTERN),
  openItems: z.number().int().min(0),
});

// eslint-disable-next-line max-lines-per-function -- a factory whose body is the approvals port's methods over one set of Salesforce calls, each a short function
export function createSalesforceApprovals(deps: SalesforceApprovalsDeps): ApprovalsPort {
  const { base, counted, query, queries, workitemOf } = approvalQueries(deps);
  return {
    async history({ limit }) {
      return toHistory(await query(historySoql(limit)));
    },

    async planningData(usernames, historyLimit, options = {}) {
      const soql: Record<string, string> = {};
      if (historyLimit > 0) soql.history = historySoql(historyLimit);
      if (usernames.length > 0) {
        soql.users = usersByUsernameSoql(usernames);
        soql.workload = workloadSoql(usernames, options.excludeApprovalIds ?? []);
      }
      if (Object.keys(soql).length === 0) return { users: [], history: [] };
      const records = await queries(soql);
      const users = records('users').map((row) => toCrmUser(UserRowSchema.parse(row)));
      const history = toHistory(records('history'));
      if (usernames.length === 0) return { users, history };
      // The queues only refine routing and prediction: an org that will not count them (the
      // integration user may not see other processes' work items) still gets its approvals.
      try {
        const workload = records('workload').map((row, i) => {
          const r = parseRow(WorkloadRowSchema, row, 'ProcessInstanceWorkitem', i);
          return { userId: r.ActorId, openItems: r.openItems };
        });
        return { users, history, workload };
      } catch (err) {
        return { users, history, workloadError: describeError(err) };
      }
    },

    async records(approvalIds) {
      if (approvalIds.length === 0) return [];
      const ids = soqlStringList(approvalIds);
      // The approver's comment is on the approval step, as the Deal_Approval__c trigger reads it.
      const records = await queries({
        approvals: `SELECT Id, Status__c, Decided_At__c, Comments__c FROM Deal_Approval__c WHERE Id IN ${ids}`,
        steps:
          `SELECT Comments, CreatedDate, ProcessInstance.TargetObjectId FROM ProcessInstanceStep` +
          ` WHERE ProcessInstance.TargetObjectId IN ${ids} AND StepStatus IN ('Approved', 'Rejected')` +
          ' ORDER BY CreatedDate DESC, Id DESC',
      });
      return toApprovalRecords(records);
    },

    async reassign(approvalId, toUserId): Promise<ReassignResult> {
      try {
        const item = await workitemOf(approvalId);
        if (!item) return { approvalId, ok: false, error: 'no pending approval request for this record' };
        if (item.ActorId === toUserId) return { approvalId, ok: true, workitemId: item.Id };
        await counted('update', () =>
          deps.conn.request({
            method: 'PATCH',
            url: `${base}/sobjects/ProcessInstanceWorkitem/${item.Id}`,
            body: JSON.stringify({ ActorId: toUserId }),
            headers: { 'Content-Type': 'application/json' },
          }),
        );
        return { approvalId, ok: true, workitemId: item.Id };
      } catch (err) {
        return { approvalId, ok: false, error: describeError(err) };
      }
    },

    async recall(approvalIds, comments) {
      const out: ReassignResult[] = [];
      for (const approvalId of approvalIds) {
        try {
          const item = await workitemOf(approvalId);
          // Nothing pending: decided or recalled already, which is what a recall wants.
          if (!item) {
            out.push({ approvalId, ok: true });
            continue;
          }
          await counted('process/approvals', () =>
            deps.conn.requestPost(`${base}/process/approvals`, {
              requests: [{ actionType: 'Removed', contextId: item.Id, comments: comments.slice(0, 4000) }],
            }),
          );
          out.push({ approvalId, ok: true, workitemId: item.Id });
        } catch (err) {
          out.push({ approvalId, ok: false, error: describeError(err) });
        }
      }
      return out;
    },
  };
}

/** Each approval's status, with the decision's time and comment from its latest decided step. */
function toApprovalRecords(records: (referenceId: 'approvals' | 'steps') => unknown[]) {
  const latestStep = new Map<string, z.infer<typeof DecisionStepRowSchema>>();
  for (const row of records('steps')) {
    const step = DecisionStepRowSchema.parse(row);
    const target = step.ProcessInstance.TargetObjectId;
    if (!latestStep.has(target)) latestStep.set(target, step);
  }
  return records('approvals').map((row) => {
    const r = ApprovalRecordRowSchema.parse(row);
    const step = latestStep.get(r.Id);
    return {
      approvalId: r.Id,
      status: r.Status__c,
      decidedAt: r.Decided_At__c ?? step?.CreatedDate ?? null,
      comments: step?.Comments ?? r.Comments__c,
    };
  });
}

function toHistory(rows: unknown[]): ApprovalHistoryEntry[] {
  return rows.map((raw, i): ApprovalHistoryEntry => {
    const r = parseRow(HistoryRowSchema, raw, 'Deal_Approval__c', i);
    const opp = r.Deal_Closure__r?.Opportunity__r;
    const currency = opp?.CurrencyIsoCode ?? null;
    return {
      approvalId: r.Id,
      role: r.Approver_Role__c ?? 'Unknown',
      approverId: r.Approver__c,
      status: r.Status__c,
      submittedAt: r.CreatedDate,
      decidedAt: r.Decided_At__c,
      reason: r.Reason__c,
      comments: r.Comments__c,
      opportunityId: r.Deal_Closure__r?.Opportunity__c ?? null,
      opportunityName: opp?.Name ?? null,
      amountMinor: typeof opp?.Amount === 'number' && currency ? toMinor(opp.Amount, currency) : null,
      currency,
    };
  });
}
