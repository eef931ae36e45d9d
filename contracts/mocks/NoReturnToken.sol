// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import { IERC20Errors } from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

/// @title NoReturnToken
/// @notice A USDT-style test token whose `transfer`, `transferFrom` and `approve` return nothing instead
/// of a bool. A caller that decodes a bool reverts; `SafeERC20` accepts empty return data from a contract.
/// It reverts on failure (like USDT), with the ERC-6093 errors.
/// @dev Anyone may mint (test token). Deliberately not `IERC20`: the selectors match but the returns do not.
contract NoReturnToken is IERC20Errors {
    /// @notice ERC-20 Transfer event.
    event Transfer(address indexed from, address indexed to, uint256 value);

    /// @notice ERC-20 Approval event.
    event Approval(address indexed owner, address indexed spender, uint256 value);

    /// @notice ERC-20 name.
    function name() external pure returns (string memory) {
        return "Tether-like No Return";
    }

    /// @notice ERC-20 symbol.
    function symbol() external pure returns (string memory) {
        return "NORET";
    }

    /// @notice ERC-20 decimals.
    function decimals() external pure returns (uint8) {
        return 6;
    }

    /// @notice ERC-20 total supply.
    uint256 public totalSupply;

    /// @notice ERC-20 balances.
    mapping(address account => uint256 amount) public balanceOf;

    /// @notice ERC-20 allowances.
    mapping(address owner => mapping(address spender => uint256 amount)) public allowance;

    /// @notice Mints `amount` to `to`. Anyone may call (test token).
    function mint(address to, uint256 amount) external {
        totalSupply += amount;
        balanceOf[to] += amount;
        emit Transfer(address(0), to, amount);
    }

    /// @notice Moves `value` to `to`; returns nothing.
    function transfer(address to, uint256 value) external {
        _transfer(msg.sender, to, value);
    }

    /// @notice Moves `value` from `from` to `to` within the caller's allowance; returns nothing.
    function transferFrom(address from, address to, uint256 value) external {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed < value) revert ERC20InsufficientAllowance(msg.sender, allowed, value);
        allowance[from][msg.sender] = allowed - value;
        _transfer(from, to, value);
    }

    /// @notice Sets `spender`'s allowance; returns nothing.
    function approve(address spender, uint256 value) external {
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
    }

    function _transfer(address from, address to, uint256 value) private {
        uint256 balance = balanceOf[from];
        if (balance < value) revert ERC20InsufficientBalance(from, balance, value);
        balanceOf[from] = balance - value;
        balanceOf[to] += value;
        emit Transfer(from, to, value);
    }
}
