// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import { Stream } from "../types/Stream.sol";

/// @title CommissionMath
/// @notice Chooses an affiliate's commission rate under a plan and computes the commission.
library CommissionMath {
    /// @notice Basis points in 100%.
    uint256 internal constant BPS = 10_000;

    /// @notice The cap on every commission rate: 50%. Half of a withdrawal is the most a broker fee may take
    /// from a recipient, and the most a referral budget may pay on top of one.
    uint16 internal constant MAX_COMMISSION_BPS = 5000;

    /// @notice Whether `plan` is valid: every rate within the cap, volume thresholds ascending.
    function isValid(Stream.Plan memory plan) internal pure returns (bool) {
        if (
            plan.bps0 > MAX_COMMISSION_BPS || plan.bps1 > MAX_COMMISSION_BPS || plan.bps2 > MAX_COMMISSION_BPS
                || plan.bps3 > MAX_COMMISSION_BPS
        ) {
            return false;
        }
        if (plan.kind == Stream.CommissionKind.VolumeTiered) {
            return plan.tier1 < plan.tier2 && plan.tier2 < plan.tier3;
        }
        return true;
    }

    /// @notice The rate in basis points that applies now.
    /// @param referredAt When the referral was set.
    /// @param volume The affiliate's cumulative referred volume in this token before this withdrawal, in
    /// whole tokens.
    function rateBps(
        Stream.Plan memory plan,
        uint40 referredAt,
        uint256 volume,
        uint256 time
    )
        internal
        pure
        returns (uint16)
    {
        if (plan.kind == Stream.CommissionKind.Flat) return plan.bps0;
        if (plan.kind == Stream.CommissionKind.TimeTiered) {
            return time < uint256(referredAt) + plan.tierDuration ? plan.bps0 : plan.bps1;
        }
        if (volume < plan.tier1) return plan.bps0;
        if (volume < plan.tier2) return plan.bps1;
        if (volume < plan.tier3) return plan.bps2;
        return plan.bps3;
    }

    /// @notice `gross * bps / 10_000`, rounded down (in the recipient's favour).
    function commission(uint128 gross, uint16 bps) internal pure returns (uint128) {
        return uint128(uint256(gross) * bps / BPS);
    }
}
