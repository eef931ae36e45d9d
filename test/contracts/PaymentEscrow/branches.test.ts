// PaymentEscrow branches that the trees in ./trees/ found without a test: the shared milestone lookup on every
// call that takes (terms, id, index), the status checks of the posted/inline release and dispute paths, the
// funding paths' checks, and the fee split of finalizeHold.
import { expect } from "chai";
import { network } from "hardhat";
import { DEFAULT_POLICY, postVerdict, signedAttestationFor } from "../helpers/attestation.js";
import {
  type EscrowFixture,
  Status,
  USDC,
  createEscrow,
  deployEscrowFixture,
  paramsFor,
  settlementOf,
  termsOf,
} from "./fixture.js";

const { ethers, networkHelpers } = await network.connect();
const { time, loadFixture } = networkHelpers;

// Scores under DEFAULT_POLICY: release < 3000 <= hold < 8000 <= freeze.
const HOLD_SCORE = 5_000;
const FREEZE_SCORE = 9_000;

async function fixture(): Promise<EscrowFixture> {
  return deployEscrowFixture(ethers);
}

async function inline(f: EscrowFixture, id: bigint, index: bigint, overrides = {}) {
  const signed = await signedAttestationFor(ethers, f.risk, await settlementOf(f, id, index), overrides);
  return f.escrow.releaseWithAttestation(await termsOf(f.escrow, id), id, index, signed.att, signed.signerSet, signed.signatures);
}

/** Every call that looks a milestone up by (terms, id, index), with a valid attestation for milestone 0 of `valid`. */
async function milestoneCalls(f: EscrowFixture, valid: bigint) {
  const signed = await signedAttestationFor(ethers, f.risk, await settlementOf(f, valid, 0n));
  const t = await termsOf(f.escrow, valid);
  return {
    release: (id: bigint, index: bigint) => f.escrow.release(t, id, index),
    releaseWithAttestation: (id: bigint, index: bigint) =>
      f.escrow.releaseWithAttestation(t, id, index, signed.att, signed.signerSet, signed.signatures),
    finalizeHold: (id: bigint, index: bigint) => f.escrow.finalizeHold(t, id, index),
    dispute: (id: bigint, index: bigint) => f.escrow.connect(f.payer).dispute(t, id, index),
    resolve: (id: bigint, index: bigint) => f.escrow.connect(f.arbiter).resolve(t, id, index, USDC(100), 0n),
  };
}

const PERMIT_TYPES = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

const AUTHORIZATION_TYPES = {
  ReceiveWithAuthorization: [
    { name: "from", type: "address" },
    { name: "to", type: "address" },
    { name: "value", type: "uint256" },
    { name: "validAfter", type: "uint256" },
    { name: "validBefore", type: "uint256" },
    { name: "nonce", type: "bytes32" },
  ],
};

describe("PaymentEscrow branches (from the trees)", function () {
  describe("milestone lookup, on every call that takes (terms, id, index)", function () {
    it("test_RevertWhen_EscrowIdAbove64Bits_OnEveryMilestoneCall", async function () {
      const f = await loadFixture(fixture);
      const id = await createEscrow(ethers, f);
      const alias = (1n << 64n) + id;
      for (const [name, call] of Object.entries(await milestoneCalls(f, id))) {
        await expect(call(alias, 0n), name).to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_EscrowNotFound").withArgs(alias);
      }
      expect((await f.escrow.getMilestone(await termsOf(f.escrow, id), id, 0n)).status).to.equal(Status.Pending);
    });

    it("test_RevertWhen_MilestoneIndexOutOfRange_OnEveryMilestoneCall", async function () {
      const f = await loadFixture(fixture);
      const id = await createEscrow(ethers, f, [USDC(100), USDC(1)]);
      for (const [name, call] of Object.entries(await milestoneCalls(f, id))) {
        await expect(call(id, 2n), name).to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_MilestoneNotFound").withArgs(id, 2n);
        // Index 2^16 would alias milestone 0 of the next escrow once shifted into the subject.
        await expect(call(id, 1n << 16n), name)
          .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_MilestoneNotFound")
          .withArgs(id, 1n << 16n);
      }
    });

    it("test_RevertGiven_EscrowNeverCreated_OnEveryMilestoneCall: id 0 and the next id read None, reported as EscrowNotFound", async function () {
      const f = await loadFixture(fixture);
      const id = await createEscrow(ethers, f);
      const next = await f.escrow.nextEscrowId();
      for (const [name, call] of Object.entries(await milestoneCalls(f, id))) {
        for (const missing of [0n, next]) {
          await expect(call(missing, 0n), `${name}(${missing})`)
            .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_EscrowNotFound")
            .withArgs(missing);
        }
      }
    });
  });

  describe("release / releaseWithAttestation: status and deadline", function () {
    it("test_release_RevertGiven_MilestoneFrozenOrDisputed: a posted verdict no longer applies", async function () {
      const f = await loadFixture(fixture);
      const id = await createEscrow(ethers, f, [USDC(10), USDC(20)]);
      await (await inline(f, id, 0n, { score: FREEZE_SCORE })).wait();
      await (await f.escrow.connect(f.payee).dispute(await termsOf(f.escrow, id), id, 1n)).wait();
      await time.increase(5);
      await postVerdict(ethers, f.risk, await settlementOf(f, id, 0n));
      await postVerdict(ethers, f.risk, await settlementOf(f, id, 1n));
      const t = await termsOf(f.escrow, id);
      await expect(f.escrow.release(t, id, 0n))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_InvalidStatus")
        .withArgs(id, 0n, Status.Frozen);
      await expect(f.escrow.release(t, id, 1n))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_InvalidStatus")
        .withArgs(id, 1n, Status.Disputed);
      expect(await f.usdc.balanceOf(f.escrowAddress)).to.equal(USDC(30));
    });

    it("test_releaseWithAttestation_RevertGiven_MilestoneReleased: a newer attestation cannot pay twice", async function () {
      const f = await loadFixture(fixture);
      const id = await createEscrow(ethers, f);
      await (await inline(f, id, 0n)).wait();
      await time.increase(5);
      await expect(inline(f, id, 0n))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_InvalidStatus")
        .withArgs(id, 0n, Status.Released);
      expect(await f.usdc.balanceOf(f.payee.address)).to.equal(USDC(100));
    });

    it("test_releaseWithAttestation_RevertGiven_DeadlinePassed", async function () {
      const f = await loadFixture(fixture);
      const id = await createEscrow(ethers, f);
      const deadline = (await termsOf(f.escrow, id)).deadline;
      await time.increaseTo(deadline);
      await expect(inline(f, id, 0n)).to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_DeadlinePassed").withArgs(id, deadline);
    });

    it("test_releaseWithAttestation_HeldThenNewerRelease: pays before the hold window ends", async function () {
      const f = await loadFixture(fixture);
      const id = await createEscrow(ethers, f);
      await (await inline(f, id, 0n, { score: HOLD_SCORE })).wait();
      const held = await f.escrow.getMilestone(await termsOf(f.escrow, id), id, 0n);
      expect(held.status).to.equal(Status.Held);
      await time.increase(5);
      await expect(inline(f, id, 0n, { score: 10 })).to.emit(f.escrow, "ReleaseMilestone");
      const m = await f.escrow.getMilestone(await termsOf(f.escrow, id), id, 0n);
      expect(m.status).to.equal(Status.Released);
      expect(BigInt(await time.latest())).to.be.lessThan(held.holdUntil);
      expect(await f.usdc.balanceOf(f.payee.address)).to.equal(USDC(100));
    });
  });

  describe("dispute / finalizeHold", function () {
    it("test_dispute_RevertGiven_MilestoneFrozenOrReleased", async function () {
      const f = await loadFixture(fixture);
      const id = await createEscrow(ethers, f, [USDC(10), USDC(20)]);
      await (await inline(f, id, 0n, { score: FREEZE_SCORE })).wait();
      await (await inline(f, id, 1n)).wait();
      const t = await termsOf(f.escrow, id);
      await expect(f.escrow.connect(f.payer).dispute(t, id, 0n))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_InvalidStatus")
        .withArgs(id, 0n, Status.Frozen);
      await expect(f.escrow.connect(f.payee).dispute(t, id, 1n))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_InvalidStatus")
        .withArgs(id, 1n, Status.Released);
    });

    it("test_finalizeHold_TakesFeeAndReferral: the snapshotted rates apply at the end of the hold", async function () {
      const f = await loadFixture(fixture);
      await f.escrow.setFee(100);
      await f.escrow.setReferralBps(50);
      const id = await createEscrow(ethers, f, [USDC(1_000)], { referrer: f.referrer.address });
      await (await inline(f, id, 0n, { score: HOLD_SCORE })).wait();
      await time.increase(DEFAULT_POLICY.holdWindow);
      await expect(f.escrow.connect(f.other).finalizeHold(await termsOf(f.escrow, id), id, 0n))
        .to.emit(f.escrow, "PayFee")
        .withArgs(id, f.usdcAddress, USDC(10))
        .and.to.emit(f.escrow, "PayReferral")
        .withArgs(id, f.referrer.address, USDC(5))
        .and.to.emit(f.escrow, "ReleaseMilestone")
        .withArgs(id, f.payee.address, 0n, USDC(985), HOLD_SCORE, (v: bigint) => v > 0n);
      expect(await f.usdc.balanceOf(f.payee.address)).to.equal(USDC(985));
      expect(await f.usdc.balanceOf(f.referrer.address)).to.equal(USDC(5));
      expect(await f.escrow.accruedFees(f.usdcAddress)).to.equal(USDC(10));
    });
  });

  describe("funding paths", function () {
    async function permitSig(f: EscrowFixture, value: bigint) {
      const { chainId } = await ethers.provider.getNetwork();
      const domain = { name: "USD Coin", version: "2", chainId, verifyingContract: f.usdcAddress };
      const deadline = BigInt(await time.latest()) + 3600n;
      const nonce = await f.usdc.nonces(f.payer.address);
      const message = { owner: f.payer.address, spender: f.escrowAddress, value, nonce, deadline };
      return { deadline, sig: ethers.Signature.from(await f.payer.signTypedData(domain, PERMIT_TYPES, message)) };
    }

    it("test_createEscrowWithPermit_RevertWhen_ParamsInvalid: the escrow checks run before the permit", async function () {
      const f = await loadFixture(fixture);
      await f.usdc.connect(f.payer).approve(f.escrowAddress, 0n);
      const { deadline, sig } = await permitSig(f, USDC(50));
      const now = BigInt(await time.latest());
      const bad = await paramsFor(ethers, f, [USDC(50)], { deadline: now });
      await expect(f.escrow.connect(f.payer).createEscrowWithPermit(bad, deadline, sig.v, sig.r, sig.s))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_DeadlineInPast")
        .withArgs(now);
      await expect(
        f.escrow.connect(f.payer).createEscrowWithPermit(await paramsFor(ethers, f, [USDC(50)], { arbiter: ethers.ZeroAddress }), deadline, sig.v, sig.r, sig.s),
      ).to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_ZeroAddress");
      // The permit was never consumed: it still funds a valid escrow.
      await expect(
        f.escrow.connect(f.payer).createEscrowWithPermit(await paramsFor(ethers, f, [USDC(50)]), deadline, sig.v, sig.r, sig.s),
      ).to.emit(f.escrow, "CreateEscrow");
      expect(await f.usdc.balanceOf(f.escrowAddress)).to.equal(USDC(50));
    });

    it("test_createEscrowWithPermit_RevertWhen_FeeOnTransferToken: failed permit, allowance used, balance check still bites", async function () {
      const f = await loadFixture(fixture);
      const fot = await ethers.deployContract("FeeOnTransferToken", [100]);
      const fotAddress = await fot.getAddress();
      await f.escrow.setTokenAllowed(fotAddress, true);
      await fot.mint(f.payer.address, USDC(100));
      await fot.connect(f.payer).approve(f.escrowAddress, USDC(100));
      // The token has no permit(): the call fails and is ignored; the allowance covers the total.
      const junk = ethers.ZeroHash;
      await expect(
        f.escrow.connect(f.payer).createEscrowWithPermit(await paramsFor(ethers, f, [USDC(100)], { token: fotAddress }), 0n, 27, junk, junk),
      )
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_BalanceMismatch")
        .withArgs(USDC(100), USDC(99));
    });

    it("test_createEscrowWithAuthorization_RevertWhen_ParamsInvalid: the escrow checks run before the authorization", async function () {
      const f = await loadFixture(fixture);
      await f.usdc.connect(f.payer).approve(f.escrowAddress, 0n);
      const { chainId } = await ethers.provider.getNetwork();
      const domain = { name: "USD Coin", version: "2", chainId, verifyingContract: f.usdcAddress };
      const msg = {
        from: f.payer.address,
        to: f.escrowAddress,
        value: USDC(70),
        validAfter: 0n,
        validBefore: BigInt(await time.latest()) + 3600n,
        nonce: ethers.hexlify(ethers.randomBytes(32)),
      };
      const sig = ethers.Signature.from(await f.payer.signTypedData(domain, AUTHORIZATION_TYPES, msg));
      const other = await ethers.deployContract("MockUSDC", [f.owner.address]);
      const bad = await paramsFor(ethers, f, [USDC(70)], { token: await other.getAddress() });
      await expect(
        f.escrow.connect(f.payer).createEscrowWithAuthorization(bad, msg.validAfter, msg.validBefore, msg.nonce, sig.v, sig.r, sig.s),
      )
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_TokenNotAllowed")
        .withArgs(await other.getAddress());
      await expect(
        f.escrow
          .connect(f.payer)
          .createEscrowWithAuthorization(await paramsFor(ethers, f, [USDC(70), 0n]), msg.validAfter, msg.validBefore, msg.nonce, sig.v, sig.r, sig.s),
      )
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_ZeroAmount")
        .withArgs(1n);
      expect(await f.usdc.authorizationState(f.payer.address, msg.nonce)).to.equal(false);
      expect(await f.usdc.balanceOf(f.escrowAddress)).to.equal(0n);
    });
  });
});
