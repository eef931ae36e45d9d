// scripts/check-trees.mjs: the real trees pass; broken trees in a temp project fail naming file:line.
//   PATH=$PWD/node_modules/.bin:$PATH node --import tsx --test test/trees/checkTrees.test.ts
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, describe, it } from "node:test";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const CHECKER = path.join(ROOT, "scripts/check-trees.mjs");

function runChecker(rootDir: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CHECKER, rootDir], { encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Written as `i` + `t(` so this file's own sources never read as mocha titles to the checker.
const IT = "i" + "t";

/** A temp project: `files` maps relative paths to contents. */
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "check-trees-"));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  dirs.push(dir);
  return dir;
}
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const TESTS = [
  `${IT}("test_RevertWhen_Zero: the amount is zero", async function () {});`,
  `${IT}('plain title, with a comma', async function () {});`,
  `${IT}(\`test_Decision_\${name} (score \${score})\`, async function () {});`,
].join("\n");
const SOL = "contract T { function testFuzz_Amount(uint256 a) external {} }\n";

const GOOD_TREE = [
  "// a comment",
  "Foo::bar",
  "├── when the amount is zero",
  "│   └── it should revert [test_RevertWhen_Zero]",
  "└── when the amount is positive",
  "    ├── given a weird case",
  "    │   └── it should never happen [unreachable: the type forbids it]",
  "    └── given a normal case",
  "        ├── it should work [plain title, with a comma | testFuzz_Amount]",
  "        └── it should decide [foo.test.ts > test_Decision_Release]",
  "",
].join("\n");

describe("check-trees", () => {
  it("passes on the repository's trees and prints the summary", () => {
    const r = runChecker(ROOT);
    assert.equal(r.status, 0, r.stderr);
    const m = /check-trees: (\d+) files, (\d+) trees, (\d+) leaves, (\d+) tests referenced, (\d+) unreachable, 0 problems/.exec(r.stdout);
    assert.ok(m, r.stdout);
    assert.ok(Number(m[2]) >= 20, "trees");
    assert.ok(Number(m[3]) >= 200, "leaves");
  });

  it("passes on a well-formed tree (prefixes, pipes, file-qualified template titles, unreachable)", () => {
    const dir = project({
      "test/contracts/Foo/foo.test.ts": TESTS,
      "test/solidity/Foo.t.sol": SOL,
      "test/contracts/Foo/trees/bar.tree": GOOD_TREE,
    });
    const r = runChecker(dir);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /1 files, 1 trees, 4 leaves, 4 tests referenced, 1 unreachable, 0 problems/);
  });

  it("fails naming file:line for a missing test, a leaf without bracket, bad structure and bad prefixes", () => {
    const broken = [
      "Foo::bar", // 1
      "├── when the amount is zero", // 2
      "│   └── it should revert [test_RevertWhen_Missing]", // 3: no such test
      "├── when the amount is positive", // 4
      "│   ├── it should work", // 5: no bracket
      "│   └── it should decide [test_Decision_Release]", // 6: template title needs a file qualifier
      "├── when it is odd", // 7: `├──` on the last sibling
      "    └── it should pass [test_RevertWhen_Zero]", // 8: missing `│` under line 7
      "└── it should pass [test_RevertWhen_Ze]", // 9: not a whole-word prefix; sibling after...
      "└── the last one [test_RevertWhen_Zero]", // 10: sibling after `└──`, and no when/given/it should
      "",
    ].join("\n");
    const dir = project({ "test/contracts/Foo/foo.test.ts": TESTS, "test/contracts/Foo/trees/bar.tree": broken });
    const r = runChecker(dir);
    assert.equal(r.status, 1);
    const file = path.join("test", "contracts", "Foo", "trees", "bar.tree");
    for (const [line, text] of [
      [3, 'no test named "test_RevertWhen_Missing"'],
      [5, "leaf without a non-empty [test name] bracket"],
      [6, 'no test named "test_Decision_Release"'],
      [9, 'no test named "test_RevertWhen_Ze"'],
      [10, "a sibling after a `└──` branch"],
      [10, 'branch must start with "when ", "given " or "it should "'],
    ] as const) {
      assert.ok(r.stderr.includes(`${file}:${line}: ${text}`), `expected ${file}:${line}: ${text} in\n${r.stderr}`);
    }
    assert.match(r.stderr, new RegExp(`${file.replace(/[/\\.]/g, "\\$&")}:8: missing \`│\` at column 1`));
  });

  it("fails on a condition without children, a leaf with children and a malformed root", () => {
    const broken = [
      "not a root line!", // 1
      "├── when alone", // 2: condition without children (its sibling below is a leaf at the same column)
      "└── it should have no children [test_RevertWhen_Zero]", // 3
      "    └── it should not be here [test_RevertWhen_Zero]", // 4: child of a leaf
      "",
    ].join("\n");
    const dir = project({ "test/contracts/Foo/foo.test.ts": TESTS, "test/contracts/Foo/trees/bad.tree": broken });
    const r = runChecker(dir);
    assert.equal(r.status, 1);
    const file = path.join("test", "contracts", "Foo", "trees", "bad.tree");
    assert.ok(r.stderr.includes(`${file}:1: malformed root line`), r.stderr);
    assert.ok(r.stderr.includes(`${file}:2: a \`when\`/\`given\` branch has no children`), r.stderr);
    assert.ok(r.stderr.includes(`${file}:4: an \`it should\` leaf cannot have children`), r.stderr);
  });

  it("fails when no tree exists at all", () => {
    const dir = project({ "test/contracts/Foo/foo.test.ts": TESTS });
    const r = runChecker(dir);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /no test\/\*\*\/trees\/\*\.tree file found/);
  });
});
