import assert from 'node:assert/strict';
import { dealContext } from '../../test-support/deal-fixtures.ts';
import { decide } from './assessment.ts';

const NOW = new Date('2026-11-25T09:00:00.000Z');

describe('the Deal Closure decision', () => {
  const deal = dealContext({ opportunity: { closeDate: '2026-12-10', probability: 60 } });

  it('goes from a calibrated 0.8 when nothing in the deal holds it back', () => {
    assert.equal(decide(deal, 0.8, 'committed', '2026-11-24T10:00:00.000Z', NOW).decision, 'go');
    assert.equal(
      decide(deal, 0.79, 'committed', '2026-11-24T10:00:00.000Z', NOW).decision,
      'needs_rep_confirmation',
    );
  });

  it('holds a confident yes back when it is stale, the close date long past or the stage early, and says why', () => {
    const stale = decide(deal, 0.95, 'committed', '2026-10-01T10:00:00.000Z', NOW);
    assert.equal(stale.decision, 'needs_rep_confirmation');
    assert.match(stale.holds.join(), /the latest yes is 55 days old/);
    const past = decide(
      dealContext({ opportunity: { closeDate: '2026-09-01', probability: 60 } }),
      0.95,
      'committed',
      null,
      NOW,
    );
    assert.match(past.holds.join(), /the close date passed 85 days ago/);
    const early = decide(
      dealContext({ opportunity: { stageName: 'Prospecting', probability: 10 } }),
      0.95,
      'committed',
      null,
      NOW,
    );
    assert.match(early.holds.join(), /stage Prospecting \(10%\)/);
  });

  it('is not ready only on a refusal; a low readiness from hesitation is the rep to confirm', () => {
    assert.equal(decide(deal, 0.05, 'refused', null, NOW).decision, 'not_ready');
    assert.equal(decide(deal, 0.05, 'hesitating', null, NOW).decision, 'needs_rep_confirmation');
    assert.equal(decide(deal, 0.25, 'refused', null, NOW).decision, 'needs_rep_confirmation');
  });
});
