// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import { Ownable, Ownable2Step } from "@openzeppelin/contracts/access/Ownable2Step.sol";
import { IERC20 } from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import { SafeERC20 } from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import { ReentrancyGuardTransient } from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import { RiskGatedConsumer } from "./abstracts/RiskGatedConsumer.sol";
import { IPaymentStream } from "./interfaces/IPaymentStream.sol";
import { IRiskOracle } from "./interfaces/IRiskOracle.sol";
import { CommissionMath } from "./libraries/CommissionMath.sol";
import { Errors } from "./libraries/Errors.sol";
import { StreamLogic } from "./libraries/StreamLogic.sol";
import { StreamOps } from "./libraries/StreamOps.sol";
import { Attestation } from "./types/Attestation.sol";
import { Stream } from "./types/Stream.sol";

/// @title PaymentStream
/// @notice Linear and open-ended stablecoin streams with risk-gated withdrawals and affiliate commissions.
/// See {IPaymentStream} and docs/streams.md.
contract PaymentStream is IPaymentStream, RiskGatedConsumer, Ownable2Step, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /*//////////////////////////////////////////////////////////////////////////
                                    STORAGE
    //////////////////////////////////////////////////////////////////////////*/

    /// @inheritdoc IPaymentStream
    address public override arbiter;

    /// @inheritdoc IPaymentStream
    uint256 public override nextStreamId = 1;

    /// @inheritdoc IPaymentStream
    uint32 public override nextPlanId = 1;

    /// @dev How many tokens the table holds (indices 0..254).
    uint8 private _tokenCount;

    /// @dev Every stream, plan, referral and account mapping (see `Stream.Store`).
    Stream.Store private _store;

    constructor(
        IRiskOracle riskOracle,
        address initialOwner,
        address initialArbiter
    )
        RiskGatedConsumer(riskOracle)
        Ownable(initialOwner)
    {
        if (initialArbiter == address(0)) revert Errors.PaymentStream_ZeroAddress();
        arbiter = initialArbiter;
        emit SetArbiter(address(0), initialArbiter);
    }

    /*//////////////////////////////////////////////////////////////////////////
                                  READ FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @inheritdoc IPaymentStream
    function tokenConfigOf(address token) external view override returns (Stream.TokenConfig memory) {
        return _store.tokenConfigs[token];
    }

    /// @inheritdoc IPaymentStream
    function getStream(uint256 streamId) external view override returns (Stream.Data memory) {
        return StreamLogic.load(_store, streamId);
    }

    /// @inheritdoc IPaymentStream
    function amountsOf(uint256 streamId) external view override returns (Stream.Amounts memory) {
        return StreamOps.amountsOf(_store, streamId);
    }

    /// @inheritdoc IPaymentStream
    function subjectOf(uint256 streamId) external view override returns (bytes32) {
        return StreamLogic.subject(streamId, StreamLogic.load(_store, streamId).seq);
    }

    /// @inheritdoc IPaymentStream
    function planOf(uint32 planId) external view override returns (Stream.Plan memory) {
        if (planId == 0 || planId >= nextPlanId) revert Errors.PaymentStream_PlanNotFound(planId);
        return _store.plans[planId];
    }

    /// @inheritdoc IPaymentStream
    function referralOf(address recipient) external view override returns (Stream.Referral memory) {
        return _store.referrals[recipient];
    }

    /// @inheritdoc IPaymentStream
    function accountOf(address account, address token) external view override returns (Stream.Account memory) {
        return _store.accounts[account][token];
    }

    /*//////////////////////////////////////////////////////////////////////////
                                     ADMIN
    //////////////////////////////////////////////////////////////////////////*/

    /// @inheritdoc IPaymentStream
    function allowToken(address token) external override onlyOwner {
        if (token == address(0)) revert Errors.PaymentStream_ZeroAddress();
        _tokenCount = StreamOps.allowToken(_store, token, _tokenCount);
    }

    /// @inheritdoc IPaymentStream
    function disallowToken(address token) external override onlyOwner {
        StreamOps.disallowToken(_store, token);
    }

    /// @inheritdoc IPaymentStream
    function setArbiter(address newArbiter) external override onlyOwner {
        if (newArbiter == address(0)) revert Errors.PaymentStream_ZeroAddress();
        emit SetArbiter(arbiter, newArbiter);
        arbiter = newArbiter;
    }

    /*//////////////////////////////////////////////////////////////////////////
                                     CREATE
    //////////////////////////////////////////////////////////////////////////*/

    /// @inheritdoc IPaymentStream
    function createLinear(Stream.CreateLinear calldata params)
        external
        override
        nonReentrant
        returns (uint256 streamId)
    {
        uint256 total;
        address token;
        (streamId, token, total) = _createLinear(params);
        _pullApproved(IERC20(token), total);
    }

    /// @inheritdoc IPaymentStream
    function createLinearWithFunding(
        Stream.CreateLinear calldata params,
        Stream.Funding calldata funding
    )
        external
        override
        nonReentrant
        returns (uint256 streamId)
    {
        uint256 total;
        address token;
        (streamId, token, total) = _createLinear(params);
        StreamOps.pullFunded(token, total, funding);
    }

    /// @inheritdoc IPaymentStream
    function createLinearBatch(Stream.CreateLinear[] calldata params)
        external
        override
        nonReentrant
        returns (uint256[] memory streamIds)
    {
        uint256 count = params.length;
        streamIds = new uint256[](count);
        for (uint256 i; i < count; ++i) {
            (uint256 streamId, address token, uint256 total) = _createLinear(params[i]);
            streamIds[i] = streamId;
            _pullApproved(IERC20(token), total);
        }
    }

    /// @inheritdoc IPaymentStream
    function createOpen(Stream.CreateOpen calldata params)
        external
        override
        nonReentrant
        returns (uint256 streamId)
    {
        uint256 total;
        address token;
        (streamId, token, total) = _createOpen(params);
        if (total != 0) _pullApproved(IERC20(token), total);
    }

    /// @inheritdoc IPaymentStream
    function createOpenWithFunding(
        Stream.CreateOpen calldata params,
        Stream.Funding calldata funding
    )
        external
        override
        nonReentrant
        returns (uint256 streamId)
    {
        uint256 total;
        address token;
        (streamId, token, total) = _createOpen(params);
        if (total != 0) StreamOps.pullFunded(token, total, funding);
    }

    /*//////////////////////////////////////////////////////////////////////////
                                   OPEN-ENDED
    //////////////////////////////////////////////////////////////////////////*/

    /// @inheritdoc IPaymentStream
    function deposit(uint256 streamId, uint96 amount) external override nonReentrant {
        _pullApproved(IERC20(_deposit(streamId, amount)), amount);
    }

    /// @inheritdoc IPaymentStream
    function pause(uint256 streamId) external override {
        StreamOps.pause(_store, streamId);
    }

    /// @inheritdoc IPaymentStream
    function restart(uint256 streamId) external override {
        StreamOps.restart(_store, streamId);
    }

    /// @inheritdoc IPaymentStream
    function refund(uint256 streamId, uint128 amount) external override nonReentrant {
        StreamOps.refund(_store, streamId, amount);
    }

    /*//////////////////////////////////////////////////////////////////////////
                                 CANCEL / FREEZE
    //////////////////////////////////////////////////////////////////////////*/

    /// @inheritdoc IPaymentStream
    function renounce(uint256 streamId) external override {
        StreamOps.renounce(_store, streamId);
    }

    /// @inheritdoc IPaymentStream
    function cancel(uint256 streamId) external override nonReentrant {
        StreamOps.cancel(_store, streamId, arbiter);
    }

    /// @inheritdoc IPaymentStream
    function clearFreeze(uint256 streamId) external override {
        StreamOps.clearFreeze(_store, streamId, arbiter);
    }

    /*//////////////////////////////////////////////////////////////////////////
                                    WITHDRAW
    //////////////////////////////////////////////////////////////////////////*/

    /// @inheritdoc IPaymentStream
    function withdraw(
        uint256 streamId,
        address to,
        uint128 amount
    )
        external
        override
        nonReentrant
        returns (uint128 net)
    {
        if (amount == 0) revert Errors.PaymentStream_ZeroAmount();
        return _withdraw(streamId, to, amount, false);
    }

    /// @inheritdoc IPaymentStream
    function withdrawMax(uint256 streamId, address to) external override nonReentrant returns (uint128 net) {
        return _withdraw(streamId, to, 0, false);
    }

    /// @inheritdoc IPaymentStream
    function withdrawWithPosted(
        uint256 streamId,
        address to,
        uint128 amount,
        uint256 cap
    )
        external
        override
        nonReentrant
        returns (uint128 net)
    {
        if (amount == 0) revert Errors.PaymentStream_ZeroAmount();
        bytes32 subject = _checkAttestable(streamId);
        Stream.Data storage s = _store.streams[streamId];
        Attestation.Verdict memory verdict =
            _postedVerdict(subject, s.sender, s.recipient, _store.tokenTable[s.tokenIndex].token, cap, 0);
        if (!_acceptVerdict(streamId, subject, verdict, amount, cap)) return 0;
        return _withdraw(streamId, to, amount, true);
    }

    /// @inheritdoc IPaymentStream
    function withdrawWithAttestation(
        uint256 streamId,
        address to,
        uint128 amount,
        Attestation.RiskAttestation calldata att,
        address[] calldata signerSet,
        bytes[] calldata signatures
    )
        external
        override
        nonReentrant
        returns (uint128 net)
    {
        if (amount == 0) revert Errors.PaymentStream_ZeroAmount();
        bytes32 subject = _checkAttestable(streamId);
        Attestation.Verdict memory verdict = _checkInline(streamId, subject, att, signerSet, signatures);
        if (!_acceptVerdict(streamId, subject, verdict, amount, att.amount)) return 0;
        return _withdraw(streamId, to, amount, true);
    }

    /// @inheritdoc IPaymentStream
    function withdrawMultiple(uint256[] calldata streamIds) external override returns (uint256 count) {
        uint256 length = streamIds.length;
        for (uint256 i; i < length; ++i) {
            uint256 streamId = streamIds[i];
            // Each item is an external self-call so one failing stream (frozen, blacklisted recipient,
            // attestation required...) never reverts the others.
            try this.withdrawMax(streamId, _store.streams[streamId].recipient) {
                ++count;
            } catch (bytes memory reason) {
                emit SkipWithdraw(streamId, bytes4(reason));
            }
        }
    }

    /*//////////////////////////////////////////////////////////////////////////
                                   COMMISSIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @inheritdoc IPaymentStream
    function createPlan(Stream.Plan calldata plan) external override returns (uint32 planId) {
        planId = nextPlanId++;
        StreamOps.createPlan(_store, plan, planId);
    }

    /// @inheritdoc IPaymentStream
    function setReferral(address affiliate, uint32 planId) external override {
        StreamOps.setReferral(_store, affiliate, planId, nextPlanId);
    }

    /// @inheritdoc IPaymentStream
    function refundReferralBudget(uint256 streamId) external override nonReentrant {
        StreamOps.refundReferralBudget(_store, streamId);
    }

    /// @inheritdoc IPaymentStream
    function claim(address token, address to) external override nonReentrant returns (uint128 amount) {
        return StreamOps.claim(_store, token, to);
    }

    /*//////////////////////////////////////////////////////////////////////////
                                INTERNAL: CREATE
    //////////////////////////////////////////////////////////////////////////*/

    /// @dev Validates and stores a linear stream; returns what to pull.
    function _createLinear(Stream.CreateLinear calldata p)
        private
        returns (uint256 streamId, address token, uint256 total)
    {
        Stream.TokenConfig memory t = _checkTokenAndRecipient(p.token, p.recipient);
        if (p.deposit == 0) revert Errors.PaymentStream_ZeroAmount();
        uint32 startTime = p.startTime == 0 ? uint32(block.timestamp) : p.startTime;
        bool timesValid =
            p.cliffTime == 0 ? startTime < p.endTime : (startTime < p.cliffTime && p.cliffTime < p.endTime);
        if (!timesValid) revert Errors.PaymentStream_InvalidTimes(startTime, p.cliffTime, p.endTime);
        if (p.endTime <= block.timestamp) revert Errors.PaymentStream_EndTimeInPast(p.endTime, block.timestamp);
        if (p.cliffAmount > p.deposit || (p.cliffAmount != 0 && p.cliffTime == 0)) {
            revert Errors.PaymentStream_InvalidCliffAmount(p.cliffAmount, p.deposit);
        }
        _checkAllowance(p.unattestedAllowance, t.decimals);

        uint8 flags = p.cancelable ? Stream.FLAG_CANCELABLE : 0;
        if (p.cliffAmount != 0) flags |= Stream.FLAG_CLIFF_AMOUNT;
        if (_store.referrals[p.recipient].affiliate != address(0)) flags |= Stream.FLAG_REFERRAL;

        streamId = nextStreamId;
        // Safe: a stream id cannot reach 2^256.
        unchecked {
            nextStreamId = streamId + 1;
        }
        _store.streams[streamId] = Stream.Data({
            sender: msg.sender,
            startTime: startTime,
            terms: (uint64(p.cliffTime) << 32) | p.endTime,
            recipient: p.recipient,
            deposited: p.deposit,
            withdrawn: 0,
            sinceAttested: 0,
            unattestedAllowance: p.unattestedAllowance,
            seq: 0,
            flags: flags,
            tokenIndex: t.index
        });
        if (p.cliffAmount != 0) _store.cliffAmounts[streamId] = p.cliffAmount;
        _emitCreateLinear(streamId, startTime, p);
        if (p.referralBudget != 0) {
            _store.budgets[streamId] = p.referralBudget;
            emit FundReferralBudget(streamId, p.referralBudget);
        }
        return (streamId, p.token, uint256(p.deposit) + p.referralBudget);
    }

    function _emitCreateLinear(uint256 streamId, uint32 startTime, Stream.CreateLinear calldata p) private {
        emit CreateLinearStream(
            streamId,
            msg.sender,
            p.recipient,
            p.token,
            p.deposit,
            startTime,
            p.cliffTime,
            p.endTime,
            p.cliffAmount,
            p.cancelable,
            p.unattestedAllowance
        );
    }

    /// @dev Validates and stores an open-ended stream; returns what to pull.
    function _createOpen(Stream.CreateOpen calldata p)
        private
        returns (uint256 streamId, address token, uint256 total)
    {
        Stream.TokenConfig memory t = _checkTokenAndRecipient(p.token, p.recipient);
        if (p.ratePerSecond == 0) revert Errors.PaymentStream_ZeroRate();
        _checkAllowance(p.unattestedAllowance, t.decimals);

        uint8 flags = Stream.FLAG_OPEN | Stream.FLAG_CANCELABLE;
        if (_store.referrals[p.recipient].affiliate != address(0)) flags |= Stream.FLAG_REFERRAL;

        streamId = nextStreamId;
        // Safe: a stream id cannot reach 2^256.
        unchecked {
            nextStreamId = streamId + 1;
        }
        _store.streams[streamId] = Stream.Data({
            sender: msg.sender,
            startTime: uint32(block.timestamp),
            terms: p.ratePerSecond,
            recipient: p.recipient,
            deposited: p.deposit,
            withdrawn: 0,
            sinceAttested: 0,
            unattestedAllowance: p.unattestedAllowance,
            seq: 0,
            flags: flags,
            tokenIndex: t.index
        });
        emit CreateOpenStream(streamId, msg.sender, p.recipient, p.token, p.ratePerSecond, p.unattestedAllowance);
        if (p.deposit != 0) emit DepositStream(streamId, msg.sender, p.deposit);
        if (p.referralBudget != 0) {
            _store.budgets[streamId] = p.referralBudget;
            emit FundReferralBudget(streamId, p.referralBudget);
        }
        return (streamId, p.token, uint256(p.deposit) + p.referralBudget);
    }

    function _checkTokenAndRecipient(
        address token,
        address recipient
    )
        private
        view
        returns (Stream.TokenConfig memory t)
    {
        t = _store.tokenConfigs[token];
        if (!t.allowed) revert Errors.PaymentStream_TokenNotAllowed(token);
        if (recipient == address(0)) revert Errors.PaymentStream_ZeroAddress();
        if (recipient == address(this)) revert Errors.PaymentStream_InvalidRecipient(recipient);
    }

    function _checkAllowance(uint40 allowance, uint8 decimals) private pure {
        if (uint256(allowance) * 10 ** decimals > type(uint88).max) {
            revert Errors.PaymentStream_AllowanceTooLarge(allowance);
        }
    }

    /// @dev Adds a top-up to an open-ended stream; returns the token to pull.
    function _deposit(uint256 streamId, uint96 amount) private returns (address token) {
        Stream.Data memory m = StreamLogic.load(_store, streamId);
        if (m.flags & Stream.FLAG_OPEN == 0) revert Errors.PaymentStream_WrongShape(streamId);
        if (m.flags & Stream.FLAG_CANCELED != 0) revert Errors.PaymentStream_StreamCanceled(streamId);
        if (amount == 0) revert Errors.PaymentStream_ZeroAmount();
        uint256 deposited = uint256(m.deposited) + amount;
        if (deposited > type(uint96).max) revert Errors.PaymentStream_AmountTooLarge(deposited);
        _store.streams[streamId].deposited = uint96(deposited);
        emit DepositStream(streamId, msg.sender, amount);
        return _store.tokenTable[m.tokenIndex].token;
    }

    /// @dev Pulls `amount` from `msg.sender` by allowance and checks the contract received exactly it.
    function _pullApproved(IERC20 token, uint256 amount) private {
        uint256 balanceBefore = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), amount);
        _checkReceived(token, balanceBefore, amount);
    }

    function _checkReceived(IERC20 token, uint256 balanceBefore, uint256 amount) private view {
        uint256 received = token.balanceOf(address(this)) - balanceBefore;
        if (received != amount) {
            revert Errors.PaymentStream_TransferAmountMismatch(address(token), amount, received);
        }
    }

    /*//////////////////////////////////////////////////////////////////////////
                               INTERNAL: WITHDRAW
    //////////////////////////////////////////////////////////////////////////*/

    /// @dev Withdraws `amount` (0 = everything withdrawable). `attested` skips the allowance check, resets
    /// `sinceAttested` and consumes the attestation by incrementing `seq`.
    function _withdraw(
        uint256 streamId,
        address to,
        uint128 amount,
        bool attested
    )
        private
        returns (uint128 net)
    {
        // Checks
        Stream.Data memory m = StreamLogic.load(_store, streamId);
        if (to != m.recipient) {
            if (msg.sender != m.recipient) {
                revert Errors.PaymentStream_WithdrawToNotRecipient(streamId, msg.sender, to);
            }
            if (to == address(0)) revert Errors.PaymentStream_ZeroAddress();
        }
        if (m.flags & Stream.FLAG_FROZEN != 0) revert Errors.PaymentStream_StreamFrozen(streamId);
        Stream.TokenConfig memory t = _store.tokenTable[m.tokenIndex];
        uint128 withdrawable = StreamLogic.withdrawable(_store, streamId, m, t.decimals);
        if (amount == 0) {
            amount = withdrawable;
            if (amount == 0) revert Errors.PaymentStream_ZeroAmount();
        } else if (amount > withdrawable) {
            revert Errors.PaymentStream_Overdraw(streamId, amount, withdrawable);
        }

        // Effects
        Stream.Data storage s = _store.streams[streamId];
        if (attested) {
            s.withdrawn = m.withdrawn + uint96(amount);
            s.sinceAttested = 0;
            s.seq = m.seq + 1;
        } else {
            uint256 sinceAttested = uint256(m.sinceAttested) + amount;
            if (sinceAttested > uint256(m.unattestedAllowance) * 10 ** t.decimals) {
                revert Errors.PaymentStream_AttestationRequired(streamId, StreamLogic.subject(streamId, m.seq), sinceAttested);
            }
            s.withdrawn = m.withdrawn + uint96(amount);
            s.sinceAttested = uint88(sinceAttested);
        }
        net = amount;
        if (m.flags & Stream.FLAG_REFERRAL != 0) net = _payCommission(streamId, m.recipient, t, amount);
        emit WithdrawStream(streamId, to, amount, net);

        // Interactions
        IERC20(t.token).safeTransfer(to, net);
    }

    /// @dev Credits the affiliate's commission on `gross`; returns what the recipient receives.
    function _payCommission(
        uint256 streamId,
        address recipient,
        Stream.TokenConfig memory t,
        uint128 gross
    )
        private
        returns (uint128 net)
    {
        Stream.Referral memory r = _store.referrals[recipient];
        Stream.Plan memory plan = _store.plans[r.planId];
        Stream.Account storage account = _store.accounts[r.affiliate][t.token];
        Stream.Account memory a = account;
        uint16 bps = CommissionMath.rateBps(plan, r.referredAt, a.volume / 10 ** t.decimals, block.timestamp);
        uint128 commission = CommissionMath.commission(gross, bps);
        net = gross;
        if (plan.payer == Stream.CommissionPayer.Recipient) {
            // Safe: commission <= gross / 2.
            unchecked {
                net = gross - commission;
            }
        } else {
            uint128 budget = _store.budgets[streamId];
            if (commission > budget) commission = budget;
            if (commission != 0) {
                // Safe: commission <= budget.
                unchecked {
                    _store.budgets[streamId] = budget - commission;
                }
            }
        }
        account.credit = a.credit + commission;
        account.volume = a.volume + gross;
        emit PayCommission(streamId, r.affiliate, r.planId, gross, commission, plan.payer);
    }

    /// @dev Reverts unless the stream exists, is not frozen and can use one more attestation; returns the
    /// subject its next attestation must carry.
    function _checkAttestable(uint256 streamId) private view returns (bytes32) {
        Stream.Data memory m = StreamLogic.load(_store, streamId);
        if (m.flags & Stream.FLAG_FROZEN != 0) revert Errors.PaymentStream_StreamFrozen(streamId);
        if (m.seq == type(uint16).max) revert Errors.PaymentStream_SeqExhausted(streamId);
        return StreamLogic.subject(streamId, m.seq);
    }

    /// @dev Pull mode for `streamId`: payer = sender, payee = recipient, amount = the cap `att.amount`.
    /// Replay protection is the stream's `seq` inside the subject, so `lastIssuedAt` is 0.
    function _checkInline(
        uint256 streamId,
        bytes32 subject,
        Attestation.RiskAttestation calldata att,
        address[] calldata signerSet,
        bytes[] calldata signatures
    )
        private
        view
        returns (Attestation.Verdict memory)
    {
        Stream.Data storage s = _store.streams[streamId];
        return _inlineVerdict(
            subject, s.sender, s.recipient, _store.tokenTable[s.tokenIndex].token, att.amount, 0, att, signerSet, signatures
        );
    }

    /// @dev Applies a verdict. Returns false after freezing the stream (the caller returns 0 without
    /// reverting, so the freeze sticks); reverts on an unfinished hold or an amount above the cap.
    function _acceptVerdict(
        uint256 streamId,
        bytes32 subject,
        Attestation.Verdict memory verdict,
        uint128 amount,
        uint256 cap
    )
        private
        returns (bool)
    {
        if (verdict.decision == Attestation.Decision.Freeze) {
            StreamOps.freeze(_store, streamId, subject, verdict.score, verdict.reasons);
            return false;
        }
        if (verdict.decision == Attestation.Decision.Hold) {
            uint256 releasableAt = uint256(verdict.issuedAt) + verdict.holdWindow;
            if (block.timestamp < releasableAt) revert Errors.PaymentStream_HoldActive(streamId, releasableAt);
        } else if (verdict.decision != Attestation.Decision.Release) {
            revert Errors.PaymentStream_NoDecision(streamId);
        }
        if (amount > cap) revert Errors.PaymentStream_AmountAboveAttestedCap(streamId, amount, cap);
        emit UseAttestation(streamId, subject, verdict.decision, verdict.score, verdict.issuedAt);
        return true;
    }

}
