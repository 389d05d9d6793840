// fileTokenStore() on Node.js, Bun and Deno (node:fs): a file only the user can read (0600, in a 0700
// folder), replaced whole on each write, and shared by every sign-in of the machine's user.
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { after, before, describe, it } from "node:test";
import { defaultTokenFile, fileTokenStore, nodeTokenFiles } from "../../src/transport/token-files.ts";

describe("fileTokenStore", () => {
  let dir: string;
  before(async () => void (dir = await mkdtemp(join(tmpdir(), "mongo-auth-token-files-"))));
  after(() => rm(dir, { recursive: true, force: true }));

  it("creates the folder 0700 and the file 0600, and leaves no temporary file behind", async () => {
    const file = join(dir, "a", "b", "oidc-tokens.json");
    await fileTokenStore(file).set("k", { accessToken: "eyJ.a.b" });
    assert.deepEqual(JSON.parse(await readFile(file, "utf8")).tokens, { k: { accessToken: "eyJ.a.b" } });
    assert.deepEqual(await readdir(join(dir, "a", "b")), ["oidc-tokens.json"]);
    if (process.platform !== "win32") {
      assert.equal((await stat(file)).mode & 0o777, 0o600);
      assert.equal((await stat(join(dir, "a", "b"))).mode & 0o777, 0o700);
    }
  });

  it("a file made readable by others is replaced by a private one on the next write", async () => {
    const file = join(dir, "loose.json");
    await writeFile(file, '{"version":1,"tokens":{}}', { mode: 0o644 });
    await fileTokenStore(file).set("k", { accessToken: "t" });
    if (process.platform !== "win32") assert.equal((await stat(file)).mode & 0o777, 0o600);
  });

  it("two stores on one file (two processes) see each other's entries", async () => {
    const file = join(dir, "shared.json");
    await fileTokenStore(file).set("first", { accessToken: "1" });
    await fileTokenStore(file).set("second", { accessToken: "2" });
    assert.deepEqual(await fileTokenStore(file).get("first"), { accessToken: "1" });
  });

  it("a missing file reads as nothing; the default file is ~/.mongo-auth/oidc-tokens.json", async () => {
    assert.equal(await nodeTokenFiles.read(join(dir, "none.json")), undefined);
    assert.match(defaultTokenFile(), /\.mongo-auth[\\/]oidc-tokens\.json$/);
  });
});

describe("fileTokenStore: its path", () => {
  it("a path that is not a non-empty string is INVALID_OPTION at once, not an error when a token is stored", () => {
    for (
      const [path, type] of [[5, "a number"], [{}, "an object"], ["", "an empty string"], [
        Symbol("p"),
        "a symbol",
      ]] as const
    ) {
      assert.throws(() => fileTokenStore(path as never), {
        code: "INVALID_OPTION",
        message:
          `fileTokenStore() takes the token file's path as a non-empty string (or none, for the default), got ${type}`,
      });
    }
  });
});
