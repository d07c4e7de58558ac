/**
 * The deal history through jsforce against the local org: OpportunityCompetitor as a standard
 * object, the history query with its child subqueries, amounts in the corporate currency, the
 * history riding along in the deal's composite read, and every page of a long history.
 */
import assert from 'node:assert/strict';
import { startLocalOrg, type LocalOrgHarness } from '@dealdesk/local-org/testing';
import { demoCompany, demoScenario } from '@dealdesk/local-org';
import { daysFromToday, type SeedRecord } from '@dealdesk/local-org';
import { soqlString } from '@dealdesk/contracts';
import { createSalesforceCrm } from '../salesforce-crm.ts';
import { createSalesforceCalls } from '../salesforce-calls.ts';
import { loadDealHistory } from './deal-history.ts';

describe('the deal history (Salesforce adapter, local org)', () => {
  describe('on the demo company', () => {
    let h: LocalOrgHarness;
    before(async () => {
      h = await startLocalOrg();
      h.org.seed(demoCompany);
    });
    after(async () => h.close());

    const crm = () => createSalesforceCrm({ conn: h.conn, apiVersion: '65.0' });

    it('keeps competitors on an opportunity as OpportunityCompetitor, through the REST API', async () => {
      const oppId = String(
        h.org.query(
          `SELECT Id FROM Opportunity WHERE Name = ${soqlString(demoScenario('verbal-yes').opportunityName)}`,
        ).records[0]!.Id,
      );
      const created = await h.conn.sobject('OpportunityCompetitor').create({
        OpportunityId: oppId,
        CompetitorName: 'PlantPulse',
        Strengths: 'Fast pilots',
        Weaknesses: 'No S7 connector',
      });
      assert.ok(created.success && created.id.startsWith('00J'));
      const back = await h.conn.query<{ CompetitorName: string; Opportunity: { Name: string } }>(
        `SELECT CompetitorName, Opportunity.Name FROM OpportunityCompetitor WHERE Id = '${created.id}'`,
      );
      assert.deepEqual(
        [back.records[0]!.CompetitorName, back.records[0]!.Opportunity.Name],
        ['PlantPulse', demoScenario('verbal-yes').opportunityName],
      );
      const tooLong = await h.conn
        .sobject('OpportunityCompetitor')
        .create({ OpportunityId: oppId, CompetitorName: 'x'.repeat(41) })
        .catch((e: unknown) => e as { errorCode?: string });
      assert.equal((tooLong as { errorCode?: string }).errorCode, 'STRING_TOO_LONG');
      const fields = (await h.conn.sobject('OpportunityCompetitor').describe()).fields.map((f) => f.name);
      for (const f of ['OpportunityId', 'CompetitorName', 'Strengths', 'Weaknesses'])
        assert.ok(fields.includes(f), f);
      await h.conn.sobject('OpportunityCompetitor').destroy(created.id);
    });

    it('reads every closed deal of the window with its products and competitors, amounts in the corporate currency', async () => {
      const history = await crm().loadDealHistory!({ sinceDays: 730 });
      const closed = h.org.query(
        'SELECT Id, Amount, CurrencyIsoCode FROM Opportunity WHERE IsClosed = true AND CloseDate = LAST_N_DAYS:730',
      ).records;
      assert.equal(history.length, closed.length);
      assert.ok(history.length >= 40);
      assert.ok(
        history.every((d, i) => i === 0 || history[i - 1]!.closeDate >= d.closeDate),
        'newest first',
      );
      const pilot = history.find((d) => d.name === 'Brennecke Antriebstechnik - Chemnitz Pilot')!;
      // EUR 53,940.00 at 0.92 EUR per USD.
      assert.deepEqual(
        [pilot.won, pilot.amountMinor, pilot.currency, pilot.industry, pilot.country],
        [true, 5_863_043, 'USD', 'Manufacturing', 'Germany'],
      );
      assert.deepEqual(pilot.lineItems.map((li) => [li.family, li.quantity, li.discountPercent]).sort(), [
        ['Platform', 40, 10],
        ['Services', 10, 0],
        ['Training', 12, 0],
      ]);
      const named = history.filter((d) => d.competitors.length > 0);
      assert.ok(named.length >= 20);
      const row = h.org.query(
        `SELECT (SELECT CompetitorName FROM OpportunityCompetitors) FROM Opportunity WHERE Id = '${named[0]!.id}'`,
      ).records[0]!;
      assert.deepEqual(
        named[0]!.competitors,
        (row.OpportunityCompetitors as { records: { CompetitorName: string }[] }).records.map(
          (c) => c.CompetitorName,
        ),
      );
    });

    it('rides along in the deal’s one composite read', async () => {
      const oppId = String(
        h.org.query(
          `SELECT Id FROM Opportunity WHERE Name = ${soqlString(demoScenario('ambiguous').opportunityName)}`,
        ).records[0]!.Id,
      );
      const alone = await crm().loadDeal(oppId, { activityDays: 90 });
      h.org.resetStats();
      const both = await crm().loadDealWithHistory!(oppId, { activityDays: 90, historyDays: 730 });
      assert.equal(h.org.requestStats().total, 1, 'one request for the deal and the history');
      assert.deepEqual({ ...both.deal, readAt: '' }, { ...alone, readAt: '' });
      assert.ok('deals' in both.history);
      assert.deepEqual(both.history.deals, await crm().loadDealHistory!({ sinceDays: 730 }));
    });
  });

  describe('on a long history', () => {
    let h: LocalOrgHarness;
    before(async () => {
      h = await startLocalOrg();
      const closed = (i: number, days: number): SeedRecord[] => [
        {
          ref: `opp.${i}`,
          type: 'Opportunity',
          fields: {
            Name: `Closed ${String(i).padStart(3, '0')}`,
            StageName: i % 3 === 0 ? 'Closed Lost' : 'Closed Won',
            CloseDate: daysFromToday(-days),
            Amount: 1000 + i,
          },
        },
        ...(i % 50 === 0
          ? [
              {
                ref: `comp.${i}`,
                type: 'OpportunityCompetitor',
                fields: { OpportunityId: { ref: `opp.${i}` }, CompetitorName: 'Assetra' },
              },
            ]
          : []),
      ];
      h.org.seed([
        ...Array.from({ length: 250 }, (_, i) => closed(i, 1 + (i % 600))).flat(),
        ...closed(900, 800),
        {
          ref: 'open',
          type: 'Opportunity',
          fields: { Name: 'Open', StageName: 'Prospecting', CloseDate: daysFromToday(30) },
        },
      ]);
    });
    after(async () => h.close());

    it('follows nextRecordsUrl through every page, and keeps to the window', async () => {
      const calls = createSalesforceCalls({ conn: h.conn, apiVersion: '65.0' });
      h.org.resetStats();
      const history = await loadDealHistory(calls, 730, 200);
      assert.equal(history.length, 250, 'the deal closed 800 days ago and the open one are left out');
      assert.equal(new Set(history.map((d) => d.id)).size, 250);
      assert.equal(h.org.requestStats().byOperation['GET query/{locator}'], 1, 'the second page');
      assert.deepEqual(
        history
          .filter((d) => d.competitors.length > 0)
          .map((d) => d.name)
          .sort(),
        ['Closed 000', 'Closed 050', 'Closed 100', 'Closed 150', 'Closed 200'],
      );
      assert.deepEqual(
        [history.filter((d) => !d.won).length, history.find((d) => d.name === 'Closed 001')!.amountMinor],
        [84, 100_100],
      );
    });
  });
});
