// A linked external library runs by DELEGATECALL from its caller: its events are logged by the caller's
// address and its custom errors revert out of the caller's functions. A client that decodes the caller's
// logs and reverts with the caller's ABI alone would miss them, so the exported ABI of a contract that
// links a library carries the library's errors and events too (never its functions: those are not
// callable on the contract).

type AbiItem = { type: string; name?: string; inputs?: readonly { type: string; components?: readonly unknown[] }[] };

function signature(item: AbiItem): string {
  return `${item.type} ${item.name ?? ""}(${(item.inputs ?? []).map((i) => i.type).join(",")})`;
}

/** `abi` plus every error and event of `libraries` that it does not already declare, in order. */
export function withLinkedLibraries<T extends readonly unknown[]>(abi: T, ...libraries: readonly (readonly unknown[])[]): T {
  const seen = new Set((abi as readonly AbiItem[]).map(signature));
  const merged: unknown[] = [...abi];
  for (const lib of libraries) {
    for (const item of lib as readonly AbiItem[]) {
      if (item.type !== "error" && item.type !== "event") continue;
      const sig = signature(item);
      if (seen.has(sig)) continue;
      seen.add(sig);
      merged.push(item);
    }
  }
  return merged as unknown as T;
}

/** Which contracts link which libraries (the fully qualified names Hardhat's artifacts use). */
export const LINKED_LIBRARIES: Readonly<Record<string, readonly string[]>> = {
  PaymentStream: ["contracts/libraries/StreamOps.sol:StreamOps"],
};
