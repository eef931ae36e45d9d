// The Express app, built from a context and never listening by itself (index.ts / tests listen).
import express, { type Express, type RequestHandler } from "express";
import type { Context } from "../context.js";
import { apiKeyAuth } from "./middleware/apiKeyAuth.js";
import { errorHandler, methodNotAllowed, notFound, rejectOversized, requireJson } from "./middleware/errorHandler.js";
import { jsonBody } from "./middleware/jsonBody.js";
import { rateLimit } from "./middleware/rateLimit.js";
import { requestLog } from "./middleware/requestLog.js";
import { buildOpenApi } from "./openapi.js";
import { getAttestation, postAttestation } from "./routes/attestations.js";
import { postCosign } from "./routes/cosign.js";
import { getFlagged } from "./routes/reports.js";
import { getHealthz, getMetrics, getReadyz } from "./routes/health.js";
import { postScore } from "./routes/score.js";

export function createApp(ctx: Context): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.set("query parser", "simple");

  app.use(requestLog(app, ctx));

  const openapi = buildOpenApi();
  app.route("/healthz").get(getHealthz).all(methodNotAllowed(["GET"]));
  app.route("/readyz").get(getReadyz(ctx)).all(methodNotAllowed(["GET"]));
  app.route("/metrics").get(getMetrics(ctx)).all(methodNotAllowed(["GET"]));
  app.route("/openapi.json").get((_req, res) => void res.json(openapi)).all(methodNotAllowed(["GET"]));

  const body = jsonBody({ limit: ctx.config.bodyLimit });
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
