// POST /v1/cosign: operator-to-operator (HMAC over the raw body; see attestation/operatorAuth.ts).
import type { RequestHandler } from "express";
import type { Context } from "../../context.js";
import { cosignAttestation } from "../../attestation/cosign.js";
import { OPERATOR_SIGNATURE_HEADER, OPERATOR_TIMESTAMP_HEADER, createReplayGuard, verifyOperatorRequest } from "../../attestation/operatorAuth.js";
import { HttpError } from "../httpError.js";
import { CosignRequest } from "../schemas.js";

export function postCosign(ctx: Context): RequestHandler {
  // Single-use requests: a valid MAC seen before is a replay (its window is the timestamp check's 60 s).
  const replays = createReplayGuard();
  return async (req, res) => {
    const secret = ctx.config.cosignSecret;
    if (!secret) throw new HttpError(404, "not_found", "co-signing is not enabled on this operator");
    const raw = (req as { rawBody?: Buffer }).rawBody?.toString("utf8") ?? "";
    const v = verifyOperatorRequest(secret, {
      method: req.method,
      path: req.originalUrl.split("?")[0]!,
      body: raw,
      timestamp: req.get(OPERATOR_TIMESTAMP_HEADER),
      signature: req.get(OPERATOR_SIGNATURE_HEADER),
    });
    if (!v.ok) throw new HttpError(401, "unauthorized", v.reason);
    // The MAC as the verifier decoded it (hex decoding ignores case and stops at a bad character, so the
    // header text itself could be varied without changing what was verified).
    if (replays.check(Buffer.from(String(req.get(OPERATOR_SIGNATURE_HEADER)), "hex").toString("hex"))) {
      throw new HttpError(409, "replayed_request", "this co-sign request was already received: a request is single-use (sign a new one)");
    }
    const body = CosignRequest.parse(req.body);
    const out = await cosignAttestation(ctx, body);
    if (!out.ok) {
      res.status(out.status).json({ error: { code: out.code, message: out.message }, score: out.score });
      return;
    }
    res.json({ signer: out.signer, signature: out.signature, score: out.score });
  };
}
