/**
 * The model's arithmetic: multi-head logistic regression over hashed features, trained with
 * AdaGrad in a fixed order (the same corpus gives the same weights, bit for bit), quantized to
 * one byte per weight, and calibrated per head with Platt scaling on held-out passages.
 */
import type { FeatureVector } from './features.ts';

export interface LinearModel {
  bits: number;
  heads: number;
  /** Feature-major: weights[feature * heads + head], to be multiplied by `scales[head]`. */
  weights: Int8Array;
  scales: Float32Array;
  bias: Float32Array;
  /** Platt scaling per head: p = sigmoid(platt[2h] * logit + platt[2h + 1]). */
  platt: Float64Array;
  /**
   * Where a feature's row is when `weights` holds two models' rows side by side (`interleave`):
   * the row length of both, and this model's place in it. Unset: rows of `heads` bytes.
   */
  stride?: number;
  offset?: number;
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

let scratch = new Int32Array(64);

export function logits(model: LinearModel, f: FeatureVector): Float64Array {
  const H = model.heads;
  const w = model.weights;
  const index = f.index;
  const mask = (1 << model.bits) - 1;
  const stride = model.stride ?? H;
  const offset = model.offset ?? 0;
  // Every feature has the same value, so the bytes are summed as integers and scaled once, in a
  // scratch array reused across calls (one per sentence of every passage read).
  if (scratch.length < H) scratch = new Int32Array(H);
  const sums = scratch;
  sums.fill(0, 0, H);
  for (let i = 0; i < index.length; i++) {
    const base = (index[i]! & mask) * stride + offset;
    for (let h = 0; h < H; h++) sums[h]! += w[base + h]!;
  }
  const out = new Float64Array(H);
  for (let h = 0; h < H; h++) out[h] = sums[h]! * f.value * model.scales[h]! + model.bias[h]!;
  return out;
}

/**
 * Two models over the same buckets with each bucket's rows side by side. A passage's buckets are
 * looked up in the passage model and then, sentence by sentence, in the sentence model: with the
 * rows together the second lookup finds its bytes already in the cache (measured in
 * docs/benchmarks.md).
 */
export function interleave(a: LinearModel, b: LinearModel): [LinearModel, LinearModel] {
  if (a.bits !== b.bits || a.stride !== undefined || b.stride !== undefined) return [a, b];
  const H = a.heads;
  const G = b.heads;
  const stride = H + G;
  const w = new Int8Array((1 << a.bits) * stride);
  for (let f = 0; f < 1 << a.bits; f++) {
    w.set(a.weights.subarray(f * H, f * H + H), f * stride);
    w.set(b.weights.subarray(f * G, f * G + G), f * stride + H);
  }
  return [
    { ...a, weights: w, stride, offset: 0 },
    { ...b, weights: w, stride, offset: H },
  ];
}

export function calibrated(model: LinearModel, z: Float64Array): Float64Array {
  return z.map((x, h) => sigmoid(model.platt[2 * h]! * x + model.platt[2 * h + 1]!));
}

/** A deterministic PRNG (mulberry32) for the training order. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface TrainOptions {
  bits: number;
  heads: number;
  epochs: number;
  learningRate: number;
  l2: number;
  seed: number;
}

/** The weights being trained, and AdaGrad's sum of squared gradients per weight. */
interface AdaGradState {
  w: Float32Array;
  g: Float32Array;
}

/** One AdaGrad step of head h's weights for the features of one example with error err. */
function adagrad(state: AdaGradState, f: FeatureVector, h: number, err: number, o: TrainOptions) {
  const { w, g } = state;
  const mask = (1 << o.bits) - 1;
  for (let i = 0; i < f.index.length; i++) {
    const k = (f.index[i]! & mask) * o.heads + h;
    const grad = err * f.value + o.l2 * w[k]!;
    g[k]! += grad * grad;
    w[k]! -= (o.learningRate * grad) / Math.sqrt(g[k]! + 1e-8);
  }
}

/** Labels: one row per example, 1, 0, or NaN where the head has no label for the example. */
export function train(
  examples: FeatureVector[],
  labels: Float32Array[],
  o: TrainOptions,
): { weights: Float32Array; bias: Float32Array } {
  const H = o.heads;
  const size = (1 << o.bits) * H;
  const mask = (1 << o.bits) - 1;
  const w = new Float32Array(size);
  const g = new Float32Array(size);
  const bias = new Float32Array(H);
  const gb = new Float32Array(H);
  const order = examples.map((_, i) => i);
  const rand = prng(o.seed);
  const z = new Float64Array(H);
  const state: AdaGradState = { w, g };
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const e of order) {
      const f = examples[e]!;
      const y = labels[e]!;
      z.set(bias);
      for (let i = 0; i < f.index.length; i++) {
        const base = (f.index[i]! & mask) * H;
        for (let h = 0; h < H; h++) z[h]! += f.value * w[base + h]!;
      }
      for (let h = 0; h < H; h++) {
        const target = y[h]!;
        if (Number.isNaN(target)) continue;
        const err = sigmoid(z[h]!) - target;
        gb[h]! += err * err;
        bias[h]! -= (o.learningRate * err) / Math.sqrt(gb[h]! + 1e-8);
        adagrad(state, f, h, err, o);
      }
    }
  }
  return { weights: w, bias };
}

/**
 * A bag's logit per head: the log-sum-exp of its sentences' logits, a smooth maximum, so a bag
 * holds when one of its sentences does. A bag without sentences scores as one empty sentence.
 */
export function pooledLogits(model: LinearModel, sentences: FeatureVector[]): Float64Array {
  return pooled(
    model,
    sentences.map((f) => logits(model, f)),
  );
}

/** The pooled logits of sentences already scored. */
export function pooled(model: LinearModel, perSentence: Float64Array[]): Float64Array {
  return pool(perSentence.length > 0 ? perSentence : [Float64Array.from(model.bias)], model.heads).z;
}

/** Log-sum-exp per head, and each sentence's share of it (its softmax weight). */
export function pool(zs: Float64Array[], H: number): { z: Float64Array; share: Float64Array[] } {
  const z = new Float64Array(H);
  const share = zs.map(() => new Float64Array(H));
  for (let h = 0; h < H; h++) {
    let m = -Infinity;
    for (const row of zs) m = Math.max(m, row[h]!);
    let sum = 0;
    for (const row of zs) sum += Math.exp(row[h]! - m);
    z[h] = m + Math.log(sum);
    zs.forEach((row, u) => (share[u]![h] = Math.exp(row[h]! - m) / sum));
  }
  return { z, share };
}

/**
 * Multiple-instance training: the labels belong to a bag (a labelled passage), the features to its
 * sentences, and the bag's logit is the pooled one. Each sentence's gradient is weighted by its
 * share of the pool, so the sentence that states a thing learns it and its neighbours do not.
 * AdaGrad in a seeded order, as `train`.
 */
export function trainPooled(
  bags: FeatureVector[][],
  labels: Float32Array[],
  o: TrainOptions,
): { weights: Float32Array; bias: Float32Array } {
  const H = o.heads;
  const mask = (1 << o.bits) - 1;
  const w = new Float32Array((1 << o.bits) * H);
  const g = new Float32Array(w.length);
  const bias = new Float32Array(H);
  const gb = new Float32Array(H);
  const order = bags.map((_, i) => i).filter((i) => bags[i]!.length > 0);
  const rand = prng(o.seed);
  const state: AdaGradState = { w, g };
  const sentenceLogits = (f: FeatureVector) => {
    const z = Float64Array.from(bias);
    for (let i = 0; i < f.index.length; i++) {
      const base = (f.index[i]! & mask) * H;
      for (let h = 0; h < H; h++) z[h]! += f.value * w[base + h]!;
    }
    return z;
  };
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const e of order) {
      const bag = bags[e]!;
      const { z, share } = pool(bag.map(sentenceLogits), H);
      for (let h = 0; h < H; h++) {
        const target = labels[e]![h]!;
        if (Number.isNaN(target)) continue;
        const err = sigmoid(z[h]!) - target;
        gb[h]! += err * err;
        bias[h]! -= (o.learningRate * err) / Math.sqrt(gb[h]! + 1e-8);
        bag.forEach((f, u) => {
          const eu = err * share[u]![h]!;
          // A sentence with no share of the pool has nothing to learn from this bag.
          if (Math.abs(eu) < 1e-6) return;
          adagrad(state, f, h, eu, o);
        });
      }
    }
  }
  return { weights: w, bias };
}

/** Inputs to the combination per head: passage log-odds, sentence log-odds, log of sentences, 1. */
export const COMBINE_INPUTS = 4;

/** One passage's readings of one head, as the combination takes them. */
export interface CombineReading {
  passage: LinearModel;
  /** The passage model's logit for head h. */
  zp: number;
  sentence: LinearModel;
  /** The sentence model's pooled logit for head h. */
  zs: number;
  /** How many sentences were pooled. */
  sentences: number;
  h: number;
}

/** The combination's inputs for one head. */
export function combineInputs({ passage, zp, sentence, zs, sentences, h }: CombineReading): number[] {
  return [
    passage.platt[2 * h]! * zp + passage.platt[2 * h + 1]!,
    sentence.platt[2 * h]! * zs + sentence.platt[2 * h + 1]!,
    Math.log(Math.max(1, sentences)),
    1,
  ];
}

/**
 * The two models' readings combined per head by a logistic regression fitted on dev (stacking):
 * each model's calibrated log-odds and the log of the passage's sentence count, for the pooled
 * sentence score grows with the number of sentences pooled. Its output is calibrated on dev.
 */
// eslint-disable-next-line max-params -- runs for every passage read (the reader's hot path): positional numbers, not an object per passage
export function combinedProbabilities(
  passage: LinearModel,
  zPassage: Float64Array,
  sentence: LinearModel,
  zSentence: Float64Array,
  sentences: number,
  combine: ArrayLike<number>,
): Float64Array {
  const out = new Float64Array(passage.heads);
  const logSentences = Math.log(Math.max(1, sentences));
  for (let h = 0; h < passage.heads; h++) {
    // combineInputs(…) · combine[h], written out: this runs for every head of every passage read.
    const c = h * COMBINE_INPUTS;
    const lp = passage.platt[2 * h]! * zPassage[h]! + passage.platt[2 * h + 1]!;
    const ls = sentence.platt[2 * h]! * zSentence[h]! + sentence.platt[2 * h + 1]!;
    out[h] = sigmoid(
      combine[c]! * lp + combine[c + 1]! * ls + combine[c + 2]! * logSentences + combine[c + 3]!,
    );
  }
  return out;
}

/**
 * A small logistic regression by Newton's method with a backtracking line search and a light ridge
 * penalty (which keeps it finite on separable data). Returns the weights, the last one the bias
 * when the rows end in 1.
 */
export function fitLogistic(x: number[][], y: number[], ridge = 1e-3): number[] {
  const k = x[0]?.length ?? 0;
  const w = new Array<number>(k).fill(0);
  const loss = (v: number[]) => {
    let f = 0;
    for (let i = 0; i < x.length; i++) {
      let z = 0;
      for (let j = 0; j < k; j++) z += v[j]! * x[i]![j]!;
      f += y[i] === 1 ? Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
    }
    for (let j = 0; j < k; j++) f += (ridge * v[j]! * v[j]!) / 2;
    return f;
  };
  let f = loss(w);
  for (let iter = 0; iter < 50; iter++) {
    const g = new Array<number>(k).fill(0);
    const H = Array.from({ length: k }, () => new Array<number>(k).fill(0));
    for (let i = 0; i < x.length; i++) {
      let z = 0;
      for (let j = 0; j < k; j++) z += w[j]! * x[i]![j]!;
      const p = sigmoid(z);
      for (let j = 0; j < k; j++) {
        g[j]! += (p - y[i]!) * x[i]![j]!;
        for (let l = 0; l < k; l++) H[j]![l]! += p * (1 - p) * x[i]![j]! * x[i]![l]!;
      }
    }
    for (let j = 0; j < k; j++) {
      g[j]! += ridge * w[j]!;
      H[j]![j]! += ridge;
    }
    const step = solve(H, g);
    let t = 1;
    let moved = false;
    while (t >= 1e-8) {
      const next = w.map((v, j) => v - t * step[j]!);
      const nf = loss(next);
      if (nf < f) {
        w.splice(0, k, ...next);
        moved = f - nf > 1e-10;
        f = nf;
        break;
      }
      t /= 2;
    }
    if (!moved) break;
  }
  return w;
}

/** Gaussian elimination with partial pivoting: A·x = b for a small, positive definite A. */
function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const m = A.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = m[r]![c]! / m[c]![c]!;
      for (let j = c; j <= n; j++) m[r]![j]! -= f * m[c]![j]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r]![n]!;
    for (let j = r + 1; j < n; j++) s -= m[r]![j]! * x[j]!;
    x[r] = s / m[r]![r]!;
  }
  return x;
}

/** One byte per weight with a scale per head; the calibration is fitted on the quantized model. */
export function quantize(
  weights: Float32Array,
  bias: Float32Array,
  bits: number,
  heads: number,
): LinearModel {
  const scales = new Float32Array(heads);
  for (let k = 0; k < weights.length; k++) {
    const h = k % heads;
    scales[h] = Math.max(scales[h]!, Math.abs(weights[k]!));
  }
  for (let h = 0; h < heads; h++) scales[h] = scales[h]! > 0 ? scales[h]! / 127 : 1;
  const q = new Int8Array(weights.length);
  for (let k = 0; k < weights.length; k++) q[k] = Math.round(weights[k]! / scales[k % heads]!);
  const platt = new Float64Array(heads * 2);
  for (let h = 0; h < heads; h++) platt[2 * h] = 1;
  return { bits, heads, weights: q, scales, bias: Float32Array.from(bias), platt };
}

/**
 * Platt scaling (Platt 1999), fitted by Newton's method with a backtracking line search as in
 * Lin, Lin and Weng (2007): a and b such that sigmoid(a·z + b) matches the held-out labels (with
 * Platt's smoothed targets), in a numerically stable form. The line search keeps every step a
 * descent, so strongly separated logits cannot make the fit diverge.
 */
export function fitPlatt(z: number[], y: number[]): [number, number] {
  const pos = y.filter((v) => v === 1).length;
  const neg = y.length - pos;
  if (pos === 0 || neg === 0) return [1, 0];
  const hi = (pos + 1) / (pos + 2);
  const lo = 1 / (neg + 2);
  const t = y.map((v) => (v === 1 ? hi : lo));
  // Log loss of (A, B) in Lin et al.'s sign convention, p = 1 / (1 + exp(A·z + B)).
  const loss = (A: number, B: number) => {
    let f = 0;
    for (let i = 0; i < z.length; i++) {
      const fApB = z[i]! * A + B;
      f +=
        fApB >= 0
          ? t[i]! * fApB + Math.log1p(Math.exp(-fApB))
          : (t[i]! - 1) * fApB + Math.log1p(Math.exp(fApB));
    }
    return f;
  };
  let A = 0;
  let B = Math.log((neg + 1) / (pos + 1));
  let f = loss(A, B);
  for (let iter = 0; iter < 100; iter++) {
    let h11 = 1e-12;
    let h22 = 1e-12;
    let h21 = 0;
    let g1 = 0;
    let g2 = 0;
    for (let i = 0; i < z.length; i++) {
      const fApB = z[i]! * A + B;
      const p = fApB >= 0 ? Math.exp(-fApB) / (1 + Math.exp(-fApB)) : 1 / (1 + Math.exp(fApB));
      const q = 1 - p;
      const d2 = p * q;
      h11 += z[i]! * z[i]! * d2;
      h22 += d2;
      h21 += z[i]! * d2;
      const d1 = t[i]! - p;
      g1 += z[i]! * d1;
      g2 += d1;
    }
    if (Math.abs(g1) < 1e-9 && Math.abs(g2) < 1e-9) break;
    const det = h11 * h22 - h21 * h21;
    const dA = -(h22 * g1 - h21 * g2) / det;
    const dB = -(-h21 * g1 + h11 * g2) / det;
    const gd = g1 * dA + g2 * dB;
    let step = 1;
    let moved = false;
    while (step >= 1e-10) {
      const nA = A + step * dA;
      const nB = B + step * dB;
      const nf = loss(nA, nB);
      if (nf < f + 1e-4 * step * gd) {
        A = nA;
        B = nB;
        f = nf;
        moved = true;
        break;
      }
      step /= 2;
    }
    if (!moved) break;
  }
  // Back to p = sigmoid(a·z + b).
  return [-A, -B];
}
