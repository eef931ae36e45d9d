// Types of generate.mjs for the TypeScript test (test/mutation/mutate.test.ts).
export interface Token {
  type: "ident" | "number" | "string" | "punct";
  text: string;
  start: number;
  end: number;
}
export interface Mutant {
  file: string;
  operator: string;
  start: number;
  end: number;
  line: number;
  col: number;
  original: string;
  replacement: string;
  description: string;
  assembly: boolean;
}
export const OPERATORS: Record<string, string>;
export function tokenize(source: string): Token[];
export function snippet(text: string, max?: number): string;
export function generateMutants(source: string, options?: { file?: string; operators?: string[] }): Mutant[];
export function applyMutant(source: string, mutant: Mutant): string;
export function mutantDiff(source: string, mutant: Mutant): string;
export function sourceLine(source: string, mutant: Mutant): string;
export function seededRandom(seed: number): () => number;
export function sample<T>(items: T[], count: number, seed: number): T[];
export function globToRegExp(glob: string): RegExp;
