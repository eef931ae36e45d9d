// Deploys the Riskgate suite with Hardhat Ignition on one network connection and writes the one
// deployments file (addresses + ABIs) that the oracle daemon, the demo and the web app read.
import { existsSync, mkdirSync, readFileSync, rmSync, rmdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { NetworkConnection } from "hardhat/types/network";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { RISKGATE_LOCAL_MODULE_ID, RISKGATE_MODULE_ID, RiskgateLocalModule, RiskgateModule } from "./modules/Riskgate.js";
import { LINKED_LIBRARIES, withLinkedLibraries } from "./linkedAbi.js";
import type { Deployments, DeploymentParameters } from "./types.js";

export type { Deployments, DeployedContract, DeploymentParameters } from "./types.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/** Hardhat's chain id for its in-process and `hardhat node` chains. */
export const LOCAL_CHAIN_ID = 31337;

export type DeployRiskgateParameters = {
  /** The connection (`await hre.network.create(...)`) with the ignition-ethers plugin. */
  connection: NetworkConnection & { ignition: { deploy: (...args: never[]) => Promise<unknown> } };
  /** For the artifacts (ABIs). */
  hre: Pick<HardhatRuntimeEnvironment, "artifacts">;
  /** Parameter file; default `deploy/parameters/<networkName>.json` (env RISKGATE_DEPLOY_PARAMS overrides). */
  parametersPath?: string;
  /** Values that replace the file's (e.g. the demo's operator addresses). */
  overrides?: Partial<DeploymentParameters>;
  /** Where `<chainId>.json` is written; default `deployments/`. `null` writes nothing. */
  outDir?: string | null;
  /** The RPC URL written into the file for readers (the web app), if known. */
  rpcUrl?: string;
};

/** Reads and validates the module's section of a parameter file; signers come back sorted ascending. */
export function readDeploymentParameters(file: string, local: boolean): DeploymentParameters {
  const json = JSON.parse(readFileSync(file, "utf8")) as Record<string, Record<string, unknown>>;
  const section = json[local ? RISKGATE_LOCAL_MODULE_ID : RISKGATE_MODULE_ID];
  if (!section) throw new Error(`${file}: no "${local ? RISKGATE_LOCAL_MODULE_ID : RISKGATE_MODULE_ID}" section`);
  return section as unknown as DeploymentParameters;
}

/** Strictly ascending by numeric value, as RiskOracle requires; throws on duplicates. */
export function sortSigners(signers: readonly string[]): string[] {
  const sorted = [...signers].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    if (BigInt(sorted[i]) === BigInt(sorted[i - 1])) throw new Error(`duplicate signer ${sorted[i]}`);
  }
  return sorted;
}

function checkParameters(p: DeploymentParameters, local: boolean): void {
  const need: (keyof DeploymentParameters)[] = ["signers", "threshold", "arbiter", "feeRecipient", "allowBelow", "freezeAt", "holdWindow"];
  if (!local) need.push("token");
  for (const k of need) if (p[k] === undefined) throw new Error(`deployment parameter "${k}" is missing`);
  if (!Array.isArray(p.signers) || p.signers.length === 0) throw new Error(`deployment parameter "signers" must be a non-empty list`);
  if (!(p.threshold >= 1 && p.threshold <= p.signers.length)) throw new Error(`deployment parameter "threshold" must be 1..${p.signers.length}`);
  if (!(p.allowBelow <= p.freezeAt && p.freezeAt <= 10_000)) throw new Error(`deployment parameters need allowBelow <= freezeAt <= 10000`);
}

/**
 * Deploys (or, on a persistent network, resumes) the suite, sets both consumers' risk policy and
 * allow-lists the token, then writes `deployments/<chainId>.json`.
 */
export async function deployRiskgate(args: DeployRiskgateParameters): Promise<Deployments> {
  const { connection, hre } = args;
  const chainId = Number(BigInt((await connection.provider.request({ method: "eth_chainId" })) as string));
  const inProcess = connection.networkConfig.type === "edr-simulated";
  const local = inProcess || chainId === LOCAL_CHAIN_ID;
  const file =
    args.parametersPath ?? process.env.RISKGATE_DEPLOY_PARAMS ?? path.join(ROOT, "deploy", "parameters", `${connection.networkName}.json`);
  const fromFile = existsSync(file) || !args.overrides ? readDeploymentParameters(file, local) : ({} as DeploymentParameters);
  const params: DeploymentParameters = { ...fromFile, ...args.overrides } as DeploymentParameters;
  checkParameters(params, local);
  params.signers = sortSigners(params.signers);

  const startBlock = Number(BigInt((await connection.provider.request({ method: "eth_blockNumber" })) as string));
  const moduleId = local ? RISKGATE_LOCAL_MODULE_ID : RISKGATE_MODULE_ID;
  // A throwaway local node restarts at the same chain id: a fresh deployment id each time, journal removed
  // afterwards. A real network keeps its journal under ignition/deployments/riskgate-<chainId> to resume.
  const deploymentId = inProcess ? undefined : local ? `riskgate-local-${process.pid}-${Date.now()}` : `riskgate-${chainId}`;
  const ignition = connection.ignition as unknown as {
    deploy(
      m: typeof RiskgateModule | typeof RiskgateLocalModule,
      o: { parameters: Record<string, Record<string, unknown>>; deploymentId?: string; displayUi: boolean },
    ): Promise<Record<string, { getAddress(): Promise<string> }>>;
  };
  let result: Record<string, { getAddress(): Promise<string> }>;
  try {
    result = await ignition.deploy(local ? RiskgateLocalModule : RiskgateModule, {
      parameters: { [moduleId]: params as unknown as Record<string, unknown> },
      deploymentId,
      displayUi: false,
    });
  } finally {
    if (local && deploymentId) removeJournal(deploymentId);
  }

  const names = { riskOracle: "RiskOracle", paymentEscrow: "PaymentEscrow", paymentStream: "PaymentStream", mockUsdc: "MockUSDC" } as const;
  const contracts: Deployments["contracts"] = {} as Deployments["contracts"];
  for (const [key, name] of Object.entries(names)) {
    const c = result[key];
    if (!c) continue;
    const artifact = await hre.artifacts.readArtifact(name);
    const libraries = await Promise.all((LINKED_LIBRARIES[name] ?? []).map(async (lib) => (await hre.artifacts.readArtifact(lib)).abi));
    (contracts as Record<string, unknown>)[name] = { address: await c.getAddress(), abi: withLinkedLibraries(artifact.abi, ...libraries) };
  }
  const token = local ? contracts.MockUSDC!.address : (params.token as string);
  const deployments: Deployments = {
    chainId,
    network: connection.networkName,
    rpcUrl: args.rpcUrl ?? ("url" in connection.networkConfig ? String(await resolveUrl(connection.networkConfig.url)) : undefined),
    deployedAt: new Date().toISOString(),
    startBlock,
    token,
    signers: params.signers,
    threshold: params.threshold,
    arbiter: params.arbiter,
    policy: { allowBelow: params.allowBelow, freezeAt: params.freezeAt, holdWindow: params.holdWindow },
    contracts,
  };
  if (args.outDir !== null) writeDeployments(deployments, args.outDir ?? path.join(ROOT, "deployments"));
  return deployments;
}

/** Removes a throwaway local deployment's journal (and ignition/ if nothing else is in it). */
function removeJournal(deploymentId: string): void {
  rmSync(path.join(ROOT, "ignition", "deployments", deploymentId), { recursive: true, force: true });
  for (const dir of [path.join(ROOT, "ignition", "deployments"), path.join(ROOT, "ignition")]) {
    try {
      rmdirSync(dir); // only when empty
    } catch {
      break;
    }
  }
}

async function resolveUrl(url: unknown): Promise<string | undefined> {
  if (typeof url === "string") return url;
  if (url && typeof url === "object" && "get" in url && typeof (url as { get: unknown }).get === "function") {
    return String(await (url as { get(): Promise<string> }).get());
  }
  return undefined;
}

/** EIP-170's limit on runtime code size (bytes). */
export const MAX_CODE_SIZE = 24_576;

/** The named contracts whose deployed bytecode exceeds EIP-170: they deploy only where the limit is lifted. */
export async function oversizedContracts(hre: Pick<HardhatRuntimeEnvironment, "artifacts">, names: string[]): Promise<{ name: string; size: number }[]> {
  const out: { name: string; size: number }[] = [];
  for (const name of names) {
    if (!(await hre.artifacts.artifactExists(name))) continue;
    const a = await hre.artifacts.readArtifact(name);
    const size = (a.deployedBytecode.length - 2) / 2;
    if (size > MAX_CODE_SIZE) out.push({ name, size });
  }
  return out;
}

/** Writes `<dir>/<chainId>.json`; returns its path. */
export function writeDeployments(d: Deployments, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${d.chainId}.json`);
  writeFileSync(file, JSON.stringify(d, null, 2) + "\n");
  return file;
}
