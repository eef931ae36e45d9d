#!/usr/bin/env node
// Makes a fresh clone runnable on any machine with Node >= 18 and npm:
// Hardhat 3 needs Node >= 22.10, so when the running Node is older we install under
// the `node` package from the npm registry (Node 22), which also links
// node_modules/.bin/node — every later npm script then runs under Node 22.
// Plain Node 22+ users get a plain `npm ci`.
//
// `node scripts/bootstrap.mjs -- CMD ARGS...` then runs CMD with node_modules/.bin first on PATH. npm
// scripts must go through it: the shell that runs `a && node b` resolves (and caches) `node` before `a`
// has installed Node 22, so a plain `&& node ...` would still run under the old Node.
import { execSync, spawn } from "node:child_process";
import { existsSync, lstatSync, readFileSync, realpathSync, statSync } from "node:fs";
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

function runCommand() {
  const separator = process.argv.indexOf("--");
  if (separator === -1) process.exit(0);
  const [command, ...args] = process.argv.slice(separator + 1);
  if (!command) process.exit(0);
  const binPath = join(root, "node_modules", ".bin");
  const env = { ...process.env, PATH: `${binPath}:${process.env.PATH ?? ""}` };
  const child = spawn(command, args, { cwd: process.cwd(), env, stdio: "inherit" });
  // Ctrl-C reaches the whole foreground group: stay alive so the child (the demo) can stop what it
  // started and exit on its own; a SIGTERM sent to us alone is passed on.
  process.on("SIGINT", () => {});
  process.on("SIGTERM", () => child.kill("SIGTERM"));
  child.on("error", (error) => {
    console.error(`[bootstrap] cannot run ${command}: ${error.message}`);
    process.exit(127);
  });
  child.on("exit", (code, signal) => process.exit(code ?? (signal === "SIGINT" ? 130 : 143)));
}

function install() {
  const npmCommand = existsSync(join(root, "package-lock.json")) ? "npm ci --no-audit --no-fund" : "npm install --no-audit --no-fund";
  const command = nodeIsRecent ? npmCommand : `npx -y -p node@${bootstrapNode} -c '${npmCommand}'`;
  console.error(`[bootstrap] Node ${process.versions.node}${nodeIsRecent ? "" : ` < 22.10: installing under node@${bootstrapNode}`} → ${command}`);
  try {
    execSync(command, { cwd: root, stdio: "inherit", env: { ...process.env, npm_config_yes: "true" } });
  } catch (error) {
    console.error(`[bootstrap] install failed (exit ${error.status ?? "?"}); see the npm output above`);
    process.exit(1);
  }
}

// A symlinked node_modules is another checkout's install (a git worktree sharing /work/main's): `npm ci` here
// would empty it through the link under everyone using it, and a fresh checkout's lock file always looks newer.
const sharedInstall = existsSync(join(root, "node_modules")) && lstatSync(join(root, "node_modules")).isSymbolicLink();
if (sharedInstall && !installed()) {
  console.error(`[bootstrap] node_modules is a symlink to ${realpathSync(join(root, "node_modules"))}: not reinstalling through it`);
} else if (!installed()) install();
runCommand();
