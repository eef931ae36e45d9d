// test/mutation/survivors.md: the explanations of surviving mutants (format described in that file).
import { snippet } from "./generate.mjs";

export const VERDICTS = ["equivalent", "accepted"];

/**
 * The entries of survivors.md: `### <file>:<line>[:<col>] <description>` then `- source:`, `- verdict:` and
 * `- reason:` lines. Fenced code blocks (the format's example) are skipped; entries without a known verdict
 * are returned in `invalid`.
 * @param {string} text
 */
export function parseExplanations(text) {
  const entries = [];
  let current;
  let fenced = false;
  for (const line of text.split("\n")) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    if (fenced) continue;
    const heading = /^###\s+(\S+?):(\d+)(?::\d+)?\s+(.+?)\s*$/.exec(line);
    if (heading) {
      current = { file: heading[1], line: Number(heading[2]), description: heading[3].replace(/\s*\[assembly\]$/, "") };
      entries.push(current);
      continue;
    }
    if (/^#{1,2}\s/.test(line)) current = undefined;
    const field = /^-\s+(source|verdict|reason):\s*(.*)$/.exec(line);
    if (current && field)
      current[field[1]] = field[1] === "source" ? field[2].trim().replace(/^`|`$/g, "") : field[2].trim();
  }
  return {
    entries: entries.filter((e) => VERDICTS.includes(e.verdict) && e.source),
    invalid: entries.filter((e) => !VERDICTS.includes(e.verdict) || !e.source),
  };
}

/** An entry explains a mutant with the same file, description and source line text; the line number is not
 * compared, so an entry survives edits elsewhere in the file. */
export function explains(entry, mutant) {
  const sameFile = entry.file === mutant.file || `contracts/${entry.file}` === mutant.file;
  return (
    sameFile &&
    entry.description === mutant.description &&
    snippet(entry.source, 200) === snippet(mutant.source ?? "", 200)
  );
}
