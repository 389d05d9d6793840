// The code blocks of the user documentation (README.md, docs/, bench/README.md, CONTRIBUTING.md) and
// their markers. A block's info string is its language, then attributes:
//
//   ```ts                      type-checked (deno check --doc-only in the static checks, tsc --strict here)
//   ```ts runnable=deno,node   also run, on each runtime listed (deno, node, bun, workerd), against the
//                              reference server of the "try it locally" fixtures: 127.0.0.1:27117 and
//                              127.0.0.1:27118 in the block are replaced by the servers' real addresses
//   ```ts runnable=deno deno-flags=--allow-net,--allow-read   the permissions the block's text asks for
//   ```js mongosh              a mongosh snippet: shell commands, not type-checked by tsc
//   ```text output=NAME        what a command printed: tests/docs/troubleshooting.test.ts runs scenario
//                              NAME and compares (so the documented output cannot drift)
//
// A `workerd` block is a Worker module; it runs from the Node.js suite, in workerd, with the binding
// MONGODB_URI set to the local server's SCRAM connection string, and must answer GET / with 200.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { repoRoot } from "../../testing/paths.ts";

/** One fenced code block. */
export interface CodeBlock {
  /** The file, relative to the repository root. */
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The language: `ts`, `js`, `sh`, … (may be empty). */
  readonly lang: string;
  /** The runtimes of `runnable=…`; empty when the block is only type-checked. */
  readonly runnable: readonly string[];
  /** `deno-flags=…`, split at commas. */
  readonly denoFlags: readonly string[];
  /** A mongosh snippet (```js mongosh): shell commands, not a program, so not type-checked. */
  readonly mongosh: boolean;
  /** `output=NAME`: the block is what scenario NAME prints. */
  readonly output?: string;
  /** The code. */
  readonly code: string;
}

/** The runtimes a block may be run on. */
export const RUNTIMES = ["deno", "node", "bun", "workerd"] as const;

/** TypeScript and JavaScript languages, type-checked. */
export const TYPED_LANGS = new Set(["ts", "typescript", "js", "javascript", "mjs"]);

/** The documentation files, relative to the repository root. */
export function docFiles(): string[] {
  const root = repoRoot();
  const docs = readdirSync(join(root, "docs")).filter((name) => name.endsWith(".md")).sort();
  return ["README.md", ...docs.map((name) => join("docs", name)), "bench/README.md", "CONTRIBUTING.md"];
}

/** Where a fenced block stands in a markdown text, and what it holds. */
export interface Fenced {
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** 1-based line of the closing fence (past the last line when the block is never closed). */
  readonly end: number;
  /** The info string after the opening fence: language, then attributes. */
  readonly info: string;
  /** The lines between the fences. */
  readonly body: readonly string[];
}

/**
 * The fenced blocks of a markdown text: a fence of three or more backticks or tildes at the start of a line,
 * closed by a line starting with the same fence.
 * @param markdown the text
 * @returns its blocks in order
 */
export function fencedBlocks(markdown: string): Fenced[] {
  const lines = markdown.split("\n");
  const blocks: Fenced[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,}|~{3,})(.*)$/.exec(lines[i]);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i].startsWith(open[1]); i++) body.push(lines[i]);
    blocks.push({ line: start + 1, end: i + 1, info: open[2], body });
  }
  return blocks;
}

/**
 * The fenced code blocks of one markdown file.
 * @param file the file, relative to the repository root
 * @returns its blocks in order
 */
export function codeBlocks(file: string): CodeBlock[] {
  const markdown = readFileSync(join(repoRoot(), file), "utf8");
  return fencedBlocks(markdown).map(({ line, info, body }) => {
    const [, lang, rest] = /^\s*(\S*)(.*)$/.exec(info)!;
    const attrs = new Map(
      rest.trim().split(/\s+/).filter(Boolean).map((a) => [a.split("=")[0], a.split("=")[1] ?? ""] as const),
    );
    return {
      file: relative(repoRoot(), join(repoRoot(), file)),
      line,
      lang,
      runnable: attrs.has("runnable") ? attrs.get("runnable")!.split(",").filter(Boolean) : [],
      denoFlags: attrs.get("deno-flags")?.split(",").filter(Boolean) ?? [],
      mongosh: attrs.has("mongosh"),
      output: attrs.get("output") || undefined,
      code: body.join("\n") + "\n",
    };
  });
}

/** Every block of every documentation file. */
export function allCodeBlocks(): CodeBlock[] {
  return docFiles().flatMap(codeBlocks);
}

/** A file name for a block: `README.md` line 42 → `README.md-42`. */
export function blockName(block: CodeBlock): string {
  return `${block.file.replaceAll("/", "_")}-${block.line}`;
}
