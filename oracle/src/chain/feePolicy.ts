// What this operator pays per gas. EIP-1559 fees from the market, a bump for a stuck transaction (at least
// FEE_BUMP_PERCENT, never below the market), and a hard cap (MAX_FEE_GWEI): on a public chain an unbounded
// bump loop, or a fee spike, would otherwise spend the operator's balance on gas. Above the cap nothing is
// sent: the attestations wait (they are re-signed if they expire) and the operator is told.

export type Fees = { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint };

/** The fees of a first send: the market's, or null when the market asks more than `capWei` per gas. */
export function initialFees(market: Fees, capWei: bigint): Fees | null {
  return market.maxFeePerGas <= capWei ? market : null;
}

/** The fees of a replacement for a stuck transaction `latest`: bumped by `bumpPercent` (what nodes require to
 * replace), at least the market, at most `capWei`; null when the bump cannot fit under the cap (the stuck
 * transaction stays as it is). */
export function bumpedFees(latest: Fees, market: Fees, bumpPercent: number, capWei: bigint): Fees | null {
  const bump = (v: bigint) => (v * BigInt(100 + bumpPercent)) / 100n + 1n;
  const max = (...v: bigint[]) => v.reduce((a, b) => (a > b ? a : b));
  const maxPriorityFeePerGas = max(bump(latest.maxPriorityFeePerGas), market.maxPriorityFeePerGas);
  const maxFeePerGas = max(bump(latest.maxFeePerGas), market.maxFeePerGas, maxPriorityFeePerGas);
  if (maxFeePerGas > capWei) return null;
  return { maxFeePerGas, maxPriorityFeePerGas };
}
