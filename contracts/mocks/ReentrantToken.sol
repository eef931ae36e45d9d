// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import { ERC20 } from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

import { Errors } from "../libraries/Errors.sol";

/// @notice What a `ReentrantToken` calls during every transfer once armed.
interface ITokenTransferHook {
    /// @notice Called by the token in the middle of a transfer (balances already moved).
    function onTokenTransfer(address from, address to, uint256 value) external;
}

/// @title ReentrantToken
/// @notice A test token (ERC-777 style) that calls a hook on an attacker contract during every transfer,
/// so a test can try to re-enter the contract that moves the token.
/// @dev Anyone may mint and arm the hook (test token). The hook's revert bubbles up.
contract ReentrantToken is ERC20 {
    /// @notice The contract called during every transfer (zero = disarmed).
    ITokenTransferHook public hook;

    constructor() ERC20("Reentrant Token", "REENT") { }

    /// @notice Mints `amount` to `to`. Anyone may call (test token).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Arms the hook with `target`.
    function setHook(ITokenTransferHook target) external {
        if (address(target) == address(0)) revert Errors.ReentrantToken_ZeroTarget();
        hook = target;
    }

    /// @notice Disarms the hook.
    function clearHook() external {
        hook = ITokenTransferHook(address(0));
    }

    /// @inheritdoc ERC20
    function decimals() public pure override returns (uint8) {
        return 6;
    }

    /// @dev Moves the balances, then calls the hook (mints excluded).
    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        ITokenTransferHook target = hook;
        if (address(target) != address(0) && from != address(0)) {
            target.onTokenTransfer(from, to, value);
        }
    }
}

/// @title ReentrancyAttacker
/// @notice The attacker a `ReentrantToken` calls back: it replays a prepared call on a victim while the
/// victim is in the middle of a token transfer, and records whether the re-entry succeeded.
contract ReentrancyAttacker is ITokenTransferHook {
    /// @notice Emitted for each re-entry attempt with its outcome and the revert data if any.
    event Reenter(bool success, bytes returnData);

    /// @notice The contract to re-enter.
    address public victim;

    /// @notice The calldata replayed on the victim.
    bytes public payload;

    /// @notice How many re-entries were attempted.
    uint256 public attempts;

    /// @notice Whether the last re-entry succeeded.
    bool public lastSuccess;

    /// @notice The revert data of the last re-entry (empty if it succeeded).
    bytes public lastRevertData;

    /// @notice Prepares the call replayed on `newVictim` during the next transfer.
    function arm(address newVictim, bytes calldata newPayload) external {
        victim = newVictim;
        payload = newPayload;
        attempts = 0;
    }

    /// @notice Lets the attacker act as a party: calls `target` with `data`, bubbling a revert.
    function execute(address target, bytes calldata data) external returns (bytes memory result) {
        bool success;
        (success, result) = target.call(data);
        if (!success) {
            assembly ("memory-safe") {
                revert(add(result, 0x20), mload(result))
            }
        }
    }

    /// @inheritdoc ITokenTransferHook
    function onTokenTransfer(address, address, uint256) external {
        if (victim == address(0) || attempts > 0) return;
        attempts = 1;
        (bool success, bytes memory returnData) = victim.call(payload);
        lastSuccess = success;
        lastRevertData = success ? bytes("") : returnData;
        emit Reenter(success, returnData);
    }
}
