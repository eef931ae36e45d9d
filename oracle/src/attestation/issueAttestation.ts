// Score one settlement, build its RiskAttestation, sign it with the operator key, gather co-signatures
// up to the oracle's threshold, and record it. The one path used by the push pipeline (watcher) and
// the pull-mode HTTP route: the HTTP API is a second door into the same code, never a copy.
import { randomBytes } from "node:crypto";
import type { Address, Hex } from "viem";
import { type Context, nowSeconds } from "../context.js";
import { FatalError, RetryableError } from "../errors.js";
import type { RiskResult, ScoreBands } from "../risk/types.js";
import type { AttestationMode, Decision, StoredAttestation } from "../store/types.js";
import { collectCosignatures } from "./cosign.js";
import { hashRiskAttestation } from "./hashAttestation.js";
import { signRiskAttestation } from "./signAttestation.js";
import { type RiskAttestation, riskgateDomain } from "./typedData.js";

export type SettlementRequest = {
  consumer: Address;
  subject: Hex;
  payer: Address;
  payee: Address;
  token: Address;
  amount: bigint;
  decimals?: number;
  /** Block of the chain event (push mode): co-signers score as of at least this block. */
  blockNumber?: number;
};

export function decisionOf(score: number, bands: ScoreBands): Decision {
  if (score < bands.allowBelow) return "release";
  if (score >= bands.freezeAt) return "freeze";
  return "hold";
}

/** Scores the settlement (as of `now`) with the context's engine; 503-style RetryableError without one. */
export function scoreSettlement(ctx: Context, req: Omit<SettlementRequest, "consumer" | "subject">, now: number): RiskResult {
  if (!ctx.risk) throw new RetryableError("risk engine not loaded", { code: "NOT_READY" });
  const t0 = performance.now();
  const r = ctx.risk.score({ payer: req.payer, payee: req.payee, token: req.token, amount: req.amount, timestamp: now, decimals: req.decimals ?? 6 });
  ctx.metrics.scoreLatency.observe((performance.now() - t0) / 1000);
  return r;
}

/**
 * Gate rule G14.1: how far ahead of its clock this operator will date a verdict to keep `issuedAt`
 * strictly increasing per settlement. The chain refuses a verdict before its `issuedAt`
 * (`RiskOracle_NotYetValid`), so a verdict dated ahead is unusable for that long; past this bound the
 * daemon refuses to sign (retry later) rather than hand out a verdict that cannot be used for long.
 */
export const MAX_ISSUED_AHEAD_S = 10;

/**
 * Gate rule G14.1: the `issuedAt` of the next verdict this operator signs for `(consumer, subject)`:
 * `now`, or one second after the last it signed for that settlement when the clock gives the same or an
 * earlier second (never two verdicts for one settlement in the same second). Recorded in the store
 * before anything is signed, so it holds across restarts. Throws (retryable, code VERDICT_RATE) when
 * that would be more than MAX_ISSUED_AHEAD_S ahead of `now`.
 */
export function nextIssuedAt(ctx: Pick<Context, "store">, consumer: Address, subject: Hex, now: number, record = true): number {
  const last = ctx.store.lastIssuedAt(consumer, subject);
  const issuedAt = last === null || last < now ? now : last + 1;
  if (issuedAt > now + MAX_ISSUED_AHEAD_S)
    throw new RetryableError(`a verdict for ${subject} was signed at ${last}; the next would be dated ${issuedAt - now} s ahead of the clock (at most ${MAX_ISSUED_AHEAD_S})`, {
      code: "VERDICT_RATE",
    });
  if (record) ctx.store.recordIssuedAt(consumer, subject, issuedAt);
  return issuedAt;
}

export type IssuedAttestation = {
  attestation: RiskAttestation;
  uid: Hex;
  result: RiskResult;
  decision: Decision;
  signers: Address[];
  signatures: Hex[];
  signed: number;
  threshold: number;
};

/** Signs with this operator and collects peers' signatures until the threshold (or the peers run out). */
export async function signSettlement(ctx: Context, req: SettlementRequest, now = nowSeconds(ctx)): Promise<IssuedAttestation> {
  if (!ctx.account) throw new FatalError("no operator key loaded", { code: "NO_SIGNER" });
  if (!ctx.chain) throw new RetryableError("chain (RiskOracle domain and signer set) not known yet", { code: "NOT_READY" });
  const result = scoreSettlement(ctx, req, now);
  // Gate rule G14.1: strictly newer than any verdict this operator issued for the settlement. Recorded once the
  // verdict reaches the threshold (below it, it is no verdict anywhere): a leader that retries after a co-sign
  // round fell short may sign again in the same second instead of dating the retry ahead (which would hold its
  // posting back until that second comes).
  const issuedAt = nextIssuedAt(ctx, req.consumer, req.subject, now, false);
  const attestation: RiskAttestation = {
    consumer: req.consumer,
    subject: req.subject,
    payer: req.payer,
    payee: req.payee,
    token: req.token,
    amount: req.amount,
    score: result.score,
    reasons: result.reasons >>> 0,
    modelId: result.modelId,
    issuedAt: BigInt(issuedAt),
    expiresAt: BigInt(issuedAt + ctx.config.attestationTtl),
    nonce: `0x${randomBytes(32).toString("hex")}`,
  };
  const domain = riskgateDomain(ctx.chain.chainId, ctx.chain.oracle);
  const uid = hashRiskAttestation(domain, attestation);
  // The EIP-712 signature is a signature of the digest, which is the uid we already have: sign it
  // directly when the account allows (saves a second typed-data hash); same bytes either way.
  const own = ctx.account.sign ? await ctx.account.sign({ hash: uid }) : await signRiskAttestation(ctx.account, domain, attestation);
  const { signers, threshold } = ctx.chain;
  const signatures = signers.map(() => "0x" as Hex);
  const mine = signers.findIndex((s) => s.toLowerCase() === ctx.account!.address.toLowerCase());
  let signed = 0;
  if (mine >= 0) {
    signatures[mine] = own;
    signed = 1;
  }
  if (signed < threshold) signed += await collectCosignatures(ctx, { attestation, uid, signatures, needed: threshold - signed, blockNumber: req.blockNumber });
  if (signed >= threshold) ctx.store.recordIssuedAt(req.consumer, req.subject, issuedAt);
  return { attestation, uid, result, decision: decisionOf(result.score, ctx.risk!.bands), signers: [...signers], signatures, signed, threshold };
}

export function toStored(i: IssuedAttestation, mode: AttestationMode, seenAt: number | null = null): StoredAttestation {
  const a = i.attestation;
  return {
    uid: i.uid,
    ...a,
    decision: i.decision,
    mode,
    signers: i.signers,
    signatures: i.signatures,
    status: mode === "push" ? "signed" : "issued",
    txHash: null,
    blockNumber: null,
    blockHash: null,
    seenAt,
    lastError: null,
    createdAt: Date.now(),
    updatedAt: Date.now(),
  };
}
