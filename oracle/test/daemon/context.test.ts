import assert from "node:assert/strict";
import { join } from "node:path";
import { Writable } from "node:stream";
import { describe, it } from "node:test";
import { createContext } from "../../src/context.js";
import { createLogger } from "../../src/logger.js";
import { createShutdown } from "../../src/shutdown.js";
import { tempDir, testConfig } from "./helpers.js";

describe("context, shutdown, logger", () => {
  it("test_shutdown_RunsCleanupsOnceInReverseOrder", async () => {
    const sd = createShutdown();
    const order: string[] = [];
    sd.onShutdown(() => order.push("store"));
    sd.onShutdown(async () => {
      await new Promise((r) => setTimeout(r, 5));
      order.push("http");
    });
    const off = sd.onShutdown(() => order.push("never"));
    off();
    sd.onShutdown(() => {
      throw new Error("bad cleanup");
    });
    assert.equal(sd.signal.aborted, false);
    const [errs, again] = await Promise.all([sd.shutdown("SIGTERM"), sd.shutdown()]);
    assert.equal(sd.signal.aborted, true);
    assert.equal(sd.signal.reason, "SIGTERM");
    assert.deepEqual(order, ["http", "store"]);
    assert.equal(errs.length, 1);
    assert.equal(errs, again);
  });

  it("test_createContext_ClosesStoreOnShutdown", async (t) => {
    const ctx = createContext({ config: testConfig({ dbPath: join(tempDir(t), "x.sqlite") }) });
    ctx.store.setCursor("a", 1, null);
    await ctx.shutdown.shutdown();
    assert.throws(() => ctx.store.getCursor("a"), /not open/i);
    assert.equal(ctx.risk, null);
  });

  it("test_logger_RedactsSecrets", () => {
    const lines: string[] = [];
    const dest = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const log = createLogger({ level: "info", destination: dest as never });
    log.info({ config: { keystorePassphrase: "hunter2", cosignSecret: "s3cret", rpcUrl: "http://x" }, passphrase: "p4ss", api_key: "rk_live" }, "boot");
    const line = lines.join("");
    for (const secret of ["hunter2", "s3cret", "p4ss", "rk_live"]) assert.ok(!line.includes(secret), `${secret} leaked`);
    assert.ok(line.includes("http://x"));
    assert.equal(JSON.parse(line).level, "info");
  });
});
