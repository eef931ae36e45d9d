// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import { Attestation } from "../types/Attestation.sol";
import { Stream } from "../types/Stream.sol";

/// @title IPaymentStream
/// @notice Streams stablecoins by the second, in two shapes:
/// - fixed-term linear: deposit up front, start, optional cliff (+ cliff unlock amount), end; cancelable
///   or not (`renounce` makes it irrevocable);
/// - open-ended: a rate per second (18 decimals), topped up by anyone, paused and restarted by the sender,
///   accruing debt when dry; the sender may refund the unstreamed balance.
///
/// Risk gate. Each stream has an `unattestedAllowance` (whole tokens). A withdrawal that takes the gross
/// amount withdrawn since the last attestation (`sinceAttested`) above it needs a RiskOracle attestation,
/// inline (pull) or posted (push), for:
/// - `consumer` = this contract, `payer` = sender, `payee` = recipient, `token` = the stream's token;
/// - `subject = bytes32((uint256(streamId) << 64) | seq)`, `seq` = how many attestations the stream has used
///   (see `subjectOf`, saturating at 65,535);
/// - `amount` = the cap it covers: the withdrawal must be <= the cap. An attested withdrawal resets
///   `sinceAttested` to 0.
/// Gate rules (docs/gate.md): every applied verdict must be strictly newer than the last one the stream applied
/// (`gateOf(id).lastIssuedAt`, G2/G7); a Freeze may be presented by anyone, a Release or Hold only by the
/// recipient or its operator (G5). Release → the withdrawal proceeds. Hold → recorded ({HoldStream}), nothing
/// moves; the sender may dispute or cancel during the window; after it `finalizeHold` pays up to the held cap if
/// the oracle still holds the verdict current (G4). Freeze → the stream is frozen (accrual stops, nothing is
/// withdrawable) and the call returns 0 without reverting; the arbiter then clears it or cancels it, or after
/// `ARBITRATION_TIMEOUT` the sender may cancel it (G6.2).
///
/// Commission. Bound per stream at creation at the rate that applies then (G10): a recipient's broker
/// (`setReferral`, recipient-paid plans) is carved out of its withdrawals; a sender-paid referral is named by the
/// sender in the create params and paid from the stream's referral budget. Credited to the affiliate's pull
/// balance (`claim`). Every rate is capped at 50%.
///
/// Stablecoin rules: only allow-listed tokens (with at most 18 decimals); every pull is checked by balance
/// difference, so a fee-on-transfer or rebasing token reverts; a transfer to a sender that fails (e.g. a
/// blacklisted sender's refund) is credited to a pull balance instead, so no party can block another;
/// the recipient withdraws to another address only while the token lets the recipient receive (G9).
interface IPaymentStream {
    /*//////////////////////////////////////////////////////////////////////////
                                       EVENTS
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice Emitted when the owner allow-lists a token.
    event AllowToken(address indexed token, uint8 decimals, uint8 index);

    /// @notice Emitted when the owner removes a token from the allow-list for new streams.
    event DisallowToken(address indexed token);

    /// @notice Emitted when the owner names the arbiter of frozen streams.
    event SetArbiter(address indexed previousArbiter, address indexed newArbiter);

    /// @notice Emitted when a linear stream is created.
    event CreateLinearStream(
        uint256 indexed streamId,
        address indexed sender,
        address indexed recipient,
        address token,
        uint96 deposit,
        uint32 startTime,
        uint32 cliffTime,
        uint32 endTime,
        uint96 cliffAmount,
        bool cancelable,
        uint40 unattestedAllowance
    );

    /// @notice Emitted when an open-ended stream is created.
    event CreateOpenStream(
        uint256 indexed streamId,
        address indexed sender,
        address indexed recipient,
        address token,
        uint64 ratePerSecond,
        uint40 unattestedAllowance
    );

    /// @notice Emitted when a referral budget is deposited with a stream.
    event FundReferralBudget(uint256 indexed streamId, uint96 amount);

    /// @notice Emitted when an open-ended stream is topped up (also for a deposit given at creation).
    event DepositStream(uint256 indexed streamId, address indexed funder, uint96 amount);

    /// @notice Emitted at every withdrawal: `gross` leaves the stream, `net` goes to `to`.
    event WithdrawStream(uint256 indexed streamId, address indexed to, uint128 gross, uint128 net);

    /// @notice Emitted when a withdrawal pays a commission, credited to the affiliate's pull balance.
    event PayCommission(
        uint256 indexed streamId,
        address indexed affiliate,
        uint32 indexed planId,
        uint128 gross,
        uint128 commission,
        Stream.CommissionPayer payer
    );

    /// @notice Emitted when a withdrawal uses an attestation (Release, or Hold after its window).
    event UseAttestation(
        uint256 indexed streamId, bytes32 indexed subject, Attestation.Decision decision, uint16 score, uint64 issuedAt
    );

    /// @notice Emitted when a Freeze verdict freezes a stream.
    event FreezeStream(uint256 indexed streamId, bytes32 indexed subject, uint16 score, uint32 reasons);

    /// @notice Emitted when the arbiter clears a frozen stream.
    event ClearFreeze(uint256 indexed streamId, address indexed arbiter);

    /// @notice Emitted when a stream is canceled: `refunded` returns to the sender, `recipientAmount` stays
    /// withdrawable by the recipient.
    event CancelStream(
        uint256 indexed streamId, address indexed caller, uint128 refunded, uint128 recipientAmount
    );

    /// @notice Emitted when the sender makes a linear stream non-cancelable.
    event RenounceStream(uint256 indexed streamId);

    /// @notice Emitted when the sender pauses an open-ended stream.
    event PauseStream(uint256 indexed streamId, uint128 debt);

    /// @notice Emitted when the sender restarts a paused open-ended stream.
    event RestartStream(uint256 indexed streamId, uint64 ratePerSecond);

    /// @notice Emitted when the sender takes back unstreamed balance of an open-ended stream.
    event RefundStream(uint256 indexed streamId, address indexed sender, uint128 amount);

    /// @notice Emitted when an unused referral budget returns to the sender.
    event RefundReferralBudget(uint256 indexed streamId, uint128 amount);

    /// @notice Emitted by `withdrawMultiple` for an item it skipped; `reason` is the full revert data (a custom
    /// error, or a token's `Error(string)` such as "Blacklistable: account is blacklisted"; gate rule G13).
    event SkipWithdraw(uint256 indexed streamId, bytes reason);

    /// @notice Emitted when a Hold verdict is recorded for the stream's current seq (gate rule G4): nothing moves
    /// until `holdUntil`; a newer Hold updates the held verdict and cap but keeps `holdUntil`.
    event HoldStream(uint256 indexed streamId, bytes32 indexed subject, uint32 holdUntil, uint16 score, uint64 issuedAt);

    /// @notice Emitted when the sender disputes a recorded hold during its window: the stream freezes for the
    /// arbiter (G4.3).
    event DisputeStream(uint256 indexed streamId, bytes32 indexed subject, address indexed sender);

    /// @notice Emitted when a recipient approves or revokes an operator for its Release and Hold verdicts (G5).
    event SetOperator(address indexed recipient, address indexed operator, bool approved);

    /// @notice Emitted at creation for each commission the stream will pay, at the rate fixed then (G10).
    event BindCommission(
        uint256 indexed streamId, address indexed affiliate, uint32 indexed planId, uint16 bps, Stream.CommissionPayer payer
    );

    /// @notice Emitted when a commission plan is created.
    event CreatePlan(uint32 indexed planId, address indexed creator, Stream.Plan plan);

    /// @notice Emitted when a recipient names its affiliate.
    event SetReferral(address indexed recipient, address indexed affiliate, uint32 indexed planId);

    /// @notice Emitted when a transfer to `account` failed and the amount was credited to its pull balance.
    event CreditAccount(address indexed account, address indexed token, uint128 amount);

    /// @notice Emitted when an account claims its pull balance.
    event Claim(address indexed account, address indexed token, address to, uint128 amount);

    /*//////////////////////////////////////////////////////////////////////////
                                   READ FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice Who resolves frozen streams.
    function arbiter() external view returns (address);

    /// @notice The id the next stream will get (ids start at 1).
    function nextStreamId() external view returns (uint256);

    /// @notice The id the next plan will get (ids start at 1).
    function nextPlanId() external view returns (uint32);

    /// @notice The allow-list entry of `token` (zero if never allowed).
    function tokenConfigOf(address token) external view returns (Stream.TokenConfig memory);

    /// @notice How long the arbiter has to act on a frozen stream before its sender may cancel it (G6.2).
    function ARBITRATION_TIMEOUT() external view returns (uint256);

    /// @notice The stream's risk-gate state: last applied `issuedAt` and the recorded hold, if any (G2/G4/G7).
    function gateOf(uint256 streamId) external view returns (Stream.Gate memory);

    /// @notice Whether `operator` may present Release and Hold verdicts for `recipient`'s streams (G5).
    function isOperator(address recipient, address operator) external view returns (bool);

    /// @notice The raw stream record. Reverts if it does not exist.
    function getStream(uint256 streamId) external view returns (Stream.Data memory);

    /// @notice Everything computed about a stream at once: streamed, withdrawable (0 while frozen), refundable
    /// (linear: what a cancel would return; open-ended: the unstreamed balance; 0 once canceled), debt
    /// (open-ended: streamed but not covered by the balance), cliff amount, referral budget left, the
    /// allowance in token units (`unattestedAllowance * 10^decimals`), the subject its next attestation must
    /// carry (`(streamId << 64) | seq`), and the token.
    function amountsOf(uint256 streamId) external view returns (Stream.Amounts memory);

    /// @notice The subject the next attestation of this stream must carry: `(streamId << 64) | seq`.
    function subjectOf(uint256 streamId) external view returns (bytes32);

    /// @notice A commission plan. Reverts if it does not exist.
    function planOf(uint32 planId) external view returns (Stream.Plan memory);

    /// @notice The affiliate of `recipient` (zero affiliate if none).
    function referralOf(address recipient) external view returns (Stream.Referral memory);

    /// @notice `account`'s pull balance and referred volume in `token`.
    function accountOf(address account, address token) external view returns (Stream.Account memory);

    /*//////////////////////////////////////////////////////////////////////////
                                  WRITE FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice Allow-lists `token` for new streams.
    /// @dev Emits an {AllowToken} event.
    ///
    /// Requirements:
    /// - Owner only; `token` not already in the table; `decimals() <= 18`; at most 255 tokens.
    function allowToken(address token) external;

    /// @notice Stops new streams in `token`; existing streams keep running and paying out.
    /// @dev Emits a {DisallowToken} event. Requirements: owner only; `token` allowed.
    function disallowToken(address token) external;

    /// @notice Names the arbiter of frozen streams.
    /// @dev Emits a {SetArbiter} event. Requirements: owner only; non-zero.
    function setArbiter(address newArbiter) external;

    /// @notice Creates a linear stream funded by a prior `approve` of `deposit + referralBudget`.
    /// @dev Emits {CreateLinearStream} (and {FundReferralBudget} with a budget).
    ///
    /// Notes:
    /// - The sender is `msg.sender`. If the recipient has an affiliate now, the stream pays commissions.
    ///
    /// Requirements:
    /// - token allowed; recipient non-zero and not this contract; neither sender nor recipient is the arbiter;
    /// - `affiliate` zero with `planId` 0 and no budget, or non-zero with an existing sender-paid plan;
    /// - deposit > 0;
    /// - `startTime < endTime` (startTime 0 = now), `endTime` in the future; a cliff lies strictly between;
    /// - `cliffAmount <= deposit` and non-zero only with a cliff;
    /// - `unattestedAllowance * 10^decimals < 2^88`;
    /// - the contract receives exactly `deposit + referralBudget`.
    /// @return streamId The new stream's id.
    function createLinear(Stream.CreateLinear calldata params) external returns (uint256 streamId);

    /// @notice As `createLinear`, funded in the same call by an EIP-2612 permit or EIP-3009 authorization
    /// for exactly `deposit + referralBudget` from `msg.sender`.
    /// @dev Notes: a permit that fails (e.g. front-run) is ignored if the allowance already suffices.
    function createLinearWithFunding(
        Stream.CreateLinear calldata params,
        Stream.Funding calldata funding
    )
        external
        returns (uint256 streamId);

    /// @notice Creates many linear streams, all or nothing.
    function createLinearBatch(Stream.CreateLinear[] calldata params) external returns (uint256[] memory streamIds);

    /// @notice Creates an open-ended stream, optionally with an initial deposit (approve path).
    /// @dev Emits {CreateOpenStream} (and {DepositStream} / {FundReferralBudget} when funded).
    ///
    /// Requirements:
    /// - token allowed; recipient valid; `ratePerSecond > 0`; allowance fits (as for linear).
    function createOpen(Stream.CreateOpen calldata params) external returns (uint256 streamId);

    /// @notice As `createOpen`, funded by permit or EIP-3009 for exactly `deposit + referralBudget`.
    function createOpenWithFunding(
        Stream.CreateOpen calldata params,
        Stream.Funding calldata funding
    )
        external
        returns (uint256 streamId);

    /// @notice Tops up an open-ended stream (anyone); covers any debt first.
    /// @dev Emits a {DepositStream} event. Requirements: open-ended, not canceled, amount > 0.
    function deposit(uint256 streamId, uint96 amount) external;

    /// @notice Pauses an open-ended stream: accrual stops, debt is kept.
    /// @dev Emits a {PauseStream} event. Requirements: sender; open-ended; not paused, frozen or canceled.
    function pause(uint256 streamId) external;

    /// @notice Restarts a paused open-ended stream at its rate; the debt from before the pause is kept.
    /// @dev Emits a {RestartStream} event. Requirements: sender; open-ended; paused; not frozen or canceled.
    function restart(uint256 streamId) external;

    /// @notice Returns `amount` of an open-ended stream's unstreamed balance to the sender.
    /// @dev Emits a {RefundStream} event. Requirements: sender; open-ended; not frozen;
    /// `0 < amount <= refundableAmountOf`.
    function refund(uint256 streamId, uint128 amount) external;

    /// @notice Makes a linear stream non-cancelable, forever.
    /// @dev Emits a {RenounceStream} event. Requirements: sender; linear; cancelable; not canceled.
    function renounce(uint256 streamId) external;

    /// @notice Cancels a stream: what had accrued stays withdrawable by the recipient, the rest returns to the
    /// sender (credited to its pull balance if the transfer fails), with the referral budget beyond the
    /// commission reserved for what the recipient has not withdrawn yet.
    /// @dev Emits a {CancelStream} event.
    ///
    /// Notes:
    /// - Open-ended: accrual stops; uncovered debt is forgiven.
    /// - A frozen stream is canceled by the arbiter (split at the time it froze; then it unfreezes so the
    ///   recipient can withdraw what had accrued, still under the risk gate), or by the sender once
    ///   `ARBITRATION_TIMEOUT` has passed since the freeze (G6.2): then the recipient's part needs a verdict
    ///   newer than the freeze (the allowance counts as used).
    /// - Seq exhausted (65,535 attestations used, G8): the sender or the arbiter may cancel even a
    ///   non-cancelable stream.
    /// - A stream frozen after its cancel: past `ARBITRATION_TIMEOUT` the sender's `cancel` only lifts the freeze
    ///   ({ClearFreeze}); the recipient's balance then needs a verdict newer than the freeze (G6.2).
    ///
    /// Requirements:
    /// - not canceled; caller is the sender of a cancelable (or seq-exhausted), unfrozen stream, the arbiter of a
    ///   frozen or seq-exhausted one, or the sender of a stream frozen for `ARBITRATION_TIMEOUT`;
    /// - linear: something left to refund (else `PaymentStream_StreamSettled`).
    function cancel(uint256 streamId) external;

    /// @notice The arbiter clears a frozen stream. Linear streams resume their original schedule (the time
    /// frozen catches up); open-ended streams resume accruing from now (the time frozen is not paid).
    /// @dev Emits a {ClearFreeze} event. Requirements: arbiter; frozen.
    function clearFreeze(uint256 streamId) external;

    /// @notice Withdraws `amount` (gross) to `to` without an attestation.
    /// @dev Emits {WithdrawStream} (and {PayCommission} under a referral).
    ///
    /// Requirements:
    /// - the stream exists and is not frozen; `amount > 0` and `<= amountsOf(streamId).withdrawable`;
    /// - `to` is the recipient, unless the caller is the recipient (then any non-zero address the token lets the
    ///   recipient itself receive: a zero-value probe transfer to the recipient must succeed, G9);
    /// - `sinceAttested + amount <= unattested allowance` (else `PaymentStream_AttestationRequired`).
    /// @return net What `to` received (gross minus any broker-fee commission).
    function withdraw(uint256 streamId, address to, uint128 amount) external returns (uint128 net);

    /// @notice Withdraws everything withdrawable (no attestation); the allowance applies.
    function withdrawMax(uint256 streamId, address to) external returns (uint128 net);

    /// @notice Applies the verdict the oracle posted for `subjectOf(streamId)` with amount `cap`, and withdraws on a
    /// Release.
    /// @dev Decisions (gate rules G2, G4, G5, G7):
    /// - the verdict must be newer than the last one the stream applied (`gateOf(id).lastIssuedAt`);
    /// - Freeze (anyone may present it): the stream freezes, {FreezeStream}, returns 0;
    /// - Hold (recipient or operator): recorded with its cap ({HoldStream}), returns 0; the window runs from the
    ///   first Hold of the seq; withdraw after it with `finalizeHold`; a newer Release or Freeze replaces it;
    /// - Release (recipient or operator): {UseAttestation} then as `withdraw`, without the allowance, `amount <= cap`.
    function withdrawWithPosted(
        uint256 streamId,
        address to,
        uint128 amount,
        uint256 cap
    )
        external
        returns (uint128 net);

    /// @notice As `withdrawWithPosted`, against an inline attestation (`att.amount` is the cap) signed by the oracle
    /// set; it must match `subjectOf(streamId)`, sender, recipient, token.
    function withdrawWithAttestation(
        uint256 streamId,
        address to,
        uint128 amount,
        Attestation.RiskAttestation calldata att,
        address[] calldata signerSet,
        bytes[] calldata signatures
    )
        external
        returns (uint128 net);

    /// @notice Withdraws up to the held cap once a recorded hold's window is over (gate rule G4.5).
    /// @dev Emits {UseAttestation} (decision Hold) then as `withdraw`. The oracle re-checks the held verdict
    /// (`IRiskOracle.checkHeld`): it reverts when the oracle is paused, the policy disabled, the signer set
    /// rotated, or the held verdict revoked or superseded by a newer posted one.
    ///
    /// Requirements: recipient or operator; not frozen; a hold recorded (`PaymentStream_NoHold`) and over
    /// (`PaymentStream_HoldActive`); `0 < amount <= held cap` and `<= withdrawable`.
    function finalizeHold(uint256 streamId, address to, uint128 amount) external returns (uint128 net);

    /// @notice The sender disputes a recorded hold during its window: the stream freezes for the arbiter (G4.3).
    /// @dev Emits {DisputeStream}. Requirements: sender; a hold recorded; `block.timestamp < holdUntil`.
    function disputeHold(uint256 streamId) external;

    /// @notice The caller (a recipient) approves or revokes `operator` to present its Release and Hold verdicts
    /// and withdraw to it (G5).
    /// @dev Emits {SetOperator}.
    function setOperator(address operator, bool approved) external;

    /// @notice Withdraws the max of each stream to its recipient, no attestation; an item that fails is
    /// skipped with a {SkipWithdraw} event and never reverts the batch.
    /// @return count How many withdrew.
    function withdrawMultiple(uint256[] calldata streamIds) external returns (uint256 count);

    /// @notice Creates a commission plan (anyone; plans are immutable).
    /// @dev Emits {CreatePlan}. Requirements: every rate <= 50%; volume thresholds strictly ascending.
    function createPlan(Stream.Plan calldata plan) external returns (uint32 planId);

    /// @notice The caller (a recipient) names its broker under a recipient-paid `planId`; permanent. Applies to
    /// streams to the caller created from now on, at the rate fixed when each is created (G10).
    /// @dev Emits {SetReferral}. Requirements: no affiliate yet; affiliate non-zero and not the caller; plan
    /// exists and is recipient-paid (sender-paid referrals are named by the sender at creation).
    function setReferral(address affiliate, uint32 planId) external;

    /// @notice Returns a stream's unused referral budget to its sender, beyond the commission reserved for what
    /// the recipient has not withdrawn yet (G8).
    /// @dev Emits {RefundReferralBudget}. Requirements: sender; canceled, or linear and past its end time;
    /// something to refund.
    function refundReferralBudget(uint256 streamId) external;

    /// @notice Pays the caller's pull balance in `token` (commissions, failed refunds) to `to`.
    /// @dev Emits {Claim}. Requirements: a non-zero balance; `to` non-zero; if `to` is not the caller, the token
    /// accepts a zero-value transfer to the caller (G9, else `PaymentStream_AccountBlocked`).
    function claim(address token, address to) external returns (uint128 amount);
}
