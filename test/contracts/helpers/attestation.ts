// Shared test helpers for everything that talks to the RiskOracle (escrow, stream, oracle tests).
// Attestations are signed with ethers v6 Wallets using THE schema of oracle/src/attestation/typedData.ts,
// so the contract tests exercise the same typed data the oracle daemon signs.
//
// Typical use in a consumer test:
//   const risk = await deployRiskOracle(ethers, { signers: 1, policies: { [await escrow.getAddress()]: DEFAULT_POLICY } });
//   const { att, signerSet, signatures } = await signAttestation(risk, await attestationFor(ethers, { consumer, subject, payer, payee, token, amount }));
//   await escrow.release(..., att, signerSet, signatures);            // pull (inline)
//   await risk.oracle.postAttestation(att, signerSet, signatures);    // push (posted), then escrow.release(...)
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { type BytesLike, Wallet, hexlify, id, randomBytes } from "ethers";
import {
  type RiskAttestation,
  type RiskgateDomain,
  riskAttestationTypes,
  riskgateDomain,
} from "../../../oracle/src/attestation/typedData.js";
import type { RiskOracle } from "../../../types/ethers-contracts/index.js";

export type { RiskAttestation, RiskgateDomain };

/** A consumer's risk policy as the oracle stores it. */
export type Policy = { allowBelow: number; freezeAt: number; holdWindow: number; enabled: boolean };

/** Release below 30.00%, hold (1 h) below 80.00%, freeze at or above. */
export const DEFAULT_POLICY: Policy = { allowBelow: 3_000, freezeAt: 8_000, holdWindow: 3_600, enabled: true };
/** Longest allowed `expiresAt - issuedAt` of a test oracle: 1 day. */
export const DEFAULT_MAX_VALIDITY = 86_400;
/** Default `expiresAt - issuedAt` of a test attestation: 10 minutes. */
export const DEFAULT_VALIDITY = 600n;
/** The modelId of test attestations. */
export const TEST_MODEL_ID = id("riskgate-test-model");

/** Decision enum of `Attestation.Decision`. */
export const Decision = { None: 0n, Release: 1n, Hold: 2n, Freeze: 3n } as const;

/** The EIP-712 types in the mutable shape ethers wants (same object content as the TS schema). */
export const ethersRiskAttestationTypes = { RiskAttestation: [...riskAttestationTypes.RiskAttestation] };

/** `n` deterministic oracle signer wallets, sorted ascending by address (the oracle's order). */
export function makeOracleSigners(n: number, seed = "riskgate-oracle-signer"): Wallet[] {
  const wallets = Array.from({ length: n }, (_, i) => new Wallet(id(`${seed}-${i}`)));
  return sortByAddress(wallets);
}

/** Sorts anything with an address ascending, as the oracle requires. */
export function sortByAddress<T extends { address: string }>(items: T[]): T[] {
  return [...items].sort((a, b) => {
    const x = BigInt(a.address);
    const y = BigInt(b.address);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/** Everything a test needs to sign for and call one deployed oracle. */
export type RiskOracleContext = {
  oracle: RiskOracle;
  address: string;
  domain: RiskgateDomain;
  /** Signing wallets, ascending; `signerSet` may also hold contract (ERC-1271) signers. */
  wallets: Wallet[];
  /** The oracle's signer set, strictly ascending (what `signers()` returns). */
  signerSet: string[];
  threshold: number;
  owner: HardhatEthersSigner;
  guardian: HardhatEthersSigner;
};

export type DeployRiskOracleOptions = {
  /** Wallets or a count of deterministic wallets (default 1). */
  signers?: Wallet[] | number;
  /** Contract signers (ERC-1271) added to the set beside the wallets. */
  contractSigners?: string[];
  /** Default 1. */
  threshold?: number;
  /** Default: ethers signer 0. */
  owner?: HardhatEthersSigner;
  /** Default: ethers signer 1. */
  guardian?: HardhatEthersSigner;
  maxValidity?: number;
  /** Policies to set, by consumer address. */
  policies?: Record<string, Policy>;
};

/** Deploys a RiskOracle with sorted test signers and optional consumer policies. */
export async function deployRiskOracle(ethers: HardhatEthers, options: DeployRiskOracleOptions = {}): Promise<RiskOracleContext> {
  const accounts = await ethers.getSigners();
  const owner = options.owner ?? accounts[0];
  const guardian = options.guardian ?? accounts[1];
  const wallets = typeof options.signers === "number" || options.signers === undefined
    ? makeOracleSigners(options.signers ?? 1)
    : sortByAddress(options.signers);
  const signerSet = sortByAddress([
    ...wallets.map((w) => ({ address: w.address })),
    ...(options.contractSigners ?? []).map((address) => ({ address })),
  ]).map((s) => s.address);
  const threshold = options.threshold ?? 1;
  const oracle = await ethers.deployContract(
    "RiskOracle",
    [owner.address, signerSet, threshold, guardian.address, options.maxValidity ?? DEFAULT_MAX_VALIDITY],
    owner,
  );
  await oracle.waitForDeployment();
  const address = await oracle.getAddress();
  for (const [consumer, policy] of Object.entries(options.policies ?? {})) {
    await (await oracle.connect(owner).setPolicy(consumer, policy)).wait();
  }
  const { chainId } = await ethers.provider.getNetwork();
  return { oracle, address, domain: riskgateDomain(chainId, address as `0x${string}`), wallets, signerSet, threshold, owner, guardian };
}

/** The settlement an attestation binds (what the consumer checks field by field). */
export type Settlement = {
  consumer: string;
  subject: BytesLike;
  payer: string;
  payee: string;
  token: string;
  amount: bigint;
};

/**
 * A default attestation for `settlement`: score 0, no reasons, TEST_MODEL_ID, issued at the latest block's
 * timestamp (valid in the next block), expiring DEFAULT_VALIDITY later, random nonce. Override any field.
 */
export async function attestationFor(
  ethers: HardhatEthers,
  settlement: Settlement,
  overrides: Partial<RiskAttestation> = {},
): Promise<RiskAttestation> {
  const latest = await ethers.provider.getBlock("latest");
  const issuedAt = overrides.issuedAt ?? BigInt(latest?.timestamp ?? 0);
  return {
    consumer: settlement.consumer as `0x${string}`,
    subject: hexlify(settlement.subject) as `0x${string}`,
    payer: settlement.payer as `0x${string}`,
    payee: settlement.payee as `0x${string}`,
    token: settlement.token as `0x${string}`,
    amount: settlement.amount,
    score: 0,
    reasons: 0,
    modelId: TEST_MODEL_ID as `0x${string}`,
    nonce: hexlify(randomBytes(32)) as `0x${string}`,
    ...overrides,
    issuedAt,
    expiresAt: overrides.expiresAt ?? issuedAt + DEFAULT_VALIDITY,
  };
}

/** An attestation ready to pass to `checkInline` / `postAttestation` / a consumer's release. */
export type SignedAttestation = {
  att: RiskAttestation;
  signerSet: string[];
  /** Aligned with `signerSet`; "0x" for a signer that did not sign. */
  signatures: string[];
};

/** EIP-712 signature of `att` by `wallet` under `domain` (ethers v6, same schema as the oracle daemon). */
export function signWithWallet(wallet: Wallet, domain: RiskgateDomain, att: RiskAttestation): Promise<string> {
  return wallet.signTypedData(domain, ethersRiskAttestationTypes, att);
}

/**
 * Signs `att` with `by` (default: the first `threshold` wallets) and aligns the signatures with the
 * oracle's signer set. `extra` puts given signature bytes into given signers' slots (ERC-1271, attacks).
 */
export async function signAttestation(
  ctx: Pick<RiskOracleContext, "domain" | "wallets" | "signerSet" | "threshold">,
  att: RiskAttestation,
  options: { by?: Wallet[]; extra?: Record<string, string>; domain?: RiskgateDomain } = {},
): Promise<SignedAttestation> {
  const by = options.by ?? ctx.wallets.slice(0, ctx.threshold);
  const domain = options.domain ?? ctx.domain;
  const bySigner = new Map<string, string>();
  for (const wallet of by) bySigner.set(wallet.address.toLowerCase(), await signWithWallet(wallet, domain, att));
  for (const [address, signature] of Object.entries(options.extra ?? {})) bySigner.set(address.toLowerCase(), signature);
  const signatures = ctx.signerSet.map((address) => bySigner.get(address.toLowerCase()) ?? "0x");
  return { att, signerSet: [...ctx.signerSet], signatures };
}

/** Shortcut: a default attestation for `settlement`, signed by the first `threshold` wallets. */
export async function signedAttestationFor(
  ethers: HardhatEthers,
  ctx: RiskOracleContext,
  settlement: Settlement,
  overrides: Partial<RiskAttestation> = {},
): Promise<SignedAttestation> {
  return signAttestation(ctx, await attestationFor(ethers, settlement, overrides));
}

/** Push mode: signs and posts a verdict for `settlement`; returns what was posted. */
export async function postVerdict(
  ethers: HardhatEthers,
  ctx: RiskOracleContext,
  settlement: Settlement,
  overrides: Partial<RiskAttestation> = {},
): Promise<SignedAttestation> {
  const signed = await signedAttestationFor(ethers, ctx, settlement, overrides);
  await (await ctx.oracle.postAttestation(signed.att, signed.signerSet, signed.signatures)).wait();
  return signed;
}

/** Flips `s` to `n - s` and `v` 27 <-> 28: the malleable twin of a valid 65-byte signature. */
export function highS(signature: string): string {
  const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
  const bytes = signature.slice(2);
  const r = bytes.slice(0, 64);
  const s = BigInt(`0x${bytes.slice(64, 128)}`);
  const v = Number.parseInt(bytes.slice(128, 130), 16);
  const flipped = (n - s).toString(16).padStart(64, "0");
  return `0x${r}${flipped}${(v === 27 ? 28 : 27).toString(16)}`;
}
