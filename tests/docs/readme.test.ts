// The README is for users: small enough to read, with the install line of every runtime, and every
// code block in the documentation compiles under `tsc --strict` as written (deno check --doc-only in
// the static checks is the other compiler). The examples are run by examples.test.ts.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../../testing/paths.ts";
import { allCodeBlocks, blockName, codeBlocks, docFiles, RUNTIMES, TYPED_LANGS } from "./blocks.ts";

const README_LIMIT_BYTES = 16 * 1024;
const readme = readFileSync(join(repoRoot(), "README.md"), "utf8");

describe("README.md", () => {
  it(`is at most ${README_LIMIT_BYTES} bytes`, () => {
    const size = new TextEncoder().encode(readme).length;
    assert.ok(size <= README_LIMIT_BYTES, `README.md is ${size} bytes`);
  });

  it("has the install line of npm, JSR, Deno from npm and Bun", () => {
    const install = codeBlocks("README.md").find((b) => b.lang === "sh" && /install|add/.test(b.code));
    assert.ok(install, "no install block");
    for (
      const line of [
        "npm install @mongo-auth/core",
        "deno add jsr:@mongo-auth/core",
        "deno add npm:@mongo-auth/core",
        "bun add @mongo-auth/core",
      ]
    ) {
      assert.ok(install.code.includes(line), `missing: ${line}`);
    }
  });

  it("has a quick start that runs on each of Deno, Node.js, Bun and Workers, before anything else", () => {
    const blocks = codeBlocks("README.md");
    for (const runtime of RUNTIMES) {
      const quickStart = blocks.find((b) => b.runnable.length === 1 && b.runnable[0] === runtime);
      assert.ok(quickStart, `no quick start for ${runtime}`);
      assert.match(
        quickStart.code,
        /close\(\)|await using/,
        `${runtime}: the quick start must close its connection`,
      );
    }
  });

  it("starts with what it is and how to install it, not with how to develop it", () => {
    const firstScreen = readme.split("\n").slice(0, 40).join("\n");
    assert.match(firstScreen, /## Install/);
    assert.doesNotMatch(firstScreen, /npm test|npm ci|deno task/);
  });
});

describe("documentation", () => {
  it("names the CLI as npx -p @mongo-auth/core mongo-auth (mongo-auth alone is another npm package)", () => {
    for (const file of docFiles()) {
      const text = readFileSync(join(repoRoot(), file), "utf8");
      assert.doesNotMatch(text, /npx mongo-auth\b/, file);
    }
    assert.match(readme, /npx -p @mongo-auth\/core mongo-auth whoami/);
  });

  it("marks runnable blocks with known runtimes only", () => {
    for (const block of allCodeBlocks()) {
      for (const runtime of block.runnable) {
        assert.ok(
          (RUNTIMES as readonly string[]).includes(runtime),
          `${block.file}:${block.line}: ${runtime}`,
        );
      }
    }
  });

  it("has TypeScript blocks that compile under tsc --strict, with no annotations added", async () => {
    const dir = join(repoRoot(), ".test-tmp", "doc-blocks");
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const typed = allCodeBlocks().filter((b) => TYPED_LANGS.has(b.lang) && !b.mongosh);
    assert.ok(typed.length >= 20, `only ${typed.length} blocks`);
    const files = typed.map((block) => {
      const name = `${blockName(block)}.${block.lang.startsWith("t") ? "ts" : "mjs"}`;
      writeFileSync(join(dir, name), block.code);
      return name;
    });
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          lib: ["ES2022", "DOM", "DOM.Iterable", "ESNext.Disposable"],
          types: ["node"],
          strict: true,
          noEmit: true,
          allowJs: true,
          checkJs: true,
          skipLibCheck: true,
          allowImportingTsExtensions: true,
          isolatedModules: true,
          paths: {
            "@mongo-auth/core": ["../../mod.ts"],
            "@mongo-auth/core/*": ["../../src/transport/*.ts"],
          },
        },
        files,
      }),
    );
    const tsc = join(repoRoot(), "node_modules", ".bin", "tsc");
    const result = await promisify(execFile)(tsc, ["-p", join(dir, "tsconfig.json")]).then(
      () => "",
      (err: { stdout?: string; message: string }) => err.stdout || err.message,
    );
    // Each error names its file, which names the block: README.md-42.ts is README.md line 42.
    assert.equal(result, "", `documentation blocks that do not compile:\n${result}`);
  });
});
