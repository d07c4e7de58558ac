import assert from 'node:assert/strict';
import { join } from 'node:path';
import { REPO_ROOT } from '../../paths.ts';
import { activity, dealContext } from '../../test-support/deal-fixtures.ts';
import { reasonOfflineNow, type OfflineReasoningInput } from '../../agents/deal-closure/offline-reasoner.ts';
import { sharedLanguageReader } from '../../language/index.ts';
import { moneyFormatter, TemplateRenderError } from '../../agents/contract-generation/contract-model.ts';
import {
  ContractConsistencyError,
  generateContract,
  type GenerateInput,
} from '../../agents/contract-generation/generate-contract.ts';
import { loadScenarios, scenarioDeal } from '../../eval/contract-scenarios.ts';
import { contractInput } from '../../test-support/contract-input.ts';
import { pdfText } from '@dealdesk/test-kit/pdf-text';
import { createWorkerPool, type WorkerPool } from './worker-pool.ts';

function scenarioInput(): GenerateInput {
  const scenarios = loadScenarios(join(REPO_ROOT, 'test/fixtures/contracts/scenarios.json'));
  const { deal, signals } = scenarioDeal(scenarios[0]!);
  return contractInput(deal, signals);
}

describe('the worker pool', () => {
  let pool: WorkerPool;
  before(() => {
    pool = createWorkerPool(1);
  });
  after(async () => pool.close());

  it('reasons about a deal exactly as the event loop would, dates included', async () => {
    const input: OfflineReasoningInput = {
      deal: dealContext({
        activities: [
          activity({
            kind: 'email',
            direction: 'inbound',
            subject: 'Re: order form',
            body: "Our CFO signed off on the budget. We're ready to sign: please send the order form by Friday.",
          }),
          activity({ body: 'Legal still has questions about the liability cap.' }),
        ],
      }),
      transcript: 'Buyer: Let us get started, we will take the enterprise plan.',
      note: null,
      now: new Date('2026-11-25T09:30:00Z'),
      repDiscountAuthorityPercent: 10,
      trigger: 'Rep',
    };
    const inThread = reasonOfflineNow(input, sharedLanguageReader());
    assert.ok(inThread.assessment.signals.length > 0, 'the fixture has signals to find');
    assert.deepEqual(await pool.reasonOffline(input), inThread);
  });

  it('generates a contract exactly as the event loop would, PDFs byte for byte', async () => {
    const input = scenarioInput();
    const [inPool, here] = await Promise.all([pool.generateContract(input), generateContract(input)]);
    assert.deepEqual(inPool, here);
    for (const v of ['Full', 'Executive_Summary', 'Technical_Appendix'] as const)
      assert.ok(Buffer.from(inPool.pdfs[v]).equals(Buffer.from(here.pdfs[v])), v);
    assert.match(await pdfText(inPool.pdfs.Full), new RegExp(here.model.customer.name));
  });

  it("hands back a template's or the consistency check's failure as the error the stage handles", async () => {
    const input = scenarioInput();
    const summary = input.library.variants.Executive_Summary;
    /** The input with the executive summary's template replaced. */
    const withSummary = (source: string): GenerateInput => ({
      ...input,
      library: {
        ...input.library,
        variants: { ...input.library.variants, Executive_Summary: { ...summary, source } },
      },
    });
    await assert.rejects(
      pool.generateContract(withSummary('{{> no-such-partial}}')),
      (err) => err instanceof TemplateRenderError && /no-such-partial/.test(err.message),
    );
    // A variant prints an amount the model does not hold: the check's problems come back whole.
    const { model } = await generateContract(input);
    const wrongTotal = moneyFormatter(model.currency, model.locale)(model.totalMinor + 100_00);
    const lying = withSummary(`${summary.source}\nTotal contract value: ${wrongTotal}\n`);
    const failure = await pool.generateContract(lying).then(
      () => assert.fail('a variant that disagrees with the model must not pass'),
      (err: unknown) => err,
    );
    const inThread = await generateContract(lying).then(
      () => assert.fail('nor here'),
      (err: unknown) => err,
    );
    assert.ok(failure instanceof ContractConsistencyError && inThread instanceof ContractConsistencyError);
    assert.ok(failure.problems.some((p) => p.includes(wrongTotal)));
    assert.deepEqual(failure.problems, inThread.problems);
  });

  it('passes a worker failure back to the caller', async () => {
    await assert.rejects(pool.reasonOffline({ deal: null } as unknown as OfflineReasoningInput), TypeError);
  });
});
