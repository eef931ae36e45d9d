// The running chain side of one daemon, for the parts outside the loop that need it (the co-sign
// route): a single-flight poll of the watcher, and the settlements it indexed recently.
//
// Co-signing speed: a leader asks its peers to co-sign a settlement as soon as its own watcher saw it.
// A peer must score on the same history, i.e. have indexed the settlement's block; instead of waiting
// for its next poll it polls at once (`indexUpTo`, joined with the loop's poll when one is in flight),
// then checks that the settlement is really on chain as the leader says (`verifySettlement`: the
// subject, consumer, parties, token and amount its own watcher derived from that block).
//
// Kept beside the context (a WeakMap keyed by it) rather than in it: the Context type is shared.
import type { PublicClient } from "viem";
import type { Context } from "../context.js";
import type { RiskAttestation } from "../attestation/typedData.js";
import { type PullSettlement, type VerifyPullSettlementResult, verifyPullSettlement } from "./verifyPullSettlement.js";
import { CURSOR, type PollResult, type Settlement, pollOnce, scanRange } from "./watcher.js";

export type ChainRuntime = {
  client: PublicClient;
  /** One watcher poll; concurrent callers share the one in flight. */
  poll(): Promise<PollResult | null>;
  /** How many reorgs the watcher has detected (in any poll, the loop's or a co-sign's) since start. */
  readonly reorgsSeen: number;
  /** Polls until the cursor reaches `block` (true) or `deadline` (ms since epoch) passes (false). */
  indexUpTo(block: number, deadline: number): Promise<boolean>;
  /** Whether the chain shows exactly this settlement in block `block` (own derivation, see watcher.ts). */
  verifySettlement(a: Pick<RiskAttestation, "consumer" | "subject" | "payer" | "payee" | "token" | "amount">, block: number): Promise<boolean>;
};

const runtimes = new WeakMap<Context, ChainRuntime>();
const RECENT_MAX = 10_000;

export function chainRuntimeOf(ctx: Context): ChainRuntime | null {
  return runtimes.get(ctx) ?? null;
}

/** Gate rule G14.3: checks a pull-mode settlement on chain before co-signing it. */
export type PullVerifier = (a: PullSettlement) => Promise<VerifyPullSettlementResult>;
const pullVerifiers = new WeakMap<Context, PullVerifier>();

/**
 * Replaces the on-chain check of pull-mode settlements for `ctx`. Only for daemons without a chain
 * (the unit co-signing tests, whose subject is peer collection); the real check is tested e2e.
 */
export function setPullVerifier(ctx: Context, verify: PullVerifier): void {
  pullVerifiers.set(ctx, verify);
}

/** The pull-mode settlement check of this daemon: its chain view, or null when it has none. */
export function pullVerifierOf(ctx: Context): PullVerifier | null {
  const own = pullVerifiers.get(ctx);
  if (own) return own;
  const runtime = runtimes.get(ctx);
  return runtime ? (a) => verifyPullSettlement(runtime.client, ctx.config, a) : null;
}

const key = (subject: string, block: number) => `${subject.toLowerCase()}@${block}`;

export function createChainRuntime(ctx: Context, client: PublicClient): ChainRuntime {
  let inFlight: Promise<PollResult | null> | null = null;
  let reorgsSeen = 0;
  // Settlements this daemon's watcher indexed, by subject@block (bounded; a miss re-reads the chain).
  const recent = new Map<string, Settlement>();

  const runtime: ChainRuntime = {
    client,
    get reorgsSeen() {
      return reorgsSeen;
    },
    poll() {
      if (!inFlight) {
        inFlight = pollOnce(ctx, client)
          .then((r) => {
            if (r?.reorgedTo != null) {
              reorgsSeen++;
              recent.clear();
            }
            for (const s of r?.indexed ?? []) {
              recent.set(key(s.subject, s.blockNumber), s);
              if (recent.size > RECENT_MAX) recent.delete(recent.keys().next().value!);
            }
            return r;
          })
          .finally(() => (inFlight = null));
      }
      return inFlight;
    },
    async indexUpTo(block, deadline) {
      for (;;) {
        if ((ctx.store.getCursor(CURSOR)?.block ?? -1) >= block) return true;
        if (Date.now() > deadline || ctx.shutdown.isShuttingDown()) return false;
        const r = await runtime.poll().catch(() => null);
        // Not yet `confirmations` deep on this operator's RPC (or the RPC failed): try again shortly.
        if (!r || r.to < block) await new Promise((res) => setTimeout(res, Math.min(50, ctx.config.pollIntervalMs)));
      }
    },
    async verifySettlement(a, block) {
      const watched = [ctx.config.escrowAddress, ctx.config.streamAddress].some((c) => !!c && c.toLowerCase() === a.consumer.toLowerCase());
      if (!watched) return false; // this operator does not watch that contract: it cannot vouch for it
      let s = recent.get(key(a.subject, block));
      if (!s) s = (await scanRange(ctx, client, block, block)).settlements.find((x) => x.subject.toLowerCase() === a.subject.toLowerCase());
      if (!s) return false;
      const same = (x: string, y: string) => x.toLowerCase() === y.toLowerCase();
      return same(s.consumer, a.consumer) && same(s.payer, a.payer) && same(s.payee, a.payee) && same(s.token, a.token) && s.amount === a.amount;
    },
  };
  runtimes.set(ctx, runtime);
  return runtime;
}
