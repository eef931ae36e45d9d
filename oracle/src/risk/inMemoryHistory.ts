// The reference HistoryReader: chain transfers and seen payments kept in memory, indexed by address.
import type { Address } from "viem";
import type { HistoryReader, Payment, Transfer } from "./types.js";

type Stats = { count: number; mean: number; m2: number; max: number };

export class InMemoryHistory implements HistoryReader {
  private readonly transfers = new Map<string, Transfer[]>();
  private readonly versions = new Map<string, number>();
  private readonly byPayer = new Map<string, Payment[]>();
  private readonly byPayee = new Map<string, Payment[]>();
  private readonly stats = new Map<string, Stats>();
  private readonly first = new Map<string, number>();
  private readonly pairFirst = new Map<string, number>();

  private seen(a: string, t: number): void {
    const f = this.first.get(a);
    if (f === undefined || t < f) this.first.set(a, t);
  }

  private static push<T extends { timestamp: number }>(map: Map<string, T[]>, key: string, item: T): void {
    let list = map.get(key);
    if (!list) map.set(key, (list = []));
    // keep ascending by timestamp (appends are the common case)
    let i = list.length;
    while (i > 0 && list[i - 1].timestamp > item.timestamp) i--;
    list.splice(i, 0, item);
  }

  /** Adds a chain transfer (indexed under both ends). */
  addTransfer(t: Transfer): void {
    const from = t.from.toLowerCase();
    const to = t.to.toLowerCase();
    for (const a of from === to ? [from] : [from, to]) {
      InMemoryHistory.push(this.transfers, a, t);
      this.versions.set(a, (this.versions.get(a) ?? 0) + 1);
      this.seen(a, t.timestamp);
    }
  }

  addTransfers(ts: Iterable<Transfer>): void {
    for (const t of ts) this.addTransfer(t);
  }

  /** Records a payment (after it was scored) for velocity, pair and amount statistics. */
  addPayment(p: Payment): void {
    const payer = p.payer.toLowerCase();
    const payee = p.payee.toLowerCase();
    InMemoryHistory.push(this.byPayer, payer, p);
    InMemoryHistory.push(this.byPayee, payee, p);
    const amount = Number(p.amount) / 10 ** (p.decimals ?? 6);
    const s = this.stats.get(payer) ?? { count: 0, mean: 0, m2: 0, max: 0 };
    s.count++;
    const d = amount - s.mean;
    s.mean += d / s.count;
    s.m2 += d * (amount - s.mean);
    s.max = Math.max(s.max, amount);
    this.stats.set(payer, s);
    this.seen(payer, p.timestamp);
    this.seen(payee, p.timestamp);
    const key = `${payer}:${payee}`;
    const f = this.pairFirst.get(key);
    if (f === undefined || p.timestamp < f) this.pairFirst.set(key, p.timestamp);
  }

  transfersOf(address: Address): readonly Transfer[] {
    return this.transfers.get(address.toLowerCase()) ?? [];
  }

  historyVersion(address: Address): number {
    return this.versions.get(address.toLowerCase()) ?? 0;
  }

  paymentsSince(q: { payer?: Address; payee?: Address; since: number }): readonly Payment[] {
    const payer = q.payer?.toLowerCase();
    const payee = q.payee?.toLowerCase();
    const list = payer ? this.byPayer.get(payer) : payee ? this.byPayee.get(payee) : undefined;
    if (!list) return [];
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].timestamp < q.since) lo = mid + 1;
      else hi = mid;
    }
    const out = list.slice(lo);
    return payer && payee ? out.filter((p) => p.payee.toLowerCase() === payee) : out;
  }

  payerAmountStats(payer: Address): { count: number; mean: number; std: number; max: number } {
    const s = this.stats.get(payer.toLowerCase());
    if (!s) return { count: 0, mean: 0, std: 0, max: 0 };
    return { count: s.count, mean: s.mean, std: s.count > 1 ? Math.sqrt(s.m2 / (s.count - 1)) : 0, max: s.max };
  }

  firstSeen(address: Address): number | null {
    return this.first.get(address.toLowerCase()) ?? null;
  }

  firstPaymentBetween(payer: Address, payee: Address): number | null {
    return this.pairFirst.get(`${payer.toLowerCase()}:${payee.toLowerCase()}`) ?? null;
  }
}
