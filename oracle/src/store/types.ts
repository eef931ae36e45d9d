// The daemon's persistence interface. One implementation ships (SQLite on `node:sqlite`,
// sqliteStore.ts); docs/operations.md explains how a PostgreSQL one would map to the same methods.
// Every method is synchronous (node:sqlite is) so the risk engine's HistoryReader stays synchronous.
// Addresses and hex are stored lowercase; amounts are bigint in memory and decimal TEXT on disk.
import type { Address, Hex } from "viem";
import type { HistoryReader, Payment, Transfer } from "../risk/types.js";

/** signed → submitted → posted; a reorg puts `posted` back to `signed`; pull-mode items are `issued`. */
export type AttestationStatus = "signed" | "submitted" | "posted" | "failed" | "issued" | "superseded";
export type AttestationMode = "push" | "pull" | "cosign";
export type Decision = "release" | "hold" | "freeze";

export type StoredAttestation = {
  uid: Hex;
  consumer: Address;
  subject: Hex;
  payer: Address;
  payee: Address;
  token: Address;
  amount: bigint;
  score: number;
  reasons: number;
  modelId: Hex;
  issuedAt: bigint;
  expiresAt: bigint;
  nonce: Hex;
  decision: Decision;
  mode: AttestationMode;
  /** The signer set the signatures are aligned with (strictly ascending). */
  signers: Address[];
  /** Aligned with `signers`; "0x" for a signer that did not sign. */
  signatures: Hex[];
  status: AttestationStatus;
  txHash: Hex | null;
  blockNumber: number | null;
  blockHash: Hex | null;
  /** When the chain event that triggered it was seen (ms since epoch), for latency metrics. */
  seenAt: number | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
};

/** A payment as recorded in the history (a settlement seen on chain or asked about over HTTP). */
export type PaymentRecord = Payment & { subject?: Hex; source?: string; blockNumber?: number };

/**
 * A chain transfer with the keys that make inserting it idempotent. `imported`: it came from an external
 * indexer (`riskgate oracle import-history`, HISTORY_FILE), not from this daemon's watcher, so a reorg the
 * watcher sees does not remove it.
 */
export type TransferRecord = Transfer & { txHash: Hex; logIndex: number; imported?: boolean };

export type SentTx = {
  hash: Hex;
  nonce: number;
  uids: Hex[];
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
  /** Gas limit it was signed with (a fee bump reuses it: same calldata, same work). */
  gas: bigint;
  status: "pending" | "mined" | "replaced" | "failed";
  sentAt: number;
};

/** A settlement seen on chain that needs a pushed attestation (the watcher's queue, the pipeline's input). */
export type InboxItem = {
  subject: Hex;
  consumer: Address;
  payer: Address;
  payee: Address;
  token: Address;
  amount: bigint;
  decimals: number;
  /** Block timestamp of the event (unix seconds). */
  timestamp: number;
  blockNumber: number;
  /** When the watcher saw it (ms since epoch). */
  seenAt: number;
  status: "pending" | "done";
};

export type ApiKeyRecord = { id: number; name: string; createdAt: number };

export interface Store {
  /** The feature history, read by the risk engine. */
  readonly history: HistoryReader;

  /** Runs `fn` in one transaction (nested calls join the outer one). A failed COMMIT leaves the store usable. */
  transaction<T>(fn: () => T): T;
  /** Whether writes go through; `reason` names the problem and the fix (a full disk) while they do not. */
  health(): { ok: boolean; reason: string | null };
  close(): void;

  getCursor(name: string): { block: number; hash: Hex | null } | null;
  setCursor(name: string, block: number, hash: Hex | null): void;

  /** Recent canonical block hashes for reorg detection. */
  saveBlockHash(number: number, hash: Hex): void;
  blockHash(number: number): Hex | null;
  /** Forgets hashes at or above `number` (after a reorg) . */
  deleteBlockHashesFrom(number: number): void;
  pruneBlockHashesBelow(number: number): void;

  /** Idempotent: returns false when (txHash, logIndex) is already stored. */
  insertTransfer(t: TransferRecord): boolean;
  /** Idempotent on `subject` when given: returns false when the subject is already stored. */
  insertPayment(p: PaymentRecord): boolean;
  /** Removes history rows at or above `block` (their blocks were reorged out); imported transfers stay. */
  deleteHistoryFrom(block: number): void;

  /** Idempotent on uid: returns false when it already exists (nothing changes). */
  insertAttestation(a: StoredAttestation): boolean;
  getAttestation(uid: Hex): StoredAttestation | null;
  /** The live (not failed/superseded) push attestation of a subject, if any. */
  activeAttestationForSubject(subject: Hex): StoredAttestation | null;
  /** The newest (by issuedAt) push or pull attestation this operator issued for a settlement, failed ones excluded. */
  latestAttestationFor(consumer: Address, subject: Hex): StoredAttestation | null;
  /** Gate rule G14.1: the greatest issuedAt this operator signed for the settlement, or null. */
  lastIssuedAt(consumer: Address, subject: Hex): number | null;
  /** Records that this operator signed a verdict for the settlement at `issuedAt` (keeps the maximum). */
  recordIssuedAt(consumer: Address, subject: Hex, issuedAt: number): void;
  attestationsByStatus(status: AttestationStatus, limit?: number): StoredAttestation[];
  updateAttestation(
    uid: Hex,
    patch: Partial<Pick<StoredAttestation, "status" | "txHash" | "blockNumber" | "blockHash" | "lastError">>,
  ): void;
  /** Hold and freeze decisions with issuedAt in [from, to] (unix seconds), oldest first. */
  flagged(from: number, to: number): StoredAttestation[];
  countByStatus(): Record<string, number>;

  /** Idempotent on subject: returns false when already queued (or done). */
  enqueueSettlement(item: Omit<InboxItem, "status">): boolean;
  pendingSettlements(limit?: number): InboxItem[];
  setSettlementStatus(subject: Hex, status: InboxItem["status"]): void;
  /** After a reorg: forget not-yet-attested queue items from orphaned blocks. */
  deletePendingSettlementsFrom(block: number): void;

  recordSentTx(tx: SentTx): void;
  updateSentTx(hash: Hex, status: SentTx["status"]): void;
  sentTxs(status: SentTx["status"]): SentTx[];

  insertApiKey(name: string, keyHash: Hex): ApiKeyRecord;
  findApiKey(keyHash: Hex): ApiKeyRecord | null;
  /** Revokes key `id`; false when there is no such key or it was already revoked. */
  revokeApiKey(id: number): boolean;
  /** Every key ever created (never the key itself: only name, id and dates), oldest first. */
  listApiKeys(): (ApiKeyRecord & { revokedAt: number | null })[];
}
