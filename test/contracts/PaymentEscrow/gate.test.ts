// The gate rules (docs/gate.md, G1-G13) as the escrow enforces them: each test names its rule and failed
// on the code before the rule was enforced (issue #11).
import { expect } from "chai";
import { network } from "hardhat";
import { postVerdict, signedAttestationFor } from "../helpers/attestation.js";
import {
  type EscrowFixture,
  ONE_DAY,
  Status,
  USDC,
  createEscrow,
  deployEscrowFixture,
  paramsFor,
  settlementOf,
  termsOf,
} from "./fixture.js";

const { ethers, networkHelpers } = await network.connect();

// Scores under DEFAULT_POLICY: release < 3000 <= hold < 8000 <= freeze; holdWindow 3600 s.
const HOLD_SCORE = 5_000;
const FREEZE_SCORE = 9_000;
const HOLD_WINDOW = 3_600n;

async function fixture(): Promise<EscrowFixture> {
  return deployEscrowFixture(ethers);
}

async function signed(f: EscrowFixture, id: bigint, index: bigint, score = 0) {
  return signedAttestationFor(ethers, f.risk, await settlementOf(f, id, index), { score });
}

async function presentInline(f: EscrowFixture, id: bigint, index: bigint, s: Awaited<ReturnType<typeof signed>>) {
  return f.escrow.releaseWithAttestation(await termsOf(f.escrow, id), id, index, s.att, s.signerSet, s.signatures);
}

/** A milestone Held by an inline Hold; returns the hold attestation. */
async function holdInline(f: EscrowFixture, id: bigint, index = 0n) {
  const hold = await signed(f, id, index, HOLD_SCORE);
  await (await presentInline(f, id, index, hold)).wait();
  return hold;
}

describe("PaymentEscrow gate rules (docs/gate.md)", function () {
  describe("G2: the newest verdict governs, whichever path presents it", function () {
    it("G2: a payee is not paid on an older inline Release after a newer Freeze was posted", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const id = await createEscrow(ethers, f);
      const older = await signed(f, id, 0n, 0);
      await networkHelpers.time.increase(10);
      await postVerdict(ethers, f.risk, await settlementOf(f, id, 0n), { score: FREEZE_SCORE });
      await expect(presentInline(f, id, 0n, older)).to.be.revertedWithCustomError(f.risk.oracle, "RiskOracle_Superseded");
      // The newer Freeze applies.
      await expect(f.escrow.release(await termsOf(f.escrow, id), id, 0n)).to.emit(f.escrow, "FreezeMilestone");
    });

    it("G2: the payer cannot freeze a milestone with an older Freeze after a newer Release was posted", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const id = await createEscrow(ethers, f);
      const olderFreeze = await signed(f, id, 0n, FREEZE_SCORE);
      await networkHelpers.time.increase(10);
      await postVerdict(ethers, f.risk, await settlementOf(f, id, 0n), { score: 0 });
      await expect(presentInline(f, id, 0n, olderFreeze)).to.be.revertedWithCustomError(
        f.risk.oracle,
        "RiskOracle_Superseded",
      );
      await expect(f.escrow.release(await termsOf(f.escrow, id), id, 0n)).to.emit(f.escrow, "ReleaseMilestone");
    });

    it("G3: revoking a newer (unposted) verdict leaves a marker that makes older inline verdicts unusable", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const id = await createEscrow(ethers, f);
      const older = await signed(f, id, 0n, 0);
      await networkHelpers.time.increase(10);
      const newer = await signed(f, id, 0n, FREEZE_SCORE);
      await f.risk.oracle.connect(f.risk.guardian).revokeAttestation(newer.att);
      await expect(presentInline(f, id, 0n, older)).to.be.revertedWithCustomError(f.risk.oracle, "RiskOracle_Superseded");
    });
  });

  describe("G4: a Hold is a recorded window, re-checked at its end", function () {
    it("G4.2: a newer Hold keeps the existing holdUntil", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const id = await createEscrow(ethers, f);
      await holdInline(f, id);
      const { holdUntil } = await f.escrow.getMilestone(await termsOf(f.escrow, id), id, 0n);
      await networkHelpers.time.increase(1_000);
      const newer = await signed(f, id, 0n, HOLD_SCORE);
      await expect(presentInline(f, id, 0n, newer))
        .to.emit(f.escrow, "HoldMilestone")
        .withArgs(id, 0n, holdUntil, HOLD_SCORE, newer.att.issuedAt);
      expect((await f.escrow.getMilestone(await termsOf(f.escrow, id), id, 0n)).holdUntil).to.equal(holdUntil);
    });

    it("G4.3: test_RevertGiven_HoldWindowOver: the payer cannot dispute a Held milestone once the window is over", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const id = await createEscrow(ethers, f);
      await holdInline(f, id);
      const { holdUntil } = await f.escrow.getMilestone(await termsOf(f.escrow, id), id, 0n);
      await networkHelpers.time.increaseTo(holdUntil);
      await expect(f.escrow.connect(f.payer).dispute(await termsOf(f.escrow, id), id, 0n))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_HoldWindowOver")
        .withArgs(id, 0n, holdUntil);
    });

    it("G4.3: the payer may dispute a Held milestone during the window", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const id = await createEscrow(ethers, f);
      await holdInline(f, id);
      await expect(f.escrow.connect(f.payer).dispute(await termsOf(f.escrow, id), id, 0n)).to.emit(f.escrow, "DisputeMilestone");
    });

    it("G4.5: test_RevertGiven_HoldAttestationRevoked: finalizeHold reverts", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const id = await createEscrow(ethers, f);
      const hold = await holdInline(f, id);
      await f.risk.oracle.connect(f.risk.guardian).revokeAttestation(hold.att);
      await networkHelpers.time.increase(HOLD_WINDOW);
      await expect(f.escrow.finalizeHold(await termsOf(f.escrow, id), id, 0n)).to.be.revertedWithCustomError(
        f.risk.oracle,
        "RiskOracle_VerdictRevoked",
      );
    });

    it("G4.5: test_RevertGiven_SignersRotated: finalizeHold reverts", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const id = await createEscrow(ethers, f);
      await holdInline(f, id);
      await f.risk.oracle.setSigners(f.risk.signerSet, 1);
      await networkHelpers.time.increase(HOLD_WINDOW);
      await expect(f.escrow.finalizeHold(await termsOf(f.escrow, id), id, 0n))
        .to.be.revertedWithCustomError(f.risk.oracle, "RiskOracle_SignerSetRotated")
        .withArgs(1n, 2n);
    });

    it("G4.5: test_RevertGiven_PolicyDisabled: finalizeHold reverts", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const id = await createEscrow(ethers, f);
      await holdInline(f, id);
      await f.risk.oracle.setPolicy(f.escrowAddress, { allowBelow: 3_000, freezeAt: 8_000, holdWindow: 3_600, enabled: false });
      await networkHelpers.time.increase(HOLD_WINDOW);
      await expect(f.escrow.finalizeHold(await termsOf(f.escrow, id), id, 0n)).to.be.revertedWithCustomError(
        f.risk.oracle,
        "RiskOracle_PolicyNotSet",
      );
    });

    it("G4.5: test_RevertGiven_NewerVerdictPosted: finalizeHold reverts, the newer verdict applies", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const id = await createEscrow(ethers, f);
      await holdInline(f, id);
      await networkHelpers.time.increase(10);
      await postVerdict(ethers, f.risk, await settlementOf(f, id, 0n), { score: FREEZE_SCORE });
      await networkHelpers.time.increase(HOLD_WINDOW);
      await expect(f.escrow.finalizeHold(await termsOf(f.escrow, id), id, 0n)).to.be.revertedWithCustomError(
        f.risk.oracle,
        "RiskOracle_Superseded",
      );
    });

    it("G4.5: test_RevertGiven_OraclePaused: finalizeHold reverts", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const id = await createEscrow(ethers, f);
      await holdInline(f, id);
      await f.risk.oracle.connect(f.risk.guardian).pause();
      await networkHelpers.time.increase(HOLD_WINDOW);
      await expect(f.escrow.finalizeHold(await termsOf(f.escrow, id), id, 0n)).to.be.revertedWithCustomError(
        f.risk.oracle,
        "RiskOracle_Paused",
      );
    });

    it("G4.5: a posted Hold that is still the current verdict pays at the end of the window (even expired)", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const id = await createEscrow(ethers, f);
      await postVerdict(ethers, f.risk, await settlementOf(f, id, 0n), { score: HOLD_SCORE });
      await (await f.escrow.release(await termsOf(f.escrow, id), id, 0n)).wait();
      await networkHelpers.time.increase(HOLD_WINDOW);
      await expect(f.escrow.finalizeHold(await termsOf(f.escrow, id), id, 0n)).to.emit(f.escrow, "ReleaseMilestone");
    });

    it("G4.5: an inline Hold still current pays at the end of the window", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const id = await createEscrow(ethers, f);
      await holdInline(f, id);
      await networkHelpers.time.increase(HOLD_WINDOW);
      const before = await f.usdc.balanceOf(f.payee.address);
      await expect(f.escrow.finalizeHold(await termsOf(f.escrow, id), id, 0n)).to.emit(f.escrow, "ReleaseMilestone");
      expect(await f.usdc.balanceOf(f.payee.address)).to.equal(before + USDC(100));
    });
  });

  describe("G6: freezes and arbitration", function () {
    it("G6.1: test_RevertWhen_ArbiterIsParty (payer or payee)", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expect(
        f.escrow.connect(f.payer).createEscrow(await paramsFor(ethers, f, [USDC(1)], { arbiter: f.payee.address })),
      )
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_ArbiterIsParty")
        .withArgs(f.payee.address);
      await expect(
        f.escrow.connect(f.payer).createEscrow(await paramsFor(ethers, f, [USDC(1)], { arbiter: f.payer.address })),
      )
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_ArbiterIsParty")
        .withArgs(f.payer.address);
    });

    it("G6.2: a Disputed or Frozen milestone is refundable after deadline + ARBITRATION_TIMEOUT", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      expect(await f.escrow.ARBITRATION_TIMEOUT()).to.equal(30n * ONE_DAY);
      const id = await createEscrow(ethers, f, [USDC(10), USDC(20), USDC(40)]);
      await f.escrow.connect(f.payer).dispute(await termsOf(f.escrow, id), id, 0n);
      await (await presentInline(f, id, 1n, await signed(f, id, 1n, FREEZE_SCORE))).wait();
      const terms = await termsOf(f.escrow, id);
      await networkHelpers.time.increaseTo(terms.deadline);
      // At the deadline only the Pending milestone is refunded; the arbiter still has its timeout.
      await expect(f.escrow.refund(terms, id)).to.emit(f.escrow, "Refund").withArgs(id, f.payer.address, USDC(40), 4n);
      // The next block is one second later: deadline + ARBITRATION_TIMEOUT - 1.
      await networkHelpers.time.increaseTo(terms.deadline + 30n * ONE_DAY - 2n);
      await expect(f.escrow.refund(terms, id)).to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_NothingToRefund");
      await networkHelpers.time.increaseTo(terms.deadline + 30n * ONE_DAY);
      const before = await f.usdc.balanceOf(f.payer.address);
      await expect(f.escrow.connect(f.other).refund(terms, id))
        .to.emit(f.escrow, "Refund")
        .withArgs(id, f.payer.address, USDC(30), 3n);
      expect(await f.usdc.balanceOf(f.payer.address)).to.equal(before + USDC(30));
      expect((await f.escrow.getMilestone(terms, id, 0n)).status).to.equal(Status.Refunded);
      expect((await f.escrow.getMilestone(terms, id, 1n)).status).to.equal(Status.Refunded);
    });
  });

  describe("G9: a stablecoin freeze is never bypassable through the escrow", function () {
    it("G9: test_RevertGiven_AccountBlocked: a blacklisted payee cannot claim its credit to a fresh address", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const id = await createEscrow(ethers, f);
      await f.usdc.blacklist(f.payee.address);
      await (await presentInline(f, id, 0n, await signed(f, id, 0n))).wait();
      expect(await f.escrow.owed(f.payee.address, f.usdcAddress)).to.equal(USDC(100));
      await expect(f.escrow.connect(f.payee).claim(f.usdcAddress, f.other.address))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_AccountBlocked")
        .withArgs(f.payee.address, f.usdcAddress);
      // Once the issuer lifts the blacklist, the credit is claimable anywhere.
      await f.usdc.unBlacklist(f.payee.address);
      await expect(f.escrow.connect(f.payee).claim(f.usdcAddress, f.other.address))
        .to.emit(f.escrow, "Claim")
        .withArgs(f.payee.address, f.usdcAddress, f.other.address, USDC(100));
    });
  });

  describe("G10: the payee approves the referrer it pays", function () {
    it("G10: test_RevertWhen_ReferrerNotApproved", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expect(
        f.escrow.connect(f.payer).createEscrow(await paramsFor(ethers, f, [USDC(1)], { referrer: f.other.address })),
      )
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_ReferrerNotApproved")
        .withArgs(f.payee.address, f.other.address);
    });

    it("G10: test_RevertWhen_ReferrerIsPayer (even approved by the payee)", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await f.escrow.connect(f.payee).approveReferrer(f.payer.address, true);
      await expect(
        f.escrow.connect(f.payer).createEscrow(await paramsFor(ethers, f, [USDC(1)], { referrer: f.payer.address })),
      )
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_ReferrerIsPayer")
        .withArgs(f.payer.address);
    });

    it("G10: a referrer approved by the payee is accepted; approval is evented and revocable", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expect(f.escrow.connect(f.payee).approveReferrer(f.other.address, true))
        .to.emit(f.escrow, "ApproveReferrer")
        .withArgs(f.payee.address, f.other.address, true);
      expect(await f.escrow.isReferrerApproved(f.payee.address, f.other.address)).to.equal(true);
      await expect(
        f.escrow.connect(f.payer).createEscrow(await paramsFor(ethers, f, [USDC(1)], { referrer: f.other.address })),
      ).to.emit(f.escrow, "CreateEscrow");
      await f.escrow.connect(f.payee).approveReferrer(f.other.address, false);
      await expect(
        f.escrow.connect(f.payer).createEscrow(await paramsFor(ethers, f, [USDC(1)], { referrer: f.other.address })),
      ).to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_ReferrerNotApproved");
    });
  });

  describe("G11: administration", function () {
    it("G11: test_RevertWhen_RenounceOwnership", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expect(f.escrow.renounceOwnership()).to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_RenounceDisabled");
      expect(await f.escrow.owner()).to.equal(f.owner.address);
    });
  });

  describe("G13: the token surfaces its own reason", function () {
    it("G13: a blacklisted payer's permit-funded create reverts with the token's reason", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await f.usdc.connect(f.payer).approve(f.escrowAddress, 0n);
      const { chainId } = await ethers.provider.getNetwork();
      const domain = { name: "USD Coin", version: "2", chainId, verifyingContract: f.usdcAddress };
      const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
      const nonce = await f.usdc.nonces(f.payer.address);
      const permitTypes = {
        Permit: [
          { name: "owner", type: "address" },
          { name: "spender", type: "address" },
          { name: "value", type: "uint256" },
          { name: "nonce", type: "uint256" },
          { name: "deadline", type: "uint256" },
        ],
      };
      const sig = ethers.Signature.from(
        await f.payer.signTypedData(domain, permitTypes, { owner: f.payer.address, spender: f.escrowAddress, value: USDC(50), nonce, deadline }),
      );
      await f.usdc.blacklist(f.payer.address);
      await expect(
        f.escrow.connect(f.payer).createEscrowWithPermit(await paramsFor(ethers, f, [USDC(50)]), deadline, sig.v, sig.r, sig.s),
      ).to.be.revertedWith("Blacklistable: account is blacklisted");
    });
  });
});
