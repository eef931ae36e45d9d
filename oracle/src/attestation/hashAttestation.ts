import { type Hex, hashTypedData } from "viem";
import { type RiskAttestation, type RiskgateDomain, riskAttestationPrimaryType, riskAttestationTypes } from "./typedData.js";

/** The EIP-712 digest of `att` under `domain`: what operators sign and the attestation's on-chain uid. */
export function hashRiskAttestation(domain: RiskgateDomain, att: RiskAttestation): Hex {
  return hashTypedData({ domain, types: riskAttestationTypes, primaryType: riskAttestationPrimaryType, message: att });
}
