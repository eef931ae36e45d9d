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
