// Records a verdict issued in pull mode (POST /v1/attestations), and applies Gate rule G14.2.
//
// G14.2: when this operator has already issued a verdict for the settlement (posted, or served in pull
// mode) and the new one decides otherwise, the old one is still in someone's hands and would stay
// usable inline until it expires. So the new one is also POSTED (stored as a push attestation,
// status "signed", for the submitter): the oracle keeps one posted verdict per (consumer, subject) and
// refuses any older one on every path (G1, G2), so the older verdict becomes unusable everywhere. A push
// attestation of the settlement not yet posted (or in flight) is marked "superseded": it is not posted
// (or, if its transaction lands first, the newer post replaces it on chain).
// A verdict with the same decision as the last one changes nothing on chain and is only served.
import type { Context } from "../context.js";
import type { PaymentRecord, StoredAttestation } from "../store/types.js";
import { type IssuedAttestation, toStored } from "./issueAttestation.js";

export type StorePullAttestationResult = {
  stored: StoredAttestation;
  /** The verdict of this operator for the settlement that the new one replaces on chain (G14.2), if any. */
  supersedes: StoredAttestation | null;
};

export function storePullAttestation(ctx: Context, issued: IssuedAttestation, payment: PaymentRecord): StorePullAttestationResult {
  const { store, logger } = ctx;
  const a = issued.attestation;
  const out = store.transaction((): StorePullAttestationResult => {
    const prior = store.latestAttestationFor(a.consumer, a.subject);
    const changes = prior !== null && prior.decision !== issued.decision && prior.issuedAt < a.issuedAt;
    let stored = toStored(issued, "pull");
    if (changes) {
      const live = store.activeAttestationForSubject(a.subject);
      if (live && live.consumer.toLowerCase() === a.consumer.toLowerCase())
        store.updateAttestation(live.uid, { status: "superseded", lastError: `superseded by ${issued.uid} (G14.2)` });
      const push = toStored(issued, "push");
      if (store.insertAttestation(push)) stored = push;
      else logger.error({ uid: issued.uid, subject: a.subject }, "could not queue the superseding verdict for posting (another consumer's live verdict for this subject)");
    }
    if (stored.mode === "pull") store.insertAttestation(stored);
    store.insertPayment(payment);
    return { stored, supersedes: changes ? prior : null };
  });
  if (out.supersedes)
    logger.info(
      { subject: a.subject, consumer: a.consumer, uid: issued.uid, decision: issued.decision, supersedes: out.supersedes.uid, previous_decision: out.supersedes.decision },
      "verdict changed: posting the newer one so the older is unusable (G14.2)",
    );
  return out;
}
