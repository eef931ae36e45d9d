#!/usr/bin/env node
// Makes a fresh clone runnable on any machine with Node >= 18 and npm:
// Hardhat 3 needs Node >= 22.10, so when the running Node is older we install under
// the `node` package from the npm registry (Node 22), which also links
// node_modules/.bin/node — every later npm script then runs under Node 22.
// Plain Node 22+ users get a plain `npm ci`.
import { execSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const bootstrapNode = pkg.devDependencies.node; // exact version pinned in package.json
const [major, minor] = process.versions.node.split(".").map(Number);
const nodeIsRecent = major > 22 || (major === 22 && minor >= 10);

function installed() {
  const lock = join(root, "package-lock.json");
  const marker = join(root, "node_modules", ".package-lock.json");
  if (!existsSync(marker)) return false;
  // Hardhat's native EDR binary is skipped by npm on old Node: check it is really there.
  if (!existsSync(join(root, "node_modules", "@nomicfoundation", "edr"))) return false;
  if (!nodeIsRecent && !existsSync(join(root, "node_modules", ".bin", "node"))) return false;
  return statSync(marker).mtimeMs >= statSync(lock).mtimeMs;
}

if (installed()) process.exit(0);

const install = existsSync(join(root, "package-lock.json")) ? "npm ci --no-audit --no-fund" : "npm install --no-audit --no-fund";
const command = nodeIsRecent ? install : `npx -y -p node@${bootstrapNode} -c '${install}'`;
console.error(`[bootstrap] Node ${process.versions.node}${nodeIsRecent ? "" : ` < 22.10: installing under node@${bootstrapNode}`} → ${command}`);
try {
  execSync(command, { cwd: root, stdio: "inherit", env: { ...process.env, npm_config_yes: "true" } });
} catch (error) {
  console.error(`[bootstrap] install failed (exit ${error.status ?? "?"}); see the npm output above`);
  process.exit(1);
}
