// Bootstrapping the feature history from an external indexer: a JSONL file, one `Transfer`
// (oracle/src/risk/types.ts) per line, bigint values as decimal strings; a line with a "payer" key is an
// earlier settlement (`Payment`: payer, payee, token, amount, timestamp, decimals?, chainId?). The whole file is parsed and
// checked first; a bad line throws a HistoryImportError naming it and nothing is written. Then every
// row goes in through `Store.insertTransfer` inside ONE transaction, so re-importing the same file adds
// nothing (idempotent on (txHash, logIndex): given on the line, or derived from the line's content).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Address, Hex } from "viem";
import { FatalError } from "../errors.js";
import type { Payment, Transfer } from "../risk/types.js";
import type { PaymentRecord, Store, TransferRecord } from "./types.js";

/** A line of the history file is not a valid transfer; `line` is 1-based. */
export class HistoryImportError extends FatalError {
  override name = "HistoryImportError";
  readonly line: number;
  constructor(line: number, problem: string, file?: string) {
    super(`${file ? `${file}:` : "line "}${line}: ${problem}`, { code: "HISTORY_IMPORT" });
    this.line = line;
  }
}

export type ImportHistoryResult = { lines: number; inserted: number; duplicates: number };
/** A parsed file: transfers and payments, each with its idempotency key. */
export type HistoryRecords = { transfers: TransferRecord[]; payments: (PaymentRecord & { subject: Hex })[] };

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const HASH = /^0x[0-9a-fA-F]{64}$/;
const DECIMAL = /^(0|[1-9][0-9]*)$/;

function field(o: Record<string, unknown>, name: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, name) ? o[name] : undefined;
}

/** Parses and checks one line (already JSON-decoded); throws a string describing the problem. */
function toRecord(o: unknown): Omit<TransferRecord, "txHash" | "logIndex"> & { txHash?: Hex; logIndex?: number } {
  if (typeof o !== "object" || o === null || Array.isArray(o)) throw "expected a JSON object";
  const r = o as Record<string, unknown>;
  const addr = (name: string): Address => {
    const v = field(r, name);
    if (typeof v !== "string" || !ADDRESS.test(v)) throw `"${name}" must be a 0x-prefixed 20-byte hex address`;
    return v.toLowerCase() as Address;
  };
  const uint = (name: string, max = Number.MAX_SAFE_INTEGER): number => {
    const v = field(r, name);
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > max) throw `"${name}" must be an integer in [0, ${max}]`;
    return v;
  };
  const from = addr("from");
  const to = addr("to");
  const rawValue = field(r, "value");
  if (typeof rawValue !== "string" || !DECIMAL.test(rawValue)) throw `"value" must be a non-negative decimal string (e.g. "1500000")`;
  const value = BigInt(rawValue);
  const rawToken = field(r, "token");
  let token: Address | null = null;
  if (rawToken !== null && rawToken !== undefined) token = addr("token");
  const decimals = uint("decimals", 36);
  const timestamp = uint("timestamp");
  const blockNumber = uint("blockNumber");
  const out: ReturnType<typeof toRecord> = { from, to, value, token, decimals, timestamp, blockNumber };
  for (const flag of ["isContractCreation", "toIsContract"] as const) {
    const v = field(r, flag);
    if (v === undefined) continue;
    if (typeof v !== "boolean") throw `"${flag}" must be true or false`;
    if (v) out[flag] = true;
  }
  const tokenName = field(r, "tokenName");
  if (tokenName !== undefined && tokenName !== null) {
    if (typeof tokenName !== "string") throw `"tokenName" must be a string`;
    out.tokenName = tokenName;
  }
  const txHash = field(r, "txHash");
  const logIndex = field(r, "logIndex");
  if ((txHash === undefined) !== (logIndex === undefined)) throw `"txHash" and "logIndex" go together`;
  if (txHash !== undefined) {
    if (typeof txHash !== "string" || !HASH.test(txHash)) throw `"txHash" must be a 0x-prefixed 32-byte hex hash`;
    out.txHash = txHash.toLowerCase() as Hex;
    out.logIndex = uint("logIndex", 2 ** 31 - 1);
  }
  return out;
}

function toPayment(r: Record<string, unknown>): PaymentRecord {
  const addr = (name: string): Address => {
    const v = field(r, name);
    if (typeof v !== "string" || !ADDRESS.test(v)) throw `"${name}" must be a 0x-prefixed 20-byte hex address`;
    return v.toLowerCase() as Address;
  };
  const uint = (name: string, max = Number.MAX_SAFE_INTEGER): number => {
    const v = field(r, name);
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > max) throw `"${name}" must be an integer in [0, ${max}]`;
    return v;
  };
  const amount = field(r, "amount");
  if (typeof amount !== "string" || !DECIMAL.test(amount)) throw `"amount" must be a non-negative decimal string (e.g. "1500000")`;
  const p: PaymentRecord = { payer: addr("payer"), payee: addr("payee"), token: addr("token"), amount: BigInt(amount), timestamp: uint("timestamp") };
  p.decimals = field(r, "decimals") === undefined ? 6 : uint("decimals", 36);
  if (field(r, "chainId") !== undefined) p.chainId = uint("chainId");
  return p;
}

/**
 * Parses a history file's text into idempotency-keyed transfer records. Lines without txHash/logIndex get a
 * key derived from their content (sha256 of the normalised transfer; logIndex = how many identical
 * transfers came earlier in the file), so the same file always maps to the same keys.
 * Blank lines are skipped. Throws HistoryImportError on the first bad line.
 */
export function parseHistoryJsonl(text: string, file?: string): HistoryRecords {
  const out: TransferRecord[] = [];
  const payments: HistoryRecords["payments"] = [];
  const seen = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "") continue;
    let rec: ReturnType<typeof toRecord>;
    try {
      const o: unknown = JSON.parse(line);
      if (typeof o === "object" && o !== null && !Array.isArray(o) && "payer" in o) {
        const p = toPayment(o as Record<string, unknown>);
        const canonical = JSON.stringify(["payment", p.payer, p.payee, p.token, p.amount.toString(), p.timestamp, p.decimals, p.chainId ?? null]);
        const key = `0x${createHash("sha256").update(canonical).digest("hex")}`;
        const n = seen.get(key) ?? 0;
        seen.set(key, n + 1);
        // The subject keys the payment row; derived, so a re-import finds the same one.
        const subject = `0x${createHash("sha256").update(`${key}#${n}`).digest("hex")}` as Hex;
        payments.push({ ...p, subject, source: "import" });
        continue;
      }
      rec = toRecord(o);
    } catch (err) {
      const problem = typeof err === "string" ? err : `not valid JSON (${(err as Error).message})`;
      throw new HistoryImportError(i + 1, problem, file);
    }
    if (rec.txHash !== undefined && rec.logIndex !== undefined) {
      out.push(rec as TransferRecord);
      continue;
    }
    const canonical = JSON.stringify([
      rec.from,
      rec.to,
      rec.value.toString(),
      rec.token,
      rec.decimals,
      rec.timestamp,
      rec.blockNumber,
      rec.isContractCreation ?? false,
      rec.toIsContract ?? false,
      rec.tokenName ?? null,
    ]);
    const txHash = `0x${createHash("sha256").update(canonical).digest("hex")}` as Hex;
    const n = seen.get(txHash) ?? 0;
    seen.set(txHash, n + 1);
    out.push({ ...rec, txHash, logIndex: n });
  }
  return { transfers: out, payments };
}

/** Imports already-parsed records in one transaction; counts what was new. */
export function importHistoryRecords(store: Store, records: HistoryRecords): ImportHistoryResult {
  return store.transaction(() => {
    let inserted = 0;
    for (const r of records.transfers) if (store.insertTransfer({ ...r, imported: true })) inserted++;
    for (const p of records.payments) if (store.insertPayment(p)) inserted++;
    const lines = records.transfers.length + records.payments.length;
    return { lines, inserted, duplicates: lines - inserted };
  });
}

/** Reads, checks and imports a JSONL history file (all or nothing). */
export function importHistoryFile(store: Store, path: string): ImportHistoryResult {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new FatalError(`cannot read history file ${path}: ${(err as Error).message}`, { code: "HISTORY_IMPORT", cause: err });
  }
  return importHistoryRecords(store, parseHistoryJsonl(text, path));
}

/** Writes transfers as the JSONL format `importHistoryFile` reads (bigint as decimal strings). */
export function formatHistoryJsonl(items: readonly (Transfer | TransferRecord | Payment)[]): string {
  return items.map((t) => JSON.stringify(t, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))).join("\n") + "\n";
}
