// Gas scenarios of the RiskOracle, full-transaction gasUsed (run by scripts/gasSnapshot.ts: `npm run gas`).
// The consumer is MockRiskConsumer (no token transfer): its figures show what the oracle adds to a
// consumer's release; the escrow/stream scenarios measure the real releases.
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import type { ContractTransactionResponse } from "ethers";
import {
  DEFAULT_POLICY,
  type RiskOracleContext,
  type Settlement,
  attestationFor,
  deployRiskOracle,
  signAttestation,
} from "../contracts/helpers/attestation.js";

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<bigint> {
  const receipt = await (await tx).wait();
  if (receipt === null || receipt.status !== 1) throw new Error("gas scenario transaction failed");
  return receipt.gasUsed;
}

async function setup(ethers: HardhatEthers, n: number, k: number) {
  const ctx = await deployRiskOracle(ethers, { signers: n, threshold: k });
  const consumer = await ethers.deployContract("MockRiskConsumer", [ctx.address]);
  const consumerAddress = await consumer.getAddress();
  await (await ctx.oracle.setPolicy(consumerAddress, DEFAULT_POLICY)).wait();
  const [, , payer, payee, token] = await ethers.getSigners();
  let next = 0;
  const settlement = (): Settlement => ({
    consumer: consumerAddress,
    subject: ethers.zeroPadValue(ethers.toBeHex(++next), 32),
    payer: payer.address,
    payee: payee.address,
    token: token.address,
    amount: 1_000_000n * BigInt(next),
  });
  return { ctx, consumer, settlement };
}

/** Deterministic nonce (calldata zero bytes would otherwise vary the figures by a few gas). */
async function signed(ethers: HardhatEthers, ctx: RiskOracleContext, s: Settlement, score = 100) {
  const nonce = ethers.keccak256(ethers.toUtf8Bytes(`gas-${String(s.subject)}`)) as `0x${string}`;
  return signAttestation(ctx, await attestationFor(ethers, s, { score, nonce }));
}

export default async function measure(ethers: HardhatEthers): Promise<Record<string, bigint>> {
  const out: Record<string, bigint> = {};

  for (const [n, k] of [[1, 1], [3, 2], [5, 3]] as const) {
    const { ctx, consumer, settlement } = await setup(ethers, n, k);
    const label = `${k}-of-${n}`;

    // Push: post a verdict for a fresh settlement (new slot), then settle against it.
    const s1 = settlement();
    const p = await signed(ethers, ctx, s1);
    out[`oracle.postAttestation ${label}`] = await gasOf(ctx.oracle.postAttestation(p.att, p.signerSet, p.signatures));
    if (k === 1) {
      out["oracle.checkPosted in-call (cold)"] = await consumer.probeCheckPosted(s1.subject, s1.payer, s1.payee, s1.token, s1.amount);
      out["oracle.checkPosted via MockRiskConsumer.settlePosted"] = await gasOf(
        consumer.settlePosted(s1.subject, s1.payer, s1.payee, s1.token, s1.amount),
      );
    }

    // Pull: settle a fresh subject against an inline attestation.
    const s2 = settlement();
    const i = await signed(ethers, ctx, s2);
    out[`oracle.checkInline ${label} in-call (cold)`] = await consumer.probeCheckInline(i.att, i.signerSet, i.signatures);
    out[`oracle.checkInline ${label} in-call via RiskOracleCall (cold)`] = await consumer.probeCheckInlineFast(i.att, i.signerSet, i.signatures);
    out[`oracle.checkInline ${label} via MockRiskConsumer.settle`] = await gasOf(
      consumer.settle(s2.subject, s2.payer, s2.payee, s2.token, s2.amount, i.att, i.signerSet, i.signatures),
    );
  }

  // Batch: 20 fresh settlements, 1-of-1.
  {
    const { ctx, settlement } = await setup(ethers, 1, 1);
    const items = [];
    for (let j = 0; j < 20; j++) items.push(await signed(ethers, ctx, settlement()));
    const total = await gasOf(
      ctx.oracle.postAttestations(items.map((x) => x.att), ctx.signerSet, items.map((x) => x.signatures)),
    );
    out["oracle.postAttestations per item @20"] = total / 20n;
  }
  return out;
}
