// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title StreamMath
/// @notice Pure stream arithmetic. Linear streams are computed in token units from cumulative values, so
/// the sum of any number of withdrawals equals the amount streamed (no per-withdrawal rounding loss).
/// Open-ended streams accrue in 18 decimals and are floored to token units only when read.
library StreamMath {
    /// @notice Amount of a linear stream streamed at `time`, in token units.
    /// @dev 0 before `startTime` and before `cliffTime` (if any); from the cliff on, `cliffAmount` plus the
    /// linear share of the rest accrued since `startTime`; the full deposit from `endTime` on. Exact at
    /// the end. `(deposit - cliffAmount) * elapsed` is at most 2^96 * 2^32, far from overflow.
    function linearStreamed(
        uint128 deposit,
        uint128 cliffAmount,
        uint32 startTime,
        uint32 cliffTime,
        uint32 endTime,
        uint256 time
    )
        internal
        pure
        returns (uint128)
    {
        if (time < startTime || time < cliffTime) return 0;
        if (time >= endTime) return deposit;
        // Safe: startTime <= time < endTime and cliffAmount <= deposit are checked at creation.
        unchecked {
            uint256 linear = uint256(deposit - cliffAmount) * (time - startTime) / (endTime - startTime);
            return cliffAmount + uint128(linear);
        }
    }

    /// @notice The factor from token units to 18 decimals: `10^(18 - decimals)`.
    function scaleOf(uint8 decimals) internal pure returns (uint256) {
        // Safe: decimals <= 18 is checked when the token is allow-listed.
        unchecked {
            return 10 ** (18 - uint256(decimals));
        }
    }

    /// @notice Cumulative amount an open-ended stream has streamed at `time`, in 18 decimals.
    /// @param snapshot Streamed at `snapshotTime`, 18 decimals.
    /// @param rate Per second, 18 decimals (0 when paused, frozen or canceled).
    function openStreamedScaled(
        uint256 snapshot,
        uint64 rate,
        uint32 snapshotTime,
        uint256 time
    )
        internal
        pure
        returns (uint256)
    {
        if (time <= snapshotTime) return snapshot;
        return snapshot + uint256(rate) * (time - snapshotTime);
    }

    /// @notice The smallest 18-decimal rate that streams at least `amount` (token units) in `duration`
    /// seconds: `ceil(amount * 10^(18 - decimals) / duration)`. Rounding up keeps the overshoot below
    /// `duration` wei-of-18-decimals (2.6e-12 tokens for 30 days), invisible in 6-decimal units, so
    /// 1,000 USDC per 30 days pays exactly 1,000.000000 USDC at day 30.
    function ratePerSecond(uint256 amount, uint8 decimals, uint256 duration) internal pure returns (uint256) {
        uint256 scaled = amount * scaleOf(decimals);
        return (scaled + duration - 1) / duration;
    }
}
