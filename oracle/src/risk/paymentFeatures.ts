// Payment-level features on top of the account model: amount vs the payer's history, velocity per
// payer / payee / pair, counterparty age, first payment between the pair, fresh-account drain.
import type { HistoryReader, Payment, RiskLimits } from "./types.js";

export type PaymentFeatures = {
  /** Whole tokens. */
  amount: number;
  /** (amount − mean) / std of the payer's earlier payments; 0 with fewer than 3 of them. */
  amountZ: number;
  payerCount1h: number;
  payerCount24h: number;
  payeeCount1h: number;
  payeeCount24h: number;
  pairCount1h: number;
  pairCount24h: number;
  /** Sum of the payer's payments in 24 h, this one included (whole tokens). */
  payerSum24h: number;
  distinctPayersOfPayee24h: number;
  distinctPayeesOfPayer24h: number;
  /** Payments of the payer in 24 h just under the structuring threshold, this one included. */
  justUnder24h: number;
  /** Seconds since first seen; -1 when never seen. */
  payerAge: number;
  payeeAge: number;
  firstPaymentPair: boolean;
  /** Share of what a fresh payer received (this token, 24 h) that this payment sends out; 0 if not fresh. */
  freshDrainShare: number;
};

const HOUR = 3600;
const DAY = 86400;

export function paymentFeatures(h: HistoryReader, p: Payment, limits: RiskLimits): PaymentFeatures {
  const dec = p.decimals ?? 6;
  const scale = 10 ** dec;
  const amount = Number(p.amount) / scale;
  const t = p.timestamp;
  const payerDay = h.paymentsSince({ payer: p.payer, since: t - DAY });
  const payeeDay = h.paymentsSince({ payee: p.payee, since: t - DAY });
  const payee = p.payee.toLowerCase();
  const payer = p.payer.toLowerCase();
  const lo = limits.structuringThreshold * (1 - limits.structuringBand);
  const under = (a: number): boolean => a >= lo && a < limits.structuringThreshold;
  let payerCount1h = 0, payerSum24h = amount, pairCount1h = 0, pairCount24h = 0, justUnder = under(amount) ? 1 : 0;
  const payees = new Set<string>([payee]);
  for (const q of payerDay) {
    if (q.timestamp > t) continue;
    const a = Number(q.amount) / 10 ** (q.decimals ?? 6);
    payerSum24h += a;
    if (q.timestamp > t - HOUR) payerCount1h++;
    const qp = q.payee.toLowerCase();
    payees.add(qp);
    if (qp === payee) {
      pairCount24h++;
      if (q.timestamp > t - HOUR) pairCount1h++;
    }
    if (under(a)) justUnder++;
  }
  let payeeCount1h = 0;
  const payers = new Set<string>([payer]);
  for (const q of payeeDay) {
    if (q.timestamp > t) continue;
    if (q.timestamp > t - HOUR) payeeCount1h++;
    payers.add(q.payer.toLowerCase());
  }
  const stats = h.payerAmountStats(p.payer);
  const std = Math.max(stats.std, 0.05 * Math.abs(stats.mean), 1e-9);
  const amountZ = stats.count >= 3 ? (amount - stats.mean) / std : 0;
  const f1 = h.firstSeen(p.payer);
  const f2 = h.firstSeen(p.payee);
  const payerAge = f1 === null ? -1 : Math.max(0, t - f1);
  const payeeAge = f2 === null ? -1 : Math.max(0, t - f2);
  let freshDrainShare = 0;
  if (payerAge >= 0 && payerAge < DAY) {
    const token = p.token.toLowerCase();
    let received = 0;
    for (const x of h.transfersOf(p.payer)) {
      if (x.token === null || x.token.toLowerCase() !== token || x.timestamp < t - DAY) continue;
      if (x.to.toLowerCase() === payer) received += Number(x.value) / 10 ** x.decimals;
    }
    if (received > 0) freshDrainShare = amount / received;
  }
  return {
    amount,
    amountZ,
    payerCount1h,
    payerCount24h: payerDay.filter((q) => q.timestamp <= t).length,
    payeeCount1h,
    payeeCount24h: payeeDay.filter((q) => q.timestamp <= t).length,
    pairCount1h,
    pairCount24h,
    payerSum24h,
    distinctPayersOfPayee24h: payers.size,
    distinctPayeesOfPayer24h: payees.size,
    justUnder24h: justUnder,
    payerAge,
    payeeAge,
    firstPaymentPair: h.firstPaymentBetween(p.payer, p.payee) === null,
    freshDrainShare,
  };
}
