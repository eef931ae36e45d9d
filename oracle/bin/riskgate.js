#!/usr/bin/env node
// riskgate CLI shim: re-executes under the project's Node 22 when started by an older node, then
// loads oracle/src/cli/main.ts through tsx's ESM register API.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const major = Number(process.versions.node.split(".")[0]);
if (major < 22) {
  const node22 = join(root, "node_modules", ".bin", "node");
  if (!existsSync(node22)) {
    process.stderr.write(`riskgate: needs Node >= 22 (found ${process.version}); run npm install\n`);
    process.exit(1);
  }
  const r = spawnSync(node22, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: "inherit" });
  process.exit(r.status ?? 1);
}
// node:sqlite (the daemon's store) prints an ExperimentalWarning on Node 22: keep stderr for errors.
process.removeAllListeners("warning");
process.on("warning", (w) => {
  if (w.name === "ExperimentalWarning" && /SQLite/.test(w.message)) return;
  process.stderr.write(`${w.name}: ${w.message}\n`);
});
const { register } = await import("tsx/esm/api");
register();
await import(pathToFileURL(join(root, "oracle", "src", "cli", "main.ts")).href);
