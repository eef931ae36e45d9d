// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import { ERC20 } from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

import { PaymentStream } from "../../contracts/PaymentStream.sol";
import { IRiskOracle } from "../../contracts/interfaces/IRiskOracle.sol";
import { Errors } from "../../contracts/libraries/Errors.sol";
import { Attestation } from "../../contracts/types/Attestation.sol";
import { Stream } from "../../contracts/types/Stream.sol";
import { Test } from "./utils/Test.sol";

/// @notice The smallest token `allowToken` accepts: it only reads `decimals()`.
contract DecimalsOnlyToken {
    function decimals() external pure returns (uint8) {
        return 6;
    }
}

/// @notice A mintable 6-decimal ERC-20 to fund streams.
contract FundingToken is ERC20 {
    constructor() ERC20("Funding", "FUND") { }

    function decimals() public pure override returns (uint8) {
        return 6;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}

/// @notice An oracle that breaks the IRiskOracle contract: its posted verdict carries `Decision.None`.
/// The real RiskOracle never returns None (a missing verdict reverts); PaymentStream must refuse it anyway.
contract NoDecisionOracle {
    function checkPosted(bytes32, address, address, address, uint256) external view returns (Attestation.Verdict memory) {
        return Attestation.Verdict({
            decision: Attestation.Decision.None,
            score: 0,
            reasons: 0,
            issuedAt: uint64(block.timestamp),
            holdWindow: 0
        });
    }
}

/// @notice Branches the coverage report (scripts/coverage.mjs) found untaken in PaymentStream and StreamOps.
contract PaymentStreamBranchesTest is Test {
    /// @dev `StreamOps.allowToken`: token indexes are uint8, so the table holds 255 tokens; a 256th new token
    /// is refused (with TokenAlreadyAllowed, the error the contract uses for a full table).
    function test_RevertWhen_AllowToken_TokenTableFull() public {
        PaymentStream stream = new PaymentStream(IRiskOracle(makeAddr("oracle")), address(this), makeAddr("arbiter"));
        for (uint256 i; i < type(uint8).max; ++i) {
            stream.allowToken(address(new DecimalsOnlyToken()));
        }
        address last = address(new DecimalsOnlyToken());
        vm.expectRevert(abi.encodeWithSelector(Errors.PaymentStream_TokenAlreadyAllowed.selector, last));
        stream.allowToken(last);
        // the refused token was not added
        assertEq(stream.tokenConfigOf(last).allowed, false, "256th allowed");
    }

    /// @dev `_acceptVerdict`: a verdict that is neither Release, Hold nor Freeze releases nothing.
    function test_RevertWhen_WithdrawWithPosted_OracleReturnsNoDecision() public {
        vm.warp(1_700_000_000);
        address recipient = makeAddr("recipient");
        PaymentStream stream =
            new PaymentStream(IRiskOracle(address(new NoDecisionOracle())), address(this), makeAddr("arbiter"));
        FundingToken token = new FundingToken();
        stream.allowToken(address(token));
        token.mint(address(this), 1_000e6);
        token.approve(address(stream), type(uint256).max);
        uint256 streamId = stream.createLinear(
            Stream.CreateLinear({
                recipient: recipient,
                token: address(token),
                deposit: 1_000e6,
                startTime: uint32(block.timestamp),
                cliffTime: 0,
                endTime: uint32(block.timestamp + 1000),
                cliffAmount: 0,
                cancelable: true,
                unattestedAllowance: 0,
                referralBudget: 0,
                affiliate: address(0),
                planId: 0
            })
        );
        vm.warp(block.timestamp + 500);

        vm.prank(recipient);
        vm.expectRevert(abi.encodeWithSelector(Errors.PaymentStream_NoDecision.selector, streamId));
        stream.withdrawWithPosted(streamId, recipient, 100e6, 500e6);
    }
}
