// API key check (x-api-key or Authorization: Bearer). Keys are compared by sha256 against the store.
// A key found valid is remembered (by its hash, never the key) for `cacheMs` (5 s by default), so a
// client under load costs one SQLite lookup per key every few seconds instead of one per request;
// consequently a key revoked in the database stops working within `cacheMs`. Unknown keys are never
// cached: a key created by `riskgate oracle apikey create` works on its first request.
import type { RequestHandler } from "express";
import type { Context } from "../../context.js";
import type { ApiKeyRecord } from "../../store/types.js";
import { hashApiKey } from "../apiKeys.js";
import { HttpError } from "../httpError.js";

declare module "express-serve-static-core" {
  interface Request {
    /** The API key id (or "anonymous" when keys are not required). */
    principal?: string;
  }
}

export type ApiKeyAuthOptions = {
  /** How long a key found valid is trusted without asking the store again (ms); 0 disables the cache. */
  cacheMs?: number;
};

export function apiKeyAuth(ctx: Context, { cacheMs = 5_000 }: ApiKeyAuthOptions = {}): RequestHandler {
  const valid = new Map<string, { principal: string; until: number }>();
  function lookup(hash: `0x${string}`): string | null {
    const now = Date.now();
    const hit = valid.get(hash);
    if (hit && hit.until > now) return hit.principal;
    const rec: ApiKeyRecord | null = ctx.store.findApiKey(hash);
    if (!rec) {
      valid.delete(hash);
      return null;
    }
    const principal = `key:${rec.id}`;
    if (cacheMs > 0) valid.set(hash, { principal, until: now + cacheMs });
    return principal;
  }
  return (req, _res, next) => {
    const header = req.headers["x-api-key"] ?? req.headers.authorization?.replace(/^Bearer\s+/i, "");
    if (!header) {
      if (!ctx.config.requireApiKey) {
        req.principal = `ip:${req.ip}`;
        return next();
      }
      return next(new HttpError(401, "unauthorized", "missing API key (x-api-key header)"));
    }
    const principal = typeof header === "string" ? lookup(hashApiKey(header)) : null;
    if (!principal) return next(new HttpError(401, "unauthorized", "invalid API key"));
    req.principal = principal;
    next();
  };
}
