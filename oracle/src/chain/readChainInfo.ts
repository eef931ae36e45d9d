// Reads the chain id and the RiskOracle's signer set + threshold (the EIP-712 domain and what the
// signatures must be aligned with).
import type { Address, PublicClient } from "viem";
import type { ChainInfo } from "../context.js";
import { ConfigError } from "../errors.js";
import { riskOracleAbi } from "./abis/riskOracleAbi.js";

export async function readChainInfo(client: PublicClient, oracle: Address, expectedChainId?: number): Promise<ChainInfo> {
  const chainId = await client.getChainId();
  if (expectedChainId !== undefined && expectedChainId !== chainId)
    throw new ConfigError(`config: CHAIN_ID is ${expectedChainId} but the RPC serves chain ${chainId}`);
  const code = await client.getCode({ address: oracle });
  if (!code || code === "0x") throw new ConfigError(`config: no contract at ORACLE_ADDRESS ${oracle} on chain ${chainId}`);
  const [signers, threshold] = await Promise.all([
    client.readContract({ address: oracle, abi: riskOracleAbi, functionName: "signers" }),
    client.readContract({ address: oracle, abi: riskOracleAbi, functionName: "threshold" }),
  ]);
  return { chainId, oracle, signers: [...signers], threshold: Number(threshold) };
}
