/**
 * Training: the labelled corpus (training writers' files and the older English signals corpus),
 * split into train and dev by a hash of each id, features exactly as the reader computes them,
 * the passage and sentence models trained on train and calibrated and combined on dev, then the
 * payment-term and competitor-name models. The test writers' files are never read here.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { REPO_ROOT } from '../paths.ts';
import { HANDOFF_FACTS, type DealText } from '../ports/language.ts';
import { CANDIDATE_MODELS, serialize, type CandidateModels, type LoadedModel } from './artifact.ts';
import { CANDIDATE_FINDERS, candidateVector, type Candidate } from './candidates.ts';
import { NO_TERMS, parseCorpus, type CorpusLine } from './corpus.ts';
import { detectLanguage, featurize, type FeatureSet, type FeatureVector, type Token } from './features.ts';
import { HEADS, targets } from './heads.ts';
import {
  COMBINE_INPUTS,
  combineInputs,
  combinedProbabilities,
  fitLogistic,
  fitPlatt,
  logits,
  pooledLogits,
  quantize,
  train,
  trainPooled,
  type LinearModel,
} from './linear.ts';
import type { Passage } from './text.ts';
import { segment } from './text.ts';

export const CORPUS_DIR = join(REPO_ROOT, 'test', 'fixtures', 'language');
const LEGACY = join(REPO_ROOT, 'test', 'fixtures', 'signals', 'corpus.jsonl');

export const SplitsSchema = z.object({
  /** The training writers' files (train and dev, split by id). */
  train: z.array(z.string().regex(/^[a-z0-9]+\.jsonl$/)),
  /** The test writers' files, each with the SHA-256 recorded when it was frozen. */
  test: z.array(z.object({ file: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/) })),
  /** Handoff-fact labels (handoff/): the training passages' files, and the test passages' frozen files. */
  handoff: z
    .object({
      train: z.array(z.string().regex(/^[a-z0-9]+\.jsonl$/)),
      test: z.array(z.object({ file: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/) })),
    })
    .optional(),
});

const HandoffLineSchema = z.strictObject({
  id: z.string(),
  handoff: z.array(z.enum(HANDOFF_FACTS)),
});

/** Handoff-fact labels by passage id, and the bytes of the training files (for the corpus hash). */
function handoffLabels(
  splits: z.infer<typeof SplitsSchema>,
  withTest: boolean,
): { labels: Map<string, string[]>; trainingFiles: { file: string; bytes: Buffer }[] } {
  const labels = new Map<string, string[]>();
  const trainingFiles: { file: string; bytes: Buffer }[] = [];
  const files = [
    ...(splits.handoff?.train ?? []).map((file) => ({ file, test: false })),
    ...(withTest ? (splits.handoff?.test ?? []).map((t) => ({ file: t.file, test: true })) : []),
  ];
  for (const { file, test } of files) {
    const bytes = readFileSync(join(CORPUS_DIR, 'handoff', file));
    if (!test) trainingFiles.push({ file, bytes });
    bytes
      .toString('utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .forEach((raw, i) => {
        const parsed = HandoffLineSchema.safeParse(JSON.parse(raw));
        if (!parsed.success) throw new Error(`handoff/${file}:${i + 1}: ${parsed.error.issues[0]?.message}`);
        labels.set(parsed.data.id, parsed.data.handoff);
      });
  }
  return { labels, trainingFiles };
}

export interface LabelledPassage {
  line: CorpusLine;
  /** Labels the line does not carry (the older corpus has no terms) are NaN. */
  y: Float32Array;
  split: 'train' | 'dev' | 'test';
  /** Which file it came from. */
  file: string;
}

/** About a fifth of the training writers' passages, chosen by id, is the dev split. */
export function splitOf(id: string): 'train' | 'dev' {
  return createHash('sha256').update(id).digest()[0]! < 52 ? 'dev' : 'train';
}

export function readSplits(): z.infer<typeof SplitsSchema> {
  return SplitsSchema.parse(JSON.parse(readFileSync(join(CORPUS_DIR, 'splits.json'), 'utf8')));
}

const LegacySchema = z.object({
  id: z.string(),
  source: z.enum(['transcript', 'email', 'note']),
  text: z.string(),
  ready: z.boolean(),
  signals: z.array(z.string()),
  hard: z.string().nullable(),
  notes: z.string(),
});

function legacyLines(handoff: Map<string, string[]>): { lines: LabelledPassage[]; bytes: Buffer } {
  const bytes = readFileSync(LEGACY);
  const lines = bytes
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((raw): LabelledPassage => {
      const l = LegacySchema.parse(JSON.parse(raw));
      const line: CorpusLine = {
        id: `legacy-${l.id.slice(1)}`,
        lang: 'en',
        source: l.source,
        direction: l.source === 'email' ? 'inbound' : null,
        rep: 'Rep',
        text: l.text,
        ready: l.ready,
        signals: l.signals as CorpusLine['signals'],
        competitor: null,
        terms: NO_TERMS,
        hard: null,
        notes: l.notes,
      };
      const y = targets(line, handoff.get(line.id));
      // Labelled before terms and competitor names were: those heads learn nothing from it.
      for (let h = HEADS.indexOf('payment_terms'); h <= HEADS.indexOf('ns_governing_law'); h++)
        y[h] = Number.NaN;
      return { line, y, split: splitOf(line.id), file: 'signals/corpus.jsonl' };
    });
  return { lines, bytes };
}

/** Every labelled passage; test files only when asked (the evaluation), never for training. */
export function loadCorpus(options: { withTest: boolean }): {
  passages: LabelledPassage[];
  trainingSha256: string;
} {
  const splits = readSplits();
  const handoff = handoffLabels(splits, options.withTest);
  const testFiles = new Set(splits.test.map((t) => t.file));
  const files = [...splits.train, ...testFiles].sort();
  const hash = createHash('sha256');
  const passages: LabelledPassage[] = [];
  for (const f of files) {
    const isTest = testFiles.has(f);
    if (isTest && !options.withTest) continue;
    const bytes = readFileSync(join(CORPUS_DIR, 'corpus', f));
    if (!isTest) hash.update(`${f}\n`).update(bytes);
    for (const line of parseCorpus(bytes.toString('utf8'), f))
      passages.push({
        line,
        y: targets(line, handoff.labels.get(line.id)),
        split: isTest ? 'test' : splitOf(line.id),
        file: f,
      });
  }
  const legacy = legacyLines(handoff.labels);
  hash.update('signals/corpus.jsonl\n').update(legacy.bytes);
  for (const h of handoff.trainingFiles) hash.update(`handoff/${h.file}\n`).update(h.bytes);
  passages.push(...legacy.lines);
  return { passages, trainingSha256: hash.digest('hex') };
}

/** The corpus line as the reader sees a record: its own source, direction and rep. */
export function asDealText(line: CorpusLine, recordId = line.id): DealText {
  return {
    recordId,
    source: line.source,
    text: line.text,
    occurredAt: '2026-01-01T00:00:00.000Z',
    direction: line.source === 'email' ? line.direction : null,
  };
}

/** The feature families the shipped model uses (chosen on dev: see docs/language.md). */
export const FEATURES: FeatureSet = { charGrams: [4], skipPairs: false };

/** Features of a whole corpus passage (one passage, however long, as it was labelled). */
export function passageFeatures(
  line: CorpusLine,
  set: FeatureSet = FEATURES,
): { features: FeatureVector; sentences: FeatureVector[]; tokens: Token[]; text: string } {
  const seg = segment(asDealText(line), [line.rep]);
  const units = seg.passages.flatMap((p) => p.units);
  const whole: Passage = { start: units[0]?.start ?? 0, end: units.at(-1)?.end ?? 0, units };
  const lang = detectLanguage(seg.text);
  return { ...featurize(seg.text, whole, lang, line.source, set), text: seg.text };
}

export const PASSAGE_OPTIONS = {
  bits: 17,
  heads: HEADS.length,
  epochs: 10,
  learningRate: 0.2,
  l2: 1e-6,
  seed: 20261207,
};
/** The sentence model: the same settings, its own training order. */
export const SENTENCE_OPTIONS = { ...PASSAGE_OPTIONS, seed: 20261208 };
const CANDIDATE_OPTIONS = { bits: 14, heads: 1, epochs: 20, learningRate: 0.3, l2: 1e-5, seed: 7 };

export function calibrate(model: LinearModel, dev: FeatureVector[], y: Float32Array[]): void {
  calibrateOn(
    model,
    dev.map((f) => logits(model, f)),
    y,
  );
}

/** Platt scaling per head on held-out logits, skipping rows without a label for the head. */
function calibrateOn(
  model: { platt: Float64Array; heads: number },
  z: ArrayLike<number>[],
  y: Float32Array[],
): void {
  for (let h = 0; h < model.heads; h++) {
    const zs: number[] = [];
    const ys: number[] = [];
    z.forEach((row, i) => {
      const t = y[i]![h]!;
      if (Number.isNaN(t)) return;
      zs.push(row[h]!);
      ys.push(t);
    });
    const [a, b] = fitPlatt(zs, ys);
    model.platt[2 * h] = a;
    model.platt[2 * h + 1] = b;
  }
}

type CandidateSet = { vectors: FeatureVector[]; labels: Float32Array[] };

function candidateSet(
  items: PreparedRow[],
  find: (item: PreparedRow) => { candidates: Candidate[]; answer: string | null } | null,
): CandidateSet {
  const set: CandidateSet = { vectors: [], labels: [] };
  for (const item of items) {
    const found = find(item);
    if (!found) continue;
    for (const c of found.candidates) {
      set.vectors.push(candidateVector(c.features, CANDIDATE_OPTIONS.bits));
      set.labels.push(Float32Array.of(c.value === found.answer ? 1 : 0));
    }
  }
  return set;
}

function trainCandidates(trainSet: CandidateSet, devSet: CandidateSet): LinearModel {
  const { weights, bias } = train(trainSet.vectors, trainSet.labels, CANDIDATE_OPTIONS);
  const model = quantize(weights, bias, CANDIDATE_OPTIONS.bits, 1);
  calibrate(model, devSet.vectors, devSet.labels);
  return model;
}

export interface TrainedArtifact {
  json: string;
  weights: Buffer;
  model: LoadedModel;
  summary: Record<string, unknown>;
}

export type PreparedRow = LabelledPassage & {
  features: FeatureVector;
  sentences: FeatureVector[];
  tokens: Token[];
  text: string;
};

/** The training corpus with each passage's features, split into train and dev. */
export function prepareCorpus(set: FeatureSet = FEATURES): {
  train: PreparedRow[];
  dev: PreparedRow[];
  trainingSha256: string;
} {
  const { passages, trainingSha256 } = loadCorpus({ withTest: false });
  const prepared = passages.map((p) => ({ ...p, ...passageFeatures(p.line, set) }));
  return {
    train: prepared.filter((p) => p.split === 'train'),
    dev: prepared.filter((p) => p.split === 'dev'),
    trainingSha256,
  };
}

/** The passage model: trained on train, quantized, calibrated on dev. */
export function fitPassageModel(
  trainRows: PreparedRow[],
  devRows: PreparedRow[],
  options: typeof PASSAGE_OPTIONS = PASSAGE_OPTIONS,
): LinearModel {
  const { weights, bias } = train(
    trainRows.map((p) => p.features),
    trainRows.map((p) => p.y),
    options,
  );
  const passage = quantize(weights, bias, options.bits, HEADS.length);
  calibrate(
    passage,
    devRows.map((p) => p.features),
    devRows.map((p) => p.y),
  );
  return passage;
}

/** The sentence model: each passage a bag of its sentences (multiple-instance), calibrated on dev. */
export function fitSentenceModel(
  trainRows: PreparedRow[],
  devRows: PreparedRow[],
  options: typeof SENTENCE_OPTIONS = SENTENCE_OPTIONS,
): LinearModel {
  const { weights, bias } = trainPooled(
    trainRows.map((p) => p.sentences),
    trainRows.map((p) => p.y),
    options,
  );
  const sentence = quantize(weights, bias, options.bits, HEADS.length);
  calibrateOn(
    sentence,
    devRows.map((p) => pooledLogits(sentence, p.sentences)),
    devRows.map((p) => p.y),
  );
  return sentence;
}

/** Both models, and their combination fitted on dev. */
export function fitReadingModels(
  trainRows: PreparedRow[],
  devRows: PreparedRow[],
  options: typeof PASSAGE_OPTIONS = PASSAGE_OPTIONS,
): ReadingModels {
  const passage = fitPassageModel(trainRows, devRows, options);
  const sentence = fitSentenceModel(trainRows, devRows, { ...options, seed: SENTENCE_OPTIONS.seed });
  const zp = devRows.map((r) => logits(passage, r.features));
  const zs = devRows.map((r) => pooledLogits(sentence, r.sentences));
  const combine = new Float64Array(COMBINE_INPUTS * HEADS.length);
  HEADS.forEach((_, h) => {
    const rows = devRows.flatMap((r, i) => {
      if (Number.isNaN(r.y[h]!)) return [];
      const reading = { passage, zp: zp[i]![h]!, sentence, zs: zs[i]![h]!, sentences: r.sentences.length, h };
      return [{ x: combineInputs(reading), y: r.y[h]! }];
    });
    // Readiness is the whole passage's judgement (a yes taken back two sentences later is no yes),
    // not something one sentence states: it is the passage model's alone. So is a head with no
    // positive example on dev.
    const w =
      HEADS[h] !== 'ready' && rows.some((r) => r.y === 1)
        ? fitLogistic(
            rows.map((r) => r.x),
            rows.map((r) => r.y),
          )
        : [1, 0, 0, 0];
    combine.set(w, h * COMBINE_INPUTS);
  });
  return { passage, sentence, combine };
}

export interface ReadingModels {
  passage: LinearModel;
  sentence: LinearModel;
  combine: Float64Array;
}

/** A prepared row's calibrated probabilities, as the reader computes them. */
export function rowProbabilities(m: ReadingModels, r: PreparedRow): Float64Array {
  return combinedProbabilities(
    m.passage,
    logits(m.passage, r.features),
    m.sentence,
    pooledLogits(m.sentence, r.sentences),
    r.sentences.length,
    m.combine,
  );
}

export function trainModel(): TrainedArtifact {
  const { train: trainRows, dev: devRows, trainingSha256 } = prepareCorpus();
  const models = fitReadingModels(trainRows, devRows);
  const thresholds = bestThresholds(
    devRows.map((r) => rowProbabilities(models, r)),
    devRows.map((r) => r.y),
  ).map((t) => t.threshold);
  const candidates = trainCandidateModels(trainRows, devRows);
  const count = (rows: PreparedRow[]) => {
    const c: Record<string, number> = {};
    for (const r of rows) c[r.line.lang] = (c[r.line.lang] ?? 0) + 1;
    return c;
  };
  const training = {
    train: count(trainRows),
    dev: count(devRows),
    passageModel: PASSAGE_OPTIONS,
    sentenceModel: SENTENCE_OPTIONS,
    candidateModels: CANDIDATE_OPTIONS,
  };
  const meta = {
    version: '',
    corpusSha256: trainingSha256,
    heads: [...HEADS],
    features: FEATURES,
    thresholds,
    combine: Array.from(models.combine),
    training,
  };
  const { passage, sentence } = models;
  // The version names the weights, not only the corpus: the same corpus trained another way is
  // another model.
  const weightsHash = createHash('sha256');
  for (const m of [passage, sentence, ...CANDIDATE_MODELS.map((k) => candidates[k])])
    weightsHash.update(m.weights).update(m.platt).update(m.bias);
  const weightsSha = weightsHash.update(models.combine).digest('hex');
  meta.version = `lm-${trainingSha256.slice(0, 6)}${weightsSha.slice(0, 6)}`;
  const { json, weights: bytes, meta: full } = serialize({ passage, sentence, candidates }, meta);
  return {
    json,
    weights: bytes,
    model: { meta: full, passage, sentence, candidates },
    summary: { ...training, corpusSha256: trainingSha256 },
  };
}

/** Which value in a passage is the asked-for one: trained where the passage asks for one. */
export function trainCandidateModels(trainRows: PreparedRow[], devRows: PreparedRow[]): CandidateModels {
  // Which passages teach each model (those asking for such a value), and the labelled answer.
  const answers: Record<(typeof CANDIDATE_MODELS)[number], (r: PreparedRow) => string | null | undefined> = {
    payment: (r) => (r.line.terms.payment_days === null ? undefined : String(r.line.terms.payment_days)),
    billing: (r) => r.line.terms.billing ?? undefined,
    residency: (r) => r.line.terms.residency ?? undefined,
    competitor: (r) =>
      !r.file.startsWith('signals/') && r.line.signals.includes('competitor_mention')
        ? r.line.competitor
        : undefined,
  };
  const sets = Object.fromEntries(
    CANDIDATE_MODELS.map((k) => [
      k,
      (rows: PreparedRow[]) =>
        candidateSet(
          rows.filter((r) => answers[k](r) !== undefined),
          (r) => ({ candidates: CANDIDATE_FINDERS[k].find(r.text, r.tokens), answer: answers[k](r) ?? null }),
        ),
    ]),
  ) as Record<(typeof CANDIDATE_MODELS)[number], (rows: PreparedRow[]) => CandidateSet>;
  const out = {} as CandidateModels;
  for (const k of CANDIDATE_MODELS) out[k] = trainCandidates(sets[k](trainRows), sets[k](devRows));
  return out;
}

/**
 * For each head, the probability above which it is said to hold: the F1-best threshold on dev for
 * the signal and term heads (rare labels want a lower bar than 0.5), 0.5 for readiness, whose
 * probability is read as such. Thresholds run from 0.02 to 0.9; a tie keeps the one nearest 0.5.
 */
export function bestThresholds(p: Float64Array[], y: Float32Array[]): { threshold: number; f1: number }[] {
  return HEADS.map((head, h) => {
    const rows = p.map((row, i) => ({ p: row[h]!, y: y[i]![h]! })).filter((r) => !Number.isNaN(r.y));
    const f1At = (t: number) => {
      let tp = 0;
      let fp = 0;
      let fn = 0;
      for (const r of rows) {
        if (r.p >= t && r.y === 1) tp++;
        else if (r.p >= t) fp++;
        else if (r.y === 1) fn++;
      }
      return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
    };
    if (head === 'ready') return { threshold: 0.5, f1: f1At(0.5) };
    // A head nothing was labelled for never holds.
    if (!rows.some((r) => r.y === 1)) return { threshold: 1, f1: 0 };
    let best = { threshold: 0.5, f1: f1At(0.5) };
    // 0.02 and 0.05 for the rarest heads, whose calibrated probabilities stay near their base rate.
    for (const t of [0.02, 0.05, ...Array.from({ length: 17 }, (_, k) => (k + 2) / 20)]) {
      const f1 = f1At(t);
      if (
        f1 > best.f1 + 1e-9 ||
        (Math.abs(f1 - best.f1) <= 1e-9 && Math.abs(t - 0.5) < Math.abs(best.threshold - 0.5))
      )
        best = { threshold: t, f1 };
    }
    return best;
  });
}
