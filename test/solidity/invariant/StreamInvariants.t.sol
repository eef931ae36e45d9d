// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import { MockUSDC } from "../../../contracts/mocks/MockUSDC.sol";
import { PaymentStream } from "../../../contracts/PaymentStream.sol";
import { RiskOracle } from "../../../contracts/RiskOracle.sol";
import { IRiskOracle } from "../../../contracts/interfaces/IRiskOracle.sol";
import { Attestation } from "../../../contracts/types/Attestation.sol";
import { Stream } from "../../../contracts/types/Stream.sol";
import { DecimalsToken } from "../PaymentStream.t.sol";
import { InvariantTest } from "../utils/Test.sol";
import { Vm } from "../utils/Vm.sol";

/// @notice Drives PaymentStream through random sequences of creates (both shapes, both tokens, with and
/// without referrals and budgets), top-ups, withdrawals (plain, max, attested with every decision, posted and
/// inline for the same seq in random `issuedAt` order, by the recipient, its operator or a third party,
/// replays), hold finalization and disputes, revocations, pauses, restarts, refunds, cancels, arbiter actions,
/// creates naming the arbiter as a party, blacklisting and time; keeps the ghost books.
/// Every call is wrapped in try/catch: a revert is a legal outcome, only state after success is booked.
contract StreamHandler {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    uint256 internal constant MAX_STREAMS = 20;

    PaymentStream public stream;
    RiskOracle public oracle;
    MockUSDC public usdc;
    DecimalsToken public dai;

    uint256 internal signerKey;
    address[] internal signerSet;
    address public arbiter;
    address public affiliate;
    address public outsider;
    address public operator; // approved by recipients[2] only
    address[] public recipients; // 0: broker-fee referral, 1: sender-paid referral (named at creation), 2: none

    // Gate-rule ghosts (each must stay 0).
    uint256 public ghostOutsiderSpends; // G5: a Release/Hold applied for a caller neither recipient nor operator
    uint256 public ghostStaleApplied; // G7: a verdict applied that was not strictly newer than the last one
    uint256 public ghostHeldMovedEarly; // G4: held funds moved before holdUntil (or by a Hold verdict itself)
    uint256 public ghostArbiterParty; // G6.1: a stream created with the arbiter as sender or recipient
    uint256 public ghostIssuedAtDecreases; // G7: a stream's last applied issuedAt went down
    uint256 public ghostHoldsRecorded;
    uint256 public ghostHoldsFinalized;
    uint256 public ghostOutsiderFreezes;
    mapping(uint256 streamId => uint64) public ghostLastIssuedAt;

    uint256 public ghostCommissionMismatches;
    uint256 public ghostReplaySuccesses;
    uint256 public ghostStreamedDecreases;
    uint256 public ghostCalls;
    uint256 public ghostWithdrawals;
    uint256 public ghostAttested;
    mapping(uint256 streamId => uint128) public ghostLastStreamed;

    Attestation.RiskAttestation internal _lastAtt;
    bytes[] internal _lastSigs;
    uint256 internal _lastAttStream;
    uint256 internal _lastHeldStream;

    constructor() {
        address signer;
        (signer, signerKey) = _makeAddrAndKey("stream-invariant-signer");
        signerSet.push(signer);
        oracle = new RiskOracle(address(this), signerSet, 1, address(this), 1 days);
        arbiter = _makeAddr("arbiter");
        affiliate = _makeAddr("affiliate");
        stream = new PaymentStream(IRiskOracle(address(oracle)), address(this), arbiter);
        oracle.setPolicy(
            address(stream), Attestation.Policy({ allowBelow: 3000, freezeAt: 8000, holdWindow: 600, enabled: true })
        );
        usdc = new MockUSDC(address(this));
        dai = new DecimalsToken(18);
        stream.allowToken(address(usdc));
        stream.allowToken(address(dai));
        usdc.mint(address(this), 1e30);
        dai.mint(address(this), 1e40);
        usdc.approve(address(stream), type(uint256).max);
        dai.approve(address(stream), type(uint256).max);
        for (uint256 i; i < 3; ++i) {
            recipients.push(_makeAddr(string(abi.encodePacked("recipient-", i))));
        }
        stream.createPlan(_plan(Stream.CommissionKind.VolumeTiered, Stream.CommissionPayer.Recipient));
        stream.createPlan(_plan(Stream.CommissionKind.TimeTiered, Stream.CommissionPayer.Sender));
        vm.prank(recipients[0]);
        stream.setReferral(affiliate, 1);
        outsider = _makeAddr("outsider");
        operator = _makeAddr("operator");
        vm.prank(recipients[2]);
        stream.setOperator(operator, true);
    }

    /// @dev recipients[1]'s streams pay the affiliate from the sender's budget (G10: named by the sender).
    function _referral(address recipient, uint96 budget) internal view returns (address, uint32, uint96) {
        if (recipient == recipients[1]) return (affiliate, 2, budget);
        return (address(0), 0, 0);
    }

    /*//////////////////////////////////////////////////////////////////////////
                                      ACTIONS
    //////////////////////////////////////////////////////////////////////////*/

    function createLinear(
        uint256 recipientSeed,
        bool useDai,
        uint96 deposit,
        uint32 duration,
        uint32 cliffSeed,
        uint40 allowance,
        uint96 budget
    )
        external
    {
        if (stream.nextStreamId() > MAX_STREAMS) return;
        ++ghostCalls;
        uint256 unit = useDai ? 1e18 : 1e6;
        deposit = uint96(_bound(deposit, 1, 1e9 * unit));
        duration = uint32(_bound(duration, 2, 400 days));
        uint32 start = uint32(block.timestamp);
        uint32 cliff = cliffSeed % 3 == 0 ? start + uint32(_bound(cliffSeed, 1, duration - 1)) : 0;
        Stream.CreateLinear memory p = Stream.CreateLinear({
            recipient: recipients[recipientSeed % 3],
            token: useDai ? address(dai) : address(usdc),
            deposit: deposit,
            startTime: start,
            cliffTime: cliff,
            endTime: start + duration,
            cliffAmount: cliff == 0 ? 0 : deposit / 4,
            cancelable: cliffSeed % 2 == 0,
            unattestedAllowance: uint40(_bound(allowance, 0, 1e6)),
            referralBudget: 0,
            affiliate: address(0),
            planId: 0
        });
        (p.affiliate, p.planId, p.referralBudget) = _referral(p.recipient, uint96(_bound(budget, 0, deposit / 2)));
        try stream.createLinear(p) returns (uint256) { } catch { }
    }

    function createOpen(uint256 recipientSeed, bool useDai, uint64 rate, uint96 deposit, uint40 allowance) external {
        if (stream.nextStreamId() > MAX_STREAMS) return;
        ++ghostCalls;
        uint256 unit = useDai ? 1e18 : 1e6;
        (address aff, uint32 planId, uint96 bud) =
            _referral(recipients[recipientSeed % 3], uint96(_bound(deposit, 0, 1e3 * unit)));
        try stream.createOpen(
            Stream.CreateOpen({
                recipient: recipients[recipientSeed % 3],
                token: useDai ? address(dai) : address(usdc),
                ratePerSecond: uint64(_bound(rate, 1, 1e18)),
                deposit: uint96(_bound(deposit, 0, 1e7 * unit)),
                unattestedAllowance: uint40(_bound(allowance, 0, 1e6)),
                referralBudget: bud,
                affiliate: aff,
                planId: planId
            })
        ) returns (uint256) { } catch { }
    }

    function topUp(uint256 idSeed, uint96 amount) external {
        (bool ok, uint256 id) = _pick(idSeed);
        if (!ok) return;
        ++ghostCalls;
        try stream.deposit(id, uint96(_bound(amount, 1, 1e24))) { } catch { }
        _sync();
    }

    function withdraw(uint256 idSeed, uint128 amount, bool max) external {
        (bool ok, uint256 id) = _pick(idSeed);
        if (!ok) return;
        ++ghostCalls;
        Book memory b = _book(id);
        Stream.Data memory s = stream.getStream(id);
        vm.prank(s.recipient);
        if (max) {
            try stream.withdrawMax(id, s.recipient) { _check(id, b); } catch { }
        } else {
            try stream.withdraw(id, s.recipient, uint128(_bound(amount, 1, 1e24))) { _check(id, b); } catch { }
        }
        _sync();
    }

    /// @dev A verdict for the stream's current seq, issued `back` seconds ago (random order across calls), presented
    /// inline or posted first, by the recipient, the recipient's operator (if any) or a third party.
    function withdrawAttested(
        uint256 idSeed,
        uint16 score,
        uint128 amount,
        uint8 back,
        bool posted,
        uint8 callerSeed
    )
        external
    {
        (bool ok, uint256 id) = _pick(idSeed);
        if (!ok) return;
        ++ghostCalls;
        (Attestation.RiskAttestation memory att, bytes[] memory sigs) = _attest(id, score, back % 121);
        uint128 cap = uint128(att.amount);
        if (posted) {
            try oracle.postAttestation(att, signerSet, sigs) { } catch { }
        }
        _tryAttested(id, uint128(_bound(amount, 1, cap == 0 ? 1 : cap)), att, sigs, posted, callerSeed % 3);
        _sync();
    }

    function _attest(
        uint256 id,
        uint16 score,
        uint256 back
    )
        internal
        view
        returns (Attestation.RiskAttestation memory att, bytes[] memory sigs)
    {
        Stream.Amounts memory a = stream.amountsOf(id);
        Stream.Data memory s = stream.getStream(id);
        att = Attestation.RiskAttestation({
            consumer: address(stream),
            subject: a.subject,
            payer: s.sender,
            payee: s.recipient,
            token: a.token,
            amount: a.withdrawable == 0 ? 1 : a.withdrawable,
            score: uint16(_bound(score, 0, 10_000)),
            reasons: 0,
            modelId: keccak256("model"),
            issuedAt: uint64(block.timestamp - back),
            expiresAt: uint64(block.timestamp + 3600),
            nonce: keccak256(abi.encode(id, ghostCalls))
        });
        (uint8 v, bytes32 r, bytes32 sg) = vm.sign(signerKey, oracle.hashAttestation(att));
        sigs = new bytes[](1);
        sigs[0] = abi.encodePacked(r, sg, v);
    }

    function _tryAttested(
        uint256 id,
        uint128 amount,
        Attestation.RiskAttestation memory att,
        bytes[] memory sigs,
        bool posted,
        uint256 callerKind
    )
        internal
    {
        Book memory b = _book(id);
        Stream.Data memory before = stream.getStream(id);
        Stream.Gate memory gBefore = stream.gateOf(id);
        address caller = callerKind == 0 ? b.recipient : callerKind == 1 ? operator : outsider;
        bool entitled = caller == b.recipient || stream.isOperator(b.recipient, caller);
        vm.prank(caller);
        bool success;
        if (posted) {
            try stream.withdrawWithPosted(id, b.recipient, amount, att.amount) { success = true; } catch { }
        } else {
            try stream.withdrawWithAttestation(id, b.recipient, amount, att, signerSet, sigs) { success = true; } catch { }
        }
        if (!success) return;
        Stream.Data memory s = stream.getStream(id);
        Stream.Gate memory g = stream.gateOf(id);
        bool froze = s.flags & Stream.FLAG_FROZEN != 0 && before.flags & Stream.FLAG_FROZEN == 0;
        // G7: whatever it decided, the applied verdict is strictly newer than the last one the stream applied
        // (posted: the oracle's slot may hold another verdict than `att` when the post was refused).
        if (g.lastIssuedAt <= gBefore.lastIssuedAt) ++ghostStaleApplied;
        if (!posted && g.lastIssuedAt != att.issuedAt) ++ghostStaleApplied;
        // G5: a third party's verdict only ever freezes.
        if (!entitled) {
            if (froze) ++ghostOutsiderFreezes;
            else ++ghostOutsiderSpends;
        }
        if (g.holdUntil != 0) {
            ++ghostHoldsRecorded;
            _lastHeldStream = id;
            // G4: a Hold moves nothing.
            if (s.withdrawn != before.withdrawn) ++ghostHeldMovedEarly;
            return;
        }
        if (!froze) {
            ++ghostAttested;
            _lastAtt = att;
            _lastSigs = sigs;
            _lastAttStream = id;
            _check(id, b);
        }
    }

    /// @dev G4: the recipient (or its operator) finalizes a recorded hold; succeeds only after `holdUntil`.
    function finalizeHold(uint256 idSeed, uint128 amount, bool asOperator) external {
        (bool ok, uint256 id) = _pick(idSeed);
        if (!ok) return;
        // Mostly the stream that recorded the last hold, so finalization is exercised.
        if (_lastHeldStream != 0 && idSeed % 4 != 0) id = _lastHeldStream;
        ++ghostCalls;
        Book memory b = _book(id);
        Stream.Gate memory g = stream.gateOf(id);
        uint128 max = stream.amountsOf(id).withdrawable;
        if (g.holdCap < max) max = g.holdCap;
        vm.prank(asOperator && b.recipient == recipients[2] ? operator : b.recipient);
        try stream.finalizeHold(id, b.recipient, uint128(_bound(amount, 1, max == 0 ? 1 : max))) {
            ++ghostHoldsFinalized;
            if (g.holdUntil == 0 || block.timestamp < g.holdUntil) ++ghostHeldMovedEarly;
            _check(id, b);
        } catch { }
        _sync();
    }

    /// @dev G4.3: the sender disputes a recorded hold (only within its window).
    function disputeHold(uint256 idSeed) external {
        (bool ok, uint256 id) = _pick(idSeed);
        if (!ok) return;
        ++ghostCalls;
        Stream.Gate memory g = stream.gateOf(id);
        vm.prank(stream.getStream(id).sender);
        try stream.disputeHold(id) {
            if (g.holdUntil == 0 || block.timestamp >= g.holdUntil) ++ghostHeldMovedEarly;
        } catch { }
        _sync();
    }

    /// @dev G3: the oracle owner revokes the last applied attestation (a later finalize or replay must fail).
    function revokeLast() external {
        if (_lastAttStream == 0) return;
        ++ghostCalls;
        try oracle.revokeAttestation(_lastAtt) { } catch { }
    }

    /// @dev G6.1: creates naming the arbiter as sender or recipient never succeed.
    function createWithArbiter(bool asSender) external {
        ++ghostCalls;
        Stream.CreateOpen memory p = Stream.CreateOpen({
            recipient: asSender ? recipients[2] : arbiter,
            token: address(usdc),
            ratePerSecond: 1,
            deposit: 0,
            unattestedAllowance: 0,
            referralBudget: 0,
            affiliate: address(0),
            planId: 0
        });
        if (asSender) vm.prank(arbiter);
        try stream.createOpen(p) {
            ++ghostArbiterParty;
        } catch { }
    }

    function replayLast(uint128 amount) external {
        if (_lastAttStream == 0) return;
        ++ghostCalls;
        vm.prank(_lastAtt.payee);
        try stream.withdrawWithAttestation(_lastAttStream, _lastAtt.payee, uint128(_bound(amount, 1, 1e6)), _lastAtt, signerSet, _lastSigs) {
            ++ghostReplaySuccesses;
        } catch { }
        _sync();
    }

    function pause(uint256 idSeed) external {
        (bool ok, uint256 id) = _pick(idSeed);
        if (!ok) return;
        ++ghostCalls;
        try stream.pause(id) { } catch { }
        _sync();
    }

    function restart(uint256 idSeed) external {
        (bool ok, uint256 id) = _pick(idSeed);
        if (!ok) return;
        ++ghostCalls;
        try stream.restart(id) { } catch { }
        _sync();
    }

    function refund(uint256 idSeed, uint128 amount) external {
        (bool ok, uint256 id) = _pick(idSeed);
        if (!ok) return;
        ++ghostCalls;
        uint128 refundable = stream.amountsOf(id).refundable;
        if (refundable == 0) return;
        try stream.refund(id, uint128(_bound(amount, 1, refundable))) { } catch { }
        _sync();
    }

    function cancel(uint256 idSeed, bool asArbiter) external {
        (bool ok, uint256 id) = _pick(idSeed);
        if (!ok) return;
        ++ghostCalls;
        // The handler is every stream's sender; a frozen stream's sender cancel needs ARBITRATION_TIMEOUT (G6.2).
        if (asArbiter) vm.prank(arbiter);
        try stream.cancel(id) { } catch { }
        _sync();
    }

    function clearFreeze(uint256 idSeed) external {
        (bool ok, uint256 id) = _pick(idSeed);
        if (!ok) return;
        ++ghostCalls;
        vm.prank(arbiter);
        try stream.clearFreeze(id) { } catch { }
        _sync();
    }

    function refundBudget(uint256 idSeed) external {
        (bool ok, uint256 id) = _pick(idSeed);
        if (!ok) return;
        ++ghostCalls;
        try stream.refundReferralBudget(id) { } catch { }
        _sync();
    }

    function toggleBlacklist(uint256 recipientSeed) external {
        ++ghostCalls;
        address account = recipients[recipientSeed % 3];
        if (usdc.isBlacklisted(account)) usdc.unBlacklist(account);
        else usdc.blacklist(account);
    }

    function claim(bool useDai) external {
        ++ghostCalls;
        vm.prank(affiliate);
        try stream.claim(useDai ? address(dai) : address(usdc), affiliate) { } catch { }
    }

    function warp(uint32 secondsSeed) external {
        ++ghostCalls;
        vm.warp(block.timestamp + _bound(secondsSeed, 1, 30 days));
        _sync();
    }

    /*//////////////////////////////////////////////////////////////////////////
                                      HELPERS
    //////////////////////////////////////////////////////////////////////////*/

    struct Book {
        uint256 recipientBalance;
        uint128 affiliateCredit;
        uint128 withdrawn;
        uint128 budget;
        address token;
        address recipient;
    }

    function _book(uint256 id) internal view returns (Book memory b) {
        Stream.Data memory s = stream.getStream(id);
        Stream.Amounts memory a = stream.amountsOf(id);
        b.token = a.token;
        b.recipient = s.recipient;
        b.recipientBalance = MockUSDC(a.token).balanceOf(s.recipient);
        b.affiliateCredit = stream.accountOf(affiliate, a.token).credit;
        b.withdrawn = s.withdrawn;
        b.budget = a.referralBudget;
    }

    /// @dev commission + net == gross (broker fee), or net == gross and commission == budget spent (sender pays).
    function _check(uint256 id, Book memory b) internal {
        Book memory n = _book(id);
        uint256 gross = n.withdrawn - b.withdrawn;
        uint256 net = n.recipientBalance - b.recipientBalance;
        uint256 commission = n.affiliateCredit - b.affiliateCredit;
        bool ok;
        if (b.recipient == recipients[1]) ok = net == gross && commission == b.budget - n.budget;
        else ok = net + commission == gross && commission * 2 <= gross;
        if (!ok) ++ghostCommissionMismatches;
        ++ghostWithdrawals;
    }

    /// @dev Streamed never decreases (it stays constant while frozen, paused or canceled); neither does a
    /// stream's last applied `issuedAt` (G7).
    function _sync() internal {
        uint256 next = stream.nextStreamId();
        for (uint256 id = 1; id < next; ++id) {
            uint128 streamed = stream.amountsOf(id).streamed;
            if (streamed < ghostLastStreamed[id]) ++ghostStreamedDecreases;
            ghostLastStreamed[id] = streamed;
            uint64 last = stream.gateOf(id).lastIssuedAt;
            if (last < ghostLastIssuedAt[id]) ++ghostIssuedAtDecreases;
            ghostLastIssuedAt[id] = last;
        }
    }

    function accounts() external view returns (address[] memory list) {
        list = new address[](5);
        list[0] = recipients[0];
        list[1] = recipients[1];
        list[2] = recipients[2];
        list[3] = affiliate;
        list[4] = address(this);
    }

    function _plan(Stream.CommissionKind kind, Stream.CommissionPayer payer) internal pure returns (Stream.Plan memory) {
        return Stream.Plan({
            kind: kind,
            payer: payer,
            bps0: 1000,
            bps1: 2000,
            bps2: 3000,
            bps3: 4000,
            tierDuration: 30 days,
            tier1: 100,
            tier2: 1000,
            tier3: 10_000
        });
    }

    function _pick(uint256 idSeed) internal view returns (bool, uint256) {
        uint256 next = stream.nextStreamId();
        if (next == 1) return (false, 0);
        return (true, 1 + idSeed % (next - 1));
    }

    function _bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        if (x >= min && x <= max) return x;
        return min + (x % (max - min + 1));
    }

    function _makeAddrAndKey(string memory name) internal pure returns (address account, uint256 key) {
        key = uint256(keccak256(abi.encodePacked(name)));
        account = vm.addr(key);
    }

    function _makeAddr(string memory name) internal pure returns (address account) {
        (account,) = _makeAddrAndKey(name);
    }
}

/// @notice Handler-driven invariants of PaymentStream (prose in test/invariant/README.md, "Streams").
contract StreamInvariantsTest is InvariantTest {
    StreamHandler internal handler;

    function setUp() public {
        vm.warp(1_700_000_000);
        handler = new StreamHandler();
        targetContract(address(handler));
    }

    /// @notice S1: linear: deposited >= streamed >= withdrawn; open-ended: streamed >= withdrawn and
    /// deposited >= withdrawn (the streamed excess over the balance is debt).
    function invariant_DepositedGeStreamedGeWithdrawn() external view {
        PaymentStream stream = handler.stream();
        uint256 next = stream.nextStreamId();
        for (uint256 id = 1; id < next; ++id) {
            Stream.Data memory s = stream.getStream(id);
            uint128 streamed = stream.amountsOf(id).streamed;
            assertGe(streamed, s.withdrawn, "withdrawn > streamed");
            assertGe(s.deposited, s.withdrawn, "withdrawn > deposited");
            if (s.flags & Stream.FLAG_OPEN == 0) assertGe(s.deposited, streamed, "streamed > deposited");
        }
    }

    /// @notice S2: the contract's balance of each token equals what it owes: stream balances
    /// (deposited - withdrawn) + referral budgets + pull balances.
    function invariant_BalanceEqualsOwed() external view {
        PaymentStream stream = handler.stream();
        address[2] memory tokens = [address(handler.usdc()), address(handler.dai())];
        address[] memory accounts = handler.accounts();
        for (uint256 k; k < 2; ++k) {
            uint256 owed;
            uint256 next = stream.nextStreamId();
            for (uint256 id = 1; id < next; ++id) {
                Stream.Amounts memory a = stream.amountsOf(id);
                if (a.token != tokens[k]) continue;
                Stream.Data memory s = stream.getStream(id);
                owed += uint256(s.deposited) - s.withdrawn + a.referralBudget;
            }
            for (uint256 i; i < accounts.length; ++i) owed += stream.accountOf(accounts[i], tokens[k]).credit;
            assertEq(MockUSDC(tokens[k]).balanceOf(address(stream)), owed, "balance != owed");
        }
    }

    /// @notice S3: the streamed amount of a stream never decreases (constant while frozen).
    function invariant_StreamedNeverDecreases() external view {
        assertEq(handler.ghostStreamedDecreases(), 0, "streamed decreased");
    }

    /// @notice S4: at every withdrawal, commission + net == gross (broker fee, <= 50%), or net == gross and
    /// the commission equals the budget spent (sender pays).
    function invariant_CommissionPlusNetEqualsGross() external view {
        assertEq(handler.ghostCommissionMismatches(), 0, "commission + net != gross");
    }

    /// @notice S5: each attestation is used once: a replay never succeeds.
    function invariant_AttestationUsedOnce() external view {
        assertEq(handler.ghostReplaySuccesses(), 0, "attestation replayed");
    }

    /// @notice S6 (G5): a Release or Hold presented by anyone but the recipient or its operator never applies;
    /// a third party's verdict only ever freezes.
    function invariant_G5_OnlyRecipientOrOperatorSpends() external view {
        assertEq(handler.ghostOutsiderSpends(), 0, "third party spent a Release/Hold");
    }

    /// @notice S7 (G7): every verdict a stream applies is strictly newer than the last one it applied, whatever
    /// the seq and the path; the recorded `issuedAt` never decreases.
    function invariant_G7_IssuedAtStrictlyIncreasing() external view {
        assertEq(handler.ghostStaleApplied(), 0, "stale verdict applied");
        assertEq(handler.ghostIssuedAtDecreases(), 0, "lastIssuedAt decreased");
    }

    /// @notice S8 (G4): a Hold moves nothing; held funds leave only through `finalizeHold` at or after
    /// `holdUntil`; a dispute happens only within the window.
    function invariant_G4_NoHeldAmountBeforeHoldUntil() external view {
        assertEq(handler.ghostHeldMovedEarly(), 0, "held amount moved early");
    }

    /// @notice S9 (G6.1): no stream has the arbiter as sender or recipient.
    function invariant_G6_ArbiterNeverAParty() external view {
        assertEq(handler.ghostArbiterParty(), 0, "arbiter is a party");
    }
}
