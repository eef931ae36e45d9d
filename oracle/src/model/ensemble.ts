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

/** Probabilities for engineered rows (batched network call). Also returns the parts. */
export function predictEngineered(e: Ensemble, X: Float32Array[]): { p: Float32Array; mlp: Float32Array; gbdt: Float32Array } {
  const n = X.length;
  const d = ENGINEERED_SIZE;
  const mlp = new Float32Array(n);
  const gbdt = new Float32Array(n);
  const p = new Float32Array(n);
  if (n === 0) return { p, mlp, gbdt };
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
  for (let i = 0; i < n; i++) {
    gbdt[i] = sigmoid(predictMargin(e.gbdt, X[i]));
    p[i] = blendProbs(mlp[i], gbdt[i], e.blend);
  }
  return { p, mlp, gbdt };
}

export function predictRaw(e: Ensemble, raws: ArrayLike<number>[]): Float32Array {
  return predictEngineered(e, raws.map((r) => engineer(r))).p;
}

type DenseStack = { W: Float32Array[]; b: Float32Array[]; dims: number[] };
const stacks = new WeakMap<tf.LayersModel, DenseStack>();

/** The network's dense weights read once from tfjs (dropout is inactive at inference). */
function denseStack(net: tf.LayersModel): DenseStack {
  const cached = stacks.get(net);
  if (cached) return cached;
  const dense = net.layers.filter((l) => l.getClassName() === "Dense");
  const W = dense.map((l) => l.getWeights()[0].dataSync() as Float32Array);
  const b = dense.map((l) => l.getWeights()[1].dataSync() as Float32Array);
  const dims = [dense[0].getWeights()[0].shape[0] as number, ...dense.map((l) => l.getWeights()[0].shape[1] as number)];
  const s: DenseStack = { W, b, dims };
  stacks.set(net, s);
  return s;
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
