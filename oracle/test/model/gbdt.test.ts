import assert from "node:assert/strict";
import { test } from "node:test";
import { explainGbdt, predictGbdt, predictMargin, predictTreeMargin, trainGbdt } from "../../src/model/gbdt.js";
import { rocAuc } from "../../src/model/metrics.js";
import { createRng } from "../../src/model/rng.js";

function data(n: number, seed: number) {
  const rng = createRng(seed);
  const X: Float32Array[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = Float32Array.from({ length: 4 }, () => rng.normal());
    X.push(x);
    y.push(x[0] + 0.5 * x[1] * x[1] > 0.8 ? 1 : 0); // feature 2, 3 are noise
  }
  return { X, y };
}

test("test_trainGbdt_LearnsNonLinearBoundary", () => {
  const tr = data(600, 1);
  const te = data(300, 2);
  const m = trainGbdt(tr.X, tr.y, { rounds: 80, seed: 1 }, te);
  assert.ok(rocAuc(te.X.map((x) => predictGbdt(m, x)), te.y) > 0.95);
});

test("test_trainGbdt_DeterministicForSeed", () => {
  const tr = data(300, 3);
  const a = trainGbdt(tr.X, tr.y, { rounds: 20, seed: 7 });
  const b = trainGbdt(tr.X, tr.y, { rounds: 20, seed: 7 });
  const c = trainGbdt(tr.X, tr.y, { rounds: 20, seed: 8 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

test("test_explainGbdt_ContributionsSumToMargin", () => {
  const tr = data(300, 4);
  const m = trainGbdt(tr.X, tr.y, { rounds: 30, seed: 1 });
  const x = tr.X[5];
  const c = explainGbdt(m, x);
  const rootSum = m.trees.reduce((s, t) => s + t.value[0], 0);
  const sum = c.reduce((s, v) => s + v, 0);
  assert.ok(Math.abs(m.baseScore + rootSum + sum - predictTreeMargin(m, x)) < 1e-9);
  assert.ok(Math.abs(c[0]) > Math.abs(c[3]), "the informative feature dominates");
});

test("test_trainGbdt_EarlyStoppingCutsToBestRound_ZeroKeepsAllRounds", () => {
  const tr = data(200, 5);
  const va = data(200, 6);
  // deep trees, high learning rate: the validation loss bottoms out early, then rises
  const cut = trainGbdt(tr.X, tr.y, { rounds: 120, learningRate: 0.5, maxDepth: 6, earlyStopping: 10, seed: 1 }, va);
  const all = trainGbdt(tr.X, tr.y, { rounds: 120, learningRate: 0.5, maxDepth: 6, earlyStopping: 0, seed: 1 }, va);
  assert.ok(cut.trees.length < 120, `${cut.trees.length} trees`);
  assert.equal(all.trees.length, 120);
  assert.deepEqual(all.trees.slice(0, cut.trees.length), cut.trees, "same trees up to the cut");
});

test("test_RevertWhen_trainGbdt_MaxBinsAbove255", () => {
  const tr = data(50, 7);
  assert.throws(() => trainGbdt(tr.X, tr.y, { rounds: 2, maxBins: 256 }), /maxBins/);
});

test("test_predictMargin_CompleteLayoutEqualsTreeWalk_UnevenDepthsAndNaN", () => {
  const tr = data(400, 8);
  // minChildWeight stops some branches early, so leaves sit at several depths (padding is exercised)
  const m = trainGbdt(tr.X, tr.y, { rounds: 40, maxDepth: 6, minChildWeight: 8, seed: 3 });
  const depths = new Set<number>();
  for (const t of m.trees) {
    const walk = (n: number, d: number): void => (t.feature[n] < 0 ? void depths.add(d) : (walk(t.left[n], d + 1), walk(t.right[n], d + 1)));
    walk(0, 0);
  }
  assert.ok(depths.size > 1, `leaf depths ${[...depths]}`);
  const rows = [...data(300, 9).X, Float32Array.from([Number.NaN, 0.5, Number.NaN, -1]), Float32Array.from([Infinity, -Infinity, 0, 0])];
  for (const x of rows) assert.equal(predictMargin(m, x), predictTreeMargin(m, x));
});
