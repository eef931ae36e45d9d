// The risk engine: account model (TensorFlow.js network + trees, cached per account history
// version) + payment features + rules → score 0..10000, reason bits, explanation.
import type { Address } from "viem";
import { accountFeatures } from "../model/accountFeatures.js";
import { selectBackend } from "../model/backend.js";
import { ENGINEERED_FEATURES, ENGINEERED_TEXT, engineer } from "../model/engineer.js";
import { explainEngineered, predictEngineered } from "../model/ensemble.js";
import { DEFAULT_MODEL_DIR, loadModel, type ModelBundle } from "../model/modelBundle.js";
import { createDenyList } from "./denyList.js";
import { paymentFeatures } from "./paymentFeatures.js";
import { ReasonCode } from "./reasonCodes.js";
import { DEFAULT_LIMITS, evaluateRules } from "./rules.js";
import type { CreateRiskEngineOptions, Explanation, HistoryReader, Payment, RiskEngine, RiskLimits, RiskResult } from "./types.js";

type AccountRisk = { version: number; p: number; hasHistory: boolean; x: Float32Array; explanation?: Explanation[] };

const MAX_CACHE = 100_000;

export async function createRiskEngine(opts: CreateRiskEngineOptions): Promise<RiskEngine> {
  const backend = await selectBackend(opts.backend);
  const bundle = await loadModel(opts.modelDir ?? DEFAULT_MODEL_DIR);
  opts.onLog?.("risk engine ready", { backend, model_id: bundle.meta.modelId });
  const deny = createDenyList(opts.denyListPath, { onReload: (size) => opts.onLog?.("deny list loaded", { size }) });
  return buildEngine(bundle, backend, opts.history, { ...DEFAULT_LIMITS, ...opts.limits }, deny);
}

function buildEngine(bundle: ModelBundle, backend: string, history: HistoryReader, limits: RiskLimits, deny: ReturnType<typeof createDenyList>): RiskEngine {
  const { meta, ensemble } = bundle;
  const cache = new Map<string, AccountRisk>();
  const bands = meta.bands;

  /** Features of accounts not cached (or stale), scored in one batched model call. */
  function refresh(addresses: Address[]): void {
    if (cache.size + addresses.length > MAX_CACHE) cache.clear();
    const todo: { key: string; version: number; x: Float32Array; hasHistory: boolean }[] = [];
    const seen = new Set<string>();
    for (const a of addresses) {
      const key = a.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      const version = history.historyVersion(a);
      const c = cache.get(key);
      if (c && c.version === version) continue;
      const transfers = history.transfersOf(a);
      todo.push({ key, version, x: engineer(accountFeatures(a, transfers)), hasHistory: transfers.length > 0 });
    }
    if (todo.length === 0) return;
    const { p } = predictEngineered(ensemble, todo.map((t) => t.x));
    todo.forEach((t, i) => cache.set(t.key, { version: t.version, p: t.hasHistory ? p[i] : 0, hasHistory: t.hasHistory, x: t.x }));
  }

  function accountExplanation(acc: AccountRisk, role: "payer" | "payee"): Explanation[] {
    if (!acc.explanation) {
      const c = explainEngineered(ensemble, acc.x);
      const scale = acc.p * (1 - acc.p) * 10000; // logit → score units (first order)
      const order = Array.from(c.keys()).sort((a, b) => Math.abs(c[b]) - Math.abs(c[a]));
      acc.explanation = order.slice(0, 3).map((j) => ({
        feature: ENGINEERED_FEATURES[j],
        contribution: Math.round(c[j] * scale),
        text: `${ENGINEERED_TEXT[j]} ${c[j] >= 0 ? "raises" : "lowers"} the risk`,
      }));
    }
    return acc.explanation.map((e) => ({ ...e, feature: `${role}: ${e.feature}`, text: `${role}: ${e.text}` }));
  }

  function finish(payment: Payment): RiskResult {
    const payer = cache.get(payment.payer.toLowerCase())!;
    const payee = cache.get(payment.payee.toLowerCase())!;
    const f = paymentFeatures(history, payment, limits);
    const rules = evaluateRules(f, { payer: deny.has(payment.payer), payee: deny.has(payment.payee) }, limits, bands);
    let reasons = rules.reasons;
    if (payee.hasHistory && payee.p >= meta.threshold) reasons |= ReasonCode.MODEL_PAYEE_RISK;
    if (payer.hasHistory && payer.p >= meta.threshold) reasons |= ReasonCode.MODEL_PAYER_RISK;
    if (!payer.hasHistory || !payee.hasHistory) reasons |= ReasonCode.NO_HISTORY;
    const modelScore = Math.round(Math.max(payer.p, payee.p) * 10000);
    const score = Math.min(10000, Math.max(0, Math.max(modelScore, rules.floor) + rules.points));
    const buildExplanation = (): Explanation[] => {
      const explanation: Explanation[] = [];
      if (rules.floor > modelScore) {
        const top = rules.hits.find((h) => h.kind === "freeze") ?? rules.hits.find((h) => h.kind === "hold");
        if (top) explanation.push({ feature: ReasonCode[top.code], contribution: rules.floor - modelScore, text: top.text });
      }
      for (const h of rules.hits) if (h.points > 0) explanation.push({ feature: ReasonCode[h.code], contribution: h.points, text: h.text });
      const riskier = payee.p >= payer.p ? { acc: payee, role: "payee" as const } : { acc: payer, role: "payer" as const };
      if (riskier.acc.hasHistory) explanation.push(...accountExplanation(riskier.acc, riskier.role));
      explanation.sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
      return explanation;
    };
    // The explanation is built on first read (an enumerable getter that memoises itself), so batch
    // scoring does not pay for explanations nobody reads; JSON.stringify and spreads read it.
    const result = { score, reasons: reasons >>> 0, modelId: meta.modelId } as RiskResult;
    Object.defineProperty(result, "explanation", {
      enumerable: true,
      configurable: true,
      get(this: RiskResult) {
        const value = buildExplanation();
        Object.defineProperty(this, "explanation", { value, enumerable: true, writable: true, configurable: true });
        return value;
      },
    });
    return result;
  }

  return {
    modelId: meta.modelId,
    backend,
    bands,
    score(payment) {
      refresh([payment.payer, payment.payee]);
      return finish(payment);
    },
    scoreBatch(payments) {
      refresh(payments.flatMap((p) => [p.payer, p.payee]));
      return payments.map(finish);
    },
    close: () => deny.close(),
  };
}

