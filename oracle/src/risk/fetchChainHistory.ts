// Reads an account's history from any EVM JSON-RPC endpoint: ERC-20 Transfer logs (from or to the
// address) and plain ETH transactions / contract creations by scanning the last `maxBlocks` blocks
// (fine for a local chain; production indexes blocks into the store instead).
import { createPublicClient, http, parseAbiItem, type Address, type PublicClient } from "viem";
import type { Transfer } from "./types.js";

const TRANSFER = parseAbiItem("event Transfer(address indexed from, address indexed to, uint256 value)");
const DECIMALS = [parseAbiItem("function decimals() view returns (uint8)")] as const;

export async function fetchChainHistory(rpcUrl: string, addresses: Address[], opts: { maxBlocks?: number } = {}): Promise<Transfer[]> {
  const client = createPublicClient({ transport: http(rpcUrl) }) as PublicClient;
  const head = await client.getBlockNumber();
  const from = head > BigInt(opts.maxBlocks ?? 2000) ? head - BigInt(opts.maxBlocks ?? 2000) : 0n;
  const mine = new Set(addresses.map((a) => a.toLowerCase()));
  const out: Transfer[] = [];
  const codeCache = new Map<string, boolean>();
  const isContract = async (a: Address): Promise<boolean> => {
    const k = a.toLowerCase();
    if (!codeCache.has(k)) {
      const code = await client.getCode({ address: a }).catch(() => undefined);
      codeCache.set(k, !!code && code !== "0x");
    }
    return codeCache.get(k)!;
  };
  const decimalsCache = new Map<string, number>();
  const decimalsOf = async (token: Address): Promise<number> => {
    const k = token.toLowerCase();
    if (!decimalsCache.has(k)) {
      const d = await client.readContract({ address: token, abi: DECIMALS, functionName: "decimals" }).catch(() => 18);
      decimalsCache.set(k, Number(d));
    }
    return decimalsCache.get(k)!;
  };
  const times = new Map<bigint, number>();
  for (let b = from; b <= head; b++) {
    const block = await client.getBlock({ blockNumber: b, includeTransactions: true });
    times.set(b, Number(block.timestamp));
    for (const tx of block.transactions) {
      const f = tx.from.toLowerCase();
      const t = tx.to?.toLowerCase();
      if (!mine.has(f) && !(t && mine.has(t))) continue;
      if (tx.to === null) {
        const receipt = await client.getTransactionReceipt({ hash: tx.hash });
        if (receipt.contractAddress) out.push({ from: tx.from, to: receipt.contractAddress, value: tx.value, token: null, decimals: 18, timestamp: Number(block.timestamp), blockNumber: Number(b), isContractCreation: true, toIsContract: true });
        continue;
      }
      if (tx.value === 0n && tx.input !== "0x") continue; // a contract call without ETH
      out.push({ from: tx.from, to: tx.to, value: tx.value, token: null, decimals: 18, timestamp: Number(block.timestamp), blockNumber: Number(b), toIsContract: await isContract(tx.to) });
    }
  }
  for (const a of addresses) {
    for (const args of [{ from: a }, { to: a }]) {
      const logs = await client.getLogs({ event: TRANSFER, args, fromBlock: from, toBlock: head });
      for (const l of logs) {
        if (l.args.from === undefined || l.args.to === undefined || l.args.value === undefined || l.blockNumber === null) continue;
        if (!times.has(l.blockNumber)) times.set(l.blockNumber, Number((await client.getBlock({ blockNumber: l.blockNumber })).timestamp));
        out.push({ from: l.args.from, to: l.args.to, value: l.args.value, token: l.address, decimals: await decimalsOf(l.address), timestamp: times.get(l.blockNumber) ?? 0, blockNumber: Number(l.blockNumber), toIsContract: await isContract(l.args.to) });
      }
    }
  }
  return out.sort((x, y) => x.timestamp - y.timestamp || x.blockNumber - y.blockNumber);
}
