import assert from "node:assert/strict";
import { request } from "node:http";
import { describe, it } from "node:test";
import { recoverTypedDataAddress } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { hashRiskAttestation } from "../../src/attestation/hashAttestation.js";
import { riskAttestationPrimaryType, riskAttestationTypes, riskgateDomain } from "../../src/attestation/typedData.js";
import { createApiKey } from "../../src/http/apiKeys.js";
import type { StoredAttestation } from "../../src/store/types.js";
import { OPERATOR_KEYS, TEST_ORACLE, addr, b32, startTestDaemon } from "./helpers.js";

const payment = { payer: addr(0xa1), payee: addr(0xb2), token: addr(0x05dc), amount: "250000000" };

async function call(base: string, path: string, init: RequestInit & { json?: unknown } = {}) {
  const headers = new Headers(init.headers);
  let body = init.body;
  if (init.json !== undefined) {
    headers.set("content-type", "application/json");
    body = JSON.stringify(init.json);
  }
  const res = await fetch(base + path, { ...init, headers, body });
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, text, json };
}

function assertError(r: { status: number; json: any }, status: number, code: string) {
  assert.equal(r.status, status, JSON.stringify(r.json));
  assert.equal(r.json?.error?.code, code);
  assert.equal(typeof r.json.error.message, "string");
  assert.deepEqual(Object.keys(r.json), ["error"]);
}

describe("http api", () => {
  it("test_health_ReadyAndOpenApi", async (t) => {
    const d = await startTestDaemon(t);
    assert.equal((await call(d.url, "/healthz")).json.status, "ok");
    const ready = await call(d.url, "/readyz");
    assert.equal(ready.status, 200);
    assert.equal(ready.json.checks.risk, "ok");
    const spec = (await call(d.url, "/openapi.json")).json;
    assert.equal(spec.openapi, "3.1.0");
    const scoreBody = spec.paths["/v1/score"].post.requestBody.content["application/json"].schema;
    assert.deepEqual(scoreBody.required.sort(), ["amount", "payee", "payer", "token"]);
    assert.equal(scoreBody.properties.payer.pattern, "^0x[0-9a-fA-F]{40}$");
    assert.ok(spec.paths["/v1/cosign"].post);
    assert.ok(spec.paths["/v1/reports/flagged"].get.parameters.some((p: { name: string }) => p.name === "format"));
  });

  it("test_readyz_NotReadyWithoutEngine_ScoreAnswers503", async (t) => {
    const d = await startTestDaemon(t, { risk: () => null });
    const ready = await call(d.url, "/readyz");
    assert.equal(ready.status, 503);
    assertError(await call(d.url, "/v1/score", { method: "POST", json: payment }), 503, "not_ready");
  });

  it("test_score_ReturnsScoreDecisionAndRecordsMetrics", async (t) => {
    const d = await startTestDaemon(t);
    const r = await call(d.url, "/v1/score", { method: "POST", json: payment, headers: { "x-request-id": "req-42" } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get("x-request-id"), "req-42");
    assert.ok(Number.isInteger(r.json.score) && r.json.score >= 0 && r.json.score <= 10000);
    assert.ok(["release", "hold", "freeze"].includes(r.json.decision));
    assert.equal(r.json.modelId, d.ctx.risk!.modelId);
    assert.ok(Array.isArray(r.json.reasonNames));
    assert.ok(r.headers.get("x-request-id"));
    const m = await call(d.url, "/metrics");
    assert.match(m.text, /riskgate_score_seconds_count 1/);
    assert.match(m.text, /riskgate_http_request_seconds_count\{method="POST",route="\/v1\/score",status="200"\} 1/);
    assert.match(m.text, /riskgate_queue_depth 0/);
  });

  it("test_RevertWhen_BadInputOfEveryKind_ServerKeepsServing", async (t) => {
    const d = await startTestDaemon(t, { config: { bodyLimit: "1kb" } });
    const post = (json: unknown) => call(d.url, "/v1/score", { method: "POST", json });
    assertError(await post({ ...payment, payer: "0x1234" }), 400, "invalid_request");
    assert.match((await post({ ...payment, payer: "0x1234" })).json.error.message, /^payer: /);
    assertError(await post({ ...payment, amount: "-5" }), 400, "invalid_request");
    assertError(await post({ ...payment, amount: 5 }), 400, "invalid_request");
    assertError(await post({ ...payment, amount: (2n ** 256n).toString() }), 400, "invalid_request");
    assertError(await post({ ...payment, extra: 1 }), 400, "invalid_request");
    assertError(await post({ payer: payment.payer }), 400, "invalid_request");
    assertError(await post([1, 2]), 400, "invalid_request");
    assertError(await post({ ...payment, decimals: 99 }), 400, "invalid_request");
    assertError(await call(d.url, "/v1/score", { method: "POST", body: "{bad json", headers: { "content-type": "application/json" } }), 400, "invalid_json");
    assertError(await call(d.url, "/v1/score", { method: "POST", body: "null", headers: { "content-type": "application/json" } }), 400, "invalid_json");
    assertError(await post({ ...payment, pad: "x".repeat(2000) }), 413, "payload_too_large");
    assertError(await call(d.url, "/v1/score", { method: "POST", body: "payer=1", headers: { "content-type": "text/plain" } }), 415, "unsupported_media_type");
    const m405 = await call(d.url, "/v1/score");
    assertError(m405, 405, "method_not_allowed");
    assert.equal(m405.headers.get("allow"), "POST");
    assertError(await call(d.url, "/v1/nope"), 404, "not_found");
    assertError(await call(d.url, "/v1/attestations/0x12"), 400, "invalid_request");
    assertError(await call(d.url, `/v1/attestations/${b32(5)}`), 404, "not_found");
    assertError(await call(d.url, "/v1/reports/flagged?from=yesterday"), 400, "invalid_request");
    assertError(await call(d.url, "/v1/reports/flagged?format=xml"), 400, "invalid_request");
    assertError(await call(d.url, "/v1/reports/flagged?from=200&to=100"), 400, "invalid_request");
    // Declared length larger than the limit, body never sent in full: refused with 413 all the same.
    const early = await new Promise<number>((resolve, reject) => {
      const u = new URL(d.url);
      const req = request({ host: u.hostname, port: u.port, path: "/v1/score", method: "POST", headers: { "content-type": "application/json", "content-length": "100000" } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on("error", reject);
      req.write("{");
    });
    assert.equal(early, 413);
    // Still serving.
    assert.equal((await post(payment)).status, 200);
  });

  it("test_RevertWhen_ApiKeyMissingOrWrong_RateLimitedPerKey", async (t) => {
    const d = await startTestDaemon(t, { config: { requireApiKey: true, rateLimitPerMinute: 3 } });
    assertError(await call(d.url, "/v1/score", { method: "POST", json: payment }), 401, "unauthorized");
    assertError(await call(d.url, "/v1/score", { method: "POST", json: payment, headers: { "x-api-key": "rk_wrong" } }), 401, "unauthorized");
    const { key } = createApiKey(d.ctx.store, "alice");
    const { key: key2 } = createApiKey(d.ctx.store, "bob");
    for (let i = 0; i < 3; i++) assert.equal((await call(d.url, "/v1/score", { method: "POST", json: payment, headers: { "x-api-key": key } })).status, 200);
    const limited = await call(d.url, "/v1/score", { method: "POST", json: payment, headers: { "x-api-key": key } });
    assertError(limited, 429, "rate_limited");
    assert.ok(Number(limited.headers.get("retry-after")) >= 1);
    // Another key has its own bucket; Bearer form accepted.
    assert.equal((await call(d.url, "/v1/score", { method: "POST", json: payment, headers: { authorization: `Bearer ${key2}` } })).status, 200);
    // The store holds only hashes.
    assert.equal(d.ctx.store.findApiKey(key as `0x${string}`), null);
    // Public probes need no key.
    assert.equal((await call(d.url, "/healthz")).status, 200);
    assert.match((await call(d.url, "/metrics")).text, /riskgate_rate_limited_total 1/);
  });

  it("test_RevertWhen_InternalError_NoStackNoSecretLeaks", async (t) => {
    const d = await startTestDaemon(t, {
      risk: () => ({
        modelId: b32(1),
        backend: "cpu",
        bands: { allowBelow: 3000, freezeAt: 8000 },
        score() {
          throw new Error("db password=hunter2 at /srv/secret.ts:42");
        },
        scoreBatch() {
          return [];
        },
        close() {},
      }),
    });
    const r = await call(d.url, "/v1/score", { method: "POST", json: payment });
    assertError(r, 500, "internal");
    assert.ok(!r.text.includes("hunter2") && !r.text.includes("secret.ts") && !r.text.includes(" at "));
    assert.match(r.json.error.message, /request id/);
    assert.equal((await call(d.url, "/healthz")).status, 200);
  });

  it("test_attestations_PullModeSignedAndRetrievable", async (t) => {
    const d = await startTestDaemon(t);
    const req = { consumer: addr(0xe5c), subject: b32(0x51), ...payment };
    const r = await call(d.url, "/v1/attestations", { method: "POST", json: req });
    assert.equal(r.status, 201, r.text);
    const a = r.json.attestation;
    const domain = riskgateDomain(31337, TEST_ORACLE);
    const message = { ...a, amount: BigInt(a.amount), issuedAt: BigInt(a.issuedAt), expiresAt: BigInt(a.expiresAt) };
    assert.equal(r.json.uid, hashRiskAttestation(domain, message));
    assert.equal(BigInt(a.expiresAt) - BigInt(a.issuedAt), 600n);
    assert.equal(r.json.signed, 1);
    assert.equal(r.json.threshold, 1);
    const signer = await recoverTypedDataAddress({ domain, types: riskAttestationTypes, primaryType: riskAttestationPrimaryType, message, signature: r.json.signatures[0] });
    assert.equal(signer, privateKeyToAccount(OPERATOR_KEYS[0]).address);
    assert.deepEqual(r.json.signerSet, [signer.toLowerCase()]);
    const got = await call(d.url, `/v1/attestations/${r.json.uid}`);
    assert.equal(got.status, 200);
    assert.equal(got.json.status, "issued");
    assert.deepEqual(got.json.signatures, r.json.signatures);
    // The payment is now part of the history used for features.
    assert.equal(d.ctx.store.history.paymentsSince({ payer: payment.payer, since: 0 }).length, 1);
  });

  it("test_RevertWhen_NoOperatorKey_AttestationsAnswer503", async (t) => {
    const d = await startTestDaemon(t, { account: null, signers: [addr(1)] });
    assertError(await call(d.url, "/v1/attestations", { method: "POST", json: { consumer: addr(0xe5c), subject: b32(1), ...payment } }), 503, "no_signer");
  });

  it("test_reportsFlagged_JsonAndCsv", async (t) => {
    const d = await startTestDaemon(t);
    const base: StoredAttestation = {
      uid: b32(1), consumer: addr(0xe5c), subject: b32(11), payer: addr(0xa1), payee: addr(0xb2), token: addr(0x05dc), amount: 5n,
      score: 9900, reasons: 0x21, modelId: b32(0x77), issuedAt: 1_700_000_000n, expiresAt: 1_700_000_600n, nonce: b32(3), decision: "freeze",
      mode: "push", signers: [addr(1)], signatures: ["0x01"], status: "posted", txHash: b32(0xf), blockNumber: 3, blockHash: b32(0xb), seenAt: null,
      lastError: null, createdAt: 0, updatedAt: 0,
    };
    d.ctx.store.insertAttestation(base);
    d.ctx.store.insertAttestation({ ...base, uid: b32(2), subject: b32(12), decision: "hold", score: 5000, issuedAt: 1_700_000_100n });
    d.ctx.store.insertAttestation({ ...base, uid: b32(3), subject: b32(13), decision: "release", score: 10, issuedAt: 1_700_000_200n });
    const j = await call(d.url, "/v1/reports/flagged?from=1699999999&to=1700000300");
    assert.equal(j.status, 200);
    assert.equal(j.json.count, 2);
    assert.deepEqual(j.json.items.map((i: { decision: string }) => i.decision), ["freeze", "hold"]);
    assert.equal(j.json.items[0].modelId, b32(0x77));
    assert.equal(j.json.items[0].reasons, "0x00000021");
    const c = await call(d.url, "/v1/reports/flagged?from=2023-11-14T00:00:00Z&to=2023-11-15T00:00:00Z&format=csv");
    assert.equal(c.status, 200);
    assert.match(c.headers.get("content-type")!, /text\/csv/);
    const lines = c.text.trim().split("\n");
    assert.equal(lines.length, 3);
    assert.ok(lines[0]!.startsWith("uid,issuedAt,decision,score,reasons,reasonNames,modelId"));
  });
});
