// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import { Attestation } from "../types/Attestation.sol";

/// @title IRiskOracle
/// @notice The one registry every Riskgate consumer trusts: a k-of-n set of oracle signers whose EIP-712
/// `RiskAttestation`s gate the release of funds. Two ways in:
/// - push: operators post verified verdicts on-chain (`postAttestation(s)`), the consumer reads them at
///   release with `checkPosted`;
/// - pull: the caller passes attestation + signatures inline and the consumer verifies with `checkInline`.
/// A check never consumes anything: replay protection lives in the consumer's own settlement state
/// (a subject settles once, and the `issuedAt` it accepts grows strictly), so no fresh storage slot is
/// spent per attestation.
///
/// Signatures: the caller passes the oracle's full current signer set (`signers()`, strictly ascending)
/// and, aligned with it, one signature per signer (empty bytes for a signer that did not sign). The
/// oracle compares the set with a hash stored beside the threshold (one SLOAD in total, whatever n),
/// then verifies each non-empty signature: 65-byte ECDSA from an EOA (low-s only), or ERC-1271 from a
/// contract signer. At least `threshold()` must be valid.
interface IRiskOracle {
    /*//////////////////////////////////////////////////////////////////////////
                                       EVENTS
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice Emitted when the owner rotates the signer set; `epoch` grows by one each time.
    event SetSigners(uint32 indexed epoch, address[] signers, uint8 threshold);

    /// @notice Emitted when the owner sets a consumer's risk policy.
    event SetPolicy(address indexed consumer, uint16 allowBelow, uint16 freezeAt, uint32 holdWindow, bool enabled);

    /// @notice Emitted when the owner names the guardian (may pause and revoke, not unpause).
    event SetGuardian(address indexed previousGuardian, address indexed newGuardian);

    /// @notice Emitted when the owner sets the longest allowed `expiresAt - issuedAt`.
    event SetMaxValidity(uint32 maxValidity);

    /// @notice Emitted when the kill switch is engaged: every check reverts until `unpause`.
    event Pause(address indexed account);

    /// @notice Emitted when the owner lifts the kill switch.
    event Unpause(address indexed account);

    /// @notice Emitted when a verified attestation is stored for its consumer.
    event PostAttestation(
        bytes32 indexed uid,
        address indexed consumer,
        bytes32 indexed subject,
        uint16 score,
        uint32 reasons,
        bytes32 modelId,
        uint64 expiresAt
    );

    /// @notice Emitted by the batch form for an item it did not post; `reason` is the custom error selector.
    event SkipAttestation(bytes32 indexed uid, bytes4 reason);

    /// @notice Emitted when the owner or guardian revokes one attestation.
    event RevokeAttestation(bytes32 indexed uid, address indexed consumer, bytes32 indexed subject);

    /*//////////////////////////////////////////////////////////////////////////
                                   READ FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice The EIP-712 domain separator (name "Riskgate", version "1", this chain, this contract).
    function DOMAIN_SEPARATOR() external view returns (bytes32);

    /// @notice The EIP-712 digest of `att`, which is also its uid.
    function hashAttestation(Attestation.RiskAttestation calldata att) external view returns (bytes32 uid);

    /// @notice The current signer set, strictly ascending.
    function signers() external view returns (address[] memory);

    /// @notice How many valid signatures an attestation needs.
    function threshold() external view returns (uint8);

    /// @notice The signer-set configuration epoch (starts at 1, +1 per rotation).
    function epoch() external view returns (uint32);

    /// @notice Whether the kill switch is engaged.
    function paused() external view returns (bool);

    /// @notice The guardian, who may pause and revoke.
    function guardian() external view returns (address);

    /// @notice The longest allowed `expiresAt - issuedAt`, in seconds.
    function maxValidity() external view returns (uint32);

    /// @notice `consumer`'s risk policy.
    function policyOf(address consumer) external view returns (Attestation.Policy memory);

    /// @notice Whether the attestation with this uid was revoked.
    function isRevoked(bytes32 uid) external view returns (bool);

    /// @notice Verifies signatures, time window and revocation of `att`; reverts with a typed error if any
    /// fails. Does not check the consumer, its policy or the pause.
    /// @return uid The attestation's EIP-712 digest.
    function verifyAttestation(
        Attestation.RiskAttestation calldata att,
        address[] calldata signerSet,
        bytes[] calldata signatures
    )
        external
        view
        returns (bytes32 uid);

    /// @notice Pull mode: the consumer (`msg.sender`) checks an inline attestation before it settles.
    /// @dev Requirements:
    /// - not paused; `att.consumer == msg.sender`; the consumer has an enabled policy;
    /// - `issuedAt <= block.timestamp < expiresAt` and `expiresAt - issuedAt <= maxValidity`;
    /// - not revoked; signer set matches; at least `threshold` valid signatures.
    /// Notes: the consumer must itself check subject, payer, payee, token, amount and that `issuedAt` is
    /// newer than the last verdict it accepted for the subject (see `RiskGatedConsumer`).
    function checkInline(
        Attestation.RiskAttestation calldata att,
        address[] calldata signerSet,
        bytes[] calldata signatures
    )
        external
        view
        returns (Attestation.Verdict memory verdict);

    /// @notice Push mode: the consumer (`msg.sender`) reads the verdict posted for one settlement.
    /// @dev Reverts when paused, when no verdict was posted, or when it expired or was revoked.
    function checkPosted(
        bytes32 subject,
        address payer,
        address payee,
        address token,
        uint256 amount
    )
        external
        view
        returns (Attestation.Verdict memory verdict);

    /// @notice Re-checks a Hold the consumer (`msg.sender`) recorded for `subject` (gate rule G4.5): reverts
    /// unless the held verdict is still the current one: not paused, policy enabled, same signer `epoch`, not
    /// revoked and no newer posted verdict (or revoked marker) for `(msg.sender, subject)`.
    function checkHeld(bytes32 subject, uint64 issuedAt, uint16 score, uint32 epoch) external view;

    /*//////////////////////////////////////////////////////////////////////////
                                  WRITE FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice Push mode, settling form: exactly `checkPosted` (same checks, verdict and errors), and when the
    /// decision is Release the posted verdict is deleted (the storage refund lowers the consumer's release by
    /// ~1.9k gas). Only `msg.sender`'s own verdicts can be deleted (the slot is keyed by the consumer).
    /// @dev For a consumer whose Release is final for the settlement and whose own state rejects any verdict
    /// not newer than the one it applied: after the deletion the settlement's slot is empty, so an older
    /// attestation of the same settlement could be posted again and read; only the consumer's state stops it.
    /// No event: the consumer's own settlement event records the use.
    function consumePosted(
        bytes32 subject,
        address payer,
        address payee,
        address token,
        uint256 amount
    )
        external
        returns (Attestation.Verdict memory verdict);

    /// @notice Verifies `att` and stores its verdict for its consumer and settlement, replacing an older one.
    /// @dev Emits a {PostAttestation} event. Reverts if a verdict with the same or a later `issuedAt` is stored.
    function postAttestation(
        Attestation.RiskAttestation calldata att,
        address[] calldata signerSet,
        bytes[] calldata signatures
    )
        external
        returns (bytes32 uid);

    /// @notice Posts many attestations in one transaction; an item that fails is skipped with a
    /// {SkipAttestation} event and never reverts the batch.
    /// @return posted How many were stored.
    function postAttestations(
        Attestation.RiskAttestation[] calldata atts,
        address[] calldata signerSet,
        bytes[][] calldata signatures
    )
        external
        returns (uint256 posted);

    /// @notice Revokes one attestation: inline checks and its posted verdict stop accepting it.
    /// @dev Owner or guardian. Emits a {RevokeAttestation} event.
    function revokeAttestation(Attestation.RiskAttestation calldata att) external;

    /// @notice Engages the kill switch. Owner or guardian. Emits a {Pause} event.
    function pause() external;

    /// @notice Lifts the kill switch. Owner only. Emits an {Unpause} event.
    function unpause() external;

    /// @notice Rotates the signer set. Owner only; `newSigners` strictly ascending, non-zero, at most 32;
    /// `1 <= newThreshold <= newSigners.length`. Emits a {SetSigners} event.
    function setSigners(address[] calldata newSigners, uint8 newThreshold) external;

    /// @notice Sets `consumer`'s policy. Owner only; `allowBelow <= freezeAt <= 10_000`. Emits {SetPolicy}.
    function setPolicy(address consumer, Attestation.Policy calldata policy) external;

    /// @notice Names the guardian. Owner only. Emits {SetGuardian}.
    function setGuardian(address newGuardian) external;

    /// @notice Sets the longest allowed validity. Owner only, non-zero. Emits {SetMaxValidity}.
    function setMaxValidity(uint32 newMaxValidity) external;
}
