/**
 * The trained model on disk: `model.json` (what it was trained on, its heads, thresholds, scales,
 * biases and calibration) and `weights.bin.gz` (one signed byte per weight: the passage model, the
 * sentence model, then the payment-days, invoicing, region and competitor-name models). Written byte-identically for
 * the same corpus.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { REPO_ROOT } from '../paths.ts';
import { COMBINE_INPUTS, interleave, type LinearModel } from './linear.ts';

export const MODEL_DIR = join(REPO_ROOT, 'middleware', 'model', 'language');

const LinearMetaSchema = z.object({
  bits: z.number().int().min(8).max(24),
  heads: z.number().int().min(1),
  scales: z.array(z.number()),
  bias: z.array(z.number()),
  platt: z.array(z.number()),
});

export const ModelMetaSchema = z.object({
  format: z.literal(2),
  version: z.string(),
  /** SHA-256 of the training corpus (the files in order, as bytes). */
  corpusSha256: z.string().regex(/^[0-9a-f]{64}$/),
  heads: z.array(z.string()),
  /** The feature families the model was trained with, and reads with. */
  features: z.object({
    charGrams: z.array(z.number().int().min(2).max(5)),
    skipPairs: z.boolean(),
    sourceFeatures: z.boolean().optional(),
  }),
  /** Per passage head, the probability from which it is said to hold (chosen on dev). */
  thresholds: z.array(z.number().min(0).max(1)),
  passage: LinearMetaSchema,
  sentence: LinearMetaSchema,
  /** Per head, the combination's weights (linear.ts `combinedProbabilities`). */
  combine: z.array(z.number()),
  candidates: z.object({
    payment: LinearMetaSchema,
    billing: LinearMetaSchema,
    residency: LinearMetaSchema,
    competitor: LinearMetaSchema,
  }),
  training: z.record(z.string(), z.unknown()),
});
export type ModelMeta = z.infer<typeof ModelMetaSchema>;

export const CANDIDATE_MODELS = ['payment', 'billing', 'residency', 'competitor'] as const;
export type CandidateModels = Record<(typeof CANDIDATE_MODELS)[number], LinearModel>;

export interface LoadedModel {
  meta: ModelMeta;
  passage: LinearModel;
  sentence: LinearModel;
  candidates: CandidateModels;
}

function meta(m: LinearModel): z.infer<typeof LinearMetaSchema> {
  return {
    bits: m.bits,
    heads: m.heads,
    scales: Array.from(m.scales),
    bias: Array.from(m.bias),
    platt: Array.from(m.platt),
  };
}

export function serialize(
  models: { passage: LinearModel; sentence: LinearModel; candidates: CandidateModels },
  info: Omit<ModelMeta, 'format' | 'passage' | 'sentence' | 'candidates'>,
): { json: string; weights: Buffer; meta: ModelMeta } {
  const m: ModelMeta = {
    format: 2,
    ...info,
    passage: meta(models.passage),
    sentence: meta(models.sentence),
    candidates: {
      payment: meta(models.candidates.payment),
      billing: meta(models.candidates.billing),
      residency: meta(models.candidates.residency),
      competitor: meta(models.candidates.competitor),
    },
  };
  const parts = [models.passage, models.sentence, ...CANDIDATE_MODELS.map((k) => models.candidates[k])].map(
    (x) => Buffer.from(x.weights.buffer, x.weights.byteOffset, x.weights.byteLength),
  );
  // No timestamp or file name in the gzip header, so the bytes depend on the weights alone.
  return {
    json: `${JSON.stringify(m, null, 1)}\n`,
    weights: gzipSync(Buffer.concat(parts), { level: 9 }),
    meta: m,
  };
}

function linear(m: z.infer<typeof LinearMetaSchema>, bytes: Buffer, offset: number): LinearModel {
  const size = (1 << m.bits) * m.heads;
  if (offset + size > bytes.length)
    throw new Error('language model: weights.bin.gz is shorter than model.json says');
  return {
    bits: m.bits,
    heads: m.heads,
    weights: new Int8Array(bytes.buffer, bytes.byteOffset + offset, size),
    scales: Float32Array.from(m.scales),
    bias: Float32Array.from(m.bias),
    platt: Float64Array.from(m.platt),
  };
}

export function loadModel(dir = MODEL_DIR): LoadedModel {
  const parsed = ModelMetaSchema.safeParse(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')));
  if (!parsed.success)
    throw new Error(
      `language model: ${join(dir, 'model.json')} is not a model (${parsed.error.issues[0]?.message})`,
    );
  const m = parsed.data;
  const bytes = gunzipSync(readFileSync(join(dir, 'weights.bin.gz')));
  if (m.combine.length !== COMBINE_INPUTS * m.passage.heads || m.sentence.heads !== m.passage.heads)
    throw new Error('language model: model.json has a sentence model or combination of another shape');
  let offset = (1 << m.passage.bits) * m.passage.heads;
  const [passage, sentence] = interleave(linear(m.passage, bytes, 0), linear(m.sentence, bytes, offset));
  offset += (1 << m.sentence.bits) * m.sentence.heads;
  const candidates = {} as CandidateModels;
  for (const k of CANDIDATE_MODELS) {
    const c = linear(m.candidates[k], bytes, offset);
    // Copied out, so the unzipped file is not kept alive by a view of it.
    candidates[k] = { ...c, weights: c.weights.slice() };
    offset += (1 << m.candidates[k].bits) * m.candidates[k].heads;
  }
  return { meta: m, passage, sentence, candidates };
}
