/**
 * The approvals port: what the Approval Orchestration Agent needs from the org's approval
 * process beyond submitting (which the CRM port does with the step's records): past decisions
 * for prediction and precedent, reassigning a pending request, and recalling requests.
 */
import { z } from 'zod';
import { SalesforceIdSchema } from '@dealdesk/contracts';
import type { CrmUser } from './crm.ts';

const Id = SalesforceIdSchema;

/** One past Deal_Approval__c, with the deal it belonged to. */
export const ApprovalHistoryEntrySchema = z.object({
  approvalId: Id,
  role: z.string(),
  approverId: Id.nullable(),
  status: z.enum(['Pending', 'Approved', 'Rejected', 'Escalated', 'Recalled']),
  /** When the request was created (submitted right after). */
  submittedAt: z.string(),
  decidedAt: z.string().nullable(),
  reason: z.string().nullable(),
  comments: z.string().nullable(),
  opportunityId: Id.nullable(),
  opportunityName: z.string().nullable(),
  amountMinor: z.number().int().nullable(),
  currency: z.string().length(3).nullable(),
});
export type ApprovalHistoryEntry = z.infer<typeof ApprovalHistoryEntrySchema>;

/** What the org holds for an approval: its status and, once decided, when and with what comment. */
export const ApprovalRecordSchema = z.object({
  approvalId: Id,
  status: ApprovalHistoryEntrySchema.shape.status,
  decidedAt: z.string().nullable(),
  comments: z.string().nullable(),
});
export type ApprovalRecord = z.infer<typeof ApprovalRecordSchema>;

/** How many approval requests wait on a user across the org (their pending ProcessInstanceWorkitems). */
export const ApproverWorkloadSchema = z.object({
  userId: Id,
  openItems: z.number().int().min(0),
});
export type ApproverWorkload = z.infer<typeof ApproverWorkloadSchema>;

export interface ReassignResult {
  approvalId: string;
  ok: boolean;
  workitemId?: string;
  error?: string;
}

export interface ApprovalsPort {
  /** Decided (and pending) approvals, newest first, at most `limit`. */
  history(options: { limit: number }): Promise<ApprovalHistoryEntry[]>;
  /**
   * The users the rules name and the history, in one round trip (planning needs both); a
   * `historyLimit` of 0 reads users only. With users, also each one's open approval requests
   * across the org (`workload`; users with none are left out), not counting the requests
   * `excludeApprovalIds` are about (the closure's own, after a revision); when the org would not
   * count them, `workloadError` says why instead.
   */
  planningData(
    usernames: string[],
    historyLimit: number,
    options?: { excludeApprovalIds?: string[] },
  ): Promise<{
    users: CrmUser[];
    history: ApprovalHistoryEntry[];
    workload?: ApproverWorkload[];
    workloadError?: string;
  }>;
  /**
   * The approvals as the org holds them now. A decision counts when Salesforce records it: the
   * decision callout only says when to look.
   */
  records(approvalIds: string[]): Promise<ApprovalRecord[]>;
  /** Moves the pending request of an approval to another user (ProcessInstanceWorkitem.ActorId). */
  reassign(approvalId: string, toUserId: string): Promise<ReassignResult>;
  /** Recalls pending requests (process/approvals Removed); already-finished ones are left alone. */
  recall(approvalIds: string[], comments: string): Promise<ReassignResult[]>;
}
