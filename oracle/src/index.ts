// Composition root: config → context (logger, metrics, store, shutdown) → operator key → risk engine →
// chain (RiskOracle domain + signer set, watcher, submitter) → HTTP API; SIGTERM/SIGINT shut it down
// in reverse order (stop intake, finish in-flight, persist, close the store).
import { existsSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { LocalAccount } from "viem";
import type { Config } from "./config.js";
import { type Context, createContext } from "./context.js";
import { shortMessageOf } from "./errors.js";
import { createApp } from "./http/app.js";
import { loadOperatorAccount } from "./keys/keystore.js";
import { createLogger } from "./logger.js";
import type { RiskEngine } from "./risk/types.js";

export type StartDaemonParameters = {
  config: Config;
  /** Install SIGTERM/SIGINT handlers (the CLI does; tests do not). */
  handleSignals?: boolean;
  /** Inject instead of building (tests). */
  risk?: RiskEngine | null;
  account?: LocalAccount | null;
  chain?: Context["chain"];
  /** Build the chain side (watcher, submitter) when the config names contracts. Default true. */
  startChain?: boolean;
};

export type Daemon = {
  ctx: Context;
  server: Server;
  /** http://host:port of the API. */
  url: string;
  /** Resolves once shutdown has finished. */
  stopped: Promise<void>;
  stop(reason?: string): Promise<void>;
};

export async function startDaemon(p: StartDaemonParameters): Promise<Daemon> {
  const { config } = p;
  const logger = createLogger({ level: config.logLevel });
  const ctx = createContext({ config, logger, account: p.account ?? null, chain: p.chain ?? null });
  const { shutdown } = ctx;
  try {
    if (config.historyFile) {
      // Before the engine or the watcher read the store: features see the external indexer's history.
      const { importHistoryFile } = await import("./store/importHistory.js");
      const r = importHistoryFile(ctx.store, config.historyFile);
      logger.info({ history_file: config.historyFile, ...r }, "account history imported");
    }
    if (p.account === undefined) {
      if (existsSync(config.keystorePath)) {
        ctx.account = await loadOperatorAccount(config.keystorePath, config.keystorePassphrase);
        logger.info({ operator: ctx.account.address }, "operator key loaded");
      } else {
        logger.warn({ keystore_path: config.keystorePath }, "no keystore: running read-only (score only, no signing)");
      }
    }
    if (p.risk === undefined) {
      const { createRiskEngine } = await import("./risk/createRiskEngine.js");
      ctx.risk = await createRiskEngine({
        history: ctx.store.history,
        modelDir: config.modelDir,
        denyListPath: config.denyListPath,
        onLog: (msg, fields) => logger.info(fields ?? {}, msg),
      });
    } else {
      ctx.risk = p.risk;
    }
    const risk = ctx.risk;
    if (risk && p.risk === undefined) shutdown.onShutdown(() => risk.close());

    if (p.startChain !== false && config.oracleAddress) {
      const { startChain } = await import("./chain/startChain.js");
      await startChain(ctx);
    }

    const app = createApp(ctx);
    const server = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(config.httpPort, config.httpHost, () => resolve(s));
      s.once("error", reject);
    });
    server.keepAliveTimeout = 5_000;
    const { address, port } = server.address() as AddressInfo;
    const url = `http://${address.includes(":") ? `[${address}]` : address}:${port}`;
    logger.info({ url, operator: ctx.account?.address ?? null, chain: ctx.chain }, "riskgate oracle listening");
    shutdown.onShutdown(
      () =>
        new Promise<void>((resolve) => {
          // Stop intake; let in-flight requests finish (bounded), then drop idle keep-alive sockets.
          server.close(() => resolve());
          server.closeIdleConnections();
          setTimeout(() => server.closeAllConnections(), 5_000).unref();
        }),
    );

    let resolveStopped!: () => void;
    const stopped = new Promise<void>((r) => (resolveStopped = r));
    const stop = async (reason = "stop") => {
      const errors = await shutdown.shutdown(reason);
      for (const err of errors) logger.error({ err: shortMessageOf(err) }, "shutdown step failed");
      logger.info({ reason }, "riskgate oracle stopped");
      resolveStopped();
    };
    if (p.handleSignals) {
      const onSignal = (sig: NodeJS.Signals) => {
        logger.info({ signal: sig }, "shutting down");
        void stop(sig);
      };
      process.once("SIGTERM", onSignal);
      process.once("SIGINT", onSignal);
    }
    return { ctx, server, url, stopped, stop };
  } catch (err) {
    await shutdown.shutdown("start-up failed");
    throw err;
  }
}
