// Operator-to-operator authentication for /v1/cosign: HMAC-SHA256 over "<timestamp>.<METHOD>.<path>.<raw body>"
// with a secret shared by the operators (COSIGN_SECRET). A request older or newer than `maxSkewMs` is
// refused, so a captured request cannot be replayed later; within the window a request is single-use
// (`createReplayGuard`: its MAC is remembered until it would be stale anyway).
import { createHmac, timingSafeEqual } from "node:crypto";

export const OPERATOR_TIMESTAMP_HEADER = "x-riskgate-timestamp";
export const OPERATOR_SIGNATURE_HEADER = "x-riskgate-signature";

export function signOperatorRequest(secret: string, method: string, path: string, body: string, now = Date.now()): Record<string, string> {
  const ts = String(now);
  const mac = createHmac("sha256", secret).update(`${ts}.${method.toUpperCase()}.${path}.${body}`).digest("hex");
  return { [OPERATOR_TIMESTAMP_HEADER]: ts, [OPERATOR_SIGNATURE_HEADER]: mac };
}

export type VerifyOperatorRequestResult = { ok: true } | { ok: false; reason: string };

export function verifyOperatorRequest(
  secret: string,
  p: { method: string; path: string; body: string; timestamp: string | undefined; signature: string | undefined },
  now = Date.now(),
  maxSkewMs = 60_000,
): VerifyOperatorRequestResult {
  if (!p.timestamp || !p.signature) return { ok: false, reason: "missing operator signature headers" };
  const ts = Number(p.timestamp);
  if (!Number.isSafeInteger(ts) || Math.abs(now - ts) > maxSkewMs) return { ok: false, reason: "stale or invalid operator timestamp" };
  const expected = createHmac("sha256", secret).update(`${p.timestamp}.${p.method.toUpperCase()}.${p.path}.${p.body}`).digest();
  const given = Buffer.from(p.signature, "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: "bad operator signature" };
  return { ok: true };
}

/** Remembers the MACs of accepted operator requests for `windowMs` (the skew window on either side): `seen`
 * returns true for a MAC already accepted, so a captured request cannot be replayed inside its window. */
export function createReplayGuard(windowMs = 2 * 60_000) {
  const seen = new Map<string, number>();
  return {
    /** Records `mac`; true when it was recorded before (a replay). */
    check(mac: string, now = Date.now()): boolean {
      if (seen.size > 0 && seen.size % 256 === 0) for (const [k, until] of seen) if (until <= now) seen.delete(k);
      const until = seen.get(mac);
      if (until !== undefined && until > now) return true;
      seen.set(mac, now + windowMs);
      return false;
    },
    get size() {
      return seen.size;
    },
  };
}
