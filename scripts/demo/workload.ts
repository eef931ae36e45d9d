// The demo's workload on a local chain: payments from the scenario generator (honest P2P and merchant
// escrows, milestone escrows, fraud patterns) become real escrows funded in MockUSDC by the scenario's
// own addresses (impersonated on the local node), and payroll / GPU-provider streams with affiliate
// commission plans. A keeper applies every posted verdict (release / hold / freeze); at the end the
// hold windows pass and the arbiter settles frozen milestones.
import { type Abi, type Address, type Hex, type PublicClient, type WalletClient, decodeEventLog, parseUnits, zeroAddress } from "viem";
import type { Deployments } from "../../deploy/types.js";
import type { LabelledPayment, PatternLabel, Scenario } from "../../oracle/src/risk/scenarios.js";
import type { InMemoryHistory } from "../../oracle/src/risk/inMemoryHistory.js";
import type { Payment } from "../../oracle/src/risk/types.js";
import { createRng } from "../../oracle/src/model/rng.js";
import { type Decision, type Verdict, sleep } from "./operators.js";

export type EscrowKind = "p2p" | "merchant" | "milestones";

/** `Escrow.Terms`: the immutable terms every escrow call passes back (rebuilt from the CreateEscrow log). */
export type EscrowTerms = {
  payer: Address;
  payee: Address;
  token: Address;
  arbiter: Address;
  referrer: Address;
  deadline: number;
  feeBps: number;
  referralBps: number;
  amounts: readonly bigint[];
};

export function termsFromCreateEscrow(args: Record<string, unknown>): EscrowTerms {
  return {
    payer: args.payer as Address,
    payee: args.payee as Address,
    token: args.token as Address,
    arbiter: args.arbiter as Address,
    referrer: args.referrer as Address,
    deadline: Number(args.deadline),
    feeBps: Number(args.feeBps),
    referralBps: Number(args.referralBps),
    amounts: args.amounts as readonly bigint[],
  };
}

export type PaymentRecord = {
  escrowId: bigint;
  terms: EscrowTerms;
  kind: EscrowKind;
  pattern: PatternLabel;
  fraud: boolean;
  payer: Address;
  payee: Address;
  amount: bigint;
  milestones: number;
  score: number;
  reasons: string[];
  /** Worst decision over its milestones. */
  decision: Decision;
  /** Wall-clock ms: create mined → last milestone's verdict applied on-chain (release, hold or freeze). */
  settleMs: number;
  /** Gas of each settlement transaction (release / finalizeHold / resolve). */
  settleGas: bigint[];
  createGas: bigint;
  finalOutcome: "released" | "released after hold" | "refunded by arbiter" | "paid by arbiter" | "pending";
  referral: bigint;
};

export type StreamRecord = {
  streamId: bigint;
  purpose: "payroll" | "gpu-provider";
  plan: string;
  sender: Address;
  recipient: Address;
  affiliate: Address;
  deposit: bigint;
  withdrawnGross: bigint;
  withdrawnNet: bigint;
  commission: bigint;
  withdrawals: number;
  attested: number;
  decision?: Decision;
};

export type WorkloadContext = {
  publicClient: PublicClient;
  walletClient: WalletClient;
  d: Deployments;
  /**
   * The oracle's verdict for a stream withdrawal of up to `cap` (subject = the stream's current subject),
   * posted on-chain; undefined if nothing was posted. Returns the posted cap.
   */
  streamVerdict: (s: StreamRecord, args: { subject: Hex; cap: bigint; issuedAt: bigint; simTime: number }) => Promise<{ decision: Decision; cap: bigint } | undefined>;
  history: InMemoryHistory;
  scenario: Scenario;
  simTime: Map<bigint, number>;
  keeper: Address;
  deployer: Address;
  arbiter: Address;
  seed: number;
  onProgress: (p: { done: number; total: number; phase: string; last?: PaymentRecord }) => void;
  /**
   * Chain time follows the scenario's clock: each escrow is created in a block whose timestamp is its
   * payment's simulated time (when that is ahead of the chain). Real daemons score by block time.
   */
  alignChainTime?: boolean;
  /** The scenario's other payments (not put on-chain) up to the next on-chain one, for oracles that do not share `history`. */
  feedOtherTraffic?: (payments: Payment[]) => void;
  /** Called before each on-chain payment (the demo takes an operator down for a while). */
  beforePayment?: (index: number, total: number) => void;
  stopped: () => boolean;
};

const USDC = (n: number): bigint => parseUnits(n.toFixed(6), 6);
/** Stream length in chain seconds: short enough that an attestation issued at creation is still valid at the end. */
const STREAM_SECONDS = 600;

/** N payments spread evenly over the scenario (order kept), with at least one of each fraud pattern. */
export function selectPayments(s: Scenario, n: number): Set<number> {
  const total = s.payments.length;
  const k = Math.min(n, total);
  const picked = new Set<number>();
  for (let i = 0; i < k; i++) picked.add(Math.floor((i * total) / k));
  if (k >= 12) {
    const patterns = new Set(s.payments.map((p) => p.pattern).filter((p) => p !== "normal"));
    for (const pattern of patterns) {
      if ([...picked].some((i) => s.payments[i].pattern === pattern)) continue;
      const idx = s.payments.findIndex((p) => p.pattern === pattern);
      const swap = [...picked].find((i) => s.payments[i].pattern === "normal" && Math.abs(i - idx) < total);
      if (swap !== undefined) picked.delete(swap);
      picked.add(idx);
    }
  }
  return picked;
}

async function rpc(pc: PublicClient, method: string, params: unknown[]): Promise<unknown> {
  return pc.request({ method: method as never, params: params as never });
}

function decodeAll(abi: unknown, logs: readonly { data: Hex; topics: readonly Hex[] }[]): { eventName: string; args: Record<string, unknown> }[] {
  const out: { eventName: string; args: Record<string, unknown> }[] = [];
  for (const log of logs) {
    try {
      const ev = decodeEventLog({ abi: abi as Abi, data: log.data, topics: log.topics as [Hex, ...Hex[]] });
      out.push({ eventName: String(ev.eventName), args: ev.args as unknown as Record<string, unknown> });
    } catch {
      // another contract's log
    }
  }
  return out;
}

export class Workload {
  readonly payments: PaymentRecord[] = [];
  readonly streams: StreamRecord[] = [];
  private readonly ctx: WorkloadContext;
  private readonly funded = new Set<string>();
  private readonly approvedReferrers = new Set<string>();
  private readonly verdictWaiters = new Map<string, (v: Verdict) => void>();
  private readonly early = new Map<string, Verdict>();

  constructor(ctx: WorkloadContext) {
    this.ctx = ctx;
  }

  /** The keeper's hook: called by the oracle when a verdict is mined. */
  onVerdict(v: Verdict): void {
    if (v.escrowId === undefined) return;
    const key = `${v.escrowId}:${v.milestone}`;
    const w = this.verdictWaiters.get(key);
    if (w) {
      this.verdictWaiters.delete(key);
      w(v);
    } else this.early.set(key, v);
  }

  private waitVerdict(escrowId: bigint, milestone: number): Promise<Verdict> {
    const key = `${escrowId}:${milestone}`;
    const v = this.early.get(key);
    if (v) {
      this.early.delete(key);
      return Promise.resolve(v);
    }
    return new Promise((r) => this.verdictWaiters.set(key, r));
  }

  private async send(from: Address, address: Address, abi: unknown, functionName: string, args: unknown[]) {
    const { walletClient, publicClient } = this.ctx;
    const hash = await walletClient.writeContract({ chain: null, account: from, address, abi: abi as Abi, functionName, args });
    const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
    if (receipt.status !== "success") throw new Error(`${functionName} reverted (${hash})`);
    return receipt;
  }

  /** Gives a scenario address ETH for gas, impersonates it and lets both consumers pull its USDC. */
  private async fund(account: Address): Promise<void> {
    const key = account.toLowerCase();
    if (this.funded.has(key)) return;
    this.funded.add(key);
    const { publicClient, d } = this.ctx;
    await rpc(publicClient, "hardhat_setBalance", [account, "0x56BC75E2D63100000"]);
    await rpc(publicClient, "hardhat_impersonateAccount", [account]);
    const max = 2n ** 256n - 1n;
    await this.send(account, d.token as Address, d.contracts.MockUSDC!.abi, "approve", [d.contracts.PaymentEscrow.address, max]);
    await this.send(account, d.token as Address, d.contracts.MockUSDC!.abi, "approve", [d.contracts.PaymentStream.address, max]);
  }

  /** Gate rule G10: the commission comes out of the payee's gross, so the payee approves its affiliate once. */
  private async approveReferrer(payee: Address, referrer: Address): Promise<void> {
    const key = `${payee}:${referrer}`.toLowerCase();
    if (this.approvedReferrers.has(key)) return;
    this.approvedReferrers.add(key);
    await this.fund(payee);
    const escrow = this.ctx.d.contracts.PaymentEscrow;
    await this.send(payee, escrow.address, escrow.abi, "approveReferrer", [referrer, true]);
  }

  private async mint(to: Address, amount: bigint): Promise<void> {
    const { d, deployer } = this.ctx;
    await this.send(deployer, d.token as Address, d.contracts.MockUSDC!.abi, "mint", [to, amount]);
  }

  /** Runs the escrow part: every scenario payment in time order; the picked ones go on-chain. */
  async runEscrows(picked: Set<number>): Promise<void> {
    const { scenario, history } = this.ctx;
    const rng = createRng(this.ctx.seed ^ 0x5eed);
    const total = picked.size;
    let done = 0;
    let other: Payment[] = [];
    for (let i = 0; i < scenario.payments.length; i++) {
      if (this.ctx.stopped()) return;
      const item = scenario.payments[i];
      if (!picked.has(i)) {
        history.addPayment(item.payment); // other traffic the oracle's indexer has seen
        other.push(item.payment);
        continue;
      }
      if (other.length > 0) this.ctx.feedOtherTraffic?.(other);
      other = [];
      this.ctx.beforePayment?.(done, total);
      const rec = await this.runEscrow(item, rng.next());
      this.payments.push(rec);
      this.ctx.onProgress({ done: ++done, total, phase: "escrows", last: rec });
    }
  }

  private async runEscrow(item: LabelledPayment, r: number): Promise<PaymentRecord> {
    const { d, keeper, simTime } = this.ctx;
    const p = item.payment;
    const kind: EscrowKind = item.fraud ? "p2p" : r < 0.3 ? "milestones" : r < 0.65 ? "merchant" : "p2p";
    const n = kind === "milestones" ? 2 + Math.floor(r * 10) % 2 : 1;
    const amounts: bigint[] = [];
    let left = p.amount;
    for (let m = 0; m < n; m++) {
      const a = m === n - 1 ? left : (p.amount / BigInt(n) / 10_000n) * 10_000n;
      amounts.push(a);
      left -= a;
    }
    const referrer = kind === "merchant" && r < 0.5 ? (("0x" + "af".repeat(19) + (Math.floor(r * 200) + 16).toString(16).slice(-2)) as Address) : "0x0000000000000000000000000000000000000000";
    await this.fund(p.payer);
    await this.mint(p.payer, p.amount);
    if (referrer !== "0x0000000000000000000000000000000000000000") await this.approveReferrer(p.payee, referrer);
    let block = await this.ctx.publicClient.getBlock();
    if (this.ctx.alignChainTime && BigInt(p.timestamp) > block.timestamp) {
      await rpc(this.ctx.publicClient, "evm_setNextBlockTimestamp", [p.timestamp]);
      block = { ...block, timestamp: BigInt(p.timestamp) };
    }
    const params = {
      payee: p.payee,
      token: d.token as Address,
      amounts,
      deadline: Number(block.timestamp) + 30 * 86400,
      arbiter: this.ctx.arbiter,
      referrer,
    };
    const receipt = await this.send(p.payer, d.contracts.PaymentEscrow.address, d.contracts.PaymentEscrow.abi, "createEscrow", [params]);
    const createdAt = Date.now();
    const created = decodeAll(d.contracts.PaymentEscrow.abi, receipt.logs).find((e) => e.eventName === "CreateEscrow");
    if (!created) throw new Error("no CreateEscrow event");
    const escrowId = created.args.escrowId as bigint;
    const terms = termsFromCreateEscrow(created.args);
    simTime.set(escrowId, p.timestamp);

    const rec: PaymentRecord = {
      escrowId,
      terms,
      kind,
      pattern: item.pattern,
      fraud: item.fraud,
      payer: p.payer,
      payee: p.payee,
      amount: p.amount,
      milestones: n,
      score: 0,
      reasons: [],
      decision: "release",
      settleMs: 0,
      settleGas: [],
      createGas: receipt.gasUsed,
      finalOutcome: "pending",
      referral: 0n,
    };
    const rank: Record<Decision, number> = { release: 0, hold: 1, freeze: 2 };
    for (let m = 0; m < n; m++) {
      const v = await this.waitVerdict(escrowId, m);
      rec.score = v.score;
      rec.reasons = v.reasonsText;
      if (!v.postedTx) throw new Error(`verdict for escrow ${escrowId} milestone ${m} was not posted`);
      const rel = await this.send(keeper, d.contracts.PaymentEscrow.address, d.contracts.PaymentEscrow.abi, "release", [terms, escrowId, BigInt(m)]);
      const evs = decodeAll(d.contracts.PaymentEscrow.abi, rel.logs);
      const applied: Decision = evs.some((e) => e.eventName === "FreezeMilestone") ? "freeze" : evs.some((e) => e.eventName === "HoldMilestone") ? "hold" : "release";
      if (rank[applied] > rank[rec.decision]) rec.decision = applied;
      if (applied === "release") rec.settleGas.push(rel.gasUsed);
      for (const e of evs) if (e.eventName === "PayReferral") rec.referral += e.args.amount as bigint;
    }
    rec.settleMs = Date.now() - createdAt;
    if (rec.decision === "release") rec.finalOutcome = "released";
    return rec;
  }

  /** After the run: the hold windows pass (finalizeHold), the arbiter settles frozen milestones. */
  async settleHeldAndFrozen(): Promise<void> {
    const { publicClient, d, keeper, arbiter } = this.ctx;
    const held = this.payments.filter((p) => p.decision === "hold");
    if (held.length > 0) {
      await rpc(publicClient, "evm_increaseTime", [d.policy.holdWindow + 1]);
      await rpc(publicClient, "evm_mine", []);
    }
    const abi = d.contracts.PaymentEscrow.abi;
    const escrow = d.contracts.PaymentEscrow.address;
    let done = 0;
    const todo = this.payments.filter((p) => p.decision !== "release");
    for (const p of todo) {
      for (let m = 0; m < p.milestones; m++) {
        const ms = (await publicClient.readContract({ address: escrow, abi: abi as Abi, functionName: "getMilestone", args: [p.terms, p.escrowId, BigInt(m)] })) as {
          status: number;
        };
        const amount = p.terms.amounts[m];
        if (ms.status === 2) {
          const r = await this.send(keeper, escrow, abi, "finalizeHold", [p.terms, p.escrowId, BigInt(m)]);
          p.settleGas.push(r.gasUsed);
          p.finalOutcome = "released after hold";
        } else if (ms.status === 3) {
          // The arbiter's investigation (simulated with the scenario's label): fraud goes back to the payer.
          const toPayee = p.fraud ? 0n : amount;
          const r = await this.send(arbiter, escrow, abi, "resolve", [p.terms, p.escrowId, BigInt(m), toPayee, amount - toPayee]);
          p.settleGas.push(r.gasUsed);
          p.finalOutcome = p.fraud ? "refunded by arbiter" : "paid by arbiter";
        }
      }
      this.ctx.onProgress({ done: ++done, total: todo.length, phase: "holds & arbiter" });
    }
  }

  /** Payroll and GPU-provider streams with affiliate commission plans; withdrawals under and over the allowance. */
  async runStreams(count: number): Promise<void> {
    const { d, scenario, deployer, publicClient } = this.ctx;
    if (count <= 0) return;
    const abi = d.contracts.PaymentStream.abi;
    const stream = d.contracts.PaymentStream.address;
    const plans = [
      { name: "time-tiered 20% → 10% after 180 days (broker fee)", plan: { kind: 1, payer: 0, bps0: 2000, bps1: 1000, bps2: 0, bps3: 0, tierDuration: 180 * 86400, tier1: 0, tier2: 0, tier3: 0 } },
      { name: "flat 15% (paid by the sender)", plan: { kind: 0, payer: 1, bps0: 1500, bps1: 0, bps2: 0, bps3: 0, tierDuration: 0, tier1: 0, tier2: 0, tier3: 0 } },
      { name: "volume 10/20/30/40% (broker fee)", plan: { kind: 2, payer: 0, bps0: 1000, bps1: 2000, bps2: 3000, bps3: 4000, tierDuration: 0, tier1: 1_000, tier2: 10_000, tier3: 100_000 } },
    ];
    const planIds: number[] = [];
    for (const p of plans) {
      const r = await this.send(deployer, stream, abi, "createPlan", [p.plan]);
      const ev = decodeAll(abi, r.logs).find((e) => e.eventName === "CreatePlan");
      planIds.push(Number(ev!.args.planId));
    }
    const honest = scenario.payments.filter((p) => !p.fraud);
    const usedRecipients = new Set<string>(this.streams.map((s) => s.recipient.toLowerCase()));
    const simEnd = scenario.payments.at(-1)!.payment.timestamp;
    for (let k = 0; k < count; k++) {
      if (this.ctx.stopped()) return;
      const src = honest[(k * 7919) % honest.length];
      const sender = src.payment.payer;
      const recipient = scenario.payments.map((p) => p.payment.payee).find((a, i) => !scenario.payments[i].fraud && !usedRecipients.has(a.toLowerCase()) && a.toLowerCase() !== sender.toLowerCase());
      if (!recipient) break;
      usedRecipients.add(recipient.toLowerCase());
      const affiliate = ("0x" + "a1".repeat(18) + (0x1000 + k).toString(16)) as Address;
      const which = k % plans.length;
      await this.fund(sender);
      await this.fund(recipient);
      // Gate rule G10: a broker fee is the recipient's own registration; a sender-paid referral is named by the
      // sender at creation (affiliate + plan in the create params).
      const senderPaid = plans[which].plan.payer === 1;
      if (!senderPaid) await this.send(recipient, stream, abi, "setReferral", [affiliate, planIds[which]]);
      const deposit = USDC(k % 2 === 0 ? 3000 : 1200);
      const budget = senderPaid ? deposit / 5n : 0n;
      await this.mint(sender, deposit + budget);
      const now = (await publicClient.getBlock()).timestamp;
      const create = await this.send(sender, stream, abi, "createLinear", [
        {
          recipient,
          token: d.token,
          deposit,
          startTime: 0,
          cliffTime: 0,
          endTime: Number(now) + STREAM_SECONDS,
          cliffAmount: 0n,
          cancelable: true,
          unattestedAllowance: 100,
          referralBudget: budget,
          affiliate: senderPaid ? affiliate : zeroAddress,
          planId: senderPaid ? planIds[which] : 0,
        },
      ]);
      const ev = decodeAll(abi, create.logs).find((e) => e.eventName === "CreateLinearStream");
      const streamId = ev!.args.streamId as bigint;
      this.streams.push({
        streamId,
        purpose: k % 2 === 0 ? "gpu-provider" : "payroll",
        plan: plans[which].name,
        sender,
        recipient,
        affiliate,
        deposit,
        withdrawnGross: 0n,
        withdrawnNet: 0n,
        commission: 0n,
        withdrawals: 0,
        attested: 0,
      });
    }
    // Two minutes in: micro-withdrawals under the unattested allowance (no oracle round trip).
    await rpc(publicClient, "evm_increaseTime", [120]);
    await rpc(publicClient, "evm_mine", []);
    for (const s of this.streams) {
      const r = await this.send(s.recipient, stream, abi, "withdraw", [s.streamId, s.recipient, USDC(60)]);
      this.account(s, r.logs);
    }
    // At the end: the rest, over the allowance, against a 2-of-3 attestation posted by the operators.
    await rpc(publicClient, "evm_increaseTime", [STREAM_SECONDS - 120 + 1]);
    await rpc(publicClient, "evm_mine", []);
    // Verdicts first, then one wait for the hold window if any verdict is Hold (an attestation issued at
    // the stream's creation must still be valid when it is used), then the withdrawals.
    const verdicts: ({ decision: Decision; cap: bigint; amount: bigint } | undefined)[] = [];
    let i = 0;
    for (const s of this.streams) {
      const amounts = (await publicClient.readContract({ address: stream, abi: abi as Abi, functionName: "amountsOf", args: [s.streamId] })) as {
        withdrawable: bigint;
        subject: Hex;
      };
      const issuedAt = (await publicClient.getBlock()).timestamp;
      const v = await this.ctx.streamVerdict(s, { subject: amounts.subject, cap: amounts.withdrawable, issuedAt, simTime: simEnd + 3600 * (1 + i++) });
      verdicts.push(v && { ...v, amount: amounts.withdrawable });
      if (v) {
        s.attested++;
        s.decision = v.decision;
      }
    }
    // Gate rule G4: a Hold is recorded when the recipient first presents it (nothing moves); the window then
    // runs, and finalizeHold pays up to the held cap once the oracle confirms the hold still governs.
    const held = new Set<number>();
    for (const [k, s] of this.streams.entries()) {
      const v = verdicts[k];
      if (v?.decision !== "hold") continue;
      await this.send(s.recipient, stream, abi, "withdrawWithPosted", [s.streamId, s.recipient, v.amount, v.cap]);
      held.add(k);
    }
    if (held.size > 0) {
      await rpc(publicClient, "evm_increaseTime", [d.policy.holdWindow + 1]);
      await rpc(publicClient, "evm_mine", []);
    }
    i = 0;
    for (const [k, s] of this.streams.entries()) {
      const v = verdicts[k];
      if (v) {
        const r = held.has(k)
          ? await this.send(s.recipient, stream, abi, "finalizeHold", [s.streamId, s.recipient, v.amount])
          : await this.send(s.recipient, stream, abi, "withdrawWithPosted", [s.streamId, s.recipient, v.amount, v.cap]);
        this.account(s, r.logs);
      }
      this.ctx.onProgress({ done: ++i, total: this.streams.length, phase: "streams" });
    }
    await sleep(0);
  }

  private account(s: StreamRecord, logs: readonly { data: Hex; topics: readonly Hex[] }[]): void {
    for (const e of decodeAll(this.ctx.d.contracts.PaymentStream.abi, logs)) {
      if (e.eventName === "WithdrawStream") {
        s.withdrawnGross += e.args.gross as bigint;
        s.withdrawnNet += e.args.net as bigint;
        s.withdrawals++;
      }
      if (e.eventName === "PayCommission") s.commission += e.args.commission as bigint;
    }
  }
}
