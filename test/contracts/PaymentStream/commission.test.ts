import { expect } from "chai";
import { network } from "hardhat";
import { DAY, Kind, Payer, USDC, streamFixture } from "./fixture.js";

const { ethers, networkHelpers } = await network.connect();
const { time, loadFixture } = networkHelpers;

async function fixture() {
  return streamFixture(ethers);
}

/** Creates a plan and opens a 1,000 USDC / 1,000 s stream under it: a recipient-paid plan through the recipient's
 * registration (broker), a sender-paid one named by the sender at creation (G10). */
async function referred(f: Awaited<ReturnType<typeof fixture>>, plan: Parameters<typeof f.plan>[0], budget = 0n) {
  const planId = await f.stream.nextPlanId();
  await expect(f.stream.createPlan(f.plan(plan))).to.emit(f.errs, "CreatePlan");
  const bySender = plan?.payer === Payer.Sender;
  if (!bySender) {
    await expect(f.stream.connect(f.recipient).setReferral(f.affiliate.address, planId))
      .to.emit(f.errs, "SetReferral").withArgs(f.recipient.address, f.affiliate.address, planId);
  }
  const named = bySender ? { affiliate: f.affiliate.address, planId } : {};
  const id = await f.createLinear({ startTime: 0n, endTime: (await f.now()) + 1_001n, unattestedAllowance: 10_000n, referralBudget: budget, ...named });
  await time.increase(500);
  return { planId, id };
}

describe("PaymentStream: commission plans", function () {
  it("createPlan: every rate capped at 50%, volume tiers ascending", async function () {
    const f = await loadFixture(fixture);
    await expect(f.stream.createPlan(f.plan({ bps0: 5_001 }))).to.be.revertedWithCustomError(f.errs, "PaymentStream_InvalidPlan");
    await expect(f.stream.createPlan(f.plan({ bps3: 9_000 }))).to.be.revertedWithCustomError(f.errs, "PaymentStream_InvalidPlan");
    await expect(f.stream.createPlan(f.plan({ kind: Kind.VolumeTiered, tier1: 2n, tier2: 2n, tier3: 3n })))
      .to.be.revertedWithCustomError(f.errs, "PaymentStream_InvalidPlan");
    await expect(f.stream.createPlan(f.plan({ bps0: 5_000 }))).to.emit(f.errs, "CreatePlan");
    expect((await f.stream.planOf(1)).bps0).to.equal(5_000n);
    await expect(f.stream.planOf(0)).to.be.revertedWithCustomError(f.errs, "PaymentStream_PlanNotFound");
    await expect(f.stream.planOf(2)).to.be.revertedWithCustomError(f.errs, "PaymentStream_PlanNotFound");
  });

  it("setReferral: once, valid affiliate, existing plan", async function () {
    const f = await loadFixture(fixture);
    await expect(f.stream.connect(f.recipient).setReferral(f.affiliate.address, 1)).to.be.revertedWithCustomError(f.errs, "PaymentStream_PlanNotFound");
    await f.stream.createPlan(f.plan());
    await expect(f.stream.connect(f.recipient).setReferral(ethers.ZeroAddress, 1)).to.be.revertedWithCustomError(f.errs, "PaymentStream_InvalidAffiliate");
    await expect(f.stream.connect(f.recipient).setReferral(f.recipient.address, 1)).to.be.revertedWithCustomError(f.errs, "PaymentStream_InvalidAffiliate");
    await f.stream.connect(f.recipient).setReferral(f.affiliate.address, 1);
    const r = await f.stream.referralOf(f.recipient.address);
    expect(r.affiliate).to.equal(f.affiliate.address);
    expect(r.referredAt).to.equal(await f.now());
    await expect(f.stream.connect(f.recipient).setReferral(f.other.address, 1)).to.be.revertedWithCustomError(f.errs, "PaymentStream_ReferralAlreadySet");
  });

  it("flat, paid by the recipient (broker fee): net = gross - commission, credited to the affiliate", async function () {
    const f = await loadFixture(fixture);
    const { planId, id } = await referred(f, { kind: Kind.Flat, payer: Payer.Recipient, bps0: 1_500 });
    await expect(f.stream.connect(f.recipient).withdraw(id, f.recipient.address, USDC(100)))
      .to.emit(f.stream, "PayCommission").withArgs(id, f.affiliate.address, planId, USDC(100), USDC(15), Payer.Recipient)
      .and.to.emit(f.stream, "WithdrawStream").withArgs(id, f.recipient.address, USDC(100), USDC(85));
    const acct = await f.stream.accountOf(f.affiliate.address, f.usdcAddress);
    expect(acct.credit).to.equal(USDC(15));
    expect(acct.volume).to.equal(USDC(100));
    await expect(f.stream.connect(f.affiliate).claim(f.usdcAddress, ethers.ZeroAddress)).to.be.revertedWithCustomError(f.errs, "PaymentStream_ZeroAddress");
    await expect(f.stream.connect(f.affiliate).claim(f.usdcAddress, f.affiliate.address))
      .to.emit(f.errs, "Claim").withArgs(f.affiliate.address, f.usdcAddress, f.affiliate.address, USDC(15));
    expect(await f.usdc.balanceOf(f.affiliate.address)).to.equal(USDC(15));
    await expect(f.stream.connect(f.affiliate).claim(f.usdcAddress, f.affiliate.address)).to.be.revertedWithCustomError(f.errs, "PaymentStream_NothingToClaim");
  });

  it("flat, paid by the sender from the referral budget: net = gross, budget shrinks, capped by it", async function () {
    const f = await loadFixture(fixture);
    const { planId, id } = await referred(f, { kind: Kind.Flat, payer: Payer.Sender, bps0: 2_000 }, USDC(30));
    expect((await f.stream.amountsOf(id)).referralBudget).to.equal(USDC(30));
    await expect(f.stream.connect(f.recipient).withdraw(id, f.recipient.address, USDC(100)))
      .to.emit(f.stream, "PayCommission").withArgs(id, f.affiliate.address, planId, USDC(100), USDC(20), Payer.Sender)
      .and.to.emit(f.stream, "WithdrawStream").withArgs(id, f.recipient.address, USDC(100), USDC(100));
    expect((await f.stream.amountsOf(id)).referralBudget).to.equal(USDC(10));
    // Only 10 left: the commission is capped by the budget.
    await expect(f.stream.connect(f.recipient).withdraw(id, f.recipient.address, USDC(100)))
      .to.emit(f.stream, "PayCommission").withArgs(id, f.affiliate.address, planId, USDC(100), USDC(10), Payer.Sender);
    await expect(f.stream.connect(f.recipient).withdraw(id, f.recipient.address, USDC(100)))
      .to.emit(f.stream, "PayCommission").withArgs(id, f.affiliate.address, planId, USDC(100), 0n, Payer.Sender);
    expect((await f.stream.accountOf(f.affiliate.address, f.usdcAddress)).credit).to.equal(USDC(30));
  });

  it("G10: time-tiered: 20% for streams created until T after the referral, 10% after; the rate is fixed at creation", async function () {
    const f = await loadFixture(fixture);
    const { id } = await referred(f, { kind: Kind.TimeTiered, bps0: 2_000, bps1: 1_000, tierDuration: Number(180n * DAY) });
    await expect(f.stream.connect(f.recipient).withdraw(id, f.recipient.address, USDC(100)))
      .to.emit(f.stream, "WithdrawStream").withArgs(id, f.recipient.address, USDC(100), USDC(80));
    const id2 = await f.createLinear({ startTime: 0n, endTime: (await f.now()) + 400n * DAY, deposit: USDC(4_000), unattestedAllowance: 10_000n });
    await time.increase(180n * DAY);
    // Created before T: keeps 20% whenever it withdraws (waiting does not change the rate).
    await expect(f.stream.connect(f.recipient).withdraw(id2, f.recipient.address, USDC(100)))
      .to.emit(f.stream, "WithdrawStream").withArgs(id2, f.recipient.address, USDC(100), USDC(80));
    const id3 = await f.createLinear({ startTime: 0n, endTime: (await f.now()) + 400n * DAY, deposit: USDC(4_000), unattestedAllowance: 10_000n });
    await time.increase(10n * DAY);
    await expect(f.stream.connect(f.recipient).withdraw(id3, f.recipient.address, USDC(100)))
      .to.emit(f.stream, "WithdrawStream").withArgs(id3, f.recipient.address, USDC(100), USDC(90));
  });

  it("G10: time-tiered: a stream created at exactly referredAt + T gets the second rate, one created a second earlier the first", async function () {
    // Found by `npm run mutate` (`time < referredAt + T` -> `<=` survived); the rate is fixed when the stream is created.
    const f = await loadFixture(fixture);
    await referred(f, { kind: Kind.TimeTiered, bps0: 2_000, bps1: 1_000, tierDuration: Number(180n * DAY) });
    const tierEnd = (await f.stream.referralOf(f.recipient.address)).referredAt + 180n * DAY;
    const params = { startTime: 0n, endTime: tierEnd + 400n * DAY, deposit: USDC(4_000), unattestedAllowance: 10_000n };
    await time.setNextBlockTimestamp(tierEnd - 1n);
    const early = await f.createLinear(params);
    await time.setNextBlockTimestamp(tierEnd);
    const onTime = await f.createLinear(params);
    await time.increase(10n * DAY);
    await expect(f.stream.connect(f.recipient).withdraw(early, f.recipient.address, USDC(100)))
      .to.emit(f.stream, "WithdrawStream").withArgs(early, f.recipient.address, USDC(100), USDC(80));
    await expect(f.stream.connect(f.recipient).withdraw(onTime, f.recipient.address, USDC(100)))
      .to.emit(f.stream, "WithdrawStream").withArgs(onTime, f.recipient.address, USDC(100), USDC(90));
  });

  it("G10: volume-tiered: 10/20/30/40% by the volume the affiliate earned on this recipient, fixed per stream at creation", async function () {
    const f = await loadFixture(fixture);
    const { id } = await referred(f, { kind: Kind.VolumeTiered, bps0: 1_000, bps1: 2_000, bps2: 3_000, bps3: 4_000, tier1: 100n, tier2: 200n, tier3: 300n });
    const nets: bigint[] = [];
    let current = id;
    for (let i = 0; i < 4; i++) {
      const rc = await (await f.stream.connect(f.recipient).withdraw(current, f.recipient.address, USDC(100))).wait();
      const ev = rc!.logs.map((l) => f.stream.interface.parseLog(l)).find((e) => e?.name === "WithdrawStream");
      nets.push(ev!.args.net as bigint);
      current = await f.createLinear({ startTime: 0n, unattestedAllowance: 10_000n });
      await time.increase(500);
    }
    expect(nets).to.deep.equal([USDC(90), USDC(80), USDC(70), USDC(60)]);
    expect((await f.stream.accountOf(f.affiliate.address, f.usdcAddress)).volume).to.equal(USDC(400));
  });

  it("open-ended streams pay commissions too, from a referral budget deposited at creation", async function () {
    const f = await loadFixture(fixture);
    const planId = await f.stream.nextPlanId();
    await f.stream.createPlan(f.plan({ payer: Payer.Sender, bps0: 1_000 }));
    const id = await f.stream.nextStreamId();
    await expect(f.stream.connect(f.sender).createOpen(await f.open({ deposit: USDC(500), referralBudget: USDC(5), affiliate: f.affiliate.address, planId })))
      .to.emit(f.stream, "FundReferralBudget").withArgs(id, USDC(5));
    await time.increase(100);
    await expect(f.stream.connect(f.recipient).withdraw(id, f.recipient.address, USDC(50)))
      .to.emit(f.stream, "PayCommission").withArgs(id, f.affiliate.address, planId, USDC(50), USDC(5), Payer.Sender);
  });

  it("a referral covers streams created after it, not before", async function () {
    const f = await loadFixture(fixture);
    const before = await f.createLinear({ startTime: 0n, unattestedAllowance: 10_000n });
    await f.stream.createPlan(f.plan());
    await f.stream.connect(f.recipient).setReferral(f.affiliate.address, 1);
    await time.increase(100);
    await expect(f.stream.connect(f.recipient).withdraw(before, f.recipient.address, USDC(10))).to.not.emit(f.stream, "PayCommission");
  });

  it("referral budget: locked while the stream runs, refunded at cancel or after the end beyond the reserve", async function () {
    const f = await loadFixture(fixture);
    const { id, planId } = await referred(f, { payer: Payer.Sender }, USDC(50));
    await expect(f.stream.connect(f.sender).refundReferralBudget(id)).to.be.revertedWithCustomError(f.errs, "PaymentStream_BudgetLocked");
    await expect(f.stream.connect(f.recipient).refundReferralBudget(id)).to.be.revertedWithCustomError(f.errs, "PaymentStream_CallerNotSender");
    await time.increase(1_000);
    await f.stream.connect(f.recipient).withdrawMax(id, f.recipient.address); // 1,000 USDC, 150 commission capped at 50
    await expect(f.stream.connect(f.sender).refundReferralBudget(id)).to.be.revertedWithCustomError(f.errs, "PaymentStream_ZeroAmount");
    const named = { affiliate: f.affiliate.address, planId };
    const id2 = await f.createLinear({ startTime: 0n, unattestedAllowance: 10_000n, referralBudget: USDC(400), ...named });
    await time.increase(100);
    await f.stream.connect(f.recipient).withdrawMax(id2, f.recipient.address);
    await time.increase(2_000);
    await f.stream.connect(f.recipient).withdrawMax(id2, f.recipient.address);
    const left = (await f.stream.amountsOf(id2)).referralBudget;
    // 400 - 15% of 1,000, each withdrawal's commission rounded down (in the payer's favour)
    expect(left >= USDC(250) && left <= USDC(250) + 2n).to.equal(true);
    await expect(f.stream.connect(f.sender).refundReferralBudget(id2)).to.emit(f.errs, "RefundReferralBudget").withArgs(id2, left);
    // Cancel returns the budget with the refund.
    const id3 = await f.createLinear({ unattestedAllowance: 10_000n, referralBudget: USDC(7), ...named });
    await expect(f.stream.connect(f.sender).cancel(id3)).to.emit(f.errs, "RefundReferralBudget").withArgs(id3, USDC(7));
  });
});
