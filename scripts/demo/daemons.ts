// `--oracle daemon` (the default): the oracle side is three real riskgate daemons (oracle/src/index.ts startDaemon, the
// same code as `riskgate oracle start`), in this process, each with its own key, SQLite file and HTTP API:
// they import the scenario's account history at start-up (historyFile, as an operator bootstraps from an
// external indexer), watch the contracts, score from that + their own indexed chain history, co-sign over
// /v1/cosign and post.
// The demo's keeper follows their PostAttestation events on-chain.
import { join } from "node:path";
import { type Abi, type Address, type Hex, type PublicClient, decodeEventLog, decodeFunctionData } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { Deployments } from "../../deploy/types.js";
import { loadConfig } from "../../oracle/src/config.js";
import { type Daemon, startDaemon } from "../../oracle/src/index.js";
import type { Payment } from "../../oracle/src/risk/types.js";
import { formatHistoryJsonl, importHistoryRecords, parseHistoryJsonl } from "../../oracle/src/store/importHistory.js";
import { type Decision, type Verdict, decisionOf, reasonsInWords, sleep } from "./operators.js";

export type DaemonOracle = {
  daemons: Daemon[];
  urls: string[];
  postStats: { gas: bigint; count: number }[];
  /** Signatures each operator contributed to the verdicts posted on-chain (decoded from the post transactions). */
  signaturesPerOperator(): { address: string; signed: number }[];
  /**
   * Other traffic the operators' indexer has seen (the scenario's payments that are not put on-chain):
   * imported into every daemon's store, as `riskgate oracle import-history` does (idempotent).
   */
  feed(payments: readonly Payment[]): void;
  /** The posted verdict for `subject` (waits for it). */
  waitPosted(subject: Hex, timeoutMs?: number): Promise<Verdict>;
  stop(): Promise<void>;
};

export async function startDaemonOracle(args: {
  publicClient: PublicClient;
  d: Deployments;
  rpcUrl: string;
  operatorKeys: Hex[];
  dir: string;
  denyListPath: string;
  /** JSONL account history (the scenario's transfers) each daemon imports at start-up (HISTORY_FILE). */
  historyFile?: string;
  onVerdict: (v: Verdict) => void;
}): Promise<DaemonOracle> {
  const { d } = args;
  const daemons: Daemon[] = [];
  for (let i = 0; i < args.operatorKeys.length; i++) {
    const config = loadConfig({
      env: {},
      overrides: {
        rpcUrl: args.rpcUrl,
        chainId: d.chainId,
        oracleAddress: d.contracts.RiskOracle.address,
        escrowAddress: d.contracts.PaymentEscrow.address,
        streamAddress: d.contracts.PaymentStream.address,
        startBlock: d.startBlock,
        dbPath: join(args.dir, `operator${i + 1}.sqlite`),
        httpPort: 0,
        requireApiKey: false,
        logLevel: "silent",
        pollIntervalMs: 50,
        batchWaitMs: 10,
        attestationTtl: 3600,
        cosignSecret: "riskgate-demo-local-secret-not-for-production",
        denyListPath: args.denyListPath,
        historyFile: args.historyFile,
        rpcRetryBaseMs: 50,
      },
    });
    daemons.push(await startDaemon({ config, account: privateKeyToAccount(args.operatorKeys[i]) }));
  }
  // Every operator may lead; each knows the others as co-signing peers.
  for (const [i, dm] of daemons.entries()) dm.ctx.config.cosignPeers = daemons.filter((_, j) => j !== i).map((p) => p.url);

  const posted = new Map<string, Verdict>();
  const postStats: { gas: bigint; count: number }[] = [];
  const signed = new Map<string, number>(daemons.map((x) => [x.ctx.account!.address, 0]));
  let stopped = false;
  const seenTx = new Set<string>();
  const escrow = d.contracts.PaymentEscrow.address.toLowerCase();
  const loop = (async () => {
    let cursor = BigInt(d.startBlock);
    while (!stopped) {
      try {
        const head = await args.publicClient.getBlockNumber();
        if (head > cursor) {
          const logs = await args.publicClient.getLogs({ address: d.contracts.RiskOracle.address, fromBlock: cursor + 1n, toBlock: head });
          const perTx = new Map<string, number>();
          for (const log of logs) {
            let ev;
            try {
              ev = decodeEventLog({ abi: d.contracts.RiskOracle.abi as Abi, data: log.data, topics: log.topics });
            } catch {
              continue;
            }
            if (ev.eventName !== "PostAttestation") continue;
            const a = ev.args as unknown as { uid: Hex; consumer: Address; subject: Hex; score: number; reasons: number };
            perTx.set(log.transactionHash!, (perTx.get(log.transactionHash!) ?? 0) + 1);
            const decision: Decision = decisionOf(a.score, d.policy);
            const isEscrow = a.consumer.toLowerCase() === escrow;
            const x = BigInt(a.subject);
            const v: Verdict = {
              uid: a.uid,
              subject: a.subject,
              consumer: a.consumer,
              escrowId: isEscrow ? x >> 16n : undefined,
              milestone: isEscrow ? Number(x & 0xffffn) : undefined,
              streamId: isEscrow ? undefined : x >> 64n,
              score: a.score,
              reasons: a.reasons,
              reasonsText: reasonsInWords(a.reasons),
              explanation: [],
              decision,
              issuedAt: 0n,
              postedTx: log.transactionHash!,
              seenAt: Date.now(),
              postedAt: Date.now(),
            };
            posted.set(a.subject.toLowerCase(), v);
            args.onVerdict(v);
          }
          for (const [tx, count] of perTx) {
            if (seenTx.has(tx)) continue;
            seenTx.add(tx);
            const r = await args.publicClient.getTransactionReceipt({ hash: tx as Hex });
            postStats.push({ gas: r.gasUsed, count });
            // Signatures are aligned with the signer set (an empty entry: that operator did not sign).
            const input = (await args.publicClient.getTransaction({ hash: tx as Hex })).input;
            const call = decodeFunctionData({ abi: d.contracts.RiskOracle.abi as Abi, data: input });
            const set = call.args?.[1] as readonly Address[] | undefined;
            const sigs = call.functionName === "postAttestations" ? (call.args?.[2] as readonly (readonly Hex[])[]) : call.functionName === "postAttestation" ? [call.args?.[2] as readonly Hex[]] : [];
            for (const row of sigs) row.forEach((sig, j) => sig.length > 2 && set?.[j] && signed.set(set[j]!, (signed.get(set[j]!) ?? 0) + 1));
          }
          cursor = head;
        }
      } catch (err) {
        if (!stopped) process.stderr.write(`keeper: ${(err as Error).message.split("\n")[0]}\n`);
      }
      await sleep(50);
    }
  })();

  return {
    daemons,
    urls: daemons.map((x) => x.url),
    postStats,
    signaturesPerOperator: () => [...signed].map(([address, n]) => ({ address, signed: n })),
    feed(payments) {
      // Through the JSONL format, so the demo exercises exactly what an operator's feed would send.
      const records = parseHistoryJsonl(formatHistoryJsonl(payments));
      for (const dm of daemons) importHistoryRecords(dm.ctx.store, records);
    },
    async waitPosted(subject, timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const v = posted.get(subject.toLowerCase());
        if (v) return v;
        if (Date.now() > until) throw new Error(`no verdict posted for ${subject} within ${timeoutMs} ms`);
        await sleep(50);
      }
    },
    async stop() {
      stopped = true;
      await loop;
      await Promise.allSettled(daemons.map((x) => x.stop("demo finished")));
    },
  };
}
