// The single-row network path (plain TypeScript over the tfjs weights) must give what tfjs predicts.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { accountFeatures } from "../../src/model/accountFeatures.js";
import { selectBackend, tf } from "../../src/model/backend.js";
import { ENGINEERED_SIZE, engineer } from "../../src/model/engineer.js";
import { FAST_PATH_MAX_ROWS, networkProb, predictEngineered, predictOne, standardise } from "../../src/model/ensemble.js";
import { loadModel } from "../../src/model/modelBundle.js";
import { readDataset } from "../../src/model/readDataset.js";
import { generateScenario } from "../../src/risk/scenarios.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const trainCsv = join(root, "..", "shared", "data", "eth-fraud", "train.csv");
const TOL = 1e-6;

/** Max |fast − tfjs| over the rows for the network part and the blended probability. */
async function maxDiff(X: Float32Array[]): Promise<{ mlp: number; p: number; one: number }> {
  const { ensemble } = await loadModel();
  const ref = predictEngineered(ensemble, X, { tfjs: true });
  let mlp = 0, p = 0, one = 0;
  for (let i = 0; i < X.length; i++) {
    const r = predictEngineered(ensemble, [X[i]]);
    mlp = Math.max(mlp, Math.abs(r.mlp[0] - ref.mlp[i]));
    p = Math.max(p, Math.abs(r.p[0] - ref.p[i]));
    one = Math.max(one, Math.abs(predictOne(ensemble, X[i]) - ref.p[i]));
  }
  ensemble.net.dispose();
  return { mlp, p, one };
}

test("test_fastPath_EqualsTfjsPredict_OnScenarioAccounts", async () => {
  await selectBackend();
  const s = generateScenario({ seed: 7, payers: 40, payees: 25 });
  const byAccount = new Map<string, typeof s.transfers>();
  for (const t of s.transfers) for (const a of new Set([t.from.toLowerCase(), t.to.toLowerCase()])) byAccount.set(a, [...(byAccount.get(a) ?? []), t]);
  const X = [...byAccount].map(([a, ts]) => engineer(accountFeatures(a as `0x${string}`, ts)));
  assert.ok(X.length > 50, `${X.length} accounts`);
  const d = await maxDiff(X);
  assert.ok(d.mlp < TOL && d.p < TOL && d.one < TOL, JSON.stringify(d));
});

test("test_fastPath_EqualsTfjsPredict_OnTrainingRows", { skip: !existsSync(trainCsv) && "train.csv not available" }, async () => {
  await selectBackend();
  const X = readDataset(trainCsv).rows.map((r) => engineer(r));
  const d = await maxDiff(X);
  assert.ok(d.mlp < TOL && d.p < TOL && d.one < TOL, JSON.stringify(d));
});

test("test_predictEngineered_FastAndTfjsBatchesAgree_NoTensorLeak", async () => {
  await selectBackend();
  const { ensemble } = await loadModel();
  const X = Array.from({ length: FAST_PATH_MAX_ROWS + 1 }, (_, i) => Float32Array.from({ length: ENGINEERED_SIZE }, (_, j) => ensemble.norm.mean[j] + ensemble.norm.std[j] * Math.sin(i * 7 + j)));
  const before = tf.memory().numTensors;
  const batched = predictEngineered(ensemble, X).p;
  const small = predictEngineered(ensemble, X.slice(0, FAST_PATH_MAX_ROWS)).p;
  assert.equal(tf.memory().numTensors, before, "no tensor leaked");
  for (let i = 0; i < FAST_PATH_MAX_ROWS; i++) assert.ok(Math.abs(small[i] - batched[i]) < TOL);
  ensemble.net.dispose();
});

test("test_RevertWhen_networkProb_ArchitectureIsNotReluSigmoid", async () => {
  await selectBackend();
  const net = tf.sequential({ layers: [tf.layers.dense({ units: 4, activation: "tanh", inputShape: [3] }), tf.layers.dense({ units: 1, activation: "sigmoid" })] });
  assert.throws(() => networkProb(net, standardise(new Float32Array(3), { mean: [0, 0, 0], std: [1, 1, 1] })), /unsupported architecture/);
  net.dispose();
});
