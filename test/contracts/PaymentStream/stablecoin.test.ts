import { expect } from "chai";
import { network } from "hardhat";
import { USDC, streamFixture } from "./fixture.js";

const { ethers, networkHelpers } = await network.connect();
const { time, loadFixture } = networkHelpers;

async function fixture() {
  return streamFixture(ethers);
}

describe("PaymentStream: stablecoin reality", function () {
  it("G9: blacklisted recipient: no withdrawal reaches it or a fresh address; the sender still cancels", async function () {
    const f = await loadFixture(fixture);
    const p = await f.linear({ startTime: 0n });
    const id = await f.createLinear(p);
    await time.increase(100);
    await f.usdc.blacklist(f.recipient.address);
    await expect(f.stream.connect(f.other).withdrawMax(id, f.recipient.address)).to.be.revert(ethers);
    await expect(f.stream.connect(f.recipient).withdraw(id, f.other.address, USDC(10)))
      .to.be.revertedWithCustomError(f.errs, "PaymentStream_AccountBlocked").withArgs(f.recipient.address, f.usdcAddress);
    await expect(f.stream.connect(f.sender).cancel(id)).to.emit(f.errs, "CancelStream");
    // Batch withdraw skips the blacklisted recipient's stream without blocking others.
    const other = await f.createLinear({ recipient: f.other.address, startTime: 0n });
    await time.increase(10);
    await expect(f.stream.withdrawMultiple([id, other])).to.emit(f.stream, "SkipWithdraw");
    expect((await f.stream.getStream(other)).withdrawn).to.be.greaterThan(0n);
  });

  it("blacklisted sender: cancel credits its refund instead of reverting; the recipient is never blocked", async function () {
    const f = await loadFixture(fixture);
    const id = await f.createLinear({ startTime: 0n, unattestedAllowance: 10_000n });
    await time.increase(100);
    await f.usdc.blacklist(f.sender.address);
    const refundable = (await f.stream.amountsOf(id)).refundable;
    const tx = f.stream.connect(f.sender).cancel(id);
    await expect(tx).to.emit(f.errs, "CreditAccount");
    const credit = (await f.stream.accountOf(f.sender.address, f.usdcAddress)).credit;
    expect(credit).to.be.lessThanOrEqual(refundable);
    expect(credit).to.be.greaterThan(0n);
    await expect(f.stream.connect(f.recipient).withdrawMax(id, f.recipient.address)).to.emit(f.stream, "WithdrawStream");
    // G9: while blacklisted the credit cannot go to a fresh address; after the issuer lifts it, it can.
    await expect(f.stream.connect(f.sender).claim(f.usdcAddress, f.other.address))
      .to.be.revertedWithCustomError(f.errs, "PaymentStream_AccountBlocked").withArgs(f.sender.address, f.usdcAddress);
    await f.usdc.unBlacklist(f.sender.address);
    await expect(f.stream.connect(f.sender).claim(f.usdcAddress, f.other.address)).to.emit(f.errs, "Claim");
    expect(await f.usdc.balanceOf(f.other.address)).to.equal(credit);
  });

  it("fee-on-transfer token is rejected by the balance difference", async function () {
    const f = await loadFixture(fixture);
    const fee = await ethers.deployContract("FeeOnTransferToken", [100n]);
    const feeAddress = await fee.getAddress();
    await f.stream.allowToken(feeAddress);
    await fee.mint(f.sender.address, USDC(1_000));
    await fee.connect(f.sender).approve(f.streamAddress, USDC(1_000));
    await expect(f.stream.connect(f.sender).createLinear(await f.linear({ token: feeAddress })))
      .to.be.revertedWithCustomError(f.errs, "PaymentStream_TransferAmountMismatch");
  });

  it("fee-on-transfer token is rejected on the permit path too (failed permit ignored, allowance used)", async function () {
    const f = await loadFixture(fixture);
    const fee = await ethers.deployContract("FeeOnTransferToken", [100n]);
    const feeAddress = await fee.getAddress();
    await f.stream.allowToken(feeAddress);
    await fee.mint(f.sender.address, USDC(1_000));
    await fee.connect(f.sender).approve(f.streamAddress, USDC(1_000));
    const funding = { method: 0, validAfter: 0n, deadline: 0n, nonce: ethers.ZeroHash, v: 0, r: ethers.ZeroHash, s: ethers.ZeroHash };
    await expect(f.stream.connect(f.sender).createLinearWithFunding(await f.linear({ token: feeAddress }), funding))
      .to.be.revertedWithCustomError(f.errs, "PaymentStream_TransferAmountMismatch");
  });

  it("test_RevertWhen_DepositOverflows96Bits", async function () {
    const f = await loadFixture(fixture);
    const max96 = 2n ** 96n - 1n;
    await f.usdc.mint(f.sender.address, max96);
    const id = await f.createOpen({ deposit: max96 - 5n });
    await expect(f.stream.connect(f.sender).deposit(id, 6n))
      .to.be.revertedWithCustomError(f.errs, "PaymentStream_AmountTooLarge").withArgs(max96 + 1n);
  });

  it("no-return-value token streams through SafeERC20", async function () {
    const f = await loadFixture(fixture);
    const nrt = await ethers.deployContract("NoReturnToken");
    const addr = await nrt.getAddress();
    await f.stream.allowToken(addr);
    await nrt.mint(f.sender.address, USDC(1_000));
    await nrt.connect(f.sender).approve(f.streamAddress, USDC(1_000));
    const id = await f.createLinear({ token: addr, startTime: 0n });
    await time.increase(10);
    await expect(f.stream.connect(f.recipient).withdrawMax(id, f.recipient.address)).to.emit(f.stream, "WithdrawStream");
  });

  it("reentrancy through a token callback is blocked", async function () {
    const f = await loadFixture(fixture);
    const token = await ethers.deployContract("ReentrantToken");
    const attacker = await ethers.deployContract("ReentrancyAttacker");
    const tokenAddress = await token.getAddress();
    await f.stream.allowToken(tokenAddress);
    await token.mint(f.sender.address, USDC(1_000));
    await token.connect(f.sender).approve(f.streamAddress, USDC(1_000));
    const id = await f.createLinear({ token: tokenAddress, startTime: 0n });
    await time.increase(100);
    await token.setHook(await attacker.getAddress());
    await attacker.arm(f.streamAddress, f.stream.interface.encodeFunctionData("withdrawMax", [id, f.recipient.address]));
    await f.stream.connect(f.recipient).withdraw(id, f.recipient.address, USDC(1));
    expect(await attacker.attempts()).to.equal(1n);
    expect(await attacker.lastSuccess()).to.equal(false);
    expect(await attacker.lastRevertData()).to.equal(f.stream.interface.getError("ReentrancyGuardReentrantCall")!.selector);
  });

  it("decimals above 18 are refused", async function () {
    const f = await loadFixture(fixture);
    // MockUSDC (6) is in; the same token cannot be added twice and an EOA has no decimals().
    await expect(f.stream.allowToken(f.other.address)).to.be.revert(ethers);
  });
});
