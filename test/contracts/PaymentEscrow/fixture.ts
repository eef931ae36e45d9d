// Shared setup of the PaymentEscrow suites and gas scenarios: a real RiskOracle (test signers), MockUSDC,
// the escrow with a policy, and helpers that build the settlement an attestation must bind.
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { ContractTransactionResponse } from "ethers";
import type { MockUSDC, PaymentEscrow } from "../../../types/ethers-contracts/index.js";
import { DEFAULT_POLICY, type Policy, type RiskOracleContext, type Settlement, deployRiskOracle } from "../helpers/attestation.js";

export const USDC = (n: number): bigint => BigInt(n) * 1_000_000n;
export const ONE_DAY = 86_400n;

/** `Escrow.Status` */
export const Status = { None: 0n, Pending: 1n, Held: 2n, Frozen: 3n, Disputed: 4n, Released: 5n, Resolved: 6n, Refunded: 7n } as const;

/** `bytes32((uint256(escrowId) << 16) | index)`, the subject the oracle signs for a milestone. */
export function subjectOf(escrowId: bigint, index: bigint): string {
  return `0x${((escrowId << 16n) | index).toString(16).padStart(64, "0")}`;
}

export type EscrowFixture = {
  escrow: PaymentEscrow;
  escrowAddress: string;
  usdc: MockUSDC;
  usdcAddress: string;
  risk: RiskOracleContext;
  owner: HardhatEthersSigner;
  payer: HardhatEthersSigner;
  payee: HardhatEthersSigner;
  arbiter: HardhatEthersSigner;
  referrer: HardhatEthersSigner;
  feeRecipient: HardhatEthersSigner;
  other: HardhatEthersSigner;
};

/**
 * Deploys oracle (n signers, threshold k), MockUSDC and the escrow; allow-lists USDC; funds and approves the payer;
 * the payee approves `referrer` (G10).
 */
export async function deployEscrowFixture(
  ethers: HardhatEthers,
  options: { signers?: number; threshold?: number; policy?: Policy } = {},
): Promise<EscrowFixture> {
  const [owner, , payer, payee, arbiter, referrer, feeRecipient, other] = await ethers.getSigners();
  const risk = await deployRiskOracle(ethers, { signers: options.signers ?? 1, threshold: options.threshold ?? 1 });
  const usdc = await ethers.deployContract("MockUSDC", [owner.address]);
  const usdcAddress = await usdc.getAddress();
  const escrow = await ethers.deployContract("PaymentEscrow", [owner.address, risk.address, feeRecipient.address]);
  const escrowAddress = await escrow.getAddress();
  await (await risk.oracle.setPolicy(escrowAddress, options.policy ?? DEFAULT_POLICY)).wait();
  await (await escrow.setTokenAllowed(usdcAddress, true)).wait();
  await (await usdc.mint(payer.address, USDC(1_000_000))).wait();
  await (await usdc.connect(payer).approve(escrowAddress, USDC(1_000_000))).wait();
  // Gate rule G10: the payee approves the referrer that may earn a commission from its escrows.
  await (await escrow.connect(payee).approveReferrer(referrer.address, true)).wait();
  return { escrow, escrowAddress, usdc, usdcAddress, risk, owner, payer, payee, arbiter, referrer, feeRecipient, other };
}

export type CreateParams = {
  payee: string;
  token: string;
  amounts: bigint[];
  deadline: bigint;
  arbiter: string;
  referrer: string;
};

/** Default terms: USDC, `amounts`, deadline in 7 days, no referrer. */
export async function paramsFor(
  ethers: HardhatEthers,
  f: EscrowFixture,
  amounts: bigint[] = [USDC(100)],
  overrides: Partial<CreateParams> = {},
): Promise<CreateParams> {
  const latest = await ethers.provider.getBlock("latest");
  return {
    payee: f.payee.address,
    token: f.usdcAddress,
    amounts,
    deadline: BigInt(latest?.timestamp ?? 0) + 7n * ONE_DAY,
    arbiter: f.arbiter.address,
    referrer: ethers.ZeroAddress,
    ...overrides,
  };
}

/** `Escrow.Terms`: not stored (their hash keys the milestone slots); taken back in calldata on every call. */
export type Terms = {
  payer: string;
  payee: string;
  token: string;
  arbiter: string;
  referrer: string;
  deadline: bigint;
  feeBps: bigint;
  referralBps: bigint;
  amounts: bigint[];
};

/** The ABI tuple of `Escrow.Terms`, for `AbiCoder.encode([TERMS_ABI], [terms])`. */
export const TERMS_ABI =
  "tuple(address payer,address payee,address token,address arbiter,address referrer,uint40 deadline,uint16 feeBps,uint16 referralBps,uint96[] amounts)";

/**
 * `keccak256(abi.encode(terms))` computed off-chain, as the escrow's `hashTerms`: milestone `i` of the escrow lives
 * under `keccak256(termsHash, subjectOf(escrowId, i))`. To check rebuilt terms, read
 * `escrow.getMilestone(terms, escrowId, 0n)`: status None means they are not the escrow's (or the id is unknown).
 */
export function hashTerms(ethers: HardhatEthers, terms: Terms): string {
  return ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode([TERMS_ABI], [terms]));
}

/** The terms of `escrowId`, rebuilt from its `CreateEscrow` event (what a UI or the daemon does). */
export async function termsOf(escrow: PaymentEscrow, escrowId: bigint): Promise<Terms> {
  const logs = await escrow.queryFilter(escrow.filters.CreateEscrow(escrowId), 0, "latest");
  const log = logs[0];
  if (log === undefined) throw new Error(`no CreateEscrow event for escrow ${escrowId}`);
  const a = log.args;
  return {
    payer: a.payer,
    payee: a.payee,
    token: a.token,
    arbiter: a.arbiter,
    referrer: a.referrer,
    deadline: a.deadline,
    feeBps: a.feeBps,
    referralBps: a.referralBps,
    amounts: [...a.amounts],
  };
}

/** Creates an escrow (approve path) and returns its id. */
export async function createEscrow(
  ethers: HardhatEthers,
  f: EscrowFixture,
  amounts: bigint[] = [USDC(100)],
  overrides: Partial<CreateParams> = {},
): Promise<bigint> {
  const id = await f.escrow.nextEscrowId();
  await (await f.escrow.connect(f.payer).createEscrow(await paramsFor(ethers, f, amounts, overrides))).wait();
  return id;
}

/** The settlement the oracle must attest for milestone `index` of `escrowId` (terms from the event). */
export async function settlementOf(f: EscrowFixture, escrowId: bigint, index: bigint): Promise<Settlement> {
  const terms = await termsOf(f.escrow, escrowId);
  const amount = terms.amounts[Number(index)];
  if (amount === undefined) throw new Error(`escrow ${escrowId} has no milestone ${index}`);
  return {
    consumer: f.escrowAddress,
    subject: subjectOf(escrowId, index),
    payer: terms.payer,
    payee: terms.payee,
    token: terms.token,
    amount,
  };
}

/** gasUsed of a mined transaction (throws if it reverted). */
export async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<bigint> {
  const receipt = await (await tx).wait();
  if (receipt === null || receipt.status !== 1) throw new Error("transaction failed");
  return receipt.gasUsed;
}
