// Issue #12: the fee bump had no cap (a stuck transaction on a public chain was re-sent at +20% forever).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bumpedFees, initialFees } from "../../src/chain/feePolicy.js";

const gwei = (n: number) => BigInt(Math.round(n * 1e9));

describe("fee policy", () => {
  it("test_initialFees_MarketUnderTheCap_ElseWait", () => {
    const market = { maxFeePerGas: gwei(30), maxPriorityFeePerGas: gwei(1) };
    assert.deepEqual(initialFees(market, gwei(500)), market);
    assert.equal(initialFees(market, gwei(20)), null);
  });

  it("test_bumpedFees_AtLeastTheBumpAndTheMarket", () => {
    const latest = { maxFeePerGas: gwei(10), maxPriorityFeePerGas: gwei(1) };
    const f = bumpedFees(latest, { maxFeePerGas: gwei(5), maxPriorityFeePerGas: gwei(0.5) }, 20, gwei(500))!;
    assert.equal(f.maxFeePerGas, gwei(12) + 1n);
    assert.equal(f.maxPriorityFeePerGas, gwei(1.2) + 1n);
    const g = bumpedFees(latest, { maxFeePerGas: gwei(40), maxPriorityFeePerGas: gwei(3) }, 20, gwei(500))!;
    assert.equal(g.maxFeePerGas, gwei(40));
    assert.equal(g.maxPriorityFeePerGas, gwei(3));
  });

  it("test_RevertWhen_BumpWouldExceedTheCap_NoReplacement", () => {
    // Repeated bumps stop at the cap instead of growing 20% per minute without end.
    let latest = { maxFeePerGas: gwei(10), maxPriorityFeePerGas: gwei(1) };
    const market = { maxFeePerGas: gwei(10), maxPriorityFeePerGas: gwei(1) };
    let bumps = 0;
    for (;;) {
      const next = bumpedFees(latest, market, 20, gwei(100));
      if (!next) break;
      assert.ok(next.maxFeePerGas <= gwei(100));
      latest = next;
      bumps++;
      assert.ok(bumps < 100, "the bump loop must end at the cap");
    }
    assert.equal(bumps, 12); // 10 gwei x 1.2^12 = 89 gwei; one more would pass 100
  });
});
