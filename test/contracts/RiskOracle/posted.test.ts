// RiskOracle push mode: postAttestation(s), checkPosted, revokeAttestation, one test per branch.
import { expect } from "chai";
import { network } from "hardhat";
import {
  DEFAULT_POLICY,
  Decision,
  type RiskAttestation,
  attestationFor,
  highS,
  makeOracleSigners,
  signAttestation,
  signWithWallet,
} from "../helpers/attestation.js";
import { type OracleFixture, oracleFixture } from "./fixture.js";

const { ethers, networkHelpers } = await network.connect();

describe("RiskOracle posted (postAttestation(s), checkPosted, revokeAttestation)", function () {
  const one = () => oracleFixture(ethers, { n: 1, k: 1 });
  const quorum = () => oracleFixture(ethers, { n: 3, k: 2 });

  async function post(fx: OracleFixture, label: string, overrides: Partial<RiskAttestation> = {}) {
    const s = await signAttestation(fx, await attestationFor(ethers, fx.settlement(label), overrides));
    await (await fx.oracle.postAttestation(s.att, s.signerSet, s.signatures)).wait();
    return s;
  }

  function read(fx: OracleFixture, label: string, on: OracleFixture["consumer"] = fx.consumer) {
    const st = fx.settlement(label);
    return on.rawCheckPosted(st.subject, st.payer, st.payee, st.token, st.amount);
  }

  describe("postAttestation", function () {
    it("test_PostAttestation: stores the verdict, emits PostAttestation, returns the uid", async function () {
      const fx = await networkHelpers.loadFixture(one);
      const s = await signAttestation(fx, await attestationFor(ethers, fx.settlement("a"), { score: 4_321, reasons: 6 }));
      const uid = await fx.oracle.hashAttestation(s.att);
      expect(await fx.oracle.postAttestation.staticCall(s.att, s.signerSet, s.signatures)).to.equal(uid);
      await expect(fx.oracle.connect(fx.accounts[9]).postAttestation(s.att, s.signerSet, s.signatures))
        .to.emit(fx.oracle, "PostAttestation")
        .withArgs(uid, fx.consumerAddress, s.att.subject, 4_321n, 6n, s.att.modelId, s.att.expiresAt);
      const v = await read(fx, "a");
      expect([v.decision, v.score, v.reasons, v.issuedAt, v.holdWindow]).to.deep.equal([
        Decision.Hold, 4_321n, 6n, s.att.issuedAt, BigInt(DEFAULT_POLICY.holdWindow),
      ]);
    });

    it("test_PostAttestation_Decisions: Release / Freeze under the policy", async function () {
      const fx = await networkHelpers.loadFixture(one);
      await post(fx, "low", { score: 10 });
      await post(fx, "high", { score: 9_000 });
      expect((await read(fx, "low")).decision).to.equal(Decision.Release);
      expect((await read(fx, "high")).decision).to.equal(Decision.Freeze);
    });

    it("test_PostAttestation_Newer: a newer verdict replaces the older one", async function () {
      const fx = await networkHelpers.loadFixture(one);
      const first = await post(fx, "a", { score: 9_000 });
      const second = await post(fx, "a", { score: 1, issuedAt: first.att.issuedAt + 1n });
      const v = await read(fx, "a");
      expect([v.decision, v.issuedAt]).to.deep.equal([Decision.Release, second.att.issuedAt]);
    });

    it("test_PostAttestation_WhilePaused: posting works, reading waits", async function () {
      const fx = await networkHelpers.loadFixture(one);
      await fx.oracle.connect(fx.guardian).pause();
      await post(fx, "a");
      await expect(read(fx, "a")).to.be.revertedWithCustomError(fx.oracle, "RiskOracle_Paused");
      await fx.oracle.unpause();
      expect((await read(fx, "a")).decision).to.equal(Decision.Release);
    });

    it("test_RevertWhen_SameIssuedAt: StaleAttestation", async function () {
      const fx = await networkHelpers.loadFixture(one);
      const first = await post(fx, "a");
      const s = await signAttestation(fx, await attestationFor(ethers, fx.settlement("a"), { issuedAt: first.att.issuedAt }));
      await expect(fx.oracle.postAttestation(s.att, s.signerSet, s.signatures))
        .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_StaleAttestation").withArgs(first.att.issuedAt, first.att.issuedAt);
    });

    it("test_RevertWhen_OlderIssuedAt: StaleAttestation", async function () {
      const fx = await networkHelpers.loadFixture(one);
      const first = await post(fx, "a");
      const s = await signAttestation(fx, await attestationFor(ethers, fx.settlement("a"), { issuedAt: first.att.issuedAt - 5n }));
      await expect(fx.oracle.postAttestation(s.att, s.signerSet, s.signatures))
        .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_StaleAttestation").withArgs(first.att.issuedAt - 5n, first.att.issuedAt);
    });

    it("test_RevertWhen_IssuedAtZero: never postable (the empty slot counts as issuedAt 0)", async function () {
      const fx = await networkHelpers.loadFixture(one);
      await fx.oracle.setMaxValidity(2 ** 32 - 1);
      const now = BigInt(await networkHelpers.time.latest());
      const s = await signAttestation(fx, await attestationFor(ethers, fx.settlement("a"), { issuedAt: 0n, expiresAt: now + 100n }));
      await expect(fx.oracle.postAttestation(s.att, s.signerSet, s.signatures))
        .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_StaleAttestation").withArgs(0n, 0n);
    });

    it("test_RevertGiven_RevokedBeforePosting: Revoked(uid)", async function () {
      const fx = await networkHelpers.loadFixture(one);
      const s = await signAttestation(fx, await attestationFor(ethers, fx.settlement("a")));
      const uid = await fx.oracle.hashAttestation(s.att);
      await fx.oracle.revokeAttestation(s.att);
      await expect(fx.oracle.postAttestation(s.att, s.signerSet, s.signatures))
        .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_Revoked").withArgs(uid);
    });

    it("test_RevertWhen_SignerSetMismatch", async function () {
      const fx = await networkHelpers.loadFixture(quorum);
      const s = await signAttestation(fx, await attestationFor(ethers, fx.settlement("a")));
      await expect(fx.oracle.postAttestation(s.att, s.signerSet.slice(1), s.signatures.slice(1)))
        .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_SignerSetMismatch");
    });

    it("test_RevertWhen_SignatureCountMismatch", async function () {
      const fx = await networkHelpers.loadFixture(quorum);
      const s = await signAttestation(fx, await attestationFor(ethers, fx.settlement("a")));
      await expect(fx.oracle.postAttestation(s.att, s.signerSet, [...s.signatures, "0x"]))
        .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_SignatureCountMismatch").withArgs(3n, 4n);
    });

    it("test_RevertWhen_ThresholdNotMet", async function () {
      const fx = await networkHelpers.loadFixture(quorum);
      const s = await signAttestation(fx, await attestationFor(ethers, fx.settlement("a")), { by: [fx.wallets[2]] });
      await expect(fx.oracle.postAttestation(s.att, s.signerSet, s.signatures))
        .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_ThresholdNotMet").withArgs(1n, 2n);
    });

    it("test_RevertWhen_InvalidSignature", async function () {
      const fx = await networkHelpers.loadFixture(one);
      const att = await attestationFor(ethers, fx.settlement("a"));
      const [stranger] = makeOracleSigners(1, "stranger");
      await expect(fx.oracle.postAttestation(att, fx.signerSet, [await signWithWallet(stranger, fx.domain, att)]))
        .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_InvalidSignature").withArgs(fx.signerSet[0]);
    });

    it("test_RevertWhen_SignatureHighS", async function () {
      const fx = await networkHelpers.loadFixture(one);
      const s = await signAttestation(fx, await attestationFor(ethers, fx.settlement("a")));
      await expect(fx.oracle.postAttestation(s.att, s.signerSet, [highS(s.signatures[0])]))
        .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_InvalidSignatureS").withArgs(fx.signerSet[0]);
    });

    for (const [name, overrides, error] of [
      ["ScoreAbove10000", { score: 10_001 }, "RiskOracle_ScoreOutOfRange"],
      ["NotYetValid", { issuedAt: 10n ** 12n, expiresAt: 10n ** 12n + 1n }, "RiskOracle_NotYetValid"],
      ["Expired", { issuedAt: 1n, expiresAt: 2n }, "RiskOracle_Expired"],
      ["ValidityTooLong", { expiresAt: 10n ** 12n }, "RiskOracle_ValidityTooLong"],
    ] as const) {
      it(`test_RevertWhen_${name}`, async function () {
        const fx = await networkHelpers.loadFixture(one);
        const s = await signAttestation(fx, await attestationFor(ethers, fx.settlement("a"), overrides));
        await expect(fx.oracle.postAttestation(s.att, s.signerSet, s.signatures)).to.be.revertedWithCustomError(fx.oracle, error);
      });
    }
  });

  describe("postAttestations (batch)", function () {
    it("test_PostAttestations: posts every item and returns the count", async function () {
      const fx = await networkHelpers.loadFixture(one);
      const items = await Promise.all(["a", "b", "c"].map(async (l, i) => signAttestation(fx, await attestationFor(ethers, fx.settlement(l), { score: i * 4_000 }))));
      const args = [items.map((x) => x.att), fx.signerSet, items.map((x) => x.signatures)] as const;
      expect(await fx.oracle.postAttestations.staticCall(...args)).to.equal(3n);
      await expect(fx.oracle.postAttestations(...args)).to.emit(fx.oracle, "PostAttestation").and.not.to.emit(fx.oracle, "SkipAttestation");
      expect((await read(fx, "a")).decision).to.equal(Decision.Release);
      expect((await read(fx, "b")).decision).to.equal(Decision.Hold);
      expect((await read(fx, "c")).decision).to.equal(Decision.Freeze);
    });

    it("test_PostAttestations_Empty: posts nothing", async function () {
      const fx = await networkHelpers.loadFixture(one);
      expect(await fx.oracle.postAttestations.staticCall([], fx.signerSet, [])).to.equal(0n);
    });

    it("test_PostAttestations_IsolatesFailures: each failing item is skipped with its error selector", async function () {
      const fx = await networkHelpers.loadFixture(quorum);
      const good = await signAttestation(fx, await attestationFor(ethers, fx.settlement("good")));
      const revoked = await signAttestation(fx, await attestationFor(ethers, fx.settlement("revoked")));
      await fx.oracle.revokeAttestation(revoked.att);
      const postedFirst = await signAttestation(fx, await attestationFor(ethers, fx.settlement("stale")));
      await fx.oracle.postAttestation(postedFirst.att, postedFirst.signerSet, postedFirst.signatures);
      const stale = await signAttestation(fx, await attestationFor(ethers, fx.settlement("stale"), { issuedAt: postedFirst.att.issuedAt }));
      const [stranger] = makeOracleSigners(1, "stranger");
      const badSigAtt = await attestationFor(ethers, fx.settlement("badSig"));
      const badSig = { att: badSigAtt, signatures: [await signWithWallet(stranger, fx.domain, badSigAtt), "0x", "0x"] };
      const s = await signAttestation(fx, await attestationFor(ethers, fx.settlement("highS")));
      const highSig = { att: s.att, signatures: [highS(s.signatures[0]), s.signatures[1], "0x"] };
      const few = await signAttestation(fx, await attestationFor(ethers, fx.settlement("few")), { by: [fx.wallets[0]] });
      const count = await signAttestation(fx, await attestationFor(ethers, fx.settlement("count")));
      const countBad = { att: count.att, signatures: count.signatures.slice(0, 2) };
      const window = async (label: string, o: Partial<RiskAttestation>) => signAttestation(fx, await attestationFor(ethers, fx.settlement(label), o));
      const score = await window("score", { score: 10_001 });
      const early = await window("early", { issuedAt: 10n ** 12n, expiresAt: 10n ** 12n + 1n });
      const expired = await window("expired", { issuedAt: 1n, expiresAt: 2n });
      const long = await window("long", { expiresAt: 10n ** 12n });
      const good2 = await signAttestation(fx, await attestationFor(ethers, fx.settlement("good2")));

      const cases = [
        [good, null], [revoked, "RiskOracle_Revoked"], [stale, "RiskOracle_StaleAttestation"],
        [badSig, "RiskOracle_InvalidSignature"], [highSig, "RiskOracle_InvalidSignatureS"],
        [few, "RiskOracle_ThresholdNotMet"], [countBad, "RiskOracle_SignatureCountMismatch"],
        [score, "RiskOracle_ScoreOutOfRange"], [early, "RiskOracle_NotYetValid"], [expired, "RiskOracle_Expired"],
        [long, "RiskOracle_ValidityTooLong"], [good2, null],
      ] as const;
      const args = [cases.map(([x]) => x.att), fx.signerSet, cases.map(([x]) => x.signatures)] as const;
      expect(await fx.oracle.postAttestations.staticCall(...args)).to.equal(2n);
      const tx = fx.oracle.postAttestations(...args);
      for (const [x, error] of cases) {
        const uid = await fx.oracle.hashAttestation(x.att);
        if (error === null) await expect(tx).to.emit(fx.oracle, "PostAttestation").withArgs(uid, fx.consumerAddress, x.att.subject, 0n, 0n, x.att.modelId, x.att.expiresAt);
        else await expect(tx).to.emit(fx.oracle, "SkipAttestation").withArgs(uid, fx.oracle.interface.getError(error)!.selector);
      }
      expect((await read(fx, "good")).decision).to.equal(Decision.Release);
      expect((await read(fx, "good2")).decision).to.equal(Decision.Release);
      await expect(read(fx, "badSig")).to.be.revertedWithCustomError(fx.oracle, "RiskOracle_NoVerdict");
    });

    it("test_PostAttestations_SameSettlementTwice: the newer wins, an older second item is stale", async function () {
      const fx = await networkHelpers.loadFixture(one);
      const a = await signAttestation(fx, await attestationFor(ethers, fx.settlement("x"), { score: 9_000 }));
      const b = await signAttestation(fx, await attestationFor(ethers, fx.settlement("x"), { score: 1, issuedAt: a.att.issuedAt - 1n }));
      const tx = fx.oracle.postAttestations([a.att, b.att], fx.signerSet, [a.signatures, b.signatures]);
      await expect(tx).to.emit(fx.oracle, "SkipAttestation").withArgs(await fx.oracle.hashAttestation(b.att), fx.oracle.interface.getError("RiskOracle_StaleAttestation")!.selector);
      expect((await read(fx, "x")).decision).to.equal(Decision.Freeze);
    });

    it("test_RevertWhen_SignerSetMismatch: the whole batch", async function () {
      const fx = await networkHelpers.loadFixture(one);
      const a = await signAttestation(fx, await attestationFor(ethers, fx.settlement("x")));
      await expect(fx.oracle.postAttestations([a.att], [fx.accounts[9].address], [a.signatures]))
        .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_SignerSetMismatch");
    });

    it("test_RevertWhen_SignatureListsCountMismatch: one signature list per attestation", async function () {
      const fx = await networkHelpers.loadFixture(one);
      const a = await signAttestation(fx, await attestationFor(ethers, fx.settlement("x")));
      await expect(fx.oracle.postAttestations([a.att, a.att], fx.signerSet, [a.signatures]))
        .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_SignatureCountMismatch").withArgs(2n, 1n);
    });
  });

  describe("checkPosted", function () {
    it("test_RevertGiven_Paused", async function () {
      const fx = await networkHelpers.loadFixture(one);
      await post(fx, "a");
      await fx.oracle.pause();
      await expect(read(fx, "a")).to.be.revertedWithCustomError(fx.oracle, "RiskOracle_Paused");
    });

    it("test_RevertGiven_PolicyNotSet", async function () {
      const fx = await networkHelpers.loadFixture(one);
      await post(fx, "a");
      await fx.oracle.setPolicy(fx.consumerAddress, { ...DEFAULT_POLICY, enabled: false });
      await expect(read(fx, "a")).to.be.revertedWithCustomError(fx.oracle, "RiskOracle_PolicyNotSet").withArgs(fx.consumerAddress);
    });

    it("test_RevertGiven_NothingPosted: NoVerdict", async function () {
      const fx = await networkHelpers.loadFixture(one);
      await expect(read(fx, "a")).to.be.revertedWithCustomError(fx.oracle, "RiskOracle_NoVerdict").withArgs(fx.consumerAddress, ethers.id("a"));
    });

    it("test_RevertWhen_SettlementDiffers: G1, another amount reads the same slot and is refused (VerdictMismatch)", async function () {
      const fx = await networkHelpers.loadFixture(one);
      await post(fx, "a");
      const st = fx.settlement("a");
      await expect(fx.consumer.rawCheckPosted(st.subject, st.payer, st.payee, st.token, st.amount + 1n))
        .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_VerdictMismatch")
        .withArgs(fx.consumerAddress, st.subject);
    });

    it("test_RevertWhen_Expired", async function () {
      const fx = await networkHelpers.loadFixture(one);
      const s = await post(fx, "a");
      await networkHelpers.time.increaseTo(s.att.expiresAt);
      await expect(read(fx, "a")).to.be.revertedWithCustomError(fx.oracle, "RiskOracle_Expired");
    });

    it("test_RevertGiven_SignerSetRotated: verdicts verified by an older set stop counting", async function () {
      const fx = await networkHelpers.loadFixture(one);
      await post(fx, "a");
      await fx.oracle.setSigners(makeOracleSigners(2, "rotated").map((w) => w.address), 1);
      await expect(read(fx, "a")).to.be.revertedWithCustomError(fx.oracle, "RiskOracle_SignerSetRotated").withArgs(1n, 2n);
    });

    it("test_RevertGiven_Revoked: VerdictRevoked", async function () {
      const fx = await networkHelpers.loadFixture(one);
      const s = await post(fx, "a");
      await fx.oracle.revokeAttestation(s.att);
      await expect(read(fx, "a")).to.be.revertedWithCustomError(fx.oracle, "RiskOracle_VerdictRevoked").withArgs(fx.consumerAddress, ethers.id("a"));
    });
  });

  describe("revokeAttestation", function () {
    it("test_RevokeAttestation: by the guardian, evented, isRevoked", async function () {
      const fx = await networkHelpers.loadFixture(one);
      const s = await signAttestation(fx, await attestationFor(ethers, fx.settlement("a")));
      const uid = await fx.oracle.hashAttestation(s.att);
      expect(await fx.oracle.isRevoked(uid)).to.equal(false);
      await expect(fx.oracle.connect(fx.guardian).revokeAttestation(s.att))
        .to.emit(fx.oracle, "RevokeAttestation").withArgs(uid, fx.consumerAddress, s.att.subject);
      expect(await fx.oracle.isRevoked(uid)).to.equal(true);
    });

    it("test_RevertWhen_CallerStranger", async function () {
      const fx = await networkHelpers.loadFixture(one);
      const s = await signAttestation(fx, await attestationFor(ethers, fx.settlement("a")));
      await expect(fx.oracle.connect(fx.accounts[9]).revokeAttestation(s.att))
        .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_Unauthorized").withArgs(fx.accounts[9].address);
    });

    it("test_RevertWhen_RevokeTooEarly: issuedAt beyond now + maxValidity", async function () {
      const fx = await networkHelpers.loadFixture(one);
      const now = BigInt(await networkHelpers.time.latest());
      const far = await attestationFor(ethers, fx.settlement("a"), { issuedAt: 2n ** 64n - 2n, expiresAt: 2n ** 64n - 1n });
      await expect(fx.oracle.revokeAttestation(far)).to.be.revertedWithCustomError(fx.oracle, "RiskOracle_RevokeTooEarly");
      // The latest revocable issuedAt is the next block's timestamp + maxValidity.
      await networkHelpers.time.setNextBlockTimestamp(now + 10n);
      const edge = await attestationFor(ethers, fx.settlement("b"), { issuedAt: now + 10n + 86_400n });
      await expect(fx.oracle.revokeAttestation(edge)).to.emit(fx.oracle, "RevokeAttestation");
      await networkHelpers.time.setNextBlockTimestamp(now + 20n);
      const beyond = await attestationFor(ethers, fx.settlement("c"), { issuedAt: now + 21n + 86_400n });
      await expect(fx.oracle.revokeAttestation(beyond))
        .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_RevokeTooEarly").withArgs(now + 21n + 86_400n, now + 20n + 86_400n);
    });

    it("test_RevokeAttestation_OlderThanPosted: the posted newer verdict stays valid", async function () {
      const fx = await networkHelpers.loadFixture(one);
      const old = await signAttestation(fx, await attestationFor(ethers, fx.settlement("a")));
      const posted = await post(fx, "a", { issuedAt: old.att.issuedAt + 1n });
      await fx.oracle.revokeAttestation(old.att);
      expect((await read(fx, "a")).issuedAt).to.equal(posted.att.issuedAt);
    });

    it("test_RevokeAttestation_SameIssuedAtOtherAttestation: G3, at least as new as the posted one: a revoked marker", async function () {
      const fx = await networkHelpers.loadFixture(one);
      const posted = await post(fx, "a");
      const twin = await signAttestation(fx, await attestationFor(ethers, fx.settlement("a"), { issuedAt: posted.att.issuedAt }));
      await fx.oracle.revokeAttestation(twin.att);
      await expect(read(fx, "a")).to.be.revertedWithCustomError(fx.oracle, "RiskOracle_VerdictRevoked");
      const newer = await post(fx, "a", { issuedAt: posted.att.issuedAt + 1n });
      expect((await read(fx, "a")).issuedAt).to.equal(newer.att.issuedAt);
    });

    it("test_RevokeAttestation_NewerThanPosted: blocks the settlement until an even newer verdict is posted", async function () {
      const fx = await networkHelpers.loadFixture(one);
      const posted = await post(fx, "a");
      const newer = await signAttestation(fx, await attestationFor(ethers, fx.settlement("a"), { issuedAt: posted.att.issuedAt + 1n }));
      await fx.oracle.revokeAttestation(newer.att);
      await expect(read(fx, "a")).to.be.revertedWithCustomError(fx.oracle, "RiskOracle_VerdictRevoked");
      await expect(fx.oracle.postAttestation(newer.att, newer.signerSet, newer.signatures)).to.be.revertedWithCustomError(fx.oracle, "RiskOracle_Revoked");
      const newest = await post(fx, "a", { issuedAt: posted.att.issuedAt + 2n });
      expect((await read(fx, "a")).issuedAt).to.equal(newest.att.issuedAt);
    });
  });
});
