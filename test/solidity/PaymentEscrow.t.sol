// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import { PaymentEscrow } from "../../contracts/PaymentEscrow.sol";
import { RiskOracle } from "../../contracts/RiskOracle.sol";
import { IRiskOracle } from "../../contracts/interfaces/IRiskOracle.sol";
import { Errors } from "../../contracts/libraries/Errors.sol";
import { MockUSDC } from "../../contracts/mocks/MockUSDC.sol";
import { Attestation } from "../../contracts/types/Attestation.sol";
import { Escrow } from "../../contracts/types/Escrow.sol";
import { Test } from "./utils/Test.sol";

/// @notice Fuzz tests of the PaymentEscrow against the real RiskOracle and MockUSDC.
contract PaymentEscrowTest is Test {
    RiskOracle internal oracle;
    PaymentEscrow internal escrow;
    MockUSDC internal usdc;
    address[] internal signerSet;
    uint256 internal signerKey;
    address internal payer;
    address internal payee;
    address internal arbiter;
    address internal referrer;
    address internal feeRecipient;
    mapping(uint256 escrowId => Escrow.Terms terms) internal termsOf;

    function setUp() public {
        vm.warp(1_700_000_000);
        address signer;
        (signer, signerKey) = makeAddrAndKey("escrow-fuzz-signer");
        signerSet.push(signer);
        oracle = new RiskOracle(address(this), signerSet, 1, address(this), 1 days);
        usdc = new MockUSDC(address(this));
        feeRecipient = makeAddr("fee-recipient");
        escrow = new PaymentEscrow(address(this), IRiskOracle(address(oracle)), feeRecipient);
        oracle.setPolicy(
            address(escrow), Attestation.Policy({ allowBelow: 3000, freezeAt: 8000, holdWindow: 3600, enabled: true })
        );
        escrow.setTokenAllowed(address(usdc), true);
        payer = makeAddr("payer");
        payee = makeAddr("payee");
        arbiter = makeAddr("arbiter");
        referrer = makeAddr("referrer");
        // Gate rule G10: the payee approves the referrer it pays.
        vm.prank(payee);
        escrow.approveReferrer(referrer, true);
        usdc.mint(payer, type(uint128).max);
        vm.prank(payer);
        usdc.approve(address(escrow), type(uint256).max);
    }

    /*//////////////////////////////////////////////////////////////////////////
                                      HELPERS
    //////////////////////////////////////////////////////////////////////////*/

    /// @dev Creates an escrow and remembers its terms (as a client rebuilds them from `CreateEscrow`).
    function _create(uint96[] memory amounts, address ref) internal returns (uint256 id) {
        uint40 deadline = uint40(block.timestamp + 7 days);
        vm.prank(payer);
        id = escrow.createEscrow(
            Escrow.CreateParams({
                payee: payee, token: address(usdc), amounts: amounts, deadline: deadline, arbiter: arbiter, referrer: ref
            })
        );
        termsOf[id] = Escrow.Terms({
            payer: payer,
            payee: payee,
            token: address(usdc),
            arbiter: arbiter,
            referrer: ref,
            deadline: deadline,
            feeBps: escrow.feeBps(),
            referralBps: ref == address(0) ? 0 : escrow.referralBps(),
            amounts: amounts
        });
    }

    function _one(uint96 amount) internal pure returns (uint96[] memory amounts) {
        amounts = new uint96[](1);
        amounts[0] = amount;
    }

    function _att(uint256 id, uint256 index, uint16 score) internal view returns (Attestation.RiskAttestation memory) {
        return Attestation.RiskAttestation({
            consumer: address(escrow),
            subject: bytes32((id << 16) | index),
            payer: payer,
            payee: payee,
            token: address(usdc),
            amount: termsOf[id].amounts[index],
            score: score,
            reasons: 0,
            modelId: keccak256("model"),
            issuedAt: uint64(block.timestamp),
            expiresAt: uint64(block.timestamp + 600),
            nonce: keccak256(abi.encode(id, index, score, block.timestamp))
        });
    }

    function _sigs(Attestation.RiskAttestation memory att) internal view returns (bytes[] memory sigs) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(signerKey, oracle.hashAttestation(att));
        sigs = new bytes[](1);
        sigs[0] = abi.encodePacked(r, s, v);
    }

    function _release(uint256 id, uint256 index, Attestation.RiskAttestation memory att) internal {
        escrow.releaseWithAttestation(termsOf[id], id, index, att, signerSet, _sigs(att));
    }

    /*//////////////////////////////////////////////////////////////////////////
                                       TESTS
    //////////////////////////////////////////////////////////////////////////*/

    function testFuzz_subjectOf_Encoding(uint64 id, uint16 index) external view {
        bytes32 subject = escrow.subjectOf(id, index);
        assertEq(subject, bytes32((uint256(id) << 16) | index), "encoding");
        assertEq(uint256(subject) >> 16, id, "decoded id");
        assertEq(uint256(subject) & 0xffff, index, "decoded index");
    }

    function testFuzz_createEscrow_PullsExactlyTheTotal(uint256 seed, uint256 countSeed) external {
        uint256 count = bound(countSeed, 1, 32);
        uint96[] memory amounts = new uint96[](count);
        uint256 total;
        for (uint256 i; i < count; ++i) {
            amounts[i] = uint96(bound(uint256(keccak256(abi.encode(seed, i))), 1, 1e24));
            total += amounts[i];
        }
        uint256 before = usdc.balanceOf(payer);
        uint256 id = _create(amounts, address(0));
        assertEq(usdc.balanceOf(address(escrow)), total, "escrow balance");
        assertEq(before - usdc.balanceOf(payer), total, "payer debit");
        assertEq(escrow.hashTerms(termsOf[id]), keccak256(abi.encode(termsOf[id])), "hashTerms");
        for (uint256 i; i < count; ++i) {
            assertEq(uint8(escrow.getMilestone(termsOf[id], id, i).status), uint8(Escrow.Status.Pending), "pending");
        }
        assertEq(uint8(escrow.getMilestone(termsOf[id], id, count).status), uint8(Escrow.Status.None), "none past count");
    }

    /// @dev `hashTerms` is exactly `keccak256(abi.encode(terms))` for any terms.
    function testFuzz_hashTerms_IsAbiEncodeHash(
        address[5] calldata addrs,
        uint40 deadline,
        uint16 fee,
        uint16 ref,
        uint96[] calldata amounts
    )
        external
        view
    {
        Escrow.Terms memory t = Escrow.Terms({
            payer: addrs[0],
            payee: addrs[1],
            token: addrs[2],
            arbiter: addrs[3],
            referrer: addrs[4],
            deadline: deadline,
            feeBps: fee,
            referralBps: ref,
            amounts: amounts
        });
        assertEq(escrow.hashTerms(t), keccak256(abi.encode(t)), "hash");
    }

    /// @dev Changing any field of the terms (or the milestone list) makes every call revert TermsMismatch.
    function testFuzz_release_RevertWhen_TermsFieldChanged(uint8 field, uint256 delta) external {
        delta = bound(delta, 1, type(uint16).max);
        uint96[] memory amounts = new uint96[](2);
        amounts[0] = 1e6;
        amounts[1] = 2e6;
        uint256 id = _create(amounts, referrer);
        Attestation.RiskAttestation memory att = _att(id, 0, 0);
        bytes[] memory sigs = _sigs(att);
        Escrow.Terms memory t = termsOf[id];
        field = uint8(bound(field, 0, 9));
        if (field == 0) t.payer = address(uint160(t.payer) ^ uint160(delta));
        else if (field == 1) t.payee = address(uint160(t.payee) ^ uint160(delta));
        else if (field == 2) t.token = address(uint160(t.token) ^ uint160(delta));
        else if (field == 3) t.arbiter = address(uint160(t.arbiter) ^ uint160(delta));
        else if (field == 4) t.referrer = address(uint160(t.referrer) ^ uint160(delta));
        else if (field == 5) t.deadline = t.deadline + uint40(delta);
        else if (field == 6) t.feeBps = t.feeBps ^ uint16(delta);
        else if (field == 7) t.referralBps = t.referralBps ^ uint16(delta);
        else if (field == 8) t.amounts[1] = t.amounts[1] + uint96(delta);
        else t.amounts = _one(1e6);
        assertEq(uint8(escrow.getMilestone(t, id, 0).status), uint8(Escrow.Status.None), "no milestone under t");
        vm.expectRevert(abi.encodeWithSelector(Errors.PaymentEscrow_TermsMismatch.selector, id));
        escrow.releaseWithAttestation(t, id, 0, att, signerSet, sigs);
        vm.expectRevert(abi.encodeWithSelector(Errors.PaymentEscrow_TermsMismatch.selector, id));
        escrow.refund(t, id);
        // Past the deadline too: refund finds no milestone under `t` before it looks at the deadline.
        vm.warp(uint256(termsOf[id].deadline) + 30 days);
        vm.expectRevert(abi.encodeWithSelector(Errors.PaymentEscrow_TermsMismatch.selector, id));
        escrow.refund(t, id);
        assertEq(usdc.balanceOf(address(escrow)), 3e6, "nothing moved");
    }

    /// @dev With the escrow's own terms, an id the counter never gave out (0, not yet created, or >= 2^64, which
    /// would alias a real subject once shifted) is `EscrowNotFound` on every call, and reads None.
    function testFuzz_RevertWhen_EscrowIdNeverCreated(uint256 badId) external {
        uint256 id = _create(_one(1e6), address(0));
        Escrow.Terms memory t = termsOf[id];
        uint256 pick = badId % 3;
        if (pick == 0) badId = 0;
        else if (pick == 1) badId = bound(badId, id + 1, type(uint64).max);
        else badId = bound(badId, uint256(type(uint64).max) + 1, type(uint256).max);
        assertEq(uint8(escrow.getMilestone(t, badId, 0).status), uint8(Escrow.Status.None), "none");
        vm.prank(payer);
        vm.expectRevert(abi.encodeWithSelector(Errors.PaymentEscrow_EscrowNotFound.selector, badId));
        escrow.dispute(t, badId, 0);
        vm.warp(t.deadline);
        vm.expectRevert(abi.encodeWithSelector(Errors.PaymentEscrow_EscrowNotFound.selector, badId));
        escrow.refund(t, badId);
        // The real escrow is untouched and still refundable.
        escrow.refund(t, id);
        assertEq(usdc.balanceOf(address(escrow)), 0, "refunded");
    }

    /// @dev Payee + referrer + protocol fees add up to the milestone exactly, for any amount and rates.
    function testFuzz_release_FeeSplitConservesAmount(uint96 amount, uint16 feeBps, uint16 refBps) external {
        amount = uint96(bound(amount, 1, type(uint96).max));
        feeBps = uint16(bound(feeBps, 0, 500));
        refBps = uint16(bound(refBps, 0, 500));
        escrow.setFee(feeBps);
        escrow.setReferralBps(refBps);
        uint256 id = _create(_one(amount), referrer);
        assertEq(termsOf[id].feeBps, feeBps, "fee snapshot");
        assertEq(termsOf[id].referralBps, refBps, "referral snapshot");
        _release(id, 0, _att(id, 0, 0));
        uint256 fee = uint256(amount) * feeBps / 10_000;
        uint256 commission = uint256(amount) * refBps / 10_000;
        assertEq(escrow.accruedFees(address(usdc)), fee, "fee");
        assertEq(usdc.balanceOf(referrer), commission, "commission");
        assertEq(usdc.balanceOf(payee), amount - fee - commission, "payee");
        assertEq(usdc.balanceOf(address(escrow)), fee, "escrow keeps the fee only");
    }

    /// @dev The score decides: < 3000 release, < 8000 hold, else freeze (DEFAULT policy).
    function testFuzz_release_DecisionFollowsScore(uint16 score) external {
        score = uint16(bound(score, 0, 10_000));
        uint256 id = _create(_one(1e6), address(0));
        _release(id, 0, _att(id, 0, score));
        Escrow.Status status = escrow.getMilestone(termsOf[id], id, 0).status;
        if (score < 3000) assertEq(uint8(status), uint8(Escrow.Status.Released), "release");
        else if (score < 8000) assertEq(uint8(status), uint8(Escrow.Status.Held), "hold");
        else assertEq(uint8(status), uint8(Escrow.Status.Frozen), "freeze");
    }

    /// @dev After a verdict at time t, any attestation issued at or before t is stale.
    function testFuzz_release_RevertWhen_NotNewerThanLastVerdict(uint64 back) external {
        uint256 id = _create(_one(1e6), address(0));
        _release(id, 0, _att(id, 0, 5000)); // Held
        uint64 last = escrow.getMilestone(termsOf[id], id, 0).lastIssuedAt;
        vm.warp(block.timestamp + 100);
        back = uint64(bound(back, 0, 500));
        Attestation.RiskAttestation memory att = _att(id, 0, 0);
        att.issuedAt = last - back;
        att.expiresAt = att.issuedAt + 700;
        bytes[] memory sigs = _sigs(att);
        vm.expectRevert(abi.encodeWithSelector(Errors.RiskGated_StaleVerdict.selector, att.subject, att.issuedAt, last));
        escrow.releaseWithAttestation(termsOf[id], id, 0, att, signerSet, sigs);
    }

    /// @dev Changing any bound field of a valid attestation makes it unusable for the milestone.
    function testFuzz_release_RevertWhen_AttestationFieldChanged(uint8 field, uint256 delta) external {
        delta = bound(delta, 1, type(uint64).max);
        uint96[] memory amounts = new uint96[](2);
        amounts[0] = 1e6;
        amounts[1] = 2e6;
        uint256 id = _create(amounts, address(0));
        Attestation.RiskAttestation memory att = _att(id, 0, 0);
        field = uint8(bound(field, 0, 4));
        if (field == 0) att.subject = bytes32(uint256(att.subject) + delta);
        else if (field == 1) att.payer = address(uint160(att.payer) ^ uint160(delta));
        else if (field == 2) att.payee = address(uint160(att.payee) ^ uint160(delta));
        else if (field == 3) att.token = address(uint160(att.token) ^ uint160(delta));
        else att.amount = att.amount + delta;
        bytes[] memory sigs = _sigs(att);
        vm.expectRevert(abi.encodeWithSelector(Errors.RiskGated_AttestationMismatch.selector, escrow.subjectOf(id, 0)));
        escrow.releaseWithAttestation(termsOf[id], id, 0, att, signerSet, sigs);
    }

    /// @dev Any valid split of a disputed milestone pays both sides exactly and empties the escrow.
    function testFuzz_resolve_AnySplit(uint96 amount, uint256 share) external {
        amount = uint96(bound(amount, 1, type(uint96).max));
        share = bound(share, 0, amount);
        uint256 id = _create(_one(amount), address(0));
        vm.prank(payee);
        escrow.dispute(termsOf[id], id, 0);
        uint256 payerBefore = usdc.balanceOf(payer);
        vm.prank(arbiter);
        escrow.resolve(termsOf[id], id, 0, share, amount - share);
        assertEq(usdc.balanceOf(payee), share, "payee share");
        assertEq(usdc.balanceOf(payer) - payerBefore, amount - share, "payer share");
        assertEq(usdc.balanceOf(address(escrow)), 0, "empty");
    }

    /// @dev Refund opens exactly at the deadline and returns everything unreleased.
    function testFuzz_refund_OpensAtDeadline(uint256 wait, uint96 a, uint96 b) external {
        a = uint96(bound(a, 1, 1e30));
        b = uint96(bound(b, 1, 1e30));
        uint96[] memory amounts = new uint96[](2);
        amounts[0] = a;
        amounts[1] = b;
        uint256 id = _create(amounts, address(0));
        _release(id, 0, _att(id, 0, 0));
        uint40 deadline = termsOf[id].deadline;
        wait = bound(wait, 0, 30 days);
        vm.warp(block.timestamp + wait);
        if (block.timestamp < deadline) {
            vm.expectRevert(abi.encodeWithSelector(Errors.PaymentEscrow_DeadlineNotPassed.selector, id, deadline));
            escrow.refund(termsOf[id], id);
        } else {
            uint256 before = usdc.balanceOf(payer);
            escrow.refund(termsOf[id], id);
            assertEq(usdc.balanceOf(payer) - before, b, "refund");
            assertEq(usdc.balanceOf(address(escrow)), 0, "empty");
        }
    }
}
