// Who leads a settlement. Every operator watches the same events; for each subject the signer set is
// rotated to start at `uint(subject) mod n`, and the operator at position r of that rotation leads
// after r x LEADER_GRACE_MS, and only if no verdict for the subject was posted meanwhile. So one
// operator leads each settlement, the load is spread over the set, and a dead operator's settlements
// are picked up by the next one after one grace period.
import type { Address, Hex } from "viem";

/** The operator's rank for `subject` (0 leads at once), or null when it is not in the signer set. */
export function leaderRank(subject: Hex, signers: readonly Address[], self: Address): number | null {
  const n = signers.length;
  const me = signers.findIndex((s) => s.toLowerCase() === self.toLowerCase());
  if (me < 0 || n === 0) return null;
  const first = Number(BigInt(subject) % BigInt(n));
  return (me - first + n) % n;
}
