// Issue #12: a malformed request never gets a 5xx. Percent-encodings that do not decode (`%zz`, a lone `%`,
// bytes that are not UTF-8) used to throw inside the router's parameter decoding and answer 500 (with a
// logged stack) before authentication.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startTestDaemon } from "./helpers.js";

describe("malformed paths", () => {
  for (const path of ["/v1/attestations/%zz", "/v1/attestations/%", "/v1/attestations/%ff%fe", "/v1/cosign/%zz", "/%zz"]) {
    it(`test_RevertWhen_PathDoesNotDecode_Answers400: GET ${path}`, async (t) => {
      const d = await startTestDaemon(t);
      const res = await fetch(d.url + path);
      const body = (await res.json()) as { error?: { code?: string; message?: string } };
      assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
      assert.equal(typeof body.error?.code, "string");
      assert.equal(typeof body.error?.message, "string");
      if (path.startsWith("/v1/attestations/")) {
        assert.equal(res.status, 400);
        assert.equal(body.error?.code, "bad_request");
      }
    });
  }
});
