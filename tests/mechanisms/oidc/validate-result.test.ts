import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { validateCallbackResult } from "../../../src/mechanisms/oidc/validate-result.ts";

const SECRET = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";

describe("validateCallbackResult", () => {
  it("keeps the known fields only", () => {
    assert.deepEqual(
      validateCallbackResult({ accessToken: SECRET, refreshToken: "r", expiresInSeconds: 0, extra: 1 }, "X"),
      {
        accessToken: SECRET,
        refreshToken: "r",
        expiresInSeconds: 0,
      },
    );
  });

  for (
    const [label, value, message] of [
      ["null", null, /returned null/],
      ["undefined", undefined, /returned a undefined/],
      ["a string", SECRET, /returned a string/],
      ["no accessToken", { expiresInSeconds: 1 }, /no accessToken/],
      ["a numeric accessToken", { accessToken: 1 }, /no accessToken/],
      ["an empty accessToken", { accessToken: "" }, /empty accessToken/],
      ["a negative expiry", { accessToken: SECRET, expiresInSeconds: -1 }, /expiresInSeconds/],
      ["a NaN expiry", { accessToken: SECRET, expiresInSeconds: NaN }, /expiresInSeconds/],
      ["a string expiry", { accessToken: SECRET, expiresInSeconds: "60" }, /expiresInSeconds/],
      ["a numeric refresh token", { accessToken: SECRET, refreshToken: 5 }, /refreshToken/],
    ] as const
  ) {
    it(`refuses ${label} with a clear message and no token`, () => {
      assert.throws(
        () => validateCallbackResult(value, "OIDC_HUMAN_CALLBACK"),
        (error: Error & { code?: string }) => {
          assert.equal(error.code, "CREDENTIAL_PROVIDER_ERROR");
          assert.match(error.message, /^OIDC_HUMAN_CALLBACK returned/);
          assert.match(error.message, message);
          assert.ok(!error.message.includes(SECRET));
          return true;
        },
      );
    });
  }
});
