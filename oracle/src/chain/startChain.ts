// Starts the chain side: reads the RiskOracle domain and signer set, reconciles what a previous run
// left in flight, then loops (watch → sign → submit → track → reorg check) until shutdown, one
// iteration every POLL_INTERVAL_MS. An idle iteration is one RPC call (the latest block); the co-sign
// route may run a watcher poll between iterations (chainRuntime.ts).
import type { Context } from "../context.js";
import { defaultConfirmations } from "../config.js";
import { isRetryable, shortMessageOf } from "../errors.js";
import type { InboxItem } from "../store/types.js";
import { paymentStreamAbi } from "./abis/paymentStreamAbi.js";
import { riskOracleAbi } from "./abis/riskOracleAbi.js";
import { createChainRuntime } from "./chainRuntime.js";
import { createChainClient } from "./clients.js";
import { processSettlements } from "./pipeline.js";
import { checkOracleSettings } from "./checkOracleSettings.js";
import { readChainInfo } from "./readChainInfo.js";
import { type Submitter, createSubmitter } from "./submitter.js";
import { sleep, withRetry } from "./withRetry.js";

export async function startChain(ctx: Context): Promise<void> {
  const { config, logger } = ctx;
  const client = createChainClient(config);
  // An RPC that is down at start-up is waited for (one warn line per attempt saying what and when), not a
  // start-up failure: the operator's node may simply come up after the daemon.
  ctx.chain = await withRetry(() => readChainInfo(client, config.oracleAddress!, config.chainId), {
    retries: Number.POSITIVE_INFINITY,
    baseMs: config.rpcRetryBaseMs,
    maxMs: config.rpcRetryMaxMs,
    signal: ctx.shutdown.signal,
    onRetry: (err, attempt, delayMs) =>
      logger.warn({ rpc: new URL(config.rpcUrl).host, err: shortMessageOf(err), attempt, retry_in_ms: Math.round(delayMs) }, "waiting for the RPC to answer"),
  });
  config.confirmations ??= defaultConfirmations(ctx.chain.chainId);
  logger.info(
    { chain_id: ctx.chain.chainId, oracle: ctx.chain.oracle, threshold: ctx.chain.threshold, signers: ctx.chain.signers.length, confirmations: config.confirmations, max_fee_gwei: config.maxFeeGwei },
    "risk oracle found",
  );
  // Gate rule G14.4: refuse a TTL the oracle would refuse, and consumers it has no enabled policy for.
  const oracle = ctx.chain.oracle;
  const settings = await withRetry(() => checkOracleSettings(client, oracle, config), {
    retries: config.rpcRetries,
    baseMs: config.rpcRetryBaseMs,
    signal: ctx.shutdown.signal,
  });
  logger.info(
    {
      attestation_ttl: config.attestationTtl,
      max_validity: settings.maxValidity,
      hold_windows: Object.fromEntries(settings.policies.map((p) => [p.option === "ESCROW_ADDRESS" ? "escrow" : "stream", p.holdWindow])),
    },
    "attestation TTL and hold windows",
  );

  let submitter: Submitter | null = null;
  if (ctx.account?.signTransaction) {
    submitter = createSubmitter(ctx, client, ctx.account);
    await submitter.reconcile();
  }

  const postedOnChain = async (subject: `0x${string}`, fromBlock: number) => {
    const logs = await client.getContractEvents({ address: ctx.chain!.oracle, abi: riskOracleAbi, eventName: "PostAttestation", args: { subject }, fromBlock: BigInt(fromBlock) });
    return logs.length > 0;
  };

  // A stream settlement whose seq the stream has moved past (used meanwhile) is outdated.
  const outdated = async (item: InboxItem) => {
    const stream = config.streamAddress;
    if (!stream || item.consumer.toLowerCase() !== stream.toLowerCase()) return false;
    const current = await client.readContract({ address: stream, abi: paymentStreamAbi, functionName: "subjectOf", args: [BigInt(item.subject) >> 64n] });
    return current.toLowerCase() !== item.subject.toLowerCase();
  };

  let lastOk = Date.now();
  let lastError = "";
  ctx.checks.set("chain", () => (Date.now() - lastOk < Math.max(10_000, config.pollIntervalMs * 10) ? true : `chain unreachable: ${lastError}`));

  const runtime = createChainRuntime(ctx, client);
  const loop = (async () => {
    let failures = 0;
    let checkedReorgs = 0;
    while (!ctx.shutdown.isShuttingDown()) {
      const started = Date.now();
      try {
        const poll = await runtime.poll();
        if (ctx.account) await processSettlements(ctx, { postedOnChain, outdated });
        if (submitter) {
          await submitter.submit(poll?.headBlock);
          await submitter.track();
          // A reorg the watcher saw (in this poll or any since the last check) makes the check complete.
          const reorgs = runtime.reorgsSeen;
          if (poll) {
            await submitter.checkReorgs(poll.head, poll.headHash, reorgs !== checkedReorgs);
            checkedReorgs = reorgs;
          }
        }
        lastOk = Date.now();
        failures = 0;
        // Fixed rate: the next head request goes out POLL_INTERVAL_MS after this one, not after this
        // iteration's work (but never less than a fifth of the interval apart).
        await sleep(Math.max(config.pollIntervalMs / 5, config.pollIntervalMs - (Date.now() - started)), ctx.shutdown.signal);
      } catch (err) {
        failures++;
        lastError = shortMessageOf(err);
        // Capped (RPC_RETRY_MAX_MS): after an outage the daemon is back within about this long of the RPC.
        const delay = Math.min(config.rpcRetryMaxMs, config.rpcRetryBaseMs * 2 ** Math.min(failures, 8));
        const details = (err as { details?: unknown }).details;
        (isRetryable(err) ? logger.warn.bind(logger) : logger.error.bind(logger))(
          { err: lastError, details: typeof details === "string" ? details.slice(0, 300) : undefined, failures, delay_ms: delay },
          "chain loop failed; backing off",
        );
        await sleep(delay, ctx.shutdown.signal);
      }
    }
  })();
  // Finish the in-flight iteration before the store closes.
  ctx.shutdown.onShutdown(() => loop);
}
