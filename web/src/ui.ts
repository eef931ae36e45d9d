// Tiny DOM helpers and the status line (pending / confirmed / rejected / chain error).
import { type Abi, BaseError, ContractFunctionRevertedError, UserRejectedRequestError, decodeErrorResult, formatUnits, parseAbi, parseUnits } from "viem";

type Attrs = Record<string, string | number | boolean | ((e: Event) => void) | undefined>;

/** Creates an element: h("button", { class: "x", onclick: fn }, "text", child). */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | string | null | undefined | false)[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === "function") el.addEventListener(k.replace(/^on/, ""), v);
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

export const usdc = (x: bigint): string => Number(formatUnits(x, 6)).toLocaleString("en-US", { maximumFractionDigits: 6 });
export const toUnits = (s: string): bigint => parseUnits(s.trim() || "0", 6);
export const short = (a: string): string => `${a.slice(0, 6)}…${a.slice(-4)}`;

export type StatusKind = "pending" | "ok" | "rejected" | "error" | "info";

/**
 * Shows the status banner. Anything but "pending" gets a dismiss button; `details` (raw error text) goes
 * behind a <details> element so the banner itself stays one short readable line.
 */
export function setStatus(kind: StatusKind, text: string, details?: string): void {
  const el = document.getElementById("status")!;
  el.className = `status ${kind}`;
  el.dataset.kind = kind;
  const parts: Node[] = [h("span", { class: "status-text" }, text)];
  if (details) parts.push(h("details", { class: "status-details" }, h("summary", {}, "Details"), h("pre", {}, details)));
  const body = h("div", { class: "status-body" }, ...parts);
  if (kind === "pending") el.replaceChildren(body);
  else el.replaceChildren(body, h("button", { type: "button", class: "status-dismiss", "aria-label": "Dismiss message", title: "Dismiss", onclick: () => clearStatus() }, "×"));
}

/** Hides the banner (dismiss button, tab switch). */
export function clearStatus(): void {
  const el = document.getElementById("status")!;
  el.className = "status";
  el.dataset.kind = "";
  el.replaceChildren();
}

/** Clears a finished message (error, rejection, confirmation); an action in progress stays visible. */
export function clearFinishedStatus(): void {
  if (document.getElementById("status")!.dataset.kind !== "pending") clearStatus();
}

/** Standard OpenZeppelin ERC-20 / ERC-2612 errors: the token reverts with them under the escrow's or stream's call. */
const standardErrors = parseAbi([
  "error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed)",
  "error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed)",
  "error ERC20InvalidSender(address sender)",
  "error ERC20InvalidReceiver(address receiver)",
  "error ERC2612ExpiredSignature(uint256 deadline)",
  "error ERC2612InvalidSigner(address signer, address owner)",
  "error SafeERC20FailedOperation(address token)",
  "error ReentrancyGuardReentrantCall()",
  "error EnforcedPause()",
]);
type AbiError = Extract<Abi[number], { type: "error" }>;
let knownErrors: Abi = standardErrors;

/** Adds the deployed contracts' custom errors, so a revert bubbling up from another contract is decoded too. */
export function registerErrors(...abis: Abi[]): void {
  const seen = new Set<string>();
  const all = [...standardErrors, ...abis.flat().filter((x) => x.type === "error")] as AbiError[];
  knownErrors = all.filter((x) => {
    const key = `${x.name}(${x.inputs.map((i) => i.type).join(",")})`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

export type DecodedRevert = { name: string; args: readonly unknown[] };

/** The custom error a chain call reverted with, decoded from viem's error, its raw data, or the node's message. */
export function decodeRevert(err: unknown): DecodedRevert | undefined {
  if (!(err instanceof BaseError)) return undefined;
  const reverted = err.walk((x) => x instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null;
  if (reverted?.data?.errorName && reverted.data.errorName !== "Error") return { name: reverted.data.errorName, args: reverted.data.args ?? [] };
  if (reverted?.raw && reverted.raw !== "0x") {
    try {
      const d = decodeErrorResult({ abi: knownErrors, data: reverted.raw });
      return { name: d.errorName, args: d.args ?? [] };
    } catch {
      // not a known error: fall through to the node's message
    }
  }
  // Hardhat's node names the error itself: "reverted with custom error 'Name(arg, arg)'".
  const m = /custom error '([A-Za-z_$][\w$]*)\(([^)]*)\)'/.exec(err.message);
  if (m) return { name: m[1], args: m[2].split(",").map((a) => a.trim().replace(/^"|"$/g, "")).filter((a) => a !== "").map((a) => (/^\d+$/.test(a) ? BigInt(a) : a)) };
  return undefined;
}

/** USDC for a one-line message: at most two decimals. */
const usdc2 = (x: unknown): string => (typeof x === "bigint" ? Number(formatUnits(x, 6)).toLocaleString("en-US", { maximumFractionDigits: 2 }) : String(x));

/** What the action pays into, for the messages ("the escrow needs 250"). */
const subjectOf = (label: string): string => (/escrow/i.test(label) ? "the escrow" : /stream/i.test(label) ? "the stream" : "this payment");

/** One readable line per custom error the dApp's users can hit; others get a generic line with the name. */
function hintFor(e: DecodedRevert, label: string): string {
  const a = e.args;
  switch (e.name) {
    case "ERC20InsufficientBalance":
      return `Insufficient USDC balance: you have ${usdc2(a[1])}, ${subjectOf(label)} needs ${usdc2(a[2])}.`;
    case "ERC20InsufficientAllowance":
    case "PaymentEscrow_InsufficientAllowance":
      return `USDC allowance too low: ${usdc2(a[e.name === "ERC20InsufficientAllowance" ? 1 : 0])} approved, ${usdc2(a[e.name === "ERC20InsufficientAllowance" ? 2 : 1])} needed.`;
    case "PaymentStream_InsufficientAllowance":
      return `USDC allowance too low: ${usdc2(a[1])} approved, ${usdc2(a[2])} needed.`;
    case "ERC2612ExpiredSignature":
      return "The permit signature expired: try again and sign a fresh one.";
    case "ERC2612InvalidSigner":
      return "The permit was signed by another account than the one paying.";
    case "PaymentEscrow_DeadlineInPast":
      return "The deadline is already past: choose a later one.";
    case "PaymentEscrow_ZeroAmount":
    case "PaymentStream_ZeroAmount":
      return "The amount must be above zero.";
    case "PaymentEscrow_ZeroAddress":
    case "PaymentStream_ZeroAddress":
      return "An address is missing (zero address).";
    case "PaymentEscrow_TokenNotAllowed":
    case "PaymentStream_TokenNotAllowed":
      return "This token is not accepted here.";
    case "PaymentEscrow_NotParty":
      return "Only the payer or the payee of this escrow can do this.";
    case "PaymentEscrow_NotArbiter":
      return "Only the arbiter can do this.";
    case "PaymentStream_CallerNotArbiter":
      // A frozen stream is canceled by the arbiter only, so the sender's cancel lands here.
      return /cancel/i.test(label) ? "The stream is frozen: only the arbiter can cancel it now." : "Only the arbiter can do this.";
    case "PaymentEscrow_InvalidStatus":
      return "The milestone is no longer in a state that allows this (it may just have changed).";
    case "PaymentEscrow_HoldNotOver":
      return "The risk hold is not over yet: try again after it ends.";
    case "PaymentEscrow_DeadlinePassed":
      return "The escrow's deadline has passed: it can only be refunded now.";
    case "PaymentEscrow_DeadlineNotPassed":
      return "The escrow's deadline has not passed yet.";
    case "PaymentEscrow_ArbiterIsParty":
      return "The arbiter cannot be the payer or the payee of an escrow: choose another payee.";
    case "PaymentEscrow_ReferrerNotApproved":
      return "The payee has not approved this referrer (the commission comes out of the payee's payment).";
    case "PaymentEscrow_ReferrerIsPayer":
      return "The payer cannot be its own referrer.";
    case "PaymentEscrow_HoldWindowOver":
      return "The hold window is over: the milestone can no longer be disputed; it waits for its finalization.";
    case "PaymentEscrow_AccountBlocked":
      return "The token refuses this account (e.g. blacklisted by the issuer): its credit cannot be sent to another address.";
    case "RiskOracle_Superseded":
      return "A newer oracle verdict exists for this payment: use the current one.";
    case "RiskOracle_VerdictMismatch":
      return "The posted verdict is about other terms (payer, payee or amount): use its own amount.";
    case "RiskOracle_VerdictRevoked":
    case "RiskOracle_Revoked":
      return "The oracle revoked this verdict: wait for a new one.";
    case "RiskOracle_SignerSetRotated":
      return "The oracle's signer set changed since this verdict: wait for a new one.";
    case "RiskOracle_Paused":
      return "The risk oracle is paused: try again later.";
    case "RiskOracle_NoVerdict":
    case "PaymentStream_NoDecision":
      return "No oracle verdict yet: wait for the attestation.";
    case "RiskOracle_Expired":
      return "The oracle's attestation expired: request a new one.";
    case "RiskOracle_ThresholdNotMet":
      return "Not enough oracle operators signed the attestation.";
    case "PaymentStream_Overdraw":
      return `More than is withdrawable (${usdc2(a[2])} USDC).`;
    case "PaymentStream_AttestationRequired":
      return "Above the unattested allowance: withdraw with an attestation.";
    case "PaymentStream_AmountAboveAttestedCap":
      return `Above what the attestation covers (${usdc2(a[2])} USDC).`;
    case "PaymentStream_StreamFrozen":
      return "The stream is frozen by the risk oracle.";
    case "PaymentStream_CallerNotRecipientOrOperator":
      return "Only the stream's recipient (or an operator it approved) can use its Release or Hold verdict; anyone can apply a Freeze.";
    case "PaymentStream_NoHold":
      return "No hold is recorded for this stream's current attestation.";
    case "PaymentStream_HoldOver":
      return "The hold window is over: the hold can no longer be disputed.";
    case "PaymentStream_AccountBlocked":
      return "The token refuses this account (e.g. blacklisted by the issuer): its funds cannot be sent to another address.";
    case "PaymentStream_ArbiterIsParty":
      return "The arbiter cannot be the sender or the recipient of a stream.";
    case "PaymentStream_ArbitrationPending":
      return typeof a[1] === "bigint" ? `The stream is frozen for the arbiter: you may cancel it from ${new Date(Number(a[1]) * 1000).toLocaleString()}.` : "The stream is frozen for the arbiter: try again after the arbitration timeout.";
    case "PaymentStream_HoldActive":
      return typeof a[1] === "bigint" ? `The oracle's verdict holds the stream until ${new Date(Number(a[1]) * 1000).toLocaleTimeString()}: try again then.` : "The stream is on hold: try again after it ends.";
    case "PaymentStream_EndTimeInPast":
      return "The stream's end is already past.";
    case "PaymentStream_InvalidRecipient":
      return "This recipient cannot receive the stream.";
    case "PaymentStream_NotFound":
      return "No such stream.";
    case "PaymentStream_CallerNotSender":
      return "Only the stream's sender can do this.";
    case "PaymentStream_StreamNotCancelable":
      return "This stream is irrevocable (created non-cancelable or renounced): it cannot be canceled.";
    case "PaymentStream_StreamCanceled":
      return "The stream is already canceled.";
    case "PaymentStream_StreamSettled":
      return "Everything has already streamed: nothing is left to refund.";
    case "PaymentStream_StreamNotFrozen":
      return "The stream is not frozen (any more): it may just have been cleared or canceled.";
    case "PaymentStream_WrongShape":
      return "Not possible for this kind of stream.";
    default:
      return "The contract refused the call.";
  }
}

export type ErrorReport = { kind: StatusKind; text: string; details?: string };

/** A readable one-line message for a failure, the raw text kept as details; rejected signatures are told apart. */
export function describeError(err: unknown, label = ""): ErrorReport {
  const e = err as { code?: number; cause?: unknown };
  const rejected = "You rejected the request in your wallet: nothing was sent.";
  if (err instanceof BaseError && err.walk((x) => x instanceof UserRejectedRequestError)) return { kind: "rejected", text: rejected };
  if (e?.code === 4001) return { kind: "rejected", text: rejected };
  if (err instanceof BaseError) {
    const revert = decodeRevert(err);
    if (revert) return { kind: "error", text: `${hintFor(revert, label)} (${revert.name})`, details: err.message };
    return { kind: "error", text: `Chain error: ${err.shortMessage.split("\n")[0]}`, details: err.message };
  }
  const message = (err as Error)?.message ?? String(err);
  return { kind: "error", text: `Error: ${message.split("\n")[0]}`, details: message.includes("\n") ? message : undefined };
}

/**
 * Runs a wallet action with clear states: pending → confirmed, or rejected / error. `done` turns the result
 * into the confirmation's wording (e.g. the split a cancel made, read from its event).
 */
export async function act<T>(label: string, fn: (progress: (text: string) => void) => Promise<T>, done?: (out: T) => string | undefined): Promise<T | undefined> {
  setStatus("pending", `${label}: waiting for your wallet…`);
  try {
    const out = await fn((text) => setStatus("pending", `${label}: ${text}`));
    setStatus("ok", `${label}: ${done?.(out) ?? "confirmed."}`);
    return out;
  } catch (err) {
    const d = describeError(err, label);
    setStatus(d.kind, `${label}: ${d.text}`, d.details);
    return undefined;
  }
}
