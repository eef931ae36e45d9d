import assert from "node:assert/strict";
import { test } from "node:test";
import type { Address } from "viem";
import { accountFeatures } from "../../src/model/accountFeatures.js";
import { ACCOUNT_FEATURES } from "../../src/model/schema.js";
import type { Transfer } from "../../src/risk/types.js";

const a = (n: number): Address => `0x${n.toString(16).padStart(40, "0")}` as Address;
const [A, B, C, K, N, D, E, R, T1, T2, X, Y] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map(a);
const eth = (x: number): bigint => BigInt(Math.round(x * 1000)) * 10n ** 15n;
let block = 1;
const tr = (from: Address, to: Address, value: bigint, timestamp: number, extra: Partial<Transfer> = {}): Transfer => ({
  from, to, value, token: null, decimals: 18, timestamp, blockNumber: block++, ...extra,
});

// A scripted history of A (times in seconds), hand-computed features below.
const history: Transfer[] = [
  tr(B, A, eth(1), 0),
  tr(C, A, eth(3), 600),
  tr(A, B, eth(0.5), 1200),
  tr(A, K, eth(1.5), 3000, { toIsContract: true }),
  tr(A, N, 0n, 3600, { isContractCreation: true, toIsContract: true }),
  tr(D, A, 100_000_000n, 100, { token: T1, decimals: 6, tokenName: "Tether" }),
  tr(E, A, 50_000_000n, 700, { token: T1, decimals: 6, tokenName: "Tether" }),
  tr(D, A, 5n * 10n ** 18n, 1000, { token: T2, decimals: 18, tokenName: "Dai" }),
  tr(A, D, 30_000_000n, 2000, { token: T1, decimals: 6, tokenName: "Tether" }),
  tr(A, R, 20_000_000n, 2600, { token: T1, decimals: 6, tokenName: "Tether", toIsContract: true }),
  tr(X, Y, eth(7), 50), // not A's: ignored
];

const expected: Record<(typeof ACCOUNT_FEATURES)[number], number> = {
  "Avg min between sent tnx": 30,
  "Avg min between received tnx": 10,
  "Time Diff between first and last (Mins)": 60,
  "Sent tnx": 2,
  "Received Tnx": 2,
  "Number of Created Contracts": 1,
  "Unique Received From Addresses": 2,
  "Unique Sent To Addresses": 2,
  "min value received": 1,
  "max value received": 3,
  "avg val received": 2,
  "min val sent": 0.5,
  "max val sent": 1.5,
  "avg val sent": 1,
  "min value sent to contract": 1.5,
  "max val sent to contract": 1.5,
  "avg value sent to contract": 1.5,
  "total transactions (including tnx to create contract": 5,
  "total Ether sent": 2,
  "total ether received": 4,
  "total ether sent contracts": 1.5,
  "total ether balance": 2,
  "Total ERC20 tnxs": 5,
  "ERC20 total Ether received": 155,
  "ERC20 total ether sent": 50,
  "ERC20 total Ether sent contract": 20,
  "ERC20 uniq sent addr": 2,
  "ERC20 uniq rec addr": 2,
  "ERC20 uniq sent addr.1": 1,
  "ERC20 uniq rec contract addr": 2,
  "ERC20 avg time between sent tnx": 10,
  "ERC20 avg time between rec tnx": 7.5,
  "ERC20 avg time between rec 2 tnx": 7.5,
  "ERC20 avg time between contract tnx": 0,
  "ERC20 min val rec": 5,
  "ERC20 max val rec": 100,
  "ERC20 avg val rec": 155 / 3,
  "ERC20 min val sent": 20,
  "ERC20 max val sent": 30,
  "ERC20 avg val sent": 25,
  "ERC20 min val sent contract": 20,
  "ERC20 max val sent contract": 20,
  "ERC20 avg val sent contract": 20,
  "ERC20 uniq sent token name": 1,
  "ERC20 uniq rec token name": 2,
};

test("test_accountFeatures_MatchHandComputedValues", () => {
  const f = accountFeatures(A, history);
  assert.equal(f.length, ACCOUNT_FEATURES.length);
  ACCOUNT_FEATURES.forEach((name, j) => {
    assert.ok(Math.abs(f[j] - expected[name]) < 1e-9, `${name}: got ${f[j]}, expected ${expected[name]}`);
  });
});

test("test_accountFeatures_AddressCaseInsensitive", () => {
  const upper = A.replace("0x", "0X").toUpperCase().replace("0X", "0x") as Address;
  assert.deepEqual(accountFeatures(upper, history), accountFeatures(A, history));
});

test("test_accountFeatures_GivenNoHistory_AllZero", () => {
  assert.ok(accountFeatures(Y, []).every((v) => v === 0));
});
