// Issue #12, storage: a COMMIT that fails (SQLITE_FULL on a full volume) must leave the store usable, report
// itself unhealthy with a clear reason, and recover by itself when space returns. Runs on a real tiny tmpfs
// (needs root to mount one; skipped with a message otherwise).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { Hex } from "viem";
import { createSqliteStore } from "../../src/store/sqliteStore.js";
import { startTestDaemon } from "./helpers.js";

/** Mounts a tmpfs of `size` at a fresh directory; null when this process may not mount (not root, no mount). */
function mountTinyVolume(size: string): { dir: string; unmount: () => void } | null {
  if (process.getuid?.() !== 0) return null;
  const dir = mkdtempSync(join(tmpdir(), "riskgate-full-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir], { stdio: "ignore" });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  return {
    dir,
    unmount: () => {
      execFileSync("umount", [dir], { stdio: "ignore" });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const hex = (n: number, bytes: number) => `0x${n.toString(16).padStart(bytes * 2, "0")}` as Hex;

function transfer(i: number) {
  return {
    txHash: hex(i, 32),
    logIndex: 0,
    from: hex(0xa000 + (i % 97), 20),
    to: hex(0xb000 + i, 20),
    value: 1_000_000n + BigInt(i),
    token: hex(0x05dc, 20),
    decimals: 6,
    timestamp: 1_700_000_000 + i,
    blockNumber: i,
  };
}

/** Inserts batches of transfers until a write fails (the volume is full); returns that error. */
function fillUntilFull(store: { transaction<T>(fn: () => T): T; insertTransfer(t: ReturnType<typeof transfer>): boolean }): unknown {
  for (let i = 0; i < 200_000; i++) {
    try {
      store.transaction(() => {
        for (let j = 0; j < 50; j++) store.insertTransfer(transfer(i * 50 + j));
      });
    } catch (err) {
      return err;
    }
  }
  assert.fail("the volume never filled up");
}

/** A store on a fresh 640 KiB tmpfs with 320 KiB taken by a filler file (removed to free the space); null, with the
 * test skipped, when this process may not mount one. */
function storeOnTinyVolume(t: { skip(msg: string): void; after(fn: () => void): void }) {
  const volume = mountTinyVolume("640k");
  if (!volume) {
    t.skip("needs root to mount a tmpfs: run as root (CI does) to exercise a real full disk");
    return null;
  }
  const store = createSqliteStore({ path: join(volume.dir, "oracle.db"), minFreeBytes: 128 * 1024 });
  t.after(() => {
    store.close();
    volume.unmount();
  });
  const filler = join(volume.dir, "filler");
  writeFileSync(filler, Buffer.alloc(320 * 1024));
  return { store, filler };
}

describe("store on a full disk", () => {
  it("test_RevertGiven_DiskFull_StoreStaysUsableAndRecovers", async (t) => {
    const tiny = storeOnTinyVolume(t);
    if (!tiny) return;
    const { store, filler } = tiny;
    // A little room is left; fill it with transfers.
    const failure = fillUntilFull(store);
    // The real cause reaches the caller (not a ROLLBACK error that hides it).
    assert.match(String((failure as Error).message), /full/i);
    assert.equal(store.health().ok, false);
    assert.match(store.health().reason ?? "", /disk full/i);

    // Nested transactions still work (the depth counter survived the failed COMMIT) for reads.
    assert.equal(store.transaction(() => store.transaction(() => store.getCursor("nothing"))), null);

    // Space returns: writes succeed again and the store reports healthy by itself.
    rmSync(filler);
    store.transaction(() => store.transaction(() => store.setCursor("after", 7, null)));
    assert.deepEqual(store.getCursor("after"), { block: 7, hash: null });
    assert.deepEqual(store.health(), { ok: true, reason: null });
  });

  it("test_health_ReportsFullWithoutTraffic_AndRecoversByProbe", async (t) => {
    const tiny = storeOnTinyVolume(t);
    if (!tiny) return;
    const { store, filler } = tiny;
    assert.match(String((fillUntilFull(store) as Error).message), /full/i);
    assert.equal(store.health().ok, false);
    rmSync(filler);
    // No write from the daemon: the probe (at most once a second) sees the space come back.
    await new Promise((r) => setTimeout(r, 1100));
    assert.deepEqual(store.health(), { ok: true, reason: null });
  });

  it("test_readyz_NamesTheFullDisk_MetricDrops_BothRecover", async (t) => {
    const volume = mountTinyVolume("12m");
    if (!volume) {
      t.skip("needs root to mount a tmpfs: run as root (CI does) to exercise a real full disk");
      return;
    }
    t.after(() => volume.unmount());
    const d = await startTestDaemon(t, { config: { dbPath: join(volume.dir, "oracle.sqlite") } });
    const filler = join(volume.dir, "filler");
    const { statfsSync } = await import("node:fs");
    const free = statfsSync(volume.dir);
    writeFileSync(filler, Buffer.alloc(Math.max(0, free.bavail * free.bsize - 256 * 1024)));
    assert.match(String((fillUntilFull(d.ctx.store) as Error).message), /full/i);

    const ready = await fetch(`${d.url}/readyz`);
    const body = (await ready.json()) as { checks: Record<string, string> };
    assert.equal(ready.status, 503);
    assert.match(body.checks.store ?? "", /disk full .*free space/i);
    assert.match(await (await fetch(`${d.url}/metrics`)).text(), /^riskgate_store_healthy 0$/m);

    rmSync(filler);
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal((await fetch(`${d.url}/readyz`)).status, 200);
    assert.match(await (await fetch(`${d.url}/metrics`)).text(), /^riskgate_store_healthy 1$/m);
    await d.stop("test end");
  });
});
