import { expect } from "chai";
import { network } from "hardhat";
import { USDC, streamFixture } from "./fixture.js";

const { ethers, networkHelpers } = await network.connect();
const { time, loadFixture } = networkHelpers;

async function fixture() {
  return streamFixture(ethers);
}

describe("PaymentStream: linear streams", function () {
  describe("createLinear", function () {
    it("stores the stream in three slots and pulls the deposit", async function () {
      const f = await loadFixture(fixture);
      const params = await f.linear();
      const before = await f.usdc.balanceOf(f.streamAddress);
      await expect(f.stream.connect(f.sender).createLinear(params))
        .to.emit(f.stream, "CreateLinearStream")
        .withArgs(1n, f.sender.address, f.recipient.address, f.usdcAddress, params.deposit, params.startTime, 0n, params.endTime, 0n, true, 100n);
      expect(await f.usdc.balanceOf(f.streamAddress)).to.equal(before + params.deposit);
      const s = await f.stream.getStream(1n);
      expect(s.sender).to.equal(f.sender.address);
      expect(s.recipient).to.equal(f.recipient.address);
      expect(s.deposited).to.equal(params.deposit);
      expect(s.startTime).to.equal(params.startTime);
      expect(s.terms).to.equal(params.endTime); // no cliff: cliffTime << 32 is 0
      expect(await f.stream.nextStreamId()).to.equal(2n);
      const a = await f.stream.amountsOf(1n);
      expect(a.unattestedAllowance).to.equal(USDC(100));
      expect(a.subject).to.equal(ethers.toBeHex(1n << 64n, 32));
    });

    it("starts now when startTime is 0", async function () {
      const f = await loadFixture(fixture);
      const id = await f.createLinear({ startTime: 0n });
      expect((await f.stream.getStream(id)).startTime).to.equal(await f.now());
    });

    it("test_RevertWhen_TokenNotAllowed", async function () {
      const f = await loadFixture(fixture);
      await expect(f.stream.connect(f.sender).createLinear(await f.linear({ token: f.other.address })))
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_TokenNotAllowed").withArgs(f.other.address);
    });

    it("test_RevertWhen_RecipientZeroOrSelf", async function () {
      const f = await loadFixture(fixture);
      await expect(f.stream.connect(f.sender).createLinear(await f.linear({ recipient: ethers.ZeroAddress })))
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_ZeroAddress");
      await expect(f.stream.connect(f.sender).createLinear(await f.linear({ recipient: f.streamAddress })))
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_InvalidRecipient");
    });

    it("test_RevertWhen_DepositZero", async function () {
      const f = await loadFixture(fixture);
      await expect(f.stream.connect(f.sender).createLinear(await f.linear({ deposit: 0n })))
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_ZeroAmount");
    });

    it("test_RevertWhen_TimesInvalid", async function () {
      const f = await loadFixture(fixture);
      const p = await f.linear();
      await expect(f.stream.connect(f.sender).createLinear({ ...p, endTime: p.startTime }))
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_InvalidTimes");
      await expect(f.stream.connect(f.sender).createLinear({ ...p, cliffTime: p.startTime }))
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_InvalidTimes");
      await expect(f.stream.connect(f.sender).createLinear({ ...p, cliffTime: p.endTime }))
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_InvalidTimes");
    });

    it("test_RevertWhen_EndTimeInPast", async function () {
      const f = await loadFixture(fixture);
      const t = await f.now();
      await expect(f.stream.connect(f.sender).createLinear(await f.linear({ startTime: t - 100n, endTime: t - 1n })))
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_EndTimeInPast");
      // Ending in the very block that creates it is in the past too (mutant `<=` -> `<` survived without this).
      const endingNow = await f.linear({ startTime: t - 100n, endTime: t + 5n });
      await time.setNextBlockTimestamp(t + 5n);
      await expect(f.stream.connect(f.sender).createLinear(endingNow))
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_EndTimeInPast")
        .withArgs(t + 5n, t + 5n);
    });

    it("test_RevertWhen_CliffAmountInvalid", async function () {
      const f = await loadFixture(fixture);
      const p = await f.linear();
      await expect(f.stream.connect(f.sender).createLinear({ ...p, cliffAmount: 1n }))
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_InvalidCliffAmount");
      await expect(
        f.stream.connect(f.sender).createLinear({ ...p, cliffTime: p.startTime + 10n, cliffAmount: p.deposit + 1n }),
      ).to.be.revertedWithCustomError(f.errs, "PaymentStream_InvalidCliffAmount");
    });

    it("accepts the largest allowance for 6 decimals (the 18-decimal overflow is a Solidity test)", async function () {
      const f = await loadFixture(fixture);
      const id = await f.createLinear({ unattestedAllowance: 2n ** 40n - 1n });
      expect((await f.stream.amountsOf(id)).unattestedAllowance).to.equal((2n ** 40n - 1n) * 10n ** 6n);
    });

    it("createLinearBatch creates all, in order, pulling each deposit", async function () {
      const f = await loadFixture(fixture);
      const p = await f.linear();
      const before = await f.usdc.balanceOf(f.sender.address);
      const first = await f.stream.nextStreamId();
      await expect(f.stream.connect(f.sender).createLinearBatch([p, { ...p, deposit: USDC(5) }, p]))
        .to.emit(f.stream, "CreateLinearStream");
      expect(await f.stream.nextStreamId()).to.equal(first + 3n);
      expect((await f.stream.getStream(first + 1n)).deposited).to.equal(USDC(5));
      expect(await f.usdc.balanceOf(f.sender.address)).to.equal(before - USDC(2_005));
    });

    it("createLinearBatch is all or nothing", async function () {
      const f = await loadFixture(fixture);
      const p = await f.linear();
      const first = await f.stream.nextStreamId();
      await expect(f.stream.connect(f.sender).createLinearBatch([p, { ...p, deposit: 0n }]))
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_ZeroAmount");
      expect(await f.stream.nextStreamId()).to.equal(first);
    });

    it("createLinearWithFunding: EIP-2612 permit in the same call, no approve", async function () {
      const f = await loadFixture(fixture);
      await f.usdc.connect(f.sender).approve(f.streamAddress, 0n);
      const p = await f.linear();
      const deadline = (await f.now()) + 3_600n;
      const domain = { name: "USD Coin", version: "2", chainId: (await ethers.provider.getNetwork()).chainId, verifyingContract: f.usdcAddress };
      const types = { Permit: [
        { name: "owner", type: "address" }, { name: "spender", type: "address" }, { name: "value", type: "uint256" },
        { name: "nonce", type: "uint256" }, { name: "deadline", type: "uint256" }] };
      const sig = ethers.Signature.from(await f.sender.signTypedData(domain, types, {
        owner: f.sender.address, spender: f.streamAddress, value: p.deposit, nonce: 0n, deadline }));
      const funding = { method: 0, validAfter: 0n, deadline, nonce: ethers.ZeroHash, v: sig.v, r: sig.r, s: sig.s };
      // Front-run: someone submits the permit first; the create still succeeds on the allowance.
      await f.usdc.connect(f.other).permit(f.sender.address, f.streamAddress, p.deposit, deadline, sig.v, sig.r, sig.s);
      await expect(f.stream.connect(f.sender).createLinearWithFunding(p, funding)).to.emit(f.stream, "CreateLinearStream");
      // Replayed permit without allowance: a typed error.
      await expect(f.stream.connect(f.sender).createLinearWithFunding(p, funding))
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_InsufficientAllowance");
    });

    it("createLinearWithFunding: EIP-3009 receiveWithAuthorization in the same call", async function () {
      const f = await loadFixture(fixture);
      await f.usdc.connect(f.sender).approve(f.streamAddress, 0n);
      const p = await f.linear();
      const validBefore = (await f.now()) + 3_600n;
      const nonce = ethers.hexlify(ethers.randomBytes(32));
      const domain = { name: "USD Coin", version: "2", chainId: (await ethers.provider.getNetwork()).chainId, verifyingContract: f.usdcAddress };
      const types = { ReceiveWithAuthorization: [
        { name: "from", type: "address" }, { name: "to", type: "address" }, { name: "value", type: "uint256" },
        { name: "validAfter", type: "uint256" }, { name: "validBefore", type: "uint256" }, { name: "nonce", type: "bytes32" }] };
      const sig = ethers.Signature.from(await f.sender.signTypedData(domain, types, {
        from: f.sender.address, to: f.streamAddress, value: p.deposit, validAfter: 0n, validBefore, nonce }));
      const funding = { method: 1, validAfter: 0n, deadline: validBefore, nonce, v: sig.v, r: sig.r, s: sig.s };
      const before = await f.usdc.balanceOf(f.streamAddress);
      await expect(f.stream.connect(f.sender).createLinearWithFunding(p, funding)).to.emit(f.stream, "CreateLinearStream");
      expect(await f.usdc.balanceOf(f.streamAddress)).to.equal(before + p.deposit);
      // Someone else cannot use the sender's authorization: `from` is always msg.sender.
      await expect(f.stream.connect(f.other).createLinearWithFunding(p, funding)).to.be.revert(ethers);
    });
  });

  describe("streamed amount and withdraw", function () {
    it("streams linearly and exactly the deposit at the end", async function () {
      const f = await loadFixture(fixture);
      const p = await f.linear({ unattestedAllowance: 10_000n });
      const id = await f.createLinear(p);
      await time.increaseTo(p.startTime + 250n);
      expect((await f.stream.amountsOf(id)).streamed).to.equal(USDC(250));
      await time.increaseTo(p.endTime + 5n);
      expect((await f.stream.amountsOf(id)).streamed).to.equal(p.deposit);
      await expect(f.stream.connect(f.recipient).withdrawMax(id, f.recipient.address))
        .to.emit(f.stream, "WithdrawStream").withArgs(id, f.recipient.address, p.deposit, p.deposit);
      expect((await f.stream.amountsOf(id)).withdrawable).to.equal(0n);
    });

    it("nothing before the cliff, cliff amount plus the linear part at the cliff", async function () {
      const f = await loadFixture(fixture);
      const t = await f.now();
      const p = await f.linear({ startTime: t + 10n, cliffTime: t + 210n, endTime: t + 1_010n, cliffAmount: USDC(100), unattestedAllowance: 10_000n });
      const id = await f.createLinear(p);
      expect((await f.stream.getStream(id)).terms).to.equal((p.cliffTime << 32n) | p.endTime);
      expect((await f.stream.amountsOf(id)).cliffAmount).to.equal(USDC(100));
      await time.increaseTo(p.cliffTime - 1n);
      expect((await f.stream.amountsOf(id)).streamed).to.equal(0n);
      await time.increaseTo(p.cliffTime);
      // 100 + 900 * 200 / 1000
      expect((await f.stream.amountsOf(id)).streamed).to.equal(USDC(280));
    });

    it("keeps the smallest cliff amount (1 unit)", async function () {
      // Found by `npm run mutate`: `cliffAmount != 0` -> `!= 1` survived, as no test used a 1-unit cliff.
      const f = await loadFixture(fixture);
      const t = await f.now();
      const p = await f.linear({ startTime: t + 10n, cliffTime: t + 210n, endTime: t + 1_010n, cliffAmount: 1n, unattestedAllowance: 10_000n });
      const id = await f.createLinear(p);
      expect((await f.stream.amountsOf(id)).cliffAmount).to.equal(1n);
    });

    it("anyone may withdraw to the recipient; only the recipient to another address", async function () {
      const f = await loadFixture(fixture);
      const p = await f.linear();
      const id = await f.createLinear(p);
      await time.increaseTo(p.startTime + 50n);
      await expect(f.stream.connect(f.other).withdraw(id, f.recipient.address, USDC(10))).to.emit(f.stream, "WithdrawStream");
      await expect(f.stream.connect(f.other).withdraw(id, f.other.address, USDC(10)))
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_WithdrawToNotRecipient");
      await expect(f.stream.connect(f.recipient).withdraw(id, f.other.address, USDC(10)))
        .to.changeTokenBalance(ethers, f.usdc, f.other, USDC(10));
      await expect(f.stream.connect(f.recipient).withdraw(id, ethers.ZeroAddress, USDC(1)))
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_ZeroAddress");
    });

    it("test_RevertWhen_AmountZeroOrAboveWithdrawable", async function () {
      const f = await loadFixture(fixture);
      const p = await f.linear();
      const id = await f.createLinear(p);
      await expect(f.stream.connect(f.recipient).withdraw(id, f.recipient.address, 0n))
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_ZeroAmount");
      await expect(f.stream.connect(f.recipient).withdrawMax(id, f.recipient.address))
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_ZeroAmount");
      await time.setNextBlockTimestamp(p.startTime + 10n);
      await expect(f.stream.connect(f.recipient).withdraw(id, f.recipient.address, USDC(11)))
        .to.be.revertedWithCustomError(f.errs, "PaymentStream_Overdraw");
    });

    it("test_RevertGiven_StreamNotFound", async function () {
      const f = await loadFixture(fixture);
      await expect(f.stream.withdraw(9n, f.recipient.address, 1n)).to.be.revertedWithCustomError(f.errs, "PaymentStream_NotFound").withArgs(9n);
      await expect(f.stream.getStream(9n)).to.be.revertedWithCustomError(f.errs, "PaymentStream_NotFound");
      await expect(f.stream.cancel(9n)).to.be.revertedWithCustomError(f.errs, "PaymentStream_NotFound");
    });
  });

  describe("cancel and renounce", function () {
    it("cancel at start refunds everything", async function () {
      const f = await loadFixture(fixture);
      const p = await f.linear();
      const id = await f.createLinear(p);
      await expect(f.stream.connect(f.sender).cancel(id))
        .to.emit(f.errs, "CancelStream").withArgs(id, f.sender.address, p.deposit, 0n);
      expect(await f.usdc.balanceOf(f.sender.address)).to.equal(USDC(10_000_000));
      await expect(f.stream.connect(f.sender).cancel(id)).to.be.revertedWithCustomError(f.errs, "PaymentStream_StreamCanceled");
    });

    it("cancel at the cliff splits cliff amount + linear part to the recipient", async function () {
      const f = await loadFixture(fixture);
      const t = await f.now();
      const p = await f.linear({ startTime: t + 10n, cliffTime: t + 210n, endTime: t + 1_010n, cliffAmount: USDC(100), unattestedAllowance: 10_000n });
      const id = await f.createLinear(p);
      await time.setNextBlockTimestamp(p.cliffTime);
      await expect(f.stream.connect(f.sender).cancel(id))
        .to.emit(f.errs, "CancelStream").withArgs(id, f.sender.address, USDC(720), USDC(280));
      // Withdraw after cancel: the accrued part stays withdrawable, nothing more accrues.
      await time.increase(10_000);
      const a = await f.stream.amountsOf(id);
      expect(a.withdrawable).to.equal(USDC(280));
      expect(a.refundable).to.equal(0n);
      await expect(f.stream.connect(f.recipient).withdrawMax(id, f.recipient.address)).to.changeTokenBalance(ethers, f.usdc, f.recipient, USDC(280));
      await expect(f.stream.connect(f.recipient).withdrawMax(id, f.recipient.address)).to.be.revertedWithCustomError(f.errs, "PaymentStream_ZeroAmount");
    });

    it("cancel at the end reverts: nothing left to refund", async function () {
      const f = await loadFixture(fixture);
      const p = await f.linear();
      const id = await f.createLinear(p);
      await time.increaseTo(p.endTime);
      await expect(f.stream.connect(f.sender).cancel(id)).to.be.revertedWithCustomError(f.errs, "PaymentStream_StreamSettled");
    });

    it("test_RevertWhen_CallerNotSender / NotCancelable; renounce is permanent", async function () {
      const f = await loadFixture(fixture);
      const id = await f.createLinear();
      await expect(f.stream.connect(f.recipient).cancel(id)).to.be.revertedWithCustomError(f.errs, "PaymentStream_CallerNotSender");
      await expect(f.stream.connect(f.recipient).renounce(id)).to.be.revertedWithCustomError(f.errs, "PaymentStream_CallerNotSender");
      await expect(f.stream.connect(f.sender).renounce(id)).to.emit(f.errs, "RenounceStream").withArgs(id);
      await expect(f.stream.connect(f.sender).renounce(id)).to.be.revertedWithCustomError(f.errs, "PaymentStream_StreamNotCancelable");
      await expect(f.stream.connect(f.sender).cancel(id)).to.be.revertedWithCustomError(f.errs, "PaymentStream_StreamNotCancelable");
      const id2 = await f.createLinear({ cancelable: false });
      await expect(f.stream.connect(f.sender).cancel(id2)).to.be.revertedWithCustomError(f.errs, "PaymentStream_StreamNotCancelable");
      const id3 = await f.createLinear();
      await f.stream.connect(f.sender).cancel(id3);
      await expect(f.stream.connect(f.sender).renounce(id3)).to.be.revertedWithCustomError(f.errs, "PaymentStream_StreamCanceled");
    });

    it("renounce and open-only functions check the shape", async function () {
      const f = await loadFixture(fixture);
      const id = await f.createLinear();
      await expect(f.stream.connect(f.sender).pause(id)).to.be.revertedWithCustomError(f.errs, "PaymentStream_WrongShape");
      await expect(f.stream.connect(f.sender).refund(id, 1n)).to.be.revertedWithCustomError(f.errs, "PaymentStream_WrongShape");
      await expect(f.stream.connect(f.sender).deposit(id, 1n)).to.be.revertedWithCustomError(f.errs, "PaymentStream_WrongShape");
      const open = await f.createOpen();
      await expect(f.stream.connect(f.sender).renounce(open)).to.be.revertedWithCustomError(f.errs, "PaymentStream_WrongShape");
    });
  });

  describe("admin", function () {
    it("allow-list: owner only, no duplicates, disallow stops new streams but not old ones", async function () {
      const f = await loadFixture(fixture);
      await expect(f.stream.connect(f.other).allowToken(f.usdcAddress)).to.be.revertedWithCustomError(f.errs, "OwnableUnauthorizedAccount");
      await expect(f.stream.allowToken(f.usdcAddress)).to.be.revertedWithCustomError(f.errs, "PaymentStream_TokenAlreadyAllowed");
      await expect(f.stream.allowToken(ethers.ZeroAddress)).to.be.revertedWithCustomError(f.errs, "PaymentStream_ZeroAddress");
      const p = await f.linear();
      const id = await f.createLinear(p);
      await expect(f.stream.disallowToken(f.usdcAddress)).to.emit(f.errs, "DisallowToken").withArgs(f.usdcAddress);
      await expect(f.stream.disallowToken(f.usdcAddress)).to.be.revertedWithCustomError(f.errs, "PaymentStream_TokenNotAllowed");
      await expect(f.stream.connect(f.sender).createLinear(p)).to.be.revertedWithCustomError(f.errs, "PaymentStream_TokenNotAllowed");
      await time.increaseTo(p.startTime + 10n);
      await expect(f.stream.connect(f.recipient).withdrawMax(id, f.recipient.address)).to.emit(f.stream, "WithdrawStream");
      // Re-allowing keeps the same index.
      await expect(f.stream.allowToken(f.usdcAddress)).to.emit(f.errs, "AllowToken").withArgs(f.usdcAddress, 6, 0);
      expect((await f.stream.tokenConfigOf(f.usdcAddress)).allowed).to.equal(true);
    });

    it("setArbiter: owner only, non-zero", async function () {
      const f = await loadFixture(fixture);
      await expect(f.stream.setArbiter(ethers.ZeroAddress)).to.be.revertedWithCustomError(f.errs, "PaymentStream_ZeroAddress");
      await expect(f.stream.connect(f.other).setArbiter(f.other.address)).to.be.revertedWithCustomError(f.errs, "OwnableUnauthorizedAccount");
      await expect(f.stream.setArbiter(f.other.address)).to.emit(f.stream, "SetArbiter").withArgs(f.arbiter.address, f.other.address);
      expect(await f.stream.arbiter()).to.equal(f.other.address);
    });

    it("constructor rejects a zero arbiter or oracle", async function () {
      const f = await loadFixture(fixture);
      const ops = await ethers.deployContract("StreamOps");
      const factory = await ethers.getContractFactory("PaymentStream", { libraries: { StreamOps: await ops.getAddress() } });
      await expect(factory.deploy(f.risk.address, f.owner.address, ethers.ZeroAddress)).to.be.revertedWithCustomError(f.errs, "PaymentStream_ZeroAddress");
      await expect(factory.deploy(ethers.ZeroAddress, f.owner.address, f.arbiter.address)).to.be.revertedWithCustomError(f.errs, "RiskGated_ZeroOracle");
    });
  });
});
