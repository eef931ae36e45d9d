// Gate rule G14.3: before co-signing a pull-mode request (no chain event behind it, so no block the
// watcher derived it from), a co-signer checks on chain that the settlement exists as stated:
//   - PaymentEscrow (ESCROW_ADDRESS): `subject = escrowId << 16 | index`; the escrow's CreateEscrow event
//     names that payer, payee and token, and milestone `index` exists with exactly that gross amount;
//   - PaymentStream (STREAM_ADDRESS): `subject = streamId << 64 | seq`; the stream exists with that
//     sender (payer), recipient (payee) and token, and `seq` is the stream's current seq (`getStream`):
//     no verdict is lent for a seq the stream has moved past or has not reached yet. The amount is the
//     cap the caller chose (a withdrawal must stay under it), not checked.
// A consumer this operator does not watch cannot be vouched for.
import { type Address, BaseError, ContractFunctionRevertedError, type Hex, type PublicClient } from "viem";
import type { Config } from "../config.js";
import type { RiskAttestation } from "../attestation/typedData.js";
import { paymentEscrowAbi } from "./abis/paymentEscrowAbi.js";
import { paymentStreamAbi } from "./abis/paymentStreamAbi.js";

export type PullSettlement = Pick<RiskAttestation, "consumer" | "subject" | "payer" | "payee" | "token" | "amount">;
export type VerifyPullSettlementResult = { ok: true } | { ok: false; message: string };

const same = (x: string, y: string) => x.toLowerCase() === y.toLowerCase();

export async function verifyPullSettlement(
  client: PublicClient,
  config: Pick<Config, "escrowAddress" | "streamAddress" | "startBlock">,
  a: PullSettlement,
): Promise<VerifyPullSettlementResult> {
  const subject = BigInt(a.subject as Hex);
  if (config.escrowAddress && same(a.consumer, config.escrowAddress)) {
    const escrowId = subject >> 16n;
    const index = Number(subject & 0xffffn);
    const logs = await client.getContractEvents({
      address: config.escrowAddress,
      abi: paymentEscrowAbi,
      eventName: "CreateEscrow",
      args: { escrowId },
      fromBlock: BigInt(config.startBlock),
      strict: true,
    });
    const e = logs.at(-1)?.args;
    if (!e) return { ok: false, message: `no escrow ${escrowId} on this operator's chain view` };
    if (!same(e.payer, a.payer) || !same(e.payee, a.payee) || !same(e.token, a.token))
      return { ok: false, message: `escrow ${escrowId} has other parties or another token` };
    if (index >= e.amounts.length) return { ok: false, message: `escrow ${escrowId} has no milestone ${index}` };
    if (e.amounts[index] !== a.amount) return { ok: false, message: `milestone ${index} of escrow ${escrowId} is ${e.amounts[index]}, not ${a.amount}` };
    return { ok: true };
  }
  if (config.streamAddress && same(a.consumer, config.streamAddress)) {
    const streamId = subject >> 64n;
    const seq = subject & 0xffff_ffff_ffff_ffffn;
    const missing = { ok: false, message: `no stream ${streamId} on this operator's chain view` } as const;
    let read;
    try {
      read = await Promise.all([
        client.readContract({ address: config.streamAddress, abi: paymentStreamAbi, functionName: "getStream", args: [streamId] }),
        client.readContract({ address: config.streamAddress, abi: paymentStreamAbi, functionName: "amountsOf", args: [streamId] }),
      ]);
    } catch (err) {
      // The stream reverts for an id it does not hold; anything else (RPC down) is the caller's to handle.
      if (err instanceof BaseError && err.walk((e) => e instanceof ContractFunctionRevertedError)) return missing;
      throw err;
    }
    const [s, am] = read;
    if (/^0x0{40}$/.test(s.sender)) return missing;
    if (!same(s.sender, a.payer) || !same(s.recipient, a.payee) || !same(am.token, a.token))
      return { ok: false, message: `stream ${streamId} has another sender, recipient or token` };
    if (BigInt(s.seq) !== seq) return { ok: false, message: `stream ${streamId} is at seq ${s.seq}, not ${seq}` };
    return { ok: true };
  }
  return { ok: false, message: `this operator does not watch consumer ${a.consumer as Address}` };
}
