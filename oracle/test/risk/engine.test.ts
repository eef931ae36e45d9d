import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Address } from "viem";
import { createRiskEngine } from "../../src/risk/createRiskEngine.js";
import { InMemoryHistory } from "../../src/risk/inMemoryHistory.js";
import { ReasonCode } from "../../src/risk/reasonCodes.js";
import { generateScenario, loadScenarioHistory, runScenario, SCENARIO_PATTERNS } from "../../src/risk/scenarios.js";
import type { RiskEngine } from "../../src/risk/types.js";

const dir = mkdtempSync(join(tmpdir(), "riskgate-engine-test-"));
const denyPath = join(dir, "deny.txt");
const scenario = generateScenario({ seed: 11 });
const history = new InMemoryHistory();
let engine: RiskEngine;

before(async () => {
  writeFileSync(denyPath, `# sanctioned\n${scenario.denyList.join("\n")}\n`);
  loadScenarioHistory(scenario, history);
  engine = await createRiskEngine({ history, denyListPath: denyPath });
});
after(() => {
  engine.close();
  rmSync(dir, { recursive: true, force: true });
});

const HOLD_BITS: Record<(typeof SCENARIO_PATTERNS)[number], number> = {
  muleFanIn: ReasonCode.FAN_IN,
  muleFanOut: ReasonCode.FAN_OUT,
  velocityBurst: ReasonCode.VELOCITY_PAYER,
  drainedFreshAccount: ReasonCode.FRESH_ACCOUNT_DRAIN,
  structuring: ReasonCode.STRUCTURING,
  sanctioned: ReasonCode.DENY_LIST_PAYEE,
};

test("test_engine_ScenarioPatternsGetTheirReasonBits", () => {
  const results = runScenario(engine, history, scenario);
  for (const { result } of results) {
    assert.ok(Number.isInteger(result.score) && result.score >= 0 && result.score <= 10000);
    assert.equal(result.reasons >>> 0, result.reasons);
    assert.equal(result.modelId, engine.modelId);
  }
  for (const pattern of SCENARIO_PATTERNS) {
    const mine = results.filter((r) => r.item.pattern === pattern);
    assert.ok(mine.length > 0, pattern);
    const flagged = mine.filter((r) => (r.result.reasons & HOLD_BITS[pattern]) !== 0);
    assert.ok(flagged.length > 0, `${pattern} never got its reason bit`);
    assert.ok(flagged.every((r) => r.result.score >= engine.bands.allowBelow), `${pattern} flagged but released`);
  }
  const sanctioned = results.find((r) => r.item.pattern === "sanctioned")!;
  assert.equal(sanctioned.result.score, 10000);
  const normal = results.filter((r) => r.item.pattern === "normal");
  const ruleBits = Object.values(HOLD_BITS).reduce((a, b) => a | b, 0) | ReasonCode.AMOUNT_LIMIT | ReasonCode.DAILY_LIMIT;
  const falseHolds = normal.filter((r) => (r.result.reasons & ruleBits) !== 0).length;
  assert.ok(falseHolds / normal.length < 0.05, `${falseHolds}/${normal.length} honest payments hit a hold rule`);
});

test("test_engine_ExplanationNamesTopContributors", () => {
  const p = scenario.payments.filter((x) => x.pattern === "structuring").at(-1)!.payment;
  const r = engine.score({ ...p, timestamp: p.timestamp + 1 });
  assert.ok((r.reasons & ReasonCode.STRUCTURING) !== 0);
  assert.ok(r.explanation.some((e) => e.feature === "STRUCTURING"), "the rule that set the score is named");
  assert.ok(r.explanation.some((e) => e.feature.startsWith("payee: ") || e.feature.startsWith("payer: ")), "model features are named");
  for (let i = 1; i < r.explanation.length; i++) {
    assert.ok(Math.abs(r.explanation[i - 1].contribution) >= Math.abs(r.explanation[i].contribution));
  }
  assert.ok(r.explanation.every((e) => e.text.length > 0 && e.feature.length > 0));
});

test("test_engine_ScoreBatchEqualsScore", () => {
  const ps = scenario.payments.slice(0, 40).map((x) => x.payment);
  const batch = engine.scoreBatch(ps);
  assert.deepEqual(batch, ps.map((p) => engine.score(p)));
});

test("test_engine_DenyListHotReload", async () => {
  const payee = "0x00000000000000000000000000000000deadbeef" as Address;
  const p = { ...scenario.payments[0].payment, payee };
  assert.equal(engine.score(p).reasons & ReasonCode.DENY_LIST_PAYEE, 0);
  appendFileSync(denyPath, `${payee.toUpperCase().replace("0X", "0x")}\n`);
  let denied = false;
  for (let i = 0; i < 60 && !denied; i++) {
    await new Promise((r) => setTimeout(r, 100));
    denied = (engine.score(p).reasons & ReasonCode.DENY_LIST_PAYEE) !== 0;
  }
  assert.ok(denied, "deny list was not reloaded");
  assert.equal(engine.score(p).score, 10000);
});

test("test_engine_ModelSignalFromHistory", () => {
  // Same payment, but the payee's history changes: the cached account score is refreshed.
  const h = new InMemoryHistory();
  const payer = "0x1000000000000000000000000000000000000001" as Address;
  const payee = "0x2000000000000000000000000000000000000002" as Address;
  return createRiskEngine({ history: h }).then((e) => {
    const p = { payer, payee, token: scenario.token, amount: 100_000_000n, timestamp: scenario.start };
    const before = e.score(p);
    assert.ok((before.reasons & ReasonCode.NO_HISTORY) !== 0);
    h.addTransfer({ from: payer, to: payee, value: 10n ** 18n, token: null, decimals: 18, timestamp: scenario.start - 100, blockNumber: 1 });
    const after = e.score(p);
    assert.equal(after.reasons & ReasonCode.NO_HISTORY, 0);
    e.close();
  });
});
