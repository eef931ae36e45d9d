// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import { Attestation } from "../../../contracts/types/Attestation.sol";
import { Escrow } from "../../../contracts/types/Escrow.sol";
import { IRiskOracle } from "../../../contracts/interfaces/IRiskOracle.sol";
import { InvariantTest } from "../utils/Test.sol";
import { MockUSDC } from "../../../contracts/mocks/MockUSDC.sol";
import { PaymentEscrow } from "../../../contracts/PaymentEscrow.sol";
import { RiskOracle } from "../../../contracts/RiskOracle.sol";
import { Vm } from "../utils/Vm.sol";

/// @notice Drives the PaymentEscrow through random sequences of every user action (create, inline and
/// posted verdicts of every decision, replays, forged attestations, holds, disputes, resolutions, refunds,
/// claims, blacklisting, fee changes, time) and keeps the ghost books the invariants compare against.
/// Every call is wrapped in try/catch: a revert is a legal outcome, only state after success is booked.
/// @dev Not a `Test` (whose `IS_TEST` makes the runner skip it as a fuzz target): its own vm handle and helpers.
contract EscrowHandler {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    uint256 internal constant MAX_ESCROWS = 24;
    uint256 internal constant MAX_MILESTONES = 4;

    PaymentEscrow public escrow;
    RiskOracle public oracle;
    MockUSDC public usdc;

    address public signer;
    uint256 internal signerKey;
    uint256 internal forgerKey;
    address[] internal signerSet;

    address[] public payers;
    address[] public payees;
    address public arbiter;
    address public referrer;
    address public feeRecipient;

    /// @dev The terms of every escrow, as a client rebuilds them from `CreateEscrow`: passed back on every call.
    mapping(uint256 escrowId => Escrow.Terms terms) internal _terms;

    // Ghost books.
    mapping(uint256 escrowId => uint256 amount) public ghostFunded;
    mapping(uint256 escrowId => uint256 amount) public ghostPaidToPayee; // gross of fees
    mapping(uint256 escrowId => uint256 amount) public ghostReturnedToPayer;
    mapping(uint256 escrowId => mapping(uint256 index => uint8 status)) public ghostStatus;
    mapping(uint256 escrowId => mapping(uint256 index => bool applied)) public ghostVerdictApplied;
    mapping(bytes32 uid => bool used) public ghostUidUsed;

    uint256 public ghostTransitionViolations;
    uint256 public ghostReplaySuccesses;
    uint256 public ghostForgedSuccesses;
    uint256 public ghostWrongTermsSuccesses;
    uint256 public ghostUidReuses;
    uint256 public ghostReleasesWithoutVerdict;
    uint256 public ghostCalls;

    Attestation.RiskAttestation internal _lastApplied;
    bool internal _hasLastApplied;

    constructor() {
        (signer, signerKey) = makeAddrAndKey("escrow-invariant-signer");
        (, forgerKey) = makeAddrAndKey("escrow-invariant-forger");
        signerSet.push(signer);
        oracle = new RiskOracle(address(this), signerSet, 1, address(this), 1 days);
        usdc = new MockUSDC(address(this));
        feeRecipient = makeAddr("fee-recipient");
        escrow = new PaymentEscrow(address(this), IRiskOracle(address(oracle)), feeRecipient);
        oracle.setPolicy(
            address(escrow), Attestation.Policy({ allowBelow: 3000, freezeAt: 8000, holdWindow: 3600, enabled: true })
        );
        escrow.setTokenAllowed(address(usdc), true);
        escrow.setReferralBps(100);
        payers.push(makeAddr("payer-0"));
        payers.push(makeAddr("payer-1"));
        payees.push(makeAddr("payee-0"));
        payees.push(makeAddr("payee-1"));
        arbiter = makeAddr("arbiter");
        referrer = makeAddr("referrer");
        // Gate rule G10: both payees approve the referrer (it earns from their gross).
        for (uint256 i; i < payees.length; ++i) {
            vm.prank(payees[i]);
            escrow.approveReferrer(referrer, true);
        }
        for (uint256 i; i < payers.length; ++i) {
            usdc.mint(payers[i], 1e18);
            vm.prank(payers[i]);
            usdc.approve(address(escrow), type(uint256).max);
        }
    }

    /*//////////////////////////////////////////////////////////////////////////
                                      ACTIONS
    //////////////////////////////////////////////////////////////////////////*/

    function create(uint256 payerSeed, uint256 payeeSeed, uint256 countSeed, uint256 amountSeed, bool withReferrer)
        external
    {
        uint256 id = escrow.nextEscrowId();
        if (id > MAX_ESCROWS) return;
        uint256 count = bound(countSeed, 1, MAX_MILESTONES);
        uint96[] memory amounts = new uint96[](count);
        uint256 total;
        for (uint256 i; i < count; ++i) {
            amounts[i] = uint96(bound(uint256(keccak256(abi.encode(amountSeed, i))), 1, 1e12));
            total += amounts[i];
        }
        address payer = payers[payerSeed % payers.length];
        Escrow.CreateParams memory params = Escrow.CreateParams({
            payee: payees[payeeSeed % payees.length],
            token: address(usdc),
            amounts: amounts,
            deadline: uint40(block.timestamp + 3 days),
            arbiter: arbiter,
            referrer: withReferrer ? referrer : address(0)
        });
        Escrow.Terms memory terms = Escrow.Terms({
            payer: payer,
            payee: params.payee,
            token: params.token,
            arbiter: params.arbiter,
            referrer: params.referrer,
            deadline: params.deadline,
            feeBps: escrow.feeBps(),
            referralBps: withReferrer ? escrow.referralBps() : 0,
            amounts: amounts
        });
        vm.prank(payer);
        try escrow.createEscrow(params) returns (uint256 escrowId) {
            _terms[escrowId] = terms;
            ghostFunded[escrowId] = total;
            for (uint256 i; i < count; ++i) {
                ghostStatus[escrowId][i] = uint8(Escrow.Status.Pending);
            }
        } catch { }
        _sync();
    }

    function releaseInline(uint256 idSeed, uint256 indexSeed, uint256 scoreSeed) external {
        (bool ok, uint256 id, uint256 index) = _pick(idSeed, indexSeed);
        if (!ok) return;
        Attestation.RiskAttestation memory att = _attestation(id, index, uint16(bound(scoreSeed, 0, 10_000)));
        bytes[] memory sigs = _sign(signerKey, att);
        Escrow.Milestone memory before = escrow.getMilestone(_terms[id], id, index);
        try escrow.releaseWithAttestation(_terms[id], id, index, att, signerSet, sigs) {
            _bookVerdict(id, index, before, att);
        } catch { }
        _sync();
    }

    function postAndRelease(uint256 idSeed, uint256 indexSeed, uint256 scoreSeed) external {
        (bool ok, uint256 id, uint256 index) = _pick(idSeed, indexSeed);
        if (!ok) return;
        Attestation.RiskAttestation memory att = _attestation(id, index, uint16(bound(scoreSeed, 0, 10_000)));
        try oracle.postAttestation(att, signerSet, _sign(signerKey, att)) { } catch { }
        Escrow.Milestone memory before = escrow.getMilestone(_terms[id], id, index);
        try escrow.release(_terms[id], id, index) {
            _bookVerdict(id, index, before, att);
        } catch { }
        _sync();
    }

    /// @dev Replays the last attestation that was applied: must never succeed again.
    function replayLast() external {
        if (!_hasLastApplied) return;
        Attestation.RiskAttestation memory att = _lastApplied;
        uint256 id = uint256(att.subject) >> 16;
        uint256 index = uint256(att.subject) & 0xffff;
        try escrow.releaseWithAttestation(_terms[id], id, index, att, signerSet, _sign(signerKey, att)) {
            ++ghostReplaySuccesses;
        } catch { }
        _sync();
    }

    /// @dev An attestation signed by a key outside the signer set: must never succeed.
    function releaseForged(uint256 idSeed, uint256 indexSeed) external {
        (bool ok, uint256 id, uint256 index) = _pick(idSeed, indexSeed);
        if (!ok) return;
        Attestation.RiskAttestation memory att = _attestation(id, index, 0);
        try escrow.releaseWithAttestation(_terms[id], id, index, att, signerSet, _sign(forgerKey, att)) {
            ++ghostForgedSuccesses;
        } catch { }
        _sync();
    }

    /// @dev A genuine attestation for terms that differ from the escrow's (another payee, a bigger amount, or
    /// another escrow's terms): must never succeed.
    function releaseWrongTerms(uint256 idSeed, uint256 indexSeed, uint256 how) external {
        (bool ok, uint256 id, uint256 index) = _pick(idSeed, indexSeed);
        if (!ok) return;
        Escrow.Terms memory terms = _terms[id];
        how = how % 3;
        if (how == 0) terms.payee = payees[0] == terms.payee ? payees[1] : payees[0];
        else if (how == 1) terms.amounts[index] += 1;
        else terms = _terms[id == 1 ? 2 : 1];
        if (terms.amounts.length <= index) return;
        Attestation.RiskAttestation memory att = Attestation.RiskAttestation({
            consumer: address(escrow),
            subject: bytes32((id << 16) | index),
            payer: terms.payer,
            payee: terms.payee,
            token: terms.token,
            amount: terms.amounts[index],
            score: 0,
            reasons: 0,
            modelId: keccak256("model"),
            issuedAt: uint64(block.timestamp),
            expiresAt: uint64(block.timestamp + 600),
            nonce: keccak256(abi.encode("wrong-terms", id, index, ghostCalls))
        });
        try escrow.releaseWithAttestation(terms, id, index, att, signerSet, _sign(signerKey, att)) {
            ++ghostWrongTermsSuccesses;
        } catch { }
        _sync();
    }

    /// @dev A refund with terms that are not the escrow's: another escrow's (different) terms under this id, or
    /// this escrow's terms under an id never created (the next one, a random one, or `(1 << 240) + id`, which
    /// shifts to this escrow's own subject), past the deadline. Must never succeed.
    function refundWrongTerms(uint256 idSeed, bool unknownId) external {
        (bool ok, uint256 id,) = _pick(idSeed, 0);
        if (!ok) return;
        Escrow.Terms memory terms = _terms[id];
        uint256 next = escrow.nextEscrowId();
        uint256 target;
        if (unknownId) {
            uint256 how = (idSeed >> 128) % 3;
            if (how == 0) target = next;
            else if (how == 1) target = next + (idSeed >> 64) % (uint256(type(uint64).max) + 1);
            else target = (uint256(1) << 240) + id;
        } else {
            target = id == 1 ? 2 : 1;
            if (target >= next || keccak256(abi.encode(_terms[target])) == keccak256(abi.encode(terms))) return;
        }
        // Tried past the escrow's deadline (where its own terms would refund), then time and state are put back.
        uint256 snapshot = vm.snapshotState();
        if (block.timestamp < terms.deadline) vm.warp(terms.deadline);
        bool refunded;
        try escrow.refund(terms, target) {
            refunded = true;
        } catch { }
        vm.revertToState(snapshot);
        if (refunded) ++ghostWrongTermsSuccesses;
        _sync();
    }

    function finalizeHold(uint256 idSeed, uint256 indexSeed) external {
        (bool ok, uint256 id, uint256 index) = _pick(idSeed, indexSeed);
        if (!ok) return;
        try escrow.finalizeHold(_terms[id], id, index) {
            ghostPaidToPayee[id] += _terms[id].amounts[index];
        } catch { }
        _sync();
    }

    function dispute(uint256 idSeed, uint256 indexSeed, bool byPayer) external {
        (bool ok, uint256 id, uint256 index) = _pick(idSeed, indexSeed);
        if (!ok) return;
        vm.prank(byPayer ? _terms[id].payer : _terms[id].payee);
        try escrow.dispute(_terms[id], id, index) { } catch { }
        _sync();
    }

    function resolve(uint256 idSeed, uint256 indexSeed, uint256 splitSeed) external {
        (bool ok, uint256 id, uint256 index) = _pick(idSeed, indexSeed);
        if (!ok) return;
        uint256 amount = _terms[id].amounts[index];
        uint256 payeeShare = bound(splitSeed, 0, amount);
        vm.prank(arbiter);
        try escrow.resolve(_terms[id], id, index, payeeShare, amount - payeeShare) {
            ghostPaidToPayee[id] += payeeShare;
            ghostReturnedToPayer[id] += amount - payeeShare;
        } catch { }
        _sync();
    }

    function refund(uint256 idSeed) external {
        uint256 next = escrow.nextEscrowId();
        if (next == 1) return;
        uint256 id = bound(idSeed, 1, next - 1);
        uint256 refundable;
        uint96[] memory amounts = _terms[id].amounts;
        for (uint256 i; i < amounts.length; ++i) {
            Escrow.Status status = escrow.getMilestone(_terms[id], id, i).status;
            if (status == Escrow.Status.Pending || status == Escrow.Status.Held) refundable += amounts[i];
        }
        try escrow.refund(_terms[id], id) {
            ghostReturnedToPayer[id] += refundable;
        } catch { }
        _sync();
    }

    function claim(uint256 accountSeed) external {
        address account = _account(accountSeed);
        vm.prank(account);
        try escrow.claim(address(usdc), makeAddr("claim-sink")) { } catch { }
        _sync();
    }

    function withdrawFees() external {
        try escrow.withdrawFees(address(usdc)) { } catch { }
        _sync();
    }

    function toggleBlacklist(uint256 accountSeed) external {
        address account = _account(accountSeed);
        if (usdc.isBlacklisted(account)) usdc.unBlacklist(account);
        else usdc.blacklist(account);
        _sync();
    }

    function setFee(uint256 bpsSeed) external {
        escrow.setFee(uint16(bound(bpsSeed, 0, 500)));
        _sync();
    }

    function warp(uint256 secondsSeed) external {
        vm.warp(block.timestamp + bound(secondsSeed, 1, 2 days));
        _sync();
    }

    /*//////////////////////////////////////////////////////////////////////////
                                   VIEW HELPERS
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice The terms of escrow `id` (kept by the handler; the escrow stores none of them, only milestone
    /// slots keyed by their hash).
    function termsOf(uint256 id) external view returns (Escrow.Terms memory) {
        return _terms[id];
    }

    /// @notice Every account the escrow may owe a credit to.
    function accounts() public view returns (address[] memory list) {
        list = new address[](payers.length + payees.length + 1);
        uint256 k;
        for (uint256 i; i < payers.length; ++i) list[k++] = payers[i];
        for (uint256 i; i < payees.length; ++i) list[k++] = payees[i];
        list[k] = referrer;
    }

    /*//////////////////////////////////////////////////////////////////////////
                                     INTERNALS
    //////////////////////////////////////////////////////////////////////////*/

    function bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        if (x >= min && x <= max) return x;
        return min + (x % (max - min + 1));
    }

    function makeAddrAndKey(string memory name) internal returns (address account, uint256 privateKey) {
        privateKey = uint256(keccak256(abi.encodePacked(name)));
        account = vm.addr(privateKey);
        vm.label(account, name);
    }

    function makeAddr(string memory name) internal returns (address account) {
        (account,) = makeAddrAndKey(name);
    }

    function _account(uint256 seed) internal view returns (address) {
        address[] memory list = accounts();
        return list[seed % list.length];
    }

    function _pick(uint256 idSeed, uint256 indexSeed) internal view returns (bool ok, uint256 id, uint256 index) {
        uint256 next = escrow.nextEscrowId();
        if (next == 1) return (false, 0, 0);
        id = bound(idSeed, 1, next - 1);
        index = bound(indexSeed, 0, _terms[id].amounts.length - 1);
        ok = true;
    }

    function _attestation(uint256 id, uint256 index, uint16 score)
        internal
        view
        returns (Attestation.RiskAttestation memory att)
    {
        Escrow.Terms storage terms = _terms[id];
        att = Attestation.RiskAttestation({
            consumer: address(escrow),
            subject: bytes32((id << 16) | index),
            payer: terms.payer,
            payee: terms.payee,
            token: terms.token,
            amount: terms.amounts[index],
            score: score,
            reasons: 0,
            modelId: keccak256("model"),
            issuedAt: uint64(block.timestamp),
            expiresAt: uint64(block.timestamp + 600),
            nonce: keccak256(abi.encode(id, index, score, block.timestamp, ghostCalls))
        });
    }

    function _sign(uint256 key, Attestation.RiskAttestation memory att) internal view returns (bytes[] memory sigs) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, oracle.hashAttestation(att));
        sigs = new bytes[](1);
        sigs[0] = abi.encodePacked(r, s, v);
    }

    function _bookVerdict(
        uint256 id,
        uint256 index,
        Escrow.Milestone memory,
        Attestation.RiskAttestation memory att
    )
        internal
    {
        bytes32 uid = oracle.hashAttestation(att);
        if (ghostUidUsed[uid]) ++ghostUidReuses;
        ghostUidUsed[uid] = true;
        ghostVerdictApplied[id][index] = true;
        _lastApplied = att;
        _hasLastApplied = true;
        if (escrow.getMilestone(_terms[id], id, index).status == Escrow.Status.Released) {
            ghostPaidToPayee[id] += _terms[id].amounts[index];
        }
    }

    /// @dev Compares every milestone's status with the last one seen and books illegal moves.
    function _sync() internal {
        ++ghostCalls;
        uint256 next = escrow.nextEscrowId();
        for (uint256 id = 1; id < next; ++id) {
            uint256 count = _terms[id].amounts.length;
            for (uint256 i; i < count; ++i) {
                uint8 previous = ghostStatus[id][i];
                uint8 current = uint8(escrow.getMilestone(_terms[id], id, i).status);
                if (previous == current) continue;
                if (!_legal(previous, current)) ++ghostTransitionViolations;
                if (current == uint8(Escrow.Status.Released) && !ghostVerdictApplied[id][i]) {
                    ++ghostReleasesWithoutVerdict;
                }
                ghostStatus[id][i] = current;
            }
        }
    }

    function _legal(uint8 from, uint8 to) internal pure returns (bool) {
        Escrow.Status f = Escrow.Status(from);
        Escrow.Status t = Escrow.Status(to);
        if (f == Escrow.Status.Pending) return t != Escrow.Status.None && t != Escrow.Status.Resolved;
        if (f == Escrow.Status.Held) {
            return t == Escrow.Status.Released || t == Escrow.Status.Frozen || t == Escrow.Status.Disputed
                || t == Escrow.Status.Refunded;
        }
        if (f == Escrow.Status.Frozen || f == Escrow.Status.Disputed) return t == Escrow.Status.Resolved;
        // None (before creation is booked) and the terminal states never move.
        return false;
    }
}

/// @notice Handler-driven invariants of the PaymentEscrow (prose in test/invariant/README.md).
contract EscrowInvariantsTest is InvariantTest {
    EscrowHandler internal handler;

    function setUp() public {
        vm.warp(1_700_000_000);
        handler = new EscrowHandler();
        targetContract(address(handler));
    }

    /// @notice E1: the escrow's token balance equals everything it owes: unsettled milestones (Pending,
    /// Held, Frozen, Disputed) + credits + accrued fees.
    function invariant_BalanceEqualsLiabilities() external view {
        uint256 liabilities = handler.escrow().accruedFees(address(handler.usdc()));
        address[] memory accounts = handler.accounts();
        for (uint256 i; i < accounts.length; ++i) {
            liabilities += handler.escrow().owed(accounts[i], address(handler.usdc()));
        }
        uint256 next = handler.escrow().nextEscrowId();
        for (uint256 id = 1; id < next; ++id) {
            Escrow.Terms memory terms = handler.termsOf(id);
            uint96[] memory amounts = terms.amounts;
            for (uint256 j; j < amounts.length; ++j) {
                Escrow.Milestone memory m = handler.escrow().getMilestone(terms, id, j);
                if (uint8(m.status) <= uint8(Escrow.Status.Disputed)) liabilities += amounts[j];
            }
        }
        assertEq(handler.usdc().balanceOf(address(handler.escrow())), liabilities, "balance != liabilities");
    }

    /// @notice E2: per escrow, paid to the payee (gross: net + fees + referral) + returned to the payer
    /// never exceeds what was funded; and equals it once every milestone is terminal.
    function invariant_PaidOutNeverExceedsFunded() external view {
        uint256 next = handler.escrow().nextEscrowId();
        for (uint256 id = 1; id < next; ++id) {
            uint256 out = handler.ghostPaidToPayee(id) + handler.ghostReturnedToPayer(id);
            assertLe(out, handler.ghostFunded(id), "paid out > funded");
            Escrow.Terms memory terms = handler.termsOf(id);
            uint256 count = terms.amounts.length;
            bool allTerminal = true;
            for (uint256 j; j < count; ++j) {
                if (uint8(handler.escrow().getMilestone(terms, id, j).status) < uint8(Escrow.Status.Released)) {
                    allTerminal = false;
                }
            }
            if (allTerminal) assertEq(out, handler.ghostFunded(id), "settled escrow not fully paid out");
        }
    }

    /// @notice E3: milestone statuses only move forward; terminal states never change.
    function invariant_StatusTransitionsOneWay() external view {
        assertEq(handler.ghostTransitionViolations(), 0, "illegal status transition");
    }

    /// @notice E4: no milestone is Released without a verdict the oracle accepted for it.
    function invariant_NoReleaseWithoutAttestation() external view {
        assertEq(handler.ghostReleasesWithoutVerdict(), 0, "release without verdict");
        assertEq(handler.ghostForgedSuccesses(), 0, "forged attestation accepted");
        assertEq(handler.ghostWrongTermsSuccesses(), 0, "release or refund with terms that are not the escrow's");
    }

    /// @notice E6: every milestone of every escrow is found (never None) under the terms its creation emitted
    /// and its own id, and nothing is found past its last index, under another escrow's (different) terms, or
    /// under an id never created.
    function invariant_MilestonesKeyedByTerms() external view {
        PaymentEscrow escrow = handler.escrow();
        uint256 next = escrow.nextEscrowId();
        for (uint256 id = 1; id < next; ++id) {
            Escrow.Terms memory terms = handler.termsOf(id);
            uint256 count = terms.amounts.length;
            for (uint256 j; j < count; ++j) {
                assertTrue(escrow.getMilestone(terms, id, j).status != Escrow.Status.None, "milestone not found");
            }
            assertTrue(escrow.getMilestone(terms, id, count).status == Escrow.Status.None, "milestone past count");
            assertTrue(escrow.getMilestone(terms, next, 0).status == Escrow.Status.None, "milestone of unknown id");
            Escrow.Terms memory other = handler.termsOf(id == 1 ? next - 1 : id - 1);
            if (keccak256(abi.encode(other)) != keccak256(abi.encode(terms))) {
                assertTrue(escrow.getMilestone(other, id, 0).status == Escrow.Status.None, "found under other terms");
            }
        }
    }

    /// @notice E5: each attestation is applied at most once (replays revert).
    function invariant_AttestationUsedOnce() external view {
        assertEq(handler.ghostReplaySuccesses(), 0, "replayed attestation accepted");
        assertEq(handler.ghostUidReuses(), 0, "attestation uid applied twice");
    }
}
