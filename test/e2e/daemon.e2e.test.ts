// End to end against a real `hardhat node` on loopback: 3 operators (2-of-3), the real risk engine,
// SQLite files, the real contracts. Run: node --import tsx --test test/e2e/daemon.e2e.test.ts
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Address, createWalletClient, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { paymentEscrowAbi } from "../../oracle/src/chain/abis/paymentEscrowAbi.js";
import { riskOracleAbi } from "../../oracle/src/chain/abis/riskOracleAbi.js";
import { leaderRank } from "../../oracle/src/chain/leaderRank.js";
import { escrowSubject } from "../../oracle/src/chain/watcher.js";
import { loadConfig } from "../../oracle/src/config.js";
import { type Daemon, startDaemon } from "../../oracle/src/index.js";
import { paymentStreamAbi } from "../../oracle/src/chain/abis/paymentStreamAbi.js";
import { streamSubject } from "../../oracle/src/chain/watcher.js";
import { signOperatorRequest } from "../../oracle/src/attestation/operatorAuth.js";
import {
  KEYS,
  type HardhatNode,
  type Stack,
  createEscrow,
  createLinearStream,
  createOpenStream,
  deployStack,
  depositStream,
  mineAt,
  startHardhatNode,
  testClient,
  withdrawWithPosted,
} from "./chain.js";

const OPERATOR_KEYS = [
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f52f8d9f50b6e4a5b9a6f6f4f8f1a9f1e1",
] as const;
const operators = OPERATOR_KEYS.map((k) => privateKeyToAccount(k));
const SANCTIONED = "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955" as Address; // hardhat #7
const STATUS = { Held: 2, Frozen: 3, Released: 5 } as const;

let node: HardhatNode;
let stack: Stack;
let dir: string;
let denyList: string;
const daemons: Daemon[] = [];

const running = new Map<number, Daemon>();

/** Every operator watches and may lead; peers are the other running operators. */
function wirePeers() {
  for (const [i, d] of running) d.ctx.config.cosignPeers = [...running].filter(([j]) => j !== i).map(([, p]) => p.url);
}

/** The posted attestation for `subject` in whichever operator's store led it. */
function posted(subject: `0x${string}`) {
  for (const d of running.values()) {
    const a = d.ctx.store.activeAttestationForSubject(subject);
    if (a?.status === "posted") return { a, d };
  }
  return null;
}

async function startOperator(i: number, o: { lead: boolean; dbName?: string }): Promise<Daemon> {
  const config = loadConfig({
    env: {},
    overrides: {
      rpcUrl: node.rpcUrl,
      oracleAddress: stack.oracle,
      escrowAddress: o.lead ? stack.escrow : undefined,
      streamAddress: o.lead ? stack.stream : undefined,
      dbPath: join(dir, o.dbName ?? `op${i}.sqlite`),
      httpPort: 0,
      requireApiKey: false,
      logLevel: process.env.E2E_LOG ? "info" : "silent",
      pollIntervalMs: 50,
      batchWaitMs: 0,
      cosignSecret: "e2e-shared-secret-for-cosigning-32+",
      cosignTimeoutMs: 2000,
      denyListPath: denyList,
      rpcRetryBaseMs: 50,
      leaderGraceMs: 2000,
    },
  });
  const d = await startDaemon({ config, account: operators[i]! });
  daemons.push(d);
  running.set(i, d);
  wirePeers();
  return d;
}

async function stopOperator(i: number) {
  await running.get(i)!.stop("stopped by test");
  running.delete(i);
  wirePeers();
}

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function postedEvents(subject: `0x${string}`) {
  return stack.publicClient.getContractEvents({ address: stack.oracle, abi: riskOracleAbi, eventName: "PostAttestation", args: { subject }, fromBlock: 0n });
}

/** The escrow's terms, rebuilt from its CreateEscrow event (PaymentEscrow takes them as calldata). */
async function termsOf(id: bigint) {
  const [log] = await stack.publicClient.getContractEvents({ address: stack.escrow, abi: paymentEscrowAbi, eventName: "CreateEscrow", args: { escrowId: id }, fromBlock: 0n, strict: true });
  const a = log!.args;
  return { payer: a.payer, payee: a.payee, token: a.token, arbiter: a.arbiter, referrer: a.referrer, deadline: a.deadline, feeBps: a.feeBps, referralBps: a.referralBps, amounts: [...a.amounts] };
}

async function milestoneStatus(id: bigint, index = 0n): Promise<number> {
  const m = await stack.publicClient.readContract({ address: stack.escrow, abi: paymentEscrowAbi, functionName: "getMilestone", args: [await termsOf(id), id, index] });
  return Number(m.status);
}

async function releaseAs(id: bigint, index = 0n) {
  const w = createWalletClient({ account: privateKeyToAccount(KEYS.payee), chain: hardhat, transport: http(node.rpcUrl) });
  const hash = await w.writeContract({ address: stack.escrow, abi: paymentEscrowAbi, functionName: "release", args: [await termsOf(id), id, index] });
  return stack.publicClient.waitForTransactionReceipt({ hash });
}

describe("daemon e2e (hardhat node)", () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "riskgate-e2e-"));
    denyList = join(dir, "deny.txt");
    writeFileSync(denyList, `# sanctioned\n${SANCTIONED}\n`);
    node = await startHardhatNode();
    stack = await deployStack(node.rpcUrl, { signers: operators.map((o) => o.address), threshold: 2, policy: { allowBelow: 5000, freezeAt: 9000, holdWindow: 3600 } });
    for (const i of [0, 1, 2]) await startOperator(i, { lead: true });
  });

  after(async () => {
    for (const d of daemons) await d.stop("test end");
    await node?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("test_e2e_PaymentAttestedTwoOfThreeThenReleased", async () => {
    const payee = privateKeyToAccount(KEYS.payee).address;
    const id = await createEscrow(node.rpcUrl, stack, { payee, amounts: [100_000_000n, 50_000_000n] });
    const subject = escrowSubject(id, 0);
    const { a } = await until("posted", () => posted(subject));
    assert.equal(a.signatures.filter((s) => s !== "0x").length, 2);
    assert.equal(a.decision, "release");
    assert.equal((await postedEvents(subject)).length, 1);
    const second = await until("second milestone posted", () => posted(escrowSubject(id, 1)));
    assert.ok(second);
    const r = await releaseAs(id);
    assert.equal(r.status, "success");
    assert.equal(await milestoneStatus(id), STATUS.Released);
  });

  it("test_e2e_StreamPreAttestedThenWithdrawnWithPostedVerdict", async () => {
    const recipient = privateKeyToAccount(KEYS.payee);
    const deposit = 60_000_000n;
    const { id, endTime } = await createLinearStream(node.rpcUrl, stack, { recipient: recipient.address, deposit, seconds: 60 });
    const subject = streamSubject(id, 0n);
    const { a } = await until("stream attestation posted", () => posted(subject));
    assert.equal(a.amount, deposit);
    assert.equal(a.consumer.toLowerCase(), stack.stream.toLowerCase());
    const test = testClient(node.rpcUrl);
    await test.setNextBlockTimestamp({ timestamp: BigInt(endTime + 1) });
    await test.mine({ blocks: 1 });
    const w = createWalletClient({ account: recipient, chain: hardhat, transport: http(node.rpcUrl) });
    const hash = await w.writeContract({ address: stack.stream, abi: paymentStreamAbi, functionName: "withdrawWithPosted", args: [id, recipient.address, deposit, deposit] });
    const r = await stack.publicClient.waitForTransactionReceipt({ hash });
    assert.equal(r.status, "success");
    const withdrawn = await stack.publicClient.getContractEvents({ address: stack.stream, abi: paymentStreamAbi, eventName: "WithdrawStream", args: { streamId: id }, fromBlock: r.blockNumber, toBlock: r.blockNumber });
    assert.equal(withdrawn[0]?.args.gross, deposit);
  });

  it("test_e2e_LinearStreamSecondAttestedWithdrawalUsesPrePostedSeq1", async () => {
    const deposit = 60_000_000n;
    const { id, endTime } = await createLinearStream(node.rpcUrl, stack, { recipient: privateKeyToAccount(KEYS.payee).address, deposit, seconds: 60 });
    const { a: first } = await until("seq 0 posted", () => posted(streamSubject(id, 0n)));
    assert.equal(first.amount, deposit);
    // Half-way: an attested withdrawal of 20 consumes seq 0 (no allowance on this stream).
    await mineAt(node.rpcUrl, endTime - 30);
    const r1 = await withdrawWithPosted(node.rpcUrl, stack, id, 20_000_000n, deposit);
    assert.equal(r1.status, "success");
    // The daemons pre-attest seq 1 for what is left, without being asked.
    const { a: second } = await until("seq 1 posted", () => posted(streamSubject(id, 1n)));
    assert.equal(second.amount, deposit - 20_000_000n, "cap = deposited - withdrawn");
    assert.equal(second.signatures.filter((x) => x !== "0x").length, 2);
    await mineAt(node.rpcUrl, endTime + 1);
    const r2 = await withdrawWithPosted(node.rpcUrl, stack, id, deposit - 20_000_000n, second.amount);
    assert.equal(r2.status, "success");
    const used = await stack.publicClient.getContractEvents({ address: stack.stream, abi: paymentStreamAbi, eventName: "UseAttestation", args: { streamId: id }, fromBlock: 0n });
    assert.deepEqual(used.map((l) => l.args.subject), [streamSubject(id, 0n), streamSubject(id, 1n)]);
    // Fully withdrawn: nothing left to attest, so seq 2 gets no verdict.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(posted(streamSubject(id, 2n)), null);
    assert.equal((await postedEvents(streamSubject(id, 2n))).length, 0);
  });

  it("test_e2e_OpenStreamAttestedOnFunding_WithdrawnOverAllowance_TopUpCoveredByNextSeq", async () => {
    const allowance = 10; // whole USDC withdrawable between verdicts
    const id = await createOpenStream(node.rpcUrl, stack, { recipient: privateKeyToAccount(KEYS.payee).address, ratePerSecond: 10n ** 18n, deposit: 100_000_000n, unattestedAllowance: allowance });
    const start = Number((await stack.publicClient.getBlock()).timestamp);
    const { a: s0 } = await until("seq 0 posted", () => posted(streamSubject(id, 0n)));
    assert.equal(s0.amount, 100_000_000n, "cap = the balance deposited");
    // A top-up while seq 0's verdict stands: it keeps its cap (one verdict per subject).
    await depositStream(node.rpcUrl, stack, id, 50_000_000n);
    await mineAt(node.rpcUrl, start + 60);
    // Over the allowance without a verdict: refused.
    const recipient = privateKeyToAccount(KEYS.payee);
    await assert.rejects(
      stack.publicClient.simulateContract({ account: recipient, address: stack.stream, abi: paymentStreamAbi, functionName: "withdraw", args: [id, recipient.address, 40_000_000n] }),
      /PaymentStream_AttestationRequired/,
    );
    const r1 = await withdrawWithPosted(node.rpcUrl, stack, id, 40_000_000n, s0.amount);
    assert.equal(r1.status, "success");
    // seq 1 is pre-attested with the balance then: 100 + 50 (top-up) - 40.
    const { a: s1 } = await until("seq 1 posted", () => posted(streamSubject(id, 1n)));
    assert.equal(s1.amount, 110_000_000n);
    await mineAt(node.rpcUrl, start + 150);
    const r2 = await withdrawWithPosted(node.rpcUrl, stack, id, 100_000_000n, s1.amount);
    assert.equal(r2.status, "success");
    // 10 left = the allowance: no verdict can be needed, none is made.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(posted(streamSubject(id, 2n)), null);
    // A top-up lifts the balance over the allowance again: seq 2 is attested for it.
    await depositStream(node.rpcUrl, stack, id, 30_000_000n);
    const { a: s2 } = await until("seq 2 posted", () => posted(streamSubject(id, 2n)));
    assert.equal(s2.amount, 40_000_000n);
  });

  it("test_e2e_FrozenStreamGetsNoVerdictUntilCleared_ThenNextSeqAttested", async () => {
    const deposit = 5_000_000n;
    const { id } = await createLinearStream(node.rpcUrl, stack, { recipient: SANCTIONED, deposit, seconds: 60 });
    const { a: s0 } = await until("seq 0 posted", () => posted(streamSubject(id, 0n)));
    assert.equal(s0.decision, "freeze");
    // Anyone applies the posted Freeze verdict: the stream freezes and seq 0 is used.
    const payer = createWalletClient({ account: privateKeyToAccount(KEYS.payer), chain: hardhat, transport: http(node.rpcUrl) });
    const fr = await stack.publicClient.waitForTransactionReceipt({
      hash: await payer.writeContract({ address: stack.stream, abi: paymentStreamAbi, functionName: "withdrawWithPosted", args: [id, SANCTIONED, 1n, deposit] }),
    });
    assert.equal(fr.status, "success");
    assert.equal((await stack.publicClient.readContract({ address: stack.stream, abi: paymentStreamAbi, functionName: "getStream", args: [id] })).seq, 1);
    // Frozen: a verdict could not be used, none is made.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(posted(streamSubject(id, 1n)), null);
    // The arbiter clears it: withdrawals are possible again, so seq 1 is attested for the balance.
    const arbiter = createWalletClient({ account: privateKeyToAccount(KEYS.arbiter), chain: hardhat, transport: http(node.rpcUrl) });
    const cr = await stack.publicClient.waitForTransactionReceipt({ hash: await arbiter.writeContract({ address: stack.stream, abi: paymentStreamAbi, functionName: "clearFreeze", args: [id] }) });
    assert.equal(cr.status, "success");
    const { a: s1 } = await until("seq 1 posted", () => posted(streamSubject(id, 1n)));
    assert.equal(s1.amount, deposit);
    assert.equal(s1.decision, "freeze", "still a sanctioned recipient");
  });

  it("test_e2e_StreamSeqUsedInPullModeBeforePush_NotPosted_NextSeqAttested", async () => {
    const recipient = privateKeyToAccount(KEYS.payee);
    const signers = [...operators.map((o) => o.address)].sort((x, y) => (x.toLowerCase() < y.toLowerCase() ? -1 : 1));
    const id = await stack.publicClient.readContract({ address: stack.stream, abi: paymentStreamAbi, functionName: "nextStreamId" });
    // The first-ranked leader of seq 0 is down: the next one waits LEADER_GRACE_MS (2 s) before leading.
    const first = operators.findIndex((o) => leaderRank(streamSubject(id, 0n), signers, o.address) === 0);
    await stopOperator(first);
    try {
      const deposit = 30_000_000n;
      const created = await createLinearStream(node.rpcUrl, stack, { recipient: recipient.address, deposit, seconds: 60 });
      assert.equal(created.id, id);
      // Meanwhile the recipient uses seq 0 with a pull-mode attestation from the live operators.
      const live = [...running.values()][0]!;
      const res = await fetch(`${live.url}/v1/attestations`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ consumer: stack.stream, subject: streamSubject(id, 0n), payer: privateKeyToAccount(KEYS.payer).address, payee: recipient.address, token: stack.usdc, amount: deposit.toString() }),
      });
      const pulled = (await res.json()) as { attestation: Record<string, string | number>; signerSet: `0x${string}`[]; signatures: `0x${string}`[] };
      assert.equal(res.status, 201, JSON.stringify(pulled));
      const att = pulled.attestation;
      await mineAt(node.rpcUrl, created.endTime - 30);
      const w = createWalletClient({ account: recipient, chain: hardhat, transport: http(node.rpcUrl) });
      const args = [
        id,
        recipient.address,
        10_000_000n,
        { ...att, amount: BigInt(att.amount!), issuedAt: BigInt(att.issuedAt!), expiresAt: BigInt(att.expiresAt!) },
        pulled.signerSet,
        pulled.signatures,
      ] as const;
      const r = await stack.publicClient.waitForTransactionReceipt({ hash: await w.writeContract({ address: stack.stream, abi: paymentStreamAbi, functionName: "withdrawWithAttestation", args: args as never }) });
      assert.equal(r.status, "success");
      // seq 1 is pre-attested; seq 0, used already, is never pushed (the grace period has passed by then).
      const { a: s1 } = await until("seq 1 posted", () => posted(streamSubject(id, 1n)));
      assert.equal(s1.amount, deposit - 10_000_000n);
      await new Promise((r) => setTimeout(r, 2500));
      assert.equal((await postedEvents(streamSubject(id, 0n))).length, 0, "an outdated seq is not posted");
    } finally {
      await startOperator(first, { lead: true });
    }
    // The restarted operator (first in line for seq 0) finds it outdated too.
    await until("restarted operator caught up", () => running.get(first)!.ctx.store.pendingSettlements().length === 0);
    assert.equal((await postedEvents(streamSubject(id, 0n))).length, 0);
  });

  it("test_RevertWhen_CosignForSettlementNotOnChain_409", async () => {
    const id = await createEscrow(node.rpcUrl, stack, { payee: privateKeyToAccount(KEYS.payee).address, amounts: [2_000_000n] });
    const { a } = await until("posted", () => posted(escrowSubject(id, 0)));
    const [log] = await stack.publicClient.getContractEvents({ address: stack.escrow, abi: paymentEscrowAbi, eventName: "CreateEscrow", args: { escrowId: id }, fromBlock: 0n });
    const peer = running.get(1)!;
    const call = async (patch: Record<string, unknown>) => {
      const now = Math.floor(Date.now() / 1000) + (peer.ctx.chain?.timeOffset ?? 0);
      const attestation = {
        consumer: a.consumer, subject: a.subject, payer: a.payer, payee: a.payee, token: a.token, amount: a.amount.toString(),
        score: a.score, reasons: a.reasons, modelId: a.modelId, issuedAt: String(now), expiresAt: String(now + 300), nonce: `0x${"11".repeat(32)}`, ...patch,
      };
      const body = JSON.stringify({ chainId: stack.chainId, oracle: stack.oracle, attestation, blockNumber: Number(log!.blockNumber) });
      const res = await fetch(`${peer.url}/v1/cosign`, { method: "POST", headers: { "content-type": "application/json", ...signOperatorRequest("e2e-shared-secret-for-cosigning-32+", "POST", "/v1/cosign", body) }, body });
      return { status: res.status, json: (await res.json()) as { error?: { code: string }; signature?: string } };
    };
    // The real settlement at its block: co-signed.
    const ok = await call({});
    assert.equal(ok.status, 200, JSON.stringify(ok.json));
    // The same block, another amount / another payee / a subject that block does not hold: refused.
    for (const patch of [{ amount: "2000001" }, { payee: SANCTIONED }, { subject: escrowSubject(id + 1000n, 0) }]) {
      const bad = await call(patch);
      assert.equal(bad.status, 409, JSON.stringify(patch));
      assert.equal(bad.json.error?.code, "unknown_settlement");
    }
  });

  it("test_RevertWhen_PullCosignForNextStreamSeqOrOtherEscrowTerms_409", async () => {
    // Gate rule G14.3: a pull-mode co-sign request (no block) is checked on chain by the co-signer.
    const recipient = privateKeyToAccount(KEYS.payee).address;
    const payer = privateKeyToAccount(KEYS.payer).address;
    const deposit = 8_000_000n;
    const { id } = await createLinearStream(node.rpcUrl, stack, { recipient, deposit, seconds: 600 });
    const { a: s0 } = await until("seq 0 posted", () => posted(streamSubject(id, 0n)));
    const escrowId = await createEscrow(node.rpcUrl, stack, { payee: recipient, amounts: [4_000_000n] });
    const { a: m0 } = await until("milestone posted", () => posted(escrowSubject(escrowId, 0)));
    const peer = running.get(1)!;
    const call = async (base: typeof s0, patch: Record<string, unknown>) => {
      const now = Math.floor(Date.now() / 1000) + (peer.ctx.chain?.timeOffset ?? 0);
      const attestation = {
        consumer: base.consumer, subject: base.subject, payer: base.payer, payee: base.payee, token: base.token, amount: base.amount.toString(),
        score: base.score, reasons: base.reasons, modelId: base.modelId, issuedAt: String(now), expiresAt: String(now + 300), nonce: `0x${"22".repeat(32)}`, ...patch,
      };
      const body = JSON.stringify({ chainId: stack.chainId, oracle: stack.oracle, attestation });
      const res = await fetch(`${peer.url}/v1/cosign`, { method: "POST", headers: { "content-type": "application/json", ...signOperatorRequest("e2e-shared-secret-for-cosigning-32+", "POST", "/v1/cosign", body) }, body });
      return { status: res.status, json: (await res.json()) as { error?: { code: string; message: string }; signature?: string } };
    };
    // The stream's current seq, any cap: co-signed.
    const ok = await call(s0, { amount: "5000000" });
    assert.equal(ok.status, 200, JSON.stringify(ok.json));
    // A seq the stream has not reached: refused, as are other parties.
    const next = await call(s0, { subject: streamSubject(id, 1n) });
    assert.equal(next.status, 409, JSON.stringify(next.json));
    assert.equal(next.json.error?.code, "unknown_settlement");
    assert.match(next.json.error?.message ?? "", /seq 0, not 1/);
    for (const patch of [{ payee: SANCTIONED }, { payer: recipient }, { subject: streamSubject(id + 1000n, 0n) }]) {
      const bad = await call(s0, patch);
      assert.equal(bad.status, 409, JSON.stringify(patch));
      assert.equal(bad.json.error?.code, "unknown_settlement");
    }
    // Escrow: the milestone as created is co-signed; another amount, payee or milestone is not.
    assert.equal((await call(m0, {})).status, 200);
    for (const patch of [{ amount: "4000001" }, { payee: payer }, { subject: escrowSubject(escrowId, 1) }]) {
      const bad = await call(m0, patch);
      assert.equal(bad.status, 409, JSON.stringify(patch));
      assert.equal(bad.json.error?.code, "unknown_settlement");
    }
  });

  it("test_e2e_PullReleaseServedThenFreezeIssued_FreezePostedSupersedes", async () => {
    // Gate rule G14.2. An open stream within its allowance: no verdict is pre-attested (push), the
    // recipient asks for one in pull mode.
    const recipient = "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720" as Address; // hardhat #9, on no list yet
    const payer = privateKeyToAccount(KEYS.payer).address;
    const deposit = 20_000_000n;
    const id = await createOpenStream(node.rpcUrl, stack, { recipient, ratePerSecond: 10n ** 18n, deposit, unattestedAllowance: 1_000 });
    const subject = streamSubject(id, 0n);
    const server = running.get(0)!;
    const pull = async () => {
      const res = await fetch(`${server.url}/v1/attestations`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ consumer: stack.stream, subject, payer, payee: recipient, token: stack.usdc, amount: deposit.toString() }),
      });
      const json = (await res.json()) as { uid: `0x${string}`; decision: string; mode: string; status: string; attestation: { issuedAt: string } };
      assert.equal(res.status, 201, JSON.stringify(json));
      return json;
    };
    const release = await pull();
    assert.equal(release.decision, "release");
    assert.equal(release.mode, "pull");
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await postedEvents(subject)).length, 0, "a pull-mode verdict is only served");
    // The recipient is sanctioned meanwhile: every operator's engine now freezes it.
    writeFileSync(denyList, `# sanctioned\n${SANCTIONED}\n${recipient}\n`);
    await until("deny list reloaded by every operator", () =>
      [...running.values()].every((d) => d.ctx.risk!.score({ payer, payee: recipient, token: stack.usdc, amount: deposit, timestamp: Math.floor(Date.now() / 1000) }).score >= 9000),
    );
    const freeze = await pull();
    assert.equal(freeze.decision, "freeze");
    assert.ok(BigInt(freeze.attestation.issuedAt) > BigInt(release.attestation.issuedAt), "strictly newer (G14.1)");
    // The newer verdict decides otherwise: it is posted, so the Release served before is unusable (G2).
    const events = await until("freeze posted", async () => ((await postedEvents(subject)).length > 0 ? postedEvents(subject) : null), 15_000);
    assert.deepEqual(events.map((l) => l.args.uid), [freeze.uid]);
    await until("stored as posted", () => server.ctx.store.getAttestation(freeze.uid)?.status === "posted");
    // The same decision again changes nothing on chain.
    const again = await pull();
    assert.equal(again.decision, "freeze");
    assert.equal(again.mode, "pull");
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await postedEvents(subject)).length, 1);
  });

  it("test_RevertWhen_TtlAboveMaxValidityOrConsumerWithoutPolicy_StartRefusedWithOneLine", async () => {
    // Gate rule G14.4, against the deployment (maxValidity 3600, policies for the escrow and the stream).
    const start = (overrides: Record<string, unknown>, db: string) =>
      startDaemon({
        config: loadConfig({ env: {}, overrides: { rpcUrl: node.rpcUrl, oracleAddress: stack.oracle, escrowAddress: stack.escrow, streamAddress: stack.stream, dbPath: join(dir, db), httpPort: 0, logLevel: "silent", rpcRetries: 0, ...overrides } }),
        account: null,
      });
    const refused = async (overrides: Record<string, unknown>, db: string, pattern: RegExp) => {
      const err = await start(overrides, db).then(
        async (d) => {
          await d.stop("unexpected start");
          return null;
        },
        (e: unknown) => e as Error & { code?: string; shortMessage?: string },
      );
      assert.ok(err, "start-up must be refused");
      assert.equal(err.code, "CONFIG_INVALID");
      assert.match(err.message, pattern);
      assert.ok(!err.message.includes("\n"), "one line");
    };
    await refused({ attestationTtl: 7200 }, "ttl.sqlite", /^config: ATTESTATION_TTL \(--attestation-ttl\) = 7200 exceeds the RiskOracle's maxValidity 3600 s.*set ATTESTATION_TTL <= 3600$/);
    // A consumer the oracle has no policy for (the token contract stands in for one).
    await refused({ streamAddress: stack.usdc }, "policy.sqlite", /^config: STREAM_ADDRESS \(--stream-address\) = 0x[0-9a-fA-F]{40} has no enabled policy on the RiskOracle.*setPolicy/);
    // What an operator sees: `riskgate oracle start` exits with that one line.
    const cli = spawn(process.execPath, [join(import.meta.dirname, "..", "..", "oracle", "bin", "riskgate.js"), "oracle", "start"], {
      env: {
        PATH: process.env.PATH ?? "", NODE_NO_WARNINGS: "1", RPC_URL: node.rpcUrl, ORACLE_ADDRESS: stack.oracle, ESCROW_ADDRESS: stack.escrow,
        ATTESTATION_TTL: "7200", DB_PATH: join(dir, "cli.sqlite"), HTTP_PORT: "0", LOG_LEVEL: "silent", KEYSTORE_PATH: join(dir, "none.json"), RPC_RETRIES: "0",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    cli.stderr!.on("data", (c) => (stderr += c));
    const code = await new Promise<number | null>((r) => cli.once("exit", r));
    assert.equal(code, 1, stderr);
    assert.match(stderr, /^riskgate: config: ATTESTATION_TTL \(--attestation-ttl\) = 7200 exceeds the RiskOracle's maxValidity 3600 s.*<= 3600\n$/);
    // The defaults (ATTESTATION_TTL 600) pass; so does a TTL of exactly maxValidity.
    for (const [overrides, db] of [[{}, "defaults.sqlite"], [{ attestationTtl: 3600 }, "max.sqlite"]] as const) {
      const d = await start(overrides, db);
      assert.equal(d.ctx.config.attestationTtl, "attestationTtl" in overrides ? 3600 : 600);
      await d.stop("test end");
    }
  });

  it("test_e2e_HighRiskPaymentFrozen", async () => {
    const id = await createEscrow(node.rpcUrl, stack, { payee: SANCTIONED, amounts: [7_000_000n] });
    const subject = escrowSubject(id, 0);
    const { a, d: leader } = await until("posted", () => posted(subject));
    assert.ok(a.score >= 9000, `score ${a.score}`);
    assert.equal(a.decision, "freeze");
    await releaseAs(id);
    assert.equal(await milestoneStatus(id), STATUS.Frozen);
    const flagged = await fetch(`${leader.url}/v1/reports/flagged?format=json`).then((r) => r.json() as Promise<{ items: { subject: string; decision: string }[] }>);
    assert.ok(flagged.items.some((i) => i.subject === subject && i.decision === "freeze"));
  });

  it("test_e2e_DeadOperatorDoesNotStopOthers_RestartNoDuplicateNoGap", async () => {
    await stopOperator(0);
    const payee = privateKeyToAccount(KEYS.payee).address;
    // Payments while operator 0 is down: among them, some whose first-ranked leader is operator 0.
    const ids: bigint[] = [];
    for (let i = 0; i < 4; i++) ids.push(await createEscrow(node.rpcUrl, stack, { payee, amounts: [BigInt(1_000_000 + i)] }));
    const signers = [...operators.map((o) => o.address)].sort((x, y) => (x.toLowerCase() < y.toLowerCase() ? -1 : 1));
    assert.ok(ids.some((id) => leaderRank(escrowSubject(id, 0), signers, operators[0]!.address) === 0), "operator 0 was first in line for one of them");
    for (const id of ids) await until(`posted ${id} by the live operators`, () => posted(escrowSubject(id, 0)));
    await startOperator(0, { lead: true });
    // The restarted operator catches up from its cursor and finds them all posted already.
    await until("operator 0 caught up", () => running.get(0)!.ctx.store.pendingSettlements().length === 0);
    for (const id of ids) {
      const subject = escrowSubject(id, 0);
      assert.equal((await postedEvents(subject)).length, 1, "posted exactly once");
    }
    // Nothing from before the restart was posted twice.
    const all = await stack.publicClient.getContractEvents({ address: stack.oracle, abi: riskOracleAbi, eventName: "PostAttestation", fromBlock: 0n });
    const subjects = all.map((l) => l.args.subject);
    assert.equal(new Set(subjects).size, subjects.length);
  });

  it("test_e2e_ReorgedPostIsDetectedAndReposted", async () => {
    const test = testClient(node.rpcUrl);
    const payee = privateKeyToAccount(KEYS.payee).address;
    const id = await createEscrow(node.rpcUrl, stack, { payee, amounts: [3_000_000n] });
    const subject = escrowSubject(id, 0);
    // Freeze time for the daemon: snapshot right after the payment, before the post can be mined.
    const snap = await test.snapshot();
    const { a: first, d: leader } = await until("posted", () => posted(subject));
    await test.revert({ id: snap });
    // The post is gone; mine past its height so the old block number exists with another hash.
    await test.mine({ blocks: 3 });
    assert.equal((await postedEvents(subject)).length, 0);
    const again = await until("re-posted", async () => {
      const x = leader.ctx.store.activeAttestationForSubject(subject);
      return x?.status === "posted" && x.blockHash !== first.blockHash && (await postedEvents(subject)).length === 1 ? x : null;
    });
    assert.equal(again.uid, first.uid, "the same attestation is posted again");
    assert.ok(Number(await leader.ctx.metrics.reorgs.get().then((m) => m.values[0]?.value ?? 0)) >= 1);
  });
});
