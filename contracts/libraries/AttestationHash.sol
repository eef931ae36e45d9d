// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import { Attestation } from "../types/Attestation.sol";

/// @title AttestationHash
/// @notice EIP-712 struct hash of a `RiskAttestation` and the key of the settlement it is about, read
/// straight from calldata. Equal to `keccak256(abi.encode(TYPEHASH, att...))` and
/// `keccak256(abi.encode(consumer, subject, payer, payee, token, amount))` for canonical calldata, without
/// Solidity's field-by-field copy and validation.
library AttestationHash {
    /// @notice keccak256 of the EIP-712 type string. Wallets, the TypeScript schema
    /// (oracle/src/attestation/typedData.ts) and other oracle implementations depend on it: never change it.
    bytes32 internal constant TYPEHASH = keccak256(
        "RiskAttestation(address consumer,bytes32 subject,address payer,address payee,address token,uint256 amount,"
        "uint16 score,uint32 reasons,bytes32 modelId,uint64 issuedAt,uint64 expiresAt,bytes32 nonce)"
    );

    /// @notice The EIP-712 `hashStruct` of `att`: `keccak256(TYPEHASH ‖ the 12 field words)`.
    /// @dev `att` is a static struct, so in assembly it is its calldata offset and its 12 fields are the 12
    /// words from there: they are copied as they are. A field with dirty upper bits (non-canonical ABI,
    /// never produced by a Solidity caller or ethers/viem) therefore hashes to a digest nobody signed and
    /// fails signature verification; clean input hashes exactly like `abi.encode`. Uses the 13 words after
    /// the free memory pointer as scratch (not allocated).
    function structHash(Attestation.RiskAttestation calldata att) internal pure returns (bytes32 hash) {
        bytes32 typehash = TYPEHASH;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, typehash)
            calldatacopy(add(m, 0x20), att, 0x180)
            hash := keccak256(m, 0x1a0)
        }
    }

    /// @notice The key of the settlement `att` is about (gate rule G1: one posted verdict per settlement):
    /// `keccak256(abi.encode(consumer, subject))`, i.e. of the first two field words (copied as they are, see
    /// `structHash`). The payer, payee, token and amount are bound by `binding`, not by the key.
    function settlementKey(Attestation.RiskAttestation calldata att) internal pure returns (bytes32 key) {
        assembly ("memory-safe") {
            calldatacopy(0x00, att, 0x40)
            key := keccak256(0x00, 0x40)
        }
    }

    /// @notice The same key from its parts (`checkPosted`, where the consumer is `msg.sender`).
    function settlementKey(address consumer, bytes32 subject) internal pure returns (bytes32 key) {
        assembly ("memory-safe") {
            mstore(0x00, consumer)
            mstore(0x20, subject)
            key := keccak256(0x00, 0x40)
        }
    }

    /// @notice What a verdict binds beside its settlement: `keccak256(abi.encode(payer, payee, token, amount))`,
    /// i.e. of field words 2..5 of `att` (copied as they are). The oracle keeps 48 bits of it in the posted slot.
    function binding(Attestation.RiskAttestation calldata att) internal pure returns (bytes32 hash) {
        assembly ("memory-safe") {
            let m := mload(0x40)
            calldatacopy(m, add(att, 0x40), 0x80)
            hash := keccak256(m, 0x80)
        }
    }

    /// @notice The same binding hash from its parts.
    function binding(
        address payer,
        address payee,
        address token,
        uint256 amount
    )
        internal
        pure
        returns (bytes32 hash)
    {
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, payer)
            mstore(add(m, 0x20), payee)
            mstore(add(m, 0x40), token)
            mstore(add(m, 0x60), amount)
            hash := keccak256(m, 0x80)
        }
    }
}
