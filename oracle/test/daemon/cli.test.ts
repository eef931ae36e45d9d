import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { describeConfig } from "../../src/config.js";
import { hashApiKey } from "../../src/http/apiKeys.js";
import { createSqliteStore } from "../../src/store/sqliteStore.js";
import { tempDir } from "./helpers.js";

const BIN = join(import.meta.dirname, "..", "..", "bin", "riskgate.js");

function riskgate(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, ...env, NODE_NO_WARNINGS: "1" }, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("riskgate oracle CLI", () => {
  it("test_keys_NewThenShowAddress_PassphraseNeverPrinted", (t) => {
    const dir = tempDir(t);
    const ks = join(dir, "op.json");
    const pf = join(dir, "pass");
    writeFileSync(pf, "a long passphrase\n");
    const created = riskgate(["oracle", "keys", "new", "--keystore", ks, "--passphrase-file", pf, "--scrypt-n", "1024"]);
    assert.equal(created.code, 0, created.stderr);
    const address = created.stdout.trim();
    assert.match(address, /^0x[0-9a-fA-F]{40}$/);
    assert.ok(!(created.stdout + created.stderr).includes("a long passphrase"));
    const shown = riskgate(["oracle", "keys", "show-address", "--keystore", ks]);
    assert.equal(shown.stdout.trim(), address);
    const again = riskgate(["oracle", "keys", "new", "--keystore", ks], { KEYSTORE_PASSPHRASE: "another passphrase" });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists/);
  });

  it("test_apikey_Create_StoresOnlyTheHash", (t) => {
    const db = join(tempDir(t), "o.sqlite");
    const r = riskgate(["oracle", "apikey", "create", "--name", "dapp", "--db", db]);
    assert.equal(r.code, 0, r.stderr);
    const key = r.stdout.trim();
    assert.match(key, /^rk_[\w-]{32}$/);
    const store = createSqliteStore({ path: db });
    assert.equal(store.findApiKey(hashApiKey(key))?.name, "dapp");
    store.close();
  });

  it("test_apikey_ListAndRevoke: the daemon refuses a revoked key; list shows it revoked, never the key", (t) => {
    const db = join(tempDir(t), "o.sqlite");
    const key = riskgate(["oracle", "apikey", "create", "--name", "dapp", "--db", db]).stdout.trim();
    riskgate(["oracle", "apikey", "create", "--name", "ops", "--db", db]);
    const revoked = riskgate(["oracle", "apikey", "revoke", "--id", "1", "--db", db]);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stderr, /api key #1 revoked/);
    const listed = riskgate(["oracle", "apikey", "list", "--db", db, "--json"]);
    assert.equal(listed.code, 0, listed.stderr);
    const keys = JSON.parse(listed.stdout) as { id: number; name: string; revokedAt: number | null }[];
    assert.deepEqual(keys.map((k) => [k.id, k.name, k.revokedAt !== null]), [[1, "dapp", true], [2, "ops", false]]);
    assert.ok(!listed.stdout.includes(key), "the key itself is never listed");
    const store = createSqliteStore({ path: db });
    assert.equal(store.findApiKey(hashApiKey(key)), null, "a revoked key no longer authenticates");
    store.close();
    const table = riskgate(["oracle", "apikey", "list", "--db", db]);
    assert.match(table.stdout, /^id\tname\tcreated\trevoked\n1\tdapp\t\S+\t\S+Z\n2\tops\t\S+\t-\n$/);
  });

  it("test_RevertWhen_RevokeUnknownOrBadId: exits non-zero with one line", (t) => {
    const db = join(tempDir(t), "o.sqlite");
    const unknown = riskgate(["oracle", "apikey", "revoke", "--id", "7", "--db", db]);
    assert.equal(unknown.code, 1);
    assert.equal(unknown.stderr.trim().split("\n").length, 1);
    assert.match(unknown.stderr, /no active api key #7/);
    const bad = riskgate(["oracle", "apikey", "revoke", "--id", "seven", "--db", db]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^riskgate: apikey revoke: --id must be a positive integer, got "seven"\n$/);
  });

  it("test_start_HelpListsEveryOptionWithDefault", () => {
    const r = riskgate(["oracle", "start", "--help"]);
    assert.equal(r.code, 0);
    const help = r.stdout.replace(/\s+/g, " ");
    for (const o of describeConfig()) {
      assert.ok(help.includes(o.flag), `${o.flag} missing`);
      assert.ok(help.includes(`(env ${o.env}) (default: ${o.default})`), `${o.flag} default missing`);
    }
  });

  it("test_RevertWhen_StartWithBadConfig_OneLineNamingIt", () => {
    const r = riskgate(["oracle", "start", "--confirmations", "-3"], { DB_PATH: ":memory:" });
    assert.equal(r.code, 1);
    const lines = r.stderr.trim().split("\n");
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /^riskgate: config: invalid CONFIRMATIONS \(--confirmations\)/);
    const env = riskgate(["oracle", "start"], { RPC_URL: "not a url", DB_PATH: ":memory:" });
    assert.match(env.stderr.trim(), /^riskgate: config: invalid RPC_URL/);
  });

  it("test_start_ServesThenStopsOnSigterm", async (t) => {
    const dir = tempDir(t);
    const child = spawn(process.execPath, [BIN, "oracle", "start", "--http-port", "0", "--db-path", join(dir, "o.sqlite"), "--keystore-path", join(dir, "none.json")], {
      env: { ...process.env, NODE_NO_WARNINGS: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listen line: ${out}`)), 60_000);
      child.stdout.on("data", (c) => {
        out += c;
        const m = /"url":"(http:[^"]+)"/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.on("exit", (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    const ready = await fetch(`${url}/readyz`);
    assert.equal(ready.status, 200);
    const code = await new Promise<number | null>((resolve) => {
      child.removeAllListeners("exit");
      child.on("exit", (c) => resolve(c));
      child.kill("SIGTERM");
    });
    assert.equal(code, 0);
    assert.match(out, /riskgate oracle stopped/);
  });
});
