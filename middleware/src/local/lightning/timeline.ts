/**
 * DealDeskController.getTimeline's reading and mapping, for the stand-in: the closure with its
 * agent steps and approvals (DealClosureSelector.selectTimelineByIdAsUser), its envelopes'
 * recipients (SignatureEnvelopeSelector.selectWithRecipientsByClosureIdAsUser), and the views the
 * class builds from them.
 */
import type { LocalOrg } from '@dealdesk/local-org';
import type { JsonRecord } from '@dealdesk/local-org';
import { soqlString } from '@dealdesk/contracts';
import type { ApprovalView, ClosureView, RecipientView, StepView, Timeline } from './apex-contract.ts';
import { datetime, num, parentField, picklistLabel, records, str } from './record-values.ts';

const TERMINAL_STATUSES = new Set(['Completed', 'Failed', 'Cancelled']);

/** Runs a query with the user's object access; `objects` are the objects it reads. */
export type UserQuery = (objects: string[], soql: string) => JsonRecord[];

export function buildTimeline(org: LocalOrg, query: UserQuery, dealClosureId: string | undefined): Timeline {
  const timeline: Timeline = { closure: null, steps: [], approvals: [], recipients: [] };
  if (!dealClosureId) return timeline;
  const closure = query(
    ['Deal_Closure__c', 'Opportunity', 'Agent_Step__c', 'Deal_Approval__c', 'User'],
    'SELECT Id, Name, Opportunity__c, Opportunity__r.Name, Status__c, Trigger__c, Decision__c, Closing_Confidence__c, ' +
      'Current_Agent__c, Error__c, Started_At__c, Completed_At__c, ' +
      '(SELECT Id, Agent__c, Status__c, Reasoning__c, Confidence__c, Duration_Ms__c, Started_At__c, Finished_At__c, Error__c ' +
      'FROM Agent_Steps__r ORDER BY Started_At__c NULLS LAST, CreatedDate, Id), ' +
      '(SELECT Id, Name, Approver_Role__c, Approver__c, Approver__r.Name, Status__c, Due_At__c, Decided_At__c, ' +
      'Escalation_Level__c, Reason__c, Brief__c FROM Deal_Approvals__r ORDER BY Due_At__c NULLS LAST, CreatedDate, Id) ' +
      `FROM Deal_Closure__c WHERE Id = ${soqlString(dealClosureId)} LIMIT 1`,
  )[0];
  if (!closure) return timeline;
  const label = (object: string, field: string, value: unknown) => picklistLabel(org, object, field, value);
  timeline.closure = toClosureView(closure, label);
  timeline.steps = records(closure.Agent_Steps__r).map((step) => toStepView(step, label));
  timeline.approvals = records(closure.Deal_Approvals__r).map((a) => toApprovalView(a, label));
  const envelopes = query(
    ['Signature_Envelope__c', 'Envelope_Recipient__c'],
    'SELECT Id, Name, Provider__c, Status__c, Sent_At__c, Completed_At__c, ' +
      '(SELECT Id, Name__c, Email__c, Role__c, Routing_Order__c, Status__c, Signed_At__c, Completion_Prediction__c ' +
      'FROM Envelope_Recipients__r ORDER BY Routing_Order__c NULLS LAST, Name__c) ' +
      `FROM Signature_Envelope__c WHERE Deal_Closure__c = ${soqlString(String(closure.Id))} ORDER BY CreatedDate DESC, Id DESC`,
  );
  for (const envelope of envelopes) {
    for (const recipient of records(envelope.Envelope_Recipients__r)) {
      timeline.recipients.push(toRecipientView(envelope, recipient, label));
    }
  }
  return timeline;
}

type Label = (object: string, field: string, value: unknown) => string | null;

function toClosureView(closure: JsonRecord, label: Label): ClosureView {
  return {
    id: str(closure.Id),
    name: str(closure.Name),
    opportunityId: str(closure.Opportunity__c),
    opportunityName: parentField(closure.Opportunity__r, 'Name'),
    status: str(closure.Status__c),
    statusLabel: label('Deal_Closure__c', 'Status__c', closure.Status__c),
    triggerSource: str(closure.Trigger__c),
    decisionLabel: label('Deal_Closure__c', 'Decision__c', closure.Decision__c),
    confidence: num(closure.Closing_Confidence__c),
    currentAgentLabel: label('Agent_Step__c', 'Agent__c', closure.Current_Agent__c),
    error: str(closure.Error__c),
    startedAt: datetime(closure.Started_At__c),
    completedAt: datetime(closure.Completed_At__c),
    isTerminal: TERMINAL_STATUSES.has(String(closure.Status__c)),
  };
}

function toStepView(step: JsonRecord, label: Label): StepView {
  return {
    id: str(step.Id),
    agent: str(step.Agent__c),
    agentLabel: label('Agent_Step__c', 'Agent__c', step.Agent__c),
    status: str(step.Status__c),
    statusLabel: label('Agent_Step__c', 'Status__c', step.Status__c),
    reasoning: str(step.Reasoning__c),
    confidence: num(step.Confidence__c),
    durationMs: num(step.Duration_Ms__c),
    startedAt: datetime(step.Started_At__c),
    finishedAt: datetime(step.Finished_At__c),
    error: str(step.Error__c),
  };
}

function toApprovalView(approval: JsonRecord, label: Label): ApprovalView {
  return {
    id: str(approval.Id),
    name: str(approval.Name),
    roleLabel: label('Deal_Approval__c', 'Approver_Role__c', approval.Approver_Role__c),
    approverName: parentField(approval.Approver__r, 'Name'),
    status: str(approval.Status__c),
    statusLabel: label('Deal_Approval__c', 'Status__c', approval.Status__c),
    dueAt: datetime(approval.Due_At__c),
    decidedAt: datetime(approval.Decided_At__c),
    escalationLevel: num(approval.Escalation_Level__c),
    reason: str(approval.Reason__c),
    brief: str(approval.Brief__c),
  };
}

function toRecipientView(envelope: JsonRecord, recipient: JsonRecord, label: Label): RecipientView {
  return {
    id: str(recipient.Id),
    envelopeName: str(envelope.Name),
    envelopeStatusLabel: label('Signature_Envelope__c', 'Status__c', envelope.Status__c),
    name: str(recipient.Name__c),
    email: str(recipient.Email__c),
    role: str(recipient.Role__c),
    routingOrder: num(recipient.Routing_Order__c),
    status: str(recipient.Status__c),
    statusLabel: label('Envelope_Recipient__c', 'Status__c', recipient.Status__c),
    signedAt: datetime(recipient.Signed_At__c),
    prediction: str(recipient.Completion_Prediction__c),
  };
}
