#!/usr/bin/env node
// Coverage report and gate for contracts/ (mocks reported, not gated: they are test doubles).
// Run after `npx hardhat test --coverage`; `--check` exits 1 below 95% lines OR 95% branches.
//
// Lines come from Hardhat's coverage/lcov.info. Branches are derived here, because Hardhat 3.18 (EDR
// 0.22) instruments statements only and its LCOV carries no BRDA/BRF/BRH records
// (NomicFoundation/hardhat#6733). What Hardhat does write, and what this script reads:
//   - coverage/data/<runner>/*.json: { <statement tag>: <count> }. EDR reports the UNIQUE statement
//     tags hit per transaction (per call for Solidity tests), and Hardhat sums them, so a count is
//     "transactions in which the statement ran at least once", not an execution count. A statement
//     hit twice in one transaction (a loop, a batch) counts once.
//   - the tags themselves are not written to disk, but EDR derives them deterministically from
//     (source, source name, solc version): we call the same `addStatementCoverageInstrumentation`
//     Hardhat calls (source name `project/<path>`) and get every statement's tag and UTF-16 range.
// The solc AST (solc-js from npm, the pinned compiler, analysis only, no codegen) locates the decision
// points; a statement's probe is matched to the AST node starting at the same position (the probe's
// range begins with the statement's leading whitespace/comments, skipped before matching).
//
// Branches counted, two per decision point, each derived as follows:
//   if (c) T [else F]
//     true  taken  <=> T's first probe ran (T is a block or a single statement: both are probed).
//     false taken, exact rules, in order:
//       1. an `else` exists: F's probe ran (`else if` is the nested if's probe);
//       2. T always leaves the block (revert / return / break / continue / a block ending so, e.g. the
//          one-line `if (c) revert E();`) and a statement S follows the if in the same block: S ran.
//          S is reachable only through the if with c false, so S's probe is a proof.
//     false taken, inferred rule (3) when 1 and 2 do not apply (T falls through, or the if is the last
//       statement of its block): hits(if) - hits(T) > 0, i.e. some transaction ran the if and never
//       entered T. Used only when c cannot revert by itself (comparisons, logic and bit operators,
//       locals, storage/mapping reads, type(T).max, elementary and contract-type conversions, and the
//       calls in NON_REVERTING_CALLS, e.g. SafeERC20.trySafeTransfer; no other calls, no array
//       indexing, no checked arithmetic), because a condition that reverts also leaves T unentered. A transaction
//       that out-of-gases between the if and T would fool it (eth_estimateGas searches the gas limit);
//       these branches are marked "inferred" in coverage/branches.json and in the missed list.
//     otherwise the false branch is "undetermined" and counted as NOT taken (never claims coverage).
//   require(c, ...) / assert(c): pass = the next statement in the block ran (exact); fail = rule 3 on
//     (the require, the next statement). None remain outside mocks.
//     2b (exact) when the if is the last statement of a non-virtual function without modifiers or `return`
//       and T always leaves: the function returned only through the false side, so a statement right
//       after an `f(...);` call statement proves it.
//   try ... { A } catch { B } ...: one branch per clause, taken <=> its block's probe ran; a clause with
//     an empty block has no probe and the whole try is listed as unmeasured.
// Because counts are per transaction, a transaction that takes both outcomes of one decision point is
// seen as taking only the one with a probe (the true side under rule 3): the exact rules are lower
// bounds; the inferred one also assumes no out-of-gas stop between the if and T.
// Not measurable from statement probes, so listed ("unmeasured") and left out of BRF: the conditional
// operator `c ? a : b` (no statement inside), `if`/`switch` inside inline assembly (EDR does not probe
// Yul), and try statements with empty clauses. `&&`/`||` short-circuits and loop conditions are not
// counted as branches (as in Istanbul and solidity-coverage).
//
// Output: a per-file table (lines, branches, unmeasured), the list of missed branches, LCOV BRDA/BRF/BRH
// records added to coverage/lcov.info in place (idempotent; genhtml reads them; BRDA "taken" is the
// per-transaction count above, "-" when the decision point never ran), and coverage/branches.json.
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const THRESHOLD = 95;
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(root, "package.json"));
const lcovPath = join(root, "coverage", "lcov.info");
const dataPath = join(root, "coverage", "data");
if (!existsSync(lcovPath)) {
  console.error(`coverage: ${relative(root, lcovPath)} not found; run \`npx hardhat test --coverage\` first`);
  process.exit(2);
}

// ---- Hardhat's LCOV: line records per file (any branch records from an earlier run of this script are dropped)
const sections = [];
{
  let current;
  for (const line of readFileSync(lcovPath, "utf8").split("\n")) {
    if (line.startsWith("SF:")) {
      current = { file: relative(root, join(root, line.slice(3))), sf: line, lines: [], lf: 0, lh: 0 };
      sections.push(current);
    } else if (current && line === "end_of_record") {
      current = undefined;
    } else if (current && !/^(BRDA|BRF|BRH):/.test(line)) {
      current.lines.push(line);
      const [key, value] = line.split(":");
      if (key === "LF") current.lf += Number(value);
      if (key === "LH") current.lh += Number(value);
    }
  }
}

// ---- statement hit counts (per-transaction unique hits, summed over transactions and runners)
const hits = new Map();
const dataSets = [];
const lcovTime = statSync(lcovPath).mtimeMs;
if (existsSync(dataPath)) {
  for (const runner of readdirSync(dataPath).sort()) {
    const dir = join(dataPath, runner);
    if (!statSync(dir).isDirectory()) continue;
    for (const name of readdirSync(dir).filter((n) => n.endsWith(".json"))) {
      const file = join(dir, name);
      for (const [tag, count] of Object.entries(JSON.parse(readFileSync(file, "utf8")))) {
        hits.set(tag, (hits.get(tag) ?? 0) + count);
      }
      dataSets.push({ runner, ageMinutes: (lcovTime - statSync(file).mtimeMs) / 60_000 });
    }
  }
}
for (const { runner, ageMinutes } of dataSets) {
  // Hardhat clears a runner's data when that runner starts; a runner skipped in the last run keeps old data.
  if (ageMinutes > 30) {
    console.warn(`coverage: warning: coverage/data/${runner} is ${ageMinutes.toFixed(0)} min older than lcov.info (stale runner data?)`);
  }
}

// ---- the solc AST of every contract file (analysis only: types let us tell mappings from arrays)
const contractFiles = sections.map((s) => s.file).filter((f) => f.startsWith("contracts/"));
const solc = require("solc");
const solcVersion = require("solc/package.json").version;
const astOutput = JSON.parse(
  solc.compile(
    JSON.stringify({
      language: "Solidity",
      sources: Object.fromEntries(contractFiles.map((f) => [f, { content: readFileSync(join(root, f), "utf8") }])),
      settings: { outputSelection: { "*": { "": ["ast"] } } },
    }),
    {
      import: (path) => {
        for (const candidate of [join(root, path), join(root, "node_modules", path)]) {
          if (existsSync(candidate)) return { contents: readFileSync(candidate, "utf8") };
        }
        return { error: `not found: ${path}` };
      },
    },
  ),
);
const astErrors = (astOutput.errors ?? []).filter((e) => e.severity === "error");
if (astErrors.length > 0) {
  console.error(`coverage: solc could not analyse contracts/:\n${astErrors.map((e) => e.formattedMessage).join("\n")}`);
  process.exit(2);
}

// ---- EDR's statement probes, as Hardhat instruments them
// EDR is Hardhat's dependency, not ours: resolve it from Hardhat's package if npm did not hoist it.
const edr = (() => {
  try {
    return require("@nomicfoundation/edr");
  } catch {
    return createRequire(join(root, "node_modules", "hardhat", "package.json"))("@nomicfoundation/edr");
  }
})();
const [maj, min, pat] = solcVersion.split(".").map(Number);
const [lmaj, lmin, lpat] = edr.latestSupportedSolidityVersion().split(".").map(Number);
const instrumentationVersion =
  maj * 1e6 + min * 1e3 + pat <= lmaj * 1e6 + lmin * 1e3 + lpat ? solcVersion : edr.latestSupportedSolidityVersion();

/** Index of the first character after whitespace and comments, from `i`. */
function skipTrivia(text, i, end) {
  while (i < end) {
    if (/\s/.test(text[i])) i++;
    else if (text.startsWith("//", i)) i = text.indexOf("\n", i) === -1 ? end : text.indexOf("\n", i) + 1;
    else if (text.startsWith("/*", i)) i = text.indexOf("*/", i + 2) + 2;
    else break;
  }
  return i;
}

/** UTF-8 byte offset (solc `src`) to UTF-16 offset (EDR ranges, JS strings). */
function byteToUtf16Map(text) {
  const map = new Uint32Array(Buffer.byteLength(text, "utf8") + 1);
  let byte = 0;
  let unit = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch, "utf8");
    for (let k = 0; k < size; k++) map[byte + k] = unit;
    byte += size;
    unit += ch.length;
  }
  map[byte] = unit;
  return map;
}

// ---- every AST node by id (contracts and their imports), the file of every analysed source index
const nodeById = new Map();
const contractOf = new Map(); // declaration id -> name of the contract/library declaring it
const fileByIndex = new Map();
for (const [name, { id, ast }] of Object.entries(astOutput.sources)) {
  fileByIndex.set(id, name);
  const walk = (node, contract) => {
    if (Array.isArray(node)) return node.forEach((n) => walk(n, contract));
    if (!node || typeof node !== "object") return;
    if (typeof node.id === "number" && node.nodeType) {
      nodeById.set(node.id, node);
      if (contract) contractOf.set(node.id, contract);
    }
    const inner = node.nodeType === "ContractDefinition" ? node.name : contract;
    for (const [key, value] of Object.entries(node)) if (key !== "typeDescriptions" && value && typeof value === "object") walk(value, inner);
  };
  walk(ast, undefined);
}

// ---- per contract file: text, probes (first non-trivia UTF-16 offset -> tags), byte -> UTF-16 map, lines
const files = new Map();
for (const file of contractFiles) {
  const text = readFileSync(join(root, file), "utf8");
  const { metadata } = edr.addStatementCoverageInstrumentation(text, `project/${file}`, instrumentationVersion);
  const probeAt = new Map();
  for (const m of metadata) {
    if (m.kind !== "statement") continue;
    const start = skipTrivia(text, m.startUtf16, m.endUtf16);
    const list = probeAt.get(start) ?? [];
    list.push({ tag: Buffer.from(m.tag).toString("hex"), end: m.endUtf16 });
    probeAt.set(start, list);
  }
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") lineStarts.push(i + 1);
  const matchedTags = metadata.filter((m) => hits.has(Buffer.from(m.tag).toString("hex"))).length;
  files.set(file, { text, probeAt, toUnit: byteToUtf16Map(text), lineStarts, matchedTags });
}
const fileOf = (node) => fileByIndex.get(Number(node.src.split(":")[2]));
const range = (node) => {
  const [s, l] = node.src.split(":").map(Number);
  const { toUnit } = files.get(fileOf(node));
  return [toUnit[s], toUnit[s + l]];
};
const lineOf = (node) => {
  const { lineStarts } = files.get(fileOf(node));
  const unit = range(node)[0];
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid] <= unit) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
};
/** Hit count of a statement node's probe; undefined when it has none (or lies outside contracts/). */
const probeHits = (node) => {
  if (!node || !files.has(fileOf(node))) return undefined;
  const [s, e] = range(node);
  const candidates = (files.get(fileOf(node)).probeAt.get(s) ?? []).filter((p) => p.end >= e).sort((a, b) => a.end - b.end);
  return candidates.length === 0 ? undefined : (hits.get(candidates[0].tag) ?? 0);
};
const snippet = (node) => files.get(fileOf(node)).text.slice(...range(node)).split("\n")[0].trim().slice(0, 90);

// Calls that return a status instead of reverting (OpenZeppelin 5.x) or only read storage.
const NON_REVERTING_CALLS = new Set(["SafeERC20.trySafeTransfer", "SafeERC20.trySafeTransferFrom", "Ownable.owner"]);
const ARITHMETIC = new Set(["+", "-", "*", "/", "%", "**"]);
const calleeOf = (call) => nodeById.get(call.expression.referencedDeclaration);
/** True when evaluating `expr` cannot revert by itself (see the header, rule 3). */
function cannotRevert(expr) {
  switch (expr.nodeType) {
    case "Identifier":
    case "Literal":
      return true;
    case "MemberAccess":
      // type(T).max / .min are constants
      if (expr.expression.nodeType === "FunctionCall" && expr.expression.expression.name === "type") return true;
      return cannotRevert(expr.expression);
    case "TupleExpression":
      return expr.components.every((c) => c === null || cannotRevert(c));
    case "UnaryOperation":
      return (expr.operator === "!" || expr.operator === "~") && cannotRevert(expr.subExpression);
    case "BinaryOperation":
      return !ARITHMETIC.has(expr.operator) && cannotRevert(expr.leftExpression) && cannotRevert(expr.rightExpression);
    case "IndexAccess":
      return (
        expr.baseExpression.typeDescriptions?.typeString?.startsWith("mapping(") === true &&
        cannotRevert(expr.baseExpression) &&
        cannotRevert(expr.indexExpression)
      );
    case "FunctionCall": {
      if (!expr.arguments.every(cannotRevert)) return false;
      // elementary and contract-type conversions (uint64(x), bytes4(0), IERC20(token)) never revert; enum ones can
      if (expr.kind === "typeConversion") {
        return (
          expr.expression.nodeType === "ElementaryTypeNameExpression" ||
          nodeById.get(expr.expression.referencedDeclaration)?.nodeType === "ContractDefinition"
        );
      }
      const callee = calleeOf(expr);
      if (!callee || !NON_REVERTING_CALLS.has(`${contractOf.get(callee.id)}.${callee.name}`)) return false;
      // a bound call `x.f(...)`: x is evaluated too
      return expr.expression.nodeType !== "MemberAccess" || cannotRevert(expr.expression.expression);
    }
    default:
      return false;
  }
}

const isRevertCall = (s) =>
  s.nodeType === "ExpressionStatement" &&
  s.expression.nodeType === "FunctionCall" &&
  s.expression.expression.nodeType === "Identifier" &&
  s.expression.expression.name === "revert";
/** True when `s` never falls through to the statement after it (calls into always-reverting helpers included). */
function alwaysLeaves(s, seen = new Set()) {
  if (!s) return false;
  if (["Return", "RevertStatement", "Break", "Continue"].includes(s.nodeType) || isRevertCall(s)) return true;
  if (s.nodeType === "Block" || s.nodeType === "UncheckedBlock") return s.statements.some((x) => alwaysLeaves(x, seen));
  if (s.nodeType === "IfStatement") {
    return s.falseBody != null && alwaysLeaves(s.trueBody, seen) && alwaysLeaves(s.falseBody, seen);
  }
  if (s.nodeType === "ExpressionStatement" && s.expression.nodeType === "FunctionCall") {
    const callee = calleeOf(s.expression);
    if (callee?.nodeType !== "FunctionDefinition" || !callee.body || seen.has(callee.id)) return false;
    if (callee.virtual || callee.modifiers.length > 0) return false;
    seen.add(callee.id);
    return alwaysLeaves(callee.body, seen);
  }
  return false;
}

// ---- call sites: function id -> statements right after an `f(...);` statement (rule 2b)
const statementsAfterCall = new Map();
const parents = new Map(); // node id -> parent node, for contract files
for (const file of contractFiles) {
  const walk = (node, parent) => {
    if (Array.isArray(node)) return node.forEach((n) => walk(n, parent));
    if (!node || typeof node !== "object") return;
    if (typeof node.id === "number" && parent) parents.set(node.id, parent);
    if (node.nodeType === "Block" || node.nodeType === "UncheckedBlock") {
      node.statements.forEach((st, i) => {
        if (st.nodeType !== "ExpressionStatement" || st.expression.nodeType !== "FunctionCall") return;
        const callee = calleeOf(st.expression);
        if (!callee || !node.statements[i + 1]) return;
        const list = statementsAfterCall.get(callee.id) ?? [];
        list.push(node.statements[i + 1]);
        statementsAfterCall.set(callee.id, list);
      });
    }
    for (const [key, value] of Object.entries(node)) if (key !== "typeDescriptions" && value && typeof value === "object") walk(value, node);
  };
  walk(astOutput.sources[file].ast, null);
}
const containsReturn = (node) =>
  node && typeof node === "object" && (node.nodeType === "Return" || Object.values(node).some((v) => v && typeof v === "object" && containsReturn(v)));
/** Rule 2b: the if is the last statement of a function body without `return` or modifiers, and its true side
 * always leaves: the function returned normally only through the false side, so a statement right after an
 * `f(...);` call proves it. Returns the best count over call sites, or undefined when not applicable. */
function falseHitsViaCallers(ifNode) {
  const body = parents.get(ifNode.id);
  const fn = body && parents.get(body.id);
  if (fn?.nodeType !== "FunctionDefinition" || fn.body !== body || body.statements.at(-1) !== ifNode) return undefined;
  // a virtual function's call sites may dispatch to an override: they prove nothing about this body
  if (fn.virtual || fn.modifiers.length > 0 || containsReturn(body) || !alwaysLeaves(ifNode.trueBody)) return undefined;
  const counts = (statementsAfterCall.get(fn.id) ?? []).map(probeHits).filter((h) => h !== undefined);
  return counts.length === 0 ? undefined : Math.max(...counts);
}

const report = []; // per file: { file, mock, branches: [...], unmeasured: [...] }
for (const file of contractFiles) {
  const branches = [];
  const unmeasured = [];
  const add = (node, kind, outcomes) => {
    const reached = probeHits(node);
    branches.push({ line: lineOf(node), kind, code: snippet(node), reached: reached ?? 0, outcomes });
  };
  const outcome = (label, taken, how) => ({ label, taken: taken ?? 0, how: taken === undefined ? "undetermined" : how });

  const visit = (node, parent) => {
    if (Array.isArray(node)) return node.forEach((n) => visit(n, parent));
    if (!node || typeof node !== "object") return;
    const siblings = parent && (parent.nodeType === "Block" || parent.nodeType === "UncheckedBlock") ? parent.statements : null;
    const next = siblings ? siblings[siblings.indexOf(node) + 1] : undefined;
    if (node.nodeType === "IfStatement") {
      const ifHits = probeHits(node) ?? 0;
      const trueHits = probeHits(node.trueBody);
      let falseOutcome;
      if (node.falseBody) falseOutcome = outcome("false", probeHits(node.falseBody), "exact (else)");
      else if (alwaysLeaves(node.trueBody) && next && probeHits(next) !== undefined)
        falseOutcome = outcome("false", probeHits(next), "exact (next statement)");
      else if (falseHitsViaCallers(node) !== undefined)
        falseOutcome = outcome("false", falseHitsViaCallers(node), "exact (statement after a call)");
      else if (cannotRevert(node.condition) && trueHits !== undefined)
        falseOutcome = outcome("false", ifHits - trueHits, "inferred (if - true)");
      else falseOutcome = outcome("false", undefined);
      add(node, "if", [outcome("true", trueHits, "exact"), falseOutcome]);
    } else if (
      node.nodeType === "ExpressionStatement" &&
      node.expression.nodeType === "FunctionCall" &&
      node.expression.expression.nodeType === "Identifier" &&
      ["require", "assert"].includes(node.expression.expression.name)
    ) {
      const call = node.expression;
      const selfHits = probeHits(node) ?? 0;
      const passHits = next ? probeHits(next) : undefined;
      const failHits = passHits !== undefined && cannotRevert(call.arguments[0]) ? selfHits - passHits : undefined;
      add(node, call.expression.name, [
        outcome("pass", passHits, "exact (next statement)"),
        outcome("fail", failHits, "inferred (require - next)"),
      ]);
    } else if (node.nodeType === "TryStatement") {
      const clauseHits = node.clauses.map((c) => probeHits(c.block.statements[0]));
      if (clauseHits.some((h) => h === undefined)) {
        unmeasured.push({ line: lineOf(node), kind: "try (empty clause)", code: snippet(node) });
      } else {
        add(node, "try", node.clauses.map((c, i) => outcome(i === 0 ? "success" : `catch ${c.errorName || "*"}`, clauseHits[i], "exact")));
      }
    } else if (node.nodeType === "Conditional") {
      unmeasured.push({ line: lineOf(node), kind: "?:", code: snippet(node) });
    } else if (node.nodeType === "YulIf" || node.nodeType === "YulSwitch") {
      unmeasured.push({ line: lineOf(node), kind: `assembly ${node.nodeType === "YulIf" ? "if" : "switch"}`, code: snippet(node) });
    }
    for (const [key, value] of Object.entries(node)) {
      if (key === "typeDescriptions" || key === "documentation") continue;
      if (value && typeof value === "object") visit(value, node);
    }
  };
  visit(astOutput.sources[file].ast, null);
  branches.sort((a, b) => a.line - b.line);
  unmeasured.sort((a, b) => a.line - b.line);
  const { matchedTags } = files.get(file);
  report.push({ file, mock: file.startsWith("contracts/mocks/"), branches, unmeasured, matchedTags });
}

// ---- sanity: the data must come from this instrumentation (same sources, same compiler)
for (const section of sections) {
  const r = report.find((x) => x.file === section.file);
  if (r && section.lh > 0 && r.matchedTags === 0) {
    console.error(`coverage: no statement tag of ${r.file} is in coverage/data: sources changed since the run? rerun \`npx hardhat test --coverage\``);
    process.exit(2);
  }
}

// ---- LCOV with branch records, branches.json
const brda = new Map();
let lcovOut = "TN:\n";
for (const section of sections) {
  const r = report.find((x) => x.file === section.file);
  lcovOut += `${section.sf}\n`;
  let found = 0;
  let hit = 0;
  if (r) {
    r.branches.forEach((b, block) => {
      b.outcomes.forEach((o, i) => {
        lcovOut += `BRDA:${b.line},${block},${i},${b.reached === 0 ? "-" : o.taken}\n`;
        found++;
        if (o.taken > 0) hit++;
      });
    });
    lcovOut += `BRF:${found}\nBRH:${hit}\n`;
  }
  brda.set(section.file, { found, hit });
  lcovOut += section.lines.filter((l) => l !== "TN:" && l !== "").join("\n") + "\nend_of_record\n";
}
writeFileSync(lcovPath, lcovOut);
writeFileSync(join(root, "coverage", "branches.json"), JSON.stringify(report, null, 2) + "\n");

// ---- table, missed branches, gate
const pct = (h, f) => (f === 0 ? Number.NaN : (100 * h) / f);
const show = (v) => (Number.isNaN(v) ? "   n/a" : `${v.toFixed(1).padStart(5)}%`);
const gated = { lf: 0, lh: 0, brf: 0, brh: 0 };
const rows = [];
for (const section of [...sections].sort((a, b) => a.file.localeCompare(b.file))) {
  if (!section.file.startsWith("contracts/")) continue;
  const isMock = section.file.startsWith("contracts/mocks/");
  const { found, hit } = brda.get(section.file);
  const r = report.find((x) => x.file === section.file);
  if (!isMock) {
    gated.lf += section.lf;
    gated.lh += section.lh;
    gated.brf += found;
    gated.brh += hit;
  }
  rows.push([section.file + (isMock ? " (mock, not gated)" : ""), section, found, hit, r?.unmeasured.length ?? 0]);
}
const width = Math.max(...rows.map((r) => r[0].length), 10);
console.log(`${"file".padEnd(width)}  lines             branches          unmeasured`);
for (const [name, s, found, hit, um] of rows) {
  console.log(
    `${name.padEnd(width)}  ${show(pct(s.lh, s.lf))} of ${String(s.lf).padStart(4)}  ${show(pct(hit, found))} of ${String(found).padStart(4)}  ${String(um).padStart(4)}`,
  );
}
const missed = report
  .filter((r) => !r.mock)
  .flatMap((r) => r.branches.flatMap((b) => b.outcomes.filter((o) => o.taken === 0).map((o) => ({ r, b, o }))));
if (missed.length > 0) {
  console.log(`\nbranches not taken (contracts/, mocks excluded): ${missed.length}`);
  for (const { r, b, o } of missed) {
    const why = b.reached === 0 ? "decision point never reached" : o.how === "undetermined" ? "undetermined, counted missed" : o.how;
    console.log(`  ${r.file}:${b.line}  ${o.label.padEnd(5)}  ${b.code}  [${why}]`);
  }
}
const unmeasuredCount = report.filter((r) => !r.mock).reduce((n, r) => n + r.unmeasured.length, 0);
console.log(
  `\nunmeasurable decision points (contracts/, mocks excluded; not in the branch figure): ${unmeasuredCount}` +
    " (?: operators, assembly if/switch, try with empty clauses; see coverage/branches.json)",
);
const lines = pct(gated.lh, gated.lf);
const branches = pct(gated.brh, gated.brf);
console.log(
  `coverage (contracts/, mocks excluded): lines ${lines.toFixed(2)}% of ${gated.lf}, branches ${branches.toFixed(2)}% of ${gated.brf} (gate ${THRESHOLD}%)`,
);
const belowGate = gated.lf === 0 || gated.brf === 0 || !(lines >= THRESHOLD) || !(branches >= THRESHOLD);
if (process.argv.includes("--check") && belowGate) {
  console.error(`coverage: below ${THRESHOLD}% (lines ${lines.toFixed(2)}%, branches ${branches.toFixed(2)}%)`);
  process.exit(1);
}
