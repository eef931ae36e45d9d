// Gas scenarios of the PaymentStream, full-transaction gasUsed (run by scripts/gasSnapshot.ts: `npm run gas`).
// MockUSDC moves between existing holders (sender, recipient and the stream contract already hold some).
// Streams have no referral unless the name says so; "withdraw" is the first withdrawal of a linear stream.
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import type { ContractTransactionResponse } from "ethers";
import { DAY, Kind, Payer, USDC, streamFixture } from "../contracts/PaymentStream/fixture.js";

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<bigint> {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error("no receipt");
  return receipt.gasUsed;
}

type Time = { increase: (seconds: number | bigint) => Promise<number> };

export default async function measure(
  ethers: HardhatEthers,
  networkHelpers: unknown,
): Promise<Record<string, bigint>> {
  const time = (networkHelpers as { time: Time }).time;
  const out: Record<string, bigint> = {};
  const f = await streamFixture(ethers);
  // Warm-up: the first stream ever pays for the contract's fresh storage (counter, token balance).
  await f.createLinear();

  out["stream.create linear"] = await gasOf(f.stream.connect(f.sender).createLinear(await f.linear({ startTime: 0n })));
  const t = await f.now();
  out["stream.create linear with cliff amount"] = await gasOf(
    f.stream.connect(f.sender).createLinear(
      await f.linear({ startTime: 0n, cliffTime: t + 100n, endTime: t + 1_000n, cliffAmount: USDC(10) }),
    ),
  );
  out["stream.create open-ended"] = await gasOf(f.stream.connect(f.sender).createOpen(await f.open()));
  out["stream.create open-ended with deposit"] = await gasOf(
    f.stream.connect(f.sender).createOpen(await f.open({ deposit: USDC(1_000) })),
  );
  {
    const p = await f.linear({ startTime: 0n });
    out["stream.createLinearBatch per stream @10"] =
      (await gasOf(f.stream.connect(f.sender).createLinearBatch(Array.from({ length: 10 }, () => p)))) / 10n;
  }

  // Withdraw under the allowance: first withdrawal of a fresh linear stream.
  {
    const id = await f.createLinear({ startTime: 0n, endTime: (await f.now()) + 30n * DAY });
    await time.increase(DAY);
    out["stream.withdraw under allowance"] = await gasOf(
      f.stream.connect(f.recipient).withdraw(id, f.recipient.address, USDC(10)),
    );
    out["stream.withdrawMax under allowance"] = await gasOf(f.stream.connect(f.recipient).withdrawMax(id, f.recipient.address));
  }
  // Open-ended withdraw.
  {
    const id = await f.createOpen({ deposit: USDC(10_000), ratePerSecond: 10n ** 15n });
    await time.increase(DAY);
    out["stream.withdraw open-ended"] = await gasOf(
      f.stream.connect(f.recipient).withdraw(id, f.recipient.address, USDC(10)),
    );
  }
  // Withdraw above the allowance with an inline 1-of-1 attestation.
  {
    const id = await f.createLinear({ startTime: 0n, endTime: (await f.now()) + 30n * DAY, unattestedAllowance: 0n });
    await time.increase(DAY);
    const signed = await f.attest(id, USDC(20));
    out["stream.withdraw inline 1-of-1"] = await gasOf(
      f.stream
        .connect(f.recipient)
        .withdrawWithAttestation(id, f.recipient.address, USDC(10), signed.att, signed.signerSet, signed.signatures),
    );
    await f.post(id, USDC(20));
    out["stream.withdraw posted"] = await gasOf(
      f.stream.connect(f.recipient).withdrawWithPosted(id, f.recipient.address, USDC(10), USDC(20)),
    );
  }
  // Gate rules G4/G7: a Hold is recorded for the seq (first attested use writes the stream's gate slot), then
  // finalizeHold pays up to the held cap after the window, re-checked with the oracle (checkHeld).
  {
    const id = await f.createLinear({ startTime: 0n, endTime: (await f.now()) + 30n * DAY, unattestedAllowance: 0n });
    await time.increase(DAY);
    const signed = await f.attest(id, USDC(20), { score: 5_000 });
    out["stream.withdraw inline Hold (recorded)"] = await gasOf(
      f.stream
        .connect(f.recipient)
        .withdrawWithAttestation(id, f.recipient.address, USDC(10), signed.att, signed.signerSet, signed.signatures),
    );
    await time.increase(3_601);
    out["stream.finalizeHold (re-checked)"] = await gasOf(f.stream.connect(f.recipient).finalizeHold(id, f.recipient.address, USDC(10)));
  }
  // Commission: the recipient has an affiliate under a flat 15% plan (broker fee, then referral budget).
  {
    const [, , , , , , , r1, r2] = await ethers.getSigners();
    await (await f.usdc.mint(r1.address, USDC(1))).wait();
    await (await f.usdc.mint(r2.address, USDC(1))).wait();
    await (await f.usdc.mint(f.affiliate.address, USDC(1))).wait();
    const planR = await f.stream.nextPlanId();
    await (await f.stream.createPlan(f.plan({ kind: Kind.Flat, payer: Payer.Recipient, bps0: 1_500 }))).wait();
    await (await f.stream.createPlan(f.plan({ kind: Kind.Flat, payer: Payer.Sender, bps0: 1_500 }))).wait();
    await (await f.stream.connect(r1).setReferral(f.affiliate.address, planR)).wait();
    // Gate rule G10: the sender-paid referral is named by the sender at creation (below), not by r2.
    // The affiliate already has a credit and volume (not its first commission).
    const warmId = await f.createLinear({ recipient: r1.address, startTime: 0n });
    await time.increase(100);
    await (await f.stream.connect(r1).withdraw(warmId, r1.address, USDC(1))).wait();
    const id = await f.createLinear({ recipient: r1.address, startTime: 0n, endTime: (await f.now()) + 30n * DAY });
    const id2 = await f.createLinear({
      recipient: r2.address,
      startTime: 0n,
      endTime: (await f.now()) + 30n * DAY,
      referralBudget: USDC(100),
      affiliate: f.affiliate.address,
      planId: planR + 1n,
    });
    await time.increase(DAY);
    out["stream.withdraw with commission"] = await gasOf(f.stream.connect(r1).withdraw(id, r1.address, USDC(10)));
    out["stream.withdraw with commission (sender budget)"] = await gasOf(
      f.stream.connect(r2).withdraw(id2, r2.address, USDC(10)),
    );
  }
  // Other operations.
  {
    const id = await f.createOpen({ deposit: USDC(1_000) });
    out["stream.deposit open-ended"] = await gasOf(f.stream.connect(f.sender).deposit(id, USDC(100)));
    out["stream.pause"] = await gasOf(f.stream.connect(f.sender).pause(id));
    out["stream.restart"] = await gasOf(f.stream.connect(f.sender).restart(id));
    out["stream.cancel open-ended"] = await gasOf(f.stream.connect(f.sender).cancel(id));
    const lin = await f.createLinear({ startTime: 0n });
    await time.increase(100);
    out["stream.cancel linear"] = await gasOf(f.stream.connect(f.sender).cancel(lin));
  }
  return out;
}
