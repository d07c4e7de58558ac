import assert from 'node:assert/strict';
import { draftingLlm } from '../../test-support/drafting-llm.ts';
import type { CrmWrite } from '../../ports/crm.ts';
import type { SuggestionWrite } from './playbook-rules.ts';
import { applyLearningDraft, draftLearning } from './learning-draft.ts';

type InsightWrite = Extract<CrmWrite, { kind: 'insight' }>;

const insight = (name: string, text: string, value: number): InsightWrite => ({
  kind: 'insight',
  key: `run-1:insight:${name}`,
  category: 'Velocity',
  insight: text,
  metric: `${name}_hours`,
  value,
});
const insights = [
  insight(
    'velocity',
    'Verbal yes to signed and synced in 5.1 h, faster than the median of 4 earlier deals (7.2 h).',
    5.1,
  ),
  insight(
    'pricing',
    'Closed at a 12% discount off list, 2 points deeper than the median of 4 earlier deals (10%).',
    12,
  ),
];
const suggestion = {
  kind: 'playbookSuggestion',
  key: 'playbook:competitive:plantpulse',
  category: 'Competitive',
  title: 'Competitive playbook: PlantPulse',
  suggestion:
    'Against PlantPulse, 3 wins on record share a median 12% discount. Add this to the competitive playbook for PlantPulse.',
  evidence: 'Wins naming PlantPulse: 3.',
  metric: 'competitive_wins',
  value: 3,
  supportingDeals: 3,
  sourceDeals: '',
  sourceInsights: '',
  target: null,
  evidenceAsOf: null,
} as SuggestionWrite;

/**
 * A model that words the velocity insight and the suggestion from their facts, and makes up a
 * sentence about the pricing insight (a figure and a name it does not hold); or that is down.
 */
function learningLlm(down = false) {
  return draftingLlm(
    () => [
      { text: 'The deal went from verbal yes to signed in 5.1 h, against a median of 7.2 h.', facts: ['i1'] },
      { text: 'Marcus Lee cut the discount to 40% off list.', facts: ['i2'] },
      { text: 'Against PlantPulse, 3 wins share a median 12% discount.', facts: ['p1'] },
    ],
    down,
  );
}

const names = { account: 'Acme GmbH', opportunity: 'Acme renewal' };

describe('learning insights drafted by a language model', () => {
  it('keeps the verified sentences, keeps the agent’s words where none survived, and never the made-up one', async () => {
    const { llm, requests } = learningLlm();
    const d = await draftLearning(llm, insights, [suggestion], names);
    assert.equal(requests.length, 1, 'one draft for the closure');
    assert.match(requests[0]!.prompt, /<fact id="i2" source="Win_Insight__c run-1:insight:pricing">/);
    assert.deepEqual(
      d.texts.map((t) => [t.text, t.writtenBy]),
      [
        ['The deal went from verbal yes to signed in 5.1 h, against a median of 7.2 h.', 'fake-model'],
        [insights[1]!.insight, 'offline templates'],
        ['Against PlantPulse, 3 wins share a median 12% discount.', 'fake-model'],
      ],
    );
    assert.equal(d.dropped, 1);
    const applied = applyLearningDraft(d, insights, [suggestion]);
    assert.equal(
      applied.insights[0]!.insight,
      'The deal went from verbal yes to signed in 5.1 h, against a median of 7.2 h.\nWritten by fake-model.',
    );
    assert.equal(applied.insights[1]!.insight, `${insights[1]!.insight}\nWritten by offline templates.`);
    assert.doesNotMatch(JSON.stringify(applied), /Marcus|40%/);
    // The metric fields are the agent's numbers.
    assert.deepEqual(
      applied.insights.map((i) => [i.metric, i.value]),
      insights.map((i) => [i.metric, i.value]),
    );
    assert.equal(
      applied.suggestions[0]!.suggestion,
      'Against PlantPulse, 3 wins share a median 12% discount.',
    );
    assert.equal(applied.suggestions[0]!.evidence, 'Wins naming PlantPulse: 3.\nWritten by fake-model.');
  });

  it('keeps the agent’s words when the model fails, and says why', async () => {
    const d = await draftLearning(learningLlm(true).llm, insights, [suggestion], names);
    assert.deepEqual(
      d.texts.map((t) => [t.text, t.writtenBy]),
      [
        ...insights.map((i) => [i.insight, 'offline templates']),
        [suggestion.suggestion, 'offline templates'],
      ],
    );
    assert.equal(d.fallbackReason, 'unavailable after 3 attempt(s): over capacity');
  });
});
