// HTTP API benchmark: the daemon runs as its own process (`riskgate oracle start`), autocannon drives
// POST /v1/score with 64 connections over loopback; then score + sign throughput in-process.
// Prints req/s, p50/p99 latency, and attestations/s. Figures are printed, never asserted.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { privateKeyToAccount } from "viem/accounts";
import { signSettlement } from "../../oracle/src/attestation/issueAttestation.js";
import { loadConfig } from "../../oracle/src/config.js";
import { createContext } from "../../oracle/src/context.js";
import { createRiskEngine } from "../../oracle/src/risk/createRiskEngine.js";
import { createSqliteStore } from "../../oracle/src/store/sqliteStore.js";

const root = join(import.meta.dirname, "..", "..");
const dir = mkdtempSync(join(tmpdir(), "riskgate-bench-"));
const duration = Number(process.env.BENCH_SECONDS ?? 10);

const child = spawn(process.execPath, [join(root, "oracle", "bin", "riskgate.js"), "oracle", "start", "--http-port", "0", "--require-api-key", "false", "--rate-limit-per-minute", "100000000", "--db-path", join(dir, "b.sqlite"), "--keystore-path", join(dir, "none.json")], {
  env: { ...process.env, NODE_NO_WARNINGS: "1" },
  stdio: ["ignore", "pipe", "inherit"],
});
let out = "";
const url = await new Promise<string>((resolve, reject) => {
  child.stdout!.on("data", (c) => {
    out += c;
    const m = /"url":"(http:[^"]+)"/.exec(out);
    if (m) resolve(m[1]!);
  });
  child.on("exit", (code) => reject(new Error(`daemon exited ${code}: ${out}`)));
});

const body = JSON.stringify({ payer: "0x70997970c51812dc3a010c7d01b50e0d17dc79c8", payee: "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc", token: "0x5fbdb2315678afecb367f032d93f642f64180aa3", amount: "250000000" });
await autocannon({ url: `${url}/v1/score`, method: "POST", headers: { "content-type": "application/json" }, body, connections: 64, duration: 2 }); // warm-up
const r = await autocannon({ url: `${url}/v1/score`, method: "POST", headers: { "content-type": "application/json" }, body, connections: 64, duration });
child.kill("SIGTERM");
console.log(`POST /v1/score, 64 connections, ${duration} s: ${Math.round(r.requests.average)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, non-2xx ${r.non2xx}, errors ${r.errors}`);
console.log(`  target >= 3,000 req/s with p99 <= 25 ms: ${r.requests.average >= 3000 && r.latency.p99 <= 25 ? "met" : "NOT met"}`);

// Score + sign (1-of-1, no peers), in-process.
const store = createSqliteStore({ path: ":memory:" });
const risk = await createRiskEngine({ history: store.history });
const account = privateKeyToAccount("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
const ctx = createContext({
  config: loadConfig({ env: {}, overrides: { logLevel: "silent", dbPath: ":memory:" } }),
  store,
  risk,
  account,
  chain: { chainId: 31337, oracle: "0x5fbdb2315678afecb367f032d93f642f64180aa3", signers: [account.address], threshold: 1 },
});
const n = 3000;
const req = { consumer: "0x0000000000000000000000000000000000000e5c", subject: `0x${"11".repeat(32)}`, payer: "0x70997970c51812dc3a010c7d01b50e0d17dc79c8", payee: "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc", token: "0x5fbdb2315678afecb367f032d93f642f64180aa3", amount: 1_000_000n } as const;
for (let i = 0; i < 200; i++) await signSettlement(ctx, req);
const t0 = performance.now();
for (let i = 0; i < n; i++) await signSettlement(ctx, req);
const s = (performance.now() - t0) / 1000;
console.log(`score + sign (viem, one thread): ${Math.round(n / s)} attestations/s (target >= 2,000)`);
await ctx.shutdown.shutdown();
rmSync(dir, { recursive: true, force: true });
