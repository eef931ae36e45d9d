// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import { Errors } from "./Errors.sol";
import { StreamMath } from "./StreamMath.sol";
import { Stream } from "../types/Stream.sol";

/// @title StreamLogic
/// @notice Internal stream accounting over `Stream.Store`, shared by PaymentStream and StreamOps.
library StreamLogic {
    /// @dev Loads a stream; reverts if it does not exist.
    function load(Stream.Store storage $, uint256 streamId) internal view returns (Stream.Data memory m) {
        m = $.streams[streamId];
        if (m.sender == address(0)) revert Errors.PaymentStream_NotFound(streamId);
    }

    /// @dev The attestation subject: `(streamId << 64) | seq`.
    function subject(uint256 streamId, uint16 seq) internal pure returns (bytes32) {
        return bytes32((streamId << 64) | seq);
    }

    /// @dev Linear streamed amount: the deposit once canceled, frozen at the freeze time while frozen.
    function linearStreamed(
        Stream.Store storage $,
        uint256 streamId,
        Stream.Data memory m
    )
        internal
        view
        returns (uint128)
    {
        if (m.flags & Stream.FLAG_CANCELED != 0) return m.deposited;
        uint256 time = m.flags & Stream.FLAG_FROZEN != 0 ? $.frozenAt[streamId] : block.timestamp;
        uint128 cliffAmount = m.flags & Stream.FLAG_CLIFF_AMOUNT != 0 ? $.cliffAmounts[streamId] : 0;
        return StreamMath.linearStreamed(
            m.deposited, cliffAmount, m.startTime, uint32(m.terms >> 32), uint32(m.terms), time
        );
    }

    /// @dev Open-ended streamed amount in 18 decimals; no accrual while paused, frozen or canceled.
    function openStreamedScaled(
        Stream.Store storage $,
        uint256 streamId,
        Stream.Data memory m
    )
        internal
        view
        returns (uint256)
    {
        uint64 rate =
            m.flags & (Stream.FLAG_PAUSED | Stream.FLAG_FROZEN | Stream.FLAG_CANCELED) == 0 ? m.terms : 0;
        return StreamMath.openStreamedScaled($.snapshots[streamId], rate, m.startTime, block.timestamp);
    }

    /// @dev Open-ended: streamed-but-unwithdrawn (`owed`) and the balance held (`deposited - withdrawn`).
    function openOwedAndBalance(
        Stream.Store storage $,
        uint256 streamId,
        Stream.Data memory m,
        uint8 decimals
    )
        internal
        view
        returns (uint128 owed, uint128 balance)
    {
        uint256 streamed = openStreamedScaled($, streamId, m) / StreamMath.scaleOf(decimals);
        owed = uint128(streamed - m.withdrawn);
        balance = m.deposited - m.withdrawn;
    }

    /// @dev Open-ended: the part of the balance owed to the recipient and the unstreamed rest.
    function openSplit(
        Stream.Store storage $,
        uint256 streamId,
        Stream.Data memory m,
        uint8 decimals
    )
        internal
        view
        returns (uint128 covered, uint128 refundable)
    {
        (uint128 owed, uint128 balance) = openOwedAndBalance($, streamId, m, decimals);
        covered = owed < balance ? owed : balance;
        refundable = balance - covered;
    }

    /// @dev What the recipient may withdraw, ignoring a freeze (callers check it).
    function withdrawable(
        Stream.Store storage $,
        uint256 streamId,
        Stream.Data memory m,
        uint8 decimals
    )
        internal
        view
        returns (uint128)
    {
        if (m.flags & Stream.FLAG_OPEN == 0) return linearStreamed($, streamId, m) - m.withdrawn;
        (uint128 covered,) = openSplit($, streamId, m, decimals);
        return covered;
    }

    /// @dev Open-ended: stores the streamed amount as the snapshot at the current time.
    function snapshot(Stream.Store storage $, uint256 streamId, Stream.Data memory m) internal {
        $.snapshots[streamId] = openStreamedScaled($, streamId, m);
        $.streams[streamId].startTime = uint32(block.timestamp);
    }
}
