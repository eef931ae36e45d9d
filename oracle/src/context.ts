// The context every part of the daemon receives explicitly (no singletons): configuration, logger,
// metrics, store, shutdown, and the injected collaborators (risk engine, operator account).
import type { LocalAccount } from "viem";
import type { Config } from "./config.js";
import type { Logger } from "./logger.js";
import { createLogger } from "./logger.js";
import type { Metrics } from "./metrics.js";
import { createMetrics } from "./metrics.js";
import type { RiskEngine } from "./risk/types.js";
import type { Shutdown } from "./shutdown.js";
import { createShutdown } from "./shutdown.js";
import { createSqliteStore } from "./store/sqliteStore.js";
import type { Store } from "./store/types.js";

export type Context = {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  store: Store;
  shutdown: Shutdown;
  /** The risk engine (issue 4), or null when none is loaded: scoring routes then answer 503. */
  risk: RiskEngine | null;
  /** The operator's signing account, or null for a read-only node. */
  account: LocalAccount | null;
  /** The RiskOracle the attestations are signed for, and its current signer set (refreshed by the watcher). */
  chain: ChainInfo | null;
  /** Readiness probes for /readyz: each returns true, or a reason it is not ready. */
  checks: Map<string, () => true | string>;
};

export type ChainInfo = {
  chainId: number;
  oracle: `0x${string}`;
  /** The oracle's signer set, strictly ascending (what `signers()` returns). */
  signers: `0x${string}`[];
  threshold: number;
  /** Seconds the chain's clock runs ahead of this machine's (>= 0; e.g. after time travel on a dev chain). */
  timeOffset?: number;
};

/** "Now" for attestations, in unix seconds: this clock, or the chain's when the chain is ahead. */
export function nowSeconds(ctx: Pick<Context, "chain">): number {
  return Math.floor(Date.now() / 1000) + (ctx.chain?.timeOffset ?? 0);
}

export type CreateContextParameters = {
  config: Config;
  logger?: Logger;
  metrics?: Metrics;
  store?: Store;
  shutdown?: Shutdown;
  risk?: RiskEngine | null;
  account?: LocalAccount | null;
  chain?: Context["chain"];
};

/** Builds a context; anything not passed is created from `config`. Closing the store is registered on shutdown. */
export function createContext(p: CreateContextParameters): Context {
  const shutdown = p.shutdown ?? createShutdown();
  const logger = p.logger ?? createLogger({ level: p.config.logLevel });
  const store = p.store ?? createSqliteStore({ path: p.config.dbPath });
  // Registered first so it runs last.
  shutdown.onShutdown(() => store.close());
  const risk = p.risk ?? null;
  if (risk) shutdown.onShutdown(() => risk.close());
  return {
    config: p.config,
    logger,
    metrics: p.metrics ?? createMetrics(),
    store,
    shutdown,
    risk,
    account: p.account ?? null,
    chain: p.chain ?? null,
    checks: new Map(),
  };
}
