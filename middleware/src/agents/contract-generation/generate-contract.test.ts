import assert from 'node:assert/strict';
import { join } from 'node:path';
import { REPO_ROOT } from '../../paths.ts';
import { loadScenarios, scenarioDeal } from '../../eval/contract-scenarios.ts';
import { startLocalOrg, type LocalOrgHarness } from '@dealdesk/local-org/testing';
import {
  contractInputFromDeal,
  DEMO_SELLER,
  shippedContractLibrary,
} from '../../test-support/contract-input.ts';
import { pdfText } from '@dealdesk/test-kit/pdf-text';
import { demoCompany, demoScenario } from '@dealdesk/local-org';
import { createSalesforceCrm } from '../../adapters/salesforce/salesforce-crm.ts';
import { ContractConsistencyError, generateContract, type GenerateInput } from './generate-contract.ts';
import { moneyFormatter, TemplateRenderError, VARIANTS } from './contract-model.ts';

const library = shippedContractLibrary();
const seller = DEMO_SELLER;

describe('contract generation for the seeded deals', () => {
  let h: LocalOrgHarness;
  const inputs = new Map<string, GenerateInput>();
  before(async () => {
    h = await startLocalOrg();
    h.org.seed(demoCompany);
    const crm = createSalesforceCrm({ conn: h.conn, apiVersion: '65.0' });
    for (const name of ['verbal-yes', 'ambiguous', 'not-ready'] as const) {
      const opp = h.org.query(
        `SELECT Id FROM Opportunity WHERE Name = '${demoScenario(name).opportunityName.replace(/'/g, "\\'")}'`,
      ).records[0]!;
      const deal = await crm.loadDeal(String(opp.Id), { activityDays: 90 });
      inputs.set(name, contractInputFromDeal(deal));
    }
  });
  after(async () => h.close());

  it('produces three PDFs per deal whose text holds the parties, the figures and every selected clause', async () => {
    for (const [name, input] of inputs) {
      const g = await generateContract(input);
      const money = moneyFormatter(g.model.currency, g.model.locale);
      const total = money(g.model.totalMinor).replace(/\s/g, ' ');
      for (const v of VARIANTS) {
        const text = (await pdfText(g.pdfs[v])).replace(/\s/g, ' ');
        assert.ok(text.includes(g.model.customer.name), `${name} ${v}: customer`);
        assert.ok(text.includes(seller.name), `${name} ${v}: provider`);
        assert.ok(text.includes(`Total contract value: ${total}`), `${name} ${v}: total ${total}`);
        assert.ok(
          text.includes(`Payment terms: net ${g.model.paymentDays} days`),
          `${name} ${v}: payment terms`,
        );
        assert.ok(text.includes('Page 1 of'), `${name} ${v}: page numbers`);
      }
      const full = (await pdfText(g.pdfs.Full)).replace(/\s/g, ' ');
      for (const c of g.model.clauses)
        assert.ok(full.includes(`${c.number}. ${c.title}`), `${name}: clause ${c.id}`);
      for (const line of g.model.lines)
        assert.ok(full.includes(money(line.totalMinor).replace(/\s/g, ' ')), `${name}: line`);
      assert.ok(full.includes('Clause index'), `${name}: index`);
      assert.match(full, /\/sig1\/.*\/sig2\//, `${name}: signature anchors for both parties`);
      const appendix = (await pdfText(g.pdfs.Technical_Appendix)).replace(/\s/g, ' ');
      for (const c of g.model.clauses.filter((x) => x.topic === 'technical'))
        assert.ok(appendix.includes(`Clause ${c.number}. ${c.title}`), `${name}: appendix clause ${c.id}`);
    }
  });

  it('chooses the clauses each deal needs, with the rule that fired', async () => {
    const yes = await generateContract(inputs.get('verbal-yes')!);
    const ids = yes.model.clauses.map((c) => c.id);
    for (const want of [
      'data-protection-eu',
      'governing-law-germany',
      'equipment-compatibility-warranty',
      'payment-net-45',
    ])
      assert.ok(ids.includes(want), want);
    assert.deepEqual(yes.model.clauses.find((c) => c.id === 'data-protection-eu')!.because, [
      'region = "EU"',
    ]);
    assert.ok(
      yes.model.clauses.some((c) => c.nonStandard),
      'the residency addendum goes to Legal',
    );
    assert.equal(yes.model.risk.legalReviewRequired, true);
    assert.match(moneyFormatter('EUR', 'de-DE')(yes.model.totalMinor), /^530\.558,00\s€$/);
    assert.match(yes.texts.Full, /five hundred thirty thousand five hundred fifty-eight euro/);

    const health = await generateContract(inputs.get('ambiguous')!);
    const hids = health.model.clauses.map((c) => c.id);
    for (const want of [
      'hipaa-baa',
      'liability-cap-enhanced',
      'data-protection-us',
      'governing-law-us',
      'soc2',
      'security-annex',
    ])
      assert.ok(hids.includes(want), want);
    assert.equal(health.model.risk.level, 'High');

    const uk = await generateContract(inputs.get('not-ready')!);
    assert.ok(uk.model.clauses.some((c) => c.id === 'governing-law-uk'));
    assert.ok(uk.model.risk.factors.some((f) => f.factor === 'discount_beyond_authority' && f.points === 2));
    assert.match(uk.texts.Full, /£/);
  });

  it('fails when one variant disagrees with the others', async () => {
    const input = inputs.get('verbal-yes')!;
    const good = await generateContract(input);
    const total = moneyFormatter('EUR', 'de-DE')(good.model.totalMinor);
    await assert.rejects(
      generateContract({
        ...input,
        tamper: (v, text) =>
          v === 'Executive_Summary'
            ? text.replace(`Total contract value: ${total}`, 'Total contract value: 503.558,00 €')
            : text,
      }),
      (err: unknown) =>
        err instanceof ContractConsistencyError &&
        err.problems.some((p) => p.startsWith('Executive_Summary: totalValue')) &&
        err.problems.some((p) => p.includes('503.558,00 €')),
    );
    await assert.rejects(
      generateContract({
        ...input,
        tamper: (v, text) =>
          v === 'Technical_Appendix' ? text.replace(/to \d+ December 2027/, 'to 31 December 2027') : text,
      }),
      (err: unknown) =>
        err instanceof ContractConsistencyError && /Technical_Appendix: term/.test(err.message),
    );
    // Two lines' totals swapped in the price list: every amount is still a figure of the contract.
    await assert.rejects(
      generateContract({
        ...input,
        tamper: (v, text) =>
          v === 'Executive_Summary'
            ? text.replace(/15% discount, 290\.700,00\s€/, '15% discount, 85.680,00\u00a0€')
            : text,
      }),
      (err: unknown) =>
        err instanceof ContractConsistencyError &&
        err.problems.some((p) =>
          p.startsWith('Executive_Summary: line "Meridian Platform - Enterprise Edition" reads'),
        ),
    );
    await assert.rejects(
      generateContract({
        ...input,
        tamper: (v, text) => (v === 'Full' ? text.replace(/^\| 260 \|.*\n/m, '') : text),
      }),
      (err: unknown) =>
        err instanceof ContractConsistencyError &&
        err.problems.includes('Full: line "Mobile Offline Module" is missing'),
    );
  });

  it('renders identical bytes for identical input, and versions a changed deal with a readable diff', async () => {
    const input = inputs.get('verbal-yes')!;
    const a = await generateContract(input);
    const b = await generateContract(input);
    assert.deepEqual(a.hashes, b.hashes);
    assert.equal(a.model.version, 1);

    const same = await generateContract({ ...input, previous: a.snapshot });
    assert.equal(same.reused, true);
    assert.equal(same.model.version, 1);
    assert.equal(same.hashes.Full, a.hashes.Full);

    const deal = structuredClone(input.deal);
    const line = deal.lineItems[0]!;
    line.quantity = 400;
    line.totalPriceMinor = Math.round(line.unitPriceMinor * 400 * (1 - line.discountPercent / 100));
    const changed = await generateContract({ ...input, deal, previous: a.snapshot });
    assert.equal(changed.reused, false);
    assert.equal(changed.model.version, 2);
    assert.notEqual(changed.hashes.Full, a.hashes.Full);
    assert.ok(
      changed.changes.some((c) => /^Total contract value: 530\.558,00\s€ → 545\.858,00\s€$/.test(c)),
      changed.changes.join('\n'),
    );
    assert.ok(
      changed.changes.some((c) => c.startsWith('Line changed: Meridian Platform - Enterprise Edition: 380')),
    );
    assert.ok(changed.changes.some((c) => c.startsWith('Clause figures changed: Limitation of liability')));
  });

  it('stops with the field name when a template uses a field the model does not have', async () => {
    const broken = {
      ...library,
      variants: {
        ...library.variants,
        Executive_Summary: {
          ...library.variants.Executive_Summary,
          source: '# SUMMARY\n\nTotal: {{totalValu}}\n',
        },
      },
    };
    await assert.rejects(
      generateContract({ ...inputs.get('not-ready')!, library: broken }),
      (err: unknown) =>
        err instanceof TemplateRenderError &&
        /\{\{totalValu\}\}/.test(err.message) &&
        /Executive_Summary/.test(err.message),
    );
  });

  it('marks proposed wording non-standard and prints the request verbatim beside it', async () => {
    const input = inputs.get('verbal-yes')!;
    const plain = await generateContract(input);
    const custom = plain.model.clauses.filter((c) => c.nonStandard);
    assert.ok(custom.length > 0);
    const proposals = custom.map((_, i) => ({
      title: `Proposal ${i + 1}`,
      wording: 'Provider restricts support access to staff based in the EU.',
      model: 'fake-model',
    }));
    const g = await generateContract({ ...input, proposals });
    const proposed = g.model.clauses.filter((c) => c.nonStandard);
    assert.equal(proposed.length, custom.length);
    for (const c of proposed) {
      assert.match(c.text, /Requested by Customer .*: "/);
      assert.match(c.text, /Proposed wording \(drafted by fake-model, not yet approved by Legal\)/);
    }
    assert.equal(g.model.risk.legalReviewRequired, true);
    assert.match(g.texts.Full, /\[NON-STANDARD\]/);
  });

  it('renders each template for the deal it fits: MSA, order form and statement of work, in the deal currency', async () => {
    const scenarios = loadScenarios(join(REPO_ROOT, 'test/fixtures/contracts/scenarios.json'));
    const cases: [string, string, RegExp, RegExp][] = [
      ['c01', 'MSA', /^# MASTER SUBSCRIPTION AGREEMENT/, /Total contract value: \$48,000\.00/],
      ['c03', 'Order_Form', /^# ORDER FORM/, /Total contract value: £19,200\.00/],
      ['c20', 'SOW', /^# STATEMENT OF WORK/, /Payment terms: net 30 days, invoiced monthly in arrears/],
      ['c08', 'MSA', /^# MASTER SUBSCRIPTION AGREEMENT/, /Total contract value: 71\s400,00\s€/],
    ];
    for (const [id, template, title, figure] of cases) {
      const { deal } = scenarioDeal(scenarios.find((s) => s.id === id)!);
      const g = await generateContract(contractInputFromDeal(deal));
      assert.equal(g.model.template.id, template, id);
      assert.match(g.texts.Full, title, id);
      for (const v of VARIANTS) assert.match(g.texts[v], figure, `${id} ${v}`);
      const pdf = (await pdfText(g.pdfs.Full)).replace(/\s/g, ' ');
      assert.match(pdf, new RegExp(figure.source.replace(/\\s/g, ' ')), `${id} PDF`);
    }
  });
});
