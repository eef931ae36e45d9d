// Gate rule G14.2 on the store side: a pull-mode verdict that changes this operator's earlier decision
// for a settlement is queued for posting (push, "signed"), and an older push verdict of the settlement
// not yet posted is superseded (never posted). Real daemon, real engine with a deny list file, SQLite.
// The chain side (the newer verdict really posted) is tested e2e:
// test_e2e_PullReleaseServedThenFreezeIssued_FreezePostedSupersedes.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { signSettlement, toStored } from "../../src/attestation/issueAttestation.js";
import { addr, b32, startTestDaemon, tempDir } from "./helpers.js";

const settlement = { consumer: addr(0xe5c), subject: b32(0x91), payer: addr(0xa1), payee: addr(0xb3), token: addr(0x05dc), amount: 2_000_000n };
const body = JSON.stringify({ ...settlement, amount: settlement.amount.toString() });

describe("G14.2 supersede", () => {
  it("test_pullVerdictChangingDecision_QueuedForPosting_OlderPushSuperseded", async (t) => {
    const denyList = join(tempDir(t), "deny.txt");
    writeFileSync(denyList, "# none\n");
    const d = await startTestDaemon(t, { config: { denyListPath: denyList } });
    const pull = async () => {
      const res = await fetch(`${d.url}/v1/attestations`, { method: "POST", headers: { "content-type": "application/json" }, body });
      const json = (await res.json()) as { uid: `0x${string}`; decision: string; mode: string; status: string };
      assert.equal(res.status, 201, JSON.stringify(json));
      return json;
    };
    // The pipeline signed a Release for the settlement; not posted yet.
    const first = await signSettlement(d.ctx, settlement);
    assert.equal(first.decision, "release");
    d.ctx.store.insertAttestation(toStored(first, "push"));
    // Same decision in pull mode: only served.
    const same = await pull();
    assert.equal(same.decision, "release");
    assert.equal(same.mode, "pull");
    assert.equal(d.ctx.store.getAttestation(first.uid)?.status, "signed");
    // The payee is sanctioned: the next verdict freezes, and is queued for posting in place of the Release.
    writeFileSync(denyList, `${settlement.payee}\n`);
    const end = Date.now() + 5_000;
    while (d.ctx.risk!.score({ ...settlement, timestamp: Math.floor(Date.now() / 1000) }).score < d.ctx.risk!.bands.freezeAt) {
      assert.ok(Date.now() < end, "deny list reloaded");
      await new Promise((r) => setTimeout(r, 50));
    }
    const changed = await pull();
    assert.equal(changed.decision, "freeze");
    assert.deepEqual([changed.mode, changed.status], ["push", "signed"]);
    assert.equal(d.ctx.store.getAttestation(first.uid)?.status, "superseded");
    assert.equal(d.ctx.store.activeAttestationForSubject(settlement.subject)?.uid, changed.uid);
    // The same decision again: served only, the queued Freeze stays the one to post.
    const again = await pull();
    assert.deepEqual([again.decision, again.mode], ["freeze", "pull"]);
    assert.equal(d.ctx.store.activeAttestationForSubject(settlement.subject)?.uid, changed.uid);
  });
});
