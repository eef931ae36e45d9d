// Reading streams from the chain: the raw record (getStream), the contract's computed amounts (amountsOf,
// at the pending block's time), and the Freeze verdicts that froze them (FreezeStream events).
import { type Address, type Hex, decodeFunctionData } from "viem";
import type { Session } from "./chain.js";
import type { PostedVerdict } from "./verdicts.js";

/** `Stream.FLAG_*` (contracts/types/Stream.sol). */
export const FLAG = { open: 1, cancelable: 2, canceled: 4, paused: 8, frozen: 16, referral: 32, cliffAmount: 64 } as const;

/** The Freeze verdict that froze a stream, from its FreezeStream event. */
export type StreamFreeze = { subject: Hex; score: number; reasons: number; blockNumber: bigint; txHash: Hex };

export type StreamInfo = {
  id: bigint;
  sender: Address;
  recipient: Address;
  open: boolean;
  /** Linear: the deposit (the streamed amount once canceled). Open-ended: net deposits. */
  deposited: bigint;
  withdrawn: bigint;
  streamed: bigint;
  /** 0 while frozen. */
  withdrawable: bigint;
  /** What a cancel would return to the sender now (0 once canceled), from `amountsOf`. */
  refundable: bigint;
  /** The unattested allowance in token units. */
  allowance: bigint;
  sinceAttested: bigint;
  flags: number;
  frozen: boolean;
  canceled: boolean;
  cancelable: boolean;
  startTime: number;
  /** Linear only (0 for open-ended). */
  endTime: number;
  /** The subject the next attestation must carry: `(streamId << 64) | seq`. */
  subject: Hex;
  freeze?: StreamFreeze;
  /** A Hold recorded for the current seq (gate rule G4): its window's end (unix s), cap and score. */
  hold?: { until: number; cap: bigint; score: number };
};

type RawStream = { sender: Address; startTime: number; terms: bigint; recipient: Address; deposited: bigint; withdrawn: bigint; sinceAttested: bigint; flags: number };
type RawAmounts = { streamed: bigint; withdrawable: bigint; refundable: bigint; unattestedAllowance: bigint; subject: Hex };
type RawGate = { lastIssuedAt: bigint; holdUntil: number; holdEpoch: number; holdScore: number; holdCap: bigint };

/** One stream: its record and the contract's own computed amounts, evaluated at the pending block's time. */
export async function loadStream(s: Session, id: bigint, freezes?: Map<bigint, StreamFreeze>): Promise<StreamInfo> {
  const [data, amounts, gate] = await Promise.all([
    s.publicClient.readContract({ address: s.addr.stream, abi: s.abi.stream, functionName: "getStream", args: [id] }) as Promise<RawStream>,
    // "pending": at the time the next block would have, not at the last block's (possibly old) time.
    s.publicClient.readContract({ address: s.addr.stream, abi: s.abi.stream, functionName: "amountsOf", args: [id], blockTag: "pending" }) as Promise<RawAmounts>,
    s.publicClient.readContract({ address: s.addr.stream, abi: s.abi.stream, functionName: "gateOf", args: [id] }) as Promise<RawGate>,
  ]);
  const flags = Number(data.flags);
  const open = (flags & FLAG.open) !== 0;
  return {
    id,
    sender: data.sender,
    recipient: data.recipient,
    open,
    deposited: BigInt(data.deposited),
    withdrawn: BigInt(data.withdrawn),
    streamed: amounts.streamed,
    withdrawable: amounts.withdrawable,
    refundable: amounts.refundable,
    allowance: amounts.unattestedAllowance,
    sinceAttested: BigInt(data.sinceAttested),
    flags,
    frozen: (flags & FLAG.frozen) !== 0,
    canceled: (flags & FLAG.canceled) !== 0,
    cancelable: (flags & FLAG.cancelable) !== 0,
    startTime: Number(data.startTime),
    endTime: open ? 0 : Number(BigInt(data.terms) & 0xffffffffn),
    subject: amounts.subject,
    freeze: freezes?.get(id),
    hold: Number(gate.holdUntil) > 0 ? { until: Number(gate.holdUntil), cap: BigInt(gate.holdCap), score: Number(gate.holdScore) } : undefined,
  };
}

/**
 * What a cancel splits, from the contract's view: `refundable` returns to the sender; the rest of the
 * balance held for the stream (`deposited - withdrawn - refundable`: what had accrued and was not withdrawn)
 * stays withdrawable by the recipient. Same formula for both shapes (IPaymentStream.cancel).
 */
export function cancelSplit(x: Pick<StreamInfo, "deposited" | "withdrawn" | "refundable">): { toRecipient: bigint; refund: bigint } {
  const held = x.deposited - x.withdrawn;
  return { toRecipient: held > x.refundable ? held - x.refundable : 0n, refund: x.refundable };
}

/** The latest FreezeStream event of every stream ever frozen (a stream cleared and frozen again keeps the last). */
export async function streamFreezes(s: Session): Promise<Map<bigint, StreamFreeze>> {
  const logs = await s.publicClient.getContractEvents({ address: s.addr.stream, abi: s.abi.stream, eventName: "FreezeStream", fromBlock: BigInt(s.d.startBlock) });
  const out = new Map<bigint, StreamFreeze>();
  for (const l of logs) {
    const a = (l as unknown as { args: { streamId: bigint; subject: Hex; score: number; reasons: number } }).args;
    out.set(a.streamId, { subject: a.subject, score: Number(a.score), reasons: Number(a.reasons), blockNumber: l.blockNumber!, txHash: l.transactionHash! });
  }
  return out;
}

/** Linear streams where `who` is the sender or the recipient, newest first. */
export async function loadStreamsOf(s: Session, who: Address): Promise<StreamInfo[]> {
  const ev = { address: s.addr.stream, abi: s.abi.stream, eventName: "CreateLinearStream", fromBlock: BigInt(s.d.startBlock) } as const;
  const [sent, received, freezes] = await Promise.all([
    s.publicClient.getContractEvents({ ...ev, args: { sender: who } }),
    s.publicClient.getContractEvents({ ...ev, args: { recipient: who } }),
    streamFreezes(s),
  ]);
  const ids = [...new Set([...sent, ...received].map((l) => (l as unknown as { args: { streamId: bigint } }).args.streamId))].sort((a, b) => (a < b ? 1 : -1));
  return Promise.all(ids.map((id) => loadStream(s, id, freezes)));
}

/** Streams frozen right now (both shapes), with the verdict that froze them; oldest freeze first. */
export async function loadFrozenStreams(s: Session): Promise<StreamInfo[]> {
  const freezes = await streamFreezes(s);
  const all = await Promise.all([...freezes.keys()].map((id) => loadStream(s, id, freezes)));
  return all.filter((x) => x.frozen).sort((a, b) => (a.freeze!.blockNumber < b.freeze!.blockNumber ? -1 : 1));
}

/** The arbiter of frozen streams (PaymentStream's own; it may differ from the escrows' arbiter). */
export async function streamArbiter(s: Session): Promise<Address> {
  return (await s.publicClient.readContract({ address: s.addr.stream, abi: s.abi.stream, functionName: "arbiter" })) as Address;
}

/** The posted verdicts for streams, by subject (the latest one when a subject was posted twice). */
export function streamVerdicts(s: Session, verdicts: PostedVerdict[]): Map<string, PostedVerdict> {
  const out = new Map<string, PostedVerdict>();
  for (const v of verdicts) if (v.consumer.toLowerCase() === s.addr.stream.toLowerCase()) out.set(v.subject.toLowerCase(), v);
  return out;
}

type PostedAtt = { consumer: Address; subject: Hex; amount: bigint };
const caps = new Map<string, bigint | null>();

/**
 * The cap (`amount`) a posted verdict covers, which `withdrawWithPosted` must repeat: the PostAttestation
 * event does not carry it, so it is read from the posting transaction's calldata (`postAttestation` or
 * `postAttestations` on the oracle). Undefined when the verdict was posted through another contract.
 */
export async function postedCap(s: Session, v: PostedVerdict): Promise<bigint | undefined> {
  if (!caps.has(v.uid)) {
    let cap: bigint | null = null;
    const tx = await s.publicClient.getTransaction({ hash: v.txHash }); // a network error is not cached
    try {
      if (tx.to?.toLowerCase() === s.addr.oracle.toLowerCase()) {
        const call = decodeFunctionData({ abi: s.abi.oracle, data: tx.input });
        const atts = (call.functionName === "postAttestation" ? [call.args?.[0]] : call.functionName === "postAttestations" ? (call.args?.[0] as unknown[]) : []) as PostedAtt[];
        const hit = atts.find((a) => a.consumer.toLowerCase() === v.consumer.toLowerCase() && a.subject.toLowerCase() === v.subject.toLowerCase());
        if (hit) cap = hit.amount;
      }
    } catch {
      // not decodable: no posted-verdict action for this one
    }
    caps.set(v.uid, cap);
  }
  return caps.get(v.uid) ?? undefined;
}
