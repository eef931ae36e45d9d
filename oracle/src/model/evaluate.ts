// Evaluation of a saved model on a CSV with train.csv's header, plus an HTML/SVG report.
import { writeFileSync } from "node:fs";
import { engineer } from "./engineer.js";
import { predictEngineered } from "./ensemble.js";
import { computeMetrics, prCurve, type Metrics } from "./metrics.js";
import type { ModelBundle } from "./modelBundle.js";
import type { Dataset } from "./readDataset.js";

export type Evaluation = Metrics & { modelId: string; completeRows: Metrics; scores: Float32Array; labels: Uint8Array };

export function evaluateModel(bundle: ModelBundle, ds: Dataset): Evaluation {
  const scores = predictEngineered(bundle.ensemble, ds.rows.map((r) => engineer(r))).p;
  const t = bundle.meta.threshold;
  const ci = ds.complete.flatMap((c, i) => (c ? [i] : []));
  return {
    ...computeMetrics(scores, ds.labels, t),
    modelId: bundle.meta.modelId,
    completeRows: computeMetrics(ci.map((i) => scores[i]), ci.map((i) => ds.labels[i]), t),
    scores,
    labels: ds.labels,
  };
}

/** Self-contained HTML with an SVG PR curve and a score histogram per class. */
export function writeReport(path: string, ev: Evaluation, title: string): void {
  const W = 420, H = 300, P = 40;
  const pts = prCurve(ev.scores, ev.labels);
  const step = Math.max(1, Math.floor(pts.length / 400));
  const path1 = pts
    .filter((_, i) => i % step === 0 || i === pts.length - 1)
    .map((p, i) => `${i ? "L" : "M"}${(P + p.recall * (W - 2 * P)).toFixed(1)},${(H - P - p.precision * (H - 2 * P)).toFixed(1)}`)
    .join(" ");
  const bins = 20;
  const hist = [new Array<number>(bins).fill(0), new Array<number>(bins).fill(0)];
  ev.scores.forEach((s, i) => hist[ev.labels[i]][Math.min(bins - 1, Math.floor(s * bins))]++);
  const max = Math.max(...hist[0], ...hist[1], 1);
  const bw = (W - 2 * P) / bins;
  const bars = hist
    .map((h, cls) =>
      h
        .map((c) => Math.sqrt(c / max) * (H - 2 * P))
        .map((bh, b) => `<rect x="${(P + b * bw + (cls ? bw / 2 : 0)).toFixed(1)}" y="${(H - P - bh).toFixed(1)}" width="${(bw / 2).toFixed(1)}" height="${bh.toFixed(1)}" fill="${cls ? "#c0392b" : "#2e86c1"}"/>`)
        .join(""),
    )
    .join("");
  const axes = `<line x1="${P}" y1="${H - P}" x2="${W - P}" y2="${H - P}" stroke="#333"/><line x1="${P}" y1="${P}" x2="${P}" y2="${H - P}" stroke="#333"/>`;
  const f = (x: number): string => x.toFixed(4);
  const html = `<!doctype html><meta charset="utf-8"><title>${title}</title>
<style>body{font-family:sans-serif;margin:2em}td,th{padding:2px 10px;text-align:right}</style>
<h1>${title}</h1><p>model ${ev.modelId}</p>
<table><tr><th></th><th>rows</th><th>ROC-AUC</th><th>PR-AUC</th><th>F1</th><th>precision</th><th>recall</th><th>threshold</th></tr>
<tr><th>all rows</th><td>${ev.rows}</td><td>${f(ev.rocAuc)}</td><td>${f(ev.prAuc)}</td><td>${f(ev.f1)}</td><td>${f(ev.precision)}</td><td>${f(ev.recall)}</td><td>${f(ev.threshold)}</td></tr>
<tr><th>complete rows</th><td>${ev.completeRows.rows}</td><td>${f(ev.completeRows.rocAuc)}</td><td>${f(ev.completeRows.prAuc)}</td><td>${f(ev.completeRows.f1)}</td><td>${f(ev.completeRows.precision)}</td><td>${f(ev.completeRows.recall)}</td><td></td></tr></table>
<h2>Precision–recall curve</h2>
<svg width="${W}" height="${H}" xmlns="http://www.w3.org/2000/svg">${axes}<path d="${path1}" fill="none" stroke="#c0392b" stroke-width="2"/>
<text x="${W / 2}" y="${H - 8}" text-anchor="middle" font-size="12">recall</text><text x="12" y="${H / 2}" font-size="12" transform="rotate(-90 12 ${H / 2})" text-anchor="middle">precision</text></svg>
<h2>Score histogram (sqrt scale; blue = not fraud, red = fraud)</h2>
<svg width="${W}" height="${H}" xmlns="http://www.w3.org/2000/svg">${axes}${bars}
<text x="${W / 2}" y="${H - 8}" text-anchor="middle" font-size="12">score 0 → 1</text></svg>
`;
  writeFileSync(path, html);
}
