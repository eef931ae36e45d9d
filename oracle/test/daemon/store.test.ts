import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { createSqliteStore } from "../../src/store/sqliteStore.js";
import type { StoredAttestation } from "../../src/store/types.js";
import { addr, b32, tempDir } from "./helpers.js";

const A = addr(0xa);
const B = addr(0xb);
const C = addr(0xc);
const USDC = addr(0x05dc);

function att(n: number, over: Partial<StoredAttestation> = {}): StoredAttestation {
  return {
    uid: b32(1000 + n),
    consumer: addr(0xe5c),
    subject: b32(n),
    payer: A,
    payee: B,
    token: USDC,
    amount: 123_000_000n,
    score: 100 * n,
    reasons: n,
    modelId: b32(0x77),
    issuedAt: BigInt(1_700_000_000 + n),
    expiresAt: BigInt(1_700_000_600 + n),
    nonce: b32(0x5eed + n),
    decision: "release",
    mode: "push",
    signers: [addr(1), addr(2)],
    signatures: ["0xabcd", "0x"],
    status: "signed",
    txHash: null,
    blockNumber: null,
    blockHash: null,
    seenAt: null,
    lastError: null,
    createdAt: 0,
    updatedAt: 0,
    ...over,
  };
}

describe("sqlite store", () => {
  it("test_cursor_PersistsAcrossReopen", (t) => {
    const path = join(tempDir(t), "db", "r.sqlite");
    const s1 = createSqliteStore({ path });
    assert.equal(s1.getCursor("escrow"), null);
    s1.setCursor("escrow", 42, b32(42));
    s1.close();
    const s2 = createSqliteStore({ path });
    assert.deepEqual(s2.getCursor("escrow"), { block: 42, hash: b32(42) });
    s2.setCursor("escrow", 43, null);
    assert.deepEqual(s2.getCursor("escrow"), { block: 43, hash: null });
    s2.close();
  });

  it("test_insertTransfer_IdempotentAndIndexedForFeatures", (t) => {
    const s = createSqliteStore({ path: join(tempDir(t), "r.sqlite") });
    const base = { value: 5n, token: USDC, decimals: 6, blockNumber: 10 } as const;
    assert.equal(s.insertTransfer({ ...base, from: A, to: B, timestamp: 200, txHash: b32(1), logIndex: 0 }), true);
    assert.equal(s.insertTransfer({ ...base, from: A, to: B, timestamp: 200, txHash: b32(1), logIndex: 0 }), false);
    assert.equal(s.insertTransfer({ ...base, from: C, to: A, timestamp: 100, txHash: b32(2), logIndex: 3, toIsContract: true }), true);
    assert.equal(s.insertTransfer({ ...base, from: A, to: A, timestamp: 300, txHash: b32(3), logIndex: 0, value: 2n ** 200n }), true);
    const ofA = s.history.transfersOf(A.toUpperCase().replace("0X", "0x") as `0x${string}`);
    assert.deepEqual(
      ofA.map((x) => [x.timestamp, x.from, x.to]),
      [
        [100, C, A],
        [200, A, B],
        [300, A, A],
      ],
    );
    assert.equal(ofA[0]!.toIsContract, true);
    assert.equal(ofA[2]!.value, 2n ** 200n);
    assert.equal(s.history.transfersOf(B).length, 1);
    const v1 = s.history.historyVersion(B);
    assert.ok(v1 > 0);
    s.insertTransfer({ ...base, from: C, to: B, timestamp: 400, txHash: b32(4), logIndex: 0 });
    assert.notEqual(s.history.historyVersion(B), v1);
    assert.equal(s.history.historyVersion(addr(0xdead)), 0);
    assert.equal(s.history.firstSeen(A), 100);
    assert.equal(s.history.firstSeen(addr(0xdead)), null);
    s.close();
  });

  it("test_payments_StatsVelocityAndFirstPayment", (t) => {
    const s = createSqliteStore({ path: join(tempDir(t), "r.sqlite") });
    const p = (amount: bigint, ts: number, payee = B, subject?: `0x${string}`) =>
      s.insertPayment({ payer: A, payee, token: USDC, amount, timestamp: ts, decimals: 6, subject, blockNumber: ts });
    assert.equal(p(1_000_000n, 100, B, b32(1)), true);
    assert.equal(p(1_000_000n, 100, B, b32(1)), false, "same subject is idempotent");
    p(3_000_000n, 200, C, b32(2));
    p(2_000_000n, 300);
    const st = s.history.payerAmountStats(A);
    assert.equal(st.count, 3);
    assert.equal(st.mean, 2);
    assert.ok(Math.abs(st.std - 1) < 1e-9, `sample std of 1,3,2 is 1, got ${st.std}`);
    assert.equal(st.max, 3);
    assert.deepEqual(s.history.payerAmountStats(C), { count: 0, mean: 0, std: 0, max: 0 });
    assert.equal(s.history.paymentsSince({ payer: A, since: 150 }).length, 2);
    assert.equal(s.history.paymentsSince({ payee: B, since: 0 }).length, 2);
    const pair = s.history.paymentsSince({ payer: A, payee: C, since: 0 });
    assert.equal(pair.length, 1);
    assert.equal(pair[0]!.amount, 3_000_000n);
    assert.equal(s.history.firstPaymentBetween(A, B), 100);
    assert.equal(s.history.firstPaymentBetween(B, A), null);
    assert.equal(s.history.firstSeen(C), 200);
    assert.throws(() => s.history.paymentsSince({ since: 0 }), TypeError);
    // A reorg removes rows from the orphaned blocks, and first-seen follows.
    s.deleteHistoryFrom(200);
    assert.equal(s.history.paymentsSince({ payer: A, since: 0 }).length, 1);
    assert.equal(s.history.firstSeen(C), null);
    s.close();
  });

  it("test_attestations_IdempotentOneLivePushPerSubject", (t) => {
    const s = createSqliteStore({ path: join(tempDir(t), "r.sqlite") });
    assert.equal(s.insertAttestation(att(1)), true);
    assert.equal(s.insertAttestation(att(1)), false);
    // A second live push attestation for the same subject is refused by the database itself.
    assert.throws(() => s.insertAttestation(att(1, { uid: b32(9999) })), /UNIQUE/);
    // Once the first is superseded, a replacement may be stored.
    s.updateAttestation(b32(1001), { status: "superseded" });
    assert.equal(s.insertAttestation(att(1, { uid: b32(9999) })), true);
    assert.equal(s.activeAttestationForSubject(b32(1))!.uid, b32(9999));
    // Pull-mode attestations for the same subject do not collide with push.
    assert.equal(s.insertAttestation(att(1, { uid: b32(8888), mode: "pull", status: "issued" })), true);
    const got = s.getAttestation(b32(9999))!;
    assert.equal(got.amount, 123_000_000n);
    assert.deepEqual(got.signatures, ["0xabcd", "0x"]);
    s.updateAttestation(b32(9999), { status: "posted", txHash: b32(0xf00), blockNumber: 7, blockHash: b32(0xb7) });
    const posted = s.getAttestation(b32(9999))!;
    assert.equal(posted.status, "posted");
    assert.equal(posted.blockNumber, 7);
    assert.deepEqual(s.countByStatus(), { superseded: 1, posted: 1, issued: 1 });
    assert.equal(s.attestationsByStatus("posted").length, 1);
    s.close();
  });

  it("test_transaction_RollsBackOnThrow", (t) => {
    const s = createSqliteStore({ path: join(tempDir(t), "r.sqlite") });
    assert.throws(() =>
      s.transaction(() => {
        s.insertAttestation(att(2));
        s.setCursor("x", 5, null);
        throw new Error("boom");
      }),
    );
    assert.equal(s.getAttestation(b32(1002)), null);
    assert.equal(s.getCursor("x"), null);
    s.transaction(() => {
      s.insertAttestation(att(2));
      s.setCursor("x", 5, null);
    });
    assert.ok(s.getAttestation(b32(1002)));
    s.close();
  });

  it("test_flagged_OnlyHoldAndFreezeInRange", (t) => {
    const s = createSqliteStore({ path: join(tempDir(t), "r.sqlite") });
    s.insertAttestation(att(1, { decision: "release" }));
    s.insertAttestation(att(2, { decision: "hold" }));
    s.insertAttestation(att(3, { decision: "freeze" }));
    s.insertAttestation(att(4, { decision: "freeze" }));
    const f = s.flagged(1_700_000_000, 1_700_000_003);
    assert.deepEqual(f.map((a) => a.decision), ["hold", "freeze"]);
    s.close();
  });

  it("test_blocksSentTxsAndApiKeys", (t) => {
    const s = createSqliteStore({ path: join(tempDir(t), "r.sqlite") });
    for (let i = 1; i <= 5; i++) s.saveBlockHash(i, b32(i));
    s.deleteBlockHashesFrom(4);
    s.pruneBlockHashesBelow(2);
    assert.equal(s.blockHash(1), null);
    assert.equal(s.blockHash(3), b32(3));
    assert.equal(s.blockHash(4), null);
    s.recordSentTx({ hash: b32(1), nonce: 3, uids: [b32(7)], maxFeePerGas: 10n ** 20n, maxPriorityFeePerGas: 1n, gas: 300_000n, status: "pending", sentAt: 1 });
    assert.equal(s.sentTxs("pending")[0]!.maxFeePerGas, 10n ** 20n);
    s.updateSentTx(b32(1), "mined");
    assert.equal(s.sentTxs("pending").length, 0);
    const k = s.insertApiKey("ops", b32(0xaaa));
    assert.deepEqual(s.findApiKey(b32(0xaaa)), k);
    assert.throws(() => s.insertApiKey("dup", b32(0xaaa)), /UNIQUE/);
    s.revokeApiKey(k.id);
    assert.equal(s.findApiKey(b32(0xaaa)), null);
    s.close();
  });
});

describe("sqlite store: settlement inbox", () => {
  it("test_inbox_IdempotentEnqueueAndReorgDelete", (t) => {
    const s = createSqliteStore({ path: join(tempDir(t), "r.sqlite") });
    const item = (n: number, block: number) => ({ subject: b32(n), consumer: addr(0xe5c), payer: A, payee: B, token: USDC, amount: 10n ** 30n, decimals: 6, timestamp: 100, blockNumber: block, seenAt: 1 });
    assert.equal(s.enqueueSettlement(item(1, 5)), true);
    assert.equal(s.enqueueSettlement(item(1, 5)), false);
    s.enqueueSettlement(item(2, 6));
    s.enqueueSettlement(item(3, 7));
    s.setSettlementStatus(b32(3), "done");
    assert.deepEqual(s.pendingSettlements().map((i) => i.subject), [b32(1), b32(2)]);
    assert.equal(s.pendingSettlements()[0]!.amount, 10n ** 30n);
    s.deletePendingSettlementsFrom(6);
    assert.deepEqual(s.pendingSettlements().map((i) => i.subject), [b32(1)]);
    // Done items survive a reorg delete (their attestation is reconciled separately), and stay idempotent.
    assert.equal(s.enqueueSettlement(item(3, 7)), false);
    s.close();
  });
});

import { leaderRank } from "../../src/chain/leaderRank.js";

describe("leader rank", () => {
  it("test_leaderRank_RotatesBySubjectAndExcludesNonSigners", () => {
    const set = [addr(1), addr(2), addr(3)];
    // subject mod 3 picks the first; every operator gets a distinct rank.
    for (const n of [0, 1, 2, 5, 65536]) {
      const ranks = set.map((s) => leaderRank(b32(n), set, s));
      assert.deepEqual([...ranks].sort(), [0, 1, 2]);
      assert.equal(ranks[n % 3], 0);
    }
    assert.equal(leaderRank(b32(1), set, addr(9)), null);
    assert.equal(leaderRank(b32(1), set, addr(2).toUpperCase().replace("0X", "0x") as `0x${string}`), 0);
  });
});
