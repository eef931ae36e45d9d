// viem clients for the daemon. Retries are ours (withRetry), not the transport's, so that the
// retryable/fatal split and the backoff are the same everywhere.
import { type PublicClient, createPublicClient, http } from "viem";
import type { Config } from "../config.js";

export function createChainClient(config: Pick<Config, "rpcUrl">): PublicClient {
  return createPublicClient({ transport: http(config.rpcUrl, { retryCount: 0, timeout: 10_000, batch: false }), pollingInterval: 250 });
}
