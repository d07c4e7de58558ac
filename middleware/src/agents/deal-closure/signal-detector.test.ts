import assert from 'node:assert/strict';
import { classifySnippet, detectSentence } from './signal-detector.ts';

const types = (sentence: string, speaker: 'buyer' | 'seller' | 'unknown' = 'buyer') =>
  detectSentence(sentence, speaker).map((s) => `${s.type}${s.readiness ? '*' : ''}`);

describe('closing-signal detection', () => {
  it("finds a present, unqualified commitment and paperwork request in the buyer's words", () => {
    assert.deepEqual(types("We're ready to move forward."), ['explicit_commitment*']);
    assert.ok(types('Please send over the order form today.').includes('paperwork_request*'));
    assert.ok(types('Budget has been approved for this year.').includes('budget_confirmed'));
  });

  it('turns negated commitments into negation, and pending ones into hesitation', () => {
    assert.deepEqual(types("We're not ready to move forward this quarter."), ['negation']);
    assert.deepEqual(types("Robert hasn't signed off yet."), ['hesitation']);
  });

  it('does not count conditions, hypotheticals, questions, sarcasm, the past or the seller', () => {
    for (const sentence of [
      "If legal approves the DPA, we're ready to sign.",
      'Once security signs off on the pen test, we will sign.',
      'We might be ready to move forward next month.',
      'Are you ready to move forward?',
      "Oh sure, we're ready to sign, right after the board stops arguing.",
      'Last year we were ready to move forward, then budget was cut.',
    ]) {
      assert.ok(!detectSentence(sentence, 'buyer').some((s) => s.readiness), sentence);
    }
    assert.ok(
      !detectSentence("Let's get this signed before quarter end!", 'seller').some((s) => s.readiness),
      'the seller hoping',
    );
  });

  it('reads a commitment to a competitor as a loss', () => {
    const signals = detectSentence("We're ready to sign with the other vendor.", 'buyer');
    assert.ok(
      signals.some(
        (s) => s.polarity === -1 && s.qualifiers.some((q) => q.startsWith('commitment to another party')),
      ),
    );
  });

  it('classifies snippets: a later setback or an ironic follow-up takes a yes back', () => {
    assert.equal(
      classifySnippet('Buyer (Ana Ruiz, CFO): Budget is approved. Send the contract over.', 'transcript')
        .ready,
      true,
    );
    assert.equal(
      classifySnippet(
        "Buyer (Ana Ruiz, CFO): We're ready to sign. Actually, we need more time.",
        'transcript',
      ).ready,
      false,
    );
    assert.equal(
      classifySnippet(
        "Buyer (Lee, IT): Sure, let's sign today. I'll just print the money in the basement.",
        'transcript',
      ).ready,
      false,
    );
    assert.equal(
      classifySnippet('Rep: Are you ready to sign?\nBuyer (Lee, VP Ops): Not yet.', 'transcript').ready,
      false,
    );
    assert.equal(
      classifySnippet(
        "Hi,\nWe're confident your team is ready to move forward.\nBest,\nMichelle\nSenior Account Executive",
        'email',
      ).ready,
      false,
    );
  });
});
