// Outcome rates of the committed model + rules on the seeded scenarios (the demo's workload): honest
// payments between established accounts are released, every fraud pattern is held or frozen. Also
// pins the property that made honest accounts look like fraud before: their synthetic histories
// must have the shape of the training data's legitimate accounts (regular counterparties, ETH kept).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { accountFeatures } from "../../src/model/accountFeatures.js";
import { ACCOUNT_FEATURES } from "../../src/model/schema.js";
import { createRiskEngine } from "../../src/risk/createRiskEngine.js";
import { InMemoryHistory } from "../../src/risk/inMemoryHistory.js";
import { generateScenario, loadScenarioHistory, runScenario, SCENARIO_PATTERNS } from "../../src/risk/scenarios.js";

const dir = mkdtempSync(join(tmpdir(), "riskgate-outcomes-test-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const col = (name: (typeof ACCOUNT_FEATURES)[number]): number => ACCOUNT_FEATURES.indexOf(name);

for (const seed of [7, 11]) {
  test(`test_scenario_HonestPaymentsRelease_FraudPatternsFlagged_seed${seed}`, async () => {
    const s = generateScenario({ seed });
    const history = new InMemoryHistory();
    loadScenarioHistory(s, history);
    const denyPath = join(dir, `deny-${seed}.txt`);
    writeFileSync(denyPath, s.denyList.join("\n") + "\n");
    const engine = await createRiskEngine({ history, denyListPath: denyPath });
    try {
      const results = runScenario(engine, history, s);
      const held = (score: number): boolean => score >= engine.bands.allowBelow;
      const honest = results.filter((r) => !r.item.fraud);
      const falseHolds = honest.filter((r) => held(r.result.score)).length;
      assert.ok(falseHolds / honest.length < 0.05, `${falseHolds}/${honest.length} honest payments held or frozen`);
      const fraud = results.filter((r) => r.item.fraud);
      const caught = fraud.filter((r) => held(r.result.score)).length;
      assert.ok(caught / fraud.length >= 0.9, `only ${caught}/${fraud.length} fraud payments held or frozen`);
      for (const pattern of SCENARIO_PATTERNS) {
        const mine = results.filter((r) => r.item.pattern === pattern);
        assert.ok(mine.some((r) => held(r.result.score)), `${pattern} never held`);
      }
    } finally {
      engine.close();
    }
  });
}

test("test_scenario_HonestHistoriesLookLikeLegitimateWallets", () => {
  const s = generateScenario({ seed: 7 });
  const history = new InMemoryHistory();
  loadScenarioHistory(s, history);
  const accounts = new Set(s.payments.filter((p) => !p.fraud).flatMap((p) => [p.payment.payer, p.payment.payee]));
  for (const a of accounts) {
    const f = accountFeatures(a, history.transfersOf(a));
    const received = f[col("Received Tnx")];
    assert.ok(received >= 5, `${a}: ${received} ETH receipts`); // training legitimate median 5
    // legitimate accounts receive again and again from a few sources (training median 0.5 per
    // receipt; fraud 0.74): a new sender for every receipt is the mule fan-in shape
    assert.ok(f[col("Unique Received From Addresses")] / (received + 1) <= 0.5, `${a}: a new sender for most receipts`);
    assert.ok(f[col("total ether balance")] > 0, `${a}: sent more ETH than it received`);
    assert.ok(f[col("Total ERC20 tnxs")] > 0, `${a}: no token activity`);
  }
});
