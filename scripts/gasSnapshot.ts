// Gas snapshot: runs every `test/gas/*.gas.ts` scenario on the in-process chain (Prague rules) and
// records full-transaction gas per named operation in gas-snapshot.json. With GAS_CHECK=1 it compares
// against the committed snapshot and fails on any regression above the tolerance or a missing entry.
// Run through `npm run gas` / `npm run gas:check` (Hardhat's `run` gives us the network connection).
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { network } from "hardhat";

type Measure = (ethers: unknown, networkHelpers: unknown) => Promise<Record<string, bigint>>;

const TOLERANCE = 0.005; // 0.5%: tiny codegen differences, not a design change
const root = process.cwd();
const snapshotPath = join(root, "gas-snapshot.json");
const scenarioDir = join(root, "test", "gas");
const check = process.env.GAS_CHECK === "1";

// Targets from the issues (full transaction, MockUSDC to an existing holder).
const targets: Record<string, number> = JSON.parse(readFileSync(join(scenarioDir, "targets.json"), "utf8"));

const measured: Record<string, number> = {};
for (const file of readdirSync(scenarioDir).filter((f) => f.endsWith(".gas.ts")).sort()) {
  const { ethers, networkHelpers } = await network.create();
  const measure = (await import(pathToFileURL(join(scenarioDir, file)).href)).default as Measure;
  for (const [name, gas] of Object.entries(await measure(ethers, networkHelpers))) measured[name] = Number(gas);
}

/** The change against the committed snapshot, signed ("+1,234"), so a design change shows its cost per operation. */
function delta(gas: number, before: number | undefined): string {
  if (before === undefined) return "";
  const d = gas - before;
  return d === 0 ? "0" : `${d > 0 ? "+" : "-"}${Math.abs(d).toLocaleString("en-US")}`;
}

const previous: Record<string, number> = existsSync(snapshotPath) ? JSON.parse(readFileSync(snapshotPath, "utf8")) : {};
const width = Math.max(...Object.keys(measured).map((k) => k.length), 20);
console.log(`${"operation".padEnd(width)}  ${"gas".padStart(9)}  ${"target".padStart(9)}  ${"snapshot".padStart(9)}  ${"delta".padStart(8)}`);
const problems: string[] = [];
for (const name of Object.keys(measured).sort()) {
  const gas = measured[name];
  const target = targets[name];
  const before = previous[name];
  const flag = target !== undefined && gas > target ? "  over target" : "";
  console.log(
    `${name.padEnd(width)}  ${gas.toLocaleString("en-US").padStart(9)}  ${(target?.toLocaleString("en-US") ?? "-").padStart(9)}  ${(before?.toLocaleString("en-US") ?? "new").padStart(9)}  ${delta(gas, before).padStart(8)}${flag}`,
  );
  if (check && before !== undefined && gas > before * (1 + TOLERANCE)) problems.push(`${name}: ${gas} > snapshot ${before}`);
  if (check && before === undefined) problems.push(`${name}: not in gas-snapshot.json (run npm run gas)`);
}
if (check) {
  for (const name of Object.keys(previous)) if (!(name in measured)) problems.push(`${name}: in the snapshot but no longer measured`);
  if (problems.length > 0) {
    console.error(`gas: ${problems.length} regression(s):\n  ${problems.join("\n  ")}`);
    process.exit(1);
  }
  console.log(`gas: ${Object.keys(measured).length} operations within ${TOLERANCE * 100}% of the snapshot`);
} else {
  const sorted = Object.fromEntries(Object.keys(measured).sort().map((k) => [k, measured[k]]));
  writeFileSync(snapshotPath, `${JSON.stringify(sorted, null, 2)}\n`);
  console.log(`gas: wrote ${Object.keys(measured).length} operations to gas-snapshot.json`);
}
