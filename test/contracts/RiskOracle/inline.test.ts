// RiskOracle pull mode: checkInline / verifyAttestation / hashAttestation, one test per branch.
import { expect } from "chai";
import { network } from "hardhat";
import {
  DEFAULT_POLICY,
  Decision,
  attestationFor,
  highS,
  makeOracleSigners,
  signAttestation,
  signWithWallet,
} from "../helpers/attestation.js";
import { erc1271Fixture, oracleFixture } from "./fixture.js";

const { ethers, networkHelpers } = await network.connect();

describe("RiskOracle inline (checkInline, verifyAttestation)", function () {
  const one = () => oracleFixture(ethers, { n: 1, k: 1 });
  const quorum = () => oracleFixture(ethers, { n: 5, k: 3 });
  const with1271 = () => erc1271Fixture(ethers);

  describe("checkInline: decision under the consumer's policy", function () {
    for (const [score, decision, name] of [
      [0, Decision.Release, "Release_ScoreZero"],
      [2_999, Decision.Release, "Release_ScoreBelowAllowBelow"],
      [3_000, Decision.Hold, "Hold_ScoreAtAllowBelow"],
      [7_999, Decision.Hold, "Hold_ScoreBelowFreezeAt"],
      [8_000, Decision.Freeze, "Freeze_ScoreAtFreezeAt"],
      [10_000, Decision.Freeze, "Freeze_ScoreMax"],
    ] as const) {
      it(`test_CheckInline_${name} (score ${score})`, async function () {
        const fx = await networkHelpers.loadFixture(one);
        const { att, signerSet, signatures } = await signAttestation(fx, await attestationFor(ethers, fx.settlement("s"), { score, reasons: 0b1011 }));
        const v = await fx.consumer.rawCheckInline(att, signerSet, signatures);
        expect([v.decision, v.score, v.reasons, v.issuedAt, v.holdWindow]).to.deep.equal([
          decision, BigInt(score), 0b1011n, att.issuedAt, BigInt(DEFAULT_POLICY.holdWindow),
        ]);
      });
    }

    it("test_CheckInline_Quorum: every 3-of-5 subset passes", async function () {
      const fx = await networkHelpers.loadFixture(quorum);
      const att = await attestationFor(ethers, fx.settlement("q"));
      const w = fx.wallets;
      for (const subset of [[0, 1, 2], [0, 2, 4], [1, 3, 4], [2, 3, 4], [0, 1, 2, 3, 4]]) {
        const signed = await signAttestation(fx, att, { by: subset.map((i) => w[i]) });
        expect((await fx.consumer.rawCheckInline(signed.att, signed.signerSet, signed.signatures)).decision).to.equal(Decision.Release);
      }
    });
  });

  describe("checkInline: reverts", function () {
    it("test_RevertGiven_Paused", async function () {
      const fx = await networkHelpers.loadFixture(one);
      const s = await signAttestation(fx, await attestationFor(ethers, fx.settlement("s")));
      await fx.oracle.connect(fx.guardian).pause();
      await expect(fx.consumer.rawCheckInline(s.att, s.signerSet, s.signatures)).to.be.revertedWithCustomError(fx.oracle, "RiskOracle_Paused");
    });

    it("test_RevertWhen_CallerNotConsumer", async function () {
      const fx = await networkHelpers.loadFixture(one);
      const s = await signAttestation(fx, await attestationFor(ethers, fx.settlement("s")));
      await expect(fx.oracle.connect(fx.accounts[9]).checkInline(s.att, s.signerSet, s.signatures))
        .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_WrongConsumer").withArgs(fx.consumerAddress, fx.accounts[9].address);
    });

    it("test_RevertGiven_PolicyNotSet", async function () {
      const fx = await networkHelpers.loadFixture(one);
      const fresh = await ethers.deployContract("MockRiskConsumer", [fx.address]);
      const freshAddress = await fresh.getAddress();
      const s = await signAttestation(fx, await attestationFor(ethers, fx.settlement("s", freshAddress)));
      await expect(fresh.rawCheckInline(s.att, s.signerSet, s.signatures))
        .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_PolicyNotSet").withArgs(freshAddress);
    });

    it("test_RevertGiven_PolicyDisabled", async function () {
      const fx = await networkHelpers.loadFixture(one);
      await fx.oracle.setPolicy(fx.consumerAddress, { ...DEFAULT_POLICY, enabled: false });
      const s = await signAttestation(fx, await attestationFor(ethers, fx.settlement("s")));
      await expect(fx.consumer.rawCheckInline(s.att, s.signerSet, s.signatures))
        .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_PolicyNotSet").withArgs(fx.consumerAddress);
    });

    it("test_RevertWhen_SignerSetNotCurrent: a set missing a signer", async function () {
      const fx = await networkHelpers.loadFixture(quorum);
      const s = await signAttestation(fx, await attestationFor(ethers, fx.settlement("s")));
      await expect(fx.consumer.rawCheckInline(s.att, s.signerSet.slice(0, 4), s.signatures.slice(0, 4)))
        .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_SignerSetMismatch");
    });

    it("test_RevertWhen_SignerSetReordered", async function () {
      const fx = await networkHelpers.loadFixture(quorum);
      const s = await signAttestation(fx, await attestationFor(ethers, fx.settlement("s")));
      await expect(fx.consumer.rawCheckInline(s.att, [...s.signerSet].reverse(), [...s.signatures].reverse()))
        .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_SignerSetMismatch");
    });

    it("test_RevertWhen_SignatureCountMismatch", async function () {
      const fx = await networkHelpers.loadFixture(quorum);
      const s = await signAttestation(fx, await attestationFor(ethers, fx.settlement("s")));
      await expect(fx.consumer.rawCheckInline(s.att, s.signerSet, s.signatures.slice(0, 4)))
        .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_SignatureCountMismatch").withArgs(5n, 4n);
    });

    it("test_RevertWhen_ScoreAbove10000", async function () {
      const fx = await networkHelpers.loadFixture(one);
      const s = await signAttestation(fx, await attestationFor(ethers, fx.settlement("s"), { score: 10_001 }));
      await expect(fx.consumer.rawCheckInline(s.att, s.signerSet, s.signatures))
        .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_ScoreOutOfRange").withArgs(10_001n);
    });

    it("test_RevertWhen_NotYetValid", async function () {
      const fx = await networkHelpers.loadFixture(one);
      const now = BigInt(await networkHelpers.time.latest());
      const s = await signAttestation(fx, await attestationFor(ethers, fx.settlement("s"), { issuedAt: now + 1_000n }));
      await expect(fx.consumer.rawCheckInline(s.att, s.signerSet, s.signatures))
        .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_NotYetValid");
    });

    it("test_RevertWhen_Expired", async function () {
      const fx = await networkHelpers.loadFixture(one);
      const s = await signAttestation(fx, await attestationFor(ethers, fx.settlement("s")));
      await networkHelpers.time.increase(601);
      await expect(fx.consumer.rawCheckInline(s.att, s.signerSet, s.signatures))
        .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_Expired");
    });

    it("test_RevertWhen_ValidityTooLong", async function () {
      const fx = await networkHelpers.loadFixture(one);
      await fx.oracle.setMaxValidity(300);
      const s = await signAttestation(fx, await attestationFor(ethers, fx.settlement("s")));
      await expect(fx.consumer.rawCheckInline(s.att, s.signerSet, s.signatures))
        .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_ValidityTooLong").withArgs(600n, 300n);
    });

    it("test_RevertGiven_Revoked", async function () {
      const fx = await networkHelpers.loadFixture(one);
      const s = await signAttestation(fx, await attestationFor(ethers, fx.settlement("s")));
      const uid = await fx.oracle.hashAttestation(s.att);
      await fx.oracle.connect(fx.guardian).revokeAttestation(s.att);
      await expect(fx.consumer.rawCheckInline(s.att, s.signerSet, s.signatures))
        .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_Revoked").withArgs(uid);
    });

    it("test_RevertWhen_SignatureHighS", async function () {
      const fx = await networkHelpers.loadFixture(one);
      const s = await signAttestation(fx, await attestationFor(ethers, fx.settlement("s")));
      // The malleable twin recovers to the same signer (ecrecover accepts it): only the s-check stops it.
      const twin = highS(s.signatures[0]);
      const [r, sHigh, v] = [twin.slice(2, 66), twin.slice(66, 130), twin.slice(130, 132)];
      const input = ethers.concat([await fx.oracle.hashAttestation(s.att), ethers.zeroPadValue(`0x${v}`, 32), `0x${r}`, `0x${sHigh}`]);
      const recovered = await ethers.provider.call({ to: "0x0000000000000000000000000000000000000001", data: input });
      expect(ethers.getAddress(ethers.dataSlice(recovered, 12))).to.equal(fx.signerSet[0]);
      await expect(fx.consumer.rawCheckInline(s.att, s.signerSet, [twin]))
        .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_InvalidSignatureS").withArgs(fx.signerSet[0]);
    });

    it("test_RevertWhen_SignatureFromNonMember", async function () {
      const fx = await networkHelpers.loadFixture(one);
      const [stranger] = makeOracleSigners(1, "stranger");
      const att = await attestationFor(ethers, fx.settlement("s"));
      const sig = await signWithWallet(stranger, fx.domain, att);
      await expect(fx.consumer.rawCheckInline(att, fx.signerSet, [sig]))
        .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_InvalidSignature").withArgs(fx.signerSet[0]);
    });

    it("test_RevertWhen_SignatureVInvalid: v = 29 fails recovery", async function () {
      const fx = await networkHelpers.loadFixture(one);
      const s = await signAttestation(fx, await attestationFor(ethers, fx.settlement("s")));
      const bad = `${s.signatures[0].slice(0, 130)}1d`;
      await expect(fx.consumer.rawCheckInline(s.att, s.signerSet, [bad]))
        .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_InvalidSignature").withArgs(fx.signerSet[0]);
    });

    it("test_RevertWhen_SignatureLengthNot65_EOA: a 64-byte (EIP-2098) signature of an EOA", async function () {
      const fx = await networkHelpers.loadFixture(one);
      const s = await signAttestation(fx, await attestationFor(ethers, fx.settlement("s")));
      const compact = ethers.Signature.from(s.signatures[0]).compactSerialized;
      await expect(fx.consumer.rawCheckInline(s.att, s.signerSet, [compact]))
        .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_InvalidSignature").withArgs(fx.signerSet[0]);
    });

    it("test_RevertWhen_ThresholdNotMet: 2 of 3 needed", async function () {
      const fx = await networkHelpers.loadFixture(quorum);
      const s = await signAttestation(fx, await attestationFor(ethers, fx.settlement("s")), { by: fx.wallets.slice(3) });
      await expect(fx.consumer.rawCheckInline(s.att, s.signerSet, s.signatures))
        .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_ThresholdNotMet").withArgs(2n, 3n);
    });

    it("test_RevertWhen_NoSignatures", async function () {
      const fx = await networkHelpers.loadFixture(quorum);
      const s = await signAttestation(fx, await attestationFor(ethers, fx.settlement("s")), { by: [] });
      await expect(fx.consumer.rawCheckInline(s.att, s.signerSet, s.signatures))
        .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_ThresholdNotMet").withArgs(0n, 3n);
    });
  });

  describe("ERC-1271 contract signers", function () {
    it("test_CheckInline_ERC1271_OwnerEcdsa: a 65-byte signature of the contract's owner counts", async function () {
      const fx = await networkHelpers.loadFixture(with1271);
      const att = await attestationFor(ethers, fx.settlement("s"));
      const sig = await signWithWallet(fx.wallet1271, fx.domain, att);
      const s = await signAttestation(fx, att, { by: [fx.wallets[0]], extra: { [fx.signer1271Address]: sig } });
      expect((await fx.consumer.rawCheckInline(s.att, s.signerSet, s.signatures)).decision).to.equal(Decision.Release);
    });

    it("test_CheckInline_ERC1271_ApprovedHash: a non-65-byte signature goes straight to ERC-1271", async function () {
      const fx = await networkHelpers.loadFixture(with1271);
      const att = await attestationFor(ethers, fx.settlement("s"));
      const uid = await fx.oracle.hashAttestation(att);
      await fx.signer1271.connect(fx.wallet1271.connect(ethers.provider)).approveHash(uid).catch(async () => {
        // The owner wallet has no ETH: fund it once.
        await fx.accounts[0].sendTransaction({ to: fx.wallet1271.address, value: ethers.parseEther("1") });
        await fx.signer1271.connect(fx.wallet1271.connect(ethers.provider)).approveHash(uid);
      });
      const s = await signAttestation(fx, att, { by: [fx.wallets[1]], extra: { [fx.signer1271Address]: "0x01" } });
      expect((await fx.consumer.rawCheckInline(s.att, s.signerSet, s.signatures)).decision).to.equal(Decision.Release);
    });

    it("test_RevertWhen_ERC1271Rejects: the contract signer does not accept the signature", async function () {
      const fx = await networkHelpers.loadFixture(with1271);
      const att = await attestationFor(ethers, fx.settlement("s"));
      const wrong = await signWithWallet(fx.wallets[1], fx.domain, att); // not the contract owner's
      const s = await signAttestation(fx, att, { by: [fx.wallets[0]], extra: { [fx.signer1271Address]: wrong } });
      await expect(fx.consumer.rawCheckInline(s.att, s.signerSet, s.signatures))
        .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_InvalidSignature").withArgs(fx.signer1271Address);
    });

    it("test_RevertWhen_ERC1271HighS: a malleable 65-byte signature is refused even for a contract signer", async function () {
      const fx = await networkHelpers.loadFixture(with1271);
      const att = await attestationFor(ethers, fx.settlement("s"));
      const sig = highS(await signWithWallet(fx.wallet1271, fx.domain, att));
      const s = await signAttestation(fx, att, { by: [fx.wallets[0]], extra: { [fx.signer1271Address]: sig } });
      await expect(fx.consumer.rawCheckInline(s.att, s.signerSet, s.signatures))
        .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_InvalidSignatureS").withArgs(fx.signer1271Address);
    });
  });

  describe("verifyAttestation / hashAttestation", function () {
    it("test_VerifyAttestation_ReturnsUid: uid == hashAttestation, ignores consumer, policy and pause", async function () {
      const fx = await networkHelpers.loadFixture(one);
      const s = await signAttestation(fx, await attestationFor(ethers, fx.settlement("s", fx.accounts[9].address)));
      await fx.oracle.connect(fx.guardian).pause();
      const uid = await fx.oracle.verifyAttestation(s.att, s.signerSet, s.signatures);
      expect(uid).to.equal(await fx.oracle.hashAttestation(s.att));
      expect(uid).to.equal(ethers.TypedDataEncoder.hash(fx.domain, { RiskAttestation: [...(await import("../../../oracle/src/attestation/typedData.js")).riskAttestationTypes.RiskAttestation] }, s.att));
    });

    it("test_VerifyAttestation_RevertGiven_Revoked", async function () {
      const fx = await networkHelpers.loadFixture(one);
      const s = await signAttestation(fx, await attestationFor(ethers, fx.settlement("s")));
      await fx.oracle.revokeAttestation(s.att);
      await expect(fx.oracle.verifyAttestation(s.att, s.signerSet, s.signatures)).to.be.revertedWithCustomError(fx.oracle, "RiskOracle_Revoked");
      expect(await fx.oracle.isRevoked(await fx.oracle.hashAttestation(s.att))).to.equal(true);
    });

    it("test_VerifyAttestation_RevertWhen_SignerSetMismatch", async function () {
      const fx = await networkHelpers.loadFixture(one);
      const s = await signAttestation(fx, await attestationFor(ethers, fx.settlement("s")));
      await expect(fx.oracle.verifyAttestation(s.att, [fx.accounts[9].address], s.signatures)).to.be.revertedWithCustomError(fx.oracle, "RiskOracle_SignerSetMismatch");
    });
  });
});
