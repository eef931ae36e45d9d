// Mutant generator for Solidity source text: a small lexer (comments and strings are never tokens, so they
// are never mutated) and one function per operator. Each mutant is a precise text replacement
// [start, end) -> replacement with its 1-based line:col; the order is deterministic (offset, operator,
// replacement) so `--seed` selects the same sample on the same source.
// No solc AST on purpose: generating stays instant and independent of the compiler, and a mutant that does
// not compile is simply reported "stillborn" by the runner.

/** Operator codes, in the order they are listed by `--help` and the docs. */
export const OPERATORS = {
  ROR: "relational operator replacement (< <= > >= == !=; Yul lt <-> gt)",
  CNR: "condition negation: if (c) / require(c, ...) -> !(c)",
  RVD: "revert deletion: delete `revert E(...);`, `if (c) revert E(...);` or `require(...);`",
  AOR: "arithmetic operator swap: + <-> -, * <-> /, += <-> -=, *= <-> /= (Yul add <-> sub, mul <-> div)",
  BLR: "boolean literal flip: true <-> false",
  EVR: "emit removal: delete `emit E(...);`",
  LOR: "logical operator swap: && <-> || (Yul and <-> or)",
  ASR: "assignment statement removal: delete `x = ...;`, `x op= ...;`, `delete x;` (state writes and locals)",
  COR: "constant off-by-one: numeric literal n -> n + 1, n - 1 (outside assembly)",
};

// Longest first: the lexer takes the first that matches (`<<=` before `<<` before `<`).
// prettier-ignore
const PUNCTUATORS = [
  ">>>=", "<<=", ">>=", ">>>", "**", "&&", "||", "==", "!=", "<=", ">=", "<<", ">>", "=>", "->", "++", "--",
  "+=", "-=", "*=", "/=", "%=", "|=", "&=", "^=", ":=",
];
const ASSIGNMENT_OPS = new Set(["=", "+=", "-=", "*=", "/=", "%=", "|=", "&=", "^=", "<<=", ">>="]);
const ROR_REPLACEMENTS = {
  "<": ["<=", ">"],
  "<=": ["<", ">="],
  ">": [">=", "<"],
  ">=": [">", "<="],
  "==": ["!="],
  "!=": ["=="],
};
const AOR_REPLACEMENTS = { "+": "-", "-": "+", "*": "/", "/": "*", "+=": "-=", "-=": "+=", "*=": "/=", "/=": "*=" };
const YUL_SWAPS = {
  lt: ["ROR", "gt"],
  gt: ["ROR", "lt"],
  add: ["AOR", "sub"],
  sub: ["AOR", "add"],
  mul: ["AOR", "div"],
  div: ["AOR", "mul"],
  and: ["LOR", "or"],
  or: ["LOR", "and"],
};
// Tokens after which `-` / `+` is binary (an operand ends there).
const OPERAND_END = new Set([")", "]"]);
// Keywords that can start a statement or precede an expression: never the left side of an assignment.
const NOT_LVALUE_START = new Set([
  "return",
  "emit",
  "revert",
  "delete",
  "if",
  "else",
  "for",
  "while",
  "do",
  "unchecked",
  "assembly",
  "require",
  "assert",
  "mapping",
  "address",
  "bool",
  "string",
  "bytes",
  "uint",
  "int",
  "var",
  "new",
  "try",
  "catch",
  "continue",
  "break",
]);

/**
 * Splits Solidity source into tokens, skipping whitespace, comments (`//`, `///`, `/* *\/`, NatSpec) and
 * strings (kept as `string` tokens so an operator inside a string literal is never seen).
 * @param {string} source
 * @returns {{ type: "ident" | "number" | "string" | "punct", text: string, start: number, end: number }[]}
 */
export function tokenize(source) {
  const tokens = [];
  let i = 0;
  const n = source.length;
  while (i < n) {
    const c = source[i];
    if (/\s/.test(c)) {
      i++;
    } else if (source.startsWith("//", i)) {
      const eol = source.indexOf("\n", i);
      i = eol === -1 ? n : eol;
    } else if (source.startsWith("/*", i)) {
      const close = source.indexOf("*/", i + 2);
      i = close === -1 ? n : close + 2;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < n && source[j] !== c) j += source[j] === "\\" ? 2 : 1;
      tokens.push({ type: "string", text: source.slice(i, j + 1), start: i, end: j + 1 });
      i = j + 1;
    } else if (/[A-Za-z_$]/.test(c)) {
      const m = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(source.slice(i, i + 256));
      tokens.push({ type: "ident", text: m[0], start: i, end: i + m[0].length });
      i += m[0].length;
    } else if (/[0-9]/.test(c)) {
      const m = /^(0[xX][0-9a-fA-F_]+|[0-9][0-9_]*(\.[0-9_]+)?([eE]-?[0-9_]+)?)/.exec(source.slice(i, i + 256));
      tokens.push({ type: "number", text: m[0], start: i, end: i + m[0].length });
      i += m[0].length;
    } else {
      const p = PUNCTUATORS.find((op) => source.startsWith(op, i)) ?? c;
      tokens.push({ type: "punct", text: p, start: i, end: i + p.length });
      i += p.length;
    }
  }
  return tokens;
}

/** For each token: the index of its matching bracket (for ( [ { and their closers), the innermost open
 * bracket enclosing it, whether it is inside an inline assembly block, and whether it is in a pragma. */
function annotate(tokens) {
  const match = new Array(tokens.length).fill(-1);
  const enclosing = new Array(tokens.length).fill(-1);
  const stack = [];
  const closers = { ")": "(", "]": "[", "}": "{" };
  tokens.forEach((t, i) => {
    enclosing[i] = stack.length > 0 ? stack[stack.length - 1] : -1;
    if (t.type !== "punct") return;
    if (t.text === "(" || t.text === "[" || t.text === "{") stack.push(i);
    else if (closers[t.text] && stack.length > 0 && tokens[stack[stack.length - 1]].text === closers[t.text]) {
      const open = stack.pop();
      match[open] = i;
      match[i] = open;
    }
  });
  const inAssembly = new Array(tokens.length).fill(false);
  const inPragma = new Array(tokens.length).fill(false);
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i].type !== "ident") continue;
    if (tokens[i].text === "pragma") {
      for (let j = i; j < tokens.length && tokens[j].text !== ";"; j++) inPragma[j] = true;
    } else if (tokens[i].text === "assembly") {
      // assembly ["evmasm"] [("memory-safe")] { ... }
      let j = i + 1;
      if (tokens[j]?.type === "string") j++;
      if (tokens[j]?.text === "(") j = match[j] + 1;
      if (tokens[j]?.text === "{" && match[j] > j) for (let k = j; k <= match[j]; k++) inAssembly[k] = true;
    }
  }
  return { match, enclosing, inAssembly, inPragma };
}

/** Line and column (both 1-based) of each offset, by binary search over line starts. */
function locator(source) {
  const starts = [0];
  for (let i = 0; i < source.length; i++) if (source[i] === "\n") starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - starts[lo] + 1 };
  };
}

/** `text` on one line, at most `max` characters: how a snippet appears in descriptions and survivors.md. */
export function snippet(text, max = 60) {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function parseNumber(text) {
  const clean = text.replace(/_/g, "");
  if (/^0[xX]/.test(clean)) return BigInt(clean);
  const sci = /^([0-9]+)[eE]([0-9]+)$/.exec(clean);
  if (sci) return BigInt(sci[1]) * 10n ** BigInt(sci[2]);
  if (/^[0-9]+$/.test(clean)) return BigInt(clean);
  return undefined; // fractional or negative-exponent literals (`0.5 ether`): not mutated
}

function formatLike(original, value) {
  if (!/^0[xX]/.test(original)) return value.toString();
  const digits = original.replace(/_/g, "").length - 2;
  return `0x${value.toString(16).padStart(digits, "0")}`;
}

/**
 * All mutants of one Solidity source, in deterministic order.
 * @param {string} source
 * @param {{ file?: string, operators?: string[] }} [options] operators: a subset of OPERATORS' keys (default all)
 * @returns {Mutant[]}
 * @typedef {{ file: string, operator: string, start: number, end: number, line: number, col: number,
 *   original: string, replacement: string, description: string, assembly: boolean }} Mutant
 */
export function generateMutants(source, options = {}) {
  const file = options.file ?? "<source>";
  const enabled = new Set(options.operators ?? Object.keys(OPERATORS));
  const tokens = tokenize(source);
  const { match, enclosing, inAssembly, inPragma } = annotate(tokens);
  const locate = locator(source);
  const mutants = [];

  const add = (operator, start, end, replacement, description, tokenIndex) => {
    if (!enabled.has(operator)) return;
    const { line, col } = locate(start);
    mutants.push({
      file,
      operator,
      start,
      end,
      line,
      col,
      original: source.slice(start, end),
      replacement,
      description: `${operator} ${description}`,
      assembly: inAssembly[tokenIndex],
    });
  };
  // Deleting keeps the statement's line breaks so every later line keeps its number.
  const addDeletion = (operator, first, last) => {
    const start = tokens[first].start;
    const end = tokens[last].end;
    const text = source.slice(start, end);
    add(operator, start, end, text.replace(/[^\n]/g, ""), `delete '${snippet(text)}'`, first);
  };
  // A statement starts right after `;`, `{` or `}` directly inside a `{ }` block (not in a `for (...)` header).
  const startsStatement = (i) => {
    if (inAssembly[i]) return false;
    const prev = tokens[i - 1];
    const open = enclosing[i];
    return (
      prev !== undefined &&
      [";", "{", "}"].includes(prev.text) &&
      prev.type === "punct" &&
      open !== -1 &&
      tokens[open].text === "{"
    );
  };
  // The `;` ending the statement that starts at token i, at the same bracket depth (-1 if none).
  const statementEnd = (i) => {
    for (let j = i; j < tokens.length; j++) {
      const t = tokens[j];
      if (t.type === "punct" && (t.text === "(" || t.text === "[" || t.text === "{") && match[j] > j) j = match[j];
      else if (t.text === ";" && t.type === "punct") return j;
      else if (t.text === "}" && t.type === "punct") return -1;
    }
    return -1;
  };
  const isOperandEnd = (t) =>
    t !== undefined &&
    (t.type === "number" ||
      (t.type === "ident" && !NOT_LVALUE_START.has(t.text)) ||
      (t.type === "punct" && OPERAND_END.has(t.text)));

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (inPragma[i]) continue;
    const next = tokens[i + 1];

    if (t.type === "punct" && !inAssembly[i]) {
      for (const r of ROR_REPLACEMENTS[t.text] ?? []) add("ROR", t.start, t.end, r, `'${t.text}' -> '${r}'`, i);
      if (t.text === "&&" || t.text === "||") {
        const r = t.text === "&&" ? "||" : "&&";
        add("LOR", t.start, t.end, r, `'${t.text}' -> '${r}'`, i);
      }
      const aor = AOR_REPLACEMENTS[t.text];
      // `-x` and `+x` are unary: swap only after an operand.
      if (aor && (t.text.length === 2 || t.text === "*" || t.text === "/" || isOperandEnd(tokens[i - 1]))) {
        add("AOR", t.start, t.end, aor, `'${t.text}' -> '${aor}'`, i);
      }
    }

    if (t.type === "ident") {
      if (t.text === "true" || t.text === "false") {
        const r = t.text === "true" ? "false" : "true";
        add("BLR", t.start, t.end, r, `'${t.text}' -> '${r}'`, i);
      }
      if (inAssembly[i] && next?.text === "(" && YUL_SWAPS[t.text]) {
        const [operator, r] = YUL_SWAPS[t.text];
        add(operator, t.start, t.end, r, `'${t.text}(' -> '${r}('`, i);
      }
      // CNR: the condition of `if (c)` or the first argument of `require(c, ...)`.
      if (!inAssembly[i] && (t.text === "if" || t.text === "require") && next?.text === "(" && match[i + 1] > i + 2) {
        const close = match[i + 1];
        let last = close - 1;
        if (t.text === "require") {
          for (let j = i + 2; j < close; j++) {
            if (match[j] > j && tokens[j].type === "punct") j = match[j];
            else if (tokens[j].text === "," && tokens[j].type === "punct") {
              last = j - 1;
              break;
            }
          }
        }
        const start = tokens[i + 2].start;
        const end = tokens[last].end;
        const condition = source.slice(start, end);
        add("CNR", start, end, `!(${condition})`, `'${snippet(condition, 40)}' -> '!(${snippet(condition, 40)})'`, i);
      }
    }

    if (!startsStatement(i)) continue;
    const end = statementEnd(i);
    if (t.type === "ident" && t.text === "if" && next?.text === "(") {
      // `if (c) revert E();` or `if (c) { revert E(); }` without an else: delete the whole if.
      const body = match[i + 1] + 1;
      const bodyIsBlock = tokens[body]?.text === "{";
      const revertAt = bodyIsBlock ? body + 1 : body;
      if (tokens[revertAt]?.text === "revert") {
        const revertEnd = statementEnd(revertAt);
        const last = bodyIsBlock ? match[body] : revertEnd;
        const onlyStatement = !bodyIsBlock || revertEnd === match[body] - 1;
        if (revertEnd !== -1 && onlyStatement && tokens[last + 1]?.text !== "else") addDeletion("RVD", i, last);
      }
    }
    if (end === -1) continue;
    if (t.text === "revert") {
      // A revert that is an if's whole body is covered by deleting that if (above).
      const open = enclosing[i];
      const soleInIfBody =
        open !== -1 &&
        open + 1 === i &&
        match[open] === end + 1 &&
        tokens[match[open] + 1]?.text !== "else" &&
        tokens[open - 1]?.text === ")" &&
        tokens[match[open - 1] - 1]?.text === "if";
      if (!soleInIfBody) addDeletion("RVD", i, end);
    } else if (t.text === "require" && next?.text === "(") {
      addDeletion("RVD", i, end);
    } else if (t.text === "emit") {
      addDeletion("EVR", i, end);
    } else if (t.text === "delete") {
      addDeletion("ASR", i, end);
    } else if (t.type === "ident" && !NOT_LVALUE_START.has(t.text) && !/^u?int\d*$|^bytes\d+$/.test(t.text)) {
      // `a.b[c] op= ...;`: an lvalue never has two identifiers in a row (that would be a declaration).
      for (let j = i; j < end; j++) {
        const tj = tokens[j];
        if (tj.type === "punct" && ASSIGNMENT_OPS.has(tj.text)) {
          if (j > i) addDeletion("ASR", i, end);
          break;
        }
        if (tj.type === "punct" && match[j] > j) j = match[j];
        else if (tj.type === "ident" && tokens[j + 1]?.type === "ident") break;
        else if (tj.type === "punct" && tj.text !== ".") break;
      }
    }
  }

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    // Not in assembly: Yul literals are mostly memory offsets and masks, whose +-1 mutants are noise.
    if (t.type !== "number" || inPragma[i] || inAssembly[i]) continue;
    const value = parseNumber(t.text);
    if (value === undefined) continue;
    add("COR", t.start, t.end, formatLike(t.text, value + 1n), `'${t.text}' -> '${formatLike(t.text, value + 1n)}'`, i);
    if (value > 0n)
      add(
        "COR",
        t.start,
        t.end,
        formatLike(t.text, value - 1n),
        `'${t.text}' -> '${formatLike(t.text, value - 1n)}'`,
        i,
      );
  }

  const rank = Object.keys(OPERATORS);
  return mutants.sort(
    (a, b) =>
      a.start - b.start ||
      rank.indexOf(a.operator) - rank.indexOf(b.operator) ||
      a.end - b.end ||
      (a.replacement < b.replacement ? -1 : a.replacement > b.replacement ? 1 : 0),
  );
}

/** Applies a mutant to the source it was generated from. */
export function applyMutant(source, mutant) {
  return source.slice(0, mutant.start) + mutant.replacement + source.slice(mutant.end);
}

/** A unified-style diff of the lines a mutant touches (`@@ file:line @@`, `-` old lines, `+` new lines). */
export function mutantDiff(source, mutant) {
  const lineStart = source.lastIndexOf("\n", mutant.start - 1) + 1;
  const eol = source.indexOf("\n", mutant.end);
  const lineEnd = eol === -1 ? source.length : eol;
  const before = source.slice(lineStart, lineEnd);
  const after = source.slice(lineStart, mutant.start) + mutant.replacement + source.slice(mutant.end, lineEnd);
  const minus = before.split("\n").map((l) => `-${l}`);
  const plus = after
    .split("\n")
    .filter((l, k, all) => !(all.length > 1 && l.trim() === ""))
    .map((l) => `+${l}`);
  return [`@@ ${mutant.file}:${mutant.line} @@`, ...minus, ...plus].join("\n");
}

/** The source line a mutant starts on, trimmed: with the description, what survivors.md matches on. */
export function sourceLine(source, mutant) {
  const lineStart = source.lastIndexOf("\n", mutant.start - 1) + 1;
  const eol = source.indexOf("\n", mutant.start);
  return source.slice(lineStart, eol === -1 ? source.length : eol).trim();
}

/** Deterministic PRNG (mulberry32): the same seed gives the same sample on every machine. */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` items drawn without replacement (Fisher-Yates with the seeded PRNG), returned in their original order. */
export function sample(items, count, seed) {
  const random = seededRandom(seed);
  const indices = items.map((_, i) => i);
  for (let i = indices.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [indices[i], indices[j]] = [indices[j], indices[i]];
  }
  return indices
    .slice(0, count)
    .sort((x, y) => x - y)
    .map((i) => items[i]);
}

/** A glob (`*`, `**`, `?`) as an anchored regular expression over `/`-separated paths. */
export function globToRegExp(glob) {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*" && glob[i + 1] === "*") {
      re += ".*";
      i++;
      if (glob[i + 1] === "/") i++;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}
