import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, FatalError, RetryableError, RiskgateError, isRetryable, shortMessageOf } from "../../src/errors.js";

describe("errors", () => {
  it("test_RiskgateError_keepsShortMessageDetailsAndCause", () => {
    const cause = new Error("inner");
    const e = new RetryableError("rpc timed out", { details: "GET http://x", cause, code: "RPC_TIMEOUT" });
    assert.ok(e instanceof RiskgateError);
    assert.equal(e.shortMessage, "rpc timed out");
    assert.equal(e.details, "GET http://x");
    assert.equal(e.cause, cause);
    assert.equal(e.code, "RPC_TIMEOUT");
    assert.match(e.message, /Details: GET http:\/\/x/);
  });

  it("test_isRetryable_WhenOwnBranches", () => {
    assert.equal(isRetryable(new RetryableError("x")), true);
    assert.equal(isRetryable(new FatalError("x")), false);
    assert.equal(isRetryable(new ConfigError("x")), false);
  });

  it("test_isRetryable_WhenForeignTransientErrors", () => {
    assert.equal(isRetryable(Object.assign(new Error("connect"), { code: "ECONNREFUSED" })), true);
    assert.equal(isRetryable(Object.assign(new Error("x"), { name: "HttpRequestError" })), true);
    assert.equal(isRetryable(new Error("nonce too low: next nonce 5")), true);
    assert.equal(isRetryable(new Error("wrapper", { cause: Object.assign(new Error("y"), { name: "TimeoutError" }) })), true);
    assert.equal(isRetryable(Object.assign(new Error("busy"), { status: 429 })), true);
  });

  it("test_isRetryable_WhenRevertOrBadInput", () => {
    assert.equal(isRetryable(Object.assign(new Error("reverted"), { name: "ContractFunctionRevertedError" })), false);
    assert.equal(isRetryable(new TypeError("bad")), false);
    assert.equal(isRetryable("string"), false);
    assert.equal(isRetryable(null), false);
  });

  it("test_shortMessageOf_IsOneLine", () => {
    assert.equal(shortMessageOf(new Error("a\nb")), "a");
    assert.equal(shortMessageOf(new FatalError("short", { details: "long" })), "short");
    assert.equal(shortMessageOf(42), "42");
  });
});
