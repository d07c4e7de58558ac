import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalOrg } from '../local-org.ts';
import { REPO_FORCE_APP_DIR } from '../paths.ts';
import { demoCompany, demoScenario } from './demo-company.ts';
import { to18 } from '../ids.ts';

const SCENARIO_NAMES = new Set(
  (['verbal-yes', 'ambiguous', 'not-ready'] as const).map((s) => demoScenario(s).opportunityName),
);

describe('demo company seed', () => {
  let dir: string;
  let org: LocalOrg;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'dealdesk-seed-'));
    org = new LocalOrg({ dbPath: join(dir, 'org.sqlite'), forceAppDir: REPO_FORCE_APP_DIR });
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
    // The three scenario deals, among the open pipeline (issue 21; checked in its own test below).
    const scenarios = open.filter((o) => SCENARIO_NAMES.has(String(o.Name)));
    assert.equal(scenarios.length, 3);
    for (const opp of scenarios) {
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

  it('has recent activity on every scenario deal and older history outside 90 days', () => {
    const open = org
      .query('SELECT Id, Name FROM Opportunity WHERE IsClosed = false')
      .records.filter((o) => SCENARIO_NAMES.has(String(o.Name)));
    assert.equal(open.length, 3);
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

  it('has an open pipeline a rep recognises: stages, sizes, industries, currencies, countries, asks', () => {
    const open = org.query(
      'SELECT Name, StageName, Amount, CurrencyIsoCode, Description, Account.Industry, Account.BillingCountry, ' +
        '(SELECT Discount FROM OpportunityLineItems), (SELECT IsPrimary FROM OpportunityContactRoles), ' +
        '(SELECT CompetitorName FROM OpportunityCompetitors), (SELECT Description FROM Tasks) ' +
        'FROM Opportunity WHERE IsClosed = false',
    ).records as Record<string, unknown>[];
    const kids = (o: Record<string, unknown>, rel: string) =>
      ((o[rel] as { records: Record<string, unknown>[] } | null)?.records ?? []) as Record<string, unknown>[];
    assert.ok(open.length >= 20, `${open.length} open deals`);
    const distinct = (f: (o: Record<string, unknown>) => unknown) => new Set(open.map(f)).size;
    assert.ok(distinct((o) => o.StageName) >= 6, 'across stages');
    assert.ok(distinct((o) => (o.Account as { Industry: string }).Industry) >= 6, 'across industries');
    assert.ok(
      distinct((o) => (o.Account as { BillingCountry: string }).BillingCountry) >= 6,
      'across countries',
    );
    assert.deepEqual(new Set(open.map((o) => o.CurrencyIsoCode)), new Set(['EUR', 'USD', 'GBP']));
    for (const o of open) {
      assert.ok(kids(o, 'OpportunityLineItems').length > 0, `${String(o.Name)} has products`);
      assert.equal(
        kids(o, 'OpportunityContactRoles').filter((r) => r.IsPrimary).length,
        1,
        `${String(o.Name)}`,
      );
    }
    const rates = Object.fromEntries(
      org
        .query('SELECT IsoCode, ConversionRate FROM CurrencyType')
        .records.map((r) => [r.IsoCode, r.ConversionRate]),
    ) as Record<string, number>;
    const usd = (o: Record<string, unknown>) => Number(o.Amount) / rates[String(o.CurrencyIsoCode)]!;
    const amounts = open.map(usd);
    assert.ok(Math.min(...amounts) < 30_000 && Math.max(...amounts) > 500_000, 'small and large deals');
    assert.ok(
      open.filter((o) => kids(o, 'OpportunityCompetitors').length > 0).length >= 6,
      'competitors named',
    );
    const asks = /security|SOC 2|ISO 27001|penetration|BAA|legal|procurement terms|custom terms/i;
    const words = (o: Record<string, unknown>) =>
      [o.Description, ...kids(o, 'Tasks').map((t) => t.Description)].join(' ');
    assert.ok(open.filter((o) => asks.test(words(o))).length >= 6, 'security and legal asks');
    // Needs no approval under the shipped matrix: below every amount and discount threshold, no asks.
    const rules = org.query(
      'SELECT Min_Amount__c, Min_Discount_Percent__c FROM Approval_Rule__mdt WHERE Active__c = true',
    ).records;
    const minAmount = Math.min(...rules.map((r) => Number(r.Min_Amount__c ?? Infinity)));
    const minDiscount = Math.min(...rules.map((r) => Number(r.Min_Discount_Percent__c ?? Infinity)));
    const noApproval = open.filter(
      (o) =>
        usd(o) < minAmount &&
        Math.max(...kids(o, 'OpportunityLineItems').map((l) => Number(l.Discount ?? 0))) < minDiscount &&
        !asks.test(words(o)),
    );
    assert.ok(noApproval.length >= 5, `${noApproval.length} deals need no approval`);
  });

  it('has two years of closed deals with products, discounts and competitors to learn from', () => {
    const closed = org
      .query(
        'SELECT IsWon, Account.Industry, (SELECT Discount, Product2.Family FROM OpportunityLineItems), ' +
          '(SELECT CompetitorName FROM OpportunityCompetitors) FROM Opportunity WHERE IsClosed = true AND CloseDate = LAST_N_DAYS:730',
      )
      .records.map((o) => ({
        won: o.IsWon === true,
        industry: (o.Account as { Industry: string }).Industry,
        lines:
          (o.OpportunityLineItems as { records: { Discount: number; Product2: { Family: string } }[] } | null)
            ?.records ?? [],
        competitors: (
          (o.OpportunityCompetitors as { records: { CompetitorName: string }[] } | null)?.records ?? []
        ).map((c) => c.CompetitorName),
      }));
    const withProducts = closed.filter((d) => d.lines.length > 0);
    assert.ok(withProducts.length >= 40, `${withProducts.length} closed deals with their products`);
    assert.ok(closed.some((d) => d.won) && closed.some((d) => !d.won));
    assert.ok(closed.filter((d) => d.competitors.length > 0).length >= 20, 'competitors on a good share');
    const against = (name: string) => closed.filter((d) => d.competitors.includes(name));
    const wins = (deals: typeof closed) => deals.filter((d) => d.won).length / deals.length;
    const headline = (d: (typeof closed)[number]) => Math.max(...d.lines.map((l) => l.Discount ?? 0));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    assert.ok(wins(against('PlantPulse')) > 0.6, 'we mostly win against PlantPulse');
    const assetra = against('Assetra');
    assert.ok(wins(assetra) < 0.5, 'we mostly lose against Assetra');
    assert.ok(
      mean(assetra.filter((d) => d.won).map(headline)) > mean(assetra.filter((d) => !d.won).map(headline)),
      'and the wins against Assetra came with deeper discounts',
    );
    const manufacturingWins = closed.filter((d) => d.won && d.industry === 'Manufacturing');
    const withTraining = manufacturingWins.filter((d) =>
      d.lines.some((l) => l.Product2.Family === 'Training'),
    );
    assert.ok(
      withTraining.length / manufacturingWins.length >= 0.7,
      'training in most won manufacturing deals',
    );
  });

  it('persists across restarts, and a second seed of a seeded org adds nothing twice', () => {
    const countBefore = org.query('SELECT COUNT() FROM Opportunity').totalSize;
    const token = org.token;
    org.close();
    org = new LocalOrg({ dbPath: join(dir, 'org.sqlite'), forceAppDir: REPO_FORCE_APP_DIR });
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
