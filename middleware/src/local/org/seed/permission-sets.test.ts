import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalOrg } from '../local-org.ts';
import { FORCE_APP_DIR } from '../../../paths.ts';
import { loadPermissionSets } from './permission-sets.ts';

describe('local org: the package permission sets', () => {
  it('holds one PermissionSet per force-app permission set, with DealDesk_Integration assigned to the integration user, once across restarts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dealdesk-permsets-'));
    const dbPath = join(dir, 'org.sqlite');
    try {
      const names = loadPermissionSets(FORCE_APP_DIR).map((p) => p.name);
      assert.deepEqual(names, [
        'DealDesk_Admin',
        'DealDesk_Approver',
        'DealDesk_Integration',
        'DealDesk_User',
      ]);
      for (let start = 0; start < 2; start++) {
        const org = new LocalOrg({ dbPath, forceAppDir: FORCE_APP_DIR });
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
