// THE single TypeScript source of the Riskgate EIP-712 schema. The Solidity twin is
// contracts/types/Attestation.sol + contracts/libraries/AttestationHash.sol; the digest parity test
// (test/contracts/RiskOracle/typedData.test.ts) proves both produce the same digest.
// Field order and types are the typed-data schema: never change them.
import type { Address, Hex } from "viem";

/** EIP-712 domain name of every Riskgate oracle. */
export const RISKGATE_DOMAIN_NAME = "Riskgate";
/** EIP-712 domain version. */
export const RISKGATE_DOMAIN_VERSION = "1";
/** The primary type signed by oracle operators. */
export const riskAttestationPrimaryType = "RiskAttestation";

/** The EIP-712 types (viem `types`; for ethers spread the array: `{ RiskAttestation: [...] }`). */
export const riskAttestationTypes = {
  RiskAttestation: [
    { name: "consumer", type: "address" },
    { name: "subject", type: "bytes32" },
    { name: "payer", type: "address" },
    { name: "payee", type: "address" },
    { name: "token", type: "address" },
    { name: "amount", type: "uint256" },
    { name: "score", type: "uint16" },
    { name: "reasons", type: "uint32" },
    { name: "modelId", type: "bytes32" },
    { name: "issuedAt", type: "uint64" },
    { name: "expiresAt", type: "uint64" },
    { name: "nonce", type: "bytes32" },
  ],
} as const;

/** The EIP-712 type string (its keccak256 is `AttestationHash.TYPEHASH`). */
export const riskAttestationTypeString =
  "RiskAttestation(address consumer,bytes32 subject,address payer,address payee,address token,uint256 amount," +
  "uint16 score,uint32 reasons,bytes32 modelId,uint64 issuedAt,uint64 expiresAt,bytes32 nonce)";

/**
 * A risk attestation (viem conventions: uint64/uint256 → bigint, uint16/uint32 → number).
 * `score` is basis points 0..10_000, `reasons` a bitmask (docs/reason-codes.md), times in seconds.
 */
export type RiskAttestation = {
  consumer: Address;
  subject: Hex;
  payer: Address;
  payee: Address;
  token: Address;
  amount: bigint;
  score: number;
  reasons: number;
  modelId: Hex;
  issuedAt: bigint;
  expiresAt: bigint;
  nonce: Hex;
};

/** The EIP-712 domain of one RiskOracle deployment. */
export type RiskgateDomain = {
  name: typeof RISKGATE_DOMAIN_NAME;
  version: typeof RISKGATE_DOMAIN_VERSION;
  chainId: number;
  verifyingContract: Address;
};

/** The domain of the RiskOracle at `verifyingContract` on `chainId`. */
export function riskgateDomain(chainId: number | bigint, verifyingContract: Address): RiskgateDomain {
  const id = Number(chainId);
  if (!Number.isSafeInteger(id) || id <= 0) throw new RangeError(`riskgateDomain: invalid chainId ${chainId}`);
  return { name: RISKGATE_DOMAIN_NAME, version: RISKGATE_DOMAIN_VERSION, chainId: id, verifyingContract };
}
