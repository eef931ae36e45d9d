// RiskOracle administration: constructor, signer rotation, policies, guardian, max validity, pause.
import { expect } from "chai";
import { network } from "hardhat";
import { DEFAULT_MAX_VALIDITY, DEFAULT_POLICY, makeOracleSigners } from "../helpers/attestation.js";
import { oracleFixture } from "./fixture.js";

const { ethers, networkHelpers } = await network.connect();

describe("RiskOracle administration", function () {
  const fixture = () => oracleFixture(ethers, { n: 3, k: 2 });
  const addresses = (n: number, seed?: string) => makeOracleSigners(n, seed).map((w) => w.address);

  async function deploy(signers: string[], threshold: number, maxValidity = DEFAULT_MAX_VALIDITY, owner?: string) {
    const [deployer, guardian] = await ethers.getSigners();
    return ethers.deployContract("RiskOracle", [owner ?? deployer.address, signers, threshold, guardian.address, maxValidity]);
  }

  describe("constructor", function () {
    it("test_Constructor: stores owner, signers, threshold, epoch 1, guardian, max validity, unpaused", async function () {
      const { oracle, owner, guardian, signerSet } = await networkHelpers.loadFixture(fixture);
      expect(await oracle.owner()).to.equal(owner.address);
      expect(await oracle.signers()).to.deep.equal(signerSet);
      expect(await oracle.threshold()).to.equal(2n);
      expect(await oracle.epoch()).to.equal(1n);
      expect(await oracle.guardian()).to.equal(guardian.address);
      expect(await oracle.maxValidity()).to.equal(BigInt(DEFAULT_MAX_VALIDITY));
      expect(await oracle.paused()).to.equal(false);
    });

    it("test_Constructor_Emits: SetSigners(1, ...), SetGuardian(0, guardian), SetMaxValidity", async function () {
      const [, guardian] = await ethers.getSigners();
      const set = addresses(2);
      const oracle = await deploy(set, 1);
      const tx = oracle.deploymentTransaction();
      await expect(tx).to.emit(oracle, "SetSigners").withArgs(1n, set, 1n);
      await expect(tx).to.emit(oracle, "SetGuardian").withArgs(ethers.ZeroAddress, guardian.address);
      await expect(tx).to.emit(oracle, "SetMaxValidity").withArgs(BigInt(DEFAULT_MAX_VALIDITY));
    });

    it("test_RevertWhen_OwnerZero", async function () {
      const factory = await ethers.getContractFactory("RiskOracle");
      await expect(deploy(addresses(1), 1, DEFAULT_MAX_VALIDITY, ethers.ZeroAddress))
        .to.be.revertedWithCustomError(factory, "OwnableInvalidOwner").withArgs(ethers.ZeroAddress);
    });

    it("test_RevertWhen_MaxValidityZero", async function () {
      const factory = await ethers.getContractFactory("RiskOracle");
      await expect(deploy(addresses(1), 1, 0)).to.be.revertedWithCustomError(factory, "RiskOracle_ZeroMaxValidity");
    });

    it("test_RevertWhen_SignersInvalid: the constructor runs the setSigners checks", async function () {
      const factory = await ethers.getContractFactory("RiskOracle");
      await expect(deploy([], 1)).to.be.revertedWithCustomError(factory, "RiskOracle_InvalidSignerCount").withArgs(0n);
    });
  });

  describe("setSigners", function () {
    it("test_SetSigners: rotates the set, bumps the epoch, keeps pause and max validity", async function () {
      const { oracle, owner, guardian } = await networkHelpers.loadFixture(fixture);
      await oracle.connect(guardian).pause();
      const set = addresses(4, "rotated");
      await expect(oracle.connect(owner).setSigners(set, 3)).to.emit(oracle, "SetSigners").withArgs(2n, set, 3n);
      expect(await oracle.signers()).to.deep.equal(set);
      expect(await oracle.threshold()).to.equal(3n);
      expect(await oracle.epoch()).to.equal(2n);
      expect(await oracle.paused()).to.equal(true);
      expect(await oracle.maxValidity()).to.equal(BigInt(DEFAULT_MAX_VALIDITY));
    });

    it("test_SetSigners_MaxSigners: accepts 32 signers", async function () {
      const { oracle } = await networkHelpers.loadFixture(fixture);
      const set = addresses(32, "many");
      await oracle.setSigners(set, 32);
      expect(await oracle.signers()).to.deep.equal(set);
    });

    it("test_RevertWhen_CallerNotOwner", async function () {
      const { oracle, guardian } = await networkHelpers.loadFixture(fixture);
      await expect(oracle.connect(guardian).setSigners(addresses(1), 1))
        .to.be.revertedWithCustomError(oracle, "OwnableUnauthorizedAccount").withArgs(guardian.address);
    });

    it("test_RevertWhen_SignersEmpty", async function () {
      const { oracle } = await networkHelpers.loadFixture(fixture);
      await expect(oracle.setSigners([], 1)).to.be.revertedWithCustomError(oracle, "RiskOracle_InvalidSignerCount").withArgs(0n);
    });

    it("test_RevertWhen_SignersMoreThan32", async function () {
      const { oracle } = await networkHelpers.loadFixture(fixture);
      await expect(oracle.setSigners(addresses(33, "many"), 1))
        .to.be.revertedWithCustomError(oracle, "RiskOracle_InvalidSignerCount").withArgs(33n);
    });

    it("test_RevertWhen_ThresholdZero", async function () {
      const { oracle } = await networkHelpers.loadFixture(fixture);
      await expect(oracle.setSigners(addresses(2), 0)).to.be.revertedWithCustomError(oracle, "RiskOracle_InvalidThreshold").withArgs(0n, 2n);
    });

    it("test_RevertWhen_ThresholdAboveCount", async function () {
      const { oracle } = await networkHelpers.loadFixture(fixture);
      await expect(oracle.setSigners(addresses(2), 3)).to.be.revertedWithCustomError(oracle, "RiskOracle_InvalidThreshold").withArgs(3n, 2n);
    });

    it("test_RevertWhen_SignerZero", async function () {
      const { oracle } = await networkHelpers.loadFixture(fixture);
      await expect(oracle.setSigners([ethers.ZeroAddress, ...addresses(1)], 1)).to.be.revertedWithCustomError(oracle, "RiskOracle_ZeroSigner");
    });

    it("test_RevertWhen_SignersUnsorted", async function () {
      const { oracle } = await networkHelpers.loadFixture(fixture);
      const [a, b] = addresses(2);
      await expect(oracle.setSigners([b, a], 1)).to.be.revertedWithCustomError(oracle, "RiskOracle_SignersNotAscending").withArgs(b, a);
    });

    it("test_RevertWhen_SignersDuplicate", async function () {
      const { oracle } = await networkHelpers.loadFixture(fixture);
      const [a, b] = addresses(2);
      await expect(oracle.setSigners([a, b, b], 2)).to.be.revertedWithCustomError(oracle, "RiskOracle_SignersNotAscending").withArgs(b, b);
    });
  });

  describe("setPolicy", function () {
    it("test_SetPolicy: stores and emits the policy", async function () {
      const { oracle, accounts } = await networkHelpers.loadFixture(fixture);
      const consumer = accounts[7].address;
      const policy = { allowBelow: 100, freezeAt: 200, holdWindow: 7, enabled: true };
      await expect(oracle.setPolicy(consumer, policy)).to.emit(oracle, "SetPolicy").withArgs(consumer, 100n, 200n, 7n, true);
      const stored = await oracle.policyOf(consumer);
      expect([stored.allowBelow, stored.freezeAt, stored.holdWindow, stored.enabled]).to.deep.equal([100n, 200n, 7n, true]);
    });

    it("test_SetPolicy_Disable: a disabled policy is stored as such", async function () {
      const { oracle, consumerAddress } = await networkHelpers.loadFixture(fixture);
      await oracle.setPolicy(consumerAddress, { ...DEFAULT_POLICY, enabled: false });
      expect((await oracle.policyOf(consumerAddress)).enabled).to.equal(false);
    });

    it("test_SetPolicy_Bounds: allowBelow == freezeAt == 10_000 is valid", async function () {
      const { oracle, consumerAddress } = await networkHelpers.loadFixture(fixture);
      await expect(oracle.setPolicy(consumerAddress, { allowBelow: 10_000, freezeAt: 10_000, holdWindow: 0, enabled: true })).to.emit(oracle, "SetPolicy");
    });

    it("test_RevertWhen_CallerNotOwner", async function () {
      const { oracle, guardian, consumerAddress } = await networkHelpers.loadFixture(fixture);
      await expect(oracle.connect(guardian).setPolicy(consumerAddress, DEFAULT_POLICY))
        .to.be.revertedWithCustomError(oracle, "OwnableUnauthorizedAccount").withArgs(guardian.address);
    });

    it("test_RevertWhen_ConsumerZero", async function () {
      const { oracle } = await networkHelpers.loadFixture(fixture);
      await expect(oracle.setPolicy(ethers.ZeroAddress, DEFAULT_POLICY)).to.be.revertedWithCustomError(oracle, "RiskOracle_ZeroConsumer");
    });

    it("test_RevertWhen_AllowBelowAboveFreezeAt", async function () {
      const { oracle, consumerAddress } = await networkHelpers.loadFixture(fixture);
      await expect(oracle.setPolicy(consumerAddress, { ...DEFAULT_POLICY, allowBelow: 5_000, freezeAt: 4_999 }))
        .to.be.revertedWithCustomError(oracle, "RiskOracle_InvalidPolicy").withArgs(5_000n, 4_999n);
    });

    it("test_RevertWhen_FreezeAtAbove10000", async function () {
      const { oracle, consumerAddress } = await networkHelpers.loadFixture(fixture);
      await expect(oracle.setPolicy(consumerAddress, { ...DEFAULT_POLICY, freezeAt: 10_001 }))
        .to.be.revertedWithCustomError(oracle, "RiskOracle_InvalidPolicy").withArgs(3_000n, 10_001n);
    });
  });

  describe("setGuardian / setMaxValidity", function () {
    it("test_SetGuardian: replaces the guardian and emits both", async function () {
      const { oracle, guardian, accounts } = await networkHelpers.loadFixture(fixture);
      await expect(oracle.setGuardian(accounts[8].address)).to.emit(oracle, "SetGuardian").withArgs(guardian.address, accounts[8].address);
      expect(await oracle.guardian()).to.equal(accounts[8].address);
      await expect(oracle.connect(guardian).pause()).to.be.revertedWithCustomError(oracle, "RiskOracle_Unauthorized");
    });

    it("test_SetGuardian_RevertWhen_CallerNotOwner", async function () {
      const { oracle, guardian } = await networkHelpers.loadFixture(fixture);
      await expect(oracle.connect(guardian).setGuardian(guardian.address)).to.be.revertedWithCustomError(oracle, "OwnableUnauthorizedAccount");
    });

    it("test_SetMaxValidity: stores, emits, keeps the rest of the config", async function () {
      const { oracle, signerSet } = await networkHelpers.loadFixture(fixture);
      await expect(oracle.setMaxValidity(60)).to.emit(oracle, "SetMaxValidity").withArgs(60n);
      expect(await oracle.maxValidity()).to.equal(60n);
      expect(await oracle.threshold()).to.equal(2n);
      expect(await oracle.epoch()).to.equal(1n);
      expect(await oracle.signers()).to.deep.equal(signerSet);
    });

    it("test_SetMaxValidity_RevertWhen_Zero", async function () {
      const { oracle } = await networkHelpers.loadFixture(fixture);
      await expect(oracle.setMaxValidity(0)).to.be.revertedWithCustomError(oracle, "RiskOracle_ZeroMaxValidity");
    });

    it("test_SetMaxValidity_RevertWhen_CallerNotOwner", async function () {
      const { oracle, guardian } = await networkHelpers.loadFixture(fixture);
      await expect(oracle.connect(guardian).setMaxValidity(1)).to.be.revertedWithCustomError(oracle, "OwnableUnauthorizedAccount");
    });
  });

  describe("pause / unpause", function () {
    it("test_Pause_ByOwner", async function () {
      const { oracle, owner } = await networkHelpers.loadFixture(fixture);
      await expect(oracle.connect(owner).pause()).to.emit(oracle, "Pause").withArgs(owner.address);
      expect(await oracle.paused()).to.equal(true);
    });

    it("test_Pause_ByGuardian", async function () {
      const { oracle, guardian } = await networkHelpers.loadFixture(fixture);
      await expect(oracle.connect(guardian).pause()).to.emit(oracle, "Pause").withArgs(guardian.address);
      expect(await oracle.paused()).to.equal(true);
    });

    it("test_Pause_RevertWhen_CallerStranger", async function () {
      const { oracle, accounts } = await networkHelpers.loadFixture(fixture);
      await expect(oracle.connect(accounts[9]).pause()).to.be.revertedWithCustomError(oracle, "RiskOracle_Unauthorized").withArgs(accounts[9].address);
    });

    it("test_Unpause_ByOwner: lifts the kill switch, keeps the config", async function () {
      const { oracle, owner, guardian } = await networkHelpers.loadFixture(fixture);
      await oracle.connect(guardian).pause();
      await expect(oracle.connect(owner).unpause()).to.emit(oracle, "Unpause").withArgs(owner.address);
      expect(await oracle.paused()).to.equal(false);
      expect(await oracle.threshold()).to.equal(2n);
    });

    it("test_Unpause_RevertWhen_CallerGuardian", async function () {
      const { oracle, guardian } = await networkHelpers.loadFixture(fixture);
      await oracle.connect(guardian).pause();
      await expect(oracle.connect(guardian).unpause()).to.be.revertedWithCustomError(oracle, "OwnableUnauthorizedAccount").withArgs(guardian.address);
    });
  });

  describe("ownership (Ownable2Step)", function () {
    it("test_TransferOwnership_TwoSteps: the new owner must accept", async function () {
      const { oracle, owner, accounts } = await networkHelpers.loadFixture(fixture);
      const next = accounts[8];
      await oracle.connect(owner).transferOwnership(next.address);
      expect(await oracle.owner()).to.equal(owner.address);
      await oracle.connect(next).acceptOwnership();
      expect(await oracle.owner()).to.equal(next.address);
      await expect(oracle.connect(owner).setMaxValidity(5)).to.be.revertedWithCustomError(oracle, "OwnableUnauthorizedAccount");
    });
  });
});
