// One error base for the daemon (viem `BaseError` style: shortMessage + details + cause) and the two
// branches every retry loop switches on: retryable (RPC timeout, rate limit, nonce race, connection
// reset) and fatal (bad input, revert, bad config). `isRetryable(err)` also classifies foreign errors
// (viem, fetch, node:net) so callers never string-match on their own.

export type RiskgateErrorOptions = {
  /** Extra context for operators (never secrets). */
  details?: string;
  cause?: unknown;
  /** Stable machine code, e.g. "CONFIG_INVALID", "RPC_TIMEOUT". */
  code?: string;
};

export class RiskgateError extends Error {
  override name = "RiskgateError";
  /** One line, safe to show to a user. */
  readonly shortMessage: string;
  readonly details: string | undefined;
  readonly code: string;
  /** Whether repeating the same operation later may succeed. */
  readonly retryable: boolean = false;

  constructor(shortMessage: string, options: RiskgateErrorOptions = {}) {
    const message = options.details ? `${shortMessage}\n\nDetails: ${options.details}` : shortMessage;
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.shortMessage = shortMessage;
    this.details = options.details;
    this.code = options.code ?? "INTERNAL";
  }
}

/** Something transient: try again after a backoff. */
export class RetryableError extends RiskgateError {
  override name = "RetryableError";
  override readonly retryable = true;
}

/** Something that will fail the same way again: do not retry. */
export class FatalError extends RiskgateError {
  override name = "FatalError";
  override readonly retryable = false;
}

/** A configuration value is missing or wrong; start-up stops with `shortMessage` (one line). */
export class ConfigError extends FatalError {
  override name = "ConfigError";
  constructor(shortMessage: string, options: RiskgateErrorOptions = {}) {
    super(shortMessage, { code: "CONFIG_INVALID", ...options });
  }
}

/** The keystore could not be read or decrypted (wrong passphrase, corrupt file). */
export class KeystoreError extends FatalError {
  override name = "KeystoreError";
  constructor(shortMessage: string, options: RiskgateErrorOptions = {}) {
    super(shortMessage, { code: "KEYSTORE", ...options });
  }
}

const RETRYABLE_NAMES = new Set([
  "HttpRequestError",
  "TimeoutError",
  "WebSocketRequestError",
  "SocketClosedError",
  "LimitExceededRpcError",
  "ResourceUnavailableRpcError",
  "InternalRpcError",
  "NonceTooLowError",
  "NonceTooHighError",
  "TransactionReceiptNotFoundError",
  "WaitForTransactionReceiptTimeoutError",
  "BlockNotFoundError",
  "AbortError",
]);

const RETRYABLE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EAI_AGAIN", "UND_ERR_SOCKET", "UND_ERR_CONNECT_TIMEOUT"]);

const RETRYABLE_TEXT = /(nonce too low|nonce has already been used|replacement transaction underpriced|already known|fetch failed|socket hang up|timed? ?out|rate limit|too many requests|ECONNREFUSED|ECONNRESET|temporarily unavailable)/i;

/** True when `err` (or anything in its cause chain) is transient. Reverts and bad input are fatal. */
export function isRetryable(err: unknown): boolean {
  const seen = new Set<unknown>();
  let cur: unknown = err;
  while (cur && typeof cur === "object" && !seen.has(cur)) {
    seen.add(cur);
    if (cur instanceof RiskgateError) return cur.retryable;
    const e = cur as { name?: string; code?: unknown; message?: string; shortMessage?: string; status?: number };
    if (e.name === "ContractFunctionRevertedError" || e.name === "ExecutionRevertedError") return false;
    if (e.name && RETRYABLE_NAMES.has(e.name)) return true;
    if (typeof e.code === "string" && RETRYABLE_CODES.has(e.code)) return true;
    if (typeof e.status === "number" && (e.status === 429 || e.status >= 500)) return true;
    if (RETRYABLE_TEXT.test(e.shortMessage ?? e.message ?? "")) return true;
    cur = (cur as { cause?: unknown }).cause;
  }
  return false;
}

/** A one-line description of any thrown value (never a stack). */
export function shortMessageOf(err: unknown): string {
  if (err instanceof RiskgateError) return err.shortMessage;
  if (err && typeof err === "object") {
    const e = err as { shortMessage?: unknown; message?: unknown };
    if (typeof e.shortMessage === "string") return e.shortMessage;
    if (typeof e.message === "string") return e.message.split("\n")[0] ?? "";
  }
  return String(err);
}
