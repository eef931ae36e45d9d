// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import { RiskGatedConsumer } from "../abstracts/RiskGatedConsumer.sol";
import { IRiskOracle } from "../interfaces/IRiskOracle.sol";
import { RiskOracleCall } from "../libraries/RiskOracleCall.sol";
import { Attestation } from "../types/Attestation.sol";

/// @title MockRiskConsumer
/// @notice The smallest RiskOracle consumer: it "settles" a subject against a verdict and records the
/// verdict's `issuedAt`, which is exactly the replay protection real consumers keep in their own state.
contract MockRiskConsumer is RiskGatedConsumer {
    /// @notice The `issuedAt` of the last verdict each subject accepted.
    mapping(bytes32 subject => uint64 issuedAt) public lastIssuedAt;

    /// @notice Emitted on every settlement with the verdict it used.
    event Settle(bytes32 indexed subject, Attestation.Decision decision, uint16 score, uint64 issuedAt);

    constructor(IRiskOracle riskOracle) RiskGatedConsumer(riskOracle) { }

    /// @notice Pull mode: settles `subject` against an inline attestation.
    function settle(
        bytes32 subject,
        address payer,
        address payee,
        address token,
        uint256 amount,
        Attestation.RiskAttestation calldata att,
        address[] calldata signerSet,
        bytes[] calldata signatures
    )
        external
        returns (Attestation.Verdict memory verdict)
    {
        uint64 last = lastIssuedAt[subject];
        verdict = _inlineVerdict(subject, payer, payee, token, amount, last, att, signerSet, signatures);
        lastIssuedAt[att.subject] = verdict.issuedAt;
        emit Settle(att.subject, verdict.decision, verdict.score, verdict.issuedAt);
    }

    /// @notice Push mode: settles `subject` against the verdict posted for it.
    function settlePosted(
        bytes32 subject,
        address payer,
        address payee,
        address token,
        uint256 amount
    )
        external
        returns (Attestation.Verdict memory verdict)
    {
        verdict = _postedVerdict(subject, payer, payee, token, amount, lastIssuedAt[subject]);
        lastIssuedAt[subject] = verdict.issuedAt;
        emit Settle(subject, verdict.decision, verdict.score, verdict.issuedAt);
    }

    /// @notice Push mode, settling form: settles `subject` against the verdict posted for it through
    /// `consumePosted` (a Release verdict is deleted from the oracle).
    function settleConsume(
        bytes32 subject,
        address payer,
        address payee,
        address token,
        uint256 amount
    )
        external
        returns (Attestation.Verdict memory verdict)
    {
        verdict = _consumePostedVerdict(subject, payer, payee, token, amount, lastIssuedAt[subject]);
        lastIssuedAt[subject] = verdict.issuedAt;
        emit Settle(subject, verdict.decision, verdict.score, verdict.issuedAt);
    }

    /// @notice Calls the oracle's `consumePosted` as this consumer, without the replay check.
    function rawConsumePosted(
        bytes32 subject,
        address payer,
        address payee,
        address token,
        uint256 amount
    )
        external
        returns (Attestation.Verdict memory)
    {
        return RISK_ORACLE.consumePosted(subject, payer, payee, token, amount);
    }

    /// @notice Calls the oracle's `checkHeld` as this consumer.
    function rawCheckHeld(bytes32 subject, uint64 issuedAt, uint16 score, uint32 heldEpoch) external view {
        RISK_ORACLE.checkHeld(subject, issuedAt, score, heldEpoch);
    }

    /// @notice Calls the oracle's `checkInline` as this consumer, without the settlement binding.
    function rawCheckInline(
        Attestation.RiskAttestation calldata att,
        address[] calldata signerSet,
        bytes[] calldata signatures
    )
        external
        view
        returns (Attestation.Verdict memory)
    {
        return RISK_ORACLE.checkInline(att, signerSet, signatures);
    }

    /// @notice Calls the oracle's `checkPosted` as this consumer, without the replay check.
    function rawCheckPosted(
        bytes32 subject,
        address payer,
        address payee,
        address token,
        uint256 amount
    )
        external
        view
        returns (Attestation.Verdict memory)
    {
        return RISK_ORACLE.checkPosted(subject, payer, payee, token, amount);
    }

    /// @notice Gas probe for benchmarks: the gas `checkInline` costs this consumer (cold, run it by eth_call).
    function probeCheckInline(
        Attestation.RiskAttestation calldata att,
        address[] calldata signerSet,
        bytes[] calldata signatures
    )
        external
        view
        returns (uint256 gasUsed)
    {
        gasUsed = gasleft();
        RISK_ORACLE.checkInline(att, signerSet, signatures);
        gasUsed -= gasleft();
    }

    /// @notice Gas probe for benchmarks: the gas `checkPosted` costs this consumer (cold, run it by eth_call).
    function probeCheckPosted(
        bytes32 subject,
        address payer,
        address payee,
        address token,
        uint256 amount
    )
        external
        view
        returns (uint256 gasUsed)
    {
        gasUsed = gasleft();
        RISK_ORACLE.checkPosted(subject, payer, payee, token, amount);
        gasUsed -= gasleft();
    }

    /// @notice `checkInline` through {RiskOracleCall} (calldata forwarding), as this consumer.
    function rawCheckInlineFast(
        Attestation.RiskAttestation calldata att,
        address[] calldata signerSet,
        bytes[] calldata signatures
    )
        external
        view
        returns (Attestation.Verdict memory)
    {
        return RiskOracleCall.checkInline(RISK_ORACLE, att, signerSet, signatures);
    }

    /// @notice Gas probe for benchmarks: `checkInline` through {RiskOracleCall} (cold, run it by eth_call).
    function probeCheckInlineFast(
        Attestation.RiskAttestation calldata att,
        address[] calldata signerSet,
        bytes[] calldata signatures
    )
        external
        view
        returns (uint256 gasUsed)
    {
        gasUsed = gasleft();
        RiskOracleCall.checkInline(RISK_ORACLE, att, signerSet, signatures);
        gasUsed -= gasleft();
    }
}
