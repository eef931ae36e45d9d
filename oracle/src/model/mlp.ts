// The TensorFlow.js network: standardised engineered features → 64 → 32 → 1 (sigmoid).
// Deterministic for a seed: seeded initialisers and dropout, seeded shuffling, fixed batch order.
import { tf } from "./backend.js";
import { createRng } from "./rng.js";

export type MlpParams = {
  hidden: number[];
  dropout: number;
  learningRate: number;
  epochs: number;
  batchSize: number;
  patience: number;
  l2: number;
  /** Weight the fraud class by negatives/positives (default true). */
  classWeighting: boolean;
  seed: number;
};

export const DEFAULT_MLP_PARAMS: MlpParams = {
  hidden: [64, 32],
  dropout: 0.1,
  learningRate: 0.002,
  epochs: 120,
  batchSize: 128,
  patience: 25,
  l2: 1e-5,
  classWeighting: true,
  seed: 1,
};

export function buildMlp(inputDim: number, p: MlpParams): tf.Sequential {
  const model = tf.sequential();
  p.hidden.forEach((units, i) => {
    model.add(
      tf.layers.dense({
        units,
        activation: "relu",
        inputShape: i === 0 ? [inputDim] : undefined,
        kernelInitializer: tf.initializers.heNormal({ seed: p.seed * 31 + i }),
        biasInitializer: "zeros",
        kernelRegularizer: p.l2 > 0 ? tf.regularizers.l2({ l2: p.l2 }) : undefined,
      }),
    );
    if (p.dropout > 0) model.add(tf.layers.dropout({ rate: p.dropout, seed: p.seed * 131 + i }));
  });
  model.add(
    tf.layers.dense({ units: 1, activation: "sigmoid", kernelInitializer: tf.initializers.glorotUniform({ seed: p.seed * 7 + 99 }) }),
  );
  model.compile({ optimizer: tf.train.adam(p.learningRate), loss: "binaryCrossentropy" });
  return model;
}

function toTensor(X: Float32Array[]): tf.Tensor2D {
  const d = X[0].length;
  const flat = new Float32Array(X.length * d);
  X.forEach((r, i) => flat.set(r, i * d));
  return tf.tensor2d(flat, [X.length, d]);
}

function valLoss(model: tf.Sequential, xv: tf.Tensor2D, yv: tf.Tensor2D): number {
  return tf.tidy(() => tf.metrics.binaryCrossentropy(yv, model.predict(xv) as tf.Tensor).mean().dataSync()[0]);
}

/**
 * Trains on standardised rows with class weighting and early stopping on the validation loss;
 * restores the best epoch's weights. `onEpoch` drives the progress bar.
 */
export async function trainMlp(
  X: Float32Array[],
  y: ArrayLike<number>,
  valid: { X: Float32Array[]; y: ArrayLike<number> },
  params: Partial<MlpParams> = {},
  onEpoch?: (epoch: number, epochs: number, loss: number) => void,
): Promise<{ model: tf.Sequential; epochs: number; bestLoss: number }> {
  const p = { ...DEFAULT_MLP_PARAMS, ...params };
  const rng = createRng(p.seed + 1000);
  const model = buildMlp(X[0].length, p);
  let pos = 0;
  for (let i = 0; i < y.length; i++) pos += y[i];
  const classWeight = { 0: 1, 1: p.classWeighting ? Math.max(1, (y.length - pos) / Math.max(1, pos)) : 1 };
  const xv = toTensor(valid.X);
  const yv = tf.tensor2d(Float32Array.from(valid.y as ArrayLike<number>), [valid.X.length, 1]);
  const idx = Array.from({ length: X.length }, (_, i) => i);
  let best = Infinity;
  let bestEpoch = 0;
  let bestWeights: tf.Tensor[] | undefined;
  try {
    for (let epoch = 0; epoch < p.epochs; epoch++) {
      rng.shuffle(idx);
      const xs = toTensor(idx.map((i) => X[i]));
      const ys = tf.tensor2d(Float32Array.from(idx, (i) => y[i]), [idx.length, 1]);
      await model.fit(xs, ys, { epochs: 1, batchSize: p.batchSize, shuffle: false, classWeight, verbose: 0 });
      xs.dispose();
      ys.dispose();
      const loss = valLoss(model, xv, yv);
      onEpoch?.(epoch, p.epochs, loss);
      if (loss < best - 1e-6) {
        best = loss;
        bestEpoch = epoch;
        bestWeights?.forEach((t) => t.dispose());
        bestWeights = model.getWeights().map((t) => t.clone());
      } else if (epoch - bestEpoch >= p.patience) break;
    }
    if (bestWeights) model.setWeights(bestWeights);
  } finally {
    bestWeights?.forEach((t) => t.dispose());
    xv.dispose();
    yv.dispose();
  }
  return { model, epochs: bestEpoch + 1, bestLoss: best };
}

/** Probabilities for standardised rows, one batched call. */
export function predictMlp(model: tf.LayersModel, X: Float32Array[]): Float32Array {
  if (X.length === 0) return new Float32Array(0);
  return tf.tidy(() => (model.predict(toTensor(X)) as tf.Tensor).dataSync() as Float32Array);
}
