// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import { IERC20 } from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import { IERC20Permit } from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import { IERC20Metadata } from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import { SafeERC20 } from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import { IERC3009Receive } from "../interfaces/IERC3009.sol";
import { IPaymentStream } from "../interfaces/IPaymentStream.sol";
import { IRiskOracle } from "../interfaces/IRiskOracle.sol";
import { CommissionMath } from "./CommissionMath.sol";
import { Errors } from "./Errors.sol";
import { StreamLogic } from "./StreamLogic.sol";
import { StreamMath } from "./StreamMath.sol";
import { Attestation } from "../types/Attestation.sol";
import { Stream } from "../types/Stream.sol";

/// @title StreamOps
/// @notice The PaymentStream operations off the hot path (cancel, freeze resolution, pause/restart/refund,
/// plans and referrals, computed views), as a linked library that PaymentStream DELEGATECALLs so the
/// contract stays under the 24,576-byte code limit. Each function is the body of the PaymentStream
/// function of the same name (documented in {IPaymentStream}); `msg.sender` is the PaymentStream caller.
library StreamOps {
    using SafeERC20 for IERC20;

    /// @dev Mirrors `PaymentStream.ARBITRATION_TIMEOUT` (G6.2).
    uint256 internal constant ARBITRATION_TIMEOUT = 30 days;

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
        // Gate rule G9: a credit leaves to another address only while the token lets the account receive.
        if (to != msg.sender && !IERC20(token).trySafeTransfer(msg.sender, 0)) {
            revert Errors.PaymentStream_AccountBlocked(msg.sender, token);
        }
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

    /// @dev Applies a Freeze verdict issued at `issuedAt`: accrual stops (open-ended: snapshot; linear: freeze
    /// time recorded), nothing is withdrawable, the subject is consumed and any hold of the seq ends.
    function freeze(
        Stream.Store storage $,
        uint256 streamId,
        bytes32 subject,
        uint16 score,
        uint32 reasons,
        uint64 issuedAt
    )
        public
    {
        _freeze($, streamId);
        // Gate rule G7: a Freeze counts as applied; verdicts issued before it never count again.
        $.gates[streamId] = Stream.Gate({ lastIssuedAt: issuedAt, holdUntil: 0, holdEpoch: 0, holdScore: 0, holdCap: 0 });
        emit IPaymentStream.FreezeStream(streamId, subject, score, reasons);
    }

    /// @dev Records a Hold verdict for the current seq (gate rule G4).
    function recordHold(
        Stream.Store storage $,
        uint256 streamId,
        bytes32 subject,
        Attestation.Verdict memory verdict,
        uint256 cap,
        IRiskOracle oracle
    )
        public
    {
        uint32 holdUntil = $.gates[streamId].holdUntil;
        // Gate rule G4.2: the window runs from the first Hold of the seq; a newer Hold never extends it.
        if (holdUntil == 0) holdUntil = uint32(block.timestamp + verdict.holdWindow);
        $.gates[streamId] = Stream.Gate({
            lastIssuedAt: verdict.issuedAt,
            holdUntil: holdUntil,
            holdEpoch: oracle.epoch(),
            holdScore: verdict.score,
            holdCap: cap > type(uint96).max ? type(uint96).max : uint96(cap)
        });
        emit IPaymentStream.HoldStream(streamId, subject, holdUntil, verdict.score, verdict.issuedAt);
    }

    /// @dev The checks of {IPaymentStream-finalizeHold}; returns the held verdict's `issuedAt` for the attested
    /// withdrawal that follows.
    function checkFinalize(
        Stream.Store storage $,
        uint256 streamId,
        uint128 amount,
        IRiskOracle oracle
    )
        public
        returns (uint64)
    {
        Stream.Data memory m = StreamLogic.load($, streamId);
        if (m.flags & Stream.FLAG_FROZEN != 0) revert Errors.PaymentStream_StreamFrozen(streamId);
        Stream.Gate memory g = $.gates[streamId];
        if (g.holdUntil == 0) revert Errors.PaymentStream_NoHold(streamId);
        // Gate rule G4.1: nothing held moves before the window's end.
        if (block.timestamp < g.holdUntil) revert Errors.PaymentStream_HoldActive(streamId, g.holdUntil);
        // Gate rule G5: only the recipient or its operator spends the hold.
        if (msg.sender != m.recipient && !$.operators[m.recipient][msg.sender]) {
            revert Errors.PaymentStream_CallerNotRecipientOrOperator(streamId, msg.sender);
        }
        if (amount > g.holdCap) revert Errors.PaymentStream_AmountAboveAttestedCap(streamId, amount, g.holdCap);
        // Gate rule G4.5: the held verdict must still be the current one (not paused, policy enabled, same
        // signer epoch, not revoked, no newer posted verdict).
        bytes32 subject = StreamLogic.subject(streamId, m.seq);
        oracle.checkHeld(subject, g.lastIssuedAt, g.holdScore, g.holdEpoch);
        emit IPaymentStream.UseAttestation(streamId, subject, Attestation.Decision.Hold, g.holdScore, g.lastIssuedAt);
        return g.lastIssuedAt;
    }

    /// @dev See {IPaymentStream-setOperator}.
    function setOperator(Stream.Store storage $, address operator, bool approved) public {
        $.operators[msg.sender][operator] = approved;
        emit IPaymentStream.SetOperator(msg.sender, operator, approved);
    }

    /// @dev See {IPaymentStream-withdrawMultiple}: each item is an external self-call so one failing stream
    /// (frozen, blacklisted recipient, attestation required...) never reverts the others.
    function withdrawMultiple(Stream.Store storage $, uint256[] calldata streamIds) public returns (uint256 count) {
        uint256 length = streamIds.length;
        for (uint256 i; i < length; ++i) {
            uint256 streamId = streamIds[i];
            try IPaymentStream(address(this)).withdrawMax(streamId, $.streams[streamId].recipient) {
                ++count;
            } catch (bytes memory reason) {
                // Gate rule G13: the full reason, so a token's `Error(string)` stays readable.
                emit IPaymentStream.SkipWithdraw(streamId, reason);
            }
        }
    }

    /// @dev See {IPaymentStream-disputeHold}.
    function disputeHold(Stream.Store storage $, uint256 streamId) public {
        Stream.Data memory m = StreamLogic.load($, streamId);
        if (msg.sender != m.sender) revert Errors.PaymentStream_CallerNotSender(streamId, msg.sender);
        Stream.Gate storage g = $.gates[streamId];
        uint32 holdUntil = g.holdUntil;
        if (holdUntil == 0) revert Errors.PaymentStream_NoHold(streamId);
        // Gate rule G4.3: only during the window.
        if (block.timestamp >= holdUntil) revert Errors.PaymentStream_HoldOver(streamId, holdUntil);
        _freeze($, streamId);
        g.holdUntil = 0;
        emit IPaymentStream.DisputeStream(streamId, StreamLogic.subject(streamId, m.seq), msg.sender);
    }

    /// @dev Freezes a stream and consumes its subject (the seq saturates at 65,535, G8).
    function _freeze(Stream.Store storage $, uint256 streamId) private {
        Stream.Data memory m = $.streams[streamId];
        if (m.flags & Stream.FLAG_OPEN != 0) StreamLogic.snapshot($, streamId, m);
        else $.frozenAt[streamId] = uint32(block.timestamp);
        Stream.Data storage s = $.streams[streamId];
        s.flags = m.flags | Stream.FLAG_FROZEN;
        if (m.seq != type(uint16).max) s.seq = m.seq + 1;
    }

    /// @dev See {IPaymentStream-cancel}.
    function cancel(Stream.Store storage $, uint256 streamId, address arbiter) public {
        // Checks
        Stream.Data memory m = StreamLogic.load($, streamId);
        bool frozen = m.flags & Stream.FLAG_FROZEN != 0;
        if (m.flags & Stream.FLAG_CANCELED != 0) {
            // Gate rule G6.2: a stream frozen after its cancel has nothing left to split; past the timeout its
            // sender lifts the freeze, and the recipient's balance waits for a verdict newer than the freeze (G7).
            if (!frozen || msg.sender != m.sender) revert Errors.PaymentStream_StreamCanceled(streamId);
            _requireTimedOut($, streamId, m);
            Stream.Data storage c = $.streams[streamId];
            c.flags = m.flags & ~Stream.FLAG_FROZEN;
            c.sinceAttested = uint88(uint256(m.unattestedAllowance) * 10 ** $.tokenTable[m.tokenIndex].decimals);
            emit IPaymentStream.ClearFreeze(streamId, msg.sender);
            return;
        }
        bool timedOut;
        if (frozen) {
            if (msg.sender != arbiter) {
                if (msg.sender != m.sender) revert Errors.PaymentStream_CallerNotArbiter(msg.sender);
                _requireTimedOut($, streamId, m);
                timedOut = true;
            }
        } else {
            // Gate rule G8: once the seq is exhausted, the sender or the arbiter may cancel any stream.
            bool exhausted = m.seq == type(uint16).max;
            if (msg.sender != m.sender && !(exhausted && msg.sender == arbiter)) {
                revert Errors.PaymentStream_CallerNotSender(streamId, msg.sender);
            }
            if (m.flags & Stream.FLAG_CANCELABLE == 0 && !exhausted) {
                revert Errors.PaymentStream_StreamNotCancelable(streamId);
            }
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
        // Gate rule G6.2: without the arbiter, what streamed before the freeze needs a verdict newer than the
        // freeze (G7): the allowance counts as used.
        if (timedOut) s.sinceAttested = uint88(uint256(m.unattestedAllowance) * 10 ** t.decimals);
        // Gate rule G8: the budget beyond the commission reserved for the recipient's part returns now.
        uint128 budget = _releaseBudget($, streamId, m.flags, recipientAmount);
        emit IPaymentStream.CancelStream(streamId, msg.sender, refunded, recipientAmount);

        // Interactions: a sender that cannot receive (blacklisted) is credited instead.
        payOrCredit($, t.token, m.sender, refunded + budget);
    }

    /// @dev Gate rule G6.2: reverts until ARBITRATION_TIMEOUT has passed since the freeze (open-ended streams
    /// snapshot at the freeze, so their `startTime` is the freeze time).
    function _requireTimedOut(Stream.Store storage $, uint256 streamId, Stream.Data memory m) private view {
        uint256 timeoutAt =
            uint256(m.flags & Stream.FLAG_OPEN != 0 ? m.startTime : $.frozenAt[streamId]) + ARBITRATION_TIMEOUT;
        if (block.timestamp < timeoutAt) revert Errors.PaymentStream_ArbitrationPending(streamId, timeoutAt);
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
        // Checks: gate rule G8, an ended stream's budget has an exit whatever the recipient does.
        Stream.Data memory m = StreamLogic.load($, streamId);
        if (msg.sender != m.sender) revert Errors.PaymentStream_CallerNotSender(streamId, msg.sender);
        bool ended = m.flags & Stream.FLAG_CANCELED != 0
            || (m.flags & Stream.FLAG_OPEN == 0 && block.timestamp >= uint32(m.terms));
        if (!ended) revert Errors.PaymentStream_BudgetLocked(streamId);

        // Effects: what is left to withdraw (gross) keeps its commission reserved.
        uint128 refunded = _releaseBudget($, streamId, m.flags, m.deposited - m.withdrawn);
        if (refunded == 0) revert Errors.PaymentStream_ZeroAmount();

        // Interactions
        payOrCredit($, $.tokenTable[m.tokenIndex].token, m.sender, refunded);
    }

    /// @dev Keeps the sender-paid commission on `unwithdrawn` (gross) in the budget and releases the rest;
    /// returns the amount released (the caller pays it to the sender).
    function _releaseBudget(
        Stream.Store storage $,
        uint256 streamId,
        uint8 flags,
        uint128 unwithdrawn
    )
        private
        returns (uint128 released)
    {
        uint128 budget = $.budgets[streamId];
        if (budget == 0) return 0;
        uint128 reserve = flags & Stream.FLAG_SENDER_REFERRAL != 0
            ? CommissionMath.commission(unwithdrawn, $.senderPaid[streamId].bps)
            : 0;
        if (reserve >= budget) return 0;
        released = budget - reserve;
        $.budgets[streamId] = reserve;
        emit IPaymentStream.RefundReferralBudget(streamId, released);
    }

    /// @dev Binds a new stream's commissions (gate rule G10), each at the rate fixed now; returns its flags.
    /// The broker comes from the recipient's registration (recipient-paid plans only); the sender-paid referral
    /// only from the sender's own choice (`affiliate`, `planId`).
    function bindCommissions(
        Stream.Store storage $,
        uint256 streamId,
        address recipient,
        address token,
        address affiliate,
        uint32 planId,
        uint32 nextPlanId
    )
        public
        returns (uint8 flags)
    {
        uint8 decimals = $.tokenConfigs[token].decimals;
        Stream.Referral memory r = $.referrals[recipient];
        if (r.affiliate != address(0)) {
            $.recipientPaid[streamId] =
                _bind($, streamId, r.affiliate, r.planId, r.referredAt, recipient, token, decimals);
            flags = Stream.FLAG_REFERRAL;
        }
        if (affiliate != address(0)) {
            if (planId == 0 || planId >= nextPlanId) revert Errors.PaymentStream_PlanNotFound(planId);
            if ($.plans[planId].payer != Stream.CommissionPayer.Sender) revert Errors.PaymentStream_InvalidPlan();
            $.senderPaid[streamId] =
                _bind($, streamId, affiliate, planId, uint40(block.timestamp), recipient, token, decimals);
            flags |= Stream.FLAG_SENDER_REFERRAL;
        }
    }

    /// @dev The commission of one affiliate on a new stream: the plan's rate now, volume tiers counted on the
    /// volume the affiliate earned on this recipient only (G10).
    function _bind(
        Stream.Store storage $,
        uint256 streamId,
        address affiliate,
        uint32 planId,
        uint40 referredAt,
        address recipient,
        address token,
        uint8 decimals
    )
        private
        returns (Stream.Commission memory c)
    {
        Stream.Plan memory plan = $.plans[planId];
        uint256 volume = $.pairVolumes[affiliate][recipient][token] / 10 ** decimals;
        c = Stream.Commission({
            affiliate: affiliate,
            planId: planId,
            bps: CommissionMath.rateBps(plan, referredAt, volume, block.timestamp),
            tiered: plan.kind == Stream.CommissionKind.VolumeTiered
        });
        emit IPaymentStream.BindCommission(streamId, affiliate, planId, c.bps, plan.payer);
    }

    /// @dev Credits the stream's commissions on `gross` (at the rates bound at creation); returns what the
    /// recipient receives.
    function payCommission(
        Stream.Store storage $,
        uint256 streamId,
        address recipient,
        Stream.TokenConfig memory t,
        uint8 flags,
        uint128 gross
    )
        public
        returns (uint128 net)
    {
        net = gross;
        if (flags & Stream.FLAG_REFERRAL != 0) {
            Stream.Commission memory c = $.recipientPaid[streamId];
            uint128 commission = CommissionMath.commission(gross, c.bps);
            // Safe: commission <= gross / 2.
            unchecked {
                net = gross - commission;
            }
            _credit($, streamId, c, recipient, t.token, gross, commission, Stream.CommissionPayer.Recipient);
        }
        if (flags & Stream.FLAG_SENDER_REFERRAL != 0) {
            Stream.Commission memory c = $.senderPaid[streamId];
            uint128 commission = CommissionMath.commission(gross, c.bps);
            uint128 budget = $.budgets[streamId];
            if (commission > budget) commission = budget;
            if (commission != 0) {
                // Safe: commission <= budget.
                unchecked {
                    $.budgets[streamId] = budget - commission;
                }
            }
            _credit($, streamId, c, recipient, t.token, gross, commission, Stream.CommissionPayer.Sender);
        }
    }

    function _credit(
        Stream.Store storage $,
        uint256 streamId,
        Stream.Commission memory c,
        address recipient,
        address token,
        uint128 gross,
        uint128 commission,
        Stream.CommissionPayer payer
    )
        private
    {
        Stream.Account storage account = $.accounts[c.affiliate][token];
        Stream.Account memory a = account;
        account.credit = a.credit + commission;
        account.volume = a.volume + gross;
        if (c.tiered) $.pairVolumes[c.affiliate][recipient][token] += gross;
        emit IPaymentStream.PayCommission(streamId, c.affiliate, c.planId, gross, commission, payer);
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
        // Gate rule G10: a recipient's registration governs only what it pays itself (a broker fee).
        if ($.plans[planId].payer != Stream.CommissionPayer.Recipient) revert Errors.PaymentStream_InvalidPlan();
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
