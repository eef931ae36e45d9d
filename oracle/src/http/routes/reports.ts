// GET /v1/reports/flagged?from=&to=&format=csv|json — held and frozen verdicts for compliance.
import type { RequestHandler } from "express";
import { type Context, nowSeconds } from "../../context.js";
import { decodeReasons } from "../../risk/reasonCodes.js";
import { HttpError } from "../httpError.js";
import { FlaggedQuery } from "../schemas.js";

function toUnix(v: string | undefined, name: string, fallback: number): number {
  if (v === undefined || v === "") return fallback;
  if (/^\d{1,12}$/.test(v)) return Number(v);
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) throw new HttpError(400, "invalid_request", `${name}: expected unix seconds or an ISO date`);
  return Math.floor(ms / 1000);
}

const COLUMNS = ["uid", "issuedAt", "decision", "score", "reasons", "reasonNames", "modelId", "consumer", "subject", "payer", "payee", "token", "amount", "mode", "status", "txHash"] as const;

function csvCell(v: unknown): string {
  const s = v == null ? "" : String(v);
  // Quote everything that could break a row or be read as a formula by a spreadsheet.
  return /[",\n\r]|^[=+\-@]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function getFlagged(ctx: Context): RequestHandler {
  return (req, res) => {
    const q = FlaggedQuery.parse(req.query);
    const to = toUnix(q.to, "to", nowSeconds(ctx));
    const from = toUnix(q.from, "from", to - 30 * 86_400);
    if (from > to) throw new HttpError(400, "invalid_request", "from must not be after to");
    const rows = ctx.store.flagged(from, to).map((a) => ({
      uid: a.uid,
      issuedAt: new Date(Number(a.issuedAt) * 1000).toISOString(),
      decision: a.decision,
      score: a.score,
      reasons: `0x${a.reasons.toString(16).padStart(8, "0")}`,
      reasonNames: decodeReasons(a.reasons).join("|"),
      modelId: a.modelId,
      consumer: a.consumer,
      subject: a.subject,
      payer: a.payer,
      payee: a.payee,
      token: a.token,
      amount: a.amount.toString(),
      mode: a.mode,
      status: a.status,
      txHash: a.txHash,
    }));
    if (q.format === "csv") {
      res.type("text/csv").send([COLUMNS.join(","), ...rows.map((r) => COLUMNS.map((c) => csvCell(r[c])).join(","))].join("\n") + "\n");
      return;
    }
    res.json({ from, to, count: rows.length, items: rows });
  };
}
