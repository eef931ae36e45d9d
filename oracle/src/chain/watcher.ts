// Watches the consumer contracts for settlements that need a verdict, `confirmations` deep, from the
// stored cursor (or START_BLOCK), in chunks (backfill), and detects reorgs by comparing the stored hash
// of the cursor block with the chain's. Everything a poll learns is written in ONE transaction with
// the new cursor, so a crash never skips a payment nor queues one twice (the queue is keyed by subject).
//
// One head request per poll (the latest block: number + hash); when the head is the cursor's child its
// parentHash proves the cursor block is still canonical, so a caught-up poll costs two RPC calls
// (latest block + one eth_getLogs over both contracts).
//
// What is queued (one settlement = one verdict the contract will ask for; see docs/operations.md):
//
// PaymentEscrow: `CreateEscrow` → one settlement per milestone,
//   subject = bytes32((escrowId << 16) | index), amount = the milestone's gross amount.
// PaymentStream: subject = bytes32((streamId << 64) | seq), `seq` = attestations the stream has used
//   (`subjectOf`); amount = the cap the withdrawal must stay under. The cap is always the stream's
//   balance `deposited - withdrawn` (what the stream can still pay out at that seq: the whole deposit at
//   creation, the remainder after each attested withdrawal, the recipient's share after a cancel).
//   A settlement is queued only when a verdict will be needed: `sinceAttested + balance` above the
//   unattested allowance (otherwise every withdrawal fits the allowance).
//   - `CreateLinearStream` → seq 0, cap = deposit (from the event).
//   - `DepositStream` (open-ended funding, at creation or a top-up), `UseAttestation` (seq n was used:
//     pre-attest seq n+1) and `ClearFreeze` (a freeze used seq n; the stream withdraws again) → the
//     stream's state at the end of that block (`getStream` + `amountsOf` pinned to the block, so every
//     operator derives the same settlement): subject (id, seq), cap = balance.
//   - A top-up at a seq that already has a verdict does not replace it (the queue is keyed by subject):
//     the recipient withdraws up to that cap with it, and the next seq is pre-attested with the new
//     balance, top-up included. A frozen stream gets nothing until the arbiter clears it.
//
// The feature history gets the money that moved, once, as soon as it is seen (so a settlement's own
// payment is part of the history it is scored on — the same for every operator): escrow milestones,
// linear deposits, and each open-ended deposit (keyed by its log). Re-attestations of later stream seqs
// add nothing to the history: that money was counted when it was deposited.
import {
  type Address,
  type Block,
  type Hex,
  type PublicClient,
  encodePacked,
  erc20Abi,
  getAbiItem,
  keccak256,
  pad,
  toHex,
} from "viem";
import { defaultConfirmations } from "../config.js";
import type { Context } from "../context.js";
import { isRetryable, shortMessageOf } from "../errors.js";
import type { InboxItem, PaymentRecord } from "../store/types.js";
import { paymentEscrowAbi } from "./abis/paymentEscrowAbi.js";
import { paymentStreamAbi } from "./abis/paymentStreamAbi.js";

export const CURSOR = "chain";

export function escrowSubject(escrowId: bigint, index: number): Hex {
  return pad(toHex((escrowId << 16n) | BigInt(index)), { size: 32 });
}

export function streamSubject(streamId: bigint, seq: bigint): Hex {
  return pad(toHex((streamId << 64n) | seq), { size: 32 });
}

/** Stream flags (contracts/types/Stream.sol). */
const FLAG_FROZEN = 16;
const SEQ_MAX = 65_535;

const EVENTS = [
  getAbiItem({ abi: paymentEscrowAbi, name: "CreateEscrow" }),
  getAbiItem({ abi: paymentStreamAbi, name: "CreateLinearStream" }),
  getAbiItem({ abi: paymentStreamAbi, name: "DepositStream" }),
  getAbiItem({ abi: paymentStreamAbi, name: "UseAttestation" }),
  getAbiItem({ abi: paymentStreamAbi, name: "ClearFreeze" }),
] as const;

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

export type Settlement = Omit<InboxItem, "status">;
export type ScannedRange = { settlements: Settlement[]; payments: PaymentRecord[] };

/**
 * The settlements and history payments of the watched contracts in blocks [from, to]. Pure function
 * of the chain (state reads are pinned to each event's block), so every operator — and a co-signer
 * re-checking one block (cosign.ts) — derives the same thing. `known` holds blocks already fetched.
 */
export async function scanRange(ctx: Context, client: PublicClient, from: number, to: number, known: Map<bigint, Block> = new Map()): Promise<ScannedRange> {
  const { config } = ctx;
  const address = [config.escrowAddress, config.streamAddress].filter((a): a is Address => !!a);
  if (address.length === 0) return { settlements: [], payments: [] };
  const logs = await client.getLogs({ address, events: EVENTS, fromBlock: BigInt(from), toBlock: BigInt(to), strict: true });
  const seenAt = Date.now();
  const settlements: Settlement[] = [];
  const payments: PaymentRecord[] = [];
  const timeOf = async (blockNumber: bigint): Promise<number> => {
    let b = known.get(blockNumber);
    if (!b) {
      b = await client.getBlock({ blockNumber });
      known.set(blockNumber, b);
    }
    return Number(b.timestamp);
  };
  const isEscrow = (a: Address) => !!config.escrowAddress && a.toLowerCase() === config.escrowAddress.toLowerCase();
  const isStream = (a: Address) => !!config.streamAddress && a.toLowerCase() === config.streamAddress.toLowerCase();
  // Stream state at the end of a block, once per (stream, block).
  const stateReads = new Map<string, Promise<StreamAt>>();
  const streamAt = (streamId: bigint, blockNumber: bigint) => {
    const key = `${streamId}:${blockNumber}`;
    let p = stateReads.get(key);
    if (!p) {
      p = streamSettlementAt(client, config.streamAddress!, streamId, blockNumber, timeOf, seenAt);
      stateReads.set(key, p);
    }
    return p;
  };

  for (const log of logs) {
    if (log.eventName === "CreateEscrow" && isEscrow(log.address)) {
      const a = log.args;
      const [timestamp, decimals] = await Promise.all([timeOf(log.blockNumber), decimalsOf(client, a.token)]);
      a.amounts.forEach((amount, index) => {
        const s: Settlement = {
          subject: escrowSubject(a.escrowId, index),
          consumer: config.escrowAddress!,
          payer: a.payer,
          payee: a.payee,
          token: a.token,
          amount: BigInt(amount),
          decimals,
          timestamp,
          blockNumber: Number(log.blockNumber),
          seenAt,
        };
        settlements.push(s);
        payments.push(s);
      });
      continue;
    }
    if (!isStream(log.address)) continue;
    if (log.eventName === "CreateLinearStream") {
      const a = log.args;
      const [timestamp, decimals] = await Promise.all([timeOf(log.blockNumber), decimalsOf(client, a.token)]);
      const s: Settlement = {
        subject: streamSubject(a.streamId, 0n),
        consumer: config.streamAddress!,
        payer: a.sender,
        payee: a.recipient,
        token: a.token,
        amount: BigInt(a.deposit),
        decimals,
        timestamp,
        blockNumber: Number(log.blockNumber),
        seenAt,
      };
      payments.push(s);
      if (s.amount > BigInt(a.unattestedAllowance) * 10n ** BigInt(decimals)) settlements.push(s);
    } else if (log.eventName === "DepositStream" || log.eventName === "UseAttestation" || log.eventName === "ClearFreeze") {
      let at: StreamAt;
      try {
        at = await streamAt(log.args.streamId, log.blockNumber);
      } catch (err) {
        if (isRetryable(err)) throw err;
        // E.g. state pruned on a full node during a deep backfill. Skipping only forgoes a push: the
        // contract still demands a verdict, which pull mode gives. The watcher must not stall on it.
        ctx.logger.warn({ stream_id: log.args.streamId.toString(), block: Number(log.blockNumber), err: shortMessageOf(err) }, "stream state at the event's block unreadable: not pre-attested");
        continue;
      }
      const { parties: st, settlement: s } = at;
      if (log.eventName === "DepositStream") {
        // The top-up itself is money into the stream for its recipient (whoever funded it).
        payments.push({
          subject: keccak256(encodePacked(["bytes32", "uint256"], [log.transactionHash, BigInt(log.logIndex)])),
          payer: st.payer,
          payee: st.payee,
          token: st.token,
          amount: BigInt(log.args.amount),
          decimals: st.decimals,
          timestamp: await timeOf(log.blockNumber),
          blockNumber: Number(log.blockNumber),
        });
      }
      if (s && !settlements.some((x) => x.subject === s.subject)) settlements.push(s);
    }
  }
  return { settlements, payments };
}

type TimeOf = (blockNumber: bigint) => Promise<number>;

async function readStream(client: PublicClient, stream: Address, streamId: bigint, blockNumber: bigint) {
  const [s, am] = await Promise.all([
    client.readContract({ address: stream, abi: paymentStreamAbi, functionName: "getStream", args: [streamId], blockNumber }),
    client.readContract({ address: stream, abi: paymentStreamAbi, functionName: "amountsOf", args: [streamId], blockNumber }),
  ]);
  return { s, am, decimals: await decimalsOf(client, am.token) };
}

type StreamAt = { parties: { payer: Address; payee: Address; token: Address; decimals: number }; settlement: Settlement | null };

/**
 * The verdict stream `streamId` will ask for next, as of the end of `blockNumber` (settlement null when
 * it will not need one: balance within the allowance, frozen, seq exhausted), and its parties.
 */
async function streamSettlementAt(
  client: PublicClient,
  stream: Address,
  streamId: bigint,
  blockNumber: bigint,
  timeOf: TimeOf,
  seenAt: number,
): Promise<StreamAt> {
  const { s, am, decimals } = await readStream(client, stream, streamId, blockNumber);
  const parties = { payer: s.sender, payee: s.recipient, token: am.token, decimals };
  const balance = BigInt(s.deposited) - BigInt(s.withdrawn);
  if (s.flags & FLAG_FROZEN || s.seq >= SEQ_MAX) return { parties, settlement: null };
  if (BigInt(s.sinceAttested) + balance <= am.unattestedAllowance) return { parties, settlement: null };
  const settlement: Settlement = {
    subject: streamSubject(streamId, BigInt(s.seq)),
    consumer: stream,
    payer: s.sender,
    payee: s.recipient,
    token: am.token,
    amount: balance,
    decimals,
    timestamp: await timeOf(blockNumber),
    blockNumber: Number(blockNumber),
    seenAt,
  };
  return { parties, settlement };
}

export type PollResult = { head: number; headHash: Hex; headBlock: Block; from: number; to: number; settlements: number; reorgedTo: number | null; indexed: Settlement[] };

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
  const latest = await client.getBlock({ blockTag: "latest" });
  const head = Number(latest.number);
  const headHash = latest.hash!.toLowerCase() as Hex;
  metrics.chainHead.set(head);
  const known = new Map<bigint, Block>([[latest.number!, latest]]);
  const cursor = store.getCursor(CURSOR);
  let reorgedTo: number | null = null;

  if (cursor?.hash) {
    // The cursor block is still canonical when the head is it, or its child (parentHash), or when the
    // chain still serves the same hash at its height.
    let canonical: boolean;
    if (head === cursor.block) canonical = headHash === cursor.hash;
    else if (head === cursor.block + 1) canonical = latest.parentHash.toLowerCase() === cursor.hash;
    else {
      const block = await client.getBlock({ blockNumber: BigInt(cursor.block) }).catch(() => null);
      canonical = !!block && block.hash?.toLowerCase() === cursor.hash;
    }
    if (!canonical) {
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
  const safe = head - ((config.confirmations ?? defaultConfirmations(ctx.chain?.chainId ?? 0)) - 1);
  metrics.chainLag.set(Math.max(0, head - last));
  const from = last + 1;
  if (from > safe) return { head, headHash, headBlock: latest, from, to: last, settlements: 0, reorgedTo, indexed: [] };
  const to = Math.min(safe, from + config.backfillChunk - 1);

  const { settlements, payments } = await scanRange(ctx, client, from, to, known);
  const toBlock = known.get(BigInt(to)) ?? (await client.getBlock({ blockNumber: BigInt(to) }));
  if (ctx.chain) ctx.chain.timeOffset = Math.max(0, Number(toBlock.timestamp) - Math.floor(Date.now() / 1000));
  let added = 0;
  store.transaction(() => {
    for (const s of settlements) if (store.enqueueSettlement(s)) added++;
    // Into the feature history at once, in chain order, by every operator alike: operators that
    // have watched up to the same block score a settlement on the same history (see cosign.ts).
    for (const p of payments) store.insertPayment({ ...p, source: "chain" });
    store.saveBlockHash(to, toBlock.hash!);
    store.pruneBlockHashesBelow(to - config.reorgDepth);
    store.setCursor(CURSOR, to, toBlock.hash!);
  });
  metrics.chainLag.set(Math.max(0, head - to));
  if (added) logger.info({ from, to, settlements: added }, "settlements queued");
  return { head, headHash, headBlock: latest, from, to, settlements: added, reorgedTo, indexed: settlements };
}
