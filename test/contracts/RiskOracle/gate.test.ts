// The gate rules (docs/gate.md) as the oracle enforces them: G1 (one posted verdict per settlement),
// G2.1 (checkInline refuses a superseded verdict), G3 (revocation markers per settlement), G4.5 (checkHeld),
// G11 (no renounce), G12 (ERC-1271 gas cap). Each test failed on the code before the rule was enforced.
import { expect } from "chai";
import { network } from "hardhat";
import { DEFAULT_POLICY, Decision, type RiskAttestation, attestationFor, makeOracleSigners, signAttestation } from "../helpers/attestation.js";
import { type OracleFixture, oracleFixture } from "./fixture.js";

const { ethers, networkHelpers } = await network.connect();

describe("RiskOracle gate rules (docs/gate.md)", function () {
  const one = () => oracleFixture(ethers, { n: 1, k: 1 });

  async function sign(fx: OracleFixture, label: string, overrides: Partial<RiskAttestation> = {}) {
    return signAttestation(fx, await attestationFor(ethers, fx.settlement(label), overrides));
  }

  async function post(fx: OracleFixture, label: string, overrides: Partial<RiskAttestation> = {}) {
    const s = await sign(fx, label, overrides);
    await (await fx.oracle.postAttestation(s.att, s.signerSet, s.signatures)).wait();
    return s;
  }

  describe("G1: one posted verdict per (consumer, subject)", function () {
    it("G1: test_RevertWhen_OlderVerdictForOtherAmount: an older verdict naming another amount is refused as stale", async function () {
      const fx = await networkHelpers.loadFixture(one);
      const first = await post(fx, "a", { score: 9_000 });
      const other = await sign(fx, "a", { amount: 1n, issuedAt: first.att.issuedAt - 1n });
      await expect(fx.oracle.postAttestation(other.att, other.signerSet, other.signatures))
        .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_StaleAttestation")
        .withArgs(first.att.issuedAt - 1n, first.att.issuedAt);
    });

    it("G1: test_RevertWhen_BindingDiffers: a read naming other payer/payee/token/amount reverts VerdictMismatch", async function () {
      const fx = await networkHelpers.loadFixture(one);
      await post(fx, "a", { score: 10 });
      const st = fx.settlement("a");
      await expect(fx.consumer.rawCheckPosted(st.subject, st.payer, st.payee, st.token, st.amount + 1n))
        .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_VerdictMismatch")
        .withArgs(fx.consumerAddress, st.subject);
      await expect(fx.consumer.rawCheckPosted(st.subject, st.payee, st.payer, st.token, st.amount))
        .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_VerdictMismatch");
      const v = await fx.consumer.rawCheckPosted(st.subject, st.payer, st.payee, st.token, st.amount);
      expect(v.decision).to.equal(Decision.Release);
    });

    it("G1: a newer verdict naming another amount replaces the slot", async function () {
      const fx = await networkHelpers.loadFixture(one);
      const first = await post(fx, "a", { score: 10 });
      await post(fx, "a", { amount: 7n, score: 9_000, issuedAt: first.att.issuedAt + 1n });
      const st = fx.settlement("a");
      await expect(fx.consumer.rawCheckPosted(st.subject, st.payer, st.payee, st.token, st.amount)).to.be.revertedWithCustomError(
        fx.oracle,
        "RiskOracle_VerdictMismatch",
      );
      expect((await fx.consumer.rawCheckPosted(st.subject, st.payer, st.payee, st.token, 7n)).decision).to.equal(Decision.Freeze);
    });
  });

  describe("G2.1: checkInline refuses a superseded verdict", function () {
    it("G2: test_RevertGiven_NewerPosted: an older inline verdict reverts Superseded", async function () {
      const fx = await networkHelpers.loadFixture(one);
      const older = await sign(fx, "a", { score: 10 });
      await networkHelpers.time.increase(5);
      const newer = await post(fx, "a", { score: 9_000 });
      await expect(fx.consumer.rawCheckInline(older.att, older.signerSet, older.signatures))
        .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_Superseded")
        .withArgs(fx.consumerAddress, older.att.subject, older.att.issuedAt, newer.att.issuedAt);
      // The posted one itself is fine inline, and so is a newer one.
      expect((await fx.consumer.rawCheckInline(newer.att, newer.signerSet, newer.signatures)).decision).to.equal(Decision.Freeze);
      await networkHelpers.time.increase(5);
      const newest = await sign(fx, "a", { score: 10 });
      expect((await fx.consumer.rawCheckInline(newest.att, newest.signerSet, newest.signatures)).decision).to.equal(Decision.Release);
    });

    it("G2: test_RevertGiven_SameIssuedAtOtherVerdictPosted: reverts Superseded", async function () {
      const fx = await networkHelpers.loadFixture(one);
      const posted = await post(fx, "a", { score: 9_000 });
      const twin = await sign(fx, "a", { score: 10, issuedAt: posted.att.issuedAt });
      await expect(fx.consumer.rawCheckInline(twin.att, twin.signerSet, twin.signatures)).to.be.revertedWithCustomError(
        fx.oracle,
        "RiskOracle_Superseded",
      );
    });

    it("G2: a newer verdict posted for another amount of the same subject supersedes too", async function () {
      const fx = await networkHelpers.loadFixture(one);
      const older = await sign(fx, "a", { score: 10 });
      await networkHelpers.time.increase(5);
      await post(fx, "a", { amount: 5n, score: 9_000 });
      await expect(fx.consumer.rawCheckInline(older.att, older.signerSet, older.signatures)).to.be.revertedWithCustomError(
        fx.oracle,
        "RiskOracle_Superseded",
      );
    });

    it("G3: test_RevertGiven_RevokedMarkerNewer: revoking an unposted newer verdict blocks older ones inline", async function () {
      const fx = await networkHelpers.loadFixture(one);
      const older = await sign(fx, "a", { score: 10 });
      await networkHelpers.time.increase(5);
      const newer = await sign(fx, "a", { amount: 3n, score: 10 });
      await fx.oracle.connect(fx.guardian).revokeAttestation(newer.att);
      await expect(fx.consumer.rawCheckInline(older.att, older.signerSet, older.signatures)).to.be.revertedWithCustomError(
        fx.oracle,
        "RiskOracle_Superseded",
      );
      await expect(fx.consumer.rawCheckInline(newer.att, newer.signerSet, newer.signatures)).to.be.revertedWithCustomError(
        fx.oracle,
        "RiskOracle_Revoked",
      );
    });
  });

  describe("G4.5: checkHeld", function () {
    it("G4.5: passes for the current verdict; reverts when paused, disabled, rotated, revoked, superseded or another score", async function () {
      const fx = await networkHelpers.loadFixture(one);
      const held = await sign(fx, "a", { score: 5_000 });
      const subject = held.att.subject;
      const at = held.att.issuedAt;
      // Inline hold, nothing posted: current.
      await fx.consumer.rawCheckHeld(subject, at, 5_000, 1);
      await expect(fx.consumer.rawCheckHeld(subject, at, 5_000, 2))
        .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_SignerSetRotated")
        .withArgs(2n, 1n);
      // Posted: the same verdict is current, another score at the same issuedAt is not.
      await fx.oracle.postAttestation(held.att, held.signerSet, held.signatures);
      await fx.consumer.rawCheckHeld(subject, at, 5_000, 1);
      await expect(fx.consumer.rawCheckHeld(subject, at, 5_001, 1)).to.be.revertedWithCustomError(fx.oracle, "RiskOracle_Superseded");
      await expect(fx.consumer.rawCheckHeld(subject, at - 1n, 5_000, 1)).to.be.revertedWithCustomError(fx.oracle, "RiskOracle_Superseded");
      // Another consumer's slot does not count.
      await fx.other.rawCheckHeld(subject, at - 1n, 5_000, 1);
      await fx.oracle.connect(fx.guardian).pause();
      await expect(fx.consumer.rawCheckHeld(subject, at, 5_000, 1)).to.be.revertedWithCustomError(fx.oracle, "RiskOracle_Paused");
      await fx.oracle.unpause();
      await fx.oracle.setPolicy(fx.consumerAddress, { ...DEFAULT_POLICY, enabled: false });
      await expect(fx.consumer.rawCheckHeld(subject, at, 5_000, 1)).to.be.revertedWithCustomError(fx.oracle, "RiskOracle_PolicyNotSet");
      await fx.oracle.setPolicy(fx.consumerAddress, DEFAULT_POLICY);
      await fx.oracle.connect(fx.guardian).revokeAttestation(held.att);
      await expect(fx.consumer.rawCheckHeld(subject, at, 5_000, 1))
        .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_VerdictRevoked")
        .withArgs(fx.consumerAddress, subject);
    });
  });

  describe("G11: administration", function () {
    it("G11: test_RevertWhen_RenounceOwnership", async function () {
      const fx = await networkHelpers.loadFixture(one);
      await expect(fx.oracle.renounceOwnership()).to.be.revertedWithCustomError(fx.oracle, "RiskOracle_RenounceDisabled");
    });
  });

  describe("G12: ERC-1271 checks are gas-capped", function () {
    async function burnerFixture() {
      const burner = await ethers.deployContract("GasBurningERC1271Signer");
      const burnerAddress = await burner.getAddress();
      const fx = await oracleFixture(ethers, { n: 1, k: 1, contractSigners: [burnerAddress] });
      return { ...fx, burnerAddress };
    }

    it("G12: a gas-burning contract signer only skips its own batch item", async function () {
      const fx = await networkHelpers.loadFixture(burnerFixture);
      const bad = await signAttestation(fx, await attestationFor(ethers, fx.settlement("bad")), {
        by: [],
        extra: { [fx.burnerAddress]: "0x01" },
      });
      const good = await sign(fx, "good");
      const badUid = await fx.oracle.hashAttestation(bad.att);
      await expect(
        fx.oracle.postAttestations([bad.att, good.att], fx.signerSet, [bad.signatures, good.signatures], { gasLimit: 2_000_000 }),
      )
        .to.emit(fx.oracle, "SkipAttestation")
        .withArgs(badUid, fx.oracle.interface.getError("RiskOracle_InvalidSignature")!.selector)
        .and.to.emit(fx.oracle, "PostAttestation");
    });

    it("G12: test_RevertWhen_ContractSignerBurnsGas: checkInline reverts InvalidSignature", async function () {
      const fx = await networkHelpers.loadFixture(burnerFixture);
      const bad = await signAttestation(fx, await attestationFor(ethers, fx.settlement("bad")), {
        by: [],
        extra: { [fx.burnerAddress]: "0x01" },
      });
      await expect(fx.consumer.rawCheckInline(bad.att, bad.signerSet, bad.signatures, { gasLimit: 2_000_000 }))
        .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_InvalidSignature")
        .withArgs(fx.burnerAddress);
      // A wallet signature beside it still counts.
      const ok = await sign(fx, "ok");
      expect((await fx.consumer.rawCheckInline(ok.att, ok.signerSet, ok.signatures)).decision).to.equal(Decision.Release);
      void makeOracleSigners;
    });
  });
});
