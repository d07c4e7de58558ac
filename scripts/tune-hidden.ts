/**
 * An experiment on the dev split only (the test split is never read): does a small non-linear model
 * over the same hashed features beat the linear passage and sentence models by enough to ship?
 *
 * A one-hidden-layer network (sparse input: per feature bucket a row of hidden weights; ReLU or
 * tanh units; one output per head) is trained with AdaGrad in a seeded order, L2 and optional
 * dropout on the hidden units, as a passage model and as a multiple-instance sentence model
 * (log-sum-exp pooling, each sentence's gradient weighted by its share, as `trainPooled`). It is
 * quantized to one byte per weight (a scale per hidden unit, and per head for the output layer),
 * Platt-calibrated on dev, and compared per head with the shipped combination
 * (`fitReadingModels`), with the networks' own combination and with a stack of linear and hidden.
 * Stacks are fitted on dev as the shipped one is; each is also shown cross-fitted (five folds of
 * dev), which removes the advantage a stack with more inputs gets from being scored where it was
 * fitted. Prints readiness accuracy, training seconds and inference cost per passage.
 *   node scripts/tune-hidden.ts [--hidden 64] [--epochs 6] [--lr 0.05] [--l2 1e-6] [--dropout 0]
 *     [--act relu|tanh] [--init 0.5] [--skip] [--seed n | --seeds a,b] [--no-sentence] [--limit n]
 */
import { createHash } from 'node:crypto';
import {
  type FeatureVector,
  detectLanguage,
  featurize,
  HEADS,
  combineInputs,
  combinedProbabilities,
  fitLogistic,
  fitPlatt,
  logits,
  pool,
  pooled,
  pooledLogits,
  prng,
  sigmoid,
  OfflineLanguageReader,
  segment,
  asDealText,
  bestThresholds,
  FEATURES,
  fitReadingModels,
  PASSAGE_OPTIONS,
  prepareCorpus,
  rowProbabilities,
  type PreparedRow,
  type ReadingModels,
} from '@dealdesk/middleware/language-model';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const num = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i < 0 ? fallback : Number(args[i + 1]);
};
const o = {
  bits: PASSAGE_OPTIONS.bits,
  hidden: num('--hidden', 64),
  heads: HEADS.length,
  epochs: num('--epochs', 6),
  learningRate: num('--lr', 0.05),
  l2: num('--l2', 1e-6),
  dropout: num('--dropout', 0),
  act:
    args.includes('--act') && args[args.indexOf('--act') + 1] === 'tanh'
      ? ('tanh' as const)
      : ('relu' as const),
  init: num('--init', 0.5),
  /** A linear part beside the hidden layer, trained jointly (wide and deep): the linear model plus a non-linear residual. */
  skip: flag('--skip'),
  skipRate: PASSAGE_OPTIONS.learningRate,
  seed: num('--seed', 20261209),
};
type Options = typeof o;

/** The network in training: float weights and their AdaGrad accumulators. */
interface Net {
  /** The linear part, feature-major as LinearModel's (empty without --skip). */
  w0: Float32Array;
  g0: Float32Array;
  w1: Float32Array;
  g1: Float32Array;
  b1: Float32Array;
  gb1: Float32Array;
  w2: Float32Array;
  g2: Float32Array;
  b2: Float32Array;
  gb2: Float32Array;
}

function newNet(op: Options): Net {
  const H = op.hidden;
  const K = op.heads;
  const rand = prng(op.seed ^ 0x5eed);
  const w1 = new Float32Array((1 << op.bits) * H);
  for (let k = 0; k < w1.length; k++) w1[k] = (rand() * 2 - 1) * op.init;
  const lim = Math.sqrt(6 / (H + K));
  const w2 = new Float32Array(H * K);
  for (let k = 0; k < w2.length; k++) w2[k] = (rand() * 2 - 1) * lim;
  const w0 = new Float32Array(op.skip ? (1 << op.bits) * K : 0);
  return {
    w0,
    g0: new Float32Array(w0.length),
    w1,
    g1: new Float32Array(w1.length),
    b1: new Float32Array(H),
    gb1: new Float32Array(H),
    w2,
    g2: new Float32Array(w2.length),
    b2: new Float32Array(K),
    gb2: new Float32Array(K),
  };
}

/** One example's forward pass: pre-activations, activations (after dropout), gate, logits. */
interface Pass {
  h: Float64Array;
  /** d activation / d pre-activation, times the dropout mask. */
  gate: Float64Array;
  z: Float64Array;
}

function forward(net: Net, op: Options, f: FeatureVector, rand?: () => number): Pass {
  const H = op.hidden;
  const K = op.heads;
  const mask = (1 << op.bits) - 1;
  const a = new Float64Array(H);
  for (let i = 0; i < f.index.length; i++) {
    const base = (f.index[i]! & mask) * H;
    for (let j = 0; j < H; j++) a[j]! += net.w1[base + j]!;
  }
  const h = new Float64Array(H);
  const gate = new Float64Array(H);
  for (let j = 0; j < H; j++) {
    const x = a[j]! * f.value + net.b1[j]!;
    const keep = rand && op.dropout > 0 ? (rand() < op.dropout ? 0 : 1 / (1 - op.dropout)) : 1;
    if (op.act === 'relu') {
      h[j] = x > 0 ? x * keep : 0;
      gate[j] = x > 0 ? keep : 0;
    } else {
      const t = Math.tanh(x);
      h[j] = t * keep;
      gate[j] = (1 - t * t) * keep;
    }
  }
  const z = Float64Array.from(net.b2);
  for (let j = 0; j < H; j++) {
    if (h[j] === 0) continue;
    for (let k = 0; k < K; k++) z[k]! += h[j]! * net.w2[j * K + k]!;
  }
  if (op.skip) {
    const lin = new Float64Array(K);
    for (let i = 0; i < f.index.length; i++) {
      const base = (f.index[i]! & mask) * K;
      for (let k = 0; k < K; k++) lin[k]! += net.w0[base + k]!;
    }
    for (let k = 0; k < K; k++) z[k]! += lin[k]! * f.value;
  }
  return { h, gate, z };
}

/** The hidden units' error for output errors dz, through the output weights as they are now. */
function hiddenError(net: Net, op: Options, pass: Pass, dz: Float64Array): Float64Array {
  const K = op.heads;
  const da = new Float64Array(op.hidden);
  for (let j = 0; j < op.hidden; j++) {
    if (pass.gate[j] === 0) continue;
    let s = 0;
    for (let k = 0; k < K; k++) s += net.w2[j * K + k]! * dz[k]!;
    da[j] = s * pass.gate[j]!;
  }
  return da;
}

/** AdaGrad steps for one example: output layer from dz, hidden layer from da. */
function update(net: Net, op: Options, f: FeatureVector, pass: Pass, dz: Float64Array, da: Float64Array) {
  const H = op.hidden;
  const K = op.heads;
  const lr = op.learningRate;
  const step = (w: Float32Array, g: Float32Array, k: number, grad: number) => {
    g[k]! += grad * grad;
    w[k]! -= (lr * grad) / Math.sqrt(g[k]! + 1e-8);
  };
  for (let k = 0; k < K; k++) if (dz[k] !== 0) step(net.b2, net.gb2, k, dz[k]!);
  for (let j = 0; j < H; j++) {
    if (pass.h[j] === 0) continue;
    for (let k = 0; k < K; k++)
      if (dz[k] !== 0) step(net.w2, net.g2, j * K + k, pass.h[j]! * dz[k]! + op.l2 * net.w2[j * K + k]!);
  }
  const active: number[] = [];
  for (let j = 0; j < H; j++) {
    if (da[j] === 0) continue;
    active.push(j);
    step(net.b1, net.gb1, j, da[j]!);
  }
  const mask = (1 << op.bits) - 1;
  if (op.skip) updateSkip(net, op, f, dz);
  const { w1, g1 } = net;
  for (let i = 0; i < f.index.length; i++) {
    const base = (f.index[i]! & mask) * H;
    for (const j of active) {
      const k = base + j;
      const grad = f.value * da[j]! + op.l2 * w1[k]!;
      g1[k]! += grad * grad;
      w1[k]! -= (lr * grad) / Math.sqrt(g1[k]! + 1e-8);
    }
  }
}

/** The linear part's AdaGrad step, as linear.ts `adagrad` with the linear model's learning rate. */
function updateSkip(net: Net, op: Options, f: FeatureVector, dz: Float64Array) {
  const K = op.heads;
  const mask = (1 << op.bits) - 1;
  const { w0, g0 } = net;
  for (let i = 0; i < f.index.length; i++) {
    const base = (f.index[i]! & mask) * K;
    for (let k = 0; k < K; k++) {
      if (dz[k] === 0) continue;
      const grad = dz[k]! * f.value + op.l2 * w0[base + k]!;
      g0[base + k]! += grad * grad;
      w0[base + k]! -= (op.skipRate * grad) / Math.sqrt(g0[base + k]! + 1e-8);
    }
  }
}

/** This process's CPU time: the host is shared, so wall time overstates what a quiet host takes. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function shuffle(order: number[], rand: () => number) {
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
}

/** Output errors: p − y per labelled head, 0 where the head has no label. */
function outputError(z: Float64Array, y: Float32Array, weight?: Float64Array): Float64Array {
  const dz = new Float64Array(z.length);
  for (let k = 0; k < z.length; k++) if (!Number.isNaN(y[k]!)) dz[k] = sigmoid(z[k]!) - y[k]!;
  if (weight)
    for (let k = 0; k < z.length; k++) dz[k] = Math.abs(dz[k]! * weight[k]!) < 1e-6 ? 0 : dz[k]! * weight[k]!;
  return dz;
}

/** Mean log loss over dev's labelled (passage, head) pairs, for the learning curve. */
function devLoss(score: (r: PreparedRow) => Float64Array, dev: PreparedRow[]): number {
  let loss = 0;
  let n = 0;
  for (const r of dev) {
    const z = score(r);
    r.y.forEach((t, k) => {
      if (Number.isNaN(t)) return;
      const p = Math.min(1 - 1e-7, Math.max(1e-7, sigmoid(z[k]!)));
      loss -= t === 1 ? Math.log(p) : Math.log(1 - p);
      n++;
    });
  }
  return Math.round((loss / n) * 10000) / 10000;
}

/** Trains the passage network (bags = null) or the multiple-instance sentence network. */
function trainNet(rows: PreparedRow[], dev: PreparedRow[], op: Options, bags: boolean) {
  const net = newNet(op);
  const rand = prng(op.seed + (bags ? 1 : 0));
  const order = rows.map((_, i) => i).filter((i) => !bags || rows[i]!.sentences.length > 0);
  const curve: number[] = [];
  let evalMs = 0;
  let evalCpu = 0;
  const started = performance.now();
  const cpu0 = cpuMs();
  for (let epoch = 0; epoch < op.epochs; epoch++) {
    shuffle(order, rand);
    for (const e of order) {
      const r = rows[e]!;
      if (!bags) {
        const pass = forward(net, op, r.features, rand);
        const dz = outputError(pass.z, r.y);
        update(net, op, r.features, pass, dz, hiddenError(net, op, pass, dz));
        continue;
      }
      const passes = r.sentences.map((f) => forward(net, op, f, rand));
      const { z, share } = pool(
        passes.map((p) => p.z),
        op.heads,
      );
      const dzs = passes.map((_, u) => outputError(z, r.y, share[u]));
      const das = passes.map((p, u) => hiddenError(net, op, p, dzs[u]!));
      r.sentences.forEach((f, u) => update(net, op, f, passes[u]!, dzs[u]!, das[u]!));
    }
    const t0 = performance.now();
    const c0 = cpuMs();
    curve.push(devLoss((r) => floatScore(net, op, r, bags), dev));
    evalMs += performance.now() - t0;
    evalCpu += cpuMs() - c0;
  }
  return {
    net,
    seconds: (performance.now() - started - evalMs) / 1000,
    cpuSeconds: (cpuMs() - cpu0 - evalCpu) / 1000,
    curve,
  };
}

function floatScore(net: Net, op: Options, r: PreparedRow, bags: boolean): Float64Array {
  if (!bags) return forward(net, op, r.features).z;
  if (r.sentences.length === 0) return Float64Array.from(net.b2);
  return pool(
    r.sentences.map((f) => forward(net, op, f).z),
    op.heads,
  ).z;
}

/** The network as it would ship: one signed byte per weight, a scale per hidden unit and per head. */
interface QuantNet {
  w0: Int8Array;
  s0: Float32Array;
  w1: Int8Array;
  s1: Float32Array;
  b1: Float32Array;
  w2: Int8Array;
  s2: Float32Array;
  b2: Float32Array;
  platt: Float64Array;
}

function quantizeNet(net: Net, op: Options): QuantNet {
  const H = op.hidden;
  const K = op.heads;
  const s1 = new Float32Array(H);
  for (let k = 0; k < net.w1.length; k++) s1[k % H] = Math.max(s1[k % H]!, Math.abs(net.w1[k]!));
  for (let j = 0; j < H; j++) s1[j] = s1[j]! > 0 ? s1[j]! / 127 : 1;
  const w1 = new Int8Array(net.w1.length);
  for (let k = 0; k < w1.length; k++) w1[k] = Math.round(net.w1[k]! / s1[k % H]!);
  const s2 = new Float32Array(K);
  for (let k = 0; k < net.w2.length; k++) s2[k % K] = Math.max(s2[k % K]!, Math.abs(net.w2[k]!));
  for (let k = 0; k < K; k++) s2[k] = s2[k]! > 0 ? s2[k]! / 127 : 1;
  const w2 = new Int8Array(net.w2.length);
  for (let k = 0; k < w2.length; k++) w2[k] = Math.round(net.w2[k]! / s2[k % K]!);
  const s0 = new Float32Array(K);
  for (let k = 0; k < net.w0.length; k++) s0[k % K] = Math.max(s0[k % K]!, Math.abs(net.w0[k]!));
  for (let k = 0; k < K; k++) s0[k] = s0[k]! > 0 ? s0[k]! / 127 : 1;
  const w0 = new Int8Array(net.w0.length);
  for (let k = 0; k < w0.length; k++) w0[k] = Math.round(net.w0[k]! / s0[k % K]!);
  return { w0, s0, w1, s1, b1: net.b1, w2, s2, b2: net.b2, platt: new Float64Array(2 * K) };
}

/** Inference on the quantized network: the bytes summed as integers, scaled once per unit. */
function quantLogits(q: QuantNet, op: Options, f: FeatureVector, sums: Int32Array): Float64Array {
  const H = op.hidden;
  const K = op.heads;
  const mask = (1 << op.bits) - 1;
  sums.fill(0);
  for (let i = 0; i < f.index.length; i++) {
    const base = (f.index[i]! & mask) * H;
    for (let j = 0; j < H; j++) sums[j]! += q.w1[base + j]!;
  }
  const acc = new Float64Array(K);
  for (let j = 0; j < H; j++) {
    const x = sums[j]! * f.value * q.s1[j]! + q.b1[j]!;
    const h = op.act === 'relu' ? (x > 0 ? x : 0) : Math.tanh(x);
    if (h === 0) continue;
    for (let k = 0; k < K; k++) acc[k]! += h * q.w2[j * K + k]!;
  }
  for (let k = 0; k < K; k++) acc[k] = acc[k]! * q.s2[k]! + q.b2[k]!;
  if (op.skip) {
    const lin = new Int32Array(K);
    for (let i = 0; i < f.index.length; i++) {
      const base = (f.index[i]! & mask) * K;
      for (let k = 0; k < K; k++) lin[k]! += q.w0[base + k]!;
    }
    for (let k = 0; k < K; k++) acc[k]! += lin[k]! * f.value * q.s0[k]!;
  }
  return acc;
}

function quantScore(
  q: QuantNet,
  op: Options,
  r: { features: FeatureVector; sentences: FeatureVector[] },
  bags: boolean,
) {
  const sums = new Int32Array(op.hidden);
  if (!bags) return quantLogits(q, op, r.features, sums);
  if (r.sentences.length === 0) return Float64Array.from(q.b2);
  return pool(
    r.sentences.map((f) => quantLogits(q, op, f, sums)),
    op.heads,
  ).z;
}

/** Platt per head on dev logits; returns the calibrated log-odds of every dev row. */
function plattLogOdds(q: QuantNet, z: Float64Array[], dev: PreparedRow[]): Float64Array[] {
  HEADS.forEach((_, h) => {
    const rows = dev.flatMap((r, i) => (Number.isNaN(r.y[h]!) ? [] : [{ z: z[i]![h]!, y: r.y[h]! }]));
    const [a, b] = fitPlatt(
      rows.map((r) => r.z),
      rows.map((r) => r.y),
    );
    q.platt[2 * h] = a;
    q.platt[2 * h + 1] = b;
  });
  return z.map((row) => row.map((v, h) => q.platt[2 * h]! * v + q.platt[2 * h + 1]!));
}

/**
 * A per-head logistic regression on dev over the given inputs (each row ending in 1): fitted on all
 * of dev (as the shipped combination), and cross-fitted, each fifth predicted by a fit on the rest.
 * A head with no positive on dev is read from its first input alone, as `fitReadingModels` does.
 */
function stack(x: (i: number, h: number) => number[], dev: PreparedRow[]) {
  const fold = dev.map((_, i) => i);
  shuffle(fold, prng(99));
  const foldOf = new Int32Array(dev.length);
  fold.forEach((i, rank) => (foldOf[i] = rank % 5));
  const inSample = dev.map(() => new Float64Array(HEADS.length));
  const crossFit = dev.map(() => new Float64Array(HEADS.length));
  const dot = (w: number[], v: number[]) => v.reduce((s, vi, k) => s + w[k]! * vi, 0);
  HEADS.forEach((_, h) => {
    const rows = dev.map((r, i) => ({ i, y: r.y[h]!, x: x(i, h) })).filter((r) => !Number.isNaN(r.y));
    const fit = (rs: typeof rows) =>
      rs.some((r) => r.y === 1)
        ? fitLogistic(
            rs.map((r) => r.x),
            rs.map((r) => r.y),
          )
        : [1, ...new Array<number>(rows[0]!.x.length - 1).fill(0)];
    const all = fit(rows);
    dev.forEach((_, i) => (inSample[i]![h] = sigmoid(dot(all, x(i, h)))));
    for (let f = 0; f < 5; f++) {
      const w = fit(rows.filter((r) => foldOf[r.i] !== f));
      dev.forEach((_, i) => {
        if (foldOf[i] === f) crossFit[i]![h] = sigmoid(dot(w, x(i, h)));
      });
    }
  });
  return { inSample, crossFit };
}

const SIGNAL_HEADS = HEADS.slice(1, 12).map((_, i) => i + 1);
const TERM_HEADS = HEADS.map((h, i) => ({ h, i }))
  .filter(
    ({ h }) =>
      ['payment_terms', 'billing', 'residency', 'health_data', 'security_review', 'multi_year'].includes(h) ||
      h.startsWith('ns_'),
  )
  .map(({ i }) => i);
const HANDOFF_HEADS = HEADS.map((_, i) => i).filter((i) => i > TERM_HEADS.at(-1)!);

/** F1 per head at fixed thresholds over a sample of dev rows (for the bootstrap). */
function f1At(p: Float64Array[], y: Float32Array[], t: number[], rows: ArrayLike<number>, heads: number[]) {
  let sum = 0;
  for (const h of heads) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let n = 0; n < rows.length; n++) {
      const i = rows[n]!;
      const yi = y[i]![h]!;
      if (Number.isNaN(yi)) continue;
      const hit = p[i]![h]! >= t[h]!;
      if (hit && yi === 1) tp++;
      else if (hit) fp++;
      else if (yi === 1) fn++;
    }
    sum += tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  }
  return sum / heads.length;
}

/** Paired bootstrap of (b − a) macro F1 over dev rows, thresholds as chosen on all of dev. */
function bootstrap(a: Float64Array[], b: Float64Array[], y: Float32Array[], heads: number[]) {
  const ta = bestThresholds(a, y).map((t) => t.threshold);
  const tb = bestThresholds(b, y).map((t) => t.threshold);
  const rand = prng(7);
  const diffs: number[] = [];
  const rows = new Int32Array(y.length);
  for (let s = 0; s < 1000; s++) {
    for (let n = 0; n < rows.length; n++) rows[n] = Math.floor(rand() * y.length);
    diffs.push(f1At(b, y, tb, rows, heads) - f1At(a, y, ta, rows, heads));
  }
  diffs.sort((x, z) => x - z);
  const r3 = (v: number) => Math.round(v * 1000) / 1000;
  return {
    mean: r3(diffs.reduce((s, d) => s + d, 0) / diffs.length),
    ci95: [r3(diffs[25]!), r3(diffs[974]!)],
  };
}

function summary(p: Float64Array[], dev: PreparedRow[]) {
  const y = dev.map((r) => r.y);
  const f1 = bestThresholds(p, y).map((t) => t.f1);
  const mean = (hs: number[]) => Math.round((hs.reduce((s, h) => s + f1[h]!, 0) / hs.length) * 1000) / 1000;
  const ready = dev.filter((r, i) => p[i]![0]! >= 0.5 === (r.y[0] === 1)).length / dev.length;
  return {
    f1,
    ready: Math.round(ready * 1000) / 1000,
    signals: mean(SIGNAL_HEADS),
    terms: mean(TERM_HEADS),
    handoff: mean(HANDOFF_HEADS),
  };
}

/** The reader's cost per passage (as `timing` in the eval), and the models' share of it. */
function inferenceCost(dev: PreparedRow[], models: ReadingModels, nets: { q: QuantNet; bags: boolean }[]) {
  const reader = new OfflineLanguageReader();
  const texts = dev.map((r) => ({ text: asDealText(r.line), sellerNames: [r.line.rep] }));
  const passages: { features: FeatureVector; sentences: FeatureVector[] }[] = [];
  for (const t of texts) {
    const seg = segment(t.text, t.sellerNames);
    const first = seg.passages[0];
    const lang = first ? detectLanguage(seg.text.slice(first.start, first.end)) : 'und';
    for (const p of seg.passages) passages.push(featurize(seg.text, p, lang, t.text.source, FEATURES));
  }
  // Three rounds, the last two timed (as `timing` in the eval); wall and CPU time per passage.
  const timed = (run: () => void) => {
    let ms = 0;
    let cpu = 0;
    for (let round = 0; round < 3; round++) {
      const t0 = performance.now();
      const c0 = cpuMs();
      run();
      if (round > 0) {
        ms += performance.now() - t0;
        cpu += cpuMs() - c0;
      }
    }
    const per = (v: number) => Math.round((v / 2 / passages.length) * 10000) / 10000;
    return { wall: per(ms), cpu: per(cpu) };
  };
  const reading = timed(() => {
    for (const t of texts) reader.read([t.text], { sellerNames: t.sellerNames });
  });
  const { passage, sentence, combine } = models;
  const linear = timed(() => {
    for (const p of passages) {
      const zs = p.sentences.map((f) => logits(sentence, f));
      combinedProbabilities(
        passage,
        logits(passage, p.features),
        sentence,
        pooled(sentence, zs),
        zs.length,
        combine,
      );
    }
  });
  const hidden = nets.map((n) => timed(() => passages.forEach((p) => quantScore(n.q, o, p, n.bags))));
  return { passages: passages.length, readerMsPerPassage: reading, linearModelsMs: linear, hiddenMs: hidden };
}

const r3 = (v: number) => Math.round(v * 1000) / 1000;
const started = performance.now();
const corpus = prepareCorpus();
const limit = num('--limit', 0);
const train =
  limit > 0 ? corpus.train.filter((_, i) => i % Math.ceil(corpus.train.length / limit) === 0) : corpus.train;
const dev = corpus.dev;
const y = dev.map((r) => r.y);
console.log(
  JSON.stringify({
    options: o,
    train: train.length,
    dev: dev.length,
    featuresPerPassage: Math.round(train.reduce((n, r) => n + r.features.index.length, 0) / train.length),
    featureSeconds: r3((performance.now() - started) / 1000),
  }),
);
const t0 = performance.now();
const c0 = cpuMs();
const models = fitReadingModels(train, dev);
const linearSeconds = (performance.now() - t0) / 1000;
const linearCpu = (cpuMs() - c0) / 1000;
// The learning curve's yardstick: the linear passage model's dev log loss, before calibration.
console.log(
  JSON.stringify({ linearPassageDevLogLoss: devLoss((r) => logits(models.passage, r.features), dev) }),
);
const current = dev.map((r) => rowProbabilities(models, r));
const kinds = flag('--no-sentence') ? [false] : [false, true];
type Trained = { bags: boolean; q: QuantNet; logOdds: Float64Array[]; seconds: number; cpuSeconds: number };

/** Both networks for one seed: trained, quantized, calibrated on dev. */
function trainNets(op: Options): Trained[] {
  return kinds.map((bags) => {
    const { net, seconds, cpuSeconds, curve } = trainNet(train, dev, op, bags);
    const floatZ = dev.map((r) => floatScore(net, op, r, bags));
    const q = quantizeNet(net, op);
    const z = dev.map((r) => quantScore(q, op, r, bags));
    const logOdds = plattLogOdds(q, z, dev);
    // The quantization's cost: the float network's F1 beside the quantized one's in the table.
    const floatF1 = summary(
      floatZ.map((row) => row.map(sigmoid)),
      dev,
    );
    const sha = createHash('sha256').update(q.w0).update(q.w1).update(q.w2).digest('hex').slice(0, 12);
    console.log(
      JSON.stringify({
        model: bags ? 'hidden sentence (MIL)' : 'hidden passage',
        seed: op.seed,
        seconds: r3(seconds),
        cpuSeconds: r3(cpuSeconds),
        devLogLossPerEpoch: curve,
        floatSignals: floatF1.signals,
        floatTerms: floatF1.terms,
        weightsSha: sha,
      }),
    );
    return { bags, q, logOdds, seconds, cpuSeconds };
  });
}

const linCache = dev.map((r) => {
  const zp = logits(models.passage, r.features);
  const zs = pooledLogits(models.sentence, r.sentences);
  return HEADS.map((_, h) =>
    combineInputs({
      passage: models.passage,
      zp: zp[h]!,
      sentence: models.sentence,
      zs: zs[h]!,
      sentences: r.sentences.length,
      h,
    }),
  );
});
type System = { inSample: Float64Array[]; crossFit?: Float64Array[] };
const probs = (i: number, k: number) => HEADS.map((_, h) => linCache[i]![h]![k]!);

/** Every system compared: readiness stays a whole-passage judgement in each (passage models only). */
function systemsFor(nets: Trained[]): Record<string, System> {
  const hp = nets[0]!.logOdds;
  const hs = nets[1]?.logOdds;
  const systems: Record<string, System> = {
    current: {
      inSample: current,
      crossFit: stack((i, h) => (h === 0 ? [linCache[i]![h]![0]!, 1] : linCache[i]![h]!), dev).crossFit,
    },
    linP: { inSample: dev.map((_, i) => Float64Array.from(probs(i, 0), sigmoid)) },
    linS: { inSample: dev.map((_, i) => Float64Array.from(probs(i, 1), sigmoid)) },
    hidP: { inSample: hp.map((row) => row.map(sigmoid)) },
  };
  if (hs) {
    systems.hidS = { inSample: hs.map((row) => row.map(sigmoid)) };
    const logN = (i: number) => Math.log(Math.max(1, dev[i]!.sentences.length));
    systems.hidPS = stack((i, h) => (h === 0 ? [hp[i]![h]!, 1] : [hp[i]![h]!, hs[i]![h]!, logN(i), 1]), dev);
    // The linear passage model beside the hidden sentence model, in place of the linear one.
    systems.linP_hidS = stack((i, h) => {
      const l = linCache[i]![h]!;
      return h === 0 ? [l[0]!, 1] : [l[0]!, hs[i]![h]!, l[2]!, 1];
    }, dev);
  }
  systems.linPS_hidP = stack((i, h) => {
    const l = linCache[i]![h]!;
    return h === 0 ? [l[0]!, hp[i]![h]!, 1] : [l[0]!, l[1]!, l[2]!, hp[i]![h]!, 1];
  }, dev);
  if (hs)
    systems.all = stack((i, h) => {
      const l = linCache[i]![h]!;
      return h === 0 ? [l[0]!, hp[i]![h]!, 1] : [l[0]!, l[1]!, l[2]!, hp[i]![h]!, hs[i]![h]!, 1];
    }, dev);
  return systems;
}

/** Per head F1 for every system (fitted on dev, and cross-fitted where it is a stack). */
function printTable(systems: Record<string, System>) {
  const summaries = Object.fromEntries(
    Object.entries(systems).map(([k, s]) => [
      k,
      { in: summary(s.inSample, dev), cross: s.crossFit && summary(s.crossFit, dev) },
    ]),
  );
  const names = Object.keys(systems);
  const row = (label: string, cells: number[]) =>
    console.log(label.padEnd(30) + cells.map((v) => v.toFixed(3).padStart(11)).join(''));
  console.log(
    'head'.padEnd(30) +
      names
        .flatMap((n) => (systems[n]!.crossFit ? [n, `${n}/cv`] : [n]))
        .map((s) => s.padStart(11))
        .join(''),
  );
  const cellsOf = (pick: (s: ReturnType<typeof summary>) => number) =>
    names.flatMap((n) => [
      pick(summaries[n]!.in),
      ...(summaries[n]!.cross ? [pick(summaries[n]!.cross!)] : []),
    ]);
  HEADS.forEach((head, h) =>
    row(
      head,
      cellsOf((s) => s.f1[h]!),
    ),
  );
  for (const key of ['signals', 'terms', 'handoff', 'ready'] as const)
    row(
      key === 'ready' ? 'readiness accuracy' : `${key} macro F1`,
      cellsOf((s) => s[key]),
    );
}

const seeds = args.includes('--seeds') ? args[args.indexOf('--seeds') + 1]!.split(',').map(Number) : [o.seed];
let nets: Trained[] = [];
for (const seed of seeds) {
  nets = trainNets({ ...o, seed });
  const systems = systemsFor(nets);
  printTable(systems);
  const cur = systems.current!.crossFit!;
  const vs = (other: System | undefined) =>
    other && {
      signals: bootstrap(cur, other.crossFit!, y, SIGNAL_HEADS),
      terms: bootstrap(cur, other.crossFit!, y, TERM_HEADS),
    };
  console.log(
    JSON.stringify({
      seed,
      crossFitMinusCurrent: { stack: vs(systems.all ?? systems.linPS_hidP), hiddenOnly: vs(systems.hidPS) },
    }),
  );
}
console.log(
  JSON.stringify({
    trainingSeconds: {
      linearBoth: { wall: r3(linearSeconds), cpu: r3(linearCpu) },
      hidden: nets.map((n) => ({ wall: r3(n.seconds), cpu: r3(n.cpuSeconds) })),
    },
    hiddenWeightBytes: nets.map((n) => n.q.w0.length + n.q.w1.length + n.q.w2.length),
    inference: inferenceCost(dev, models, nets),
  }),
);
