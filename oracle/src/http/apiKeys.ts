// API keys: shown once at creation, stored only as sha256 (a database leak does not leak keys).
import { createHash, randomBytes } from "node:crypto";
import type { Hex } from "viem";
import type { ApiKeyRecord, Store } from "../store/types.js";

const PREFIX = "rk_";

export function hashApiKey(key: string): Hex {
  return `0x${createHash("sha256").update(key, "utf8").digest("hex")}`;
}

/** Creates a key, stores its hash, returns the plaintext (the only time it exists). */
export function createApiKey(store: Store, name: string): { key: string; record: ApiKeyRecord } {
  const key = PREFIX + randomBytes(24).toString("base64url");
  const record = store.insertApiKey(name, hashApiKey(key));
  return { key, record };
}
