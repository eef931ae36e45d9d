// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Errors
/// @notice Every custom error of Riskgate, one banner per contract. Names are `Contract_Condition`, with
/// the values needed to debug.
library Errors {
    /*//////////////////////////////////////////////////////////////////////////
                                  RISK-GATED CONSUMER
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice The oracle address given to a consumer is zero.
    error RiskGated_ZeroOracle();

    /// @notice The attestation's subject, parties, token or amount differ from the settlement's.
    error RiskGated_AttestationMismatch(bytes32 subject);

    /// @notice The verdict is not newer than the last one this subject accepted (replay).
    error RiskGated_StaleVerdict(bytes32 subject, uint64 issuedAt, uint64 lastIssuedAt);

    /*//////////////////////////////////////////////////////////////////////////
                                     RISK ORACLE
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice The kill switch is engaged: no check passes until the owner unpauses.
    error RiskOracle_Paused();

    /// @notice `caller` is neither the owner nor the guardian.
    error RiskOracle_Unauthorized(address caller);

    /// @notice The attestation names `consumer` but `caller` asked to use it.
    error RiskOracle_WrongConsumer(address consumer, address caller);

    /// @notice `consumer` has no enabled risk policy.
    error RiskOracle_PolicyNotSet(address consumer);

    /// @notice Nothing was posted for this consumer and settlement.
    error RiskOracle_NoVerdict(address consumer, bytes32 subject);

    /// @notice The posted verdict for this consumer and settlement was revoked.
    error RiskOracle_VerdictRevoked(address consumer, bytes32 subject);

    /// @notice The posted verdict was verified by signer-set epoch `postedEpoch`; the set has rotated since.
    error RiskOracle_SignerSetRotated(uint32 postedEpoch, uint32 epoch);

    /// @notice The signer set passed in calldata is not the oracle's current one (`signers()`).
    error RiskOracle_SignerSetMismatch();

    /// @notice There must be exactly one (possibly empty) signature per signer.
    error RiskOracle_SignatureCountMismatch(uint256 signerCount, uint256 signatureCount);

    /// @notice A 65-byte signature has an `s` in the upper half of the curve order (malleable).
    error RiskOracle_InvalidSignatureS(address signer);

    /// @notice The signature in `signer`'s slot is neither its ECDSA nor its ERC-1271 signature.
    error RiskOracle_InvalidSignature(address signer);

    /// @notice Only `valid` signatures verified; `threshold` are needed.
    error RiskOracle_ThresholdNotMet(uint256 valid, uint256 threshold);

    /// @notice The attestation is not valid before `issuedAt`.
    error RiskOracle_NotYetValid(uint64 issuedAt, uint256 timestamp);

    /// @notice The attestation expired at `expiresAt`.
    error RiskOracle_Expired(uint64 expiresAt, uint256 timestamp);

    /// @notice `expiresAt - issuedAt` exceeds the oracle's `maxValidity`.
    error RiskOracle_ValidityTooLong(uint256 validity, uint32 maxValidity);

    /// @notice The attestation with this uid was revoked.
    error RiskOracle_Revoked(bytes32 uid);

    /// @notice The score is above 10_000 basis points.
    error RiskOracle_ScoreOutOfRange(uint16 score);

    /// @notice A verdict with the same or a later `issuedAt` is already posted for this settlement.
    error RiskOracle_StaleAttestation(uint64 issuedAt, uint64 postedIssuedAt);

    /// @notice The new signer set is empty or longer than 32.
    error RiskOracle_InvalidSignerCount(uint256 count);

    /// @notice A signer is the zero address.
    error RiskOracle_ZeroSigner();

    /// @notice Signers must be strictly ascending (this also rejects duplicates).
    error RiskOracle_SignersNotAscending(address previous, address next);

    /// @notice The threshold must be in `1..signerCount`.
    error RiskOracle_InvalidThreshold(uint256 threshold, uint256 signerCount);

    /// @notice A policy needs `allowBelow <= freezeAt <= 10_000`.
    error RiskOracle_InvalidPolicy(uint16 allowBelow, uint16 freezeAt);

    /// @notice A policy cannot be set for the zero address.
    error RiskOracle_ZeroConsumer();

    /// @notice The maximum validity must be non-zero.
    error RiskOracle_ZeroMaxValidity();

    /*//////////////////////////////////////////////////////////////////////////
                                   PAYMENT ESCROW
    //////////////////////////////////////////////////////////////////////////*/

    /*//////////////////////////////////////////////////////////////////////////
                                   PAYMENT STREAM
    //////////////////////////////////////////////////////////////////////////*/

    /*//////////////////////////////////////////////////////////////////////////
                                    MOCK TOKENS
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice MockUSDC: `account` is blacklisted and may not send, receive, approve or be approved.
    error MockUSDC_Blacklisted(address account);

    /// @notice MockUSDC: the token is paused; transfers, approvals, mints and burns wait for `unpause`.
    error MockUSDC_Paused();

    /// @notice MockUSDC: the caller lacks the role the function needs.
    error MockUSDC_Unauthorized(address caller);

    /// @notice MockUSDC: a minter tried to mint more than its remaining allowance.
    error MockUSDC_MintAllowanceExceeded(address minter, uint256 allowance, uint256 amount);

    /// @notice MockUSDC: the total supply would not fit beside the blacklist flag (2^255 - 1).
    error MockUSDC_SupplyOverflow(uint256 totalSupply, uint256 amount);

    /// @notice MockUSDC: an EIP-2612 permit's deadline has passed.
    error MockUSDC_PermitExpired(uint256 deadline);

    /// @notice MockUSDC: a permit or EIP-3009 signature is not from the expected signer.
    error MockUSDC_InvalidSignature(address signer);

    /// @notice MockUSDC: an EIP-3009 authorization is not valid yet (`block.timestamp <= validAfter`).
    error MockUSDC_AuthorizationNotYetValid(uint256 validAfter);

    /// @notice MockUSDC: an EIP-3009 authorization expired (`block.timestamp >= validBefore`).
    error MockUSDC_AuthorizationExpired(uint256 validBefore);

    /// @notice MockUSDC: this EIP-3009 nonce was already used or canceled by `authorizer`.
    error MockUSDC_AuthorizationUsed(address authorizer, bytes32 nonce);

    /// @notice MockUSDC: `receiveWithAuthorization` called by someone other than the payee `to`.
    error MockUSDC_CallerNotPayee(address caller, address payee);

    /// @notice MockUSDC: the zero address was given where an account is needed.
    error MockUSDC_ZeroAddress();

    /// @notice ReentrantToken: the hook was armed with a zero target.
    error ReentrantToken_ZeroTarget();
}
