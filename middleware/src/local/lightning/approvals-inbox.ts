/**
 * Items to Approve: the pending approval requests (ProcessInstanceWorkitem) assigned to a user or
 * to someone who made them their delegated approver, and the decision on one, taken through the
 * local org's approval process as that user. The process decides who may act (the assigned
 * approver, their delegate, an administrator) and its field updates fire the package's trigger
 * stand-in, which tells the middleware.
 */
import { z } from 'zod';
import type { LocalOrg } from '@dealdesk/local-org';
import { SalesforceApiError } from '@dealdesk/local-org';
import { soqlString, soqlStringList } from '@dealdesk/contracts';
import { datetime, num, parentField, picklistLabel, str } from './record-values.ts';

export interface ApprovalItem {
  workitemId: string;
  /** The record being approved (a Deal_Approval__c for the package's process). */
  targetId: string;
  targetType: string;
  targetName: string | null;
  /** Whose request it is: the user, or the person who delegated to them. */
  assignedTo: string | null;
  delegated: boolean;
  submittedAt: string | null;
  role: string | null;
  reason: string | null;
  dueAt: string | null;
  dealClosureId: string | null;
  dealClosureName: string | null;
  opportunityId: string | null;
  opportunityName: string | null;
  amount: number | null;
  currencyIsoCode: string | null;
}

export const DecisionSchema = z.object({
  action: z.enum(['Approve', 'Reject']),
  comments: z.string().max(4000, { error: 'The comment can be at most 4,000 characters.' }).optional(),
});

export function itemsToApprove(org: LocalOrg, userId: string): ApprovalItem[] {
  const delegators = org
    .query(`SELECT Id FROM User WHERE DelegatedApproverId = ${soqlString(userId)}`)
    .records.map((r) => String(r.Id));
  const workitems = org.query(
    'SELECT Id, ActorId, Actor.Name, CreatedDate, ProcessInstance.TargetObjectId FROM ProcessInstanceWorkitem ' +
      `WHERE ActorId IN ${soqlStringList([userId, ...delegators])} ORDER BY CreatedDate, Id`,
  ).records;
  const targetIds = workitems.map((w) =>
    String((w.ProcessInstance as { TargetObjectId?: unknown }).TargetObjectId),
  );
  const approvals = new Map(
    targetIds.length === 0
      ? []
      : org
          .query(
            'SELECT Id, Name, Approver_Role__c, Reason__c, Due_At__c, Deal_Closure__c, Deal_Closure__r.Name, ' +
              'Deal_Closure__r.Opportunity__c, Deal_Closure__r.Opportunity__r.Name, ' +
              'Deal_Closure__r.Opportunity__r.Amount, Deal_Closure__r.Opportunity__r.CurrencyIsoCode ' +
              `FROM Deal_Approval__c WHERE Id IN ${soqlStringList(targetIds)}`,
          )
          .records.map((r) => [String(r.Id), r]),
  );
  return workitems.map((w, i) => {
    const targetId = targetIds[i]!;
    const approval = approvals.get(targetId);
    const closure = (approval?.Deal_Closure__r ?? null) as Record<string, unknown> | null;
    const opportunity = (closure?.Opportunity__r ?? null) as Record<string, unknown> | null;
    return {
      workitemId: String(w.Id),
      targetId,
      targetType: org.registry.byKeyPrefix(targetId.slice(0, 3))?.def.label ?? 'Record',
      targetName: str(approval?.Name),
      assignedTo: parentField(w.Actor, 'Name'),
      delegated: w.ActorId !== userId,
      submittedAt: datetime(w.CreatedDate),
      role: picklistLabel(org, 'Deal_Approval__c', 'Approver_Role__c', approval?.Approver_Role__c),
      reason: str(approval?.Reason__c),
      dueAt: datetime(approval?.Due_At__c),
      dealClosureId: str(approval?.Deal_Closure__c),
      dealClosureName: str(closure?.Name),
      opportunityId: str(closure?.Opportunity__c),
      opportunityName: str(opportunity?.Name),
      amount: num(opportunity?.Amount),
      currencyIsoCode: str(opportunity?.CurrencyIsoCode),
    };
  });
}

export type DecisionOutcome = { ok: true; status: string } | { ok: false; message: string };

/** Approves or rejects one request as the user; the org's refusal comes back as its message. */
export function decide(
  org: LocalOrg,
  userId: string,
  workitemId: string,
  decision: z.infer<typeof DecisionSchema>,
): DecisionOutcome {
  const comments = decision.comments?.trim();
  try {
    const result = org.transact(userId, (dml) =>
      org.approvals.process(dml, org.processDefinitions, {
        actionType: decision.action,
        contextId: workitemId,
        ...(comments ? { comments } : {}),
      }),
    );
    return { ok: true, status: result.instanceStatus };
  } catch (err) {
    if (err instanceof SalesforceApiError) return { ok: false, message: err.message };
    throw err;
  }
}
