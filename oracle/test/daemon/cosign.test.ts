import assert from "node:assert/strict";
import { createServer } from "node:net";
import { describe, it } from "node:test";
import { recoverTypedDataAddress } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { signOperatorRequest } from "../../src/attestation/operatorAuth.js";
import { setPullVerifier } from "../../src/chain/chainRuntime.js";
import { riskAttestationPrimaryType, riskAttestationTypes, riskgateDomain } from "../../src/attestation/typedData.js";
import { OPERATOR_KEYS, TEST_ORACLE, addr, b32, startTestDaemon } from "./helpers.js";

const SECRET = "operators-shared-secret-for-tests-32+";
const accounts = OPERATOR_KEYS.map((k) => privateKeyToAccount(k));
const signers = accounts.map((a) => a.address);
const request = { consumer: addr(0xe5c), subject: b32(0x77), payer: addr(0xa1), payee: addr(0xb2), token: addr(0x05dc), amount: "1000000" };

/** A loopback port with nothing listening (a dead operator). */
async function deadPeer(): Promise<string> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return `http://127.0.0.1:${port}`;
}

/**
 * Three operators without a chain. A pull-mode co-sign needs the settlement checked on chain (Gate rule
 * G14.3, tested e2e on a hardhat node); these tests are about collecting signatures, so unless told
 * otherwise the co-signers take the settlement as on chain.
 */
async function operators(t: Parameters<typeof startTestDaemon>[0], threshold = 2, onChain = true) {
  const ds = await Promise.all(accounts.map((account) => startTestDaemon(t, { account, signers, threshold, config: { cosignSecret: SECRET, cosignTimeoutMs: 1000 } })));
  if (onChain) for (const d of ds) setPullVerifier(d.ctx, async () => ({ ok: true }));
  return ds;
}

async function cosignCall(url: string, body: unknown, secret = SECRET) {
  const text = JSON.stringify(body);
  const res = await fetch(`${url}/v1/cosign`, { method: "POST", headers: { "content-type": "application/json", ...signOperatorRequest(secret, "POST", "/v1/cosign", text) }, body: text });
  return { status: res.status, json: (await res.json()) as any };
}

describe("k-of-n co-signing", () => {
  it("test_cosign_TwoOfThreeWithOneDeadPeer", async (t) => {
    const [a, b] = await operators(t);
    a!.ctx.config.cosignPeers = [await deadPeer(), b!.url];
    const res = await fetch(`${a!.url}/v1/attestations`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(request) });
    const json = (await res.json()) as any;
    assert.equal(res.status, 201, JSON.stringify(json));
    assert.equal(json.signed, 2);
    assert.equal(json.threshold, 2);
    const att = json.attestation;
    const message = { ...att, amount: BigInt(att.amount), issuedAt: BigInt(att.issuedAt), expiresAt: BigInt(att.expiresAt) };
    const domain = riskgateDomain(31337, TEST_ORACLE);
    const sorted = [...signers].sort((x, y) => (x.toLowerCase() < y.toLowerCase() ? -1 : 1));
    assert.deepEqual(json.signerSet, sorted.map((s) => s.toLowerCase()));
    let valid = 0;
    for (let i = 0; i < sorted.length; i++) {
      if (json.signatures[i] === "0x") continue;
      const who = await recoverTypedDataAddress({ domain, types: riskAttestationTypes, primaryType: riskAttestationPrimaryType, message, signature: json.signatures[i] });
      assert.equal(who, sorted[i], "signature sits in its signer's slot");
      valid++;
    }
    assert.equal(valid, 2);
  });

  it("test_RevertWhen_ThresholdUnreachable_503", async (t) => {
    const [a] = await operators(t);
    a!.ctx.config.cosignPeers = [await deadPeer()];
    const res = await fetch(`${a!.url}/v1/attestations`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(request) });
    assert.equal(res.status, 503);
    assert.equal(((await res.json()) as any).error.code, "quorum_unavailable");
  });

  it("test_RevertWhen_CosignUnauthenticatedDisagreeingOrStale", async (t) => {
    const [, b] = await operators(t);
    const now = Math.floor(Date.now() / 1000);
    const own = b!.ctx.risk!.score({ payer: request.payer, payee: request.payee, token: request.token, amount: 1_000_000n, timestamp: now });
    const att = { ...request, score: own.score, reasons: own.reasons, modelId: own.modelId, issuedAt: String(now), expiresAt: String(now + 300), nonce: b32(9) };
    const body = { chainId: 31337, oracle: TEST_ORACLE, attestation: att };
    const ok = await cosignCall(b!.url, body);
    assert.equal(ok.status, 200, JSON.stringify(ok.json));
    assert.equal(ok.json.signer, accounts[1]!.address);
    assert.equal((await cosignCall(b!.url, body, "wrong secret")).status, 401);
    const unsigned = await fetch(`${b!.url}/v1/cosign`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    assert.equal(unsigned.status, 401);
    const disagree = await cosignCall(b!.url, { ...body, attestation: { ...att, score: Math.min(10000, own.score + 2000) } });
    assert.equal(disagree.status, 409);
    assert.equal(disagree.json.error.code, "score_disagrees");
    assert.equal(disagree.json.score, own.score);
    assert.equal((await cosignCall(b!.url, { ...body, chainId: 1 })).json.error.code, "domain_mismatch");
    const stale = await cosignCall(b!.url, { ...body, attestation: { ...att, issuedAt: String(now - 3600), expiresAt: String(now + 60) } });
    assert.equal(stale.status, 422);
    const tooLong = await cosignCall(b!.url, { ...body, attestation: { ...att, expiresAt: String(now + 86_400) } });
    assert.equal(tooLong.status, 422);
    assert.equal((await cosignCall(b!.url, { ...body, attestation: { ...att, payer: "nope" } })).status, 400);
  });

  it("test_RevertWhen_CosignRequestReplayed_409ReplayedRequest", async (t) => {
    // Issue #12: a captured /v1/cosign request could be replayed within its 60 s window (each replay costs
    // scoring and signing). A request is single-use: its MAC is remembered for the window.
    const [, b] = await operators(t);
    const text = JSON.stringify({ mode: "pull", attestation: { ...request, score: 100, reasons: 0, modelId: b32(1), issuedAt: "1", expiresAt: "2", nonce: b32(2) } });
    const headers: Record<string, string> = { "content-type": "application/json", ...signOperatorRequest(SECRET, "POST", "/v1/cosign", text) };
    const first = await fetch(`${b!.url}/v1/cosign`, { method: "POST", headers, body: text });
    const firstJson = (await first.json()) as { error?: { code: string } };
    assert.notEqual(firstJson.error?.code, "replayed_request");
    const again = await fetch(`${b!.url}/v1/cosign`, { method: "POST", headers, body: text });
    const againJson = (await again.json()) as { error?: { code: string; message: string } };
    assert.equal(again.status, 409, JSON.stringify(againJson));
    assert.equal(againJson.error?.code, "replayed_request");
    // The same MAC written differently (upper case, trailing junk the hex decoder drops) is the same request.
    const sig = headers["x-riskgate-signature"]!;
    for (const variant of [sig.toUpperCase(), `${sig}zz`]) {
      const r = await fetch(`${b!.url}/v1/cosign`, { method: "POST", headers: { ...headers, "x-riskgate-signature": variant }, body: text });
      assert.equal(((await r.json()) as { error?: { code: string } }).error?.code, "replayed_request", variant);
    }
  });

  it("test_RevertWhen_PullCosignWithoutChainView_409UnknownSettlement", async (t) => {
    const [a, b] = await operators(t, 2, false);
    const now = Math.floor(Date.now() / 1000);
    const own = b!.ctx.risk!.score({ payer: request.payer, payee: request.payee, token: request.token, amount: 1_000_000n, timestamp: now });
    const att = { ...request, score: own.score, reasons: own.reasons, modelId: own.modelId, issuedAt: String(now), expiresAt: String(now + 300), nonce: b32(9) };
    const refused = await cosignCall(b!.url, { chainId: 31337, oracle: TEST_ORACLE, attestation: att });
    assert.equal(refused.status, 409, JSON.stringify(refused.json));
    assert.equal(refused.json.error.code, "unknown_settlement");
    // So a leader whose peers cannot check the settlement does not reach a 2-of-3 quorum.
    a!.ctx.config.cosignPeers = [b!.url];
    const res = await fetch(`${a!.url}/v1/attestations`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(request) });
    assert.equal(res.status, 503);
  });
});
