// POST /v1/score: score a proposed payment (no signature, nothing recorded).
import type { RequestHandler } from "express";
import { type Context, nowSeconds } from "../../context.js";
import { decisionOf, scoreSettlement } from "../../attestation/issueAttestation.js";
import { decodeReasons } from "../../risk/reasonCodes.js";
import { ScoreRequest } from "../schemas.js";
import { sendJson } from "../sendJson.js";

export function postScore(ctx: Context): RequestHandler {
  return (req, res) => {
    const body = ScoreRequest.parse(req.body);
    const r = scoreSettlement(ctx, body, body.timestamp ?? nowSeconds(ctx));
    const decision = decisionOf(r.score, ctx.risk!.bands);
    ctx.metrics.scores.observe({ source: "http", decision }, r.score);
    sendJson(res, 200, { score: r.score, reasons: r.reasons, reasonNames: decodeReasons(r.reasons), decision, modelId: r.modelId, explanation: r.explanation });
  };
}
