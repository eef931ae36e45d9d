// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import { ERC20 } from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

import { PaymentStream } from "../../contracts/PaymentStream.sol";
import { RiskOracle } from "../../contracts/RiskOracle.sol";
import { IRiskOracle } from "../../contracts/interfaces/IRiskOracle.sol";
import { CommissionMath } from "../../contracts/libraries/CommissionMath.sol";
import { Errors } from "../../contracts/libraries/Errors.sol";
import { StreamMath } from "../../contracts/libraries/StreamMath.sol";
import { Attestation } from "../../contracts/types/Attestation.sol";
import { Stream } from "../../contracts/types/Stream.sol";
import { Test } from "./utils/Test.sol";

/// @notice A plain ERC-20 with configurable decimals (6 or 18 in these tests).
contract DecimalsToken is ERC20 {
    uint8 private immutable _decimals;

    constructor(uint8 decimals_) ERC20("Decimals Token", "DEC") {
        _decimals = decimals_;
    }

    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}

/// @notice Fuzz tests of PaymentStream over times, rates, decimals (6 and 18) and amounts. The test contract
/// is the sender of every stream.
contract PaymentStreamTest is Test {
    RiskOracle internal oracle;
    PaymentStream internal stream;
    DecimalsToken internal token6;
    DecimalsToken internal token18;
    address internal recipient;
    address internal affiliate;
    address internal arbiter;
    uint256 internal signerKey;
    address[] internal signerSet;

    function setUp() public {
        vm.warp(1_700_000_000);
        recipient = makeAddr("recipient");
        affiliate = makeAddr("affiliate");
        arbiter = makeAddr("arbiter");
        address signer;
        (signer, signerKey) = makeAddrAndKey("oracle-signer");
        signerSet.push(signer);
        oracle = new RiskOracle(address(this), signerSet, 1, makeAddr("guardian"), 1 days);
        stream = new PaymentStream(IRiskOracle(address(oracle)), address(this), arbiter);
        oracle.setPolicy(
            address(stream), Attestation.Policy({ allowBelow: 3000, freezeAt: 8000, holdWindow: 3600, enabled: true })
        );
        token6 = new DecimalsToken(6);
        token18 = new DecimalsToken(18);
        stream.allowToken(address(token6));
        stream.allowToken(address(token18));
        token6.mint(address(this), type(uint96).max);
        token18.mint(address(this), type(uint96).max);
        token6.approve(address(stream), type(uint256).max);
        token18.approve(address(stream), type(uint256).max);
    }

    /*//////////////////////////////////////////////////////////////////////////
                                      HELPERS
    //////////////////////////////////////////////////////////////////////////*/

    function _token(bool eighteen) internal view returns (DecimalsToken) {
        return eighteen ? token18 : token6;
    }

    /// @dev 300M whole tokens: the largest round allowance whose units fit 88 bits at 18 decimals.
    uint40 internal constant BIG_ALLOWANCE = 3e8;

    function _linear(
        DecimalsToken token,
        uint96 deposit,
        uint32 duration,
        uint40 allowance
    )
        internal
        view
        returns (Stream.CreateLinear memory)
    {
        return Stream.CreateLinear({
            recipient: recipient,
            token: address(token),
            deposit: deposit,
            startTime: uint32(block.timestamp),
            cliffTime: 0,
            endTime: uint32(block.timestamp) + duration,
            cliffAmount: 0,
            cancelable: true,
            unattestedAllowance: allowance,
            referralBudget: 0,
            affiliate: address(0),
            planId: 0
        });
    }

    function _open(DecimalsToken token, uint64 rate, uint96 deposit) internal view returns (Stream.CreateOpen memory) {
        return Stream.CreateOpen({
            recipient: recipient,
            token: address(token),
            ratePerSecond: rate,
            deposit: deposit,
            unattestedAllowance: BIG_ALLOWANCE,
            referralBudget: 0,
            affiliate: address(0),
            planId: 0
        });
    }

    function _signed(
        uint256 streamId,
        uint256 cap,
        uint16 score
    )
        internal
        view
        returns (Attestation.RiskAttestation memory att, bytes[] memory sigs)
    {
        Stream.Amounts memory a = stream.amountsOf(streamId);
        att = Attestation.RiskAttestation({
            consumer: address(stream),
            subject: a.subject,
            payer: address(this),
            payee: recipient,
            token: a.token,
            amount: cap,
            score: score,
            reasons: 0,
            modelId: keccak256("model"),
            issuedAt: uint64(block.timestamp),
            expiresAt: uint64(block.timestamp + 600),
            nonce: keccak256(abi.encode(streamId, cap, block.timestamp))
        });
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(signerKey, oracle.hashAttestation(att));
        sigs = new bytes[](1);
        sigs[0] = abi.encodePacked(r, s, v);
    }

    /*//////////////////////////////////////////////////////////////////////////
                                     STREAM MATH
    //////////////////////////////////////////////////////////////////////////*/

    /// @dev Linear streamed amount is monotonic in time, within the deposit, exact at the end.
    function testFuzz_linearStreamed_MonotonicAndExact(
        uint96 deposit,
        uint96 cliffAmount,
        uint32 duration,
        uint32 cliffOffset,
        uint32 t1,
        uint32 t2
    )
        external
        pure
    {
        duration = uint32(bound(duration, 2, 10 * 365 days));
        cliffOffset = uint32(bound(cliffOffset, 0, duration - 1));
        cliffAmount = uint96(bound(cliffAmount, 0, cliffOffset == 0 ? 0 : deposit));
        uint32 start = 1_700_000_000;
        uint32 cliff = cliffOffset == 0 ? 0 : start + cliffOffset;
        uint32 end = start + duration;
        t1 = uint32(bound(t1, start - 100, end + 100));
        t2 = uint32(bound(t2, t1, end + 200));
        uint128 s1 = StreamMath.linearStreamed(deposit, cliffAmount, start, cliff, end, t1);
        uint128 s2 = StreamMath.linearStreamed(deposit, cliffAmount, start, cliff, end, t2);
        assertLe(s1, s2, "streamed decreased");
        assertLe(s2, deposit, "streamed above deposit");
        assertEq(StreamMath.linearStreamed(deposit, cliffAmount, start, cliff, end, end), deposit, "not exact at end");
    }

    /// @dev A rate rounded up pays at least the amount per period, and less than one unit more.
    function testFuzz_ratePerSecond_PeriodExact(uint64 amountSeed, uint32 period, bool eighteen) external pure {
        uint8 decimals = eighteen ? 18 : 6;
        period = uint32(bound(period, 1, 365 days));
        uint256 amount = bound(amountSeed, 1, 1e9 * 10 ** decimals);
        uint256 rate = StreamMath.ratePerSecond(amount, decimals, period);
        vm.assume(rate <= type(uint64).max);
        uint256 paid = StreamMath.openStreamedScaled(0, uint64(rate), 0, period) / StreamMath.scaleOf(decimals);
        if (eighteen) assertGe(paid, amount, "under-paid");
        else assertEq(paid, amount, "6-decimal period not exact");
        assertLe(paid, amount + period / StreamMath.scaleOf(decimals) + 1, "over-paid");
    }

    /// @dev 1,000,000 withdrawals at 6 decimals: the sum of floor(cumulative) differences equals the total.
    function test_Rounding_6Decimals_1MWithdrawals() external pure {
        uint64 rate = uint64(uint256(1e6 * 1e12) / 7); // 1 USDC per 7 s, never an integer in 6 decimals
        uint256 scale = StreamMath.scaleOf(6);
        uint256 withdrawn;
        for (uint256 t = 1; t <= 1_000_000; ++t) {
            uint256 streamed = StreamMath.openStreamedScaled(0, rate, 0, t) / scale;
            withdrawn += streamed - withdrawn; // what withdrawMax pays at second t
        }
        assertEq(withdrawn, uint256(rate) * 1_000_000 / scale, "sum of withdrawals drifted");
    }

    /// @dev commission + net == gross for a broker fee, and the rate never exceeds 50%.
    function testFuzz_commission_Capped(uint128 gross, uint16 bps) external pure {
        bps = uint16(bound(bps, 0, CommissionMath.MAX_COMMISSION_BPS));
        uint128 c = CommissionMath.commission(gross, bps);
        assertLe(c, gross / 2 + 1, "commission above cap");
        assertEq(uint256(c) + (gross - c), gross, "net + commission != gross");
    }

    /*//////////////////////////////////////////////////////////////////////////
                                     CONTRACT
    //////////////////////////////////////////////////////////////////////////*/

    /// @dev Linear streams at 6 and 18 decimals: withdrawn in two steps, the recipient gets exactly the deposit.
    function testFuzz_withdraw_LinearPaysDeposit(uint96 deposit, uint32 duration, uint32 mid, bool eighteen) external {
        DecimalsToken token = _token(eighteen);
        deposit = uint96(bound(deposit, 1, uint256(BIG_ALLOWANCE) * 10 ** token.decimals()));
        duration = uint32(bound(duration, 1, 5 * 365 days));
        uint256 id = stream.createLinear(_linear(token, deposit, duration, BIG_ALLOWANCE));
        mid = uint32(bound(mid, 0, duration));
        vm.warp(block.timestamp + mid);
        uint128 w1 = stream.amountsOf(id).withdrawable;
        if (w1 > 0) stream.withdrawMax(id, recipient);
        vm.warp(block.timestamp + duration);
        if (stream.amountsOf(id).withdrawable > 0) stream.withdrawMax(id, recipient);
        assertEq(token.balanceOf(recipient), deposit, "recipient not paid the deposit");
        assertEq(stream.getStream(id).withdrawn, deposit, "withdrawn != deposit");
    }

    /// @dev Cancel at any time splits exactly: refund + recipient share == deposit.
    function testFuzz_cancel_SplitsExactly(uint96 deposit, uint32 duration, uint32 at, bool eighteen) external {
        DecimalsToken token = _token(eighteen);
        deposit = uint96(bound(deposit, 1, type(uint96).max / 2));
        duration = uint32(bound(duration, 1, 5 * 365 days));
        uint256 id = stream.createLinear(_linear(token, deposit, duration, BIG_ALLOWANCE));
        at = uint32(bound(at, 0, duration - 1));
        vm.warp(block.timestamp + at);
        uint256 before = token.balanceOf(address(this));
        uint128 streamed = stream.amountsOf(id).streamed;
        stream.cancel(id);
        assertEq(token.balanceOf(address(this)) - before + streamed, deposit, "split does not add up");
        assertEq(stream.amountsOf(id).withdrawable, streamed, "recipient share not withdrawable");
    }

    /// @dev Open-ended streams at 6 and 18 decimals: streamed = floor(rate * elapsed / scale), covered by balance.
    function testFuzz_open_StreamedAndDebt(uint64 rate, uint96 deposit, uint32 elapsed, bool eighteen) external {
        DecimalsToken token = _token(eighteen);
        rate = uint64(bound(rate, 1, type(uint64).max));
        deposit = uint96(bound(deposit, 0, type(uint96).max / 2));
        elapsed = uint32(bound(elapsed, 0, 10 * 365 days));
        uint256 id = stream.createOpen(_open(token, rate, deposit));
        vm.warp(block.timestamp + elapsed);
        uint256 expected = uint256(rate) * elapsed / StreamMath.scaleOf(token.decimals());
        Stream.Amounts memory a = stream.amountsOf(id);
        assertEq(a.streamed, expected, "streamed");
        assertEq(a.withdrawable, expected < deposit ? expected : deposit, "withdrawable");
        assertEq(a.debt, expected > deposit ? expected - deposit : 0, "debt");
        assertEq(a.refundable, expected < deposit ? deposit - expected : 0, "refundable");
    }

    /// @dev The allowance must fit the 88-bit counter in token units: fine at 6 decimals, too large at 18.
    function test_RevertWhen_AllowanceTooLargeFor18Decimals() external {
        Stream.CreateLinear memory p = _linear(token18, 1e18, 100, type(uint40).max);
        vm.expectRevert(abi.encodeWithSelector(Errors.PaymentStream_AllowanceTooLarge.selector, type(uint40).max));
        stream.createLinear(p);
        stream.createLinear(_linear(token6, 1e6, 100, type(uint40).max));
    }

    /// @dev An attested withdrawal consumes the attestation: replaying it always fails.
    function testFuzz_attestation_UsedOnce(uint96 cap, uint32 elapsed) external {
        uint256 id = stream.createLinear(_linear(token6, 1_000e6, 1000, 0));
        elapsed = uint32(bound(elapsed, 1, 1000));
        vm.warp(block.timestamp + elapsed);
        uint128 withdrawable = stream.amountsOf(id).withdrawable;
        cap = uint96(bound(cap, withdrawable, type(uint96).max));
        (Attestation.RiskAttestation memory att, bytes[] memory sigs) = _signed(id, cap, 0);
        vm.prank(recipient);
        stream.withdrawWithAttestation(id, recipient, withdrawable, att, signerSet, sigs);
        vm.warp(block.timestamp + 1);
        bytes32 next = stream.subjectOf(id);
        vm.prank(recipient);
        vm.expectRevert(abi.encodeWithSelector(Errors.RiskGated_AttestationMismatch.selector, next));
        stream.withdrawWithAttestation(id, recipient, 1, att, signerSet, sigs);
    }

    function test_RevertWhen_TokenDecimalsAbove18() external {
        DecimalsToken t19 = new DecimalsToken(19);
        vm.expectRevert(abi.encodeWithSelector(Errors.PaymentStream_TokenDecimalsTooHigh.selector, address(t19), 19));
        stream.allowToken(address(t19));
    }

    /// @dev Gate rule G8: after 65,535 attestations the seq saturates (the last subject is reused, replays stay
    /// refused by G7) and the sender or the arbiter may cancel even a non-cancelable stream: no balance is stuck.
    function test_GivenSeqExhausted_SeqSaturatesAndCancelIsOpen() external {
        Stream.CreateLinear memory p = _linear(token6, 1_000e6, 1000, 10);
        p.cancelable = false;
        uint256 id = stream.createLinear(p);
        // Storage: _owner (0), _pendingOwner (1), arbiter (2), nextStreamId (3), nextPlanId|_tokenCount (4),
        // _store.streams (5); the stream's slot 2 holds seq at bits 224..239.
        bytes32 slot = bytes32(uint256(keccak256(abi.encode(id, uint256(5)))) + 2);
        uint256 word = uint256(vm.load(address(stream), slot));
        vm.store(address(stream), slot, bytes32(word | (uint256(type(uint16).max) << 224)));
        assertEq(stream.getStream(id).seq, type(uint16).max, "seq not set");
        vm.warp(block.timestamp + 10);
        (Attestation.RiskAttestation memory att, bytes[] memory sigs) = _signed(id, 1e6, 0);
        vm.prank(recipient);
        stream.withdrawWithAttestation(id, recipient, 1e6, att, signerSet, sigs);
        assertEq(stream.getStream(id).seq, type(uint16).max, "seq saturates");
        // The same verdict cannot be replayed on the reused subject.
        vm.prank(recipient);
        vm.expectRevert(
            abi.encodeWithSelector(Errors.RiskGated_StaleVerdict.selector, att.subject, att.issuedAt, att.issuedAt)
        );
        stream.withdrawWithAttestation(id, recipient, 1e6, att, signerSet, sigs);
        // The non-cancelable stream can be canceled now; what streamed stays withdrawable.
        stream.cancel(id);
        assertTrue(stream.getStream(id).flags & Stream.FLAG_CANCELED != 0, "canceled");
        stream.withdraw(id, recipient, 1e6);
    }

    /// @dev The subject encoding: (streamId << 64) | seq.
    function testFuzz_subject_Encoding(uint8 n) external {
        n = uint8(bound(n, 1, 5));
        uint256 id;
        for (uint256 i; i < n; ++i) {
            id = stream.createLinear(_linear(token6, 1e6, 100, 1));
        }
        assertEq(stream.subjectOf(id), bytes32(uint256(id) << 64), "subject");
    }
}
