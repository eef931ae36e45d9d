// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Namespace for the PaymentEscrow types.
library Escrow {
    /// @notice The state of one milestone. Transitions only move forward:
    /// Pending -> Released | Held | Frozen | Disputed | Refunded;
    /// Held -> Held (a newer Hold verdict) | Released | Frozen | Disputed (during the window) | Refunded;
    /// Frozen | Disputed -> Resolved | Refunded (from `deadline + ARBITRATION_TIMEOUT`, gate rule G6.2).
    /// Released, Resolved and Refunded are terminal.
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

    /// @notice The immutable terms of one escrow. Not stored, not even as a hash: the escrow's milestones are
    /// keyed by `keccak256(keccak256(abi.encode(terms)), subject)`, and every call that needs the terms takes
    /// them back in calldata (other terms find no milestone: `PaymentEscrow_TermsMismatch`). Rebuild them from
    /// the `CreateEscrow` event.
    /// @param payer Who funded the escrow (`msg.sender` of the create call); refunds go to it.
    /// @param payee Who is paid on release.
    /// @param token The allow-listed ERC-20 held.
    /// @param arbiter Who resolves disputed and frozen milestones.
    /// @param referrer Who earns the referral commission (zero for none).
    /// @param deadline Releases need `block.timestamp < deadline`; refunds `>= deadline`.
    /// @param feeBps The protocol fee snapshotted at creation.
    /// @param referralBps The referral commission snapshotted at creation (0 without a referrer).
    /// @param amounts One gross amount per milestone (1..32, each > 0).
    struct Terms {
        address payer;
        address payee;
        address token;
        address arbiter;
        address referrer;
        uint40 deadline;
        uint16 feeBps;
        uint16 referralBps;
        uint96[] amounts;
    }

    /// @notice The mutable state of one milestone, in one slot, keyed by `keccak256(termsHash, subject)` with
    /// subject `(escrowId << 16) | index`: status (8) | holdUntil (40) | lastIssuedAt (64) | lastScore (16) |
    /// holdEpoch (32).
    /// @dev Written Pending at creation (so a verdict updates a non-zero slot: 2.9k instead of 20k).
    /// `lastIssuedAt` is the `issuedAt` of the last verdict applied: the replay protection of the subject.
    /// `lastScore` is that verdict's score (reported when a hold is finalized).
    /// `holdEpoch` is, while Held, the oracle's signer-set epoch the Hold was verified under: with `lastIssuedAt`
    /// and `lastScore` it is what `IRiskOracle.checkHeld` re-checks at `finalizeHold` (gate rule G4.5).
    /// `holdUntil` is set by the first Hold only (G4.2).
    struct Milestone {
        Status status;
        uint40 holdUntil;
        uint64 lastIssuedAt;
        uint16 lastScore;
        uint32 holdEpoch;
    }

    /// @notice The terms a payer gives to create an escrow.
    /// @param payee Who is paid on release.
    /// @param token The allow-listed ERC-20 held.
    /// @param amounts One amount per milestone (1..32 milestones, each > 0).
    /// @param deadline After it, unreleased milestones can be refunded and no longer released.
    /// @param arbiter Who resolves disputed and frozen milestones (non-zero, neither the payer nor the payee).
    /// @param referrer Who earns the referral commission (zero for none; else approved by the payee with
    /// `approveReferrer` and not the payer).
    struct CreateParams {
        address payee;
        address token;
        uint96[] amounts;
        uint40 deadline;
        address arbiter;
        address referrer;
    }
}
