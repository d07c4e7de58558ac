/**
 * Model selection for the language model on the dev split only (the test split is never read):
 * trains the passage and sentence models for each setting given and prints the dev F1 per head of
 * each model alone and of their combination (what the reader uses), so the choice of epochs,
 * learning rate and regularisation, and of reading sentences as well as passages, is on record.
 *   node scripts/tune-language.ts [--chars 3,4] [--no-skip] [--no-source] [epochs,learningRate,l2 ...]
 */
import {
  HEADS,
  calibrated,
  logits,
  pooledLogits,
  DEFAULT_FEATURES,
  bestThresholds,
  fitReadingModels,
  PASSAGE_OPTIONS,
  prepareCorpus,
  rowProbabilities,
} from '@dealdesk/middleware/language-model';

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
  const models = fitReadingModels(train, dev, options);
  const y = dev.map((r) => r.y);
  const f1 = (p: Float64Array[]) => bestThresholds(p, y).map((t) => t.f1);
  const passageOnly = f1(dev.map((r) => calibrated(models.passage, logits(models.passage, r.features))));
  const sentenceOnly = f1(
    dev.map((r) => calibrated(models.sentence, pooledLogits(models.sentence, r.sentences))),
  );
  const p = dev.map((r) => rowProbabilities(models, r));
  const combined = f1(p);
  const perHead: Record<string, number> = {};
  const byModel: Record<string, string> = {};
  HEADS.forEach((h, i) => {
    perHead[h] = combined[i]!;
    byModel[h] = [passageOnly[i]!, sentenceOnly[i]!, combined[i]!].map((v) => v.toFixed(2)).join(' / ');
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
      f1PassageSentenceCombined: byModel,
    }),
  );
}
