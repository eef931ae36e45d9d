import type { Hex, LocalAccount } from "viem";
import { type RiskAttestation, type RiskgateDomain, riskAttestationPrimaryType, riskAttestationTypes } from "./typedData.js";

/** Any account that signs EIP-712 data (a viem local account, e.g. `privateKeyToAccount`). */
export type AttestationSigner = Pick<LocalAccount, "address" | "signTypedData">;

/**
 * Signs `att` under `domain` with `account`: a 65-byte `r ‖ s ‖ v` signature (low-s, v 27/28), to be put
 * in the slot of `account.address` in the oracle's ascending signer set.
 */
export async function signRiskAttestation(account: AttestationSigner, domain: RiskgateDomain, att: RiskAttestation): Promise<Hex> {
  return account.signTypedData({ domain, types: riskAttestationTypes, primaryType: riskAttestationPrimaryType, message: att });
}
