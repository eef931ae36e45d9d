import { readFileSync } from "node:fs";
import { DataError } from "./dataError.js";
import { ACCOUNT_FEATURES, LABEL_COLUMN } from "./schema.js";

export type Dataset = {
  /** Row-major raw account features, ACCOUNT_FEATURES order; empty cells are 0. */
  rows: Float64Array[];
  labels: Uint8Array;
  /** True where every numeric cell of the row was present. */
  complete: boolean[];
  /** The raw line of each row (used by the seeded hash split). */
  keys: string[];
};

/** Splits one CSV line (RFC 4180 quotes supported). */
function splitLine(line: string): string[] {
  if (!line.includes('"')) return line.split(",");
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      out.push(cur);
      cur = "";
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/**
 * Parses a CSV with train.csv's header (extra columns are ignored, order is free). Throws DataError
 * (row numbers are 1-based file lines, the header being line 1) on: empty file, missing column,
 * non-numeric cell, label other than 0/1.
 */
export function parseDataset(text: string): Dataset {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1].trim() === "") lines.pop();
  if (lines.length === 0 || lines[0].trim() === "") throw new DataError("empty file (no header)");
  const header = splitLine(lines[0]).map((h) => h.trim());
  const index = new Map<string, number>();
  header.forEach((h, i) => {
    if (!index.has(h)) index.set(h, i);
  });
  for (const col of [LABEL_COLUMN, ...ACCOUNT_FEATURES]) {
    if (!index.has(col)) throw new DataError("missing column", 1, col);
  }
  if (lines.length === 1) throw new DataError("no data rows", 2);
  const cols = ACCOUNT_FEATURES.map((c) => index.get(c)!);
  const labelCol = index.get(LABEL_COLUMN)!;
  const rows: Float64Array[] = [];
  const labels = new Uint8Array(lines.length - 1);
  const complete: boolean[] = [];
  const keys: string[] = [];
  for (let r = 1; r < lines.length; r++) {
    const cells = splitLine(lines[r]);
    if (cells.length < header.length - 2 && cells.length <= Math.max(labelCol, ...cols)) {
      throw new DataError(`expected ${header.length} cells, found ${cells.length}`, r + 1);
    }
    const label = (cells[labelCol] ?? "").trim();
    if (label !== "0" && label !== "1") {
      throw new DataError(`label must be 0 or 1, found "${label}"`, r + 1, LABEL_COLUMN);
    }
    labels[r - 1] = label === "1" ? 1 : 0;
    const row = new Float64Array(cols.length);
    let full = true;
    for (let j = 0; j < cols.length; j++) {
      const cell = (cells[cols[j]] ?? "").trim();
      if (cell === "") {
        full = false;
        continue;
      }
      const v = Number(cell);
      if (!Number.isFinite(v)) {
        throw new DataError(`not a number: "${cell.slice(0, 40)}"`, r + 1, ACCOUNT_FEATURES[j]);
      }
      row[j] = v;
    }
    rows.push(row);
    complete.push(full);
    keys.push(lines[r]);
  }
  return { rows, labels, complete, keys };
}

export function readDataset(path: string): Dataset {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new DataError(`cannot read ${path}: ${(err as Error).message}`);
  }
  return parseDataset(text);
}
