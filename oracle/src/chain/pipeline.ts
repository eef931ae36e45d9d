// Queue → verdict: for each pending settlement, score + sign (+ co-signatures up to the threshold) and
// persist the attestation as "signed" together with the payment in the feature history, in ONE
// transaction (so "signed, not yet posted" is on disk before the submitter sends anything).
// A subject that already has a live push attestation is never signed again.
import type { Context } from "../context.js";
import { shortMessageOf } from "../errors.js";
import { signSettlement, toStored } from "../attestation/issueAttestation.js";

export async function processSettlements(ctx: Context, limit = 256): Promise<number> {
  const { store, logger, metrics } = ctx;
  let done = 0;
  for (const item of store.pendingSettlements(limit)) {
    if (ctx.shutdown.isShuttingDown()) break;
    if (store.activeAttestationForSubject(item.subject)) {
      store.setSettlementStatus(item.subject, "done");
      continue;
    }
    let issued;
    try {
      issued = await signSettlement(ctx, item);
    } catch (err) {
      logger.warn({ subject: item.subject, err: shortMessageOf(err) }, "could not sign settlement; will retry");
      continue;
    }
    if (issued.signed < issued.threshold) {
      logger.warn({ subject: item.subject, signed: issued.signed, threshold: issued.threshold }, "threshold not met; will retry");
      continue;
    }
    store.transaction(() => {
      store.insertAttestation(toStored(issued, "push", item.seenAt));
      store.insertPayment({ ...item, source: "chain" });
      store.setSettlementStatus(item.subject, "done");
    });
    metrics.attestations.inc({ mode: "push" });
    metrics.scores.observe({ source: "chain", decision: issued.decision }, issued.result.score);
    done++;
  }
  return done;
}
