// The layers of src/, checked over the import statements (run by scripts/static-checks.sh):
//
//   core ← crypto ← credential ← dns, wire ← auth, topology ← mechanisms ← client ← transport ← cli ← mod.ts, cli.ts
//
// A file may import its own folder and the layers to its left, never one to its right, and never a
// peer of the same rank (dns and wire know nothing of each other). Within that, no import cycle, file
// by file. Only src/transport/ may import a runtime's modules (node:, bun:, cloudflare:) or name a
// runtime global (Deno., Bun., process.), in code or in a comment. dns sits right of credential because
// a mongodb+srv TXT record is read with the connection string's option parser. topology (the SDAM and
// server selection rules) is a peer of auth: it reads hello replies and options and knows nothing of
// authentication, and only the client puts the two together. The reference server (testing/) imports
// nothing of the library, and neither it nor the demo (examples/) imports tests/. Fails with every wrong
// import listed.
//
//   deno run --allow-read scripts/check-layers.ts        (bun runs it as well)
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Left to right: a layer may import the layers before it. Equal ranks are peers. */
const LAYERS: readonly {
  readonly name: string;
  readonly rank: number;
  readonly owns: (file: string) => boolean;
}[] = [
  { name: "core", rank: 0, owns: (f) => f.startsWith("src/core/") },
  { name: "crypto", rank: 1, owns: (f) => f.startsWith("src/crypto/") },
  { name: "credential", rank: 2, owns: (f) => f.startsWith("src/credential/") },
  { name: "dns", rank: 3, owns: (f) => f.startsWith("src/dns/") },
  { name: "wire", rank: 3, owns: (f) => f.startsWith("src/wire/") },
  { name: "auth", rank: 4, owns: (f) => f.startsWith("src/auth/") },
  { name: "topology", rank: 4, owns: (f) => f.startsWith("src/topology/") },
  { name: "mechanisms", rank: 5, owns: (f) => f.startsWith("src/mechanisms/") },
  { name: "client", rank: 6, owns: (f) => f.startsWith("src/client/") },
  { name: "transport", rank: 7, owns: (f) => f.startsWith("src/transport/") },
  { name: "cli", rank: 8, owns: (f) => f.startsWith("src/cli/") },
  { name: "entry points", rank: 9, owns: (f) => f === "mod.ts" || f === "cli.ts" },
];

const RUNTIME_MODULE = /^(node|bun|cloudflare):/;
const RUNTIME_GLOBAL = /\b(Deno|Bun|process)\.[A-Za-z]/;

function layerOf(file: string) {
  const layer = LAYERS.find((l) => l.owns(file));
  if (!layer) throw new Error(`${file} belongs to no layer: add its folder to scripts/check-layers.ts`);
  return layer;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return sourceFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

// The code without comments (JSDoc examples import the package by name) and without string contents
// (a URL's "//" is not a comment), keeping the specifiers of imports and exports.
function code(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .split("\n")
    .map((line) => line.replace(/(^|[^:"'`\\])\/\/.*$/, "$1"))
    .join("\n");
}

function specifiers(text: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\b[^;"'`]*?\bfrom\s*["']([^"']+)["']/g,
    /\bimport\s*["']([^"']+)["']/g,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const pattern of patterns) for (const match of text.matchAll(pattern)) found.push(match[1]);
  return found;
}

const files = [...sourceFiles("src"), "mod.ts", "cli.ts"].map((f) => f.split("\\").join("/")).sort();
const problems: string[] = [];
const graph = new Map<string, string[]>();
let edges = 0;

for (const file of files) {
  const layer = layerOf(file);
  const text = code(readFileSync(join(ROOT, file), "utf8"));
  const local: string[] = [];
  for (const specifier of specifiers(text)) {
    if (RUNTIME_MODULE.test(specifier)) {
      if (layer.name !== "transport") problems.push(`${file}: imports ${specifier}; only src/transport/ may`);
      continue;
    }
    if (!specifier.startsWith(".")) continue; // a package (bson, aws4fetch) or the package's own name
    const target = normalize(join(dirname(file), specifier)).split("\\").join("/");
    const to = layerOf(target);
    edges++;
    local.push(target);
    if (to.rank > layer.rank || (to.rank === layer.rank && to.name !== layer.name)) {
      problems.push(
        `${file} (${layer.name}) imports ${target} (${to.name}): a dependency pointing the wrong way`,
      );
    }
  }
  graph.set(file, local);
  if (layer.name !== "transport") {
    text.split("\n").forEach((line, i) => {
      const bare = line.replace(/(["'`])(?:\\.|(?!\1).)*\1/g, '""');
      if (RUNTIME_GLOBAL.test(bare)) {
        problems.push(`${file}:${i + 1}: names a runtime global; only src/transport/ may`);
      }
    });
    // Prose too: a comment that spells a runtime global reads, to a reviewer's grep, as a runtime leak.
    // Only double-quoted strings are blanked (a symbol's registered name); apostrophes are prose.
    readFileSync(join(ROOT, file), "utf8").split("\n").forEach((line, i) => {
      if (RUNTIME_GLOBAL.test(line.replace(/"(?:\\.|[^"\\])*"/g, '""'))) {
        problems.push(
          `${file}:${i + 1}: a comment spells a runtime global; say it in words, not by its dotted name`,
        );
      }
    });
  }
}

// The reference server stays independent of what it checks (a bug shared with the library could hide),
// and the demo and the shared test support import nothing from tests/.
for (const dir of ["testing", "examples"]) {
  for (const file of sourceFiles(dir).map((f) => f.split("\\").join("/"))) {
    for (const specifier of specifiers(code(readFileSync(join(ROOT, file), "utf8")))) {
      const target = specifier.startsWith(".")
        ? normalize(join(dirname(file), specifier)).split("\\").join("/")
        : "";
      const library = target.startsWith("src/") || target === "mod.ts" ||
        specifier.startsWith("@mongo-auth/core");
      if (dir === "testing" && library) {
        problems.push(`${file} imports ${specifier}: testing/ must not use the library`);
      }
      if (target.startsWith("tests/")) {
        problems.push(`${file} imports ${specifier}: only tests/ may import tests/`);
      }
    }
  }
}

// Cycles, file by file: a depth-first walk that reports each cycle once.
const state = new Map<string, "open" | "done">();
const stack: string[] = [];
function walk(file: string): void {
  state.set(file, "open");
  stack.push(file);
  for (const next of graph.get(file) ?? []) {
    if (state.get(next) === "open") {
      problems.push(`import cycle: ${[...stack.slice(stack.indexOf(next)), next].join(" -> ")}`);
    } else if (!state.has(next)) {
      walk(next);
    }
  }
  stack.pop();
  state.set(file, "done");
}
for (const file of files) if (!state.has(file)) walk(file);

if (problems.length > 0) {
  console.error(`layer check: ${problems.length} problem(s)`);
  for (const problem of problems.slice(0, 30)) console.error(`  ${problem}`);
  if (problems.length > 30) console.error(`  … and ${problems.length - 30} more`);
  process.exit(1);
}
const order = LAYERS.reduce<string[][]>((ranks, l) => {
  (ranks[l.rank] ??= []).push(l.name);
  return ranks;
}, []).map((names) => names.join(", ")).join(" ← ");
console.log(
  `layers ok: ${files.length} files, ${edges} imports inside the package, no cycle, ` +
    `runtime code only in src/transport/, testing/ independent of the library: ${order}`,
);
