// Fixture of the PaymentStream suites: a RiskOracle (1-of-1, default policy for the stream contract), MockUSDC,
// the linked StreamOps library, PaymentStream, funded sender, and builders for streams and attestations.
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { Contract } from "ethers";
import type { MockUSDC, PaymentStream } from "../../../types/ethers-contracts/index.js";
import {
  DEFAULT_POLICY,
  type RiskAttestation,
  type RiskOracleContext,
  type SignedAttestation,
  deployRiskOracle,
  signedAttestationFor,
} from "../helpers/attestation.js";

export const USDC = (n: number | bigint): bigint => BigInt(n) * 1_000_000n;
export const DAY = 86_400n;

export type LinearParams = {
  recipient: string;
  token: string;
  deposit: bigint;
  startTime: bigint;
  cliffTime: bigint;
  endTime: bigint;
  cliffAmount: bigint;
  cancelable: boolean;
  unattestedAllowance: bigint;
  referralBudget: bigint;
  affiliate: string;
  planId: bigint;
};

export type OpenParams = {
  recipient: string;
  token: string;
  ratePerSecond: bigint;
  deposit: bigint;
  unattestedAllowance: bigint;
  referralBudget: bigint;
  affiliate: string;
  planId: bigint;
};

export type PlanParams = {
  kind: number;
  payer: number;
  bps0: number;
  bps1: number;
  bps2: number;
  bps3: number;
  tierDuration: number;
  tier1: bigint;
  tier2: bigint;
  tier3: bigint;
};

export const Kind = { Flat: 0, TimeTiered: 1, VolumeTiered: 2 } as const;
export const Payer = { Recipient: 0, Sender: 1 } as const;

export async function deployPaymentStream(
  ethers: HardhatEthers,
  oracle: string,
  owner: HardhatEthersSigner,
  arbiter: string,
): Promise<PaymentStream> {
  const ops = await ethers.deployContract("StreamOps");
  const stream = await ethers.deployContract("PaymentStream", [oracle, owner.address, arbiter], {
    libraries: { StreamOps: await ops.getAddress() },
  });
  await stream.waitForDeployment();
  return stream as unknown as PaymentStream;
}

export type StreamFixture = {
  risk: RiskOracleContext;
  usdc: MockUSDC;
  stream: PaymentStream;
  streamAddress: string;
  usdcAddress: string;
  owner: HardhatEthersSigner;
  arbiter: HardhatEthersSigner;
  sender: HardhatEthersSigner;
  recipient: HardhatEthersSigner;
  affiliate: HardhatEthersSigner;
  other: HardhatEthersSigner;
  now: () => Promise<bigint>;
  linear: (overrides?: Partial<LinearParams>) => Promise<LinearParams>;
  open: (overrides?: Partial<OpenParams>) => Promise<OpenParams>;
  /** Creates a linear stream from `sender` and returns its id. */
  createLinear: (overrides?: Partial<LinearParams>) => Promise<bigint>;
  /** Creates an open-ended stream from `sender` and returns its id. */
  createOpen: (overrides?: Partial<OpenParams>) => Promise<bigint>;
  /** An inline attestation for the stream's next subject with cap `amount`. */
  attest: (streamId: bigint, amount: bigint, overrides?: Partial<RiskAttestation>) => Promise<SignedAttestation>;
  /** Pushes a verdict for the stream's next subject with cap `amount`. */
  post: (streamId: bigint, amount: bigint, overrides?: Partial<RiskAttestation>) => Promise<SignedAttestation>;
  plan: (overrides?: Partial<PlanParams>) => PlanParams;
  /** PaymentStream + StreamOps ABI at the stream address: for errors and events raised in the library. */
  errs: Contract;
};

export async function streamFixture(ethers: HardhatEthers): Promise<StreamFixture> {
  const [owner, guardian, arbiter, sender, recipient, affiliate, other] = await ethers.getSigners();
  const risk = await deployRiskOracle(ethers, { signers: 1, owner, guardian });
  const usdc = (await ethers.deployContract("MockUSDC", [owner.address])) as unknown as MockUSDC;
  const usdcAddress = await usdc.getAddress();
  const stream = await deployPaymentStream(ethers, risk.address, owner, arbiter.address);
  const streamAddress = await stream.getAddress();
  const opsArtifact = await ethers.getContractFactory("StreamOps");
  // Functions, events and errors of both, deduplicated by signature (events of the library are declared
  // in IPaymentStream, so the stream's ABI has them; some errors are raised only inside the library).
  const seen = new Set<string>();
  const unique = [...stream.interface.fragments, ...opsArtifact.interface.fragments].filter((fr) => {
    if (fr.type !== "function" && fr.type !== "event" && fr.type !== "error") return false;
    const key = `${fr.type}:${fr.format("sighash")}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const errs = new Contract(streamAddress, unique, ethers.provider);
  await (await risk.oracle.setPolicy(streamAddress, DEFAULT_POLICY)).wait();
  await (await stream.allowToken(usdcAddress)).wait();
  await (await usdc.mint(sender.address, USDC(10_000_000))).wait();
  await (await usdc.connect(sender).approve(streamAddress, 2n ** 256n - 1n)).wait();
  // The recipient and the contract already hold USDC, as in production ("to an existing holder").
  await (await usdc.mint(recipient.address, USDC(1))).wait();
  await (await usdc.mint(streamAddress, 1n)).wait();

  const now = async (): Promise<bigint> => BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
  const linear = async (overrides: Partial<LinearParams> = {}): Promise<LinearParams> => {
    const t = await now();
    return {
      recipient: recipient.address,
      token: usdcAddress,
      deposit: USDC(1_000),
      startTime: t + 10n,
      cliffTime: 0n,
      endTime: t + 10n + 1_000n,
      cliffAmount: 0n,
      cancelable: true,
      unattestedAllowance: 100n,
      referralBudget: 0n,
      affiliate: ethers.ZeroAddress,
      planId: 0n,
      ...overrides,
    };
  };
  const open = async (overrides: Partial<OpenParams> = {}): Promise<OpenParams> => ({
    recipient: recipient.address,
    token: usdcAddress,
    ratePerSecond: 10n ** 18n, // 1 token per second
    deposit: 0n,
    unattestedAllowance: 100n,
    referralBudget: 0n,
    affiliate: ethers.ZeroAddress,
    planId: 0n,
    ...overrides,
  });
  const createLinear = async (overrides: Partial<LinearParams> = {}): Promise<bigint> => {
    const id = await stream.nextStreamId();
    await (await stream.connect(sender).createLinear(await linear(overrides))).wait();
    return id;
  };
  const createOpen = async (overrides: Partial<OpenParams> = {}): Promise<bigint> => {
    const id = await stream.nextStreamId();
    await (await stream.connect(sender).createOpen(await open(overrides))).wait();
    return id;
  };
  const settlementOf = async (streamId: bigint, amount: bigint) => {
    const s = await stream.getStream(streamId);
    return {
      consumer: streamAddress,
      subject: await stream.subjectOf(streamId),
      payer: s.sender,
      payee: s.recipient,
      token: (await stream.amountsOf(streamId)).token,
      amount,
    };
  };
  const attest = async (streamId: bigint, amount: bigint, overrides: Partial<RiskAttestation> = {}) =>
    signedAttestationFor(ethers, risk, await settlementOf(streamId, amount), overrides);
  const post = async (streamId: bigint, amount: bigint, overrides: Partial<RiskAttestation> = {}) => {
    const signed = await attest(streamId, amount, overrides);
    await (await risk.oracle.postAttestation(signed.att, signed.signerSet, signed.signatures)).wait();
    return signed;
  };
  const plan = (overrides: Partial<PlanParams> = {}): PlanParams => ({
    kind: Kind.Flat,
    payer: Payer.Recipient,
    bps0: 1_500,
    bps1: 0,
    bps2: 0,
    bps3: 0,
    tierDuration: 0,
    tier1: 0n,
    tier2: 0n,
    tier3: 0n,
    ...overrides,
  });
  return {
    risk, usdc, stream, streamAddress, usdcAddress, owner, arbiter, sender, recipient, affiliate, other,
    now, linear, open, createLinear, createOpen, attest, post, plan, errs,
  };
}
