#!/usr/bin/env node
// Reads coverage/lcov.info (written by `hardhat test --coverage`) and prints line and branch
// coverage per contract. `--check` fails below 95% lines or branches over contracts/ (mocks excluded:
// they are test doubles, reported but not gated).
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const THRESHOLD = 95;
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const lcovPath = join(root, "coverage", "lcov.info");
if (!existsSync(lcovPath)) {
  console.error(`coverage: ${relative(root, lcovPath)} not found; run \`npx hardhat test --coverage\` first`);
  process.exit(2);
}

const files = new Map();
let current;
for (const line of readFileSync(lcovPath, "utf8").split("\n")) {
  if (line.startsWith("SF:")) {
    const file = relative(root, join(root, line.slice(3)));
    current = files.get(file) ?? { lf: 0, lh: 0, brf: 0, brh: 0 };
    files.set(file, current);
  } else if (current) {
    const [key, value] = line.split(":");
    if (key === "LF") current.lf += Number(value);
    if (key === "LH") current.lh += Number(value);
    if (key === "BRF") current.brf += Number(value);
    if (key === "BRH") current.brh += Number(value);
  }
}

const pct = (hit, found) => (found === 0 ? Number.NaN : (100 * hit) / found);
const show = (value) => (Number.isNaN(value) ? "  n/a" : value.toFixed(1).padStart(5)) + (Number.isNaN(value) ? " " : "%");
const gated = { lf: 0, lh: 0, brf: 0, brh: 0 };
const rows = [];
for (const [file, c] of [...files].sort()) {
  if (!file.startsWith("contracts/")) continue;
  const isMock = file.startsWith("contracts/mocks/");
  if (!isMock) for (const k of Object.keys(gated)) gated[k] += c[k];
  rows.push([file + (isMock ? " (mock, not gated)" : ""), pct(c.lh, c.lf), c.lf, pct(c.brh, c.brf), c.brf]);
}
const width = Math.max(...rows.map((r) => r[0].length), 10);
console.log(`${"file".padEnd(width)}  lines            branches`);
for (const [name, lp, lf, bp, bf] of rows) {
  console.log(`${name.padEnd(width)}  ${show(lp)} of ${String(lf).padStart(4)}  ${show(bp)} of ${String(bf).padStart(4)}`);
}
const lines = pct(gated.lh, gated.lf);
const branches = pct(gated.brh, gated.brf);
// Hardhat 3's instrumentation records statements/lines only: its LCOV has no BRDA/BRF records. We say
// so instead of counting 0 of 0 branches as 100%.
const branchText = gated.brf === 0 ? "not reported (Hardhat 3 coverage emits no branch records)" : `${branches.toFixed(2)}%`;
console.log(`coverage (contracts/, mocks excluded): lines ${lines.toFixed(2)}% of ${gated.lf}, branches ${branchText} (gate ${THRESHOLD}%)`);
const belowGate = lines < THRESHOLD || (gated.brf > 0 && branches < THRESHOLD) || gated.lf === 0;
if (process.argv.includes("--check") && belowGate) {
  console.error(`coverage: below ${THRESHOLD}% (lines ${lines.toFixed(2)}%, branches ${branchText})`);
  process.exit(1);
}
