import assert from 'node:assert/strict';
import request from 'supertest';
import { Connection } from '@jsforce/jsforce-node';
import { startLocalOrg, type LocalOrgHarness } from './testing.ts';
import { LOCAL_ORG_API_VERSION } from './local-org.ts';
import { ref, type SeedRecord } from './seed/seed-types.ts';
import { BASELINE_REFS } from './seed/seed-loader.ts';

const user = (key: string, extra: Record<string, unknown> = {}): SeedRecord => ({
  ref: `user.${key}`,
  type: 'User',
  fields: {
    Username: `${key}@approvals.example`,
    LastName: key,
    Email: `${key}@approvals.example`,
    Alias: key.slice(0, 8),
    IsActive: true,
    ...extra,
  },
});

interface ProcessResult {
  success: boolean;
  instanceStatus: string;
  instanceId: string;
  entityId: string;
  actorIds: string[];
  newWorkitemIds: string[];
}

describe('local org process/approvals', () => {
  let h: LocalOrgHarness;
  let ids: Map<string, string>;
  let approvalId: string;
  const asUser = async (username: string) => {
    const res = await request(h.app)
      .post('/local/sessions')
      .set('Authorization', 'Bearer test-token')
      .send({ username })
      .expect(201);
    return new Connection({
      instanceUrl: h.url,
      accessToken: res.body.access_token as string,
      version: LOCAL_ORG_API_VERSION,
    });
  };

  beforeEach(async () => {
    h = await startLocalOrg();
    ids = h.org.seed([
      user('backup'),
      user('finance', { DelegatedApproverId: ref('user.backup') }),
      user('other'),
      user('boss', { ProfileId: ref(BASELINE_REFS.adminProfile) }),
      {
        ref: 'closure',
        type: 'Deal_Closure__c',
        fields: { Run_Id__c: 'run-a', Status__c: 'Waiting_Approval' },
      },
      {
        ref: 'approval',
        type: 'Deal_Approval__c',
        fields: {
          Deal_Closure__c: ref('closure'),
          Approver_Role__c: 'Finance',
          Approver__c: ref('user.finance'),
          Status__c: 'Pending',
          Idempotency_Key__c: 'run-a:finance',
        },
      },
    ]).ids;
    approvalId = ids.get('approval')!;
  });
  afterEach(async () => h.close());

  // jsforce returns a thenable whose `then` is typed as returning void; assert.rejects wants a promise.
  const p = (thenable: { then(ok: (r: unknown) => void, fail: (e: unknown) => void): void }) =>
    new Promise<ProcessResult>((ok, fail) => thenable.then((r) => ok(r as ProcessResult), fail));
  const submit = () => p(h.conn.process.approval.submit(approvalId, 'Deal context: EUR 530k, 15% discount'));

  it('submits to the approver from the record, locks it, and approves with final field updates', async () => {
    const submitted = await submit();
    assert.equal(submitted.success, true);
    assert.equal(submitted.instanceStatus, 'Pending');
    assert.deepEqual(submitted.actorIds, [ids.get('user.finance')]);
    assert.equal(submitted.newWorkitemIds.length, 1);
    assert.match(submitted.instanceId, /^04g/);
    assert.match(submitted.newWorkitemIds[0]!, /^04i/);

    await assert.rejects(
      h.conn.sobject('Deal_Approval__c').update({ Id: approvalId, Comments__c: 'edit' }),
      (e: { errorCode: string }) => e.errorCode === 'ENTITY_IS_LOCKED',
    );
    await assert.rejects(submit(), (e: { errorCode: string }) => e.errorCode === 'ALREADY_IN_PROCESS');

    const items = await h.conn.query<{ Id: string; ActorId: string }>(
      `SELECT Id, ActorId FROM ProcessInstanceWorkitem WHERE ProcessInstance.TargetObjectId = '${approvalId}'`,
    );
    assert.equal(items.records[0]!.ActorId, ids.get('user.finance'));

    const finance = await asUser('finance@approvals.example');
    const approved = (await finance.process.approval.approve(
      items.records[0]!.Id,
      'Within policy',
    )) as unknown as ProcessResult;
    assert.equal(approved.instanceStatus, 'Approved');

    const rec = await h.conn.sobject('Deal_Approval__c').retrieve(approvalId);
    assert.equal(rec.Status__c, 'Approved');
    assert.ok(rec.Decided_At__c, 'final approval action stamps the decision time');
    await h.conn.sobject('Deal_Approval__c').update({ Id: approvalId, Comments__c: 'unlocked now' });

    const steps = await h.conn.query<{ StepStatus: string; Comments: string }>(
      `SELECT StepStatus, Comments FROM ProcessInstanceStep WHERE ProcessInstance.TargetObjectId = '${approvalId}' ORDER BY CreatedDate, StepStatus DESC`,
    );
    assert.deepEqual(
      steps.records.map((s) => [s.StepStatus, s.Comments]),
      [
        ['Started', 'Deal context: EUR 530k, 15% discount'],
        ['Approved', 'Within policy'],
      ],
    );
    assert.equal((await h.conn.query('SELECT COUNT() FROM ProcessInstanceWorkitem')).totalSize, 0);
  });

  it('lets an administrator (Modify All Data) edit a locked record, and no one else', async () => {
    await submit();
    const other = await asUser('other@approvals.example');
    await assert.rejects(
      other.sobject('Deal_Approval__c').update({ Id: approvalId, Comments__c: 'edit' }),
      (e: { errorCode: string }) => e.errorCode === 'ENTITY_IS_LOCKED',
    );
    const boss = await asUser('boss@approvals.example');
    const res = await boss.sobject('Deal_Approval__c').update({ Id: approvalId, Comments__c: 'admin note' });
    assert.ok(res.success);
    assert.equal(h.org.isLocked(approvalId), true, 'still locked for everyone else');
  });

  it('lets the delegated approver reject, and refuses anyone else', async () => {
    const submitted = await submit();
    const workitem = submitted.newWorkitemIds[0]!;
    const other = await asUser('other@approvals.example');
    await assert.rejects(
      p(other.process.approval.reject(workitem, 'no')),
      (e: { errorCode: string }) => e.errorCode === 'INSUFFICIENT_ACCESS_OR_READONLY',
    );
    const backup = await asUser('backup@approvals.example');
    const rejected = (await backup.process.approval.reject(
      workitem,
      'Discount beyond authority',
    )) as unknown as ProcessResult;
    assert.equal(rejected.instanceStatus, 'Rejected');
    assert.equal((await h.conn.sobject('Deal_Approval__c').retrieve(approvalId)).Status__c, 'Rejected');
  });

  it('recalls a pending request and reassigns a work item by updating its actor', async () => {
    const submitted = await submit();
    const workitem = submitted.newWorkitemIds[0]!;
    await h.conn
      .sobject('ProcessInstanceWorkitem')
      .update({ Id: workitem, ActorId: ids.get('user.backup')! });
    const reassigned = await h.conn.sobject('ProcessInstanceWorkitem').retrieve(workitem);
    assert.equal(reassigned.ActorId, ids.get('user.backup'));
    assert.equal(reassigned.OriginalActorId, ids.get('user.finance'));
    const removed = await h.conn.requestPost<ProcessResult[]>(
      `/services/data/v${LOCAL_ORG_API_VERSION}/process/approvals`,
      {
        requests: [{ actionType: 'Removed', contextId: workitem, comments: 'contract changed' }],
      },
    );
    assert.equal(removed[0]!.instanceStatus, 'Removed');
    assert.equal((await h.conn.sobject('Deal_Approval__c').retrieve(approvalId)).Status__c, 'Recalled');
    assert.equal(h.org.isLocked(approvalId), false);
  });

  it('gives clear errors for records with no process and bad ids', async () => {
    const acct = await h.conn.sobject('Account').create({ Name: 'No process' });
    await assert.rejects(
      p(h.conn.process.approval.submit(acct.id!)),
      (e: { errorCode: string }) => e.errorCode === 'NO_APPLICABLE_PROCESS',
    );
    await assert.rejects(
      p(h.conn.process.approval.approve('04iDd0000000zzzAAA')),
      (e: { errorCode: string }) => e.errorCode === 'INVALID_CROSS_REFERENCE_KEY',
    );
    const bad = await request(h.app)
      .post(`/services/data/v${LOCAL_ORG_API_VERSION}/process/approvals`)
      .set('Authorization', 'Bearer test-token')
      .send({ requests: [{ actionType: 'Launch', contextId: approvalId }] });
    assert.equal(bad.status, 400);
    assert.equal(bad.body[0].errorCode, 'JSON_PARSER_ERROR');
  });

  it('announces committed changes to after-commit automation', async () => {
    const seen: string[] = [];
    h.org.onCommit((e) => {
      for (const c of e.changes)
        if (c.type === 'Deal_Approval__c')
          seen.push(`${String(c.before?.Status__c)}->${String(c.after?.Status__c)}`);
    });
    const submitted = await submit();
    // An administrator (Modify All Data) may act on anyone's approval request.
    const boss = await asUser('boss@approvals.example');
    await p(boss.process.approval.approve(submitted.newWorkitemIds[0]!, 'ok'));
    assert.deepEqual(seen, ['Pending->Pending', 'Pending->Approved']);
  });
});
