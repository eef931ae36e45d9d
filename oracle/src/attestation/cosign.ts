// k-of-n co-signing between operators.
//
// Leader side (`collectCosignatures`): any operator can lead. It sends the attestation it signed to
// every peer's POST /v1/cosign in parallel (HMAC-authenticated, per-peer timeout) and stops as soon as
// the threshold is met; a dead or disagreeing peer is logged and skipped, so the others still reach
// the threshold. Every returned signature is verified (recovered signer must be in the signer set)
// before it is used.
//
// Co-signer side (`cosignAttestation`): re-scores the payment itself and signs ONLY if it agrees:
//   - same domain (chain id + RiskOracle) as its own;
//   - issuedAt within ±COSIGN_MAX_SKEW_S of its clock, expiresAt in the future and
//     expiresAt - issuedAt <= its own ATTESTATION_TTL;
//   - |own score - leader score| <= COSIGN_TOLERANCE (bps, default 500) AND the same decision band
//     (release / hold / freeze) — so a co-signer never lends its key to a verdict it would not give;
//   - for a chain settlement (`blockNumber` given) its own watcher first indexes up to that block at once
//     (it does not wait for its next poll), so both score on the same history (409 "behind" if it cannot
//     within the timeout), and the settlement must be the one its own watcher derives from that block
//     (consumer, subject, payer, payee, token, amount; 409 "unknown_settlement" otherwise) — a
//     co-signer never signs a chain verdict on the leader's word alone;
//   - for a pull-mode request (no block) it checks the settlement on chain (Gate rule G14.3,
//     chain/verifyPullSettlement.ts: the escrow milestone with those parties and amount, or the stream
//     with those parties at exactly that seq; 409 "unknown_settlement" otherwise).
import { type Address, type Hex, recoverTypedDataAddress } from "viem";
import { type Context, nowSeconds } from "../context.js";
import { FatalError, RetryableError } from "../errors.js";
import { shortMessageOf } from "../errors.js";
import { chainRuntimeOf, pullVerifierOf } from "../chain/chainRuntime.js";
import { CURSOR } from "../chain/watcher.js";
import { decisionOf, scoreSettlement } from "./issueAttestation.js";
import { signOperatorRequest } from "./operatorAuth.js";
import { signRiskAttestation } from "./signAttestation.js";
import { type RiskAttestation, riskAttestationPrimaryType, riskAttestationTypes, riskgateDomain } from "./typedData.js";
import { toWire } from "./wire.js";

export const COSIGN_MAX_SKEW_S = 120;

export type CollectCosignaturesParameters = {
  attestation: RiskAttestation;
  uid: Hex;
  /** Aligned with ctx.chain.signers; filled in place. */
  signatures: Hex[];
  needed: number;
  /** Block of the settlement's chain event, when there is one. */
  blockNumber?: number;
};

/** Returns how many valid co-signatures were added to `signatures`. */
export async function collectCosignatures(ctx: Context, p: CollectCosignaturesParameters): Promise<number> {
  const peers = ctx.config.cosignPeers;
  if (p.needed <= 0 || peers.length === 0 || !ctx.chain) return 0;
  const secret = ctx.config.cosignSecret;
  if (!secret) throw new FatalError("COSIGN_PEERS set without COSIGN_SECRET", { code: "CONFIG_INVALID" });
  const chain = ctx.chain;
  const domain = riskgateDomain(chain.chainId, chain.oracle);
  const body = JSON.stringify({ chainId: chain.chainId, oracle: chain.oracle, attestation: toWire(p.attestation), blockNumber: p.blockNumber });
  const controller = new AbortController();
  let added = 0;

  await new Promise<void>((resolve) => {
    let pending = peers.length;
    const finish = () => {
      if (--pending === 0) resolve();
    };
    for (const peer of peers) {
      const url = new URL("/v1/cosign", peer);
      const headers = { "content-type": "application/json", ...signOperatorRequest(secret, "POST", url.pathname, body) };
      fetch(url, { method: "POST", headers, body, signal: AbortSignal.any([controller.signal, AbortSignal.timeout(ctx.config.cosignTimeoutMs)]) })
        .then(async (res) => {
          const json = (await res.json().catch(() => null)) as { signer?: string; signature?: Hex; error?: { code: string; message: string } } | null;
          if (!res.ok || !json?.signature || !json.signer) {
            ctx.logger.warn({ peer, status: res.status, error: json?.error }, "peer refused to co-sign");
            return;
          }
          const recovered = await recoverTypedDataAddress({
            domain,
            types: riskAttestationTypes,
            primaryType: riskAttestationPrimaryType,
            message: p.attestation,
            signature: json.signature,
          });
          const idx = chain.signers.findIndex((s) => s.toLowerCase() === recovered.toLowerCase());
          if (idx < 0 || recovered.toLowerCase() !== json.signer.toLowerCase()) {
            ctx.logger.warn({ peer, signer: recovered }, "peer co-signature from a key outside the signer set");
            return;
          }
          if (p.signatures[idx] !== "0x" || added >= p.needed) return;
          p.signatures[idx] = json.signature;
          added++;
          if (added >= p.needed) {
            controller.abort();
            resolve();
          }
        })
        .catch((err: unknown) => {
          if (!controller.signal.aborted) ctx.logger.warn({ peer, err: shortMessageOf(err) }, "peer unreachable for co-signing");
        })
        .finally(finish);
    }
  });
  return added;
}

export type CosignOutcome =
  | { ok: true; signer: Address; signature: Hex; score: number }
  | { ok: false; status: number; code: string; message: string; score?: number };

/** The co-signer's decision (route POST /v1/cosign), after operator authentication. */
export async function cosignAttestation(
  ctx: Context,
  req: { chainId: number; oracle: Address; attestation: RiskAttestation; blockNumber?: number },
  nowS = nowSeconds(ctx),
): Promise<CosignOutcome> {
  if (!ctx.account) throw new FatalError("no operator key loaded", { code: "NO_SIGNER" });
  if (!ctx.chain) throw new RetryableError("chain not known yet", { code: "NOT_READY" });
  if (!ctx.risk) throw new RetryableError("risk engine not loaded", { code: "NOT_READY" });
  const a = req.attestation;
  if (req.chainId !== ctx.chain.chainId || req.oracle.toLowerCase() !== ctx.chain.oracle.toLowerCase())
    return { ok: false, status: 409, code: "domain_mismatch", message: "attestation is for another chain or RiskOracle" };
  const issued = Number(a.issuedAt);
  const expires = Number(a.expiresAt);
  if (Math.abs(issued - nowS) > COSIGN_MAX_SKEW_S) return { ok: false, status: 422, code: "bad_time_window", message: "issuedAt too far from now" };
  if (expires <= nowS || expires - issued > ctx.config.attestationTtl)
    return { ok: false, status: 422, code: "bad_time_window", message: "expired, or validity longer than this operator allows" };
  if (req.blockNumber !== undefined) {
    const deadline = Date.now() + Math.max(100, ctx.config.cosignTimeoutMs - 250);
    const runtime = chainRuntimeOf(ctx);
    if (runtime) {
      // Score on the same history as the leader: index up to the settlement's block now (a poll of
      // its own, not the leader's data), then check the settlement is on chain as the leader says.
      if (!(await runtime.indexUpTo(req.blockNumber, deadline)))
        return { ok: false, status: 409, code: "behind", message: `this operator has not reached block ${req.blockNumber} yet` };
      if (!(await runtime.verifySettlement(a, req.blockNumber))) {
        ctx.logger.warn({ subject: a.subject, block: req.blockNumber }, "co-sign refused: settlement not found on chain as described");
        return { ok: false, status: 409, code: "unknown_settlement", message: `no such settlement in block ${req.blockNumber} on this operator's chain view` };
      }
    } else if (ctx.store.getCursor(CURSOR) !== null) {
      // No chain side running here (a cursor from an earlier run): wait for it as before.
      while ((ctx.store.getCursor(CURSOR)?.block ?? -1) < req.blockNumber) {
        if (Date.now() > deadline) return { ok: false, status: 409, code: "behind", message: `this operator has not reached block ${req.blockNumber} yet` };
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  } else {
    // Gate rule G14.3: a pull-mode request has no chain event behind it; check the settlement exists on
    // chain as stated (escrow milestone with those parties and amount, or the stream at that very seq).
    const verify = pullVerifierOf(ctx);
    if (!verify) return { ok: false, status: 409, code: "unknown_settlement", message: "this operator has no chain view to check a pull-mode settlement" };
    let checked;
    try {
      checked = await verify(a);
    } catch (err) {
      ctx.logger.warn({ subject: a.subject, err: shortMessageOf(err) }, "co-sign refused: cannot read the settlement on chain");
      return { ok: false, status: 503, code: "chain_unreachable", message: "cannot read the settlement on chain" };
    }
    if (!checked.ok) {
      ctx.logger.warn({ subject: a.subject, reason: checked.message }, "co-sign refused: pull-mode settlement not on chain as described");
      return { ok: false, status: 409, code: "unknown_settlement", message: checked.message };
    }
  }
  const own = scoreSettlement(ctx, a, issued);
  const tol = ctx.config.cosignTolerance;
  const bands = ctx.risk.bands;
  if (Math.abs(own.score - a.score) > tol || decisionOf(own.score, bands) !== decisionOf(a.score, bands)) {
    ctx.logger.warn({ subject: a.subject, leader_score: a.score, own_score: own.score, tolerance: tol }, "co-sign refused: scores disagree");
    return { ok: false, status: 409, code: "score_disagrees", message: `own score ${own.score} vs ${a.score} (tolerance ${tol}, same decision required)`, score: own.score };
  }
  // Gate rule G14.1: a verdict this operator co-signs counts as one it signed; a verdict it later leads
  // for the same settlement is dated after it.
  ctx.store.recordIssuedAt(a.consumer, a.subject, issued);
  const signature = await signRiskAttestation(ctx.account, riskgateDomain(ctx.chain.chainId, ctx.chain.oracle), a);
  ctx.metrics.attestations.inc({ mode: "cosign" });
  return { ok: true, signer: ctx.account.address, signature, score: own.score };
}
