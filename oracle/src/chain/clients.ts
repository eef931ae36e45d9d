// viem clients for the daemon. Retries are ours (withRetry), not the transport's, so that the
// retryable/fatal split and the backoff are the same everywhere.
//
// cacheTime 0: viem caches eth_blockNumber for `cacheTime` (by default the polling interval, 250 ms
// here), which hid new blocks from the watcher for up to a quarter of a second — most of the measured
// event → attestation latency. The watcher decides when to ask; the client must not answer from a cache.
import { type PublicClient, createPublicClient, http } from "viem";
import type { Config } from "../config.js";

export function createChainClient(config: Pick<Config, "rpcUrl" | "pollIntervalMs">): PublicClient {
  return createPublicClient({
    transport: http(config.rpcUrl, { retryCount: 0, timeout: 10_000, batch: false }),
    cacheTime: 0,
    pollingInterval: Math.min(250, config.pollIntervalMs),
  });
}
