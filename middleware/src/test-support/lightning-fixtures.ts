/**
 * Fixtures for Lightning Local's tests: the demo company in an in-memory local org, its people by
 * username, and a closure in flight (agent steps, a pending approval submitted to the approval
 * process, an envelope) written as the middleware would write it.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalOrg } from '@dealdesk/local-org';
import { demoCompany } from '@dealdesk/local-org';
import { FORCE_APP_DIR } from '../paths.ts';
import { soqlString } from '@dealdesk/contracts';

/** One bundle cache for every test run: the first run builds (about a minute), later ones reuse it. */
export const TEST_DATA_DIR = join(tmpdir(), 'dealdesk-lightning-test-data');

export function demoOrg(): LocalOrg {
  const org = new LocalOrg({ dbPath: ':memory:', forceAppDir: FORCE_APP_DIR });
  org.seed(demoCompany);
  return org;
}

export function userId(org: LocalOrg, usernamePrefix: string): string {
  const row = org.query(`SELECT Id FROM User WHERE Username LIKE ${soqlString(`${usernamePrefix}@%`)}`)
    .records[0];
  if (!row) throw new Error(`no demo user ${usernamePrefix}`);
  return String(row.Id);
}

export function openOpportunities(org: LocalOrg): { Id: string; Name: string }[] {
  return org
    .query('SELECT Id, Name FROM Opportunity WHERE IsClosed = false ORDER BY Name')
    .records.map((r) => ({ Id: String(r.Id), Name: String(r.Name) }));
}

export interface ClosureInFlight {
  closureId: string;
  closureName: string;
  stepId: string;
  approvalId: string;
  workitemId: string;
  envelopeId: string;
}

/**
 * A closure waiting for one approval: a finished Deal Closure step, a Deal_Approval__c submitted
 * to the package's approval process for `approverUsername`, and a sent envelope with one recipient.
 */
export function closureInFlight(
  org: LocalOrg,
  opportunityId: string,
  approverUsername: string,
): ClosureInFlight {
  const approver = userId(org, approverUsername);
  const records = org.transact(
    org.integrationUserId,
    (dml) => {
      const closure = dml.insert('Deal_Closure__c', {
        Opportunity__c: opportunityId,
        Status__c: 'Waiting_Approval',
        Trigger__c: 'Rep',
        Decision__c: 'Needs_Rep_Confirmation',
        Closing_Confidence__c: 82.5,
        Current_Agent__c: 'Approval_Orchestration',
        Started_At__c: '2026-11-24T08:00:00.000+0000',
      });
      const step = dml.insert('Agent_Step__c', {
        Deal_Closure__c: closure.Id,
        Agent__c: 'Deal_Closure',
        Status__c: 'Succeeded',
        Reasoning__c: 'The customer confirmed the three plants on the call.',
        Confidence__c: 82.5,
        Duration_Ms__c: 4200,
        Started_At__c: '2026-11-24T08:00:01.000+0000',
        Finished_At__c: '2026-11-24T08:00:05.200+0000',
      });
      const approval = dml.insert('Deal_Approval__c', {
        Deal_Closure__c: closure.Id,
        Approver__c: approver,
        Approver_Role__c: 'Sales_VP',
        Status__c: 'Pending',
        Reason__c: 'discount of 15% is above 10%',
        Due_At__c: '2026-11-26T08:00:00.000+0000',
      });
      const envelope = dml.insert('Signature_Envelope__c', {
        Deal_Closure__c: closure.Id,
        Status__c: 'Sent',
        Provider__c: 'Local',
      });
      dml.insert('Envelope_Recipient__c', {
        Signature_Envelope__c: envelope.Id,
        Name__c: 'Katrin Vogel',
        Email__c: 'katrin.vogel@brennecke-antriebe.example',
        Role__c: 'Customer Signer',
        Routing_Order__c: 1,
        Status__c: 'Sent',
      });
      const submitted = org.approvals.process(dml, org.processDefinitions, {
        actionType: 'Submit',
        contextId: approval.Id,
      });
      return { closure, step, approval, envelope, workitemId: submitted.newWorkitemIds[0]! };
    },
    { system: true },
  );
  return {
    closureId: records.closure.Id,
    closureName: String(
      org.query(`SELECT Name FROM Deal_Closure__c WHERE Id = ${soqlString(records.closure.Id)}`).records[0]!
        .Name,
    ),
    stepId: records.step.Id,
    approvalId: records.approval.Id,
    workitemId: records.workitemId,
    envelopeId: records.envelope.Id,
  };
}
