// Tiny DOM helpers and the status line (pending / confirmed / rejected / chain error).
import { BaseError, UserRejectedRequestError, formatUnits, parseUnits } from "viem";

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

export function setStatus(kind: StatusKind, text: string): void {
  const el = document.getElementById("status")!;
  el.className = `status ${kind}`;
  el.dataset.kind = kind;
  el.textContent = text;
}

/** A readable one-line message for a failure; rejected signatures are told apart from chain errors. */
export function describeError(err: unknown): { kind: StatusKind; text: string } {
  const e = err as { code?: number; cause?: unknown };
  if (err instanceof BaseError && err.walk((x) => x instanceof UserRejectedRequestError)) return { kind: "rejected", text: "You rejected the request in your wallet: nothing was sent." };
  if (e?.code === 4001) return { kind: "rejected", text: "You rejected the request in your wallet: nothing was sent." };
  if (err instanceof BaseError) {
    const reason = /custom error '([^']+)'/.exec(err.message)?.[1] ?? (err.walk() as BaseError).shortMessage ?? err.shortMessage;
    return { kind: "error", text: `Chain error: ${err.shortMessage}${reason && reason !== err.shortMessage ? ` — ${reason}` : ""}` };
  }
  return { kind: "error", text: `Error: ${(err as Error)?.message ?? String(err)}` };
}

/** Runs a wallet action with clear states: pending → confirmed, or rejected / error. */
export async function act<T>(label: string, fn: (progress: (text: string) => void) => Promise<T>): Promise<T | undefined> {
  setStatus("pending", `${label}: waiting for your wallet…`);
  try {
    const out = await fn((text) => setStatus("pending", `${label}: ${text}`));
    setStatus("ok", `${label}: confirmed.`);
    return out;
  } catch (err) {
    const d = describeError(err);
    setStatus(d.kind, `${label}: ${d.text}`);
    return undefined;
  }
}
