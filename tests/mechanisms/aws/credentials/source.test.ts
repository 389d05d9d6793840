// What every AWS credential source is handed: a context whose shared files are read lazily and at most
// once per resolution, and a random RoleSessionName when the user set none.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomSessionName, sourceContext } from "../../../../src/mechanisms/aws/credentials/source.ts";
import { runtimeEnv } from "../../../../src/core/runtime-env.ts";

describe("sourceContext", () => {
  it("hands over the env, the caller's signal and the per-call timeout", () => {
    const env = runtimeEnv({ env: {} });
    const signal = new AbortController().signal;
    const context = sourceContext(env, signal, 1234);
    assert.equal(context.env, env);
    assert.equal(context.signal, signal);
    assert.equal(context.timeoutMs, 1234);
  });

  it("reads the shared files only when a source asks, and only once however many ask", async () => {
    const read: string[] = [];
    const env = runtimeEnv({
      env: {},
      homeDir: "/home/ada",
      fetch: () => Promise.reject(new Error("no network")),
      readTextFile: (path) => {
        read.push(path);
        return Promise.resolve(path.endsWith("credentials") ? "[default]\naws_access_key_id = AKID\n" : "");
      },
    });
    const context = sourceContext(env);
    assert.deepEqual(read, []);
    const [first, second] = await Promise.all([context.profiles(), context.profiles()]);
    assert.equal(first, second);
    assert.equal((await context.profiles()).get("default")?.get("aws_access_key_id"), "AKID");
    assert.equal(read.length, 2, read.join(", "));
  });

  it("reads afresh for a new context (a new resolution)", async () => {
    let reads = 0;
    const env = runtimeEnv({
      env: {},
      homeDir: "/home/ada",
      fetch: () => Promise.reject(new Error("no network")),
      readTextFile: () => {
        reads++;
        return Promise.resolve("");
      },
    });
    await sourceContext(env).profiles();
    await sourceContext(env).profiles();
    assert.equal(reads, 4);
  });
});

describe("randomSessionName", () => {
  it("is mongo-auth- and 16 hex digits, different each time", () => {
    const names = new Set(Array.from({ length: 50 }, randomSessionName));
    assert.equal(names.size, 50);
    for (const name of names) assert.match(name, /^mongo-auth-[0-9a-f]{16}$/);
  });

  it("fits STS's RoleSessionName rule: 2 to 64 characters of [\\w+=,.@-]", () => {
    assert.match(randomSessionName(), /^[\w+=,.@-]{2,64}$/);
  });
});
