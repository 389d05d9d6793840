// The options that carry the host's facilities into connect() and the conversation are checked for their
// type first: a wrong one is INVALID_OPTION naming the option, never a TypeError from deep inside.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { AuthCacheStore, runtimeEnv } from "@mongo-auth/core";
import { checkHostOptions } from "../../src/client/host-options.ts";

describe("checkHostOptions", () => {
  it("takes no options (undefined or null) as an empty object, and good ones as they are", () => {
    assert.deepEqual(checkHostOptions(undefined, "connect()"), {});
    assert.deepEqual(checkHostOptions(null, "connect()"), {});
    const good = {
      signal: AbortSignal.timeout(1000),
      env: runtimeEnv({ env: {} }),
      cacheStore: new AuthCacheStore(),
      onEvent: () => {},
      onWarning: () => {},
      explain: true,
      host: "db.example.net",
      helloReply: { ok: 1 },
      appName: "app",
    };
    assert.equal(checkHostOptions(good, "connect()"), good);
  });

  it("refuses options that are not an object", () => {
    for (
      const [options, type] of [[5, "a number"], ["x", "a string"], [[], "an array"], [true, "a boolean"]]
    ) {
      assert.throws(() => checkHostOptions(options as object, "connect()"), {
        code: "INVALID_OPTION",
        message: `the options of connect() must be an object, got ${type}`,
      });
    }
  });

  it("names the option, the function, what it must be and the type it was (never the value)", () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ signal: "s3cret-signal" }, "option signal of connect() must be an AbortSignal"],
      [{ signal: { aborted: false } }, "option signal of connect() must be an AbortSignal"],
      [{ env: {} }, "option env of connect() must be a RuntimeEnv with getEnv, fetch and now"],
      [
        { env: { getEnv: () => "", fetch, now: Date.now, readTextFile: "x" } },
        "option env of connect() must be",
      ],
      [{ cacheStore: new Map() }, "option cacheStore of connect() must be an AuthCacheStore"],
      [{ onEvent: "log" }, "option onEvent of connect() must be a function"],
      [{ onWarning: 1 }, "option onWarning of connect() must be a function"],
      [{ explain: "yes" }, "option explain of connect() must be true or false"],
      [{ host: 27017 }, "option host of connect() must be a string"],
      [{ helloReply: [] }, "option helloReply of connect() must be the hello reply document"],
    ];
    for (const [options, message] of cases) {
      assert.throws(() => checkHostOptions(options, "connect()"), (err: Error & { code?: string }) => {
        assert.equal(err.code, "INVALID_OPTION");
        assert.ok(err.message.startsWith(message), err.message);
        assert.match(err.message, /, got (a|an) \w+$/);
        assert.ok(!err.message.includes("s3cret"));
        return true;
      });
    }
  });

  it("takes a null option as none: the others read it as undefined", () => {
    const given = { signal: null, env: null, cacheStore: null, onEvent: null, appName: "app" };
    const checked = checkHostOptions(given, "connect()") as Record<string, unknown>;
    assert.deepEqual(checked, {
      signal: undefined,
      env: undefined,
      cacheStore: undefined,
      onEvent: undefined,
      appName: "app",
    });
    assert.equal(given.signal, null, "the caller's object is left as it was");
  });
});
