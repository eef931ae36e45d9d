// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import { Ownable } from "@openzeppelin/contracts/access/Ownable.sol";
import { Ownable2Step } from "@openzeppelin/contracts/access/Ownable2Step.sol";
import { EIP712 } from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import { SignatureChecker } from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

import { IRiskOracle } from "./interfaces/IRiskOracle.sol";
import { AttestationHash } from "./libraries/AttestationHash.sol";
import { Errors } from "./libraries/Errors.sol";
import { Attestation } from "./types/Attestation.sol";

/// @title RiskOracle
/// @notice See the documentation in {IRiskOracle}.
/// @dev Storage is laid out for the release hot path:
/// - `_config`, one slot: signerSetHash (160) | threshold (8) | signerCount (8) | epoch (32) | paused (8) |
///   maxValidity (32). The signer set itself travels in calldata and is compared with the hash.
/// - `_posted[settlementKey]`, one slot per settlement: score (16) | reasons (32) | issuedAt (64) |
///   expiresAt (64) | revoked (8) | epoch (32) | uid tag (40, the top 40 bits of the uid).
/// - `_policies[consumer]`, one slot (see {Attestation.Policy}).
/// So `checkPosted` reads 3 slots (config, policy, posted) and `checkInline` 3 slots (config, policy,
/// revoked) plus one ecrecover per signature.
///
/// Behaviour beyond the interface text:
/// - A posted verdict counts only under the signer-set epoch that verified it: after `setSigners`,
///   `checkPosted` reverts `RiskOracle_SignerSetRotated` until a verdict signed by the new set is posted
///   (inline attestations signed by a removed signer fail the same way, by the signer-set hash).
/// - `revokeAttestation` of an attestation newer than the verdict posted for its settlement stores a
///   revoked marker there: the settlement has no usable posted verdict until a newer one is posted. So
///   that a fabricated far-future attestation cannot block a settlement for long, revocation is refused
///   for `issuedAt > block.timestamp + maxValidity` (`RiskOracle_RevokeTooEarly`).
/// - Posting is allowed while paused (checks are not); anyone may post a validly signed attestation.
/// - A 65-byte signature with a high `s` is refused even in a contract signer's slot.
contract RiskOracle is IRiskOracle, Ownable2Step, EIP712 {
    /*//////////////////////////////////////////////////////////////////////////
                                     CONSTANTS
    //////////////////////////////////////////////////////////////////////////*/

    /// @dev Scores are basis points.
    uint256 private constant _MAX_SCORE = 10_000;

    /// @dev At most this many signers (bounds the calldata loop and fits `signerCount` in 8 bits).
    uint256 private constant _MAX_SIGNERS = 32;

    /// @dev secp256k1n / 2: a larger `s` is the malleable twin of a valid signature.
    uint256 private constant _HALF_ORDER = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;

    // `_checkSignature` results.
    uint256 private constant _SIG_VALID = 0;
    uint256 private constant _SIG_HIGH_S = 1;
    uint256 private constant _SIG_INVALID = 2;

    // `_config` layout.
    uint256 private constant _SET_HASH_MASK = (1 << 160) - 1;
    uint256 private constant _THRESHOLD_SHIFT = 160;
    uint256 private constant _COUNT_SHIFT = 168;
    uint256 private constant _EPOCH_SHIFT = 176;
    uint256 private constant _PAUSED_SHIFT = 208;
    uint256 private constant _MAX_VALIDITY_SHIFT = 216;
    uint256 private constant _PAUSED_BIT = 1 << _PAUSED_SHIFT;

    // `_policies` slot layout (Solidity's packing of {Attestation.Policy}).
    uint256 private constant _POLICY_FREEZE_AT_SHIFT = 16;
    uint256 private constant _POLICY_HOLD_WINDOW_SHIFT = 32;
    uint256 private constant _POLICY_ENABLED_SHIFT = 64;

    // `_posted` layout.
    uint256 private constant _REASONS_SHIFT = 16;
    uint256 private constant _ISSUED_AT_SHIFT = 48;
    uint256 private constant _EXPIRES_AT_SHIFT = 112;
    uint256 private constant _REVOKED_SHIFT = 176;
    uint256 private constant _POSTED_EPOCH_SHIFT = 184;
    uint256 private constant _REVOKED_BIT = 1 << _REVOKED_SHIFT;
    uint256 private constant _UID_TAG_MASK = ~uint256(0) << 216;

    /*//////////////////////////////////////////////////////////////////////////
                                      STORAGE
    //////////////////////////////////////////////////////////////////////////*/

    /// @dev Packed configuration, see the contract's @dev.
    uint256 private _config;

    /// @dev May pause and revoke, not unpause.
    address private _guardian;

    /// @dev The current signer set, strictly ascending; only read by the `signers()` getter.
    address[] private _signers;

    /// @dev Risk policy per consumer.
    mapping(address consumer => Attestation.Policy policy) private _policies;

    /// @dev Revoked attestation uids (inline path; the posted path keeps the flag in its own slot).
    mapping(bytes32 uid => bool revoked) private _revoked;

    /// @dev Packed posted verdict per settlement key, see the contract's @dev.
    mapping(bytes32 settlementKey => uint256 packed) private _posted;

    /*//////////////////////////////////////////////////////////////////////////
                                    CONSTRUCTOR
    //////////////////////////////////////////////////////////////////////////*/

    /// @param initialOwner Rotates signers, sets policies, unpauses (Ownable2Step).
    /// @param initialSigners Strictly ascending, non-zero, 1..32 signers.
    /// @param initialThreshold Valid signatures needed, 1..initialSigners.length.
    /// @param initialGuardian May pause and revoke; zero for none.
    /// @param initialMaxValidity Longest allowed `expiresAt - issuedAt`, in seconds, non-zero.
    constructor(
        address initialOwner,
        address[] memory initialSigners,
        uint8 initialThreshold,
        address initialGuardian,
        uint32 initialMaxValidity
    )
        Ownable(initialOwner)
        EIP712("Riskgate", "1")
    {
        _setSigners(initialSigners, initialThreshold);
        _setGuardian(initialGuardian);
        _setMaxValidity(initialMaxValidity);
    }

    /*//////////////////////////////////////////////////////////////////////////
                                   READ FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @inheritdoc IRiskOracle
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view override returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @inheritdoc IRiskOracle
    function hashAttestation(Attestation.RiskAttestation calldata att) external view override returns (bytes32 uid) {
        uid = _hashTypedDataV4(AttestationHash.structHash(att));
    }

    /// @inheritdoc IRiskOracle
    function signers() external view override returns (address[] memory) {
        return _signers;
    }

    /// @inheritdoc IRiskOracle
    function threshold() external view override returns (uint8) {
        return uint8(_config >> _THRESHOLD_SHIFT);
    }

    /// @inheritdoc IRiskOracle
    function epoch() external view override returns (uint32) {
        return uint32(_config >> _EPOCH_SHIFT);
    }

    /// @inheritdoc IRiskOracle
    function paused() external view override returns (bool) {
        return _config & _PAUSED_BIT != 0;
    }

    /// @inheritdoc IRiskOracle
    function guardian() external view override returns (address) {
        return _guardian;
    }

    /// @inheritdoc IRiskOracle
    function maxValidity() external view override returns (uint32) {
        return uint32(_config >> _MAX_VALIDITY_SHIFT);
    }

    /// @inheritdoc IRiskOracle
    function policyOf(address consumer) external view override returns (Attestation.Policy memory) {
        return _policies[consumer];
    }

    /// @inheritdoc IRiskOracle
    function isRevoked(bytes32 uid) external view override returns (bool) {
        return _revoked[uid];
    }

    /// @inheritdoc IRiskOracle
    function verifyAttestation(
        Attestation.RiskAttestation calldata att,
        address[] calldata signerSet,
        bytes[] calldata signatures
    )
        external
        view
        override
        returns (bytes32 uid)
    {
        uint256 config = _config;
        _requireSignerSet(config, signerSet);
        (uid,) = _verify(att, signerSet, signatures, config, true);
        _requireNotRevoked(uid);
    }

    /// @inheritdoc IRiskOracle
    function checkInline(
        Attestation.RiskAttestation calldata att,
        address[] calldata signerSet,
        bytes[] calldata signatures
    )
        external
        view
        override
        returns (Attestation.Verdict memory)
    {
        // Checks: kill switch, consumer, policy, then the attestation itself.
        uint256 config = _config;
        if (config & _PAUSED_BIT != 0) revert Errors.RiskOracle_Paused();
        _requireConsumer(att);
        uint256 policy = _enabledPolicy(msg.sender);
        _requireSignerSet(config, signerSet);
        (bytes32 uid,) = _verify(att, signerSet, signatures, config, true);
        _requireNotRevoked(uid);

        // The raw field words: the signatures were verified over exactly these words (see
        // `AttestationHash.structHash`), so a dirty word never gets here and re-validating them buys nothing.
        (uint256 score, uint256 issuedAt,) = _window(att);
        _returnVerdict(policy, uint16(score), _reasons(att), uint64(issuedAt));
    }

    /// @inheritdoc IRiskOracle
    function checkPosted(
        bytes32 subject,
        address payer,
        address payee,
        address token,
        uint256 amount
    )
        external
        view
        override
        returns (Attestation.Verdict memory)
    {
        (uint256 policy, uint256 posted,) = _usablePosted(subject, payer, payee, token, amount);
        _returnVerdict(policy, uint16(posted), uint32(posted >> _REASONS_SHIFT), uint64(posted >> _ISSUED_AT_SHIFT));
    }

    /// @inheritdoc IRiskOracle
    /// @dev MINIMAL STUB added on branch gate-stream only so PaymentStream compiles and its hold tests run: checks
    /// the pause, the consumer's policy and the signer epoch. The lead replaces it with the oracle engineer's
    /// real `checkHeld` (revocation and newer posted verdicts for the subject) when merging.
    function checkHeld(bytes32, uint64, uint16, uint32 heldEpoch) external view override {
        uint256 config = _config;
        if (config & _PAUSED_BIT != 0) revert Errors.RiskOracle_Paused();
        _enabledPolicy(msg.sender);
        uint32 current = uint32(config >> _EPOCH_SHIFT);
        if (current != heldEpoch) revert Errors.RiskOracle_SignerSetRotated(heldEpoch, current);
    }

    /*//////////////////////////////////////////////////////////////////////////
                                  WRITE FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @inheritdoc IRiskOracle
    function consumePosted(
        bytes32 subject,
        address payer,
        address payee,
        address token,
        uint256 amount
    )
        external
        override
        returns (Attestation.Verdict memory)
    {
        // Checks: as `checkPosted`.
        (uint256 policy, uint256 posted, bytes32 key) = _usablePosted(subject, payer, payee, token, amount);
        // Effects: a Release (score < allowBelow, as in `_returnVerdict`) is final for the consumer: free the slot.
        if (uint16(posted) < uint16(policy)) delete _posted[key];
        _returnVerdict(policy, uint16(posted), uint32(posted >> _REASONS_SHIFT), uint64(posted >> _ISSUED_AT_SHIFT));
    }

    /// @inheritdoc IRiskOracle
    function postAttestation(
        Attestation.RiskAttestation calldata att,
        address[] calldata signerSet,
        bytes[] calldata signatures
    )
        external
        override
        returns (bytes32 uid)
    {
        uint256 config = _config;
        _requireSignerSet(config, signerSet);
        (uid,) = _post(att, signerSet, signatures, config, true);
    }

    /// @inheritdoc IRiskOracle
    function postAttestations(
        Attestation.RiskAttestation[] calldata atts,
        address[] calldata signerSet,
        bytes[][] calldata signatures
    )
        external
        override
        returns (uint256 posted)
    {
        // Checks shared by every item: the signer set and one signature list per attestation.
        uint256 config = _config;
        _requireSignerSet(config, signerSet);
        uint256 count = atts.length;
        if (signatures.length != count) revert Errors.RiskOracle_SignatureCountMismatch(count, signatures.length);

        // Each item is isolated: a failure is evented with its error selector and never reverts the batch.
        for (uint256 i; i < count; ++i) {
            (bytes32 uid, bytes4 failure) = _post(atts[i], signerSet, signatures[i], config, false);
            if (failure == bytes4(0)) {
                // Cannot overflow: bounded by `count`.
                unchecked {
                    ++posted;
                }
            } else {
                emit SkipAttestation(uid, failure);
            }
        }
    }

    /// @inheritdoc IRiskOracle
    function revokeAttestation(Attestation.RiskAttestation calldata att) external override {
        _checkOwnerOrGuardian();
        // Checks: a marker far in the future would block the settlement's posted path for that long; an
        // attestation cannot be used before its `issuedAt`, so it can always be revoked in time.
        uint256 latest = block.timestamp + uint32(_config >> _MAX_VALIDITY_SHIFT);
        if (att.issuedAt > latest) revert Errors.RiskOracle_RevokeTooEarly(att.issuedAt, latest);
        bytes32 uid = _hashTypedDataV4(AttestationHash.structHash(att));

        // Effects: the inline path reads `_revoked`; the posted path reads its own slot, which must never
        // accept this uid again. The slot's `issuedAt` only grows, so:
        // - stored older than `att`: `att` could still be posted; store a revoked marker at its `issuedAt`
        //   (this also blocks the older verdict of the same settlement until a newer one is posted);
        // - stored is `att` itself: flag it revoked;
        // - stored newer, or another attestation with the same `issuedAt`: `att` can never be posted.
        _revoked[uid] = true;
        bytes32 key = AttestationHash.settlementKey(att);
        uint256 stored = _posted[key];
        uint64 storedIssuedAt = uint64(stored >> _ISSUED_AT_SHIFT);
        if (att.issuedAt > storedIssuedAt) {
            _posted[key] =
                (uint256(att.issuedAt) << _ISSUED_AT_SHIFT) | _REVOKED_BIT | (uint256(uid) & _UID_TAG_MASK);
        } else if (att.issuedAt == storedIssuedAt && stored & _UID_TAG_MASK == uint256(uid) & _UID_TAG_MASK) {
            _posted[key] = stored | _REVOKED_BIT;
        }
        emit RevokeAttestation(uid, att.consumer, att.subject);
    }

    /// @inheritdoc IRiskOracle
    function pause() external override {
        _checkOwnerOrGuardian();
        _config |= _PAUSED_BIT;
        emit Pause(msg.sender);
    }

    /// @inheritdoc IRiskOracle
    function unpause() external override onlyOwner {
        _config &= ~_PAUSED_BIT;
        emit Unpause(msg.sender);
    }

    /// @inheritdoc IRiskOracle
    function setSigners(address[] calldata newSigners, uint8 newThreshold) external override onlyOwner {
        _setSigners(newSigners, newThreshold);
    }

    /// @inheritdoc IRiskOracle
    function setPolicy(address consumer, Attestation.Policy calldata policy) external override onlyOwner {
        if (consumer == address(0)) revert Errors.RiskOracle_ZeroConsumer();
        if (policy.allowBelow > policy.freezeAt || policy.freezeAt > _MAX_SCORE) {
            revert Errors.RiskOracle_InvalidPolicy(policy.allowBelow, policy.freezeAt);
        }
        _policies[consumer] = policy;
        emit SetPolicy(consumer, policy.allowBelow, policy.freezeAt, policy.holdWindow, policy.enabled);
    }

    /// @inheritdoc IRiskOracle
    function setGuardian(address newGuardian) external override onlyOwner {
        _setGuardian(newGuardian);
    }

    /// @inheritdoc IRiskOracle
    function setMaxValidity(uint32 newMaxValidity) external override onlyOwner {
        _setMaxValidity(newMaxValidity);
    }

    /*//////////////////////////////////////////////////////////////////////////
                                 PRIVATE FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @dev Verifies `att` and stores its verdict. With `strict` every failure reverts with its typed error;
    /// without, it returns the error selector (batch path) and stores nothing.
    function _post(
        Attestation.RiskAttestation calldata att,
        address[] calldata signerSet,
        bytes[] calldata signatures,
        uint256 config,
        bool strict
    )
        private
        returns (bytes32 uid, bytes4 failure)
    {
        // Checks: time window and score, then the posted slot (cheaper than signatures), then signatures.
        uid = _hashTypedDataV4(AttestationHash.structHash(att));
        failure = _checkWindow(att, config, strict);
        if (failure != bytes4(0)) return (uid, failure);

        bytes32 key = AttestationHash.settlementKey(att);
        uint256 stored = _posted[key];
        (, uint256 issuedAt,) = _window(att);
        uint64 storedIssuedAt = uint64(stored >> _ISSUED_AT_SHIFT);
        if (issuedAt <= storedIssuedAt) {
            // A revoked marker (or revoked verdict) of this very attestation: report it as revoked.
            if (stored & _REVOKED_BIT != 0 && stored & _UID_TAG_MASK == uint256(uid) & _UID_TAG_MASK) {
                if (strict) revert Errors.RiskOracle_Revoked(uid);
                return (uid, Errors.RiskOracle_Revoked.selector);
            }
            if (strict) revert Errors.RiskOracle_StaleAttestation(uint64(issuedAt), storedIssuedAt);
            return (uid, Errors.RiskOracle_StaleAttestation.selector);
        }
        failure = _verifySignatures(uid, signerSet, signatures, config, strict);
        if (failure != bytes4(0)) return (uid, failure);

        // Effects: one slot per settlement, overwritten by newer verdicts.
        _store(att, key, uid, config);
    }

    /// @dev Writes the packed verdict of `att` (verified) and emits {PostAttestation}.
    function _store(Attestation.RiskAttestation calldata att, bytes32 key, bytes32 uid, uint256 config) private {
        (uint256 score, uint256 issuedAt, uint256 expiresAt) = _window(att);
        uint256 reasons = _reasons(att);
        _posted[key] = score | (reasons << _REASONS_SHIFT) | (issuedAt << _ISSUED_AT_SHIFT)
            | (expiresAt << _EXPIRES_AT_SHIFT) | (((config >> _EPOCH_SHIFT) & type(uint32).max) << _POSTED_EPOCH_SHIFT)
            | (uint256(uid) & _UID_TAG_MASK);
        // emit PostAttestation(uid, att.consumer, att.subject, score, reasons, att.modelId, expiresAt);
        // written as a raw LOG4 over scratch memory (not allocated) to spare the batch path's ABI encoder.
        bytes32 topic0 = PostAttestation.selector;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, score)
            mstore(add(m, 0x20), reasons)
            mstore(add(m, 0x40), calldataload(add(att, 0x100))) // modelId
            mstore(add(m, 0x60), expiresAt)
            log4(
                m,
                0x80,
                topic0,
                uid,
                and(calldataload(att), 0xffffffffffffffffffffffffffffffffffffffff), // consumer
                calldataload(add(att, 0x20)) // subject
            )
        }
    }

    /// @dev `att`'s score, issuedAt and expiresAt, masked to their types.
    function _window(Attestation.RiskAttestation calldata att)
        private
        pure
        returns (uint256 score, uint256 issuedAt, uint256 expiresAt)
    {
        assembly ("memory-safe") {
            score := and(calldataload(add(att, 0xc0)), 0xffff)
            issuedAt := and(calldataload(add(att, 0x120)), 0xffffffffffffffff)
            expiresAt := and(calldataload(add(att, 0x140)), 0xffffffffffffffff)
        }
    }

    /// @dev `att.reasons`, the raw word masked to its type.
    function _reasons(Attestation.RiskAttestation calldata att) private pure returns (uint32 reasons) {
        assembly ("memory-safe") {
            reasons := and(calldataload(add(att, 0xe0)), 0xffffffff)
        }
    }

    /// @dev Reverts unless `att.consumer` is the caller. Compares the raw word: a word with dirty upper bits
    /// never equals `msg.sender` and reverts too (Solidity's decoder would revert without data).
    function _requireConsumer(Attestation.RiskAttestation calldata att) private view {
        uint256 consumer;
        assembly ("memory-safe") {
            consumer := calldataload(att)
        }
        if (consumer != uint256(uint160(msg.sender))) {
            revert Errors.RiskOracle_WrongConsumer(address(uint160(consumer)), msg.sender);
        }
    }

    /// @dev Full verification of `att` except revocation and the signer-set hash (checked by the caller).
    function _verify(
        Attestation.RiskAttestation calldata att,
        address[] calldata signerSet,
        bytes[] calldata signatures,
        uint256 config,
        bool strict
    )
        private
        view
        returns (bytes32 uid, bytes4 failure)
    {
        uid = _hashTypedDataV4(AttestationHash.structHash(att));
        failure = _checkWindow(att, config, strict);
        if (failure == bytes4(0)) failure = _verifySignatures(uid, signerSet, signatures, config, strict);
    }

    /// @dev Score range, not-before, expiry and maximum validity.
    function _checkWindow(
        Attestation.RiskAttestation calldata att,
        uint256 config,
        bool strict
    )
        private
        view
        returns (bytes4)
    {
        (uint256 score, uint256 issuedAt, uint256 expiresAt) = _window(att);
        if (score > _MAX_SCORE) {
            if (strict) revert Errors.RiskOracle_ScoreOutOfRange(uint16(score));
            return Errors.RiskOracle_ScoreOutOfRange.selector;
        }
        if (issuedAt > block.timestamp) {
            if (strict) revert Errors.RiskOracle_NotYetValid(uint64(issuedAt), block.timestamp);
            return Errors.RiskOracle_NotYetValid.selector;
        }
        if (expiresAt <= block.timestamp) {
            if (strict) revert Errors.RiskOracle_Expired(uint64(expiresAt), block.timestamp);
            return Errors.RiskOracle_Expired.selector;
        }
        uint256 validity;
        // Cannot underflow: issuedAt <= block.timestamp < expiresAt.
        unchecked {
            validity = expiresAt - issuedAt;
        }
        uint32 maxValidity_ = uint32(config >> _MAX_VALIDITY_SHIFT);
        if (validity > maxValidity_) {
            if (strict) revert Errors.RiskOracle_ValidityTooLong(validity, maxValidity_);
            return Errors.RiskOracle_ValidityTooLong.selector;
        }
        return bytes4(0);
    }

    /// @dev Counts the valid signatures of `digest`: each non-empty `signatures[i]` must be `signerSet[i]`'s
    /// low-s ECDSA signature (65 bytes) or, for a contract signer, pass its ERC-1271 `isValidSignature`.
    function _verifySignatures(
        bytes32 digest,
        address[] calldata signerSet,
        bytes[] calldata signatures,
        uint256 config,
        bool strict
    )
        private
        view
        returns (bytes4)
    {
        uint256 count = signerSet.length;
        if (signatures.length != count) {
            if (strict) revert Errors.RiskOracle_SignatureCountMismatch(count, signatures.length);
            return Errors.RiskOracle_SignatureCountMismatch.selector;
        }
        uint256 valid;
        uint256 i;
        while (true) {
            // Fast path (assembly): empty slots and low-s ECDSA signatures of EOAs.
            (i, valid) = _scanSignatures(digest, signerSet, signatures, i, valid);
            if (i == count) break;
            // Slow path for signature `i`: a high `s`, a contract signer (ERC-1271), or an invalid signature.
            uint256 status = _checkSignature(digest, signerSet[i], signatures[i]);
            if (status == _SIG_HIGH_S) {
                if (strict) revert Errors.RiskOracle_InvalidSignatureS(signerSet[i]);
                return Errors.RiskOracle_InvalidSignatureS.selector;
            }
            if (status == _SIG_INVALID) {
                if (strict) revert Errors.RiskOracle_InvalidSignature(signerSet[i]);
                return Errors.RiskOracle_InvalidSignature.selector;
            }
            // Cannot overflow: both are bounded by `count` <= 32.
            unchecked {
                ++valid;
                ++i;
            }
        }
        uint256 threshold_ = uint8(config >> _THRESHOLD_SHIFT);
        if (valid < threshold_) {
            if (strict) revert Errors.RiskOracle_ThresholdNotMet(valid, threshold_);
            return Errors.RiskOracle_ThresholdNotMet.selector;
        }
        return bytes4(0);
    }

    /// @dev From index `i` on, skips empty signatures and counts those that are a 65-byte low-s ECDSA
    /// signature recovering to their signer; stops at the first other one and returns its index (or the
    /// signer count) and the updated count. Reads calldata directly: the signer words hashed to the stored
    /// set hash, so they are clean addresses; a malformed `signatures` offset can only make a slot read
    /// other calldata, which counts only if it is a genuine signature of that slot's signer over `digest`
    /// (signers are distinct, so no signature counts twice).
    function _scanSignatures(
        bytes32 digest,
        address[] calldata signerSet,
        bytes[] calldata signatures,
        uint256 i,
        uint256 valid
    )
        private
        view
        returns (uint256, uint256)
    {
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, digest)
            let count := signerSet.length
            for { } lt(i, count) { i := add(i, 1) } {
                let signature := add(signatures.offset, calldataload(add(signatures.offset, shl(5, i))))
                let length := calldataload(signature)
                if iszero(length) { continue }
                if iszero(eq(length, 65)) { break }
                let s := calldataload(add(signature, 0x40))
                if gt(s, _HALF_ORDER) { break }
                mstore(add(m, 0x20), byte(0, calldataload(add(signature, 0x60)))) // v
                mstore(add(m, 0x40), calldataload(add(signature, 0x20))) // r
                mstore(add(m, 0x60), s)
                mstore(0x00, 0) // stays zero if the precompile fails (e.g. v not 27/28)
                pop(staticcall(gas(), 0x01, m, 0x80, 0x00, 0x20))
                if iszero(eq(mload(0x00), calldataload(add(signerSet.offset, shl(5, i))))) { break }
                valid := add(valid, 1)
            }
        }
        return (i, valid);
    }

    /// @dev Slow path of one signature that `_scanSignatures` did not accept: `_SIG_HIGH_S` for a malleable
    /// 65-byte signature, `_SIG_VALID` when the signer is a contract whose ERC-1271 `isValidSignature`
    /// accepts it, else `_SIG_INVALID` (a low-s 65-byte signature recovering to the signer never gets here).
    function _checkSignature(
        bytes32 digest,
        address signer,
        bytes calldata signature
    )
        private
        view
        returns (uint256 status)
    {
        if (signature.length == 65 && uint256(bytes32(signature[32:64])) > _HALF_ORDER) return _SIG_HIGH_S;
        if (signer.code.length != 0 && SignatureChecker.isValidERC1271SignatureNowCalldata(signer, digest, signature)) {
            return _SIG_VALID;
        }
        return _SIG_INVALID;
    }

    /// @dev The checks of `checkPosted`: not paused, `msg.sender`'s enabled policy (raw slot), and its verdict for
    /// the settlement (raw slot, at `key`) posted, not revoked, not expired, verified by the current signer set.
    function _usablePosted(
        bytes32 subject,
        address payer,
        address payee,
        address token,
        uint256 amount
    )
        private
        view
        returns (uint256 policy, uint256 posted, bytes32 key)
    {
        uint256 config = _config;
        if (config & _PAUSED_BIT != 0) revert Errors.RiskOracle_Paused();
        policy = _enabledPolicy(msg.sender);

        key = AttestationHash.settlementKey(msg.sender, subject, payer, payee, token, amount);
        posted = _posted[key];
        if (posted == 0) revert Errors.RiskOracle_NoVerdict(msg.sender, subject);
        if (posted & _REVOKED_BIT != 0) revert Errors.RiskOracle_VerdictRevoked(msg.sender, subject);
        uint64 expiresAt = uint64(posted >> _EXPIRES_AT_SHIFT);
        if (expiresAt <= block.timestamp) revert Errors.RiskOracle_Expired(expiresAt, block.timestamp);
        uint32 postedEpoch = uint32(posted >> _POSTED_EPOCH_SHIFT);
        uint32 currentEpoch = uint32(config >> _EPOCH_SHIFT);
        if (postedEpoch != currentEpoch) revert Errors.RiskOracle_SignerSetRotated(postedEpoch, currentEpoch);
    }

    /// @dev Reverts unless `signerSet` hashes to the stored signer-set hash.
    function _requireSignerSet(uint256 config, address[] calldata signerSet) private pure {
        bytes32 hash;
        assembly ("memory-safe") {
            let m := mload(0x40)
            let size := shl(5, signerSet.length)
            calldatacopy(m, signerSet.offset, size)
            hash := keccak256(m, size)
        }
        if (uint256(hash) >> 96 != config & _SET_HASH_MASK) revert Errors.RiskOracle_SignerSetMismatch();
    }

    function _requireNotRevoked(bytes32 uid) private view {
        if (_revoked[uid]) revert Errors.RiskOracle_Revoked(uid);
    }

    /// @dev `consumer`'s policy slot, raw (see {Attestation.Policy} for the packing); it must be enabled.
    function _enabledPolicy(address consumer) private view returns (uint256 policy) {
        Attestation.Policy storage stored = _policies[consumer];
        assembly ("memory-safe") {
            policy := sload(stored.slot)
        }
        if ((policy >> _POLICY_ENABLED_SHIFT) & 0xff == 0) revert Errors.RiskOracle_PolicyNotSet(consumer);
    }

    /// @dev Ends the external call returning the ABI encoding of the `Attestation.Verdict` of `score` under
    /// `policy` (raw slot): `score < allowBelow` Release, `< freezeAt` Hold, else Freeze. Writes the return
    /// data over scratch and free-memory-pointer space, which is fine as execution stops here.
    function _returnVerdict(uint256 policy, uint16 score, uint32 reasons, uint64 issuedAt) private pure {
        uint256 decision;
        if (score < uint16(policy)) decision = uint256(Attestation.Decision.Release);
        else if (score < uint16(policy >> _POLICY_FREEZE_AT_SHIFT)) decision = uint256(Attestation.Decision.Hold);
        else decision = uint256(Attestation.Decision.Freeze);
        uint256 holdWindow = uint32(policy >> _POLICY_HOLD_WINDOW_SHIFT);
        assembly {
            mstore(0x00, decision)
            // Narrow stack values may carry dirty upper bits: clean them.
            mstore(0x20, and(score, 0xffff))
            mstore(0x40, and(reasons, 0xffffffff))
            mstore(0x60, and(issuedAt, 0xffffffffffffffff))
            mstore(0x80, holdWindow)
            return(0x00, 0xa0)
        }
    }

    function _checkOwnerOrGuardian() private view {
        if (msg.sender != owner() && msg.sender != _guardian) revert Errors.RiskOracle_Unauthorized(msg.sender);
    }

    function _setSigners(address[] memory newSigners, uint8 newThreshold) private {
        // Checks: 1..32 signers, strictly ascending (so unique) and non-zero, 1 <= threshold <= count.
        uint256 count = newSigners.length;
        if (count == 0 || count > _MAX_SIGNERS) revert Errors.RiskOracle_InvalidSignerCount(count);
        if (newThreshold == 0 || newThreshold > count) revert Errors.RiskOracle_InvalidThreshold(newThreshold, count);
        if (newSigners[0] == address(0)) revert Errors.RiskOracle_ZeroSigner();
        for (uint256 i = 1; i < count; ++i) {
            if (newSigners[i] <= newSigners[i - 1]) {
                revert Errors.RiskOracle_SignersNotAscending(newSigners[i - 1], newSigners[i]);
            }
        }

        // Effects: hash (the same words `_requireSignerSet` hashes from calldata), storage copy, epoch + 1.
        bytes32 hash;
        assembly ("memory-safe") {
            hash := keccak256(add(newSigners, 0x20), shl(5, count))
        }
        uint256 config = _config;
        uint32 newEpoch = uint32(config >> _EPOCH_SHIFT) + 1;
        _config = (config & ~((uint256(1) << _PAUSED_SHIFT) - 1)) | (uint256(hash) >> 96)
            | (uint256(newThreshold) << _THRESHOLD_SHIFT) | (count << _COUNT_SHIFT) | (uint256(newEpoch) << _EPOCH_SHIFT);
        _signers = newSigners;
        emit SetSigners(newEpoch, newSigners, newThreshold);
    }

    function _setGuardian(address newGuardian) private {
        address previous = _guardian;
        _guardian = newGuardian;
        emit SetGuardian(previous, newGuardian);
    }

    function _setMaxValidity(uint32 newMaxValidity) private {
        if (newMaxValidity == 0) revert Errors.RiskOracle_ZeroMaxValidity();
        _config = (_config & ~(uint256(type(uint32).max) << _MAX_VALIDITY_SHIFT))
            | (uint256(newMaxValidity) << _MAX_VALIDITY_SHIFT);
        emit SetMaxValidity(newMaxValidity);
    }
}
