// Save/load of a model directory: model.json + weights.bin (tfjs network), gbdt.json (trees),
// meta.json (schema, normalisation, blend, thresholds, metrics), MODEL_CARD.md.
// modelId = sha256(weights.bin ‖ gbdt.json ‖ schema+normalisation+blend JSON), 0x-prefixed bytes32.
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Hex } from "viem";
import { tf } from "./backend.js";
import type { Blend, Ensemble, Normalisation } from "./ensemble.js";
import { fileLoadHandler, fileSaveHandler } from "./fileIO.js";
import type { GbdtModel } from "./gbdt.js";
import type { Metrics } from "./metrics.js";

export const DEFAULT_MODEL_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../models/default");

export type ModelMeta = {
  format: "riskgate-model/1";
  modelId: Hex;
  createdAt: string;
  seed: number;
  trainingBackend: string;
  schema: { accountFeatures: string[]; engineered: string[] };
  normalisation: Normalisation;
  blend: Blend;
  /** Decision threshold on the blended probability (best F1 on the validation split). */
  threshold: number;
  /** Score bands on 0..10000 for the oracle policy. */
  bands: { allowBelow: number; freezeAt: number };
  split: string;
  data: { file: string; rows: number; trainRows: number; validationRows: number; holdoutRows: number; positives: number };
  training: { gbdtTrees: number; mlpEpochs: number; seconds: number };
  metrics: {
    validation: Metrics;
    holdout?: Metrics;
    holdoutComplete?: Metrics;
    cv?: { folds: number; rocAuc: number; prAuc: number; f1: number; rocAucComplete: number; perFold: number[] };
  };
};

export type ModelBundle = { meta: ModelMeta; ensemble: Ensemble };

/** 9 significant digits: float32 thresholds round-trip exactly, values lose nothing that matters. */
function round7(x: number): number {
  return Number(x.toPrecision(9));
}

function gbdtJson(g: GbdtModel): string {
  const trees = g.trees.map((t) => ({ ...t, threshold: t.threshold.map(round7), value: t.value.map(round7) }));
  return JSON.stringify({ ...g, baseScore: round7(g.baseScore), trees });
}

export function computeModelId(weights: Buffer, gbdt: string, meta: Pick<ModelMeta, "schema" | "normalisation" | "blend">): Hex {
  const h = createHash("sha256");
  h.update(weights);
  h.update(gbdt);
  h.update(JSON.stringify({ schema: meta.schema, normalisation: meta.normalisation, blend: meta.blend }));
  return `0x${h.digest("hex")}`;
}

/**
 * Writes the bundle into a temp directory beside `outDir`, then renames it into place, so a failure
 * never leaves a partial model. Returns the modelId (also written into meta.json).
 */
export async function saveModel(outDir: string, ensemble: Ensemble, meta: Omit<ModelMeta, "modelId">, card: (m: ModelMeta) => string): Promise<ModelMeta> {
  const target = resolve(outDir);
  mkdirSync(dirname(target), { recursive: true });
  const tmp = mkdtempSync(join(dirname(target), `.${basename(target)}.tmp-`));
  try {
    await ensemble.net.save(fileSaveHandler(tmp));
    const g = gbdtJson(ensemble.gbdt);
    writeFileSync(join(tmp, "gbdt.json"), g);
    // Round normalisation so that the id is computed from exactly what is saved.
    const full: ModelMeta = { ...meta, modelId: computeModelId(readFileSync(join(tmp, "weights.bin")), g, meta) };
    writeFileSync(join(tmp, "meta.json"), JSON.stringify(full, null, 2) + "\n");
    writeFileSync(join(tmp, "MODEL_CARD.md"), card(full));
    chmodSync(tmp, 0o755);
    if (existsSync(target)) {
      const old = `${target}.old-${process.pid}`;
      renameSync(target, old);
      renameSync(tmp, target);
      rmSync(old, { recursive: true, force: true });
    } else renameSync(tmp, target);
    return full;
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

export async function loadModel(dir: string = DEFAULT_MODEL_DIR): Promise<ModelBundle> {
  const d = resolve(dir);
  if (!existsSync(join(d, "meta.json"))) throw new Error(`no model in ${d} (meta.json missing); train one with: riskgate model train --data FILE --out ${dir}`);
  const meta = JSON.parse(readFileSync(join(d, "meta.json"), "utf8")) as ModelMeta;
  const g = readFileSync(join(d, "gbdt.json"), "utf8");
  const id = computeModelId(readFileSync(join(d, "weights.bin")), g, meta);
  if (id !== meta.modelId) throw new Error(`model in ${d} is corrupt: modelId ${meta.modelId} but files hash to ${id}`);
  const net = await tf.loadLayersModel(fileLoadHandler(d));
  const gbdt = JSON.parse(g) as GbdtModel;
  return { meta, ensemble: { net, gbdt, norm: meta.normalisation, blend: meta.blend } };
}
