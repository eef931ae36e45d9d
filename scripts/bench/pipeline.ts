// Payment event → attestation mined, with 2-of-3 operators on a real `hardhat node` (loopback):
// 3 daemons in this process (each its own SQLite file, key and HTTP API; all watch, one leads per
// settlement, the others co-sign), N escrows created one after another. Latency is measured from the
// CreateEscrow receipt to the leader's store showing the attestation posted (receipt seen).
// Prints p50 / p99 / max. Figures are printed, never asserted.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { privateKeyToAccount } from "viem/accounts";
import { escrowSubject } from "../../oracle/src/chain/watcher.js";
import { loadConfig } from "../../oracle/src/config.js";
import { type Daemon, startDaemon } from "../../oracle/src/index.js";
import { KEYS, createEscrow, deployStack, startHardhatNode } from "../../test/e2e/chain.js";

const N = Number(process.env.BENCH_PAYMENTS ?? 40);
const keys = [
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f52f8d9f50b6e4a5b9a6f6f4f8f1a9f1e1",
] as const;
const operators = keys.map((k) => privateKeyToAccount(k));
const dir = mkdtempSync(join(tmpdir(), "riskgate-bench-pipeline-"));
const node = await startHardhatNode();
const daemons: Daemon[] = [];
try {
  const stack = await deployStack(node.rpcUrl, { signers: operators.map((o) => o.address), threshold: 2, policy: { allowBelow: 5000, freezeAt: 9000, holdWindow: 3600 } });
  for (let i = 0; i < 3; i++) {
    const config = loadConfig({
      env: {},
      overrides: {
        rpcUrl: node.rpcUrl,
        oracleAddress: stack.oracle,
        escrowAddress: stack.escrow,
        dbPath: join(dir, `op${i}.sqlite`),
        httpPort: 0,
        requireApiKey: false,
        logLevel: (process.env.BENCH_LOG as "warn" | undefined) ?? "silent",
        pollIntervalMs: 50,
        cosignSecret: "bench",
      },
    });
    daemons.push(await startDaemon({ config, account: operators[i]! }));
  }
  for (const [i, d] of daemons.entries()) d.ctx.config.cosignPeers = daemons.filter((_, j) => j !== i).map((p) => p.url);
  const payee = privateKeyToAccount(KEYS.payee).address;
  const latencies: number[] = [];
  for (let n = 0; n < N; n++) {
    const id = await createEscrow(node.rpcUrl, stack, { payee, amounts: [BigInt(1_000_000 + n)] });
    const t0 = performance.now();
    const subject = escrowSubject(id, 0);
    for (;;) {
      if (daemons.some((d) => d.ctx.store.activeAttestationForSubject(subject)?.status === "posted")) break;
      if (performance.now() - t0 > 30_000) throw new Error(`payment ${id} not posted in 30 s`);
      await new Promise((r) => setTimeout(r, 5));
    }
    latencies.push(performance.now() - t0);
  }
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!.toFixed(0);
  console.log(`payment event → attestation mined, 2-of-3 operators, ${N} payments (poll 50 ms): p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${latencies.at(-1)!.toFixed(0)} ms`);
  console.log(`  target p50 <= 250 ms, p99 <= 1000 ms: ${Number(q(0.5)) <= 250 && Number(q(0.99)) <= 1000 ? "met" : "NOT met"}`);
} finally {
  for (const d of daemons) await d.stop("bench end");
  await node.stop();
  rmSync(dir, { recursive: true, force: true });
}
