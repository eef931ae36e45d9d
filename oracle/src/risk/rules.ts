// Deterministic rules beside the model. Each rule sets a reason bit and either lifts the score to a
// floor (hold or freeze band) or adds points. See docs/reason-codes.md.
import type { PaymentFeatures } from "./paymentFeatures.js";
import { REASON_TEXT, ReasonCode } from "./reasonCodes.js";
import type { RiskLimits, ScoreBands } from "./types.js";

export const DEFAULT_LIMITS: RiskLimits = {
  maxAmount: 100_000,
  maxDailyAmount: 250_000,
  maxPaymentsPerHour: 20,
  maxPaymentsPerDay: 100,
  maxPayersPerPayeeDay: 20,
  maxPayeesPerPayerDay: 20,
  maxPairPaymentsPerHour: 6,
  structuringThreshold: 10_000,
  structuringBand: 0.1,
  structuringCount: 3,
};

export type RuleHit = { code: ReasonCode; kind: "freeze" | "hold" | "points" | "info"; points: number; text: string };

export type RuleOutcome = { reasons: number; hits: RuleHit[]; floor: number; points: number };

/** Evaluates every rule. `denied` = deny-list membership of payer / payee. */
export function evaluateRules(f: PaymentFeatures, denied: { payer: boolean; payee: boolean }, limits: RiskLimits, bands: ScoreBands): RuleOutcome {
  const hits: RuleHit[] = [];
  const hit = (code: ReasonCode, kind: RuleHit["kind"], points = 0, detail = ""): void => {
    hits.push({ code, kind, points, text: REASON_TEXT[code] + detail });
  };
  if (denied.payee) hit(ReasonCode.DENY_LIST_PAYEE, "freeze");
  if (denied.payer) hit(ReasonCode.DENY_LIST_PAYER, "freeze");
  if (f.amount > limits.maxAmount) hit(ReasonCode.AMOUNT_LIMIT, "hold", 0, ` (${f.amount} > ${limits.maxAmount})`);
  if (f.payerSum24h > limits.maxDailyAmount) hit(ReasonCode.DAILY_LIMIT, "hold", 0, ` (${Math.round(f.payerSum24h)} in 24 h > ${limits.maxDailyAmount})`);
  if (f.payerCount1h + 1 > limits.maxPaymentsPerHour || f.payerCount24h + 1 > limits.maxPaymentsPerDay) {
    hit(ReasonCode.VELOCITY_PAYER, "hold", 0, ` (${f.payerCount1h + 1} in 1 h, ${f.payerCount24h + 1} in 24 h)`);
  }
  if (f.distinctPayersOfPayee24h > limits.maxPayersPerPayeeDay) hit(ReasonCode.FAN_IN, "hold", 0, ` (${f.distinctPayersOfPayee24h} payers in 24 h)`);
  if (f.distinctPayeesOfPayer24h > limits.maxPayeesPerPayerDay) hit(ReasonCode.FAN_OUT, "hold", 0, ` (${f.distinctPayeesOfPayer24h} payees in 24 h)`);
  if (f.pairCount1h + 1 > limits.maxPairPaymentsPerHour) hit(ReasonCode.VELOCITY_PAIR, "points", 1000, ` (${f.pairCount1h + 1} in 1 h)`);
  if (f.justUnder24h >= limits.structuringCount) hit(ReasonCode.STRUCTURING, "hold", 0, ` (${f.justUnder24h} payments in 24 h just under ${limits.structuringThreshold})`);
  if (f.freshDrainShare >= 0.8) hit(ReasonCode.FRESH_ACCOUNT_DRAIN, "hold", 0, ` (${Math.round(f.freshDrainShare * 100)}% of what it received)`);
  if (f.amountZ >= 4) hit(ReasonCode.AMOUNT_ANOMALY, "points", Math.min(2000, Math.round(250 * f.amountZ)), ` (z-score ${f.amountZ.toFixed(1)})`);
  if (f.payeeAge >= 0 && f.payeeAge < 86400) hit(ReasonCode.NEW_PAYEE, "points", 300);
  if (f.firstPaymentPair) hit(ReasonCode.FIRST_PAYMENT_PAIR, "info");

  const hold = Math.round((bands.allowBelow + bands.freezeAt) / 2);
  const holds = hits.filter((x) => x.kind === "hold").length;
  let floor = 0;
  if (hits.some((x) => x.kind === "freeze")) floor = 10000;
  else if (holds >= 2) floor = bands.freezeAt;
  else if (holds === 1) floor = hold;
  let reasons = 0;
  for (const x of hits) reasons |= x.code;
  return { reasons: reasons >>> 0, hits, floor, points: hits.reduce((s, x) => s + x.points, 0) };
}
