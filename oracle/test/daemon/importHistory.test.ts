import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { createRiskEngine } from "../../src/risk/createRiskEngine.js";
import { InMemoryHistory } from "../../src/risk/inMemoryHistory.js";
import { generateScenario, loadScenarioHistory } from "../../src/risk/scenarios.js";
import type { Transfer } from "../../src/risk/types.js";
import { HistoryImportError, formatHistoryJsonl, importHistoryFile, parseHistoryJsonl } from "../../src/store/importHistory.js";
import { createSqliteStore } from "../../src/store/sqliteStore.js";
import { addr, b32, tempDir, testConfig } from "./helpers.js";

const BIN = join(import.meta.dirname, "..", "..", "bin", "riskgate.js");
const cli = (args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, NODE_NO_WARNINGS: "1" }, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

const A = addr(0xa);
const B = addr(0xb);
const USDC = addr(0x05dc);
const t = (n: number, over: Partial<Transfer> = {}): Transfer => ({
  from: A,
  to: B,
  value: 1_000_000n * BigInt(n),
  token: USDC,
  decimals: 6,
  timestamp: 1_700_000_000 + n,
  blockNumber: 100 + n,
  tokenName: "USD Coin",
  ...over,
});

describe("oracle import-history", () => {
  it("test_importHistory_CliRealSqliteFile_ReimportAddsNoDuplicates", (t0) => {
    const dir = tempDir(t0);
    const db = join(dir, "store.sqlite");
    const file = join(dir, "history.jsonl");
    // Two identical transfers (no txHash) are two rows; one line with its own chain keys.
    const lines = [t(1), t(1), t(2, { token: null, decimals: 18, value: 10n ** 18n, tokenName: undefined })];
    writeFileSync(file, formatHistoryJsonl(lines) + JSON.stringify({ ...t(3), value: "3000000", txHash: b32(0x77), logIndex: 4 }) + "\n\n");

    const first = cli(["oracle", "import-history", "--db", db, "--file", file, "--json"]);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(JSON.parse(first.stdout), { ok: true, file, db, lines: 4, inserted: 4, duplicates: 0 });
    const again = cli(["oracle", "import-history", "--db", db, "--file", file, "--json"]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(JSON.parse(again.stdout).inserted, 0);
    assert.equal(JSON.parse(again.stdout).duplicates, 4);

    const store = createSqliteStore({ path: db });
    t0.after(() => store.close());
    const rows = store.history.transfersOf(A);
    assert.equal(rows.length, 4);
    assert.equal(rows[2].token, null);
    assert.equal(rows[2].value, 10n ** 18n);
    assert.equal(rows[3].value, 3_000_000n);
    assert.equal(store.history.firstSeen(B), 1_700_000_001);
    // The watcher's own chain rows and imported rows share the (txHash, logIndex) key space.
    assert.equal(store.insertTransfer({ ...t(3), txHash: b32(0x77), logIndex: 4 }), false);
  });

  it("test_RevertWhen_importHistory_BadLine_Exit2NamesLineImportsNothing", (t0) => {
    const dir = tempDir(t0);
    const db = join(dir, "store.sqlite");
    const file = join(dir, "history.jsonl");
    writeFileSync(file, formatHistoryJsonl([t(1), t(2)]) + JSON.stringify({ ...t(3), value: 3000000 }) + "\n" + formatHistoryJsonl([t(4)]));

    const r = cli(["oracle", "import-history", "--db", db, "--file", file]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /history\.jsonl:3: "value" must be a non-negative decimal string/);
    assert.match(r.stderr, /nothing imported/);
    const store = createSqliteStore({ path: db });
    t0.after(() => store.close());
    assert.equal(store.history.transfersOf(A).length, 0);
    assert.equal(store.history.firstSeen(A), null);
  });

  it("test_RevertWhen_parseHistoryJsonl_InvalidJsonOrAddress_ThrowsWithLine", () => {
    const good = formatHistoryJsonl([t(1)]);
    assert.throws(() => parseHistoryJsonl(good + "{not json\n"), (e: unknown) => e instanceof HistoryImportError && e.line === 2 && /not valid JSON/.test(e.message));
    assert.throws(
      () => parseHistoryJsonl(good + "\n" + JSON.stringify({ ...JSON.parse(good), to: "0x12" })),
      (e: unknown) => e instanceof HistoryImportError && e.line === 3 && /"to" must be a 0x-prefixed 20-byte hex address/.test(e.message),
    );
    assert.throws(
      () => parseHistoryJsonl(JSON.stringify({ ...JSON.parse(good), txHash: b32(1) })),
      (e: unknown) => e instanceof HistoryImportError && e.line === 1 && /go together/.test(e.message),
    );
  });

  it("test_importHistory_PaymentLines_RecordedOnceAndSurviveReorg", (t0) => {
    const dir = tempDir(t0);
    const store = createSqliteStore({ path: join(dir, "s.sqlite") });
    t0.after(() => store.close());
    const file = join(dir, "p.jsonl");
    const pay = { payer: A, payee: B, token: USDC, amount: 250_000_000n, timestamp: 1_700_000_500, decimals: 6 };
    writeFileSync(file, formatHistoryJsonl([pay, pay, t(1)]));
    assert.deepEqual(importHistoryFile(store, file), { lines: 3, inserted: 3, duplicates: 0 });
    assert.deepEqual(importHistoryFile(store, file), { lines: 3, inserted: 0, duplicates: 3 });
    store.deleteHistoryFrom(0);
    const seen = store.history.paymentsSince({ payer: A, since: 0 });
    assert.equal(seen.length, 2);
    assert.equal(seen[0].amount, 250_000_000n);
    assert.deepEqual(store.history.payerAmountStats(A), { count: 2, mean: 250, std: 0, max: 250 });
    assert.throws(
      () => parseHistoryJsonl(JSON.stringify({ ...pay, amount: "2.5" })),
      (e: unknown) => e instanceof HistoryImportError && e.line === 1 && /"amount" must be a non-negative decimal string/.test(e.message),
    );
  });

  it("test_importHistory_ImportedRowsSurviveReorgDeletion", (t0) => {
    const dir = tempDir(t0);
    const store = createSqliteStore({ path: join(dir, "s.sqlite") });
    t0.after(() => store.close());
    const file = join(dir, "h.jsonl");
    writeFileSync(file, formatHistoryJsonl([t(1)]));
    importHistoryFile(store, file);
    store.insertTransfer({ ...t(2), txHash: b32(2), logIndex: 0 });
    store.deleteHistoryFrom(0);
    assert.deepEqual(
      store.history.transfersOf(A).map((x) => x.blockNumber),
      [101],
    );
  });

  it("test_importHistory_ScenarioHistory_ChangesScoreAndMatchesInMemoryEngine", async (t0) => {
    const dir = tempDir(t0);
    const scenario = generateScenario({ seed: 7 });
    const file = join(dir, "scenario.jsonl");
    writeFileSync(file, formatHistoryJsonl(scenario.transfers));

    const store = createSqliteStore({ path: join(dir, "s.sqlite") });
    t0.after(() => store.close());
    const sqliteEngine = await createRiskEngine({ history: store.history });
    t0.after(() => sqliteEngine.close());
    const mem = new InMemoryHistory();
    loadScenarioHistory(scenario, mem);
    const memEngine = await createRiskEngine({ history: mem });
    t0.after(() => memEngine.close());

    // The first honest payments: their payers have a year of history in the scenario.
    const sample = scenario.payments.filter((p) => !p.fraud).slice(0, 20).map((p) => p.payment);
    const before = sample.map((p) => sqliteEngine.score(p).score);
    const r = importHistoryFile(store, file);
    assert.equal(r.inserted, scenario.transfers.length);
    const after = sample.map((p) => sqliteEngine.score(p).score);
    const reference = sample.map((p) => memEngine.score(p).score);

    assert.notDeepEqual(after, before, "imported history must change the account features");
    assert.deepEqual(after, reference, "SQLite-imported history scores as the in-memory scenario history does");
    assert.equal(readFileSync(file, "utf8").trim().split("\n").length, scenario.transfers.length);
  });

  it("test_startDaemon_HistoryFileConfig_ImportedBeforeStart", async (t0) => {
    const dir = tempDir(t0);
    const file = join(dir, "h.jsonl");
    writeFileSync(file, formatHistoryJsonl([t(1), t(2)]));
    const { startDaemon } = await import("../../src/index.js");
    const config = testConfig({ dbPath: join(dir, "d.sqlite"), httpPort: 0, historyFile: file, keystorePath: join(dir, "none.json") });
    const d = await startDaemon({ config, risk: null, account: null, startChain: false });
    t0.after(() => d.stop("test"));
    assert.equal(d.ctx.store.history.transfersOf(A).length, 2);
  });
});
