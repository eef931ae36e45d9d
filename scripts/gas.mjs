#!/usr/bin/env node
// `npm run gas` writes gas-snapshot.json; `npm run gas:check` (CI) fails on a regression.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const env = { ...process.env, PATH: `${join(root, "node_modules", ".bin")}:${process.env.PATH}` };
if (process.argv.includes("--check")) env.GAS_CHECK = "1";
const result = spawnSync("hardhat", ["run", "scripts/gasSnapshot.ts"], { cwd: root, env, stdio: "inherit" });
process.exit(result.status ?? 1);
