// viem clients, the wallet (an injected EIP-1193 wallet, or on the local chain a dev-account picker),
// and typed handles on the deployed contracts.
import { type Abi, type Address, type Chain, type EIP1193Provider, type PublicClient, type TransactionReceipt, type WalletClient, createPublicClient, createWalletClient, custom, defineChain, http, parseEventLogs } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import type { Deployments } from "../../deploy/types.js";
import type { AppConfig } from "./config.js";

/** Hardhat's well-known test mnemonic: its keys are public, so only ever offered on chain 31337. */
const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";
export const LOCAL_CHAIN_ID = 31337;

export const DEV_ACCOUNTS: { index: number; label: string }[] = [
  { index: 5, label: "Payer A" },
  { index: 6, label: "Payer B" },
  { index: 7, label: "Merchant" },
  { index: 4, label: "Arbiter" },
  { index: 8, label: "Sanctioned payee (deny list)" },
  { index: 0, label: "Deployer (faucet)" },
];

export const devAccount = (i: number) => mnemonicToAccount(HARDHAT_MNEMONIC, { addressIndex: i });

export type Wallet = { client: WalletClient; address: Address; kind: "injected" | "dev"; label: string };

export type Session = {
  cfg: AppConfig;
  d: Deployments;
  chain: Chain;
  publicClient: PublicClient;
  wallet?: Wallet;
  abi: { oracle: Abi; escrow: Abi; stream: Abi; token: Abi };
  addr: { oracle: Address; escrow: Address; stream: Address; token: Address };
};

export function createSession(cfg: AppConfig, d: Deployments): Session {
  const chain = defineChain({
    id: d.chainId,
    name: d.chainId === LOCAL_CHAIN_ID ? "Local Hardhat" : `Chain ${d.chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [cfg.rpcUrl] } },
  });
  const publicClient = createPublicClient({ chain, transport: http(cfg.rpcUrl), pollingInterval: 250 }) as PublicClient;
  const tokenAbi = (d.contracts.MockUSDC?.abi ?? erc20PermitAbi) as Abi;
  return {
    cfg,
    d,
    chain,
    publicClient,
    abi: { oracle: d.contracts.RiskOracle.abi as Abi, escrow: d.contracts.PaymentEscrow.abi as Abi, stream: d.contracts.PaymentStream.abi as Abi, token: tokenAbi },
    addr: { oracle: d.contracts.RiskOracle.address, escrow: d.contracts.PaymentEscrow.address, stream: d.contracts.PaymentStream.address, token: d.token as Address },
  };
}

export function injectedProvider(): EIP1193Provider | undefined {
  return (window as unknown as { ethereum?: EIP1193Provider }).ethereum;
}

export async function connectInjected(s: Session): Promise<Wallet> {
  const provider = injectedProvider();
  if (!provider) throw new Error("no injected wallet (EIP-1193) found in this browser");
  const client = createWalletClient({ chain: s.chain, transport: custom(provider) });
  const [address] = await client.requestAddresses();
  const chainId = await client.getChainId();
  if (chainId !== s.d.chainId) {
    try {
      await client.switchChain({ id: s.d.chainId });
    } catch {
      await client.addChain({ chain: s.chain });
    }
  }
  return { client, address, kind: "injected", label: "Injected wallet" };
}

export function connectDev(s: Session, index: number): Wallet {
  if (s.d.chainId !== LOCAL_CHAIN_ID) throw new Error("dev accounts exist on the local chain only");
  const account = devAccount(index);
  const client = createWalletClient({ account, chain: s.chain, transport: http(s.cfg.rpcUrl) });
  const label = DEV_ACCOUNTS.find((a) => a.index === index)?.label ?? `Account ${index}`;
  return { client, address: account.address, kind: "dev", label };
}

/** Sends a contract call from the connected wallet and waits for its receipt; throws on revert. */
export async function write(s: Session, address: Address, abi: Abi, functionName: string, args: unknown[], progress?: (t: string) => void) {
  if (!s.wallet) throw new Error("connect a wallet first");
  const { client, address: account } = s.wallet;
  // Simulate first: a revert is reported with its custom error before anything is signed.
  // "pending": the state and the time the transaction will actually see (streams accrue by the second).
  const { request } = await s.publicClient.simulateContract({ account, address, abi, functionName, args, blockTag: "pending" });
  const hash = await client.writeContract({ ...request, account: client.account ?? account, chain: s.chain } as never);
  progress?.(`sent ${hash.slice(0, 10)}…, waiting for the block`);
  const receipt = await s.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`transaction ${hash} reverted`);
  return receipt;
}

/** The first `eventName` event of `abi` in a receipt, decoded (e.g. the split a cancel made). */
export function eventIn<T>(receipt: TransactionReceipt, abi: Abi, eventName: string): T | undefined {
  const logs = parseEventLogs({ abi, logs: receipt.logs, eventName } as never) as unknown as { args: T }[];
  return logs[0]?.args;
}

const erc20PermitAbi = [
  { type: "function", name: "balanceOf", stateMutability: "view", inputs: [{ name: "a", type: "address" }], outputs: [{ type: "uint256" }] },
  { type: "function", name: "nonces", stateMutability: "view", inputs: [{ name: "o", type: "address" }], outputs: [{ type: "uint256" }] },
  { type: "function", name: "name", stateMutability: "view", inputs: [], outputs: [{ type: "string" }] },
  { type: "function", name: "version", stateMutability: "view", inputs: [], outputs: [{ type: "string" }] },
  { type: "function", name: "allowance", stateMutability: "view", inputs: [{ name: "o", type: "address" }, { name: "s", type: "address" }], outputs: [{ type: "uint256" }] },
  { type: "function", name: "approve", stateMutability: "nonpayable", inputs: [{ name: "s", type: "address" }, { name: "v", type: "uint256" }], outputs: [{ type: "bool" }] },
] as const;
