import { expect } from "chai";
import { network } from "hardhat";
import {
  DEFAULT_POLICY,
  attestationFor,
  postVerdict,
  signAttestation,
  signedAttestationFor,
} from "../helpers/attestation.js";
import {
  type EscrowFixture,
  Status,
  USDC,
  createEscrow,
  deployEscrowFixture,
  paramsFor,
  settlementOf,
  hashTerms,
  subjectOf,
  termsOf,
  type Terms,
} from "./fixture.js";

const { ethers, networkHelpers } = await network.connect();

// Scores under DEFAULT_POLICY: release < 3000 <= hold < 8000 <= freeze.
const HOLD_SCORE = 5_000;
const FREEZE_SCORE = 9_000;

async function fixture(): Promise<EscrowFixture> {
  return deployEscrowFixture(ethers);
}

/** The terms of `escrowId` rebuilt from its CreateEscrow event (what every caller passes back). */
async function T(f: EscrowFixture, escrowId: bigint): Promise<Terms> {
  return termsOf(f.escrow, escrowId);
}

async function releaseInline(f: EscrowFixture, id: bigint, index: bigint, overrides = {}) {
  const signed = await signedAttestationFor(ethers, f.risk, await settlementOf(f, id, index), overrides);
  return f.escrow.releaseWithAttestation(await T(f, id), id, index, signed.att, signed.signerSet, signed.signatures);
}

async function holdInline(f: EscrowFixture, id: bigint, index = 0n) {
  await (await releaseInline(f, id, index, { score: HOLD_SCORE })).wait();
}

describe("PaymentEscrow", function () {
  describe("constructor and admin", function () {
    it("starts with ids at 1, no fee, the fee recipient and the oracle", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      expect(await f.escrow.nextEscrowId()).to.equal(1n);
      expect(await f.escrow.feeBps()).to.equal(0n);
      expect(await f.escrow.referralBps()).to.equal(0n);
      expect(await f.escrow.feeRecipient()).to.equal(f.feeRecipient.address);
      expect(await f.escrow.RISK_ORACLE()).to.equal(f.risk.address);
      expect(await f.escrow.owner()).to.equal(f.owner.address);
      expect(await f.escrow.MAX_MILESTONES()).to.equal(32n);
    });

    it("test_RevertWhen_FeeRecipientZero / OracleZero", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const factory = await ethers.getContractFactory("PaymentEscrow");
      await expect(factory.deploy(f.owner.address, f.risk.address, ethers.ZeroAddress)).to.be.revertedWithCustomError(
        f.escrow,
        "PaymentEscrow_ZeroAddress",
      );
      await expect(factory.deploy(f.owner.address, ethers.ZeroAddress, f.feeRecipient.address)).to.be.revertedWithCustomError(
        f.escrow,
        "RiskGated_ZeroOracle",
      );
    });

    it("setTokenAllowed allows and disallows, evented; test_RevertWhen_TokenZero / CallerNotOwner", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expect(f.escrow.setTokenAllowed(f.usdcAddress, false)).to.emit(f.escrow, "AllowToken").withArgs(f.usdcAddress, false);
      expect(await f.escrow.isTokenAllowed(f.usdcAddress)).to.equal(false);
      await expect(f.escrow.setTokenAllowed(ethers.ZeroAddress, true)).to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_ZeroAddress");
      await expect(f.escrow.connect(f.other).setTokenAllowed(f.usdcAddress, true))
        .to.be.revertedWithCustomError(f.escrow, "OwnableUnauthorizedAccount")
        .withArgs(f.other.address);
    });

    it("setFee / setReferralBps up to 5%; test_RevertWhen_BpsAboveCap", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expect(f.escrow.setFee(500)).to.emit(f.escrow, "SetFee").withArgs(500);
      await expect(f.escrow.setReferralBps(500)).to.emit(f.escrow, "SetReferralBps").withArgs(500);
      await expect(f.escrow.setFee(501)).to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_BpsTooHigh").withArgs(501, 500);
      await expect(f.escrow.setReferralBps(501))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_BpsTooHigh")
        .withArgs(501, 500);
      await expect(f.escrow.connect(f.other).setFee(1)).to.be.revertedWithCustomError(f.escrow, "OwnableUnauthorizedAccount");
      await expect(f.escrow.connect(f.other).setReferralBps(1)).to.be.revertedWithCustomError(f.escrow, "OwnableUnauthorizedAccount");
    });

    it("setFeeRecipient; test_RevertWhen_RecipientZero", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expect(f.escrow.setFeeRecipient(f.other.address))
        .to.emit(f.escrow, "SetFeeRecipient")
        .withArgs(f.feeRecipient.address, f.other.address);
      expect(await f.escrow.feeRecipient()).to.equal(f.other.address);
      await expect(f.escrow.setFeeRecipient(ethers.ZeroAddress)).to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_ZeroAddress");
      await expect(f.escrow.connect(f.other).setFeeRecipient(f.other.address)).to.be.revertedWithCustomError(
        f.escrow,
        "OwnableUnauthorizedAccount",
      );
    });
  });

  describe("createEscrow", function () {
    it("pulls the total, commits the terms, stores the milestones, emits CreateEscrow with the terms", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await f.escrow.setFee(100);
      await f.escrow.setReferralBps(50);
      const params = await paramsFor(ethers, f, [USDC(10), USDC(20)], { referrer: f.referrer.address });
      await expect(f.escrow.connect(f.payer).createEscrow(params))
        .to.emit(f.escrow, "CreateEscrow")
        .withArgs(1n, f.payer.address, f.payee.address, f.usdcAddress, f.arbiter.address, f.referrer.address, params.deadline, 100, 50, [
          USDC(10),
          USDC(20),
        ])
        .and.to.emit(f.usdc, "Transfer")
        .withArgs(f.payer.address, f.escrowAddress, USDC(30));
      expect(await f.usdc.balanceOf(f.escrowAddress)).to.equal(USDC(30));
      const terms = await T(f, 1n);
      expect(terms).to.deep.equal({
        payer: f.payer.address,
        payee: f.payee.address,
        token: f.usdcAddress,
        arbiter: f.arbiter.address,
        referrer: f.referrer.address,
        deadline: params.deadline,
        feeBps: 100n,
        referralBps: 50n,
        amounts: [USDC(10), USDC(20)],
      });
      expect(await f.escrow.hashTerms(terms)).to.equal(hashTerms(ethers, terms));
      expect((await f.escrow.getMilestone(terms, 1n, 0n)).status).to.equal(Status.Pending);
      const m1 = await f.escrow.getMilestone(terms, 1n, 1n);
      expect(m1.status).to.equal(Status.Pending);
      expect(m1.lastIssuedAt).to.equal(0n);
      expect((await f.escrow.getMilestone(terms, 1n, 2n)).status).to.equal(Status.None);
      expect(await f.escrow.nextEscrowId()).to.equal(2n);
      expect(await f.escrow.subjectOf(1n, 1n)).to.equal(subjectOf(1n, 1n));
      expect(await f.escrow.subjectOf(0x1234n, 7n)).to.equal(`0x${"0".repeat(56)}12340007`);
    });

    it("snapshots no referral commission without a referrer", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await f.escrow.setReferralBps(50);
      const id = await createEscrow(ethers, f);
      expect((await T(f, id)).referralBps).to.equal(0n);
    });

    it("test_RevertWhen_TokenNotAllowed", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const other = await ethers.deployContract("MockUSDC", [f.owner.address]);
      const params = await paramsFor(ethers, f, [USDC(1)], { token: await other.getAddress() });
      await expect(f.escrow.connect(f.payer).createEscrow(params))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_TokenNotAllowed")
        .withArgs(await other.getAddress());
    });

    it("test_RevertWhen_PayeeZero / ArbiterZero", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expect(
        f.escrow.connect(f.payer).createEscrow(await paramsFor(ethers, f, [USDC(1)], { payee: ethers.ZeroAddress })),
      ).to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_ZeroAddress");
      await expect(
        f.escrow.connect(f.payer).createEscrow(await paramsFor(ethers, f, [USDC(1)], { arbiter: ethers.ZeroAddress })),
      ).to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_ZeroAddress");
    });

    it("test_RevertWhen_NoMilestones / MoreThan32Milestones / ZeroAmount", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expect(f.escrow.connect(f.payer).createEscrow(await paramsFor(ethers, f, [])))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_InvalidMilestoneCount")
        .withArgs(0n);
      await expect(f.escrow.connect(f.payer).createEscrow(await paramsFor(ethers, f, Array(33).fill(1n))))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_InvalidMilestoneCount")
        .withArgs(33n);
      await expect(f.escrow.connect(f.payer).createEscrow(await paramsFor(ethers, f, [1n, 0n])))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_ZeroAmount")
        .withArgs(1n);
      const id = await createEscrow(ethers, f, Array(32).fill(1n));
      expect((await T(f, id)).amounts.length).to.equal(32);
      expect((await f.escrow.getMilestone(await T(f, id), id, 31n)).status).to.equal(Status.Pending);
    });

    it("test_RevertWhen_AmountWordDirty (the commitment only ever hashes ABI-clean words)", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const params = await paramsFor(ethers, f, [USDC(7)]);
      const data = f.escrow.interface.encodeFunctionData("createEscrow", [params]);
      // The last word is amounts[0]: set a bit above the 96 bits of a uint96.
      const word = BigInt(`0x${data.slice(-64)}`);
      const dirty = `${data.slice(0, -64)}${(word | (1n << 200n)).toString(16).padStart(64, "0")}`;
      await expect(f.payer.sendTransaction({ to: f.escrowAddress, data: dirty })).to.be.revert(ethers);
      // The clean encoding goes through and keys its milestone by the clean terms.
      await f.payer.sendTransaction({ to: f.escrowAddress, data });
      expect((await f.escrow.getMilestone(await T(f, 1n), 1n, 0n)).status).to.equal(Status.Pending);
    });

    it("test_RevertWhen_DeadlineNotInFuture", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const now = BigInt(await networkHelpers.time.latest());
      await expect(f.escrow.connect(f.payer).createEscrow(await paramsFor(ethers, f, [1n], { deadline: now + 1n })))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_DeadlineInPast")
        .withArgs(now + 1n);
    });

    it("test_RevertWhen_AllowanceTooLow (approve path)", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await f.usdc.connect(f.payer).approve(f.escrowAddress, 1n);
      await expect(f.escrow.connect(f.payer).createEscrow(await paramsFor(ethers, f, [2n]))).to.be.revertedWithCustomError(
        f.usdc,
        "ERC20InsufficientAllowance",
      );
    });
  });

  describe("createEscrowWithPermit", function () {
    const permitTypes = {
      Permit: [
        { name: "owner", type: "address" },
        { name: "spender", type: "address" },
        { name: "value", type: "uint256" },
        { name: "nonce", type: "uint256" },
        { name: "deadline", type: "uint256" },
      ],
    };

    async function permitSig(f: EscrowFixture, value: bigint) {
      const { chainId } = await ethers.provider.getNetwork();
      const domain = { name: "USD Coin", version: "2", chainId, verifyingContract: f.usdcAddress };
      const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
      const nonce = await f.usdc.nonces(f.payer.address);
      const sig = ethers.Signature.from(
        await f.payer.signTypedData(domain, permitTypes, { owner: f.payer.address, spender: f.escrowAddress, value, nonce, deadline }),
      );
      return { deadline, sig };
    }

    it("funds with a permit in the same call (no prior approve)", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await f.usdc.connect(f.payer).approve(f.escrowAddress, 0n);
      const { deadline, sig } = await permitSig(f, USDC(50));
      await expect(
        f.escrow.connect(f.payer).createEscrowWithPermit(await paramsFor(ethers, f, [USDC(50)]), deadline, sig.v, sig.r, sig.s),
      )
        .to.emit(f.escrow, "CreateEscrow")
        .and.to.emit(f.usdc, "Approval")
        .withArgs(f.payer.address, f.escrowAddress, USDC(50));
      expect(await f.usdc.balanceOf(f.escrowAddress)).to.equal(USDC(50));
    });

    it("survives a front-run permit (same signature already used)", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await f.usdc.connect(f.payer).approve(f.escrowAddress, 0n);
      const { deadline, sig } = await permitSig(f, USDC(50));
      await f.usdc.connect(f.other).permit(f.payer.address, f.escrowAddress, USDC(50), deadline, sig.v, sig.r, sig.s);
      await expect(
        f.escrow.connect(f.payer).createEscrowWithPermit(await paramsFor(ethers, f, [USDC(50)]), deadline, sig.v, sig.r, sig.s),
      ).to.emit(f.escrow, "CreateEscrow");
      expect(await f.usdc.balanceOf(f.escrowAddress)).to.equal(USDC(50));
    });

    it("test_RevertWhen_PermitInvalidAndAllowanceShort", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await f.usdc.connect(f.payer).approve(f.escrowAddress, 1n);
      const { deadline, sig } = await permitSig(f, USDC(49));
      await expect(
        f.escrow.connect(f.payer).createEscrowWithPermit(await paramsFor(ethers, f, [USDC(50)]), deadline, sig.v, sig.r, sig.s),
      )
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_InsufficientAllowance")
        .withArgs(1n, USDC(50));
    });
  });

  describe("createEscrowWithAuthorization", function () {
    const types = {
      ReceiveWithAuthorization: [
        { name: "from", type: "address" },
        { name: "to", type: "address" },
        { name: "value", type: "uint256" },
        { name: "validAfter", type: "uint256" },
        { name: "validBefore", type: "uint256" },
        { name: "nonce", type: "bytes32" },
      ],
    };

    async function authSig(f: EscrowFixture, value: bigint, signer = f.payer) {
      const { chainId } = await ethers.provider.getNetwork();
      const domain = { name: "USD Coin", version: "2", chainId, verifyingContract: f.usdcAddress };
      const msg = {
        from: f.payer.address,
        to: f.escrowAddress,
        value,
        validAfter: 0n,
        validBefore: BigInt(await networkHelpers.time.latest()) + 3600n,
        nonce: ethers.hexlify(ethers.randomBytes(32)),
      };
      return { msg, sig: ethers.Signature.from(await signer.signTypedData(domain, types, msg)) };
    }

    it("funds with receiveWithAuthorization, no approve step", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await f.usdc.connect(f.payer).approve(f.escrowAddress, 0n);
      const { msg, sig } = await authSig(f, USDC(70));
      await expect(
        f.escrow
          .connect(f.payer)
          .createEscrowWithAuthorization(await paramsFor(ethers, f, [USDC(30), USDC(40)]), msg.validAfter, msg.validBefore, msg.nonce, sig.v, sig.r, sig.s),
      )
        .to.emit(f.usdc, "AuthorizationUsed")
        .withArgs(f.payer.address, msg.nonce)
        .and.to.emit(f.escrow, "CreateEscrow");
      expect(await f.usdc.balanceOf(f.escrowAddress)).to.equal(USDC(70));
      expect(await f.usdc.authorizationState(f.payer.address, msg.nonce)).to.equal(true);
    });

    it("test_RevertWhen_AuthorizationNotSignedByCaller", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const { msg, sig } = await authSig(f, USDC(70), f.other);
      await expect(
        f.escrow
          .connect(f.payer)
          .createEscrowWithAuthorization(await paramsFor(ethers, f, [USDC(70)]), msg.validAfter, msg.validBefore, msg.nonce, sig.v, sig.r, sig.s),
      ).to.be.revertedWithCustomError(f.usdc, "MockUSDC_InvalidSignature");
    });
  });

  describe("release (posted verdict)", function () {
    it("Release pays the payee now and emits ReleaseMilestone", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const id = await createEscrow(ethers, f, [USDC(60), USDC(40)]);
      const posted = await postVerdict(ethers, f.risk, await settlementOf(f, id, 0n), { score: 1_234 });
      await expect(f.escrow.connect(f.other).release(await T(f, id), id, 0n))
        .to.emit(f.escrow, "ReleaseMilestone")
        .withArgs(id, f.payee.address, 0n, USDC(60), 1_234, posted.att.issuedAt)
        .and.to.emit(f.usdc, "Transfer")
        .withArgs(f.escrowAddress, f.payee.address, USDC(60));
      const m = await f.escrow.getMilestone(await T(f, id), id, 0n);
      expect(m.status).to.equal(Status.Released);
      expect(m.lastIssuedAt).to.equal(posted.att.issuedAt);
      expect(await f.usdc.balanceOf(f.payee.address)).to.equal(USDC(60));
      expect((await f.escrow.getMilestone(await T(f, id), id, 1n)).status).to.equal(Status.Pending);
    });

    it("Hold parks the milestone until now + holdWindow", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const id = await createEscrow(ethers, f);
      const posted = await postVerdict(ethers, f.risk, await settlementOf(f, id, 0n), { score: HOLD_SCORE });
      const tx = await f.escrow.release(await T(f, id), id, 0n);
      const block = await ethers.provider.getBlock((await tx.wait())!.blockNumber);
      const holdUntil = BigInt(block!.timestamp) + BigInt(DEFAULT_POLICY.holdWindow);
      await expect(tx).to.emit(f.escrow, "HoldMilestone").withArgs(id, 0n, holdUntil, HOLD_SCORE, posted.att.issuedAt);
      const m = await f.escrow.getMilestone(await T(f, id), id, 0n);
      expect(m.status).to.equal(Status.Held);
      expect(m.holdUntil).to.equal(holdUntil);
      expect(await f.usdc.balanceOf(f.payee.address)).to.equal(0n);
    });

    it("Freeze hands the milestone to the arbiter", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const id = await createEscrow(ethers, f);
      const posted = await postVerdict(ethers, f.risk, await settlementOf(f, id, 0n), { score: FREEZE_SCORE, reasons: 5 });
      await expect(f.escrow.release(await T(f, id), id, 0n))
        .to.emit(f.escrow, "FreezeMilestone")
        .withArgs(id, 0n, FREEZE_SCORE, 5, posted.att.issuedAt);
      expect((await f.escrow.getMilestone(await T(f, id), id, 0n)).status).to.equal(Status.Frozen);
    });

    it("a newer posted verdict replaces a Hold (and the same one cannot be applied twice)", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const id = await createEscrow(ethers, f);
      const settlement = await settlementOf(f, id, 0n);
      const hold = await postVerdict(ethers, f.risk, settlement, { score: HOLD_SCORE });
      await f.escrow.release(await T(f, id), id, 0n);
      await expect(f.escrow.release(await T(f, id), id, 0n))
        .to.be.revertedWithCustomError(f.escrow, "RiskGated_StaleVerdict")
        .withArgs(subjectOf(id, 0n), hold.att.issuedAt, hold.att.issuedAt);
      await networkHelpers.time.increase(10);
      await postVerdict(ethers, f.risk, settlement, { score: 10 });
      await expect(f.escrow.release(await T(f, id), id, 0n)).to.emit(f.escrow, "ReleaseMilestone");
      expect((await f.escrow.getMilestone(await T(f, id), id, 0n)).status).to.equal(Status.Released);
    });

    it("test_RevertGiven_NoVerdictPosted", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const id = await createEscrow(ethers, f);
      await expect(f.escrow.release(await T(f, id), id, 0n)).to.be.revertedWithCustomError(f.risk.oracle, "RiskOracle_NoVerdict");
    });

    it("test_RevertGiven_OraclePaused", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const id = await createEscrow(ethers, f);
      await postVerdict(ethers, f.risk, await settlementOf(f, id, 0n));
      await f.risk.oracle.connect(f.risk.guardian).pause();
      await expect(f.escrow.release(await T(f, id), id, 0n)).to.be.revertedWithCustomError(f.risk.oracle, "RiskOracle_Paused");
    });

    it("test_RevertGiven_VerdictRevoked", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const id = await createEscrow(ethers, f);
      const posted = await postVerdict(ethers, f.risk, await settlementOf(f, id, 0n));
      await f.risk.oracle.connect(f.risk.guardian).revokeAttestation(posted.att);
      await expect(f.escrow.release(await T(f, id), id, 0n)).to.be.revertedWithCustomError(f.risk.oracle, "RiskOracle_VerdictRevoked");
      expect((await f.escrow.getMilestone(await T(f, id), id, 0n)).status).to.equal(Status.Pending);
    });

    it("test_RevertGiven_MilestoneMissing / EscrowMissing", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const id = await createEscrow(ethers, f);
      await expect(f.escrow.release(await T(f, id), id, 1n))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_MilestoneNotFound")
        .withArgs(id, 1n);
      // Another escrow's terms under a missing id.
      await expect(f.escrow.release(await T(f, id), 99n, 0n))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_EscrowNotFound")
        .withArgs(99n);
    });

    it("test_RevertGiven_MilestoneReleased (settles once)", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const id = await createEscrow(ethers, f);
      await postVerdict(ethers, f.risk, await settlementOf(f, id, 0n));
      await f.escrow.release(await T(f, id), id, 0n);
      await expect(f.escrow.release(await T(f, id), id, 0n))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_InvalidStatus")
        .withArgs(id, 0n, Status.Released);
    });

    it("test_RevertGiven_DeadlinePassed", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const id = await createEscrow(ethers, f);
      const deadline = (await T(f, id)).deadline;
      await networkHelpers.time.increaseTo(deadline);
      await postVerdict(ethers, f.risk, await settlementOf(f, id, 0n));
      await expect(f.escrow.release(await T(f, id), id, 0n))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_DeadlinePassed")
        .withArgs(id, deadline);
    });
  });

  describe("releaseWithAttestation (inline)", function () {
    it("Release pays the payee with a 1-of-1 inline attestation", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const id = await createEscrow(ethers, f);
      await expect(releaseInline(f, id, 0n)).to.emit(f.escrow, "ReleaseMilestone");
      expect(await f.usdc.balanceOf(f.payee.address)).to.equal(USDC(100));
    });

    it("works with a 2-of-3 signer set", async function () {
      const f = await deployEscrowFixture(ethers, { signers: 3, threshold: 2 });
      const id = await createEscrow(ethers, f);
      await expect(releaseInline(f, id, 0n)).to.emit(f.escrow, "ReleaseMilestone");
      // One signature of two is not enough.
      const id2 = await createEscrow(ethers, f);
      const att = await attestationFor(ethers, await settlementOf(f, id2, 0n));
      const one = await signAttestation(f.risk, att, { by: f.risk.wallets.slice(0, 1) });
      await expect(f.escrow.releaseWithAttestation(await T(f, id2), id2, 0n, one.att, one.signerSet, one.signatures)).to.be.revertedWithCustomError(
        f.risk.oracle,
        "RiskOracle_ThresholdNotMet",
      );
    });

    it("test_RevertWhen_AttestationForAnotherMilestone / Amount / Payee / Payer / Token", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const id = await createEscrow(ethers, f, [USDC(1), USDC(2)]);
      const base = await settlementOf(f, id, 0n);
      const variants = [
        { ...base, subject: subjectOf(id, 1n) },
        { ...base, amount: base.amount + 1n },
        { ...base, payee: f.other.address },
        { ...base, payer: f.other.address },
        { ...base, token: f.other.address },
      ];
      for (const settlement of variants) {
        const signed = await signedAttestationFor(ethers, f.risk, settlement);
        await expect(f.escrow.releaseWithAttestation(await T(f, id), id, 0n, signed.att, signed.signerSet, signed.signatures))
          .to.be.revertedWithCustomError(f.escrow, "RiskGated_AttestationMismatch")
          .withArgs(subjectOf(id, 0n));
      }
    });

    it("test_RevertWhen_AttestationForAnotherConsumer", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const id = await createEscrow(ethers, f);
      const signed = await signedAttestationFor(ethers, f.risk, { ...(await settlementOf(f, id, 0n)), consumer: f.other.address });
      await expect(f.escrow.releaseWithAttestation(await T(f, id), id, 0n, signed.att, signed.signerSet, signed.signatures)).to.be.revertedWithCustomError(
        f.risk.oracle,
        "RiskOracle_WrongConsumer",
      );
    });

    it("test_RevertWhen_AttestationExpired", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const id = await createEscrow(ethers, f);
      const signed = await signedAttestationFor(ethers, f.risk, await settlementOf(f, id, 0n));
      await networkHelpers.time.increase(Number(signed.att.expiresAt - signed.att.issuedAt) + 1);
      await expect(f.escrow.releaseWithAttestation(await T(f, id), id, 0n, signed.att, signed.signerSet, signed.signatures)).to.be.revertedWithCustomError(
        f.risk.oracle,
        "RiskOracle_Expired",
      );
    });

    it("test_RevertWhen_AttestationReplayedOnHeldMilestone; a newer one applies", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const id = await createEscrow(ethers, f);
      const hold = await signedAttestationFor(ethers, f.risk, await settlementOf(f, id, 0n), { score: HOLD_SCORE });
      await f.escrow.releaseWithAttestation(await T(f, id), id, 0n, hold.att, hold.signerSet, hold.signatures);
      await expect(f.escrow.releaseWithAttestation(await T(f, id), id, 0n, hold.att, hold.signerSet, hold.signatures))
        .to.be.revertedWithCustomError(f.escrow, "RiskGated_StaleVerdict")
        .withArgs(subjectOf(id, 0n), hold.att.issuedAt, hold.att.issuedAt);
      // An older attestation (issued before the hold) is stale too.
      const older = await signedAttestationFor(ethers, f.risk, await settlementOf(f, id, 0n), { issuedAt: hold.att.issuedAt - 1n });
      await expect(f.escrow.releaseWithAttestation(await T(f, id), id, 0n, older.att, older.signerSet, older.signatures)).to.be.revertedWithCustomError(
        f.escrow,
        "RiskGated_StaleVerdict",
      );
      await networkHelpers.time.increase(5);
      const freeze = await signedAttestationFor(ethers, f.risk, await settlementOf(f, id, 0n), { score: FREEZE_SCORE });
      await expect(f.escrow.releaseWithAttestation(await T(f, id), id, 0n, freeze.att, freeze.signerSet, freeze.signatures)).to.emit(
        f.escrow,
        "FreezeMilestone",
      );
      // Frozen is for the arbiter only: no verdict applies any more.
      await networkHelpers.time.increase(5);
      await expect(releaseInline(f, id, 0n))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_InvalidStatus")
        .withArgs(id, 0n, Status.Frozen);
    });

    it("test_RevertWhen_Paused (inline)", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const id = await createEscrow(ethers, f);
      await f.risk.oracle.connect(f.risk.guardian).pause();
      await expect(releaseInline(f, id, 0n)).to.be.revertedWithCustomError(f.risk.oracle, "RiskOracle_Paused");
    });
  });

  describe("finalizeHold", function () {
    it("pays a Held milestone once the window is over (anyone may call)", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const id = await createEscrow(ethers, f);
      await holdInline(f, id);
      const m = await f.escrow.getMilestone(await T(f, id), id, 0n);
      await expect(f.escrow.finalizeHold(await T(f, id), id, 0n))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_HoldNotOver")
        .withArgs(id, 0n, m.holdUntil);
      await networkHelpers.time.increaseTo(m.holdUntil);
      await expect(f.escrow.connect(f.other).finalizeHold(await T(f, id), id, 0n))
        .to.emit(f.escrow, "ReleaseMilestone")
        .withArgs(id, f.payee.address, 0n, USDC(100), HOLD_SCORE, m.lastIssuedAt);
      expect((await f.escrow.getMilestone(await T(f, id), id, 0n)).status).to.equal(Status.Released);
      expect(await f.usdc.balanceOf(f.payee.address)).to.equal(USDC(100));
    });

    it("test_RevertGiven_NotHeld", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const id = await createEscrow(ethers, f);
      await expect(f.escrow.finalizeHold(await T(f, id), id, 0n))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_InvalidStatus")
        .withArgs(id, 0n, Status.Pending);
    });

    it("test_RevertGiven_OraclePaused", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const id = await createEscrow(ethers, f);
      await holdInline(f, id);
      await networkHelpers.time.increaseTo((await f.escrow.getMilestone(await T(f, id), id, 0n)).holdUntil);
      await f.risk.oracle.connect(f.risk.guardian).pause();
      // G4.5: the oracle's checkHeld refuses, its error bubbles up.
      await expect(f.escrow.finalizeHold(await T(f, id), id, 0n)).to.be.revertedWithCustomError(f.risk.oracle, "RiskOracle_Paused");
    });

    it("test_RevertGiven_DeadlinePassed (the hold became refundable)", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const id = await createEscrow(ethers, f);
      await holdInline(f, id);
      const deadline = (await T(f, id)).deadline;
      await networkHelpers.time.increaseTo(deadline);
      await expect(f.escrow.finalizeHold(await T(f, id), id, 0n))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_DeadlinePassed")
        .withArgs(id, deadline);
      await expect(f.escrow.refund(await T(f, id), id)).to.emit(f.escrow, "Refund").withArgs(id, f.payer.address, USDC(100), 1n);
    });
  });

  describe("dispute and resolve", function () {
    it("either party disputes; the arbiter splits with fees on the payee share", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await f.escrow.setFee(200);
      const id = await createEscrow(ethers, f, [USDC(100), USDC(50)]);
      await expect(f.escrow.connect(f.payer).dispute(await T(f, id), id, 0n))
        .to.emit(f.escrow, "DisputeMilestone")
        .withArgs(id, f.payer.address, 0n);
      await expect(f.escrow.connect(f.payee).dispute(await T(f, id), id, 1n))
        .to.emit(f.escrow, "DisputeMilestone")
        .withArgs(id, f.payee.address, 1n);
      const payerBefore = await f.usdc.balanceOf(f.payer.address);
      await expect(f.escrow.connect(f.arbiter).resolve(await T(f, id), id, 0n, USDC(60), USDC(40)))
        .to.emit(f.escrow, "ResolveMilestone")
        .withArgs(id, f.arbiter.address, 0n, USDC(60), USDC(40))
        .and.to.emit(f.escrow, "PayFee")
        .withArgs(id, f.usdcAddress, USDC(60) / 50n);
      expect(await f.usdc.balanceOf(f.payee.address)).to.equal(USDC(60) - USDC(60) / 50n);
      expect(await f.usdc.balanceOf(f.payer.address)).to.equal(payerBefore + USDC(40));
      expect((await f.escrow.getMilestone(await T(f, id), id, 0n)).status).to.equal(Status.Resolved);
      // All to the payer, and all to the payee, are valid splits.
      await f.escrow.connect(f.arbiter).resolve(await T(f, id), id, 1n, 0n, USDC(50));
      expect(await f.usdc.balanceOf(f.payer.address)).to.equal(payerBefore + USDC(90));
    });

    it("the arbiter settles a Frozen milestone, all to the payee", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const id = await createEscrow(ethers, f);
      await (await releaseInline(f, id, 0n, { score: FREEZE_SCORE })).wait();
      await f.escrow.connect(f.arbiter).resolve(await T(f, id), id, 0n, USDC(100), 0n);
      expect(await f.usdc.balanceOf(f.payee.address)).to.equal(USDC(100));
    });

    it("a Held milestone can be disputed", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const id = await createEscrow(ethers, f);
      await holdInline(f, id);
      await f.escrow.connect(f.payer).dispute(await T(f, id), id, 0n);
      expect((await f.escrow.getMilestone(await T(f, id), id, 0n)).status).to.equal(Status.Disputed);
      await networkHelpers.time.increase(DEFAULT_POLICY.holdWindow + 1);
      await expect(f.escrow.finalizeHold(await T(f, id), id, 0n)).to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_InvalidStatus");
    });

    it("test_RevertWhen_CallerNotParty / test_RevertGiven_MilestoneNotDisputable", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const id = await createEscrow(ethers, f);
      await expect(f.escrow.connect(f.other).dispute(await T(f, id), id, 0n))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_NotParty")
        .withArgs(id, f.other.address);
      await f.escrow.connect(f.payer).dispute(await T(f, id), id, 0n);
      await expect(f.escrow.connect(f.payer).dispute(await T(f, id), id, 0n))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_InvalidStatus")
        .withArgs(id, 0n, Status.Disputed);
      await expect(f.escrow.connect(f.payer).dispute(await T(f, id), id, 5n)).to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_MilestoneNotFound");
    });

    it("test_RevertWhen_CallerNotArbiter / SplitWrong / test_RevertGiven_NotDisputedOrFrozen", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const id = await createEscrow(ethers, f, [USDC(100), USDC(1)]);
      await expect(f.escrow.connect(f.arbiter).resolve(await T(f, id), id, 1n, USDC(1), 0n))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_InvalidStatus")
        .withArgs(id, 1n, Status.Pending);
      await f.escrow.connect(f.payee).dispute(await T(f, id), id, 0n);
      await expect(f.escrow.connect(f.payer).resolve(await T(f, id), id, 0n, USDC(100), 0n))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_NotArbiter")
        .withArgs(id, f.payer.address);
      await expect(f.escrow.connect(f.arbiter).resolve(await T(f, id), id, 0n, USDC(60), USDC(41)))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_InvalidSplit")
        .withArgs(USDC(60), USDC(41), USDC(100));
      await expect(f.escrow.connect(f.arbiter).resolve(await T(f, id), id, 0n, USDC(101), 0n)).to.be.revertedWithCustomError(
        f.escrow,
        "PaymentEscrow_InvalidSplit",
      );
      await f.escrow.connect(f.arbiter).resolve(await T(f, id), id, 0n, USDC(50), USDC(50));
      await expect(f.escrow.connect(f.arbiter).resolve(await T(f, id), id, 0n, USDC(50), USDC(50)))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_InvalidStatus")
        .withArgs(id, 0n, Status.Resolved);
    });
  });

  describe("refund", function () {
    it("returns Pending and Held milestones after the deadline; Disputed and Released stay", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const id = await createEscrow(ethers, f, [USDC(1), USDC(2), USDC(4), USDC(8)]);
      await (await releaseInline(f, id, 0n)).wait();
      await holdInline(f, id, 1n);
      await f.escrow.connect(f.payee).dispute(await T(f, id), id, 2n);
      const before = await f.usdc.balanceOf(f.payer.address);
      await networkHelpers.time.increaseTo((await T(f, id)).deadline);
      await expect(f.escrow.connect(f.other).refund(await T(f, id), id))
        .to.emit(f.escrow, "Refund")
        .withArgs(id, f.payer.address, USDC(10), 0b1010n);
      expect(await f.usdc.balanceOf(f.payer.address)).to.equal(before + USDC(10));
      expect((await f.escrow.getMilestone(await T(f, id), id, 1n)).status).to.equal(Status.Refunded);
      expect((await f.escrow.getMilestone(await T(f, id), id, 2n)).status).to.equal(Status.Disputed);
      expect((await f.escrow.getMilestone(await T(f, id), id, 3n)).status).to.equal(Status.Refunded);
      await expect(f.escrow.refund(await T(f, id), id)).to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_NothingToRefund").withArgs(id);
      // The arbiter can still settle the disputed one; the escrow ends empty.
      await f.escrow.connect(f.arbiter).resolve(await T(f, id), id, 2n, 0n, USDC(4));
      expect(await f.usdc.balanceOf(f.escrowAddress)).to.equal(0n);
    });

    it("test_RevertGiven_DeadlineNotPassed / EscrowMissing", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const id = await createEscrow(ethers, f);
      const deadline = (await T(f, id)).deadline;
      await expect(f.escrow.refund(await T(f, id), id))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_DeadlineNotPassed")
        .withArgs(id, deadline);
      await expect(f.escrow.refund(await T(f, id), 42n)).to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_EscrowNotFound").withArgs(42n);
      await expect(f.escrow.refund(await T(f, id), 0n)).to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_EscrowNotFound").withArgs(0n);
      // Past the deadline the unknown id is still EscrowNotFound, and the real escrow refunds.
      await networkHelpers.time.increaseTo(deadline);
      await expect(f.escrow.refund(await T(f, id), id + 1n))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_EscrowNotFound")
        .withArgs(id + 1n);
      await expect(f.escrow.refund(await T(f, id), id)).to.emit(f.escrow, "Refund").withArgs(id, f.payer.address, USDC(100), 1n);
    });
  });

  describe("terms commitment", function () {
    it("hashTerms == keccak256(abi.encode(terms)); ids are sequential; getMilestone is None for other terms, missing ids and aliases", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const a = await createEscrow(ethers, f, [USDC(1)]);
      const b = await createEscrow(ethers, f, [USDC(1)]);
      expect(b).to.equal(a + 1n);
      const ta = await T(f, a);
      const tb = await T(f, b);
      expect(await f.escrow.hashTerms(ta)).to.equal(hashTerms(ethers, ta));
      expect(await f.escrow.hashTerms(tb)).to.equal(hashTerms(ethers, tb));
      expect(hashTerms(ethers, ta)).to.not.equal(hashTerms(ethers, tb)); // created in different blocks: deadlines differ
      expect((await f.escrow.getMilestone(ta, a, 0n)).status).to.equal(Status.Pending);
      expect((await f.escrow.getMilestone(tb, b, 0n)).status).to.equal(Status.Pending);
      // Each escrow's terms find nothing under the other's id, a missing id, or past the last index.
      expect((await f.escrow.getMilestone(ta, b, 0n)).status).to.equal(Status.None);
      expect((await f.escrow.getMilestone(tb, a, 0n)).status).to.equal(Status.None);
      expect((await f.escrow.getMilestone(ta, 99n, 0n)).status).to.equal(Status.None);
      expect((await f.escrow.getMilestone(ta, 0n, 0n)).status).to.equal(Status.None);
      expect((await f.escrow.getMilestone(ta, a, 1n)).status).to.equal(Status.None);
      expect((await f.escrow.getMilestone(ta, a, 40n)).status).to.equal(Status.None);
      // Ids >= 2^64 and indexes >= 32 would alias a real subject ((1 << 240) + a shifts to a's subject;
      // index 2^16 of a is milestone 0 of b): they read None.
      expect((await f.escrow.getMilestone(ta, (1n << 240n) + a, 0n)).status).to.equal(Status.None);
      expect((await f.escrow.getMilestone(tb, a, 1n << 16n)).status).to.equal(Status.None);
      // Same terms except the deadline: different commitments.
      expect(await f.escrow.hashTerms({ ...ta, deadline: ta.deadline + 1n })).to.not.equal(hashTerms(ethers, ta));
    });

    it("test_RevertWhen_TermsMismatch on every call that takes terms (any field changed)", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await f.escrow.setFee(100);
      const id = await createEscrow(ethers, f, [USDC(10), USDC(20)]);
      const good = await T(f, id);
      const bad: Terms[] = [
        { ...good, payer: f.other.address },
        { ...good, payee: f.other.address },
        { ...good, token: f.other.address },
        { ...good, arbiter: f.other.address },
        { ...good, referrer: f.other.address },
        { ...good, deadline: good.deadline + 1n },
        { ...good, feeBps: 0n },
        { ...good, referralBps: 1n },
        { ...good, amounts: [USDC(10), USDC(21)] },
        { ...good, amounts: [USDC(10), USDC(20), USDC(1)] },
      ];
      const signed = await signedAttestationFor(ethers, f.risk, await settlementOf(f, id, 0n));
      for (const t of bad) {
        expect((await f.escrow.getMilestone(t, id, 0n)).status).to.equal(Status.None);
        const err = (p: Promise<unknown>) =>
          expect(p).to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_TermsMismatch").withArgs(id);
        await err(f.escrow.release(t, id, 0n));
        await err(f.escrow.releaseWithAttestation(t, id, 0n, signed.att, signed.signerSet, signed.signatures));
        await err(f.escrow.finalizeHold(t, id, 0n));
        await err(f.escrow.connect(f.payer).dispute(t, id, 0n));
        await err(f.escrow.connect(f.arbiter).resolve(t, id, 0n, USDC(10), 0n));
        await err(f.escrow.refund(t, id));
      }
      // The right terms under another escrow's id do not match either.
      const other = await createEscrow(ethers, f, [USDC(10), USDC(20)]);
      await expect(f.escrow.connect(f.payer).dispute(good, other, 0n))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_TermsMismatch")
        .withArgs(other);
      // Nothing moved.
      expect((await f.escrow.getMilestone(await T(f, id), id, 0n)).status).to.equal(Status.Pending);
      expect(await f.usdc.balanceOf(f.escrowAddress)).to.equal(USDC(60));
    });

    it("test_RevertWhen_EscrowIdAbove64Bits (would alias a real subject)", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const id = await createEscrow(ethers, f);
      const alias = (1n << 240n) + id;
      await expect(f.escrow.connect(f.payer).dispute(await T(f, id), alias, 0n))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_EscrowNotFound")
        .withArgs(alias);
      await expect(f.escrow.refund(await T(f, id), alias))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_EscrowNotFound")
        .withArgs(alias);
      // Past the deadline too (refund's own id check, before it reads any milestone).
      await networkHelpers.time.increaseTo((await T(f, id)).deadline);
      await expect(f.escrow.refund(await T(f, id), alias))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_EscrowNotFound")
        .withArgs(alias);
      expect((await f.escrow.getMilestone(await T(f, id), id, 0n)).status).to.equal(Status.Pending);
    });
  });

  describe("blacklisted parties never block anyone (pull over push)", function () {
    it("a blacklisted payee is credited on release; its credit waits for the issuer (G9), then is claimable anywhere", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const id = await createEscrow(ethers, f);
      await f.usdc.blacklist(f.payee.address);
      await expect(releaseInline(f, id, 0n))
        .to.emit(f.escrow, "Credit")
        .withArgs(f.payee.address, f.usdcAddress, USDC(100))
        .and.to.emit(f.escrow, "ReleaseMilestone");
      expect(await f.escrow.owed(f.payee.address, f.usdcAddress)).to.equal(USDC(100));
      // Claiming to itself fails while blacklisted (the token's reason), to another address is refused (G9).
      await expect(f.escrow.connect(f.payee).claim(f.usdcAddress, f.payee.address)).to.be.revertedWith(
        "Blacklistable: account is blacklisted",
      );
      await expect(f.escrow.connect(f.payee).claim(f.usdcAddress, f.other.address))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_AccountBlocked")
        .withArgs(f.payee.address, f.usdcAddress);
      await f.usdc.unBlacklist(f.payee.address);
      await expect(f.escrow.connect(f.payee).claim(f.usdcAddress, f.other.address))
        .to.emit(f.escrow, "Claim")
        .withArgs(f.payee.address, f.usdcAddress, f.other.address, USDC(100));
      expect(await f.usdc.balanceOf(f.other.address)).to.equal(USDC(100));
      expect(await f.escrow.owed(f.payee.address, f.usdcAddress)).to.equal(0n);
    });

    it("a blacklisted payee does not block the payer's refund", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const id = await createEscrow(ethers, f);
      await f.usdc.blacklist(f.payee.address);
      await networkHelpers.time.increaseTo((await T(f, id)).deadline);
      const before = await f.usdc.balanceOf(f.payer.address);
      await expect(f.escrow.refund(await T(f, id), id)).to.emit(f.escrow, "Refund");
      expect(await f.usdc.balanceOf(f.payer.address)).to.equal(before + USDC(100));
    });

    it("a blacklisted payer's refund and split share are credited", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const id = await createEscrow(ethers, f, [USDC(10), USDC(20)]);
      await f.escrow.connect(f.payee).dispute(await T(f, id), id, 1n);
      await f.usdc.blacklist(f.payer.address);
      await f.escrow.connect(f.arbiter).resolve(await T(f, id), id, 1n, USDC(5), USDC(15));
      await networkHelpers.time.increaseTo((await T(f, id)).deadline);
      await expect(f.escrow.refund(await T(f, id), id)).to.emit(f.escrow, "Credit").withArgs(f.payer.address, f.usdcAddress, USDC(10));
      expect(await f.escrow.owed(f.payer.address, f.usdcAddress)).to.equal(USDC(25));
    });

    it("test_RevertWhen_NothingToClaim / ClaimToZero", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expect(f.escrow.connect(f.payee).claim(f.usdcAddress, f.payee.address))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_NothingToClaim")
        .withArgs(f.payee.address, f.usdcAddress);
      await expect(f.escrow.connect(f.payee).claim(f.usdcAddress, ethers.ZeroAddress)).to.be.revertedWithCustomError(
        f.escrow,
        "PaymentEscrow_ZeroAddress",
      );
    });
  });

  describe("fees and referral", function () {
    it("takes the snapshotted fee (accrued) and commission (paid) at release", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await f.escrow.setFee(100);
      await f.escrow.setReferralBps(50);
      const id = await createEscrow(ethers, f, [USDC(1_000)], { referrer: f.referrer.address });
      // Later changes do not reach the existing escrow.
      await f.escrow.setFee(500);
      await f.escrow.setReferralBps(0);
      await expect(releaseInline(f, id, 0n))
        .to.emit(f.escrow, "PayFee")
        .withArgs(id, f.usdcAddress, USDC(10))
        .and.to.emit(f.escrow, "PayReferral")
        .withArgs(id, f.referrer.address, USDC(5))
        .and.to.emit(f.escrow, "ReleaseMilestone")
        .withArgs(id, f.payee.address, 0n, USDC(985), 0, (v: bigint) => v > 0n);
      expect(await f.usdc.balanceOf(f.payee.address)).to.equal(USDC(985));
      expect(await f.usdc.balanceOf(f.referrer.address)).to.equal(USDC(5));
      expect(await f.escrow.accruedFees(f.usdcAddress)).to.equal(USDC(10));
      await expect(f.escrow.connect(f.other).withdrawFees(f.usdcAddress))
        .to.emit(f.escrow, "WithdrawFees")
        .withArgs(f.usdcAddress, f.feeRecipient.address, USDC(10));
      expect(await f.usdc.balanceOf(f.feeRecipient.address)).to.equal(USDC(10));
      expect(await f.usdc.balanceOf(f.escrowAddress)).to.equal(0n);
      await expect(f.escrow.withdrawFees(f.usdcAddress))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_NoFees")
        .withArgs(f.usdcAddress);
    });

    it("a blacklisted referrer is credited and does not block the payee", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await f.escrow.setReferralBps(100);
      const id = await createEscrow(ethers, f, [USDC(100)], { referrer: f.referrer.address });
      await f.usdc.blacklist(f.referrer.address);
      await expect(releaseInline(f, id, 0n)).to.emit(f.escrow, "Credit").withArgs(f.referrer.address, f.usdcAddress, USDC(1));
      expect(await f.usdc.balanceOf(f.payee.address)).to.equal(USDC(99));
    });
  });

  describe("weird tokens", function () {
    it("test_RevertWhen_FeeOnTransferToken (balance-difference check)", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const fot = await ethers.deployContract("FeeOnTransferToken", [100]);
      const fotAddress = await fot.getAddress();
      await f.escrow.setTokenAllowed(fotAddress, true);
      await fot.mint(f.payer.address, USDC(100));
      await fot.connect(f.payer).approve(f.escrowAddress, USDC(100));
      await expect(f.escrow.connect(f.payer).createEscrow(await paramsFor(ethers, f, [USDC(100)], { token: fotAddress })))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrow_BalanceMismatch")
        .withArgs(USDC(100), USDC(99));
    });

    it("a no-return-value token (USDT style) works through SafeERC20: create, release, refund", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const nrt = await ethers.deployContract("NoReturnToken");
      const nrtAddress = await nrt.getAddress();
      await f.escrow.setTokenAllowed(nrtAddress, true);
      await nrt.mint(f.payer.address, USDC(100));
      await nrt.connect(f.payer).approve(f.escrowAddress, USDC(100));
      const id = await createEscrow(ethers, f, [USDC(60), USDC(40)], { token: nrtAddress });
      await (await releaseInline(f, id, 0n)).wait();
      expect(await nrt.balanceOf(f.payee.address)).to.equal(USDC(60));
      await networkHelpers.time.increaseTo((await T(f, id)).deadline);
      await f.escrow.refund(await T(f, id), id);
      expect(await nrt.balanceOf(f.payer.address)).to.equal(USDC(40));
    });

    it("test_RevertWhen_ReentrantTokenReentersClaim (guard blocks, payee still paid)", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const token = await ethers.deployContract("ReentrantToken");
      const tokenAddress = await token.getAddress();
      const attacker = await ethers.deployContract("ReentrancyAttacker");
      const attackerAddress = await attacker.getAddress();
      await f.escrow.setTokenAllowed(tokenAddress, true);
      await token.mint(f.payer.address, USDC(100));
      await token.connect(f.payer).approve(f.escrowAddress, USDC(100));
      const id = await createEscrow(ethers, f, [USDC(50), USDC(50)], { token: tokenAddress, payee: attackerAddress });
      // During the payout the attacker tries to release the other milestone again through refund/claim paths.
      await attacker.arm(f.escrowAddress, f.escrow.interface.encodeFunctionData("claim", [tokenAddress, attackerAddress]));
      await token.setHook(attackerAddress);
      await expect(releaseInline(f, id, 0n)).to.emit(attacker, "Reenter");
      expect(await attacker.lastSuccess()).to.equal(false);
      const guardSelector = f.escrow.interface.getError("ReentrancyGuardReentrantCall")!.selector;
      expect(await attacker.lastRevertData()).to.equal(guardSelector);
      expect(await token.balanceOf(attackerAddress)).to.equal(USDC(50));
      expect(await token.balanceOf(f.escrowAddress)).to.equal(USDC(50));
      // Re-entering create during the funding pull is blocked too (the whole create reverts).
      await token.mint(f.payer.address, USDC(10));
      await token.connect(f.payer).approve(f.escrowAddress, USDC(10));
      await attacker.arm(f.escrowAddress, f.escrow.interface.encodeFunctionData("refund", [await T(f, id), id]));
      await f.escrow.connect(f.payer).createEscrow(await paramsFor(ethers, f, [USDC(10)], { token: tokenAddress }));
      expect(await attacker.lastRevertData()).to.equal(guardSelector);
    });

    it("a reverting token hook turns the payout into a credit, never a stuck release", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const token = await ethers.deployContract("ReentrantToken");
      const tokenAddress = await token.getAddress();
      await f.escrow.setTokenAllowed(tokenAddress, true);
      await token.mint(f.payer.address, USDC(10));
      await token.connect(f.payer).approve(f.escrowAddress, USDC(10));
      const id = await createEscrow(ethers, f, [USDC(10)], { token: tokenAddress });
      // The hook target is an EOA-less contract that does not implement the hook: every transfer reverts.
      await token.setHook(f.escrowAddress);
      await expect(releaseInline(f, id, 0n)).to.emit(f.escrow, "Credit").withArgs(f.payee.address, tokenAddress, USDC(10));
      await token.clearHook();
      await f.escrow.connect(f.payee).claim(tokenAddress, f.payee.address);
      expect(await token.balanceOf(f.payee.address)).to.equal(USDC(10));
      await expect(token.setHook(ethers.ZeroAddress)).to.be.revertedWithCustomError(token, "ReentrantToken_ZeroTarget");
    });
  });
});
