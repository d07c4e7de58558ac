/**
 * Model selection for the language model on the dev split only (the test split is never read):
 * trains the passage model for each setting given and prints the dev figures per head, so the
 * choice of epochs, learning rate and regularisation is on record.
 *   node scripts/tune-language.ts [--chars 3,4] [--no-skip] [--no-source] [epochs,learningRate,l2 ...]
 */
import { HEADS } from '../middleware/src/language/heads.ts';
import { calibrated, logits } from '../middleware/src/language/linear.ts';
import { DEFAULT_FEATURES } from '../middleware/src/language/features.ts';
import {
  bestThresholds,
  fitPassageModel,
  PASSAGE_OPTIONS,
  prepareCorpus,
} from '../middleware/src/language/training.ts';

const args = process.argv.slice(2);
const take = (flag: string) => {
  const i = args.indexOf(flag);
  return i < 0 ? undefined : (args.splice(i, flag === '--no-skip' ? 1 : 2).at(1) ?? '');
};
const chars = take('--chars');
const noSkip = take('--no-skip') !== undefined;
const noSource = take('--no-source') !== undefined;
const features = {
  charGrams: chars === undefined ? DEFAULT_FEATURES.charGrams : chars.split(',').filter(Boolean).map(Number),
  skipPairs: !noSkip,
  sourceFeatures: !noSource,
};
const settings = (args.length > 0 ? args : ['10,0.2,1e-6']).map((s) => {
  const [epochs, learningRate, l2] = s.split(',').map(Number);
  return { ...PASSAGE_OPTIONS, epochs: epochs!, learningRate: learningRate!, l2: l2! };
});
const started = performance.now();
const { train, dev } = prepareCorpus(features);
const featureSeconds = Math.round((performance.now() - started) / 100) / 10;
const perPassage = (train.reduce((n, r) => n + r.features.index.length, 0) / train.length) | 0;
for (const options of settings) {
  const begun = performance.now();
  const model = fitPassageModel(train, dev, options);
  const p = dev.map((r) => calibrated(model, logits(model, r.features)));
  const thresholds = bestThresholds(
    p,
    dev.map((r) => r.y),
  );
  const perHead: Record<string, number> = {};
  HEADS.forEach((h, i) => {
    perHead[h] = thresholds[i]!.f1;
  });
  const readyRight = dev.filter((r, i) => p[i]![0]! >= 0.5 === (r.y[0] === 1)).length;
  const signalF1 = HEADS.slice(1, 12).reduce((a, h) => a + perHead[h]!, 0) / 11;
  console.log(
    JSON.stringify({
      options: { epochs: options.epochs, learningRate: options.learningRate, l2: options.l2 },
      features,
      featuresPerPassage: perPassage,
      featureSeconds,
      seconds: Math.round((performance.now() - begun) / 100) / 10,
      readinessAccuracy: Math.round((readyRight / dev.length) * 1000) / 1000,
      signalMacroF1: Math.round(signalF1 * 1000) / 1000,
      f1: Object.fromEntries(Object.entries(perHead).map(([k, v]) => [k, Math.round(v * 100) / 100])),
    }),
  );
}
