// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import { Ownable, Ownable2Step } from "@openzeppelin/contracts/access/Ownable2Step.sol";
import { IERC20 } from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import { IERC20Permit } from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import { SafeERC20 } from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import { ReentrancyGuardTransient } from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import { RiskGatedConsumer } from "./abstracts/RiskGatedConsumer.sol";
import { IPaymentEscrow } from "./interfaces/IPaymentEscrow.sol";
import { IRiskOracle } from "./interfaces/IRiskOracle.sol";
import { Errors } from "./libraries/Errors.sol";
import { Attestation } from "./types/Attestation.sol";
import { Escrow } from "./types/Escrow.sol";

/// @notice The EIP-3009 entry point the escrow uses (USDC's `receiveWithAuthorization`).
interface IERC3009Receive {
    /// @notice Transfers `value` from `from` to `to` (== msg.sender) on `from`'s EIP-712 signature.
    function receiveWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        uint8 v,
        bytes32 r,
        bytes32 s
    )
        external;
}

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

    uint256 private constant _BPS = 10_000;

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

    mapping(uint256 escrowId => Escrow.Deal deal) private _deals;

    mapping(uint256 escrowId => mapping(uint256 index => Escrow.Milestone milestone)) private _milestones;

    mapping(address token => bool allowed) private _allowedTokens;

    mapping(address account => mapping(address token => uint256 amount)) private _owed;

    mapping(address token => uint256 amount) private _accruedFees;

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
    function getDeal(uint256 escrowId) external view override returns (Escrow.Deal memory) {
        return _deals[escrowId];
    }

    /// @inheritdoc IPaymentEscrow
    function getMilestone(uint256 escrowId, uint256 index) external view override returns (Escrow.Milestone memory) {
        return _milestones[escrowId][index];
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
    function release(uint256 escrowId, uint256 index) external override nonReentrant {
        // Checks.
        _requireVerdictable(escrowId, index);
        Escrow.Deal storage deal = _deals[escrowId];
        Escrow.Milestone storage milestone = _milestones[escrowId][index];
        Attestation.Verdict memory verdict = _postedVerdict(
            _subject(escrowId, index), deal.payer, deal.payee, deal.token, milestone.amount, milestone.lastIssuedAt
        );
        // Effects and interactions.
        _applyVerdict(escrowId, index, verdict);
    }

    /// @inheritdoc IPaymentEscrow
    function releaseWithAttestation(
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
        _requireVerdictable(escrowId, index);
        Attestation.Verdict memory verdict = _inlineVerdict(
            _subject(escrowId, index),
            _deals[escrowId].payer,
            _deals[escrowId].payee,
            _deals[escrowId].token,
            _milestones[escrowId][index].amount,
            _milestones[escrowId][index].lastIssuedAt,
            att,
            signerSet,
            signatures
        );
        // Effects and interactions.
        _applyVerdict(escrowId, index, verdict);
    }

    /// @inheritdoc IPaymentEscrow
    function finalizeHold(uint256 escrowId, uint256 index) external override nonReentrant {
        // Checks.
        Escrow.Milestone memory m = _milestones[escrowId][index];
        if (m.status != Escrow.Status.Held) _revertStatus(escrowId, index, m.status);
        if (block.timestamp < m.holdUntil) revert Errors.PaymentEscrow_HoldNotOver(escrowId, index, m.holdUntil);
        Escrow.Deal storage deal = _deals[escrowId];
        _requireBeforeDeadline(escrowId, deal);
        if (RISK_ORACLE.paused()) revert Errors.PaymentEscrow_OraclePaused();
        // Effects.
        _milestones[escrowId][index].status = Escrow.Status.Released;
        address payee = deal.payee;
        address token = deal.token;
        // Effects (fee accrual) and interactions.
        uint256 net = _payout(escrowId, deal, payee, token, m.amount);
        emit ReleaseMilestone(escrowId, payee, index, net, m.lastScore, m.lastIssuedAt);
    }

    /*//////////////////////////////////////////////////////////////////////////
                             DISPUTE AND REFUND FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @inheritdoc IPaymentEscrow
    function dispute(uint256 escrowId, uint256 index) external override nonReentrant {
        // Checks.
        Escrow.Milestone storage milestone = _milestones[escrowId][index];
        Escrow.Status status = milestone.status;
        if (status != Escrow.Status.Pending && status != Escrow.Status.Held) _revertStatus(escrowId, index, status);
        Escrow.Deal storage deal = _deals[escrowId];
        if (msg.sender != deal.payer && msg.sender != deal.payee) {
            revert Errors.PaymentEscrow_NotParty(escrowId, msg.sender);
        }
        // Effects.
        milestone.status = Escrow.Status.Disputed;
        emit DisputeMilestone(escrowId, msg.sender, index);
    }

    /// @inheritdoc IPaymentEscrow
    function resolve(
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
        Escrow.Milestone storage milestone = _milestones[escrowId][index];
        Escrow.Status status = milestone.status;
        if (status != Escrow.Status.Disputed && status != Escrow.Status.Frozen) {
            _revertStatus(escrowId, index, status);
        }
        Escrow.Deal storage deal = _deals[escrowId];
        if (msg.sender != deal.arbiter) revert Errors.PaymentEscrow_NotArbiter(escrowId, msg.sender);
        uint256 amount = milestone.amount;
        if (payeeAmount > amount || payerAmount != amount - payeeAmount) {
            revert Errors.PaymentEscrow_InvalidSplit(payeeAmount, payerAmount, amount);
        }
        // Effects.
        milestone.status = Escrow.Status.Resolved;
        emit ResolveMilestone(escrowId, msg.sender, index, payeeAmount, payerAmount);
        // Effects (fee accrual) and interactions.
        address token = deal.token;
        if (payeeAmount > 0) _payout(escrowId, deal, deal.payee, token, payeeAmount);
        if (payerAmount > 0) _send(token, deal.payer, payerAmount);
    }

    /// @inheritdoc IPaymentEscrow
    function refund(uint256 escrowId) external override nonReentrant {
        // Checks.
        Escrow.Deal storage deal = _deals[escrowId];
        address payer = deal.payer;
        if (payer == address(0)) revert Errors.PaymentEscrow_EscrowNotFound(escrowId);
        uint40 deadline = deal.deadline;
        if (block.timestamp < deadline) revert Errors.PaymentEscrow_DeadlineNotPassed(escrowId, deadline);
        // Effects.
        uint256 count = deal.milestoneCount;
        uint256 amount;
        uint256 mask;
        mapping(uint256 => Escrow.Milestone) storage milestones = _milestones[escrowId];
        for (uint256 i; i < count; ++i) {
            Escrow.Milestone storage milestone = milestones[i];
            Escrow.Status status = milestone.status;
            if (status == Escrow.Status.Pending || status == Escrow.Status.Held) {
                milestone.status = Escrow.Status.Refunded;
                amount += milestone.amount;
                mask |= 1 << i;
            }
        }
        if (amount == 0) revert Errors.PaymentEscrow_NothingToRefund(escrowId);
        emit Refund(escrowId, payer, amount, mask);
        // Interactions.
        _send(deal.token, payer, amount);
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

    /*//////////////////////////////////////////////////////////////////////////
                                  ADMIN FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

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

    /// @dev Validates `params`, stores the deal and its milestones, emits {CreateEscrow}.
    function _create(Escrow.CreateParams calldata params) private returns (uint256 escrowId, uint256 total) {
        // Checks.
        if (!_allowedTokens[params.token]) revert Errors.PaymentEscrow_TokenNotAllowed(params.token);
        if (params.payee == address(0) || params.arbiter == address(0)) revert Errors.PaymentEscrow_ZeroAddress();
        uint256 count = params.amounts.length;
        if (count == 0 || count > MAX_MILESTONES) revert Errors.PaymentEscrow_InvalidMilestoneCount(count);
        if (params.deadline <= block.timestamp) revert Errors.PaymentEscrow_DeadlineInPast(params.deadline);

        // Effects.
        Config memory config = _config;
        escrowId = config.nextEscrowId;
        unchecked {
            // Cannot overflow: one id per transaction never reaches 2^64.
            _config.nextEscrowId = config.nextEscrowId + 1;
        }
        uint16 referral = params.referrer == address(0) ? 0 : config.referralBps;
        Escrow.Deal storage deal = _deals[escrowId];
        deal.payer = msg.sender;
        deal.deadline = params.deadline;
        deal.feeBps = config.feeBps;
        deal.referralBps = referral;
        deal.milestoneCount = uint8(count);
        deal.payee = params.payee;
        deal.token = params.token;
        deal.arbiter = params.arbiter;
        if (params.referrer != address(0)) deal.referrer = params.referrer;

        mapping(uint256 => Escrow.Milestone) storage milestones = _milestones[escrowId];
        for (uint256 i; i < count; ++i) {
            uint96 amount = params.amounts[i];
            if (amount == 0) revert Errors.PaymentEscrow_ZeroAmount(i);
            milestones[i] = Escrow.Milestone({
                amount: amount, status: Escrow.Status.Pending, holdUntil: 0, lastIssuedAt: 0, lastScore: 0
            });
            total += amount;
        }
        _emitCreate(escrowId, params, config.feeBps, referral);
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
    function _requireVerdictable(uint256 escrowId, uint256 index) private view {
        Escrow.Status status = _milestones[escrowId][index].status;
        if (status != Escrow.Status.Pending && status != Escrow.Status.Held) _revertStatus(escrowId, index, status);
        _requireBeforeDeadline(escrowId, _deals[escrowId]);
    }

    /// @dev Releases stop at the deadline. Returns the payer (same slot as the deadline).
    function _requireBeforeDeadline(uint256 escrowId, Escrow.Deal storage deal) private view returns (address payer) {
        payer = deal.payer;
        uint40 deadline = deal.deadline;
        if (block.timestamp >= deadline) revert Errors.PaymentEscrow_DeadlinePassed(escrowId, deadline);
    }

    /// @dev `MilestoneNotFound` for a missing milestone, `InvalidStatus` otherwise.
    function _revertStatus(uint256 escrowId, uint256 index, Escrow.Status status) private pure {
        if (status == Escrow.Status.None) revert Errors.PaymentEscrow_MilestoneNotFound(escrowId, index);
        revert Errors.PaymentEscrow_InvalidStatus(escrowId, index, uint8(status));
    }

    /// @dev Applies a checked verdict: Release pays now, Hold parks, Freeze hands to the arbiter. The new
    /// `lastIssuedAt` is written in the milestone's own slot (replay protection without a new slot).
    function _applyVerdict(uint256 escrowId, uint256 index, Attestation.Verdict memory verdict) private {
        Escrow.Milestone storage milestone = _milestones[escrowId][index];
        uint96 amount = milestone.amount;
        if (verdict.decision == Attestation.Decision.Release) {
            // Effects.
            milestone.status = Escrow.Status.Released;
            milestone.lastIssuedAt = verdict.issuedAt;
            milestone.lastScore = verdict.score;
            // Effects (fee accrual) and interactions.
            Escrow.Deal storage deal = _deals[escrowId];
            address payee = deal.payee;
            uint256 net = _payout(escrowId, deal, payee, deal.token, amount);
            emit ReleaseMilestone(escrowId, payee, index, net, verdict.score, verdict.issuedAt);
        } else if (verdict.decision == Attestation.Decision.Hold) {
            uint40 holdUntil = uint40(block.timestamp + verdict.holdWindow);
            _milestones[escrowId][index] = Escrow.Milestone({
                amount: amount,
                status: Escrow.Status.Held,
                holdUntil: holdUntil,
                lastIssuedAt: verdict.issuedAt,
                lastScore: verdict.score
            });
            emit HoldMilestone(escrowId, index, holdUntil, verdict.score, verdict.issuedAt);
        } else {
            // A successful check never returns Decision.None: the rest is Freeze.
            _milestones[escrowId][index] = Escrow.Milestone({
                amount: amount,
                status: Escrow.Status.Frozen,
                holdUntil: 0,
                lastIssuedAt: verdict.issuedAt,
                lastScore: verdict.score
            });
            emit FreezeMilestone(escrowId, index, verdict.score, verdict.reasons, verdict.issuedAt);
        }
    }

    /// @dev Pays `gross` to `payee` minus the snapshotted protocol fee (accrued here) and referral commission
    /// (sent to the referrer). Returns what the payee gets.
    function _payout(
        uint256 escrowId,
        Escrow.Deal storage deal,
        address payee,
        address token,
        uint256 gross
    )
        private
        returns (uint256 net)
    {
        uint256 fee = gross * deal.feeBps / _BPS;
        uint256 referral = gross * deal.referralBps / _BPS;
        // Both rates are capped at 5%, so the sum never exceeds `gross`.
        net = gross - fee - referral;
        if (fee > 0) {
            _accruedFees[token] += fee;
            emit PayFee(escrowId, token, fee);
        }
        if (referral > 0) {
            address referrer = deal.referrer;
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
