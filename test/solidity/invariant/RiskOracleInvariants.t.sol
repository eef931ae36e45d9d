// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import { Attestation } from "../../../contracts/types/Attestation.sol";
import { IRiskOracle } from "../../../contracts/interfaces/IRiskOracle.sol";
import { InvariantTest } from "../utils/Test.sol";
import { MockRiskConsumer } from "../../../contracts/mocks/MockRiskConsumer.sol";
import { RiskOracle } from "../../../contracts/RiskOracle.sol";
import { Vm } from "../utils/Vm.sol";

/// @notice Drives the RiskOracle through random posts (three subjects, two bindings each, random `issuedAt`
/// ordering, by any signer of the set), consumptions, revocations (posted, older, newer, never-posted
/// attestations), signer rotations, inline checks and posted reads with right and wrong bindings, and time.
/// Every call is try/catch; the ghosts book what succeeded. The posted slot is read raw (`vm.load`).
/// @dev Not a `Test` (the runner would fuzz it): its own vm handle and helpers.
contract RiskOracleHandler {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    uint256 internal constant SUBJECTS = 3;

    RiskOracle public oracle;
    MockRiskConsumer public consumer;
    address[] internal signerSet;
    uint256[] internal signerKeys;
    address public payer;
    address public payee;
    address public token;
    /// @dev The storage slot of `RiskOracle._posted` (found at construction).
    uint256 public postedSlot;

    /// @dev Every attestation the handler built (checked, posted or revoked later by index).
    Attestation.RiskAttestation[] internal _atts;

    // Ghosts.
    mapping(uint256 subjectIndex => uint64 issuedAt) public ghostSlotIssuedAt;
    /// @dev The attestation whose verdict the slot holds (its binding), if the slot holds a verdict.
    mapping(uint256 subjectIndex => uint256 attIndex) internal _storedAtt;
    mapping(uint256 subjectIndex => bool) internal _hasStored;
    mapping(bytes32 uid => bool revoked) public ghostRevoked;
    uint32 public ghostEpoch;

    uint256 public ghostSlotDecreases; // R1
    uint256 public ghostRevokedAccepted; // R2
    uint256 public ghostBindingMismatches; // R3
    uint256 public ghostEpochDecreases; // R4
    uint256 public ghostSupersededAccepted; // R5
    uint256 public ghostPosts;
    uint256 public ghostRevocations;
    uint256 public ghostMismatchRefusals;

    constructor() {
        for (uint256 i; i < 2; ++i) {
            uint256 key = uint256(keccak256(abi.encodePacked("oracle-invariant-signer", i)));
            signerKeys.push(key);
        }
        // Strictly ascending signer set.
        address a0 = vm.addr(signerKeys[0]);
        address a1 = vm.addr(signerKeys[1]);
        if (a0 > a1) (signerKeys[0], signerKeys[1]) = (signerKeys[1], signerKeys[0]);
        signerSet.push(vm.addr(signerKeys[0]));
        signerSet.push(vm.addr(signerKeys[1]));
        oracle = new RiskOracle(address(this), signerSet, 1, address(this), 1 days);
        consumer = new MockRiskConsumer(IRiskOracle(address(oracle)));
        oracle.setPolicy(
            address(consumer), Attestation.Policy({ allowBelow: 3000, freezeAt: 8000, holdWindow: 3600, enabled: true })
        );
        payer = address(0xA11CE);
        payee = address(0xB0B);
        token = address(0x70C);
        ghostEpoch = oracle.epoch();
        // Find `_posted`'s slot: post a probe verdict for subject "probe" and look for its key's slot.
        Attestation.RiskAttestation memory probe = _build(type(uint256).max, 0, 1, 0, 0);
        oracle.postAttestation(probe, signerSet, _sign(0, probe));
        bytes32 key = keccak256(abi.encode(address(consumer), probe.subject));
        for (uint256 slot; slot < 32; ++slot) {
            if (vm.load(address(oracle), keccak256(abi.encode(key, slot))) != bytes32(0)) {
                postedSlot = slot;
                break;
            }
        }
        require(postedSlot != 0, "posted slot not found");
    }

    /*//////////////////////////////////////////////////////////////////////////
                                      ACTIONS
    //////////////////////////////////////////////////////////////////////////*/

    function post(uint256 subjectSeed, uint256 bindingSeed, uint256 scoreSeed, uint256 ageSeed, uint256 signerSeed)
        external
    {
        uint256 s = subjectSeed % SUBJECTS;
        Attestation.RiskAttestation memory att =
            _build(s, bindingSeed % 2, uint16(bound(scoreSeed, 0, 10_000)), bound(ageSeed, 0, 300), ghostPosts);
        _atts.push(att);
        try oracle.postAttestation(att, signerSet, _sign(signerSeed % 2, att)) {
            ++ghostPosts;
            _storedAtt[s] = _atts.length - 1;
            _hasStored[s] = true;
        } catch { }
        _sync();
    }

    /// @dev The consumer consumes the posted verdict with one of the two bindings (a Release deletes the slot).
    function consume(uint256 subjectSeed, uint256 bindingSeed) external {
        uint256 s = subjectSeed % SUBJECTS;
        (bytes32 subject, uint256 amount) = (_subject(s), _amount(bindingSeed % 2));
        uint256 before = _raw(s);
        try consumer.rawConsumePosted(subject, payer, payee, token, amount) returns (Attestation.Verdict memory v) {
            _checkAccepted(s, amount, before);
            if (v.decision == Attestation.Decision.Release) {
                // The one documented way the slot empties: the consumer settled on a Release (R1's exception).
                ghostSlotIssuedAt[s] = 0;
                _hasStored[s] = false;
            }
        } catch (bytes memory reason) {
            if (bytes4(reason) == bytes4(keccak256("RiskOracle_VerdictMismatch(address,bytes32)"))) ++ghostMismatchRefusals;
        }
        _sync();
    }

    /// @dev A posted read with one of the two bindings: it must return only the verdict of the bound values.
    function readPosted(uint256 subjectSeed, uint256 bindingSeed, bool swapParties) external {
        uint256 s = subjectSeed % SUBJECTS;
        uint256 amount = _amount(bindingSeed % 2);
        uint256 before = _raw(s);
        (address p, address q) = swapParties ? (payee, payer) : (payer, payee);
        try consumer.rawCheckPosted(_subject(s), p, q, token, amount) {
            if (swapParties) ++ghostBindingMismatches;
            else _checkAccepted(s, amount, before);
        } catch { }
        _sync();
    }

    /// @dev An inline check of a past attestation, or of a fresh one with a random age.
    function checkInline(uint256 pick, bool fresh, uint256 subjectSeed, uint256 ageSeed, uint256 scoreSeed) external {
        Attestation.RiskAttestation memory att;
        if (fresh || _atts.length == 0) {
            att = _build(subjectSeed % SUBJECTS, 0, uint16(bound(scoreSeed, 0, 10_000)), bound(ageSeed, 0, 300), ghostPosts + 7);
        } else {
            att = _atts[pick % _atts.length];
        }
        uint256 s = uint256(att.subject) % 16; // subjects are 0..SUBJECTS-1
        uint256 raw = _raw(s);
        try consumer.rawCheckInline(att, signerSet, _sign(pick % 2, att)) {
            bytes32 uid = oracle.hashAttestation(att);
            if (ghostRevoked[uid]) ++ghostRevokedAccepted;
            // R5 (G2.1): never older than the posted slot, nor another verdict at its issuedAt.
            uint64 postedAt = uint64(uint40(raw >> 48));
            if (raw != 0 && (postedAt > att.issuedAt || (postedAt == att.issuedAt && raw >> 216 != uint256(uid) >> 216))) {
                ++ghostSupersededAccepted;
            }
        } catch { }
        _sync();
    }

    /// @dev The guardian revokes a past attestation (posted or not) or a fresh, possibly newer, one.
    function revoke(uint256 pick, bool fresh, uint256 subjectSeed, uint256 ageSeed) external {
        Attestation.RiskAttestation memory att;
        if (fresh || _atts.length == 0) {
            att = _build(subjectSeed % SUBJECTS, 1, 0, bound(ageSeed, 0, 300), ghostPosts + 11);
            _atts.push(att);
        } else {
            att = _atts[pick % _atts.length];
        }
        try oracle.revokeAttestation(att) {
            ++ghostRevocations;
            ghostRevoked[oracle.hashAttestation(att)] = true;
            uint256 s = uint256(att.subject);
            // A marker replaced the slot's verdict (if any): no binding is readable until a newer post.
            if (uint40(_raw(s) >> 48) == att.issuedAt && (_raw(s) >> 128) & 0xff != 0) _hasStored[s] = false;
        } catch { }
        _sync();
    }

    function rotateSigners() external {
        oracle.setSigners(signerSet, 1);
        _sync();
    }

    function warp(uint256 secondsSeed) external {
        vm.warp(block.timestamp + bound(secondsSeed, 1, 400));
        _sync();
    }

    /*//////////////////////////////////////////////////////////////////////////
                                     INTERNALS
    //////////////////////////////////////////////////////////////////////////*/

    function bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        if (x >= min && x <= max) return x;
        return min + (x % (max - min + 1));
    }

    function _subject(uint256 s) internal pure returns (bytes32) {
        return bytes32(s);
    }

    function _amount(uint256 binding) internal pure returns (uint256) {
        return binding == 0 ? 1e6 : 2e6;
    }

    /// @dev `subjectIndex == type(uint256).max` is the constructor's probe subject.
    function _build(uint256 s, uint256 binding, uint16 score, uint256 age, uint256 salt)
        internal
        view
        returns (Attestation.RiskAttestation memory)
    {
        return Attestation.RiskAttestation({
            consumer: address(consumer),
            subject: bytes32(s),
            payer: payer,
            payee: payee,
            token: token,
            amount: _amount(binding),
            score: score,
            reasons: 0,
            modelId: keccak256("model"),
            issuedAt: uint64(block.timestamp - age),
            expiresAt: uint64(block.timestamp - age + 600),
            nonce: keccak256(abi.encode(s, binding, score, age, block.timestamp, salt))
        });
    }

    function _sign(uint256 which, Attestation.RiskAttestation memory att) internal view returns (bytes[] memory sigs) {
        (uint8 v, bytes32 r, bytes32 sig) = vm.sign(signerKeys[which], oracle.hashAttestation(att));
        sigs = new bytes[](2);
        sigs[which] = abi.encodePacked(r, sig, v);
    }

    /// @dev The raw posted slot of subject `s` for the consumer.
    function _raw(uint256 s) internal view returns (uint256) {
        bytes32 key = keccak256(abi.encode(address(consumer), _subject(s)));
        return uint256(vm.load(address(oracle), keccak256(abi.encode(key, postedSlot))));
    }

    /// @dev A posted read of `s` with `amount` succeeded on slot `raw`: it must be the stored verdict, with that
    /// binding (R3), and not a revoked one (R2).
    function _checkAccepted(uint256 s, uint256 amount, uint256 raw) internal {
        if (!_hasStored[s]) {
            ++ghostBindingMismatches;
            return;
        }
        Attestation.RiskAttestation memory stored = _atts[_storedAtt[s]];
        if (stored.amount != amount || uint40(raw >> 48) != stored.issuedAt) ++ghostBindingMismatches;
        if (ghostRevoked[oracle.hashAttestation(stored)]) ++ghostRevokedAccepted;
    }

    /// @dev R1 and R4 after every action.
    function _sync() internal {
        for (uint256 s; s < SUBJECTS; ++s) {
            uint64 issuedAt = uint64(uint40(_raw(s) >> 48));
            if (issuedAt < ghostSlotIssuedAt[s]) ++ghostSlotDecreases;
            ghostSlotIssuedAt[s] = issuedAt;
        }
        uint32 current = oracle.epoch();
        if (current < ghostEpoch) ++ghostEpochDecreases;
        ghostEpoch = current;
    }
}

/// @notice Handler-driven invariants of the RiskOracle (prose in test/invariant/README.md).
contract RiskOracleInvariantsTest is InvariantTest {
    RiskOracleHandler internal handler;

    function setUp() public {
        vm.warp(1_700_000_000);
        handler = new RiskOracleHandler();
        targetContract(address(handler));
    }

    /// @notice R1 (G1): the posted slot of a settlement `(consumer, subject)` only moves to a newer `issuedAt`
    /// (a newer verdict or a revoked marker), whatever payer, payee, token and amount the verdicts bind; it
    /// empties only when its consumer consumes a Release.
    function invariant_PostedIssuedAtNeverDecreases() external view {
        assertEq(handler.ghostSlotDecreases(), 0, "posted issuedAt decreased");
    }

    /// @notice R2 (G3): a revoked uid is never accepted, neither by `checkInline` nor by a posted read.
    function invariant_RevokedNeverAccepted() external view {
        assertEq(handler.ghostRevokedAccepted(), 0, "revoked attestation accepted");
    }

    /// @notice R3 (G1): a posted read returns only the verdict stored for the settlement, and only to a read
    /// naming exactly the payer, payee, token and amount that verdict binds.
    function invariant_PostedReadMatchesBinding() external view {
        assertEq(handler.ghostBindingMismatches(), 0, "posted read with another binding");
    }

    /// @notice R4: the signer-set epoch only grows.
    function invariant_EpochOnlyGrows() external view {
        assertEq(handler.ghostEpochDecreases(), 0, "epoch decreased");
    }

    /// @notice R5 (G2.1): `checkInline` never accepts a verdict older than the settlement's posted slot, nor
    /// another verdict (or a revoked marker) with the same `issuedAt`.
    function invariant_InlineNeverSuperseded() external view {
        assertEq(handler.ghostSupersededAccepted(), 0, "superseded verdict accepted inline");
    }
}
