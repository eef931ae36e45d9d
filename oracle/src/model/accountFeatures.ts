// The 45 account features of the training data, computed for any address from its chain history
// (ETH transfers, ERC-20 Transfer logs, contract creations). One pass over the transfers.
//
// Definitions (values in ether / whole tokens, times in minutes):
// - ETH "sent" = token null, from = address, not a creation; "received" = token null, to = address;
//   "created" = isContractCreation with from = address; "to contract" = toIsContract.
// - "Avg min between X" = (last X − first X) / (count − 1), 0 below two items.
// - "Time Diff between first and last" spans every ETH item (sent, received, created).
// - "total transactions" = sent + received + created; "total ether balance" = received − sent.
// - ERC-20 items are Transfer logs with from or to = address; "ERC20 uniq sent addr.1" = distinct
//   contracts sent tokens; "ERC20 uniq rec contract addr" = distinct token contracts received;
//   "ERC20 avg time between rec 2 tnx" repeats the received measure; token "names" are the
//   token's name when known, else its contract address.
import type { Address } from "viem";
import type { Transfer } from "../risk/types.js";
import { ACCOUNT_FEATURES } from "./schema.js";

class Agg {
  n = 0;
  sum = 0;
  min = 0;
  max = 0;
  first = 0;
  last = 0;
  add(v: number, t: number): void {
    if (this.n === 0) {
      this.min = v;
      this.max = v;
      this.first = t;
      this.last = t;
    } else {
      if (v < this.min) this.min = v;
      if (v > this.max) this.max = v;
      if (t < this.first) this.first = t;
      if (t > this.last) this.last = t;
    }
    this.n++;
    this.sum += v;
  }
  get avg(): number {
    return this.n ? this.sum / this.n : 0;
  }
  /** Average minutes between items. */
  get gap(): number {
    return this.n >= 2 ? (this.last - this.first) / 60 / (this.n - 1) : 0;
  }
}

const scaleCache = new Map<number, number>();
function toUnits(value: bigint, decimals: number): number {
  let s = scaleCache.get(decimals);
  if (s === undefined) {
    s = 10 ** decimals;
    scaleCache.set(decimals, s);
  }
  return Number(value) / s;
}

/** The features in ACCOUNT_FEATURES order (length 45). */
export function accountFeatures(address: Address, transfers: readonly Transfer[]): Float64Array {
  const me = address.toLowerCase();
  const sent = new Agg(), rec = new Agg(), sentC = new Agg(), all = new Agg();
  const eSent = new Agg(), eRec = new Agg(), eSentC = new Agg();
  let created = 0;
  const uRec = new Set<string>(), uSent = new Set<string>();
  const eUSent = new Set<string>(), eURec = new Set<string>(), eUSentC = new Set<string>(), eURecC = new Set<string>();
  const eTokSent = new Set<string>(), eTokRec = new Set<string>();
  for (const t of transfers) {
    const from = t.from.toLowerCase();
    const to = t.to.toLowerCase();
    const isFrom = from === me;
    const isTo = to === me;
    if (!isFrom && !isTo) continue;
    if (t.token === null) {
      const v = toUnits(t.value, t.decimals);
      if (t.isContractCreation) {
        if (isFrom) {
          created++;
          all.add(0, t.timestamp);
        }
        continue;
      }
      if (isFrom) {
        sent.add(v, t.timestamp);
        uSent.add(to);
        if (t.toIsContract) sentC.add(v, t.timestamp);
        all.add(v, t.timestamp);
      }
      if (isTo) {
        rec.add(v, t.timestamp);
        uRec.add(from);
        if (!isFrom) all.add(v, t.timestamp);
      }
    } else {
      const v = toUnits(t.value, t.decimals);
      const token = t.token.toLowerCase();
      const name = t.tokenName ?? token;
      if (isFrom) {
        eSent.add(v, t.timestamp);
        eUSent.add(to);
        eTokSent.add(name);
        if (t.toIsContract) {
          eSentC.add(v, t.timestamp);
          eUSentC.add(to);
        }
      }
      if (isTo) {
        eRec.add(v, t.timestamp);
        eURec.add(from);
        eURecC.add(token);
        eTokRec.add(name);
      }
    }
  }
  const ercN = eSent.n + eRec.n;
  const f: Record<(typeof ACCOUNT_FEATURES)[number], number> = {
    "Avg min between sent tnx": sent.gap,
    "Avg min between received tnx": rec.gap,
    "Time Diff between first and last (Mins)": all.n ? (all.last - all.first) / 60 : 0,
    "Sent tnx": sent.n,
    "Received Tnx": rec.n,
    "Number of Created Contracts": created,
    "Unique Received From Addresses": uRec.size,
    "Unique Sent To Addresses": uSent.size,
    "min value received": rec.min,
    "max value received": rec.max,
    "avg val received": rec.avg,
    "min val sent": sent.min,
    "max val sent": sent.max,
    "avg val sent": sent.avg,
    "min value sent to contract": sentC.min,
    "max val sent to contract": sentC.max,
    "avg value sent to contract": sentC.avg,
    "total transactions (including tnx to create contract": sent.n + rec.n + created,
    "total Ether sent": sent.sum,
    "total ether received": rec.sum,
    "total ether sent contracts": sentC.sum,
    "total ether balance": rec.sum - sent.sum,
    "Total ERC20 tnxs": ercN,
    "ERC20 total Ether received": eRec.sum,
    "ERC20 total ether sent": eSent.sum,
    "ERC20 total Ether sent contract": eSentC.sum,
    "ERC20 uniq sent addr": eUSent.size,
    "ERC20 uniq rec addr": eURec.size,
    "ERC20 uniq sent addr.1": eUSentC.size,
    "ERC20 uniq rec contract addr": eURecC.size,
    "ERC20 avg time between sent tnx": eSent.gap,
    "ERC20 avg time between rec tnx": eRec.gap,
    "ERC20 avg time between rec 2 tnx": eRec.gap,
    "ERC20 avg time between contract tnx": eSentC.gap,
    "ERC20 min val rec": eRec.min,
    "ERC20 max val rec": eRec.max,
    "ERC20 avg val rec": eRec.avg,
    "ERC20 min val sent": eSent.min,
    "ERC20 max val sent": eSent.max,
    "ERC20 avg val sent": eSent.avg,
    "ERC20 min val sent contract": eSentC.min,
    "ERC20 max val sent contract": eSentC.max,
    "ERC20 avg val sent contract": eSentC.avg,
    "ERC20 uniq sent token name": eTokSent.size,
    "ERC20 uniq rec token name": eTokRec.size,
  };
  return Float64Array.from(ACCOUNT_FEATURES, (k) => f[k]);
}
