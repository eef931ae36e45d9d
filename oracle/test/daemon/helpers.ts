// Shared helpers for daemon tests: temp dirs, a config for tests, a silent logger.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Config, loadConfig } from "../../src/config.js";

export function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), "riskgate-test-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function testConfig(overrides: Partial<Record<keyof Config, unknown>> = {}): Config {
  return loadConfig({ env: {}, overrides: { logLevel: "silent", ...overrides } });
}

export const addr = (n: number): `0x${string}` => `0x${n.toString(16).padStart(40, "0")}`;
export const b32 = (n: number): `0x${string}` => `0x${n.toString(16).padStart(64, "0")}`;

import { join as joinPath } from "node:path";
import { privateKeyToAccount } from "viem/accounts";
import { type Daemon, startDaemon } from "../../src/index.js";
import { createRiskEngine } from "../../src/risk/createRiskEngine.js";
import { createSqliteStore } from "../../src/store/sqliteStore.js";
import type { RiskEngine } from "../../src/risk/types.js";
import type { LocalAccount } from "viem";

/** Test operator keys: the first two are Hardhat dev accounts #1 and #2, the third an arbitrary key. */
export const OPERATOR_KEYS = [
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f52f8d9f50b6e4a5b9a6f6f4f8f1a9f1e1",
] as const;

export const TEST_ORACLE = "0x5fbdb2315678afecb367f032d93f642f64180aa3" as const;

export type TestDaemonOptions = {
  config?: Partial<Record<keyof Config, unknown>>;
  account?: LocalAccount | null;
  signers?: `0x${string}`[];
  threshold?: number;
  /** Replace the real engine (only for fault injection). */
  risk?: (history: import("../../src/risk/types.js").HistoryReader) => RiskEngine | null;
};

/** A real daemon (SQLite file, real risk engine, HTTP on 127.0.0.1:0), stopped after the test. */
export async function startTestDaemon(t: { after: (fn: () => Promise<void> | void) => void }, o: TestDaemonOptions = {}): Promise<Daemon> {
  const dir = tempDir(t);
  const config = testConfig({ dbPath: joinPath(dir, "oracle.sqlite"), httpPort: 0, requireApiKey: false, ...o.config });
  const account = o.account === undefined ? privateKeyToAccount(OPERATOR_KEYS[0]) : o.account;
  const store = createSqliteStore({ path: config.dbPath });
  store.close();
  let risk: RiskEngine | null | undefined;
  if (o.risk) risk = o.risk(createSqliteStore({ path: ":memory:" }).history);
  const signers = o.signers ?? (account ? [account.address] : []);
  const daemon = await startDaemon({
    config,
    account,
    risk,
    chain: { chainId: 31337, oracle: TEST_ORACLE, signers: [...signers].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)), threshold: o.threshold ?? 1 },
    startChain: false,
  });
  t.after(() => daemon.stop("test end"));
  return daemon;
}

export { createRiskEngine };
