// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import { ERC20 } from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title FeeOnTransferToken
/// @notice A test token that burns `FEE_BPS` of every transfer (STA/PAXG style): the recipient receives
/// less than the amount sent. Consumers that credit the amount they asked for instead of the amount they
/// received become insolvent; Riskgate's contracts reject it with a balance-difference check.
/// @dev Anyone may mint (test token). Mints and burns are fee-free.
contract FeeOnTransferToken is ERC20 {
    /// @notice The fee taken from every transfer, in basis points.
    uint256 public immutable FEE_BPS;

    /// @param feeBps The fee in basis points (e.g. 100 = 1%).
    constructor(uint256 feeBps) ERC20("Fee Token", "FEE") {
        FEE_BPS = feeBps;
    }

    /// @notice Mints `amount` to `to`. Anyone may call (test token).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @inheritdoc ERC20
    function decimals() public pure override returns (uint8) {
        return 6;
    }

    /// @dev Burns the fee from the sender, then moves the rest.
    function _update(address from, address to, uint256 value) internal override {
        if (from == address(0) || to == address(0)) {
            super._update(from, to, value);
            return;
        }
        uint256 fee = (value * FEE_BPS) / 10_000;
        super._update(from, address(0), fee);
        super._update(from, to, value - fee);
    }
}
