// The trained model as used at run time: engineered features → standardise → tfjs network, and
// trees on the same features; the two logits are blended. Also gradient × input explanations.
import { tf } from "./backend.js";
import { ENGINEERED_SIZE, engineer } from "./engineer.js";
import { explainGbdt, predictTreeMargin, type GbdtModel } from "./gbdt.js";

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
  const flat = new Float32Array(n * d);
  const tmp = new Float32Array(d);
  for (let i = 0; i < n; i++) flat.set(standardise(X[i], e.norm, tmp), i * d);
  const out = tf.tidy(() => (e.net.predict(tf.tensor2d(flat, [n, d])) as tf.Tensor).dataSync());
  for (let i = 0; i < n; i++) {
    mlp[i] = out[i];
    gbdt[i] = sigmoid(predictTreeMargin(e.gbdt, X[i]));
    p[i] = blendProbs(mlp[i], gbdt[i], e.blend);
  }
  return { p, mlp, gbdt };
}

export function predictRaw(e: Ensemble, raws: ArrayLike<number>[]): Float32Array {
  return predictEngineered(e, raws.map((r) => engineer(r))).p;
}

/**
 * Contribution of each engineered feature to the blended logit: gradient × (input − mean) of the
 * network's logit (computed by tfjs) plus the trees' path attribution, each times its blend weight.
 */
export function explainEngineered(e: Ensemble, x: Float32Array): Float64Array {
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
  const c = new Float64Array(xs.length);
  for (let j = 0; j < xs.length; j++) c[j] = e.blend.mlpWeight * grads[j] * xs[j] + e.blend.gbdtWeight * tree[j];
  return c;
}
