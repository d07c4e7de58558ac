import assert from 'node:assert/strict';
import { contractOutput, dealContext, stageContext } from '../../test-support/deal-fixtures.ts';
import { earlierResults } from './earlier-results.ts';

describe('earlier results for the stages after the contract', () => {
  const firstRead = dealContext();
  const fixedRead = dealContext({ account: { ...firstRead.account!, billingCountry: 'France' } });
  const contract = contractOutput();

  it('uses the deal as Deal Closure read it when the contract was made from that read', () => {
    const ctx = stageContext('system_integration', {
      deal_closure: { deal: firstRead },
      contract_generation: { contract },
    });
    assert.equal(earlierResults(ctx).deal, firstRead);
  });

  it('uses the deal Contract Generation read again after the rep fixed the data', () => {
    const ctx = stageContext('system_integration', {
      deal_closure: { deal: firstRead },
      contract_generation: { deal: fixedRead, contract },
    });
    assert.equal(earlierResults(ctx).deal.account?.billingCountry, 'France');
  });

  it('names what is missing when an earlier stage left no result', () => {
    const ctx = stageContext('handoff_coordination', { deal_closure: { deal: firstRead } });
    assert.throws(() => earlierResults(ctx), /needs the deal and the contract/);
  });
});
