import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalOrg } from '../local-org.ts';
import { REPO_FORCE_APP_DIR } from '../paths.ts';
import { loadPermissionSets } from './permission-sets.ts';
import { demoCompany } from './demo-company.ts';

describe('local org: the package permission sets', () => {
  it('holds one PermissionSet per force-app permission set, with DealDesk_Integration assigned to the integration user, once across restarts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dealdesk-permsets-'));
    const dbPath = join(dir, 'org.sqlite');
    try {
      const names = loadPermissionSets(REPO_FORCE_APP_DIR).map((p) => p.name);
      assert.deepEqual(names, [
        'DealDesk_Admin',
        'DealDesk_Approver',
        'DealDesk_Integration',
        'DealDesk_User',
      ]);
      for (let start = 0; start < 2; start++) {
        const org = new LocalOrg({ dbPath, forceAppDir: REPO_FORCE_APP_DIR });
        const sets = org.query('SELECT Name, Label FROM PermissionSet ORDER BY Name').records;
        assert.deepEqual(
          sets.map((s) => [s.Name, s.Label]),
          [
            ['DealDesk_Admin', 'DealDesk Admin'],
            ['DealDesk_Approver', 'DealDesk Approver'],
            ['DealDesk_Integration', 'DealDesk Integration'],
            ['DealDesk_User', 'DealDesk User'],
          ],
        );
        const assignments = org.query(
          'SELECT AssigneeId, PermissionSet.Name FROM PermissionSetAssignment',
        ).records;
        assert.equal(assignments.length, 1, `start ${start + 1}`);
        assert.equal(assignments[0]!.AssigneeId, org.integrationUserId);
        org.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('local org: the demo company has the package permission sets assigned', () => {
  let org: LocalOrg;
  before(() => {
    org = new LocalOrg({ dbPath: ':memory:', forceAppDir: REPO_FORCE_APP_DIR });
    org.seed(demoCompany);
  });
  after(() => org.close());

  const holders = (set: string): string[] =>
    org
      .query(
        `SELECT Assignee.Username FROM PermissionSetAssignment WHERE PermissionSet.Name = '${set}' ORDER BY Assignee.Username`,
      )
      .records.map((r) => String((r.Assignee as { Username: string }).Username));

  it('as an admin assigns them after install: the admin Admin, the reps User, the integration user Integration', () => {
    assert.deepEqual(holders('DealDesk_Admin'), ['alex.morgan@dealdesk-demo.example']);
    assert.deepEqual(holders('DealDesk_Integration'), ['integration@dealdesk-demo.example']);
    const reps = holders('DealDesk_User');
    // Everyone who owns an opportunity can close it with Close Deal.
    const owners = org
      .query('SELECT Owner.Username FROM Opportunity')
      .records.map((r) => String((r.Owner as { Username: string }).Username));
    for (const owner of new Set(owners)) assert.ok(reps.includes(owner), `${owner} has DealDesk_User`);
    assert.deepEqual(reps, [
      'dana.whitfield@dealdesk-demo.example',
      'jordan.keller@dealdesk-demo.example',
      'tom.hadley@dealdesk-demo.example',
    ]);
  });

  it('gives DealDesk_Approver to exactly the approvers and backups of the approval matrix', () => {
    const matrix = org.query(
      'SELECT Approver_Username__c, Backup_Username__c FROM Approval_Rule__mdt',
    ).records;
    const named = new Set(
      matrix
        .flatMap((r) => [r.Approver_Username__c, r.Backup_Username__c])
        .filter((u) => typeof u === 'string'),
    );
    assert.ok(named.size >= 5, `${named.size} approvers in the matrix`);
    assert.deepEqual(holders('DealDesk_Approver'), [...named].map(String).sort());
  });

  it('assigns each set to a user once', () => {
    const rows = org.query('SELECT AssigneeId, PermissionSetId FROM PermissionSetAssignment').records;
    const keys = rows.map((r) => `${String(r.AssigneeId)}|${String(r.PermissionSetId)}`);
    assert.equal(new Set(keys).size, keys.length);
  });
});
