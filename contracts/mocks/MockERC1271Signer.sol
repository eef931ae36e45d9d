// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import { IERC1271 } from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import { ECDSA } from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

import { Errors } from "../libraries/Errors.sol";

/// @title MockERC1271Signer
/// @notice A contract oracle signer (think multisig or smart account) for tests. It accepts a digest when
/// (a) the signature is a 65-byte ECDSA signature of its `OWNER`, or (b) the owner pre-approved the digest
/// (Safe-style `approveHash`), whatever the signature bytes.
contract MockERC1271Signer is IERC1271 {
    /// @notice The EOA whose ECDSA signatures this contract accepts.
    address public immutable OWNER;

    /// @notice Digests approved on-chain by the owner.
    mapping(bytes32 digest => bool approved) public approvedHashes;

    constructor(address owner_) {
        OWNER = owner_;
    }

    /// @notice Approves `digest` for any signature bytes (only the owner).
    function approveHash(bytes32 digest) external {
        if (msg.sender != OWNER) revert Errors.MockERC1271Signer_NotOwner(msg.sender);
        approvedHashes[digest] = true;
    }

    /// @inheritdoc IERC1271
    function isValidSignature(bytes32 digest, bytes calldata signature) external view returns (bytes4) {
        if (approvedHashes[digest]) return IERC1271.isValidSignature.selector;
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, signature);
        if (err == ECDSA.RecoverError.NoError && recovered == OWNER) return IERC1271.isValidSignature.selector;
        return 0xffffffff;
    }
}
