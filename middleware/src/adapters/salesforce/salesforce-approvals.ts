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
import type { CrmUser } from '../../ports/crm.ts';
import { CompositeResponseSchema, QueryResultSchema, UserRowSchema } from './salesforce-records.ts';
import { requestCounter, type RequestListener } from './request-counter.ts';

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

function q(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function describeError(err: unknown): string {
  const e = err as { errorCode?: string; message?: string };
  return `${e.errorCode ?? 'ERROR'}: ${e.message ?? String(err)}`;
}

export function createSalesforceApprovals(deps: SalesforceApprovalsDeps): ApprovalsPort {
  const base = `/services/data/v${deps.apiVersion}`;
  const counted = requestCounter(deps.onRequest);
  const query = async (soql: string) =>
    QueryResultSchema.parse(
      await counted('query', () => deps.conn.request(`${base}/query?q=${encodeURIComponent(soql)}`)),
    ).records;
  const workitemOf = async (approvalId: string) => {
    const rows = await query(
      `SELECT Id, ActorId FROM ProcessInstanceWorkitem WHERE ProcessInstance.TargetObjectId = ${q(approvalId)}`,
    );
    return rows.map((r) => WorkitemRowSchema.parse(r))[0];
  };

  const historySoql = (limit: number) =>
    'SELECT Id, Approver_Role__c, Approver__c, Status__c, CreatedDate, Decided_At__c, Reason__c, Comments__c,' +
    ' Deal_Closure__r.Opportunity__c, Deal_Closure__r.Opportunity__r.Name, Deal_Closure__r.Opportunity__r.Amount,' +
    ' Deal_Closure__r.Opportunity__r.CurrencyIsoCode' +
    ` FROM Deal_Approval__c ORDER BY CreatedDate DESC LIMIT ${Math.max(1, Math.min(2000, Math.floor(limit)))}`;
  const queryUrl = (soql: string) => `${base}/query?q=${encodeURIComponent(soql)}`;

  return {
    async history({ limit }) {
      return toHistory(await query(historySoql(limit)));
    },

    async planningData(usernames, historyLimit) {
      const subrequests =
        historyLimit > 0
          ? [{ method: 'GET', url: queryUrl(historySoql(historyLimit)), referenceId: 'history' }]
          : [];
      if (usernames.length > 0)
        subrequests.push({
          method: 'GET',
          url: queryUrl(
            `SELECT Id, Username, Name, Email, IsActive, DelegatedApproverId, ManagerId FROM User WHERE Username IN (${usernames.map(q).join(', ')})`,
          ),
          referenceId: 'users',
        });
      if (subrequests.length === 0) return { users: [], history: [] };
      const raw = await counted('composite', () =>
        deps.conn.requestPost(`${base}/composite`, { allOrNone: false, compositeRequest: subrequests }),
      );
      const parsed = CompositeResponseSchema.parse(raw);
      const body = (ref: string): unknown => {
        const r = parsed.compositeResponse.find((x) => x.referenceId === ref);
        if (!r) return { totalSize: 0, done: true, records: [] };
        if (r.httpStatusCode >= 400) throw new Error(`${ref}: ${JSON.stringify(r.body).slice(0, 300)}`);
        return r.body;
      };
      const users = QueryResultSchema.parse(body('users')).records.map((row): CrmUser => {
        const u = UserRowSchema.parse(row);
        return {
          id: u.Id,
          username: u.Username,
          name: u.Name,
          email: u.Email,
          isActive: u.IsActive,
          delegatedApproverId: u.DelegatedApproverId,
          managerId: u.ManagerId,
        };
      });
      return { users, history: toHistory(QueryResultSchema.parse(body('history')).records) };
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

function toHistory(rows: unknown[]): ApprovalHistoryEntry[] {
  return rows.map((raw, i): ApprovalHistoryEntry => {
    const parsed = HistoryRowSchema.safeParse(raw);
    if (!parsed.success)
      throw new Error(
        `Deal_Approval__c record ${i}: ${parsed.error.issues.map((x) => `${x.path.join('.')} ${x.message}`).join('; ')}`,
      );
    const r = parsed.data;
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
