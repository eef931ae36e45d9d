// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import { Ownable, Ownable2Step } from "@openzeppelin/contracts/access/Ownable2Step.sol";
import { IERC20 } from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import { SafeERC20 } from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import { ReentrancyGuardTransient } from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import { RiskGatedConsumer } from "./abstracts/RiskGatedConsumer.sol";
import { IPaymentStream } from "./interfaces/IPaymentStream.sol";
import { IRiskOracle } from "./interfaces/IRiskOracle.sol";
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
    uint256 public constant override ARBITRATION_TIMEOUT = 30 days;

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
    function gateOf(uint256 streamId) external view override returns (Stream.Gate memory) {
        return _store.gates[streamId];
    }

    /// @inheritdoc IPaymentStream
    function isOperator(address recipient, address operator) external view override returns (bool) {
        return _store.operators[recipient][operator];
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

    /// @notice Gate rule G11: ownership cannot be renounced; it moves only by the two-step transfer.
    function renounceOwnership() public pure override {
        revert Errors.PaymentStream_RenounceDisabled();
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
        return _withdraw(streamId, to, amount, 0);
    }

    /// @inheritdoc IPaymentStream
    function withdrawMax(uint256 streamId, address to) external override nonReentrant returns (uint128 net) {
        return _withdraw(streamId, to, 0, 0);
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
        (bytes32 subject, uint64 lastIssuedAt) = _checkAttestable(streamId);
        Stream.Data storage s = _store.streams[streamId];
        // Gate rules G2.2/G7: only a verdict newer than the last one the stream applied.
        Attestation.Verdict memory verdict =
            _postedVerdict(subject, s.sender, s.recipient, _store.tokenTable[s.tokenIndex].token, cap, lastIssuedAt);
        if (!_acceptVerdict(streamId, subject, verdict, amount, cap)) return 0;
        return _withdraw(streamId, to, amount, verdict.issuedAt);
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
        (bytes32 subject, uint64 lastIssuedAt) = _checkAttestable(streamId);
        Attestation.Verdict memory verdict = _checkInline(streamId, subject, lastIssuedAt, att, signerSet, signatures);
        if (!_acceptVerdict(streamId, subject, verdict, amount, att.amount)) return 0;
        return _withdraw(streamId, to, amount, verdict.issuedAt);
    }

    /// @inheritdoc IPaymentStream
    function finalizeHold(
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
        return _withdraw(streamId, to, amount, StreamOps.checkFinalize(_store, streamId, amount, RISK_ORACLE));
    }

    /// @inheritdoc IPaymentStream
    function disputeHold(uint256 streamId) external override {
        StreamOps.disputeHold(_store, streamId);
    }

    /// @inheritdoc IPaymentStream
    function setOperator(address operator, bool approved) external override {
        StreamOps.setOperator(_store, operator, approved);
    }

    /// @inheritdoc IPaymentStream
    function withdrawMultiple(uint256[] calldata streamIds) external override returns (uint256 count) {
        return StreamOps.withdrawMultiple(_store, streamIds);
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

        streamId = nextStreamId;
        flags |= _bindCommissions(streamId, p.recipient, p.token, p.affiliate, p.planId, p.referralBudget);
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

        streamId = nextStreamId;
        uint8 flags = Stream.FLAG_OPEN | Stream.FLAG_CANCELABLE
            | _bindCommissions(streamId, p.recipient, p.token, p.affiliate, p.planId, p.referralBudget);
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
        // Gate rule G6.1: the arbiter is never a party.
        address arbiter_ = arbiter;
        if (msg.sender == arbiter_ || recipient == arbiter_) revert Errors.PaymentStream_ArbiterIsParty(arbiter_);
    }

    /// @dev Binds the stream's commissions at creation (gate rule G10): the recipient's broker (recipient-paid)
    /// and the affiliate the sender names (sender-paid, from the budget), each at the rate fixed now. Returns
    /// the commission flags.
    function _bindCommissions(
        uint256 streamId,
        address recipient,
        address token,
        address affiliate,
        uint32 planId,
        uint96 budget
    )
        private
        returns (uint8)
    {
        if (affiliate == address(0)) {
            if (planId != 0 || budget != 0) revert Errors.PaymentStream_InvalidAffiliate(address(0));
            if (_store.referrals[recipient].affiliate == address(0)) return 0;
        }
        return StreamOps.bindCommissions(_store, streamId, recipient, token, affiliate, planId, nextPlanId);
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

    /// @dev Withdraws `amount` (0 = everything withdrawable). `attestedAt` != 0: an attested withdrawal under the
    /// verdict issued then; it skips the allowance check, resets `sinceAttested`, consumes the subject (`seq + 1`,
    /// saturating at 65,535) and records the verdict as the stream's last applied one (clearing any hold).
    function _withdraw(
        uint256 streamId,
        address to,
        uint128 amount,
        uint64 attestedAt
    )
        private
        returns (uint128 net)
    {
        // Checks
        Stream.Data memory m = StreamLogic.load(_store, streamId);
        Stream.TokenConfig memory t = _store.tokenTable[m.tokenIndex];
        if (to != m.recipient) {
            if (msg.sender != m.recipient) {
                revert Errors.PaymentStream_WithdrawToNotRecipient(streamId, msg.sender, to);
            }
            if (to == address(0)) revert Errors.PaymentStream_ZeroAddress();
            // Gate rule G9: no redirect while the token refuses the recipient itself (e.g. blacklisted).
            if (!IERC20(t.token).trySafeTransfer(m.recipient, 0)) {
                revert Errors.PaymentStream_AccountBlocked(m.recipient, t.token);
            }
        }
        if (m.flags & Stream.FLAG_FROZEN != 0) revert Errors.PaymentStream_StreamFrozen(streamId);
        uint128 withdrawable = StreamLogic.withdrawable(_store, streamId, m, t.decimals);
        if (amount == 0) {
            amount = withdrawable;
            if (amount == 0) revert Errors.PaymentStream_ZeroAmount();
        } else if (amount > withdrawable) {
            revert Errors.PaymentStream_Overdraw(streamId, amount, withdrawable);
        }

        // Effects
        Stream.Data storage s = _store.streams[streamId];
        if (attestedAt != 0) {
            s.withdrawn = m.withdrawn + uint96(amount);
            s.sinceAttested = 0;
            // Gate rule G8: the seq saturates instead of locking the stream; replays stay refused by G7.
            if (m.seq != type(uint16).max) s.seq = m.seq + 1;
            // Gate rule G7: the verdict is the stream's last applied one; any hold of the seq ends.
            _store.gates[streamId] = Stream.Gate({
                lastIssuedAt: attestedAt, holdUntil: 0, holdEpoch: 0, holdScore: 0, holdCap: 0
            });
        } else {
            uint256 sinceAttested = uint256(m.sinceAttested) + amount;
            if (sinceAttested > uint256(m.unattestedAllowance) * 10 ** t.decimals) {
                revert Errors.PaymentStream_AttestationRequired(streamId, StreamLogic.subject(streamId, m.seq), sinceAttested);
            }
            s.withdrawn = m.withdrawn + uint96(amount);
            s.sinceAttested = uint88(sinceAttested);
        }
        net = amount;
        if (m.flags & (Stream.FLAG_REFERRAL | Stream.FLAG_SENDER_REFERRAL) != 0) {
            net = StreamOps.payCommission(_store, streamId, m.recipient, t, m.flags, amount);
        }
        emit WithdrawStream(streamId, to, amount, net);

        // Interactions
        IERC20(t.token).safeTransfer(to, net);
    }

    /// @dev Reverts unless the stream exists and is not frozen; returns the subject its next verdict must carry
    /// and the `issuedAt` of the last verdict it applied.
    function _checkAttestable(uint256 streamId) private view returns (bytes32, uint64) {
        Stream.Data memory m = StreamLogic.load(_store, streamId);
        if (m.flags & Stream.FLAG_FROZEN != 0) revert Errors.PaymentStream_StreamFrozen(streamId);
        return (StreamLogic.subject(streamId, m.seq), _store.gates[streamId].lastIssuedAt);
    }

    /// @dev Gate rule G5: only the recipient or an operator it approved may present a Release or a Hold.
    function _checkPresenter(uint256 streamId, address recipient) private view {
        if (msg.sender != recipient && !_store.operators[recipient][msg.sender]) {
            revert Errors.PaymentStream_CallerNotRecipientOrOperator(streamId, msg.sender);
        }
    }

    /// @dev Pull mode for `streamId`: payer = sender, payee = recipient, amount = the cap `att.amount`, and
    /// `issuedAt` newer than the last verdict the stream applied (gate rules G2.2/G7).
    function _checkInline(
        uint256 streamId,
        bytes32 subject,
        uint64 lastIssuedAt,
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
            subject,
            s.sender,
            s.recipient,
            _store.tokenTable[s.tokenIndex].token,
            att.amount,
            lastIssuedAt,
            att,
            signerSet,
            signatures
        );
    }

    /// @dev Applies a verdict. Returns false after freezing the stream or recording a hold (the caller returns 0
    /// without reverting, so the record sticks); reverts for a caller that may not present a Release or Hold,
    /// or an amount above the cap.
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
        // Gate rule G5: a Freeze may be presented by anyone, it only stops money.
        if (verdict.decision == Attestation.Decision.Freeze) {
            StreamOps.freeze(_store, streamId, subject, verdict.score, verdict.reasons, verdict.issuedAt);
            return false;
        }
        _checkPresenter(streamId, _store.streams[streamId].recipient);
        if (verdict.decision == Attestation.Decision.Hold) {
            // Gate rule G4.1: a Hold is recorded when first presented; nothing moves until its window ends.
            StreamOps.recordHold(_store, streamId, subject, verdict, cap, RISK_ORACLE);
            return false;
        }
        if (verdict.decision != Attestation.Decision.Release) revert Errors.PaymentStream_NoDecision(streamId);
        if (amount > cap) revert Errors.PaymentStream_AmountAboveAttestedCap(streamId, amount, cap);
        emit UseAttestation(streamId, subject, verdict.decision, verdict.score, verdict.issuedAt);
        return true;
    }
}
