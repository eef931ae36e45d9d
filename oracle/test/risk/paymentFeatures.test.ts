import assert from "node:assert/strict";
import { test } from "node:test";
import type { Address } from "viem";
import { InMemoryHistory } from "../../src/risk/inMemoryHistory.js";
import { paymentFeatures } from "../../src/risk/paymentFeatures.js";
import { DEFAULT_LIMITS } from "../../src/risk/rules.js";
import type { Payment } from "../../src/risk/types.js";

const P = "0x00000000000000000000000000000000000000a1" as Address;
const Q = "0x00000000000000000000000000000000000000b2" as Address;
const R = "0x00000000000000000000000000000000000000c3" as Address;
const T = "0x00000000000000000000000000000000000000d4" as Address;
const pay = (payer: Address, payee: Address, usdc: number, timestamp: number): Payment => ({ payer, payee, token: T, amount: BigInt(usdc) * 1_000_000n, timestamp });

test("test_paymentFeatures_VelocityZScoreAgeAndPair", () => {
  const h = new InMemoryHistory();
  const t = 1_000_000;
  // payer P: 100, 110, 90, 100 (mean 100, std ≈ 8.165) over the last day; one to R 2 h ago
  h.addPayment(pay(P, Q, 100, t - 80_000));
  h.addPayment(pay(P, Q, 110, t - 50_000));
  h.addPayment(pay(P, R, 90, t - 7_200));
  h.addPayment(pay(P, Q, 100, t - 600));
  h.addPayment(pay(R, Q, 5, t - 100));
  const f = paymentFeatures(h, pay(P, Q, 200, t), DEFAULT_LIMITS);
  assert.equal(f.amount, 200);
  assert.ok(Math.abs(f.amountZ - 100 / Math.sqrt(200 / 3)) < 1e-9);
  assert.equal(f.payerCount1h, 1);
  assert.equal(f.payerCount24h, 4);
  assert.equal(f.payeeCount1h, 2);
  assert.equal(f.payeeCount24h, 4);
  assert.equal(f.pairCount1h, 1);
  assert.equal(f.pairCount24h, 3);
  assert.equal(f.payerSum24h, 600);
  assert.equal(f.distinctPayersOfPayee24h, 2);
  assert.equal(f.distinctPayeesOfPayer24h, 2);
  assert.equal(f.payerAge, 80_000);
  assert.equal(f.firstPaymentPair, false);
  assert.equal(paymentFeatures(h, pay(Q, P, 1, t), DEFAULT_LIMITS).firstPaymentPair, true);
  assert.equal(paymentFeatures(h, pay(Q, "0x00000000000000000000000000000000000000ee" as Address, 1, t), DEFAULT_LIMITS).payeeAge, -1);
});

test("test_paymentFeatures_StructuringCountAndFreshDrain", () => {
  const h = new InMemoryHistory();
  const t = 2_000_000;
  h.addTransfer({ from: R, to: P, value: 10_000n * 1_000_000n, token: T, decimals: 6, timestamp: t - 3600, blockNumber: 1 });
  h.addPayment(pay(P, Q, 9_500, t - 3000));
  h.addPayment(pay(P, Q, 8_000, t - 2000)); // below the band
  const f = paymentFeatures(h, pay(P, Q, 9_900, t), DEFAULT_LIMITS);
  assert.equal(f.justUnder24h, 2);
  assert.ok(Math.abs(f.freshDrainShare - 0.99) < 1e-12);
});
