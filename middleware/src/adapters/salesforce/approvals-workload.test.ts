/**
 * The approvers' workload as the adapter reads it from an org (the local org, over real HTTP):
 * pending work items per user in the same composite request as the users, this closure's own
 * requests left out.
 */
import assert from 'node:assert/strict';
import { startLocalOrg, type LocalOrgHarness } from '@dealdesk/local-org/testing';
import { LOCAL_ORG_API_VERSION } from '@dealdesk/local-org';
import { ref, type SeedRecord } from '@dealdesk/local-org';
import { createSalesforceApprovals } from './salesforce-approvals.ts';

const user = (key: string): SeedRecord => ({
  ref: `user.${key}`,
  type: 'User',
  fields: {
    Username: `${key}@load.example`,
    LastName: key,
    Email: `${key}@load.example`,
    Alias: key,
    IsActive: true,
  },
});

const approval = (key: string, approver: string): SeedRecord => ({
  ref: `approval.${key}`,
  type: 'Deal_Approval__c',
  fields: {
    Deal_Closure__c: ref('closure'),
    Approver_Role__c: 'Finance',
    Approver__c: ref(`user.${approver}`),
    Status__c: 'Pending',
    Idempotency_Key__c: `run-w:${key}`,
  },
});

describe('Salesforce approvals adapter: approver workload', () => {
  let h: LocalOrgHarness;
  let ids: Map<string, string>;
  let requests = 0;

  before(async () => {
    h = await startLocalOrg();
    ids = h.org.seed([
      user('busy'),
      user('calm'),
      user('idle'),
      {
        ref: 'closure',
        type: 'Deal_Closure__c',
        fields: { Run_Id__c: 'run-w', Status__c: 'Waiting_Approval' },
      },
      approval('a', 'busy'),
      approval('b', 'busy'),
      approval('c', 'busy'),
      approval('d', 'calm'),
    ]).ids;
    // The approval process routes each request to its Approver__c.
    for (const key of ['a', 'b', 'c', 'd'])
      await new Promise((ok, fail) =>
        h.conn.process.approval.submit(ids.get(`approval.${key}`)!, 'load').then(ok, fail),
      );
  });
  after(async () => h.close());

  const adapter = () =>
    createSalesforceApprovals({
      conn: h.conn,
      apiVersion: LOCAL_ORG_API_VERSION,
      onRequest: () => void requests++,
    });

  it('counts the pending requests of each user read, in the same round trip as the users', async () => {
    requests = 0;
    const read = await adapter().planningData(
      ['busy@load.example', 'calm@load.example', 'idle@load.example'],
      0,
    );
    assert.equal(requests, 1, 'one composite request');
    assert.deepEqual(read.users.map((u) => u.username).sort(), [
      'busy@load.example',
      'calm@load.example',
      'idle@load.example',
    ]);
    assert.deepEqual(
      [...(read.workload ?? [])].sort((a, b) => b.openItems - a.openItems),
      [
        { userId: ids.get('user.busy'), openItems: 3 },
        { userId: ids.get('user.calm'), openItems: 1 },
      ],
    );
  });

  it("leaves out the closure's own requests and users it was not asked about", async () => {
    const read = await adapter().planningData(['busy@load.example'], 0, {
      excludeApprovalIds: [ids.get('approval.a')!, ids.get('approval.d')!],
    });
    assert.deepEqual(read.workload, [{ userId: ids.get('user.busy'), openItems: 2 }]);
  });

  it('reads no workload when there are no users to read', async () => {
    const read = await adapter().planningData([], 10);
    assert.equal(read.workload, undefined);
  });
});
