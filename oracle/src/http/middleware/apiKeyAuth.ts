// API key check (x-api-key or Authorization: Bearer). Keys are compared by sha256 against the store.
import type { RequestHandler } from "express";
import type { Context } from "../../context.js";
import { hashApiKey } from "../apiKeys.js";
import { HttpError } from "../httpError.js";

declare module "express-serve-static-core" {
  interface Request {
    /** The API key id (or "anonymous" when keys are not required). */
    principal?: string;
  }
}

export function apiKeyAuth(ctx: Context): RequestHandler {
  return (req, _res, next) => {
    const header = req.get("x-api-key") ?? req.get("authorization")?.replace(/^Bearer\s+/i, "");
    if (!header) {
      if (!ctx.config.requireApiKey) {
        req.principal = `ip:${req.ip}`;
        return next();
      }
      return next(new HttpError(401, "unauthorized", "missing API key (x-api-key header)"));
    }
    const rec = ctx.store.findApiKey(hashApiKey(header));
    if (!rec) return next(new HttpError(401, "unauthorized", "invalid API key"));
    req.principal = `key:${rec.id}`;
    next();
  };
}
