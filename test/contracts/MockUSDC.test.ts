import { expect } from "chai";
import type { Signer, TypedDataDomain } from "ethers";
import { network } from "hardhat";

const { ethers, networkHelpers } = await network.connect();

const USDC = (n: number): bigint => BigInt(n) * 1_000_000n;
const MAX = 2n ** 256n - 1n;
/** FiatToken v2.2 reason strings (gate rule G13). */
const BLACKLISTED = "Blacklistable: account is blacklisted";
const PAUSED = "Pausable: paused";

const permitTypes = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};
const authFields = [
  { name: "from", type: "address" },
  { name: "to", type: "address" },
  { name: "value", type: "uint256" },
  { name: "validAfter", type: "uint256" },
  { name: "validBefore", type: "uint256" },
  { name: "nonce", type: "bytes32" },
];
const transferAuthTypes = { TransferWithAuthorization: authFields };
const receiveAuthTypes = { ReceiveWithAuthorization: authFields };
const cancelAuthTypes = {
  CancelAuthorization: [
    { name: "authorizer", type: "address" },
    { name: "nonce", type: "bytes32" },
  ],
};

async function deployFixture() {
  const [owner, alice, bob, carol, minter] = await ethers.getSigners();
  const usdc = await ethers.deployContract("MockUSDC", [owner.address]);
  await usdc.mint(alice.address, USDC(1_000));
  const domain: TypedDataDomain = {
    name: "USD Coin",
    version: "2",
    chainId: (await ethers.provider.getNetwork()).chainId,
    verifyingContract: await usdc.getAddress(),
  };
  return { usdc, owner, alice, bob, carol, minter, domain };
}

async function signAuth(
  signer: Signer,
  domain: TypedDataDomain,
  types: typeof transferAuthTypes | typeof receiveAuthTypes,
  msg: { from: string; to: string; value: bigint; validAfter: bigint; validBefore: bigint; nonce: string },
) {
  return ethers.Signature.from(await signer.signTypedData(domain, types, msg));
}

describe("MockUSDC", function () {
  describe("metadata", function () {
    it("has USDC's name, symbol, 6 decimals, version 2 and EIP-712 domain", async function () {
      const { usdc, domain } = await networkHelpers.loadFixture(deployFixture);
      expect(await usdc.name()).to.equal("USD Coin");
      expect(await usdc.symbol()).to.equal("USDC");
      expect(await usdc.decimals()).to.equal(6n);
      expect(await usdc.version()).to.equal("2");
      expect(await usdc.DOMAIN_SEPARATOR()).to.equal(ethers.TypedDataEncoder.hashDomain(domain));
    });

    it("gives the deployer every role and an unlimited mint allowance", async function () {
      const { usdc, owner } = await networkHelpers.loadFixture(deployFixture);
      expect(await usdc.owner()).to.equal(owner.address);
      expect(await usdc.pauser()).to.equal(owner.address);
      expect(await usdc.blacklister()).to.equal(owner.address);
      expect(await usdc.isMinter(owner.address)).to.equal(true);
      expect(await usdc.minterAllowance(owner.address)).to.equal(MAX);
    });
  });

  describe("mint and burn", function () {
    it("mints within a configured allowance and decrements it", async function () {
      const { usdc, minter, bob } = await networkHelpers.loadFixture(deployFixture);
      await expect(usdc.configureMinter(minter.address, USDC(10)))
        .to.emit(usdc, "ConfigureMinter")
        .withArgs(minter.address, USDC(10));
      await expect(usdc.connect(minter).mint(bob.address, USDC(4)))
        .to.emit(usdc, "Mint")
        .withArgs(minter.address, bob.address, USDC(4))
        .and.to.emit(usdc, "Transfer")
        .withArgs(ethers.ZeroAddress, bob.address, USDC(4));
      expect(await usdc.minterAllowance(minter.address)).to.equal(USDC(6));
      expect(await usdc.balanceOf(bob.address)).to.equal(USDC(4));
      expect(await usdc.totalSupply()).to.equal(USDC(1_004));
    });

    it("keeps the unlimited allowance unlimited", async function () {
      const { usdc, owner, bob } = await networkHelpers.loadFixture(deployFixture);
      await usdc.mint(bob.address, USDC(5));
      expect(await usdc.minterAllowance(owner.address)).to.equal(MAX);
    });

    it("test_RevertWhen_MintExceedsAllowance", async function () {
      const { usdc, minter, bob } = await networkHelpers.loadFixture(deployFixture);
      await usdc.configureMinter(minter.address, USDC(1));
      await expect(usdc.connect(minter).mint(bob.address, USDC(2)))
        .to.be.revertedWithCustomError(usdc, "MockUSDC_MintAllowanceExceeded")
        .withArgs(minter.address, USDC(1), USDC(2));
    });

    it("test_RevertWhen_CallerNotMinter (mint, burn)", async function () {
      const { usdc, bob } = await networkHelpers.loadFixture(deployFixture);
      await expect(usdc.connect(bob).mint(bob.address, 1n))
        .to.be.revertedWithCustomError(usdc, "MockUSDC_Unauthorized")
        .withArgs(bob.address);
      await expect(usdc.connect(bob).burn(1n)).to.be.revertedWithCustomError(usdc, "MockUSDC_Unauthorized");
    });

    it("test_RevertWhen_MintToZeroAddress", async function () {
      const { usdc } = await networkHelpers.loadFixture(deployFixture);
      await expect(usdc.mint(ethers.ZeroAddress, 1n))
        .to.be.revertedWithCustomError(usdc, "ERC20InvalidReceiver")
        .withArgs(ethers.ZeroAddress);
    });

    it("test_RevertWhen_MintOverflowsTheBlacklistBit", async function () {
      const { usdc, bob } = await networkHelpers.loadFixture(deployFixture);
      await expect(usdc.mint(bob.address, 2n ** 255n - USDC(1_000))).to.be.revertedWithCustomError(
        usdc,
        "MockUSDC_SupplyOverflow",
      );
    });

    it("test_RevertGiven_MinterRemoved", async function () {
      const { usdc, minter, bob } = await networkHelpers.loadFixture(deployFixture);
      await usdc.configureMinter(minter.address, USDC(1));
      await expect(usdc.removeMinter(minter.address)).to.emit(usdc, "RemoveMinter").withArgs(minter.address);
      expect(await usdc.minterAllowance(minter.address)).to.equal(0n);
      await expect(usdc.connect(minter).mint(bob.address, 1n)).to.be.revertedWithCustomError(
        usdc,
        "MockUSDC_Unauthorized",
      );
    });

    it("burns a minter's own balance", async function () {
      const { usdc, owner } = await networkHelpers.loadFixture(deployFixture);
      await usdc.mint(owner.address, USDC(3));
      await expect(usdc.burn(USDC(2)))
        .to.emit(usdc, "Burn")
        .withArgs(owner.address, USDC(2))
        .and.to.emit(usdc, "Transfer")
        .withArgs(owner.address, ethers.ZeroAddress, USDC(2));
      expect(await usdc.balanceOf(owner.address)).to.equal(USDC(1));
      expect(await usdc.totalSupply()).to.equal(USDC(1_001));
    });

    it("test_RevertWhen_BurnExceedsBalance", async function () {
      const { usdc, owner } = await networkHelpers.loadFixture(deployFixture);
      await expect(usdc.burn(1n))
        .to.be.revertedWithCustomError(usdc, "ERC20InsufficientBalance")
        .withArgs(owner.address, 0n, 1n);
    });

    it("test_RevertGiven_MinterBlacklisted (mint, burn) and test_RevertWhen_MintToBlacklisted", async function () {
      const { usdc, owner, bob } = await networkHelpers.loadFixture(deployFixture);
      await usdc.blacklist(bob.address);
      await expect(usdc.mint(bob.address, 1n)).to.be.revertedWith(BLACKLISTED);
      await usdc.blacklist(owner.address);
      await expect(usdc.mint(owner.address, 1n)).to.be.revertedWith(BLACKLISTED);
      await expect(usdc.burn(0n)).to.be.revertedWith(BLACKLISTED);
    });

    it("test_RevertWhen_ConfigureMinterZeroOrNotOwner", async function () {
      const { usdc, bob } = await networkHelpers.loadFixture(deployFixture);
      await expect(usdc.configureMinter(ethers.ZeroAddress, 1n)).to.be.revertedWithCustomError(usdc, "MockUSDC_ZeroAddress");
      await expect(usdc.connect(bob).configureMinter(bob.address, 1n)).to.be.revertedWithCustomError(
        usdc,
        "OwnableUnauthorizedAccount",
      );
      await expect(usdc.connect(bob).removeMinter(bob.address)).to.be.revertedWithCustomError(
        usdc,
        "OwnableUnauthorizedAccount",
      );
    });
  });

  describe("transfers and allowances", function () {
    it("transfers, including to oneself", async function () {
      const { usdc, alice, bob } = await networkHelpers.loadFixture(deployFixture);
      await expect(usdc.connect(alice).transfer(bob.address, USDC(10)))
        .to.emit(usdc, "Transfer")
        .withArgs(alice.address, bob.address, USDC(10));
      await usdc.connect(alice).transfer(alice.address, USDC(10));
      expect(await usdc.balanceOf(alice.address)).to.equal(USDC(990));
      expect(await usdc.balanceOf(bob.address)).to.equal(USDC(10));
    });

    it("test_RevertWhen_TransferExceedsBalance", async function () {
      const { usdc, alice, bob } = await networkHelpers.loadFixture(deployFixture);
      await expect(usdc.connect(alice).transfer(bob.address, USDC(1_001)))
        .to.be.revertedWithCustomError(usdc, "ERC20InsufficientBalance")
        .withArgs(alice.address, USDC(1_000), USDC(1_001));
    });

    it("test_RevertWhen_TransferToZeroAddress", async function () {
      const { usdc, alice } = await networkHelpers.loadFixture(deployFixture);
      await expect(usdc.connect(alice).transfer(ethers.ZeroAddress, 1n)).to.be.revertedWithCustomError(
        usdc,
        "ERC20InvalidReceiver",
      );
    });

    it("approves, increases, decreases and spends allowances", async function () {
      const { usdc, alice, bob, carol } = await networkHelpers.loadFixture(deployFixture);
      await expect(usdc.connect(alice).approve(bob.address, USDC(5)))
        .to.emit(usdc, "Approval")
        .withArgs(alice.address, bob.address, USDC(5));
      await usdc.connect(alice).increaseAllowance(bob.address, USDC(3));
      await usdc.connect(alice).decreaseAllowance(bob.address, USDC(1));
      expect(await usdc.allowance(alice.address, bob.address)).to.equal(USDC(7));
      await usdc.connect(bob).transferFrom(alice.address, carol.address, USDC(7));
      expect(await usdc.allowance(alice.address, bob.address)).to.equal(0n);
      expect(await usdc.balanceOf(carol.address)).to.equal(USDC(7));
    });

    it("test_RevertWhen_TransferFromExceedsAllowance and test_RevertWhen_DecreaseBelowZero", async function () {
      const { usdc, alice, bob } = await networkHelpers.loadFixture(deployFixture);
      await usdc.connect(alice).approve(bob.address, 1n);
      await expect(usdc.connect(bob).transferFrom(alice.address, bob.address, 2n))
        .to.be.revertedWithCustomError(usdc, "ERC20InsufficientAllowance")
        .withArgs(bob.address, 1n, 2n);
      await expect(usdc.connect(alice).decreaseAllowance(bob.address, 2n)).to.be.revertedWithCustomError(
        usdc,
        "ERC20InsufficientAllowance",
      );
    });
  });

  describe("blacklist", function () {
    it("packs the flag beside the balance: the balance survives blacklisting", async function () {
      const { usdc, alice } = await networkHelpers.loadFixture(deployFixture);
      await expect(usdc.blacklist(alice.address)).to.emit(usdc, "Blacklist").withArgs(alice.address);
      expect(await usdc.isBlacklisted(alice.address)).to.equal(true);
      expect(await usdc.balanceOf(alice.address)).to.equal(USDC(1_000));
      await expect(usdc.unBlacklist(alice.address)).to.emit(usdc, "UnBlacklist").withArgs(alice.address);
      expect(await usdc.isBlacklisted(alice.address)).to.equal(false);
      expect(await usdc.balanceOf(alice.address)).to.equal(USDC(1_000));
    });

    it("test_RevertGiven_SenderBlacklisted / RecipientBlacklisted / CallerBlacklisted (FiatToken v2.2 reason string)", async function () {
      const { usdc, alice, bob, carol } = await networkHelpers.loadFixture(deployFixture);
      await usdc.connect(alice).approve(carol.address, USDC(10));
      await usdc.blacklist(bob.address);
      await expect(usdc.connect(alice).transfer(bob.address, 1n)).to.be.revertedWith(BLACKLISTED);
      await usdc.blacklist(carol.address);
      await expect(usdc.connect(carol).transferFrom(alice.address, alice.address, 1n)).to.be.revertedWith(BLACKLISTED);
      await usdc.unBlacklist(carol.address);
      await usdc.blacklist(alice.address);
      await expect(usdc.connect(alice).transfer(carol.address, 1n)).to.be.revertedWith(BLACKLISTED);
      await expect(usdc.connect(carol).transferFrom(alice.address, carol.address, 1n)).to.be.revertedWith(BLACKLISTED);
    });

    it("G13: blacklisted accounts may approve, be approved, change allowances and permit (FiatToken v2.2)", async function () {
      const { usdc, alice, bob, domain } = await networkHelpers.loadFixture(deployFixture);
      await usdc.blacklist(alice.address);
      await usdc.blacklist(bob.address);
      await expect(usdc.connect(alice).approve(bob.address, 5n)).to.emit(usdc, "Approval").withArgs(alice.address, bob.address, 5n);
      await usdc.connect(alice).increaseAllowance(bob.address, 2n);
      await usdc.connect(alice).decreaseAllowance(bob.address, 1n);
      expect(await usdc.allowance(alice.address, bob.address)).to.equal(6n);
      const deadline = MAX;
      const nonce = await usdc.nonces(alice.address);
      const sig = ethers.Signature.from(
        await alice.signTypedData(domain, permitTypes, { owner: alice.address, spender: bob.address, value: 9n, nonce, deadline }),
      );
      await usdc.permit(alice.address, bob.address, 9n, deadline, sig.v, sig.r, sig.s);
      expect(await usdc.allowance(alice.address, bob.address)).to.equal(9n);
      // Moving the tokens is what the blacklist stops.
      await expect(usdc.connect(bob).transferFrom(alice.address, bob.address, 1n)).to.be.revertedWith(BLACKLISTED);
    });

    it("test_RevertWhen_CallerNotBlacklister", async function () {
      const { usdc, bob } = await networkHelpers.loadFixture(deployFixture);
      await expect(usdc.connect(bob).blacklist(bob.address)).to.be.revertedWithCustomError(usdc, "MockUSDC_Unauthorized");
      await expect(usdc.connect(bob).unBlacklist(bob.address)).to.be.revertedWithCustomError(usdc, "MockUSDC_Unauthorized");
    });

    it("lets the owner hand the blacklister and pauser roles over", async function () {
      const { usdc, bob, carol } = await networkHelpers.loadFixture(deployFixture);
      await expect(usdc.updateBlacklister(bob.address)).to.emit(usdc, "SetBlacklister").withArgs(bob.address);
      await expect(usdc.updatePauser(bob.address)).to.emit(usdc, "SetPauser").withArgs(bob.address);
      await usdc.connect(bob).blacklist(carol.address);
      await usdc.connect(bob).pause();
      expect(await usdc.paused()).to.equal(true);
      await expect(usdc.pause()).to.be.revertedWithCustomError(usdc, "MockUSDC_Unauthorized");
      await expect(usdc.updateBlacklister(ethers.ZeroAddress)).to.be.revertedWithCustomError(usdc, "MockUSDC_ZeroAddress");
      await expect(usdc.updatePauser(ethers.ZeroAddress)).to.be.revertedWithCustomError(usdc, "MockUSDC_ZeroAddress");
      await expect(usdc.connect(bob).updatePauser(bob.address)).to.be.revertedWithCustomError(usdc, "OwnableUnauthorizedAccount");
    });
  });

  describe("pause", function () {
    it("test_RevertGiven_Paused: transfers, approvals, mint, burn, authorizations wait", async function () {
      const { usdc, alice, bob, domain } = await networkHelpers.loadFixture(deployFixture);
      await expect(usdc.pause()).to.emit(usdc, "Pause");
      await expect(usdc.connect(alice).transfer(bob.address, 1n)).to.be.revertedWith(PAUSED);
      await expect(usdc.connect(bob).transferFrom(alice.address, bob.address, 1n)).to.be.revertedWith(PAUSED);
      await expect(usdc.connect(alice).approve(bob.address, 1n)).to.be.revertedWith(PAUSED);
      await expect(usdc.connect(alice).increaseAllowance(bob.address, 1n)).to.be.revertedWith(PAUSED);
      await expect(usdc.connect(alice).decreaseAllowance(bob.address, 0n)).to.be.revertedWith(PAUSED);
      await expect(usdc.mint(bob.address, 1n)).to.be.revertedWith(PAUSED);
      await expect(usdc.burn(0n)).to.be.revertedWith(PAUSED);
      const nonce = ethers.hexlify(ethers.randomBytes(32));
      const msg = { from: alice.address, to: bob.address, value: 1n, validAfter: 0n, validBefore: MAX, nonce };
      const sig = await signAuth(alice, domain, transferAuthTypes, msg);
      await expect(
        usdc.transferWithAuthorization(msg.from, msg.to, msg.value, msg.validAfter, msg.validBefore, nonce, sig.v, sig.r, sig.s),
      ).to.be.revertedWith(PAUSED);
      await expect(usdc.unpause()).to.emit(usdc, "Unpause");
      await usdc.connect(alice).transfer(bob.address, 1n);
      expect(await usdc.balanceOf(bob.address)).to.equal(1n);
    });

    it("test_RevertWhen_CallerNotPauser", async function () {
      const { usdc, bob } = await networkHelpers.loadFixture(deployFixture);
      await expect(usdc.connect(bob).pause()).to.be.revertedWithCustomError(usdc, "MockUSDC_Unauthorized");
      await expect(usdc.connect(bob).unpause()).to.be.revertedWithCustomError(usdc, "MockUSDC_Unauthorized");
    });
  });

  describe("EIP-2612 permit", function () {
    it("approves by signature and bumps the nonce", async function () {
      const { usdc, alice, bob, domain } = await networkHelpers.loadFixture(deployFixture);
      const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
      const msg = { owner: alice.address, spender: bob.address, value: USDC(7), nonce: 0n, deadline };
      const sig = ethers.Signature.from(await alice.signTypedData(domain, permitTypes, msg));
      await expect(usdc.permit(alice.address, bob.address, USDC(7), deadline, sig.v, sig.r, sig.s))
        .to.emit(usdc, "Approval")
        .withArgs(alice.address, bob.address, USDC(7));
      expect(await usdc.allowance(alice.address, bob.address)).to.equal(USDC(7));
      expect(await usdc.nonces(alice.address)).to.equal(1n);
      // Replaying the same signature now fails: the nonce moved on.
      await expect(usdc.permit(alice.address, bob.address, USDC(7), deadline, sig.v, sig.r, sig.s))
        .to.be.revertedWithCustomError(usdc, "MockUSDC_InvalidSignature")
        .withArgs(alice.address);
    });

    it("accepts an ERC-1271 contract wallet's permit (FiatToken v2.2)", async function () {
      const { usdc, alice, bob, domain } = await networkHelpers.loadFixture(deployFixture);
      const wallet = await ethers.deployContract("MockERC1271Signer", [alice.address]);
      const walletAddress = await wallet.getAddress();
      const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
      const msg = { owner: walletAddress, spender: bob.address, value: USDC(3), nonce: 0n, deadline };
      const sig = ethers.Signature.from(await alice.signTypedData(domain, permitTypes, msg));
      await usdc.permit(walletAddress, bob.address, USDC(3), deadline, sig.v, sig.r, sig.s);
      expect(await usdc.allowance(walletAddress, bob.address)).to.equal(USDC(3));
      const bad = ethers.Signature.from(await bob.signTypedData(domain, permitTypes, { ...msg, nonce: 1n }));
      await expect(usdc.permit(walletAddress, bob.address, USDC(3), deadline, bad.v, bad.r, bad.s))
        .to.be.revertedWithCustomError(usdc, "MockUSDC_InvalidSignature")
        .withArgs(walletAddress);
    });

    it("test_RevertWhen_PermitExpired", async function () {
      const { usdc, alice, bob, domain } = await networkHelpers.loadFixture(deployFixture);
      const deadline = BigInt(await networkHelpers.time.latest()) - 1n;
      const msg = { owner: alice.address, spender: bob.address, value: 1n, nonce: 0n, deadline };
      const sig = ethers.Signature.from(await alice.signTypedData(domain, permitTypes, msg));
      await expect(usdc.permit(alice.address, bob.address, 1n, deadline, sig.v, sig.r, sig.s))
        .to.be.revertedWithCustomError(usdc, "MockUSDC_PermitExpired")
        .withArgs(deadline);
    });

    it("test_RevertWhen_PermitSignedByAnotherAccount", async function () {
      const { usdc, alice, bob, domain } = await networkHelpers.loadFixture(deployFixture);
      const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
      const msg = { owner: alice.address, spender: bob.address, value: 1n, nonce: 0n, deadline };
      const sig = ethers.Signature.from(await bob.signTypedData(domain, permitTypes, msg));
      await expect(usdc.permit(alice.address, bob.address, 1n, deadline, sig.v, sig.r, sig.s))
        .to.be.revertedWithCustomError(usdc, "MockUSDC_InvalidSignature")
        .withArgs(alice.address);
    });
  });

  describe("EIP-3009 authorizations", function () {
    async function authFixture() {
      const base = await deployFixture();
      const now = BigInt(await networkHelpers.time.latest());
      const nonce = ethers.hexlify(ethers.randomBytes(32));
      const msg = {
        from: base.alice.address,
        to: base.bob.address,
        value: USDC(25),
        validAfter: now - 1n,
        validBefore: now + 3600n,
        nonce,
      };
      return { ...base, msg, now };
    }

    it("transferWithAuthorization moves funds once and marks the nonce used", async function () {
      const { usdc, alice, bob, carol, domain, msg } = await networkHelpers.loadFixture(authFixture);
      const sig = await signAuth(alice, domain, transferAuthTypes, msg);
      expect(await usdc.authorizationState(alice.address, msg.nonce)).to.equal(false);
      await expect(
        usdc
          .connect(carol)
          .transferWithAuthorization(msg.from, msg.to, msg.value, msg.validAfter, msg.validBefore, msg.nonce, sig.v, sig.r, sig.s),
      )
        .to.emit(usdc, "AuthorizationUsed")
        .withArgs(alice.address, msg.nonce)
        .and.to.emit(usdc, "Transfer")
        .withArgs(alice.address, bob.address, msg.value);
      expect(await usdc.authorizationState(alice.address, msg.nonce)).to.equal(true);
      expect(await usdc.balanceOf(bob.address)).to.equal(msg.value);
      await expect(
        usdc.transferWithAuthorization(msg.from, msg.to, msg.value, msg.validAfter, msg.validBefore, msg.nonce, sig.v, sig.r, sig.s),
      )
        .to.be.revertedWithCustomError(usdc, "MockUSDC_AuthorizationUsed")
        .withArgs(alice.address, msg.nonce);
    });

    it("test_RevertWhen_AuthorizationNotYetValid / Expired / SignedByAnotherAccount", async function () {
      const { usdc, alice, bob, domain, msg, now } = await networkHelpers.loadFixture(authFixture);
      const early = { ...msg, validAfter: now + 100n };
      let sig = await signAuth(alice, domain, transferAuthTypes, early);
      await expect(
        usdc.transferWithAuthorization(early.from, early.to, early.value, early.validAfter, early.validBefore, early.nonce, sig.v, sig.r, sig.s),
      )
        .to.be.revertedWithCustomError(usdc, "MockUSDC_AuthorizationNotYetValid")
        .withArgs(early.validAfter);
      const late = { ...msg, validBefore: now };
      sig = await signAuth(alice, domain, transferAuthTypes, late);
      await expect(
        usdc.transferWithAuthorization(late.from, late.to, late.value, late.validAfter, late.validBefore, late.nonce, sig.v, sig.r, sig.s),
      )
        .to.be.revertedWithCustomError(usdc, "MockUSDC_AuthorizationExpired")
        .withArgs(late.validBefore);
      sig = await signAuth(bob, domain, transferAuthTypes, msg);
      await expect(
        usdc.transferWithAuthorization(msg.from, msg.to, msg.value, msg.validAfter, msg.validBefore, msg.nonce, sig.v, sig.r, sig.s),
      )
        .to.be.revertedWithCustomError(usdc, "MockUSDC_InvalidSignature")
        .withArgs(alice.address);
    });

    it("a transfer signature is not a receive signature (distinct typehashes)", async function () {
      const { usdc, alice, bob, domain, msg } = await networkHelpers.loadFixture(authFixture);
      const sig = await signAuth(alice, domain, transferAuthTypes, msg);
      await expect(
        usdc
          .connect(bob)
          .receiveWithAuthorization(msg.from, msg.to, msg.value, msg.validAfter, msg.validBefore, msg.nonce, sig.v, sig.r, sig.s),
      ).to.be.revertedWithCustomError(usdc, "MockUSDC_InvalidSignature");
    });

    it("receiveWithAuthorization works for the payee only", async function () {
      const { usdc, alice, bob, carol, domain, msg } = await networkHelpers.loadFixture(authFixture);
      const sig = await signAuth(alice, domain, receiveAuthTypes, msg);
      await expect(
        usdc
          .connect(carol)
          .receiveWithAuthorization(msg.from, msg.to, msg.value, msg.validAfter, msg.validBefore, msg.nonce, sig.v, sig.r, sig.s),
      )
        .to.be.revertedWithCustomError(usdc, "MockUSDC_CallerNotPayee")
        .withArgs(carol.address, bob.address);
      await expect(
        usdc
          .connect(bob)
          .receiveWithAuthorization(msg.from, msg.to, msg.value, msg.validAfter, msg.validBefore, msg.nonce, sig.v, sig.r, sig.s),
      )
        .to.emit(usdc, "AuthorizationUsed")
        .withArgs(alice.address, msg.nonce);
      expect(await usdc.balanceOf(bob.address)).to.equal(msg.value);
    });

    it("cancelAuthorization burns an unused nonce; test_RevertGiven_AuthorizationCanceled", async function () {
      const { usdc, alice, bob, domain, msg } = await networkHelpers.loadFixture(authFixture);
      const c = ethers.Signature.from(
        await alice.signTypedData(domain, cancelAuthTypes, { authorizer: alice.address, nonce: msg.nonce }),
      );
      const wrong = ethers.Signature.from(
        await bob.signTypedData(domain, cancelAuthTypes, { authorizer: alice.address, nonce: msg.nonce }),
      );
      await expect(usdc.cancelAuthorization(alice.address, msg.nonce, wrong.v, wrong.r, wrong.s)).to.be.revertedWithCustomError(
        usdc,
        "MockUSDC_InvalidSignature",
      );
      await expect(usdc.cancelAuthorization(alice.address, msg.nonce, c.v, c.r, c.s))
        .to.emit(usdc, "AuthorizationCanceled")
        .withArgs(alice.address, msg.nonce);
      expect(await usdc.authorizationState(alice.address, msg.nonce)).to.equal(true);
      await expect(usdc.cancelAuthorization(alice.address, msg.nonce, c.v, c.r, c.s)).to.be.revertedWithCustomError(
        usdc,
        "MockUSDC_AuthorizationUsed",
      );
      const sig = await signAuth(alice, domain, transferAuthTypes, msg);
      await expect(
        usdc.transferWithAuthorization(msg.from, msg.to, msg.value, msg.validAfter, msg.validBefore, msg.nonce, sig.v, sig.r, sig.s),
      ).to.be.revertedWithCustomError(usdc, "MockUSDC_AuthorizationUsed");
      expect(await usdc.balanceOf(bob.address)).to.equal(0n);
    });
  });
});
