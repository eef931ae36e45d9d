// A small histogram-based gradient-boosted decision-tree classifier (logistic loss), deterministic
// for a seed. Trees are stored as flat arrays; every node keeps its value so that predictions can
// be attributed to features by path (Saabas) for explanations.
import { createRng } from "./rng.js";

export type Tree = {
  /** Split feature per node, -1 for a leaf. */
  feature: number[];
  /** Go left when x[feature] <= threshold. */
  threshold: number[];
  left: number[];
  right: number[];
  /** Node value (learning rate applied); the leaf value is the tree's output. */
  value: number[];
};

export type GbdtModel = { kind: "gbdt"; featureCount: number; baseScore: number; trees: Tree[] };

export type GbdtParams = {
  rounds: number;
  learningRate: number;
  maxDepth: number;
  /** Quantile bins per feature, at most 255 (bins are stored as bytes). */
  maxBins: number;
  lambda: number;
  minChildWeight: number;
  subsample: number;
  colsample: number;
  /** Weight of positive rows. */
  posWeight: number;
  /** Rounds without validation improvement before stopping (the model is cut to the best round); 0 = always `rounds` trees. */
  earlyStopping: number;
  seed: number;
};

/**
 * Defaults chosen by 5-fold CV on the training part (docs/model-card.md, "Experiments"): a fixed
 * 400 rounds of depth-6 trees at learning rate 0.05 on 255 quantile bins. Early stopping on the
 * 15% validation split cut the trees at 100–300 rounds, inconsistently per fold, and cost ~0.0005
 * CV ROC-AUC; validation is still used for the blend weight and the thresholds.
 */
export const DEFAULT_GBDT_PARAMS: GbdtParams = {
  rounds: 400,
  learningRate: 0.05,
  maxDepth: 6,
  maxBins: 255,
  lambda: 1,
  minChildWeight: 1,
  subsample: 0.8,
  colsample: 0.7,
  posWeight: 1,
  earlyStopping: 0,
  seed: 1,
};

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** Quantile bin edges per feature (ascending distinct values; bin b = (edges[b-1], edges[b]]). */
function binEdges(X: Float32Array[], f: number, maxBins: number): number[] {
  const vals = X.map((r) => r[f]).sort((a, b) => a - b);
  const distinct: number[] = [];
  for (const v of vals) if (distinct.length === 0 || distinct[distinct.length - 1] !== v) distinct.push(v);
  if (distinct.length <= maxBins) return distinct;
  const edges: number[] = [];
  for (let b = 1; b <= maxBins; b++) {
    const v = vals[Math.min(vals.length - 1, Math.floor((b * vals.length) / maxBins) - 1)];
    if (edges.length === 0 || edges[edges.length - 1] < v) edges.push(v);
  }
  if (edges[edges.length - 1] < distinct[distinct.length - 1]) edges.push(distinct[distinct.length - 1]);
  return edges;
}

function binOf(edges: number[], v: number): number {
  let lo = 0;
  let hi = edges.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v <= edges[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Trees laid out as complete binary trees of the model's maximum depth D, for fast scoring: node i
 * has children 2i+1 and 2i+2, so a row takes exactly D steps per tree with no pointer chasing; a leaf
 * above depth D is padded with copies of itself (either branch gives its value). Thresholds are
 * float32, like the features. Models deeper than MAX_COMPLETE_DEPTH use the pointer layout.
 */
export type CompiledGbdt = {
  base: number;
  trees: number;
  depth: number;
  /** Per tree 2^D − 1 split features / thresholds, then 2^D leaf values. */
  feature: Int32Array;
  threshold: Float32Array;
  leaf: Float64Array;
};

const MAX_COMPLETE_DEPTH = 10;
const compiled = new WeakMap<GbdtModel, CompiledGbdt | null>();

function treeDepth(t: Tree, n = 0): number {
  return t.feature[n] < 0 ? 0 : 1 + Math.max(treeDepth(t, t.left[n]), treeDepth(t, t.right[n]));
}

export function compileGbdt(model: GbdtModel): CompiledGbdt | null {
  const cached = compiled.get(model);
  if (cached !== undefined) return cached;
  const D = model.trees.reduce((d, t) => Math.max(d, treeDepth(t)), 0);
  if (D > MAX_COMPLETE_DEPTH) {
    compiled.set(model, null);
    return null;
  }
  const inner = (1 << D) - 1;
  const leaves = 1 << D;
  const T = model.trees.length;
  const c: CompiledGbdt = {
    base: model.baseScore,
    trees: T,
    depth: D,
    feature: new Int32Array(T * inner),
    threshold: new Float32Array(T * inner),
    leaf: new Float64Array(T * leaves),
  };
  model.trees.forEach((t, k) => {
    const fo = k * inner;
    const lo = k * leaves;
    // (complete-layout position, source node) pairs, level by level
    const fill = (pos: number, n: number, depth: number): void => {
      if (depth === D) {
        c.leaf[lo + pos - inner] = t.value[n];
        return;
      }
      if (t.feature[n] < 0) {
        // padding: both children repeat this leaf
        c.feature[fo + pos] = 0;
        c.threshold[fo + pos] = 0;
        fill(2 * pos + 1, n, depth + 1);
        fill(2 * pos + 2, n, depth + 1);
        return;
      }
      c.feature[fo + pos] = t.feature[n];
      c.threshold[fo + pos] = t.threshold[n];
      fill(2 * pos + 1, t.left[n], depth + 1);
      fill(2 * pos + 2, t.right[n], depth + 1);
    };
    fill(0, 0, 0);
  });
  compiled.set(model, c);
  return c;
}

/** Margin (log-odds) of a row; x should hold float32 values (a Float32Array). */
export function predictMargin(model: GbdtModel, x: ArrayLike<number>): number {
  const c = compileGbdt(model);
  if (c === null) return predictTreeMargin(model, x);
  const { feature, threshold, leaf, depth, trees } = c;
  const inner = (1 << depth) - 1;
  const leaves = 1 << depth;
  let z = c.base;
  for (let k = 0, fo = 0, lo = 0; k < trees; k++, fo += inner, lo += leaves) {
    let i = 0;
    // branch-free step (left = 2i+1 when x <= threshold, else 2i+2; NaN goes right as in the trees):
    // about twice as fast as a conditional on random rows, which mispredict half the time
    for (let d = 0; d < depth; d++) i = 2 * i + 2 - Number(x[feature[fo + i]] <= threshold[fo + i]);
    z += leaf[lo + i - inner];
  }
  return z;
}

export function predictTreeMargin(model: GbdtModel, x: ArrayLike<number>): number {
  let z = model.baseScore;
  for (const t of model.trees) {
    let n = 0;
    while (t.feature[n] >= 0) n = x[t.feature[n]] <= t.threshold[n] ? t.left[n] : t.right[n];
    z += t.value[n];
  }
  return z;
}

export function predictGbdt(model: GbdtModel, x: ArrayLike<number>): number {
  return sigmoid(predictMargin(model, x));
}

/** Per-feature contributions to the margin (Saabas path attribution); they sum to margin - baseScore. */
export function explainGbdt(model: GbdtModel, x: ArrayLike<number>): Float64Array {
  const c = new Float64Array(model.featureCount);
  for (const t of model.trees) {
    let n = 0;
    while (t.feature[n] >= 0) {
      const next = x[t.feature[n]] <= t.threshold[n] ? t.left[n] : t.right[n];
      c[t.feature[n]] += t.value[next] - t.value[n];
      n = next;
    }
  }
  return c;
}

/** Trains with early stopping on (Xv, yv) when given. Returns the model truncated to the best round. */
export function trainGbdt(
  X: Float32Array[],
  y: ArrayLike<number>,
  params: Partial<GbdtParams> = {},
  valid?: { X: Float32Array[]; y: ArrayLike<number> },
  onRound?: (round: number, validLoss: number) => void,
): GbdtModel {
  const p = { ...DEFAULT_GBDT_PARAMS, ...params };
  if (!(p.maxBins >= 2 && p.maxBins <= 255)) throw new RangeError(`maxBins must be in [2, 255], got ${p.maxBins}`);
  const rng = createRng(p.seed);
  const n = X.length;
  const F = X[0].length;
  const edges = Array.from({ length: F }, (_, f) => binEdges(X, f, p.maxBins));
  const B = p.maxBins + 1;
  const bins = new Uint8Array(F * n);
  for (let f = 0; f < F; f++) for (let i = 0; i < n; i++) bins[f * n + i] = binOf(edges[f], X[i][f]);
  const w = Float64Array.from({ length: n }, (_, i) => (y[i] === 1 ? p.posWeight : 1));
  let sw = 0, swy = 0;
  for (let i = 0; i < n; i++) {
    sw += w[i];
    swy += w[i] * y[i];
  }
  const prior = Math.min(Math.max(swy / sw, 1e-6), 1 - 1e-6);
  const model: GbdtModel = { kind: "gbdt", featureCount: F, baseScore: Math.log(prior / (1 - prior)), trees: [] };
  const margin = new Float64Array(n).fill(model.baseScore);
  const vMargin = valid ? new Float64Array(valid.X.length).fill(model.baseScore) : undefined;
  const g = new Float64Array(n);
  const h = new Float64Array(n);
  const gh = new Float64Array(F * B);
  const hh = new Float64Array(F * B);
  let bestLoss = Infinity;
  let bestRound = 0;

  for (let round = 0; round < p.rounds; round++) {
    for (let i = 0; i < n; i++) {
      const pr = sigmoid(margin[i]);
      g[i] = w[i] * (pr - y[i]);
      h[i] = Math.max(w[i] * pr * (1 - pr), 1e-12);
    }
    const rows: number[] = [];
    for (let i = 0; i < n; i++) if (rng.next() < p.subsample) rows.push(i);
    const feats: number[] = [];
    for (let f = 0; f < F; f++) if (rng.next() < p.colsample) feats.push(f);
    if (feats.length === 0) feats.push(rng.int(F));

    const tree: Tree = { feature: [], threshold: [], left: [], right: [], value: [] };
    const newNode = (G: number, H: number): number => {
      tree.feature.push(-1);
      tree.threshold.push(0);
      tree.left.push(-1);
      tree.right.push(-1);
      tree.value.push((-G / (H + p.lambda)) * p.learningRate);
      return tree.feature.length - 1;
    };
    let G0 = 0, H0 = 0;
    for (const i of rows) {
      G0 += g[i];
      H0 += h[i];
    }
    type Work = { node: number; rows: number[]; G: number; H: number; depth: number };
    const stack: Work[] = [{ node: newNode(G0, H0), rows, G: G0, H: H0, depth: 0 }];
    while (stack.length > 0) {
      const wk = stack.pop()!;
      if (wk.depth >= p.maxDepth || wk.rows.length < 2 || wk.H < 2 * p.minChildWeight) continue;
      for (const f of feats) {
        const o = f * B;
        gh.fill(0, o, o + B);
        hh.fill(0, o, o + B);
        const base = f * n;
        for (const i of wk.rows) {
          const b = bins[base + i];
          gh[o + b] += g[i];
          hh[o + b] += h[i];
        }
      }
      const parentScore = (wk.G * wk.G) / (wk.H + p.lambda);
      let bestGain = 1e-9, bestF = -1, bestB = -1, bestGL = 0, bestHL = 0;
      for (const f of feats) {
        const o = f * B;
        let GL = 0, HL = 0;
        const nb = edges[f].length;
        for (let b = 0; b < nb - 1; b++) {
          GL += gh[o + b];
          HL += hh[o + b];
          const GR = wk.G - GL;
          const HR = wk.H - HL;
          if (HL < p.minChildWeight || HR < p.minChildWeight) continue;
          const gain = (GL * GL) / (HL + p.lambda) + (GR * GR) / (HR + p.lambda) - parentScore;
          if (gain > bestGain) {
            bestGain = gain;
            bestF = f;
            bestB = b;
            bestGL = GL;
            bestHL = HL;
          }
        }
      }
      if (bestF < 0) continue;
      const lRows: number[] = [];
      const rRows: number[] = [];
      const base = bestF * n;
      for (const i of wk.rows) (bins[base + i] <= bestB ? lRows : rRows).push(i);
      tree.feature[wk.node] = bestF;
      tree.threshold[wk.node] = edges[bestF][bestB];
      const l = newNode(bestGL, bestHL);
      const r = newNode(wk.G - bestGL, wk.H - bestHL);
      tree.left[wk.node] = l;
      tree.right[wk.node] = r;
      stack.push({ node: l, rows: lRows, G: bestGL, H: bestHL, depth: wk.depth + 1 });
      stack.push({ node: r, rows: rRows, G: wk.G - bestGL, H: wk.H - bestHL, depth: wk.depth + 1 });
    }
    // Leaves of the in-bag tree are applied to every row (out-of-bag rows included).
    model.trees.push(tree);
    const one: GbdtModel = { ...model, baseScore: 0, trees: [tree] };
    for (let i = 0; i < n; i++) margin[i] += predictTreeMargin(one, X[i]);
    if (valid && vMargin) {
      let loss = 0;
      for (let i = 0; i < valid.X.length; i++) {
        vMargin[i] += predictTreeMargin(one, valid.X[i]);
        const pr = Math.min(Math.max(sigmoid(vMargin[i]), 1e-12), 1 - 1e-12);
        loss -= valid.y[i] === 1 ? Math.log(pr) : Math.log(1 - pr);
      }
      loss /= valid.X.length;
      onRound?.(round, loss);
      if (loss < bestLoss - 1e-7) {
        bestLoss = loss;
        bestRound = round;
      } else if (p.earlyStopping > 0 && round - bestRound >= p.earlyStopping) break;
    } else {
      bestRound = round;
      onRound?.(round, Number.NaN);
    }
  }
  if (p.earlyStopping > 0) model.trees.length = bestRound + 1;
  return model;
}
