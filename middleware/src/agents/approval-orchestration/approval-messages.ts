/**
 * What the approvers and the rep are told, tailored to the reader: the approver's brief for their
 * role, written from the deal (approval-brief.ts), why it is theirs, and by when. Pure functions
 * over the approval state.
 */
import type { Notification } from '../../ports/notify.ts';

export interface MessageApproval {
  role: string;
  approvalId: string;
  approverId: string;
  approverName: string;
  reason: string;
  dueAt: string;
  slaHours: number;
  round: number;
}

export interface MessageDeal {
  opportunityId: string;
  opportunityName: string;
  accountName: string;
  amount: string;
  termMonths: number;
  riskLevel: string;
  ownerId: string;
}

const when = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

/** The request; `brief` is the approver's brief as text. */
export function requestMessage(a: MessageApproval, deal: MessageDeal, brief: string): Notification {
  return {
    audience: 'approver',
    userId: a.approverId,
    recordId: a.approvalId,
    kind: 'approval_request',
    key: `approval-request:${a.approvalId}:${a.approverId}`,
    subject: `Approval needed (${a.role.replace('_', ' ')}): ${deal.opportunityName}, ${deal.amount}`.slice(
      0,
      255,
    ),
    body: [
      `${a.approverName}, your ${a.role.replace('_', ' ')} approval is needed on ${deal.accountName} — ${deal.opportunityName} (${deal.amount}, ${deal.termMonths} months, ${deal.riskLevel} risk).`,
      brief,
      `Please approve or reject in Salesforce by ${when(a.dueAt)} (${a.slaHours} h SLA).`,
    ].join('\n'),
    dueAt: a.dueAt,
  };
}

/** Half the SLA gone; `lead` is what the approver's brief says that is particular to their role. */
export function reminderMessage(a: MessageApproval, deal: MessageDeal, lead: string[]): Notification {
  return {
    audience: 'approver',
    userId: a.approverId,
    recordId: a.approvalId,
    kind: 'reminder',
    key: `approval-reminder:${a.approvalId}:${a.approverId}`,
    subject: `Reminder: ${deal.opportunityName} waits for your ${a.role.replace('_', ' ')} approval`.slice(
      0,
      255,
    ),
    body: [
      `${a.approverName}, half of the ${a.slaHours} h SLA has passed on ${deal.opportunityName} (${deal.amount}).`,
      `Why you: ${a.reason}.`,
      ...lead,
      `Due ${when(a.dueAt)}; after that the request goes to the backup approver.`,
    ].join('\n'),
    dueAt: a.dueAt,
  };
}

/** How a request changed hands: from whom, why, and as what. */
export interface Handover {
  /** The approver the request was with. */
  previous: string;
  why: string;
  kind: 'escalation' | 'approval_request';
  /** The new approver's whole brief, as text. */
  brief: string;
}

/** The request moved to a new approver, who gets the whole brief. */
export function reassignedMessage(
  a: MessageApproval,
  deal: MessageDeal,
  { previous, why, kind, brief }: Handover,
): Notification {
  return {
    audience: 'approver',
    userId: a.approverId,
    recordId: a.approvalId,
    kind,
    key: `approval-${kind}:${a.approvalId}:${a.approverId}`,
    subject:
      `${kind === 'escalation' ? 'Escalated' : 'Reassigned'} to you: ${a.role.replace('_', ' ')} approval of ${deal.opportunityName}`.slice(
        0,
        255,
      ),
    body: [
      `${a.approverName}, the ${a.role.replace('_', ' ')} approval of ${deal.accountName} — ${deal.opportunityName} (${deal.amount}) is now yours: ${why} (was with ${previous}).`,
      // The brief ends with the new due time.
      brief,
    ].join('\n'),
    dueAt: a.dueAt,
  };
}

export function rejectionMessage(
  a: MessageApproval,
  deal: MessageDeal,
  comment: string | null,
  closureId: string,
): Notification {
  return {
    audience: 'rep',
    userId: deal.ownerId,
    recordId: deal.opportunityId,
    kind: 'rejection',
    key: `approval-rejected:${a.approvalId}`,
    subject: `${a.approverName} rejected ${deal.opportunityName} (${a.role.replace('_', ' ')})`.slice(0, 255),
    body: [
      `${a.approverName} (${a.role.replace('_', ' ')}) rejected ${deal.opportunityName}: "${comment ?? 'no comment'}".`,
      `Signature is on hold. Revise the opportunity (e.g. the discount or the special terms) and choose Revise on the closure (${closureId}); only the approvals whose reason changed go out again.`,
    ].join('\n'),
  };
}
