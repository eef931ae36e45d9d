// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import { PaymentEscrow } from "../../contracts/PaymentEscrow.sol";
import { IRiskOracle } from "../../contracts/interfaces/IRiskOracle.sol";
import { MockUSDC } from "../../contracts/mocks/MockUSDC.sol";
import { Attestation } from "../../contracts/types/Attestation.sol";
import { Escrow } from "../../contracts/types/Escrow.sol";
import { Test } from "./utils/Test.sol";

/// @notice An oracle that breaks the IRiskOracle contract: its posted verdict carries `Decision.None` (the real
/// RiskOracle never returns None: a missing verdict reverts). Both posted read forms answer the same.
contract EscrowNoDecisionOracle {
    function _none() private view returns (Attestation.Verdict memory) {
        return Attestation.Verdict({
            decision: Attestation.Decision.None,
            score: 0,
            reasons: 0,
            issuedAt: uint64(block.timestamp),
            holdWindow: 0
        });
    }

    function checkPosted(bytes32, address, address, address, uint256) external view returns (Attestation.Verdict memory) {
        return _none();
    }

    function consumePosted(bytes32, address, address, address, uint256) external view returns (Attestation.Verdict memory) {
        return _none();
    }
}

/// @notice Leaves of test/contracts/PaymentEscrow/trees/*.tree that need a misbehaving oracle.
contract PaymentEscrowTreesTest is Test {
    /// @dev `_applyVerdict` treats anything but Release and Hold as Freeze: a verdict without a decision never
    /// pays, it hands the milestone to the arbiter.
    function test_release_OracleReturnsNoDecision_FreezesMilestone() external {
        vm.warp(1_700_000_000);
        MockUSDC usdc = new MockUSDC(address(this));
        PaymentEscrow escrow =
            new PaymentEscrow(address(this), IRiskOracle(address(new EscrowNoDecisionOracle())), makeAddr("fees"));
        escrow.setTokenAllowed(address(usdc), true);
        address payer = makeAddr("payer");
        address payee = makeAddr("payee");
        address arbiter = makeAddr("arbiter");
        usdc.mint(payer, 100e6);
        vm.prank(payer);
        usdc.approve(address(escrow), type(uint256).max);
        uint96[] memory amounts = new uint96[](1);
        amounts[0] = 100e6;
        uint40 deadline = uint40(block.timestamp + 7 days);
        vm.prank(payer);
        uint256 id = escrow.createEscrow(
            Escrow.CreateParams({
                payee: payee, token: address(usdc), amounts: amounts, deadline: deadline, arbiter: arbiter, referrer: address(0)
            })
        );
        Escrow.Terms memory terms = Escrow.Terms({
            payer: payer,
            payee: payee,
            token: address(usdc),
            arbiter: arbiter,
            referrer: address(0),
            deadline: deadline,
            feeBps: 0,
            referralBps: 0,
            amounts: amounts
        });

        escrow.release(terms, id, 0);

        Escrow.Milestone memory m = escrow.getMilestone(terms, id, 0);
        assertEq(uint8(m.status), uint8(Escrow.Status.Frozen), "frozen");
        assertEq(usdc.balanceOf(payee), 0, "nothing paid");
        assertEq(usdc.balanceOf(address(escrow)), 100e6, "still escrowed");
        // Only the arbiter moves it now.
        vm.prank(arbiter);
        escrow.resolve(terms, id, 0, 0, 100e6);
        assertEq(usdc.balanceOf(payer), 100e6, "refunded by the arbiter");
    }
}
