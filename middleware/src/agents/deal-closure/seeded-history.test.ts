/**
 * The Deal Closure strategy on the demo company's pipeline, learned from its closed deals: the
 * agent through its own entry point, the CRM port through jsforce against a seeded local org.
 */
import assert from 'node:assert/strict';
import { startLocalOrg, type LocalOrgHarness } from '@dealdesk/local-org/testing';
import { stageContext } from '../../test-support/deal-fixtures.ts';
import { demoCompany } from '@dealdesk/local-org';
import { soqlString } from '@dealdesk/contracts';
import { createSalesforceCrm } from '../../adapters/salesforce/salesforce-crm.ts';
import { sharedLanguageReader } from '../../language/index.ts';
import { createDealClosureAgent, type DealClosureOutput } from './deal-closure-agent.ts';
import type { Assessment } from './assessment.ts';

describe('the Deal Closure strategy from the demo company’s history', () => {
  let h: LocalOrgHarness;
  const agent = () =>
    createDealClosureAgent({
      crm: createSalesforceCrm({ conn: h.conn, apiVersion: '65.0' }),
      language: sharedLanguageReader(),
    });
  let closure: ReturnType<typeof createDealClosureAgent>;

  async function close(name: string): Promise<{ a: Assessment; strategy: string; requests: number }> {
    const opportunityId = String(
      h.org.query(`SELECT Id FROM Opportunity WHERE Name = ${soqlString(name)}`).records[0]!.Id,
    );
    const ctx = stageContext('deal_closure', {}, { now: new Date() });
    ctx.run.opportunityId = opportunityId;
    h.org.resetStats();
    const outcome = await closure.run(ctx);
    return {
      a: (outcome.output as DealClosureOutput).assessment,
      strategy: outcome.closurePatch!.strategy!,
      requests: h.org.requestStats().total,
    };
  }

  before(async () => {
    h = await startLocalOrg();
    h.org.seed(demoCompany);
    closure = agent();
  });
  after(async () => h.close());

  it('gives the record against the competitor named in the deal, with its figures and deals', async () => {
    const { a, strategy, requests } = await close('Halvorsen Verpackung - Bielefeld Plant Rollout');
    assert.equal(requests, 1, 'the history rode along in the deal’s one read');
    assert.deepEqual(a.competitors, ['PlantPulse']);
    const record = a.strategy.evidence!.competitors[0]!;
    const against = h.org.query(
      "SELECT Opportunity.Id, Opportunity.IsWon FROM OpportunityCompetitor WHERE CompetitorName = 'PlantPulse' AND Opportunity.IsClosed = true",
    ).records;
    assert.deepEqual(
      record.from.map((d) => d.id).sort(),
      against.map((c) => String((c.Opportunity as { Id: string }).Id)).sort(),
    );
    assert.equal(record.won, against.filter((c) => (c.Opportunity as { IsWon: boolean }).IsWon).length);
    assert.match(
      a.strategy.competitive![0]!,
      /^Against PlantPulse we won 7 of 9 closed deals in the last 24 months \(78%; median discount 10% when won; 17% when lost\): the losses had deeper discounts than the wins, so price did not decide them\. This deal is at 12%, 2 point\(s\) above the median win\./,
    );
    assert.match(strategy, /^Competition: Against PlantPulse we won 7 of 9/m);
  });

  it('benchmarks the discount against similar won deals and proposes what they carried and this deal lacks', async () => {
    const { a, requests } = await close('Halvorsen Verpackung - Bielefeld Plant Rollout');
    assert.equal(requests, 1, 'the history came from the cache: only the deal was read');
    const discount = a.strategy.evidence!.discount;
    assert.equal(discount.basis, 'industry');
    assert.equal(discount.peers, 'won Manufacturing deals');
    assert.match(
      a.strategy.discountAuthority,
      /^Discount up to 12% .* exceeds the 10% rep authority: expect Sales VP approval\. The \d+ won Manufacturing deals in the last 24 months closed at a median 10% discount/,
    );
    const upsell = a.strategy.evidence!.upsell;
    const training = upsell.families.find((f) => f.family === 'Training')!;
    assert.ok(training.rate >= 0.7 && !training.inDeal);
    assert.match(
      a.strategy.upsell.join('\n'),
      new RegExp(
        `^Training: attached in ${training.attached} of ${training.of} won Manufacturing deals`,
        'm',
      ),
    );
    assert.ok(
      !a.strategy.upsell.some((u) => /^Services:/.test(u)),
      'the deal already has implementation services',
    );
  });

  it('says what the history cannot tell, deal by deal', async () => {
    const rheinstrom = (await close('Rheinstrom Energie - Substation Maintenance')).a;
    assert.deepEqual(rheinstrom.competitors, ['UptimeIQ']);
    assert.match(
      rheinstrom.strategy.competitive![0]!,
      /^UptimeIQ: not enough history — 2 closed deal\(s\) in the last 24 months named them/,
    );
    const stAidan = (await close('St. Aidan Hospital Group - Biomedical Equipment Maintenance')).a;
    assert.match(
      stAidan.strategy.competitive![0]!,
      /^Against Assetra we won 3 of 8 .*: the wins came with deeper discounts than the losses/,
    );
    assert.notDeepEqual(stAidan.strategy.upsell, rheinstrom.strategy.upsell, 'each deal its own upsell');
  });
});
