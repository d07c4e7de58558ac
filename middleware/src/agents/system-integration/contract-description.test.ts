import assert from 'node:assert/strict';
import type { ContractOutput } from '../contract-generation/contract-agent.ts';
import { contractDescription } from './system-integration-agent.ts';

const contract = (over: Partial<ContractOutput>): ContractOutput =>
  ({
    version: 2,
    template: 'MSA',
    templateTitle: 'Master Subscription Agreement',
    contentHash: 'a'.repeat(64),
    snapshot: { clauses: [] },
    ...over,
  }) as unknown as ContractOutput;

describe('the Contract record description', () => {
  it('names the agreement generated and quotes its own renewal clause', () => {
    const text = contractDescription(
      contract({
        snapshot: {
          clauses: [
            { id: 'auto-renewal', version: 3, title: 'Renewal', text: 'Renews yearly unless cancelled.' },
          ],
        } as unknown as ContractOutput['snapshot'],
      }),
      '2027-11-30',
    );
    assert.match(text, /^Master Subscription Agreement v2 \(MSA\)/);
    assert.match(text, /Term ends 2027-11-30\./);
    assert.match(text, /Renewal \(clause auto-renewal v3\): Renews yearly unless cancelled\./);
  });

  it('says a statement of work without a renewal clause does not renew', () => {
    const text = contractDescription(
      contract({ template: 'SOW', templateTitle: 'Statement of Work', version: 1 }),
      '2027-03-31',
    );
    assert.match(text, /^Statement of Work v1 \(SOW\)/);
    assert.match(text, /No automatic renewal clause\./);
    assert.doesNotMatch(text, /Master Subscription|Auto-renews/);
  });
});
