// Token bucket per principal (API key id, or client IP for anonymous): `perMinute` tokens, refilled
// continuously. Over the limit → 429 with Retry-After. In memory: one daemon, one bucket table.
import type { RequestHandler } from "express";
import type { Context } from "../../context.js";
import { HttpError } from "../httpError.js";

export function rateLimit(ctx: Context, perMinute = ctx.config.rateLimitPerMinute): RequestHandler {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const ratePerMs = perMinute / 60_000;
  return (req, res, next) => {
    const key = req.principal ?? `ip:${req.ip}`;
    const now = Date.now();
    let b = buckets.get(key);
    if (!b) {
      if (buckets.size > 100_000) buckets.clear();
      b = { tokens: perMinute, at: now };
      buckets.set(key, b);
    }
    b.tokens = Math.min(perMinute, b.tokens + (now - b.at) * ratePerMs);
    b.at = now;
    if (b.tokens < 1) {
      ctx.metrics.rateLimited.inc();
      const retry = Math.ceil((1 - b.tokens) / ratePerMs / 1000);
      return next(new HttpError(429, "rate_limited", `rate limit of ${perMinute} requests per minute exceeded`, { "Retry-After": String(retry) }));
    }
    b.tokens -= 1;
    res.setHeader("RateLimit-Remaining", String(Math.floor(b.tokens)));
    next();
  };
}
