// Queue → verdict: for each pending settlement, score + sign (+ co-signatures up to the threshold) and
// persist the attestation as "signed" with the queue item marked done, in ONE transaction (so "signed,
// not yet posted" is on disk before the submitter sends anything).
// A subject that already has a live push attestation is never signed again.
import type { Context } from "../context.js";
import { shortMessageOf } from "../errors.js";
import { signSettlement, toStored } from "../attestation/issueAttestation.js";
import type { InboxItem } from "../store/types.js";
import { leaderRank } from "./leaderRank.js";

export type ProcessSettlementsParameters = {
  limit?: number;
  /** Whether a verdict for `subject` was posted on chain at or after `fromBlock` (by any operator). */
  postedOnChain?: (subject: InboxItem["subject"], fromBlock: number) => Promise<boolean>;
  /**
   * Whether the settlement can no longer be used on chain (a stream seq already used — by a pull-mode
   * withdrawal, or long ago when backfilling): then nothing is signed or posted for it.
   */
  outdated?: (item: InboxItem) => Promise<boolean>;
  /** How many settlements are signed concurrently (co-signing is a network round trip). */
  concurrency?: number;
};

export async function processSettlements(ctx: Context, p: ProcessSettlementsParameters = {}): Promise<number> {
  const { store } = ctx;
  const now = Date.now();
  const due: InboxItem[] = [];
  for (const item of store.pendingSettlements(p.limit ?? 256)) {
    if (store.activeAttestationForSubject(item.subject)) {
      store.setSettlementStatus(item.subject, "done");
      continue;
    }
    if (!ctx.config.lead) {
      // Co-sign-only operator: the payment is already in the feature history (watcher); nothing to sign.
      store.setSettlementStatus(item.subject, "done");
      continue;
    }
    const rank = ctx.chain && ctx.account ? leaderRank(item.subject, ctx.chain.signers, ctx.account.address) : 0;
    if (rank === null) continue; // not a signer: watch only
    if (rank > 0 && now < item.seenAt + rank * ctx.config.leaderGraceMs) continue; // the better-ranked operator leads first
    // Led already (by another operator, or before this one's history was rebuilt from a backfill)?
    // A later-ranked operator asks before signing; the first-ranked one asks while it signs (latency).
    if (rank > 0 && ((p.postedOnChain && (await p.postedOnChain(item.subject, item.blockNumber))) || (p.outdated && (await p.outdated(item))))) {
      store.setSettlementStatus(item.subject, "done");
      continue;
    }
    due.push(item);
  }
  let done = 0;
  const workers = Math.max(1, p.concurrency ?? 8);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(workers, due.length) }, async () => {
      while (next < due.length && !ctx.shutdown.isShuttingDown()) {
        const item = due[next++]!;
        if (await lead(ctx, item, p)) done++;
      }
    }),
  );
  return done;
}

async function lead(ctx: Context, item: InboxItem, p: ProcessSettlementsParameters): Promise<boolean> {
  const { store, logger, metrics } = ctx;
  let issued;
  try {
    const [posted, outdated, signed] = await Promise.all([
      p.postedOnChain ? p.postedOnChain(item.subject, item.blockNumber) : false,
      p.outdated ? p.outdated(item) : false,
      signSettlement(ctx, item),
    ]);
    if (posted || outdated) {
      store.setSettlementStatus(item.subject, "done");
      return false;
    }
    issued = signed;
  } catch (err) {
    logger.warn({ subject: item.subject, err: shortMessageOf(err) }, "could not sign settlement; will retry");
    return false;
  }
  if (issued.signed < issued.threshold) {
    logger.warn({ subject: item.subject, signed: issued.signed, threshold: issued.threshold }, "threshold not met; will retry");
    return false;
  }
  store.transaction(() => {
    // The payment is in the feature history already (the watcher writes it with the queue item; a
    // stream re-attestation is no new money and adds nothing), as in every co-signer's.
    store.insertAttestation(toStored(issued, "push", item.seenAt));
    store.setSettlementStatus(item.subject, "done");
  });
  metrics.attestations.inc({ mode: "push" });
  metrics.scores.observe({ source: "chain", decision: issued.decision }, issued.result.score);
  return true;
}
