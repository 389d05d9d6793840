// The options object of a public function is checked for its type before anything reads it: none is {},
// a null option is none, and anything else of the wrong type is INVALID_OPTION naming the option, the
// function, what it must be and the type it was, never the value.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { checkMilliseconds, checkOptions, IS, optionChecks, typeName } from "../../src/core/options.ts";

const CHECKS = optionChecks({ endpoint: IS.string, fetch: IS.function, signal: IS.signal, store: IS.object });

describe("checkOptions", () => {
  it("takes no options as {}, and options that pass as they are", () => {
    assert.deepEqual(checkOptions(undefined, "f()", CHECKS), {});
    assert.ok(
      Object.isFrozen(checkOptions(undefined, "f()", CHECKS)),
      "one shared empty object: nothing allocated",
    );
    assert.deepEqual(checkOptions(null, "f()", CHECKS), {});
    const good = { endpoint: "https://x", fetch, signal: AbortSignal.abort(), store: {}, other: 5 };
    assert.equal(checkOptions(good, "f()", CHECKS), good);
  });

  it("refuses options that are not an object", () => {
    const wrong: [unknown, string][] = [[5, "a number"], ["x", "a string"], [[], "an array"], [
      Symbol("s"),
      "a symbol",
    ]];
    for (const [options, type] of wrong) {
      assert.throws(() => checkOptions(options as object, "f()", CHECKS), {
        code: "INVALID_OPTION",
        message: `the options of f() must be an object, got ${type}`,
      });
    }
  });

  it("names the option, the function, what it must be and the type given, never the value", () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ endpoint: 443 }, "option endpoint of f() must be a string, got a number"],
      [{ fetch: "s3cret" }, "option fetch of f() must be a function, got a string"],
      [
        { signal: { aborted: true } },
        "option signal of f() must be an AbortSignal (AbortSignal.timeout(ms), or a controller's), got an object",
      ],
      [{ store: [] }, "option store of f() must be an object, got an array"],
    ];
    for (const [options, message] of cases) {
      assert.throws(() => checkOptions(options, "f()", CHECKS), { code: "INVALID_OPTION", message });
    }
  });

  it("takes a null option as none and hands back a copy without it, leaving the caller's object alone", () => {
    const given = { endpoint: null, other: 1 };
    const checked = checkOptions(given, "f()", CHECKS) as Record<string, unknown>;
    assert.deepEqual(checked, { endpoint: undefined, other: 1 });
    assert.equal(given.endpoint, null);
  });
});

describe("checkMilliseconds", () => {
  it("takes a whole number of milliseconds a timer can wait, from 1 (or 0 where 0 means none), or none", () => {
    for (const ms of [undefined, 1, 5_000, 2 ** 31 - 1]) checkMilliseconds(ms, "timeoutMs", "f()");
    checkMilliseconds(0, "timeoutMS", "f()", 0);
  });

  it("refuses what a timer cannot take, naming the option, the function and the value (a duration is no secret)", () => {
    for (const ms of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31]) {
      assert.throws(() => checkMilliseconds(ms, "timeoutMs", "f()"), {
        code: "INVALID_OPTION",
        message:
          `option timeoutMs of f() must be a whole number of milliseconds from 1 to 2147483647, got ${ms}`,
      });
    }
    assert.throws(() => checkMilliseconds(-1, "timeoutMS", "f()", 0), {
      message:
        "option timeoutMS of f() must be a whole number of milliseconds from 0 to 2147483647 (0: none), got -1",
    });
    assert.throws(() => checkMilliseconds("10s", "timeoutMs", "f()"), { message: /, got a string$/ });
  });
});

describe("typeName", () => {
  it("says the type with its article", () => {
    assert.deepEqual(
      [null, undefined, [], {}, 1, "s", "", true, () => {}, 1n, Symbol("s")].map(typeName),
      [
        "null",
        "undefined",
        "an array",
        "an object",
        "a number",
        "a string",
        "an empty string",
        "a boolean",
        "a function",
        "a bigint",
        "a symbol",
      ],
    );
  });
});
