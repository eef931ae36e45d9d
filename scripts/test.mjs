#!/usr/bin/env node
// `npm test`: contract tests (mocha + Solidity fuzz/invariant) with coverage and its 95% gate, then
// the oracle's TypeScript tests (node:test). Ends with one summary line `N passed, N failed`.
// `--deep`: 10k fuzz runs, invariants 256 x 100, no coverage instrumentation.
import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const deep = process.argv.includes("--deep");
const binPath = join(root, "node_modules", ".bin");
const env = { ...process.env, PATH: `${binPath}:${process.env.PATH}`, FORCE_COLOR: "0" };
if (deep) env.RISKGATE_DEEP = "1";

/** Runs a command, streaming its output, and returns { code, output }. */
function run(command, args) {
  console.log(`\n$ ${[command, ...args].join(" ")}`);
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    for (const stream of [child.stdout, child.stderr]) {
      stream.on("data", (chunk) => {
        output += chunk;
        (stream === child.stdout ? process.stdout : process.stderr).write(chunk);
      });
    }
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

/** Reads Hardhat's closing totals: per runner "N passing" lines, then one combined line
 * "N passing (S solidity, M mocha)" when both ran; the combined line wins. */
function countHardhat(output) {
  const last = (re) => {
    const all = [...output.matchAll(re)];
    return all.length > 0 ? Number(all[all.length - 1][1]) : undefined;
  };
  const sum = (re) => [...output.matchAll(re)].reduce((total, m) => total + Number(m[1]), 0);
  const passed = last(/^\s*(\d+) passing \(\d+ solidity, \d+ mocha\)/gm) ?? sum(/^\s*(\d+) passing/gm);
  const failed = last(/^\s*(\d+) failing \(\d+ solidity, \d+ mocha\)/gm) ?? sum(/^\s*(\d+) failing/gm);
  return { passed, failed };
}

/** Reads node:test's "# pass N" / "# fail N" summary. */
function countNodeTest(output) {
  const pick = (re) => Number(output.match(re)?.[1] ?? 0);
  return { passed: pick(/^# pass (\d+)/m), failed: pick(/^# fail (\d+)/m) };
}

function findTests(dir, suffix) {
  const found = [];
  if (!existsSync(dir)) return found;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith(suffix)) found.push(join(entry.parentPath, entry.name));
  }
  return found.sort();
}

const results = [];
let failedSteps = 0;

const contracts = await run("hardhat", deep ? ["test"] : ["test", "--coverage"]);
const contractCounts = countHardhat(contracts.output);
results.push(["contracts (mocha + Solidity fuzz/invariant)", contractCounts]);
if (contracts.code !== 0) failedSteps++;

if (!deep) {
  const gate = await run("node", [join(root, "scripts", "coverage.mjs"), "--check"]);
  if (gate.code !== 0) failedSteps++;
}

// Everything that is not a Hardhat contract test runs under node:test: the oracle's unit tests, the mutant
// generator, the deployment, the end-to-end daemon tests on a real `hardhat node`, the demo, and the dApp in Chromium.
const oracleTests = ["oracle/test", "test/mutation", "test/deploy", "test/e2e", "test/demo", "test/browser"].flatMap((dir) =>
  findTests(join(root, dir), ".test.ts"),
);
if (oracleTests.length > 0) {
  const oracle = await run("node", ["--import", "tsx", "--test", "--test-concurrency=1", ...oracleTests]);
  const counts = countNodeTest(oracle.output);
  results.push(["oracle, deploy, e2e, demo, browser (node:test)", counts]);
  if (oracle.code !== 0) failedSteps++;
}

const total = results.reduce((t, [, c]) => ({ passed: t.passed + c.passed, failed: t.failed + c.failed }), {
  passed: 0,
  failed: 0,
});
console.log("\nSummary");
for (const [name, c] of results) console.log(`  ${name}: ${c.passed} passed, ${c.failed} failed`);
if (failedSteps > 0 && total.failed === 0) console.log(`  ${failedSteps} step(s) failed (see above)`);
console.log(`${total.passed} passed, ${total.failed + (total.failed === 0 ? failedSteps : 0)} failed`);
process.exit(failedSteps > 0 || total.failed > 0 || total.passed === 0 ? 1 : 0);
