import assert from 'node:assert/strict';
import type { DealCycle } from './cycle-times.ts';
import { dealCycle, HOUR_MS as H } from '../../test-support/deal-cycles.ts';
import {
  COMPETITIVE_MIN_WINS,
  LEGAL_MIN_RATIO,
  LEGAL_MIN_WITH,
  LEGAL_MIN_WITHOUT,
  legalClauseSuggestion,
  playbookSuggestions,
} from './playbook-rules.ts';

/** A closure that went to legal review, Legal deciding after `legalHours`, with these clauses. */
const reviewed = (id: string, legalHours: number, clauses: string[]): DealCycle =>
  dealCycle(id, {
    legalReview: true,
    clauses,
    reviewClauses: clauses,
    approvers: [
      {
        role: 'Legal',
        approverId: '005Dd0000000012AAA',
        approverName: 'Hannah Brooks',
        responseMs: legalHours * H,
        decision: 'Approved',
      },
    ],
  });

const LIABILITY = 'liability-uncapped';

describe('playbook suggestion rules', () => {
  it('documents its thresholds as constants the tests build on', () => {
    assert.deepEqual(
      [LEGAL_MIN_WITH, LEGAL_MIN_WITHOUT, LEGAL_MIN_RATIO, COMPETITIVE_MIN_WINS],
      [4, 3, 1.5, 3],
    );
  });

  describe('legal review per clause', () => {
    // With the clause: 7, 8, 9, 2 h earlier and 10 h now (median 8 h); without: 3, 4, 3, 5 h (median 3.5 h).
    const history = [
      reviewed('1', 7, [LIABILITY, 'net-60']),
      reviewed('2', 8, [LIABILITY]),
      reviewed('3', 9, [LIABILITY]),
      reviewed('4', 2, [LIABILITY]),
      reviewed('5', 3, ['net-60']),
      reviewed('6', 4, []),
      reviewed('7', 3, []),
      reviewed('8', 5, ['net-60']),
      dealCycle('9', { clauses: [LIABILITY] }), // not reviewed: not counted
    ];
    const now = reviewed('10', 10, [LIABILITY]);

    it('proposes pre-approved fallback wording when the clause goes with longer legal review', () => {
      const suggestions = playbookSuggestions('run-now', { cycle: now, history });
      assert.deepEqual(
        suggestions.map((s) => s.key),
        [`playbook:legal-clause:${LIABILITY}`],
        'net-60 is not in this deal, so only its own clause is weighed',
      );
      const s = suggestions[0]!;
      // median 8 h / 3.5 h = 2.29; 4 of 5 above 3.5 h (the 2 h one is not).
      assert.equal(s.value, 2.29);
      assert.equal(s.metric, 'legal_review_ratio');
      assert.equal(s.supportingDeals, 5);
      assert.equal(s.category, 'Legal_Review');
      assert.equal(
        s.suggestion,
        `Legal review took 2.29× the median on closures whose contract carried the clause ${LIABILITY}: 8 h against 3.5 h without it, and longer than that median in 4 of 5 closures. Pre-approve fallback wording for ${LIABILITY} so Legal reviews it by exception.`,
      );
      assert.match(
        s.evidence,
        /Thresholds: at least 4 closures with the clause and 3 without, a ratio of at least 1.5/,
      );
      assert.match(s.sourceDeals, /run-10\): Legal 10 h/);
      assert.match(s.sourceDeals, /Account 4 \(opportunity 006Dd0000000004AAA, run run-4\): Legal 2 h/);
      assert.doesNotMatch(s.sourceDeals, /run-5\b|run-9\b/, 'only the closures with the clause');
      assert.equal(s.sourceInsights, 'run-now:insight:legal-review');
      assert.equal(s.target, `Clause library: ${LIABILITY} (config/contracts/clauses.json)`);
      assert.equal(s.evidenceAsOf, now.completedAt);
    });

    it('keys the suggestion by its pattern, so another closure updates the same record', () => {
      const a = playbookSuggestions('run-a', { cycle: now, history });
      const b = playbookSuggestions('run-b', {
        cycle: reviewed('11', 12, [LIABILITY]),
        history: [now, ...history],
      });
      assert.equal(a[0]!.key, b[0]!.key);
      assert.equal(b[0]!.supportingDeals, 6, 'the evidence grows with the new closure');
      assert.deepEqual(
        playbookSuggestions('run-a', { cycle: now, history }),
        a,
        'the same figures, the same write',
      );
    });

    it('proposes nothing below any threshold', () => {
      const weigh = (all: DealCycle[]) => legalClauseSuggestion(LIABILITY, all, []);
      assert.ok(weigh([now, ...history]), 'the full history supports it');
      // Too few with the clause: 3 (two earlier dropped).
      assert.equal(weigh([now, ...history.slice(2)]), undefined);
      // Too few without it: 2.
      assert.equal(weigh([now, ...history.slice(0, 6)]), undefined);
      // Ratio below 1.5: with the clause a median of 4.5 h against 3.5 h.
      assert.equal(
        weigh([
          reviewed('a', 4, [LIABILITY]),
          reviewed('b', 5, [LIABILITY]),
          reviewed('c', 4, [LIABILITY]),
          reviewed('d', 6, [LIABILITY]),
          ...history.slice(4),
        ]),
        undefined,
      );
      // Ratio 2.9 but only 3 of 5 above the median without it (below 2 of 3).
      assert.equal(
        weigh([
          reviewed('a', 1, [LIABILITY]),
          reviewed('b', 1, [LIABILITY]),
          reviewed('c', 10, [LIABILITY]),
          reviewed('d', 10, [LIABILITY]),
          reviewed('e', 10, [LIABILITY]),
          ...history.slice(4),
        ]),
        undefined,
      );
      // A clause every reviewed contract carries has no baseline to compare with.
      assert.equal(
        legalClauseSuggestion(
          'always',
          [1, 2, 3, 4, 5].map((i) => reviewed(String(i), i, ['always'])),
          [],
        ),
        undefined,
      );
    });

    it('weighs no clause for a closure without a timed legal review', () => {
      const unreviewed = dealCycle('10', { clauses: [LIABILITY] });
      assert.deepEqual(playbookSuggestions('r', { cycle: unreviewed, history }), []);
    });
  });

  describe('competitive playbook', () => {
    const win = (id: string, over: Partial<DealCycle>) =>
      dealCycle(id, { competitors: ['PlantPulse'], ...over });

    it('proposes what the wins against a competitor share, with the deals behind it', () => {
      const history = [
        win('1', {
          discountPercent: 10,
          clauses: ['pilot-terms'],
          stakeholders: ['Economic Buyer'],
          totalMs: 48 * H,
        }),
        win('2', {
          discountPercent: 14,
          clauses: ['pilot-terms', 'net-60'],
          stakeholders: [],
          totalMs: 96 * H,
        }),
        dealCycle('3', { competitors: ['PlantWorks'], discountPercent: 40, clauses: ['pilot-terms'] }),
      ];
      const now = win('4', {
        competitors: ['Plant Pulse'],
        discountPercent: 12,
        clauses: ['pilot-terms'],
        stakeholders: ['Economic Buyer'],
        totalMs: 72 * H,
      });
      const [s, ...rest] = playbookSuggestions('run-now', { cycle: now, history });
      assert.equal(rest.length, 0);
      assert.equal(s!.key, 'playbook:competitive:plantpulse');
      assert.equal(s!.title, 'Competitive playbook: Plant Pulse');
      assert.equal(
        s!.suggestion,
        'Against Plant Pulse, 3 wins on record share a median 12% discount (3 of 3 within 5 points of it), the clauses pilot-terms (3 of 3) and Economic Buyer (2 of 3) involved, with a median cycle of 3 days. Add this to the competitive playbook for Plant Pulse.',
      );
      assert.equal(s!.value, 3);
      assert.equal(s!.target, null);
      assert.equal(s!.sourceInsights, 'run-now:insight:competitive:plantpulse');
      assert.deepEqual(
        s!.sourceDeals.split('\n').map((l) => /run (run-\d+)/.exec(l)?.[1]),
        ['run-4', 'run-1', 'run-2'],
      );
      assert.match(s!.sourceDeals, /Account 2 .*: 14% discount, 4 days, clauses pilot-terms, net-60/);
    });

    it('proposes nothing with fewer than 3 wins, or when the wins share nothing', () => {
      const two = [win('1', { discountPercent: 10, clauses: ['pilot-terms'] })];
      assert.deepEqual(
        playbookSuggestions('r', {
          cycle: win('2', { discountPercent: 10, clauses: ['pilot-terms'] }),
          history: two,
        }),
        [],
      );
      const scattered = [
        win('1', { discountPercent: 0, clauses: ['a'], stakeholders: ['CFO'] }),
        win('2', { discountPercent: 20, clauses: ['b'], stakeholders: ['CTO'] }),
      ];
      assert.deepEqual(
        playbookSuggestions('r', {
          cycle: win('3', { discountPercent: 40, clauses: ['c'], stakeholders: ['COO'] }),
          history: scattered,
        }),
        [],
      );
    });
  });
});
