import assert from 'node:assert/strict';
import type { EarlierContract } from '../../ports/crm.ts';
import type { RequestedTerms } from '../../ports/language.ts';
import { scenarioDeal, type Scenario } from '../../eval/contract-scenarios.ts';
import { contractInput, shippedContractLibrary } from '../../test-support/contract-input.ts';
import { requestedTerms } from '../../test-support/deal-fixtures.ts';
import {
  decideFromHistory,
  RequestedTermSchema,
  type CarriedTerm,
  type RequestedTerm,
  type SettledTerm,
} from './account-history.ts';
import { requestedTermsOf } from './history-apply.ts';
import { planContract } from './generate-contract.ts';

const library = shippedContractLibrary();

/** A UK transport customer buying a subscription: standard terms unless history says otherwise. */
const scenario: Scenario = {
  id: 'history',
  why: 'test',
  deal: {
    type: 'Existing Business',
    currency: 'GBP',
    industry: 'Transportation',
    country: 'United Kingdom',
    employees: 400,
    description: 'Renewal of the fleet maintenance platform.',
    lines: [{ product: 'professional', qty: 50, discount: 5 }],
    signals: [],
  },
  expected: { template: 'MSA', clauses: ['termination'], risk: 'Low', legalReview: false },
};

type Ask = Omit<RequestedTerm, 'from' | 'value'> & { value?: number | string };
const EU = { term: 'residency_EU', topic: 'EU data residency', text: 'Data stays in Frankfurt.' } as const;
const NET45 = { term: 'payment_days', topic: 'payment terms', value: 45, text: '45 days net.' } as const;
const UNCAPPED = {
  term: 'uncapped_liability',
  topic: 'liability beyond the standard cap',
  text: 'Liability must be uncapped.',
} as const;
const TFC = {
  term: 'termination_for_convenience',
  topic: 'termination for convenience',
  text: 'We may terminate for convenience on 90 days notice.',
} as const;
const TWICE: SettledTerm = {
  term: 'uncapped_liability',
  outcome: 'settled',
  clause: 'liability-cap-enhanced',
  note: 'a cap of twice the annual fees',
};

let n = 0;
/** An earlier signed contract, `monthsAgo` months before the deal, newest names last. */
function contract(
  monthsAgo: number,
  asked: Ask[] | null,
  settled: SettledTerm[] | string | null = null,
): EarlierContract {
  n += 1;
  const close = new Date(Date.UTC(2026, 10, 1 - monthsAgo * 30)).toISOString().slice(0, 10);
  return {
    name: `CV-${String(n).padStart(6, '0')}`,
    version: 1,
    opportunityId: `006Dd00000000${String(n).padStart(2, '0')}IAA`,
    opportunityName: `Deal ${n}`,
    closeDate: close,
    requestedTerms:
      asked === null ? null : JSON.stringify(asked.map((a) => ({ value: null, ...a, from: 'buyer' }))),
    settledTerms: typeof settled === 'string' ? settled : settled ? JSON.stringify(settled) : null,
  };
}

const terms = requestedTerms;

const SPAN = {
  recordId: '006Dd0000000099IAA',
  source: 'description' as const,
  start: 0,
  end: 10,
  occurredAt: '2026-11-01T00:00:00Z',
};

function plan(carried: CarriedTerm[], requested: RequestedTerms | null = null) {
  const { deal, signals } = scenarioDeal(scenario);
  return planContract(contractInput(deal, signals, { terms: requested, history: carried }));
}

describe('the account history of a contract', () => {
  it('pre-includes what the customer asked for and got in each of its last contracts, saying where from', () => {
    const history = [contract(30, [EU, NET45]), contract(20, [EU, NET45]), contract(10, [EU, NET45])];
    const names = history.map((c) => c.name).reverse();
    const d = decideFromHistory(history, null, library);
    assert.deepEqual(d.window, names, 'newest first');
    assert.deepEqual(
      d.carried.map((c) => [c.term, c.form, c.value, c.reason]),
      [
        [
          'residency_EU',
          'asked',
          null,
          `EU data residency: asked for and accepted in 3 of 3 earlier contracts (${names.join(', ')})`,
        ],
        [
          'payment_days',
          'asked',
          45,
          `payment terms (net 45 days): asked for and accepted in 3 of 3 earlier contracts (${names.join(', ')})`,
        ],
      ],
    );

    // A UK customer who did not ask this time: the EU clause and net 45, each saying why.
    const { model, derived } = plan(d.carried);
    assert.equal(derived.facts.dataResidency, 'EU');
    assert.equal(derived.facts.requestedPaymentDays, 45);
    const eu = model.clauses.find((c) => c.id === 'data-protection-eu');
    assert.ok(eu, 'EU data protection instead of the UK clause');
    assert.ok(!model.clauses.some((c) => c.id === 'data-protection-uk'));
    assert.ok(eu.because.includes(d.carried[0]!.reason), eu.because.join(' | '));
    const payment = model.clauses.find((c) => c.group === 'payment')!;
    assert.equal(payment.id, 'payment-net-45');
    assert.ok(payment.because.includes(d.carried[1]!.reason));
    assert.equal(model.paymentDays, 45);
    assert.ok(
      model.risk.factors.some((f) => f.factor === 'unusual_payment_terms'),
      'net 45 still counts as a risk',
    );
    assert.ok(!model.clauses.some((c) => c.nonStandard), 'both are library clauses');
  });

  it('counts the last three contracts only, and needs at least two of them', () => {
    // Asked in the oldest two of four: one of the last three is not enough.
    const old = [contract(40, [EU]), contract(30, [EU]), contract(20, []), contract(10, [])];
    assert.deepEqual(decideFromHistory(old, null, library).carried, []);
    // Two of the last three (the oldest of four left out): enough.
    const recent = [contract(40, []), contract(30, []), contract(20, [EU]), contract(10, [EU])];
    const d = decideFromHistory(recent, null, library);
    assert.deepEqual(
      d.carried.map((c) => c.term),
      ['residency_EU'],
    );
    assert.match(
      d.carried[0]!.reason,
      /asked for and accepted in 2 of 3 earlier contracts \(CV-\d+, CV-\d+\)$/,
    );
    assert.deepEqual(d.carried[0]!.versions, [recent[3]!.name, recent[2]!.name]);
  });

  it('weighs one contract per opportunity, its last version, and skips versions that do not say what was asked', () => {
    const first = contract(20, [EU]);
    const revised = { ...contract(20, []), opportunityId: first.opportunityId, version: 2 };
    const unknown = contract(15, null);
    const later = contract(10, [EU]);
    const d = decideFromHistory([first, revised, unknown, later], null, library);
    assert.deepEqual(d.window, [later.name, revised.name]);
    assert.deepEqual(d.carried, [], 'EU residency was asked in the last version of one of the two only');
  });

  it('pre-includes a term settled otherwise in its settled form, and says so', () => {
    const history = [
      contract(30, [UNCAPPED], [{ term: 'uncapped_liability', outcome: 'refused' }]),
      contract(20, [UNCAPPED], [TWICE]),
      contract(10, [UNCAPPED], [TWICE]),
    ];
    const d = decideFromHistory(history, null, library);
    assert.equal(d.carried.length, 1);
    const [c] = d.carried;
    assert.deepEqual(
      [c!.term, c!.form, c!.clause],
      ['uncapped_liability', 'settled', 'liability-cap-enhanced'],
    );
    assert.equal(
      c!.reason,
      `liability beyond the standard cap: asked for in 3 of 3 earlier contracts and settled as a cap of twice the annual fees in 2 of them (${history[2]!.name}, ${history[1]!.name}); pre-included in its settled form`,
    );

    const { model, derived } = plan(d.carried);
    const cap = model.clauses.find((x) => x.group === 'liability')!;
    assert.equal(cap.id, 'liability-cap-enhanced', 'the 2x cap in place of the standard one');
    assert.ok(!model.clauses.some((x) => x.id === 'liability-cap'));
    assert.match(cap.rule, /settled in before \(account history\)/);
    assert.deepEqual(cap.because, [c!.reason]);
    assert.equal(model.liabilityCapMinor, model.annualMinor * 2);
    assert.match(cap.text, /twice the fees/);
    assert.ok(
      !model.clauses.some((x) => x.nonStandard),
      'the settled form is the library clause, not the uncapped request',
    );
    assert.equal(derived.customRequests.length, 0);
  });

  it('does not pre-include what was refused, and notes it', () => {
    const refused = { term: 'uncapped_liability', outcome: 'refused' } as const;
    const history = [
      contract(30, [UNCAPPED], [refused]),
      contract(20, [UNCAPPED], [refused]),
      contract(10, [UNCAPPED]),
    ];
    const d = decideFromHistory(history, null, library);
    assert.deepEqual(d.carried, []);
    assert.deepEqual(d.notes, [
      `liability beyond the standard cap: refused in 2 of 3 earlier contracts (${history[1]!.name}, ${history[0]!.name}); not pre-included`,
    ]);
  });

  it("lets the buyer's current request win over history", () => {
    const history = [contract(20, [EU, NET45]), contract(10, [EU, NET45])];
    const now = terms({ residency: 'US', paymentDays: 60 });
    const d = decideFromHistory(history, now, library);
    assert.deepEqual(d.carried, []);
    assert.equal(d.notes.length, 2);
    assert.match(
      d.notes[0]!,
      /^EU data residency: asked for and accepted in 2 of 2 .*; the buyer asks for US data residency now, which wins$/,
    );
    assert.match(
      d.notes[1]!,
      /^payment terms \(net 45 days\): .*; the buyer asks for net 60 days now, which wins$/,
    );
    const { model, derived } = plan(d.carried, now);
    assert.equal(derived.facts.dataResidency, 'US');
    assert.ok(!model.clauses.some((c) => c.id === 'data-protection-eu'));
    assert.ok(model.clauses.some((c) => c.id === 'payment-net-60'));

    // Asking again for what was settled otherwise: the request stands as asked, and goes to Legal.
    const settled = [contract(20, [UNCAPPED], [TWICE]), contract(10, [UNCAPPED], [TWICE])];
    const again = terms({
      nonStandard: [{ kind: 'uncapped_liability', text: 'Uncapped, as always.', span: SPAN }],
    });
    const d2 = decideFromHistory(settled, again, library);
    assert.deepEqual(d2.carried, []);
    assert.match(
      d2.notes[0]!,
      /settled as a cap of twice the annual fees in 2 of them .*; the buyer asks for it now, and that request stands$/,
    );
    const p = plan(d2.carried, again);
    assert.ok(p.model.clauses.some((c) => c.nonStandard && c.body.includes('Uncapped, as always.')));
    assert.ok(p.model.clauses.some((c) => c.id === 'liability-cap'));
  });

  it('pre-includes an accepted non-standard term as a non-standard clause, which still goes to Legal', () => {
    const history = [
      contract(20, [TFC]),
      contract(10, [{ ...TFC, text: 'Termination for convenience, as last time.' }]),
    ];
    const d = decideFromHistory(history, null, library);
    assert.deepEqual(
      d.carried.map((c) => [c.term, c.text]),
      [['termination_for_convenience', 'Termination for convenience, as last time.']],
    );
    const { model, derived } = plan(d.carried);
    const clause = model.clauses.find((c) => c.nonStandard)!;
    assert.ok(clause.because.includes(d.carried[0]!.reason), clause.because.join(' | '));
    assert.match(clause.body, /Termination for convenience, as last time\./);
    assert.match(clause.rule, /account history \(CV-\d+, CV-\d+\)/);
    assert.equal(model.risk.legalReviewRequired, true);
    assert.ok(model.risk.factors.some((f) => f.factor === 'non_standard_clauses'));
    assert.equal(derived.facts.customTermsRequested, true);
  });

  it('leaves out a record it cannot read, naming it and the field, and decides on the rest', () => {
    const history = [contract(30, [EU]), contract(20, [EU], '{not json'), contract(10, [EU])];
    const d = decideFromHistory(history, null, library);
    assert.deepEqual(d.window, [history[2]!.name, history[0]!.name]);
    assert.match(
      d.notes[0]!,
      new RegExp(
        `^${history[1]!.name} \\(Deal \\d+\\) left out of the history: its Settled_Terms__c cannot be read \\(not JSON`,
      ),
    );
    assert.deepEqual(
      d.carried.map((c) => c.term),
      ['residency_EU'],
    );
    // A settlement naming a clause the library does not have is not carried.
    const bogus = { term: 'uncapped_liability', outcome: 'settled', clause: 'no-such-clause' } as const;
    const d2 = decideFromHistory(
      [contract(20, [UNCAPPED], [bogus]), contract(10, [UNCAPPED], [bogus])],
      null,
      library,
    );
    assert.deepEqual(d2.carried, []);
    assert.match(d2.notes[0]!, /not carried: the library has no clause "no-such-clause"/);
  });

  it("never displaces a clause the library's rules chose for this deal's own facts", () => {
    const standardCap = { term: 'uncapped_liability', outcome: 'settled', clause: 'liability-cap' } as const;
    const history = [contract(20, [UNCAPPED], [standardCap]), contract(10, [UNCAPPED], [standardCap])];
    const d = decideFromHistory(history, null, library);
    assert.equal(d.carried.length, 1);
    const health = terms({ healthData: true });
    const p = plan(d.carried, health);
    assert.ok(
      p.model.clauses.some((c) => c.id === 'liability-cap-enhanced'),
      'health data raises the cap',
    );
    assert.ok(!p.model.clauses.some((c) => c.id === 'liability-cap'));
    assert.match(
      p.historyNotes[0]!,
      /not pre-included, the library's rule for this deal chose liability-cap-enhanced/,
    );
  });

  it("records what was asked, the buyer's and history's, so the next contract can read it back", () => {
    const d = decideFromHistory([contract(20, [NET45]), contract(10, [NET45])], null, library);
    const now = terms({
      residency: 'EU',
      evidence: { residency: { span: SPAN, excerpt: 'Hosting in Frankfurt only.', probability: 0.9 } },
      nonStandard: [{ kind: 'source_code_escrow', text: 'Source code escrow with NCC.', span: SPAN }],
    });
    const recorded = requestedTermsOf(now, d.carried, library);
    assert.deepEqual(
      recorded.map((r) => [r.term, r.from, r.value, r.text]),
      [
        ['residency_EU', 'buyer', null, 'Hosting in Frankfurt only.'],
        ['source_code_escrow', 'buyer', null, 'Source code escrow with NCC.'],
        ['payment_days', 'history', 45, '45 days net.'],
      ],
    );
    assert.equal(recorded[2]!.reason, d.carried[0]!.reason);
    const back = RequestedTermSchema.array().parse(JSON.parse(JSON.stringify(recorded)));
    assert.deepEqual(back, recorded);
  });

  it('counts a settled form it carried as settled that way next time, not as the request accepted', () => {
    const history = [contract(30, [UNCAPPED], [TWICE]), contract(20, [UNCAPPED], [TWICE])];
    const recorded = requestedTermsOf(null, decideFromHistory(history, null, library).carried, library);
    assert.deepEqual(recorded[0]!.settledAs, {
      clause: 'liability-cap-enhanced',
      note: 'a cap of twice the annual fees',
    });
    // Signed without a word from Legal: the contract said the 2x cap, so that is how it settled.
    const signed: EarlierContract = { ...contract(10, []), requestedTerms: JSON.stringify(recorded) };
    const next = decideFromHistory([...history, signed], null, library);
    assert.equal(next.carried[0]!.clause, 'liability-cap-enhanced');
    assert.match(
      next.carried[0]!.reason,
      /asked for in 3 of 3 earlier contracts and settled as a cap of twice the annual fees in 3 of them/,
    );
  });
});
