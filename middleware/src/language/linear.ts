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
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

export function logits(model: LinearModel, f: FeatureVector): Float64Array {
  const H = model.heads;
  const w = model.weights;
  const index = f.index;
  const mask = (1 << model.bits) - 1;
  // Every feature has the same value, so the bytes are summed as integers and scaled once.
  const sums = new Int32Array(H);
  for (let i = 0; i < index.length; i++) {
    const base = (index[i]! & mask) * H;
    for (let h = 0; h < H; h++) sums[h]! += w[base + h]!;
  }
  const out = new Float64Array(H);
  for (let h = 0; h < H; h++) out[h] = sums[h]! * f.value * model.scales[h]! + model.bias[h]!;
  return out;
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
        for (let i = 0; i < f.index.length; i++) {
          const k = (f.index[i]! & mask) * H + h;
          const grad = err * f.value + o.l2 * w[k]!;
          g[k]! += grad * grad;
          w[k]! -= (o.learningRate * grad) / Math.sqrt(g[k]! + 1e-8);
        }
      }
    }
  }
  return { weights: w, bias };
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
