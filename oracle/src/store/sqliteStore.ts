// The Store on SQLite (`node:sqlite`, DatabaseSync). WAL journal + synchronous=NORMAL: a committed
// transaction survives `kill -9` of the process (it is in the WAL before COMMIT returns).
// Idempotency comes from primary/unique keys + INSERT ... ON CONFLICT DO NOTHING.
import { mkdirSync, statfsSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import type { Address, Hex } from "viem";
import type { HistoryReader, Payment, Transfer } from "../risk/types.js";
import type {
  ApiKeyRecord,
  AttestationStatus,
  InboxItem,
  PaymentRecord,
  SentTx,
  Store,
  StoredAttestation,
  TransferRecord,
} from "./types.js";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cursors (name TEXT PRIMARY KEY, block INTEGER NOT NULL, hash TEXT);
CREATE TABLE IF NOT EXISTS blocks (number INTEGER PRIMARY KEY, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS transfers (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tx_hash TEXT NOT NULL, log_index INTEGER NOT NULL,
  from_addr TEXT NOT NULL, to_addr TEXT NOT NULL, value TEXT NOT NULL, token TEXT, decimals INTEGER NOT NULL,
  timestamp INTEGER NOT NULL, block_number INTEGER NOT NULL,
  is_creation INTEGER NOT NULL DEFAULT 0, to_is_contract INTEGER NOT NULL DEFAULT 0, token_name TEXT,
  imported INTEGER NOT NULL DEFAULT 0,
  UNIQUE (tx_hash, log_index)
);
CREATE INDEX IF NOT EXISTS transfers_from ON transfers (from_addr);
CREATE INDEX IF NOT EXISTS transfers_to ON transfers (to_addr);
CREATE INDEX IF NOT EXISTS transfers_block ON transfers (block_number);
CREATE TABLE IF NOT EXISTS payments (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  subject TEXT UNIQUE,
  payer TEXT NOT NULL, payee TEXT NOT NULL, token TEXT NOT NULL, amount TEXT NOT NULL,
  whole REAL NOT NULL, timestamp INTEGER NOT NULL, chain_id INTEGER, decimals INTEGER NOT NULL,
  source TEXT, block_number INTEGER
);
CREATE INDEX IF NOT EXISTS payments_payer ON payments (payer, timestamp);
CREATE INDEX IF NOT EXISTS payments_payee ON payments (payee, timestamp);
CREATE INDEX IF NOT EXISTS payments_pair ON payments (payer, payee, timestamp);
CREATE INDEX IF NOT EXISTS payments_block ON payments (block_number);
CREATE TABLE IF NOT EXISTS first_seen (addr TEXT PRIMARY KEY, ts INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS attestations (
  uid TEXT PRIMARY KEY,
  consumer TEXT NOT NULL, subject TEXT NOT NULL, payer TEXT NOT NULL, payee TEXT NOT NULL, token TEXT NOT NULL,
  amount TEXT NOT NULL, score INTEGER NOT NULL, reasons INTEGER NOT NULL, model_id TEXT NOT NULL,
  issued_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, nonce TEXT NOT NULL,
  decision TEXT NOT NULL, mode TEXT NOT NULL, signers TEXT NOT NULL, signatures TEXT NOT NULL,
  status TEXT NOT NULL, tx_hash TEXT, block_number INTEGER, block_hash TEXT, seen_at INTEGER, last_error TEXT,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS attestations_subject ON attestations (subject);
CREATE INDEX IF NOT EXISTS attestations_status ON attestations (status);
CREATE INDEX IF NOT EXISTS attestations_flagged ON attestations (decision, issued_at);
CREATE UNIQUE INDEX IF NOT EXISTS attestations_one_live_push_per_subject
  ON attestations (subject) WHERE mode = 'push' AND status NOT IN ('failed', 'superseded');
-- Gate rule G14.1: the greatest issuedAt this operator signed (or co-signed) per settlement, so the
-- next verdict for it is strictly newer, across restarts.
CREATE TABLE IF NOT EXISTS issued_at (
  consumer TEXT NOT NULL, subject TEXT NOT NULL, issued_at INTEGER NOT NULL, PRIMARY KEY (consumer, subject)
);
CREATE TABLE IF NOT EXISTS inbox (
  subject TEXT PRIMARY KEY, consumer TEXT NOT NULL, payer TEXT NOT NULL, payee TEXT NOT NULL, token TEXT NOT NULL,
  amount TEXT NOT NULL, decimals INTEGER NOT NULL, timestamp INTEGER NOT NULL, block_number INTEGER NOT NULL,
  seen_at INTEGER NOT NULL, status TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS inbox_status ON inbox (status, block_number);
CREATE TABLE IF NOT EXISTS sent_txs (
  hash TEXT PRIMARY KEY, nonce INTEGER NOT NULL, uids TEXT NOT NULL,
  max_fee TEXT NOT NULL, max_priority_fee TEXT NOT NULL, gas TEXT NOT NULL, status TEXT NOT NULL, sent_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sent_txs_status ON sent_txs (status);
CREATE TABLE IF NOT EXISTS api_keys (
  id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, key_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL, revoked_at INTEGER
);
`;

const SCHEMA_VERSION = "1";

type Row = Record<string, unknown>;

const lc = (s: string) => s.toLowerCase();

/** "disk full" / "disk I/O error" for SQLite's out-of-space and I/O failures, else null (a bug, a constraint...). */
function storageFailure(err: unknown): string | null {
  const e = err as { errcode?: number; errstr?: string; message?: string };
  const primary = typeof e?.errcode === "number" ? e.errcode & 0xff : -1;
  if (primary === 13 || /database or disk is full/i.test(e?.message ?? "")) return "disk full (SQLITE_FULL)";
  if (primary === 10) return `disk I/O error (${e.errstr ?? "SQLITE_IOERR"})`;
  return null;
}

export type CreateSqliteStoreParameters = {
  path: string;
  /** After a full disk, the free space the volume needs before the store reports healthy again (default 4 MiB). */
  minFreeBytes?: number;
};

export function createSqliteStore({ path, minFreeBytes = 4 * 1024 * 1024 }: CreateSqliteStoreParameters): Store {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  // The WAL is bounded: checkpoint every ~1 MB (256 pages of 4 KiB, not SQLite's default 1,000) and truncate it
  // back to at most 1 MB afterwards, so a small volume is not filled by the journal alone.
  db.exec(
    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 256; PRAGMA journal_size_limit = 1048576;",
  );
  db.exec(SCHEMA);
  // Files created before `transfers.imported` existed: add the column (every old row is the watcher's).
  if (!(db.prepare("PRAGMA table_info(transfers)").all() as Row[]).some((c) => c.name === "imported")) {
    db.exec("ALTER TABLE transfers ADD COLUMN imported INTEGER NOT NULL DEFAULT 0");
  }
  db.prepare("INSERT INTO meta (key, value) VALUES ('schema_version', ?) ON CONFLICT (key) DO NOTHING").run(SCHEMA_VERSION);

  // Storage health: set by the first write that fails for lack of space, cleared by the next write that
  // succeeds (or by a probe write in `health()`), so the daemon reports a full disk and resumes by itself.
  let storageProblem: string | null = null;
  let lastProbe = 0;
  const noteWriteError = (err: unknown) => {
    const reason = storageFailure(err);
    if (reason) {
      storageProblem = `${reason} at ${path}: free space on that volume; the daemon resumes by itself`;
      lastProbe = Date.now();
    }
  };

  const cache = new Map<string, StatementSync>();
  const q = (sql: string): StatementSync => {
    let s = cache.get(sql);
    if (!s) {
      s = db.prepare(sql);
      const run = s.run.bind(s);
      s.run = ((...args: SQLInputValue[]) => {
        try {
          return run(...args);
        } catch (err) {
          noteWriteError(err);
          throw err;
        }
      }) as StatementSync["run"];
      cache.set(sql, s);
    }
    return s;
  };

  let depth = 0;
  function transaction<T>(fn: () => T): T {
    if (depth > 0) return fn();
    db.exec("BEGIN IMMEDIATE");
    depth = 1;
    try {
      const out = fn();
      db.exec("COMMIT");
      storageProblem = null;
      return out;
    } catch (err) {
      noteWriteError(err);
      // A failed COMMIT (SQLITE_FULL) may already have rolled the transaction back: a second ROLLBACK would
      // throw "no transaction is active" and hide the real error. Roll back only what is still open.
      if (db.isTransaction) {
        try {
          db.exec("ROLLBACK");
        } catch {
          // The caller gets the original error; the connection is left without an open transaction either way.
        }
      }
      throw err;
    } finally {
      depth = 0;
    }
  }

  /** Probes a full store at most once a second, so recovery is seen without traffic: healthy again once the
   * volume has `minFreeBytes` free (a tiny write alone would fit in the pages the failed transaction released,
   * and the next real batch would fail again) and a probe write goes through. */
  function health(): { ok: boolean; reason: string | null } {
    if (storageProblem !== null && Date.now() - lastProbe >= 1000) {
      lastProbe = Date.now();
      if (path !== ":memory:") {
        const fs = statfsSync(dirname(path));
        if (fs.bavail * fs.bsize < minFreeBytes) return { ok: false, reason: storageProblem };
      }
      try {
        transaction(() => q("INSERT INTO meta (key, value) VALUES ('storage_probe', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(String(lastProbe)));
      } catch {
        // still full: `storageProblem` stays set
      }
    }
    return { ok: storageProblem === null, reason: storageProblem };
  }

  const touchFirstSeen = (addr: string, ts: number) =>
    q("INSERT INTO first_seen (addr, ts) VALUES (?, ?) ON CONFLICT (addr) DO UPDATE SET ts = min(ts, excluded.ts)").run(addr, ts);

  const toTransfer = (r: Row): Transfer => {
    const t: Transfer = {
      from: r.from_addr as Address,
      to: r.to_addr as Address,
      value: BigInt(r.value as string),
      token: (r.token as Address | null) ?? null,
      decimals: Number(r.decimals),
      timestamp: Number(r.timestamp),
      blockNumber: Number(r.block_number),
    };
    if (r.is_creation) t.isContractCreation = true;
    if (r.to_is_contract) t.toIsContract = true;
    if (r.token_name != null) t.tokenName = r.token_name as string;
    return t;
  };

  const toPayment = (r: Row): Payment => {
    const p: Payment = {
      payer: r.payer as Address,
      payee: r.payee as Address,
      token: r.token as Address,
      amount: BigInt(r.amount as string),
      timestamp: Number(r.timestamp),
      decimals: Number(r.decimals),
    };
    if (r.chain_id != null) p.chainId = Number(r.chain_id);
    return p;
  };

  const toAttestation = (r: Row): StoredAttestation => ({
    uid: r.uid as Hex,
    consumer: r.consumer as Address,
    subject: r.subject as Hex,
    payer: r.payer as Address,
    payee: r.payee as Address,
    token: r.token as Address,
    amount: BigInt(r.amount as string),
    score: Number(r.score),
    reasons: Number(r.reasons),
    modelId: r.model_id as Hex,
    issuedAt: BigInt(r.issued_at as number),
    expiresAt: BigInt(r.expires_at as number),
    nonce: r.nonce as Hex,
    decision: r.decision as StoredAttestation["decision"],
    mode: r.mode as StoredAttestation["mode"],
    signers: JSON.parse(r.signers as string) as Address[],
    signatures: JSON.parse(r.signatures as string) as Hex[],
    status: r.status as AttestationStatus,
    txHash: (r.tx_hash as Hex | null) ?? null,
    blockNumber: r.block_number == null ? null : Number(r.block_number),
    blockHash: (r.block_hash as Hex | null) ?? null,
    seenAt: r.seen_at == null ? null : Number(r.seen_at),
    lastError: (r.last_error as string | null) ?? null,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  });

  const history: HistoryReader = {
    transfersOf(address) {
      const a = lc(address);
      const rows = q(
        `SELECT * FROM transfers WHERE from_addr = ?1
         UNION ALL SELECT * FROM transfers WHERE to_addr = ?1 AND from_addr <> ?1
         ORDER BY timestamp, block_number, id`,
      ).all(a) as Row[];
      return rows.map(toTransfer);
    },
    historyVersion(address) {
      const a = lc(address);
      const r = q(
        "SELECT max(coalesce((SELECT max(id) FROM transfers WHERE from_addr = ?1), 0), coalesce((SELECT max(id) FROM transfers WHERE to_addr = ?1), 0)) AS v",
      ).get(a) as Row;
      return Number(r.v);
    },
    paymentsSince({ payer, payee, since }) {
      let rows: Row[];
      if (payer && payee) rows = q("SELECT * FROM payments WHERE payer = ? AND payee = ? AND timestamp >= ? ORDER BY timestamp, id").all(lc(payer), lc(payee), since) as Row[];
      else if (payer) rows = q("SELECT * FROM payments WHERE payer = ? AND timestamp >= ? ORDER BY timestamp, id").all(lc(payer), since) as Row[];
      else if (payee) rows = q("SELECT * FROM payments WHERE payee = ? AND timestamp >= ? ORDER BY timestamp, id").all(lc(payee), since) as Row[];
      else throw new TypeError("paymentsSince: payer or payee is required");
      return rows.map(toPayment);
    },
    payerAmountStats(payer) {
      const r = q("SELECT count(*) AS n, coalesce(avg(whole), 0) AS mean, coalesce(avg(whole * whole), 0) AS sq, coalesce(max(whole), 0) AS mx FROM payments WHERE payer = ?").get(lc(payer)) as Row;
      const count = Number(r.n);
      const mean = Number(r.mean);
      // Sample standard deviation (n - 1), as InMemoryHistory; clamp tiny negative rounding residue.
      const variance = count > 1 ? (Math.max(0, Number(r.sq) - mean * mean) * count) / (count - 1) : 0;
      return { count, mean, std: Math.sqrt(variance), max: Number(r.mx) };
    },
    firstSeen(address) {
      const r = q("SELECT ts FROM first_seen WHERE addr = ?").get(lc(address)) as Row | undefined;
      return r ? Number(r.ts) : null;
    },
    firstPaymentBetween(payer, payee) {
      const r = q("SELECT min(timestamp) AS ts FROM payments WHERE payer = ? AND payee = ?").get(lc(payer), lc(payee)) as Row;
      return r.ts == null ? null : Number(r.ts);
    },
  };

  const store: Store = {
    history,
    transaction,
    health,
    close() {
      db.close();
    },

    getCursor(name) {
      const r = q("SELECT block, hash FROM cursors WHERE name = ?").get(name) as Row | undefined;
      return r ? { block: Number(r.block), hash: (r.hash as Hex | null) ?? null } : null;
    },
    setCursor(name, block, hash) {
      q("INSERT INTO cursors (name, block, hash) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET block = excluded.block, hash = excluded.hash").run(
        name,
        block,
        hash ? lc(hash) : null,
      );
    },

    saveBlockHash(number, hash) {
      q("INSERT INTO blocks (number, hash) VALUES (?, ?) ON CONFLICT (number) DO UPDATE SET hash = excluded.hash").run(number, lc(hash));
    },
    blockHash(number) {
      const r = q("SELECT hash FROM blocks WHERE number = ?").get(number) as Row | undefined;
      return r ? (r.hash as Hex) : null;
    },
    deleteBlockHashesFrom(number) {
      q("DELETE FROM blocks WHERE number >= ?").run(number);
    },
    pruneBlockHashesBelow(number) {
      q("DELETE FROM blocks WHERE number < ?").run(number);
    },

    insertTransfer(t: TransferRecord) {
      return transaction(() => {
        const res = q(
          `INSERT INTO transfers (tx_hash, log_index, from_addr, to_addr, value, token, decimals, timestamp, block_number, is_creation, to_is_contract, token_name, imported)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tx_hash, log_index) DO NOTHING`,
        ).run(
          lc(t.txHash),
          t.logIndex,
          lc(t.from),
          lc(t.to),
          t.value.toString(),
          t.token ? lc(t.token) : null,
          t.decimals,
          t.timestamp,
          t.blockNumber,
          t.isContractCreation ? 1 : 0,
          t.toIsContract ? 1 : 0,
          t.tokenName ?? null,
          t.imported ? 1 : 0,
        );
        if (Number(res.changes) === 0) return false;
        touchFirstSeen(lc(t.from), t.timestamp);
        touchFirstSeen(lc(t.to), t.timestamp);
        return true;
      });
    },
    insertPayment(p: PaymentRecord) {
      return transaction(() => {
        const decimals = p.decimals ?? 6;
        const whole = Number(p.amount) / 10 ** decimals;
        const res = q(
          `INSERT INTO payments (subject, payer, payee, token, amount, whole, timestamp, chain_id, decimals, source, block_number)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (subject) DO NOTHING`,
        ).run(
          p.subject ? lc(p.subject) : null,
          lc(p.payer),
          lc(p.payee),
          lc(p.token),
          p.amount.toString(),
          whole,
          p.timestamp,
          p.chainId ?? null,
          decimals,
          p.source ?? null,
          p.blockNumber ?? null,
        );
        if (Number(res.changes) === 0) return false;
        touchFirstSeen(lc(p.payer), p.timestamp);
        touchFirstSeen(lc(p.payee), p.timestamp);
        return true;
      });
    },
    deleteHistoryFrom(block) {
      transaction(() => {
        // Imported rows come from an external indexer, not from the blocks this watcher saw: they stay.
        q("DELETE FROM transfers WHERE block_number >= ? AND imported = 0").run(block);
        q("DELETE FROM payments WHERE block_number >= ?").run(block);
        // first_seen is a min() over what remains; rebuild it (rare: only after a reorg).
        db.exec(`DELETE FROM first_seen;
          INSERT INTO first_seen (addr, ts) SELECT addr, min(ts) FROM (
            SELECT from_addr AS addr, timestamp AS ts FROM transfers UNION ALL SELECT to_addr, timestamp FROM transfers
            UNION ALL SELECT payer, timestamp FROM payments UNION ALL SELECT payee, timestamp FROM payments) GROUP BY addr;`);
      });
    },

    insertAttestation(a) {
      const now = Date.now();
      const res = q(
        `INSERT INTO attestations (uid, consumer, subject, payer, payee, token, amount, score, reasons, model_id, issued_at, expires_at, nonce,
           decision, mode, signers, signatures, status, tx_hash, block_number, block_hash, seen_at, last_error, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (uid) DO NOTHING`,
      ).run(
        lc(a.uid),
        lc(a.consumer),
        lc(a.subject),
        lc(a.payer),
        lc(a.payee),
        lc(a.token),
        a.amount.toString(),
        a.score,
        a.reasons,
        lc(a.modelId),
        Number(a.issuedAt),
        Number(a.expiresAt),
        lc(a.nonce),
        a.decision,
        a.mode,
        JSON.stringify(a.signers.map(lc)),
        JSON.stringify(a.signatures.map(lc)),
        a.status,
        a.txHash ? lc(a.txHash) : null,
        a.blockNumber,
        a.blockHash ? lc(a.blockHash) : null,
        a.seenAt,
        a.lastError,
        a.createdAt || now,
        now,
      );
      return Number(res.changes) > 0;
    },
    getAttestation(uid) {
      const r = q("SELECT * FROM attestations WHERE uid = ?").get(lc(uid)) as Row | undefined;
      return r ? toAttestation(r) : null;
    },
    activeAttestationForSubject(subject) {
      const r = q("SELECT * FROM attestations WHERE subject = ? AND mode = 'push' AND status NOT IN ('failed', 'superseded')").get(lc(subject)) as
        | Row
        | undefined;
      return r ? toAttestation(r) : null;
    },
    latestAttestationFor(consumer, subject) {
      const r = q(
        `SELECT * FROM attestations WHERE subject = ? AND consumer = ? AND mode IN ('push', 'pull') AND status <> 'failed'
         ORDER BY issued_at DESC, created_at DESC LIMIT 1`,
      ).get(lc(subject), lc(consumer)) as Row | undefined;
      return r ? toAttestation(r) : null;
    },
    lastIssuedAt(consumer, subject) {
      // Files from before the issued_at table: the attestations this operator stored count too.
      const r = q(
        `SELECT max(coalesce((SELECT issued_at FROM issued_at WHERE consumer = ?1 AND subject = ?2), -1),
                    coalesce((SELECT max(issued_at) FROM attestations WHERE consumer = ?1 AND subject = ?2), -1)) AS v`,
      ).get(lc(consumer), lc(subject)) as Row;
      const v = Number(r.v);
      return v < 0 ? null : v;
    },
    recordIssuedAt(consumer, subject, issuedAt) {
      q(
        `INSERT INTO issued_at (consumer, subject, issued_at) VALUES (?, ?, ?)
         ON CONFLICT (consumer, subject) DO UPDATE SET issued_at = max(issued_at, excluded.issued_at)`,
      ).run(lc(consumer), lc(subject), issuedAt);
    },
    attestationsByStatus(status, limit = 1_000_000) {
      return (q("SELECT * FROM attestations WHERE status = ? ORDER BY created_at, uid LIMIT ?").all(status, limit) as Row[]).map(toAttestation);
    },
    updateAttestation(uid, patch) {
      const sets: string[] = [];
      const vals: (string | number | null)[] = [];
      const col = { status: "status", txHash: "tx_hash", blockNumber: "block_number", blockHash: "block_hash", lastError: "last_error" } as const;
      for (const [k, c] of Object.entries(col)) {
        if (k in patch) {
          const v = patch[k as keyof typeof patch];
          sets.push(`${c} = ?`);
          vals.push(v == null ? null : typeof v === "string" && v.startsWith("0x") ? lc(v) : (v as string | number));
        }
      }
      if (sets.length === 0) return;
      sets.push("updated_at = ?");
      vals.push(Date.now());
      db.prepare(`UPDATE attestations SET ${sets.join(", ")} WHERE uid = ?`).run(...vals, lc(uid));
    },
    flagged(from, to) {
      return (
        q("SELECT * FROM attestations WHERE decision IN ('hold', 'freeze') AND issued_at >= ? AND issued_at <= ? AND status <> 'superseded' ORDER BY issued_at, uid").all(
          from,
          to,
        ) as Row[]
      ).map(toAttestation);
    },
    countByStatus() {
      const out: Record<string, number> = {};
      for (const r of q("SELECT status, count(*) AS n FROM attestations GROUP BY status").all() as Row[]) out[r.status as string] = Number(r.n);
      return out;
    },

    enqueueSettlement(i) {
      const res = q(
        `INSERT INTO inbox (subject, consumer, payer, payee, token, amount, decimals, timestamp, block_number, seen_at, status)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending') ON CONFLICT (subject) DO NOTHING`,
      ).run(lc(i.subject), lc(i.consumer), lc(i.payer), lc(i.payee), lc(i.token), i.amount.toString(), i.decimals, i.timestamp, i.blockNumber, i.seenAt);
      return Number(res.changes) > 0;
    },
    pendingSettlements(limit = 1000) {
      return (q("SELECT * FROM inbox WHERE status = 'pending' ORDER BY block_number, subject LIMIT ?").all(limit) as Row[]).map((r) => ({
        subject: r.subject as Hex,
        consumer: r.consumer as Address,
        payer: r.payer as Address,
        payee: r.payee as Address,
        token: r.token as Address,
        amount: BigInt(r.amount as string),
        decimals: Number(r.decimals),
        timestamp: Number(r.timestamp),
        blockNumber: Number(r.block_number),
        seenAt: Number(r.seen_at),
        status: r.status as InboxItem["status"],
      }));
    },
    setSettlementStatus(subject, status) {
      q("UPDATE inbox SET status = ? WHERE subject = ?").run(status, lc(subject));
    },
    deletePendingSettlementsFrom(block) {
      q("DELETE FROM inbox WHERE status = 'pending' AND block_number >= ?").run(block);
    },

    recordSentTx(tx: SentTx) {
      q(
        `INSERT INTO sent_txs (hash, nonce, uids, max_fee, max_priority_fee, gas, status, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (hash) DO UPDATE SET status = excluded.status`,
      ).run(lc(tx.hash), tx.nonce, JSON.stringify(tx.uids.map(lc)), tx.maxFeePerGas.toString(), tx.maxPriorityFeePerGas.toString(), tx.gas.toString(), tx.status, tx.sentAt);
    },
    updateSentTx(hash, status) {
      q("UPDATE sent_txs SET status = ? WHERE hash = ?").run(status, lc(hash));
    },
    sentTxs(status) {
      return (q("SELECT * FROM sent_txs WHERE status = ? ORDER BY nonce, sent_at").all(status) as Row[]).map((r) => ({
        hash: r.hash as Hex,
        nonce: Number(r.nonce),
        uids: JSON.parse(r.uids as string) as Hex[],
        maxFeePerGas: BigInt(r.max_fee as string),
        maxPriorityFeePerGas: BigInt(r.max_priority_fee as string),
        gas: BigInt(r.gas as string),
        status: r.status as SentTx["status"],
        sentAt: Number(r.sent_at),
      }));
    },

    insertApiKey(name, keyHash): ApiKeyRecord {
      const createdAt = Date.now();
      const res = q("INSERT INTO api_keys (name, key_hash, created_at) VALUES (?, ?, ?)").run(name, lc(keyHash), createdAt);
      return { id: Number(res.lastInsertRowid), name, createdAt };
    },
    findApiKey(keyHash) {
      const r = q("SELECT id, name, created_at FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL").get(lc(keyHash)) as Row | undefined;
      return r ? { id: Number(r.id), name: r.name as string, createdAt: Number(r.created_at) } : null;
    },
    revokeApiKey(id) {
      return Number(q("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL").run(Date.now(), id).changes) > 0;
    },
    listApiKeys() {
      return (q("SELECT id, name, created_at, revoked_at FROM api_keys ORDER BY id").all() as Row[]).map((r) => ({
        id: Number(r.id),
        name: r.name as string,
        createdAt: Number(r.created_at),
        revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
      }));
    },
  };
  return store;
}
