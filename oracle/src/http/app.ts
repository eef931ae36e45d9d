// The Express app, built from a context and never listening by itself (index.ts / tests listen).
import { randomUUID } from "node:crypto";
import express, { type Express, type RequestHandler } from "express";
import { pinoHttp } from "pino-http";
import type { Context } from "../context.js";
import { apiKeyAuth } from "./middleware/apiKeyAuth.js";
import { errorHandler, methodNotAllowed, notFound, rejectOversized, requireJson } from "./middleware/errorHandler.js";
import { rateLimit } from "./middleware/rateLimit.js";
import { buildOpenApi } from "./openapi.js";
import { getAttestation, postAttestation } from "./routes/attestations.js";
import { postCosign } from "./routes/cosign.js";
import { getFlagged } from "./routes/reports.js";
import { getHealthz, getMetrics, getReadyz } from "./routes/health.js";
import { postScore } from "./routes/score.js";

const REQUEST_ID = /^[\w.:-]{1,128}$/;

export function createApp(ctx: Context): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.set("query parser", "simple");

  app.use(
    pinoHttp({
      logger: ctx.logger,
      genReqId: (req, res) => {
        const given = req.headers["x-request-id"];
        const id = typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
        res.setHeader("x-request-id", id);
        return id;
      },
      quietReqLogger: true,
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? "error" : res.statusCode >= 400 ? "warn" : "debug"),
      serializers: { req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }) },
    }),
  );
  app.use((req, res, next) => {
    const t0 = performance.now();
    res.on("finish", () => {
      const route = (req.route?.path as string | undefined) ?? "unmatched";
      ctx.metrics.httpLatency.observe({ method: req.method, route: `${req.baseUrl}${route}`, status: String(res.statusCode) }, (performance.now() - t0) / 1000);
    });
    next();
  });

  const openapi = buildOpenApi();
  app.route("/healthz").get(getHealthz).all(methodNotAllowed(["GET"]));
  app.route("/readyz").get(getReadyz(ctx)).all(methodNotAllowed(["GET"]));
  app.route("/metrics").get(getMetrics(ctx)).all(methodNotAllowed(["GET"]));
  app.route("/openapi.json").get((_req, res) => void res.json(openapi)).all(methodNotAllowed(["GET"]));

  const body = express.json({
    limit: ctx.config.bodyLimit,
    strict: true,
    verify: (req, _res, buf) => {
      (req as unknown as { rawBody: Buffer }).rawBody = buf;
    },
  });
  const auth = apiKeyAuth(ctx);
  const limit = rateLimit(ctx);
  const oversized = rejectOversized(ctx.config.bodyLimit);
  const client: RequestHandler[] = [oversized, auth, limit, requireJson, body];

  app.route("/v1/score").post(...client, postScore(ctx)).all(methodNotAllowed(["POST"]));
  app.route("/v1/attestations").post(...client, postAttestation(ctx)).all(methodNotAllowed(["POST"]));
  app.route("/v1/attestations/:uid").get(auth, limit, getAttestation(ctx)).all(methodNotAllowed(["GET"]));
  app.route("/v1/reports/flagged").get(auth, limit, getFlagged(ctx)).all(methodNotAllowed(["GET"]));
  app.route("/v1/cosign").post(oversized, requireJson, body, postCosign(ctx)).all(methodNotAllowed(["POST"]));

  app.use(notFound);
  app.use(errorHandler(ctx));
  return app;
}
