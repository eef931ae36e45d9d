// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice The EIP-3009 entry point Riskgate's consumers use to be funded without an approve step
/// (USDC's `receiveWithAuthorization`).
interface IERC3009Receive {
    /// @notice Transfers `value` from `from` to `to` (== msg.sender) on `from`'s EIP-712 signature.
    function receiveWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        uint8 v,
        bytes32 r,
        bytes32 s
    )
        external;
}
