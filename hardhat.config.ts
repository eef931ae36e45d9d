import { createRequire } from "node:module";
import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { defineConfig } from "hardhat/config";

// The compiler comes from the npm `solc` package (solc-js), never from Hardhat's download:
// CI and developer machines have no internet beyond the npm registry.
const SOLC_VERSION = "0.8.28";
const require = createRequire(import.meta.url);
const solcPackage = require("solc/package.json") as { version: string };
if (solcPackage.version !== SOLC_VERSION) {
  throw new Error(`solc package is ${solcPackage.version} but hardhat.config.ts pins ${SOLC_VERSION}: run npm ci`);
}

const deep = process.env.RISKGATE_DEEP === "1";

export default defineConfig({
  plugins: [hardhatToolboxMochaEthers],
  solidity: {
    profiles: {
      default: {
        version: SOLC_VERSION,
        path: require.resolve("solc/soljson.js"),
        settings: { optimizer: { enabled: true, runs: 10_000 }, evmVersion: "prague" },
      },
      production: {
        version: SOLC_VERSION,
        path: require.resolve("solc/soljson.js"),
        settings: { optimizer: { enabled: true, runs: 10_000 }, evmVersion: "prague" },
      },
    },
  },
  paths: {
    tests: { mocha: "test/contracts", solidity: "test/solidity" },
  },
  test: {
    solidity: {
      fuzz: { runs: deep ? 10_000 : 1_000, seed: "0x5eed" },
      // Default profile (npm test) 256 x 64; deep (npm run test:deep) 256 x 100.
      invariant: { runs: 256, depth: deep ? 100 : 64, failOnRevert: false },
    },
  },
  networks: {
    hardhatMainnet: { type: "edr-simulated", chainType: "l1", hardfork: "prague" },
    localhost: { type: "http", chainType: "l1", url: process.env.RPC_URL ?? "http://127.0.0.1:8545" },
  },
});
