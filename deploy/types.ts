// The shape of `deployments/<chainId>.json`, read by the oracle daemon, the demo and the web app.
// Plain JSON types only (the web app imports this file too).

/** A deployed contract: its address and full ABI. */
export type DeployedContract = { address: `0x${string}`; abi: readonly unknown[] };

/** The parameters of the Ignition modules (deploy/parameters/<network>.json). */
export type DeploymentParameters = {
  /** Existing stablecoin (non-local networks only; local chains deploy MockUSDC). */
  token?: string;
  /** Oracle operators; sorted ascending by the deploy script. */
  signers: string[];
  threshold: number;
  guardian?: string;
  maxValidity?: number;
  arbiter: string;
  feeRecipient: string;
  feeBps?: number;
  referralBps?: number;
  /** Risk policy of both consumers (score bands in bps, hold window in seconds). */
  allowBelow: number;
  freezeAt: number;
  holdWindow: number;
};

export type Deployments = {
  chainId: number;
  network: string;
  rpcUrl?: string;
  deployedAt: string;
  /** Block number just before the deployment: where a watcher starts its backfill. */
  startBlock: number;
  /** The allow-listed stablecoin. */
  token: `0x${string}` | string;
  signers: string[];
  threshold: number;
  arbiter: string;
  policy: { allowBelow: number; freezeAt: number; holdWindow: number };
  contracts: {
    RiskOracle: DeployedContract;
    PaymentEscrow: DeployedContract;
    PaymentStream: DeployedContract;
    /** Local chains only. */
    MockUSDC?: DeployedContract;
  };
};
