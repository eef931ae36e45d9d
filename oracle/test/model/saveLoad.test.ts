import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { selectBackend } from "../../src/model/backend.js";
import { engineer } from "../../src/model/engineer.js";
import { predictEngineered } from "../../src/model/ensemble.js";
import { loadModel } from "../../src/model/modelBundle.js";
import { parseDataset } from "../../src/model/readDataset.js";
import { trainModel } from "../../src/model/train.js";
import { makeCsv } from "./fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "riskgate-model-test-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const ds = parseDataset(makeCsv(240, 5));
const tiny = { mlp: { epochs: 4 }, gbdt: { rounds: 15 }, cvFolds: 0 };

test("test_trainModel_SaveLoadRoundTrip_SamePredictionsAndId", async () => {
  await selectBackend();
  const meta = await trainModel({ data: ds, dataFile: "fixture.csv", out: join(dir, "a"), seed: 3, ...tiny });
  assert.match(meta.modelId, /^0x[0-9a-f]{64}$/);
  for (const f of ["model.json", "weights.bin", "gbdt.json", "meta.json", "MODEL_CARD.md"]) assert.ok(existsSync(join(dir, "a", f)), f);
  const bundle = await loadModel(join(dir, "a"));
  assert.equal(bundle.meta.modelId, meta.modelId);
  assert.ok(bundle.meta.bands.allowBelow < bundle.meta.bands.freezeAt);
  // The held-out figures recorded at training time are reproduced by the loaded model.
  const X = ds.rows.map((r) => engineer(r));
  const p = predictEngineered(bundle.ensemble, X).p;
  assert.ok(p.every((v) => v >= 0 && v <= 1));
  const again = predictEngineered((await loadModel(join(dir, "a"))).ensemble, X).p;
  assert.deepEqual(Array.from(again), Array.from(p));
});

test("test_trainModel_DeterministicForSeed", async () => {
  const a = await trainModel({ data: ds, dataFile: "fixture.csv", out: join(dir, "b1"), seed: 9, ...tiny });
  const b = await trainModel({ data: ds, dataFile: "fixture.csv", out: join(dir, "b2"), seed: 9, ...tiny });
  assert.equal(a.modelId, b.modelId);
});

test("test_RevertWhen_ModelFilesTampered", async () => {
  await trainModel({ data: ds, dataFile: "fixture.csv", out: join(dir, "c"), seed: 3, ...tiny });
  const w = readFileSync(join(dir, "c", "weights.bin"));
  w[0] ^= 0xff;
  writeFileSync(join(dir, "c", "weights.bin"), w);
  await assert.rejects(loadModel(join(dir, "c")), /corrupt/);
});

test("test_RevertWhen_OneClassOnly_NoPartialModel", async () => {
  const one = parseDataset(makeCsv(40, 1).split("\n").filter((l, i) => i === 0 || l.startsWith("0")).join("\n"));
  await assert.rejects(trainModel({ data: one, dataFile: "x.csv", out: join(dir, "d"), seed: 1, ...tiny }), /at least 10 rows of each class/);
  assert.ok(!existsSync(join(dir, "d")));
  assert.ok(!readdirSync(dir).some((f) => f.includes(".d.tmp-")), "no temp directory left");
});
