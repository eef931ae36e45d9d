import { expect } from "chai";
import { network } from "hardhat";

const { ethers, networkHelpers } = await network.connect();

async function fixture() {
  const [alice, bob] = await ethers.getSigners();
  const fot = await ethers.deployContract("FeeOnTransferToken", [100]);
  const nrt = await ethers.deployContract("NoReturnToken");
  const reent = await ethers.deployContract("ReentrantToken");
  const attacker = await ethers.deployContract("ReentrancyAttacker");
  return { alice, bob, fot, nrt, reent, attacker };
}

describe("weird test tokens", function () {
  it("FeeOnTransferToken burns 1% of a transfer, not of a mint", async function () {
    const { alice, bob, fot } = await networkHelpers.loadFixture(fixture);
    await fot.mint(alice.address, 10_000n);
    expect(await fot.decimals()).to.equal(6n);
    await fot.connect(alice).transfer(bob.address, 10_000n);
    expect(await fot.balanceOf(bob.address)).to.equal(9_900n);
    expect(await fot.totalSupply()).to.equal(9_900n);
  });

  it("NoReturnToken returns no data and reverts on failure (USDT style)", async function () {
    const { alice, bob, nrt } = await networkHelpers.loadFixture(fixture);
    expect(await nrt.name()).to.equal("Tether-like No Return");
    expect(await nrt.symbol()).to.equal("NORET");
    expect(await nrt.decimals()).to.equal(6n);
    await nrt.mint(alice.address, 5n);
    const data = nrt.interface.encodeFunctionData("transfer", [bob.address, 2n]);
    expect(await ethers.provider.call({ to: await nrt.getAddress(), from: alice.address, data })).to.equal("0x");
    await nrt.connect(alice).transfer(bob.address, 2n);
    await expect(nrt.connect(alice).transfer(bob.address, 4n))
      .to.be.revertedWithCustomError(nrt, "ERC20InsufficientBalance")
      .withArgs(alice.address, 3n, 4n);
    await nrt.connect(alice).approve(bob.address, 1n);
    await expect(nrt.connect(bob).transferFrom(alice.address, bob.address, 2n))
      .to.be.revertedWithCustomError(nrt, "ERC20InsufficientAllowance")
      .withArgs(bob.address, 1n, 2n);
    await nrt.connect(bob).transferFrom(alice.address, bob.address, 1n);
    expect(await nrt.balanceOf(bob.address)).to.equal(3n);
    expect(await nrt.allowance(alice.address, bob.address)).to.equal(0n);
  });

  it("ReentrantToken calls the armed hook on transfers only; the attacker replays its payload once", async function () {
    const { alice, bob, reent, attacker } = await networkHelpers.loadFixture(fixture);
    const reentAddress = await reent.getAddress();
    const attackerAddress = await attacker.getAddress();
    expect(await reent.decimals()).to.equal(6n);
    await reent.mint(attackerAddress, 10n);
    await reent.setHook(attackerAddress);
    // The attacker re-enters the token itself: a nested transfer of 1 from the attacker to bob.
    await attacker.arm(reentAddress, reent.interface.encodeFunctionData("transfer", [bob.address, 1n]));
    await attacker.execute(reentAddress, reent.interface.encodeFunctionData("transfer", [alice.address, 2n]));
    expect(await attacker.attempts()).to.equal(1n);
    expect(await attacker.lastSuccess()).to.equal(true);
    expect(await reent.balanceOf(bob.address)).to.equal(1n);
    expect(await reent.balanceOf(alice.address)).to.equal(2n);
    // execute bubbles a revert of the target.
    await expect(
      attacker.execute(reentAddress, reent.interface.encodeFunctionData("transfer", [alice.address, 100n])),
    ).to.be.revertedWithCustomError(reent, "ERC20InsufficientBalance");
    // Unarmed (no victim), the hook does nothing.
    const fresh = await ethers.deployContract("ReentrancyAttacker");
    await reent.setHook(await fresh.getAddress());
    await reent.connect(alice).transfer(bob.address, 1n);
    expect(await fresh.attempts()).to.equal(0n);
  });
});
