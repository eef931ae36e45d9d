#!/usr/bin/env node
// `npm run mutate`: mutation testing of contracts/ (see docs/mutation.md). Each mutant is written into a
// scratch copy of the project (never into this checkout, so an interrupted run leaves no mutant behind),
// compiled, then the mutated contract's own test suites run: mocha with --bail first, the Solidity
// fuzz/invariant suites only if mocha did not kill it. Result: killed / survived / timeout / stillborn
// (does not compile, not counted), a table per contract, survivors with their diff, reports/mutation.json.
// Survivors explained in test/mutation/survivors.md are marked as such.
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { OPERATORS, generateMutants, globToRegExp, mutantDiff, sample, sourceLine } from "./mutation/generate.mjs";
import { VERDICTS, explains, parseExplanations } from "./mutation/survivors.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const SOURCES = [/^contracts\/[^/]+\.sol$/, /^contracts\/abstracts\/.+\.sol$/, /^contracts\/libraries\/.+\.sol$/];
const SURVIVORS_DOC = "test/mutation/survivors.md";
const REPORT = "reports/mutation.json";

// The suites that test each deployable (or mock) contract. A mutated file is tested by the suites of every
// contract here whose imports reach it: a library used only by PaymentStream runs PaymentStream's suites,
// RiskGatedConsumer runs the escrow's, the stream's and (through MockRiskConsumer) the oracle's mocha tests.
const SUITES = {
  RiskOracle: { mocha: ["test/contracts/RiskOracle/*.test.ts"], solidity: ["test/solidity/RiskOracle.t.sol"] },
  PaymentEscrow: {
    mocha: ["test/contracts/PaymentEscrow/*.test.ts"],
    solidity: ["test/solidity/PaymentEscrow*.t.sol", "test/solidity/invariant/Escrow*.t.sol"],
  },
  PaymentStream: {
    mocha: ["test/contracts/PaymentStream/*.test.ts"],
    solidity: ["test/solidity/PaymentStream*.t.sol", "test/solidity/invariant/Stream*.t.sol"],
  },
  MockRiskConsumer: { mocha: ["test/contracts/RiskOracle/*.test.ts"], solidity: [] },
};

const HELP = `Usage: npm run mutate -- [options]

Mutation testing of contracts/*.sol, contracts/abstracts, contracts/libraries.

Options:
  --file <glob>        only these sources (repeatable); matched against the path, the path under
                       contracts/ and the file name, e.g. RiskOracle.sol, 'libraries/Stream*'
  --operators <list>   comma-separated subset of: ${Object.keys(OPERATORS).join(", ")}
  --sample <n>         run a random subset of n mutants (chosen with --seed)
  --seed <n>           seed of the sample (default 1)
  --match <text>       only mutants whose printed line contains text (repeatable), e.g.
                       'PaymentStream.sol:389:30 COR' (to recheck a survivor after writing its test)
  --timeout <s>        per test command; default 3 x the unmutated run + 30 s
  --list               print the mutants and exit (no compilation, no tests)
  --rescore            print the last report again, re-reading the survivors' explanations (no run)
  --json               print the report as JSON on stdout (progress goes to stderr)
  --fresh              delete the scratch copy first (full recompilation)
  --help               this text

Operators:
${Object.entries(OPERATORS)
  .map(([k, v]) => `  ${k}  ${v}`)
  .join("\n")}

Scratch copy: ${join(tmpdir(), "riskgate-mutate-<hash>")}, kept between runs so that Hardhat's build cache
recompiles only what a mutant changed. Report: ${REPORT}. Explanations: ${SURVIVORS_DOC}.`;

const { values: args } = parseArgs({
  options: {
    file: { type: "string", multiple: true },
    operators: { type: "string" },
    sample: { type: "string" },
    seed: { type: "string", default: "1" },
    timeout: { type: "string" },
    match: { type: "string", multiple: true },
    list: { type: "boolean", default: false },
    rescore: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    fresh: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});
if (args.help) {
  console.log(HELP);
  process.exit(0);
}
const operators = args.operators
  ? args.operators.split(",").map((s) => s.trim().toUpperCase())
  : Object.keys(OPERATORS);
const unknown = operators.filter((o) => !OPERATORS[o]);
if (unknown.length > 0) fail(`unknown operator(s) ${unknown.join(", ")}; known: ${Object.keys(OPERATORS).join(", ")}`);
const seed = Number(args.seed);
const sampleSize = args.sample === undefined ? undefined : Number(args.sample);
if (!Number.isInteger(seed) || (sampleSize !== undefined && !(sampleSize > 0)))
  fail("--seed and --sample take integers");
const log = (line) => (args.json ? process.stderr : process.stdout).write(`${line}\n`);
// `npm run mutate -- --list | head`: a closed pipe ends the listing quietly.
for (const stream of [process.stdout, process.stderr])
  stream.on("error", (error) => process.exit(error.code === "EPIPE" ? 0 : 1));

/** process.exit once stdout and stderr are flushed: a plain exit truncates output piped to another process. */
async function exit(code) {
  await Promise.all(
    [process.stdout, process.stderr].map((stream) => new Promise((resolve) => stream.write("", resolve))),
  );
  process.exit(code);
}

function fail(message) {
  console.error(`mutate: ${message}`);
  process.exit(2);
}

/** The project's files as git sees them (tracked + untracked, not ignored): what the scratch copy mirrors. */
function projectFiles() {
  const out = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: root,
    encoding: "utf8",
  });
  return [...new Set(out.split("\0"))]
    .filter(
      (f) =>
        f &&
        f !== "node_modules" &&
        !f.startsWith("web/") &&
        existsSync(join(root, f)) &&
        !lstatSync(join(root, f)).isDirectory(),
    )
    .sort();
}

// ---- what to mutate
const files = projectFiles();
const fileFilters = (args.file ?? []).map(globToRegExp);
const sources = files.filter(
  (f) =>
    SOURCES.some((re) => re.test(f)) &&
    (fileFilters.length === 0 ||
      fileFilters.some((re) => re.test(f) || re.test(f.replace(/^contracts\//, "")) || re.test(f.split("/").pop()))),
);
if (sources.length === 0) fail(`no source matches ${(args.file ?? []).join(", ")}`);
const sourceText = new Map(sources.map((f) => [f, readFileSync(join(root, f), "utf8")]));
const allMutants = sources.flatMap((f) => generateMutants(sourceText.get(f), { file: f, operators }));
const label = (m) =>
  `${m.file.replace(/^contracts\//, "")}:${m.line}:${m.col} ${m.description}${m.assembly ? " [assembly]" : ""}`;
const matching =
  args.match === undefined ? allMutants : allMutants.filter((m) => args.match.some((text) => label(m).includes(text)));
const mutants = sampleSize === undefined ? matching : sample(matching, sampleSize, seed);
mutants.forEach((m, i) => (m.id = i + 1));
if (mutants.length === 0)
  fail(`no mutant to run${args.match === undefined ? "" : ` (none matches ${args.match.join(" or ")})`}`);
if (args.list) {
  for (const m of mutants) log(`[${m.id}/${mutants.length}] ${label(m)}`);
  log(`${mutants.length} mutants${sampleSize === undefined ? "" : ` (sample of ${matching.length}, seed ${seed})`}`);
  await exit(0);
}

// ---- which suites test which source: the import graph of contracts/
function importsOf(file) {
  const text = readFileSync(join(root, file), "utf8");
  return [...text.matchAll(/^import\s[^;]*?["'](\.{1,2}\/[^"']+)["']/gm)].map((m) => join(dirname(file), m[1]));
}
const importGraph = new Map(
  files.filter((f) => f.startsWith("contracts/") && f.endsWith(".sol")).map((f) => [f, importsOf(f)]),
);
function reaches(from, target, seen = new Set()) {
  if (from === target) return true;
  if (seen.has(from)) return false;
  seen.add(from);
  return (importGraph.get(from) ?? []).some((f) => reaches(f, target, seen));
}
function expand(globs) {
  return globs.flatMap((g) => files.filter((f) => globToRegExp(g).test(f)));
}
/** The mocha and Solidity test files for a mutated source, own contract's suites first. */
function suitesFor(file) {
  const owners = Object.keys(SUITES).filter((name) => {
    const candidates = [`contracts/${name}.sol`, `contracts/mocks/${name}.sol`];
    return candidates.some((c) => importGraph.has(c) && reaches(c, file));
  });
  const unique = (list) => [...new Set(list)];
  return {
    owners,
    mocha: unique(owners.flatMap((o) => expand(SUITES[o].mocha))),
    solidity: unique(owners.flatMap((o) => expand(SUITES[o].solidity))),
  };
}

// ---- the scratch copy
const scratch = join(tmpdir(), `riskgate-mutate-${createHash("sha1").update(root).digest("hex").slice(0, 10)}`);
function syncScratch() {
  if (args.fresh) rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  const wanted = new Set(files);
  // Files deleted here since the last run (a removed test would still run there) go away.
  for (const dir of ["contracts", "test", "oracle", "scripts", "deploy"]) {
    const full = join(scratch, dir);
    if (!existsSync(full)) continue;
    for (const entry of readdirSync(full, { withFileTypes: true, recursive: true })) {
      const rel = relative(scratch, join(entry.parentPath, entry.name));
      if (entry.isFile() && !wanted.has(rel)) unlinkSync(join(scratch, rel));
    }
  }
  // Copy only what differs: an unchanged file keeps its mtime and Hardhat's cache stays valid.
  for (const f of files) {
    const target = join(scratch, f);
    const content = readFileSync(join(root, f));
    if (existsSync(target) && readFileSync(target).equals(content)) continue;
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(join(root, f), target);
  }
  const link = join(scratch, "node_modules");
  if (!existsSync(link)) symlinkSync(realpathSync(join(root, "node_modules")), link);
}

// ---- running Hardhat
const env = {
  ...process.env,
  PATH: `${join(scratch, "node_modules", ".bin")}:${process.env.PATH}`,
  FORCE_COLOR: "0",
  NO_COLOR: "1",
};
let running; // the child process group, killed on timeout or Ctrl-C

/** Runs a command in the scratch copy; resolves { code, output, seconds, timedOut }. */
function run(command, commandArgs, timeoutSeconds) {
  const started = Date.now();
  return new Promise((resolve) => {
    // Own process group, so that a timeout kills Hardhat and everything it started.
    const child = spawn(command, commandArgs, { cwd: scratch, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    running = child;
    let output = "";
    child.stdout.on("data", (c) => (output += c));
    child.stderr.on("data", (c) => (output += c));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, timeoutSeconds * 1000);
    child.on("close", (code) => {
      clearTimeout(timer);
      running = undefined;
      resolve({ code: code ?? 1, output, seconds: (Date.now() - started) / 1000, timedOut });
    });
  });
}
function killGroup(child) {
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // already gone
  }
}
const BUILD_TIMEOUT = 900;
const build = (tests) =>
  run("hardhat", ["build", "--no-typechain", "--quiet", ...(tests ? [] : ["--no-tests"])], BUILD_TIMEOUT);
const mocha = (testFiles, timeout) =>
  run("hardhat", ["test", "mocha", "--no-compile", "--bail", ...testFiles], timeout);
const solidity = (testFiles, timeout) => run("hardhat", ["test", "solidity", "--no-typechain", ...testFiles], timeout);

/** The first lines that say why a run failed: the first solc error, or the first failing test. */
function firstFailure(output) {
  const lines = output.split("\n");
  const at = lines.findIndex((l) => /^\s*(\w*Error\b|\d+\) |\[FAIL|Failing tests|FAIL)/.test(l));
  return (at === -1 ? lines.filter((l) => l.trim()).slice(-6) : lines.slice(at, at + 4))
    .map((l) => l.trimEnd())
    .join("\n");
}

// ---- survivors.md
function readExplanations() {
  const path = join(root, SURVIVORS_DOC);
  if (!existsSync(path)) return [];
  const { entries, invalid } = parseExplanations(readFileSync(path, "utf8"));
  for (const e of invalid)
    log(
      `${SURVIVORS_DOC}: entry ${e.file}:${e.line} ${e.description} ignored (needs a source and a verdict: ${VERDICTS.join(" or ")})`,
    );
  return entries;
}

// ---- report: table per file, survivors (marked when test/mutation/survivors.md explains them), reports/mutation.json
function writeReport(results, { timing, options, complete, date, commit: ranAt }) {
  const explanations = readExplanations();
  for (const r of results) {
    if (r.status !== "survived") continue;
    const entry = explanations.find((e) => explains(e, r));
    if (entry) r.explained = { verdict: entry.verdict, reason: entry.reason ?? "" };
  }
  // An explanation whose mutant ran and was killed no longer describes a survivor.
  const stale = explanations.filter((e) => results.some((r) => r.status !== "survived" && explains(e, r)));

  const byContract = new Map();
  for (const r of results) {
    const name = r.file.replace(/^contracts\//, "");
    const row = byContract.get(name) ?? {
      contract: name,
      mutants: 0,
      killed: 0,
      survived: 0,
      timeout: 0,
      stillborn: 0,
      explained: 0,
      score: null,
    };
    row.mutants++;
    row[r.status]++;
    if (r.explained) row.explained++;
    byContract.set(name, row);
  }
  const rows = [...byContract.values()].sort((a, b) => a.contract.localeCompare(b.contract));
  const total = rows.reduce(
    (t, r) => {
      for (const k of ["mutants", "killed", "survived", "timeout", "stillborn", "explained"]) t[k] += r[k];
      return t;
    },
    { contract: "total", mutants: 0, killed: 0, survived: 0, timeout: 0, stillborn: 0, explained: 0, score: null },
  );
  for (const row of [...rows, total])
    row.score =
      row.killed + row.survived > 0 ? Math.round((1000 * row.killed) / (row.killed + row.survived)) / 10 : null;
  const survivors = results.filter((r) => r.status === "survived");
  let commit = ranAt ?? "";
  if (!ranAt)
    try {
      commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" }).trim();
    } catch {
      // not a git checkout
    }
  const strip = ({ start, end, ...r }) => r;
  const report = {
    date: date ?? new Date().toISOString(),
    commit,
    options,
    complete,
    summary: rows,
    total,
    timing,
    survivors: survivors.map(strip),
    staleExplanations: stale.map((e) => `${e.file}:${e.line} ${e.description}`),
    mutants: results.map(({ diff, ...r }) => strip(r)),
  };
  mkdirSync(join(root, dirname(REPORT)), { recursive: true });
  writeFileSync(join(root, REPORT), `${JSON.stringify(report, null, 2)}\n`);

  if (args.json) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    const cols = ["contract", "mutants", "killed", "survived", "timeout", "stillborn", "explained", "score"];
    const cell = (row, c) => (c === "score" ? (row.score === null ? "-" : `${row.score}%`) : String(row[c]));
    const widths = cols.map((c) => Math.max(c.length, ...[...rows, total].map((r) => cell(r, c).length)));
    const line = (row) =>
      cols.map((c, i) => (i === 0 ? cell(row, c).padEnd(widths[i]) : cell(row, c).padStart(widths[i]))).join("  ");
    log("");
    log(cols.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  "));
    for (const row of rows) log(line(row));
    log(line(total));
    log(
      `\n${timing.secondsPerMutant ?? "-"} s per mutant (${timing.secondsPerTestedMutant ?? "-"} s per compiled one), ${timing.wallSeconds} s in all with the baseline`,
    );
    if (survivors.length > 0)
      log(`\nSurvivors (${survivors.length}, ${total.explained} explained in ${SURVIVORS_DOC}):`);
    for (const s of survivors) {
      log(
        `\n${s.file}:${s.line}:${s.col} ${s.description}${s.assembly ? " [assembly]" : ""}${s.explained ? ` — ${s.explained.verdict}: ${s.explained.reason}` : " — UNEXPLAINED"}`,
      );
      log(s.diff);
    }
    for (const e of stale)
      log(`\nstale explanation in ${SURVIVORS_DOC} (that mutant is now killed): ${e.file}:${e.line} ${e.description}`);
    log(
      `\nscore ${total.score === null ? "-" : `${total.score}%`}, ${survivors.length} survivor(s), ${survivors.length - total.explained} unexplained; report ${REPORT}${complete ? "" : " (interrupted: partial)"}`,
    );
  }
}

// --rescore: the last report again, with survivors.md read anew (after writing explanations), nothing run.
if (args.rescore) {
  const last = JSON.parse(readFileSync(join(root, REPORT), "utf8"));
  const diffs = new Map(last.survivors.map((s) => [s.id, s.diff]));
  const previous = last.mutants.map(({ explained, ...m }) => ({ ...m, diff: diffs.get(m.id) }));
  writeReport(previous, {
    timing: last.timing,
    options: last.options,
    complete: last.complete,
    date: last.date,
    commit: last.commit,
  });
  await exit(0);
}

// ---- the run
const results = [];
let interrupted = false;
function restoreScratch() {
  for (const f of sources) writeFileSync(join(scratch, f), sourceText.get(f));
}
process.on("SIGINT", () => {
  interrupted = true;
  if (running) killGroup(running);
});

const started = Date.now();
log(
  `mutate: ${mutants.length} mutants${sampleSize === undefined ? "" : ` (sample of ${matching.length}, seed ${seed})`} in ${sources.length} file(s); scratch ${scratch}`,
);
// One run per scratch copy at a time: two runs would write their mutants over each other.
const lock = join(scratch, ".mutate.pid");
if (existsSync(lock)) {
  const other = Number(readFileSync(lock, "utf8"));
  let alive = false;
  try {
    process.kill(other, 0);
    alive = true;
  } catch {
    // a run that died without cleaning up
  }
  if (alive && other !== process.pid) fail(`another run (pid ${other}) is using ${scratch}`);
}
syncScratch();
writeFileSync(lock, String(process.pid));
process.on("exit", () => rmSync(lock, { force: true }));

// Baseline: the unmutated project must build and pass every suite we will run, or every mutant would look killed.
// It also primes the build cache and times each suite (the default timeouts are 3x that plus 30 s).
const suiteOf = new Map(sources.map((f) => [f, suitesFor(f)]));
// A source no suite reaches would "survive" every mutant: say so instead of counting it.
const untested = sources.filter((f) => suiteOf.get(f).mocha.length + suiteOf.get(f).solidity.length === 0);
if (untested.length > 0)
  fail(`no test suite is mapped to ${untested.join(", ")}: add its contract to SUITES in scripts/mutate.mjs`);
const baseline = { seconds: {} };
{
  const b = await build(true);
  if (interrupted) await exit(130); // Ctrl-C during the baseline: nothing was mutated yet
  if (b.code !== 0) fail(`the unmutated project does not build in ${scratch}:\n${firstFailure(b.output)}`);
  baseline.seconds.build = b.seconds;
  log(`baseline: build ${b.seconds.toFixed(0)} s`);
  // Each contract's suites once (a mutant of a shared file runs several contracts' suites in one command).
  const owners = [...new Set(mutants.flatMap((m) => suiteOf.get(m.file).owners))];
  const timed = new Map(); // test files -> seconds (MockRiskConsumer's mocha suite is RiskOracle's)
  for (const owner of owners) {
    for (const [kind, runner] of [
      ["mocha", mocha],
      ["solidity", solidity],
    ]) {
      const testFiles = expand(SUITES[owner][kind]);
      if (testFiles.length === 0) continue;
      if (timed.has(testFiles.join(" "))) {
        baseline.seconds[`${kind}:${owner}`] = timed.get(testFiles.join(" "));
        continue;
      }
      const r = await runner(testFiles, BUILD_TIMEOUT);
      if (interrupted) await exit(130);
      timed.set(testFiles.join(" "), r.seconds);
      if (r.code !== 0)
        fail(`baseline ${kind} fails for ${owner} (${testFiles.join(" ")}):\n${firstFailure(r.output)}`);
      baseline.seconds[`${kind}:${owner}`] = r.seconds;
      log(`baseline: ${kind} ${owner} ${r.seconds.toFixed(0)} s`);
    }
  }
}
/** Per test command: --timeout, else 3 x the unmutated run of the suites it contains + 30 s. */
function timeoutFor(kind, suite) {
  if (args.timeout !== undefined) return Number(args.timeout);
  const unmutated = suite.owners.reduce((sum, owner) => sum + (baseline.seconds[`${kind}:${owner}`] ?? 0), 0);
  return Math.ceil(3 * unmutated + 30);
}

try {
  for (const m of mutants) {
    if (interrupted) break;
    const t0 = Date.now();
    const original = sourceText.get(m.file);
    const mutated = original.slice(0, m.start) + m.replacement + original.slice(m.end);
    m.source = sourceLine(original, m);
    m.diff = mutantDiff(original, m);
    const suite = suiteOf.get(m.file);
    writeFileSync(join(scratch, m.file), mutated);
    const result = { ...m, status: "survived", phases: {} };
    try {
      const b = await build(false);
      result.phases.build = b.seconds;
      if (b.code !== 0) {
        result.status = b.timedOut ? "timeout" : "stillborn";
        result.detail = firstFailure(b.output);
      } else {
        for (const [kind, runner] of [
          ["mocha", mocha],
          ["solidity", solidity],
        ]) {
          if (suite[kind].length === 0 || interrupted) continue;
          const r = await runner(suite[kind], timeoutFor(kind, suite));
          result.phases[kind] = r.seconds;
          if (r.timedOut) {
            result.status = "timeout";
            result.killedBy = kind;
            break;
          }
          if (r.code !== 0) {
            result.status = "killed";
            result.killedBy = kind;
            result.detail = firstFailure(r.output);
            break;
          }
        }
      }
    } finally {
      writeFileSync(join(scratch, m.file), original);
    }
    if (interrupted) break; // the mutant's run was cut short: no verdict
    result.seconds = (Date.now() - t0) / 1000;
    results.push(result);
    log(
      `[${m.id}/${mutants.length}] ${label(m)} ${result.status}${result.killedBy ? ` by ${result.killedBy}` : ""} (${result.seconds.toFixed(0)} s)`,
    );
  }
} finally {
  restoreScratch();
}

const ran = results.filter((r) => r.status !== "stillborn");
const timing = {
  wallSeconds: Math.round((Date.now() - started) / 1000),
  secondsPerMutant:
    results.length > 0 ? Math.round((10 * results.reduce((s, r) => s + r.seconds, 0)) / results.length) / 10 : null,
  secondsPerTestedMutant:
    ran.length > 0 ? Math.round((10 * ran.reduce((s, r) => s + r.seconds, 0)) / ran.length) / 10 : null,
  baseline: baseline.seconds,
};
writeReport(results, {
  timing,
  options: {
    files: args.file ?? [],
    operators,
    match: args.match ?? null,
    sample: sampleSize ?? null,
    seed,
    generated: allMutants.length,
    timeout: args.timeout ?? "3x baseline + 30 s",
  },
  complete: !interrupted,
});
await exit(interrupted ? 130 : 0);
