import assert from 'node:assert/strict';
import { earlierValues, generationOf, memoKey, nextGenerations, stageValue } from './run-memo.ts';

describe('the run memo layout', () => {
  // A signature step on its third generation, beside another stage's keys.
  const memo: Record<string, unknown> = {
    'signature_management.generation': 2,
    'signature_management.envelope': 'env-0',
    'signature_management.state.corrections': { a: 0 },
    'signature_management.state.tracked.0': 't0',
    'signature_management.g1.state.corrections': { a: 1 },
    'signature_management.g1.envelope': 'env-1',
    'signature_management.g2.state.tracked.0': 't2',
    'signature_management.g2.envelope': 'env-2',
    'signature_management.failuresInARow': 0,
    'approval_orchestration.state.approvals': [],
  };

  it('keys a value by its stage, generation and kind', () => {
    assert.equal(generationOf(memo, 'signature_management'), 2);
    assert.equal(generationOf(memo, 'approval_orchestration'), 0);
    assert.equal(memoKey(memo, 'signature_management', 'envelope'), 'signature_management.g2.envelope');
    assert.equal(
      memoKey(memo, 'approval_orchestration', 'approvals', 'state'),
      'approval_orchestration.state.approvals',
    );
    assert.equal(stageValue(memo, 'signature_management', 'envelope'), 'env-2');
    assert.deepEqual(nextGenerations(memo, ['signature_management', 'deal_closure']), {
      'signature_management.generation': 3,
      'deal_closure.generation': 1,
    });
  });

  it('gives earlier generations newest first, never the current one or another kind', () => {
    assert.deepEqual(
      earlierValues(memo, 'signature_management', 'envelope').map((e) => [e.generation, e.value]),
      [
        [1, 'env-1'],
        [0, 'env-0'],
      ],
    );
    assert.deepEqual(
      earlierValues(memo, 'signature_management', 'corrections', 'state').map((e) => e.value),
      [{ a: 1 }, { a: 0 }],
    );
    assert.deepEqual(
      earlierValues(memo, 'signature_management', 'tracked.*', 'state').map((e) => [e.generation, e.key]),
      [[0, 'tracked.0']],
      'the current generation’s tracked envelope is not an earlier one',
    );
    assert.deepEqual(earlierValues(memo, 'approval_orchestration', 'approvals', 'state'), []);
  });
});
