// Deploys the Riskgate suite and writes deployments/<chainId>.json.
//   npx hardhat run scripts/deploy.ts                       (in-process chain, a dry run)
//   npx hardhat run scripts/deploy.ts --network localhost   (RPC_URL, default http://127.0.0.1:8545)
// Parameters: deploy/parameters/<network>.json, or the file named by RISKGATE_DEPLOY_PARAMS.
import hre from "hardhat";
import { deployRiskgate, oversizedContracts } from "../deploy/deployRiskgate.js";

const over = await oversizedContracts(hre, ["RiskOracle", "PaymentEscrow", "PaymentStream", "StreamOps", "MockUSDC"]);
if (over.length > 0) {
  console.error(`warning: over EIP-170's 24,576 bytes, will not deploy where the limit holds: ${over.map((o) => `${o.name} (${o.size})`).join(", ")}`);
}
const connection = await hre.network.create();
const d = await deployRiskgate({ connection: connection as never, hre });
console.log(`Riskgate deployed on chain ${d.chainId} (${d.network}):`);
for (const [name, c] of Object.entries(d.contracts)) console.log(`  ${name.padEnd(14)} ${c.address}`);
console.log(`  signers ${d.signers.join(", ")} (threshold ${d.threshold})`);
await connection.close();
