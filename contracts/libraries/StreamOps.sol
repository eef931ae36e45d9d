// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import { IERC20 } from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import { IERC20Permit } from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import { IERC20Metadata } from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import { SafeERC20 } from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import { IERC3009Receive } from "../interfaces/IERC3009.sol";
import { IPaymentStream } from "../interfaces/IPaymentStream.sol";
import { CommissionMath } from "./CommissionMath.sol";
import { Errors } from "./Errors.sol";
import { StreamLogic } from "./StreamLogic.sol";
import { StreamMath } from "./StreamMath.sol";
import { Stream } from "../types/Stream.sol";

/// @title StreamOps
/// @notice The PaymentStream operations off the hot path (cancel, freeze resolution, pause/restart/refund,
/// plans and referrals, computed views), as a linked library that PaymentStream DELEGATECALLs so the
/// contract stays under the 24,576-byte code limit. Each function is the body of the PaymentStream
/// function of the same name (documented in {IPaymentStream}); `msg.sender` is the PaymentStream caller.
library StreamOps {
    using SafeERC20 for IERC20;

    /// @dev See {IPaymentStream-allowToken}; returns the new token count.
    function allowToken(Stream.Store storage $, address token, uint8 tokenCount) public returns (uint8) {
        Stream.TokenConfig memory config = $.tokenConfigs[token];
        if (config.allowed) revert Errors.PaymentStream_TokenAlreadyAllowed(token);
        if (config.token == address(0)) {
            if (tokenCount == type(uint8).max) revert Errors.PaymentStream_TokenAlreadyAllowed(token);
            uint8 decimals = IERC20Metadata(token).decimals();
            if (decimals > 18) revert Errors.PaymentStream_TokenDecimalsTooHigh(token, decimals);
            config = Stream.TokenConfig({ token: token, decimals: decimals, index: tokenCount, allowed: true });
            $.tokenTable[tokenCount] = config;
            ++tokenCount;
        }
        config.allowed = true;
        $.tokenConfigs[token] = config;
        emit IPaymentStream.AllowToken(token, config.decimals, config.index);
        return tokenCount;
    }

    /// @dev See {IPaymentStream-disallowToken}.
    function disallowToken(Stream.Store storage $, address token) public {
        if (!$.tokenConfigs[token].allowed) revert Errors.PaymentStream_TokenNotAllowed(token);
        $.tokenConfigs[token].allowed = false;
        emit IPaymentStream.DisallowToken(token);
    }

    /// @dev See {IPaymentStream-claim}.
    function claim(Stream.Store storage $, address token, address to) public returns (uint128 amount) {
        // Checks
        if (to == address(0)) revert Errors.PaymentStream_ZeroAddress();
        Stream.Account storage account = $.accounts[msg.sender][token];
        amount = account.credit;
        if (amount == 0) revert Errors.PaymentStream_NothingToClaim(msg.sender, token);

        // Effects
        account.credit = 0;
        emit IPaymentStream.Claim(msg.sender, token, to, amount);

        // Interactions
        IERC20(token).safeTransfer(to, amount);
    }

    /// @dev Pulls `amount` of `token` from `msg.sender` with an EIP-2612 permit or an EIP-3009 authorization
    /// and checks the contract received exactly it.
    function pullFunded(address token, uint256 amount, Stream.Funding calldata f) public {
        uint256 balanceBefore = IERC20(token).balanceOf(address(this));
        if (f.method == Stream.FundingMethod.Permit) {
            // A front-run permit reverts here but has already set the allowance: go on if it suffices.
            try IERC20Permit(token).permit(msg.sender, address(this), amount, f.deadline, f.v, f.r, f.s) { }
                catch { }
            uint256 allowance = IERC20(token).allowance(msg.sender, address(this));
            if (allowance < amount) revert Errors.PaymentStream_InsufficientAllowance(token, allowance, amount);
            IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        } else {
            IERC3009Receive(token).receiveWithAuthorization(
                msg.sender, address(this), amount, f.validAfter, f.deadline, f.nonce, f.v, f.r, f.s
            );
        }
        uint256 received = IERC20(token).balanceOf(address(this)) - balanceBefore;
        if (received != amount) revert Errors.PaymentStream_TransferAmountMismatch(token, amount, received);
    }

    /// @dev Applies a Freeze verdict: accrual stops (open-ended: snapshot; linear: freeze time recorded),
    /// nothing is withdrawable, and the attestation is consumed.
    function freeze(Stream.Store storage $, uint256 streamId, bytes32 subject, uint16 score, uint32 reasons) public {
        Stream.Data memory m = $.streams[streamId];
        if (m.flags & Stream.FLAG_OPEN != 0) StreamLogic.snapshot($, streamId, m);
        else $.frozenAt[streamId] = uint32(block.timestamp);
        Stream.Data storage s = $.streams[streamId];
        s.flags = m.flags | Stream.FLAG_FROZEN;
        s.seq = m.seq + 1;
        emit IPaymentStream.FreezeStream(streamId, subject, score, reasons);
    }

    /// @dev See {IPaymentStream-cancel}.
    function cancel(Stream.Store storage $, uint256 streamId, address arbiter) public {
        // Checks
        Stream.Data memory m = StreamLogic.load($, streamId);
        if (m.flags & Stream.FLAG_CANCELED != 0) revert Errors.PaymentStream_StreamCanceled(streamId);
        bool frozen = m.flags & Stream.FLAG_FROZEN != 0;
        if (frozen) {
            if (msg.sender != arbiter) revert Errors.PaymentStream_CallerNotArbiter(msg.sender);
        } else {
            if (msg.sender != m.sender) revert Errors.PaymentStream_CallerNotSender(streamId, msg.sender);
            if (m.flags & Stream.FLAG_CANCELABLE == 0) revert Errors.PaymentStream_StreamNotCancelable(streamId);
        }
        Stream.TokenConfig memory t = $.tokenTable[m.tokenIndex];
        Stream.Data storage s = $.streams[streamId];

        uint128 refunded;
        uint128 recipientAmount;
        if (m.flags & Stream.FLAG_OPEN == 0) {
            uint128 streamed = StreamLogic.linearStreamed($, streamId, m);
            refunded = m.deposited - streamed;
            if (refunded == 0) revert Errors.PaymentStream_StreamSettled(streamId);
            recipientAmount = streamed - m.withdrawn;
            // Effects: the deposit shrinks to what had accrued, which stays withdrawable.
            s.deposited = uint96(streamed);
            if (frozen) delete $.frozenAt[streamId];
        } else {
            (recipientAmount, refunded) = StreamLogic.openSplit($, streamId, m, t.decimals);
            // Effects: accrual stops at the snapshot; the balance shrinks to the covered debt.
            StreamLogic.snapshot($, streamId, m);
            s.deposited = m.withdrawn + uint96(recipientAmount);
        }
        s.flags = (m.flags | Stream.FLAG_CANCELED) & ~(Stream.FLAG_CANCELABLE | Stream.FLAG_FROZEN);
        uint128 budget = $.budgets[streamId];
        if (budget != 0) {
            delete $.budgets[streamId];
            emit IPaymentStream.RefundReferralBudget(streamId, budget);
        }
        emit IPaymentStream.CancelStream(streamId, msg.sender, refunded, recipientAmount);

        // Interactions: a sender that cannot receive (blacklisted) is credited instead.
        payOrCredit($, t.token, m.sender, refunded + budget);
    }

    /// @dev See {IPaymentStream-clearFreeze}.
    function clearFreeze(Stream.Store storage $, uint256 streamId, address arbiter) public {
        if (msg.sender != arbiter) revert Errors.PaymentStream_CallerNotArbiter(msg.sender);
        Stream.Data memory m = StreamLogic.load($, streamId);
        if (m.flags & Stream.FLAG_FROZEN == 0) revert Errors.PaymentStream_StreamNotFrozen(streamId);
        Stream.Data storage s = $.streams[streamId];
        if (m.flags & Stream.FLAG_OPEN != 0) {
            // The time frozen is not paid: accrual resumes from now on the snapshot taken at the freeze.
            s.startTime = uint32(block.timestamp);
        } else {
            delete $.frozenAt[streamId];
        }
        s.flags = m.flags & ~Stream.FLAG_FROZEN;
        emit IPaymentStream.ClearFreeze(streamId, msg.sender);
    }

    /// @dev See {IPaymentStream-renounce}.
    function renounce(Stream.Store storage $, uint256 streamId) public {
        Stream.Data memory m = StreamLogic.load($, streamId);
        if (msg.sender != m.sender) revert Errors.PaymentStream_CallerNotSender(streamId, msg.sender);
        if (m.flags & Stream.FLAG_OPEN != 0) revert Errors.PaymentStream_WrongShape(streamId);
        if (m.flags & Stream.FLAG_CANCELED != 0) revert Errors.PaymentStream_StreamCanceled(streamId);
        if (m.flags & Stream.FLAG_CANCELABLE == 0) revert Errors.PaymentStream_StreamNotCancelable(streamId);
        $.streams[streamId].flags = m.flags & ~Stream.FLAG_CANCELABLE;
        emit IPaymentStream.RenounceStream(streamId);
    }

    /// @dev See {IPaymentStream-pause}.
    function pause(Stream.Store storage $, uint256 streamId) public {
        // Checks
        Stream.Data memory m = _loadOpenBySender($, streamId);
        if (m.flags & Stream.FLAG_PAUSED != 0) revert Errors.PaymentStream_StreamPaused(streamId);
        (uint128 owed, uint128 balance) =
            StreamLogic.openOwedAndBalance($, streamId, m, $.tokenTable[m.tokenIndex].decimals);

        // Effects: snapshot what has streamed; accrual stops while paused.
        StreamLogic.snapshot($, streamId, m);
        $.streams[streamId].flags = m.flags | Stream.FLAG_PAUSED;
        emit IPaymentStream.PauseStream(streamId, owed > balance ? owed - balance : 0);
    }

    /// @dev See {IPaymentStream-restart}.
    function restart(Stream.Store storage $, uint256 streamId) public {
        Stream.Data memory m = _loadOpenBySender($, streamId);
        if (m.flags & Stream.FLAG_PAUSED == 0) revert Errors.PaymentStream_StreamNotPaused(streamId);
        // The snapshot (and so the debt) is kept; accrual resumes from now.
        Stream.Data storage s = $.streams[streamId];
        s.startTime = uint32(block.timestamp);
        s.flags = m.flags & ~Stream.FLAG_PAUSED;
        emit IPaymentStream.RestartStream(streamId, m.terms);
    }

    /// @dev See {IPaymentStream-refund}.
    function refund(Stream.Store storage $, uint256 streamId, uint128 amount) public {
        // Checks
        Stream.Data memory m = StreamLogic.load($, streamId);
        if (msg.sender != m.sender) revert Errors.PaymentStream_CallerNotSender(streamId, msg.sender);
        if (m.flags & Stream.FLAG_OPEN == 0) revert Errors.PaymentStream_WrongShape(streamId);
        if (m.flags & Stream.FLAG_FROZEN != 0) revert Errors.PaymentStream_StreamFrozen(streamId);
        if (amount == 0) revert Errors.PaymentStream_ZeroAmount();
        Stream.TokenConfig memory t = $.tokenTable[m.tokenIndex];
        (, uint128 refundable) = StreamLogic.openSplit($, streamId, m, t.decimals);
        if (amount > refundable) revert Errors.PaymentStream_RefundExceedsRefundable(streamId, amount, refundable);

        // Effects
        // Safe: amount <= refundable <= deposited - withdrawn.
        unchecked {
            $.streams[streamId].deposited = m.deposited - uint96(amount);
        }
        emit IPaymentStream.RefundStream(streamId, msg.sender, amount);

        // Interactions
        IERC20(t.token).safeTransfer(msg.sender, amount);
    }

    /// @dev See {IPaymentStream-refundReferralBudget}.
    function refundReferralBudget(Stream.Store storage $, uint256 streamId) public {
        // Checks
        Stream.Data memory m = StreamLogic.load($, streamId);
        if (msg.sender != m.sender) revert Errors.PaymentStream_CallerNotSender(streamId, msg.sender);
        bool settled = m.flags & Stream.FLAG_CANCELED != 0
            || (m.flags & Stream.FLAG_OPEN == 0 && m.withdrawn == m.deposited);
        if (!settled) revert Errors.PaymentStream_BudgetLocked(streamId);
        uint128 budget = $.budgets[streamId];
        if (budget == 0) revert Errors.PaymentStream_ZeroAmount();

        // Effects
        delete $.budgets[streamId];
        emit IPaymentStream.RefundReferralBudget(streamId, budget);

        // Interactions
        payOrCredit($, $.tokenTable[m.tokenIndex].token, m.sender, budget);
    }

    /// @dev See {IPaymentStream-createPlan}; `planId` is assigned by the caller.
    function createPlan(Stream.Store storage $, Stream.Plan calldata plan, uint32 planId) public {
        if (!CommissionMath.isValid(plan)) revert Errors.PaymentStream_InvalidPlan();
        $.plans[planId] = plan;
        emit IPaymentStream.CreatePlan(planId, msg.sender, plan);
    }

    /// @dev See {IPaymentStream-setReferral}.
    function setReferral(Stream.Store storage $, address affiliate, uint32 planId, uint32 nextPlanId) public {
        address current = $.referrals[msg.sender].affiliate;
        if (current != address(0)) revert Errors.PaymentStream_ReferralAlreadySet(msg.sender, current);
        if (affiliate == address(0) || affiliate == msg.sender) {
            revert Errors.PaymentStream_InvalidAffiliate(affiliate);
        }
        if (planId == 0 || planId >= nextPlanId) revert Errors.PaymentStream_PlanNotFound(planId);
        $.referrals[msg.sender] =
            Stream.Referral({ affiliate: affiliate, planId: planId, referredAt: uint40(block.timestamp) });
        emit IPaymentStream.SetReferral(msg.sender, affiliate, planId);
    }

    /// @dev See {IPaymentStream-amountsOf}.
    function amountsOf(Stream.Store storage $, uint256 streamId) public view returns (Stream.Amounts memory a) {
        Stream.Data memory m = StreamLogic.load($, streamId);
        Stream.TokenConfig memory t = $.tokenTable[m.tokenIndex];
        a.token = t.token;
        a.subject = StreamLogic.subject(streamId, m.seq);
        a.unattestedAllowance = uint256(m.unattestedAllowance) * 10 ** t.decimals;
        a.referralBudget = $.budgets[streamId];
        a.cliffAmount = $.cliffAmounts[streamId];
        bool canceled = m.flags & Stream.FLAG_CANCELED != 0;
        if (m.flags & Stream.FLAG_OPEN == 0) {
            a.streamed = StreamLogic.linearStreamed($, streamId, m);
            if (!canceled) a.refundable = m.deposited - a.streamed;
        } else {
            a.streamed = uint128(StreamLogic.openStreamedScaled($, streamId, m) / StreamMath.scaleOf(t.decimals));
            (uint128 owed, uint128 balance) = StreamLogic.openOwedAndBalance($, streamId, m, t.decimals);
            if (!canceled) {
                (, a.refundable) = StreamLogic.openSplit($, streamId, m, t.decimals);
                if (owed > balance) a.debt = owed - balance;
            }
        }
        if (m.flags & Stream.FLAG_FROZEN == 0) a.withdrawable = StreamLogic.withdrawable($, streamId, m, t.decimals);
    }

    /// @dev Transfers, or credits the account's pull balance if the token refuses (e.g. blacklisted).
    function payOrCredit(Stream.Store storage $, address token, address to, uint128 amount) internal {
        if (amount == 0) return;
        if (!IERC20(token).trySafeTransfer(to, amount)) {
            $.accounts[to][token].credit += amount;
            emit IPaymentStream.CreditAccount(to, token, amount);
        }
    }

    function _loadOpenBySender(Stream.Store storage $, uint256 streamId) private view returns (Stream.Data memory m) {
        m = StreamLogic.load($, streamId);
        if (msg.sender != m.sender) revert Errors.PaymentStream_CallerNotSender(streamId, msg.sender);
        if (m.flags & Stream.FLAG_OPEN == 0) revert Errors.PaymentStream_WrongShape(streamId);
        if (m.flags & Stream.FLAG_CANCELED != 0) revert Errors.PaymentStream_StreamCanceled(streamId);
        if (m.flags & Stream.FLAG_FROZEN != 0) revert Errors.PaymentStream_StreamFrozen(streamId);
    }
}
