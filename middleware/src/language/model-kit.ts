/**
 * What training, tuning and evaluating the language model need beyond the reader the agents use:
 * the corpus, the features, the linear heads and the stored artifact.
 */
export { MODEL_DIR, loadModel } from './artifact.ts';
export { CorpusLineSchema, corpusProblems } from './corpus.ts';
export { DEFAULT_FEATURES, detectLanguage, featurize, type FeatureVector } from './features.ts';
export { HEADS } from './heads.ts';
export * from './linear.ts';
export { combineReadiness } from './model-reading.ts';
export { OfflineLanguageReader, sharedLanguageReader } from './index.ts';
export { segment } from './text.ts';
export * from './training.ts';
