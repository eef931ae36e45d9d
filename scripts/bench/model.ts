// Risk model benchmark: prints figures (no assertions).
//   node --import tsx scripts/bench/model.ts
import { cpus, loadavg } from "node:os";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { Address } from "viem";
import { accountFeatures } from "../../oracle/src/model/accountFeatures.js";
import { engineer } from "../../oracle/src/model/engineer.js";
import { predictEngineered } from "../../oracle/src/model/ensemble.js";
import { loadModel } from "../../oracle/src/model/modelBundle.js";
import { createRng } from "../../oracle/src/model/rng.js";
import { createRiskEngine } from "../../oracle/src/risk/createRiskEngine.js";
import { InMemoryHistory } from "../../oracle/src/risk/inMemoryHistory.js";
import { createSqliteStore } from "../../oracle/src/store/sqliteStore.js";
import { generateScenario, loadScenarioHistory } from "../../oracle/src/risk/scenarios.js";
import type { Payment, Transfer } from "../../oracle/src/risk/types.js";

const rng = createRng(42);
const addr = (): Address => `0x${Array.from({ length: 5 }, () => Math.floor(rng.next() * 2 ** 32).toString(16).padStart(8, "0")).join("")}` as Address;
const pct = (xs: number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
const ms = (x: number): string => `${x.toFixed(3)} ms`;
const now = (): number => performance.now();
const TOKEN = "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48" as Address;

function historyFor(a: Address, n: number, t0: number): Transfer[] {
  const out: Transfer[] = [];
  for (let i = 0; i < n; i++) {
    const other = i % 7 === 0 ? addr() : ("0x00000000000000000000000000000000000000" + (10 + (i % 50)).toString()) as Address;
    const incoming = rng.next() < 0.5;
    const eth = rng.next() < 0.6;
    out.push({
      from: incoming ? other : a,
      to: incoming ? a : other,
      value: eth ? BigInt(Math.floor(rng.next() * 1e6)) * 10n ** 12n : BigInt(Math.floor(rng.next() * 1e9)),
      token: eth ? null : TOKEN,
      decimals: eth ? 18 : 6,
      timestamp: t0 + i * 60,
      blockNumber: i,
      toIsContract: rng.next() < 0.1,
    });
  }
  return out;
}

const s = generateScenario({ seed: 5, payers: 50, payees: 30 });
const history = new InMemoryHistory();
loadScenarioHistory(s, history);
for (const p of s.payments.filter((x) => x.pattern === "normal").slice(0, 200)) history.addPayment(p.payment);
const engine = await createRiskEngine({ history });
console.log(`backend ${engine.backend}, model ${engine.modelId}; load average ${loadavg().map((x) => x.toFixed(2)).join(" ")} on ${cpus().length} cores`);
const payments = s.payments.map((x) => x.payment);

// 1. Single payment, in-process: store features + model + rules.
for (let i = 0; i < 2000; i++) engine.score(payments[i % payments.length]); // warm-up
const warm: number[] = [];
for (let i = 0; i < 20_000; i++) {
  const t = now();
  engine.score(payments[i % payments.length]).explanation;
  warm.push(now() - t);
}
console.log(`single score, accounts cached (history unchanged): p50 ${ms(pct(warm, 0.5))}, p99 ${ms(pct(warm, 0.99))}`);
const cold: number[] = [];
for (let i = 0; i < 5000; i++) {
  const p = payments[i % payments.length];
  history.addTransfer({ from: p.payer, to: p.payee, value: 1_000_000n, token: TOKEN, decimals: 6, timestamp: p.timestamp - 10, blockNumber: 2_000_000 + i });
  const t = now();
  engine.score(p).explanation;
  cold.push(now() - t);
}
console.log(`single score, UNCACHED (both accounts' history changed; features + network + trees + rules + explanation read), in-memory history: p50 ${ms(pct(cold, 0.5))}, p99 ${ms(pct(cold, 0.99))}`);

// 1b. The same on the daemon's SQLite store (":memory:" database, same scenario history).
const store = createSqliteStore({ path: ":memory:" });
store.transaction(() => s.transfers.forEach((x, i) => store.insertTransfer({ ...x, txHash: `0x${i.toString(16).padStart(64, "0")}`, logIndex: 0 })));
store.transaction(() => s.payments.filter((x) => x.pattern === "normal").slice(0, 200).forEach((x) => store.insertPayment(x.payment)));
const sqlEngine = await createRiskEngine({ history: store.history });
for (let i = 0; i < 500; i++) sqlEngine.score(payments[i % payments.length]).explanation;
const sqlCold: number[] = [];
for (let i = 0; i < 3000; i++) {
  const p = payments[i % payments.length];
  store.insertTransfer({ from: p.payer, to: p.payee, value: 1_000_000n, token: TOKEN, decimals: 6, timestamp: p.timestamp - 10, blockNumber: 2_000_000 + i, txHash: `0x${(10_000_000 + i).toString(16).padStart(64, "0")}`, logIndex: 0 });
  const t = now();
  sqlEngine.score(p).explanation;
  sqlCold.push(now() - t);
}
console.log(`single score, UNCACHED, SQLite store (${s.transfers.length} transfers): p50 ${ms(pct(sqlCold, 0.5))}, p99 ${ms(pct(sqlCold, 0.99))}`);
sqlEngine.close();
store.close();

// 1c. The network part alone for one row: plain-TS fast path vs a tfjs predict call.
{
  const b1 = await loadModel();
  const xs = payments.slice(0, 200).map((p) => engineer(accountFeatures(p.payer, history.transfersOf(p.payer))));
  const fast: number[] = [];
  const viaTf: number[] = [];
  for (let i = 0; i < 6000; i++) {
    const x = xs[i % xs.length];
    let t0 = now();
    predictEngineered(b1.ensemble, [x]);
    fast.push(now() - t0);
    t0 = now();
    predictEngineered(b1.ensemble, [x], { tfjs: true });
    viaTf.push(now() - t0);
  }
  console.log(`one account row, network + trees: plain-TS fast path p50 ${ms(pct(fast.slice(1000), 0.5))}, p99 ${ms(pct(fast.slice(1000), 0.99))}; tfjs predict p50 ${ms(pct(viaTf.slice(1000), 0.5))}, p99 ${ms(pct(viaTf.slice(1000), 0.99))}`);
  b1.ensemble.net.dispose();
}

// 2. Batch throughput.
const bundle = await loadModel();
const rows = Array.from({ length: 10_000 }, () => engineer(accountFeatures(addr(), [])).map(() => rng.normal()));
predictEngineered(bundle.ensemble, rows.slice(0, 1000));
let t = now();
for (let k = 0; k < 5; k++) predictEngineered(bundle.ensemble, rows);
console.log(`model batch (network + trees, 10k rows per call): ${Math.round((50_000 / (now() - t)) * 1000).toLocaleString()} rows/s`);
const batch: Payment[] = payments.slice(0, 10_000);
while (batch.length < 10_000) batch.push(...payments.slice(0, 10_000 - batch.length));
engine.scoreBatch(batch);
t = now();
for (let k = 0; k < 10; k++) engine.scoreBatch(batch);
console.log(`scoreBatch, cached accounts (payment features + rules + blend): ${Math.round((100_000 / (now() - t)) * 1000).toLocaleString()} payments/s`);
const freshHist = new InMemoryHistory();
const freshEngine = await createRiskEngine({ history: freshHist });
const fresh: Payment[] = [];
for (let i = 0; i < 10_000; i++) {
  const payer = addr();
  const payee = addr();
  freshHist.addTransfers(historyFor(payer, 10, 1_700_000_000));
  freshHist.addTransfers(historyFor(payee, 10, 1_700_000_000));
  fresh.push({ payer, payee, token: TOKEN, amount: 1_000_000n * BigInt(1 + i % 500), timestamp: 1_700_100_000 });
}
t = now();
freshEngine.scoreBatch(fresh);
console.log(`scoreBatch, 20k uncached accounts with 10 transfers each (features + one batched model call): ${Math.round((10_000 / (now() - t)) * 1000).toLocaleString()} payments/s`);

// 3. Feature extraction for an account with 10,000 transfers.
const big = addr();
const bigHist = historyFor(big, 10_000, 1_600_000_000);
for (let i = 0; i < 5; i++) accountFeatures(big, bigHist);
const fx: number[] = [];
for (let i = 0; i < 50; i++) {
  t = now();
  accountFeatures(big, bigHist);
  fx.push(now() - t);
}
console.log(`account features, 10,000 transfers: p50 ${ms(pct(fx, 0.5))}, p99 ${ms(pct(fx, 0.99))}`);

// 4. Memory over 1M scores.
const mb = (x: number): string => `${(x / 2 ** 20).toFixed(1)} MB`;
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
gc();
const m0 = process.memoryUsage();
const marks: string[] = [];
t = now();
for (let i = 1; i <= 1_000_000; i++) {
  engine.score(payments[i % payments.length]);
  if (i % 250_000 === 0) {
    gc();
    const m = process.memoryUsage();
    marks.push(`${i / 1000}k: rss ${mb(m.rss)} heap ${mb(m.heapUsed)}`);
  }
}
console.log(`1M scores (heap after a full GC at each mark) in ${((now() - t) / 1000).toFixed(1)} s; start rss ${mb(m0.rss)} heap ${mb(m0.heapUsed)}; ${marks.join("; ")}`);
engine.close();
freshEngine.close();
