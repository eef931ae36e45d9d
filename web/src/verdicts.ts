// Reading escrows, milestones and posted verdicts from the chain (events + views), and putting verdicts
// into plain words with the oracle's own reason texts.
import { type Address, type Hex, toHex } from "viem";
import { REASON_TEXT, ReasonCode, decodeReasons } from "../../oracle/src/risk/reasonCodes.js";
import type { Session } from "./chain.js";

export const STATUS = ["None", "Pending", "Held", "Frozen", "Disputed", "Released", "Resolved", "Refunded"] as const;
export type StatusName = (typeof STATUS)[number];

export type Milestone = { index: number; amount: bigint; status: StatusName; holdUntil: number; subject: Hex; verdict?: PostedVerdict };
/** `Escrow.Terms`, rebuilt from the CreateEscrow log and passed back by every escrow call. */
export type Terms = { payer: Address; payee: Address; token: Address; arbiter: Address; referrer: Address; deadline: number; feeBps: number; referralBps: number; amounts: readonly bigint[] };
export type EscrowView = { id: bigint; deal: Terms; terms: Terms; milestones: Milestone[]; createdBlock: bigint };
export type PostedVerdict = { uid: Hex; consumer: Address; subject: Hex; score: number; reasons: number; modelId: Hex; expiresAt: bigint; blockNumber: bigint; txHash: Hex };

export function reasonsInWords(mask: number): string[] {
  return decodeReasons(mask).map((n) => REASON_TEXT[ReasonCode[n]]);
}

export function decisionOf(score: number, policy: { allowBelow: number; freezeAt: number }): "release" | "hold" | "freeze" {
  return score < policy.allowBelow ? "release" : score >= policy.freezeAt ? "freeze" : "hold";
}

export const DECISION_WORDS = { release: "Release now", hold: "Hold (payer may dispute during the window)", freeze: "Freeze (the arbiter decides)" } as const;

export function escrowSubject(id: bigint, index: number): Hex {
  return toHex((id << 16n) | BigInt(index), { size: 32 });
}

/** Every PostAttestation since the deployment, oldest first. */
export async function postedVerdicts(s: Session): Promise<PostedVerdict[]> {
  const logs = await s.publicClient.getContractEvents({ address: s.addr.oracle, abi: s.abi.oracle, eventName: "PostAttestation", fromBlock: BigInt(s.d.startBlock) });
  return logs.map((l) => {
    const a = (l as unknown as { args: { uid: Hex; consumer: Address; subject: Hex; score: number; reasons: number; modelId: Hex; expiresAt: bigint } }).args;
    return { ...a, blockNumber: l.blockNumber!, txHash: l.transactionHash! };
  });
}

/** Escrows where `who` is payer or payee (all escrows when `who` is undefined), newest first. */
export async function loadEscrows(s: Session, who: Address | undefined, verdicts: PostedVerdict[]): Promise<EscrowView[]> {
  const fromBlock = BigInt(s.d.startBlock);
  const ev = { address: s.addr.escrow, abi: s.abi.escrow, eventName: "CreateEscrow", fromBlock } as const;
  const logs = who
    ? [...(await s.publicClient.getContractEvents({ ...ev, args: { payer: who } })), ...(await s.publicClient.getContractEvents({ ...ev, args: { payee: who } }))]
    : await s.publicClient.getContractEvents(ev);
  const seen = new Map<bigint, { block: bigint; terms: Terms }>();
  for (const l of logs) {
    const a = (l as unknown as { args: Omit<Terms, "deadline" | "feeBps" | "referralBps"> & { escrowId: bigint; deadline: number; feeBps: number; referralBps: number } }).args;
    const terms: Terms = {
      payer: a.payer,
      payee: a.payee,
      token: a.token,
      arbiter: a.arbiter,
      referrer: a.referrer,
      deadline: Number(a.deadline),
      feeBps: Number(a.feeBps),
      referralBps: Number(a.referralBps),
      amounts: a.amounts,
    };
    seen.set(a.escrowId, { block: l.blockNumber!, terms });
  }
  const bySubject = new Map<string, PostedVerdict>();
  for (const v of verdicts) if (v.consumer.toLowerCase() === s.addr.escrow.toLowerCase()) bySubject.set(v.subject.toLowerCase(), v);
  const ids = [...seen.keys()].sort((a, b) => (a < b ? 1 : -1));
  return Promise.all(
    ids.map(async (id) => {
      const { terms, block } = seen.get(id)!;
      const milestones: Milestone[] = [];
      for (let i = 0; i < terms.amounts.length; i++) {
        const m = (await s.publicClient.readContract({ address: s.addr.escrow, abi: s.abi.escrow, functionName: "getMilestone", args: [terms, id, BigInt(i)] })) as {
          status: number;
          holdUntil: number;
        };
        const subject = escrowSubject(id, i);
        milestones.push({ index: i, amount: terms.amounts[i], status: STATUS[m.status], holdUntil: Number(m.holdUntil), subject, verdict: bySubject.get(subject.toLowerCase()) });
      }
      return { id, deal: terms, terms, milestones, createdBlock: block };
    }),
  );
}

/** The oracle's explanation of a verdict (GET /v1/verdicts/:subject), if the oracle API is reachable. */
export async function oracleExplanation(s: Session, subject: Hex): Promise<{ text: string; contribution: number }[] | undefined> {
  if (!s.cfg.oracleUrl) return undefined;
  try {
    const res = await fetch(`${s.cfg.oracleUrl}/v1/verdicts/${subject}`);
    if (!res.ok) return undefined;
    const v = (await res.json()) as { explanation?: { text: string; contribution: number }[] };
    return v.explanation;
  } catch {
    return undefined;
  }
}
