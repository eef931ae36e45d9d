// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import { ERC20 } from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

import { PaymentStream } from "../../contracts/PaymentStream.sol";
import { IRiskOracle } from "../../contracts/interfaces/IRiskOracle.sol";
import { Errors } from "../../contracts/libraries/Errors.sol";
import { Stream } from "../../contracts/types/Stream.sol";
import { Test } from "./utils/Test.sol";

/// @dev A mintable ERC-20 with configurable decimals.
contract TreesToken is ERC20 {
    uint8 private immutable _decimals;

    constructor(uint8 decimals_) ERC20("Trees Token", "TREE") {
        _decimals = decimals_;
    }

    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}

/// @notice Leaves of test/contracts/PaymentStream/trees/*.tree that need an 18-decimal token or a storage write.
/// The oracle is never reached on these paths: a code-less address stands in for it.
contract PaymentStreamTreesTest is Test {
    PaymentStream internal stream;
    TreesToken internal token6;
    TreesToken internal token18;
    address internal recipient;

    function setUp() public {
        vm.warp(1_700_000_000);
        recipient = makeAddr("recipient");
        stream = new PaymentStream(IRiskOracle(makeAddr("oracle")), address(this), makeAddr("arbiter"));
        token6 = new TreesToken(6);
        token18 = new TreesToken(18);
        stream.allowToken(address(token6));
        stream.allowToken(address(token18));
        token6.mint(address(this), 1e30);
        token18.mint(address(this), 1e30);
        token6.approve(address(stream), type(uint256).max);
        token18.approve(address(stream), type(uint256).max);
    }

    function _open(TreesToken token, uint40 allowance) internal view returns (Stream.CreateOpen memory) {
        return Stream.CreateOpen({
            recipient: recipient,
            token: address(token),
            ratePerSecond: 1e18,
            deposit: 0,
            unattestedAllowance: allowance,
            referralBudget: 0,
            affiliate: address(0),
            planId: 0
        });
    }

    /// @dev createOpen runs the same 88-bit allowance check as createLinear: 2^40 - 1 whole tokens overflow
    /// at 18 decimals; the largest fitting allowance, floor((2^88 - 1) / 1e18), is accepted.
    function test_createOpen_RevertWhen_AllowanceTooLargeFor18Decimals() external {
        vm.expectRevert(abi.encodeWithSelector(Errors.PaymentStream_AllowanceTooLarge.selector, type(uint40).max));
        stream.createOpen(_open(token18, type(uint40).max));
        uint40 largest = uint40((uint256(type(uint88).max)) / 1e18);
        vm.expectRevert(abi.encodeWithSelector(Errors.PaymentStream_AllowanceTooLarge.selector, largest + 1));
        stream.createOpen(_open(token18, largest + 1));
        uint256 id = stream.createOpen(_open(token18, largest));
        assertEq(stream.getStream(id).unattestedAllowance, largest, "largest allowance");
        // At 6 decimals the whole uint40 range fits.
        stream.createOpen(_open(token6, type(uint40).max));
    }

    /// @dev Gate rule G8 (test_GivenSeqExhausted_SeqSaturatesAndCancelIsOpen): at an exhausted seq the arbiter
    /// may cancel a non-cancelable stream too, and plain withdrawals under the allowance still work.
    function test_cancel_GivenSeqExhausted_ArbiterMayCancel() external {
        uint256 id = stream.createLinear(
            Stream.CreateLinear({
                recipient: recipient,
                token: address(token6),
                deposit: 1_000e6,
                startTime: uint32(block.timestamp),
                cliffTime: 0,
                endTime: uint32(block.timestamp + 1000),
                cliffAmount: 0,
                cancelable: false,
                unattestedAllowance: 10,
                referralBudget: 0,
                affiliate: address(0),
                planId: 0
            })
        );
        vm.warp(block.timestamp + 10);
        address arbiter = stream.arbiter();
        vm.prank(arbiter);
        vm.expectRevert(abi.encodeWithSelector(Errors.PaymentStream_CallerNotSender.selector, id, arbiter));
        stream.cancel(id);
        // Storage: _owner (0), _pendingOwner (1), arbiter (2), nextStreamId (3), nextPlanId|_tokenCount (4),
        // _store.streams (5); the stream's slot 2 holds seq at bits 224..239.
        bytes32 slot = bytes32(uint256(keccak256(abi.encode(id, uint256(5)))) + 2);
        uint256 word = uint256(vm.load(address(stream), slot));
        vm.store(address(stream), slot, bytes32(word | (uint256(type(uint16).max) << 224)));
        vm.prank(arbiter);
        stream.cancel(id);
        stream.withdraw(id, recipient, 1e6);
        assertEq(token6.balanceOf(recipient), 1e6, "withdrawn");
    }
}
