// Retries `fn` on retryable errors (errors.ts `isRetryable`) with exponential backoff + jitter;
// a fatal error, or the shutdown signal, ends it at once.
import { isRetryable } from "../errors.js";

export type WithRetryParameters = {
  retries: number;
  baseMs: number;
  /** Longest delay between attempts (default 30 s). */
  maxMs?: number;
  signal?: AbortSignal;
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
};

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

export async function withRetry<T>(fn: () => Promise<T>, { retries, baseMs, maxMs = 30_000, signal, onRetry }: WithRetryParameters): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= retries || !isRetryable(err) || signal?.aborted) throw err;
      const delay = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 20)) * (0.75 + Math.random() * 0.5);
      onRetry?.(err, attempt + 1, delay);
      await sleep(delay, signal);
    }
  }
}
