import { expect } from "chai";
import { network } from "hardhat";
import { DAY, USDC, streamFixture } from "./fixture.js";

const { ethers, networkHelpers } = await network.connect();
const { time, loadFixture } = networkHelpers;

async function fixture() {
  return streamFixture(ethers);
}

const E18 = 10n ** 18n;

describe("PaymentStream: open-ended streams", function () {
  it("createOpen stores the rate in 18 decimals and starts accruing now", async function () {
    const f = await loadFixture(fixture);
    const p = await f.open({ deposit: USDC(50) });
    const id = await f.stream.nextStreamId();
    await expect(f.stream.connect(f.sender).createOpen(p))
      .to.emit(f.stream, "CreateOpenStream").withArgs(id, f.sender.address, f.recipient.address, f.usdcAddress, E18, 100n)
      .and.to.emit(f.stream, "DepositStream").withArgs(id, f.sender.address, USDC(50));
    const s = await f.stream.getStream(id);
    expect(s.terms).to.equal(E18);
    expect(s.startTime).to.equal(await f.now());
    await time.increase(10);
    expect((await f.stream.amountsOf(id)).streamed).to.equal(USDC(10));
  });

  it("zero rate: test_RevertWhen_RateZero", async function () {
    const f = await loadFixture(fixture);
    await expect(f.stream.connect(f.sender).createOpen(await f.open({ ratePerSecond: 0n })))
      .to.be.revertedWithCustomError(f.errs, "PaymentStream_ZeroRate");
  });

  it("createOpenWithFunding pulls the deposit by permit", async function () {
    const f = await loadFixture(fixture);
    await f.usdc.connect(f.sender).approve(f.streamAddress, 0n);
    const p = await f.open({ deposit: USDC(10) });
    const deadline = (await f.now()) + 3_600n;
    const domain = { name: "USD Coin", version: "2", chainId: (await ethers.provider.getNetwork()).chainId, verifyingContract: f.usdcAddress };
    const types = { Permit: [
      { name: "owner", type: "address" }, { name: "spender", type: "address" }, { name: "value", type: "uint256" },
      { name: "nonce", type: "uint256" }, { name: "deadline", type: "uint256" }] };
    const sig = ethers.Signature.from(await f.sender.signTypedData(domain, types, {
      owner: f.sender.address, spender: f.streamAddress, value: USDC(10), nonce: 0n, deadline }));
    await expect(f.stream.connect(f.sender).createOpenWithFunding(p, { method: 0, validAfter: 0n, deadline, nonce: ethers.ZeroHash, v: sig.v, r: sig.r, s: sig.s }))
      .to.emit(f.stream, "DepositStream");
    // Without a deposit nothing is pulled, the funding is ignored.
    await expect(f.stream.connect(f.sender).createOpenWithFunding(await f.open(), { method: 0, validAfter: 0n, deadline, nonce: ethers.ZeroHash, v: 0, r: ethers.ZeroHash, s: ethers.ZeroHash }))
      .to.emit(f.stream, "CreateOpenStream");
  });

  it("1,000 USDC per 30 days pays exactly 1,000.000000 USDC (rate rounded up in 18 decimals)", async function () {
    const f = await loadFixture(fixture);
    const period = 30n * DAY;
    const rate = (USDC(1_000) * 10n ** 12n + period - 1n) / period; // StreamMath.ratePerSecond
    const id = await f.createOpen({ ratePerSecond: rate, deposit: USDC(2_000), unattestedAllowance: 10_000n });
    const start = (await f.stream.getStream(id)).startTime;
    await time.increaseTo(start + period - 1n);
    expect((await f.stream.amountsOf(id)).streamed).to.be.lessThan(USDC(1_000));
    await time.setNextBlockTimestamp(start + period);
    await expect(f.stream.connect(f.recipient).withdrawMax(id, f.recipient.address))
      .to.emit(f.stream, "WithdrawStream").withArgs(id, f.recipient.address, USDC(1_000), USDC(1_000));
    // The floor rate (LlamaPay-style) would have paid 999.999999.
    const floorRate = (USDC(1_000) * 10n ** 12n) / period;
    expect((floorRate * period) / 10n ** 12n).to.equal(USDC(1_000) - 1n);
  });

  it("top-up while in debt covers the debt first; anyone may top up", async function () {
    const f = await loadFixture(fixture);
    const id = await f.createOpen({ deposit: USDC(10) });
    await time.increase(30);
    let a = await f.stream.amountsOf(id);
    expect(a.withdrawable).to.equal(USDC(10));
    expect(a.debt).to.be.greaterThanOrEqual(USDC(20));
    await f.usdc.mint(f.other.address, USDC(100));
    await f.usdc.connect(f.other).approve(f.streamAddress, USDC(100));
    await expect(f.stream.connect(f.other).deposit(id, USDC(100))).to.emit(f.stream, "DepositStream").withArgs(id, f.other.address, USDC(100));
    a = await f.stream.amountsOf(id);
    expect(a.debt).to.equal(0n);
    expect(a.withdrawable).to.equal(a.streamed);
    expect(a.refundable).to.equal(USDC(110) - a.streamed);
    await expect(f.stream.connect(f.sender).deposit(id, 0n)).to.be.revertedWithCustomError(f.errs, "PaymentStream_ZeroAmount");
  });

  it("pause then restart keeps the debt; no accrual while paused", async function () {
    const f = await loadFixture(fixture);
    const id = await f.createOpen({ deposit: USDC(10) });
    await time.increase(29);
    await expect(f.stream.connect(f.sender).pause(id)).to.emit(f.errs, "PauseStream").withArgs(id, USDC(20));
    await expect(f.stream.connect(f.sender).pause(id)).to.be.revertedWithCustomError(f.errs, "PaymentStream_StreamPaused");
    await time.increase(1_000);
    let a = await f.stream.amountsOf(id);
    expect(a.streamed).to.equal(USDC(30));
    expect(a.debt).to.equal(USDC(20));
    await expect(f.stream.connect(f.recipient).restart(id)).to.be.revertedWithCustomError(f.errs, "PaymentStream_CallerNotSender");
    await expect(f.stream.connect(f.sender).restart(id)).to.emit(f.errs, "RestartStream").withArgs(id, E18);
    await expect(f.stream.connect(f.sender).restart(id)).to.be.revertedWithCustomError(f.errs, "PaymentStream_StreamNotPaused");
    await time.increase(5);
    a = await f.stream.amountsOf(id);
    expect(a.streamed).to.equal(USDC(35));
    expect(a.debt).to.equal(USDC(25));
  });

  it("refund returns only the unstreamed balance to the sender", async function () {
    const f = await loadFixture(fixture);
    const id = await f.createOpen({ deposit: USDC(100) });
    await time.increase(9);
    await expect(f.stream.connect(f.recipient).refund(id, 1n)).to.be.revertedWithCustomError(f.errs, "PaymentStream_CallerNotSender");
    await expect(f.stream.connect(f.sender).refund(id, 0n)).to.be.revertedWithCustomError(f.errs, "PaymentStream_ZeroAmount");
    await expect(f.stream.connect(f.sender).refund(id, USDC(91)))
      .to.be.revertedWithCustomError(f.errs, "PaymentStream_RefundExceedsRefundable");
    await time.setNextBlockTimestamp((await f.now()) + 1n);
    await expect(f.stream.connect(f.sender).refund(id, USDC(90))).to.emit(f.errs, "RefundStream").withArgs(id, f.sender.address, USDC(90));
    expect((await f.stream.amountsOf(id)).withdrawable).to.equal(USDC(10));
  });

  it("cancel: covered debt stays withdrawable, the rest is refunded, uncovered debt is forgiven", async function () {
    const f = await loadFixture(fixture);
    const id = await f.createOpen({ deposit: USDC(100) });
    const start = (await f.stream.getStream(id)).startTime;
    await time.setNextBlockTimestamp(start + 40n);
    await expect(f.stream.connect(f.sender).cancel(id)).to.emit(f.errs, "CancelStream").withArgs(id, f.sender.address, USDC(60), USDC(40));
    await time.increase(1_000);
    const a = await f.stream.amountsOf(id);
    expect(a.withdrawable).to.equal(USDC(40));
    expect(a.refundable).to.equal(0n);
    expect(a.debt).to.equal(0n);
    await expect(f.stream.connect(f.sender).deposit(id, 1n)).to.be.revertedWithCustomError(f.errs, "PaymentStream_StreamCanceled");
    await expect(f.stream.connect(f.sender).pause(id)).to.be.revertedWithCustomError(f.errs, "PaymentStream_StreamCanceled");
    await expect(f.stream.connect(f.recipient).withdrawMax(id, f.recipient.address)).to.emit(f.stream, "WithdrawStream").withArgs(id, f.recipient.address, USDC(40), USDC(40));
    // In debt at cancel: nothing to refund, the recipient keeps the whole balance.
    const id2 = await f.createOpen({ deposit: USDC(10) });
    await time.increase(100);
    await expect(f.stream.connect(f.sender).cancel(id2)).to.emit(f.errs, "CancelStream").withArgs(id2, f.sender.address, 0n, USDC(10));
  });

  it("rounding at 6 decimals: 1, 1k withdrawals sum to exactly the streamed amount", async function () {
    const f = await loadFixture(fixture);
    // 1 USDC per 7 seconds: 142857.142857... units per second, never an integer.
    const rate = (USDC(1) * 10n ** 12n) / 7n;
    const id = await f.createOpen({ ratePerSecond: rate, deposit: USDC(10_000), unattestedAllowance: 1_000_000n });
    const start = (await f.stream.getStream(id)).startTime;
    let total = 0n;
    for (let i = 1n; i <= 1_000n; i++) {
      await time.setNextBlockTimestamp(start + i * 3n);
      const tx = await f.stream.connect(f.recipient).withdrawMax(id, f.recipient.address);
      const rc = await tx.wait();
      const ev = rc!.logs.map((l) => f.stream.interface.parseLog(l)).find((e) => e?.name === "WithdrawStream");
      total += ev!.args.gross as bigint;
    }
    expect(total).to.equal((rate * 3_000n) / 10n ** 12n);
    expect((await f.stream.getStream(id)).withdrawn).to.equal(total);
  });
});
