// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import { Ownable, Ownable2Step } from "@openzeppelin/contracts/access/Ownable2Step.sol";
import { IERC20 } from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import { IERC20Permit } from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import { SafeERC20 } from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import { ReentrancyGuardTransient } from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import { RiskGatedConsumer } from "./abstracts/RiskGatedConsumer.sol";
import { IERC3009Receive } from "./interfaces/IERC3009.sol";
import { IPaymentEscrow } from "./interfaces/IPaymentEscrow.sol";
import { IRiskOracle } from "./interfaces/IRiskOracle.sol";
import { Errors } from "./libraries/Errors.sol";
import { Attestation } from "./types/Attestation.sol";
import { Escrow } from "./types/Escrow.sol";

/// @title PaymentEscrow
/// @notice Milestone escrows of allow-listed stablecoins, released only against a RiskOracle verdict.
/// @dev See {IPaymentEscrow} for the lifecycle, the subject encoding, fees and the pull-over-push fallback.
contract PaymentEscrow is IPaymentEscrow, RiskGatedConsumer, ReentrancyGuardTransient, Ownable2Step {
    using SafeERC20 for IERC20;

    /*//////////////////////////////////////////////////////////////////////////
                                     CONSTANTS
    //////////////////////////////////////////////////////////////////////////*/

    /// @inheritdoc IPaymentEscrow
    uint16 public constant override MAX_FEE_BPS = 500;

    /// @inheritdoc IPaymentEscrow
    uint16 public constant override MAX_REFERRAL_BPS = 500;

    /// @inheritdoc IPaymentEscrow
    uint256 public constant override MAX_MILESTONES = 32;

    /// @inheritdoc IPaymentEscrow
    uint256 public constant override ARBITRATION_TIMEOUT = 30 days;

    uint256 private constant _BPS = 10_000;

    // Byte offsets of the {Escrow.Terms} head words read by `_word` (ABI layout of the calldata struct).
    uint256 private constant _PAYER = 0x00;
    uint256 private constant _PAYEE = 0x20;
    uint256 private constant _TOKEN = 0x40;
    uint256 private constant _REFERRER = 0x80;
    uint256 private constant _DEADLINE = 0xa0;
    uint256 private constant _FEE_BPS = 0xc0;
    uint256 private constant _REFERRAL_BPS = 0xe0;
    uint256 private constant _AMOUNTS = 0x100;

    /*//////////////////////////////////////////////////////////////////////////
                                      STORAGE
    //////////////////////////////////////////////////////////////////////////*/

    /// @dev One slot: feeRecipient (160) | feeBps (16) | referralBps (16) | nextEscrowId (64).
    struct Config {
        address feeRecipient;
        uint16 feeBps;
        uint16 referralBps;
        uint64 nextEscrowId;
    }

    Config private _config;

    /// @dev The only per-escrow storage: one slot per milestone, keyed by `keccak256(termsHash, subject)` with
    /// `termsHash = keccak256(abi.encode(Escrow.Terms))` (the terms themselves live in calldata). The key commits
    /// to the terms and to the escrow id: a call with the right terms finds its (never None) milestone, any other
    /// terms or id find None (`PaymentEscrow_TermsMismatch`, or `PaymentEscrow_EscrowNotFound` for an id the
    /// counter never gave out).
    mapping(bytes32 key => Escrow.Milestone milestone) private _milestones;

    mapping(address token => bool allowed) private _allowedTokens;

    mapping(address account => mapping(address token => uint256 amount)) private _owed;

    mapping(address token => uint256 amount) private _accruedFees;

    /// @dev Gate rule G10: the referrers each payee accepts to pay a commission to.
    mapping(address payee => mapping(address referrer => bool approved)) private _approvedReferrers;

    /*//////////////////////////////////////////////////////////////////////////
                                    CONSTRUCTOR
    //////////////////////////////////////////////////////////////////////////*/

    /// @param initialOwner Configures tokens and fees (Ownable2Step).
    /// @param riskOracle The RiskOracle whose verdicts gate every release.
    /// @param initialFeeRecipient Receives the protocol fees (fee starts at 0).
    constructor(
        address initialOwner,
        IRiskOracle riskOracle,
        address initialFeeRecipient
    )
        RiskGatedConsumer(riskOracle)
        Ownable(initialOwner)
    {
        if (initialFeeRecipient == address(0)) revert Errors.PaymentEscrow_ZeroAddress();
        _config = Config({ feeRecipient: initialFeeRecipient, feeBps: 0, referralBps: 0, nextEscrowId: 1 });
        emit SetFeeRecipient(address(0), initialFeeRecipient);
    }

    /*//////////////////////////////////////////////////////////////////////////
                                   READ FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @inheritdoc IPaymentEscrow
    function subjectOf(uint256 escrowId, uint256 index) external pure override returns (bytes32) {
        return _subject(escrowId, index);
    }

    /// @inheritdoc IPaymentEscrow
    function hashTerms(Escrow.Terms calldata terms) external pure override returns (bytes32) {
        return _hashTerms(terms);
    }

    /// @inheritdoc IPaymentEscrow
    function getMilestone(
        Escrow.Terms calldata terms,
        uint256 escrowId,
        uint256 index
    )
        external
        view
        override
        returns (Escrow.Milestone memory m)
    {
        // Out-of-range ids or indexes would alias another subject: they do not exist.
        if (escrowId <= type(uint64).max && index < MAX_MILESTONES) {
            m = _milestones[_key(_hashTerms(terms), _subject(escrowId, index))];
        }
    }

    /// @inheritdoc IPaymentEscrow
    function nextEscrowId() external view override returns (uint256) {
        return _config.nextEscrowId;
    }

    /// @inheritdoc IPaymentEscrow
    function owed(address account, address token) external view override returns (uint256) {
        return _owed[account][token];
    }

    /// @inheritdoc IPaymentEscrow
    function accruedFees(address token) external view override returns (uint256) {
        return _accruedFees[token];
    }

    /// @inheritdoc IPaymentEscrow
    function isTokenAllowed(address token) external view override returns (bool) {
        return _allowedTokens[token];
    }

    /// @inheritdoc IPaymentEscrow
    function feeBps() external view override returns (uint16) {
        return _config.feeBps;
    }

    /// @inheritdoc IPaymentEscrow
    function referralBps() external view override returns (uint16) {
        return _config.referralBps;
    }

    /// @inheritdoc IPaymentEscrow
    function feeRecipient() external view override returns (address) {
        return _config.feeRecipient;
    }

    /// @inheritdoc IPaymentEscrow
    function isReferrerApproved(address payee, address referrer) external view override returns (bool) {
        return _approvedReferrers[payee][referrer];
    }

    /*//////////////////////////////////////////////////////////////////////////
                                  CREATE FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @inheritdoc IPaymentEscrow
    function createEscrow(Escrow.CreateParams calldata params)
        external
        override
        nonReentrant
        returns (uint256 escrowId)
    {
        // Checks and effects.
        uint256 total;
        (escrowId, total) = _create(params);
        // Interactions.
        uint256 before = IERC20(params.token).balanceOf(address(this));
        IERC20(params.token).safeTransferFrom(msg.sender, address(this), total);
        _checkReceived(params.token, before, total);
    }

    /// @inheritdoc IPaymentEscrow
    function createEscrowWithPermit(
        Escrow.CreateParams calldata params,
        uint256 permitDeadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    )
        external
        override
        nonReentrant
        returns (uint256 escrowId)
    {
        // Checks and effects.
        uint256 total;
        (escrowId, total) = _create(params);
        // Interactions. A front-run permit (same signature, already used) must not block the payer: ignore
        // its failure and check the allowance it was meant to set.
        IERC20 token = IERC20(params.token);
        try IERC20Permit(params.token).permit(msg.sender, address(this), total, permitDeadline, v, r, s) { } catch { }
        uint256 allowed = token.allowance(msg.sender, address(this));
        if (allowed < total) revert Errors.PaymentEscrow_InsufficientAllowance(allowed, total);
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), total);
        _checkReceived(params.token, before, total);
    }

    /// @inheritdoc IPaymentEscrow
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
        override
        nonReentrant
        returns (uint256 escrowId)
    {
        // Checks and effects.
        uint256 total;
        (escrowId, total) = _create(params);
        // Interactions: the payer signed the authorization, so `from` is the caller.
        uint256 before = IERC20(params.token).balanceOf(address(this));
        IERC3009Receive(params.token).receiveWithAuthorization(
            msg.sender, address(this), total, validAfter, validBefore, nonce, v, r, s
        );
        _checkReceived(params.token, before, total);
    }

    /*//////////////////////////////////////////////////////////////////////////
                                 RELEASE FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @inheritdoc IPaymentEscrow
    function release(Escrow.Terms calldata terms, uint256 escrowId, uint256 index) external override nonReentrant {
        // Checks.
        (bytes32 key, uint256 packed) = _requireVerdictable(terms, escrowId, index);
        // A Release is final for the milestone (and `lastIssuedAt` is recorded), so the oracle may delete the
        // verdict it read (storage refund, see IRiskOracle.consumePosted).
        Attestation.Verdict memory verdict = _consumePostedVerdict(
            _subject(escrowId, index),
            _address(terms, _PAYER),
            _address(terms, _PAYEE),
            _address(terms, _TOKEN),
            _amountAt(terms, index),
            uint64(packed >> 48)
        );
        // Effects and interactions.
        _applyVerdict(terms, escrowId, index, key, packed, verdict);
    }

    /// @inheritdoc IPaymentEscrow
    function releaseWithAttestation(
        Escrow.Terms calldata terms,
        uint256 escrowId,
        uint256 index,
        Attestation.RiskAttestation calldata att,
        address[] calldata signerSet,
        bytes[] calldata signatures
    )
        external
        override
        nonReentrant
    {
        // Checks.
        (bytes32 key, uint256 packed) = _requireVerdictable(terms, escrowId, index);
        Attestation.Verdict memory verdict = _inlineVerdict(
            _subject(escrowId, index),
            _address(terms, _PAYER),
            _address(terms, _PAYEE),
            _address(terms, _TOKEN),
            terms.amounts[index],
            uint64(packed >> 48),
            att,
            signerSet,
            signatures
        );
        // Effects and interactions.
        _applyVerdict(terms, escrowId, index, key, packed, verdict);
    }

    /// @inheritdoc IPaymentEscrow
    function finalizeHold(
        Escrow.Terms calldata terms,
        uint256 escrowId,
        uint256 index
    )
        external
        override
        nonReentrant
    {
        // Checks.
        bytes32 key = _requireMilestone(terms, escrowId, index);
        Escrow.Milestone memory m = _milestones[key];
        if (m.status != Escrow.Status.Held) _revertStatus(escrowId, index, m.status);
        if (block.timestamp < m.holdUntil) revert Errors.PaymentEscrow_HoldNotOver(escrowId, index, m.holdUntil);
        _requireBeforeDeadline(terms, escrowId);
        // Gate rule G4.5: the held verdict must still govern (oracle not paused, policy enabled, same signer-set
        // epoch, not revoked, nothing newer posted); the oracle reverts with the reason otherwise.
        RISK_ORACLE.checkHeld(_subject(escrowId, index), m.lastIssuedAt, m.lastScore, m.holdEpoch);
        // Effects.
        _milestones[key].status = Escrow.Status.Released;
        address payee = terms.payee;
        // Effects (fee accrual) and interactions.
        uint256 net = _payout(terms, escrowId, payee, terms.amounts[index]);
        emit ReleaseMilestone(escrowId, payee, index, net, m.lastScore, m.lastIssuedAt);
    }

    /*//////////////////////////////////////////////////////////////////////////
                             DISPUTE AND REFUND FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @inheritdoc IPaymentEscrow
    function dispute(Escrow.Terms calldata terms, uint256 escrowId, uint256 index) external override nonReentrant {
        // Checks.
        Escrow.Milestone storage milestone = _milestones[_requireMilestone(terms, escrowId, index)];
        Escrow.Status status = milestone.status;
        if (status != Escrow.Status.Pending && status != Escrow.Status.Held) {
            _revertStatus(escrowId, index, status);
        }
        if (msg.sender != terms.payer && msg.sender != terms.payee) {
            revert Errors.PaymentEscrow_NotParty(escrowId, msg.sender);
        }
        // Gate rule G4.3: a Held milestone is disputable only during its window; afterwards it waits for
        // `finalizeHold` (no race with it).
        if (status == Escrow.Status.Held) {
            uint40 holdUntil = milestone.holdUntil;
            if (block.timestamp >= holdUntil) revert Errors.PaymentEscrow_HoldWindowOver(escrowId, index, holdUntil);
        }
        // Effects.
        milestone.status = Escrow.Status.Disputed;
        emit DisputeMilestone(escrowId, msg.sender, index);
    }

    /// @inheritdoc IPaymentEscrow
    function resolve(
        Escrow.Terms calldata terms,
        uint256 escrowId,
        uint256 index,
        uint256 payeeAmount,
        uint256 payerAmount
    )
        external
        override
        nonReentrant
    {
        // Checks.
        Escrow.Milestone storage milestone = _milestones[_requireMilestone(terms, escrowId, index)];
        Escrow.Status status = milestone.status;
        if (status != Escrow.Status.Disputed && status != Escrow.Status.Frozen) {
            _revertStatus(escrowId, index, status);
        }
        if (msg.sender != terms.arbiter) revert Errors.PaymentEscrow_NotArbiter(escrowId, msg.sender);
        uint256 amount = terms.amounts[index];
        if (payeeAmount > amount || payerAmount != amount - payeeAmount) {
            revert Errors.PaymentEscrow_InvalidSplit(payeeAmount, payerAmount, amount);
        }
        // Effects.
        milestone.status = Escrow.Status.Resolved;
        emit ResolveMilestone(escrowId, msg.sender, index, payeeAmount, payerAmount);
        // Effects (fee accrual) and interactions.
        if (payeeAmount > 0) _payout(terms, escrowId, terms.payee, payeeAmount);
        if (payerAmount > 0) _send(terms.token, terms.payer, payerAmount);
    }

    /// @inheritdoc IPaymentEscrow
    function refund(Escrow.Terms calldata terms, uint256 escrowId) external override nonReentrant {
        // Checks. Ids are < 2^64 (a larger one would alias a real subject once shifted).
        if (escrowId > type(uint64).max) revert Errors.PaymentEscrow_EscrowNotFound(escrowId);
        bytes32 termsHash = _hashTerms(terms);
        // Milestone 0 of an escrow is never None under its own terms, and nothing is stored under other terms
        // or ids: None here means `terms` and `escrowId` name no escrow.
        if (_milestones[_key(termsHash, _subject(escrowId, 0))].status == Escrow.Status.None) {
            _revertUnknown(escrowId);
        }
        uint40 deadline = terms.deadline;
        if (block.timestamp < deadline) revert Errors.PaymentEscrow_DeadlineNotPassed(escrowId, deadline);
        // Gate rule G6.2: from `deadline + ARBITRATION_TIMEOUT` on, what the arbiter left unresolved (Disputed,
        // Frozen) is refunded too.
        bool arbitrationOver = block.timestamp >= uint256(deadline) + ARBITRATION_TIMEOUT;
        // Effects.
        uint96[] calldata amounts = terms.amounts;
        uint256 count = amounts.length;
        uint256 amount;
        uint256 mask;
        for (uint256 i; i < count; ++i) {
            Escrow.Milestone storage milestone = _milestones[_key(termsHash, _subject(escrowId, i))];
            Escrow.Status status = milestone.status;
            if (
                status == Escrow.Status.Pending || status == Escrow.Status.Held
                    || (arbitrationOver && (status == Escrow.Status.Frozen || status == Escrow.Status.Disputed))
            ) {
                milestone.status = Escrow.Status.Refunded;
                amount += amounts[i];
                mask |= 1 << i;
            }
        }
        if (amount == 0) revert Errors.PaymentEscrow_NothingToRefund(escrowId);
        address payer = terms.payer;
        emit Refund(escrowId, payer, amount, mask);
        // Interactions.
        _send(terms.token, payer, amount);
    }

    /*//////////////////////////////////////////////////////////////////////////
                                 BALANCE FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @inheritdoc IPaymentEscrow
    function claim(address token, address to) external override nonReentrant {
        // Checks.
        if (to == address(0)) revert Errors.PaymentEscrow_ZeroAddress();
        uint256 amount = _owed[msg.sender][token];
        if (amount == 0) revert Errors.PaymentEscrow_NothingToClaim(msg.sender, token);
        // Gate rule G9: a credit leaves to another address only while the token lets the account itself
        // receive (probe: a zero-value transfer), so a token blacklist is never bypassed through the escrow.
        if (to != msg.sender && !IERC20(token).trySafeTransfer(msg.sender, 0)) {
            revert Errors.PaymentEscrow_AccountBlocked(msg.sender, token);
        }
        // Effects.
        _owed[msg.sender][token] = 0;
        emit Claim(msg.sender, token, to, amount);
        // Interactions.
        IERC20(token).safeTransfer(to, amount);
    }

    /// @inheritdoc IPaymentEscrow
    function withdrawFees(address token) external override nonReentrant {
        // Checks.
        uint256 amount = _accruedFees[token];
        if (amount == 0) revert Errors.PaymentEscrow_NoFees(token);
        // Effects.
        _accruedFees[token] = 0;
        address recipient = _config.feeRecipient;
        emit WithdrawFees(token, recipient, amount);
        // Interactions.
        IERC20(token).safeTransfer(recipient, amount);
    }

    /// @inheritdoc IPaymentEscrow
    function approveReferrer(address referrer, bool approved) external override {
        // Gate rule G10: the payee pays the commission, so the payee names who may earn it.
        _approvedReferrers[msg.sender][referrer] = approved;
        emit ApproveReferrer(msg.sender, referrer, approved);
    }

    /*//////////////////////////////////////////////////////////////////////////
                                  ADMIN FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice Gate rule G11: ownership cannot be renounced; it moves only by the two-step transfer.
    function renounceOwnership() public pure override {
        revert Errors.PaymentEscrow_RenounceDisabled();
    }

    /// @inheritdoc IPaymentEscrow
    function setTokenAllowed(address token, bool allowed) external override onlyOwner {
        if (token == address(0)) revert Errors.PaymentEscrow_ZeroAddress();
        _allowedTokens[token] = allowed;
        emit AllowToken(token, allowed);
    }

    /// @inheritdoc IPaymentEscrow
    function setFee(uint16 newFeeBps) external override onlyOwner {
        if (newFeeBps > MAX_FEE_BPS) revert Errors.PaymentEscrow_BpsTooHigh(newFeeBps, MAX_FEE_BPS);
        _config.feeBps = newFeeBps;
        emit SetFee(newFeeBps);
    }

    /// @inheritdoc IPaymentEscrow
    function setReferralBps(uint16 newReferralBps) external override onlyOwner {
        if (newReferralBps > MAX_REFERRAL_BPS) {
            revert Errors.PaymentEscrow_BpsTooHigh(newReferralBps, MAX_REFERRAL_BPS);
        }
        _config.referralBps = newReferralBps;
        emit SetReferralBps(newReferralBps);
    }

    /// @inheritdoc IPaymentEscrow
    function setFeeRecipient(address newRecipient) external override onlyOwner {
        if (newRecipient == address(0)) revert Errors.PaymentEscrow_ZeroAddress();
        address previous = _config.feeRecipient;
        _config.feeRecipient = newRecipient;
        emit SetFeeRecipient(previous, newRecipient);
    }

    /*//////////////////////////////////////////////////////////////////////////
                                 PRIVATE FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @dev `bytes32((uint256(escrowId) << 16) | index)`; ids stay below 2^64 and indexes below 32.
    function _subject(uint256 escrowId, uint256 index) private pure returns (bytes32) {
        return bytes32((escrowId << 16) | index);
    }

    /// @dev `keccak256(abi.encode(terms))` without Solidity's element-by-element re-encoding: the 8 static
    /// words and the amounts are copied from calldata as they are. Words with dirty upper bits hash to
    /// something no escrow stores (the commitment is built from clean values), so they only fail the check.
    function _hashTerms(Escrow.Terms calldata terms) private pure returns (bytes32 termsHash) {
        uint96[] calldata amounts = terms.amounts;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            // abi.encode of a dynamic struct: offset 0x20, 8 static words, offset of `amounts` (0x120),
            // then its length and elements.
            mstore(ptr, 0x20)
            calldatacopy(add(ptr, 0x20), terms, 0x100)
            mstore(add(ptr, 0x120), 0x120)
            mstore(add(ptr, 0x140), amounts.length)
            let size := shl(5, amounts.length)
            calldatacopy(add(ptr, 0x160), amounts.offset, size)
            termsHash := keccak256(ptr, add(0x160, size))
        }
    }

    /// @dev The storage key of a milestone: `keccak256(termsHash, subject)`.
    function _key(bytes32 termsHash, bytes32 subject) private pure returns (bytes32 key) {
        assembly ("memory-safe") {
            mstore(0x00, termsHash)
            mstore(0x20, subject)
            key := keccak256(0x00, 0x40)
        }
    }

    /// @dev The raw head word of `terms` at byte `offset` (see the `_PAYER`... constants), without Solidity's
    /// per-field decoding. Only call it once the milestone key matched (a milestone that is not None was found
    /// under `_key(_hashTerms(terms), subject)`): the key commits to these very words and was built from clean
    /// values at creation, so a dirty or forged word would have found no milestone and reverted before.
    function _word(Escrow.Terms calldata terms, uint256 offset) private pure returns (uint256 word) {
        assembly ("memory-safe") {
            word := calldataload(add(terms, offset))
        }
    }

    /// @dev `_word` as an address (the word is clean, see `_word`).
    function _address(Escrow.Terms calldata terms, uint256 offset) private pure returns (address) {
        return address(uint160(_word(terms, offset)));
    }

    /// @dev `terms.amounts[index]` read raw, under the same condition as `_word`: the milestone key matched, and
    /// the callers checked `index < terms.amounts.length` (`_requireMilestone`). The element is found through
    /// the same offset word Solidity resolved (and bounds-checked) for `_hashTerms`, which committed its value.
    function _amountAt(Escrow.Terms calldata terms, uint256 index) private pure returns (uint256 amount) {
        assembly ("memory-safe") {
            let amounts := add(terms, calldataload(add(terms, _AMOUNTS)))
            amount := calldataload(add(add(amounts, 0x20), shl(5, index)))
        }
    }

    /// @dev `terms` and `escrowId` name no milestone (it reads None): the id counter tells an id that was never
    /// given out (`EscrowNotFound`: 0, `>= nextEscrowId`, hence also `>= 2^64`) from terms that are not that
    /// escrow's (`TermsMismatch`). Always reverts.
    function _revertUnknown(uint256 escrowId) private view {
        if (escrowId == 0 || escrowId >= _config.nextEscrowId) revert Errors.PaymentEscrow_EscrowNotFound(escrowId);
        revert Errors.PaymentEscrow_TermsMismatch(escrowId);
    }

    /// @dev Checks the index against the terms and returns the milestone's storage key. The terms themselves
    /// are checked by the key: with any other terms or id the milestone reads None, and `_revertStatus` then
    /// says why (`_revertUnknown`).
    function _requireMilestone(
        Escrow.Terms calldata terms,
        uint256 escrowId,
        uint256 index
    )
        private
        pure
        returns (bytes32 key)
    {
        // Ids are < 2^64 (a larger one would alias a real subject once shifted).
        if (escrowId > type(uint64).max) revert Errors.PaymentEscrow_EscrowNotFound(escrowId);
        if (index >= terms.amounts.length) {
            // Cheap path: an index past the terms' amounts is missing whatever the terms say.
            revert Errors.PaymentEscrow_MilestoneNotFound(escrowId, index);
        }
        key = _key(_hashTerms(terms), _subject(escrowId, index));
    }

    /// @dev Validates `params`, commits the terms, stores the milestones, emits {CreateEscrow}.
    function _create(Escrow.CreateParams calldata params) private returns (uint256 escrowId, uint256 total) {
        // Checks.
        if (!_allowedTokens[params.token]) revert Errors.PaymentEscrow_TokenNotAllowed(params.token);
        _checkParties(params);
        uint96[] calldata amounts = params.amounts;
        uint256 count = amounts.length;
        if (count == 0 || count > MAX_MILESTONES) revert Errors.PaymentEscrow_InvalidMilestoneCount(count);
        if (params.deadline <= block.timestamp) revert Errors.PaymentEscrow_DeadlineInPast(params.deadline);

        // Effects.
        Config memory config = _config;
        escrowId = config.nextEscrowId;
        unchecked {
            // Cannot overflow: one id per transaction never reaches 2^64.
            _config.nextEscrowId = config.nextEscrowId + 1;
        }
        for (uint256 i; i < count; ++i) {
            uint96 amount = amounts[i];
            if (amount == 0) revert Errors.PaymentEscrow_ZeroAmount(i);
            total += amount;
        }
        uint16 referral = params.referrer == address(0) ? 0 : config.referralBps;
        bytes32 termsHash = _commit(params, config.feeBps, referral);
        for (uint256 i; i < count; ++i) {
            _milestones[_key(termsHash, _subject(escrowId, i))] =
                Escrow.Milestone({
                    status: Escrow.Status.Pending,
                    holdUntil: 0,
                    lastIssuedAt: 0,
                    lastScore: 0,
                    holdEpoch: 0
                });
        }
        _emitCreate(escrowId, params, config.feeBps, referral);
    }

    /// @dev The parties of a new escrow: payee and arbiter non-zero, the arbiter not a party (G6.1), the referrer
    /// approved by the payee and not the payer (G10).
    function _checkParties(Escrow.CreateParams calldata params) private view {
        address payee = params.payee;
        address arbiter = params.arbiter;
        if (payee == address(0) || arbiter == address(0)) revert Errors.PaymentEscrow_ZeroAddress();
        // Gate rule G6.1: the arbiter is never a party.
        if (arbiter == msg.sender || arbiter == payee) revert Errors.PaymentEscrow_ArbiterIsParty(arbiter);
        // Gate rule G10: the commission comes out of the payee's gross: the payee approves the referrer, and the
        // payer never refers itself.
        address referrer = params.referrer;
        if (referrer != address(0)) {
            if (referrer == msg.sender) revert Errors.PaymentEscrow_ReferrerIsPayer(referrer);
            if (!_approvedReferrers[payee][referrer]) revert Errors.PaymentEscrow_ReferrerNotApproved(payee, referrer);
        }
    }

    /// @dev `keccak256(abi.encode(Escrow.Terms))` of the escrow `params` create for `msg.sender`. The fields
    /// are read (and so validated) by Solidity; the amounts were validated by the caller's loop.
    function _commit(
        Escrow.CreateParams calldata params,
        uint16 fee,
        uint16 referral
    )
        private
        view
        returns (bytes32 termsHash)
    {
        address payee = params.payee;
        address token = params.token;
        address arbiter = params.arbiter;
        address referrer = params.referrer;
        uint40 deadline = params.deadline;
        uint96[] calldata amounts = params.amounts;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, 0x20)
            mstore(add(ptr, 0x20), caller())
            mstore(add(ptr, 0x40), payee)
            mstore(add(ptr, 0x60), token)
            mstore(add(ptr, 0x80), arbiter)
            mstore(add(ptr, 0xa0), referrer)
            mstore(add(ptr, 0xc0), deadline)
            mstore(add(ptr, 0xe0), fee)
            mstore(add(ptr, 0x100), referral)
            mstore(add(ptr, 0x120), 0x120)
            mstore(add(ptr, 0x140), amounts.length)
            let size := shl(5, amounts.length)
            calldatacopy(add(ptr, 0x160), amounts.offset, size)
            termsHash := keccak256(ptr, add(0x160, size))
        }
    }

    /// @dev Split out of `_create` to keep the stack shallow.
    function _emitCreate(
        uint256 escrowId,
        Escrow.CreateParams calldata params,
        uint16 fee,
        uint16 referral
    )
        private
    {
        emit CreateEscrow(
            escrowId,
            msg.sender,
            params.payee,
            params.token,
            params.arbiter,
            params.referrer,
            params.deadline,
            fee,
            referral,
            params.amounts
        );
    }

    /// @dev Rejects fee-on-transfer and rebasing tokens: the balance must grow by exactly `total`.
    function _checkReceived(address token, uint256 before, uint256 total) private view {
        uint256 balance = IERC20(token).balanceOf(address(this));
        if (balance != before + total) {
            revert Errors.PaymentEscrow_BalanceMismatch(total, balance > before ? balance - before : 0);
        }
    }

    /// @dev A verdict may be applied to a Pending or Held milestone only, before the deadline.
    function _requireVerdictable(
        Escrow.Terms calldata terms,
        uint256 escrowId,
        uint256 index
    )
        private
        view
        returns (bytes32 key, uint256 packed)
    {
        key = _requireMilestone(terms, escrowId, index);
        // The raw slot (one SLOAD, no memory struct); the callers unpack `holdUntil` and `lastIssuedAt` (layout in
        // `_writeMilestone`).
        Escrow.Milestone storage milestone = _milestones[key];
        assembly ("memory-safe") {
            packed := sload(milestone.slot)
        }
        Escrow.Status status = Escrow.Status(uint8(packed));
        if (status != Escrow.Status.Pending && status != Escrow.Status.Held) _revertStatus(escrowId, index, status);
        _requireBeforeDeadline(terms, escrowId);
    }

    /// @dev Releases stop at the deadline.
    function _requireBeforeDeadline(Escrow.Terms calldata terms, uint256 escrowId) private view {
        uint40 deadline = uint40(_word(terms, _DEADLINE));
        if (block.timestamp >= deadline) revert Errors.PaymentEscrow_DeadlinePassed(escrowId, deadline);
    }

    /// @dev Every milestone of an escrow is written Pending at creation, so None under the key means the terms
    /// or the id are wrong: `EscrowNotFound` or `TermsMismatch` (from `_revertUnknown`). `InvalidStatus` otherwise.
    /// (Callers check `index < terms.amounts.length` first: `MilestoneNotFound`.)
    function _revertStatus(uint256 escrowId, uint256 index, Escrow.Status status) private view {
        // With matching terms and index < count a milestone is never None.
        if (status == Escrow.Status.None) _revertUnknown(escrowId);
        revert Errors.PaymentEscrow_InvalidStatus(escrowId, index, uint8(status));
    }

    /// @dev Applies a checked verdict: Release pays now, Hold parks, Freeze hands to the arbiter. The new
    /// `lastIssuedAt` is written in the milestone's own slot (replay protection without a new slot), in one
    /// SSTORE of the whole slot. `packed` is the milestone's slot before (Pending or Held).
    function _applyVerdict(
        Escrow.Terms calldata terms,
        uint256 escrowId,
        uint256 index,
        bytes32 key,
        uint256 packed,
        Attestation.Verdict memory verdict
    )
        private
    {
        uint40 holdUntil = uint40(packed >> 8);
        if (verdict.decision == Attestation.Decision.Release) {
            // Effects.
            _writeMilestone(key, Escrow.Status.Released, holdUntil, verdict.issuedAt, verdict.score, 0);
            // Effects (fee accrual) and interactions.
            address payee = _address(terms, _PAYEE);
            uint256 net = _payout(terms, escrowId, payee, _amountAt(terms, index));
            emit ReleaseMilestone(escrowId, payee, index, net, verdict.score, verdict.issuedAt);
        } else if (verdict.decision == Attestation.Decision.Hold) {
            // Gate rule G4.2: the window runs from the first Hold; a newer Hold never restarts or extends it.
            if (Escrow.Status(uint8(packed)) != Escrow.Status.Held) {
                holdUntil = uint40(block.timestamp + verdict.holdWindow);
            }
            // Gate rule G4.5: record the signer-set epoch the Hold was verified under, for `checkHeld`.
            _writeMilestone(
                key, Escrow.Status.Held, holdUntil, verdict.issuedAt, verdict.score, RISK_ORACLE.epoch()
            );
            emit HoldMilestone(escrowId, index, holdUntil, verdict.score, verdict.issuedAt);
        } else {
            // A successful check never returns Decision.None: the rest is Freeze.
            _writeMilestone(key, Escrow.Status.Frozen, 0, verdict.issuedAt, verdict.score, 0);
            emit FreezeMilestone(escrowId, index, verdict.score, verdict.reasons, verdict.issuedAt);
        }
    }

    /// @dev `_milestones[key] = Milestone(status, holdUntil, lastIssuedAt, lastScore, holdEpoch)` in one SSTORE of
    /// the packed slot (Solidity's struct assignment reads and writes the slot twice). Layout as Solidity packs
    /// {Escrow.Milestone}: status (bits 0..7) | holdUntil (8..47) | lastIssuedAt (48..111) | lastScore (112..127) |
    /// holdEpoch (128..159).
    function _writeMilestone(
        bytes32 key,
        Escrow.Status status,
        uint40 holdUntil,
        uint64 lastIssuedAt,
        uint16 lastScore,
        uint32 holdEpoch
    )
        private
    {
        Escrow.Milestone storage milestone = _milestones[key];
        uint256 packed = uint256(status) | (uint256(holdUntil) << 8) | (uint256(lastIssuedAt) << 48)
            | (uint256(lastScore) << 112) | (uint256(holdEpoch) << 128);
        assembly ("memory-safe") {
            sstore(milestone.slot, packed)
        }
    }

    /// @dev Pays `gross` to `payee` minus the snapshotted protocol fee (accrued here) and referral commission
    /// (sent to the referrer). Returns what the payee gets.
    function _payout(
        Escrow.Terms calldata terms,
        uint256 escrowId,
        address payee,
        uint256 gross
    )
        private
        returns (uint256 net)
    {
        address token = _address(terms, _TOKEN);
        uint256 feeRate = uint16(_word(terms, _FEE_BPS));
        uint256 referralRate = uint16(_word(terms, _REFERRAL_BPS));
        if (feeRate | referralRate == 0) {
            // No fee and no referral (the common case): skip the arithmetic.
            _send(token, payee, gross);
            return gross;
        }
        uint256 fee = gross * feeRate / _BPS;
        uint256 referral = gross * referralRate / _BPS;
        // Both rates are capped at 5%, so the sum never exceeds `gross`.
        net = gross - fee - referral;
        if (fee > 0) {
            _accruedFees[token] += fee;
            emit PayFee(escrowId, token, fee);
        }
        if (referral > 0) {
            address referrer = _address(terms, _REFERRER);
            emit PayReferral(escrowId, referrer, referral);
            _send(token, referrer, referral);
        }
        _send(token, payee, net);
    }

    /// @dev Pull over push: tries the transfer once; if the token refuses (blacklisted receiver, paused
    /// token, reverting hook), credits `to` so it can `claim` later. Never reverts, so no one is blocked.
    function _send(address token, address to, uint256 amount) private {
        if (!IERC20(token).trySafeTransfer(to, amount)) {
            _owed[to][token] += amount;
            emit Credit(to, token, amount);
        }
    }
}
