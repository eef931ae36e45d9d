// POST /v1/attestations (pull mode) and GET /v1/attestations/:uid.
import type { RequestHandler } from "express";
import { type Context, nowSeconds } from "../../context.js";
import { signSettlement } from "../../attestation/issueAttestation.js";
import { storePullAttestation } from "../../attestation/storePullAttestation.js";
import type { StoredAttestation } from "../../store/types.js";
import { HttpError } from "../httpError.js";
import { AttestationRequest, Bytes32 } from "../schemas.js";

export function renderAttestation(a: StoredAttestation, threshold: number | null) {
  return {
    uid: a.uid,
    attestation: {
      consumer: a.consumer,
      subject: a.subject,
      payer: a.payer,
      payee: a.payee,
      token: a.token,
      amount: a.amount.toString(),
      score: a.score,
      reasons: a.reasons,
      modelId: a.modelId,
      issuedAt: a.issuedAt.toString(),
      expiresAt: a.expiresAt.toString(),
      nonce: a.nonce,
    },
    signerSet: a.signers.map((s) => s.toLowerCase()),
    signatures: a.signatures,
    threshold,
    signed: a.signatures.filter((s) => s !== "0x").length,
    decision: a.decision,
    mode: a.mode,
    status: a.status,
    txHash: a.txHash,
    blockNumber: a.blockNumber,
  };
}

export function postAttestation(ctx: Context): RequestHandler {
  return async (req, res) => {
    const body = AttestationRequest.parse(req.body);
    const now = nowSeconds(ctx);
    const issued = await signSettlement(ctx, body, now);
    if (issued.signed < issued.threshold) {
      throw new HttpError(503, "quorum_unavailable", `only ${issued.signed} of ${issued.threshold} required signatures could be gathered`, { "Retry-After": "1" });
    }
    // Gate rule G14.2: a verdict that changes this operator's earlier decision for the settlement is posted too.
    const { stored } = storePullAttestation(ctx, issued, { ...body, timestamp: now, decimals: body.decimals ?? 6, source: "http" });
    ctx.metrics.attestations.inc({ mode: "pull" });
    ctx.metrics.scores.observe({ source: "pull", decision: issued.decision }, issued.result.score);
    res.status(201).json(renderAttestation(stored, issued.threshold));
  };
}

export function getAttestation(ctx: Context): RequestHandler {
  return (req, res) => {
    const parsed = Bytes32.safeParse(req.params.uid);
    if (!parsed.success) throw new HttpError(400, "invalid_request", "uid: expected a 0x-prefixed 32-byte hex value");
    const a = ctx.store.getAttestation(parsed.data);
    if (!a) throw new HttpError(404, "not_found", `no attestation ${parsed.data}`);
    res.json(renderAttestation(a, ctx.chain?.threshold ?? null));
  };
}
