// Runs `npm run demo` end to end with a small workload and checks its summary (what CI runs).
//   PATH=$PWD/node_modules/.bin:$PATH node --import tsx --test test/demo/demo.test.ts
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { DemoSummary } from "../../scripts/demo/report.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

function runDemo(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/demo.ts", ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

async function rpcAnswers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }) });
    return res.ok;
  } catch {
    return false;
  }
}

describe("npm run demo", { timeout: 300_000 }, () => {
  it("with --oracle in-process, settles a small workload, catches the fraud patterns, prints the summary and writes the report", async () => {
    const { code, stdout, stderr } = await runDemo(["--payments", "24", "--seed", "3", "--streams", "3", "--oracle", "in-process", "--json"]);
    assert.equal(code, 0, stderr.slice(-3000));
    const s = JSON.parse(stdout) as DemoSummary & { report: string; deployments: string };
    assert.equal(s.payments, 24);
    assert.equal(s.outcomeAtOnce.released + s.outcomeAtOnce.held + s.outcomeAtOnce.frozen, 24);
    assert.ok(s.fraud.total >= 6, "every fraud pattern is in the sample");
    assert.equal(s.fraud.caught + s.fraud.missed, s.fraud.total);
    assert.ok(s.fraud.caught > 0);
    assert.equal(s.honest.total + s.fraud.total, 24);
    // Nothing stays pending: held milestones are finalized after the window, frozen ones resolved.
    assert.equal(s.finalOutcome.pending ?? 0, 0);
    assert.ok(s.gas.release > 0 && s.gas.createEscrow > 0 && s.gas.postPerAttestation > 0);
    assert.ok(s.gas.attestationsPosted >= s.escrows.milestones, "one attestation per milestone (plus the streams')");
    assert.ok(s.settlementMs.n === s.outcomeAtOnce.released);
    // k-of-n: every posted attestation carries exactly 2 operator signatures, and the run survived one
    // co-signer being down for a third of the payments.
    assert.equal(s.operators.length, 3);
    assert.equal(s.operators.reduce((n, o) => n + o.signed, 0), 2 * s.gas.attestationsPosted);
    assert.ok(s.outage, "an operator outage happened");
    assert.equal(s.commissions.streams, 3);
    assert.ok(Number(s.commissions.streamsUSDC) > 0, "affiliates earned commissions");
    assert.ok(existsSync(s.report));
    const html = readFileSync(s.report, "utf8");
    assert.equal((html.match(/<svg /g) ?? []).length, 3);
    // Every process the demo started is gone: the chain's RPC no longer answers.
    const d = JSON.parse(readFileSync(s.deployments, "utf8")) as { rpcUrl: string };
    assert.equal(await rpcAnswers(d.rpcUrl), false);
  });

  it("by default (--oracle daemon), three real riskgate daemons attest every milestone and the sanctioned payee is frozen", async () => {
    const { code, stdout, stderr } = await runDemo(["--payments", "14", "--seed", "3", "--streams", "2", "--json"]);
    assert.equal(code, 0, stderr.slice(-3000));
    const s = JSON.parse(stdout) as DemoSummary;
    assert.equal(s.payments, 14);
    assert.match(s.oracleMode, /daemons/);
    assert.equal(s.finalOutcome.pending ?? 0, 0);
    assert.ok(s.gas.attestationsPosted >= s.escrows.milestones);
    assert.deepEqual(s.fraud.byPattern.sanctioned, { total: 1, caught: 1 });
    assert.equal(s.commissions.streamAttestations, 2);
    // Counted from the post transactions' calldata: each posted verdict carries exactly the threshold (2)
    // of the three operators' signatures.
    assert.equal(s.operators.length, 3);
    assert.equal(s.operators.reduce((n, o) => n + o.signed, 0), 2 * s.gas.attestationsPosted);
  });

  it("test_RevertWhen_PaymentsIsNotANumber: exits 2 with a one-line message", async () => {
    const { code, stderr } = await runDemo(["--payments", "lots"]);
    assert.equal(code, 2);
    assert.match(stderr, /--payments must be a non-negative integer/);
  });
});
