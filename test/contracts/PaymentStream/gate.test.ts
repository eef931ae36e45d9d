import { expect } from "chai";
import { network } from "hardhat";
import { Decision } from "../helpers/attestation.js";
import { DAY, USDC, streamFixture } from "./fixture.js";

const { ethers, networkHelpers } = await network.connect();
const { time, loadFixture } = networkHelpers;

async function fixture() {
  const f = await streamFixture(ethers);
  // 100 USDC allowance, 1,000 USDC over 1,000 s starting now.
  const id = await f.createLinear({ startTime: 0n, endTime: (await f.now()) + 1_001n });
  await time.increase(500);
  return { ...f, id };
}

const subject = (id: bigint, seq: bigint) => ethers.toBeHex((id << 64n) | seq, 32);

describe("PaymentStream: risk gate", function () {
  it("withdrawals up to the allowance need no attestation; above it they do", async function () {
    const f = await loadFixture(fixture);
    await f.stream.connect(f.recipient).withdraw(f.id, f.recipient.address, USDC(60));
    await f.stream.connect(f.recipient).withdraw(f.id, f.recipient.address, USDC(40));
    expect((await f.stream.getStream(f.id)).sinceAttested).to.equal(USDC(100));
    await expect(f.stream.connect(f.recipient).withdraw(f.id, f.recipient.address, 1n))
      .to.be.revertedWithCustomError(f.errs, "PaymentStream_AttestationRequired")
      .withArgs(f.id, subject(f.id, 0n), USDC(100) + 1n);
  });

  it("inline Release: withdraws up to the cap, resets the counter, consumes the attestation (seq + 1)", async function () {
    const f = await loadFixture(fixture);
    await f.stream.connect(f.recipient).withdraw(f.id, f.recipient.address, USDC(100));
    const signed = await f.attest(f.id, USDC(300));
    await expect(f.stream.connect(f.recipient).withdrawWithAttestation(f.id, f.recipient.address, USDC(301), signed.att, signed.signerSet, signed.signatures))
      .to.be.revertedWithCustomError(f.errs, "PaymentStream_AmountAboveAttestedCap");
    await expect(f.stream.connect(f.recipient).withdrawWithAttestation(f.id, f.recipient.address, USDC(250), signed.att, signed.signerSet, signed.signatures))
      .to.emit(f.stream, "UseAttestation").withArgs(f.id, subject(f.id, 0n), Decision.Release, 0, signed.att.issuedAt)
      .and.to.emit(f.stream, "WithdrawStream").withArgs(f.id, f.recipient.address, USDC(250), USDC(250));
    const s = await f.stream.getStream(f.id);
    expect(s.seq).to.equal(1n);
    expect(s.sinceAttested).to.equal(0n);
    expect(await f.stream.subjectOf(f.id)).to.equal(subject(f.id, 1n));
    // Each attestation is used once: the same one no longer matches the subject.
    await expect(f.stream.connect(f.recipient).withdrawWithAttestation(f.id, f.recipient.address, USDC(1), signed.att, signed.signerSet, signed.signatures))
      .to.be.revertedWithCustomError(f.errs, "RiskGated_AttestationMismatch");
    // The allowance applies again from zero.
    await expect(f.stream.connect(f.recipient).withdraw(f.id, f.recipient.address, USDC(100))).to.emit(f.stream, "WithdrawStream");
  });

  it("test_RevertWhen_AttestationBindsOtherPartiesOrToken", async function () {
    const f = await loadFixture(fixture);
    for (const o of [{ payee: f.other.address }, { payer: f.other.address }, { token: f.other.address }, { subject: subject(f.id, 5n) }]) {
      const signed = await f.attest(f.id, USDC(10), o as never);
      await expect(f.stream.connect(f.recipient).withdrawWithAttestation(f.id, f.recipient.address, USDC(1), signed.att, signed.signerSet, signed.signatures))
        .to.be.revertedWithCustomError(f.errs, "RiskGated_AttestationMismatch");
    }
    await expect(f.stream.connect(f.recipient).withdrawWithAttestation(f.id, f.recipient.address, 0n, (await f.attest(f.id, 1n)).att, [], []))
      .to.be.revertedWithCustomError(f.errs, "PaymentStream_ZeroAmount");
  });

  it("G4: Hold is recorded when presented, nothing moves; after the window finalizeHold withdraws up to the cap", async function () {
    const f = await loadFixture(fixture);
    const latest = await f.now();
    const signed = await f.attest(f.id, USDC(200), { score: 5_000, expiresAt: latest + 7_200n });
    const tx = await f.stream.connect(f.recipient).withdrawWithAttestation(f.id, f.recipient.address, USDC(200), signed.att, signed.signerSet, signed.signatures);
    const holdUntil = BigInt((await tx.getBlock())!.timestamp) + 3_600n;
    await expect(tx).to.emit(f.errs, "HoldStream").withArgs(f.id, subject(f.id, 0n), holdUntil, 5_000, latest);
    await expect(tx).to.not.emit(f.stream, "WithdrawStream");
    const call = (amount = USDC(200)) => f.stream.connect(f.recipient).finalizeHold(f.id, f.recipient.address, amount);
    await expect(call()).to.be.revertedWithCustomError(f.errs, "PaymentStream_HoldActive").withArgs(f.id, holdUntil);
    await expect(call(0n)).to.be.revertedWithCustomError(f.errs, "PaymentStream_ZeroAmount");
    await time.increaseTo(holdUntil);
    await expect(call(USDC(201))).to.be.revertedWithCustomError(f.errs, "PaymentStream_AmountAboveAttestedCap");
    await expect(call()).to.emit(f.errs, "UseAttestation").withArgs(f.id, subject(f.id, 0n), Decision.Hold, 5_000, latest)
      .and.to.emit(f.stream, "WithdrawStream").withArgs(f.id, f.recipient.address, USDC(200), USDC(200));
    expect((await f.stream.getStream(f.id)).seq).to.equal(1n);
    await expect(call()).to.be.revertedWithCustomError(f.errs, "PaymentStream_NoHold");
  });

  it("Freeze: the stream freezes (no revert), accrual stops, nothing is withdrawable until the arbiter acts", async function () {
    const f = await loadFixture(fixture);
    const signed = await f.attest(f.id, USDC(200), { score: 9_000, reasons: 3 });
    await expect(f.stream.connect(f.recipient).withdrawWithAttestation(f.id, f.recipient.address, USDC(200), signed.att, signed.signerSet, signed.signatures))
      .to.emit(f.errs, "FreezeStream").withArgs(f.id, subject(f.id, 0n), 9_000, 3);
    const frozenStreamed = (await f.stream.amountsOf(f.id)).streamed;
    await time.increase(100);
    const a = await f.stream.amountsOf(f.id);
    expect(a.streamed).to.equal(frozenStreamed);
    expect(a.withdrawable).to.equal(0n);
    await expect(f.stream.connect(f.recipient).withdraw(f.id, f.recipient.address, 1n)).to.be.revertedWithCustomError(f.errs, "PaymentStream_StreamFrozen");
    await expect(f.stream.connect(f.recipient).withdrawWithPosted(f.id, f.recipient.address, 1n, 1n)).to.be.revertedWithCustomError(f.errs, "PaymentStream_StreamFrozen");
    // The sender cannot cancel a frozen stream before the arbitration timeout; the arbiter clears or cancels it.
    await expect(f.stream.connect(f.sender).cancel(f.id)).to.be.revertedWithCustomError(f.errs, "PaymentStream_ArbitrationPending");
    await expect(f.stream.connect(f.sender).clearFreeze(f.id)).to.be.revertedWithCustomError(f.errs, "PaymentStream_CallerNotArbiter");
    await expect(f.stream.connect(f.arbiter).clearFreeze(f.id)).to.emit(f.errs, "ClearFreeze").withArgs(f.id, f.arbiter.address);
    await expect(f.stream.connect(f.arbiter).clearFreeze(f.id)).to.be.revertedWithCustomError(f.errs, "PaymentStream_StreamNotFrozen");
    // Linear: the original schedule resumes (the time frozen catches up).
    expect((await f.stream.amountsOf(f.id)).streamed).to.be.greaterThan(frozenStreamed + USDC(99));
  });

  it("arbiter cancel of a frozen stream splits by what had accrued when it froze", async function () {
    const f = await loadFixture(fixture);
    const signed = await f.attest(f.id, USDC(200), { score: 9_500 });
    await f.stream.connect(f.recipient).withdrawWithAttestation(f.id, f.recipient.address, USDC(200), signed.att, signed.signerSet, signed.signatures);
    const frozen = (await f.stream.amountsOf(f.id)).streamed;
    await time.increase(200);
    await expect(f.stream.connect(f.arbiter).cancel(f.id))
      .to.emit(f.errs, "CancelStream").withArgs(f.id, f.arbiter.address, USDC(1_000) - frozen, frozen);
    expect((await f.stream.amountsOf(f.id)).withdrawable).to.equal(frozen);
  });

  it("open-ended freeze: accrual stops; after clear it resumes from now (the frozen time is not paid)", async function () {
    const f = await loadFixture(fixture);
    const id = await f.createOpen({ deposit: USDC(10_000), unattestedAllowance: 0n });
    await time.increase(99);
    const signed = await f.attest(id, USDC(1), { score: 8_000 });
    await f.stream.connect(f.recipient).withdrawWithAttestation(id, f.recipient.address, USDC(1), signed.att, signed.signerSet, signed.signatures);
    const atFreeze = (await f.stream.amountsOf(id)).streamed;
    await time.increase(1_000);
    expect((await f.stream.amountsOf(id)).streamed).to.equal(atFreeze);
    await expect(f.stream.connect(f.sender).pause(id)).to.be.revertedWithCustomError(f.errs, "PaymentStream_StreamFrozen");
    await expect(f.stream.connect(f.sender).refund(id, 1n)).to.be.revertedWithCustomError(f.errs, "PaymentStream_StreamFrozen");
    await f.stream.connect(f.arbiter).clearFreeze(id);
    await time.increase(10);
    expect((await f.stream.amountsOf(id)).streamed).to.equal(atFreeze + USDC(10));
  });

  it("posted (push) verdict: withdraws against it once; a second use needs a new subject", async function () {
    const f = await loadFixture(fixture);
    await f.stream.connect(f.recipient).withdraw(f.id, f.recipient.address, USDC(100));
    await f.post(f.id, USDC(300));
    await expect(f.stream.connect(f.recipient).withdrawWithPosted(f.id, f.recipient.address, USDC(300), USDC(300)))
      .to.emit(f.stream, "UseAttestation");
    // The posted verdict was for seq 0; the stream is at seq 1 now.
    await expect(f.stream.connect(f.recipient).withdrawWithPosted(f.id, f.recipient.address, USDC(1), USDC(300))).to.be.revert(ethers);
    await expect(f.stream.withdrawWithPosted(f.id, f.recipient.address, 0n, 1n)).to.be.revertedWithCustomError(f.errs, "PaymentStream_ZeroAmount");
  });

  it("posted Freeze verdict can be applied by anyone (e.g. the sender)", async function () {
    const f = await loadFixture(fixture);
    await f.post(f.id, USDC(1), { score: 9_999 });
    await expect(f.stream.connect(f.sender).withdrawWithPosted(f.id, f.recipient.address, USDC(1), USDC(1)))
      .to.emit(f.errs, "FreezeStream");
    expect((await f.stream.getStream(f.id)).flags & 16n).to.equal(16n);
  });

  it("withdrawMultiple isolates failures per item", async function () {
    const f = await loadFixture(fixture);
    const id2 = await f.createLinear({ startTime: 0n, endTime: (await f.now()) + 30n * DAY });
    await time.increase(10);
    // f.id has 500+ USDC withdrawable, above its 100 USDC allowance: that item fails, the others go.
    const streamed = (await f.stream.amountsOf(f.id)).streamed + USDC(1); // one more second at mining
    await expect(f.stream.withdrawMultiple([f.id, id2, 99n]))
      .to.emit(f.errs, "SkipWithdraw")
      .withArgs(f.id, f.stream.interface.encodeErrorResult("PaymentStream_AttestationRequired", [f.id, subject(f.id, 0n), streamed]))
      .and.to.emit(f.errs, "SkipWithdraw").withArgs(99n, f.stream.interface.encodeErrorResult("PaymentStream_NotFound", [99n]));
    expect((await f.stream.getStream(id2)).withdrawn).to.be.greaterThan(0n);
  });
});
