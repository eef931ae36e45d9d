// The demo's summary (numbers, a terminal table) and its HTML report with self-contained SVG charts.
import { formatUnits } from "viem";
import type { PaymentRecord, StreamRecord } from "./workload.js";

export type DemoSummary = {
  seed: number;
  payments: number;
  escrows: { milestones: number; byKind: Record<string, number> };
  outcomeAtOnce: { released: number; held: number; frozen: number };
  finalOutcome: Record<string, number>;
  fraud: { total: number; caught: number; missed: number; frozen: number; held: number; byPattern: Record<string, { total: number; caught: number }> };
  honest: { total: number; falseHolds: number; falseFreezes: number; falseHoldRate: number };
  settlementMs: { p50: number; p99: number; max: number; n: number };
  gas: { createEscrow: number; release: number; finalizeOrResolve: number; postPerAttestation: number; attestationsPosted: number; postTransactions: number };
  commissions: { streamsUSDC: string; escrowReferralsUSDC: string; totalUSDC: string; streams: number; withdrawals: number; streamAttestations: number };
  volumeUSDC: string;
  wallSeconds: number;
  operators: { address: string; signed: number }[];
  outage?: { operator: string; fromPayment: number; toPayment: number };
  oracleMode: string;
};

function pct(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}
const mean = (xs: bigint[]): number => (xs.length === 0 ? 0 : Math.round(Number(xs.reduce((a, b) => a + b, 0n)) / xs.length));

export function summarize(args: {
  seed: number;
  payments: PaymentRecord[];
  streams: StreamRecord[];
  postStats: { gas: bigint; count: number }[];
  wallSeconds: number;
  operators: { address: string; signed: number }[];
  outage?: { operator: string; fromPayment: number; toPayment: number };
  oracleMode: string;
}): DemoSummary {
  const { payments: ps, streams } = args;
  const fraud = ps.filter((p) => p.fraud);
  const honest = ps.filter((p) => !p.fraud);
  const byPattern: Record<string, { total: number; caught: number }> = {};
  for (const p of fraud) {
    const b = (byPattern[p.pattern] ??= { total: 0, caught: 0 });
    b.total++;
    if (p.decision !== "release") b.caught++;
  }
  const byKind: Record<string, number> = {};
  for (const p of ps) byKind[p.kind] = (byKind[p.kind] ?? 0) + 1;
  const finalOutcome: Record<string, number> = {};
  for (const p of ps) finalOutcome[p.finalOutcome] = (finalOutcome[p.finalOutcome] ?? 0) + 1;
  const settle = ps.filter((p) => p.decision === "release").map((p) => p.settleMs).sort((a, b) => a - b);
  const releaseGas = ps.filter((p) => p.decision === "release").flatMap((p) => p.settleGas);
  const laterGas = ps.filter((p) => p.decision !== "release").flatMap((p) => p.settleGas);
  const posted = args.postStats.reduce((s, x) => s + x.count, 0);
  const postGas = args.postStats.reduce((s, x) => s + x.gas, 0n);
  const streamCommission = streams.reduce((s, x) => s + x.commission, 0n);
  const referral = ps.reduce((s, x) => s + x.referral, 0n);
  const falseHolds = honest.filter((p) => p.decision === "hold").length;
  const falseFreezes = honest.filter((p) => p.decision === "freeze").length;
  return {
    seed: args.seed,
    payments: ps.length,
    escrows: { milestones: ps.reduce((s, p) => s + p.milestones, 0), byKind },
    outcomeAtOnce: {
      released: ps.filter((p) => p.decision === "release").length,
      held: ps.filter((p) => p.decision === "hold").length,
      frozen: ps.filter((p) => p.decision === "freeze").length,
    },
    finalOutcome,
    fraud: {
      total: fraud.length,
      caught: fraud.filter((p) => p.decision !== "release").length,
      missed: fraud.filter((p) => p.decision === "release").length,
      frozen: fraud.filter((p) => p.decision === "freeze").length,
      held: fraud.filter((p) => p.decision === "hold").length,
      byPattern,
    },
    honest: {
      total: honest.length,
      falseHolds,
      falseFreezes,
      falseHoldRate: honest.length === 0 ? 0 : (falseHolds + falseFreezes) / honest.length,
    },
    settlementMs: { p50: pct(settle, 0.5), p99: pct(settle, 0.99), max: settle.at(-1) ?? 0, n: settle.length },
    gas: {
      createEscrow: mean(ps.map((p) => p.createGas)),
      release: mean(releaseGas),
      finalizeOrResolve: mean(laterGas),
      postPerAttestation: posted === 0 ? 0 : Math.round(Number(postGas) / posted),
      attestationsPosted: posted,
      postTransactions: args.postStats.length,
    },
    commissions: {
      streamsUSDC: formatUnits(streamCommission, 6),
      escrowReferralsUSDC: formatUnits(referral, 6),
      totalUSDC: formatUnits(streamCommission + referral, 6),
      streams: streams.length,
      withdrawals: streams.reduce((s, x) => s + x.withdrawals, 0),
      streamAttestations: streams.reduce((s, x) => s + x.attested, 0),
    },
    volumeUSDC: formatUnits(ps.reduce((s, p) => s + p.amount, 0n), 6),
    wallSeconds: args.wallSeconds,
    operators: args.operators,
    outage: args.outage,
    oracleMode: args.oracleMode,
  };
}

/** The summary as aligned text rows (label, value). */
export function summaryRows(s: DemoSummary): [string, string][] {
  const n = (x: number): string => x.toLocaleString("en-US");
  const share = (x: number, of: number): string => (of === 0 ? "–" : `${((100 * x) / of).toFixed(1)}%`);
  return [
    ["Payments (escrows)", `${n(s.payments)} (${n(s.escrows.milestones)} milestones; ${Object.entries(s.escrows.byKind).map(([k, v]) => `${k} ${v}`).join(", ")})`],
    ["Volume", `${Number(s.volumeUSDC).toLocaleString("en-US", { maximumFractionDigits: 2 })} USDC`],
    ["Released at once", `${n(s.outcomeAtOnce.released)} (${share(s.outcomeAtOnce.released, s.payments)})`],
    ["Held (hold window)", `${n(s.outcomeAtOnce.held)} (${share(s.outcomeAtOnce.held, s.payments)})`],
    ["Frozen (arbiter)", `${n(s.outcomeAtOnce.frozen)} (${share(s.outcomeAtOnce.frozen, s.payments)})`],
    ["Fraud caught", `${n(s.fraud.caught)} of ${n(s.fraud.total)} (${share(s.fraud.caught, s.fraud.total)}; frozen ${s.fraud.frozen}, held ${s.fraud.held})`],
    ["Fraud missed", `${n(s.fraud.missed)}`],
    ["False holds (honest held/frozen)", `${n(s.honest.falseHolds + s.honest.falseFreezes)} of ${n(s.honest.total)} (${share(s.honest.falseHolds + s.honest.falseFreezes, s.honest.total)})`],
    ["Payment → settlement p50 / p99", `${s.settlementMs.p50} ms / ${s.settlementMs.p99} ms (released at once, n=${s.settlementMs.n})`],
    ["Gas: create escrow (approve path)", n(s.gas.createEscrow)],
    ["Gas: release (posted verdict)", n(s.gas.release)],
    ["Gas: finalizeHold / resolve", n(s.gas.finalizeOrResolve)],
    ["Gas: post per attestation (2-of-3)", `${n(s.gas.postPerAttestation)} (${s.gas.attestationsPosted} in ${s.gas.postTransactions} txs)`],
    ["Commissions paid", `${s.commissions.totalUSDC} USDC (streams ${s.commissions.streamsUSDC}, escrow referrals ${s.commissions.escrowReferralsUSDC})`],
    ["Streams", `${s.commissions.streams} streams, ${s.commissions.withdrawals} withdrawals, ${s.commissions.streamAttestations} attested`],
    ["Oracle", s.oracleMode],
    ...(s.operators.length ? ([["Signatures per operator (2-of-3)", s.operators.map((o) => `${o.address.slice(0, 6)}… ${o.signed}`).join(", ")]] as [string, string][]) : []),
    ...(s.outage ? ([["Operator outage", `${s.outage.operator.slice(0, 6)}… down for payments ${s.outage.fromPayment}–${s.outage.toPayment}: still attested 2-of-3`]] as [string, string][]) : []),
    ["Final outcomes", Object.entries(s.finalOutcome).map(([k, v]) => `${k} ${v}`).join(", ")],
    ["Wall time", `${s.wallSeconds.toFixed(1)} s`],
  ];
}

export function summaryTable(s: DemoSummary): string {
  const rows = summaryRows(s);
  const w = Math.max(...rows.map((r) => r[0].length));
  const v = Math.max(...rows.map((r) => r[1].length));
  const line = `+${"-".repeat(w + 2)}+${"-".repeat(v + 2)}+`;
  return [line, ...rows.map(([a, b]) => `| ${a.padEnd(w)} | ${b.padEnd(v)} |`), line].join("\n");
}

const esc = (t: string): string => t.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function barChart(title: string, bars: { label: string; parts: { value: number; color: string; name: string }[] }[]): string {
  const W = 640;
  const rowH = 26;
  const left = 170;
  const max = Math.max(1, ...bars.map((b) => b.parts.reduce((s, p) => s + p.value, 0)));
  const H = bars.length * rowH + 40;
  let out = `<svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${esc(title)}"><text x="0" y="16" font-weight="bold">${esc(title)}</text>`;
  bars.forEach((b, i) => {
    const y = 28 + i * rowH;
    out += `<text x="${left - 8}" y="${y + 15}" text-anchor="end" font-size="12">${esc(b.label)}</text>`;
    let x = left;
    for (const p of b.parts) {
      const w = ((W - left - 110) * p.value) / max;
      if (w > 0) out += `<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${rowH - 6}" fill="${p.color}"><title>${esc(p.name)}: ${p.value}</title></rect>`;
      x += w;
    }
    out += `<text x="${(x + 4).toFixed(1)}" y="${y + 15}" font-size="12">${b.parts.map((p) => p.value).join(" / ")}</text>`;
  });
  return out + "</svg>";
}

function histogram(title: string, values: number[], edges: number[], color: string, marks: { at: number; label: string }[] = []): string {
  const W = 640;
  const H = 200;
  const counts = edges.slice(0, -1).map((lo, i) => values.filter((v) => v >= lo && (i === edges.length - 2 ? v <= edges[i + 1] : v < edges[i + 1])).length);
  const max = Math.max(1, ...counts);
  const bw = (W - 60) / counts.length;
  let out = `<svg viewBox="0 0 ${W} ${H + 40}" width="100%" role="img" aria-label="${esc(title)}"><text x="0" y="16" font-weight="bold">${esc(title)}</text>`;
  counts.forEach((c, i) => {
    const h = ((H - 40) * c) / max;
    out += `<rect x="${40 + i * bw}" y="${H - h}" width="${bw - 2}" height="${h}" fill="${color}"><title>${edges[i]}–${edges[i + 1]}: ${c}</title></rect>`;
    if (c > 0) out += `<text x="${40 + i * bw + bw / 2}" y="${H - h - 3}" font-size="10" text-anchor="middle">${c}</text>`;
  });
  edges.forEach((e, i) => {
    if (i % Math.ceil(edges.length / 10) === 0 || i === edges.length - 1) out += `<text x="${40 + i * bw}" y="${H + 14}" font-size="10" text-anchor="middle">${e}</text>`;
  });
  const span = edges.at(-1)! - edges[0];
  for (const m of marks) {
    const x = 40 + ((m.at - edges[0]) / span) * (W - 60);
    const end = x > W - 100;
    out += `<line x1="${x}" x2="${x}" y1="24" y2="${H}" stroke="#b91c1c" stroke-dasharray="4 3"/><text x="${end ? x - 3 : x + 3}" y="34" font-size="10" fill="#b91c1c" text-anchor="${end ? "end" : "start"}">${esc(m.label)}</text>`;
  }
  return out + "</svg>";
}

export function htmlReport(s: DemoSummary, payments: PaymentRecord[], streams: StreamRecord[], bands: { allowBelow: number; freezeAt: number }): string {
  const patterns = [...new Set(payments.map((p) => p.pattern))];
  const C = { release: "#15803d", hold: "#d97706", freeze: "#b91c1c" };
  const byPattern = barChart(
    "Decision by payment pattern (released / held / frozen)",
    patterns.map((pat) => {
      const g = payments.filter((p) => p.pattern === pat);
      return {
        label: pat,
        parts: [
          { name: "released", value: g.filter((p) => p.decision === "release").length, color: C.release },
          { name: "held", value: g.filter((p) => p.decision === "hold").length, color: C.hold },
          { name: "frozen", value: g.filter((p) => p.decision === "freeze").length, color: C.freeze },
        ],
      };
    }),
  );
  const scoreEdges = Array.from({ length: 21 }, (_, i) => i * 500);
  const scores = histogram("Risk scores (bps), all payments", payments.map((p) => p.score), scoreEdges, "#1d4ed8", [
    { at: bands.allowBelow, label: `hold ≥ ${bands.allowBelow}` },
    { at: bands.freezeAt, label: `freeze ≥ ${bands.freezeAt}` },
  ]);
  const settle = payments.filter((p) => p.decision === "release").map((p) => p.settleMs);
  const top = Math.max(100, Math.ceil((Math.max(0, ...settle) + 1) / 50) * 50);
  const settleEdges = Array.from({ length: 11 }, (_, i) => Math.round((i * top) / 10));
  const settleChart = histogram("Payment → settlement (ms, released at once)", settle, settleEdges, "#0f766e");
  const rows = summaryRows(s).map(([a, b]) => `<tr><th>${esc(a)}</th><td>${esc(b)}</td></tr>`).join("");
  const flagged = payments
    .filter((p) => p.decision !== "release")
    .slice(0, 60)
    .map(
      (p) =>
        `<tr><td>#${p.escrowId}</td><td>${esc(p.pattern)}</td><td>${formatUnits(p.amount, 6)}</td><td>${p.score}</td><td class="${p.decision}">${p.decision}</td><td>${esc(p.reasons.join("; "))}</td><td>${esc(p.finalOutcome)}</td></tr>`,
    )
    .join("");
  const streamRows = streams
    .map(
      (x) =>
        `<tr><td>#${x.streamId}</td><td>${x.purpose}</td><td>${esc(x.plan)}</td><td>${formatUnits(x.deposit, 6)}</td><td>${formatUnits(x.withdrawnGross, 6)}</td><td>${formatUnits(x.commission, 6)}</td><td>${x.decision ?? "–"}</td></tr>`,
    )
    .join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Riskgate demo report (seed ${s.seed})</title>
<style>body{font:14px/1.45 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#111}
table{border-collapse:collapse;width:100%;margin:1rem 0}th,td{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
table.summary th{width:38%}.release{color:#15803d}.hold{color:#d97706}.freeze{color:#b91c1c}section{margin:2rem 0}</style></head><body>
<h1>Riskgate demo report</h1><p>Seed ${s.seed}, ${s.payments} payments on a local chain, oracle 2-of-3, policy: release below ${bands.allowBelow} bps, freeze from ${bands.freezeAt} bps.</p>
<section><h2>Summary</h2><table class="summary">${rows}</table></section>
<section>${byPattern}</section><section>${scores}</section><section>${settleChart}</section>
<section><h2>Held and frozen payments (first 60)</h2><table><tr><th>Escrow</th><th>Pattern</th><th>USDC</th><th>Score</th><th>Decision</th><th>Reasons</th><th>Outcome</th></tr>${flagged}</table></section>
<section><h2>Streams</h2><table><tr><th>Stream</th><th>Purpose</th><th>Commission plan</th><th>Deposit</th><th>Withdrawn</th><th>Commission</th><th>Verdict</th></tr>${streamRows}</table></section>
</body></html>`;
}
