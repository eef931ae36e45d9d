// Feature engineering on top of the 45 raw account features: signed log scaling, ratios and
// time-based features. Both model parts (trees and network) see the same engineered vector.
import { ACCOUNT_FEATURES, FEATURE_TEXT } from "./schema.js";

const N = ACCOUNT_FEATURES.length;
const idx = (name: (typeof ACCOUNT_FEATURES)[number]): number => ACCOUNT_FEATURES.indexOf(name);
const I = {
  avgSent: idx("Avg min between sent tnx"),
  avgRec: idx("Avg min between received tnx"),
  span: idx("Time Diff between first and last (Mins)"),
  sent: idx("Sent tnx"),
  rec: idx("Received Tnx"),
  created: idx("Number of Created Contracts"),
  uRec: idx("Unique Received From Addresses"),
  uSent: idx("Unique Sent To Addresses"),
  minRec: idx("min value received"),
  maxRec: idx("max value received"),
  avgValRec: idx("avg val received"),
  maxSent: idx("max val sent"),
  avgValSent: idx("avg val sent"),
  total: idx("total transactions (including tnx to create contract"),
  ethSent: idx("total Ether sent"),
  ethRec: idx("total ether received"),
  ethSentC: idx("total ether sent contracts"),
  balance: idx("total ether balance"),
  ercN: idx("Total ERC20 tnxs"),
  ercRec: idx("ERC20 total Ether received"),
  ercSent: idx("ERC20 total ether sent"),
  ercUSent: idx("ERC20 uniq sent addr"),
  ercURec: idx("ERC20 uniq rec addr"),
  ercURecC: idx("ERC20 uniq rec contract addr"),
  ercTokSent: idx("ERC20 uniq sent token name"),
  ercTokRec: idx("ERC20 uniq rec token name"),
  ercMaxRec: idx("ERC20 max val rec"),
  ercAvgRec: idx("ERC20 avg val rec"),
};

const slog = (x: number): number => (x >= 0 ? Math.log1p(x) : -Math.log1p(-x));
const ratio = (a: number, b: number): number => a / (Math.abs(b) + 1);

type Derived = { name: string; text: string; f: (r: Float64Array) => number };

const DERIVED: Derived[] = [
  { name: "sent/received tx ratio", text: "outgoing vs incoming transaction count", f: (r) => slog(ratio(r[I.sent], r[I.rec])) },
  { name: "received share", text: "share of transactions that are incoming", f: (r) => r[I.rec] / (r[I.total] + 1) },
  { name: "distinct senders per receipt", text: "distinct senders per incoming transaction", f: (r) => r[I.uRec] / (r[I.rec] + 1) },
  { name: "distinct recipients per send", text: "distinct recipients per outgoing transaction", f: (r) => r[I.uSent] / (r[I.sent] + 1) },
  { name: "ether out/in ratio", text: "ETH sent relative to ETH received", f: (r) => slog(ratio(r[I.ethSent], r[I.ethRec])) },
  { name: "balance share", text: "ETH balance kept relative to ETH received", f: (r) => r[I.balance] / (Math.abs(r[I.ethRec]) + 1e-9 + Math.abs(r[I.balance])) },
  { name: "drained", text: "account emptied (almost nothing left of what it received)", f: (r) => (r[I.ethRec] > 0 && Math.abs(r[I.balance]) < 0.01 * r[I.ethRec] + 1e-6 ? 1 : 0) },
  { name: "minutes per transaction", text: "activity span per transaction", f: (r) => slog(r[I.span] / (r[I.total] + 1)) },
  { name: "transactions per day", text: "transaction rate", f: (r) => slog((r[I.total] * 1440) / (r[I.span] + 1)) },
  { name: "send/receive tempo ratio", text: "time between sends vs time between receipts", f: (r) => slog(ratio(r[I.avgSent], r[I.avgRec])) },
  { name: "max/avg received", text: "how uneven incoming amounts are", f: (r) => slog(ratio(r[I.maxRec], r[I.avgValRec])) },
  { name: "max/avg sent", text: "how uneven outgoing amounts are", f: (r) => slog(ratio(r[I.maxSent], r[I.avgValSent])) },
  { name: "min/max received", text: "spread of incoming amounts", f: (r) => r[I.minRec] / (r[I.maxRec] + 1e-9) },
  { name: "contract share of ether sent", text: "share of ETH sent to contracts", f: (r) => r[I.ethSentC] / (r[I.ethSent] + 1e-9) },
  { name: "token share of transactions", text: "token transfers relative to all transactions", f: (r) => slog(ratio(r[I.ercN], r[I.total])) },
  { name: "token out/in ratio", text: "tokens sent relative to tokens received", f: (r) => slog(ratio(r[I.ercSent], r[I.ercRec])) },
  { name: "token senders per transfer", text: "distinct token senders per token transfer", f: (r) => r[I.ercURec] / (r[I.ercN] + 1) },
  { name: "tokens per token transfer", text: "distinct tokens per token transfer", f: (r) => (r[I.ercTokRec] + r[I.ercTokSent]) / (r[I.ercN] + 1) },
  { name: "token contracts per sender", text: "distinct token contracts per token sender", f: (r) => r[I.ercURecC] / (r[I.ercURec] + 1) },
  { name: "token max/avg received", text: "how uneven incoming token amounts are", f: (r) => slog(ratio(r[I.ercMaxRec], r[I.ercAvgRec])) },
  { name: "no token activity", text: "account has no token transfers", f: (r) => (r[I.ercN] === 0 ? 1 : 0) },
  { name: "never sent", text: "account never sent ETH", f: (r) => (r[I.sent] === 0 ? 1 : 0) },
  { name: "created contracts share", text: "share of transactions that create contracts", f: (r) => r[I.created] / (r[I.total] + 1) },
];

/** Names of the engineered vector: log-scaled raw features, then derived ones. */
export const ENGINEERED_FEATURES: string[] = [...ACCOUNT_FEATURES.map((n) => `log ${n}`), ...DERIVED.map((d) => d.name)];

/** Plain words for each engineered feature. */
export const ENGINEERED_TEXT: string[] = [...ACCOUNT_FEATURES.map((n) => FEATURE_TEXT[n]), ...DERIVED.map((d) => d.text)];

export const ENGINEERED_SIZE = ENGINEERED_FEATURES.length;

/** raw (45) → engineered (ENGINEERED_SIZE), written into `out` if given. Non-finite values become 0. */
export function engineer(raw: ArrayLike<number>, out: Float32Array = new Float32Array(ENGINEERED_SIZE)): Float32Array {
  const r = raw as Float64Array;
  for (let j = 0; j < N; j++) out[j] = slog(r[j]);
  for (let k = 0; k < DERIVED.length; k++) {
    const v = DERIVED[k].f(r);
    out[N + k] = Number.isFinite(v) ? v : 0;
  }
  return out;
}
