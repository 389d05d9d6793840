import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MongoAuthError, type ServerApi, ServerApiVersion } from "@mongo-auth/core";
import { apiParameters, describeApiParameters } from "../../src/client/server-api.ts";

describe("Stable API: serverApi", () => {
  it("declares version 1 as a string or an object, as the official driver takes it", () => {
    assert.equal(ServerApiVersion.v1, "1");
    assert.deepEqual(apiParameters(ServerApiVersion.v1), { apiVersion: "1" });
    assert.deepEqual(apiParameters({ version: "1" }), { apiVersion: "1" });
    assert.equal(apiParameters(undefined), undefined);
  });

  it("sends apiStrict and apiDeprecationErrors only when given, false included (the specification)", () => {
    assert.deepEqual(apiParameters({ version: "1", strict: true, deprecationErrors: true }), {
      apiVersion: "1",
      apiStrict: true,
      apiDeprecationErrors: true,
    });
    assert.deepEqual(apiParameters({ version: "1", strict: false }), { apiVersion: "1", apiStrict: false });
    assert.deepEqual(apiParameters({ version: "1", deprecationErrors: false }), {
      apiVersion: "1",
      apiDeprecationErrors: false,
    });
  });

  it("refuses a version it does not know, and flags that are not booleans, with INVALID_OPTION", () => {
    const cases: [unknown, RegExp][] = [
      [{ version: "2" }, /serverApi\.version must be "1" \(ServerApiVersion\.v1\).*; got "2"$/],
      [{ version: 1 }, /serverApi\.version must be "1".*; got 1$/],
      ["v1", /serverApi\.version must be "1".*; got "v1"$/],
      [{}, /serverApi\.version must be "1".*; got undefined$/],
      [null, /option serverApi must be \{ version: "1" \} or "1"/],
      [{ version: "1", strict: "true" }, /serverApi\.strict must be true or false; got "true"$/],
      [
        { version: "1", deprecationErrors: {} },
        /serverApi\.deprecationErrors must be true or false; got an object$/,
      ],
    ];
    for (const [given, message] of cases) {
      assert.throws(() => apiParameters(given as ServerApi), (err: unknown) => {
        assert.ok(err instanceof MongoAuthError);
        assert.equal(err.code, "INVALID_OPTION");
        assert.match(err.message, message);
        return true;
      });
    }
  });

  it("describes the declared version for the trace", () => {
    assert.equal(describeApiParameters({ apiVersion: "1" }), "1");
    assert.equal(describeApiParameters({ apiVersion: "1", apiStrict: false }), "1");
    assert.equal(
      describeApiParameters({ apiVersion: "1", apiStrict: true, apiDeprecationErrors: true }),
      "1 (strict, deprecation errors)",
    );
  });
});
