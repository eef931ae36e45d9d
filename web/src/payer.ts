// Payer view: balance (and a local faucet), create an escrow funded by a permit signature (no approve step)
// or by approve + transferFrom, watch the verdict arrive with its reasons in plain words, release /
// finalize / dispute / refund; create a stream (same two funding paths), watch the balance tick, withdraw;
// the sender cancels (seeing the split first) or renounces its streams.
import { type Address, type TransactionReceipt, parseSignature } from "viem";
import { DEV_ACCOUNTS, LOCAL_CHAIN_ID, type Session, devAccount, eventIn, write } from "./chain.js";
import { type StreamInfo, cancelSplit, loadStreamsOf, postedCap, streamVerdicts } from "./streams.js";
import { act, h, setStatus, short, toUnits, usdc } from "./ui.js";
import { DECISION_WORDS, type EscrowView, type Milestone, type PostedVerdict, decisionOf, loadEscrows, oracleExplanation, postedVerdicts, reasonsInWords } from "./verdicts.js";

/** A posted verdict for a stream's next attested withdrawal, in the stream's terms. */
const STREAM_DECISION_WORDS = {
  release: "Release",
  hold: "Hold (withdrawals above the allowance wait for the hold window)",
  freeze: "Freeze (applying it stops the stream until the arbiter decides)",
} as const;

const ZERO = "0x0000000000000000000000000000000000000000" as Address;

/** EIP-2612 permit for `spender` to pull `value` from the connected wallet, signed off-chain. */
async function signPermit(s: Session, spender: Address, value: bigint, deadline: bigint) {
  const owner = s.wallet!.address;
  const [nonce, name, version] = await Promise.all([
    s.publicClient.readContract({ address: s.addr.token, abi: s.abi.token, functionName: "nonces", args: [owner] }) as Promise<bigint>,
    s.publicClient.readContract({ address: s.addr.token, abi: s.abi.token, functionName: "name" }) as Promise<string>,
    s.publicClient.readContract({ address: s.addr.token, abi: s.abi.token, functionName: "version" }) as Promise<string>,
  ]);
  const signature = await s.wallet!.client.signTypedData({
    account: s.wallet!.client.account ?? owner,
    domain: { name, version, chainId: s.d.chainId, verifyingContract: s.addr.token },
    types: {
      Permit: [
        { name: "owner", type: "address" },
        { name: "spender", type: "address" },
        { name: "value", type: "uint256" },
        { name: "nonce", type: "uint256" },
        { name: "deadline", type: "uint256" },
      ],
    },
    primaryType: "Permit",
    message: { owner, spender, value, nonce, deadline },
  });
  const sig = parseSignature(signature);
  return { v: Number(sig.v ?? BigInt(sig.yParity + 27)), r: sig.r, s: sig.s };
}

/** How a create is funded: one EIP-2612 permit signature, or the classic approve then transferFrom. */
type Funding = "permit" | "approve";

function fundingSelect(id: string): HTMLSelectElement {
  return h(
    "select",
    { id, name: "funding" },
    h("option", { value: "permit", selected: true }, "Permit signature (no approve step)"),
    h("option", { value: "approve" }, "Approve, then transfer (wallets / tokens without permit)"),
  );
}

/** Approve path, step 1: approves `spender` for `amount`, skipped when the allowance already covers it. */
async function ensureAllowance(s: Session, spender: Address, amount: bigint, what: string, progress: (t: string) => void): Promise<void> {
  const owner = s.wallet!.address;
  const [balance, current] = await Promise.all([
    s.publicClient.readContract({ address: s.addr.token, abi: s.abi.token, functionName: "balanceOf", args: [owner] }) as Promise<bigint>,
    s.publicClient.readContract({ address: s.addr.token, abi: s.abi.token, functionName: "allowance", args: [owner, spender] }) as Promise<bigint>,
  ]);
  // Checked before the approve, so a payment that cannot go through costs no approve transaction.
  if (balance < amount) throw new Error(`Insufficient USDC balance: you have ${usdc(balance)}, ${what} needs ${usdc(amount)}.`);
  if (current >= amount) return progress(`the allowance (${usdc(current)} USDC) already covers it`);
  progress(`step 1 of 2: approve ${usdc(amount)} USDC in your wallet`);
  await write(s, s.addr.token, s.abi.token, "approve", [spender, amount], (t) => progress(`step 1 of 2 (approve): ${t}`));
}

type IssuedAttestation = {
  attestation: { consumer: Address; subject: `0x${string}`; payer: Address; payee: Address; token: Address; amount: string; score: number; reasons: number; modelId: `0x${string}`; issuedAt: string; expiresAt: string; nonce: `0x${string}` };
  signerSet: Address[];
  signatures: `0x${string}`[];
  decision: string;
  reasonsText?: string[];
};

/** POST /v1/attestations on the oracle API (pull mode). */
async function requestAttestation(s: Session, body: { consumer: Address; subject: `0x${string}`; payer: Address; payee: Address; token: Address; amount: bigint }): Promise<IssuedAttestation> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (s.cfg.oracleApiKey) headers["x-api-key"] = s.cfg.oracleApiKey;
  const res = await fetch(`${s.cfg.oracleUrl}/v1/attestations`, { method: "POST", headers, body: JSON.stringify({ ...body, amount: body.amount.toString() }) });
  const json = (await res.json()) as IssuedAttestation & { error?: { code: string; message: string } };
  if (!res.ok) throw new Error(`oracle: ${json.error?.message ?? `HTTP ${res.status}`}`);
  return json;
}

/** The chain's current time: the pending block's timestamp (a local chain may run ahead of the wall clock). */
async function chainNow(s: Session): Promise<number> {
  try {
    return Number((await s.publicClient.getBlock({ blockTag: "pending" })).timestamp);
  } catch {
    return Number((await s.publicClient.getBlock()).timestamp);
  }
}

export function renderPayer(s: Session, root: HTMLElement, onChange: () => void): { refresh: () => Promise<void> } {
  const balance = h("strong", { id: "balance" }, "–");
  const faucet = h("button", { id: "faucet", class: "secondary" }, "Get 1,000 test USDC");
  faucet.addEventListener("click", () =>
    void act("Faucet", async (progress) => {
      if (!s.wallet) throw new Error("connect a wallet first");
      const owner = devAccount(0);
      const { createWalletClient, http } = await import("viem");
      const client = createWalletClient({ account: owner, chain: s.chain, transport: http(s.cfg.rpcUrl) });
      const hash = await client.writeContract({ address: s.addr.token, abi: s.abi.token, functionName: "mint", args: [s.wallet.address, 1_000_000_000n] });
      progress("minting…");
      await s.publicClient.waitForTransactionReceipt({ hash });
      onChange();
    }),
  );

  const payeeOptions = DEV_ACCOUNTS.filter((a) => a.index !== 0 && a.index !== 4).map((a) => h("option", { value: devAccount(a.index).address }, `${a.label} ${short(devAccount(a.index).address)}`));
  const payee = h("input", { id: "payee", name: "payee", placeholder: "0x… payee address", list: "payees", autocomplete: "off", required: true });
  const amount = h("input", { id: "amount", name: "amount", inputmode: "decimal", value: "250", required: true });
  const milestones = h("select", { id: "milestones", name: "milestones" }, h("option", { value: "1" }, "1 milestone"), h("option", { value: "2" }, "2 milestones"), h("option", { value: "3" }, "3 milestones"));
  const deadlineH = h("input", { id: "deadline-hours", name: "deadline", inputmode: "numeric", value: "168" });
  const createBtn = h("button", { id: "create-escrow", type: "submit" }, "Sign permit & create escrow");
  const escrowFunding = fundingSelect("escrow-funding");
  const escrowHint = h("p", { class: "hint", id: "escrow-funding-hint" });
  const escrowForm = h(
    "form",
    { class: "card", id: "escrow-form" },
    h("h2", {}, "Pay into escrow"),
    h("label", {}, "Payee", payee),
    h("datalist", { id: "payees" }, ...(s.d.chainId === LOCAL_CHAIN_ID ? payeeOptions : [])),
    h("div", { class: "row" }, h("label", {}, "Amount (USDC)", amount), h("label", {}, "Milestones", milestones), h("label", {}, "Deadline (hours)", deadlineH)),
    h("label", {}, "Funding", escrowFunding),
    escrowHint,
    createBtn,
  );
  const drawEscrowFunding = (): void => {
    const permit = escrowFunding.value === "permit";
    createBtn.textContent = permit ? "Sign permit & create escrow" : "Approve & create escrow";
    escrowHint.textContent = permit
      ? "One signature (EIP-2612 permit) funds the escrow in the same transaction: no approve step. The oracle attests each milestone; release applies its verdict."
      : "Two transactions: approve the escrow contract for the total (skipped if the allowance already covers it), then create; it pulls the total with transferFrom. The oracle attests each milestone; release applies its verdict.";
  };
  escrowFunding.addEventListener("change", drawEscrowFunding);
  drawEscrowFunding();
  escrowForm.addEventListener("submit", (e) => {
    e.preventDefault();
    void act("Create escrow", async (progress) => {
      if (!s.wallet) throw new Error("connect a wallet first");
      const to = payee.value.trim() as Address;
      if (!/^0x[0-9a-fA-F]{40}$/.test(to)) throw new Error("the payee must be a 0x address");
      const total = toUnits(amount.value);
      if (total <= 0n) throw new Error("the amount must be above zero");
      const n = Number(milestones.value);
      const parts = Array.from({ length: n }, (_, i) => (i === n - 1 ? total - (total / BigInt(n)) * BigInt(n - 1) : total / BigInt(n)));
      const now = await chainNow(s);
      const params = { payee: to, token: s.addr.token, amounts: parts, deadline: now + Math.round(Number(deadlineH.value) * 3600), arbiter: s.d.arbiter as Address, referrer: ZERO };
      if ((escrowFunding.value as Funding) === "approve") {
        await ensureAllowance(s, s.addr.escrow, total, "the escrow", progress);
        progress("step 2 of 2: confirm the transaction");
        await write(s, s.addr.escrow, s.abi.escrow, "createEscrow", [params], progress);
      } else {
        const permitDeadline = BigInt(now + 3600);
        progress("sign the permit in your wallet");
        const sig = await signPermit(s, s.addr.escrow, total, permitDeadline);
        progress("confirm the transaction");
        await write(s, s.addr.escrow, s.abi.escrow, "createEscrowWithPermit", [params, permitDeadline, sig.v, sig.r, sig.s], progress);
      }
      onChange();
    });
  });

  const recipient = h("input", { id: "stream-recipient", placeholder: "0x… recipient", list: "payees", autocomplete: "off" });
  const deposit = h("input", { id: "stream-deposit", inputmode: "decimal", value: "100" });
  const minutes = h("input", { id: "stream-minutes", inputmode: "numeric", value: "60" });
  const allowance = h("input", { id: "stream-allowance", inputmode: "numeric", value: "50" });
  const streamFunding = fundingSelect("stream-funding");
  const streamBtn = h("button", { id: "create-stream", type: "submit" }, "Sign permit & start stream");
  const streamForm = h(
    "form",
    { class: "card", id: "stream-form" },
    h("h2", {}, "Stream a payment"),
    h("label", {}, "Recipient", recipient),
    h("div", { class: "row" }, h("label", {}, "Deposit (USDC)", deposit), h("label", {}, "Duration (minutes)", minutes), h("label", {}, "Unattested allowance (USDC)", allowance)),
    h("label", {}, "Funding", streamFunding),
    h("p", { class: "hint" }, "Paid by the second. Withdrawals up to the allowance need no oracle; larger ones need an attestation. You can cancel (the recipient keeps what has accrued) until you make the stream irrevocable."),
    streamBtn,
  );
  streamFunding.addEventListener("change", () => {
    streamBtn.textContent = streamFunding.value === "permit" ? "Sign permit & start stream" : "Approve & start stream";
  });
  streamForm.addEventListener("submit", (e) => {
    e.preventDefault();
    void act("Start stream", async (progress) => {
      if (!s.wallet) throw new Error("connect a wallet first");
      const to = recipient.value.trim() as Address;
      if (!/^0x[0-9a-fA-F]{40}$/.test(to)) throw new Error("the recipient must be a 0x address");
      const dep = toUnits(deposit.value);
      const now = await chainNow(s);
      const params = {
        recipient: to,
        token: s.addr.token,
        deposit: dep,
        startTime: 0,
        cliffTime: 0,
        endTime: now + Math.max(1, Math.round(Number(minutes.value) * 60)),
        cliffAmount: 0n,
        cancelable: true,
        unattestedAllowance: Math.max(0, Math.round(Number(allowance.value))),
        referralBudget: 0n,
        affiliate: "0x0000000000000000000000000000000000000000" as const,
        planId: 0,
      };
      if ((streamFunding.value as Funding) === "approve") {
        await ensureAllowance(s, s.addr.stream, dep, "the stream", progress);
        progress("step 2 of 2: confirm the transaction");
        await write(s, s.addr.stream, s.abi.stream, "createLinear", [params], progress);
      } else {
        const deadline = BigInt(now + 3600);
        progress("sign the permit in your wallet");
        const sig = await signPermit(s, s.addr.stream, dep, deadline);
        const funding = { method: 0, validAfter: 0n, deadline, nonce: `0x${"0".repeat(64)}`, v: sig.v, r: sig.r, s: sig.s };
        progress("confirm the transaction");
        await write(s, s.addr.stream, s.abi.stream, "createLinearWithFunding", [params, funding], progress);
      }
      onChange();
    });
  });

  const escrowList = h("div", { id: "escrows" });
  const streamList = h("div", { id: "streams" });
  root.replaceChildren(
    h("div", { class: "card balance" }, h("span", {}, "USDC balance "), balance, s.d.chainId === LOCAL_CHAIN_ID ? faucet : null),
    escrowForm,
    h("section", { class: "card" }, h("h2", {}, "Your escrows"), escrowList),
    streamForm,
    h("section", { class: "card" }, h("h2", {}, "Your streams"), streamList),
  );

  let busy = false;
  let escrowSig = "";
  let streamSig = "";
  const explanations = new Map<string, { text: string; contribution: number }[]>();

  function milestoneRow(e: EscrowView, m: Milestone, now: number): HTMLElement {
    const me = s.wallet?.address.toLowerCase();
    const party = me === e.deal.payer.toLowerCase() || me === e.deal.payee.toLowerCase();
    const expired = now >= e.deal.deadline;
    const actions: HTMLElement[] = [];
    const button = (id: string, label: string, fn: string, args: unknown[]) => {
      const b = h("button", { class: "small", "data-action": id }, label);
      b.addEventListener("click", () => {
        busy = true;
        void act(label, (p) => write(s, s.addr.escrow, s.abi.escrow, fn, args, p)).finally(() => {
          busy = false;
          onChange();
        });
      });
      actions.push(b);
    };
    if (m.status === "Pending" && m.verdict && !expired) button("release", "Apply verdict", "release", [e.terms, e.id, BigInt(m.index)]);
    if (m.status === "Held" && now >= m.holdUntil && !expired) button("finalize", "Finalize hold", "finalizeHold", [e.terms, e.id, BigInt(m.index)]);
    if ((m.status === "Pending" || m.status === "Held") && party) button("dispute", "Dispute", "dispute", [e.terms, e.id, BigInt(m.index)]);
    let verdict: HTMLElement;
    if (m.verdict) {
      const d = decisionOf(m.verdict.score, s.d.policy);
      const words = reasonsInWords(m.verdict.reasons);
      const why = explanations.get(m.subject);
      verdict = h(
        "div",
        { class: `verdict ${d}`, "data-decision": d },
        h("strong", {}, `${DECISION_WORDS[d]} — risk ${(m.verdict.score / 100).toFixed(1)}%`),
        words.length ? h("ul", { class: "reasons" }, ...words.map((w) => h("li", {}, w))) : h("p", { class: "hint" }, "No risk signals."),
        why?.length ? h("details", {}, h("summary", {}, "Why (model explanation)"), h("ul", {}, ...why.slice(0, 5).map((x) => h("li", {}, `${x.text} (${x.contribution > 0 ? "+" : ""}${x.contribution})`)))) : null,
      );
      if (!explanations.has(m.subject)) void oracleExplanation(s, m.subject).then((x) => x && explanations.set(m.subject, x));
    } else if (m.status === "Pending") verdict = h("div", { class: "verdict waiting", "data-decision": "waiting" }, h("span", { class: "spinner" }), "Waiting for the oracle’s verdict…");
    else verdict = h("div", { class: "verdict" });
    const hold = m.status === "Held" ? h("span", { class: "hint" }, now >= m.holdUntil ? " hold window over" : ` held until ${new Date(m.holdUntil * 1000).toLocaleTimeString()}`) : null;
    return h(
      "li",
      { class: "milestone", "data-escrow": String(e.id), "data-index": String(m.index), "data-status": m.status },
      h("div", { class: "mrow" }, h("span", {}, `Milestone ${m.index + 1}: ${usdc(m.amount)} USDC`), h("span", { class: `badge ${m.status.toLowerCase()}` }, m.status), hold),
      verdict,
      actions.length ? h("div", { class: "actions" }, ...actions) : null,
    );
  }

  async function refreshEscrows(now: number, verdicts: PostedVerdict[]): Promise<void> {
    if (!s.wallet) {
      escrowList.replaceChildren(h("p", { class: "hint" }, "Connect a wallet to see your escrows."));
      return;
    }
    const owner = s.wallet.address;
    const escrows = await loadEscrows(s, owner, verdicts);
    // A refresh that started before an account switch must not paint the previous account's escrows.
    if (busy || s.wallet?.address !== owner) return;
    // Marks whose escrows are on screen, so scripts (and tests) can wait for the list after a switch.
    escrowList.dataset.account = owner.toLowerCase();
    if (escrows.length === 0) {
      escrowSig = "";
      escrowList.replaceChildren(h("p", { class: "hint" }, "No escrows yet."));
      return;
    }
    // Re-render only when something visible changed, so a button is never swapped under the pointer.
    const sig = `${s.wallet.address}#` + escrows
      .slice(0, 20)
      .map((e) => `${e.id}:${now >= e.deal.deadline}:${e.milestones.map((m) => `${m.status}/${m.verdict?.uid ?? "-"}/${now >= m.holdUntil}/${explanations.has(m.subject)}`).join(",")}`)
      .join("|");
    if (sig === escrowSig && escrowList.childElementCount > 0) return;
    escrowSig = sig;
    escrowList.replaceChildren(
      ...escrows.slice(0, 20).map((e) => {
        const refundable = now >= e.deal.deadline && e.milestones.some((m) => m.status === "Pending" || m.status === "Held");
        const refund = refundable ? h("button", { class: "small", "data-action": "refund" }, "Refund to payer") : null;
        refund?.addEventListener("click", () => void act("Refund", (p) => write(s, s.addr.escrow, s.abi.escrow, "refund", [e.terms, e.id], p)).finally(onChange));
        const role = e.deal.payer.toLowerCase() === s.wallet!.address.toLowerCase() ? `to ${short(e.deal.payee)}` : `from ${short(e.deal.payer)}`;
        return h(
          "article",
          { class: "escrow", "data-escrow": String(e.id) },
          h("header", {}, h("strong", {}, `Escrow #${e.id}`), h("span", { class: "hint" }, ` ${role} · deadline ${new Date(e.deal.deadline * 1000).toLocaleString()}`)),
          h("ul", { class: "milestones" }, ...e.milestones.map((m) => milestoneRow(e, m, now))),
          refund,
        );
      }),
    );
  }

  type StreamView = { can: bigint };
  const currentStreams = new Map<bigint, StreamView>();
  /** A stream as last read from the chain, the chain time it was read at, and the verdict posted for its next subject. */
  type StreamRow = StreamInfo & { at: number; posted?: PostedVerdict & { cap?: bigint } };
  let streams: StreamRow[] = [];
  /** The sender's confirmation step open on a stream (cancel shows the split first; renounce is forever). */
  const confirming = new Map<bigint, "cancel" | "renounce">();

  async function refreshStreams(now: number, verdicts: PostedVerdict[]): Promise<void> {
    if (!s.wallet) {
      streamList.replaceChildren(h("p", { class: "hint" }, "Connect a wallet to see your streams."));
      return;
    }
    const owner = s.wallet.address;
    const bySubject = streamVerdicts(s, verdicts);
    const rows = await Promise.all(
      (await loadStreamsOf(s, owner)).map(async (x): Promise<StreamRow> => {
        // A verdict the operators posted for the stream's next subject (push mode), if still valid.
        const v = bySubject.get(x.subject.toLowerCase());
        const posted = v && !x.frozen && v.expiresAt > BigInt(now) ? { ...v, cap: await postedCap(s, v) } : undefined;
        return { ...x, at: now, posted };
      }),
    );
    // A refresh that started before an account switch must not paint the previous account's streams.
    if (busy || s.wallet?.address !== owner) return;
    lastRefreshWall = Date.now() / 1000;
    streams = rows;
    drawStreams();
    // Marks whose streams are on screen, so scripts (and tests) can wait for the list after a switch.
    streamList.dataset.account = owner.toLowerCase();
  }

  /** Runs a stream action with the usual pending / confirmed / error states, then refreshes. */
  function streamAction<T>(label: string, fn: (p: (t: string) => void) => Promise<T>, done?: (out: T) => string | undefined, after?: () => void): void {
    busy = true;
    void act(label, fn, done).finally(() => {
      after?.();
      busy = false;
      onChange();
    });
  }

  /** The outcome of an attested withdrawal (inline or posted): paid, or frozen by a Freeze verdict. */
  const withdrawOutcome = (receipt: TransactionReceipt): string | undefined => {
    const frozen = eventIn<{ reasons: number }>(receipt, s.abi.stream, "FreezeStream");
    if (frozen) {
      const why = reasonsInWords(Number(frozen.reasons));
      return `the oracle's verdict froze the stream${why.length ? ` (${why.join("; ")})` : ""}. Nothing was paid; the arbiter will clear or cancel it.`;
    }
    const held = eventIn<{ holdUntil: bigint }>(receipt, s.abi.stream, "HoldStream");
    if (held) return `the oracle's verdict put the withdrawal on hold until ${new Date(Number(held.holdUntil) * 1000).toLocaleString()}. Nothing was paid yet; withdraw after the hold.`;
    const paid = eventIn<{ net: bigint }>(receipt, s.abi.stream, "WithdrawStream");
    return paid ? `confirmed, ${usdc(paid.net)} USDC paid.` : undefined;
  };

  /** Redraws the stream balances, extrapolating the linear accrual between chain reads (the tick). */
  function drawStreams(): void {
    if (!s.wallet) return;
    if (streams.length === 0) {
      streamSig = "";
      streamList.replaceChildren(h("p", { class: "hint" }, "No streams yet."));
      return;
    }
    const me = s.wallet.address.toLowerCase();
    const wall = Date.now() / 1000;
    const views = streams.map((r) => {
      const elapsed = Math.max(0, wall - lastRefreshWall);
      const ticking = !r.frozen && !r.canceled && r.endTime > r.startTime;
      const rate = ticking ? Number(r.deposited) / (r.endTime - r.startTime) : 0;
      const streamed = ticking ? BigInt(Math.min(Number(r.deposited), Math.floor(Number(r.streamed) + rate * elapsed))) : r.streamed;
      const withdrawable = r.frozen ? 0n : r.withdrawable + (streamed - r.streamed);
      const isRecipient = r.recipient.toLowerCase() === me;
      const isSender = r.sender.toLowerCase() === me;
      const room = r.allowance > r.sinceAttested ? r.allowance - r.sinceAttested : 0n;
      const can = r.withdrawable < room ? r.withdrawable : room; // what the chain allows without an attestation
      // Nothing left to refund (fully streamed): a cancel would revert and a renounce would mean nothing.
      const ended = !r.frozen && !r.canceled && r.refundable === 0n;
      const senderCan = isSender && r.cancelable && !r.canceled && !r.frozen && !ended;
      if (!senderCan) confirming.delete(r.id); // the stream changed under an open confirmation
      const state = r.frozen ? "Frozen" : r.canceled ? "Canceled" : ended ? "Ended" : r.cancelable ? "Streaming" : "Irrevocable";
      const posted = r.posted ? decisionOf(r.posted.score, s.d.policy) : undefined;
      const cap = r.posted?.cap;
      // Gate rule G4: a recorded Hold. Nothing attested moves until its window ends; then the recipient
      // finalizes (the contract re-checks the verdict with the oracle); meanwhile the sender may dispute it.
      const hold = !r.frozen && !r.canceled ? r.hold : undefined;
      // The chain's clock (it may run ahead of the wall clock): its time at the last refresh, plus what elapsed.
      const holdOver = hold !== undefined && r.at + elapsed >= hold.until;
      return {
        r,
        withdrawable,
        isRecipient,
        isSender,
        room,
        can,
        senderCan,
        state,
        confirm: confirming.get(r.id),
        split: cancelSplit(r),
        streamed,
        showBtn: isRecipient && can > 0n && !r.frozen,
        hold,
        holdOver,
        showFinalize: isRecipient && hold !== undefined && holdOver && r.withdrawable > 0n,
        showDisputeHold: isSender && hold !== undefined && !holdOver,
        showAttested: isRecipient && !r.frozen && hold === undefined && r.withdrawable > room && Boolean(s.cfg.oracleUrl),
        posted,
        // Push mode: the verdict the operators posted, with the cap it covers.
        postedAmount: cap === undefined ? 0n : r.withdrawable < cap ? r.withdrawable : cap,
        showPosted: isRecipient && !r.frozen && hold === undefined && posted !== undefined && posted !== "freeze" && cap !== undefined && r.withdrawable > room,
        // Anyone may apply a posted Freeze; the sender does it to stop paying a flagged recipient at once.
        showApplyFreeze: (isSender || isRecipient) && !r.frozen && posted === "freeze" && cap !== undefined,
        showHint: room < withdrawable && isRecipient && !r.frozen,
        pct: Number(r.deposited) > 0 ? (100 * Number(streamed)) / Number(r.deposited) : 0,
        text: `streamed ${usdc(streamed)} / ${usdc(r.deposited)} USDC · withdrawn ${usdc(r.withdrawn)} · withdrawable ${usdc(withdrawable)}`,
      };
    });
    type View = (typeof views)[number];
    // The words tick with the balance shown above them; the data attributes keep the contract's own figures
    // (amountsOf at the last read), which the mined cancel can only move towards the recipient.
    const splitText = (v: View): string => {
      const accrued = v.streamed - v.r.streamed < v.split.refund ? v.streamed - v.r.streamed : v.split.refund;
      return `Cancel now: ${usdc(v.split.toRecipient + accrued)} USDC (accrued, not yet withdrawn) stays with the recipient, ${usdc(v.split.refund - accrued)} USDC returns to you. The block that mines the cancel fixes the exact split.`;
    };
    for (const v of views) currentStreams.set(v.r.id, v);
    // The tick updates text in place; the list is rebuilt only when its shape changes (buttons stay put).
    const sig =
      `${me}#` +
      views.map((v) => `${v.r.id}:${v.state}:${v.showBtn}:${v.showAttested}:${v.showHint}:${v.senderCan}:${v.confirm ?? "-"}:${v.r.freeze?.txHash ?? "-"}:${v.r.posted?.uid ?? "-"}:${v.showPosted}:${v.showApplyFreeze}:${v.hold?.until ?? "-"}:${v.showFinalize}:${v.showDisputeHold}`).join("|");
    if (sig === streamSig && streamList.childElementCount === views.length) {
      for (const v of views) {
        const el = streamList.querySelector<HTMLElement>(`article.stream[data-stream="${v.r.id}"]`);
        if (!el) continue;
        el.querySelector<HTMLElement>('[data-field="streamed"]')!.textContent = v.text;
        el.querySelector<HTMLElement>(".bar > div")!.style.width = `${v.pct.toFixed(2)}%`;
        const hint = el.querySelector<HTMLElement>('[data-field="hint"]');
        if (hint) hint.textContent = `Above ${usdc(v.room)} USDC more, a withdrawal needs an oracle attestation.`;
        const b = el.querySelector<HTMLElement>('button[data-action="withdraw"]');
        if (b) b.textContent = `Withdraw ${usdc(v.can)} USDC`;
        const a = el.querySelector<HTMLElement>('button[data-action="withdraw-attested"]');
        if (a) a.textContent = `Withdraw ${usdc(v.r.withdrawable)} USDC with an attestation`;
        const pb = el.querySelector<HTMLElement>('button[data-action="withdraw-posted"]');
        if (pb) pb.textContent = `Withdraw ${usdc(v.postedAmount)} USDC with the posted verdict`;
        const split = el.querySelector<HTMLElement>('[data-field="split"]');
        if (split) {
          split.textContent = splitText(v);
          split.dataset.toRecipient = String(v.split.toRecipient);
          split.dataset.refund = String(v.split.refund);
        }
      }
      return;
    }
    streamSig = sig;
    streamList.replaceChildren(
      ...views.map((v) => {
        const { r } = v;
        const btn = v.showBtn ? h("button", { class: "small", "data-action": "withdraw" }, `Withdraw ${usdc(v.can)} USDC`) : null;
        btn?.addEventListener("click", () => {
          const can = currentStreams.get(r.id)?.can ?? v.can;
          streamAction("Withdraw", (p) => write(s, s.addr.stream, s.abi.stream, "withdraw", [r.id, r.recipient, can], p));
        });
        // Above the allowance: ask the oracle for a pull-mode attestation (k-of-n signed) and pass it inline.
        // A Freeze verdict freezes the stream (the call succeeds and pays nothing): say so, with its reasons.
        const attested = v.showAttested ? h("button", { class: "small secondary", "data-action": "withdraw-attested" }, `Withdraw ${usdc(r.withdrawable)} USDC with an attestation`) : null;
        attested?.addEventListener("click", () => {
          streamAction(
            "Withdraw with attestation",
            async (progress) => {
              const amounts = (await s.publicClient.readContract({ address: s.addr.stream, abi: s.abi.stream, functionName: "amountsOf", args: [r.id], blockTag: "pending" })) as { withdrawable: bigint; subject: `0x${string}` };
              progress("asking the oracle operators to attest");
              const issued = await requestAttestation(s, { consumer: s.addr.stream, subject: amounts.subject, payer: r.sender, payee: r.recipient, token: s.addr.token, amount: amounts.withdrawable });
              progress(`verdict: ${issued.decision}${issued.reasonsText?.length ? ` (${issued.reasonsText.join("; ")})` : ""}`);
              const a = issued.attestation;
              const att = { ...a, amount: BigInt(a.amount), issuedAt: BigInt(a.issuedAt), expiresAt: BigInt(a.expiresAt) };
              return write(s, s.addr.stream, s.abi.stream, "withdrawWithAttestation", [r.id, r.recipient, amounts.withdrawable, att, issued.signerSet, issued.signatures], progress);
            },
            withdrawOutcome,
          );
        });
        const cap = r.posted?.cap ?? 0n;
        const viaPosted = v.showPosted ? h("button", { class: "small secondary", "data-action": "withdraw-posted" }, `Withdraw ${usdc(v.postedAmount)} USDC with the posted verdict`) : null;
        viaPosted?.addEventListener("click", () =>
          streamAction(
            "Withdraw with the posted verdict",
            async (progress) => {
              const now = (await s.publicClient.readContract({ address: s.addr.stream, abi: s.abi.stream, functionName: "amountsOf", args: [r.id], blockTag: "pending" })) as { withdrawable: bigint };
              return write(s, s.addr.stream, s.abi.stream, "withdrawWithPosted", [r.id, r.recipient, now.withdrawable < cap ? now.withdrawable : cap, cap], progress);
            },
            withdrawOutcome,
          ),
        );
        const held = v.hold;
        const finalize = v.showFinalize && held ? h("button", { class: "small", "data-action": "finalize-hold" }, `Withdraw ${usdc(r.withdrawable < held.cap ? r.withdrawable : held.cap)} USDC (hold over)`) : null;
        finalize?.addEventListener("click", () =>
          streamAction(
            "Finalize the hold",
            async (progress) => {
              const now = (await s.publicClient.readContract({ address: s.addr.stream, abi: s.abi.stream, functionName: "amountsOf", args: [r.id], blockTag: "pending" })) as { withdrawable: bigint };
              const amount = held && now.withdrawable > held.cap ? held.cap : now.withdrawable;
              return write(s, s.addr.stream, s.abi.stream, "finalizeHold", [r.id, r.recipient, amount], progress);
            },
            withdrawOutcome,
          ),
        );
        const disputeHold = v.showDisputeHold ? h("button", { class: "small danger", "data-action": "dispute-hold" }, "Dispute the hold (freeze for the arbiter)") : null;
        disputeHold?.addEventListener("click", () => streamAction(`Dispute the hold of stream #${r.id}`, (p) => write(s, s.addr.stream, s.abi.stream, "disputeHold", [r.id], p)));
        const holdBox = held
          ? h(
              "div",
              { class: "verdict hold", "data-decision": "hold", "data-field": "hold", "data-hold-until": String(held.until) },
              h("strong", {}, `On hold by the risk oracle until ${new Date(held.until * 1000).toLocaleString()} — risk ${(held.score / 100).toFixed(1)}%`),
              h(
                "p",
                { class: "hint" },
                v.isSender
                  ? "Nothing above the allowance moves during the hold. You may dispute it (the stream freezes for the arbiter) or cancel the stream before it ends."
                  : `After the hold, up to ${usdc(held.cap)} USDC can be withdrawn if the oracle's verdict still stands (a newer verdict replaces it).`,
              ),
            )
          : null;
        const applyFreeze = v.showApplyFreeze ? h("button", { class: "small danger", "data-action": "apply-freeze" }, "Apply the freeze now") : null;
        // A Freeze applies whatever the amount (> 0); nothing is paid.
        applyFreeze?.addEventListener("click", () => streamAction(`Freeze stream #${r.id}`, (p) => write(s, s.addr.stream, s.abi.stream, "withdrawWithPosted", [r.id, r.recipient, 1n, cap], p), withdrawOutcome));
        const postedBox =
          r.posted && v.posted
            ? h(
                "div",
                { class: `verdict ${v.posted}`, "data-decision": v.posted, "data-field": "posted" },
                h("strong", {}, `Oracle verdict for the next attested withdrawal: ${STREAM_DECISION_WORDS[v.posted]} — risk ${(r.posted.score / 100).toFixed(1)}%`),
                v.posted !== "release" && reasonsInWords(r.posted.reasons).length ? h("ul", { class: "reasons" }, ...reasonsInWords(r.posted.reasons).map((w) => h("li", {}, w))) : null,
              )
            : null;

        // The sender's actions: cancel (the split first) and renounce (forever), each behind a confirmation.
        const senderButtons: HTMLElement[] = [];
        let confirmBox: HTMLElement | null = null;
        if (v.senderCan && !v.confirm) {
          const cancel = h("button", { class: "small secondary", "data-action": "cancel" }, "Cancel stream…");
          cancel.addEventListener("click", () => {
            confirming.set(r.id, "cancel");
            drawStreams();
          });
          const renounce = h("button", { class: "small secondary", "data-action": "renounce" }, "Make irrevocable…");
          renounce.addEventListener("click", () => {
            confirming.set(r.id, "renounce");
            drawStreams();
          });
          senderButtons.push(cancel, renounce);
        }
        if (v.senderCan && v.confirm) {
          const back = h("button", { class: "small secondary", "data-action": "confirm-dismiss" }, v.confirm === "cancel" ? "Keep streaming" : "Keep cancelable");
          back.addEventListener("click", () => {
            confirming.delete(r.id);
            drawStreams();
          });
          let go: HTMLElement;
          let question: HTMLElement;
          if (v.confirm === "cancel") {
            question = h("p", { "data-field": "split", "data-to-recipient": String(v.split.toRecipient), "data-refund": String(v.split.refund) }, splitText(v));
            go = h("button", { class: "small danger", "data-action": "confirm-cancel" }, "Confirm cancel");
            go.addEventListener("click", () =>
              streamAction(
                `Cancel stream #${r.id}`,
                (p) => write(s, s.addr.stream, s.abi.stream, "cancel", [r.id], p),
                (receipt) => {
                  const ev = eventIn<{ refunded: bigint; recipientAmount: bigint }>(receipt, s.abi.stream, "CancelStream");
                  return ev ? `confirmed: ${usdc(ev.recipientAmount)} USDC stays with the recipient to withdraw, ${usdc(ev.refunded)} USDC refunded to you.` : undefined;
                },
                () => confirming.delete(r.id),
              ),
            );
          } else {
            question = h(
              "p",
              {},
              `Make stream #${r.id} irrevocable? You can never cancel it afterwards: the recipient is paid the full ${usdc(r.deposited)} USDC by ${new Date(r.endTime * 1000).toLocaleString()}.`,
            );
            go = h("button", { class: "small danger", "data-action": "confirm-renounce" }, "Confirm: make irrevocable");
            go.addEventListener("click", () =>
              streamAction(`Renounce stream #${r.id}`, (p) => write(s, s.addr.stream, s.abi.stream, "renounce", [r.id], p), () => "confirmed: the stream can no longer be canceled.", () => confirming.delete(r.id)),
            );
          }
          confirmBox = h("div", { class: "confirm", "data-confirm": v.confirm }, question, h("div", { class: "actions" }, go, back));
        }

        const freezeBox = r.frozen
          ? h(
              "div",
              { class: "verdict freeze", "data-decision": "freeze" },
              h("strong", {}, r.freeze ? `Frozen by the risk oracle — risk ${(r.freeze.score / 100).toFixed(1)}%` : "Frozen by the risk oracle"),
              r.freeze && reasonsInWords(r.freeze.reasons).length ? h("ul", { class: "reasons" }, ...reasonsInWords(r.freeze.reasons).map((w) => h("li", {}, w))) : null,
              h("p", { class: "hint" }, `Nothing accrues or can be withdrawn until the arbiter clears the stream or cancels it${v.isSender ? " (only the arbiter can cancel it now)" : ""}.`),
            )
          : null;
        const badge = v.state === "Streaming" ? null : h("span", { class: `badge ${v.state.toLowerCase()}` }, v.state);
        const actions = [btn, attested, viaPosted, finalize, applyFreeze, disputeHold, ...senderButtons].filter((x): x is HTMLButtonElement => x !== null);
        return h(
          "article",
          { class: "stream", "data-stream": String(r.id), "data-state": v.state, "data-role": v.isSender ? "sender" : "recipient" },
          h("header", {}, h("strong", {}, `Stream #${r.id}`), h("span", { class: "hint" }, v.isRecipient ? ` from ${short(r.sender)}` : ` to ${short(r.recipient)}`), badge),
          h("div", { class: "bar" }, h("div", { style: `width:${v.pct.toFixed(2)}%` })),
          h("p", { class: "mono", "data-field": "streamed" }, v.text),
          freezeBox,
          holdBox,
          holdBox ? null : postedBox,
          v.showHint ? h("p", { class: "hint", "data-field": "hint" }, `Above ${usdc(v.room)} USDC more, a withdrawal needs an oracle attestation.`) : null,
          actions.length ? h("div", { class: "actions" }, ...actions) : null,
          confirmBox,
        );
      }),
    );
  }

  let lastRefreshWall = Date.now() / 1000;
  setInterval(() => {
    if (!busy) drawStreams();
  }, 1000);

  async function refresh(): Promise<void> {
    try {
      const now = await chainNow(s);
      if (s.wallet) balance.textContent = `${usdc((await s.publicClient.readContract({ address: s.addr.token, abi: s.abi.token, functionName: "balanceOf", args: [s.wallet.address] })) as bigint)} USDC`;
      else balance.textContent = "–";
      const verdicts = s.wallet ? await postedVerdicts(s) : [];
      await refreshEscrows(now, verdicts);
      await refreshStreams(now, verdicts);
      lastRefreshWall = Date.now() / 1000;
    } catch (err) {
      setStatus("error", `Cannot reach the chain: ${(err as Error).message.split("\n")[0]}`);
    }
  }
  return { refresh };
}
