// Gate rule G14.4: at start-up, the daemon's attestation TTL and the consumers it serves are checked
// against the RiskOracle, so a configuration the chain would refuse never starts:
//   - ATTESTATION_TTL <= the oracle's `maxValidity()` (otherwise `RiskOracle_ValidityTooLong` on every
//     attestation, posted or inline);
//   - each configured consumer (ESCROW_ADDRESS, STREAM_ADDRESS) has an enabled policy (`policyOf`),
//     otherwise the oracle refuses every verdict for it.
// Either failure is a ConfigError: one line naming the option and the fix. The TTL, `maxValidity` and
// each consumer's hold window are returned for the start-up log. A Hold does not depend on the TTL
// (docs/gate.md G4: recorded at first presentation, re-checked at the end of the window), so a hold
// window longer than the TTL is fine.
import type { Address, PublicClient } from "viem";
import type { Config } from "../config.js";
import { ConfigError } from "../errors.js";
import { riskOracleAbi } from "./abis/riskOracleAbi.js";

export type OracleSettings = {
  maxValidity: number;
  policies: { option: "ESCROW_ADDRESS" | "STREAM_ADDRESS"; consumer: Address; allowBelow: number; freezeAt: number; holdWindow: number }[];
};

export async function checkOracleSettings(
  client: PublicClient,
  oracle: Address,
  config: Pick<Config, "attestationTtl" | "escrowAddress" | "streamAddress">,
): Promise<OracleSettings> {
  const consumers = (
    [
      ["ESCROW_ADDRESS", config.escrowAddress],
      ["STREAM_ADDRESS", config.streamAddress],
    ] as const
  ).filter((c): c is readonly ["ESCROW_ADDRESS" | "STREAM_ADDRESS", Address] => !!c[1]);
  const [maxValidity, ...policies] = await Promise.all([
    client.readContract({ address: oracle, abi: riskOracleAbi, functionName: "maxValidity" }),
    ...consumers.map(([, consumer]) => client.readContract({ address: oracle, abi: riskOracleAbi, functionName: "policyOf", args: [consumer] })),
  ]);
  const max = Number(maxValidity);
  if (config.attestationTtl > max)
    throw new ConfigError(
      `config: ATTESTATION_TTL (--attestation-ttl) = ${config.attestationTtl} exceeds the RiskOracle's maxValidity ${max} s, so it would refuse every attestation: set ATTESTATION_TTL <= ${max}`,
    );
  const out: OracleSettings = { maxValidity: max, policies: [] };
  consumers.forEach(([option, consumer], i) => {
    const p = policies[i] as { allowBelow: number; freezeAt: number; holdWindow: number; enabled: boolean };
    if (!p.enabled)
      throw new ConfigError(
        `config: ${option} (--${option.toLowerCase().replace("_", "-")}) = ${consumer} has no enabled policy on the RiskOracle ${oracle}, so it would refuse every verdict for it: the oracle owner must call setPolicy for it, or unset ${option}`,
      );
    out.policies.push({ option, consumer, allowBelow: Number(p.allowBelow), freezeAt: Number(p.freezeAt), holdWindow: Number(p.holdWindow) });
  });
  return out;
}
