// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import { Attestation } from "../../../contracts/types/Attestation.sol";
import { Escrow } from "../../../contracts/types/Escrow.sol";
import { IRiskOracle } from "../../../contracts/interfaces/IRiskOracle.sol";
import { Errors } from "../../../contracts/libraries/Errors.sol";
import { InvariantTest } from "../utils/Test.sol";
import { MockUSDC } from "../../../contracts/mocks/MockUSDC.sol";
import { PaymentEscrow } from "../../../contracts/PaymentEscrow.sol";
import { RiskOracle } from "../../../contracts/RiskOracle.sol";
import { Vm } from "../utils/Vm.sol";

/// @notice Drives the PaymentEscrow through random sequences of every user action (create, inline and
/// posted verdicts of every decision with random `issuedAt` ordering, presented by anyone, replays, forged
/// attestations, revocations, signer rotations, holds, disputes, resolutions, parties acting as arbiter,
/// refunds, claims, blacklisting, fee changes, time) and keeps the ghost books the invariants compare against.
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

    // Gate ghosts (docs/gate.md G2, G4, G6.1), per milestone.
    /// @dev The newest `issuedAt` posted for the milestone (a verdict or a revoked marker; never lowered).
    mapping(uint256 escrowId => mapping(uint256 index => uint64 issuedAt)) public ghostNewestPosted;
    mapping(uint256 escrowId => mapping(uint256 index => bytes32 uid)) internal _postedUid;
    mapping(uint256 escrowId => mapping(uint256 index => uint16 score)) internal _postedScore;
    mapping(uint256 escrowId => mapping(uint256 index => bool revoked)) internal _postedRevoked;
    /// @dev The `issuedAt` of the last verdict applied to the milestone.
    mapping(uint256 escrowId => mapping(uint256 index => uint64 issuedAt)) public ghostLastApplied;
    /// @dev The holdUntil set by the milestone's first Hold.
    mapping(uint256 escrowId => mapping(uint256 index => uint40 holdUntil)) internal _firstHoldUntil;
    /// @dev The Hold verdict the milestone holds on: uid, issuedAt, score, signer-set epoch at application.
    mapping(uint256 escrowId => mapping(uint256 index => Attestation.RiskAttestation att)) internal _heldAtt;
    mapping(uint256 escrowId => mapping(uint256 index => uint32 epoch)) internal _heldEpoch;
    /// @dev The attestation last posted for the milestone (what `release` applies).
    mapping(uint256 escrowId => mapping(uint256 index => Attestation.RiskAttestation att)) internal _postedAtt;
    mapping(bytes32 uid => bool revoked) public ghostRevoked;
    uint32 public ghostEpoch = 1;

    uint256 public ghostStaleApplications; // G2
    uint256 public ghostHoldViolations; // G4
    uint256 public ghostArbiterPartySuccesses; // G6.1

    // Coverage counters (sanity: the gate paths are exercised).
    uint256 public ghostInlineByThirdParty;
    uint256 public ghostSupersededRefusals;
    uint256 public ghostFinalized;
    uint256 public ghostRevocations;
    uint256 public ghostRotations;
    uint256 public ghostTimeoutRefunds;

    address public stranger;

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
        stranger = makeAddr("stranger");
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

    /// @dev Pull: an inline verdict issued up to 300 s ago (so older and newer verdicts mix with posted ones),
    /// presented by anyone (a party, the arbiter or a stranger: G5 lets anyone present an escrow verdict).
    function releaseInline(uint256 idSeed, uint256 indexSeed, uint256 scoreSeed, uint256 ageSeed, uint256 callerSeed)
        external
    {
        (bool ok, uint256 id, uint256 index) = _pick(idSeed, indexSeed);
        if (!ok) return;
        Attestation.RiskAttestation memory att =
            _attestation(id, index, uint16(bound(scoreSeed, 0, 10_000)), bound(ageSeed, 0, 300));
        bytes[] memory sigs = _sign(signerKey, att);
        Escrow.Milestone memory before = escrow.getMilestone(_terms[id], id, index);
        address caller = _caller(callerSeed);
        vm.prank(caller);
        try escrow.releaseWithAttestation(_terms[id], id, index, att, signerSet, sigs) {
            if (caller != _terms[id].payer && caller != _terms[id].payee) ++ghostInlineByThirdParty;
            _bookVerdict(id, index, before, att);
        } catch (bytes memory reason) {
            if (bytes4(reason) == Errors.RiskOracle_Superseded.selector) ++ghostSupersededRefusals;
        }
        _sync();
    }

    /// @dev Push: posts a verdict issued up to 300 s ago, then anyone applies what is posted.
    function postAndRelease(uint256 idSeed, uint256 indexSeed, uint256 scoreSeed, uint256 ageSeed, uint256 callerSeed)
        external
    {
        (bool ok, uint256 id, uint256 index) = _pick(idSeed, indexSeed);
        if (!ok) return;
        _post(id, index, uint16(bound(scoreSeed, 0, 10_000)), bound(ageSeed, 0, 300));
        Escrow.Milestone memory before = escrow.getMilestone(_terms[id], id, index);
        vm.prank(_caller(callerSeed));
        try escrow.release(_terms[id], id, index) {
            _bookVerdict(id, index, before, _postedAtt[id][index]);
        } catch { }
        _sync();
    }

    /// @dev Push only: a verdict posted and not (yet) applied; it supersedes older verdicts on every path.
    function postOnly(uint256 idSeed, uint256 indexSeed, uint256 scoreSeed, uint256 ageSeed) external {
        (bool ok, uint256 id, uint256 index) = _pick(idSeed, indexSeed);
        if (!ok) return;
        _post(id, index, uint16(bound(scoreSeed, 0, 10_000)), bound(ageSeed, 0, 300));
        _sync();
    }

    /// @dev The guardian revokes the posted verdict, the held one, or a fresh (possibly newer) unposted one.
    function revoke(uint256 idSeed, uint256 indexSeed, uint256 which, uint256 ageSeed) external {
        (bool ok, uint256 id, uint256 index) = _pick(idSeed, indexSeed);
        if (!ok) return;
        Attestation.RiskAttestation memory att;
        which %= 3;
        if (which == 0) att = _postedAtt[id][index];
        else if (which == 1) att = _heldAtt[id][index];
        else att = _attestation(id, index, 0, bound(ageSeed, 0, 300));
        if (att.consumer == address(0)) return;
        try oracle.revokeAttestation(att) {
            ++ghostRevocations;
            bytes32 uid = oracle.hashAttestation(att);
            ghostRevoked[uid] = true;
            // G3: a revocation at least as new as the posted verdict leaves a revoked marker in the slot.
            if (att.issuedAt >= ghostNewestPosted[id][index]) {
                ghostNewestPosted[id][index] = att.issuedAt;
                _postedUid[id][index] = uid;
                _postedRevoked[id][index] = true;
            }
        } catch { }
        _sync();
    }

    /// @dev The owner rotates the signer set (same key, new epoch): posted verdicts and recorded holds of the
    /// previous epoch stop counting.
    function rotateSigners() external {
        oracle.setSigners(signerSet, 1);
        ++ghostEpoch;
        ++ghostRotations;
        _sync();
    }

    /// @dev A party tries to act as the arbiter: create with itself as arbiter, or resolve as payer/payee.
    function partyAsArbiter(uint256 idSeed, uint256 indexSeed, bool asPayer, bool atCreate) external {
        if (atCreate) {
            address payer = payers[idSeed % payers.length];
            address payee = payees[indexSeed % payees.length];
            uint96[] memory amounts = new uint96[](1);
            amounts[0] = 1e6;
            vm.prank(payer);
            try escrow.createEscrow(
                Escrow.CreateParams({
                    payee: payee,
                    token: address(usdc),
                    amounts: amounts,
                    deadline: uint40(block.timestamp + 3 days),
                    arbiter: asPayer ? payer : payee,
                    referrer: address(0)
                })
            ) {
                ++ghostArbiterPartySuccesses;
            } catch { }
        } else {
            (bool ok, uint256 id, uint256 index) = _pick(idSeed, indexSeed);
            if (!ok) return;
            uint256 amount = _terms[id].amounts[index];
            vm.prank(asPayer ? _terms[id].payer : _terms[id].payee);
            try escrow.resolve(_terms[id], id, index, asPayer ? 0 : amount, asPayer ? amount : 0) {
                ++ghostArbiterPartySuccesses;
            } catch { }
        }
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

    function finalizeHold(uint256 idSeed, uint256 indexSeed, uint256 callerSeed) external {
        (bool ok, uint256 id, uint256 index) = _pickHeld(idSeed, indexSeed);
        if (!ok) return;
        Escrow.Milestone memory before = escrow.getMilestone(_terms[id], id, index);
        vm.prank(_caller(callerSeed));
        try escrow.finalizeHold(_terms[id], id, index) {
            ghostPaidToPayee[id] += _terms[id].amounts[index];
            ++ghostFinalized;
            // G4: never before the first Hold's holdUntil, never on a revoked or superseded hold verdict or
            // under another signer-set epoch.
            Attestation.RiskAttestation memory held = _heldAtt[id][index];
            uint64 posted = ghostNewestPosted[id][index];
            bool superseded = posted > held.issuedAt
                || (posted == held.issuedAt && (_postedRevoked[id][index] || _postedScore[id][index] != held.score));
            if (
                block.timestamp < _firstHoldUntil[id][index] || before.holdUntil != _firstHoldUntil[id][index]
                    || ghostRevoked[oracle.hashAttestation(held)] || superseded || _heldEpoch[id][index] != ghostEpoch
                    || before.lastIssuedAt != held.issuedAt
            ) ++ghostHoldViolations;
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
        // Prefer an escrow whose arbitration timeout passed with a Disputed or Frozen milestone (G6.2).
        for (uint256 k; k < next - 1; ++k) {
            uint256 candidate = 1 + (id - 1 + k) % (next - 1);
            if (block.timestamp < uint256(_terms[candidate].deadline) + escrow.ARBITRATION_TIMEOUT()) continue;
            bool open;
            for (uint256 i; i < _terms[candidate].amounts.length; ++i) {
                Escrow.Status st = escrow.getMilestone(_terms[candidate], candidate, i).status;
                if (st == Escrow.Status.Disputed || st == Escrow.Status.Frozen) open = true;
            }
            if (open) {
                id = candidate;
                break;
            }
        }
        uint256 refundable;
        uint96[] memory amounts = _terms[id].amounts;
        // G6.2: Disputed and Frozen milestones too, from deadline + ARBITRATION_TIMEOUT.
        bool timeout = block.timestamp >= uint256(_terms[id].deadline) + escrow.ARBITRATION_TIMEOUT();
        bool arbitrated;
        for (uint256 i; i < amounts.length; ++i) {
            Escrow.Status status = escrow.getMilestone(_terms[id], id, i).status;
            if (status == Escrow.Status.Pending || status == Escrow.Status.Held) refundable += amounts[i];
            if (timeout && (status == Escrow.Status.Disputed || status == Escrow.Status.Frozen)) {
                refundable += amounts[i];
                arbitrated = true;
            }
        }
        try escrow.refund(_terms[id], id) {
            ghostReturnedToPayer[id] += refundable;
            if (arbitrated) ++ghostTimeoutRefunds;
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

    /// @dev 1 s .. 2 days; one time in 8, past the 30-day arbitration timeout.
    function warp(uint256 secondsSeed) external {
        vm.warp(block.timestamp + (secondsSeed % 8 == 0 ? 31 days : bound(secondsSeed, 1, 2 days)));
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

    /// @dev The first Held milestone from the seeds on (any milestone if none is Held).
    function _pickHeld(uint256 idSeed, uint256 indexSeed) internal view returns (bool ok, uint256 id, uint256 index) {
        (ok, id, index) = _pick(idSeed, indexSeed);
        if (!ok) return (ok, id, index);
        uint256 next = escrow.nextEscrowId();
        for (uint256 k; k < next - 1; ++k) {
            uint256 candidate = 1 + (id - 1 + k) % (next - 1);
            for (uint256 i; i < _terms[candidate].amounts.length; ++i) {
                if (escrow.getMilestone(_terms[candidate], candidate, i).status == Escrow.Status.Held) {
                    return (true, candidate, i);
                }
            }
        }
    }

    function _attestation(uint256 id, uint256 index, uint16 score)
        internal
        view
        returns (Attestation.RiskAttestation memory att)
    {
        att = _attestation(id, index, score, 0);
    }

    /// @dev Issued `age` seconds ago (0..300), valid 600 s from its issue.
    function _attestation(uint256 id, uint256 index, uint16 score, uint256 age)
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
            issuedAt: uint64(block.timestamp - age),
            expiresAt: uint64(block.timestamp - age + 600),
            nonce: keccak256(abi.encode(id, index, score, block.timestamp, age, ghostCalls))
        });
    }

    function _sign(uint256 key, Attestation.RiskAttestation memory att) internal view returns (bytes[] memory sigs) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, oracle.hashAttestation(att));
        sigs = new bytes[](1);
        sigs[0] = abi.encodePacked(r, s, v);
    }

    /// @dev Posts `att` (score, age) for the milestone and books the posted slot (G1: one per milestone).
    function _post(uint256 id, uint256 index, uint16 score, uint256 age) internal {
        Attestation.RiskAttestation memory att = _attestation(id, index, score, age);
        try oracle.postAttestation(att, signerSet, _sign(signerKey, att)) returns (bytes32 uid) {
            // Only a strictly newer verdict replaces the slot; after a consumed Release (slot deleted, the
            // milestone terminal) an older one may be stored again: the ghost keeps the newest.
            if (att.issuedAt > ghostNewestPosted[id][index]) {
                ghostNewestPosted[id][index] = att.issuedAt;
                _postedUid[id][index] = uid;
                _postedScore[id][index] = att.score;
                _postedRevoked[id][index] = false;
            }
            _postedAtt[id][index] = att;
        } catch { }
    }

    /// @dev Anyone: a payer, a payee, the referrer, the arbiter or a stranger.
    function _caller(uint256 seed) internal view returns (address) {
        uint256 k = seed % 7;
        if (k < 2) return payers[k];
        if (k < 4) return payees[k - 2];
        if (k == 4) return referrer;
        if (k == 5) return arbiter;
        return stranger;
    }

    function _bookVerdict(
        uint256 id,
        uint256 index,
        Escrow.Milestone memory before,
        Attestation.RiskAttestation memory att
    )
        internal
    {
        bytes32 uid = oracle.hashAttestation(att);
        // G2: the applied verdict is newer than the last applied one and not older than the newest posted one
        // (equal only if it is that very verdict, not a revoked marker); it is never a revoked one.
        uint64 posted = ghostNewestPosted[id][index];
        if (
            att.issuedAt <= ghostLastApplied[id][index] || att.issuedAt < posted
                || (posted != 0 && att.issuedAt == posted && (_postedUid[id][index] != uid || _postedRevoked[id][index]))
                || ghostRevoked[uid]
        ) ++ghostStaleApplications;
        ghostLastApplied[id][index] = att.issuedAt;
        Escrow.Milestone memory afterwards = escrow.getMilestone(_terms[id], id, index);
        if (afterwards.status == Escrow.Status.Held) {
            // G4.2: the window runs from the first Hold.
            if (before.status == Escrow.Status.Held) {
                if (afterwards.holdUntil != _firstHoldUntil[id][index]) ++ghostHoldViolations;
            } else {
                _firstHoldUntil[id][index] = afterwards.holdUntil;
            }
            _heldAtt[id][index] = att;
            _heldEpoch[id][index] = ghostEpoch;
        }
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
        // G6.2: refunded once the arbitration timeout passed.
        if (f == Escrow.Status.Frozen || f == Escrow.Status.Disputed) {
            return t == Escrow.Status.Resolved || t == Escrow.Status.Refunded;
        }
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

    /// @notice E7 (gate G2): no milestone ever pays on, or is frozen or held by, a verdict older than the newest one
    /// posted (or revoked) for it or not newer than the last one it applied, whichever path presented it.
    function invariant_NewestVerdictGoverns() external view {
        assertEq(handler.ghostStaleApplications(), 0, "a superseded verdict was applied");
    }

    /// @notice E8 (gate G4): no Held milestone is paid before the holdUntil of its first Hold, nor after its
    /// hold verdict was revoked or superseded or the signer set rotated; a newer Hold never moves holdUntil.
    function invariant_HoldReCheckedAtItsEnd() external view {
        assertEq(handler.ghostHoldViolations(), 0, "hold paid early, moved, or paid on a dead verdict");
    }

    /// @notice E9 (gate G6.1): a party never acts as the arbiter (neither at creation nor by resolving).
    function invariant_ArbiterIsNeverAParty() external view {
        assertEq(handler.ghostArbiterPartySuccesses(), 0, "a party acted as arbiter");
    }

    /// @notice E10 (gate G8): every balance has an exit. From `deadline + ARBITRATION_TIMEOUT` of the latest
    /// escrow, anyone's `refund` settles every milestone still open, every account can then claim its whole
    /// credit to itself once the issuer lifts its blacklist, and the fees can be withdrawn: the escrow ends
    /// holding nothing. Checked on a snapshot, then state and time are put back.
    function invariant_BalanceHasAnExit() external {
        PaymentEscrow escrow = handler.escrow();
        MockUSDC usdc = handler.usdc();
        uint256 next = escrow.nextEscrowId();
        uint256 snapshot = vm.snapshotState();
        uint256 latest = block.timestamp;
        for (uint256 id = 1; id < next; ++id) {
            uint256 end = uint256(handler.termsOf(id).deadline) + escrow.ARBITRATION_TIMEOUT();
            if (end > latest) latest = end;
        }
        vm.warp(latest);
        for (uint256 id = 1; id < next; ++id) {
            Escrow.Terms memory terms = handler.termsOf(id);
            try escrow.refund(terms, id) { } catch { }
            for (uint256 j; j < terms.amounts.length; ++j) {
                assertGe(uint8(escrow.getMilestone(terms, id, j).status), uint8(Escrow.Status.Released), "milestone without exit");
            }
        }
        address[] memory accounts = handler.accounts();
        for (uint256 i; i < accounts.length; ++i) {
            if (usdc.isBlacklisted(accounts[i])) {
                vm.prank(address(handler)); // the token's blacklister
                usdc.unBlacklist(accounts[i]);
            }
            if (escrow.owed(accounts[i], address(usdc)) == 0) continue;
            vm.prank(accounts[i]);
            escrow.claim(address(usdc), accounts[i]);
        }
        if (escrow.accruedFees(address(usdc)) != 0) escrow.withdrawFees(address(usdc));
        assertEq(usdc.balanceOf(address(escrow)), 0, "balance left without exit");
        vm.revertToState(snapshot);
    }

    /// @notice E5: each attestation is applied at most once (replays revert).
    function invariant_AttestationUsedOnce() external view {
        assertEq(handler.ghostReplaySuccesses(), 0, "replayed attestation accepted");
        assertEq(handler.ghostUidReuses(), 0, "attestation uid applied twice");
    }
}
