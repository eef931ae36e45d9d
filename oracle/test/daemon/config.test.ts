import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { configOptions, defaultConfirmations, describeConfig, envNameOf, flagNameOf, loadConfig } from "../../src/config.js";
import { ConfigError } from "../../src/errors.js";
import { tempDir } from "./helpers.js";

describe("config", () => {
  it("test_loadConfig_DefaultsWhenNothingSet", () => {
    const c = loadConfig({ env: {} });
    assert.equal(c.rpcUrl, "http://127.0.0.1:8545");
    assert.equal(c.confirmations, undefined); // per chain, see test_defaults_SafeForPublicChains
    assert.equal(c.httpPort, 8080);
    assert.deepEqual(c.cosignPeers, []);
    assert.equal(c.requireApiKey, true);
    assert.equal(c.oracleAddress, undefined);
  });

  it("test_loadConfig_PrecedenceFileThenEnvThenOverrides", (t) => {
    const dir = tempDir(t);
    const file = join(dir, "c.json");
    writeFileSync(file, JSON.stringify({ httpPort: 9000, confirmations: 3, logLevel: "debug" }));
    const c = loadConfig({ env: { CONFIG_FILE: file, HTTP_PORT: "9100", COSIGN_PEERS: "http://a:1, http://b:2" }, overrides: { logLevel: "warn" } });
    assert.equal(c.httpPort, 9100);
    assert.equal(c.confirmations, 3);
    assert.equal(c.logLevel, "warn");
    assert.deepEqual(c.cosignPeers, ["http://a:1", "http://b:2"]);
  });

  it("test_RevertWhen_ValueInvalid_OneLineNamingIt", () => {
    assert.throws(
      () => loadConfig({ env: { CONFIRMATIONS: "many" } }),
      (e: unknown) => e instanceof ConfigError && /CONFIRMATIONS \(--confirmations\)/.test(e.shortMessage) && !e.shortMessage.includes("\n"),
    );
    assert.throws(() => loadConfig({ env: { ORACLE_ADDRESS: "0x1234" } }), /ORACLE_ADDRESS.*address/);
    assert.throws(() => loadConfig({ env: { RPC_URL: "localhost" } }), /RPC_URL/);
    assert.throws(() => loadConfig({ env: { LOG_LEVEL: "loud" } }), /LOG_LEVEL/);
    assert.throws(() => loadConfig({ env: { REQUIRE_API_KEY: "maybe" } }), /REQUIRE_API_KEY/);
  });

  it("test_RevertWhen_FileHasUnknownKeyOrIsNotJson", (t) => {
    const dir = tempDir(t);
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ rpcUrll: "x" }));
    assert.throws(() => loadConfig({ env: {}, file: bad }), /unknown option rpcUrll/);
    const notJson = join(dir, "n.json");
    writeFileSync(notJson, "{");
    assert.throws(() => loadConfig({ env: {}, file: notJson }), ConfigError);
  });

  it("test_RevertWhen_SecretInvalid_ValueNotEchoed", () => {
    assert.throws(
      () => loadConfig({ env: {}, overrides: { cosignSecret: 12345 } }),
      (e: unknown) => e instanceof ConfigError && !e.shortMessage.includes("12345") && e.shortMessage.includes("<redacted>"),
    );
  });

  it("test_RevertWhen_CosignSecretShort_OneLineNamingTheFix", () => {
    // Issue #12: a 1-character co-sign secret was accepted; anyone could then forge co-sign requests.
    for (const secret of ["Q", "short-secret", "a".repeat(31)]) {
      assert.throws(
        () => loadConfig({ env: { COSIGN_SECRET: secret }, overrides: {} }),
        (e: unknown) => e instanceof ConfigError && /COSIGN_SECRET .*at least 32 characters/.test(e.shortMessage) && !e.shortMessage.includes(secret) && !e.shortMessage.includes("\n"),
      );
    }
    assert.equal(loadConfig({ env: { COSIGN_SECRET: "a".repeat(32) }, overrides: {} }).cosignSecret, "a".repeat(32));
  });

  it("test_defaults_SafeForPublicChains_ConfirmationsPerChainAndAFeeCap", () => {
    // Issue #12: 1 confirmation everywhere and no fee cap were the defaults.
    const c = loadConfig({ env: {}, overrides: {} });
    assert.equal(c.confirmations, undefined, "unset: chosen per chain once the chain id is known");
    assert.equal(defaultConfirmations(1), 3);
    assert.equal(defaultConfirmations(8453), 3);
    assert.equal(defaultConfirmations(31337), 1);
    assert.equal(c.maxFeeGwei, 500);
    assert.equal(loadConfig({ env: { CONFIRMATIONS: "12", MAX_FEE_GWEI: "80.5" }, overrides: {} }).confirmations, 12);
    assert.equal(loadConfig({ env: { MAX_FEE_GWEI: "80.5" }, overrides: {} }).maxFeeGwei, 80.5);
  });

  it("test_loadConfig_PassphraseFromFile", (t) => {
    const dir = tempDir(t);
    const f = join(dir, "pass");
    writeFileSync(f, "correct horse\n");
    const c = loadConfig({ env: { KEYSTORE_PASSPHRASE_FILE: f } });
    assert.equal(c.keystorePassphrase, "correct horse");
  });

  it("test_describeConfig_ListsEveryOptionWithDefault", () => {
    const d = describeConfig();
    assert.equal(d.length, Object.keys(configOptions).length);
    const rpc = d.find((o) => o.key === "rpcUrl")!;
    assert.equal(rpc.env, "RPC_URL");
    assert.equal(rpc.flag, "--rpc-url");
    assert.equal(rpc.default, "http://127.0.0.1:8545");
    assert.equal(envNameOf("keystorePassphraseFile"), "KEYSTORE_PASSPHRASE_FILE");
    assert.equal(flagNameOf("httpPort"), "http-port");
  });
});
