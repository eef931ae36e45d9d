import assert from "node:assert/strict";
import { test } from "node:test";
import { atThreshold, bestF1Threshold, prAuc, rocAuc } from "../../src/model/metrics.js";

test("test_rocAuc_KnownValues", () => {
  assert.equal(rocAuc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]), 1);
  assert.equal(rocAuc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1]), 0);
  // one inverted pair of four → 0.75; ties count half
  assert.equal(rocAuc([0.1, 0.6, 0.5, 0.9], [0, 0, 1, 1]), 0.75);
  assert.equal(rocAuc([0.5, 0.5], [0, 1]), 0.5);
});

test("test_prAuc_AveragePrecision", () => {
  // ranking 1,0,1 → AP = (1/2)*1 + (1/2)*(2/3)
  assert.ok(Math.abs(prAuc([0.9, 0.8, 0.7], [1, 0, 1]) - (0.5 + 1 / 3)) < 1e-12);
});

test("test_calibration_BestF1ThresholdSeparates", () => {
  const scores = [0.05, 0.1, 0.2, 0.35, 0.4, 0.6, 0.7, 0.9];
  const labels = [0, 0, 0, 0, 1, 1, 1, 1];
  const t = bestF1Threshold(scores, labels);
  assert.equal(t, 0.4);
  assert.equal(atThreshold(scores, labels, t).f1, 1);
});
