// Reason-code bits of the attestation's `reasons` (uint32). Documented in docs/reason-codes.md;
// never renumber a bit (attestations already on chain refer to them).

export enum ReasonCode {
  /** The payee account's model score is at or above the calibrated decision threshold. */
  MODEL_PAYEE_RISK = 1 << 0,
  /** The payer account's model score is at or above the calibrated decision threshold. */
  MODEL_PAYER_RISK = 1 << 1,
  /** The payee is on the sanctions/deny list. */
  DENY_LIST_PAYEE = 1 << 2,
  /** The payer is on the sanctions/deny list. */
  DENY_LIST_PAYER = 1 << 3,
  /** The amount is above the per-payment limit. */
  AMOUNT_LIMIT = 1 << 4,
  /** The payer's 24 h total including this payment is above the daily limit. */
  DAILY_LIMIT = 1 << 5,
  /** The payer made more payments in the last 1 h / 24 h than allowed (velocity burst). */
  VELOCITY_PAYER = 1 << 6,
  /** Many distinct payers paid this payee in 24 h (mule fan-in). */
  FAN_IN = 1 << 7,
  /** The payer paid many distinct payees in 24 h (mule fan-out). */
  FAN_OUT = 1 << 8,
  /** Repeated payments just under the reporting threshold (structuring). */
  STRUCTURING = 1 << 9,
  /** The amount is far outside the payer's usual amounts (z-score ≥ 4). */
  AMOUNT_ANOMALY = 1 << 10,
  /** The payee was first seen less than 24 h ago. */
  NEW_PAYEE = 1 << 11,
  /** First payment between this payer and payee (informational). */
  FIRST_PAYMENT_PAIR = 1 << 12,
  /** A fresh payer (first seen < 24 h ago) sends most of what it received (drain pattern). */
  FRESH_ACCOUNT_DRAIN = 1 << 13,
  /** The payer or payee has no chain history: the model has no signal (informational). */
  NO_HISTORY = 1 << 14,
  /** Many payments between the same pair in 1 h. */
  VELOCITY_PAIR = 1 << 15,
}

export const REASON_TEXT: Record<ReasonCode, string> = {
  [ReasonCode.MODEL_PAYEE_RISK]: "the payee's account history looks like known fraud accounts",
  [ReasonCode.MODEL_PAYER_RISK]: "the payer's account history looks like known fraud accounts",
  [ReasonCode.DENY_LIST_PAYEE]: "the payee is on the sanctions/deny list",
  [ReasonCode.DENY_LIST_PAYER]: "the payer is on the sanctions/deny list",
  [ReasonCode.AMOUNT_LIMIT]: "the amount is above the per-payment limit",
  [ReasonCode.DAILY_LIMIT]: "the payer's daily total is above the limit",
  [ReasonCode.VELOCITY_PAYER]: "the payer is making payments unusually fast",
  [ReasonCode.FAN_IN]: "many different payers paid this payee today",
  [ReasonCode.FAN_OUT]: "the payer paid many different payees today",
  [ReasonCode.STRUCTURING]: "repeated payments just under the reporting threshold",
  [ReasonCode.AMOUNT_ANOMALY]: "the amount is far above the payer's usual amounts",
  [ReasonCode.NEW_PAYEE]: "the payee appeared less than a day ago",
  [ReasonCode.FIRST_PAYMENT_PAIR]: "first payment between these two accounts",
  [ReasonCode.FRESH_ACCOUNT_DRAIN]: "a fresh account is sending out most of what it just received",
  [ReasonCode.NO_HISTORY]: "an account has no chain history, so the model has little to go on",
  [ReasonCode.VELOCITY_PAIR]: "many payments between the same two accounts within an hour",
};

/** Names of the bits set in a mask, lowest bit first. */
export function decodeReasons(mask: number): (keyof typeof ReasonCode)[] {
  const out: (keyof typeof ReasonCode)[] = [];
  for (let b = 0; b < 32; b++) {
    const bit = (1 << b) >>> 0;
    if ((mask >>> 0) & bit) {
      const name = ReasonCode[bit as ReasonCode] as keyof typeof ReasonCode | undefined;
      if (name) out.push(name);
    }
  }
  return out;
}
