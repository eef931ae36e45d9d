// Chain side of the daemon (watcher + submitter). Placeholder until the contracts' ABIs are exported:
// see docs/operations.md. Starting a daemon with ORACLE_ADDRESS set fails loudly rather than silently.
import type { Context } from "../context.js";
import { FatalError } from "../errors.js";

export async function startChain(_ctx: Context): Promise<void> {
  throw new FatalError("chain side not built yet: unset ORACLE_ADDRESS to run the HTTP API alone", { code: "NOT_IMPLEMENTED" });
}
