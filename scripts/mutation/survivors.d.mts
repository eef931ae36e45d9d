// Types of survivors.mjs for the TypeScript test (test/mutation/mutate.test.ts).
export interface Explanation {
  file: string;
  line: number;
  description: string;
  source?: string;
  verdict?: string;
  reason?: string;
}
export const VERDICTS: string[];
export function parseExplanations(text: string): { entries: Explanation[]; invalid: Explanation[] };
export function explains(
  entry: Explanation,
  mutant: { file: string; description: string; source?: string; line?: number },
): boolean;
