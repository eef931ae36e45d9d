import assert from "node:assert/strict";
import { test } from "node:test";
import { selectBackend } from "../../src/model/backend.js";
import { ENGINEERED_SIZE } from "../../src/model/engineer.js";
import { explainEngineered, explainEngineeredTf, predictEngineered } from "../../src/model/ensemble.js";
import { loadModel } from "../../src/model/modelBundle.js";
import { createRng } from "../../src/model/rng.js";

test("test_explainEngineered_JsGradientMatchesTfGrad", async () => {
  await selectBackend();
  const { ensemble, meta } = await loadModel();
  assert.equal(meta.schema.engineered.length, ENGINEERED_SIZE);
  const rng = createRng(5);
  for (let k = 0; k < 5; k++) {
    const x = Float32Array.from({ length: ENGINEERED_SIZE }, (_, j) => ensemble.norm.mean[j] + ensemble.norm.std[j] * rng.normal());
    const a = explainEngineered(ensemble, x);
    const b = explainEngineeredTf(ensemble, x);
    for (let j = 0; j < a.length; j++) assert.ok(Math.abs(a[j] - b[j]) < 1e-3 * (1 + Math.abs(b[j])), `feature ${j}: ${a[j]} vs ${b[j]}`);
  }
});

test("test_predictEngineered_BatchedEqualsSingle", async () => {
  await selectBackend();
  const { ensemble } = await loadModel();
  const rng = createRng(6);
  const X = Array.from({ length: 1500 }, () => Float32Array.from({ length: ENGINEERED_SIZE }, (_, j) => ensemble.norm.mean[j] + ensemble.norm.std[j] * rng.normal()));
  const all = predictEngineered(ensemble, X).p;
  for (const i of [0, 1023, 1024, 1499]) assert.ok(Math.abs(predictEngineered(ensemble, [X[i]]).p[0] - all[i]) < 1e-6);
});
