// The trained model as used at run time: engineered features → standardise → tfjs network, and
// trees on the same features; the two logits are blended. Also gradient × input explanations.
import { tf } from "./backend.js";
import { ENGINEERED_SIZE, engineer } from "./engineer.js";
import { explainGbdt, predictMargin, type GbdtModel } from "./gbdt.js";

export type Normalisation = { mean: number[]; std: number[] };
export type Blend = { mlpWeight: number; gbdtWeight: number };

export type Ensemble = {
  net: tf.LayersModel;
  gbdt: GbdtModel;
  norm: Normalisation;
  blend: Blend;
};

const logit = (p: number): number => {
  const q = Math.min(Math.max(p, 1e-7), 1 - 1e-7);
  return Math.log(q / (1 - q));
};
const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

export function computeNormalisation(X: Float32Array[]): Normalisation {
  const d = X[0].length;
  const mean = new Array<number>(d).fill(0);
  const std = new Array<number>(d).fill(0);
  for (const r of X) for (let j = 0; j < d; j++) mean[j] += r[j] / X.length;
  for (const r of X) for (let j = 0; j < d; j++) std[j] += (r[j] - mean[j]) ** 2 / X.length;
  return { mean, std: std.map((s) => Math.sqrt(s) || 1) };
}

export function standardise(x: Float32Array, norm: Normalisation, out = new Float32Array(x.length)): Float32Array {
  for (let j = 0; j < x.length; j++) out[j] = (x[j] - norm.mean[j]) / norm.std[j];
  return out;
}

/** Blended probability from the two parts' probabilities. */
export function blendProbs(pMlp: number, pGbdt: number, blend: Blend): number {
  return sigmoid(blend.mlpWeight * logit(pMlp) + blend.gbdtWeight * logit(pGbdt));
}

/**
 * Up to this many rows are scored by `networkProb` (the network's weights evaluated in plain
 * TypeScript, ~6k multiply-adds per row, no tensor allocation); larger batches go through tfjs.
 * The engine scores one payment = two accounts, where a tfjs predict call costs 0.05–0.3 ms and
 * allocates wasm/GC memory, against ~5 µs here. A test checks both paths agree on real rows.
 */
export const FAST_PATH_MAX_ROWS = 16;

/** Probabilities for engineered rows (one batched tfjs call, or the plain-TS network for a few rows). Also returns the parts. */
export function predictEngineered(e: Ensemble, X: Float32Array[], opts: { tfjs?: boolean } = {}): { p: Float32Array; mlp: Float32Array; gbdt: Float32Array } {
  const n = X.length;
  const d = ENGINEERED_SIZE;
  const mlp = new Float32Array(n);
  const gbdt = new Float32Array(n);
  const p = new Float32Array(n);
  if (n === 0) return { p, mlp, gbdt };
  if (n <= FAST_PATH_MAX_ROWS && opts.tfjs !== true) {
    const xs = scratchInput(e);
    for (let i = 0; i < n; i++) mlp[i] = networkProb(e.net, standardise(X[i], e.norm, xs));
  } else {
    // wasm is fastest on ~1k-row batches (large tensors grow the wasm heap on every call)
    const B = Math.min(n, 1024);
    const flat = new Float32Array(B * d);
    const tmp = new Float32Array(d);
    for (let s = 0; s < n; s += B) {
      const m = Math.min(B, n - s);
      for (let i = 0; i < m; i++) flat.set(standardise(X[s + i], e.norm, tmp), i * d);
      const out = tf.tidy(() => (e.net.predict(tf.tensor2d(m === B ? flat : flat.subarray(0, m * d), [m, d])) as tf.Tensor).dataSync());
      for (let i = 0; i < m; i++) mlp[s + i] = out[i];
    }
  }
  for (let i = 0; i < n; i++) {
    gbdt[i] = sigmoid(predictMargin(e.gbdt, X[i]));
    p[i] = blendProbs(mlp[i], gbdt[i], e.blend);
  }
  return { p, mlp, gbdt };
}

/** Probability of one engineered row (plain-TS network + trees): the engine's single-payment path. */
export function predictOne(e: Ensemble, x: Float32Array): number {
  const pm = Math.fround(networkProb(e.net, standardise(x, e.norm, scratchInput(e))));
  const pg = Math.fround(sigmoid(predictMargin(e.gbdt, x)));
  return Math.fround(blendProbs(pm, pg, e.blend));
}

const inputs = new WeakMap<Ensemble, Float32Array<ArrayBuffer>>();
function scratchInput(e: Ensemble): Float32Array<ArrayBuffer> {
  let xs = inputs.get(e);
  if (!xs) inputs.set(e, (xs = new Float32Array(e.norm.mean.length)));
  return xs;
}

export function predictRaw(e: Ensemble, raws: ArrayLike<number>[]): Float32Array {
  return predictEngineered(e, raws.map((r) => engineer(r))).p;
}

type DenseStack = {
  W: Float32Array[];
  b: Float32Array[];
  dims: number[];
  /** Scratch activations of the hidden layers (the process is single-threaded). */
  hidden: Float32Array[];
};
const stacks = new WeakMap<tf.LayersModel, DenseStack>();

/**
 * The network's dense weights read once from tfjs (dropout is inactive at inference). Only the
 * architecture that `buildMlp` makes is accepted (Dense ReLU layers, Dropout, one sigmoid unit):
 * anything else throws instead of being evaluated wrongly.
 */
function denseStack(net: tf.LayersModel): DenseStack {
  const cached = stacks.get(net);
  if (cached) return cached;
  const dense = net.layers.filter((l) => l.getClassName() === "Dense");
  const other = net.layers.filter((l) => l.getClassName() !== "Dense" && l.getClassName() !== "Dropout");
  const act = dense.map((l) => (l.getConfig() as { activation?: string }).activation);
  const units = dense.map((l) => l.getWeights()[0].shape[1] as number);
  if (other.length > 0 || act.slice(0, -1).some((a) => a !== "relu") || act[act.length - 1] !== "sigmoid" || units[units.length - 1] !== 1 || dense.some((l) => l.getWeights().length !== 2)) {
    throw new Error(`plain-TS network path: unsupported architecture (${net.layers.map((l) => l.getClassName()).join(", ")}; activations ${act.join(", ")})`);
  }
  const W = dense.map((l) => l.getWeights()[0].dataSync() as Float32Array);
  const b = dense.map((l) => l.getWeights()[1].dataSync() as Float32Array);
  const dims = [dense[0].getWeights()[0].shape[0] as number, ...units];
  const s: DenseStack = { W, b, dims, hidden: units.slice(0, -1).map((u) => new Float32Array(u)) };
  stacks.set(net, s);
  return s;
}

/**
 * The network's logit for one standardised row, from the same weights in plain TypeScript:
 * ReLU dense layers, sums in double precision rounded to float32 per unit (as the tensors hold).
 */
export function networkLogit(net: tf.LayersModel, xs: ArrayLike<number>): number {
  const { W, b, dims, hidden } = denseStack(net);
  const L = W.length;
  let inp: ArrayLike<number> = xs;
  for (let l = 0; l < L - 1; l++) {
    const w = W[l];
    const nIn = dims[l];
    const nOut = dims[l + 1];
    const out = hidden[l];
    // row-major [nIn, nOut]: walk the weights in memory order, accumulate into doubles
    const acc = accumulators(nOut);
    for (let j = 0; j < nOut; j++) acc[j] = b[l][j];
    for (let i = 0; i < nIn; i++) {
      const v = inp[i];
      if (v === 0) continue;
      const o = i * nOut;
      for (let j = 0; j < nOut; j++) acc[j] += v * w[o + j];
    }
    for (let j = 0; j < nOut; j++) out[j] = acc[j] > 0 ? acc[j] : 0;
    inp = out;
  }
  const w = W[L - 1];
  let z = b[L - 1][0];
  for (let i = 0; i < dims[L - 1]; i++) z += inp[i] * w[i];
  return Math.fround(z);
}

let accBuf = new Float64Array(64);
function accumulators(n: number): Float64Array {
  if (accBuf.length < n) accBuf = new Float64Array(n);
  return accBuf;
}

/** The network's probability for one standardised row (plain TypeScript; see networkLogit). */
export function networkProb(net: tf.LayersModel, xs: ArrayLike<number>): number {
  return Math.fround(sigmoid(networkLogit(net, xs)));
}

/**
 * d(logit of the network)/d(standardised input), by back-propagation over the network's own weights
 * in plain JS (ReLU hidden layers, sigmoid output): ~10 µs instead of a tfjs gradient call.
 * `explainEngineeredTf` computes the same with tf.grad (a test checks they agree).
 */
export function networkInputGradient(net: tf.LayersModel, xs: Float32Array): Float64Array {
  const { W, b, dims } = denseStack(net);
  const L = W.length;
  const acts: Float64Array[] = [Float64Array.from(xs)];
  for (let l = 0; l < L - 1; l++) {
    const inp = acts[l];
    const out = new Float64Array(dims[l + 1]);
    for (let j = 0; j < dims[l + 1]; j++) {
      let z = b[l][j];
      for (let i = 0; i < dims[l]; i++) z += inp[i] * W[l][i * dims[l + 1] + j];
      out[j] = z > 0 ? z : 0;
    }
    acts.push(out);
  }
  // output layer is linear in the logit: d logit / d h_{L-1} = W_L[:, 0]
  let g = new Float64Array(dims[L - 1]);
  for (let i = 0; i < dims[L - 1]; i++) g[i] = W[L - 1][i * dims[L]];
  for (let l = L - 2; l >= 0; l--) {
    const prev = new Float64Array(dims[l]);
    for (let j = 0; j < dims[l + 1]; j++) {
      if (acts[l + 1][j] <= 0) continue;
      const gj = g[j];
      for (let i = 0; i < dims[l]; i++) prev[i] += W[l][i * dims[l + 1] + j] * gj;
    }
    g = prev;
  }
  return g;
}

/** Same as explainEngineered with the network gradient from tf.grad. */
export function explainEngineeredTf(e: Ensemble, x: Float32Array): Float64Array {
  const xs = standardise(x, e.norm);
  const grads = tf.tidy(() => {
    const input = tf.tensor2d(xs, [1, xs.length]);
    const f = (t: tf.Tensor): tf.Tensor => {
      const pr = (e.net.apply(t, { training: false }) as tf.Tensor).clipByValue(1e-7, 1 - 1e-7);
      return tf.log(pr.div(tf.sub(1, pr))).sum();
    };
    return tf.grad(f)(input).dataSync();
  });
  const tree = explainGbdt(e.gbdt, x);
  return Float64Array.from(xs, (v, j) => e.blend.mlpWeight * grads[j] * v + e.blend.gbdtWeight * tree[j]);
}

/**
 * Contribution of each engineered feature to the blended logit: gradient × (input − mean) of the
 * network's logit (computed by tfjs) plus the trees' path attribution, each times its blend weight.
 */
export function explainEngineered(e: Ensemble, x: Float32Array): Float64Array {
  const xs = standardise(x, e.norm);
  const grads = networkInputGradient(e.net, xs);
  const tree = explainGbdt(e.gbdt, x);
  const c = new Float64Array(xs.length);
  for (let j = 0; j < xs.length; j++) c[j] = e.blend.mlpWeight * grads[j] * xs[j] + e.blend.gbdtWeight * tree[j];
  return c;
}
