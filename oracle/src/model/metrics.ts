// Ranking and threshold metrics for binary scores.

export type Metrics = {
  rows: number;
  positives: number;
  rocAuc: number;
  prAuc: number;
  f1: number;
  precision: number;
  recall: number;
  accuracy: number;
  threshold: number;
};

/** ROC-AUC by the rank statistic (ties count half). */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let rankSumPos = 0;
  let pos = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    const avgRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (labels[order[k]] === 1) {
      rankSumPos += avgRank;
      pos++;
    }
    i = j + 1;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) return Number.NaN;
  return (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** PR curve points (recall, precision, threshold) from the highest threshold down. */
export function prCurve(scores: ArrayLike<number>, labels: ArrayLike<number>): { recall: number; precision: number; threshold: number }[] {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  let totalPos = 0;
  for (let i = 0; i < n; i++) totalPos += labels[i] === 1 ? 1 : 0;
  const pts: { recall: number; precision: number; threshold: number }[] = [];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    for (let k = i; k <= j; k++) labels[order[k]] === 1 ? tp++ : fp++;
    pts.push({ recall: totalPos ? tp / totalPos : 0, precision: tp / (tp + fp), threshold: scores[order[i]] });
    i = j + 1;
  }
  return pts;
}

/** Average precision (step-wise area under the PR curve, as scikit-learn's average_precision_score). */
export function prAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  let ap = 0;
  let prevRecall = 0;
  for (const p of prCurve(scores, labels)) {
    ap += (p.recall - prevRecall) * p.precision;
    prevRecall = p.recall;
  }
  return ap;
}

/** Confusion-matrix metrics at `score >= threshold`. */
export function atThreshold(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold: number) {
  let tp = 0, fp = 0, fn = 0, tn = 0;
  for (let i = 0; i < scores.length; i++) {
    const p = scores[i] >= threshold;
    if (labels[i] === 1) p ? tp++ : fn++;
    else p ? fp++ : tn++;
  }
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const recall = tp + fn ? tp / (tp + fn) : 0;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { tp, fp, fn, tn, precision, recall, f1, accuracy: (tp + tn) / Math.max(1, scores.length) };
}

/** The threshold with the best F1 (used to calibrate the decision threshold on validation data). */
export function bestF1Threshold(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  let best = 0.5;
  let bestF1 = -1;
  for (const p of prCurve(scores, labels)) {
    const f1 = p.precision + p.recall ? (2 * p.precision * p.recall) / (p.precision + p.recall) : 0;
    if (f1 > bestF1) {
      bestF1 = f1;
      best = p.threshold;
    }
  }
  return best;
}

/** All metrics at a given threshold. */
export function computeMetrics(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold: number): Metrics {
  const t = atThreshold(scores, labels, threshold);
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i];
  return {
    rows: scores.length,
    positives,
    rocAuc: rocAuc(scores, labels),
    prAuc: prAuc(scores, labels),
    f1: t.f1,
    precision: t.precision,
    recall: t.recall,
    accuracy: t.accuracy,
    threshold,
  };
}
