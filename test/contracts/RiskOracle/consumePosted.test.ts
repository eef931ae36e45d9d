// RiskOracle.consumePosted (push mode, settling form): checkPosted's checks and verdict, and a Release verdict
// deleted (storage refund) from the caller's own slot only; replay protection then rests on the consumer's
// state. And PaymentEscrow.release uses it.
import { expect } from "chai";
import { network } from "hardhat";
import { DEFAULT_POLICY, Decision, type RiskAttestation, attestationFor, makeOracleSigners, postVerdict, signAttestation } from "../helpers/attestation.js";
import { USDC, createEscrow, deployEscrowFixture, settlementOf, subjectOf, termsOf } from "../PaymentEscrow/fixture.js";
import { type OracleFixture, oracleFixture } from "./fixture.js";

const { ethers, networkHelpers } = await network.connect();

// Scores under DEFAULT_POLICY: release < 3000 <= hold < 8000 <= freeze.
const HOLD_SCORE = 5_000;
const FREEZE_SCORE = 9_000;

describe("RiskOracle.consumePosted", function () {
  const one = () => oracleFixture(ethers, { n: 1, k: 1 });
  const escrowFixture = () => deployEscrowFixture(ethers);

  async function post(fx: OracleFixture, label: string, overrides: Partial<RiskAttestation> = {}, on = fx.consumerAddress) {
    const s = await signAttestation(fx, await attestationFor(ethers, fx.settlement(label, on), overrides));
    await (await fx.oracle.postAttestation(s.att, s.signerSet, s.signatures)).wait();
    return s;
  }
  function args(fx: OracleFixture, label: string) {
    const st = fx.settlement(label);
    return [st.subject, st.payer, st.payee, st.token, st.amount] as const;
  }

  it("test_ConsumePosted_Release: returns checkPosted's verdict, then the slot is empty (NoVerdict)", async function () {
    const fx = await networkHelpers.loadFixture(one);
    const s = await post(fx, "a", { score: 1_234, reasons: 6 });
    const expected = await fx.consumer.rawCheckPosted(...args(fx, "a"));
    expect(expected.decision).to.equal(Decision.Release);
    const got = await fx.consumer.rawConsumePosted.staticCall(...args(fx, "a"));
    const fields = (v: typeof got) => [v.decision, v.score, v.reasons, v.issuedAt, v.holdWindow];
    expect(fields(got)).to.deep.equal(fields(expected));
    expect(got.issuedAt).to.equal(s.att.issuedAt);
    await (await fx.consumer.rawConsumePosted(...args(fx, "a"))).wait();
    await expect(fx.consumer.rawCheckPosted(...args(fx, "a")))
      .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_NoVerdict").withArgs(fx.consumerAddress, ethers.id("a"));
  });

  for (const [name, score, decision] of [["Hold", HOLD_SCORE, Decision.Hold], ["Freeze", FREEZE_SCORE, Decision.Freeze]] as const) {
    it(`test_ConsumePosted_${name}: the verdict is returned and stays posted`, async function () {
      const fx = await networkHelpers.loadFixture(one);
      await post(fx, "a", { score });
      expect((await fx.consumer.rawConsumePosted.staticCall(...args(fx, "a"))).decision).to.equal(decision);
      await (await fx.consumer.rawConsumePosted(...args(fx, "a"))).wait();
      expect((await fx.consumer.rawCheckPosted(...args(fx, "a"))).decision).to.equal(decision);
    });
  }

  it("test_ConsumePosted_OnlyOwnSlot: another consumer naming the same settlement reads (and deletes) nothing", async function () {
    const fx = await networkHelpers.loadFixture(one);
    await post(fx, "a");
    await expect(fx.other.rawConsumePosted(...args(fx, "a")))
      .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_NoVerdict").withArgs(fx.otherAddress, ethers.id("a"));
    expect((await fx.consumer.rawCheckPosted(...args(fx, "a"))).decision).to.equal(Decision.Release);
  });

  it("test_ConsumePosted_Replay: the same attestation posted again is refused by the consumer's state (StaleVerdict)", async function () {
    const fx = await networkHelpers.loadFixture(one);
    const s = await post(fx, "a");
    await expect(fx.consumer.settleConsume(...args(fx, "a"))).to.emit(fx.consumer, "Settle");
    // The emptied slot accepts the very same attestation again...
    await (await fx.oracle.postAttestation(s.att, s.signerSet, s.signatures)).wait();
    // ...and the consumer refuses it: replay protection is its own `lastIssuedAt`.
    await expect(fx.consumer.settleConsume(...args(fx, "a")))
      .to.be.revertedWithCustomError(fx.consumer, "RiskGated_StaleVerdict")
      .withArgs(ethers.id("a"), s.att.issuedAt, s.att.issuedAt);
  });

  describe("reverts exactly like checkPosted (nothing deleted)", function () {
    it("test_RevertGiven_Paused", async function () {
      const fx = await networkHelpers.loadFixture(one);
      await post(fx, "a");
      await fx.oracle.pause();
      await expect(fx.consumer.rawConsumePosted(...args(fx, "a"))).to.be.revertedWithCustomError(fx.oracle, "RiskOracle_Paused");
    });

    it("test_RevertGiven_PolicyNotSet", async function () {
      const fx = await networkHelpers.loadFixture(one);
      await post(fx, "a");
      await fx.oracle.setPolicy(fx.consumerAddress, { ...DEFAULT_POLICY, enabled: false });
      await expect(fx.consumer.rawConsumePosted(...args(fx, "a")))
        .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_PolicyNotSet").withArgs(fx.consumerAddress);
    });

    it("test_RevertGiven_NothingPosted: NoVerdict", async function () {
      const fx = await networkHelpers.loadFixture(one);
      await expect(fx.consumer.rawConsumePosted(...args(fx, "a")))
        .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_NoVerdict").withArgs(fx.consumerAddress, ethers.id("a"));
    });

    it("test_RevertWhen_Expired", async function () {
      const fx = await networkHelpers.loadFixture(one);
      const s = await post(fx, "a");
      await networkHelpers.time.increaseTo(s.att.expiresAt);
      await expect(fx.consumer.rawConsumePosted(...args(fx, "a"))).to.be.revertedWithCustomError(fx.oracle, "RiskOracle_Expired");
    });

    it("test_RevertGiven_SignerSetRotated", async function () {
      const fx = await networkHelpers.loadFixture(one);
      await post(fx, "a");
      await fx.oracle.setSigners(makeOracleSigners(2, "rotated").map((w) => w.address), 1);
      await expect(fx.consumer.rawConsumePosted(...args(fx, "a")))
        .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_SignerSetRotated").withArgs(1n, 2n);
    });

    it("test_RevertGiven_Revoked: VerdictRevoked, and the revocation marker stays", async function () {
      const fx = await networkHelpers.loadFixture(one);
      const s = await post(fx, "a");
      await fx.oracle.revokeAttestation(s.att);
      await expect(fx.consumer.rawConsumePosted(...args(fx, "a")))
        .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_VerdictRevoked").withArgs(fx.consumerAddress, ethers.id("a"));
      await expect(fx.oracle.postAttestation(s.att, s.signerSet, s.signatures))
        .to.be.revertedWithCustomError(fx.oracle, "RiskOracle_Revoked");
    });
  });

  describe("PaymentEscrow.release", function () {
    it("test_Release_ConsumesPostedVerdict: a Release deletes the escrow's posted verdict; a Hold keeps it", async function () {
      const f = await networkHelpers.loadFixture(escrowFixture);
      const read = async (st: Awaited<ReturnType<typeof settlementOf>>) =>
        f.risk.oracle.connect(ethers.provider).checkPosted.staticCall(st.subject, st.payer, st.payee, st.token, st.amount, { from: f.escrowAddress });

      const id = await createEscrow(ethers, f, [USDC(10), USDC(20)]);
      const released = await settlementOf(f, id, 0n);
      const held = await settlementOf(f, id, 1n);
      await postVerdict(ethers, f.risk, released, { score: 10 });
      await postVerdict(ethers, f.risk, held, { score: HOLD_SCORE });
      expect((await read(released)).decision).to.equal(Decision.Release);

      await expect(f.escrow.release(await termsOf(f.escrow, id), id, 0n)).to.emit(f.escrow, "ReleaseMilestone");
      await expect(read(released))
        .to.be.revertedWithCustomError(f.risk.oracle, "RiskOracle_NoVerdict").withArgs(f.escrowAddress, subjectOf(id, 0n));

      await expect(f.escrow.release(await termsOf(f.escrow, id), id, 1n)).to.emit(f.escrow, "HoldMilestone");
      expect((await read(held)).decision).to.equal(Decision.Hold);
    });
  });
});
