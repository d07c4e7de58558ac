/**
 * `npm run eval`: accuracy figures on labeled data, as JSON on stdout.
 * - signals: the Deal Closure Agent's offline reasoner on test/fixtures/signals/corpus.jsonl.
 * - contracts: the Contract Generation Agent on test/fixtures/contracts/scenarios.json.
 * `--errors` lists the misclassified dev items (tune on dev only; the test split is held out).
 * - approvals: routing accuracy on test/fixtures/approvals/deals.jsonl and prediction error on a
 *   simulated approval history (see middleware/src/eval/approvals-eval.ts).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluateSignals, loadCorpus } from '../middleware/src/eval/signals-eval.ts';
import { contractsReport } from '../middleware/src/eval/contracts-eval.ts';
import {
  APPROVER_PROFILES,
  evaluatePrediction,
  evaluateRouting,
  loadApprovalPolicy,
  loadLabeledDeals,
} from '../middleware/src/eval/approvals-eval.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const showErrors = process.argv.includes('--errors');
const corpus = loadCorpus(join(root, 'test/fixtures/signals/corpus.jsonl'));
const signals = evaluateSignals(corpus);
const policy = loadApprovalPolicy(join(root, 'test/fixtures/approvals/policy.json'));
const approvalDeals = loadLabeledDeals(join(root, 'test/fixtures/approvals/deals.jsonl'));
const routing = evaluateRouting(policy, approvalDeals);
const noisy = Object.fromEntries(
  Object.entries(APPROVER_PROFILES).map(([role, p]) => [role, { ...p, sigma: p.sigma * 2.5 }]),
);
const report = {
  signals: {
    corpus: 'test/fixtures/signals/corpus.jsonl',
    items: corpus.length,
    targets: { accuracy: 0.94, precision: 0.95 },
    ...Object.fromEntries(
      Object.entries(signals).map(([split, r]) => [
        split,
        { ...r, errors: showErrors && split === 'dev' ? r.errors : r.errors.length },
      ]),
    ),
  },
  contracts: contractsReport(root, showErrors),
  approvals: {
    fixtures: 'test/fixtures/approvals/{policy.json,deals.jsonl}',
    routing: {
      targets: { accuracy: 1 },
      ...routing,
      errors: showErrors ? routing.errors : routing.errors.length,
    },
    prediction: {
      targets: { withinTolerance: 0.85, tolerance: 0.2 },
      profiles: APPROVER_PROFILES,
      ...evaluatePrediction(policy, approvalDeals, { seed: 20260301 }),
      // The same with approvers 2.5 times as erratic: how far the figure depends on consistency.
      erraticApprovers: evaluatePrediction(policy, approvalDeals, { seed: 20260301, profiles: noisy }),
    },
  },
};
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
