// The demo's oracle side: three operators (2-of-3) built from the same modules as the daemon
// (oracle/src/risk createRiskEngine, oracle/src/attestation typed data + signing, oracle/src/metrics).
// `--oracle in-process` (the default is `--oracle daemon`, scripts/demo/daemons.ts) runs these in this process:
//   watcher  polls CreateEscrow logs from a block cursor
//   leader   scores each payment, signs the EIP-712 RiskAttestation, gathers co-signatures
//   cosign   each co-signer re-scores the payment itself and signs only if its verdict band agrees
//   poster   posts the queue with RiskOracle.postAttestations (up to 20 per transaction)
// Each operator serves GET /metrics (Prometheus, the daemon's metric names) and GET /healthz on loopback;
// the leader also serves GET /v1/verdicts/:subject and GET /deployments.json for the web app.
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type Abi,
  type Address,
  type Hex,
  type PublicClient,
  type WalletClient,
  decodeEventLog,
  toHex,
} from "viem";
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import type { Deployments } from "../../deploy/types.js";
import { riskgateDomain, type RiskAttestation } from "../../oracle/src/attestation/typedData.js";
import { signRiskAttestation } from "../../oracle/src/attestation/signAttestation.js";
import { hashRiskAttestation } from "../../oracle/src/attestation/hashAttestation.js";
import { createMetrics, type Metrics } from "../../oracle/src/metrics.js";
import { REASON_TEXT, decodeReasons, ReasonCode } from "../../oracle/src/risk/reasonCodes.js";
import type { Payment, RiskEngine, RiskResult } from "../../oracle/src/risk/types.js";
import type { InMemoryHistory } from "../../oracle/src/risk/inMemoryHistory.js";

export type Decision = "release" | "hold" | "freeze";

export type Verdict = {
  uid: Hex;
  subject: Hex;
  consumer: Address;
  escrowId?: bigint;
  milestone?: number;
  streamId?: bigint;
  score: number;
  reasons: number;
  reasonsText: string[];
  explanation: RiskResult["explanation"];
  decision: Decision;
  issuedAt: bigint;
  postedTx?: Hex;
  /** Wall-clock ms when the CreateEscrow log was seen and when the attestation was mined. */
  seenAt: number;
  postedAt?: number;
};

export type Operator = {
  index: number;
  account: PrivateKeyAccount;
  metrics: Metrics;
  online: boolean;
  /** Attestations this operator signed (as leader or co-signer). */
  signed: number;
  url?: string;
  server?: Server;
};

type Pending = { att: RiskAttestation; signatures: Hex[]; verdict: Verdict; resolve: (v: Verdict) => void };

export type OracleNetworkOptions = {
  publicClient: PublicClient;
  walletClient: WalletClient;
  deployments: Deployments;
  /** Operator private keys (any order); the oracle's signer set must be exactly their addresses. */
  operatorKeys: Hex[];
  engine: RiskEngine;
  history: InMemoryHistory;
  /** Scoring clock of a payment (the scenario's simulated time); default: now. */
  paymentTime?: (escrowId: bigint) => number | undefined;
  /** Called when a verdict is mined. */
  onVerdict?: (v: Verdict) => void;
  /** Largest band distance (bps) a co-signer tolerates between its score and the leader's. */
  cosignTolerance?: number;
  pollMs?: number;
  batchSize?: number;
};

export function decisionOf(score: number, bands: { allowBelow: number; freezeAt: number }): Decision {
  return score < bands.allowBelow ? "release" : score >= bands.freezeAt ? "freeze" : "hold";
}

export function reasonsInWords(mask: number): string[] {
  return decodeReasons(mask).map((name) => REASON_TEXT[ReasonCode[name]]);
}

/** `bytes32((escrowId << 16) | index)`, as `IPaymentEscrow.subjectOf`. */
export function escrowSubject(escrowId: bigint, index: number): Hex {
  return toHex((escrowId << 16n) | BigInt(index), { size: 32 });
}

export class OracleNetwork {
  readonly operators: Operator[];
  readonly verdicts = new Map<Hex, Verdict>();
  /** Gas of each postAttestations transaction and how many attestations it carried. */
  readonly postStats: { gas: bigint; count: number }[] = [];
  private readonly opts: OracleNetworkOptions;
  private readonly signerSet: Address[];
  private readonly domain;
  private queue: Pending[] = [];
  private cursor = 0n;
  private stopped = false;
  private loops: Promise<void>[] = [];
  private posting = Promise.resolve();
  /** Escrows seen but whose scoring clock is not known yet (the driver registers it after the receipt). */
  private waiting: { escrowId: bigint; payer: Address; payee: Address; token: Address; amounts: readonly bigint[]; seenAt: number }[] = [];

  constructor(opts: OracleNetworkOptions) {
    this.opts = opts;
    this.signerSet = opts.deployments.signers as Address[];
    this.domain = riskgateDomain(opts.deployments.chainId, opts.deployments.contracts.RiskOracle.address);
    this.operators = opts.operatorKeys.map((k, index) => ({
      index,
      account: privateKeyToAccount(k),
      metrics: createMetrics({ defaults: false }),
      online: true,
      signed: 0,
    }));
    const have = new Set(this.operators.map((o) => o.account.address.toLowerCase()));
    for (const s of this.signerSet) if (!have.has(s.toLowerCase())) throw new Error(`no key for oracle signer ${s}`);
    this.cursor = BigInt(opts.deployments.startBlock);
  }

  get leader(): Operator {
    return this.operators.find((o) => o.online) ?? this.operators[0];
  }

  /** Starts the watcher loop and one loopback HTTP server per operator; returns their URLs. */
  async start(): Promise<string[]> {
    for (const op of this.operators) {
      op.server = createServer((req, res) => {
        if (req.method === "POST") {
          let body = "";
          req.on("data", (c: Buffer) => {
            body += c.toString();
            if (body.length > 16_384) req.destroy();
          });
          req.on("end", () => void this.handlePost(req.url ?? "/", body, res));
          return;
        }
        void this.handle(op, req.url ?? "/", res, req.method ?? "GET");
      });
      await new Promise<void>((r) => op.server!.listen(0, "127.0.0.1", r));
      op.url = `http://127.0.0.1:${(op.server.address() as AddressInfo).port}`;
    }
    this.loops.push(this.watchLoop());
    return this.operators.map((o) => o.url!);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled(this.loops);
    await this.posting.catch(() => undefined);
    await Promise.all(this.operators.map((o) => new Promise((r) => (o.server ? o.server.close(r) : r(undefined)))));
  }

  /** Waits until every seen payment is scored and posted. */
  async idle(): Promise<void> {
    while (this.waiting.length > 0 || this.queue.length > 0) await sleep(20);
    await this.posting;
  }

  /**
   * POST /v1/attestations (pull mode, the daemon's wire format): scores the settlement, signs it with
   * the operators (k-of-n) and returns attestation + aligned signatures for the caller to pass inline.
   */
  private async handlePost(url: string, raw: string, res: import("node:http").ServerResponse): Promise<void> {
    res.setHeader("access-control-allow-origin", "*");
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)));
    };
    if (url.split("?")[0] !== "/v1/attestations") return send(404, { error: { code: "not_found", message: "no such route" } });
    let req: { consumer: Address; subject: Hex; payer: Address; payee: Address; token: Address; amount: string };
    try {
      req = JSON.parse(raw) as typeof req;
      for (const k of ["consumer", "payer", "payee", "token"] as const) if (!/^0x[0-9a-fA-F]{40}$/.test(req[k])) throw new Error(`${k}: expected an address`);
      if (!/^0x[0-9a-fA-F]{64}$/.test(req.subject)) throw new Error("subject: expected bytes32");
      if (!/^\d{1,78}$/.test(req.amount)) throw new Error("amount: expected a decimal string of token units");
    } catch (err) {
      return send(400, { error: { code: "invalid_request", message: (err as Error).message } });
    }
    try {
      const block = await this.opts.publicClient.getBlock();
      const payment: Payment = { payer: req.payer, payee: req.payee, token: req.token, amount: BigInt(req.amount), timestamp: Math.floor(Date.now() / 1000), decimals: 6 };
      const result = this.opts.engine.score(payment);
      const cosign = this.cosignerScores(payment);
      this.opts.history.addPayment(payment);
      const att: RiskAttestation = {
        consumer: req.consumer,
        subject: req.subject,
        payer: req.payer,
        payee: req.payee,
        token: req.token,
        amount: BigInt(req.amount),
        score: result.score,
        reasons: result.reasons,
        modelId: result.modelId,
        issuedAt: block.timestamp,
        expiresAt: block.timestamp + 3600n,
        nonce: toHex(randomBytes(32)),
      };
      const signed = await this.sign(att, result, cosign, "pull");
      send(201, {
        uid: hashRiskAttestation(this.domain, att),
        attestation: att,
        signerSet: this.signerSet,
        signatures: signed,
        threshold: this.opts.deployments.threshold,
        signed: signed.filter((x) => x !== "0x").length,
        decision: decisionOf(result.score, this.opts.engine.bands),
        reasonsText: reasonsInWords(result.reasons),
        mode: "pull",
      });
    } catch (err) {
      send(503, { error: { code: "quorum_unavailable", message: (err as Error).message.split("\n")[0] } });
    }
  }

  private async handle(op: Operator, url: string, res: import("node:http").ServerResponse, method = "GET"): Promise<void> {
    res.setHeader("access-control-allow-origin", "*");
    if (method === "OPTIONS") {
      res.writeHead(204, { "access-control-allow-methods": "GET, POST, OPTIONS", "access-control-allow-headers": "content-type, x-api-key" });
      res.end();
      return;
    }
    const send = (status: number, body: string, type = "application/json"): void => {
      res.writeHead(status, { "content-type": type });
      res.end(body);
    };
    const path = url.split("?")[0];
    if (path === "/metrics") return send(200, await op.metrics.registry.metrics(), "text/plain; version=0.0.4");
    if (path === "/healthz") return send(op.online ? 200 : 503, JSON.stringify({ ok: op.online, operator: op.account.address }));
    if (path === "/deployments.json") return send(200, JSON.stringify(this.opts.deployments));
    if (path === "/v1/operators") {
      return send(200, JSON.stringify(this.operators.map((o) => ({ address: o.account.address, url: o.url, online: o.online }))));
    }
    const m = /^\/v1\/verdicts\/(0x[0-9a-fA-F]{64})$/.exec(path);
    if (m) {
      const wanted = m[1].toLowerCase();
      const v = [...this.verdicts.values()].filter((x) => x.subject.toLowerCase() === wanted).at(-1);
      if (!v) return send(404, JSON.stringify({ error: { code: "not_found", message: "no verdict for this subject yet" } }));
      return send(200, JSON.stringify(v, (_k, val: unknown) => (typeof val === "bigint" ? val.toString() : val)));
    }
    send(404, JSON.stringify({ error: { code: "not_found", message: "no such route" } }));
  }

  private async watchLoop(): Promise<void> {
    const { publicClient, deployments } = this.opts;
    const escrow = deployments.contracts.PaymentEscrow;
    while (!this.stopped) {
      try {
        const head = await publicClient.getBlockNumber();
        for (const op of this.operators) op.metrics.chainHead.set(Number(head));
        if (head > this.cursor) {
          const logs = await publicClient.getLogs({ address: escrow.address, fromBlock: this.cursor + 1n, toBlock: head });
          const seenAt = Date.now();
          for (const log of logs) {
            let ev;
            try {
              ev = decodeEventLog({ abi: escrow.abi as Abi, data: log.data, topics: log.topics });
            } catch {
              continue;
            }
            if (ev.eventName !== "CreateEscrow") continue;
            const a = ev.args as unknown as { escrowId: bigint; payer: Address; payee: Address; token: Address; amounts: readonly bigint[] };
            this.waiting.push({ escrowId: a.escrowId, payer: a.payer, payee: a.payee, token: a.token, amounts: a.amounts, seenAt });
          }
          this.cursor = head;
        }
        for (const op of this.operators) op.metrics.chainLag.set(0);
        await this.scoreWaiting();
      } catch (err) {
        for (const op of this.operators) op.metrics.postingFailures.inc({ kind: "retryable" });
        if (!this.stopped) process.stderr.write(`oracle watcher: ${(err as Error).message.split("\n")[0]}\n`);
      }
      await sleep(this.opts.pollMs ?? 50);
    }
  }

  /** Scores waiting escrows in chain order; stops at the first whose scoring clock is unknown yet. */
  private async scoreWaiting(): Promise<void> {
    const block = await this.opts.publicClient.getBlock();
    while (this.waiting.length > 0) {
      const w = this.waiting[0];
      const t = this.opts.paymentTime ? this.opts.paymentTime(w.escrowId) : Math.floor(Date.now() / 1000);
      if (t === undefined) {
        if (Date.now() - w.seenAt < 5000) return; // the driver registers it right after its receipt
      }
      this.waiting.shift();
      const total = w.amounts.reduce((s, x) => s + x, 0n);
      const payment: Payment = { payer: w.payer, payee: w.payee, token: w.token, amount: total, timestamp: t ?? Math.floor(Date.now() / 1000), decimals: 6 };
      const started = performance.now();
      const result = this.opts.engine.score(payment);
      const seconds = (performance.now() - started) / 1000;
      const cosign = this.cosignerScores(payment);
      this.opts.history.addPayment(payment);
      for (let i = 0; i < w.amounts.length; i++) {
        const att: RiskAttestation = {
          consumer: this.opts.deployments.contracts.PaymentEscrow.address,
          subject: escrowSubject(w.escrowId, i),
          payer: w.payer,
          payee: w.payee,
          token: w.token,
          amount: w.amounts[i],
          score: result.score,
          reasons: result.reasons,
          modelId: result.modelId,
          issuedAt: block.timestamp,
          expiresAt: block.timestamp + 3600n,
          nonce: toHex(randomBytes(32)),
        };
        this.attest(att, result, cosign, seconds, { escrowId: w.escrowId, milestone: i, seenAt: w.seenAt }).catch((err: unknown) => {
          this.leader.metrics.postingFailures.inc({ kind: "fatal" });
          process.stderr.write(`oracle: ${(err as Error).message}\n`);
        });
      }
    }
  }

  /**
   * Pull-style request (what the dApp's POST /v1/attestations does): score `payment`, sign `att` with
   * the operators, post it, resolve when mined.
   */
  async attestStream(args: { streamId: bigint; subject: Hex; payment: Payment; issuedAt: bigint }): Promise<Verdict> {
    const result = this.opts.engine.score(args.payment);
    const cosign = this.cosignerScores(args.payment);
    this.opts.history.addPayment(args.payment);
    const att: RiskAttestation = {
      consumer: this.opts.deployments.contracts.PaymentStream.address,
      subject: args.subject,
      payer: args.payment.payer,
      payee: args.payment.payee,
      token: args.payment.token,
      amount: args.payment.amount,
      score: result.score,
      reasons: result.reasons,
      modelId: result.modelId,
      issuedAt: args.issuedAt,
      expiresAt: args.issuedAt + 3600n,
      nonce: toHex(randomBytes(32)),
    };
    return this.attest(att, result, cosign, 0, { streamId: args.streamId, seenAt: Date.now() });
  }

  /**
   * Each online co-signer re-scores the payment itself, on the history as it was before the payment
   * (in this demo the operators share one process, so one model and one history).
   */
  private cosignerScores(payment: Payment): Map<Operator, RiskResult> {
    const out = new Map<Operator, RiskResult>();
    for (const op of this.operators) if (op !== this.leader && op.online) out.set(op, this.opts.engine.score(payment));
    return out;
  }

  /** Leader signs, co-signers whose own verdict agrees sign, until the threshold; aligned with the signer set. */
  private async sign(att: RiskAttestation, result: RiskResult, cosign: Map<Operator, RiskResult>, mode: "push" | "pull"): Promise<Hex[]> {
    const bands = this.opts.engine.bands;
    const leader = this.leader;
    const decision = decisionOf(result.score, bands);
    const byAddress = new Map<string, Hex>();
    byAddress.set(leader.account.address.toLowerCase(), await signRiskAttestation(leader.account, this.domain, att));
    leader.metrics.attestations.inc({ mode });
    leader.signed++;
    for (const op of this.operators) {
      if (op === leader || !op.online) continue;
      if (byAddress.size >= this.opts.deployments.threshold) break;
      // The co-signer signs only if its own decision band and score agree within the tolerance.
      const own = cosign.get(op);
      if (!own || decisionOf(own.score, bands) !== decision || Math.abs(own.score - result.score) > (this.opts.cosignTolerance ?? 250)) continue;
      byAddress.set(op.account.address.toLowerCase(), await signRiskAttestation(op.account, this.domain, att));
      op.metrics.attestations.inc({ mode: "cosign" });
      op.signed++;
    }
    if (byAddress.size < this.opts.deployments.threshold) throw new Error(`threshold not met for ${att.subject}`);
    return this.signerSet.map((s) => byAddress.get(s.toLowerCase()) ?? ("0x" as Hex));
  }

  private async attest(
    att: RiskAttestation,
    result: RiskResult,
    cosign: Map<Operator, RiskResult>,
    scoreSeconds: number,
    about: { escrowId?: bigint; milestone?: number; streamId?: bigint; seenAt: number },
  ): Promise<Verdict> {
    this.leader.metrics.scoreLatency.observe(scoreSeconds);
    const decision = decisionOf(result.score, this.opts.engine.bands);
    const signatures = await this.sign(att, result, cosign, "push");
    const verdict: Verdict = {
      uid: hashRiskAttestation(this.domain, att),
      subject: att.subject,
      consumer: att.consumer,
      escrowId: about.escrowId,
      milestone: about.milestone,
      streamId: about.streamId,
      score: result.score,
      reasons: result.reasons,
      reasonsText: reasonsInWords(result.reasons),
      explanation: result.explanation,
      decision,
      issuedAt: att.issuedAt,
      seenAt: about.seenAt,
    };
    for (const op of this.operators) op.metrics.scores.observe({ source: "chain", decision }, result.score);
    return new Promise<Verdict>((resolve) => {
      this.queue.push({ att, signatures, verdict, resolve });
      this.leader.metrics.queueDepth.set(this.queue.length);
      this.schedulePost();
    });
  }

  private schedulePost(): void {
    this.posting = this.posting.then(() => this.postQueue()).catch((err: unknown) => {
      this.leader.metrics.postingFailures.inc({ kind: "fatal" });
      process.stderr.write(`oracle poster: ${(err as Error).message.split("\n")[0]}\n`);
    });
  }

  private async postQueue(): Promise<void> {
    const { walletClient, publicClient, deployments } = this.opts;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.opts.batchSize ?? 20);
      const leader = this.leader;
      leader.metrics.queueDepth.set(this.queue.length);
      const hash = await walletClient.writeContract({
        chain: null,
        account: leader.account.address,
        address: deployments.contracts.RiskOracle.address,
        abi: deployments.contracts.RiskOracle.abi as Abi,
        functionName: "postAttestations",
        args: [batch.map((b) => b.att), this.signerSet, batch.map((b) => b.signatures)],
      });
      const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
      this.postStats.push({ gas: receipt.gasUsed, count: batch.length });
      const skipped = new Set<string>();
      for (const log of receipt.logs) {
        try {
          const ev = decodeEventLog({ abi: deployments.contracts.RiskOracle.abi as Abi, data: log.data, topics: log.topics });
          if (ev.eventName === "SkipAttestation") skipped.add(String((ev.args as unknown as { uid: Hex }).uid).toLowerCase());
        } catch {
          // not an oracle event
        }
      }
      const now = Date.now();
      for (const b of batch) {
        if (skipped.has(b.verdict.uid.toLowerCase())) {
          leader.metrics.postingFailures.inc({ kind: "skipped" });
          b.resolve(b.verdict); // not posted: postedTx stays undefined
          continue;
        }
        b.verdict.postedTx = hash;
        b.verdict.postedAt = now;
        leader.metrics.eventToPost.observe((now - b.verdict.seenAt) / 1000);
        this.verdicts.set(b.verdict.uid, b.verdict);
        this.opts.onVerdict?.(b.verdict);
        b.resolve(b.verdict);
      }
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
