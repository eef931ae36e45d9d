// The one error middleware (registered last): every failure becomes { error: { code, message } } with
// the right status. A 500 never carries a stack, a key or an internal message: it is logged with the
// request id, and the client gets the id to quote.
import type { ErrorRequestHandler, RequestHandler } from "express";
import { ZodError } from "zod";
import type { Context } from "../../context.js";
import { RiskgateError } from "../../errors.js";
import { HttpError } from "../httpError.js";

export function zodMessage(err: ZodError): string {
  const i = err.issues[0];
  if (!i) return "invalid request";
  const where = i.path.length ? i.path.join(".") : "body";
  if (i.code === "unrecognized_keys") return `${where}: unknown field ${(i as { keys: string[] }).keys.join(", ")}`;
  return `${where}: ${i.message}`;
}

export function errorHandler(ctx: Context): ErrorRequestHandler {
  return (err, req, res, _next) => {
    let status = 500;
    let code = "internal";
    let message = "internal error";
    const bodyErr = err as { type?: string; status?: number; expose?: boolean; message?: string };
    if (err instanceof HttpError) {
      status = err.status;
      code = err.code;
      message = err.message;
      for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
    } else if (err instanceof RiskgateError && (err.code === "NOT_READY" || err.code === "NO_SIGNER")) {
      status = 503;
      code = err.code === "NOT_READY" ? "not_ready" : "no_signer";
      message = err.code === "NOT_READY" ? "the oracle is not ready yet" : "this operator has no signing key loaded";
      res.setHeader("Retry-After", "1");
    } else if (err instanceof RiskgateError && err.code === "VERDICT_RATE") {
      // Gate rule G14.1: too many verdicts for one settlement within MAX_ISSUED_AHEAD_S seconds.
      status = 429;
      code = "too_many_verdicts";
      message = err.shortMessage;
      res.setHeader("Retry-After", "1");
    } else if (err instanceof ZodError) {
      status = 400;
      code = "invalid_request";
      message = zodMessage(err);
    } else if (bodyErr.type === "entity.too.large") {
      status = 413;
      code = "payload_too_large";
      message = `request body larger than ${ctx.config.bodyLimit}`;
    } else if (bodyErr.type === "entity.parse.failed") {
      status = 400;
      code = "invalid_json";
      message = "request body is not valid JSON";
    } else if (err instanceof URIError) {
      // The router could not percent-decode a path parameter (`%zz`, a lone `%`, non-UTF-8 bytes): the
      // client's mistake, never a 500 with a logged stack.
      status = 400;
      code = "bad_request";
      message = "the request path is not valid percent-encoding";
    } else if (typeof bodyErr.status === "number" && bodyErr.status >= 400 && bodyErr.status < 500 && bodyErr.expose) {
      status = bodyErr.status;
      code = "bad_request";
      message = (bodyErr.message ?? "bad request").split("\n")[0]!;
    }
    if (status >= 500) {
      // Once, with the request id bound (pino's methods return nothing, so `a?.error() ?? b.error()` logged twice).
      ((req as { log?: Context["logger"] }).log ?? ctx.logger).error({ err }, "request failed");
      message = `internal error (request id ${String(req.id ?? "")})`;
    }
    if (res.headersSent) return;
    res.status(status).json({ error: { code, message } });
  };
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, "not_found", `no route ${req.method} ${req.path}`));
};

export function methodNotAllowed(allowed: string[]): RequestHandler {
  return (req, _res, next) => next(new HttpError(405, "method_not_allowed", `${req.method} not allowed; use ${allowed.join(", ")}`, { Allow: allowed.join(", ") }));
}

/** Content-Type is application/json (any parameters, any case), what `req.is("application/json")` accepts. */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const semi = contentType.indexOf(";");
  return (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase() === "application/json";
}

/** 415 unless a POST body is declared as JSON (as `req.is("application/json")`: a request without a body is not). */
export const requireJson: RequestHandler = (req, _res, next) => {
  const h = req.headers;
  const hasBody = h["transfer-encoding"] !== undefined || (h["content-length"] !== undefined && !Number.isNaN(Number(h["content-length"])));
  if (req.method === "POST" && !(hasBody && isJsonContentType(h["content-type"]))) {
    next(new HttpError(415, "unsupported_media_type", "Content-Type must be application/json"));
    return;
  }
  next();
};

/** "16kb" → 16384 */
export function parseSize(limit: string): number {
  const m = /^(\d+)(b|kb|mb)$/i.exec(limit.trim());
  if (!m) throw new TypeError(`bad size ${limit}`);
  return Number(m[1]) * { b: 1, kb: 1024, mb: 1024 * 1024 }[m[2]!.toLowerCase() as "b" | "kb" | "mb"];
}

/**
 * 413 at once when the declared Content-Length exceeds the limit (the body parser would otherwise
 * wait for the whole body before answering, which a slow client can stretch to the request timeout).
 */
export function rejectOversized(limit: string): RequestHandler {
  const max = parseSize(limit);
  return (req, res, next) => {
    const len = Number(req.get("content-length") ?? 0);
    if (len > max) {
      res.setHeader("Connection", "close");
      next(new HttpError(413, "payload_too_large", `request body larger than ${limit}`));
      return;
    }
    next();
  };
}
