import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalOrg } from '../local-org.ts';
import { FORCE_APP_DIR } from '../../../paths.ts';
import { demoCompany } from './demo-company.ts';
import { to18 } from '../ids.ts';

describe('demo company seed', () => {
  let dir: string;
  let org: LocalOrg;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'dealdesk-seed-'));
    org = new LocalOrg({ dbPath: join(dir, 'org.sqlite'), forceAppDir: FORCE_APP_DIR });
    org.seed(demoCompany);
  });
  after(() => {
    org.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('has a believable company: approvers with backups, three industries, open deals of each kind', () => {
    const users = org.query('SELECT Username, Title, IsActive, DelegatedApproverId FROM User').records;
    assert.ok(users.length >= 12, `${users.length} users`);
    for (const role of ['Finance', 'Counsel', 'VP of Sales', 'Security', 'Chief']) {
      assert.ok(
        users.some((u) => String(u.Title).includes(role)),
        `a user titled ${role}`,
      );
    }
    assert.ok(
      users.some((u) => u.DelegatedApproverId),
      'an approver with a delegate (out of office)',
    );
    const industries = new Set(org.query('SELECT Industry FROM Account').records.map((a) => a.Industry));
    assert.ok(industries.size >= 3);
    const open = org.query(
      'SELECT Name, Amount, CurrencyIsoCode, (SELECT Id FROM OpportunityLineItems), (SELECT Role, IsPrimary FROM OpportunityContactRoles) FROM Opportunity WHERE IsClosed = false',
    ).records;
    assert.equal(open.length, 3);
    for (const opp of open) {
      assert.ok(
        (opp.OpportunityLineItems as { totalSize: number }).totalSize > 0,
        `${String(opp.Name)} has line items`,
      );
      assert.ok(
        (opp.OpportunityContactRoles as { totalSize: number }).totalSize >= 3,
        `${String(opp.Name)} has contact roles`,
      );
    }
    assert.deepEqual(new Set(open.map((o) => o.CurrencyIsoCode)), new Set(['EUR', 'USD', 'GBP']));
  });

  it('keeps each opportunity amount equal to its line items, as the org computes it', () => {
    const opps = org.query(
      'SELECT Amount, (SELECT TotalPrice FROM OpportunityLineItems) FROM Opportunity',
    ).records;
    for (const opp of opps) {
      const items = (opp.OpportunityLineItems as { records: { TotalPrice: number }[] } | null)?.records ?? [];
      if (items.length === 0) continue;
      const cents = items.reduce((s, i) => s + Math.round(i.TotalPrice * 100), 0);
      assert.equal(Math.round(Number(opp.Amount) * 100), cents);
    }
  });

  it('has recent activity on every open deal and older history outside 90 days', () => {
    const open = org.query('SELECT Id FROM Opportunity WHERE IsClosed = false').records;
    for (const opp of open) {
      const recent = org.query(
        `SELECT COUNT() FROM Task WHERE WhatId = '${String(opp.Id)}' AND CreatedDate = LAST_N_DAYS:90`,
      ).totalSize;
      const emails = org.query(
        `SELECT COUNT() FROM EmailMessage WHERE RelatedToId = '${String(opp.Id)}' AND MessageDate = LAST_N_DAYS:90`,
      ).totalSize;
      const old = org.query(
        `SELECT COUNT() FROM Task WHERE WhatId = '${String(opp.Id)}' AND CreatedDate < LAST_N_DAYS:90`,
      ).totalSize;
      assert.ok(recent + emails >= 8, `recent activity on ${String(opp.Id)}`);
      assert.ok(old >= 1, `older history on ${String(opp.Id)}`);
    }
  });

  it('persists across restarts, and a second seed of a seeded org adds nothing twice', () => {
    const countBefore = org.query('SELECT COUNT() FROM Opportunity').totalSize;
    const token = org.token;
    org.close();
    org = new LocalOrg({ dbPath: join(dir, 'org.sqlite'), forceAppDir: FORCE_APP_DIR });
    assert.equal(org.token, token, 'the generated token is kept');
    assert.equal(org.query('SELECT COUNT() FROM Opportunity').totalSize, countBefore);
    assert.equal(
      org.query("SELECT COUNT() FROM User WHERE Username = 'integration@dealdesk-demo.example'").totalSize,
      1,
    );
    const ids = org.query('SELECT Id FROM Account').records.map((r) => String(r.Id));
    for (const id of ids) assert.equal(to18(id.slice(0, 15)), id, 'ids carry a valid checksum');
    // New ids after a restart continue the sequence instead of colliding.
    const created = org.transact(org.integrationUserId, (dml) =>
      dml.insert('Account', { Name: 'After restart' }),
    );
    assert.ok(!ids.includes(created.Id));
  });
});
