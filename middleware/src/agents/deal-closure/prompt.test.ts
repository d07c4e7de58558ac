import assert from 'node:assert/strict';
import { verifiedSignals, type EvidenceItem, type ModelAssessment } from './prompt.ts';

describe('model answers are held to the evidence', () => {
  const items: EvidenceItem[] = [
    {
      n: 1,
      label: 'call',
      occurredAt: '2026-11-20T10:00:00Z',
      speaker: 'buyer',
      text: "We're ready to move forward — send the paperwork over.",
      recordId: '00TDd0000000001AAA',
    },
    {
      n: 2,
      label: 'email',
      occurredAt: '2026-11-18T10:00:00Z',
      speaker: 'buyer',
      text: 'Our CFO approved the budget.',
      recordId: '02sDd0000000001AAA',
    },
  ];
  const answer = (signals: ModelAssessment['signals']): ModelAssessment => ({
    signals,
    confidence: 0.9,
    decision: 'go',
    rationale: 'r',
  });

  it('keeps quotes found in the cited evidence, ignoring case and spacing', () => {
    const { kept, dropped } = verifiedSignals(
      answer([
        {
          type: 'explicit_commitment',
          evidence: 1,
          quote: "we're ready to   move forward",
          supportsClosing: true,
        },
        { type: 'budget_confirmed', evidence: 2, quote: 'CFO approved the budget', supportsClosing: true },
      ]),
      items,
    );
    assert.equal(kept.length, 2);
    assert.equal(dropped, 0);
  });

  it('drops invented quotes and quotes attributed to the wrong evidence', () => {
    const { kept, dropped } = verifiedSignals(
      answer([
        {
          type: 'explicit_commitment',
          evidence: 2,
          quote: "we're ready to move forward",
          supportsClosing: true,
        },
        { type: 'timeline_urgency', evidence: 1, quote: 'we must go live by March', supportsClosing: true },
        { type: 'budget_confirmed', evidence: 9, quote: 'CFO approved the budget', supportsClosing: true },
      ]),
      items,
    );
    assert.equal(kept.length, 0);
    assert.equal(dropped, 3);
  });
});
