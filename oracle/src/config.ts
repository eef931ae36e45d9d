// The daemon's configuration: ONE zod schema, parsed once at start-up from (lowest to highest
// precedence) defaults < an optional JSON file (CONFIG_FILE / --config) < environment < CLI flags.
// Every option has one key (camelCase), one env name (UPPER_SNAKE) and one flag (--kebab-case),
// derived from the key, so `riskgate oracle start --help` lists them all with their defaults.
// A wrong value throws a ConfigError whose shortMessage is one line naming the option.
import { readFileSync } from "node:fs";
import { z } from "zod";
import { ConfigError } from "./errors.js";

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "expected a 0x-prefixed 20-byte hex address");
const optionalAddress = z.preprocess((v) => (v === "" ? undefined : v), address.optional());
const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
const bool = z.preprocess((v) => {
  if (typeof v !== "string") return v;
  const s = v.trim().toLowerCase();
  if (["1", "true", "yes", "on"].includes(s)) return true;
  if (["0", "false", "no", "off", ""].includes(s)) return false;
  return v;
}, z.boolean());
const list = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (v) => (typeof v === "string" ? v.split(",").map((s) => s.trim()).filter((s) => s.length > 0) : v),
    z.array(item),
  );
const httpUrl = z.string().regex(/^https?:\/\/[^\s]+$/, "expected an http(s) URL");

type OptionSpec = { schema: z.ZodType; default: unknown; description: string; secret?: boolean };
const opt = (schema: z.ZodType, def: unknown, description: string, secret = false): OptionSpec => ({
  schema,
  default: def,
  description,
  secret,
});

/** Every option: schema, default (undefined = unset) and description. */
export const configOptions = {
  rpcUrl: opt(httpUrl, "http://127.0.0.1:8545", "EVM JSON-RPC endpoint"),
  rpcFallbackUrls: opt(list(httpUrl), [], "comma-separated further JSON-RPC endpoints of the same chain, tried in order when the one before fails (failover)"),
  chainId: opt(int(1).optional(), undefined, "expected chain id (checked against the RPC at start-up)"),
  oracleAddress: opt(optionalAddress, undefined, "RiskOracle contract address"),
  escrowAddress: opt(optionalAddress, undefined, "PaymentEscrow contract address (watched)"),
  streamAddress: opt(optionalAddress, undefined, "PaymentStream contract address (watched)"),
  startBlock: opt(int(0), 0, "first block to backfill from when no cursor is stored"),
  confirmations: opt(
    int(1, 1000).optional(),
    undefined,
    "blocks (including the event's own) before an event is acted on (default per chain: 1 on a local dev chain (31337, 1337), else 3 as Chainlink's MinIncomingConfirmations)",
  ),
  reorgDepth: opt(int(1, 10_000), 64, "how many recent block hashes are kept to detect reorgs"),
  pollIntervalMs: opt(int(10, 600_000), 500, "chain polling interval"),
  backfillChunk: opt(int(1, 100_000), 2000, "blocks per eth_getLogs request during backfill"),
  dbPath: opt(z.string().min(1), "./data/riskgate.sqlite", "SQLite database file (':memory:' for tests)"),
  keystorePath: opt(z.string().min(1), "./keys/operator.json", "encrypted JSON keystore (V3) of the operator key"),
  keystorePassphrase: opt(z.string().optional(), undefined, "keystore passphrase (prefer the _FILE form)", true),
  keystorePassphraseFile: opt(z.string().optional(), undefined, "file holding the keystore passphrase"),
  httpHost: opt(z.string().min(1), "127.0.0.1", "HTTP API listen address"),
  httpPort: opt(int(0, 65535), 8080, "HTTP API listen port (0 = any free port)"),
  bodyLimit: opt(z.string().regex(/^\d+(b|kb|mb)$/i, "expected a size like 16kb"), "16kb", "largest accepted request body"),
  rateLimitPerMinute: opt(int(1), 600, "requests per minute per API key"),
  requireApiKey: opt(bool, true, "require an API key (x-api-key) on /v1 routes"),
  logLevel: opt(z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]), "info", "pino log level"),
  attestationTtl: opt(int(1, 86_400 * 30), 600, "seconds an attestation stays valid (expiresAt - issuedAt)"),
  batchSize: opt(int(1, 200), 20, "attestations per postAttestations transaction"),
  batchWaitMs: opt(int(0, 60_000), 25, "how long the submitter waits for a batch to fill"),
  maxInFlight: opt(int(1, 256), 16, "most unconfirmed transactions at once"),
  stuckAfterMs: opt(int(100), 60_000, "resubmit a pending transaction with a fee bump after this long"),
  feeBumpPercent: opt(int(10, 500), 20, "fee increase per resubmission (>= 10, the node minimum)"),
  maxFeeGwei: opt(z.coerce.number().positive(), 500, "the most this operator pays per gas (gwei): no send or fee bump above it; attestations wait"),
  rpcRetries: opt(int(0, 100), 5, "retries with exponential backoff on retryable RPC errors"),
  rpcRetryBaseMs: opt(int(1, 60_000), 200, "first backoff delay; doubles per retry"),
  rpcRetryMaxMs: opt(int(50, 60_000), 2000, "longest backoff while the RPC fails: the daemon is back within about this long after the RPC returns"),
  modelDir: opt(z.string().optional(), undefined, "risk model directory (default: the committed model)"),
  denyListPath: opt(z.string().optional(), undefined, "deny list file (one address per line)"),
  historyFile: opt(
    z.preprocess((v) => (v === "" ? undefined : v), z.string().optional()),
    undefined,
    "JSONL account history (one transfer per line) imported idempotently at start-up, before the watcher starts",
  ),
  cosignPeers: opt(list(httpUrl), [], "comma-separated base URLs of peer operators' HTTP APIs"),
  cosignSecret: opt(
    z.string().min(32, "too short: use at least 32 characters (e.g. `openssl rand -hex 32`), a short secret lets anyone forge co-sign requests").optional(),
    undefined,
    "shared HMAC secret for /v1/cosign between operators (>= 32 characters)",
    true,
  ),
  cosignTolerance: opt(int(0, 10_000), 500, "largest |own score - leader score| (bps) a co-signer accepts"),
  cosignTimeoutMs: opt(int(10, 60_000), 2000, "per-peer timeout when collecting co-signatures"),
  lead: opt(bool, true, "lead settlements seen on chain (false: watch for features and co-sign only)"),
  leaderGraceMs: opt(int(0, 600_000), 3000, "a settlement's k-th ranked operator waits k x this before leading it (0 = all lead at once)"),
} as const satisfies Record<string, OptionSpec>;

export type ConfigKey = keyof typeof configOptions;

const shape = Object.fromEntries(
  Object.entries(configOptions).map(([k, o]) => [k, o.default === undefined ? o.schema : o.schema.default(o.default as never)]),
) as { [K in ConfigKey]: z.ZodType };

/** The schema of the whole configuration (unknown keys rejected). */
export const configSchema = z.strictObject(shape);

export type Config = {
  rpcUrl: string;
  rpcFallbackUrls: string[];
  chainId?: number;
  oracleAddress?: `0x${string}`;
  escrowAddress?: `0x${string}`;
  streamAddress?: `0x${string}`;
  startBlock: number;
  /** Unset: `defaultConfirmations(chainId)` once the chain is known. */
  confirmations?: number;
  reorgDepth: number;
  pollIntervalMs: number;
  backfillChunk: number;
  dbPath: string;
  keystorePath: string;
  keystorePassphrase?: string;
  keystorePassphraseFile?: string;
  httpHost: string;
  httpPort: number;
  bodyLimit: string;
  rateLimitPerMinute: number;
  requireApiKey: boolean;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  attestationTtl: number;
  batchSize: number;
  batchWaitMs: number;
  maxInFlight: number;
  stuckAfterMs: number;
  feeBumpPercent: number;
  maxFeeGwei: number;
  rpcRetries: number;
  rpcRetryBaseMs: number;
  rpcRetryMaxMs: number;
  modelDir?: string;
  denyListPath?: string;
  historyFile?: string;
  cosignPeers: string[];
  cosignSecret?: string;
  cosignTolerance: number;
  cosignTimeoutMs: number;
  lead: boolean;
  leaderGraceMs: number;
};

/** rpcUrl → RPC_URL */
export function envNameOf(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
}

/** rpcUrl → rpc-url */
export function flagNameOf(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
}

export type LoadConfigParameters = {
  env?: Record<string, string | undefined>;
  /** JSON file with camelCase keys; default: env CONFIG_FILE. */
  file?: string;
  /** Highest precedence (e.g. parsed CLI flags), camelCase keys; undefined values are ignored. */
  overrides?: Partial<Record<ConfigKey, unknown>>;
};

/** Parses the configuration once; throws a ConfigError with a one-line message naming the option. */
export function loadConfig({ env = process.env, file, overrides = {} }: LoadConfigParameters = {}): Config {
  const raw: Record<string, unknown> = {};
  const filePath = file ?? env.CONFIG_FILE;
  if (filePath) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(filePath, "utf8"));
    } catch (err) {
      throw new ConfigError(`config: cannot read config file ${filePath}: ${(err as Error).message.split("\n")[0]}`, { cause: err });
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new ConfigError(`config: ${filePath} must hold a JSON object`);
    Object.assign(raw, parsed);
  }
  for (const key of Object.keys(configOptions)) {
    const v = env[envNameOf(key)];
    if (v !== undefined) raw[key] = v;
  }
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) raw[k] = v;

  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const key = String(issue.path[0] ?? "");
    if (issue.code === "unrecognized_keys") {
      throw new ConfigError(`config: unknown option ${(issue as { keys: string[] }).keys.join(", ")}`);
    }
    const spec = configOptions[key as ConfigKey];
    const shown = spec?.secret ? "<redacted>" : JSON.stringify(raw[key]);
    throw new ConfigError(`config: invalid ${envNameOf(key)} (--${flagNameOf(key)}) = ${shown}: ${issue.message}`);
  }
  const config = result.data as Config;
  if (config.keystorePassphrase === undefined && config.keystorePassphraseFile) {
    try {
      config.keystorePassphrase = readFileSync(config.keystorePassphraseFile, "utf8").replace(/\r?\n$/, "");
    } catch (err) {
      throw new ConfigError(`config: cannot read KEYSTORE_PASSPHRASE_FILE ${config.keystorePassphraseFile}`, { cause: err });
    }
  }
  return config;
}

/** `key: default` pairs for help output. Secrets show as unset. */
export function describeConfig(): { key: ConfigKey; env: string; flag: string; description: string; default: string }[] {
  return (Object.entries(configOptions) as [ConfigKey, OptionSpec][]).map(([key, o]) => ({
    key,
    env: envNameOf(key),
    flag: `--${flagNameOf(key)}`,
    description: o.description,
    default: o.default === undefined ? "(unset)" : Array.isArray(o.default) ? o.default.join(",") || "(none)" : String(o.default),
  }));
}

/** Confirmations when CONFIRMATIONS is unset: 1 on a local dev chain (instant, no reorgs), 3 elsewhere (Chainlink's
 * MinIncomingConfirmations on Ethereum; the watcher's reorg detection handles deeper reorgs after that). */
export function defaultConfirmations(chainId: number): number {
  return chainId === 31337 || chainId === 1337 ? 1 : 3;
}
