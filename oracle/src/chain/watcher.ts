// Watches the consumer contracts for settlements that need a verdict, `confirmations` deep, from the
// stored cursor (or START_BLOCK), in chunks (backfill), and detects reorgs by comparing the stored hash
// of the cursor block with the chain's. Everything a poll learns is written in ONE transaction with
// the new cursor, so a crash never skips a payment nor queues one twice (the queue is keyed by subject).
//
// The feature history gets each settlement as soon as it is seen (so a settlement's own payment is
// part of the history it is scored on — the same for every operator).
//
// PaymentEscrow: one `CreateEscrow` → one settlement per milestone,
//   subject = bytes32((escrowId << 16) | index), amount = the milestone's gross amount.
// PaymentStream: one `CreateLinearStream` → one settlement for the stream's first attested withdrawal,
//   subject = bytes32((streamId << 64) | 0), amount (the cap) = the whole deposit. (Later sequence
//   numbers and open-ended streams are attested on request, pull mode: POST /v1/attestations.)
import { type Address, type Hex, type PublicClient, erc20Abi, pad, toHex } from "viem";
import type { Context } from "../context.js";
import { paymentEscrowAbi } from "./abis/paymentEscrowAbi.js";
import { paymentStreamAbi } from "./abis/paymentStreamAbi.js";

export const CURSOR = "chain";

export function escrowSubject(escrowId: bigint, index: number): Hex {
  return pad(toHex((escrowId << 16n) | BigInt(index)), { size: 32 });
}

export function streamSubject(streamId: bigint, seq: bigint): Hex {
  return pad(toHex((streamId << 64n) | seq), { size: 32 });
}

const decimalsCache = new Map<string, number>();

/** The token's decimals (cached; 6 if the token does not say). */
async function decimalsOf(client: PublicClient, token: Address): Promise<number> {
  const key = token.toLowerCase();
  let d = decimalsCache.get(key);
  if (d === undefined) {
    d = await client.readContract({ address: token, abi: erc20Abi, functionName: "decimals" }).catch(() => 6);
    decimalsCache.set(key, d);
  }
  return d;
}

export type PollResult = { head: number; from: number; to: number; settlements: number; reorgedTo: number | null };

/** Finds the highest stored block whose hash the chain still agrees with (the fork point). */
async function findForkPoint(ctx: Context, client: PublicClient, from: number): Promise<number> {
  const floor = Math.max(ctx.config.startBlock - 1, from - ctx.config.reorgDepth);
  for (let n = from - 1; n > floor; n--) {
    const stored = ctx.store.blockHash(n);
    if (!stored) continue;
    const block = await client.getBlock({ blockNumber: BigInt(n) }).catch(() => null);
    if (block?.hash && block.hash.toLowerCase() === stored) return n;
  }
  return floor;
}

export async function pollOnce(ctx: Context, client: PublicClient): Promise<PollResult | null> {
  const { config, store, metrics, logger } = ctx;
  const head = Number(await client.getBlockNumber());
  metrics.chainHead.set(head);
  const cursor = store.getCursor(CURSOR);
  let reorgedTo: number | null = null;

  if (cursor?.hash) {
    const block = await client.getBlock({ blockNumber: BigInt(cursor.block) }).catch(() => null);
    if (!block || block.hash?.toLowerCase() !== cursor.hash) {
      const fork = await findForkPoint(ctx, client, cursor.block);
      const forkHash = fork >= 0 ? ((await client.getBlock({ blockNumber: BigInt(fork) }).catch(() => null))?.hash ?? null) : null;
      store.transaction(() => {
        store.deleteHistoryFrom(fork + 1);
        store.deletePendingSettlementsFrom(fork + 1);
        store.deleteBlockHashesFrom(fork + 1);
        store.setCursor(CURSOR, fork, forkHash);
      });
      metrics.reorgs.inc();
      logger.warn({ cursor: cursor.block, fork_point: fork }, "reorg detected: rewound the cursor");
      reorgedTo = fork;
    }
  }

  const last = reorgedTo ?? cursor?.block ?? config.startBlock - 1;
  const safe = head - (config.confirmations - 1);
  metrics.chainLag.set(Math.max(0, head - last));
  const from = last + 1;
  if (from > safe) return { head, from, to: last, settlements: 0, reorgedTo };
  const to = Math.min(safe, from + config.backfillChunk - 1);

  const seenAt = Date.now();
  const items: Parameters<Context["store"]["enqueueSettlement"]>[0][] = [];
  const times = new Map<bigint, number>();
  const timeOf = async (blockNumber: bigint): Promise<number> => {
    let ts = times.get(blockNumber);
    if (ts === undefined) {
      ts = Number((await client.getBlock({ blockNumber })).timestamp);
      times.set(blockNumber, ts);
    }
    return ts;
  };
  if (config.escrowAddress) {
    const logs = await client.getContractEvents({
      address: config.escrowAddress,
      abi: paymentEscrowAbi,
      eventName: "CreateEscrow",
      fromBlock: BigInt(from),
      toBlock: BigInt(to),
      strict: true,
    });
    for (const log of logs) {
      const ts = await timeOf(log.blockNumber);
      const a = log.args;
      const decimals = await decimalsOf(client, a.token);
      a.amounts.forEach((amount, index) => {
        items.push({
          subject: escrowSubject(a.escrowId, index),
          consumer: config.escrowAddress!,
          payer: a.payer,
          payee: a.payee,
          token: a.token,
          amount: BigInt(amount),
          decimals,
          timestamp: ts,
          blockNumber: Number(log.blockNumber),
          seenAt,
        });
      });
    }
  }
  if (config.streamAddress) {
    const logs = await client.getContractEvents({
      address: config.streamAddress,
      abi: paymentStreamAbi,
      eventName: "CreateLinearStream",
      fromBlock: BigInt(from),
      toBlock: BigInt(to),
      strict: true,
    });
    for (const log of logs) {
      const a = log.args;
      items.push({
        subject: streamSubject(a.streamId, 0n),
        consumer: config.streamAddress,
        payer: a.sender,
        payee: a.recipient,
        token: a.token,
        amount: BigInt(a.deposit),
        decimals: await decimalsOf(client, a.token),
        timestamp: await timeOf(log.blockNumber),
        blockNumber: Number(log.blockNumber),
        seenAt,
      });
    }
  }
  const toBlock = await client.getBlock({ blockNumber: BigInt(to) });
  if (ctx.chain) ctx.chain.timeOffset = Math.max(0, Number(toBlock.timestamp) - Math.floor(Date.now() / 1000));
  let added = 0;
  store.transaction(() => {
    for (const i of items) {
      if (store.enqueueSettlement(i)) added++;
      // Into the feature history at once, in chain order, by every operator alike: operators that
      // have watched up to the same block score a settlement on the same history (see cosign.ts).
      store.insertPayment({ ...i, source: "chain" });
    }
    store.saveBlockHash(to, toBlock.hash!);
    store.pruneBlockHashesBelow(to - config.reorgDepth);
    store.setCursor(CURSOR, to, toBlock.hash!);
  });
  metrics.chainLag.set(Math.max(0, head - to));
  if (added) logger.info({ from, to, settlements: added }, "settlements queued");
  return { head, from, to, settlements: added, reorgedTo };
}
