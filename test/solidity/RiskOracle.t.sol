// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import { RiskOracle } from "../../contracts/RiskOracle.sol";
import { AttestationHash } from "../../contracts/libraries/AttestationHash.sol";
import { Errors } from "../../contracts/libraries/Errors.sol";
import { Attestation } from "../../contracts/types/Attestation.sol";
import { Test } from "./utils/Test.sol";

/// @notice Fuzz tests of the RiskOracle. The test contract is itself the consumer (`att.consumer = this`).
contract RiskOracleTest is Test {
    uint256 internal constant N = 5;
    uint256 internal constant HALF_ORDER = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;
    uint256 internal constant ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141;

    RiskOracle internal oracle;
    address[] internal signerSet;
    uint256[] internal keys;
    address internal guardian;

    function setUp() public {
        guardian = makeAddr("guardian");
        // 5 signers sorted ascending by address (insertion sort, keys alongside).
        for (uint256 i; i < N; ++i) {
            (address a, uint256 k) = makeAddrAndKey(string(abi.encodePacked("signer", i)));
            signerSet.push(a);
            keys.push(k);
            for (uint256 j = signerSet.length - 1; j > 0 && signerSet[j] < signerSet[j - 1]; --j) {
                (signerSet[j], signerSet[j - 1]) = (signerSet[j - 1], signerSet[j]);
                (keys[j], keys[j - 1]) = (keys[j - 1], keys[j]);
            }
        }
        vm.warp(1_700_000_000);
        oracle = new RiskOracle(address(this), signerSet, 3, guardian, 1 days);
        oracle.setPolicy(address(this), Attestation.Policy({ allowBelow: 3000, freezeAt: 8000, holdWindow: 3600, enabled: true }));
    }

    /*//////////////////////////////////////////////////////////////////////////
                                      HELPERS
    //////////////////////////////////////////////////////////////////////////*/

    function _att(uint16 score, bytes32 nonce) internal view returns (Attestation.RiskAttestation memory att) {
        att = Attestation.RiskAttestation({
            consumer: address(this),
            subject: keccak256("subject"),
            payer: address(0xA11CE),
            payee: address(0xB0B),
            token: address(0x70C),
            amount: 1e6,
            score: score,
            reasons: 5,
            modelId: keccak256("model"),
            issuedAt: uint64(block.timestamp),
            expiresAt: uint64(block.timestamp + 600),
            nonce: nonce
        });
    }

    function _sign(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    /// @dev Signatures from the signers whose bit is set in `mask`, aligned with the set.
    function _signatures(bytes32 digest, uint256 mask) internal view returns (bytes[] memory sigs) {
        sigs = new bytes[](N);
        for (uint256 i; i < N; ++i) {
            if (mask & (1 << i) != 0) sigs[i] = _sign(keys[i], digest);
        }
    }

    function _popcount(uint256 mask) internal pure returns (uint256 c) {
        for (uint256 i; i < N; ++i) {
            if (mask & (1 << i) != 0) ++c;
        }
    }

    function _expectedDecision(uint16 score, uint16 allowBelow, uint16 freezeAt) internal pure returns (uint256) {
        if (score < allowBelow) return uint256(Attestation.Decision.Release);
        if (score < freezeAt) return uint256(Attestation.Decision.Hold);
        return uint256(Attestation.Decision.Freeze);
    }

    /*//////////////////////////////////////////////////////////////////////////
                                    FUZZ TESTS
    //////////////////////////////////////////////////////////////////////////*/

    function testFuzz_CheckInline_DecisionMatchesPolicy(uint16 allowBelow, uint16 freezeAt, uint16 score, uint32 hold) public {
        freezeAt = uint16(bound(freezeAt, 0, 10_000));
        allowBelow = uint16(bound(allowBelow, 0, freezeAt));
        score = uint16(bound(score, 0, 10_000));
        oracle.setPolicy(address(this), Attestation.Policy(allowBelow, freezeAt, hold, true));
        Attestation.RiskAttestation memory att = _att(score, bytes32(uint256(score)));
        Attestation.Verdict memory v =
            oracle.checkInline(att, signerSet, _signatures(oracle.hashAttestation(att), 0x07));
        assertEq(uint256(v.decision), _expectedDecision(score, allowBelow, freezeAt), "decision");
        assertEq(v.score, score, "score");
        assertEq(v.reasons, 5, "reasons");
        assertEq(v.issuedAt, att.issuedAt, "issuedAt");
        assertEq(v.holdWindow, hold, "holdWindow");
    }

    function testFuzz_CheckPosted_DecisionMatchesPolicy(uint16 allowBelow, uint16 freezeAt, uint16 score) public {
        freezeAt = uint16(bound(freezeAt, 0, 10_000));
        allowBelow = uint16(bound(allowBelow, 0, freezeAt));
        score = uint16(bound(score, 0, 10_000));
        oracle.setPolicy(address(this), Attestation.Policy(allowBelow, freezeAt, 60, true));
        Attestation.RiskAttestation memory att = _att(score, bytes32(uint256(score)));
        oracle.postAttestation(att, signerSet, _signatures(oracle.hashAttestation(att), 0x1c));
        Attestation.Verdict memory v = oracle.checkPosted(att.subject, att.payer, att.payee, att.token, att.amount);
        assertEq(uint256(v.decision), _expectedDecision(score, allowBelow, freezeAt), "decision");
        assertEq(v.score, score, "score");
        assertEq(v.issuedAt, att.issuedAt, "issuedAt");
    }

    function testFuzz_ScoreAbove10000_Reverts(uint16 score) public {
        score = uint16(bound(score, 10_001, type(uint16).max));
        Attestation.RiskAttestation memory att = _att(score, 0);
        bytes[] memory sigs = _signatures(oracle.hashAttestation(att), 0x1f);
        vm.expectRevert(abi.encodeWithSelector(Errors.RiskOracle_ScoreOutOfRange.selector, score));
        oracle.checkInline(att, signerSet, sigs);
    }

    function testFuzz_Quorum_SubsetVsThreshold(uint256 mask, uint8 threshold) public {
        mask = bound(mask, 0, (1 << N) - 1);
        threshold = uint8(bound(threshold, 1, N));
        oracle.setSigners(signerSet, threshold);
        Attestation.RiskAttestation memory att = _att(100, bytes32(mask));
        bytes[] memory sigs = _signatures(oracle.hashAttestation(att), mask);
        uint256 valid = _popcount(mask);
        if (valid < threshold) {
            vm.expectRevert(abi.encodeWithSelector(Errors.RiskOracle_ThresholdNotMet.selector, valid, threshold));
        }
        oracle.checkInline(att, signerSet, sigs);
    }

    function testFuzz_HighS_AlwaysRejected(bytes32 nonce, uint256 signerIndex) public {
        signerIndex = bound(signerIndex, 0, N - 1);
        Attestation.RiskAttestation memory att = _att(100, nonce);
        bytes32 digest = oracle.hashAttestation(att);
        bytes[] memory sigs = _signatures(digest, 0x1f);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(keys[signerIndex], digest);
        sigs[signerIndex] = abi.encodePacked(r, bytes32(ORDER - uint256(s)), v == 27 ? uint8(28) : uint8(27));
        vm.expectRevert(abi.encodeWithSelector(Errors.RiskOracle_InvalidSignatureS.selector, signerSet[signerIndex]));
        oracle.checkInline(att, signerSet, sigs);
    }

    function testFuzz_Window(uint64 issuedOffset, uint64 validity, bool future) public {
        issuedOffset = uint64(bound(issuedOffset, 0, 2 days));
        validity = uint64(bound(validity, 0, 2 days));
        Attestation.RiskAttestation memory att = _att(100, 0);
        att.issuedAt = future ? uint64(block.timestamp + issuedOffset) : uint64(block.timestamp - issuedOffset);
        att.expiresAt = att.issuedAt + validity;
        bytes[] memory sigs = _signatures(oracle.hashAttestation(att), 0x07);
        if (att.issuedAt > block.timestamp) {
            vm.expectRevert(abi.encodeWithSelector(Errors.RiskOracle_NotYetValid.selector, att.issuedAt, block.timestamp));
        } else if (att.expiresAt <= block.timestamp) {
            vm.expectRevert(abi.encodeWithSelector(Errors.RiskOracle_Expired.selector, att.expiresAt, block.timestamp));
        } else if (validity > 1 days) {
            vm.expectRevert(abi.encodeWithSelector(Errors.RiskOracle_ValidityTooLong.selector, uint256(validity), uint32(1 days)));
        }
        oracle.checkInline(att, signerSet, sigs);
    }

    function testFuzz_HashAttestation_MatchesAbiEncode(
        address consumer,
        bytes32 subject,
        uint256 amount,
        uint16 score,
        uint32 reasons,
        uint64 issuedAt,
        uint64 expiresAt,
        bytes32 nonce
    )
        public
        view
    {
        Attestation.RiskAttestation memory att = Attestation.RiskAttestation(
            consumer, subject, address(1), address(2), address(3), amount, score, reasons, bytes32(0), issuedAt, expiresAt, nonce
        );
        bytes32 structHash = keccak256(
            abi.encode(
                AttestationHash.TYPEHASH, consumer, subject, address(1), address(2), address(3), amount, score,
                reasons, bytes32(0), issuedAt, expiresAt, nonce
            )
        );
        bytes32 expected = keccak256(abi.encodePacked(hex"1901", oracle.DOMAIN_SEPARATOR(), structHash));
        assertEq(oracle.hashAttestation(att), expected, "digest");
    }

    function testFuzz_StalePost_Reverts(uint64 back) public {
        Attestation.RiskAttestation memory att = _att(100, 0);
        oracle.postAttestation(att, signerSet, _signatures(oracle.hashAttestation(att), 0x07));
        back = uint64(bound(back, 0, 1 days - 600)); // keep the validity within maxValidity
        Attestation.RiskAttestation memory older = _att(100, bytes32(uint256(1)));
        older.issuedAt = att.issuedAt - back;
        bytes[] memory sigs = _signatures(oracle.hashAttestation(older), 0x07);
        vm.expectRevert(abi.encodeWithSelector(Errors.RiskOracle_StaleAttestation.selector, older.issuedAt, att.issuedAt));
        oracle.postAttestation(older, signerSet, sigs);
    }

    /*//////////////////////////////////////////////////////////////////////////
                                   CONCRETE TESTS
    //////////////////////////////////////////////////////////////////////////*/

    function test_Attack_ReplayOnOtherChainId() public {
        Attestation.RiskAttestation memory att = _att(100, 0);
        bytes32 digestHere = oracle.hashAttestation(att);
        bytes32 separatorHere = oracle.DOMAIN_SEPARATOR();
        bytes[] memory sigs = _signatures(digestHere, 0x07);
        oracle.checkInline(att, signerSet, sigs); // valid on the chain it was signed for

        vm.chainId(block.chainid + 1); // a fork, or another chain with the same oracle address
        assertTrue(oracle.DOMAIN_SEPARATOR() != separatorHere, "separator rebuilt");
        assertTrue(oracle.hashAttestation(att) != digestHere, "digest changes");
        vm.expectRevert(abi.encodeWithSelector(Errors.RiskOracle_InvalidSignature.selector, signerSet[0]));
        oracle.checkInline(att, signerSet, sigs);
    }

    function test_Pause_ByGuardian_BlocksChecks() public {
        Attestation.RiskAttestation memory att = _att(100, 0);
        bytes[] memory sigs = _signatures(oracle.hashAttestation(att), 0x07);
        vm.prank(guardian);
        oracle.pause();
        vm.expectRevert(abi.encodeWithSelector(Errors.RiskOracle_Paused.selector));
        oracle.checkInline(att, signerSet, sigs);
        oracle.unpause();
        oracle.checkInline(att, signerSet, sigs);
    }
}
