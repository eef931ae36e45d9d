// `riskgate model train | evaluate | info`.
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Presets, SingleBar } from "cli-progress";
import type { Command } from "commander";
import { selectBackend } from "../../model/backend.js";
import { DataError } from "../../model/dataError.js";
import { evaluateModel, writeReport } from "../../model/evaluate.js";
import { DEFAULT_MODEL_DIR, loadModel } from "../../model/modelBundle.js";
import { readDataset } from "../../model/readDataset.js";
import { selectSplit } from "../../model/split.js";
import { trainModel } from "../../model/train.js";

const f4 = (x: number): string => (Number.isNaN(x) ? "n/a" : x.toFixed(4));

export function registerModelCommands(program: Command): void {
  const model = program.command("model").description("train, evaluate and inspect the risk model");

  model
    .command("train")
    .description("train the model on a labelled CSV (train.csv's header); the fixed 20% held-out split is never used")
    .requiredOption("--data <file>", "labelled CSV")
    .option("--out <dir>", "output model directory", DEFAULT_MODEL_DIR)
    .option("--seed <n>", "random seed", "1")
    .option("--cv <folds>", "cross-validation folds for the model card (0 = skip)", "5")
    .option("--epochs <n>", "maximum network epochs")
    .option("--rounds <n>", "maximum boosting rounds")
    .option("--no-holdout", "train on every row (no held-out figures)")
    .action(async (o: { data: string; out: string; seed: string; cv: string; epochs?: string; rounds?: string; holdout: boolean }) => {
      const data = readDataset(o.data);
      const backend = await selectBackend();
      process.stderr.write(`riskgate: backend ${backend}, ${data.rows.length} rows\n`);
      let bar: SingleBar | undefined;
      let stage = "";
      const meta = await trainModel({
        data,
        dataFile: o.data.split("/").pop() ?? o.data,
        out: o.out,
        seed: Number(o.seed),
        cvFolds: Number(o.cv),
        holdout: o.holdout,
        mlp: o.epochs ? { epochs: Number(o.epochs) } : undefined,
        gbdt: o.rounds ? { rounds: Number(o.rounds) } : undefined,
        onProgress: (s, step, total) => {
          if (s !== stage) {
            bar?.stop();
            stage = s;
            bar = new SingleBar({ format: `${s.padEnd(8)} [{bar}] epoch {value}/{total}`, stream: process.stderr }, Presets.shades_classic);
            bar.start(total, 0);
          }
          bar?.update(step);
        },
      }).finally(() => bar?.stop());
      const h = meta.metrics.holdout;
      console.log(`model ${meta.modelId} written to ${resolve(o.out)}`);
      if (h) console.log(`held-out: ROC-AUC ${f4(h.rocAuc)}  PR-AUC ${f4(h.prAuc)}  F1 ${f4(h.f1)}  (complete rows ROC-AUC ${f4(meta.metrics.holdoutComplete!.rocAuc)})`);
      if (meta.metrics.cv) console.log(`${meta.metrics.cv.folds}-fold CV: ROC-AUC ${f4(meta.metrics.cv.rocAuc)}  PR-AUC ${f4(meta.metrics.cv.prAuc)}  F1 ${f4(meta.metrics.cv.f1)}`);
    });

  model
    .command("evaluate")
    .description("evaluate a model on a labelled CSV with train.csv's header")
    .requiredOption("--data <file>", "labelled CSV")
    .option("--model <dir>", "model directory", DEFAULT_MODEL_DIR)
    .option("--split <part>", "all | holdout | train (the fixed split of the training file)", "all")
    .option("--json", "print one JSON object on stdout")
    .option("--report <file>", "HTML report path (PR curve + score histogram)")
    .action(async (o: { data: string; model: string; split: string; json?: boolean; report?: string }) => {
      if (!["all", "holdout", "train"].includes(o.split)) throw new DataError(`--split must be all, holdout or train, not "${o.split}"`);
      const ds = selectSplit(readDataset(o.data), o.split as "all" | "holdout" | "train");
      await selectBackend();
      const bundle = await loadModel(o.model);
      const ev = evaluateModel(bundle, ds);
      const { scores: _s, labels: _l, ...figures } = ev;
      if (o.json) {
        console.log(JSON.stringify({ split: o.split, ...figures }));
        return;
      }
      const report = o.report ?? join(tmpdir(), `riskgate-evaluate-${process.pid}.html`);
      writeReport(report, ev, `Riskgate model evaluation (${o.data}, split ${o.split})`);
      const line = (name: string, m: typeof ev.completeRows): string =>
        `${name.padEnd(14)} ${String(m.rows).padStart(6)} ${f4(m.rocAuc).padStart(8)} ${f4(m.prAuc).padStart(8)} ${f4(m.f1).padStart(8)} ${f4(m.precision).padStart(9)} ${f4(m.recall).padStart(8)}`;
      console.log(`model ${ev.modelId}, threshold ${f4(ev.threshold)}`);
      console.log(`${"".padEnd(14)} ${"rows".padStart(6)} ${"ROC-AUC".padStart(8)} ${"PR-AUC".padStart(8)} ${"F1".padStart(8)} ${"precision".padStart(9)} ${"recall".padStart(8)}`);
      console.log(line("all rows", ev));
      console.log(line("complete rows", ev.completeRows));
      console.log(`report: ${resolve(report)}`);
    });

  model
    .command("info")
    .description("show the model id, backend, thresholds and metrics")
    .option("--model <dir>", "model directory", DEFAULT_MODEL_DIR)
    .option("--json", "print one JSON object on stdout")
    .action(async (o: { model: string; json?: boolean }) => {
      const backend = await selectBackend();
      const { meta } = await loadModel(o.model);
      const info = {
        modelId: meta.modelId,
        backend,
        dir: resolve(o.model),
        createdAt: meta.createdAt,
        seed: meta.seed,
        features: meta.schema.accountFeatures.length,
        engineeredFeatures: meta.schema.engineered.length,
        blend: meta.blend,
        threshold: meta.threshold,
        bands: meta.bands,
        split: meta.split,
        metrics: meta.metrics,
      };
      if (o.json) {
        console.log(JSON.stringify(info));
        return;
      }
      console.log(`modelId   ${info.modelId}`);
      console.log(`backend   ${backend}`);
      console.log(`dir       ${info.dir}`);
      console.log(`created   ${info.createdAt} (seed ${info.seed})`);
      console.log(`features  ${info.features} account features → ${info.engineeredFeatures} engineered`);
      console.log(`blend     network ${meta.blend.mlpWeight} + trees ${meta.blend.gbdtWeight} (logit scale)`);
      console.log(`threshold ${f4(meta.threshold)}; bands: release < ${meta.bands.allowBelow}, freeze >= ${meta.bands.freezeAt}`);
      const h = meta.metrics.holdout;
      if (h) console.log(`held-out  ROC-AUC ${f4(h.rocAuc)}  PR-AUC ${f4(h.prAuc)}  F1 ${f4(h.f1)}; complete rows ROC-AUC ${f4(meta.metrics.holdoutComplete!.rocAuc)}`);
      const cv = meta.metrics.cv;
      if (cv) console.log(`${cv.folds}-fold CV ROC-AUC ${f4(cv.rocAuc)}  PR-AUC ${f4(cv.prAuc)}  F1 ${f4(cv.f1)}`);
    });
}
