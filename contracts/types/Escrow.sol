// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Namespace for the PaymentEscrow types.
library Escrow {
    /// @notice The state of one milestone. Transitions only move forward:
    /// Pending -> Released | Held | Frozen | Disputed | Refunded;
    /// Held -> Held (a newer Hold verdict) | Released | Frozen | Disputed | Refunded;
    /// Frozen | Disputed -> Resolved. Released, Resolved and Refunded are terminal.
    /// @custom:value None The milestone does not exist.
    /// @custom:value Pending Funded, waiting for a verdict.
    /// @custom:value Held A Hold verdict: releasable by `finalizeHold` once `holdUntil` passed, or by a newer verdict.
    /// @custom:value Frozen A Freeze verdict: only the arbiter can settle it.
    /// @custom:value Disputed A party disputed it: only the arbiter can settle it.
    /// @custom:value Released Paid to the payee (minus fees). Terminal.
    /// @custom:value Resolved Split by the arbiter. Terminal.
    /// @custom:value Refunded Returned to the payer after the deadline. Terminal.
    enum Status {
        None,
        Pending,
        Held,
        Frozen,
        Disputed,
        Released,
        Resolved,
        Refunded
    }

    /// @notice One escrow: who pays whom in what, until when, under which fees.
    /// @dev Storage: 4 slots (5 with a referrer); the release hot path reads slots 0-2 only, and slot 4
    /// only when `referralBps > 0`.
    /// slot 0: payer (160) | deadline (40) | feeBps (16) | referralBps (16) | milestoneCount (8)
    /// slot 1: payee (160)
    /// slot 2: token (160)
    /// slot 3: arbiter (160)
    /// slot 4: referrer (160), written only when non-zero
    struct Deal {
        // slot 0
        address payer;
        uint40 deadline;
        uint16 feeBps;
        uint16 referralBps;
        uint8 milestoneCount;
        // slot 1
        address payee;
        // slot 2
        address token;
        // slot 3
        address arbiter;
        // slot 4
        address referrer;
    }

    /// @notice One milestone of an escrow, in one slot.
    /// @dev slot: amount (96) | status (8) | holdUntil (40) | lastIssuedAt (64) | lastScore (16).
    /// `lastIssuedAt` is the `issuedAt` of the last verdict applied: the replay protection of the subject.
    /// `lastScore` is that verdict's score (reported when a hold is finalized).
    struct Milestone {
        uint96 amount;
        Status status;
        uint40 holdUntil;
        uint64 lastIssuedAt;
        uint16 lastScore;
    }

    /// @notice The terms a payer gives to create an escrow.
    /// @param payee Who is paid on release.
    /// @param token The allow-listed ERC-20 held.
    /// @param amounts One amount per milestone (1..32 milestones, each > 0).
    /// @param deadline After it, unreleased milestones can be refunded and no longer released.
    /// @param arbiter Who resolves disputed and frozen milestones (non-zero).
    /// @param referrer Who earns the referral commission (zero for none).
    struct CreateParams {
        address payee;
        address token;
        uint96[] amounts;
        uint40 deadline;
        address arbiter;
        address referrer;
    }
}
