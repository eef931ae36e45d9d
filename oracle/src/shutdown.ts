// AbortController-based shutdown (ponder style): workers watch `signal`; cleanups registered with
// `onShutdown` run once, last registered first (stop intake → finish in-flight → close the store).
export type Shutdown = {
  readonly signal: AbortSignal;
  readonly isShuttingDown: () => boolean;
  /** Registers a cleanup; returns a function that unregisters it. */
  onShutdown(fn: () => unknown | Promise<unknown>): () => void;
  /** Aborts `signal` and runs every cleanup (errors are collected, never thrown mid-way). Idempotent. */
  shutdown(reason?: string): Promise<unknown[]>;
};

export function createShutdown(): Shutdown {
  const controller = new AbortController();
  const callbacks: (() => unknown | Promise<unknown>)[] = [];
  let done: Promise<unknown[]> | undefined;
  return {
    signal: controller.signal,
    isShuttingDown: () => controller.signal.aborted,
    onShutdown(fn) {
      callbacks.push(fn);
      return () => {
        const i = callbacks.indexOf(fn);
        if (i >= 0) callbacks.splice(i, 1);
      };
    },
    shutdown(reason = "shutdown") {
      if (done) return done;
      controller.abort(reason);
      done = (async () => {
        const errors: unknown[] = [];
        for (const fn of callbacks.splice(0).reverse()) {
          try {
            await fn();
          } catch (err) {
            errors.push(err);
          }
        }
        return errors;
      })();
      return done;
    },
  };
}
