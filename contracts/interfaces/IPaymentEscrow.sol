// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import { Attestation } from "../types/Attestation.sol";
import { Escrow } from "../types/Escrow.sol";

/// @title IPaymentEscrow
/// @notice Milestone escrows of allow-listed stablecoins, released only against a RiskOracle verdict.
///
/// Storage: an escrow is one packed slot per milestone (`Escrow.Milestone`) and nothing else, keyed by
/// `keccak256(termsHash, subject)` with `termsHash = keccak256(abi.encode(Escrow.Terms))` (`hashTerms`). The
/// immutable terms (payer, payee, token, arbiter, referrer, deadline, the fee and referral bps snapshotted at
/// creation, the milestone amounts) are emitted once in {CreateEscrow} and passed back as
/// `Escrow.Terms calldata terms` by every call that needs them (the Morpho Blue `MarketParams` / Uniswap v4
/// `PoolKey` pattern). Other terms (or another id) find no milestone under their key: the call reverts
/// `PaymentEscrow_TermsMismatch(escrowId)`, or `PaymentEscrow_EscrowNotFound(escrowId)` for an id that was
/// never created (0, `>= nextEscrowId`, `>= 2^64`). `getMilestone(terms, escrowId, 0).status != None` checks
/// rebuilt terms before sending.
///
/// Subject encoding (what the oracle signs as `RiskAttestation.subject` for a milestone):
///     subject = bytes32((uint256(escrowId) << 16) | milestoneIndex)
/// and the attestation binds `consumer` = this contract, `payer`, `payee`, `token` of the escrow and
/// `amount` = the milestone's full (gross) amount. See `subjectOf`.
///
/// Lifecycle of a milestone (`Escrow.Status`): created Pending; a verdict (posted: `release`, inline:
/// `releaseWithAttestation`) decides: Release pays now, Hold parks it until `holdUntil` (then anyone calls
/// `finalizeHold`; a party may dispute meanwhile; a strictly newer verdict may replace it), Freeze hands it
/// to the arbiter. Either party may dispute a Pending milestone, or a Held one during its window
/// (G4.3); the arbiter splits a Disputed or Frozen one at will. Releases need `block.timestamp < deadline`; from
/// the deadline on, anyone may refund every Pending or Held milestone to the payer, and from
/// `deadline + ARBITRATION_TIMEOUT` every Disputed or Frozen one too (G6.2).
///
/// The gate (docs/gate.md): the newest verdict governs (G2: the oracle refuses a superseded inline verdict, the
/// milestone refuses one not newer than its `lastIssuedAt`); a Hold's window runs from the first Hold (G4.2) and
/// `finalizeHold` pays only while the held verdict still governs (`IRiskOracle.checkHeld`, G4.5); the arbiter is
/// never a party (G6.1); the payee approves the referrer it pays (G10); a credit leaves to another address only
/// while the token lets the account receive (G9); ownership cannot be renounced (G11).
///
/// Replay: a milestone remembers the `issuedAt` of the last verdict applied to it (`lastIssuedAt`, in its
/// own slot) and accepts only strictly newer ones; Released is terminal, so an attestation settles once.
///
/// Fees: at each payment to the payee, `feeBps` (protocol, accrued here for the fee recipient) and
/// `referralBps` (paid to the referrer) of the gross amount are taken; both rates are snapshotted at creation.
///
/// Pull over push: every outgoing transfer (payee, referrer, payer refund) is attempted once; if the token
/// refuses it (e.g. a USDC-blacklisted receiver), the amount is credited to `owed(account, token)` instead,
/// to be claimed later with `claim` (to another address only while the token accepts transfers to the account
/// itself, G9). No party can block another's funds; nothing is stuck. Neither the arbiter nor the owner can move
/// a credit.
interface IPaymentEscrow {
    /*//////////////////////////////////////////////////////////////////////////
                                       EVENTS
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice Emitted when an escrow is created and funded. Carries the full `Escrow.Terms` (payer, payee,
    /// token, arbiter, referrer, deadline, feeBps, referralBps, amounts): callers rebuild them from this log.
    event CreateEscrow(
        uint256 indexed escrowId,
        address indexed payer,
        address indexed payee,
        address token,
        address arbiter,
        address referrer,
        uint40 deadline,
        uint16 feeBps,
        uint16 referralBps,
        uint96[] amounts
    );

    /// @notice Emitted when a milestone is paid to the payee (`amount` net of fees) on a Release verdict
    /// or at the end of a hold.
    event ReleaseMilestone(
        uint256 indexed escrowId, address indexed payee, uint256 index, uint256 amount, uint16 score, uint64 issuedAt
    );

    /// @notice Emitted when a Hold verdict parks a milestone until `holdUntil`.
    event HoldMilestone(uint256 indexed escrowId, uint256 index, uint40 holdUntil, uint16 score, uint64 issuedAt);

    /// @notice Emitted when a Freeze verdict hands a milestone to the arbiter.
    event FreezeMilestone(uint256 indexed escrowId, uint256 index, uint16 score, uint32 reasons, uint64 issuedAt);

    /// @notice Emitted when the payer or the payee disputes a milestone.
    event DisputeMilestone(uint256 indexed escrowId, address indexed by, uint256 index);

    /// @notice Emitted when the arbiter splits a disputed or frozen milestone (`payeeAmount` gross of fees).
    event ResolveMilestone(
        uint256 indexed escrowId, address indexed arbiter, uint256 index, uint256 payeeAmount, uint256 payerAmount
    );

    /// @notice Emitted when the Pending and Held milestones of an expired escrow are refunded to the payer.
    /// `milestones` is a bitmask of the refunded indexes.
    event Refund(uint256 indexed escrowId, address indexed payer, uint256 amount, uint256 milestones);

    /// @notice Emitted when a protocol fee is accrued for the fee recipient.
    event PayFee(uint256 indexed escrowId, address indexed token, uint256 amount);

    /// @notice Emitted when a referral commission is paid (or credited) to the referrer.
    event PayReferral(uint256 indexed escrowId, address indexed referrer, uint256 amount);

    /// @notice Emitted when a transfer to `account` failed and the amount was credited to it instead.
    event Credit(address indexed account, address indexed token, uint256 amount);

    /// @notice Emitted when `account` claims its credit to `to`.
    event Claim(address indexed account, address indexed token, address to, uint256 amount);

    /// @notice Emitted when accrued protocol fees are sent to the fee recipient.
    event WithdrawFees(address indexed token, address indexed feeRecipient, uint256 amount);

    /// @notice Emitted when the owner allows or disallows a token for new escrows.
    event AllowToken(address indexed token, bool allowed);

    /// @notice Emitted when the owner sets the protocol fee for new escrows.
    event SetFee(uint16 feeBps);

    /// @notice Emitted when the owner sets the referral commission for new escrows.
    event SetReferralBps(uint16 referralBps);

    /// @notice Emitted when `payee` approves or disapproves `referrer` for its escrows (gate rule G10).
    event ApproveReferrer(address indexed payee, address indexed referrer, bool approved);

    /// @notice Emitted when the owner sets the fee recipient.
    event SetFeeRecipient(address indexed previousRecipient, address indexed newRecipient);

    /*//////////////////////////////////////////////////////////////////////////
                                   READ FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice The highest protocol fee the owner can set: 500 bps (5%).
    function MAX_FEE_BPS() external view returns (uint16);

    /// @notice The highest referral commission the owner can set: 500 bps (5%).
    function MAX_REFERRAL_BPS() external view returns (uint16);

    /// @notice The most milestones per escrow: 32.
    function MAX_MILESTONES() external view returns (uint256);

    /// @notice Gate rule G6.2: how long after the deadline the arbiter has to resolve Disputed and Frozen
    /// milestones before `refund` returns them to the payer: 30 days.
    function ARBITRATION_TIMEOUT() external view returns (uint256);

    /// @notice Whether `payee` approved `referrer` to earn a commission from its escrows (gate rule G10).
    function isReferrerApproved(address payee, address referrer) external view returns (bool);

    /// @notice The subject a RiskAttestation names for milestone `index` of `escrowId`:
    /// `bytes32((uint256(escrowId) << 16) | index)`.
    function subjectOf(uint256 escrowId, uint256 index) external pure returns (bytes32);

    /// @notice `keccak256(abi.encode(terms))`, the terms commitment that keys an escrow's milestones.
    function hashTerms(Escrow.Terms calldata terms) external pure returns (bytes32);

    /// @notice The state of milestone `index` of the escrow `escrowId` with `terms`; its amount is
    /// `terms.amounts[index]`.
    /// @dev Never reverts: all zero (status None) if there is no such milestone: an id never created, terms that
    /// are not the escrow's (any field different), or `index >= terms.amounts.length`. Every milestone of an
    /// escrow is non-None from creation on, so `getMilestone(terms, escrowId, 0).status != None` tells whether
    /// `terms` are the escrow's.
    function getMilestone(
        Escrow.Terms calldata terms,
        uint256 escrowId,
        uint256 index
    )
        external
        view
        returns (Escrow.Milestone memory);

    /// @notice The id the next escrow will get (ids start at 1).
    function nextEscrowId() external view returns (uint256);

    /// @notice What `account` can claim in `token` (transfers to it that failed).
    function owed(address account, address token) external view returns (uint256);

    /// @notice Protocol fees accrued in `token`, not yet withdrawn.
    function accruedFees(address token) external view returns (uint256);

    /// @notice Whether `token` may be used by new escrows.
    function isTokenAllowed(address token) external view returns (bool);

    /// @notice The protocol fee new escrows snapshot, in bps.
    function feeBps() external view returns (uint16);

    /// @notice The referral commission new escrows with a referrer snapshot, in bps.
    function referralBps() external view returns (uint16);

    /// @notice Who receives the protocol fees.
    function feeRecipient() external view returns (address);

    /*//////////////////////////////////////////////////////////////////////////
                                  WRITE FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice Creates an escrow paid by `msg.sender`, funded by `transferFrom` (approve first).
    /// @dev Emits {CreateEscrow} with the terms (`payer` = `msg.sender`, `feeBps` and `referralBps` the current
    /// rates, `referralBps` = 0 without a referrer) and stores only the milestones, keyed by the terms' hash.
    /// Requirements:
    /// - `params.token` allow-listed; `payee` and `arbiter` non-zero; 1..32 milestones, each > 0;
    ///   `deadline > block.timestamp`;
    /// - gate rule G6.1: `arbiter` neither `msg.sender` nor `payee` (`PaymentEscrow_ArbiterIsParty`);
    /// - gate rule G10: a non-zero `referrer` is not `msg.sender` (`PaymentEscrow_ReferrerIsPayer`) and is
    ///   approved by the payee (`PaymentEscrow_ReferrerNotApproved`);
    /// - the escrow's balance grows by exactly the total (fee-on-transfer and rebasing tokens revert with
    ///   `PaymentEscrow_BalanceMismatch`).
    /// @return escrowId The new escrow's id.
    function createEscrow(Escrow.CreateParams calldata params) external returns (uint256 escrowId);

    /// @notice As `createEscrow`, with an EIP-2612 permit for the total in the same call.
    /// @dev The permit is tried and its failure ignored (someone may have front-run it with the same
    /// signature); the call then requires the allowance to cover the total
    /// (`PaymentEscrow_InsufficientAllowance`). A token that refuses the transfer itself (e.g. a blacklisted
    /// payer) reverts with its own reason (G13).
    function createEscrowWithPermit(
        Escrow.CreateParams calldata params,
        uint256 permitDeadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    )
        external
        returns (uint256 escrowId);

    /// @notice As `createEscrow`, funded by an EIP-3009 `receiveWithAuthorization` signed by `msg.sender`
    /// (from = payer = `msg.sender`, to = this contract, value = the total): no approve step.
    function createEscrowWithAuthorization(
        Escrow.CreateParams calldata params,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        uint8 v,
        bytes32 r,
        bytes32 s
    )
        external
        returns (uint256 escrowId);

    /// @notice Push mode: applies the verdict posted on the RiskOracle for milestone `index`. Anyone may call.
    /// @dev Release pays the payee now ({ReleaseMilestone}, {PayFee}, {PayReferral}); Hold parks the milestone
    /// ({HoldMilestone}); Freeze hands it to the arbiter ({FreezeMilestone}).
    /// Requirements: `terms` are the escrow's; milestone Pending or Held; `block.timestamp < deadline`; the verdict strictly newer than
    /// the milestone's `lastIssuedAt`; the oracle's `checkPosted` requirements (not paused, posted, valid).
    function release(Escrow.Terms calldata terms, uint256 escrowId, uint256 index) external;

    /// @notice Pull mode: as `release`, with the attestation and its signatures inline. Anyone may call.
    /// @dev `att` must name this contract, `subjectOf(escrowId, index)`, the escrow's payer, payee, token and
    /// the milestone's amount; `signerSet` and `signatures` as `IRiskOracle.checkInline`.
    function releaseWithAttestation(
        Escrow.Terms calldata terms,
        uint256 escrowId,
        uint256 index,
        Attestation.RiskAttestation calldata att,
        address[] calldata signerSet,
        bytes[] calldata signatures
    )
        external;

    /// @notice Pays a Held milestone once its hold window is over, if its Hold verdict still governs. Anyone may
    /// call.
    /// @dev Requirements: `terms` match; Held; `block.timestamp >= holdUntil`; `block.timestamp < deadline`;
    /// gate rule G4.5, `IRiskOracle.checkHeld` passes for the held verdict (its errors bubble up): oracle not
    /// paused, the escrow's policy enabled, same signer-set epoch as when the Hold was recorded, the held
    /// attestation not revoked and no newer verdict (or revoked marker) posted for the milestone.
    /// Emits {ReleaseMilestone}.
    function finalizeHold(Escrow.Terms calldata terms, uint256 escrowId, uint256 index) external;

    /// @notice Disputes a Pending or Held milestone: only the arbiter can settle it afterwards.
    /// @dev `terms` match; payer or payee only; a Held milestone only while `block.timestamp < holdUntil`
    /// (gate rule G4.3, `PaymentEscrow_HoldWindowOver`). Emits {DisputeMilestone}.
    function dispute(Escrow.Terms calldata terms, uint256 escrowId, uint256 index) external;

    /// @notice Settles a Disputed or Frozen milestone with any split. Arbiter only.
    /// @dev `terms` match; `payeeAmount + payerAmount` must equal the milestone amount; fees are taken from `payeeAmount`.
    /// Emits {ResolveMilestone}.
    function resolve(
        Escrow.Terms calldata terms,
        uint256 escrowId,
        uint256 index,
        uint256 payeeAmount,
        uint256 payerAmount
    )
        external;

    /// @notice From the deadline on, returns every Pending and Held milestone to the payer; from
    /// `deadline + ARBITRATION_TIMEOUT` on, every Disputed and Frozen one too (gate rule G6.2). Anyone may call.
    /// @dev `terms` match. Before the timeout, Disputed and Frozen milestones stay for the arbiter. Emits {Refund}.
    function refund(Escrow.Terms calldata terms, uint256 escrowId) external;

    /// @notice Sends the caller's whole credit in `token` to `to` (reverts if that transfer fails).
    /// @dev Gate rule G9: when `to != msg.sender`, first probes a zero-value transfer to `msg.sender`; if the
    /// token refuses it (e.g. the issuer blacklisted the account), reverts `PaymentEscrow_AccountBlocked`.
    /// Emits {Claim}.
    function claim(address token, address to) external;

    /// @notice Sends the protocol fees accrued in `token` to the fee recipient. Anyone may call.
    /// @dev Emits {WithdrawFees}.
    function withdrawFees(address token) external;

    /// @notice Gate rule G10: the caller (as a payee) approves or disapproves `referrer` to earn the referral
    /// commission of new escrows paying it. Existing escrows keep their referrer. Emits {ApproveReferrer}.
    function approveReferrer(address referrer, bool approved) external;

    /// @notice Allows or disallows `token` for new escrows (existing ones are unaffected). Owner only.
    /// @dev Emits {AllowToken}.
    function setTokenAllowed(address token, bool allowed) external;

    /// @notice Sets the protocol fee for new escrows, at most `MAX_FEE_BPS`. Owner only. Emits {SetFee}.
    function setFee(uint16 newFeeBps) external;

    /// @notice Sets the referral commission for new escrows, at most `MAX_REFERRAL_BPS`. Owner only.
    /// @dev Emits {SetReferralBps}.
    function setReferralBps(uint16 newReferralBps) external;

    /// @notice Sets the fee recipient (non-zero). Owner only. Emits {SetFeeRecipient}.
    function setFeeRecipient(address newRecipient) external;
}
