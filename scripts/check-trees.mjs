#!/usr/bin/env node
// Checks the branching trees (bulloak-style `.tree` files) kept beside the concrete tests.
//
//   node scripts/check-trees.mjs [rootDir]      (rootDir defaults to the current directory)
//
// Trees: every `test/**/trees/*.tree` under rootDir. Syntax checked:
//   - a tree starts with a root line (`Contract::function`, no box-drawing characters); several trees may
//     share a file, separated by blank lines; `//` lines are comments;
//   - every other line is `<prefix>├── <text>` or `<prefix>└── <text>`, where the prefix carries `│` under
//     every ancestor that still has siblings below and spaces elsewhere; siblings share a column; the last
//     sibling uses `└──`, the others `├──`;
//   - inner nodes start with `when ` or `given ` and have children; leaves start with `it should ` and
//     end with a bracket naming the tests that cover them: `[name]` or `[name | other name]`, or
//     `[unreachable: reason]`. A name may be qualified by a file: `[inline.test.ts > test_RevertGiven_Paused]`.
// Names: a reference must be a mocha title (`it("…")`, `it('…')`, `it(\`…\`)`; a title prefix ending at a
// non-word character) or a Solidity function (`function name(`) in a test file under rootDir/test
// (*.ts, *.js, *.mjs, *.sol). A template title (`it(\`test_X_${name}\`)`) matches only a file-qualified
// reference, each `${…}` standing for one word (a bare name must not be satisfied by any template).
// Prints a summary; exits 1 listing `file:line: problem` for every problem found.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { pathToFileURL } from "node:url";

const TEST_EXTENSIONS = [".ts", ".js", ".mjs", ".sol"];

function walk(dir, out = []) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    if (name === "node_modules" || name.startsWith(".")) continue;
    const path = join(dir, name);
    const st = statSync(path);
    if (st.isDirectory()) walk(path, out);
    else out.push(path);
  }
  return out;
}

const escapeRegex = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A mocha title (possibly a template) as the list of regexes a reference may fully match. */
function titleMatchers(title, isTemplate) {
  // Split into literal and `${…}` parts.
  const parts = [];
  if (isTemplate) {
    let i = 0;
    while (i < title.length) {
      const start = title.indexOf("${", i);
      if (start === -1) {
        parts.push({ lit: title.slice(i) });
        break;
      }
      parts.push({ lit: title.slice(i, start) });
      const end = title.indexOf("}", start);
      parts.push({ expr: true });
      i = end === -1 ? title.length : end + 1;
    }
  } else {
    parts.push({ lit: title });
  }
  // Every prefix of the title that ends before a non-word character (or at its end) is a valid name.
  const matchers = [];
  let source = "";
  for (const part of parts) {
    if (part.expr) {
      source += "[A-Za-z0-9_]+";
      continue;
    }
    for (const ch of part.lit) {
      if (!/\w/.test(ch) && source.length > 0) matchers.push(new RegExp(`^${source}$`));
      source += escapeRegex(ch);
    }
  }
  matchers.push(new RegExp(`^${source}$`));
  return matchers;
}

/** Collects every test name: mocha titles and Solidity function names, by file. */
export function collectTests(rootDir) {
  const files = walk(join(rootDir, "test")).filter(
    (f) => TEST_EXTENSIONS.some((e) => f.endsWith(e)) && !f.split(sep).includes("trees"),
  );
  const tests = [];
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const rel = relative(rootDir, file);
    if (file.endsWith(".sol")) {
      for (const m of text.matchAll(/\bfunction\s+([A-Za-z_]\w*)\s*\(/g)) {
        tests.push({ file: rel, name: m[1], matchers: [new RegExp(`^${escapeRegex(m[1])}$`)] });
      }
    } else {
      for (const m of text.matchAll(/\bit(?:\.only|\.skip)?\(\s*(["'`])((?:\\.|(?!\1)[^\\])*)\1/g)) {
        const title = m[2].replace(/\\(["'`\\])/g, "$1");
        const isTemplate = m[1] === "`" && title.includes("${");
        tests.push({ file: rel, name: title, template: isTemplate, matchers: titleMatchers(title, isTemplate) });
      }
    }
  }
  return tests;
}

/** Parses one `.tree` file; returns its roots, leaves and problems ({ line, message }). */
export function parseTree(text) {
  const problems = [];
  const leaves = [];
  let roots = 0;
  const lines = text.split(/\r?\n/);
  // Stack of open nodes: { col, last, kind: "root" | "condition" | "leaf", children, line }.
  let stack = [];

  const close = (node) => {
    if (node.kind === "condition" && node.children === 0) {
      problems.push({ line: node.line, message: "a `when`/`given` branch has no children" });
    }
    if (node.kind === "root" && node.children === 0) problems.push({ line: node.line, message: "a tree has no branches" });
  };
  const closeAll = () => {
    // A `├──` node whose siblings ended: it should have been `└──`.
    while (stack.length) {
      const node = stack.pop();
      if (node.kind !== "root" && !node.last) {
        problems.push({ line: node.line, message: "`├──` on the last sibling (use `└──`)" });
      }
      close(node);
    }
  };

  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const line = raw.replace(/\s+$/, "");
    if (line.trim() === "") {
      closeAll();
      return;
    }
    if (line.trimStart().startsWith("//")) return;
    const m = /^([│ ]*)(├── |└── )(.*)$/.exec(line);
    if (!m) {
      if (/[│├└─]/.test(line) || /^\s/.test(line)) {
        problems.push({ line: lineNo, message: "malformed line (expected `├── ` or `└── ` after a `│`/space prefix)" });
        return;
      }
      // A root line.
      closeAll();
      if (!/^[A-Za-z_][\w.]*(::[A-Za-z_]\w*)?$/.test(line)) {
        problems.push({ line: lineNo, message: `malformed root line "${line}" (expected Contract::function)` });
      }
      roots += 1;
      stack = [{ col: -1, last: true, kind: "root", children: 0, line: lineNo }];
      return;
    }
    if (stack.length === 0) {
      problems.push({ line: lineNo, message: "branch before any root line" });
      return;
    }
    const prefix = m[1];
    const col = prefix.length;
    const last = m[2].startsWith("└");
    const textPart = m[3].trim();

    // Find the parent: pop deeper nodes, then a sibling at the same column.
    while (stack.length > 1 && stack[stack.length - 1].col > col) {
      const node = stack.pop();
      if (!node.last) problems.push({ line: node.line, message: "`├──` on the last sibling (use `└──`)" });
      close(node);
    }
    const top = stack[stack.length - 1];
    if (top.col === col) {
      if (top.last) problems.push({ line: lineNo, message: "a sibling after a `└──` branch" });
      close(stack.pop());
    } else if (top.col > col) {
      problems.push({ line: lineNo, message: "branch indented left of the tree" });
      return;
    }
    const parent = stack[stack.length - 1];
    if (parent.kind === "leaf") {
      problems.push({ line: lineNo, message: "an `it should` leaf cannot have children" });
    }
    if (parent.openChildCol !== undefined && parent.openChildCol !== col) {
      problems.push({ line: lineNo, message: "siblings are not aligned" });
    }
    parent.openChildCol = col;
    parent.children += 1;
    // The prefix: `│` under ancestors with more siblings below, spaces elsewhere.
    for (let i = 0; i < prefix.length; i++) {
      const ancestor = stack.find((n) => n.col === i && n.kind !== "root");
      const expected = ancestor && !ancestor.last ? "│" : " ";
      if (prefix[i] !== expected) {
        problems.push({
          line: lineNo,
          message: expected === "│" ? `missing \`│\` at column ${i + 1}` : `unexpected \`│\` at column ${i + 1}`,
        });
        break;
      }
    }

    let kind;
    if (/^(when|given) \S/.test(textPart)) kind = "condition";
    else if (/^it should \S/.test(textPart)) kind = "leaf";
    else {
      problems.push({ line: lineNo, message: `branch must start with "when ", "given " or "it should ": "${textPart}"` });
      kind = "unknown";
    }
    if (kind === "condition" && /\[[^\]]*\]\s*$/.test(textPart)) {
      problems.push({ line: lineNo, message: "a bracket on a `when`/`given` branch (brackets belong to leaves)" });
    }
    if (kind === "leaf") {
      const b = /\[([^\]]*)\]$/.exec(textPart);
      if (!b || b[1].trim() === "") {
        problems.push({ line: lineNo, message: "leaf without a non-empty [test name] bracket at its end" });
      } else {
        const content = b[1].trim();
        const unreachable = /^unreachable:\s*(.*)$/.exec(content);
        if (unreachable) {
          if (unreachable[1].trim() === "") problems.push({ line: lineNo, message: "`unreachable:` needs a reason" });
          leaves.push({ line: lineNo, unreachable: true, refs: [] });
        } else {
          const refs = content.split("|").map((s) => s.trim());
          if (refs.some((r) => r === "")) problems.push({ line: lineNo, message: "empty test name in the bracket" });
          leaves.push({ line: lineNo, unreachable: false, refs: refs.filter((r) => r !== "") });
        }
      }
    }
    stack.push({ col, last, kind, children: 0, line: lineNo });
  });
  closeAll();
  return { roots, leaves, problems };
}

/** Resolves a reference (`name` or `file > name`) against the collected tests. */
export function findReference(tests, ref) {
  let fileFilter = null;
  let name = ref;
  const q = /^(\S+\.(?:ts|js|mjs|sol))\s*>\s*(.+)$/.exec(ref);
  if (q) {
    fileFilter = q[1];
    name = q[2].trim();
  }
  return tests.filter(
    (t) =>
      (fileFilter === null ? !t.template : t.file === fileFilter || t.file.endsWith(`/${fileFilter}`)) &&
      t.matchers.some((re) => re.test(name)),
  );
}

export function checkTrees(rootDir) {
  const treeFiles = walk(join(rootDir, "test"))
    .filter((f) => f.endsWith(".tree") && f.split(sep).includes("trees"))
    .sort();
  const tests = collectTests(rootDir);
  const problems = [];
  const referenced = new Set();
  let trees = 0;
  let leaves = 0;
  let unreachable = 0;
  for (const file of treeFiles) {
    const rel = relative(rootDir, file);
    const parsed = parseTree(readFileSync(file, "utf8"));
    trees += parsed.roots;
    if (parsed.roots === 0) problems.push(`${rel}:1: no tree in the file`);
    const fileProblems = [...parsed.problems];
    for (const leaf of parsed.leaves) {
      leaves += 1;
      if (leaf.unreachable) {
        unreachable += 1;
        continue;
      }
      for (const ref of leaf.refs) {
        const found = findReference(tests, ref);
        if (found.length === 0) fileProblems.push({ line: leaf.line, message: `no test named "${ref}"` });
        else for (const t of found) referenced.add(`${t.file} > ${t.name}`);
      }
    }
    fileProblems.sort((a, b) => a.line - b.line);
    for (const p of fileProblems) problems.push(`${rel}:${p.line}: ${p.message}`);
  }
  return { treeFiles: treeFiles.length, trees, leaves, unreachable, referenced: referenced.size, problems };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const rootDir = process.argv[2] ?? process.cwd();
  const r = checkTrees(rootDir);
  for (const p of r.problems) console.error(p);
  console.log(
    `check-trees: ${r.treeFiles} files, ${r.trees} trees, ${r.leaves} leaves, ${r.referenced} tests referenced, ` +
      `${r.unreachable} unreachable, ${r.problems.length} problems`,
  );
  if (r.treeFiles === 0) {
    console.error("check-trees: no test/**/trees/*.tree file found");
    process.exit(1);
  }
  process.exit(r.problems.length === 0 ? 0 : 1);
}
