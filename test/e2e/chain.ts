// e2e helpers: a real `hardhat node` on a free loopback port, and the Riskgate contracts deployed on it
// from the Hardhat artifacts with viem.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import {
  type Abi,
  type Address,
  type Hex,
  createPublicClient,
  createTestClient,
  createWalletClient,
  http,
  type PublicClient,
  zeroAddress,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { mockUSDCAbi } from "../../oracle/src/chain/abis/mockUSDCAbi.js";
import { paymentEscrowAbi } from "../../oracle/src/chain/abis/paymentEscrowAbi.js";
import { paymentStreamAbi } from "../../oracle/src/chain/abis/paymentStreamAbi.js";
import { riskOracleAbi } from "../../oracle/src/chain/abis/riskOracleAbi.js";

const root = join(import.meta.dirname, "..", "..");

/** Hardhat node default accounts #0 (deployer/owner), #4 (payer), #5 (payee), #6 (arbiter). */
export const KEYS = {
  deployer: "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  payer: "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
  payee: "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
  arbiter: "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
} as const satisfies Record<string, Hex>;

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

export type HardhatNode = { rpcUrl: string; port: number; child: ChildProcess; stop(): Promise<void> };

export async function startHardhatNode(port?: number): Promise<HardhatNode> {
  const p = port ?? (await freePort());
  const bin = join(root, "node_modules", "hardhat", "dist", "src", "cli.js");
  const config = join(root, "test", "e2e", "hardhat.e2e.config.ts");
  const child = spawn(process.execPath, [bin, "--config", config, "--network", "e2e", "node", "--port", String(p), "--hostname", "127.0.0.1"], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout!.on("data", (c) => (log = (log + c).slice(-4000)));
  child.stderr!.on("data", (c) => (log = (log + c).slice(-4000)));
  const rpcUrl = `http://127.0.0.1:${p}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`hardhat node exited: ${log}`);
    const ok = await fetch(rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body: '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' })
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`hardhat node did not start: ${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    rpcUrl,
    port: p,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

const EIP170_LIMIT = 24_576;

type LinkReferences = Record<string, Record<string, { start: number; length: number }[]>>;

/** Creation bytecode, with external libraries linked from `libraries` (name → deployed address). */
function bytecodeOf(file: string, name: string, libraries: Record<string, Address> = {}): Hex {
  const a = JSON.parse(readFileSync(join(root, "artifacts", "contracts", file, `${name}.json`), "utf8")) as {
    bytecode: Hex;
    deployedBytecode: Hex;
    linkReferences: LinkReferences;
  };
  const size = (a.deployedBytecode.length - 2) / 2;
  if (size > EIP170_LIMIT) console.warn(`e2e: WARNING ${name} runtime code is ${size} bytes > ${EIP170_LIMIT} (EIP-170): it would not deploy on a real chain`);
  let code = a.bytecode.slice(2);
  for (const libs of Object.values(a.linkReferences ?? {})) {
    for (const [lib, refs] of Object.entries(libs)) {
      const address = libraries[lib];
      if (!address) throw new Error(`${name} needs library ${lib}`);
      for (const { start, length } of refs) code = code.slice(0, start * 2) + address.slice(2).toLowerCase() + code.slice((start + length) * 2);
    }
  }
  return `0x${code}`;
}

export type Stack = {
  publicClient: PublicClient;
  usdc: Address;
  oracle: Address;
  escrow: Address;
  stream: Address;
  chainId: number;
};

export async function deployStack(rpcUrl: string, p: { signers: Address[]; threshold: number; policy: { allowBelow: number; freezeAt: number; holdWindow: number } }): Promise<Stack> {
  const transport = http(rpcUrl);
  const publicClient = createPublicClient({ chain: hardhat, transport, pollingInterval: 50 }) as PublicClient;
  const owner = privateKeyToAccount(KEYS.deployer);
  const wallet = createWalletClient({ account: owner, chain: hardhat, transport });
  async function deploy(abi: Abi, bytecode: Hex, args: unknown[]): Promise<Address> {
    const hash = await wallet.deployContract({ abi, bytecode, args });
    const r = await publicClient.waitForTransactionReceipt({ hash });
    return r.contractAddress!;
  }
  async function send(address: Address, abi: Abi, functionName: string, args: unknown[], account = owner) {
    const w = createWalletClient({ account, chain: hardhat, transport });
    const hash = await w.writeContract({ address, abi, functionName, args } as never);
    const r = await publicClient.waitForTransactionReceipt({ hash });
    if (r.status !== "success") throw new Error(`${functionName} reverted`);
    return r;
  }
  const sorted = [...p.signers].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));
  // Every operator pays gas for the posts it leads.
  for (const s of sorted) {
    const hash = await wallet.sendTransaction({ to: s, value: 10n ** 19n });
    await publicClient.waitForTransactionReceipt({ hash });
  }
  const usdc = await deploy(mockUSDCAbi as Abi, bytecodeOf("mocks/MockUSDC.sol", "MockUSDC"), [owner.address]);
  const oracle = await deploy(riskOracleAbi as Abi, bytecodeOf("RiskOracle.sol", "RiskOracle"), [owner.address, sorted, p.threshold, owner.address, 3600]);
  const escrow = await deploy(paymentEscrowAbi as Abi, bytecodeOf("PaymentEscrow.sol", "PaymentEscrow"), [owner.address, oracle, owner.address]);
  const streamOps = await deploy([] as Abi, bytecodeOf("libraries/StreamOps.sol", "StreamOps"), []);
  const stream = await deploy(paymentStreamAbi as Abi, bytecodeOf("PaymentStream.sol", "PaymentStream", { StreamOps: streamOps }), [
    oracle,
    owner.address,
    privateKeyToAccount(KEYS.arbiter).address,
  ]);
  await send(escrow, paymentEscrowAbi as Abi, "setTokenAllowed", [usdc, true]);
  await send(stream, paymentStreamAbi as Abi, "allowToken", [usdc]);
  await send(oracle, riskOracleAbi as Abi, "setPolicy", [escrow, { ...p.policy, enabled: true }]);
  await send(oracle, riskOracleAbi as Abi, "setPolicy", [stream, { ...p.policy, enabled: true }]);
  const payer = privateKeyToAccount(KEYS.payer);
  await send(usdc, mockUSDCAbi as Abi, "mint", [payer.address, 1_000_000_000_000n]);
  await send(usdc, mockUSDCAbi as Abi, "approve", [escrow, 2n ** 255n], payer);
  await send(usdc, mockUSDCAbi as Abi, "approve", [stream, 2n ** 255n], payer);
  return { publicClient, usdc, oracle, escrow, stream, chainId: hardhat.id };
}

/** Creates a funded escrow from the payer; returns its id. */
export async function createEscrow(rpcUrl: string, s: Stack, p: { payee: Address; amounts: bigint[] }): Promise<bigint> {
  const payer = privateKeyToAccount(KEYS.payer);
  const w = createWalletClient({ account: payer, chain: hardhat, transport: http(rpcUrl) });
  const now = (await s.publicClient.getBlock()).timestamp;
  const { result, request } = await s.publicClient.simulateContract({
    account: payer,
    address: s.escrow,
    abi: paymentEscrowAbi,
    functionName: "createEscrow",
    args: [{ payee: p.payee, token: s.usdc, amounts: p.amounts, deadline: Number(now + 86_400n), arbiter: privateKeyToAccount(KEYS.arbiter).address, referrer: "0x0000000000000000000000000000000000000000" }],
  });
  const hash = await w.writeContract(request);
  await s.publicClient.waitForTransactionReceipt({ hash });
  return result;
}

/** Creates a linear stream (no unattested allowance) from the payer; returns its id and end time. */
export async function createLinearStream(rpcUrl: string, s: Stack, p: { recipient: Address; deposit: bigint; seconds: number }): Promise<{ id: bigint; endTime: number }> {
  const payer = privateKeyToAccount(KEYS.payer);
  const w = createWalletClient({ account: payer, chain: hardhat, transport: http(rpcUrl) });
  const now = Number((await s.publicClient.getBlock()).timestamp);
  const params = {
    recipient: p.recipient,
    token: s.usdc,
    deposit: p.deposit,
    startTime: now,
    cliffTime: 0,
    endTime: now + p.seconds,
    cliffAmount: 0n,
    cancelable: true,
    unattestedAllowance: 0,
    referralBudget: 0n,
    affiliate: zeroAddress,
    planId: 0,
  };
  const { result, request } = await s.publicClient.simulateContract({ account: payer, address: s.stream, abi: paymentStreamAbi, functionName: "createLinear", args: [params] });
  const hash = await w.writeContract(request);
  await s.publicClient.waitForTransactionReceipt({ hash });
  return { id: result, endTime: params.endTime };
}

export function testClient(rpcUrl: string) {
  return createTestClient({ chain: hardhat, mode: "hardhat", transport: http(rpcUrl) });
}

/** Creates an open-ended stream from the payer (rate in 18-decimal token units per second); returns its id. */
export async function createOpenStream(rpcUrl: string, s: Stack, p: { recipient: Address; ratePerSecond: bigint; deposit: bigint; unattestedAllowance: number }): Promise<bigint> {
  const payer = privateKeyToAccount(KEYS.payer);
  const w = createWalletClient({ account: payer, chain: hardhat, transport: http(rpcUrl) });
  const params = { recipient: p.recipient, token: s.usdc, ratePerSecond: p.ratePerSecond, deposit: p.deposit, unattestedAllowance: p.unattestedAllowance, referralBudget: 0n, affiliate: zeroAddress, planId: 0 };
  const { result, request } = await s.publicClient.simulateContract({ account: payer, address: s.stream, abi: paymentStreamAbi, functionName: "createOpen", args: [params] });
  const hash = await w.writeContract(request);
  await s.publicClient.waitForTransactionReceipt({ hash });
  return result;
}

/** Tops up an open-ended stream from the payer. */
export async function depositStream(rpcUrl: string, s: Stack, id: bigint, amount: bigint): Promise<void> {
  const payer = privateKeyToAccount(KEYS.payer);
  const w = createWalletClient({ account: payer, chain: hardhat, transport: http(rpcUrl) });
  const hash = await w.writeContract({ address: s.stream, abi: paymentStreamAbi, functionName: "deposit", args: [id, amount] });
  const r = await s.publicClient.waitForTransactionReceipt({ hash });
  if (r.status !== "success") throw new Error("deposit reverted");
}

/** The recipient withdraws `amount` from stream `id` against the verdict posted with cap `cap`; returns the receipt. */
export async function withdrawWithPosted(rpcUrl: string, s: Stack, id: bigint, amount: bigint, cap: bigint) {
  const recipient = privateKeyToAccount(KEYS.payee);
  const w = createWalletClient({ account: recipient, chain: hardhat, transport: http(rpcUrl) });
  const { request } = await s.publicClient.simulateContract({ account: recipient, address: s.stream, abi: paymentStreamAbi, functionName: "withdrawWithPosted", args: [id, recipient.address, amount, cap] });
  const hash = await w.writeContract(request);
  return s.publicClient.waitForTransactionReceipt({ hash });
}

/** Sets the next block's timestamp to `timestamp` and mines it. */
export async function mineAt(rpcUrl: string, timestamp: number | bigint): Promise<void> {
  const test = testClient(rpcUrl);
  await test.setNextBlockTimestamp({ timestamp: BigInt(timestamp) });
  await test.mine({ blocks: 1 });
}
