import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { VERSION } from "@mongo-auth/core";
import { repoRoot } from "../../testing/paths.ts";

describe("package metadata", () => {
  const pkg = JSON.parse(readFileSync(join(repoRoot(), "package.json"), "utf8"));
  const deno = JSON.parse(readFileSync(join(repoRoot(), "deno.json"), "utf8"));

  it("sends the version package.json and deno.json both declare", () => {
    assert.equal(VERSION, pkg.version);
    assert.equal(VERSION, deno.version);
  });

  it("exports the same entry points from deno.json and package.json (the CLI: JSR's ./cli, npm's bin)", () => {
    const npmEntries = Object.keys(pkg.exports).sort();
    const denoEntries = Object.keys(deno.exports).filter((entry) => entry !== "./cli").sort();
    assert.deepEqual(npmEntries, denoEntries);
    assert.equal(deno.exports["./cli"], "./cli.ts");
    assert.equal(pkg.bin["mongo-auth"], "./dist/cli.js");
    for (const entry of denoEntries) {
      const source = deno.exports[entry].replace(/^\.\//, "").replace(/\.ts$/, "");
      assert.equal(pkg.exports[entry].default, `./dist/${source}.js`);
      assert.equal(pkg.exports[entry].types, `./dist/${source}.d.ts`);
    }
  });
});
