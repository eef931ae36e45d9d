// The fixed held-out split of train.csv: per class, rows are ordered by a seeded hash of the row's
// text and the first 20% are held out. Training (including validation and CV) never sees them.
import type { Dataset } from "./readDataset.js";
import { hash32 } from "./rng.js";

export const HOLDOUT_SEED = 0x5eed2026;
export const HOLDOUT_FRACTION = 0.2;
export const SPLIT_DESCRIPTION =
  "per class (FLAG 0 / 1), rows sorted by FNV-1a-32 of the raw CSV line mixed with seed 0x5eed2026; the first 20% of each class are held out";

/** Returns, for each row, true when it belongs to the held-out part. */
export function holdoutMask(keys: readonly string[], labels: ArrayLike<number>, fraction = HOLDOUT_FRACTION, seed = HOLDOUT_SEED): boolean[] {
  const mask = new Array<boolean>(keys.length).fill(false);
  for (const cls of [0, 1]) {
    const idx = keys.map((_, i) => i).filter((i) => labels[i] === cls);
    idx.sort((a, b) => hash32(keys[a], seed) - hash32(keys[b], seed) || (keys[a] < keys[b] ? -1 : 1));
    const take = Math.round(idx.length * fraction);
    for (let k = 0; k < take; k++) mask[idx[k]] = true;
  }
  return mask;
}

/** Subset of a dataset by row indices. */
export function subset(ds: Dataset, idx: readonly number[]): Dataset {
  return {
    rows: idx.map((i) => ds.rows[i]),
    labels: Uint8Array.from(idx, (i) => ds.labels[i]),
    complete: idx.map((i) => ds.complete[i]),
    keys: idx.map((i) => ds.keys[i]),
  };
}

/** "all" | "holdout" | "train" part of a dataset under the fixed split. */
export function selectSplit(ds: Dataset, part: "all" | "holdout" | "train"): Dataset {
  if (part === "all") return ds;
  const mask = holdoutMask(ds.keys, ds.labels);
  const idx = ds.keys.map((_, i) => i).filter((i) => mask[i] === (part === "holdout"));
  return subset(ds, idx);
}
