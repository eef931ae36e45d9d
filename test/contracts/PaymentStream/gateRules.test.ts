// The gate rules of docs/gate.md as they apply to streams (issue #11, stream findings). Each test is named by
// the rule it asserts and fails on the code before the fix.
import { expect } from "chai";
import { network } from "hardhat";
import { DEFAULT_POLICY, Decision } from "../helpers/attestation.js";
import { DAY, Kind, Payer, USDC, streamFixture } from "./fixture.js";

const { ethers, networkHelpers } = await network.connect();
const { time, loadFixture } = networkHelpers;

async function fixture() {
  const f = await streamFixture(ethers);
  // 100 USDC allowance, 1,000 USDC over 1,000 s starting now.
  const id = await f.createLinear({ startTime: 0n, endTime: (await f.now()) + 1_001n });
  await time.increase(500);
  return { ...f, id };
}

type F = Awaited<ReturnType<typeof fixture>>;

const subject = (id: bigint, seq: bigint) => ethers.toBeHex((id << 64n) | seq, 32);

/** Presents a signed attestation inline as `who`. */
const inline = (f: F, who: F["recipient"], id: bigint, amount: bigint, signed: Awaited<ReturnType<F["attest"]>>) =>
  f.stream.connect(who).withdrawWithAttestation(id, f.recipient.address, amount, signed.att, signed.signerSet, signed.signatures);


describe("PaymentStream: gate rules (docs/gate.md)", function () {
  describe("G2: the newest verdict governs, whichever path presents it", function () {
    it("G2: a recipient cannot withdraw past a newer posted Freeze by naming the older Release's cap", async function () {
      const f = await loadFixture(fixture);
      const t = await f.now();
      await f.post(f.id, USDC(300), { issuedAt: t - 10n });
      await f.post(f.id, USDC(1), { score: 9_000, issuedAt: t - 5n });
      await expect(f.stream.connect(f.recipient).withdrawWithPosted(f.id, f.recipient.address, USDC(300), USDC(300))).to.be.revertedWithCustomError(f.risk.oracle, "RiskOracle_VerdictMismatch");
      // The Freeze governs and anyone applies it.
      await expect(f.stream.connect(f.sender).withdrawWithPosted(f.id, f.recipient.address, USDC(1), USDC(1))).to.emit(f.errs, "FreezeStream");
    });

    it("G2: a recipient cannot replay inline the Release a newer posted Freeze overwrote", async function () {
      const f = await loadFixture(fixture);
      const t = await f.now();
      const release = await f.post(f.id, USDC(300), { issuedAt: t - 10n });
      await f.post(f.id, USDC(300), { score: 9_000, issuedAt: t - 5n });
      await expect(inline(f, f.recipient, f.id, USDC(300), release)).to.be.revertedWithCustomError(f.risk.oracle, "RiskOracle_Superseded");
    });

    it("G2: a posted Hold cannot be skipped by naming an older Release's cap", async function () {
      const f = await loadFixture(fixture);
      const t = await f.now();
      await f.post(f.id, USDC(300), { issuedAt: t - 10n });
      await f.post(f.id, USDC(200), { score: 5_000, issuedAt: t - 5n });
      await expect(f.stream.connect(f.recipient).withdrawWithPosted(f.id, f.recipient.address, USDC(300), USDC(300))).to.be.revertedWithCustomError(f.risk.oracle, "RiskOracle_VerdictMismatch");
    });

    it("G4: finalizeHold refuses a hold superseded by a newer posted verdict", async function () {
      const f = await loadFixture(fixture);
      const t = await f.now();
      const hold = await f.attest(f.id, USDC(200), { score: 5_000, issuedAt: t - 10n });
      await inline(f, f.recipient, f.id, USDC(200), hold);
      await f.post(f.id, USDC(200), { score: 6_000, issuedAt: t - 5n });
      await time.increase(3_600);
      await expect(f.stream.connect(f.recipient).finalizeHold(f.id, f.recipient.address, USDC(200))).to.be.revertedWithCustomError(f.risk.oracle, "RiskOracle_Superseded");
    });

    it("G2: an applied verdict is refused on both paths once applied, and an older one for the same seq too", async function () {
      const f = await loadFixture(fixture);
      const t = await f.now();
      const older = await f.attest(f.id, USDC(300), { issuedAt: t - 10n });
      const newer = await f.attest(f.id, USDC(200), { score: 5_000, issuedAt: t - 5n });
      await expect(inline(f, f.recipient, f.id, USDC(200), newer)).to.emit(f.errs, "HoldStream");
      // Same seq (a hold consumes nothing), older issuedAt: stale whatever its cap.
      await expect(inline(f, f.recipient, f.id, USDC(300), older))
        .to.be.revertedWithCustomError(f.errs, "RiskGated_StaleVerdict").withArgs(subject(f.id, 0n), t - 10n, t - 5n);
      await expect(inline(f, f.recipient, f.id, USDC(200), newer)).to.be.revertedWithCustomError(f.errs, "RiskGated_StaleVerdict");
      expect((await f.stream.gateOf(f.id)).lastIssuedAt).to.equal(t - 5n);
    });
  });

  describe("G7: recency across a stream's seqs", function () {
    it("G7: a verdict issued before a Freeze never counts after the arbiter clears it, even for the next seq", async function () {
      const f = await loadFixture(fixture);
      const t = await f.now();
      const freeze = await f.attest(f.id, USDC(1), { score: 9_000, issuedAt: t });
      await expect(inline(f, f.sender, f.id, USDC(1), freeze)).to.emit(f.errs, "FreezeStream");
      await f.stream.connect(f.arbiter).clearFreeze(f.id);
      // Signed for seq 1 before the Freeze (e.g. served earlier in pull mode).
      const early = await f.attest(f.id, USDC(300), { issuedAt: t - 60n });
      await expect(inline(f, f.recipient, f.id, USDC(300), early))
        .to.be.revertedWithCustomError(f.errs, "RiskGated_StaleVerdict").withArgs(subject(f.id, 1n), t - 60n, t);
      await f.post(f.id, USDC(300), { issuedAt: t - 30n });
      await expect(f.stream.connect(f.recipient).withdrawWithPosted(f.id, f.recipient.address, USDC(300), USDC(300)))
        .to.be.revertedWithCustomError(f.errs, "RiskGated_StaleVerdict");
      // A verdict newer than the Freeze works.
      await time.increase(5);
      const fresh = await f.attest(f.id, USDC(300));
      await expect(inline(f, f.recipient, f.id, USDC(300), fresh)).to.emit(f.stream, "WithdrawStream");
    });
  });

  describe("G4: a Hold is a recorded window, re-checked at its end", function () {
    it("G4: a Hold presented in pull mode is recorded (HoldStream) and withdraws nothing", async function () {
      const f = await loadFixture(fixture);
      const signed = await f.attest(f.id, USDC(200), { score: 5_000 });
      const before = await f.usdc.balanceOf(f.recipient.address);
      const tx = await inline(f, f.recipient, f.id, USDC(200), signed);
      const at = BigInt((await tx.getBlock())!.timestamp);
      await expect(tx).to.emit(f.errs, "HoldStream").withArgs(f.id, subject(f.id, 0n), at + 3_600n, 5_000, signed.att.issuedAt);
      expect(await f.usdc.balanceOf(f.recipient.address)).to.equal(before);
      const g = await f.stream.gateOf(f.id);
      expect(g.holdUntil).to.equal(at + 3_600n);
      expect(g.holdCap).to.equal(USDC(200));
      expect(g.holdEpoch).to.equal(await f.risk.oracle.epoch());
      expect((await f.stream.getStream(f.id)).seq).to.equal(0n);
    });

    it("G4: the window runs from the first Hold; a newer Hold updates the verdict but never extends it", async function () {
      const f = await loadFixture(fixture);
      const tx = await inline(f, f.recipient, f.id, USDC(200), await f.attest(f.id, USDC(200), { score: 5_000 }));
      const holdUntil = BigInt((await tx.getBlock())!.timestamp) + 3_600n;
      await time.increase(1_000);
      const newer = await f.attest(f.id, USDC(150), { score: 6_000 });
      await expect(inline(f, f.recipient, f.id, USDC(150), newer))
        .to.emit(f.errs, "HoldStream").withArgs(f.id, subject(f.id, 0n), holdUntil, 6_000, newer.att.issuedAt);
      await time.increaseTo(holdUntil);
      await expect(f.stream.connect(f.recipient).finalizeHold(f.id, f.recipient.address, USDC(200)))
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_AmountAboveAttestedCap");
      await expect(f.stream.connect(f.recipient).finalizeHold(f.id, f.recipient.address, USDC(150)))
        .to.emit(f.errs, "UseAttestation").withArgs(f.id, subject(f.id, 0n), Decision.Hold, 6_000, newer.att.issuedAt);
    });

    it("G4: during the window the sender may dispute (the stream freezes for the arbiter); after it nobody can", async function () {
      const f = await loadFixture(fixture);
      await expect(f.stream.connect(f.sender).disputeHold(f.id)).to.be.revertedWithCustomError(f.errs, "PaymentStream_NoHold");
      const tx = await inline(f, f.recipient, f.id, USDC(200), await f.attest(f.id, USDC(200), { score: 5_000 }));
      const holdUntil = BigInt((await tx.getBlock())!.timestamp) + 3_600n;
      await expect(f.stream.connect(f.recipient).disputeHold(f.id)).to.be.revertedWithCustomError(f.errs, "PaymentStream_CallerNotSender");
      const snap = await networkHelpers.takeSnapshot();
      await expect(f.stream.connect(f.sender).disputeHold(f.id))
        .to.emit(f.errs, "DisputeStream").withArgs(f.id, subject(f.id, 0n), f.sender.address);
      expect((await f.stream.getStream(f.id)).flags & 16n).to.equal(16n);
      await expect(f.stream.connect(f.recipient).finalizeHold(f.id, f.recipient.address, 1n))
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_StreamFrozen");
      await snap.restore();
      // The sender of a cancelable stream may cancel during the window instead; the streamed part stays held.
      await time.increaseTo(holdUntil);
      await expect(f.stream.connect(f.sender).disputeHold(f.id))
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_HoldOver").withArgs(f.id, holdUntil);
    });

    it("G4: a newer Release ends the hold at once; a newer Freeze freezes the stream and drops the hold", async function () {
      const f = await loadFixture(fixture);
      await inline(f, f.recipient, f.id, USDC(200), await f.attest(f.id, USDC(200), { score: 5_000 }));
      const snap = await networkHelpers.takeSnapshot();
      await time.increase(5);
      await expect(inline(f, f.recipient, f.id, USDC(250), await f.attest(f.id, USDC(250))))
        .to.emit(f.stream, "WithdrawStream").withArgs(f.id, f.recipient.address, USDC(250), USDC(250));
      expect((await f.stream.gateOf(f.id)).holdUntil).to.equal(0n);
      await snap.restore();
      await time.increase(5);
      await expect(inline(f, f.other, f.id, USDC(1), await f.attest(f.id, USDC(1), { score: 9_000 }))).to.emit(f.errs, "FreezeStream");
      expect((await f.stream.gateOf(f.id)).holdUntil).to.equal(0n);
    });

    it("G4: finalizeHold re-checks the oracle: paused, policy disabled or signers rotated stop it", async function () {
      const f = await loadFixture(fixture);
      await inline(f, f.recipient, f.id, USDC(200), await f.attest(f.id, USDC(200), { score: 5_000 }));
      await time.increase(3_600);
      const finalize = () => f.stream.connect(f.recipient).finalizeHold(f.id, f.recipient.address, USDC(200));
      let snap = await networkHelpers.takeSnapshot();
      await f.risk.oracle.connect(f.risk.guardian).pause();
      await expect(finalize()).to.be.revertedWithCustomError(f.risk.oracle, "RiskOracle_Paused");
      await snap.restore();
      snap = await networkHelpers.takeSnapshot();
      await f.risk.oracle.setPolicy(f.streamAddress, { ...DEFAULT_POLICY, enabled: false });
      await expect(finalize()).to.be.revertedWithCustomError(f.risk.oracle, "RiskOracle_PolicyNotSet");
      await snap.restore();
      snap = await networkHelpers.takeSnapshot();
      await f.risk.oracle.setSigners([f.other.address], 1);
      await expect(finalize()).to.be.revertedWithCustomError(f.risk.oracle, "RiskOracle_SignerSetRotated");
      await snap.restore();
      // A third party cannot spend the hold either (G5).
      await expect(f.stream.connect(f.other).finalizeHold(f.id, f.recipient.address, USDC(200)))
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_CallerNotRecipientOrOperator");
      await expect(finalize()).to.emit(f.stream, "WithdrawStream");
    });

    it("G4: a Hold with a 600 s attestation and a 1,800 s window completes (holds do not depend on the TTL)", async function () {
      const f = await loadFixture(fixture);
      await f.risk.oracle.setPolicy(f.streamAddress, { ...DEFAULT_POLICY, holdWindow: 1_800 });
      const t = await f.now();
      const signed = await f.attest(f.id, USDC(200), { score: 5_000, issuedAt: t, expiresAt: t + 600n });
      await expect(inline(f, f.recipient, f.id, USDC(200), signed)).to.emit(f.errs, "HoldStream");
      await time.increase(1_800);
      expect(await f.now()).to.be.greaterThan(signed.att.expiresAt);
      await expect(f.stream.connect(f.recipient).finalizeHold(f.id, f.recipient.address, USDC(200)))
        .to.emit(f.stream, "WithdrawStream").withArgs(f.id, f.recipient.address, USDC(200), USDC(200));
    });
  });

  describe("G5: who may present a verdict", function () {
    it("G5: a third party cannot spend the recipient's Release or Hold (inline or posted); the seq does not move", async function () {
      const f = await loadFixture(fixture);
      const release = await f.attest(f.id, USDC(300));
      await expect(inline(f, f.other, f.id, 1n, release))
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_CallerNotRecipientOrOperator").withArgs(f.id, f.other.address);
      await expect(inline(f, f.sender, f.id, 1n, await f.attest(f.id, USDC(300), { score: 5_000 })))
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_CallerNotRecipientOrOperator");
      await f.post(f.id, USDC(300));
      await expect(f.stream.connect(f.other).withdrawWithPosted(f.id, f.recipient.address, 1n, USDC(300)))
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_CallerNotRecipientOrOperator");
      expect((await f.stream.getStream(f.id)).seq).to.equal(0n);
      // The recipient itself can spend the current verdict (the posted one: the inline `release` signed before it,
      // in the same second, is another verdict and superseded, G2.1).
      await expect(inline(f, f.recipient, f.id, USDC(300), release)).to.be.revertedWithCustomError(f.risk.oracle, "RiskOracle_Superseded");
      await expect(f.stream.connect(f.recipient).withdrawWithPosted(f.id, f.recipient.address, USDC(300), USDC(300))).to.emit(
        f.stream,
        "WithdrawStream",
      );
    });

    it("G4/G5: a withdrawal that records a Hold or applies a Freeze returns 0 (nothing paid), posted or inline", async function () {
      // Found by `npm run mutate` (`return 0` -> `return 1` on the posted path survived).
      const f = await loadFixture(fixture);
      await f.post(f.id, USDC(300), { score: 5_000 });
      expect(await f.stream.connect(f.recipient).withdrawWithPosted.staticCall(f.id, f.recipient.address, USDC(300), USDC(300))).to.equal(0n);
      const freeze = await f.attest(f.id, USDC(300), { score: 9_000, issuedAt: (await f.now()) + 1n });
      await time.increase(2);
      expect(
        await f.stream.connect(f.other).withdrawWithAttestation.staticCall(f.id, f.recipient.address, 1n, freeze.att, freeze.signerSet, freeze.signatures),
      ).to.equal(0n);
    });

    it("G5: anyone may apply a Freeze", async function () {
      const f = await loadFixture(fixture);
      await expect(inline(f, f.other, f.id, 1n, await f.attest(f.id, USDC(1), { score: 9_000 }))).to.emit(f.errs, "FreezeStream");
    });

    it("G5: an operator the recipient approved may present; approval is evented and revocable", async function () {
      const f = await loadFixture(fixture);
      await expect(f.stream.connect(f.recipient).setOperator(f.other.address, true))
        .to.emit(f.errs, "SetOperator").withArgs(f.recipient.address, f.other.address, true);
      expect(await f.stream.isOperator(f.recipient.address, f.other.address)).to.equal(true);
      await expect(inline(f, f.other, f.id, USDC(10), await f.attest(f.id, USDC(10))))
        .to.emit(f.stream, "WithdrawStream").withArgs(f.id, f.recipient.address, USDC(10), USDC(10));
      await f.stream.connect(f.recipient).setOperator(f.other.address, false);
      await time.increase(1);
      await expect(inline(f, f.other, f.id, USDC(10), await f.attest(f.id, USDC(10))))
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_CallerNotRecipientOrOperator");
    });
  });

  describe("G6: freezes and arbitration", function () {
    it("G6.1: create refuses a sender or recipient equal to the arbiter", async function () {
      const f = await loadFixture(fixture);
      await expect(f.stream.connect(f.sender).createLinear(await f.linear({ recipient: f.arbiter.address })))
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_ArbiterIsParty").withArgs(f.arbiter.address);
      await f.usdc.mint(f.arbiter.address, USDC(1_000));
      await f.usdc.connect(f.arbiter).approve(f.streamAddress, USDC(1_000));
      await expect(f.stream.connect(f.arbiter).createOpen(await f.open()))
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_ArbiterIsParty");
    });

    it("G6.2: a frozen stream the arbiter leaves for ARBITRATION_TIMEOUT may be canceled by its sender", async function () {
      const f = await loadFixture(fixture);
      const tx = await inline(f, f.other, f.id, 1n, await f.attest(f.id, USDC(1), { score: 9_000 }));
      const frozenAt = BigInt((await tx.getBlock())!.timestamp);
      const streamed = (await f.stream.amountsOf(f.id)).streamed;
      expect(await f.stream.ARBITRATION_TIMEOUT()).to.equal(30n * DAY);
      await time.increaseTo(frozenAt + 30n * DAY - 2n);
      await expect(f.stream.connect(f.sender).cancel(f.id))
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_ArbitrationPending").withArgs(f.id, frozenAt + 30n * DAY);
      await time.increase(1);
      await expect(f.stream.connect(f.sender).cancel(f.id))
        .to.emit(f.errs, "CancelStream").withArgs(f.id, f.sender.address, USDC(1_000) - streamed, streamed);
      // What streamed before the freeze stays the recipient's, withdrawable once a verdict newer than the freeze allows.
      await expect(f.stream.connect(f.recipient).withdraw(f.id, f.recipient.address, 1n))
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_AttestationRequired");
      await expect(inline(f, f.recipient, f.id, streamed, await f.attest(f.id, streamed)))
        .to.emit(f.stream, "WithdrawStream").withArgs(f.id, f.recipient.address, streamed, streamed);
    });
  });

  describe("G6.2 after a cancel", function () {
    it("G6.2: a canceled stream frozen afterwards is unfrozen by its sender after the timeout; the recipient then needs a newer verdict", async function () {
      const f = await loadFixture(fixture);
      await f.stream.connect(f.sender).cancel(f.id);
      const streamed = (await f.stream.amountsOf(f.id)).withdrawable;
      const tx = await inline(f, f.other, f.id, 1n, await f.attest(f.id, USDC(1), { score: 9_000 }));
      const frozenAt = BigInt((await tx.getBlock())!.timestamp);
      await expect(f.stream.connect(f.sender).cancel(f.id))
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_ArbitrationPending").withArgs(f.id, frozenAt + 30n * DAY);
      await time.increaseTo(frozenAt + 30n * DAY);
      await expect(f.stream.connect(f.other).cancel(f.id)).to.be.revertedWithCustomError(f.errs, "PaymentStream_StreamCanceled");
      await expect(f.stream.connect(f.sender).cancel(f.id)).to.emit(f.errs, "ClearFreeze").withArgs(f.id, f.sender.address);
      await expect(f.stream.connect(f.recipient).withdraw(f.id, f.recipient.address, 1n))
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_AttestationRequired");
      await expect(inline(f, f.recipient, f.id, streamed, await f.attest(f.id, streamed)))
        .to.emit(f.stream, "WithdrawStream").withArgs(f.id, f.recipient.address, streamed, streamed);
      await expect(f.stream.connect(f.sender).cancel(f.id)).to.be.revertedWithCustomError(f.errs, "PaymentStream_StreamCanceled");
    });
  });

  describe("G8: no balance without an exit", function () {
    it("G8: after a linear stream's end the sender reclaims the budget beyond the reserve, recipient inactive", async function () {
      const f = await loadFixture(fixture);
      const planId = await f.stream.nextPlanId();
      await f.stream.createPlan(f.plan({ payer: Payer.Sender, bps0: 1_000 }));
      const id = await f.createLinear({ startTime: 0n, endTime: (await f.now()) + 1_001n, referralBudget: USDC(200), affiliate: f.affiliate.address, planId });
      await expect(f.stream.connect(f.sender).refundReferralBudget(id)).to.be.revertedWithCustomError(f.errs, "PaymentStream_BudgetLocked");
      await time.increase(2_000);
      // 1,000 USDC not withdrawn at 10%: 100 reserved, 100 back.
      await expect(f.stream.connect(f.sender).refundReferralBudget(id)).to.emit(f.errs, "RefundReferralBudget").withArgs(id, USDC(100));
      expect((await f.stream.amountsOf(id)).referralBudget).to.equal(USDC(100));
      await expect(f.stream.connect(f.sender).refundReferralBudget(id)).to.be.revertedWithCustomError(f.errs, "PaymentStream_ZeroAmount");
      // The affiliate still gets its commission on what the recipient withdraws later.
      await f.stream.connect(f.recipient).withdraw(id, f.recipient.address, USDC(100));
      expect((await f.stream.accountOf(f.affiliate.address, f.usdcAddress)).credit).to.equal(USDC(10));
    });
  });

  describe("G9: a stablecoin freeze is never bypassable through us", function () {
    it("G9: a blacklisted recipient cannot withdraw to a fresh address; a clean one can", async function () {
      const f = await loadFixture(fixture);
      await expect(f.stream.connect(f.recipient).withdraw(f.id, f.other.address, USDC(10))).to.emit(f.stream, "WithdrawStream");
      await f.usdc.blacklist(f.recipient.address);
      await expect(f.stream.connect(f.recipient).withdraw(f.id, f.other.address, USDC(10)))
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_AccountBlocked").withArgs(f.recipient.address, f.usdcAddress);
      const signed = await f.attest(f.id, USDC(300));
      await expect(f.stream.connect(f.recipient).withdrawWithAttestation(f.id, f.other.address, USDC(300), signed.att, signed.signerSet, signed.signatures))
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_AccountBlocked");
    });
  });

  describe("G10: referral commissions are bound by whoever pays them", function () {
    it("G10: the recipient cannot direct the sender-paid budget to its own affiliate (sender binds it at creation)", async function () {
      const f = await loadFixture(fixture);
      const senderPlan = await f.stream.nextPlanId();
      await f.stream.createPlan(f.plan({ payer: Payer.Sender, bps0: 2_500 }));
      // The recipient's alt as its "affiliate" under a sender-paid plan: refused.
      await expect(f.stream.connect(f.recipient).setReferral(f.other.address, senderPlan))
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_InvalidPlan");
      const id = await f.createLinear({ startTime: 0n, endTime: (await f.now()) + 1_001n, unattestedAllowance: 10_000n, referralBudget: USDC(200), affiliate: f.affiliate.address, planId: senderPlan });
      await time.increase(1_000);
      await expect(f.stream.connect(f.recipient).withdrawMax(id, f.recipient.address))
        .to.emit(f.stream, "PayCommission").withArgs(id, f.affiliate.address, senderPlan, USDC(1_000), USDC(200), Payer.Sender);
      expect((await f.stream.accountOf(f.other.address, f.usdcAddress)).credit).to.equal(0n);
    });

    it("G10: create validates the sender's referral: budget or plan needs an affiliate; the plan must be sender-paid", async function () {
      const f = await loadFixture(fixture);
      await f.stream.createPlan(f.plan({ payer: Payer.Recipient }));
      await expect(f.stream.connect(f.sender).createLinear(await f.linear({ referralBudget: 1n })))
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_InvalidAffiliate").withArgs(ethers.ZeroAddress);
      await expect(f.stream.connect(f.sender).createLinear(await f.linear({ affiliate: f.affiliate.address, planId: 1n })))
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_InvalidPlan");
      await expect(f.stream.connect(f.sender).createLinear(await f.linear({ affiliate: f.affiliate.address, planId: 9n })))
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_PlanNotFound");
    });

    it("G10: an affiliate's self-streams do not raise the rate an honest recipient pays", async function () {
      const f = await loadFixture(fixture);
      const planId = await f.stream.nextPlanId();
      await f.stream.createPlan(f.plan({ kind: Kind.VolumeTiered, bps0: 1_000, bps1: 2_000, bps2: 3_000, bps3: 4_000, tier1: 100n, tier2: 200n, tier3: 300n }));
      // The affiliate's alt recipient, streamed to by the affiliate itself: 1,000 USDC of volume.
      const [, , , , , , , alt] = await ethers.getSigners();
      await f.stream.connect(alt).setReferral(f.affiliate.address, planId);
      const self = await f.createLinear({ recipient: alt.address, startTime: 0n, endTime: (await f.now()) + 101n, unattestedAllowance: 10_000n });
      await time.increase(200);
      await f.stream.connect(alt).withdrawMax(self, alt.address);
      expect((await f.stream.accountOf(f.affiliate.address, f.usdcAddress)).volume).to.equal(USDC(1_000));
      // The honest recipient still pays the first tier.
      await f.stream.connect(f.recipient).setReferral(f.affiliate.address, planId);
      const id = await f.createLinear({ startTime: 0n, unattestedAllowance: 10_000n });
      await time.increase(500);
      await expect(f.stream.connect(f.recipient).withdraw(id, f.recipient.address, USDC(100)))
        .to.emit(f.stream, "WithdrawStream").withArgs(id, f.recipient.address, USDC(100), USDC(90));
    });
  });

  describe("G11 / G13", function () {
    it("G11: renounceOwnership reverts", async function () {
      const f = await loadFixture(fixture);
      await expect(f.stream.connect(f.owner).renounceOwnership())
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_RenounceDisabled");
      expect(await f.stream.owner()).to.equal(f.owner.address);
    });

    it("G13: SkipWithdraw carries the token's full revert reason", async function () {
      const f = await loadFixture(fixture);
      const id = await f.createLinear({ startTime: 0n, unattestedAllowance: 10_000n });
      await time.increase(10);
      await f.usdc.blacklist(f.recipient.address);
      // The token's own revert data for a transfer to the blacklisted recipient.
      let reason = "0x";
      try {
        await f.usdc.connect(f.sender).transfer.staticCall(f.recipient.address, 1n);
      } catch (e) {
        reason = (e as { data: string }).data;
      }
      expect(ethers.dataLength(reason)).to.be.greaterThan(4);
      await expect(f.stream.withdrawMultiple([id])).to.emit(f.errs, "SkipWithdraw").withArgs(id, reason);
    });
  });
});
