// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import { Attestation } from "../types/Attestation.sol";

/// @title AttestationHash
/// @notice EIP-712 struct hash of a `RiskAttestation` and the key of the settlement it is about, read
/// straight from calldata. Equivalent to `keccak256(abi.encode(TYPEHASH, att...))` and
/// `keccak256(abi.encode(consumer, subject, payer, payee, token, amount))`, without the memory copy.
library AttestationHash {
    /// @notice keccak256 of the EIP-712 type string. Wallets, the TypeScript schema
    /// (oracle/src/attestation/typedData.ts) and other oracle implementations depend on it: never change it.
    bytes32 internal constant TYPEHASH = keccak256(
        "RiskAttestation(address consumer,bytes32 subject,address payer,address payee,address token,uint256 amount,"
        "uint16 score,uint32 reasons,bytes32 modelId,uint64 issuedAt,uint64 expiresAt,bytes32 nonce)"
    );

    /// @dev Masks for the cleaning of calldata words (ABI encoding of a value is its zero-extended word).
    uint256 private constant _ADDRESS_MASK = (1 << 160) - 1;
    uint256 private constant _UINT16_MASK = (1 << 16) - 1;
    uint256 private constant _UINT32_MASK = (1 << 32) - 1;
    uint256 private constant _UINT64_MASK = (1 << 64) - 1;

    /// @notice The EIP-712 `hashStruct` of `att`.
    /// @dev `att` is a static struct, so in assembly it is its calldata offset: field `i` is the word at
    /// `att + 32 * i`. Every word is masked to its type so the hash equals the standard ABI encoding even
    /// for dirty calldata. Uses the 13 words after the free memory pointer as scratch (not allocated).
    function structHash(Attestation.RiskAttestation calldata att) internal pure returns (bytes32 hash) {
        bytes32 typehash = TYPEHASH;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, typehash)
            mstore(add(m, 0x20), and(calldataload(att), _ADDRESS_MASK)) // consumer
            mstore(add(m, 0x40), calldataload(add(att, 0x20))) // subject
            mstore(add(m, 0x60), and(calldataload(add(att, 0x40)), _ADDRESS_MASK)) // payer
            mstore(add(m, 0x80), and(calldataload(add(att, 0x60)), _ADDRESS_MASK)) // payee
            mstore(add(m, 0xa0), and(calldataload(add(att, 0x80)), _ADDRESS_MASK)) // token
            mstore(add(m, 0xc0), calldataload(add(att, 0xa0))) // amount
            mstore(add(m, 0xe0), and(calldataload(add(att, 0xc0)), _UINT16_MASK)) // score
            mstore(add(m, 0x100), and(calldataload(add(att, 0xe0)), _UINT32_MASK)) // reasons
            mstore(add(m, 0x120), calldataload(add(att, 0x100))) // modelId
            mstore(add(m, 0x140), and(calldataload(add(att, 0x120)), _UINT64_MASK)) // issuedAt
            mstore(add(m, 0x160), and(calldataload(add(att, 0x140)), _UINT64_MASK)) // expiresAt
            mstore(add(m, 0x180), calldataload(add(att, 0x160))) // nonce
            hash := keccak256(m, 0x1a0)
        }
    }

    /// @notice The key of the settlement `att` is about: `keccak256(abi.encode(consumer, subject, payer,
    /// payee, token, amount))`, i.e. the first six fields of the struct.
    function settlementKey(Attestation.RiskAttestation calldata att) internal pure returns (bytes32 key) {
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, and(calldataload(att), _ADDRESS_MASK)) // consumer
            mstore(add(m, 0x20), calldataload(add(att, 0x20))) // subject
            mstore(add(m, 0x40), and(calldataload(add(att, 0x40)), _ADDRESS_MASK)) // payer
            mstore(add(m, 0x60), and(calldataload(add(att, 0x60)), _ADDRESS_MASK)) // payee
            mstore(add(m, 0x80), and(calldataload(add(att, 0x80)), _ADDRESS_MASK)) // token
            mstore(add(m, 0xa0), calldataload(add(att, 0xa0))) // amount
            key := keccak256(m, 0xc0)
        }
    }

    /// @notice The same key from its parts (`checkPosted`, where the consumer is `msg.sender`).
    function settlementKey(
        address consumer,
        bytes32 subject,
        address payer,
        address payee,
        address token,
        uint256 amount
    )
        internal
        pure
        returns (bytes32 key)
    {
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, consumer)
            mstore(add(m, 0x20), subject)
            mstore(add(m, 0x40), payer)
            mstore(add(m, 0x60), payee)
            mstore(add(m, 0x80), token)
            mstore(add(m, 0xa0), amount)
            key := keccak256(m, 0xc0)
        }
    }
}
