// One attack per threat (issue 2), played against MockRiskConsumer: a consumer that settles a subject
// against a verdict and keeps replay protection in its own state (RiskGatedConsumer: issuedAt must grow).
import { expect } from "chai";
import { network } from "hardhat";
import {
  type SignedAttestation,
  type Settlement,
  attestationFor,
  deployRiskOracle,
  highS,
  makeOracleSigners,
  signAttestation,
  signWithWallet,
} from "../helpers/attestation.js";
import { riskgateDomain } from "../../../oracle/src/attestation/typedData.js";
import { type OracleFixture, oracleFixture } from "./fixture.js";

const { ethers, networkHelpers } = await network.connect();

function settle(fx: OracleFixture, st: Settlement, s: SignedAttestation, on = fx.consumer) {
  return on.settle(st.subject, st.payer, st.payee, st.token, st.amount, s.att, s.signerSet, s.signatures);
}

describe("RiskOracle attacks (through a consumer)", function () {
  const one = () => oracleFixture(ethers, { n: 1, k: 1 });
  const quorum = () => oracleFixture(ethers, { n: 3, k: 2 });

  it("test_Consumer_RevertWhen_OracleZero: RiskGatedConsumer refuses a zero oracle", async function () {
    const factory = await ethers.getContractFactory("MockRiskConsumer");
    await expect(factory.deploy(ethers.ZeroAddress)).to.be.revertedWithCustomError(factory, "RiskGated_ZeroOracle");
  });

  it("test_Settle_Baseline: a valid attestation settles once and records its issuedAt", async function () {
    const fx = await networkHelpers.loadFixture(one);
    const st = fx.settlement("deal");
    const s = await signAttestation(fx, await attestationFor(ethers, st));
    await expect(settle(fx, st, s)).to.emit(fx.consumer, "Settle").withArgs(st.subject, 1n, 0n, s.att.issuedAt);
    expect(await fx.consumer.lastIssuedAt(st.subject)).to.equal(s.att.issuedAt);
  });

  it("test_Attack_ReplayOnOtherChainId: a signature for chain 1 does not verify here", async function () {
    const fx = await networkHelpers.loadFixture(one);
    const st = fx.settlement("deal");
    const s = await signAttestation(fx, await attestationFor(ethers, st), { domain: riskgateDomain(1n, fx.address as `0x${string}`) });
    await expect(settle(fx, st, s)).to.be.revertedWithCustomError(fx.oracle, "RiskOracle_InvalidSignature").withArgs(fx.signerSet[0]);
  });

  it("test_Attack_ReplayOnOtherOracle: a signature for another oracle with the same signers does not verify", async function () {
    const fx = await networkHelpers.loadFixture(one);
    const twin = await deployRiskOracle(ethers, { signers: fx.wallets, threshold: 1 });
    const st = fx.settlement("deal");
    const s = await signAttestation(fx, await attestationFor(ethers, st), { domain: twin.domain });
    await expect(settle(fx, st, s)).to.be.revertedWithCustomError(fx.oracle, "RiskOracle_InvalidSignature");
  });

  it("test_Attack_OtherConsumer: an attestation for consumer A is refused by consumer B", async function () {
    const fx = await networkHelpers.loadFixture(one);
    const st = fx.settlement("deal");
    const s = await signAttestation(fx, await attestationFor(ethers, st));
    await expect(settle(fx, st, s, fx.other))
      .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_WrongConsumer").withArgs(fx.consumerAddress, fx.otherAddress);
  });

  it("test_Attack_OtherConsumer_Rewritten: rewriting att.consumer breaks the signature", async function () {
    const fx = await networkHelpers.loadFixture(one);
    const st = fx.settlement("deal");
    const s = await signAttestation(fx, await attestationFor(ethers, st));
    const forged = { ...s, att: { ...s.att, consumer: fx.otherAddress as `0x${string}` } };
    await expect(settle(fx, { ...st, consumer: fx.otherAddress }, forged, fx.other))
      .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_InvalidSignature");
  });

  it("test_Attack_OtherSubject: an attestation for subject 1 cannot settle subject 2", async function () {
    const fx = await networkHelpers.loadFixture(one);
    const s = await signAttestation(fx, await attestationFor(ethers, fx.settlement("deal-1")));
    await expect(settle(fx, fx.settlement("deal-2"), s))
      .to.be.revertedWithCustomError(fx.consumer, "RiskGated_AttestationMismatch").withArgs(ethers.id("deal-2"));
  });

  it("test_Attack_OtherSubject_Rewritten: rewriting att.subject breaks the signature", async function () {
    const fx = await networkHelpers.loadFixture(one);
    const s = await signAttestation(fx, await attestationFor(ethers, fx.settlement("deal-1")));
    const forged = { ...s, att: { ...s.att, subject: ethers.id("deal-2") as `0x${string}` } };
    await expect(settle(fx, fx.settlement("deal-2"), forged)).to.be.revertedWithCustomError(fx.oracle, "RiskOracle_InvalidSignature");
  });

  it("test_Attack_OtherAmount: the amount is bound", async function () {
    const fx = await networkHelpers.loadFixture(one);
    const st = fx.settlement("deal");
    const s = await signAttestation(fx, await attestationFor(ethers, st));
    await expect(settle(fx, { ...st, amount: st.amount * 2n }, s)).to.be.revertedWithCustomError(fx.consumer, "RiskGated_AttestationMismatch");
  });

  it("test_Attack_SameAttestationTwice: the second use is a stale verdict", async function () {
    const fx = await networkHelpers.loadFixture(one);
    const st = fx.settlement("deal");
    const s = await signAttestation(fx, await attestationFor(ethers, st));
    await settle(fx, st, s);
    await expect(settle(fx, st, s))
      .to.be.revertedWithCustomError(fx.consumer, "RiskGated_StaleVerdict").withArgs(st.subject, s.att.issuedAt, s.att.issuedAt);
  });

  it("test_Attack_ReusedNonce: another attestation with the same nonce and issuedAt is rejected", async function () {
    const fx = await networkHelpers.loadFixture(one);
    const st = fx.settlement("deal");
    const first = await signAttestation(fx, await attestationFor(ethers, st));
    await settle(fx, st, first);
    const again = await signAttestation(fx, { ...first.att, score: 1, reasons: 1 });
    await expect(settle(fx, st, again)).to.be.revertedWithCustomError(fx.consumer, "RiskGated_StaleVerdict");
  });

  it("test_Attack_PostedVerdictTwice: a posted verdict settles once", async function () {
    const fx = await networkHelpers.loadFixture(one);
    const st = fx.settlement("deal");
    const s = await signAttestation(fx, await attestationFor(ethers, st));
    await fx.oracle.postAttestation(s.att, s.signerSet, s.signatures);
    await fx.consumer.settlePosted(st.subject, st.payer, st.payee, st.token, st.amount);
    await expect(fx.consumer.settlePosted(st.subject, st.payer, st.payee, st.token, st.amount))
      .to.be.revertedWithCustomError(fx.consumer, "RiskGated_StaleVerdict");
  });

  it("test_Attack_Expired: expiresAt == block.timestamp is already expired", async function () {
    const fx = await networkHelpers.loadFixture(one);
    const st = fx.settlement("deal");
    const s = await signAttestation(fx, await attestationFor(ethers, st));
    await networkHelpers.time.setNextBlockTimestamp(s.att.expiresAt);
    await expect(settle(fx, st, s)).to.be.revertedWithCustomError(fx.oracle, "RiskOracle_Expired").withArgs(s.att.expiresAt, s.att.expiresAt);
  });

  it("test_Attack_NotYetValid: issuedAt == block.timestamp + 1 is refused, == block.timestamp accepted", async function () {
    const fx = await networkHelpers.loadFixture(one);
    const st = fx.settlement("deal");
    const now = BigInt(await networkHelpers.time.latest());
    const s = await signAttestation(fx, await attestationFor(ethers, st, { issuedAt: now + 10n }));
    await networkHelpers.time.setNextBlockTimestamp(now + 9n);
    await expect(settle(fx, st, s)).to.be.revertedWithCustomError(fx.oracle, "RiskOracle_NotYetValid").withArgs(now + 10n, now + 9n);
    await networkHelpers.time.setNextBlockTimestamp(now + 10n);
    await expect(settle(fx, st, s)).to.emit(fx.consumer, "Settle");
  });

  it("test_Attack_Revoked: a revoked attestation never settles", async function () {
    const fx = await networkHelpers.loadFixture(one);
    const st = fx.settlement("deal");
    const s = await signAttestation(fx, await attestationFor(ethers, st));
    await fx.oracle.connect(fx.guardian).revokeAttestation(s.att);
    await expect(settle(fx, st, s)).to.be.revertedWithCustomError(fx.oracle, "RiskOracle_Revoked");
  });

  it("test_Attack_Paused: the kill switch stops inline and posted settlements", async function () {
    const fx = await networkHelpers.loadFixture(one);
    const st = fx.settlement("deal");
    const s = await signAttestation(fx, await attestationFor(ethers, st));
    await fx.oracle.postAttestation(s.att, s.signerSet, s.signatures);
    await fx.oracle.connect(fx.guardian).pause();
    await expect(settle(fx, st, s)).to.be.revertedWithCustomError(fx.oracle, "RiskOracle_Paused");
    await expect(fx.consumer.settlePosted(st.subject, st.payer, st.payee, st.token, st.amount)).to.be.revertedWithCustomError(fx.oracle, "RiskOracle_Paused");
  });

  it("test_Attack_WrongSigner: a key outside the set", async function () {
    const fx = await networkHelpers.loadFixture(one);
    const st = fx.settlement("deal");
    const att = await attestationFor(ethers, st);
    const [mallory] = makeOracleSigners(1, "mallory");
    const s = { att, signerSet: fx.signerSet, signatures: [await signWithWallet(mallory, fx.domain, att)] };
    await expect(settle(fx, st, s)).to.be.revertedWithCustomError(fx.oracle, "RiskOracle_InvalidSignature").withArgs(fx.signerSet[0]);
  });

  it("test_Attack_WrongSigner_SelfMadeSet: passing one's own signer set", async function () {
    const fx = await networkHelpers.loadFixture(one);
    const st = fx.settlement("deal");
    const att = await attestationFor(ethers, st);
    const [mallory] = makeOracleSigners(1, "mallory");
    const s = { att, signerSet: [mallory.address], signatures: [await signWithWallet(mallory, fx.domain, att)] };
    await expect(settle(fx, st, s)).to.be.revertedWithCustomError(fx.oracle, "RiskOracle_SignerSetMismatch");
  });

  it("test_Attack_DuplicateSigner: one signature in two slots counts once, then fails its second slot", async function () {
    const fx = await networkHelpers.loadFixture(quorum);
    const st = fx.settlement("deal");
    const s = await signAttestation(fx, await attestationFor(ethers, st), { by: [fx.wallets[0]] });
    const dup = { ...s, signatures: [s.signatures[0], s.signatures[0], "0x"] };
    await expect(settle(fx, st, dup)).to.be.revertedWithCustomError(fx.oracle, "RiskOracle_InvalidSignature").withArgs(fx.signerSet[1]);
  });

  it("test_Attack_DuplicateSigner_InSet: a set listing one signer twice is not the oracle's set", async function () {
    const fx = await networkHelpers.loadFixture(quorum);
    const st = fx.settlement("deal");
    const s = await signAttestation(fx, await attestationFor(ethers, st), { by: [fx.wallets[0]] });
    const dup = { ...s, signerSet: [fx.signerSet[0], fx.signerSet[0], fx.signerSet[2]], signatures: [s.signatures[0], s.signatures[0], "0x"] };
    await expect(settle(fx, st, dup)).to.be.revertedWithCustomError(fx.oracle, "RiskOracle_SignerSetMismatch");
  });

  it("test_Attack_HighS: the malleable twin of a valid signature", async function () {
    const fx = await networkHelpers.loadFixture(one);
    const st = fx.settlement("deal");
    const s = await signAttestation(fx, await attestationFor(ethers, st));
    await expect(settle(fx, st, { ...s, signatures: [highS(s.signatures[0])] }))
      .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_InvalidSignatureS");
  });

  it("test_Attack_SEqualsHalfOrder: s exactly n/2 is low-s (not the malleable twin): an invalid signature, not InvalidSignatureS", async function () {
    // Found by `npm run mutate`: `s > HALF_ORDER` -> `>=` survived. n/2 itself is the largest canonical s.
    const fx = await networkHelpers.loadFixture(one);
    const st = fx.settlement("deal");
    const s = await signAttestation(fx, await attestationFor(ethers, st));
    const half = "7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0";
    const forged = `0x${s.signatures[0]!.slice(2, 66)}${half}1b`;
    await expect(settle(fx, st, { ...s, signatures: [forged] }))
      .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_InvalidSignature");
  });

  it("test_Consumer_RevertWhen_OracleHasNoCode: an oracle address without code answers nothing, and nothing settles", async function () {
    // Found by `npm run mutate` (RiskOracleCall's `lt(returndatasize(), 0xa0)` -> `gt` survived): a call to an
    // address without code succeeds with no return data; the consumer must not read a verdict out of nothing.
    const fx = await networkHelpers.loadFixture(one);
    const factory = await ethers.getContractFactory("MockRiskConsumer");
    const [, , , , , , , , , , , nobody] = await ethers.getSigners();
    const orphan = await factory.deploy(nobody!.address);
    const st = { ...fx.settlement("deal"), consumer: await orphan.getAddress() };
    const s = await signAttestation(fx, await attestationFor(ethers, st));
    await expect(orphan.settle(st.subject, st.payer, st.payee, st.token, st.amount, s.att, s.signerSet, s.signatures)).to.be.revertedWithoutReason(ethers);
    await expect(orphan.settlePosted(st.subject, st.payer, st.payee, st.token, st.amount)).to.be.revertedWithoutReason(ethers);
  });

  it("test_Attack_ThresholdNotMet: one of two required signatures", async function () {
    const fx = await networkHelpers.loadFixture(quorum);
    const st = fx.settlement("deal");
    const s = await signAttestation(fx, await attestationFor(ethers, st), { by: [fx.wallets[1]] });
    await expect(settle(fx, st, s)).to.be.revertedWithCustomError(fx.oracle, "RiskOracle_ThresholdNotMet").withArgs(1n, 2n);
  });

  it("test_Attack_RotatedOutSigner: after rotation the old key's inline signatures fail", async function () {
    const fx = await networkHelpers.loadFixture(one);
    const st = fx.settlement("deal");
    const s = await signAttestation(fx, await attestationFor(ethers, st));
    const fresh = makeOracleSigners(1, "fresh");
    await fx.oracle.setSigners([fresh[0].address], 1);
    await expect(settle(fx, st, s)).to.be.revertedWithCustomError(fx.oracle, "RiskOracle_SignerSetMismatch");
    await expect(settle(fx, st, { ...s, signerSet: [fresh[0].address] })).to.be.revertedWithCustomError(fx.oracle, "RiskOracle_InvalidSignature");
  });
});
