// The mutant generator of `npm run mutate` on a fixture source (each operator's mutants, comments and strings
// skipped, assembly marked, deterministic sampling) and the reading of survivors.md. No compilation, no test run.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { applyMutant, generateMutants, globToRegExp, mutantDiff, sample } from "../../scripts/mutation/generate.mjs";
import { explains, parseExplanations } from "../../scripts/mutation/survivors.mjs";

const FIXTURE = `// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice if (a < b) revert X(); in NatSpec is not code
contract Fixture {
    uint256 private constant LIMIT = 10;
    uint256 private total;
    mapping(address => uint256) private balances;
    event Deposit(address who, uint256 amount);
    error TooMuch(uint256 amount);

    function deposit(uint256 amount, bool strict) external {
        /* a block comment: x = y + 1; emit Nothing(); */
        if (amount > LIMIT && strict) revert TooMuch(amount);
        require(amount != 0, "zero <= amount");
        total = total + amount * 2;
        balances[msg.sender] += amount;
        uint256 fee = amount / 4 - 1;
        emit Deposit(msg.sender, amount - fee);
        for (uint256 i = 0; i < 2; ++i) {}
        bool flag = true;
        assembly ("memory-safe") {
            let m := add(mload(0x40), 32)
        }
    }
}
`;

const all = generateMutants(FIXTURE, { file: "contracts/Fixture.sol" });
const of = (operator: string) => all.filter((m) => m.operator === operator);
const lineOf = (text: string) => FIXTURE.split("\n").findIndex((l) => l.includes(text)) + 1;

describe("mutation generator", () => {
  it("skips comments, NatSpec, strings and the pragma", () => {
    for (const m of all) {
      assert.ok(![1, 2, 4, 13].includes(m.line), `mutant in a comment or pragma: ${m.line}:${m.col} ${m.description}`);
      const deletion = m.replacement.trim() === "";
      assert.ok(deletion || !m.original.includes('"'), `mutant in a string: ${m.description}`);
    }
    // `<=` appears only inside the require's message: no ROR on line 15 other than `!=`.
    assert.deepEqual(
      of("ROR")
        .filter((m) => m.line === lineOf("require("))
        .map((m) => m.original),
      ["!="],
    );
  });

  it("ROR: boundary and direction for < and >, equality flipped", () => {
    const [gt, ne, lt] = [lineOf("amount > LIMIT"), lineOf("require("), lineOf("i < 2")];
    assert.deepEqual(
      of("ROR").map((m) => `${m.line}: ${m.original} -> ${m.replacement}`),
      [`${gt}: > -> <`, `${gt}: > -> >=`, `${ne}: != -> ==`, `${lt}: < -> <=`, `${lt}: < -> >`],
    );
  });

  it("CNR negates if and require conditions (not the require message)", () => {
    assert.deepEqual(
      of("CNR").map((m) => m.replacement),
      ["!(amount > LIMIT && strict)", "!(amount != 0)"],
    );
  });

  it("RVD deletes the whole `if (...) revert` and the require, keeping line numbers", () => {
    const rvd = of("RVD");
    assert.deepEqual(
      rvd.map((m) => m.original),
      ["if (amount > LIMIT && strict) revert TooMuch(amount);", 'require(amount != 0, "zero <= amount");'],
    );
    const mutated = applyMutant(FIXTURE, rvd[0]);
    assert.equal(mutated.split("\n").length, FIXTURE.split("\n").length);
    assert.ok(!mutated.includes("revert TooMuch"));
  });

  it("AOR swaps binary + - * / and compound assignments, never a unary minus", () => {
    assert.deepEqual(
      of("AOR")
        .filter((m) => !m.assembly)
        .map((m) => `${m.original}->${m.replacement}`),
      ["+->-", "*->/", "+=->-=", "/->*", "-->+", "-->+"],
    );
  });

  it("LOR, BLR, EVR", () => {
    assert.deepEqual(
      of("LOR")
        .filter((m) => !m.assembly)
        .map((m) => m.replacement),
      ["||"],
    );
    assert.deepEqual(
      of("BLR").map((m) => m.replacement),
      ["false"],
    );
    assert.deepEqual(
      of("EVR").map((m) => m.line),
      [lineOf("emit Deposit")],
    );
  });

  it("ASR removes assignment statements, not declarations nor for headers", () => {
    assert.deepEqual(
      of("ASR").map((m) => m.original),
      ["total = total + amount * 2;", "balances[msg.sender] += amount;"],
    );
  });

  it("COR moves numeric literals by one, not in the pragma nor in assembly", () => {
    assert.deepEqual(
      of("COR").map((m) => `${m.original}->${m.replacement}`),
      ["10->11", "10->9", "0->1", "2->1", "2->3", "4->3", "4->5", "1->0", "1->2", "0->1", "2->1", "2->3"],
    );
  });

  it("marks mutants inside assembly and swaps Yul functions there", () => {
    const yul = all.filter((m) => m.assembly);
    assert.deepEqual(
      yul.map((m) => m.description),
      ["AOR 'add(' -> 'sub('"],
    );
    assert.equal(yul[0].line, lineOf("let m :="));
  });

  it("reports precise line:col and a diff", () => {
    const m = of("ROR")[0];
    assert.equal(FIXTURE.split("\n")[m.line - 1].slice(m.col - 1, m.col), ">");
    assert.match(mutantDiff(FIXTURE, m), /^@@ contracts\/Fixture.sol:14 @@\n- +if \(amount > LIMIT/);
  });

  it("is deterministic: same order every time, same sample for the same seed", () => {
    assert.deepEqual(generateMutants(FIXTURE, { file: "contracts/Fixture.sol" }), all);
    const a = sample(all, 5, 7).map((m) => m.description + m.start);
    assert.deepEqual(
      sample(all, 5, 7).map((m) => m.description + m.start),
      a,
    );
    assert.notDeepEqual(
      sample(all, 5, 8).map((m) => m.description + m.start),
      a,
    );
    const starts = sample(all, 5, 7).map((m) => all.indexOf(m));
    assert.deepEqual(
      starts,
      [...starts].sort((x, y) => x - y),
      "a sample keeps the generation order",
    );
  });

  it("restricts to the requested operators", () => {
    const only = generateMutants(FIXTURE, { operators: ["BLR", "EVR"] });
    assert.deepEqual([...new Set(only.map((m) => m.operator))].sort(), ["BLR", "EVR"]);
  });

  it("globs match paths as --file does", () => {
    assert.ok(globToRegExp("libraries/Stream*").test("libraries/StreamMath.sol"));
    assert.ok(globToRegExp("contracts/**/*.sol").test("contracts/libraries/StreamMath.sol"));
    assert.ok(!globToRegExp("*.sol").test("contracts/RiskOracle.sol"));
  });
});

describe("survivors.md", () => {
  const text = readFileSync(new URL("./survivors.md", import.meta.url), "utf8");

  it("parses the committed entries and skips the fenced example", () => {
    const { entries, invalid } = parseExplanations(text);
    assert.deepEqual(invalid, []);
    assert.ok(entries.length > 0);
    assert.ok(entries.every((e) => e.source && e.source !== "if (a < b) revert Errors.X();"));
  });

  it("matches a survivor on file, description and source line, whatever its line number", () => {
    const doc =
      "### contracts/Fixture.sol:14:29 ROR '>' -> '>='\n- source: `if (amount > LIMIT && strict) revert TooMuch(amount);`\n- verdict: equivalent\n- reason: r\n";
    const [entry] = parseExplanations(doc).entries;
    const survivor = { ...of("ROR")[1], source: "if (amount > LIMIT && strict) revert TooMuch(amount);" };
    assert.equal(survivor.replacement, ">=");
    assert.ok(explains(entry, survivor));
    assert.ok(explains(entry, { ...survivor, line: 99 }));
    assert.ok(!explains(entry, { ...survivor, description: "ROR '>' -> '<'" }));
    assert.ok(!explains(entry, { ...survivor, source: "if (amount > LIMIT) revert TooMuch(amount);" }));
  });

  it("rejects an entry without a known verdict", () => {
    const { entries, invalid } = parseExplanations(
      "### a.sol:1 BLR 'true' -> 'false'\n- source: `x`\n- verdict: maybe\n",
    );
    assert.equal(entries.length, 0);
    assert.equal(invalid.length, 1);
  });
});
