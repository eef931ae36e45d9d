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

    /// @notice Revoking an attestation issued after `latest` (now + maxValidity) is refused: its revoked
    /// marker would block the settlement's posted verdicts for longer than one validity period.
    error RiskOracle_RevokeTooEarly(uint64 issuedAt, uint256 latest);

    /// @notice Gate rule G1: the verdict posted for this consumer and subject binds another payer, payee, token or
    /// amount than the read names.
    error RiskOracle_VerdictMismatch(address consumer, bytes32 subject);

    /// @notice Gate rule G2: a newer verdict (or another one with the same `issuedAt`, or a revoked marker at or
    /// after `issuedAt`) is posted for this consumer and subject: the verdict issued at `issuedAt` no longer governs.
    error RiskOracle_Superseded(address consumer, bytes32 subject, uint64 issuedAt, uint64 postedIssuedAt);

    /// @notice Gate rule G11: ownership cannot be renounced.
    error RiskOracle_RenounceDisabled();

    /*//////////////////////////////////////////////////////////////////////////
                                   PAYMENT ESCROW
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice PaymentEscrow: a required address (payee, arbiter, fee recipient) is zero.
    error PaymentEscrow_ZeroAddress();

    /// @notice PaymentEscrow: the token is not allow-listed by the owner.
    error PaymentEscrow_TokenNotAllowed(address token);

    /// @notice PaymentEscrow: an escrow needs 1..32 milestones.
    error PaymentEscrow_InvalidMilestoneCount(uint256 count);

    /// @notice PaymentEscrow: milestone `index` has a zero amount.
    error PaymentEscrow_ZeroAmount(uint256 index);

    /// @notice PaymentEscrow: the deadline is not in the future.
    error PaymentEscrow_DeadlineInPast(uint40 deadline);

    /// @notice PaymentEscrow: the escrow received a different amount than it pulled (fee-on-transfer or rebasing).
    error PaymentEscrow_BalanceMismatch(uint256 expected, uint256 received);

    /// @notice PaymentEscrow: after the permit attempt, the allowance still does not cover the escrow.
    error PaymentEscrow_InsufficientAllowance(uint256 allowance, uint256 needed);

    /// @notice PaymentEscrow: no escrow has this id (0, not yet created, or >= 2^64).
    error PaymentEscrow_EscrowNotFound(uint256 escrowId);

    /// @notice PaymentEscrow: the escrow exists but no milestone is stored under the terms passed (they are not
    /// the escrow's terms: any field differs).
    error PaymentEscrow_TermsMismatch(uint256 escrowId);

    /// @notice PaymentEscrow: the escrow has no milestone with this index.
    error PaymentEscrow_MilestoneNotFound(uint256 escrowId, uint256 index);

    /// @notice PaymentEscrow: the milestone's status does not allow the operation (`status` is `Escrow.Status`).
    error PaymentEscrow_InvalidStatus(uint256 escrowId, uint256 index, uint8 status);

    /// @notice PaymentEscrow: the escrow's deadline passed; releases are over, refunds are open.
    error PaymentEscrow_DeadlinePassed(uint256 escrowId, uint40 deadline);

    /// @notice PaymentEscrow: the escrow's deadline has not passed yet.
    error PaymentEscrow_DeadlineNotPassed(uint256 escrowId, uint40 deadline);

    /// @notice PaymentEscrow: the milestone's hold window is not over.
    error PaymentEscrow_HoldNotOver(uint256 escrowId, uint256 index, uint40 holdUntil);

    /// @notice PaymentEscrow: only the payer or the payee may do this.
    error PaymentEscrow_NotParty(uint256 escrowId, address caller);

    /// @notice PaymentEscrow: only the escrow's arbiter may do this.
    error PaymentEscrow_NotArbiter(uint256 escrowId, address caller);

    /// @notice PaymentEscrow: the arbiter's split does not add up to the milestone amount.
    error PaymentEscrow_InvalidSplit(uint256 payeeAmount, uint256 payerAmount, uint256 amount);

    /// @notice PaymentEscrow: no Pending or Held milestone is left to refund.
    error PaymentEscrow_NothingToRefund(uint256 escrowId);

    /// @notice PaymentEscrow: the caller has no credit in this token.
    error PaymentEscrow_NothingToClaim(address account, address token);

    /// @notice PaymentEscrow: no protocol fees accrued in this token.
    error PaymentEscrow_NoFees(address token);

    /// @notice PaymentEscrow: a fee or commission above its cap.
    error PaymentEscrow_BpsTooHigh(uint16 bps, uint16 max);

    /// @notice PaymentEscrow: gate rule G4.3, the hold window of this Held milestone is over: it can no longer be
    /// disputed (it waits for `finalizeHold`, a newer verdict or the refund).
    error PaymentEscrow_HoldWindowOver(uint256 escrowId, uint256 index, uint40 holdUntil);

    /// @notice PaymentEscrow: gate rule G6.1, the arbiter is the payer or the payee.
    error PaymentEscrow_ArbiterIsParty(address arbiter);

    /// @notice PaymentEscrow: gate rule G10, the payee has not approved this referrer (`approveReferrer`).
    error PaymentEscrow_ReferrerNotApproved(address payee, address referrer);

    /// @notice PaymentEscrow: gate rule G10, the referrer is the payer.
    error PaymentEscrow_ReferrerIsPayer(address referrer);

    /// @notice PaymentEscrow: gate rule G9, the token refuses to send to `account` (e.g. issuer blacklist): its
    /// credit cannot be claimed to another address until the token lets the account receive again.
    error PaymentEscrow_AccountBlocked(address account, address token);

    /// @notice PaymentEscrow: gate rule G11, ownership cannot be renounced.
    error PaymentEscrow_RenounceDisabled();

    /*//////////////////////////////////////////////////////////////////////////
                                   PAYMENT STREAM
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice No stream has this id.
    error PaymentStream_NotFound(uint256 streamId);

    /// @notice The token is not allow-listed for new streams.
    error PaymentStream_TokenNotAllowed(address token);

    /// @notice The token is already allow-listed, or the 255-token table is full.
    error PaymentStream_TokenAlreadyAllowed(address token);

    /// @notice The token's decimals are above 18.
    error PaymentStream_TokenDecimalsTooHigh(address token, uint8 decimals);

    /// @notice The contract received less than the amount pulled (fee-on-transfer or rebasing token).
    error PaymentStream_TransferAmountMismatch(address token, uint256 expected, uint256 received);

    /// @notice After a failed permit, the allowance still does not cover the amount.
    error PaymentStream_InsufficientAllowance(address token, uint256 allowance, uint256 needed);

    /// @notice A zero address where a party is required.
    error PaymentStream_ZeroAddress();

    /// @notice The recipient is the stream contract itself.
    error PaymentStream_InvalidRecipient(address recipient);

    /// @notice A zero deposit for a linear stream, or a zero amount for a deposit, withdrawal or refund.
    error PaymentStream_ZeroAmount();

    /// @notice `startTime < cliffTime < endTime` (or no cliff and `startTime < endTime`) does not hold.
    error PaymentStream_InvalidTimes(uint32 startTime, uint32 cliffTime, uint32 endTime);

    /// @notice The stream ends in the past.
    error PaymentStream_EndTimeInPast(uint32 endTime, uint256 currentTime);

    /// @notice The cliff unlock amount is set without a cliff or exceeds the deposit.
    error PaymentStream_InvalidCliffAmount(uint128 cliffAmount, uint128 deposit);

    /// @notice An open-ended stream with a zero rate.
    error PaymentStream_ZeroRate();

    /// @notice `unattestedAllowance * 10^decimals` does not fit the 88-bit counter.
    error PaymentStream_AllowanceTooLarge(uint40 unattestedAllowance);

    /// @notice An amount overflows the 96-bit storage field.
    error PaymentStream_AmountTooLarge(uint256 amount);

    /// @notice The caller is not the stream's sender.
    error PaymentStream_CallerNotSender(uint256 streamId, address caller);

    /// @notice The caller is not the arbiter.
    error PaymentStream_CallerNotArbiter(address caller);

    /// @notice Only the recipient may withdraw to an address other than the recipient.
    error PaymentStream_WithdrawToNotRecipient(uint256 streamId, address caller, address to);

    /// @notice The amount exceeds the withdrawable amount.
    error PaymentStream_Overdraw(uint256 streamId, uint128 amount, uint128 withdrawable);

    /// @notice The withdrawal takes the amount withdrawn since the last attestation above the allowance.
    error PaymentStream_AttestationRequired(uint256 streamId, bytes32 subject, uint256 sinceAttested);

    /// @notice The withdrawal exceeds the amount the attestation covers.
    error PaymentStream_AmountAboveAttestedCap(uint256 streamId, uint128 amount, uint256 cap);

    /// @notice The verdict is Hold and its hold window has not passed.
    error PaymentStream_HoldActive(uint256 streamId, uint256 releasableAt);

    /// @notice The oracle check returned no usable decision.
    error PaymentStream_NoDecision(uint256 streamId);

    /// @notice The stream is frozen by a high-risk verdict until the arbiter clears or cancels it.
    error PaymentStream_StreamFrozen(uint256 streamId);

    /// @notice The stream is not frozen.
    error PaymentStream_StreamNotFrozen(uint256 streamId);

    /// @notice The stream was canceled.
    error PaymentStream_StreamCanceled(uint256 streamId);

    /// @notice The stream is not cancelable (renounced or created non-cancelable).
    error PaymentStream_StreamNotCancelable(uint256 streamId);

    /// @notice Everything was already streamed: there is nothing left to cancel.
    error PaymentStream_StreamSettled(uint256 streamId);

    /// @notice The function is for the other stream shape.
    error PaymentStream_WrongShape(uint256 streamId);

    /// @notice The open-ended stream is already paused.
    error PaymentStream_StreamPaused(uint256 streamId);

    /// @notice The open-ended stream is not paused.
    error PaymentStream_StreamNotPaused(uint256 streamId);

    /// @notice The refund exceeds the unstreamed balance.
    error PaymentStream_RefundExceedsRefundable(uint256 streamId, uint128 amount, uint128 refundable);

    /// @notice The referral budget cannot be refunded while the stream can still pay commissions.
    error PaymentStream_BudgetLocked(uint256 streamId);

    /// @notice A commission rate exceeds the 50% cap, or volume tiers are not ascending.
    error PaymentStream_InvalidPlan();

    /// @notice No commission plan has this id.
    error PaymentStream_PlanNotFound(uint32 planId);

    /// @notice The recipient already has an affiliate (a referral is permanent).
    error PaymentStream_ReferralAlreadySet(address recipient, address affiliate);

    /// @notice The affiliate is the recipient itself or zero.
    error PaymentStream_InvalidAffiliate(address affiliate);

    /// @notice Nothing is credited to the caller for this token.
    error PaymentStream_NothingToClaim(address account, address token);

    /// @notice Gate rule G5: only the recipient or an operator it approved may present a Release or Hold.
    error PaymentStream_CallerNotRecipientOrOperator(uint256 streamId, address caller);

    /// @notice Gate rule G4: no Hold is recorded for the stream's current seq.
    error PaymentStream_NoHold(uint256 streamId);

    /// @notice Gate rule G4.3: the hold window ended; the held settlement can no longer be disputed.
    error PaymentStream_HoldOver(uint256 streamId, uint256 holdUntil);

    /// @notice Gate rule G9: the token refuses a transfer to `account` (e.g. blacklisted): no redirect.
    error PaymentStream_AccountBlocked(address account, address token);

    /// @notice Gate rule G6.1: the arbiter cannot be the sender or the recipient of a stream.
    error PaymentStream_ArbiterIsParty(address arbiter);

    /// @notice Gate rule G6.2: the sender may cancel a frozen stream only after the arbitration timeout.
    error PaymentStream_ArbitrationPending(uint256 streamId, uint256 timeoutAt);

    /// @notice Gate rule G11: ownership cannot be renounced.
    error PaymentStream_RenounceDisabled();

    /*//////////////////////////////////////////////////////////////////////////
                                    MOCK TOKENS
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice MockERC1271Signer: only its owner may approve a digest.
    error MockERC1271Signer_NotOwner(address caller);

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
