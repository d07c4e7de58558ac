/**
 * Submitting Deal_Approval__c records to the org's approval process (process/approvals), and
 * reading what each submission did. A replay after a crash finds a request already submitted,
 * which counts as success, so the approval stage can always be run again.
 */
import type { ApprovalSubmission, SubmissionResult } from '../../ports/crm.ts';
import { classifyFailure } from './resilience.ts';
import { truncate } from './field-values.ts';

export const APPROVAL_PROCESS_NAME = 'DealDesk_Deal_Approval';

export function submissionRequests(submissions: ApprovalSubmission[]): { requests: object[] } {
  return {
    requests: submissions.map((s) => ({
      actionType: 'Submit',
      contextId: s.approvalId,
      nextApproverIds: [s.approverId],
      comments: truncate(s.comments, 4000),
      processDefinitionNameOrId: APPROVAL_PROCESS_NAME,
      skipEntryCriteria: true,
    })),
  };
}

/** The results of a whole call that failed; rethrows what is worth retrying. */
export function failedSubmissions(submissions: ApprovalSubmission[], err: unknown): SubmissionResult[] {
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

/** Each submission's result, from the response's entry at the same position. */
export function submissionResults(submissions: ApprovalSubmission[], raw: unknown): SubmissionResult[] {
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
}
