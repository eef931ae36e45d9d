// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import { IRiskOracle } from "../interfaces/IRiskOracle.sol";
import { Errors } from "../libraries/Errors.sol";
import { RiskOracleCall } from "../libraries/RiskOracleCall.sol";
import { Attestation } from "../types/Attestation.sol";

/// @title RiskGatedConsumer
/// @notice Base of every contract that moves funds only against a RiskOracle verdict. It binds the
/// attestation to the settlement (subject, parties, token, amount) so no consumer can forget a field,
/// and enforces that the verdicts a subject accepts are strictly newer: an attestation settles once.
abstract contract RiskGatedConsumer {
    /// @notice The oracle whose verdicts this contract trusts.
    IRiskOracle public immutable RISK_ORACLE;

    constructor(IRiskOracle riskOracle) {
        if (address(riskOracle) == address(0)) revert Errors.RiskGated_ZeroOracle();
        RISK_ORACLE = riskOracle;
    }

    /// @dev Pull mode: checks an inline attestation for exactly this settlement.
    /// @param lastIssuedAt The `issuedAt` of the last verdict this subject accepted (0 if none).
    function _inlineVerdict(
        bytes32 subject,
        address payer,
        address payee,
        address token,
        uint256 amount,
        uint64 lastIssuedAt,
        Attestation.RiskAttestation calldata att,
        address[] calldata signerSet,
        bytes[] calldata signatures
    )
        internal
        view
        returns (Attestation.Verdict memory verdict)
    {
        // Fields 1..5 of `att` (subject, payer, payee, token, amount) compared as raw words: a word with dirty
        // upper bits never equals the clean expected value, so it reverts too (Solidity's decoder would revert
        // without data).
        bool mismatch;
        assembly ("memory-safe") {
            let mask := 0xffffffffffffffffffffffffffffffffffffffff
            let diff := or(xor(calldataload(add(att, 0x20)), subject), xor(calldataload(add(att, 0x40)), and(payer, mask)))
            diff := or(diff, xor(calldataload(add(att, 0x60)), and(payee, mask)))
            diff := or(diff, xor(calldataload(add(att, 0x80)), and(token, mask)))
            diff := or(diff, xor(calldataload(add(att, 0xa0)), amount))
            mismatch := iszero(iszero(diff))
        }
        if (mismatch) revert Errors.RiskGated_AttestationMismatch(subject);
        // Same call and revert data as `RISK_ORACLE.checkInline(att, signerSet, signatures)`, with the
        // arguments forwarded from calldata in block copies (~2.5k gas less, see RiskOracleCall).
        verdict = RiskOracleCall.checkInline(RISK_ORACLE, att, signerSet, signatures);
        if (verdict.issuedAt <= lastIssuedAt) {
            revert Errors.RiskGated_StaleVerdict(subject, verdict.issuedAt, lastIssuedAt);
        }
    }

    /// @dev Push mode: reads the verdict posted for exactly this settlement.
    function _postedVerdict(
        bytes32 subject,
        address payer,
        address payee,
        address token,
        uint256 amount,
        uint64 lastIssuedAt
    )
        internal
        view
        returns (Attestation.Verdict memory verdict)
    {
        // Same call and revert data as `RISK_ORACLE.checkPosted(...)`, without Solidity's return-data
        // validation (see RiskOracleCall).
        verdict = RiskOracleCall.checkPosted(RISK_ORACLE, subject, payer, payee, token, amount);
        if (verdict.issuedAt <= lastIssuedAt) {
            revert Errors.RiskGated_StaleVerdict(subject, verdict.issuedAt, lastIssuedAt);
        }
    }

    /// @dev Push mode, settling form (`IRiskOracle.consumePosted`): as `_postedVerdict`, and a Release verdict is
    /// deleted from the oracle (storage refund). Only for a consumer whose Release is final for the subject and
    /// that records `verdict.issuedAt` as the subject's `lastIssuedAt` (so an older verdict posted again later
    /// is refused here as stale).
    function _consumePostedVerdict(
        bytes32 subject,
        address payer,
        address payee,
        address token,
        uint256 amount,
        uint64 lastIssuedAt
    )
        internal
        returns (Attestation.Verdict memory verdict)
    {
        verdict = RiskOracleCall.consumePosted(RISK_ORACLE, subject, payer, payee, token, amount);
        if (verdict.issuedAt <= lastIssuedAt) {
            revert Errors.RiskGated_StaleVerdict(subject, verdict.issuedAt, lastIssuedAt);
        }
    }
}
