// viem clients for the daemon. Retries are ours (withRetry), not the transport's, so that the
// retryable/fatal split and the backoff are the same everywhere.
//
// cacheTime 0: viem caches eth_blockNumber for `cacheTime` (by default the polling interval, 250 ms
// here), which hid new blocks from the watcher for up to a quarter of a second — most of the measured
// event → attestation latency. The watcher decides when to ask; the client must not answer from a cache.
//
// Failover: with RPC_FALLBACK_URLS, a request that fails on one endpoint (connection refused, timeout,
// 5xx, rate limit) is sent to the next in order, within the same call; a JSON-RPC error the node itself
// answers (a revert, a nonce too low) is not retried elsewhere. The endpoints must serve the same chain:
// the chain id is checked at start-up on whichever answers. Re-sending a signed transaction to another
// endpoint is safe (same hash). Not ranked by latency, so the order is the operator's preference.
import { type PublicClient, type Transport, createPublicClient, fallback, http } from "viem";
import type { Config } from "../config.js";

export function createChainClient(config: Pick<Config, "rpcUrl" | "pollIntervalMs"> & Partial<Pick<Config, "rpcFallbackUrls">>): PublicClient {
  const endpoint = (url: string) => http(url, { retryCount: 0, timeout: 10_000, batch: false });
  const urls = [config.rpcUrl, ...(config.rpcFallbackUrls ?? [])];
  const transport: Transport = urls.length === 1 ? endpoint(config.rpcUrl) : fallback(urls.map(endpoint), { rank: false, retryCount: 0 });
  return createPublicClient({
    transport,
    cacheTime: 0,
    pollingInterval: Math.min(250, config.pollIntervalMs),
  });
}
