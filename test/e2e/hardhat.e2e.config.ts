// The e2e chain: the project's Hardhat config plus an `e2e` node network that accepts contracts over
// the EIP-170 size limit, so the daemon's e2e tests do not depend on whether every contract fits
// (test/e2e/chain.ts prints a warning for any contract that does not — a real deployment would fail).
import base from "../../hardhat.config.js";

export default {
  ...base,
  paths: { ...base.paths, root: "../.." },
  networks: {
    ...base.networks,
    e2e: { type: "edr-simulated", chainType: "l1", hardfork: "prague", allowUnlimitedContractSize: true },
  },
};
