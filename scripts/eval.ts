/**
 * `npm run eval`: accuracy figures on labeled data, as JSON on stdout.
 * - signals: the Deal Closure Agent's offline reasoner on test/fixtures/signals/corpus.jsonl.
 * - contracts: the Contract Generation Agent on test/fixtures/contracts/scenarios.json.
 * `--errors` lists the misclassified dev items (tune on dev only; the test split is held out).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluateSignals, loadCorpus } from '../middleware/src/eval/signals-eval.ts';
import { contractsReport } from '../middleware/src/eval/contracts-eval.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const showErrors = process.argv.includes('--errors');
const corpus = loadCorpus(join(root, 'test/fixtures/signals/corpus.jsonl'));
const signals = evaluateSignals(corpus);
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
};
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
