import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { z } from 'zod';
import { CONFIG_DIR } from '../../paths.ts';
import type { CrmPort, CrmWrite, DealContext, EarlierContract } from '../../ports/crm.ts';
import type { LlmPort, ReasonerResult, StructuredRequest } from '../../ports/llm.ts';
import {
  earlierValues,
  generationOf,
  memoKey,
  nextGenerations,
  type MemoKind,
} from '../../orchestrator/run-memo.ts';
import type { StageContext, StageKey } from '../../orchestrator/stage.ts';
import type { RunRecord } from '../../ports/store.ts';
import { scenarioDeal, type Scenario } from '../../eval/contract-scenarios.ts';
import { ContractLibraryError, loadContractLibrary, type ContractLibrary } from './clause-library.ts';
import type { RequestedTerms } from '../../ports/language.ts';
import { createContractAgent, type ContractOutput } from './contract-agent.ts';
import { RequestedTermSchema } from './account-history.ts';
import { dealFacts } from '../approval-orchestration/approval-plan.ts';
import { requiredApprovals } from '../approval-orchestration/approval-matrix.ts';
import { approvalRule, requestedTerms } from '../../test-support/deal-fixtures.ts';

const library = loadContractLibrary(join(CONFIG_DIR, 'contracts'));
const seller = {
  name: 'Meridian Software Inc.',
  address: '500 Howard Street',
  country: 'United States',
  governingLaw: 'the State of California',
};

const scenario: Scenario = {
  id: 'agent',
  why: 'test',
  deal: {
    type: 'New Business',
    currency: 'GBP',
    industry: 'Transportation',
    country: 'United Kingdom',
    employees: 400,
    description: 'Custom terms requested: termination for convenience after six months.',
    lines: [
      { product: 'professional', qty: 50, discount: 5 },
      { product: 'implementation', qty: 10, discount: 0 },
    ],
    signals: [],
  },
  expected: { template: 'MSA', clauses: ['termination'], risk: 'Medium', legalReview: true },
};

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** A run as the orchestrator keeps it: memo keys carry the stage's generation after a rep retry. */
/** What the language module read the buyer asking for (none unless a test says so). */
const terms = requestedTerms;

const DESCRIPTION = {
  recordId: '006000000000001',
  source: 'description' as const,
  start: 0,
  end: 70,
  occurredAt: '1970-01-01T00:00:00.000Z',
};
const TERMINATION = terms({
  nonStandard: [
    {
      kind: 'termination_for_convenience',
      text: 'Custom terms requested: termination for convenience after six months.',
      span: DESCRIPTION,
    },
  ],
});

function harness(
  llm?: LlmPort,
  libraryOf: () => ContractLibrary = () => library,
  requested: RequestedTerms = TERMINATION,
  accountContracts: EarlierContract[] = [],
) {
  const memo: Record<string, unknown> = {};
  let current: DealContext = scenarioDeal(scenario).deal;
  const existing = new Set<string>();
  let historyReads = 0;
  const crm = {
    loadDeal: async () => structuredClone(current),
    loadContractHistory: async () => {
      historyReads += 1;
      return structuredClone(accountContracts);
    },
    existingKeys: async (_kind: string, keys: string[]) => new Set(keys.filter((k) => existing.has(k))),
  } as unknown as CrmPort;
  const agent = createContractAgent({
    crm,
    library: () => libraryOf(),
    seller,
    defaultTermMonths: 12,
    ...(llm ? { llm } : {}),
  });
  const run = async (attempt = 1) => {
    // Deal Closure runs first: what it read the buyer asking for is what this stage works from.
    memo['deal_closure.assessment'] ??= { source: 'offline', assessment: { signals: [], terms: requested } };
    const key = (stage: StageKey, k: string) => memoKey(memo, stage, k);
    const ctx = {
      run: {
        id: 'run_0123456789ab',
        createdAt: '2026-11-25T09:00:00.000Z',
        opportunityId: current.opportunity.id,
        memo,
      } as unknown as RunRecord,
      stage: 'contract_generation',
      attempt,
      generation: generationOf(memo, 'contract_generation'),
      events: [],
      logger: undefined,
      now: () => new Date('2026-11-25T09:00:05Z'),
      memo: async <T>(k: string, compute: () => Promise<T>) => {
        const mk = key('contract_generation', k);
        if (!(mk in memo)) memo[mk] = await compute();
        return memo[mk] as T;
      },
      recall: <T>(stage: StageKey, k: string) => memo[key(stage, k)] as T | undefined,
      earlier: <T>(k: string, kind: MemoKind) => earlierValues<T>(memo, 'contract_generation', k, kind),
    } as unknown as StageContext;
    const outcome = await agent.run(ctx);
    for (const w of outcome.writes ?? []) if (w.kind === 'file') existing.add(w.key);
    return outcome;
  };
  return {
    memo,
    run,
    /** A later attempt, after the files of the one before never reached Salesforce. */
    async runFresh(attempt: number) {
      existing.clear();
      return run(attempt);
    },
    set deal(d: DealContext) {
      current = d;
    },
    get deal() {
      return current;
    },
    get historyReads() {
      return historyReads;
    },
    retry() {
      // What the orchestrator does on a rep retry: the next generation of the stage's memo.
      Object.assign(memo, nextGenerations(memo, ['contract_generation']));
    },
  };
}

describe('the Contract Generation stage', () => {
  it('fails naming the missing billing country, and after the fix writes three versioned files', async () => {
    const h = harness();
    const broken = structuredClone(h.deal);
    broken.account!.billingCountry = null;
    h.memo['deal_closure.deal'] = broken;
    const failed = await h.run();
    assert.equal(failed.status, 'failed');
    assert.match(failed.error ?? '', /billing country \(Account\.BillingCountry\)/);

    h.retry();
    const ok = await h.run();
    assert.equal(ok.status, 'succeeded', ok.error);
    const out = ok.output as ContractOutput;
    assert.equal(out.version, 1);
    const writes = ok.writes ?? [];
    assert.deepEqual(
      writes
        .filter((w): w is Extract<CrmWrite, { kind: 'contractVersion' }> => w.kind === 'contractVersion')
        .map((w) => [w.key, w.variant, w.version]),
      [
        ['run_0123456789ab:contract:v1:Full', 'Full', 1],
        ['run_0123456789ab:contract:v1:Executive_Summary', 'Executive_Summary', 1],
        ['run_0123456789ab:contract:v1:Technical_Appendix', 'Technical_Appendix', 1],
      ],
    );
    assert.equal(writes.filter((w) => w.kind === 'file').length, 3);
    const clauses = JSON.parse(
      (writes.find((w) => w.kind === 'contractVersion') as { clauses: string }).clauses,
    ) as { id: string; rule: string }[];
    assert.ok(
      clauses.every((c) => c.rule.length > 0),
      'every clause carries the rule that selected it',
    );
    assert.ok(
      out.clauses.some((c) => c.nonStandard),
      'termination for convenience is non-standard',
    );
    assert.equal(out.legalReviewRequired, true);
    assert.match(
      out.specialTerms,
      /^termination for convenience: "Custom terms requested: termination for convenience/,
    );
    assert.match(ok.reasoning, /governing-law-uk \[billing country United Kingdom/);
  });

  it('keeps the PDFs out of the run store and, resumed after a crash, attaches the same bytes', async () => {
    const h = harness();
    h.memo['deal_closure.deal'] = h.deal;
    const first = await h.run();
    assert.equal(first.status, 'succeeded', first.error);
    const files = (first.writes ?? []).filter((w) => w.kind === 'file');
    assert.equal(files.length, 3);
    assert.ok(!JSON.stringify(h.memo).includes('JVBERi'), 'no base64 PDF in the memo');
    const out = first.output as ContractOutput;
    assert.equal(out.fileKey, 'run_0123456789ab:contract:v1:file');

    // The process died after the contract was memoised but before its files reached Salesforce.
    const resumed = await h.runFresh(2);
    assert.equal(resumed.status, 'succeeded', resumed.error);
    const again = (resumed.writes ?? []).filter((w) => w.kind === 'file');
    assert.deepEqual(
      again.map((w) => [w.key, sha256(w.data)]),
      files.map((w) => [w.key, sha256(w.data)]),
    );
    assert.deepEqual(
      again.map((w) => sha256(w.data)),
      out.variants.map((v) => v.contentHash),
      'the recorded hashes',
    );
    // Once attached, a further resume renders nothing.
    const done = await h.run(3);
    assert.equal((done.writes ?? []).filter((w) => w.kind === 'file').length, 0);
  });

  it('refuses to attach a re-rendered contract that differs from the recorded one', async () => {
    const h = harness();
    h.memo['deal_closure.deal'] = h.deal;
    await h.run();
    const contractKey = 'contract_generation.contract';
    const recorded = h.memo[contractKey] as ContractOutput;
    h.memo[contractKey] = {
      ...recorded,
      variants: recorded.variants.map((v) => ({ ...v, contentHash: '0'.repeat(64) })),
    };
    const resumed = await h.runFresh(2);
    assert.equal(resumed.status, 'failed');
    assert.match(
      resumed.error ?? '',
      /re-rendering Full, Executive_Summary, Technical_Appendix after a restart gave different bytes/,
    );
  });

  it('creates a new version with a diff when the deal changes, and none when it does not', async () => {
    const h = harness();
    const first = await h.run();
    assert.equal((first.output as ContractOutput).version, 1);

    const changed = structuredClone(h.deal);
    const line = changed.lineItems[0]!;
    line.quantity = 60;
    line.totalPriceMinor = Math.round(line.unitPriceMinor * 60 * 0.95);
    h.deal = changed;
    h.retry();
    const second = await h.run();
    const v2 = second.output as ContractOutput;
    assert.equal(v2.version, 2);
    assert.ok(
      v2.changes.some((c) => c.startsWith('Total contract value: £37,300.00 → £41,860.00')),
      v2.changes.join('\n'),
    );
    assert.match(second.reasoning, /changes from v1: Total contract value/);
    assert.ok((second.writes ?? []).some((w) => w.kind === 'contractVersion' && w.key.endsWith(':v2:Full')));

    h.retry();
    const third = await h.run();
    const v2again = third.output as ContractOutput;
    assert.equal(v2again.version, 2);
    assert.equal(v2again.unchanged, true);
    assert.equal(v2again.contentHash, v2.contentHash);
    assert.equal(
      (third.writes ?? []).filter((w) => w.kind === 'file').length,
      0,
      'the same files are not attached again',
    );
  });

  it('asks the model for wording, prints it as a draft beside the request, and still requires Legal', async () => {
    const prompts: string[] = [];
    const llm: LlmPort = {
      model: 'fake-model',
      async generateStructured<S extends z.ZodType>(
        request: StructuredRequest<S>,
      ): Promise<ReasonerResult<z.infer<S>>> {
        prompts.push(request.prompt);
        const value = request.schema.parse({
          clauses: [
            {
              request: 1,
              title: 'Termination for convenience',
              wording: 'Customer may terminate for convenience on 90 days notice after month six.',
            },
          ],
        });
        return { value, source: 'gemini', model: 'fake-model' };
      },
    };
    const h = harness(llm);
    const outcome = await h.run();
    assert.match(prompts[0] ?? '', /1\. Custom terms requested: termination for convenience/);
    const out = outcome.output as ContractOutput;
    const custom = out.clauses.find((c) => c.nonStandard);
    assert.ok(custom, 'the proposed clause stays non-standard');
    assert.equal(out.legalReviewRequired, true);
    assert.match(outcome.reasoning, /NON-STANDARD/);
  });

  it('fails naming the template field or the library problem, and resumes once an admin fixes it', async () => {
    let current: () => ContractLibrary = () => ({
      ...library,
      variants: {
        ...library.variants,
        Technical_Appendix: {
          ...library.variants.Technical_Appendix,
          source: '# APPENDIX\n\n{{securityLevel}}\n',
        },
      },
    });
    const h = harness(undefined, () => current());
    const broken = await h.run();
    assert.equal(broken.status, 'failed');
    assert.match(
      broken.error ?? '',
      /template Technical_Appendix: \{\{securityLevel\}\} is not a field of the contract model/,
    );

    current = () => {
      throw new ContractLibraryError(
        'config/contracts/clauses.json (clause "soc2"): when.any[0]: unknown fact "securtyConcern"',
      );
    };
    h.retry();
    const unknownFact = await h.run();
    assert.equal(unknownFact.status, 'failed');
    assert.match(unknownFact.error ?? '', /clause "soc2".*unknown fact "securtyConcern"/);

    current = () => library;
    h.retry();
    const fixed = await h.run();
    assert.equal(fixed.status, 'succeeded');
    assert.equal((fixed.output as ContractOutput).version, 1);
  });

  it('counts a request a library clause answers as standard terms, not special ones', async () => {
    const h = harness(undefined, undefined, terms({ residency: 'EU' }));
    const deal = structuredClone(h.deal);
    deal.opportunity.description = 'All of our data must stay in the EU.';
    h.memo['deal_closure.deal'] = deal;
    const outcome = await h.run();
    const out = outcome.output as ContractOutput;
    assert.ok(
      out.clauses.some((c) => c.id === 'data-protection-eu' && c.because.includes('dataResidency = "EU"')),
    );
    assert.equal(out.specialTerms, '');
    assert.ok(!out.clauses.some((c) => c.nonStandard));
    assert.equal(out.legalReviewRequired, false);
  });
  describe("with the account's earlier contracts", () => {
    const earlier = (n: number, asked: object[], settled: object[] | null = null): EarlierContract => ({
      name: `CV-00010${n}`,
      version: 1,
      opportunityId: `006Dd000000010${n}IAA`,
      opportunityName: `Earlier deal ${n}`,
      closeDate: `2026-0${n}-15`,
      requestedTerms: JSON.stringify(asked.map((a) => ({ value: null, from: 'buyer', ...a }))),
      settledTerms: settled ? JSON.stringify(settled) : null,
    });
    const UNCAPPED = {
      term: 'uncapped_liability',
      topic: 'liability beyond the standard cap',
      text: 'Uncapped.',
    };
    const QUARTERLY = { term: 'billing', topic: 'invoicing', value: 'quarterly', text: 'Quarterly, please.' };
    const TWICE = {
      term: 'uncapped_liability',
      outcome: 'settled',
      clause: 'liability-cap-enhanced',
      note: 'a cap of twice the annual fees',
    };
    const harbourline = [
      earlier(1, [UNCAPPED, QUARTERLY], [{ term: 'uncapped_liability', outcome: 'refused' }]),
      earlier(2, [UNCAPPED, QUARTERLY], [TWICE]),
      earlier(3, [UNCAPPED], [TWICE]),
    ];
    const contractVersions = (writes: CrmWrite[] | undefined) =>
      (writes ?? []).filter(
        (w): w is Extract<CrmWrite, { kind: 'contractVersion' }> => w.kind === 'contractVersion',
      );

    it('pre-includes what the account settled on before, says why in the reasoning and on every version, and reads the history once per run', async () => {
      const h = harness(undefined, undefined, terms(), harbourline);
      h.memo['deal_closure.deal'] = h.deal;
      const outcome = await h.run();
      assert.equal(outcome.status, 'succeeded', outcome.error);
      const out = outcome.output as ContractOutput;
      const cap = out.clauses.find((c) => c.id === 'liability-cap-enhanced');
      assert.ok(cap, 'the 2x cap the account settled on');
      assert.match(
        cap.because.join(' '),
        /settled as a cap of twice the annual fees in 2 of them \(CV-000103, CV-000102\); pre-included in its settled form/,
      );
      assert.ok(
        out.clauses.some(
          (c) =>
            c.id === 'billing-quarterly' &&
            c.because.some((b) =>
              b.startsWith('invoicing (quarterly invoicing): asked for and accepted in 2 of 3'),
            ),
        ),
      );
      assert.deepEqual(out.history?.window, ['CV-000103', 'CV-000102', 'CV-000101']);
      assert.match(
        outcome.reasoning,
        /Account history, 3 earlier signed contracts \(CV-000103, CV-000102, CV-000101\): pre-included liability beyond the standard cap: asked for in 3 of 3/,
      );
      assert.match(
        outcome.reasoning,
        /liability-cap-enhanced \[the form this customer's liability beyond the standard cap request was settled in before \(account history\)/,
      );

      const versions = contractVersions(outcome.writes);
      assert.equal(versions.length, 3);
      for (const v of versions) {
        assert.equal(v.accountId, h.deal.account!.id);
        const recorded = RequestedTermSchema.array().parse(JSON.parse(v.requestedTerms!));
        assert.deepEqual(
          recorded.filter((r) => r.from === 'history').map((r) => [r.term, r.value]),
          [
            ['uncapped_liability', null],
            ['billing', 'quarterly'],
          ],
        );
        assert.ok(
          recorded.every((r) => r.from === 'buyer' || (r.reason ?? '').includes('earlier contracts')),
        );
        const clauses = JSON.parse(v.clauses) as { id: string; because: string[] }[];
        assert.ok(clauses.find((c) => c.id === 'liability-cap-enhanced')!.because[0]!.includes('CV-000102'));
      }

      await h.runFresh(2);
      assert.equal(h.historyReads, 1, 'one read per run, resumed attempts included');
    });

    it('uses the history read beside the deal, and lets the buyer win where they asked this time', async () => {
      const h = harness(undefined, undefined, terms({ billing: 'annual' }), []);
      h.memo['deal_closure.deal'] = { ...h.deal, accountContracts: harbourline };
      const outcome = await h.run();
      const out = outcome.output as ContractOutput;
      assert.equal(h.historyReads, 0, 'no read of its own');
      assert.ok(out.clauses.some((c) => c.id === 'liability-cap-enhanced'));
      assert.ok(out.clauses.some((c) => c.id === 'billing-annual'));
      assert.match(
        outcome.reasoning,
        /Also: invoicing \(quarterly invoicing\): asked for and accepted in 2 of 3 earlier contracts \(CV-000102, CV-000101\); the buyer asks for annual invoicing now, which wins\./,
      );
    });

    it('sends a pre-included non-standard term to Legal as the approval rules require', async () => {
      const TFC = {
        term: 'termination_for_convenience',
        topic: 'termination for convenience',
        text: 'Termination for convenience on 90 days notice.',
      };
      const legal = approvalRule({
        name: 'Legal_Custom_Terms',
        role: 'Legal',
        requiresCustomTerms: true,
        slaHours: 48,
      });
      const approvals = async (history: EarlierContract[]) => {
        const h = harness(undefined, undefined, terms(), history);
        const deal = structuredClone(h.deal);
        deal.opportunity.description = 'Platform for the fleet maintenance team.';
        h.memo['deal_closure.deal'] = deal;
        const out = (await h.run()).output as ContractOutput;
        return { out, required: requiredApprovals([legal], dealFacts(deal, out, [])) };
      };
      const without = await approvals([]);
      assert.deepEqual(without.required, [], 'standard terms need no Legal approval');
      const withHistory = await approvals([earlier(1, [TFC]), earlier(2, [TFC])]);
      assert.match(
        withHistory.out.specialTerms,
        /^termination for convenience: "Termination for convenience on 90 days notice\." \(account history \(CV-000102, CV-000101\)\)$/,
      );
      assert.equal(withHistory.out.legalReviewRequired, true);
      assert.deepEqual(
        withHistory.required.map((r) => r.role),
        ['Legal'],
      );
    });
  });
});
