// npm run demo — the whole of Riskgate on one machine:
//   a local chain on 127.0.0.1 (its own process) → deploy (Ignition) → three oracle operators (2-of-3)
//   → a workload from the scenario generator (escrows, milestones, streams with affiliate commissions,
//   fraud patterns) → a summary table and an HTML report.
// Flags: --payments N (default 120), --seed S (default 7), --streams N, --keep-running (leave chain,
// oracles and the web app up, print the URLs), --json (summary as JSON on stdout, no progress bar),
// --no-web (with --keep-running: no web server), --oracle daemon|in-process (default "daemon": three real
// riskgate daemons, oracle/src/index.ts, that import the scenario's account history like an operator bootstrapping
// from an external indexer (HISTORY_FILE) and are fed the scenario's off-chain payments; "in-process": the oracle
// side built in this process from the oracle modules, scoring on the scenario's simulated clock).
// Ctrl-C or the end stops every process it started (each child runs in its own process group).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import cliProgress from "cli-progress";
import { type Address, type Hex, createPublicClient, createWalletClient, http, toHex } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { deployRiskgate, writeDeployments } from "../deploy/deployRiskgate.js";
import { generateScenario, loadScenarioHistory } from "../oracle/src/risk/scenarios.js";
import { InMemoryHistory } from "../oracle/src/risk/inMemoryHistory.js";
import { formatHistoryJsonl } from "../oracle/src/store/importHistory.js";
import { createRiskEngine } from "../oracle/src/risk/createRiskEngine.js";
import { type DaemonOracle, startDaemonOracle } from "./demo/daemons.js";
import { OracleNetwork } from "./demo/operators.js";
import { Workload, selectPayments } from "./demo/workload.js";
import { htmlReport, summarize, summaryTable } from "./demo/report.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";
/** Hardhat's default accounts: 0 deployer, 1-3 operators, 4 arbiter, 8 a sanctioned payee (local demo), 9 keeper. */
const devAccount = (i: number) => mnemonicToAccount(HARDHAT_MNEMONIC, { addressIndex: i });
const devKey = (i: number): Hex => `0x${Buffer.from(devAccount(i).getHdKey().privateKey!).toString("hex")}`;

const { values: flags } = parseArgs({
  options: {
    payments: { type: "string", default: "120" },
    seed: { type: "string", default: "7" },
    streams: { type: "string" },
    "keep-running": { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    "no-web": { type: "boolean", default: false },
    oracle: { type: "string", default: "daemon" },
    "web-port": { type: "string", default: "0" },
    help: { type: "boolean", default: false },
  },
});
if (flags.help) {
  console.log("usage: npm run demo -- [--payments N] [--seed S] [--streams N] [--oracle daemon|in-process] [--keep-running] [--no-web] [--json]");
  process.exit(0);
}
const nPayments = Number(flags.payments);
const seed = Number(flags.seed);
if (!Number.isInteger(nPayments) || nPayments < 0) fail(`--payments must be a non-negative integer, got "${flags.payments}"`);
if (!Number.isInteger(seed)) fail(`--seed must be an integer, got "${flags.seed}"`);
if (flags.oracle !== "in-process" && flags.oracle !== "daemon") fail(`--oracle must be "daemon" or "in-process", got "${flags.oracle}"`);
const nStreams = flags.streams !== undefined ? Number(flags.streams) : nPayments === 0 ? 0 : Math.max(3, Math.round(nPayments / 25));
const json = flags.json;
const log = (msg: string): void => {
  if (!json) console.log(msg);
  else process.stderr.write(msg + "\n");
};

function fail(msg: string): never {
  process.stderr.write(`demo: ${msg}\n`);
  process.exit(2);
}

// ---- child processes -------------------------------------------------------------------------------
const children: ChildProcess[] = [];
let cleaning: Promise<void> | undefined;
const cleanups: (() => Promise<void>)[] = [];

function startChild(cmd: string, args: string[], readyPattern: RegExp, env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    const onData = (b: Buffer): void => {
      out += b.toString();
      const m = out.match(readyPattern);
      if (m) {
        child.stdout!.off("data", onData);
        resolve({ child, match: m });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (b: Buffer) => (out += b.toString()));
    const timer = setTimeout(() => reject(new Error(`${args.join(" ")} not ready after 60 s:\n${out.slice(-2000)}`)), 60_000);
    child.on("exit", (code) => reject(new Error(`${args.join(" ")} exited with ${code}:\n${out.slice(-2000)}`)));
    const done = (): void => clearTimeout(timer);
    child.stdout!.on("data", () => {
      if (readyPattern.test(out)) done();
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    for (const c of children) {
      if (c.pid === undefined || c.exitCode !== null) continue;
      try {
        process.kill(-c.pid, "SIGTERM"); // the whole process group
      } catch {
        // already gone
      }
    }
    const deadline = Date.now() + 3000;
    while (children.some((c) => c.exitCode === null && c.signalCode === null) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    for (const c of children) {
      if (c.pid !== undefined && c.exitCode === null && c.signalCode === null) {
        try {
          process.kill(-c.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    }
  })();
  return cleaning;
}

/** Last resort (an uncaught error, process.exit anywhere): no child outlives the demo. */
process.on("exit", () => {
  for (const c of children) {
    if (c.pid !== undefined && c.exitCode === null && c.signalCode === null) {
      try {
        process.kill(-c.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
});

let interrupted = false;
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    interrupted = true;
    log(`\n${sig}: stopping everything the demo started…`);
    void cleanup().then(() => process.exit(130));
  });
}

// ---- main ------------------------------------------------------------------------------------------
async function main(): Promise<void> {
  const t0 = performance.now();
  const node = process.execPath;
  log(`Riskgate demo: ${nPayments} payments, ${nStreams} streams, seed ${seed}`);

  // 0. Compile (a no-op when the artifacts are current; replaces coverage-instrumented ones).
  const hardhatCli = path.join(ROOT, "node_modules", "hardhat", "dist", "src", "cli.js");
  await new Promise<void>((resolve, reject) => {
    const build = spawn(node, [hardhatCli, "build"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    build.stdout.on("data", (b: Buffer) => (out += b.toString()));
    build.stderr.on("data", (b: Buffer) => (out += b.toString()));
    build.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`hardhat build failed:\n${out.slice(-3000)}`))));
  });

  // 1. Local chain (own process, own group).
  const { match } = await startChild(node, ["--import", "tsx", "scripts/demo/localChain.ts", "0"], /RISKGATE_CHAIN_READY (\S+)/);
  const rpcUrl = match[1];
  log(`  chain      ${rpcUrl} (chain id 31337)`);

  // 2. Risk engine (the operators' model) and the scenario.
  const history = new InMemoryHistory();
  const tmp = mkdtempSync(path.join(tmpdir(), "riskgate-demo-"));
  cleanups.push(async () => rmSync(tmp, { recursive: true, force: true }));
  const denyListPath = path.join(tmp, "deny-list.txt");
  writeFileSync(denyListPath, "");
  const engine = await createRiskEngine({ history, denyListPath });
  cleanups.push(async () => engine.close());

  // 3. Deploy with Ignition over the chain's RPC; the policy bands are the model's calibrated bands.
  const { default: hre } = await import("hardhat");
  const connection = await hre.network.create({ network: "localhost", override: { url: rpcUrl } });
  const operatorKeys = [1, 2, 3].map(devKey);
  const d = await deployRiskgate({
    connection: connection as never,
    hre,
    parametersPath: path.join(ROOT, "deploy", "parameters", "localhost.json"),
    overrides: {
      signers: [1, 2, 3].map((i) => devAccount(i).address),
      threshold: 2,
      arbiter: devAccount(4).address,
      allowBelow: engine.bands.allowBelow,
      freezeAt: engine.bands.freezeAt,
    },
    outDir: null,
    rpcUrl,
  });
  await connection.close();
  const deploymentsFile = writeDeployments(d, path.join(ROOT, "deployments"));
  log(`  deployed   RiskOracle ${d.contracts.RiskOracle.address}, PaymentEscrow ${d.contracts.PaymentEscrow.address}, PaymentStream ${d.contracts.PaymentStream.address}, MockUSDC ${d.token}`);
  log(`             ${path.relative(ROOT, deploymentsFile)}`);

  // 4. Scenario history (a week of honest traffic + the fraud patterns) in the operators' store.
  const useDaemons = flags.oracle === "daemon";
  // Real daemons score by block time, so their scenario starts at the chain's clock and the workload moves
  // the chain along the scenario's time (alignChainTime); in-process operators score on the simulated clock.
  const chainNow = useDaemons ? Number((await createPublicClient({ transport: http(rpcUrl) }).getBlock()).timestamp) : undefined;
  const scenario = generateScenario({
    seed,
    token: d.token as Address,
    payers: Math.max(20, Math.ceil(nPayments / 14)),
    ...(chainNow === undefined ? {} : { start: chainNow + 60 }),
  });
  loadScenarioHistory(scenario, history);
  const sanctionedDemoPayee = devAccount(8).address;
  writeFileSync(denyListPath, [...scenario.denyList, sanctionedDemoPayee].join("\n") + "\n");
  const picked = selectPayments(scenario, nPayments);
  // The same account history for the daemons, as an operator would export it from an indexer.
  const historyFile = path.join(tmp, "scenario-history.jsonl");
  writeFileSync(historyFile, formatHistoryJsonl(scenario.transfers));

  // 5. Oracle operators.
  const transport = http(rpcUrl, { batch: false, retryCount: 2 });
  const publicClient = createPublicClient({ transport, pollingInterval: 50 });
  const walletClient = createWalletClient({ transport });
  const simTime = new Map<bigint, number>();
  let live = false; // after the workload, escrows from the web app are scored on the wall clock
  let workload: Workload | undefined;
  let outage: { operator: string; fromPayment: number; toPayment: number } | undefined;
  const oracle = new OracleNetwork({
    publicClient,
    walletClient,
    deployments: d,
    operatorKeys,
    engine,
    history,
    paymentTime: (id) => simTime.get(id) ?? (live ? Math.floor(Date.now() / 1000) : undefined),
    onVerdict: (v) => workload?.onVerdict(v),
  });
  let daemonOracle: DaemonOracle | undefined;
  let operatorUrls: string[];
  if (useDaemons) {
    daemonOracle = await startDaemonOracle({ publicClient, d, rpcUrl, operatorKeys, dir: tmp, denyListPath, historyFile, onVerdict: (v) => workload?.onVerdict(v) });
    const dOracle = daemonOracle;
    cleanups.push(() => dOracle.stop());
    operatorUrls = daemonOracle.urls;
    log(`  operators  3 riskgate daemons (oracle/src/index.ts): ${operatorUrls.join(", ")}`);
  } else {
    operatorUrls = await oracle.start();
    cleanups.push(() => oracle.stop());
    log(`  operators  ${oracle.operators.map((o, i) => `${o.account.address} ${operatorUrls[i]}`).join("\n             ")}`);
  }

  // 6. Workload.
  const bar = json
    ? undefined
    : new cliProgress.SingleBar(
        { format: " {phase} [{bar}] {value}/{total} | released {rel} held {held} frozen {frz} | fraud caught {caught}/{fraud} | last score {score}", hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
  const tally = { rel: 0, held: 0, frz: 0, caught: 0, fraud: 0, score: 0 };
  let phase = "";
  workload = new Workload({
    publicClient,
    walletClient,
    d,
    history,
    scenario,
    simTime,
    keeper: devAccount(9).address,
    deployer: devAccount(0).address,
    arbiter: devAccount(4).address,
    seed,
    stopped: () => interrupted,
    alignChainTime: useDaemons,
    feedOtherTraffic: daemonOracle ? (ps) => daemonOracle?.feed(ps) : undefined,
    streamVerdict: async (st, a) => {
      if (daemonOracle) {
        // The daemons attest a stream when it is created (subject seq 0, cap = the deposit) and post it.
        const v = await daemonOracle.waitPosted(toHex(st.streamId << 64n, { size: 32 }));
        return { decision: v.decision, cap: st.deposit };
      }
      const v = await oracle.attestStream({
        streamId: st.streamId,
        subject: a.subject,
        issuedAt: a.issuedAt,
        payment: { payer: st.sender, payee: st.recipient, token: d.token as Address, amount: a.cap, timestamp: a.simTime, decimals: 6 },
      });
      return v.postedTx ? { decision: v.decision, cap: a.cap } : undefined;
    },
    // One co-signer goes down for the middle third of the payments: the other two still reach 2-of-3.
    beforePayment: (i, total) => {
      if (total < 6 || useDaemons) return;
      const op = oracle.operators[1];
      const down = i >= Math.floor(total / 3) && i < Math.floor((2 * total) / 3);
      if (down && op.online) outage = { operator: op.account.address, fromPayment: i + 1, toPayment: Math.floor((2 * total) / 3) };
      op.online = !down;
    },
    onProgress: ({ done, total, phase: ph, last }) => {
      if (last) {
        if (last.decision === "release") tally.rel++;
        else if (last.decision === "hold") tally.held++;
        else tally.frz++;
        if (last.fraud) {
          tally.fraud++;
          if (last.decision !== "release") tally.caught++;
        }
        tally.score = last.score;
      }
      if (!bar) return;
      if (ph !== phase) {
        if (phase) bar.stop();
        phase = ph;
        bar.start(total, done, { phase: ph.padEnd(15), ...tally });
      } else bar.update(done, { ...tally });
    },
  });
  await workload.runEscrows(picked);
  if (!useDaemons) await oracle.idle();
  await workload.settleHeldAndFrozen();
  await workload.runStreams(nStreams);
  bar?.stop();
  if (interrupted) return;

  // 7. Summary + report.
  const summary = summarize({
    seed,
    payments: workload.payments,
    streams: workload.streams,
    postStats: daemonOracle?.postStats ?? oracle.postStats,
    wallSeconds: (performance.now() - t0) / 1000,
    operators: daemonOracle ? daemonOracle.signaturesPerOperator() : oracle.operators.map((o) => ({ address: o.account.address, signed: o.signed })),
    oracleMode: useDaemons ? "3 riskgate daemons (oracle/src/index.ts)" : "3 in-process operators (demo)",
    outage,
  });
  const reportDir = path.join(ROOT, "reports");
  mkdirSync(reportDir, { recursive: true });
  const reportPath = path.join(reportDir, `demo-seed${seed}-${nPayments}${useDaemons ? "-daemon" : ""}.html`);
  writeFileSync(reportPath, htmlReport(summary, workload.payments, workload.streams, engine.bands));
  writeFileSync(reportPath.replace(/\.html$/, ".json"), JSON.stringify(summary, null, 2) + "\n");
  if (json) console.log(JSON.stringify({ ...summary, report: reportPath, deployments: deploymentsFile }, null, 2));
  else {
    console.log("\n" + summaryTable(summary));
    console.log(`\nReport: ${reportPath}`);
  }

  // 8. Keep running for a person (or the browser tests) to explore.
  if (flags["keep-running"]) {
    live = true;
    const oracleUrl = operatorUrls[0];
    // The daemons do not serve the deployments file: the web dev server does (/deployments/<chainId>.json).
    const urls: Record<string, string> = { rpc: rpcUrl, oracle: oracleUrl, deployments: useDaemons ? `/deployments/${d.chainId}.json` : `${oracleUrl}/deployments.json` };
    if (!flags["no-web"]) {
      const vite = path.join(ROOT, "node_modules", "vite", "bin", "vite.js");
      const port = flags["web-port"] && flags["web-port"] !== "0" ? flags["web-port"] : String(await freePort());
      const { match: web } = await startChild(node, [vite, "--config", "web/vite.config.ts", "--host", "127.0.0.1", "--port", port, "--strictPort"], /Local:\s+(http:\/\/\S+)/, {
        FORCE_COLOR: "0",
        NO_COLOR: "1",
        // The daemon's API has no CORS headers: the web dev server proxies it same-origin under /oracle.
        ...(useDaemons ? { RISKGATE_ORACLE_PROXY: oracleUrl } : {}),
      });
      const q = new URLSearchParams({ rpc: rpcUrl, oracle: useDaemons ? "/oracle" : oracleUrl, deployments: urls.deployments });
      urls.web = `${web[1].replace(/\/$/, "")}/?${q.toString()}`;
    }
    const ready = { ...urls, operators: operatorUrls, deploymentsFile, report: reportPath, sanctionedPayee: sanctionedDemoPayee, arbiter: devAccount(4).address };
    log("\nStill running (Ctrl-C stops everything):");
    for (const [k, v] of Object.entries(urls)) log(`  ${k.padEnd(11)} ${v}`);
    process.stderr.write(`RISKGATE_DEMO_READY ${JSON.stringify(ready)}\n`);
    await new Promise(() => undefined); // until a signal
  }
}

try {
  await main();
  await cleanup();
  process.exit(interrupted ? 130 : 0);
} catch (err) {
  process.stderr.write(`demo failed: ${(err as Error).stack ?? String(err)}\n`);
  await cleanup();
  process.exit(1);
}
