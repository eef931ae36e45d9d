import assert from "node:assert/strict";
import { chmodSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { KeystoreError } from "../../src/errors.js";
import { createKeystore, loadOperatorAccount, readKeystoreAddress } from "../../src/keys/keystore.js";
import { tempDir } from "./helpers.js";

const PK = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

describe("keystore", () => {
  it("test_createKeystore_RoundTripsAndNeverStoresTheKeyInClear", async (t) => {
    const path = join(tempDir(t), "k", "op.json");
    const address = await createKeystore({ path, passphrase: "correct horse battery", privateKey: PK, scryptN: 1024 });
    const text = readFileSync(path, "utf8");
    assert.ok(!text.toLowerCase().includes(PK.slice(2)));
    const j = JSON.parse(text);
    assert.equal(j.version, 3);
    assert.equal(j.Crypto?.kdf ?? j.crypto?.kdf, "scrypt");
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(readKeystoreAddress(path), address);
    const account = await loadOperatorAccount(path, "correct horse battery");
    assert.equal(account.address, address);
    assert.equal(address, "0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
  });

  it("test_RevertWhen_WrongPassphrase_MessageHasNoSecret", async (t) => {
    const path = join(tempDir(t), "op.json");
    await createKeystore({ path, passphrase: "correct horse battery", scryptN: 1024 });
    await assert.rejects(loadOperatorAccount(path, "wrong passphrase!"), (e: unknown) => {
      assert.ok(e instanceof KeystoreError);
      assert.ok(!e.message.includes("wrong passphrase!"));
      assert.equal(e.cause, undefined);
      return true;
    });
    await assert.rejects(loadOperatorAccount(path, undefined), /no passphrase/);
  });

  it("test_RevertWhen_FileExistsOrPassphraseShortOrFileMissing", async (t) => {
    const dir = tempDir(t);
    const path = join(dir, "op.json");
    await createKeystore({ path, passphrase: "correct horse battery", scryptN: 1024 });
    await assert.rejects(createKeystore({ path, passphrase: "correct horse battery", scryptN: 1024 }), /already exists/);
    await assert.rejects(createKeystore({ path: join(dir, "b.json"), passphrase: "short" }), /at least 8/);
    assert.throws(() => readKeystoreAddress(join(dir, "missing.json")), KeystoreError);
  });

  it("test_RevertWhen_KeystoreReadableByOthers_OneLineNamingTheFix", async (t) => {
    // Issue #12: a world-readable keystore was accepted without a word.
    const path = join(tempDir(t), "op.json");
    await createKeystore({ path, passphrase: "correct horse battery", scryptN: 1024 });
    for (const mode of [0o644, 0o640, 0o604, 0o666]) {
      chmodSync(path, mode);
      await assert.rejects(loadOperatorAccount(path, "correct horse battery"), (e: unknown) => {
        assert.ok(e instanceof KeystoreError);
        assert.match(e.message, new RegExp(`accessible by other users \\(mode 0${mode.toString(8)}\\): run chmod 600 `));
        assert.ok(!e.message.includes("\n"), "one line");
        return true;
      });
    }
    chmodSync(path, 0o400);
    assert.equal((await loadOperatorAccount(path, "correct horse battery")).address.length, 42);
  });
});
