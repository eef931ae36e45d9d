// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import { IERC1271 } from "@openzeppelin/contracts/interfaces/IERC1271.sol";

/// @title GasBurningERC1271Signer
/// @notice A hostile (or broken) contract oracle signer for tests of gate rule G12: its `isValidSignature`
/// burns every unit of gas it is given and never returns.
contract GasBurningERC1271Signer is IERC1271 {
    /// @inheritdoc IERC1271
    function isValidSignature(bytes32, bytes calldata) external view returns (bytes4) {
        assembly ("memory-safe") {
            // Read storage in a loop until the gas runs out.
            for { let i := 0 } 1 { i := add(i, 1) } { pop(sload(i)) }
        }
        return IERC1271.isValidSignature.selector;
    }
}
