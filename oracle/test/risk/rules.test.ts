import assert from "node:assert/strict";
import { test } from "node:test";
import type { PaymentFeatures } from "../../src/risk/paymentFeatures.js";
import { ReasonCode } from "../../src/risk/reasonCodes.js";
import { DEFAULT_LIMITS, evaluateRules } from "../../src/risk/rules.js";

const bands = { allowBelow: 2000, freezeAt: 8000 };
const quiet: PaymentFeatures = {
  amount: 100,
  amountZ: 0,
  payerCount1h: 0,
  payerCount24h: 1,
  payeeCount1h: 0,
  payeeCount24h: 1,
  pairCount1h: 0,
  pairCount24h: 1,
  payerSum24h: 200,
  distinctPayersOfPayee24h: 1,
  distinctPayeesOfPayer24h: 1,
  justUnder24h: 0,
  payerAge: 30 * 86400,
  payeeAge: 30 * 86400,
  firstPaymentPair: false,
  freshDrainShare: 0,
};
const run = (f: Partial<PaymentFeatures>, denied = { payer: false, payee: false }) => evaluateRules({ ...quiet, ...f }, denied, DEFAULT_LIMITS, bands);

test("test_rules_GivenQuietPayment_NoReasons", () => {
  const r = run({});
  assert.equal(r.reasons, 0);
  assert.equal(r.floor, 0);
  assert.equal(r.points, 0);
});

test("test_rules_DenyListFreezes", () => {
  assert.equal(run({}, { payer: false, payee: true }).reasons, ReasonCode.DENY_LIST_PAYEE);
  assert.equal(run({}, { payer: false, payee: true }).floor, 10000);
  assert.equal(run({}, { payer: true, payee: false }).reasons, ReasonCode.DENY_LIST_PAYER);
});

test("test_rules_LimitsHold", () => {
  const r = run({ amount: DEFAULT_LIMITS.maxAmount + 1 });
  assert.equal(r.reasons, ReasonCode.AMOUNT_LIMIT);
  assert.equal(r.floor, 5000, "one hold rule lifts the score to the middle of the hold band");
  assert.equal(run({ amount: DEFAULT_LIMITS.maxAmount }).reasons, 0, "at the limit is allowed");
  assert.equal(run({ payerSum24h: DEFAULT_LIMITS.maxDailyAmount + 1 }).reasons, ReasonCode.DAILY_LIMIT);
});

test("test_rules_VelocityFanInFanOut", () => {
  assert.equal(run({ payerCount1h: DEFAULT_LIMITS.maxPaymentsPerHour }).reasons, ReasonCode.VELOCITY_PAYER);
  assert.equal(run({ payerCount1h: DEFAULT_LIMITS.maxPaymentsPerHour - 1 }).reasons, 0);
  assert.equal(run({ distinctPayersOfPayee24h: DEFAULT_LIMITS.maxPayersPerPayeeDay + 1 }).reasons, ReasonCode.FAN_IN);
  assert.equal(run({ distinctPayeesOfPayer24h: DEFAULT_LIMITS.maxPayeesPerPayerDay + 1 }).reasons, ReasonCode.FAN_OUT);
  const pair = run({ pairCount1h: DEFAULT_LIMITS.maxPairPaymentsPerHour });
  assert.equal(pair.reasons, ReasonCode.VELOCITY_PAIR);
  assert.equal(pair.points, 1000);
});

test("test_rules_StructuringAndDrain", () => {
  assert.equal(run({ justUnder24h: DEFAULT_LIMITS.structuringCount }).reasons, ReasonCode.STRUCTURING);
  assert.equal(run({ justUnder24h: DEFAULT_LIMITS.structuringCount - 1 }).reasons, 0);
  assert.equal(run({ freshDrainShare: 0.95 }).reasons, ReasonCode.FRESH_ACCOUNT_DRAIN);
  assert.equal(run({ freshDrainShare: 0.5 }).reasons, 0);
});

test("test_rules_TwoHoldRulesFreeze", () => {
  const r = run({ justUnder24h: 5, payerCount1h: 50 });
  assert.equal(r.reasons, ReasonCode.STRUCTURING | ReasonCode.VELOCITY_PAYER);
  assert.equal(r.floor, bands.freezeAt);
});

test("test_rules_AnomalyAndNewPayeeAddPoints", () => {
  const r = run({ amountZ: 6, payeeAge: 3600, firstPaymentPair: true });
  assert.equal(r.reasons, ReasonCode.AMOUNT_ANOMALY | ReasonCode.NEW_PAYEE | ReasonCode.FIRST_PAYMENT_PAIR);
  assert.equal(r.points, 1500 + 300);
  assert.equal(r.floor, 0);
});
