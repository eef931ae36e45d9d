// The HTTP request pipeline on a real server on loopback: request ids in logs (requestLog), JSON bodies
// read directly or through express.json() (jsonBody), the API key cache (apiKeyAuth).
import assert from "node:assert/strict";
import type { Server } from "node:http";
import { request } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import express from "express";
import { type Context, createContext } from "../../src/context.js";
import { createApp } from "../../src/http/app.js";
import { createApiKey } from "../../src/http/apiKeys.js";
import { apiKeyAuth } from "../../src/http/middleware/apiKeyAuth.js";
import { errorHandler } from "../../src/http/middleware/errorHandler.js";
import { createLogger } from "../../src/logger.js";
import { createRiskEngine } from "../../src/risk/createRiskEngine.js";
import type { RiskEngine } from "../../src/risk/types.js";
import { createSqliteStore } from "../../src/store/sqliteStore.js";
import { addr, b32, testConfig } from "./helpers.js";

const payment = { payer: addr(0xa1), payee: addr(0xb2), token: addr(0x05dc), amount: "250000000" };
type Line = Record<string, any>;

let engine: Promise<RiskEngine> | undefined;
const sharedEngine = () => (engine ??= createRiskEngine({ history: createSqliteStore({ path: ":memory:" }).history }));

async function listen(t: { after: (fn: () => Promise<void>) => void }, app: express.Express): Promise<string> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The real app with a logger whose lines the test reads back. */
async function startApp(
  t: { after: (fn: () => Promise<void>) => void },
  o: { level?: string; risk?: RiskEngine; config?: Record<string, unknown> } = {},
): Promise<{ url: string; lines: Line[]; ctx: Context }> {
  const lines: Line[] = [];
  const logger = createLogger({ level: o.level ?? "debug", destination: { write: (s: string) => void lines.push(JSON.parse(s)) } });
  const ctx = createContext({ config: testConfig({ dbPath: ":memory:", requireApiKey: false, ...o.config }), logger, risk: o.risk ?? (await sharedEngine()) });
  t.after(async () => {
    ctx.store.close();
  });
  return { url: await listen(t, createApp(ctx)), lines, ctx };
}

async function post(url: string, body: string | Uint8Array, headers: Record<string, string> = { "content-type": "application/json" }) {
  const r = await fetch(`${url}/v1/score`, { method: "POST", body: typeof body === "string" ? body : new Uint8Array(body), headers });
  const text = await r.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: r.status, headers: r.headers, json, text };
}

/** A request sent chunk by chunk (Transfer-Encoding: chunked, no Content-Length). */
function postChunked(url: string, chunks: string[]): Promise<{ status: number; connection: string | undefined; json: any }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path: "/v1/score", method: "POST", headers: { "content-type": "application/json" } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode!, connection: res.headers.connection, json: JSON.parse(text) }));
    });
    req.on("error", reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

const completions = (lines: Line[]) => lines.filter((l) => l.msg === "request completed");

describe("http pipeline", () => {
  it("test_requestLog_GivenRequestId_EchoedAndBoundToItsLines", async (t) => {
    const { url, lines } = await startApp(t);
    const ok = await post(url, JSON.stringify(payment), { "content-type": "application/json", "x-request-id": "req-7.a:b" });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.headers.get("x-request-id"), "req-7.a:b");
    const done = completions(lines).find((l) => l.reqId === "req-7.a:b");
    assert.ok(done, JSON.stringify(lines));
    assert.equal(done.level, "debug");
    assert.deepEqual(done.req, { id: "req-7.a:b", method: "POST", url: "/v1/score" });
    assert.deepEqual(done.res, { statusCode: 200 });
    assert.equal(typeof done.responseTime, "number");
  });

  it("test_requestLog_WhenRequestIdInvalidOrMissing_GeneratesUuid", async (t) => {
    const { url, lines } = await startApp(t);
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    const bad = await post(url, JSON.stringify(payment), { "content-type": "application/json", "x-request-id": "has space" });
    const none = await post(url, JSON.stringify(payment));
    for (const r of [bad, none]) {
      const id = r.headers.get("x-request-id")!;
      assert.match(id, uuid);
      assert.equal(completions(lines).filter((l) => l.reqId === id).length, 1);
    }
    assert.notEqual(bad.headers.get("x-request-id"), none.headers.get("x-request-id"));
  });

  it("test_requestLog_GivenInfoLevel_2xxSilent_4xxWarnWithId", async (t) => {
    const { url, lines } = await startApp(t, { level: "info" });
    assert.equal((await post(url, JSON.stringify(payment))).status, 200);
    assert.equal(completions(lines).length, 0);
    const bad = await post(url, "{nope", { "content-type": "application/json", "x-request-id": "bad-1" });
    assert.equal(bad.status, 400);
    const [line] = completions(lines);
    assert.equal(line?.level, "warn");
    assert.equal(line?.reqId, "bad-1");
    assert.equal(line?.res.statusCode, 400);
  });

  it("test_requestLog_ClientAbortsFirst_LoggedAtInfoNotError", async (t) => {
    // Issue #12: a leader cancels its extra co-sign requests once it has its threshold; those aborted requests
    // were logged at error level (61 lines per 200 payments), drowning real errors.
    const { url, lines } = await startApp(t);
    const u = new URL(url);
    await new Promise<void>((resolve) => {
      const req = request({ host: u.hostname, port: u.port, path: "/v1/score", method: "POST", headers: { "content-type": "application/json" } });
      req.on("error", () => resolve());
      req.write('{"payer":');
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 100);
    });
    let aborted: Line | undefined;
    for (let i = 0; i < 50 && !aborted; i++) {
      await new Promise((r) => setTimeout(r, 20));
      aborted = lines.find((l) => l.msg === "request aborted");
    }
    assert.ok(aborted, "the aborted request is logged");
    assert.equal(aborted.level, "info", "info, not error");
  });

  it("test_RevertWhen_InternalError_LoggedOnceWithRequestIdAndStack", async (t) => {
    const risk: RiskEngine = {
      modelId: b32(1),
      backend: "cpu",
      bands: { allowBelow: 3000, freezeAt: 8000 },
      score() {
        throw new Error("boom in the engine");
      },
      scoreBatch: () => [],
      close() {},
    };
    const { url, lines } = await startApp(t, { risk, level: "info" });
    const r = await post(url, JSON.stringify(payment), { "content-type": "application/json", "x-request-id": "err-1" });
    assert.equal(r.status, 500);
    assert.equal(r.json.error.message, "internal error (request id err-1)");
    const failed = lines.filter((l) => l.msg === "request failed");
    assert.equal(failed.length, 1, JSON.stringify(lines));
    assert.equal(failed[0]!.reqId, "err-1");
    assert.match(failed[0]!.err.stack, /boom in the engine/);
    const done = completions(lines);
    assert.equal(done.length, 1);
    assert.equal(done[0]!.level, "error");
  });

  it("test_metrics_LatencyHistogramByRouteAndStatus", async (t) => {
    const { url } = await startApp(t, { level: "silent" });
    await post(url, JSON.stringify(payment));
    await post(url, JSON.stringify(payment));
    await post(url, "[]");
    await fetch(`${url}/nope`);
    const m = await (await fetch(`${url}/metrics`)).text();
    assert.match(m, /riskgate_http_request_seconds_count\{method="POST",route="\/v1\/score",status="200"\} 2/);
    assert.match(m, /riskgate_http_request_seconds_count\{method="POST",route="\/v1\/score",status="400"\} 1/);
    assert.match(m, /riskgate_http_request_seconds_count\{method="GET",route="unmatched",status="404"\} 1/);
  });

  it("test_jsonBody_ChunkedUnderLimit_ParsedLikeOneBuffer", async (t) => {
    const { url } = await startApp(t, { level: "silent" });
    const text = JSON.stringify(payment);
    const r = await postChunked(url, [text.slice(0, 10), text.slice(10, 50), text.slice(50)]);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(typeof r.json.score, "number");
  });

  it("test_RevertWhen_ChunkedBodyOverLimit_413AndConnectionClosed", async (t) => {
    const { url } = await startApp(t, { level: "silent", config: { bodyLimit: "1kb" } });
    const r = await postChunked(url, ['{"pad":"', "x".repeat(800), "x".repeat(800), '"}']);
    assert.equal(r.status, 413);
    assert.equal(r.json.error.code, "payload_too_large");
    assert.equal(r.connection, "close");
    assert.equal((await post(url, JSON.stringify(payment))).status, 200);
  });

  it("test_RevertWhen_BodyNotAJsonObjectOrArray_400InvalidJson", async (t) => {
    const { url } = await startApp(t, { level: "silent" });
    for (const body of ["123", '"str"', "true", "{bad", "[1,", " \n x"]) {
      const r = await post(url, body);
      assert.equal(r.status, 400, body);
      assert.deepEqual(r.json, { error: { code: "invalid_json", message: "request body is not valid JSON" } });
    }
  });

  it("test_jsonBody_EmptyBodyReadsAsEmptyObject_BomAndWhitespaceAccepted", async (t) => {
    const { url } = await startApp(t, { level: "silent" });
    const empty = await post(url, "");
    assert.equal(empty.status, 400);
    assert.equal(empty.json.error.code, "invalid_request"); // {} fails validation, not JSON parsing
    assert.equal((await post(url, `\uFEFF \r\n\t${JSON.stringify(payment)}`)).status, 200);
    assert.equal((await post(url, JSON.stringify(payment), { "content-type": "Application/JSON; charset=UTF-8" })).status, 200);
  });

  it("test_jsonBody_GzipAndUtf16_GoThroughExpressJson", async (t) => {
    const { url } = await startApp(t, { level: "silent" });
    const text = JSON.stringify(payment);
    const gz = await post(url, gzipSync(text), { "content-type": "application/json", "content-encoding": "gzip" });
    assert.equal(gz.status, 200, gz.text);
    const utf16 = await post(url, Buffer.from(text, "utf16le"), { "content-type": "application/json; charset=utf-16le" });
    assert.equal(utf16.status, 200, utf16.text);
    const latin1 = await post(url, text, { "content-type": "application/json; charset=latin1" });
    assert.equal(latin1.status, 415);
    assert.equal(latin1.json.error.code, "bad_request");
  });

  it("test_RevertWhen_PostWithoutBody_415", async (t) => {
    const { url } = await startApp(t, { level: "silent" });
    const r = await fetch(`${url}/v1/score`, { method: "POST", headers: { "content-type": "application/json" } });
    // fetch sends Content-Length: 0 for an empty POST: a body of length 0 is a body (400, not 415).
    assert.equal(r.status, 400);
    // Neither Content-Length nor Transfer-Encoding: no body at all, so not a JSON body (as req.is() says).
    const u = new URL(url);
    const raw = await new Promise<string>((resolve, reject) => {
      const sock = connect(Number(u.port), u.hostname, () => sock.end("POST /v1/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"));
      let text = "";
      sock.setEncoding("utf8");
      sock.on("data", (c) => (text += c));
      sock.on("end", () => resolve(text));
      sock.on("error", reject);
    });
    const status = Number(raw.split(" ")[1]);
    assert.equal(status, 415);
  });
});

describe("api key cache", () => {
  function keyApp(t: { after: (fn: () => Promise<void>) => void }, cacheMs: number) {
    const ctx = createContext({ config: testConfig({ dbPath: ":memory:", requireApiKey: true }) });
    t.after(async () => ctx.store.close());
    const app = express();
    app.get("/who", apiKeyAuth(ctx, { cacheMs }), (req, res) => void res.json({ principal: req.principal }));
    app.use(errorHandler(ctx));
    return { ctx, app };
  }
  const who = async (url: string, key: string) => {
    const r = await fetch(`${url}/who`, { headers: { "x-api-key": key } });
    return { status: r.status, json: (await r.json()) as any };
  };

  it("test_apiKey_ValidKeyCached_RevocationSeenAfterCacheMs", async (t) => {
    const { ctx, app } = keyApp(t, 200);
    const url = await listen(t, app);
    const { key, record } = createApiKey(ctx.store, "alice");
    assert.deepEqual(await who(url, key), { status: 200, json: { principal: `key:${record.id}` } });
    ctx.store.revokeApiKey(record.id);
    assert.equal((await who(url, key)).status, 200); // still trusted from the cache
    await new Promise((r) => setTimeout(r, 250));
    const after = await who(url, key);
    assert.equal(after.status, 401);
    assert.equal(after.json.error.code, "unauthorized");
  });

  it("test_apiKey_GivenCacheOff_RevocationImmediate", async (t) => {
    const { ctx, app } = keyApp(t, 0);
    const url = await listen(t, app);
    const { key, record } = createApiKey(ctx.store, "bob");
    assert.equal((await who(url, key)).status, 200);
    ctx.store.revokeApiKey(record.id);
    assert.equal((await who(url, key)).status, 401);
  });

  it("test_apiKey_UnknownKeyNotCached_WorksOnceCreated", async (t) => {
    const { ctx, app } = keyApp(t, 60_000);
    const url = await listen(t, app);
    assert.equal((await who(url, "rk_notyet")).status, 401);
    // Insert the hash of exactly that key (as `apikey create` would for a key it generated).
    const { hashApiKey } = await import("../../src/http/apiKeys.js");
    const rec = ctx.store.insertApiKey("carol", hashApiKey("rk_notyet"));
    assert.deepEqual(await who(url, "rk_notyet"), { status: 200, json: { principal: `key:${rec.id}` } });
  });
});
