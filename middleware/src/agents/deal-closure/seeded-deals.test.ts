import assert from 'node:assert/strict';
import { startLocalOrg, type LocalOrgHarness } from '../../test-support/local-org-server.ts';
import { demoCompany, demoScenario } from '../../local/org/seed/demo-company.ts';
import { createSalesforceCrm } from '../../adapters/salesforce/salesforce-crm.ts';
import { extractSignals } from './evidence.ts';
import { assess, type Assessment } from './assessment.ts';

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
        assess(deal, extractSignals(deal, null, null, now), {
          now,
          repDiscountAuthorityPercent: 10,
          trigger: 'Signal',
        }),
      );
    }
  });
  after(async () => h.close());

  it('decides go, needs rep confirmation and not ready, with confidence in that order', () => {
    const yes = results.get('verbal-yes')!;
    const maybe = results.get('ambiguous')!;
    const no = results.get('not-ready')!;
    assert.deepEqual(
      [yes.decision, maybe.decision, no.decision],
      ['go', 'needs_rep_confirmation', 'not_ready'],
    );
    assert.ok(yes.confidence > maybe.confidence && maybe.confidence > no.confidence);
  });

  it('cites its evidence: every signal quotes text from the record it names', () => {
    for (const a of results.values()) {
      for (const s of a.signals) {
        assert.ok(s.quote.length > 0);
        assert.ok(s.source.recordId.length > 0);
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
