// GET /healthz (the process answers), GET /readyz (every probe passes), GET /metrics (Prometheus).
import type { RequestHandler } from "express";
import type { Context } from "../../context.js";

export const getHealthz: RequestHandler = (_req, res) => {
  res.json({ status: "ok" });
};

export function getReadyz(ctx: Context): RequestHandler {
  return (_req, res) => {
    const checks: Record<string, string> = {};
    let ok = !ctx.shutdown.isShuttingDown();
    if (!ok) checks.shutdown = "shutting down";
    checks.risk = ctx.risk ? "ok" : "risk engine not loaded";
    if (!ctx.risk) ok = false;
    try {
      ctx.store.getCursor("__probe__");
      const health = ctx.store.health();
      checks.store = health.ok ? "ok" : (health.reason ?? "store refuses writes");
      if (!health.ok) ok = false;
    } catch {
      checks.store = "store unavailable";
      ok = false;
    }
    for (const [name, probe] of ctx.checks) {
      const r = probe();
      checks[name] = r === true ? "ok" : r;
      if (r !== true) ok = false;
    }
    res.status(ok ? 200 : 503).json({ status: ok ? "ready" : "not_ready", checks });
  };
}

export function getMetrics(ctx: Context): RequestHandler {
  return async (_req, res) => {
    ctx.metrics.queueDepth.set(ctx.store.countByStatus().signed ?? 0);
    ctx.metrics.storeHealthy.set(ctx.store.health().ok ? 1 : 0);
    res.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  };
}
