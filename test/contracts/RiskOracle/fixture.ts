// Fixtures of the RiskOracle suites: an oracle with sorted test signers, two MockRiskConsumers with the
// default policy, and settlement builders.
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import type { MockERC1271Signer, MockRiskConsumer } from "../../../types/ethers-contracts/index.js";
import {
  DEFAULT_POLICY,
  type RiskOracleContext,
  type Settlement,
  makeOracleSigners,
  deployRiskOracle,
} from "../helpers/attestation.js";

export type OracleFixture = RiskOracleContext & {
  consumer: MockRiskConsumer;
  consumerAddress: string;
  other: MockRiskConsumer;
  otherAddress: string;
  accounts: Awaited<ReturnType<HardhatEthers["getSigners"]>>;
  /** A settlement of `consumer` (or `on`) named by `label`. */
  settlement: (label: string, on?: string) => Settlement;
};

export async function oracleFixture(
  ethers: HardhatEthers,
  options: { n?: number; k?: number; contractSigners?: string[] } = {},
): Promise<OracleFixture> {
  const ctx = await deployRiskOracle(ethers, {
    signers: options.n ?? 1,
    threshold: options.k ?? 1,
    contractSigners: options.contractSigners,
  });
  const consumer = await ethers.deployContract("MockRiskConsumer", [ctx.address]);
  const other = await ethers.deployContract("MockRiskConsumer", [ctx.address]);
  const consumerAddress = await consumer.getAddress();
  const otherAddress = await other.getAddress();
  await (await ctx.oracle.setPolicy(consumerAddress, DEFAULT_POLICY)).wait();
  await (await ctx.oracle.setPolicy(otherAddress, DEFAULT_POLICY)).wait();
  const accounts = await ethers.getSigners();
  const [, , payer, payee, token] = accounts;
  const settlement = (label: string, on = consumerAddress): Settlement => ({
    consumer: on,
    subject: ethers.id(label),
    payer: payer.address,
    payee: payee.address,
    token: token.address,
    amount: 1_000_000n,
  });
  return { ...ctx, consumer, consumerAddress, other, otherAddress, accounts, settlement };
}

/** An oracle whose set mixes 2 wallets and one ERC-1271 contract signer owned by a third wallet. */
export async function erc1271Fixture(ethers: HardhatEthers): Promise<OracleFixture & { wallet1271: ReturnType<typeof makeOracleSigners>[number]; signer1271: MockERC1271Signer; signer1271Address: string }> {
  const [wallet1271] = makeOracleSigners(1, "riskgate-1271-owner");
  const signer1271 = await ethers.deployContract("MockERC1271Signer", [wallet1271.address]);
  const signer1271Address = await signer1271.getAddress();
  const fx = await oracleFixture(ethers, { n: 2, k: 2, contractSigners: [signer1271Address] });
  return { ...fx, wallet1271, signer1271, signer1271Address };
}
