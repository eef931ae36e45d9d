// Posts signed attestations with RiskOracle.postAttestations, batched (BATCH_SIZE per transaction).
//
// - Own nonce management: one owner per key; the next nonce is read once ("pending") and then
//   counted locally; a nonce error resynchronises it.
// - Gas: eth_estimateGas on the exact calldata + 20 %; EIP-1559 fees from eth_feeHistory.
// - Crash safety: the transaction is signed locally, its hash recorded and the batch marked
//   "submitted" in ONE store transaction BEFORE it is broadcast. On restart `reconcile` asks the chain:
//   mined → apply the receipt; still in the mempool → keep waiting; unknown → look for the
//   attestation's PostAttestation event by uid (posted by an earlier attempt?) before putting it
//   back to "signed". So a kill -9 never double-posts and never loses one.
// - Stuck: a transaction unmined after STUCK_AFTER_MS is re-sent with the same nonce and fees bumped
//   by FEE_BUMP_PERCENT.
// - Reorg: a posted attestation whose block hash changed is re-checked (receipt in the new chain?)
//   and otherwise put back to "signed" to be posted again.
import {
  type Address,
  type Block,
  type Hex,
  type LocalAccount,
  type PublicClient,
  type TransactionReceipt,
  encodeFunctionData,
  keccak256,
  parseEventLogs,
} from "viem";
import { type Context, nowSeconds } from "../context.js";
import { FatalError, isRetryable, shortMessageOf } from "../errors.js";
import type { SentTx, StoredAttestation } from "../store/types.js";
import { riskOracleAbi } from "./abis/riskOracleAbi.js";
import { CURSOR } from "./watcher.js";
import { bumpedFees, initialFees } from "./feePolicy.js";
import { withRetry } from "./withRetry.js";

export type Submitter = {
  /** Broadcast new batches while fewer than MAX_IN_FLIGHT are pending (`head`: the latest block, just read, for the base fee). */
  submit(head?: Block): Promise<number>;
  /** Apply receipts of pending transactions; bump the stuck ones. */
  track(): Promise<void>;
  /** Restart recovery (see the header). */
  reconcile(): Promise<void>;
  /**
   * Re-post attestations whose inclusion block was reorged away. `headHash`: the head it is checked
   * against (an unchanged head needs no check); `force`: the watcher just saw a reorg (forget what was
   * verified, check everything within REORG_DEPTH).
   */
  checkReorgs(head: number, headHash?: Hex, force?: boolean): Promise<number>;
};

const toChain = (a: StoredAttestation) => ({
  consumer: a.consumer,
  subject: a.subject,
  payer: a.payer,
  payee: a.payee,
  token: a.token,
  amount: a.amount,
  score: a.score,
  reasons: a.reasons,
  modelId: a.modelId,
  issuedAt: a.issuedAt,
  expiresAt: a.expiresAt,
  nonce: a.nonce,
});

export function createSubmitter(ctx: Context, client: PublicClient, account: LocalAccount): Submitter {
  const { store, config, logger, metrics } = ctx;
  const oracle = ctx.chain!.oracle;
  let nonce: number | null = null;
  /** Head hash of the last reorg check that found every posted attestation in place. */
  let checkedHead: Hex | null = null;
  /** uid → the watcher's cursor when its inclusion block was last found canonical (see checkReorgs). */
  const verifiedAt = new Map<string, number>();
  // MAX_FEE_GWEI in wei (fractional gwei allowed).
  const capWei = BigInt(Math.round(config.maxFeeGwei * 1e9));
  const retry = <T>(fn: () => Promise<T>) =>
    withRetry(fn, {
      retries: config.rpcRetries,
      baseMs: config.rpcRetryBaseMs,
      maxMs: config.rpcRetryMaxMs,
      signal: ctx.shutdown.signal,
      onRetry: (err, attempt, delay) => logger.warn({ err: shortMessageOf(err), attempt, delay_ms: Math.round(delay) }, "rpc call failed; retrying"),
    });

  async function syncNonce() {
    nonce = await retry(() => client.getTransactionCount({ address: account.address, blockTag: "pending" }));
  }

  async function signAndSend(p: { data: Hex; gas: bigint; nonce: number; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint; uids: Hex[] }): Promise<Hex> {
    const raw = await account.signTransaction!({
      chainId: ctx.chain!.chainId,
      type: "eip1559",
      to: oracle,
      data: p.data,
      gas: p.gas,
      nonce: p.nonce,
      maxFeePerGas: p.maxFeePerGas,
      maxPriorityFeePerGas: p.maxPriorityFeePerGas,
    });
    const hash = keccak256(raw);
    // Persist first: after a crash we know this hash exists and which attestations it carries.
    store.transaction(() => {
      store.recordSentTx({ hash, nonce: p.nonce, uids: p.uids, maxFeePerGas: p.maxFeePerGas, maxPriorityFeePerGas: p.maxPriorityFeePerGas, gas: p.gas, status: "pending", sentAt: Date.now() });
      for (const uid of p.uids) store.updateAttestation(uid, { status: "submitted", txHash: hash, lastError: null });
    });
    await retry(() => client.sendRawTransaction({ serializedTransaction: raw })).catch((err: unknown) => {
      const msg = shortMessageOf(err);
      // "already known": the node has it (a retry after a lost answer) — fine.
      if (/already known|known transaction/i.test(msg)) return;
      throw err;
    });
    return hash;
  }

  function calldataOf(batch: StoredAttestation[]): Hex {
    const signerSet = batch[0]!.signers;
    return encodeFunctionData({
      abi: riskOracleAbi,
      functionName: "postAttestations",
      args: [batch.map(toChain), signerSet, batch.map((a) => a.signatures)],
    });
  }

  /**
   * EIP-1559 fees as viem's estimateFeesPerGas computes them (base fee x 1.2 + the node's priority fee);
   * with the head block the watcher has just read, the base fee comes from it (one RPC call less).
   */
  async function fees(block?: Block) {
    if (block?.baseFeePerGas == null) {
      const f = await retry(() => client.estimateFeesPerGas());
      return { maxFeePerGas: f.maxFeePerGas!, maxPriorityFeePerGas: f.maxPriorityFeePerGas! };
    }
    const maxPriorityFeePerGas = await retry(() => client.estimateMaxPriorityFeePerGas());
    return { maxFeePerGas: (block.baseFeePerGas * 12n) / 10n + maxPriorityFeePerGas, maxPriorityFeePerGas };
  }

  function applyReceipt(tx: SentTx, receipt: TransactionReceipt) {
    const logs = parseEventLogs({ abi: riskOracleAbi, logs: receipt.logs, eventName: ["PostAttestation", "SkipAttestation"] });
    const posted = new Set<string>();
    const skipped = new Map<string, string>();
    for (const l of logs) {
      if (l.eventName === "PostAttestation") posted.add(l.args.uid.toLowerCase());
      else skipped.set(l.args.uid.toLowerCase(), l.args.reason);
    }
    store.transaction(() => {
      for (const uid of tx.uids) {
        if (store.getAttestation(uid)?.status === "superseded") {
          // A newer verdict replaced it while its transaction was in flight (G14.2): it stays superseded
          // (the newer one is posted after it, and the oracle keeps the newer).
          store.updateAttestation(uid, { txHash: receipt.transactionHash, lastError: posted.has(uid) ? "posted, then superseded" : "superseded before posting" });
          continue;
        }
        if (receipt.status === "success" && posted.has(uid)) {
          store.updateAttestation(uid, { status: "posted", txHash: receipt.transactionHash, blockNumber: Number(receipt.blockNumber), blockHash: receipt.blockHash, lastError: null });
          const a = store.getAttestation(uid);
          if (a?.seenAt) metrics.eventToPost.observe((Date.now() - a.seenAt) / 1000);
        } else {
          const reason = receipt.status !== "success" ? "transaction reverted" : `skipped by the oracle (${skipped.get(uid) ?? "no event"})`;
          store.updateAttestation(uid, { status: "failed", txHash: receipt.transactionHash, lastError: reason });
          metrics.postingFailures.inc({ kind: "skipped" });
          logger.warn({ uid, reason }, "attestation not posted");
        }
      }
      for (const other of store.sentTxs("pending")) if (other.nonce === tx.nonce) store.updateSentTx(other.hash, other.hash === tx.hash ? "mined" : "replaced");
      store.updateSentTx(tx.hash, "mined");
    });
  }

  /** The receipt, or null while it is not mined (not an error to retry). */
  async function receiptOf(hash: Hex): Promise<TransactionReceipt | null> {
    try {
      return await client.getTransactionReceipt({ hash });
    } catch (err) {
      if ((err as { name?: string }).name === "TransactionReceiptNotFoundError") return null;
      throw err;
    }
  }

  async function postedOnChain(uid: Hex): Promise<{ blockNumber: number; blockHash: Hex; txHash: Hex } | null> {
    const logs = await retry(() =>
      client.getContractEvents({ address: oracle, abi: riskOracleAbi, eventName: "PostAttestation", args: { uid }, fromBlock: BigInt(Math.max(0, config.startBlock)) }),
    );
    const l = logs.at(-1);
    return l ? { blockNumber: Number(l.blockNumber), blockHash: l.blockHash, txHash: l.transactionHash } : null;
  }

  return {
    async submit(head?: Block) {
      if (nonce === null) await syncNonce();
      const pending = store.sentTxs("pending");
      const inFlight = new Set(pending.map((t) => t.nonce)).size;
      let sent = 0;
      for (let slots = config.maxInFlight - inFlight; slots > 0; slots--) {
        const now = BigInt(nowSeconds(ctx));
        const candidates = store.attestationsByStatus("signed", config.batchSize * 2).filter((a) => a.mode === "push");
        const batch: StoredAttestation[] = [];
        for (const a of candidates) {
          if (a.expiresAt <= now + 5n) {
            // Too late to post: supersede it; the settlement is queued again for a fresh verdict.
            store.transaction(() => {
              store.updateAttestation(a.uid, { status: "superseded", lastError: "expired before posting" });
              store.setSettlementStatus(a.subject, "pending");
            });
            continue;
          }
          // Gate rule G14.1: a verdict dated up to MAX_ISSUED_AHEAD_S ahead is not valid before its
          // issuedAt (the oracle would skip it with RiskOracle_NotYetValid): post it once it is.
          if (a.issuedAt > now) continue;
          if (batch.length && batch[0]!.signers.join() !== a.signers.join()) continue;
          if (batch.length < config.batchSize) batch.push(a);
        }
        if (batch.length === 0) break;
        const data = calldataOf(batch);
        let gas: bigint;
        // Fees and the gas estimate are independent: ask for both at once (one round trip less).
        const feesP = fees(head);
        feesP.catch(() => {});
        try {
          gas = await retry(() => client.estimateGas({ account: account.address, to: oracle, data }));
        } catch (err) {
          if (isRetryable(err)) throw err;
          metrics.postingFailures.inc({ kind: "fatal" });
          store.transaction(() => {
            for (const a of batch) store.updateAttestation(a.uid, { status: "failed", lastError: `estimateGas: ${shortMessageOf(err)}` });
          });
          logger.error({ err: shortMessageOf(err), batch: batch.length }, "batch cannot be posted (fatal)");
          continue;
        }
        const f = initialFees(await feesP, capWei);
        if (!f) {
          // Above MAX_FEE_GWEI: send nothing; the batch stays signed and is tried again next iteration.
          logger.warn({ max_fee_gwei: config.maxFeeGwei }, "gas price above MAX_FEE_GWEI: attestations wait");
          break;
        }
        try {
          const hash = await signAndSend({ data, gas: (gas * 120n) / 100n, nonce: nonce!, ...f, uids: batch.map((a) => a.uid) });
          logger.info({ tx_hash: hash, nonce, attestations: batch.length }, "attestations submitted");
          nonce!++;
          sent += batch.length;
        } catch (err) {
          metrics.postingFailures.inc({ kind: isRetryable(err) ? "retryable" : "fatal" });
          // The send failed for good: the recorded tx never reached a node; put the batch back.
          store.transaction(() => {
            for (const a of batch) store.updateAttestation(a.uid, { status: "signed", txHash: null, lastError: shortMessageOf(err) });
          });
          const pendingNow = store.sentTxs("pending").filter((t) => t.uids.some((u) => batch.some((a) => a.uid === u)));
          for (const t of pendingNow) store.updateSentTx(t.hash, "failed");
          await syncNonce();
          throw err;
        }
      }
      metrics.queueDepth.set(store.countByStatus().signed ?? 0);
      return sent;
    },

    async track() {
      const pending = store.sentTxs("pending");
      const byNonce = new Map<number, SentTx[]>();
      for (const t of pending) byNonce.set(t.nonce, [...(byNonce.get(t.nonce) ?? []), t]);
      for (const [n, txs] of byNonce) {
        let mined = false;
        for (const tx of txs) {
          const receipt = await retry(() => receiptOf(tx.hash));
          if (receipt) {
            applyReceipt(tx, receipt);
            mined = true;
            break;
          }
        }
        if (mined) continue;
        const latest = txs.reduce((a, b) => (b.sentAt > a.sentAt ? b : a));
        if (Date.now() - latest.sentAt < config.stuckAfterMs) continue;
        // Stuck: same nonce, same calldata, fees bumped (at least FEE_BUMP_PERCENT, never below the market).
        const batch = latest.uids.map((u) => store.getAttestation(u)).filter((a): a is StoredAttestation => a !== null);
        if (batch.length === 0) continue;
        const bumped = bumpedFees(latest, await fees(), config.feeBumpPercent, capWei);
        if (!bumped) {
          logger.warn({ nonce: n, tx_hash: latest.hash, max_fee_gwei: config.maxFeeGwei }, "stuck transaction not bumped: the bump would pass MAX_FEE_GWEI");
          continue;
        }
        const { maxFeePerGas, maxPriorityFeePerGas } = bumped;
        // Same calldata and gas limit: a new estimate would run against the pending state, where the
        // stuck transaction has already posted these items, and come out too low.
        const data = calldataOf(batch);
        const hash = await signAndSend({ data, gas: latest.gas, nonce: n, maxFeePerGas, maxPriorityFeePerGas, uids: latest.uids });
        logger.warn({ nonce: n, tx_hash: hash, max_fee_per_gas: maxFeePerGas.toString() }, "stuck transaction re-sent with a fee bump");
      }
    },

    async reconcile() {
      for (const tx of store.sentTxs("pending")) {
        const receipt = await retry(() => receiptOf(tx.hash));
        if (receipt) {
          applyReceipt(tx, receipt);
          continue;
        }
        const inPool = await retry(() => client.getTransaction({ hash: tx.hash })).catch((err: unknown) => {
          if ((err as { name?: string }).name === "TransactionNotFoundError") return null;
          throw err;
        });
        if (inPool) continue; // still coming: track() follows it (and bumps it if stuck)
        store.updateSentTx(tx.hash, "failed");
      }
      // Attestations marked submitted whose every transaction is gone: posted by an earlier attempt?
      const live = new Set(store.sentTxs("pending").flatMap((t) => t.uids));
      for (const a of store.attestationsByStatus("submitted")) {
        if (live.has(a.uid)) continue;
        const onChain = await postedOnChain(a.uid);
        if (onChain) store.updateAttestation(a.uid, { status: "posted", ...onChain, lastError: null });
        else store.updateAttestation(a.uid, { status: "signed", txHash: null, lastError: "transaction lost; re-posting" });
        logger.info({ uid: a.uid, posted: !!onChain }, "reconciled an attestation after restart");
      }
      nonce = null;
    },

    async checkReorgs(head: number, headHash?: Hex, force = false) {
      // Same head hash as at the last check: the whole chain below it is the same (each block commits to
      // its parent), and anything posted since was read from that chain. Nothing can have moved.
      if (headHash && headHash === checkedHead && !force) return 0;
      // Incremental: the watcher proves at every poll that its cursor block is still canonical, so the
      // chain up to the cursor has not changed since the last poll. An attestation found canonical when
      // the cursor was c, with its block at or below c, stays canonical until the watcher sees a reorg
      // (`force`: then everything is checked again). So each check reads only the blocks of attestations
      // posted since (one eth_getBlockByNumber per new height), not every post within REORG_DEPTH.
      if (force) verifiedAt.clear();
      const cur = store.getCursor(CURSOR);
      const cursor = cur?.hash ? cur.block : -1; // a cursor without a hash proves nothing

      let moved = 0;
      const hashAt = new Map<number, string | null>();
      const live = new Set<string>();
      for (const a of store.attestationsByStatus("posted")) {
        if (a.blockNumber === null || a.blockNumber < head - config.reorgDepth) continue;
        live.add(a.uid);
        const at = verifiedAt.get(a.uid);
        if (at !== undefined && a.blockNumber <= at) continue;
        let hash = hashAt.get(a.blockNumber);
        if (hash === undefined) {
          hash = (await client.getBlock({ blockNumber: BigInt(a.blockNumber) }).catch(() => null))?.hash?.toLowerCase() ?? null;
          hashAt.set(a.blockNumber, hash);
        }
        if (hash === a.blockHash) {
          verifiedAt.set(a.uid, cursor);
          continue;
        }
        verifiedAt.delete(a.uid);
        // The inclusion block is gone. Was the same transaction re-included elsewhere?
        const receipt = a.txHash ? await retry(() => receiptOf(a.txHash!)) : null;
        if (receipt?.status === "success") {
          store.updateAttestation(a.uid, { blockNumber: Number(receipt.blockNumber), blockHash: receipt.blockHash });
          continue;
        }
        const onChain = await postedOnChain(a.uid);
        if (onChain) {
          store.updateAttestation(a.uid, { status: "posted", ...onChain });
          continue;
        }
        store.updateAttestation(a.uid, { status: "signed", txHash: null, blockNumber: null, blockHash: null, lastError: "inclusion block reorged away" });
        metrics.reorgs.inc();
        logger.warn({ uid: a.uid, block: a.blockNumber }, "posted attestation reorged away: re-posting");
        moved++;
      }
      for (const uid of verifiedAt.keys()) if (!live.has(uid)) verifiedAt.delete(uid);
      if (moved) nonce = null;
      else checkedHead = headHash ?? null;
      return moved;
    },
  };
}

export function assertCanSign(account: LocalAccount | null): asserts account is LocalAccount & { signTransaction: NonNullable<LocalAccount["signTransaction"]> } {
  if (!account?.signTransaction) throw new FatalError("the operator account cannot sign transactions", { code: "NO_SIGNER" });
}

export type { Address };
