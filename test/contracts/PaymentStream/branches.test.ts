// PaymentStream branches that the trees in ./trees/ found without a test: the missing-stream check on every
// call, the open-ended pause/restart guards, arbiter cancels, the posted and inline gates' remaining reverts,
// the funding paths' zero-total and invalid cases, and commissions on attested withdrawals.
import { expect } from "chai";
import { network } from "hardhat";
import { Decision } from "../helpers/attestation.js";
import { Payer, USDC, streamFixture } from "./fixture.js";

const { ethers, networkHelpers } = await network.connect();
const { time, loadFixture } = networkHelpers;

async function fixture() {
  return streamFixture(ethers);
}
type F = Awaited<ReturnType<typeof fixture>>;

const FREEZE = { score: 9_000 };
const NO_FUNDING = { method: 0, validAfter: 0n, deadline: 0n, nonce: ethers.ZeroHash, v: 0, r: ethers.ZeroHash, s: ethers.ZeroHash };

/** Freezes `id` through an inline Freeze verdict (the withdrawal itself returns without paying). */
async function freeze(f: F, id: bigint) {
  const signed = await f.attest(id, USDC(1), FREEZE);
  await (
    await f.stream.connect(f.recipient).withdrawWithAttestation(id, f.recipient.address, USDC(1), signed.att, signed.signerSet, signed.signatures)
  ).wait();
}

async function authorization(f: F, signer: typeof f.sender, value: bigint) {
  const validBefore = (await f.now()) + 3_600n;
  const nonce = ethers.hexlify(ethers.randomBytes(32));
  const domain = { name: "USD Coin", version: "2", chainId: (await ethers.provider.getNetwork()).chainId, verifyingContract: f.usdcAddress };
  const types = {
    ReceiveWithAuthorization: [
      { name: "from", type: "address" }, { name: "to", type: "address" }, { name: "value", type: "uint256" },
      { name: "validAfter", type: "uint256" }, { name: "validBefore", type: "uint256" }, { name: "nonce", type: "bytes32" },
    ],
  };
  const sig = ethers.Signature.from(
    await signer.signTypedData(domain, types, { from: f.sender.address, to: f.streamAddress, value, validAfter: 0n, validBefore, nonce }),
  );
  return { method: 1, validAfter: 0n, deadline: validBefore, nonce, v: sig.v, r: sig.r, s: sig.s };
}

describe("PaymentStream branches (from the trees)", function () {
  it("test_RevertGiven_StreamNotFound_OnEveryStreamCall", async function () {
    const f = await loadFixture(fixture);
    const id = await f.createLinear();
    const signed = await f.attest(id, USDC(1));
    const missing = 99n;
    const r = f.recipient.address;
    const calls: [string, () => Promise<unknown>][] = [
      ["withdraw", () => f.stream.connect(f.recipient).withdraw(missing, r, 1n)],
      ["withdrawMax", () => f.stream.connect(f.recipient).withdrawMax(missing, r)],
      ["withdrawWithPosted", () => f.stream.connect(f.recipient).withdrawWithPosted(missing, r, 1n, 1n)],
      ["withdrawWithAttestation", () => f.stream.connect(f.recipient).withdrawWithAttestation(missing, r, 1n, signed.att, signed.signerSet, signed.signatures)],
      ["cancel", () => f.stream.connect(f.sender).cancel(missing)],
      ["renounce", () => f.stream.connect(f.sender).renounce(missing)],
      ["pause", () => f.stream.connect(f.sender).pause(missing)],
      ["restart", () => f.stream.connect(f.sender).restart(missing)],
      ["refund", () => f.stream.connect(f.sender).refund(missing, 1n)],
      ["deposit", () => f.stream.connect(f.sender).deposit(missing, 1n)],
      ["clearFreeze", () => f.stream.connect(f.arbiter).clearFreeze(missing)],
      ["refundReferralBudget", () => f.stream.connect(f.sender).refundReferralBudget(missing)],
    ];
    for (const [name, call] of calls) {
      await expect(call(), name).to.be.revertedWithCustomError(f.errs, "PaymentStream_NotFound").withArgs(missing);
    }
  });

  describe("pause / restart", function () {
    it("test_pause_RevertWhen_CallerNotSender", async function () {
      const f = await loadFixture(fixture);
      const id = await f.createOpen({ deposit: USDC(10) });
      for (const who of [f.recipient, f.arbiter, f.other]) {
        await expect(f.stream.connect(who).pause(id))
          .to.be.revertedWithCustomError(f.errs, "PaymentStream_CallerNotSender")
          .withArgs(id, who.address);
      }
    });

    it("test_restart_RevertGiven_LinearStream", async function () {
      const f = await loadFixture(fixture);
      const id = await f.createLinear();
      await expect(f.stream.connect(f.sender).restart(id)).to.be.revertedWithCustomError(f.errs, "PaymentStream_WrongShape").withArgs(id);
    });

    it("test_restart_RevertGiven_StreamCanceled: a paused stream canceled stays stopped", async function () {
      const f = await loadFixture(fixture);
      const id = await f.createOpen({ deposit: USDC(10) });
      await f.stream.connect(f.sender).pause(id);
      await f.stream.connect(f.sender).cancel(id);
      await expect(f.stream.connect(f.sender).restart(id)).to.be.revertedWithCustomError(f.errs, "PaymentStream_StreamCanceled").withArgs(id);
    });

    it("test_restart_RevertGiven_StreamFrozen: a paused stream frozen meanwhile waits for the arbiter", async function () {
      const f = await loadFixture(fixture);
      const id = await f.createOpen({ deposit: USDC(100) });
      await time.increase(9);
      await f.stream.connect(f.sender).pause(id);
      await freeze(f, id);
      await expect(f.stream.connect(f.sender).restart(id)).to.be.revertedWithCustomError(f.errs, "PaymentStream_StreamFrozen").withArgs(id);
      await f.stream.connect(f.arbiter).clearFreeze(id);
      await expect(f.stream.connect(f.sender).restart(id)).to.emit(f.errs, "RestartStream");
    });
  });

  describe("cancel", function () {
    it("test_cancel_RevertWhen_ArbiterCancelsUnfrozenStream", async function () {
      const f = await loadFixture(fixture);
      const id = await f.createLinear();
      await expect(f.stream.connect(f.arbiter).cancel(id))
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_CallerNotSender")
        .withArgs(id, f.arbiter.address);
    });

    it("test_cancel_FrozenNonCancelable_ByArbiter: the arbiter may cancel a frozen stream the sender renounced", async function () {
      const f = await loadFixture(fixture);
      const p = await f.linear({ cancelable: false });
      const id = await f.createLinear(p);
      await time.setNextBlockTimestamp(p.startTime + 100n);
      await freeze(f, id);
      await time.increase(50);
      // Gate rule G6.2: the sender only after the arbitration timeout.
      await expect(f.stream.connect(f.sender).cancel(id)).to.be.revertedWithCustomError(f.errs, "PaymentStream_ArbitrationPending");
      await expect(f.stream.connect(f.other).cancel(id)).to.be.revertedWithCustomError(f.errs, "PaymentStream_CallerNotArbiter");
      // 100 of 1,000 s elapsed when it froze: 100 USDC stay with the recipient, 900 go back.
      await expect(f.stream.connect(f.arbiter).cancel(id))
        .to.emit(f.errs, "CancelStream")
        .withArgs(id, f.arbiter.address, USDC(900), USDC(100));
      const s = await f.stream.getStream(id);
      expect(s.flags & 16n).to.equal(0n); // no longer frozen
      expect((await f.stream.amountsOf(id)).withdrawable).to.equal(USDC(100));
    });

    it("test_cancel_OpenFrozen_ByArbiter: splits at the freeze snapshot", async function () {
      const f = await loadFixture(fixture);
      const id = await f.createOpen({ deposit: USDC(100), unattestedAllowance: 0n });
      const start = (await f.stream.getStream(id)).startTime;
      await time.setNextBlockTimestamp(start + 40n);
      await freeze(f, id);
      await time.increase(500);
      await expect(f.stream.connect(f.arbiter).cancel(id))
        .to.emit(f.errs, "CancelStream")
        .withArgs(id, f.arbiter.address, USDC(60), USDC(40));
      // The covered part of the snapshot stays withdrawable; nothing accrued while frozen.
      expect((await f.stream.amountsOf(id)).withdrawable).to.equal(USDC(40));
    });
  });

  describe("withdrawWithPosted", function () {
    async function posted() {
      const f = await fixture();
      // 1,000 USDC over 1,000 s from now; 500 s elapsed.
      const id = await f.createLinear({ startTime: 0n, endTime: (await f.now()) + 1_001n });
      await time.increase(500);
      return { ...f, id };
    }

    it("test_withdrawWithPosted_RevertGiven_NoVerdict", async function () {
      const f = await loadFixture(posted);
      await expect(f.stream.connect(f.recipient).withdrawWithPosted(f.id, f.recipient.address, USDC(1), USDC(1)))
        .to.be.revertedWithCustomError(f.risk.oracle, "RiskOracle_NoVerdict")
        .withArgs(f.streamAddress, await f.stream.subjectOf(f.id));
    });

    it("test_withdrawWithPosted_RevertWhen_AmountAboveCap", async function () {
      const f = await loadFixture(posted);
      await f.post(f.id, USDC(100));
      await expect(f.stream.connect(f.recipient).withdrawWithPosted(f.id, f.recipient.address, USDC(100) + 1n, USDC(100)))
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_AmountAboveAttestedCap")
        .withArgs(f.id, USDC(100) + 1n, USDC(100));
    });

    it("test_withdrawWithPosted_RevertWhen_ToNotRecipient", async function () {
      const f = await loadFixture(posted);
      await f.post(f.id, USDC(100));
      // An operator may present the recipient's Release (G5) but only withdraw to the recipient.
      await f.stream.connect(f.recipient).setOperator(f.other.address, true);
      await expect(f.stream.connect(f.other).withdrawWithPosted(f.id, f.other.address, USDC(10), USDC(100)))
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_WithdrawToNotRecipient")
        .withArgs(f.id, f.other.address, f.other.address);
    });

    it("test_withdrawWithPosted_Hold_WaitsForWindow", async function () {
      const f = await loadFixture(posted);
      const latest = await f.now();
      const signed = await f.post(f.id, USDC(200), { score: 5_000, expiresAt: latest + 7_200n });
      const tx = await f.stream.connect(f.recipient).withdrawWithPosted(f.id, f.recipient.address, USDC(200), USDC(200));
      const holdUntil = BigInt((await tx.getBlock())!.timestamp) + 3_600n;
      await expect(tx).to.emit(f.errs, "HoldStream").withArgs(f.id, await f.stream.subjectOf(f.id), holdUntil, 5_000, signed.att.issuedAt);
      const call = () => f.stream.connect(f.recipient).finalizeHold(f.id, f.recipient.address, USDC(200));
      await expect(call()).to.be.revertedWithCustomError(f.errs, "PaymentStream_HoldActive").withArgs(f.id, holdUntil);
      await time.increaseTo(holdUntil);
      await expect(call())
        .to.emit(f.errs, "UseAttestation")
        .withArgs(f.id, await f.stream.subjectOf(f.id), Decision.Hold, 5_000, signed.att.issuedAt)
        .and.to.emit(f.stream, "WithdrawStream")
        .withArgs(f.id, f.recipient.address, USDC(200), USDC(200));
    });
  });

  describe("withdrawWithAttestation", function () {
    it("test_withdrawWithAttestation_RevertGiven_StreamFrozen", async function () {
      const f = await loadFixture(fixture);
      const id = await f.createLinear({ startTime: 0n });
      await time.increase(10);
      await freeze(f, id);
      const signed = await f.attest(id, USDC(1));
      await expect(
        f.stream.connect(f.recipient).withdrawWithAttestation(id, f.recipient.address, USDC(1), signed.att, signed.signerSet, signed.signatures),
      ).to.be.revertedWithCustomError(f.errs, "PaymentStream_StreamFrozen").withArgs(id);
    });

    it("test_withdrawWithAttestation_RevertWhen_Overdraw: a cap above the streamed amount does not pay ahead", async function () {
      const f = await loadFixture(fixture);
      const p = await f.linear();
      const id = await f.createLinear(p);
      await time.setNextBlockTimestamp(p.startTime + 10n);
      const signed = await f.attest(id, USDC(1_000));
      await expect(
        f.stream.connect(f.recipient).withdrawWithAttestation(id, f.recipient.address, USDC(11), signed.att, signed.signerSet, signed.signatures),
      )
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_Overdraw")
        .withArgs(id, USDC(11), USDC(10));
    });

    it("test_withdrawWithAttestation_RevertWhen_OracleRejects: the oracle's error bubbles up (paused)", async function () {
      const f = await loadFixture(fixture);
      const id = await f.createLinear({ startTime: 0n });
      await time.increase(10);
      const signed = await f.attest(id, USDC(1));
      await f.risk.oracle.connect(f.risk.guardian).pause();
      await expect(
        f.stream.connect(f.recipient).withdrawWithAttestation(id, f.recipient.address, USDC(1), signed.att, signed.signerSet, signed.signatures),
      ).to.be.revertedWithCustomError(f.risk.oracle, "RiskOracle_Paused");
    });

    it("test_withdrawWithAttestation_PaysCommission: attested withdrawals of a referred stream pay the affiliate", async function () {
      const f = await loadFixture(fixture);
      const planId = await f.stream.nextPlanId();
      await f.stream.createPlan(f.plan({ payer: Payer.Recipient, bps0: 1_000 }));
      await f.stream.connect(f.recipient).setReferral(f.affiliate.address, planId);
      const id = await f.createLinear({ startTime: 0n, endTime: (await f.now()) + 1_001n });
      await time.increase(500);
      const signed = await f.attest(id, USDC(300));
      await expect(
        f.stream.connect(f.recipient).withdrawWithAttestation(id, f.recipient.address, USDC(300), signed.att, signed.signerSet, signed.signatures),
      )
        .to.emit(f.stream, "PayCommission")
        .withArgs(id, f.affiliate.address, planId, USDC(300), USDC(30), Payer.Recipient)
        .and.to.emit(f.stream, "WithdrawStream")
        .withArgs(id, f.recipient.address, USDC(300), USDC(270));
      expect((await f.stream.accountOf(f.affiliate.address, f.usdcAddress)).credit).to.equal(USDC(30));
    });
  });

  it("test_claim_RevertWhen_ToZeroOrNothingOwed", async function () {
    const f = await loadFixture(fixture);
    await expect(f.stream.connect(f.affiliate).claim(f.usdcAddress, ethers.ZeroAddress)).to.be.revertedWithCustomError(f.errs, "PaymentStream_ZeroAddress");
    await expect(f.stream.connect(f.affiliate).claim(f.usdcAddress, f.affiliate.address))
      .to.be.revertedWithCustomError(f.errs, "PaymentStream_NothingToClaim")
      .withArgs(f.affiliate.address, f.usdcAddress);
  });

  describe("create: funding paths", function () {
    it("test_createLinearWithFunding_RevertWhen_ParamsInvalid: the stream checks run before the token is touched", async function () {
      const f = await loadFixture(fixture);
      await f.usdc.connect(f.sender).approve(f.streamAddress, 0n);
      const funding = await authorization(f, f.sender, USDC(1_000));
      await expect(f.stream.connect(f.sender).createLinearWithFunding(await f.linear({ deposit: 0n }), funding))
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_ZeroAmount");
      await expect(f.stream.connect(f.sender).createLinearWithFunding(await f.linear({ recipient: ethers.ZeroAddress }), funding))
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_ZeroAddress");
      expect(await f.usdc.authorizationState(f.sender.address, funding.nonce)).to.equal(false);
    });

    it("test_createLinearWithFunding_RevertWhen_AuthorizationNotSignedBySender", async function () {
      const f = await loadFixture(fixture);
      await f.usdc.connect(f.sender).approve(f.streamAddress, 0n);
      const funding = await authorization(f, f.other, USDC(1_000));
      await expect(f.stream.connect(f.sender).createLinearWithFunding(await f.linear(), funding)).to.be.revertedWithCustomError(
        f.usdc,
        "MockUSDC_InvalidSignature",
      );
    });

    it("test_createOpen_RevertWhen_TokenNotAllowedOrRecipientInvalid", async function () {
      const f = await loadFixture(fixture);
      await expect(f.stream.connect(f.sender).createOpen(await f.open({ token: f.other.address })))
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_TokenNotAllowed")
        .withArgs(f.other.address);
      await expect(f.stream.connect(f.sender).createOpen(await f.open({ recipient: ethers.ZeroAddress })))
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_ZeroAddress");
      await expect(f.stream.connect(f.sender).createOpen(await f.open({ recipient: f.streamAddress })))
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_InvalidRecipient")
        .withArgs(f.streamAddress);
    });

    it("test_createOpen_ZeroTotalPullsNothing", async function () {
      const f = await loadFixture(fixture);
      const id = await f.stream.nextStreamId();
      const tx = f.stream.connect(f.sender).createOpen(await f.open({ deposit: 0n, referralBudget: 0n }));
      await expect(tx).to.emit(f.stream, "CreateOpenStream").and.not.to.emit(f.usdc, "Transfer");
      await expect(tx).not.to.emit(f.stream, "DepositStream");
      expect((await f.stream.getStream(id)).deposited).to.equal(0n);
    });

    it("test_createOpenWithFunding_ZeroTotalPullsNothing: the funding is never used", async function () {
      const f = await loadFixture(fixture);
      // An authorization signed by a stranger would revert in the token if it were used.
      const funding = await authorization(f, f.other, 0n);
      await expect(f.stream.connect(f.sender).createOpenWithFunding(await f.open({ deposit: 0n }), funding))
        .to.emit(f.stream, "CreateOpenStream")
        .and.not.to.emit(f.usdc, "Transfer");
      // Control: with a deposit, the same funding reaches the token and fails there.
      await expect(f.stream.connect(f.sender).createOpenWithFunding(await f.open({ deposit: 1n }), funding)).to.be.revertedWithCustomError(
        f.usdc,
        "MockUSDC_InvalidSignature",
      );
      // The permit path with junk data is ignored only when nothing is due.
      await expect(f.stream.connect(f.sender).createOpenWithFunding(await f.open({ deposit: 0n }), NO_FUNDING)).to.emit(f.stream, "CreateOpenStream");
    });
  });
});
