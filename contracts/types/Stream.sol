// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Namespace for the PaymentStream types. Slot comments give the storage packing.
library Stream {
    /*//////////////////////////////////////////////////////////////////////////
                                        FLAGS
    //////////////////////////////////////////////////////////////////////////*/

    /// @dev The stream is open-ended (rate per second); otherwise fixed-term linear.
    uint8 internal constant FLAG_OPEN = 1;
    /// @dev The sender may cancel (linear: until `renounce`; open-ended: always).
    uint8 internal constant FLAG_CANCELABLE = 2;
    /// @dev Canceled: no further accrual; what had accrued stays withdrawable by the recipient.
    uint8 internal constant FLAG_CANCELED = 4;
    /// @dev Open-ended only: paused by the sender, no accrual until `restart`.
    uint8 internal constant FLAG_PAUSED = 8;
    /// @dev Frozen by a high-risk verdict: no accrual, nothing withdrawable, until the arbiter acts.
    uint8 internal constant FLAG_FROZEN = 16;
    /// @dev The recipient had a broker (recipient-paid plan) when the stream was created: withdrawals pay it a
    /// commission carved out of the withdrawal, at the rate fixed then (`Store.recipientPaid`).
    uint8 internal constant FLAG_REFERRAL = 32;
    /// @dev Linear only: a cliff unlock amount is stored in `_cliffAmounts`.
    uint8 internal constant FLAG_CLIFF_AMOUNT = 64;
    /// @dev The sender named an affiliate at creation (gate rule G10): withdrawals pay it from the referral
    /// budget, at the rate fixed then (`Store.senderPaid`).
    uint8 internal constant FLAG_SENDER_REFERRAL = 128;

    /*//////////////////////////////////////////////////////////////////////////
                                       STREAMS
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice One stream, either shape, in three slots.
    /// @dev Times are uint32 seconds (valid until 2106). Amounts are in the token's own units, uint96
    /// (7.9e28 units: 79 billion tokens of 18 decimals). The open-ended rate is in 18 decimals whatever
    /// the token's decimals, so a 6-decimal token streams with 12 extra digits of precision.
    /// @param sender Creator and funder; may cancel, pause, restart and refund.
    /// @param startTime Linear: when streaming starts. Open-ended: the time of the last snapshot.
    /// @param terms Linear: `cliffTime << 32 | endTime` (cliffTime 0 = no cliff). Open-ended: the rate per
    /// second, 18 decimals (max 18.4 tokens per second, 1.59M tokens per day).
    /// @param recipient Who is paid; withdraws to another address only while the token accepts the recipient
    /// (G9); anyone may withdraw to the recipient under the allowance.
    /// @param deposited Linear: the deposit (set to the streamed amount at cancel). Open-ended: net deposits
    /// (top-ups minus refunds), so the balance held for the stream is `deposited - withdrawn`.
    /// @param withdrawn Gross amount withdrawn so far (commission included).
    /// @param sinceAttested Gross amount withdrawn since the last attested withdrawal.
    /// @param unattestedAllowance In whole tokens: the most `sinceAttested` may reach without an attestation.
    /// @param seq How many attestations this stream has used; part of the attestation subject.
    /// @param flags `FLAG_*` bits.
    /// @param tokenIndex Index in the contract's token table (address + decimals).
    struct Data {
        // slot 0
        address sender;
        uint32 startTime;
        uint64 terms;
        // slot 1
        address recipient;
        uint96 deposited;
        // slot 2
        uint96 withdrawn;
        uint88 sinceAttested;
        uint40 unattestedAllowance;
        uint16 seq;
        uint8 flags;
        uint8 tokenIndex;
    }

    /// @notice Parameters of a fixed-term linear stream (the sender is `msg.sender`).
    /// @param recipient Who is paid.
    /// @param token An allow-listed ERC-20.
    /// @param deposit Total streamed from `startTime` to `endTime`.
    /// @param startTime When streaming starts; 0 means now.
    /// @param cliffTime Nothing is withdrawable before it; 0 means no cliff.
    /// @param endTime When everything has streamed.
    /// @param cliffAmount Unlocked at the cliff on top of the linear part (requires a cliff).
    /// @param cancelable Whether the sender may cancel (until `renounce`).
    /// @param unattestedAllowance Whole tokens withdrawable between attestations.
    /// @param referralBudget Extra deposit that pays sender-paid commissions; refunded when unused.
    /// @param affiliate Who the sender pays from the referral budget (G10); zero for none.
    /// @param planId The sender-paid plan (`payer == Sender`) that fixes the affiliate's rate; 0 with no affiliate.
    struct CreateLinear {
        address recipient;
        address token;
        uint96 deposit;
        uint32 startTime;
        uint32 cliffTime;
        uint32 endTime;
        uint96 cliffAmount;
        bool cancelable;
        uint40 unattestedAllowance;
        uint96 referralBudget;
        address affiliate;
        uint32 planId;
    }

    /// @notice Parameters of an open-ended stream (the sender is `msg.sender`).
    /// @param recipient Who is paid.
    /// @param token An allow-listed ERC-20.
    /// @param ratePerSecond 18 decimals per second; use `StreamMath.ratePerSecond` to round it up so a
    /// period pays its exact amount.
    /// @param deposit Optional initial top-up (0 for none).
    /// @param unattestedAllowance Whole tokens withdrawable between attestations.
    /// @param referralBudget Extra deposit that pays sender-paid commissions.
    /// @param affiliate Who the sender pays from the referral budget (G10); zero for none.
    /// @param planId The sender-paid plan that fixes the affiliate's rate; 0 with no affiliate.
    struct CreateOpen {
        address recipient;
        address token;
        uint64 ratePerSecond;
        uint96 deposit;
        uint40 unattestedAllowance;
        uint96 referralBudget;
        address affiliate;
        uint32 planId;
    }

    /// @notice How a create or deposit is funded when not by a prior `approve`.
    /// @custom:value Permit EIP-2612 `permit(owner, this, value, deadline, v, r, s)` then `transferFrom`.
    /// @custom:value Authorization EIP-3009 `receiveWithAuthorization(from, this, value, validAfter,
    /// deadline, nonce, v, r, s)`.
    enum FundingMethod {
        Permit,
        Authorization
    }

    /// @notice A signed funding authorization for the exact amount pulled (deposit + referral budget).
    struct Funding {
        FundingMethod method;
        uint256 validAfter;
        uint256 deadline;
        bytes32 nonce;
        uint8 v;
        bytes32 r;
        bytes32 s;
    }

    /// @notice An allow-listed token.
    /// @dev Slot: token (160) | decimals (8) | index (8) | allowed (8).
    struct TokenConfig {
        address token;
        uint8 decimals;
        uint8 index;
        bool allowed;
    }

    /*//////////////////////////////////////////////////////////////////////////
                                  COMMISSION PLANS
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice How the commission rate is chosen.
    /// @custom:value Flat `bps0` forever.
    /// @custom:value TimeTiered `bps0` until `tierDuration` seconds after the referral, then `bps1`.
    /// @custom:value VolumeTiered `bps0..bps3` by the affiliate's cumulative referred volume in this token,
    /// in whole tokens, against the ascending thresholds `tier1..tier3`.
    enum CommissionKind {
        Flat,
        TimeTiered,
        VolumeTiered
    }

    /// @notice Who pays the commission.
    /// @custom:value Recipient Carved out of the recipient's withdrawal (a broker fee): net = gross - commission.
    /// @custom:value Sender Paid on top from the stream's referral budget: net = gross; when the budget is
    /// exhausted, no commission is paid.
    enum CommissionPayer {
        Recipient,
        Sender
    }

    /// @notice A commission plan; immutable once created. Every rate is capped at `MAX_COMMISSION_BPS` (50%).
    /// @dev One slot: kind (8) | payer (8) | bps0..bps3 (4 x 16) | tierDuration (32) | tier1..tier3 (3 x 48).
    struct Plan {
        CommissionKind kind;
        CommissionPayer payer;
        uint16 bps0;
        uint16 bps1;
        uint16 bps2;
        uint16 bps3;
        uint32 tierDuration;
        uint48 tier1;
        uint48 tier2;
        uint48 tier3;
    }

    /// @notice The affiliate who referred a recipient, under which plan, and when.
    /// @dev Slot: affiliate (160) | planId (32) | referredAt (40).
    struct Referral {
        address affiliate;
        uint32 planId;
        uint40 referredAt;
    }

    /// @notice A stream's commission, bound when the stream is created (G10): who earns it and at which rate.
    /// @dev Slot: affiliate (160) | planId (32) | bps (16) | tiered (8).
    /// @param tiered The plan is volume-tiered: withdrawals add to the (affiliate, recipient) volume.
    struct Commission {
        address affiliate;
        uint32 planId;
        uint16 bps;
        bool tiered;
    }

    /// @notice The risk-gate state of a stream, written only on attested paths (gate rules G2, G4, G7).
    /// @dev Slot: lastIssuedAt (64) | holdUntil (32) | holdEpoch (32) | holdScore (16) | holdCap (96).
    /// @param lastIssuedAt The `issuedAt` of the last verdict the stream applied (Release, Hold or Freeze),
    /// whatever the seq: every later verdict must be strictly newer (G7).
    /// @param holdUntil While a Hold is recorded for the current seq: when its window ends (0 = no hold).
    /// @param holdEpoch The oracle's signer epoch when the hold was recorded (re-checked by `finalizeHold`).
    /// @param holdScore The held verdict's score.
    /// @param holdCap The held verdict's cap (clamped to 2^96 - 1).
    struct Gate {
        uint64 lastIssuedAt;
        uint32 holdUntil;
        uint32 holdEpoch;
        uint16 holdScore;
        uint96 holdCap;
    }

    /// @notice Per account and token: pull balance and (for affiliates) cumulative referred volume.
    /// @dev Slot: credit (128) | volume (128).
    struct Account {
        uint128 credit;
        uint128 volume;
    }

    /*//////////////////////////////////////////////////////////////////////////
                                       STORAGE
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice Every per-stream and per-account mapping of PaymentStream, in one struct so that the linked
    /// `StreamOps` library can act on it (the contract would exceed the 24,576-byte limit otherwise).
    /// @param streams The stream records.
    /// @param snapshots Open-ended: cumulative streamed amount at `startTime`, 18 decimals.
    /// @param frozenAt Linear: when a frozen stream froze.
    /// @param cliffAmounts Linear: the cliff unlock amount (only when `FLAG_CLIFF_AMOUNT`).
    /// @param budgets Referral budget left with a stream.
    /// @param tokenConfigs Allow-list by token address.
    /// @param tokenTable Allow-list by index.
    /// @param plans Commission plans by id.
    /// @param referrals Affiliate of each recipient.
    /// @param accounts Pull balance and referred volume per account and token.
    /// @param gates Risk-gate state per stream (G2/G4/G7).
    /// @param recipientPaid The broker fee of a `FLAG_REFERRAL` stream.
    /// @param senderPaid The sender-named referral of a `FLAG_SENDER_REFERRAL` stream.
    /// @param pairVolumes Gross volume an affiliate earned on one recipient, per token (volume tiers, G10).
    /// @param operators Who a recipient approved to present its Release and Hold verdicts (G5).
    struct Store {
        mapping(uint256 streamId => Data) streams;
        mapping(uint256 streamId => uint256) snapshots;
        mapping(uint256 streamId => uint32) frozenAt;
        mapping(uint256 streamId => uint128) cliffAmounts;
        mapping(uint256 streamId => uint128) budgets;
        mapping(address token => TokenConfig) tokenConfigs;
        mapping(uint256 index => TokenConfig) tokenTable;
        mapping(uint32 planId => Plan) plans;
        mapping(address recipient => Referral) referrals;
        mapping(address account => mapping(address token => Account)) accounts;
        mapping(uint256 streamId => Gate) gates;
        mapping(uint256 streamId => Commission) recipientPaid;
        mapping(uint256 streamId => Commission) senderPaid;
        mapping(address affiliate => mapping(address recipient => mapping(address token => uint256))) pairVolumes;
        mapping(address recipient => mapping(address operator => bool)) operators;
    }

    /// @notice Computed amounts of one stream, in token units (see `IPaymentStream.amountsOf`).
    struct Amounts {
        uint128 streamed;
        uint128 withdrawable;
        uint128 refundable;
        uint128 debt;
        uint128 cliffAmount;
        uint128 referralBudget;
        uint256 unattestedAllowance;
        bytes32 subject;
        address token;
    }
}
