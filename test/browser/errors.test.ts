// The dApp's revert decoding (web/src/ui.ts `describeError`) against the ABIs it is given: the exported
// PaymentStream ABI (which carries its linked StreamOps library's errors, as the deployments file does), the
// escrow's, and a token error bubbling up under another contract's call. No browser needed.
//   PATH=$PWD/node_modules/.bin:$PATH node --import tsx --test test/browser/errors.test.ts
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Abi, BaseError, ContractFunctionExecutionError, ContractFunctionRevertedError, encodeErrorResult, parseAbi } from "viem";
import { paymentEscrowAbi } from "../../oracle/src/chain/abis/paymentEscrowAbi.js";
import { paymentStreamAbi } from "../../oracle/src/chain/abis/paymentStreamAbi.js";
import { riskOracleAbi } from "../../oracle/src/chain/abis/riskOracleAbi.js";
import { describeError, registerErrors } from "../../web/src/ui.js";

const streamAbi = paymentStreamAbi as Abi;
const escrowAbi = paymentEscrowAbi as Abi;
registerErrors(riskOracleAbi as Abi, escrowAbi, streamAbi);

/** The error viem throws when a simulated call reverts with `data` (as `write` in web/src/chain.ts sees it). */
function reverted(abi: Abi, functionName: string, data: `0x${string}`): BaseError {
  const cause = new ContractFunctionRevertedError({ abi, data, functionName });
  return new ContractFunctionExecutionError(cause, { abi, functionName, args: [], contractAddress: "0x5FbDB2315678afecb367f032d93F642f64180aa3" });
}

const streamError = (errorName: string, args: unknown[]) => encodeErrorResult({ abi: streamAbi, errorName, args } as never);

describe("describeError: readable one-line reverts for the dApp's stream and escrow actions", () => {
  it("test_RevertWhen_SenderCancelsIrrevocableStream: a StreamOps library error is decoded from the exported PaymentStream ABI", () => {
    const e = describeError(reverted(streamAbi, "cancel", streamError("PaymentStream_StreamNotCancelable", [7n])), "Cancel stream #7");
    assert.equal(e.kind, "error");
    assert.equal(e.text, "This stream is irrevocable (created non-cancelable or renounced): it cannot be canceled. (PaymentStream_StreamNotCancelable)");
    assert.match(e.details ?? "", /cancel/);
  });

  it("test_RevertWhen_SenderCancelsFrozenStream: the arbiter-only error says why for a cancel, plainly otherwise", () => {
    const data = streamError("PaymentStream_CallerNotArbiter", ["0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc"]);
    assert.equal(describeError(reverted(streamAbi, "cancel", data), "Cancel stream #3").text, "The stream is frozen: only the arbiter can cancel it now. (PaymentStream_CallerNotArbiter)");
    assert.equal(describeError(reverted(streamAbi, "clearFreeze", data), "Clear stream #3").text, "Only the arbiter can do this. (PaymentStream_CallerNotArbiter)");
  });

  it("test_RevertGiven_HoldActive: the hold's end is named", () => {
    const until = 1_900_000_000n;
    const e = describeError(reverted(streamAbi, "withdrawWithPosted", streamError("PaymentStream_HoldActive", [3n, until])), "Withdraw with the posted verdict");
    assert.equal(e.text, `The oracle's verdict holds the stream until ${new Date(Number(until) * 1000).toLocaleTimeString()}: try again then. (PaymentStream_HoldActive)`);
  });

  it("test_RevertWhen_AllowanceTooLow: a token error under the escrow's call is decoded from the registered errors", () => {
    const token = parseAbi(["error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed)"]);
    const data = encodeErrorResult({ abi: token, errorName: "ERC20InsufficientAllowance", args: ["0x5FbDB2315678afecb367f032d93F642f64180aa3", 0n, 15_000_000n] });
    // The escrow's ABI does not declare the token's error: viem leaves it undecoded, the dApp's registry decodes it.
    const e = describeError(reverted(escrowAbi, "createEscrow", data), "Create escrow");
    assert.equal(e.text, "USDC allowance too low: 0 approved, 15 needed. (ERC20InsufficientAllowance)");
  });

  it("every error a sender, recipient or arbiter can hit on a stream action is in the exported ABI and has its own words", () => {
    const names = [
      "PaymentStream_NotFound",
      "PaymentStream_CallerNotSender",
      "PaymentStream_StreamNotCancelable",
      "PaymentStream_StreamCanceled",
      "PaymentStream_StreamSettled",
      "PaymentStream_StreamNotFrozen",
      "PaymentStream_StreamFrozen",
      "PaymentStream_WrongShape",
      "PaymentStream_Overdraw",
      "PaymentStream_AttestationRequired",
      "PaymentStream_AmountAboveAttestedCap",
      "PaymentStream_NoDecision",
      "PaymentStream_InsufficientAllowance",
    ];
    for (const name of names) {
      const item = streamAbi.find((x) => x.type === "error" && x.name === name) as { inputs: { type: string }[] } | undefined;
      assert.ok(item, `${name} in the exported PaymentStream ABI`);
      const args = item.inputs.map((i) => (i.type === "address" ? "0x5FbDB2315678afecb367f032d93F642f64180aa3" : i.type === "bytes32" ? `0x${"11".repeat(32)}` : 1n));
      const e = describeError(reverted(streamAbi, "cancel", streamError(name, args)), "Stream action");
      assert.ok(e.text.endsWith(`(${name})`), e.text);
      assert.doesNotMatch(e.text, /^The contract refused the call/, name);
    }
  });
});
