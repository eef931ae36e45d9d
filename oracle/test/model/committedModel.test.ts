import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { selectBackend } from "../../src/model/backend.js";
import { evaluateModel } from "../../src/model/evaluate.js";
import { atThreshold } from "../../src/model/metrics.js";
import { loadModel } from "../../src/model/modelBundle.js";
import { readDataset } from "../../src/model/readDataset.js";
import { selectSplit } from "../../src/model/split.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const trainCsv = join(root, "..", "shared", "data", "eth-fraud", "train.csv");

test("test_committedModel_CalibratedBandsAreOrdered", async () => {
  await selectBackend();
  const { meta } = await loadModel();
  const t = Math.round(meta.threshold * 10000);
  assert.ok(meta.bands.allowBelow > 0 && meta.bands.allowBelow <= t, `allowBelow ${meta.bands.allowBelow} <= threshold ${t}`);
  assert.ok(meta.bands.freezeAt >= t && meta.bands.freezeAt <= 10000, `freezeAt ${meta.bands.freezeAt} >= threshold ${t}`);
  assert.ok(meta.metrics.validation.recall > 0.8 && meta.metrics.validation.precision > 0.8);
});

test("test_committedModel_HeldOutFiguresReproduce", { skip: !existsSync(trainCsv) && "train.csv not available" }, async () => {
  await selectBackend();
  const bundle = await loadModel();
  const ev = evaluateModel(bundle, selectSplit(readDataset(trainCsv), "holdout"));
  const h = bundle.meta.metrics.holdout!;
  assert.equal(ev.rows, h.rows);
  assert.ok(Math.abs(ev.rocAuc - h.rocAuc) < 1e-6, `${ev.rocAuc} vs ${h.rocAuc}`);
  assert.ok(Math.abs(ev.f1 - h.f1) < 1e-6);
  assert.ok(Math.abs(ev.completeRows.rocAuc - bundle.meta.metrics.holdoutComplete!.rocAuc) < 1e-6);
  // calibration: the bands keep their promise on unseen rows within a tolerance
  const s = ev.scores;
  assert.ok(atThreshold(s, ev.labels, bundle.meta.bands.allowBelow / 10000).recall >= 0.95, "recall above allowBelow");
  assert.ok(atThreshold(s, ev.labels, bundle.meta.bands.freezeAt / 10000).precision >= 0.95, "precision above freezeAt");
});
