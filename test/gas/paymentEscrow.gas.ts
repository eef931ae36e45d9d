// Gas scenarios of the PaymentEscrow and MockUSDC, full-transaction gasUsed (run by scripts/gasSnapshot.ts:
// `npm run gas`). USDC moves between existing holders (payer, payee and escrow already hold some), as in
// the reference figures. No protocol fee or referrer unless the name says so.
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import { attestationFor, postVerdict, signAttestation } from "../contracts/helpers/attestation.js";
import {
  type EscrowFixture,
  USDC,
  createEscrow,
  deployEscrowFixture,
  gasOf,
  paramsFor,
  settlementOf,
  termsOf,
} from "../contracts/PaymentEscrow/fixture.js";

async function warm(ethers: HardhatEthers, f: EscrowFixture): Promise<void> {
  // The payee and the escrow already hold USDC.
  await (await f.usdc.mint(f.payee.address, USDC(1))).wait();
  await createEscrow(ethers, f, [USDC(1)]);
}

async function releaseInline(ethers: HardhatEthers, f: EscrowFixture): Promise<bigint> {
  const id = await createEscrow(ethers, f, [USDC(100)]);
  const signed = await signAttestation(f.risk, await attestationFor(ethers, await settlementOf(f, id, 0n)));
  const terms = await termsOf(f.escrow, id);
  return gasOf(f.escrow.releaseWithAttestation(terms, id, 0n, signed.att, signed.signerSet, signed.signatures));
}

export default async function measure(
  ethers: HardhatEthers,
  _networkHelpers: unknown,
): Promise<Record<string, bigint>> {
  const out: Record<string, bigint> = {};
  const f = await deployEscrowFixture(ethers);
  await warm(ethers, f);

  out["usdc.transfer"] = await gasOf(f.usdc.connect(f.payer).transfer(f.payee.address, USDC(1)));

  out["escrow.create 1 milestone (approve)"] = await gasOf(
    f.escrow.connect(f.payer).createEscrow(await paramsFor(ethers, f, [USDC(100)])),
  );
  out["escrow.create 4 milestones (approve)"] = await gasOf(
    f.escrow.connect(f.payer).createEscrow(await paramsFor(ethers, f, [USDC(25), USDC(25), USDC(25), USDC(25)])),
  );

  // EIP-3009 funding: the payer must be a key we hold (hardhat accounts sign typed data too).
  {
    const params = await paramsFor(ethers, f, [USDC(100)]);
    const { chainId } = await ethers.provider.getNetwork();
    const domain = { name: "USD Coin", version: "2", chainId, verifyingContract: f.usdcAddress };
    const latest = BigInt((await ethers.provider.getBlock("latest"))?.timestamp ?? 0);
    const msg = {
      from: f.payer.address,
      to: f.escrowAddress,
      value: USDC(100),
      validAfter: 0n,
      validBefore: latest + 3600n,
      nonce: ethers.hexlify(ethers.randomBytes(32)),
    };
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
    const sig = ethers.Signature.from(await f.payer.signTypedData(domain, types, msg));
    out["escrow.create 1 milestone (EIP-3009)"] = await gasOf(
      f.escrow
        .connect(f.payer)
        .createEscrowWithAuthorization(params, msg.validAfter, msg.validBefore, msg.nonce, sig.v, sig.r, sig.s),
    );
  }

  {
    const id = await createEscrow(ethers, f, [USDC(100)]);
    await postVerdict(ethers, f.risk, await settlementOf(f, id, 0n));
    out["escrow.release posted"] = await gasOf(f.escrow.release(await termsOf(f.escrow, id), id, 0n));
  }

  out["escrow.release inline 1-of-1"] = await releaseInline(ethers, f);

  {
    // Fees on: 1% protocol fee, 0.5% referral.
    await (await f.escrow.setFee(100)).wait();
    await (await f.escrow.setReferralBps(50)).wait();
    await (await f.usdc.mint(f.referrer.address, USDC(1))).wait();
    const id = await createEscrow(ethers, f, [USDC(100)], { referrer: f.referrer.address });
    await createEscrow(ethers, f, [USDC(100)], { referrer: f.referrer.address }); // fee slot already non-zero below
    const first = await signAttestation(f.risk, await attestationFor(ethers, await settlementOf(f, id, 0n)));
    await (
      await f.escrow.releaseWithAttestation(
        await termsOf(f.escrow, id),
        id,
        0n,
        first.att,
        first.signerSet,
        first.signatures,
      )
    ).wait();
    const id2 = id + 1n;
    const signed = await signAttestation(f.risk, await attestationFor(ethers, await settlementOf(f, id2, 0n)));
    out["escrow.release inline 1-of-1 + fee + referral"] = await gasOf(
      f.escrow.releaseWithAttestation(
        await termsOf(f.escrow, id2),
        id2,
        0n,
        signed.att,
        signed.signerSet,
        signed.signatures,
      ),
    );
  }

  {
    // Gate rule G4: a Hold is recorded (status, holdUntil, the signer epoch), then finalizeHold re-checks it with
    // the oracle (checkHeld) at the end of the window. Fees are on from above.
    const id = await createEscrow(ethers, f, [USDC(100)]);
    const signed = await signAttestation(f.risk, await attestationFor(ethers, await settlementOf(f, id, 0n), { score: 5_000 }));
    const terms = await termsOf(f.escrow, id);
    out["escrow.release inline Hold (recorded)"] = await gasOf(
      f.escrow.releaseWithAttestation(terms, id, 0n, signed.att, signed.signerSet, signed.signatures),
    );
    await ethers.provider.send("evm_increaseTime", [3_601]);
    out["escrow.finalizeHold (re-checked)"] = await gasOf(f.escrow.finalizeHold(terms, id, 0n));
  }

  const f3 = await deployEscrowFixture(ethers, { signers: 3, threshold: 2 });
  await warm(ethers, f3);
  out["escrow.release inline 2-of-3"] = await releaseInline(ethers, f3);
  return out;
}
