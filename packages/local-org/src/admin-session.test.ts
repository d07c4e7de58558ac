import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalOrg } from './local-org.ts';
import { REPO_FORCE_APP_DIR } from './paths.ts';
import { demoCompany } from './seed/demo-company.ts';

describe("local org: the administrator's session", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'dealdesk-admin-session-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is absent while the org has no administrator (nothing seeded)', () => {
    const org = new LocalOrg({ dbPath: ':memory:', forceAppDir: REPO_FORCE_APP_DIR });
    try {
      assert.equal(org.adminSession(), undefined);
    } finally {
      org.close();
    }
  });

  it("signs in as the demo company's System Administrator, not the integration user, and is kept across restarts", () => {
    const dbPath = join(dir, 'org.sqlite');
    let org = new LocalOrg({ dbPath, forceAppDir: REPO_FORCE_APP_DIR });
    org.seed(demoCompany);
    const session = org.adminSession()!;
    assert.equal(session.username, 'alex.morgan@dealdesk-demo.example');
    assert.notEqual(session.accessToken, org.token);
    assert.equal(org.authenticate(`Bearer ${session.accessToken}`), session.userId);
    assert.notEqual(session.userId, org.integrationUserId);
    const profile = org.query(`SELECT Profile.Name FROM User WHERE Id = '${session.userId}'`).records[0]!;
    assert.equal((profile.Profile as { Name: string }).Name, 'System Administrator');
    // The org's own token still belongs to the integration user.
    assert.equal(org.authenticate(`Bearer ${org.token}`), org.integrationUserId);
    org.close();

    org = new LocalOrg({ dbPath, forceAppDir: REPO_FORCE_APP_DIR });
    try {
      assert.equal(org.adminSession()!.accessToken, session.accessToken, 'the same token after a restart');
      assert.equal(org.authenticate(`Bearer ${session.accessToken}`), session.userId);
    } finally {
      org.close();
    }
  });

  it('issues a new token once the old one is expired', () => {
    const org = new LocalOrg({ dbPath: ':memory:', forceAppDir: REPO_FORCE_APP_DIR });
    try {
      org.seed(demoCompany);
      const first = org.adminSession()!;
      org.expireSessions(first.userId);
      assert.throws(
        () => org.authenticate(`Bearer ${first.accessToken}`),
        /INVALID_SESSION_ID|Session expired/,
      );
      const second = org.adminSession()!;
      assert.notEqual(second.accessToken, first.accessToken);
      assert.equal(org.authenticate(`Bearer ${second.accessToken}`), first.userId);
    } finally {
      org.close();
    }
  });
});
