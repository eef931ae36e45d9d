// Synthetic CSV fixtures with train.csv's header (tests never read ../shared).
import { createRng } from "../../src/model/rng.js";
import { ACCOUNT_FEATURES, IGNORED_COLUMNS, LABEL_COLUMN } from "../../src/model/schema.js";

export const HEADER = [LABEL_COLUMN, ...ACCOUNT_FEATURES, ...IGNORED_COLUMNS].join(",");

/** n rows, ~25% fraud; fraud accounts are short-lived, receive from many, drain their balance. */
export function makeCsv(n = 240, seed = 3): string {
  const rng = createRng(seed);
  const lines = [HEADER];
  for (let i = 0; i < n; i++) {
    const fraud = rng.next() < 0.25;
    const cells = ACCOUNT_FEATURES.map((name, j) => {
      const base = Math.exp(rng.normal() * 1.5 + (j % 5));
      if (name === "Time Diff between first and last (Mins)") return (fraud ? base * 10 : base * 3000).toFixed(2);
      if (name === "Unique Received From Addresses") return String(Math.round(fraud ? 5 + base : base / 3));
      if (name === "total ether balance") return (fraud ? 0.001 * rng.next() : base).toFixed(6);
      return base.toFixed(6);
    });
    lines.push([fraud ? "1" : "0", ...cells, " ", "Tether"].join(","));
  }
  return lines.join("\n") + "\n";
}
