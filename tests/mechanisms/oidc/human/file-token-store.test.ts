// The file-backed token store over injected file functions: one JSON file of entries, damaged files
// read as empty, writes in order, and failures that name the file and never a token.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { MongoAuthError } from "@mongo-auth/core";
import {
  FileTokenStore,
  type TokenFileAccess,
} from "../../../../src/mechanisms/oidc/human/file-token-store.ts";

const PATH = "/home/ada/.mongo-auth/oidc-tokens.json";

function memoryFiles(initial?: string): TokenFileAccess & { text(): string | undefined } {
  let text = initial;
  return {
    read: () => Promise.resolve(text),
    writePrivate: (_path, next) => Promise.resolve(void (text = next)),
    text: () => text,
  };
}

describe("FileTokenStore", () => {
  it("keeps every entry in one versioned JSON file", async () => {
    const files = memoryFiles();
    const store = new FileTokenStore(PATH, files);
    await store.set("a", { accessToken: "ta", expiresAt: 1 });
    await store.set("b", { accessToken: "tb", refreshToken: "rb" });
    await store.set("a", undefined);
    assert.deepEqual(JSON.parse(files.text()!), {
      version: 1,
      tokens: { b: { accessToken: "tb", refreshToken: "rb" } },
    });
    assert.deepEqual(await store.get("b"), { accessToken: "tb", refreshToken: "rb" });
    assert.equal(await store.get("a"), undefined);
  });

  it("reads a damaged or foreign file as empty, and replaces it on the next write", async () => {
    for (const text of ["not json", "[]", '{"version":2,"tokens":{}}', '{"version":1,"tokens":[]}', "null"]) {
      const files = memoryFiles(text);
      const store = new FileTokenStore(PATH, files);
      assert.equal(await store.get("a"), undefined, text);
      await store.set("a", { accessToken: "t" });
      assert.deepEqual(JSON.parse(files.text()!).tokens, { a: { accessToken: "t" } }, text);
    }
  });

  it("an entry named like an Object property is just an entry", async () => {
    const store = new FileTokenStore(PATH, memoryFiles('{"version":1,"tokens":{}}'));
    assert.equal(await store.get("__proto__"), undefined);
    assert.equal(await store.get("constructor"), undefined);
  });

  it("writes from one process in the order they were asked for", async () => {
    const files = memoryFiles();
    const store = new FileTokenStore(PATH, files);
    await Promise.all([1, 2, 3].map((n) => store.set(`k${n}`, { accessToken: `t${n}` })));
    assert.deepEqual(Object.keys(JSON.parse(files.text()!).tokens), ["k1", "k2", "k3"]);
  });

  it("a file it cannot read or write: CREDENTIAL_PROVIDER_ERROR naming the file, not the tokens", async () => {
    const denied = Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" });
    const broken = new FileTokenStore(PATH, {
      read: () => Promise.reject(denied),
      writePrivate: () => Promise.reject(denied),
    });
    await assert.rejects(broken.get("k"), (error: MongoAuthError) => {
      assert.equal(error.code, "CREDENTIAL_PROVIDER_ERROR");
      assert.match(
        error.message,
        /cannot read the OIDC token file \/home\/ada\/\.mongo-auth\/oidc-tokens\.json \(EACCES\)/,
      );
      return true;
    });
    const readable = new FileTokenStore(PATH, {
      ...memoryFiles(),
      writePrivate: () => Promise.reject(denied),
    });
    await assert.rejects(readable.set("k", { accessToken: "s3cr3t-token" }), (error: MongoAuthError) => {
      assert.match(error.message, /cannot write the OIDC token file/);
      assert.ok(!error.message.includes("s3cr3t-token"));
      return true;
    });
  });
});
