// The HTTP API's request and response schemas: the server validates with them and /openapi.json is
// generated from them (one source). Amounts travel as decimal strings of token units (bigint-safe).
import { z } from "zod";

export const Address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, "expected a 0x-prefixed 20-byte hex address")
  .transform((s) => s.toLowerCase() as `0x${string}`)
  .meta({ example: "0x70997970c51812dc3a010c7d01b50e0d17dc79c8" });
export const Bytes32 = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, "expected a 0x-prefixed 32-byte hex value")
  .transform((s) => s.toLowerCase() as `0x${string}`);
const UINT256_MAX = 2n ** 256n - 1n;
export const Amount = z
  .string()
  .regex(/^\d{1,78}$/, "expected a decimal string of token units")
  .transform((s) => BigInt(s))
  .refine((v) => v <= UINT256_MAX, "amount exceeds uint256")
  .meta({ description: "token units as a decimal string (1 USDC = \"1000000\")", example: "250000000" });
const Decimals = z.number().int().min(0).max(36).default(6);
const UnixSeconds = z.number().int().min(0).max(2 ** 40);

export const ScoreRequest = z.strictObject({
  payer: Address,
  payee: Address,
  token: Address,
  amount: Amount,
  decimals: Decimals.optional(),
  timestamp: UnixSeconds.optional().meta({ description: "unix seconds; default now" }),
});

export const Explanation = z.object({ feature: z.string(), contribution: z.number(), text: z.string() });
export const DecisionEnum = z.enum(["release", "hold", "freeze"]);

export const ScoreResponse = z.object({
  score: z.number().int().min(0).max(10000),
  reasons: z.number().int(),
  reasonNames: z.array(z.string()),
  decision: DecisionEnum,
  modelId: z.string(),
  explanation: z.array(Explanation),
});

export const AttestationRequest = z.strictObject({
  consumer: Address.meta({ description: "the contract that will verify it (PaymentEscrow / PaymentStream)" }),
  subject: Bytes32.meta({ description: "the settlement id, encoded as documented by the consumer" }),
  payer: Address,
  payee: Address,
  token: Address,
  amount: Amount,
  decimals: Decimals.optional(),
});

/** A RiskAttestation on the wire (uint64/uint256 as decimal strings). */
export const WireAttestation = z.strictObject({
  consumer: Address,
  subject: Bytes32,
  payer: Address,
  payee: Address,
  token: Address,
  amount: Amount,
  score: z.number().int().min(0).max(10000),
  reasons: z.number().int().min(0).max(0xffffffff),
  modelId: Bytes32,
  issuedAt: z.string().regex(/^\d{1,20}$/).transform((s) => BigInt(s)),
  expiresAt: z.string().regex(/^\d{1,20}$/).transform((s) => BigInt(s)),
  nonce: Bytes32,
});

const Hex = z.string().regex(/^0x([0-9a-fA-F]{2})*$/);

export const SignedAttestationResponse = z.object({
  uid: z.string(),
  attestation: z.record(z.string(), z.union([z.string(), z.number()])),
  signerSet: z.array(z.string()),
  signatures: z.array(Hex),
  threshold: z.number().int(),
  signed: z.number().int(),
  decision: DecisionEnum,
  status: z.string(),
});

export const CosignRequest = z.strictObject({
  chainId: z.number().int().positive(),
  oracle: Address,
  attestation: WireAttestation,
  blockNumber: z.number().int().min(0).optional().meta({ description: "block of the settlement's chain event: the co-signer scores as of at least this block" }),
});

export const CosignResponse = z.object({ signer: z.string(), signature: Hex, score: z.number().int() });

export const FlaggedQuery = z.strictObject({
  from: z.string().optional().meta({ description: "unix seconds or ISO date; default to - 30 days" }),
  to: z.string().optional().meta({ description: "unix seconds or ISO date; default now" }),
  format: z.enum(["json", "csv"]).default("json"),
});

export const ErrorResponse = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
