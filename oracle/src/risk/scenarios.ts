// Seeded synthetic payment histories with labelled fraud patterns, for tests, the bench and the demo.
//
//   const s = generateScenario({ seed: 7 });
//   const history = new InMemoryHistory(); loadScenarioHistory(s, history);
//   const engine = await createRiskEngine({ history, denyListPath });   // file with s.denyList
//   const results = runScenario(engine, history, s);                   // scores in time order
import type { Address } from "viem";
import { createRng, type Rng } from "../model/rng.js";
import type { InMemoryHistory } from "./inMemoryHistory.js";
import type { Payment, RiskEngine, RiskResult, Transfer } from "./types.js";

export const SCENARIO_PATTERNS = ["muleFanIn", "muleFanOut", "velocityBurst", "drainedFreshAccount", "structuring", "sanctioned"] as const;
export type FraudPattern = (typeof SCENARIO_PATTERNS)[number];
export type PatternLabel = "normal" | FraudPattern;

export type LabelledPayment = { payment: Payment; fraud: boolean; pattern: PatternLabel };

export type Scenario = {
  seed: number;
  token: Address;
  start: number;
  /** Chain history to load into the store before scoring (ETH and token transfers). */
  transfers: Transfer[];
  /** Payments in time order, each labelled. */
  payments: LabelledPayment[];
  /** Addresses to put on the deny list (the sanctioned pattern's payee). */
  denyList: Address[];
};

export type ScenarioOptions = {
  seed?: number;
  /** Honest payers (default 20). */
  payers?: number;
  /** Honest payees (default 10). */
  payees?: number;
  /** Days of honest activity before the patterns (default 7). */
  days?: number;
  /** Patterns to include (default all). */
  patterns?: readonly FraudPattern[];
  /** Unix seconds of the first day (default 1_750_000_000). */
  start?: number;
  token?: Address;
};

const DAY = 86400;
const USDC = (n: number): bigint => BigInt(Math.round(n * 100)) * 10_000n;
const ETH = (n: number): bigint => BigInt(Math.round(n * 1e6)) * 1_000_000_000_000n;

function addr(rng: Rng): Address {
  let s = "0x";
  for (let i = 0; i < 5; i++) s += Math.floor(rng.next() * 2 ** 32).toString(16).padStart(8, "0");
  return s as Address;
}

export function generateScenario(opts: ScenarioOptions = {}): Scenario {
  const seed = opts.seed ?? 1;
  const rng = createRng(seed);
  const start = opts.start ?? 1_750_000_000;
  const days = opts.days ?? 7;
  const token = opts.token ?? ("0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48" as Address);
  const patterns = opts.patterns ?? SCENARIO_PATTERNS;
  const transfers: Transfer[] = [];
  const payments: LabelledPayment[] = [];
  const exchange = addr(rng);
  let block = 1_000_000;

  /**
   * An established account: a year of ETH and token activity shaped like the legitimate accounts of
   * the training data. A real wallet deals with a handful of regular counterparties again and again
   * (its exchange, a few friends or merchants), not with a new address each time: ETH comes mostly
   * from the exchange and 1-3 regular contacts, and goes to 1-3 regular recipients and back to the
   * exchange; amounts are log-normal (median ~1.5 ETH) and some ETH stays in the account (a send
   * never exceeds what the account holds). Stablecoin transfers go between the exchange and the
   * scenario's other accounts (its customers and merchants), again a few regular ones.
   */
  const established = (a: Address, peers: Address[]): void => {
    const others = peers.filter((x) => x !== a);
    const contacts = (n: number): Address[] => [exchange, ...Array.from({ length: n }, () => addr(rng))];
    const ethFrom = contacts(1 + rng.int(3));
    const ethTo = contacts(1 + rng.int(3));
    const tokenPeers = [exchange, ...Array.from({ length: 1 + rng.int(3) }, () => others[rng.int(others.length)] ?? exchange)];
    // the exchange half the time, else one of the regular counterparties
    const pick = (list: Address[]): Address => (rng.next() < 0.5 ? list[0] : list[1 + rng.int(list.length - 1)]);
    const lognormal = (median: number, sigma: number): number => median * Math.exp(sigma * rng.normal());
    const ethN = 12 + rng.int(40);
    const tokenN = 4 + rng.int(16);
    const t0 = start - 365 * DAY;
    const push = (incoming: boolean, peer: Address, eth: boolean, amount: number, t: number): void => {
      transfers.push({
        from: incoming ? peer : a,
        to: incoming ? a : peer,
        value: eth ? ETH(amount) : USDC(amount),
        token: eth ? null : token,
        decimals: eth ? 18 : 6,
        timestamp: Math.floor(t),
        blockNumber: block++,
        tokenName: eth ? undefined : "USD Coin",
      });
    };
    let balance = 0;
    for (let i = 0; i < ethN; i++) {
      const t = t0 + ((i + rng.next()) / ethN) * 360 * DAY;
      const v = Math.min(lognormal(1.5, 1.1), 200);
      if (i > 0 && rng.next() < 0.45 && v < 0.85 * balance) {
        push(false, pick(ethTo), true, v, t);
        balance -= v;
      } else {
        push(true, pick(ethFrom), true, v, t);
        balance += v;
      }
    }
    for (let i = 0; i < tokenN; i++) {
      push(rng.next() < 0.55, pick(tokenPeers), false, lognormal(400, 1.0), t0 + rng.next() * 360 * DAY);
    }
  };
  const pay = (payer: Address, payee: Address, amount: number, t: number, pattern: PatternLabel): void => {
    payments.push({ payment: { payer, payee, token, amount: USDC(amount), timestamp: Math.floor(t), decimals: 6 }, fraud: pattern !== "normal", pattern });
  };

  const payers = Array.from({ length: opts.payers ?? 20 }, () => addr(rng));
  const payees = Array.from({ length: opts.payees ?? 10 }, () => addr(rng));
  for (const a of [...payers, ...payees]) established(a, [...payers, ...payees]);
  for (const p of payers) {
    const usual = 50 + rng.next() * 1500;
    const mine = [payees[rng.int(payees.length)], payees[rng.int(payees.length)], payees[rng.int(payees.length)]];
    for (let d = 0; d < days; d++) {
      const k = 1 + rng.int(3);
      for (let i = 0; i < k; i++) {
        pay(p, mine[rng.int(mine.length)], usual * (0.7 + 0.6 * rng.next()), start + d * DAY + 8 * 3600 + rng.next() * 10 * 3600, "normal");
      }
    }
  }
  const t0 = start + days * DAY;
  const freshFunded = (a: Address, amount: number, t: number): void => {
    transfers.push({ from: exchange, to: a, value: USDC(amount), token, decimals: 6, timestamp: Math.floor(t), blockNumber: block++, tokenName: "USD Coin" });
  };
  for (const pattern of patterns) {
    const base = t0 + rng.int(12) * 3600;
    if (pattern === "muleFanIn") {
      const mule = addr(rng);
      for (let i = 0; i < 25; i++) {
        const victim = addr(rng);
        freshFunded(victim, 600, base - 3600);
        pay(victim, mule, 150 + rng.next() * 300, base + i * 240, pattern);
      }
    } else if (pattern === "muleFanOut") {
      const mule = addr(rng);
      freshFunded(mule, 50_000, base - 7200);
      for (let i = 0; i < 25; i++) pay(mule, addr(rng), 900 + rng.next() * 900, base + i * 200, pattern);
    } else if (pattern === "velocityBurst") {
      const p = payers[rng.int(payers.length)];
      const target = addr(rng);
      for (let i = 0; i < 30; i++) pay(p, target, 200 + rng.next() * 100, base + i * 40, pattern);
    } else if (pattern === "drainedFreshAccount") {
      const fresh = addr(rng);
      freshFunded(fresh, 20_000, base);
      pay(fresh, addr(rng), 19_500, base + 1800, pattern);
    } else if (pattern === "structuring") {
      const p = payers[rng.int(payers.length)];
      const target = payees[rng.int(payees.length)];
      for (let i = 0; i < 4; i++) pay(p, target, 9_500 + rng.next() * 490, base + i * 3 * 3600, pattern);
    } else if (pattern === "sanctioned") {
      const bad = addr(rng);
      pay(payers[rng.int(payers.length)], bad, 500 + rng.next() * 500, base, pattern);
    }
  }
  payments.sort((a, b) => a.payment.timestamp - b.payment.timestamp);
  transfers.sort((a, b) => a.timestamp - b.timestamp);
  const denyList = payments.filter((p) => p.pattern === "sanctioned").map((p) => p.payment.payee);
  return { seed, token, start, transfers, payments, denyList };
}

/** Loads the scenario's chain history into a store. */
export function loadScenarioHistory(s: Scenario, history: InMemoryHistory): void {
  history.addTransfers(s.transfers);
}

/** Scores each payment in time order, then records it (as the daemon does). */
export function runScenario(engine: RiskEngine, history: InMemoryHistory, s: Scenario): { item: LabelledPayment; result: RiskResult }[] {
  return s.payments.map((item) => {
    const result = engine.score(item.payment);
    history.addPayment(item.payment);
    return { item, result };
  });
}
