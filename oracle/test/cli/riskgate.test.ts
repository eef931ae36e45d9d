import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, test } from "node:test";
import { ACCOUNT_FEATURES } from "../../src/model/schema.js";
import { HEADER, makeCsv } from "../model/fixtures.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const bin = join(root, "oracle", "bin", "riskgate.js");
const dir = mkdtempSync(join(tmpdir(), "riskgate-cli-test-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function riskgate(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

test("test_cli_HelpEverywhere", () => {
  const top = riskgate("--help");
  assert.equal(top.code, 0);
  assert.match(top.stdout, /model/);
  assert.match(top.stdout, /score/);
  for (const sub of [["model", "--help"], ["model", "train", "--help"], ["model", "evaluate", "--help"], ["model", "info", "--help"], ["score", "--help"]]) {
    const r = riskgate(...sub);
    assert.equal(r.code, 0, sub.join(" "));
    assert.match(r.stdout, /Usage: riskgate/);
  }
});

test("test_RevertWhen_TrainOnBadCsv_ExitTwoOneLineNoModel", () => {
  const good = makeCsv(30, 2).split("\n");
  const bad = good.slice();
  const cells = bad[4].split(",");
  cells[1 + ACCOUNT_FEATURES.indexOf("Sent tnx")] = "twelve";
  bad[4] = cells.join(",");
  const wrongLabel = good.slice();
  wrongLabel[2] = "yes" + wrongLabel[2].slice(1);
  const cases: [string, string, RegExp][] = [
    ["missing.csv", [HEADER.replace(",Received Tnx,", ","), ...good.slice(1)].join("\n"), /row 1, column "Received Tnx": missing column/],
    ["nonnumeric.csv", bad.join("\n"), /row 5, column "Sent tnx": not a number: "twelve"/],
    ["empty.csv", "", /empty file/],
    ["label.csv", wrongLabel.join("\n"), /row 3, column "FLAG": label must be 0 or 1, found "yes"/],
  ];
  for (const [name, text, re] of cases) {
    const out = join(dir, `model-${name}`);
    const r = riskgate("model", "train", "--data", file(name, text), "--out", out, "--cv", "0");
    assert.equal(r.code, 2, name);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split("\n").length, 1, `${name}: one line, got ${r.stderr}`);
    assert.ok(!existsSync(out), `${name}: no partial model`);
    assert.equal(riskgate("model", "evaluate", "--data", join(dir, name), "--json").code, 2);
  }
});

test("test_cli_TrainEvaluateInfo_TinyModel", () => {
  const data = file("fixture.csv", makeCsv(240, 4));
  const out = join(dir, "tiny");
  const t = riskgate("model", "train", "--data", data, "--out", out, "--seed", "2", "--cv", "0", "--epochs", "3", "--rounds", "10");
  assert.equal(t.code, 0, t.stderr);
  assert.match(t.stdout, /model 0x[0-9a-f]{64} written/);
  const e = riskgate("model", "evaluate", "--data", data, "--model", out, "--json");
  assert.equal(e.code, 0, e.stderr);
  const lines = e.stdout.trim().split("\n");
  assert.equal(lines.length, 1, "one JSON object on stdout");
  const j = JSON.parse(lines[0]) as Record<string, unknown> & { completeRows: { rows: number } };
  for (const k of ["rows", "rocAuc", "prAuc", "f1", "precision", "recall", "threshold", "modelId"]) assert.ok(k in j, k);
  assert.equal(j.rows, 240);
  assert.equal(j.completeRows.rows, 240);
  const report = join(dir, "report.html");
  const h = riskgate("model", "evaluate", "--data", data, "--model", out, "--report", report);
  assert.equal(h.code, 0, h.stderr);
  assert.match(h.stdout, /complete rows/);
  assert.ok(existsSync(report));
  const i = riskgate("model", "info", "--model", out, "--json");
  assert.equal(i.code, 0, i.stderr);
  const info = JSON.parse(i.stdout) as { modelId: string; backend: string };
  assert.equal(info.modelId, j.modelId);
  assert.equal(info.backend, "wasm");
});

test("test_cli_Score_DefaultModelAndDenyList", () => {
  const payer = "0x1111111111111111111111111111111111111111";
  const payee = "0x2222222222222222222222222222222222222222";
  const r = riskgate("score", "--payer", payer, "--payee", payee, "--amount", "250.5", "--json");
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { score: number; reasons: number; modelId: string; reasonNames: string[]; decision: string };
  assert.ok(j.score >= 0 && j.score <= 10000);
  assert.ok(j.reasonNames.includes("NO_HISTORY"));
  const deny = file("deny.txt", `${payee}\n`);
  const d = JSON.parse(riskgate("score", "--payer", payer, "--payee", payee, "--amount", "1", "--deny-list", deny, "--json").stdout) as typeof j;
  assert.equal(d.score, 10000);
  assert.equal(d.decision, "freeze");
  assert.ok(d.reasonNames.includes("DENY_LIST_PAYEE"));
  const bad = riskgate("score", "--payer", "0x12", "--payee", payee, "--amount", "1");
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--payer is not an address/);
});

test("test_cli_NpxRiskgateHelpFromRepoRoot", () => {
  const r = spawnSync("npx", ["--no-install", "riskgate", "--help"], { cwd: root, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Usage: riskgate/);
});
