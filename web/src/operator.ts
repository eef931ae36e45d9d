// Operator view: operator health from each daemon's /metrics, a live feed of PostAttestation events,
// the score histogram with the policy bands, and the held / frozen / disputed queue with reasons and
// the arbiter's actions: resolve an escrow milestone; clear or cancel a frozen stream.
import { type Address } from "viem";
import { type Session, eventIn, write } from "./chain.js";
import { type StreamInfo, cancelSplit, loadFrozenStreams, streamArbiter } from "./streams.js";
import { act, h, setStatus, short, usdc } from "./ui.js";
import { DECISION_WORDS, type EscrowView, type PostedVerdict, decisionOf, loadEscrows, postedVerdicts, reasonsInWords } from "./verdicts.js";

type Health = { address: string; url: string; online: boolean; metrics: Record<string, number> };

/** Sums each metric family over its label sets (enough for the health panel). */
export function parsePrometheus(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+([-+\deE.]+|NaN)/.exec(line);
    if (!m) continue;
    const v = Number(m[3]);
    if (Number.isFinite(v)) out[m[1]] = (out[m[1]] ?? 0) + v;
  }
  return out;
}

async function loadHealth(s: Session): Promise<Health[] | undefined> {
  if (!s.cfg.oracleUrl) return undefined;
  try {
    const res = await fetch(`${s.cfg.oracleUrl}/v1/operators`);
    const ops: { address: string; url: string }[] = res.ok ? ((await res.json()) as { address: string; url: string }[]) : [{ address: "operator", url: s.cfg.oracleUrl }];
    return Promise.all(
      ops.map(async (o) => {
        try {
          const r = await fetch(`${o.url}/metrics`);
          return { ...o, online: r.ok, metrics: r.ok ? parsePrometheus(await r.text()) : {} };
        } catch {
          return { ...o, online: false, metrics: {} };
        }
      }),
    );
  } catch {
    return undefined;
  }
}

/** Escrow subjects are `(escrowId << 16) | milestone`, stream subjects `(streamId << 64) | seq`. */
function subjectLabel(kind: string, subject: string): string {
  const x = BigInt(subject);
  if (kind === "escrow") return `#${x >> 16n} milestone ${Number(x & 0xffffn) + 1}`;
  if (kind === "stream") return `#${x >> 64n} withdrawal ${Number(x & 0xffffffffffffffffn) + 1}`;
  return short(subject);
}

function histogramSvg(scores: number[], policy: { allowBelow: number; freezeAt: number }): SVGSVGElement {
  const W = 600;
  const H = 160;
  const bins = 20;
  const counts = new Array<number>(bins).fill(0);
  for (const sc of scores) counts[Math.min(bins - 1, Math.floor(sc / (10_000 / bins)))]++;
  const max = Math.max(1, ...counts);
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${W} ${H + 20}`);
  svg.setAttribute("id", "score-histogram");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", `Histogram of ${scores.length} risk scores`);
  const bw = W / bins;
  counts.forEach((c, i) => {
    const lo = (i * 10_000) / bins;
    const d = decisionOf(lo, policy);
    const rect = document.createElementNS(ns, "rect");
    const hgt = ((H - 10) * c) / max;
    rect.setAttribute("x", String(i * bw + 1));
    rect.setAttribute("y", String(H - hgt));
    rect.setAttribute("width", String(bw - 2));
    rect.setAttribute("height", String(hgt));
    rect.setAttribute("class", `bin ${d}`);
    const title = document.createElementNS(ns, "title");
    title.textContent = `${lo}–${lo + 10_000 / bins} bps: ${c}`;
    rect.append(title);
    svg.append(rect);
  });
  for (const [at, label] of [
    [policy.allowBelow, "hold"],
    [policy.freezeAt, "freeze"],
  ] as const) {
    const x = (at / 10_000) * W;
    const line = document.createElementNS(ns, "line");
    line.setAttribute("x1", String(x));
    line.setAttribute("x2", String(x));
    line.setAttribute("y1", "0");
    line.setAttribute("y2", String(H));
    line.setAttribute("class", "band");
    svg.append(line);
    const t = document.createElementNS(ns, "text");
    const nearEnd = x > W - 90;
    t.setAttribute("x", String(nearEnd ? x - 4 : x + 4));
    t.setAttribute("text-anchor", nearEnd ? "end" : "start");
    t.setAttribute("y", label === "hold" ? "12" : "26");
    t.setAttribute("class", "band-label");
    t.textContent = `${label} ≥ ${at}`;
    svg.append(t);
  }
  for (const v of [0, 2500, 5000, 7500, 10000]) {
    const t = document.createElementNS(ns, "text");
    t.setAttribute("x", String(Math.min(W - 30, (v / 10_000) * W)));
    t.setAttribute("y", String(H + 15));
    t.setAttribute("class", "axis");
    t.textContent = String(v);
    svg.append(t);
  }
  return svg;
}

export function renderOperator(s: Session, root: HTMLElement, onChange: () => void): { refresh: () => Promise<void> } {
  const health = h("div", { id: "health", class: "grid" });
  const hist = h("div", { id: "histogram" });
  const feed = h("ol", { id: "feed", class: "feed" });
  const queue = h("div", { id: "queue" });
  root.replaceChildren(
    h("section", { class: "card" }, h("h2", {}, "Operators"), health),
    h("section", { class: "card" }, h("h2", {}, "Held, frozen and disputed"), queue),
    h("section", { class: "card" }, h("h2", {}, "Risk scores"), hist),
    h("section", { class: "card" }, h("h2", {}, "Live attestations"), feed),
  );
  let busy = false;
  let queueSig = "";

  function drawHealth(list: Health[] | undefined): void {
    if (!list) {
      health.replaceChildren(h("p", { class: "hint" }, "Oracle API not configured or not reachable (?oracle=…)."));
      return;
    }
    health.replaceChildren(
      ...list.map((o) =>
        h(
          "div",
          { class: `op ${o.online ? "up" : "down"}`, "data-operator": o.address },
          h("strong", {}, short(o.address)),
          h("span", { class: `badge ${o.online ? "released" : "frozen"}` }, o.online ? "up" : "down"),
          h(
            "dl",
            {},
            h("dt", {}, "signed"),
            h("dd", {}, String(o.metrics.riskgate_attestations_total ?? 0)),
            h("dt", {}, "posting failures"),
            h("dd", {}, String(o.metrics.riskgate_posting_failures_total ?? 0)),
            h("dt", {}, "queue"),
            h("dd", {}, String(o.metrics.riskgate_queue_depth ?? 0)),
            h("dt", {}, "chain lag"),
            h("dd", {}, `${o.metrics.riskgate_chain_lag_blocks ?? 0} blocks`),
            h("dt", {}, "event → mined"),
            h(
              "dd",
              {},
              o.metrics.riskgate_event_to_post_seconds_count
                ? `${((1000 * (o.metrics.riskgate_event_to_post_seconds_sum ?? 0)) / o.metrics.riskgate_event_to_post_seconds_count).toFixed(0)} ms avg`
                : "–",
            ),
          ),
        ),
      ),
    );
  }

  function drawFeed(verdicts: PostedVerdict[]): void {
    const label = (c: Address): string => (c.toLowerCase() === s.addr.escrow.toLowerCase() ? "escrow" : c.toLowerCase() === s.addr.stream.toLowerCase() ? "stream" : short(c));
    feed.replaceChildren(
      ...verdicts
        .slice(-30)
        .reverse()
        .map((v) => {
          const d = decisionOf(v.score, s.d.policy);
          return h(
            "li",
            { class: `feed-item ${d}`, "data-uid": v.uid },
            h("span", { class: `badge ${d === "release" ? "released" : d === "hold" ? "held" : "frozen"}` }, d),
            h("span", { class: "mono" }, ` ${label(v.consumer)} ${subjectLabel(label(v.consumer), v.subject)}`),
            h("span", {}, ` score ${v.score}`),
            h("span", { class: "hint" }, ` · block ${v.blockNumber}`),
            reasonsInWords(v.reasons).length ? h("div", { class: "hint" }, reasonsInWords(v.reasons).join("; ")) : null,
          );
        }),
    );
  }

  /** A frozen stream in the queue: the verdict that froze it, the split a cancel would make, clear / cancel. */
  function streamItem(x: StreamInfo, arbiter: Address): HTMLElement {
    const isArbiter = s.wallet?.address.toLowerCase() === arbiter.toLowerCase();
    const { toRecipient, refund } = cancelSplit(x);
    const title = isArbiter ? "" : `only the arbiter ${short(arbiter)} can act on a frozen stream`;
    const button = (id: string, label: string, fn: "clearFreeze" | "cancel", actLabel: string) => {
      const b = h("button", { class: "small", "data-action": id, disabled: !isArbiter, title }, label);
      b.addEventListener("click", () => {
        busy = true;
        void act(actLabel, (p) => write(s, s.addr.stream, s.abi.stream, fn, [x.id], p), (receipt) => {
          const ev = eventIn<{ refunded: bigint; recipientAmount: bigint }>(receipt, s.abi.stream, "CancelStream");
          if (ev) return `confirmed: ${usdc(ev.recipientAmount)} USDC stays with the recipient (withdrawals still risk-gated), ${usdc(ev.refunded)} USDC refunded to the sender.`;
          return "confirmed: the stream runs again.";
        }).finally(() => {
          busy = false;
          onChange();
        });
      });
      return b;
    };
    const actions = [button("stream-clear", "Clear: resume the stream", "clearFreeze", `Clear stream #${x.id}`)];
    // A stream frozen after it was canceled has had its split already: it can only be cleared.
    if (!x.canceled) {
      actions.push(
        button(
          "stream-cancel",
          `Cancel: ${usdc(toRecipient)} to recipient, ${usdc(refund)} back to sender`,
          "cancel",
          `Cancel stream #${x.id}`,
        ),
      );
    }
    const words = x.freeze ? reasonsInWords(x.freeze.reasons) : [];
    return h(
      "li",
      { class: "queue-item", "data-stream": String(x.id), "data-status": "Frozen" },
      h("div", { class: "mrow" }, h("strong", {}, `Stream #${x.id}`), h("span", { class: "badge frozen" }, "Frozen"), h("span", {}, ` ${usdc(x.deposited)} USDC${x.canceled ? " (canceled)" : ""}`)),
      h("div", { class: "hint" }, `${short(x.sender)} → ${short(x.recipient)}${x.freeze ? ` · score ${x.freeze.score} · ${DECISION_WORDS.freeze}` : ""}`),
      words.length ? h("ul", { class: "reasons" }, ...words.map((w) => h("li", {}, w))) : null,
      h("div", { class: "hint split" }, `Accrued when frozen: ${usdc(x.streamed)} USDC, withdrawn ${usdc(x.withdrawn)}.`),
      h("div", { class: "actions" }, ...actions),
    );
  }

  function drawQueue(escrows: EscrowView[], frozenStreams: StreamInfo[], arbiter: Address): void {
    const me = s.wallet?.address.toLowerCase();
    const items = escrows.flatMap((e) => e.milestones.filter((m) => m.status === "Held" || m.status === "Frozen" || m.status === "Disputed").map((m) => ({ e, m })));
    // Re-render only when the queue changed, so a resolve button is never swapped under the pointer.
    const sig =
      `${me}#${items.map(({ e, m }) => `${e.id}:${m.index}:${m.status}:${m.verdict?.uid ?? "-"}`).join("|")}` +
      `#${frozenStreams.map((x) => `${x.id}:${x.canceled}:${x.refundable}:${x.withdrawn}:${x.freeze?.txHash ?? "-"}`).join("|")}`;
    if (sig === queueSig) return;
    queueSig = sig;
    if (items.length === 0 && frozenStreams.length === 0) {
      queue.replaceChildren(h("p", { class: "hint", id: "queue-empty" }, "Nothing waiting."));
      return;
    }
    queue.replaceChildren(
      h(
        "ul",
        { class: "queue" },
        ...frozenStreams.slice(0, 50).map((x) => streamItem(x, arbiter)),
        ...items.slice(0, 50).map(({ e, m }) => {
          const isArbiter = me === e.deal.arbiter.toLowerCase();
          const actions: HTMLElement[] = [];
          if (m.status !== "Held") {
            const resolve = (label: string, id: string, toPayee: bigint) => {
              const b = h("button", { class: "small", "data-action": id, disabled: !isArbiter, title: isArbiter ? "" : `only the arbiter ${short(e.deal.arbiter)} can resolve` }, label);
              b.addEventListener("click", () => {
                busy = true;
                void act(`Resolve escrow #${e.id}`, (p) => write(s, s.addr.escrow, s.abi.escrow, "resolve", [e.terms, e.id, BigInt(m.index), toPayee, m.amount - toPayee], p)).finally(() => {
                  busy = false;
                  onChange();
                });
              });
              actions.push(b);
            };
            resolve("Refund payer", "resolve-refund", 0n);
            resolve("Pay payee", "resolve-pay", m.amount);
            resolve("Split 50/50", "resolve-split", m.amount / 2n);
          }
          const d = m.verdict ? decisionOf(m.verdict.score, s.d.policy) : undefined;
          return h(
            "li",
            { class: "queue-item", "data-escrow": String(e.id), "data-index": String(m.index), "data-status": m.status },
            h("div", { class: "mrow" }, h("strong", {}, `Escrow #${e.id} · milestone ${m.index + 1}`), h("span", { class: `badge ${m.status.toLowerCase()}` }, m.status), h("span", {}, ` ${usdc(m.amount)} USDC`)),
            h("div", { class: "hint" }, `${short(e.deal.payer)} → ${short(e.deal.payee)}${m.verdict ? ` · score ${m.verdict.score} · ${DECISION_WORDS[d!]}` : ""}`),
            m.verdict ? h("ul", { class: "reasons" }, ...reasonsInWords(m.verdict.reasons).map((w) => h("li", {}, w))) : null,
            actions.length ? h("div", { class: "actions" }, ...actions) : null,
          );
        }),
      ),
    );
  }

  async function refresh(): Promise<void> {
    try {
      const [verdicts, hl, frozenStreams, arbiter] = await Promise.all([postedVerdicts(s), loadHealth(s), loadFrozenStreams(s), streamArbiter(s)]);
      const escrows = await loadEscrows(s, undefined, verdicts);
      if (busy) return;
      drawHealth(hl);
      hist.replaceChildren(histogramSvg(verdicts.map((v) => v.score), s.d.policy), h("p", { class: "hint" }, `${verdicts.length} attestations posted`));
      drawFeed(verdicts);
      drawQueue(escrows, frozenStreams, arbiter);
    } catch (err) {
      setStatus("error", `Cannot reach the chain: ${(err as Error).message.split("\n")[0]}`);
    }
  }
  return { refresh };
}
