#!/usr/bin/env node
// `npm run bench`: runs every benchmark in scripts/bench/*.ts in turn (each prints its own figures),
// then the gas snapshot table. `npm run bench -- model` runs only the ones whose name contains "model".
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const env = { ...process.env, PATH: `${join(root, "node_modules", ".bin")}:${process.env.PATH}` };
const filter = process.argv.slice(2).find((a) => !a.startsWith("-"));
const benches = readdirSync(join(root, "scripts", "bench"))
  .filter((f) => f.endsWith(".ts") && (!filter || f.includes(filter)))
  .sort();
let failed = 0;
for (const file of benches) {
  console.log(`\n=== ${file}`);
  const result = spawnSync("node", ["--import", "tsx", join("scripts", "bench", file)], { cwd: root, env, stdio: "inherit" });
  if (result.status !== 0) failed++;
}
if (!filter || "gas".includes(filter)) {
  console.log("\n=== gas snapshot (full-transaction gas)");
  const result = spawnSync("node", [join("scripts", "gas.mjs"), "--check"], { cwd: root, env, stdio: "inherit" });
  if (result.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
