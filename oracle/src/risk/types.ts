// The scoring API shared by the risk engine (issue 4) and the daemon (issue 5).
// Everything the daemon needs to call the engine, and everything the engine needs from the store,
// is declared here. Amounts on chain are bigint; features are plain numbers.
import type { Address, Hex } from "viem";

/** One payment to be scored (a settlement the oracle is asked to attest). */
export type Payment = {
  payer: Address;
  payee: Address;
  /** ERC-20 token contract of the payment (a stablecoin). */
  token: Address;
  /** Amount in token units (e.g. 1 USDC = 1_000_000n). */
  amount: bigint;
  /** Unix seconds. */
  timestamp: number;
  chainId?: number;
  /** Token decimals; 6 (USDC-like) when omitted. */
  decimals?: number;
};

/**
 * One item of an account's chain history: an ETH transfer (token = null), an ERC-20 Transfer log
 * (token = the contract) or a contract creation (isContractCreation, `to` = the new contract).
 */
export type Transfer = {
  from: Address;
  to: Address;
  /** Token units for ERC-20, wei for ETH. */
  value: bigint;
  /** null for ETH. */
  token: Address | null;
  /** 18 for ETH. */
  decimals: number;
  /** Unix seconds. */
  timestamp: number;
  blockNumber: number;
  /** `from` created contract `to` in this transaction. */
  isContractCreation?: boolean;
  /** `to` is a contract (has code). Needed for the "sent to contract" features. */
  toIsContract?: boolean;
  /** Token symbol/name, when known (used for the unique-token-name counts). */
  tokenName?: string;
};

/**
 * What the risk engine reads from the store. All methods are synchronous (node:sqlite and the
 * in-memory store are both synchronous) so that `score()` stays synchronous and sub-millisecond.
 * `InMemoryHistory` (oracle/src/risk/inMemoryHistory.ts) is the reference implementation.
 */
export interface HistoryReader {
  /** Every chain transfer in which `address` is sender or receiver, ascending by (timestamp, blockNumber). */
  transfersOf(address: Address): readonly Transfer[];
  /**
   * A number that changes whenever `transfersOf(address)` would return something different
   * (e.g. the row count or the last row id). The engine caches account features by it.
   */
  historyVersion(address: Address): number;
  /**
   * Payments already seen (scored or settled), ascending by timestamp, with timestamp >= since.
   * Filter by payer, payee, or both (= the pair). At least one of payer/payee is given.
   */
  paymentsSince(query: { payer?: Address; payee?: Address; since: number }): readonly Payment[];
  /** Running statistics over all earlier payments of this payer (amounts in whole tokens). */
  payerAmountStats(payer: Address): { count: number; mean: number; std: number; max: number };
  /** Unix seconds of the first time `address` was seen (chain or payments), or null if never. */
  firstSeen(address: Address): number | null;
  /** Unix seconds of the first payment payer → payee, or null if none. */
  firstPaymentBetween(payer: Address, payee: Address): number | null;
}

/** One line of the explanation: a feature, its signed contribution to the score, plain words. */
export type Explanation = { feature: string; contribution: number; text: string };

export type RiskResult = {
  /** 0 (no risk) .. 10000 (certain fraud), integer; fits the attestation's uint16. */
  score: number;
  /** uint32 bitmask of ReasonCode bits (oracle/src/risk/reasonCodes.ts, docs/reason-codes.md). */
  reasons: number;
  /** bytes32: sha256 of the model weights + feature schema. */
  modelId: Hex;
  /** Top contributing features and fired rules, largest first. */
  explanation: Explanation[];
};

/** Per-payer limits enforced by the rules (amounts in whole tokens, e.g. USDC). */
export type RiskLimits = {
  /** A single payment above this fires AMOUNT_LIMIT. */
  maxAmount: number;
  /** Sum of a payer's payments in 24 h above this fires DAILY_LIMIT. */
  maxDailyAmount: number;
  /** More than this many payments by one payer in 1 h fires VELOCITY_PAYER. */
  maxPaymentsPerHour: number;
  /** More than this many payments by one payer in 24 h fires VELOCITY_PAYER. */
  maxPaymentsPerDay: number;
  /** Distinct payers paying one payee in 24 h above this fires FAN_IN. */
  maxPayersPerPayeeDay: number;
  /** Distinct payees paid by one payer in 24 h above this fires FAN_OUT. */
  maxPayeesPerPayerDay: number;
  /** More than this many payments between the same pair in 1 h fires VELOCITY_PAIR. */
  maxPairPaymentsPerHour: number;
  /** Reporting threshold that structuring tries to stay under (whole tokens). */
  structuringThreshold: number;
  /** "Just under": amount in [threshold*(1-band), threshold). */
  structuringBand: number;
  /** How many just-under payments in 24 h (including this one) make structuring. */
  structuringCount: number;
};

/** Score bands: the oracle's policy maps score < allowBelow → Release, >= freezeAt → Freeze, else Hold. */
export type ScoreBands = { allowBelow: number; freezeAt: number };

export interface RiskEngine {
  readonly modelId: Hex;
  /** "wasm" | "tensorflow" | "cpu". */
  readonly backend: string;
  /** Calibrated thresholds from the model directory, on the 0..10000 scale. */
  readonly bands: ScoreBands;
  /** Synchronous and fast (features from the store + model + rules). Does not record the payment. */
  score(payment: Payment): RiskResult;
  /** Same results as mapping `score`, with one batched model call. */
  scoreBatch(payments: readonly Payment[]): RiskResult[];
  /** Stops the deny-list file watcher. */
  close(): void;
}

export type CreateRiskEngineOptions = {
  history: HistoryReader;
  /** Model directory; default oracle/models/default. */
  modelDir?: string;
  /** Deny list file (one address per line, '#' comments); hot-reloaded on change. */
  denyListPath?: string;
  limits?: Partial<RiskLimits>;
  /** Force a backend ("wasm" | "tensorflow" | "cpu"); default: best available. */
  backend?: string;
  /** Called once with the chosen backend name (for the daemon's logger). */
  onLog?: (msg: string, fields?: Record<string, unknown>) => void;
};
