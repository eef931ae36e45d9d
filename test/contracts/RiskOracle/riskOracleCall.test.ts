// RiskOracleCall (consumer-side calldata forwarding) returns and reverts exactly like a plain
// `oracle.checkInline` call.
import { expect } from "chai";
import { network } from "hardhat";
import { type SignedAttestation, attestationFor, highS, signAttestation, signWithWallet } from "../helpers/attestation.js";
import { type OracleFixture, erc1271Fixture, oracleFixture } from "./fixture.js";

const { ethers, networkHelpers } = await network.connect();

async function same(fx: OracleFixture, s: SignedAttestation) {
  const plain = await fx.consumer.rawCheckInline(s.att, s.signerSet, s.signatures);
  const fast = await fx.consumer.rawCheckInlineFast(s.att, s.signerSet, s.signatures);
  expect([...fast]).to.deep.equal([...plain]);
  return fast;
}

describe("RiskOracleCall.checkInline", function () {
  const one = () => oracleFixture(ethers, { n: 1, k: 1 });
  const quorum = () => oracleFixture(ethers, { n: 5, k: 3 });
  const with1271 = () => erc1271Fixture(ethers);

  it("test_CheckInline_SameVerdict_1of1: every decision", async function () {
    const fx = await networkHelpers.loadFixture(one);
    for (const score of [0, 2_999, 3_000, 9_999]) {
      const s = await signAttestation(fx, await attestationFor(ethers, fx.settlement("s"), { score, reasons: 0xdeadbeef }));
      await same(fx, s);
    }
  });

  it("test_CheckInline_SameVerdict_3of5: signatures in any slots, empty slots between", async function () {
    const fx = await networkHelpers.loadFixture(quorum);
    const att = await attestationFor(ethers, fx.settlement("s"), { score: 5_000 });
    for (const subset of [[0, 1, 2], [0, 2, 4], [2, 3, 4], [0, 1, 2, 3, 4]]) {
      await same(fx, await signAttestation(fx, att, { by: subset.map((i) => fx.wallets[i]) }));
    }
  });

  it("test_CheckInline_SameVerdict_ERC1271: a 1-byte and a 65-byte contract signature", async function () {
    const fx = await networkHelpers.loadFixture(with1271);
    const att = await attestationFor(ethers, fx.settlement("s"));
    const sig = await signWithWallet(fx.wallet1271, fx.domain, att);
    await same(fx, await signAttestation(fx, att, { by: [fx.wallets[0]], extra: { [fx.signer1271Address]: sig } }));
    await fx.accounts[0].sendTransaction({ to: fx.wallet1271.address, value: ethers.parseEther("1") });
    await fx.signer1271.connect(fx.wallet1271.connect(ethers.provider)).approveHash(await fx.oracle.hashAttestation(att));
    await same(fx, await signAttestation(fx, att, { by: [fx.wallets[0]], extra: { [fx.signer1271Address]: "0x01" } }));
  });

  it("test_RevertWhen_OracleReverts: the oracle's error bubbles up unchanged", async function () {
    const fx = await networkHelpers.loadFixture(one);
    const s = await signAttestation(fx, await attestationFor(ethers, fx.settlement("s")));
    await expect(fx.consumer.rawCheckInlineFast(s.att, s.signerSet, [highS(s.signatures[0])]))
      .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_InvalidSignatureS").withArgs(fx.signerSet[0]);
    await expect(fx.other.rawCheckInlineFast(s.att, s.signerSet, s.signatures))
      .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_WrongConsumer").withArgs(fx.consumerAddress, fx.otherAddress);
    await fx.oracle.pause();
    await expect(fx.consumer.rawCheckInlineFast(s.att, s.signerSet, s.signatures)).to.be.revertedWithCustomError(fx.oracle, "RiskOracle_Paused");
  });

  it("test_RevertWhen_OracleHasNoCode: reverts without data", async function () {
    const fx = await networkHelpers.loadFixture(one);
    const broken = await ethers.deployContract("MockRiskConsumer", [fx.accounts[9].address]);
    const s = await signAttestation(fx, await attestationFor(ethers, fx.settlement("s")));
    await expect(broken.rawCheckInlineFast(s.att, s.signerSet, s.signatures)).to.be.revertedWithoutReason(ethers);
  });
});
