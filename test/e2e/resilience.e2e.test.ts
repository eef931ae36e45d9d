// Failure modes against a real `hardhat node`: kill -9 of the leader mid-posting, RPC outage, a stuck
// transaction (fee bump). Run: node --import tsx --test test/e2e/resilience.e2e.test.ts
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { type Server, type Socket, createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { privateKeyToAccount } from "viem/accounts";
import { riskOracleAbi } from "../../oracle/src/chain/abis/riskOracleAbi.js";
import { escrowSubject } from "../../oracle/src/chain/watcher.js";
import { loadConfig } from "../../oracle/src/config.js";
import { type Daemon, startDaemon } from "../../oracle/src/index.js";
import { createKeystore } from "../../oracle/src/keys/keystore.js";
import { createSqliteStore } from "../../oracle/src/store/sqliteStore.js";
import { KEYS, type HardhatNode, type Stack, createEscrow, deployStack, freePort, startHardhatNode, testClient } from "./chain.js";

const OPERATOR_KEYS = [
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f52f8d9f50b6e4a5b9a6f6f4f8f1a9f1e1",
] as const;
const operators = OPERATOR_KEYS.map((k) => privateKeyToAccount(k));
const SECRET = "e2e-shared-secret-for-cosigning-32+";
const BIN = join(import.meta.dirname, "..", "..", "oracle", "bin", "riskgate.js");

let node: HardhatNode;
let stack: Stack;
let dir: string;
const daemons: Daemon[] = [];
const payee = privateKeyToAccount(KEYS.payee).address;

function configFor(i: number, o: { lead: boolean; rpcUrl?: string; extra?: Record<string, unknown> }) {
  return loadConfig({
    env: {},
    overrides: {
      rpcUrl: o.rpcUrl ?? node.rpcUrl,
      oracleAddress: stack.oracle,
      escrowAddress: o.lead ? stack.escrow : undefined,
      dbPath: join(dir, `op${i}-${Math.random().toString(36).slice(2)}.sqlite`),
      httpPort: 0,
      requireApiKey: false,
      logLevel: process.env.E2E_LOG ? "info" : "silent",
      pollIntervalMs: 50,
      cosignSecret: SECRET,
      rpcRetryBaseMs: 50,
      // Only one operator watches in these tests: it leads every settlement at once.
      leaderGraceMs: 0,
      ...o.extra,
    },
  });
}

async function startOperator(i: number, o: { lead: boolean; rpcUrl?: string; extra?: Record<string, unknown> }) {
  const d = await startDaemon({ config: configFor(i, o), account: operators[i]! });
  daemons.push(d);
  return d;
}

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 40_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function postCount(subject: `0x${string}`) {
  return (await stack.publicClient.getContractEvents({ address: stack.oracle, abi: riskOracleAbi, eventName: "PostAttestation", args: { subject }, fromBlock: 0n })).length;
}

/** A TCP proxy in front of the RPC that the test can cut and restore. */
async function rpcProxy(target: number) {
  const port = await freePort();
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  const up = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(target, "127.0.0.1");
        sockets.add(client).add(upstream);
        client.pipe(upstream).pipe(client);
        const close = () => {
          client.destroy();
          upstream.destroy();
        };
        client.on("error", close).on("close", close);
        upstream.on("error", close).on("close", close);
      });
      server.listen(port, "127.0.0.1", () => resolve());
    });
  const down = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      sockets.clear();
      server ? server.close(() => resolve()) : resolve();
      server = null;
    });
  await up();
  return { url: `http://127.0.0.1:${port}`, up, down };
}

describe("daemon resilience e2e (hardhat node)", () => {
  let cosigners: Daemon[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "riskgate-e2e-res-"));
    node = await startHardhatNode();
    stack = await deployStack(node.rpcUrl, { signers: operators.map((o) => o.address), threshold: 2, policy: { allowBelow: 5000, freezeAt: 9000, holdWindow: 3600 } });
    // Co-signers watch the escrow too (same feature history as the leader) but never lead here.
    cosigners = [await startOperator(1, { lead: true, extra: { lead: false } }), await startOperator(2, { lead: true, extra: { lead: false } })];
  });

  after(async () => {
    for (const d of daemons) await d.stop("test end");
    await node?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("test_e2e_KillDash9MidPost_RestartNoDuplicateNoGap", async () => {
    const keystore = join(dir, "op0.json");
    await createKeystore({ path: keystore, passphrase: "e2e passphrase", privateKey: OPERATOR_KEYS[0], scryptN: 1024 });
    const env = {
      ...process.env,
      NODE_NO_WARNINGS: "1",
      RPC_URL: node.rpcUrl,
      ORACLE_ADDRESS: stack.oracle,
      ESCROW_ADDRESS: stack.escrow,
      DB_PATH: join(dir, "leader.sqlite"),
      KEYSTORE_PATH: keystore,
      KEYSTORE_PASSPHRASE: "e2e passphrase",
      HTTP_PORT: "0",
      REQUIRE_API_KEY: "false",
      POLL_INTERVAL_MS: "50",
      BATCH_SIZE: "2",
      COSIGN_SECRET: SECRET,
      COSIGN_PEERS: cosigners.map((d) => d.url).join(","),
      LOG_LEVEL: "info",
      LEADER_GRACE_MS: "0",
    };
    const run = () => {
      const child = spawn(process.execPath, [BIN, "oracle", "start"], { env, stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      child.stdout!.on("data", (c) => (out += c));
      child.stderr!.on("data", (c) => (out += c));
      return { child, log: () => out };
    };
    const ids: bigint[] = [];
    for (let i = 0; i < 6; i++) ids.push(await createEscrow(node.rpcUrl, stack, { payee, amounts: [BigInt(1_000_000 * (i + 1))] }));
    const first = run();
    // kill -9 as soon as the first batch has been handed to the node (more batches are queued behind it).
    await until("first submission", () => first.log().includes("attestations submitted")).catch((err: Error) => {
      throw new Error(`${err.message}\n${first.log().split("\n").filter((l) => /warn|error/.test(l)).slice(-6).join("\n")}`);
    });
    first.child.kill("SIGKILL");
    await new Promise((r) => first.child.once("exit", r));
    // More payments while it is dead.
    for (let i = 0; i < 2; i++) ids.push(await createEscrow(node.rpcUrl, stack, { payee, amounts: [BigInt(9_000_000 + i)] }));
    const second = run();
    try {
      for (const id of ids) await until(`subject ${id} posted`, async () => (await postCount(escrowSubject(id, 0))) >= 1).catch((err: Error) => { throw new Error(`${err.message}\n${second.log().split("\n").filter((l) => /warn|error/.test(l)).slice(-8).join("\n")}`); });
      // Let the restarted leader run a little longer: it must not post anything again.
      await new Promise((r) => setTimeout(r, 1000));
      for (const id of ids) assert.equal(await postCount(escrowSubject(id, 0)), 1, `subject of escrow ${id} posted once`);
      assert.match(second.log(), /risk oracle found/);
    } finally {
      second.child.kill("SIGTERM");
      await new Promise((r) => second.child.once("exit", r));
    }
    const store = createSqliteStore({ path: env.DB_PATH });
    const counts = store.countByStatus();
    store.close();
    assert.equal(counts.posted, ids.length, JSON.stringify(counts));
    assert.equal(counts.signed ?? 0, 0);
    assert.equal(counts.submitted ?? 0, 0);
  });

  it("test_e2e_RpcUnavailableForAWhile_Recovers", async () => {
    const proxy = await rpcProxy(node.port);
    const leader = await startOperator(0, { lead: true, rpcUrl: proxy.url, extra: { rpcRetries: 1 } });
    leader.ctx.config.cosignPeers = cosigners.map((d) => d.url);
    await proxy.down();
    const id = await createEscrow(node.rpcUrl, stack, { payee, amounts: [4_000_000n] });
    await new Promise((r) => setTimeout(r, 1500));
    const ready = await fetch(`${leader.url}/readyz`).then((r) => r.json() as Promise<{ checks: Record<string, string> }>);
    assert.equal(leader.ctx.store.activeAttestationForSubject(escrowSubject(id, 0)), null, "nothing can be posted while the RPC is down");
    await proxy.up();
    await until("posted after the outage", () => leader.ctx.store.activeAttestationForSubject(escrowSubject(id, 0))?.status === "posted");
    assert.equal(await postCount(escrowSubject(id, 0)), 1);
    assert.equal((await fetch(`${leader.url}/readyz`)).status, 200);
    assert.ok(ready.checks.chain !== undefined);
    await leader.stop("done");
    await proxy.down();
  });

  it("test_e2e_RpcOutage_RecoversWithinSecondsOfTheRpcReturning", async () => {
    // Issue #12: after a longer outage the chain loop's back-off had grown to 25.6 s, so the daemon came back
    // long after the RPC did. The back-off is capped (RPC_RETRY_MAX_MS, default 2 s).
    const proxy = await rpcProxy(node.port);
    const leader = await startOperator(0, { lead: true, rpcUrl: proxy.url, extra: { rpcRetryBaseMs: 200 } });
    leader.ctx.config.cosignPeers = cosigners.map((d) => d.url);
    await proxy.down();
    await new Promise((r) => setTimeout(r, 7_000));
    const id = await createEscrow(node.rpcUrl, stack, { payee, amounts: [4_100_000n] });
    await proxy.up();
    const back = Date.now();
    await until("posted after the outage", () => leader.ctx.store.activeAttestationForSubject(escrowSubject(id, 0))?.status === "posted");
    const recoveredMs = Date.now() - back;
    assert.ok(recoveredMs <= 3_000, `posted ${recoveredMs} ms after the RPC returned (target <= 3 s: the back-off is capped at 2 s)`);
    await leader.stop("done");
    await proxy.down();
  });

  it("test_e2e_RpcDownAtStartUp_WaitsWithAClearStatus_ThenStarts", async () => {
    // Issue #12: an RPC that is down at start-up ended the daemon with a multi-line error after a few retries.
    const proxy = await rpcProxy(node.port);
    await proxy.down();
    let settled = false;
    const starting = startDaemon({ config: configFor(0, { lead: true, rpcUrl: proxy.url, extra: { rpcRetryBaseMs: 200, rpcRetries: 2 } }), account: operators[0]! });
    starting.then(() => (settled = true), () => (settled = true));
    await new Promise((r) => setTimeout(r, 4_000));
    assert.equal(settled, false, "start-up must keep waiting for the RPC, not give up");
    await proxy.up();
    const d = await starting;
    daemons.push(d);
    assert.equal((await fetch(`${d.url}/readyz`)).status, 200);
    await d.stop("done");
    await proxy.down();
  });

  it("test_e2e_PrimaryRpcDown_FallbackRpcServes", async () => {
    // The primary endpoint never answers (a port nobody listens on); RPC_FALLBACK_URLS lists the node.
    const dead = `http://127.0.0.1:${await freePort()}`;
    const leader = await startOperator(0, { lead: true, rpcUrl: dead, extra: { rpcFallbackUrls: [node.rpcUrl] } });
    leader.ctx.config.cosignPeers = cosigners.map((d) => d.url);
    const id = await createEscrow(node.rpcUrl, stack, { payee, amounts: [3_000_000n] });
    await until("posted through the fallback endpoint", () => leader.ctx.store.activeAttestationForSubject(escrowSubject(id, 0))?.status === "posted");
    assert.equal(await postCount(escrowSubject(id, 0)), 1);
    assert.equal((await fetch(`${leader.url}/readyz`)).status, 200);
    await leader.stop("done");
  });

  it("test_e2e_StuckTransactionResentWithFeeBump", async () => {
    const test = testClient(node.rpcUrl);
    const id = await createEscrow(node.rpcUrl, stack, { payee, amounts: [5_000_000n] });
    const subject = escrowSubject(id, 0);
    await test.setAutomine(false);
    try {
      const leader = await startOperator(0, { lead: true, extra: { stuckAfterMs: 400 } });
      leader.ctx.config.cosignPeers = cosigners.map((d) => d.url);
      const bumped = await until("fee bump", () => {
        const txs = leader.ctx.store.sentTxs("pending");
        return txs.length >= 2 ? txs : null;
      });
      assert.equal(new Set(bumped.map((t) => t.nonce)).size, 1, "same nonce");
      const [a, b] = [...bumped].sort((x, y) => x.sentAt - y.sentAt);
      assert.ok(b!.maxFeePerGas >= (a!.maxFeePerGas * 120n) / 100n, "fees bumped by >= 20 %");
      await test.mine({ blocks: 1 });
      await until("posted", () => leader.ctx.store.activeAttestationForSubject(subject)?.status === "posted");
      assert.equal(await postCount(subject), 1);
      assert.equal(leader.ctx.store.sentTxs("pending").length, 0);
      await leader.stop("done");
    } finally {
      await test.setAutomine(true);
    }
  });
});
