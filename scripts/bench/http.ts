// HTTP API benchmark: the daemon runs as its own process (`riskgate oracle start`, default log level
// info, API key required as an operator runs it), autocannon drives POST /v1/score with 64 connections
// over loopback; then score + sign throughput in-process. Prints req/s, p50/p99 latency, the CPU both
// sides used (autocannon shares the 2 cores with the daemon wherever it runs: it is in this process,
// whose main thread does nothing else meanwhile), the daemon's event-loop delay and GC pauses during the
// run (from its /metrics), the machine load, and attestations/s. Figures are printed, never asserted.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { privateKeyToAccount } from "viem/accounts";
import { signSettlement } from "../../oracle/src/attestation/issueAttestation.js";
import { loadConfig } from "../../oracle/src/config.js";
import { createContext } from "../../oracle/src/context.js";
import { createApiKey } from "../../oracle/src/http/apiKeys.js";
import { createRiskEngine } from "../../oracle/src/risk/createRiskEngine.js";
import { createSqliteStore } from "../../oracle/src/store/sqliteStore.js";

const root = join(import.meta.dirname, "..", "..");
const dir = mkdtempSync(join(tmpdir(), "riskgate-bench-"));
const duration = Number(process.env.BENCH_SECONDS ?? 10);
const connections = 64;
// One API key, as `riskgate oracle apikey create` makes it; its rate limit is raised so the bucket is
// checked on every request but does not throttle the benchmark itself.
const dbPath = join(dir, "b.sqlite");
const keyStore = createSqliteStore({ path: dbPath });
const { key } = createApiKey(keyStore, "bench");
keyStore.close();
const rateLimit = 100_000_000;

const child = spawn(process.execPath, [join(root, "oracle", "bin", "riskgate.js"), "oracle", "start", "--http-port", "0", "--require-api-key", "true", "--rate-limit-per-minute", String(rateLimit), "--db-path", dbPath, "--keystore-path", join(dir, "none.json")], {
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

/** utime + stime of a process, in seconds (Linux /proc). */
function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(f[11]) + Number(f[12])) / 100;
}
async function scrape(): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = new Map<string, number>();
  for (const line of text.split("\n")) {
    const i = line.lastIndexOf(" ");
    if (line && !line.startsWith("#") && i > 0) m.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return m;
}

const body = JSON.stringify({ payer: "0x70997970c51812dc3a010c7d01b50e0d17dc79c8", payee: "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc", token: "0x5fbdb2315678afecb367f032d93f642f64180aa3", amount: "250000000" });
const opts = { url: `${url}/v1/score`, method: "POST" as const, headers: { "content-type": "application/json", "x-api-key": key }, body, connections };
await autocannon({ ...opts, duration: 2 }); // warm-up
const load0 = loadavg()[0]!;
const before = await scrape(); // also resets the event-loop delay histogram
const daemon0 = cpuSeconds(child.pid!);
const self0 = process.cpuUsage();
const r = await autocannon({ ...opts, duration });
const selfCpu = process.cpuUsage(self0);
const daemonCpu = cpuSeconds(child.pid!) - daemon0;
const after = await scrape();
child.kill("SIGTERM");
const gc = (k: string) => (after.get(`riskgate_nodejs_gc_duration_seconds_${k}`) ?? 0) - (before.get(`riskgate_nodejs_gc_duration_seconds_${k}`) ?? 0);
const gcCount = ["minor", "major", "incremental"].reduce((a, kind) => a + gc(`count{kind="${kind}"}`), 0);
const gcMs = ["minor", "major", "incremental"].reduce((a, kind) => a + gc(`sum{kind="${kind}"}`), 0) * 1000;
const eld = (q: string) => ((after.get(`riskgate_nodejs_eventloop_lag_${q}_seconds`) ?? NaN) * 1000).toFixed(1);
console.log(`POST /v1/score, ${connections} connections, ${duration} s, API key required, rate limit ${rateLimit}/min, log level info: ${Math.round(r.requests.average)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, max ${r.latency.max} ms, non-2xx ${r.non2xx}, errors ${r.errors}`);
console.log(`  CPU: daemon ${daemonCpu.toFixed(1)} s (${Math.round((daemonCpu * 1e6) / r.requests.total)} us/request), autocannon ${((selfCpu.user + selfCpu.system) / 1e6).toFixed(1)} s; daemon event-loop delay p50 ${eld("p50")} / p99 ${eld("p99")} ms; GC ${gcCount} pauses, ${Math.round(gcMs)} ms; load average ${load0.toFixed(2)} -> ${loadavg()[0]!.toFixed(2)} (2 cores, shared)`);
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
