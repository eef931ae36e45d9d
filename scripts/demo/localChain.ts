// A local Hardhat chain (EDR) served over JSON-RPC on 127.0.0.1, as its own process:
//   node --import tsx scripts/demo/localChain.ts [port]      (port 0 = any free port)
// Prints one line `RISKGATE_CHAIN_READY <url>` when it listens; stops on SIGTERM/SIGINT.
// Same chain as `hardhat node` (chain id 31337, the 20 default accounts unlocked) on any free port, printing
// its URL, so the demo never collides with a node already running. EIP-170's code size limit holds, as on
// a real chain (the demo builds the contracts first: coverage-instrumented artifacts would not fit).
import hre from "hardhat";

const port = Number(process.argv[2] ?? 0);
const server = await hre.network.createServer({ network: "default" }, "127.0.0.1", port);
const { address, port: actual } = await server.listen();
console.log(`RISKGATE_CHAIN_READY http://${address}:${actual}`);

const stop = async (): Promise<void> => {
  await server.close();
  process.exit(0);
};
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
