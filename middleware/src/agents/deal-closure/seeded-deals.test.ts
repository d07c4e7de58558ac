import assert from 'node:assert/strict';
import { startLocalOrg, type LocalOrgHarness } from '@dealdesk/local-org/testing';
import { demoCompany, demoScenario } from '@dealdesk/local-org';
import { createSalesforceCrm } from '../../adapters/salesforce/salesforce-crm.ts';
import { sharedLanguageReader } from '../../language/index.ts';
import type { Assessment } from './assessment.ts';
import { dealTexts } from './deal-texts.ts';
import { reasonOfflineNow } from './offline-reasoner.ts';

describe('the Deal Closure assessment of the seeded deals', () => {
  let h: LocalOrgHarness;
  const results = new Map<string, Assessment>();
  before(async () => {
    h = await startLocalOrg();
    h.org.seed(demoCompany);
    const crm = createSalesforceCrm({ conn: h.conn, apiVersion: '65.0' });
    for (const name of ['verbal-yes', 'ambiguous', 'not-ready'] as const) {
      const opp = h.org.query(
        `SELECT Id FROM Opportunity WHERE Name = '${demoScenario(name).opportunityName.replace(/'/g, "\\'")}'`,
      ).records[0]!;
      const deal = await crm.loadDeal(String(opp.Id), { activityDays: 90 });
      const now = new Date();
      results.set(
        name,
        reasonOfflineNow(
          { deal, transcript: null, note: null, now, repDiscountAuthorityPercent: 10, trigger: 'Signal' },
          sharedLanguageReader(),
        ).assessment,
      );
    }
  });
  after(async () => h.close());

  it('decides go for the verbal yes and not ready for the budget freeze; the mixed deal is no go', () => {
    const yes = results.get('verbal-yes')!;
    const maybe = results.get('ambiguous')!;
    const no = results.get('not-ready')!;
    assert.equal(yes.decision, 'go', yes.reasoning);
    assert.equal(no.decision, 'not_ready', no.reasoning);
    assert.notEqual(maybe.decision, 'go', maybe.reasoning);
    assert.ok(yes.confidence >= 0.8 && yes.confidence > maybe.confidence && yes.confidence > no.confidence);
    assert.equal(no.readinessState, 'refused', 'the CEO said they are not ready to move forward');
  });

  it('cites its evidence: every signal quotes text from the record it names, at its span', async () => {
    const crm = createSalesforceCrm({ conn: h.conn, apiVersion: '65.0' });
    for (const [name, a] of results) {
      const opp = h.org.query(
        `SELECT Id FROM Opportunity WHERE Name = '${demoScenario(name as 'verbal-yes').opportunityName.replace(/'/g, "\\'")}'`,
      ).records[0]!;
      const deal = await crm.loadDeal(String(opp.Id), { activityDays: 90 });
      const texts = dealTexts(deal, null, null, new Date());
      for (const s of a.signals) {
        const text = texts.find((t) => t.recordId === s.source.recordId && t.source === s.span!.field)?.text;
        assert.ok(text, `${name}: ${s.type} cites ${s.source.recordId}, a record of the deal`);
        assert.equal(text.slice(s.span!.start, s.span!.end), s.quote, `${name}: ${s.type} quotes its span`);
      }
    }
    const yes = results.get('verbal-yes')!;
    assert.ok(
      yes.signals.some((s) => s.readiness && s.source.kind === 'email'),
      "the buyer's written yes is found",
    );
    assert.match(yes.reasoning, /Latest commitment/);
  });

  it('builds the strategy from the deal: discount against authority, stakeholders, risks', () => {
    const yes = results.get('verbal-yes')!;
    assert.match(yes.strategy.discountAuthority, /exceeds the 10% rep authority/);
    assert.ok(yes.strategy.stakeholderApproach.some((x) => /Route the paperwork through/.test(x)));
    const no = results.get('not-ready')!;
    assert.ok(no.facts.lastSetbackAt !== null);
  });
});
