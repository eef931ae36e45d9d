// Sanctions / deny list: a text file, one address per line, '#' starts a comment. Reloaded when the
// file changes (polling watcher, robust to editors that replace the file).
import { existsSync, readFileSync, unwatchFile, watchFile } from "node:fs";

export type DenyList = { has(address: string): boolean; readonly size: number; reload(): void; close(): void };

export function parseDenyList(text: string): Set<string> {
  const set = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    const a = line.replace(/#.*/, "").trim().toLowerCase();
    if (/^0x[0-9a-f]{40}$/.test(a)) set.add(a);
  }
  return set;
}

export function createDenyList(path?: string, opts: { intervalMs?: number; onReload?: (size: number) => void } = {}): DenyList {
  let set = new Set<string>();
  const reload = (): void => {
    if (!path) return;
    try {
      set = existsSync(path) ? parseDenyList(readFileSync(path, "utf8")) : new Set();
      opts.onReload?.(set.size);
    } catch {
      // keep the previous list when the file is briefly unreadable mid-write
    }
  };
  reload();
  const listener = (): void => reload();
  if (path) watchFile(path, { interval: opts.intervalMs ?? 250, persistent: false }, listener);
  return {
    has: (a) => set.has(a.toLowerCase()),
    get size() {
      return set.size;
    },
    reload,
    close: () => {
      if (path) unwatchFile(path, listener);
    },
  };
}
