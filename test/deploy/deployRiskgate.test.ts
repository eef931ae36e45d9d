// Deploys the suite with the Ignition module on the in-process chain and checks the wiring on-chain
// and the deployments file.
//   PATH=$PWD/node_modules/.bin:$PATH node --import tsx --test test/deploy/deployRiskgate.test.ts
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import hre from "hardhat";
import { deployRiskgate, oversizedContracts, sortSigners, type Deployments } from "../../deploy/deployRiskgate.js";

describe("deployRiskgate (in-process chain)", () => {
  let connection: Awaited<ReturnType<typeof hre.network.create>>;
  let d: Deployments;
  let outDir: string;

  before(async () => {
    outDir = mkdtempSync(path.join(tmpdir(), "riskgate-deploy-"));
    // The code size limit is lifted here: this suite checks the wiring and may run on coverage-instrumented
    // artifacts, which are bigger; `oversizedContracts` below reports sizes, and the demo deploys with the limit.
    connection = await hre.network.create({ override: { allowUnlimitedContractSize: true } });
    d = await deployRiskgate({ connection: connection as never, hre, parametersPath: "deploy/parameters/localhost.json", outDir });
  });
  after(async () => {
    await connection.close();
    rmSync(outDir, { recursive: true, force: true });
  });

  it("writes one deployments file with every address and ABI", () => {
    const file = JSON.parse(readFileSync(path.join(outDir, `${d.chainId}.json`), "utf8")) as Deployments;
    assert.equal(file.chainId, 31337);
    for (const name of ["RiskOracle", "PaymentEscrow", "PaymentStream", "MockUSDC"] as const) {
      assert.match(file.contracts[name]!.address, /^0x[0-9a-fA-F]{40}$/, name);
      assert.ok(file.contracts[name]!.abi.length > 5, `${name} ABI`);
    }
    assert.equal(file.token, file.contracts.MockUSDC!.address);
  });

  it("exports PaymentStream's ABI with the errors its linked StreamOps library reverts with", async () => {
    const abi = d.contracts.PaymentStream.abi as { type: string; name?: string }[];
    const errors = new Set(abi.filter((x) => x.type === "error").map((x) => x.name));
    const library = (await hre.artifacts.readArtifact("contracts/libraries/StreamOps.sol:StreamOps")).abi as { type: string; name?: string }[];
    for (const e of library.filter((x) => x.type === "error")) assert.ok(errors.has(e.name), `${e.name} missing`);
    assert.ok(errors.has("PaymentStream_StreamNotCancelable"), "a library-only error");
    assert.equal(abi.filter((x) => x.type === "function" && x.name === "cancel").length, 1, "no library functions merged");
  });

  it("deploys the oracle with the sorted 2-of-3 signer set from the parameters", async () => {
    const oracle = await connection.ethers.getContractAt("RiskOracle", d.contracts.RiskOracle.address);
    const onChain = [...((await oracle.signers()) as string[])];
    assert.deepEqual(onChain, d.signers);
    assert.deepEqual(onChain, sortSigners(onChain));
    assert.equal(onChain.length, 3);
    assert.equal(Number(await oracle.threshold()), 2);
  });

  it("sets the risk policy of both consumers", async () => {
    const oracle = await connection.ethers.getContractAt("RiskOracle", d.contracts.RiskOracle.address);
    for (const consumer of [d.contracts.PaymentEscrow.address, d.contracts.PaymentStream.address]) {
      const p = await oracle.policyOf(consumer);
      assert.equal(p.enabled, true);
      assert.equal(Number(p.allowBelow), d.policy.allowBelow);
      assert.equal(Number(p.freezeAt), d.policy.freezeAt);
      assert.equal(Number(p.holdWindow), d.policy.holdWindow);
    }
  });

  it("allow-lists the token in both consumers", async () => {
    const escrow = await connection.ethers.getContractAt("PaymentEscrow", d.contracts.PaymentEscrow.address);
    const stream = await connection.ethers.getContractAt("PaymentStream", d.contracts.PaymentStream.address);
    assert.equal(await escrow.isTokenAllowed(d.token), true);
    assert.equal((await stream.tokenConfigOf(d.token)).allowed, true);
    assert.equal(await escrow.isTokenAllowed(d.contracts.RiskOracle.address), false);
  });

  it("reports the contracts whose runtime code exceeds EIP-170 (they cannot deploy on a real chain)", async () => {
    const names = ["RiskOracle", "PaymentEscrow", "PaymentStream", "StreamOps", "MockUSDC"];
    const over = await oversizedContracts(hre, names);
    for (const name of names) {
      if (!(await hre.artifacts.artifactExists(name))) continue;
      const size = ((await hre.artifacts.readArtifact(name)).deployedBytecode.length - 2) / 2;
      assert.equal(over.some((o) => o.name === name), size > 24_576, `${name}: ${size} bytes`);
    }
    if (over.length > 0) process.stderr.write(`EIP-170: over 24,576 bytes: ${over.map((o) => `${o.name} ${o.size}`).join(", ")}\n`);
  });

  it("test_RevertWhen_SignerSetHasDuplicates", () => {
    assert.throws(() => sortSigners(["0x0000000000000000000000000000000000000002", "0x0000000000000000000000000000000000000002"]), /duplicate/);
  });
});
