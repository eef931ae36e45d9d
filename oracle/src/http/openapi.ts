// OpenAPI 3.1 document generated from the same zod schemas the server validates with.
import { z } from "zod";
import { AttestationRequest, CosignRequest, CosignResponse, ErrorResponse, FlaggedQuery, ScoreRequest, ScoreResponse, SignedAttestationResponse } from "./schemas.js";

const json = (s: z.ZodType, io: "input" | "output") => z.toJSONSchema(s, { io, unrepresentable: "any", target: "draft-2020-12" });
const content = (s: z.ZodType, io: "input" | "output" = "output") => ({ "application/json": { schema: json(s, io) } });
const err = (description: string) => ({ description, content: content(ErrorResponse) });
const common = {
  "400": err("invalid input"),
  "401": err("missing or invalid API key"),
  "413": err("body too large"),
  "415": err("not application/json"),
  "429": err("rate limited"),
  "500": err("internal error (no details leaked)"),
};

export function buildOpenApi(version = "0.1.0") {
  const flaggedParams = Object.entries((json(FlaggedQuery, "input") as { properties: Record<string, object> }).properties).map(([name, schema]) => ({
    name,
    in: "query",
    required: false,
    schema,
  }));
  return {
    openapi: "3.1.0",
    info: { title: "Riskgate oracle API", version, description: "Risk scores and EIP-712 RiskAttestations for stablecoin settlements." },
    components: { securitySchemes: { apiKey: { type: "apiKey", in: "header", name: "x-api-key" }, operatorHmac: { type: "apiKey", in: "header", name: "x-riskgate-signature" } } },
    security: [{ apiKey: [] }],
    paths: {
      "/v1/score": {
        post: {
          summary: "Score a proposed payment (no signature)",
          requestBody: { required: true, content: content(ScoreRequest, "input") },
          responses: { "200": { description: "score", content: content(ScoreResponse) }, ...common },
        },
      },
      "/v1/attestations": {
        post: {
          summary: "Pull mode: a signed attestation + signer set + aligned signatures for the release call",
          requestBody: { required: true, content: content(AttestationRequest, "input") },
          responses: { "201": { description: "signed", content: content(SignedAttestationResponse) }, "503": err("threshold not reachable now"), ...common },
        },
      },
      "/v1/attestations/{uid}": {
        get: {
          summary: "An attestation issued by this operator",
          parameters: [{ name: "uid", in: "path", required: true, schema: { type: "string", pattern: "^0x[0-9a-fA-F]{64}$" } }],
          responses: { "200": { description: "found", content: content(SignedAttestationResponse) }, "404": err("unknown uid"), ...common },
        },
      },
      "/v1/cosign": {
        post: {
          summary: "Operator-to-operator co-signing (HMAC-authenticated)",
          security: [{ operatorHmac: [] }],
          requestBody: { required: true, content: content(CosignRequest, "input") },
          responses: { "200": { description: "co-signature", content: content(CosignResponse) }, "409": err("scores disagree or other domain"), "422": err("bad time window"), ...common },
        },
      },
      "/v1/reports/flagged": {
        get: {
          summary: "Held and frozen verdicts in a time range (json or csv)",
          parameters: flaggedParams,
          responses: { "200": { description: "report", content: { "application/json": {}, "text/csv": {} } }, ...common },
        },
      },
      "/healthz": { get: { security: [], summary: "Liveness", responses: { "200": { description: "alive" } } } },
      "/readyz": { get: { security: [], summary: "Readiness", responses: { "200": { description: "ready" }, "503": { description: "not ready" } } } },
      "/metrics": { get: { security: [], summary: "Prometheus metrics", responses: { "200": { description: "text exposition" } } } },
      "/openapi.json": { get: { security: [], summary: "This document", responses: { "200": { description: "OpenAPI 3.1" } } } },
    },
  };
}
