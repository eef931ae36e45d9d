// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Namespace for the risk-attestation types shared by the RiskOracle and every consumer.
library Attestation {
    /// @notice The EIP-712 risk verdict signed by the oracle operators. Field order and types are the
    /// typed-data schema (`RiskAttestation(address consumer,bytes32 subject,...)`): never change them.
    /// @param consumer The contract allowed to act on this verdict.
    /// @param subject The settlement it is about, encoded by the consumer (see each consumer's docs).
    /// @param payer Who pays.
    /// @param payee Who is paid.
    /// @param token The ERC-20 moved.
    /// @param amount The amount moved, in the token's units.
    /// @param score Risk in basis points, 0 (none) .. 10_000 (certain fraud).
    /// @param reasons Bitmask of reason codes (docs/reason-codes.md).
    /// @param modelId Identifies the model that scored it (sha256 of weights + feature schema).
    /// @param issuedAt Not valid before this time (seconds).
    /// @param expiresAt Not valid at or after this time (seconds).
    /// @param nonce Random, makes every attestation unique; its EIP-712 digest is the attestation's uid.
    struct RiskAttestation {
        address consumer;
        bytes32 subject;
        address payer;
        address payee;
        address token;
        uint256 amount;
        uint16 score;
        uint32 reasons;
        bytes32 modelId;
        uint64 issuedAt;
        uint64 expiresAt;
        bytes32 nonce;
    }

    /// @notice What a consumer must do with a settlement under its risk policy.
    /// @custom:value None No usable verdict (never returned by a successful check).
    /// @custom:value Release score < allowBelow: settle at once.
    /// @custom:value Hold allowBelow <= score < freezeAt: settle only after `holdWindow`, payer may dispute.
    /// @custom:value Freeze score >= freezeAt: frozen until the arbiter resolves.
    enum Decision {
        None,
        Release,
        Hold,
        Freeze
    }

    /// @notice A consumer's risk policy, set by the RiskOracle owner.
    /// @dev Slot packing: allowBelow (16) | freezeAt (16) | holdWindow (32) | enabled (8).
    struct Policy {
        uint16 allowBelow;
        uint16 freezeAt;
        uint32 holdWindow;
        bool enabled;
    }

    /// @notice The answer of a check: the decision under the consumer's policy plus what the consumer
    /// records for replay protection (`issuedAt` must grow strictly per subject) and for its events.
    struct Verdict {
        Decision decision;
        uint16 score;
        uint32 reasons;
        uint64 issuedAt;
        uint32 holdWindow;
    }
}
