// The check of what an AWS credential source (or the user's provider) returned: CREDENTIAL_PROVIDER_ERROR
// naming the source, never a key.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MongoAuthError } from "../../../../src/core/errors.ts";
import { checkAwsCredentials } from "../../../../src/mechanisms/aws/credentials/check-credentials.ts";

const KEYS = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };

function refused(value: unknown, message: RegExp) {
  assert.throws(() => checkAwsCredentials(value, "the ECS endpoint"), (err: unknown) => {
    assert.ok(err instanceof MongoAuthError);
    assert.equal(err.code, "CREDENTIAL_PROVIDER_ERROR");
    assert.match(err.message, /^AWS credentials from the ECS endpoint/);
    assert.match(err.message, message);
    assert.ok(!err.message.includes(KEYS.secretAccessKey), err.message);
    return true;
  });
}

describe("checkAwsCredentials", () => {
  it("keeps the keys, the session token and the expiration, and nothing else", () => {
    const expiration = new Date("2026-01-01T01:00:00Z");
    const checked = checkAwsCredentials(
      { ...KEYS, sessionToken: "token", expiration, Code: "Success", extra: 1 },
      "the IMDS",
    );
    assert.deepEqual(checked, { ...KEYS, sessionToken: "token", expiration });
  });

  it("leaves out an absent, null or empty session token and expiration", () => {
    for (
      const extra of [{}, { sessionToken: null, expiration: null }, { sessionToken: "", expiration: "" }]
    ) {
      assert.deepEqual(checkAwsCredentials({ ...KEYS, ...extra }, "a provider"), KEYS);
    }
  });

  it("reads an expiration given as an ISO string, epoch milliseconds or a Date", () => {
    const at = Date.UTC(2026, 0, 1, 1);
    for (const expiration of [new Date(at).toISOString(), at, new Date(at)]) {
      assert.equal(checkAwsCredentials({ ...KEYS, expiration }, "a provider").expiration?.getTime(), at);
    }
  });

  it("refuses a value without both keys as non-empty strings", () => {
    const lacking = /lack accessKeyId or secretAccessKey$/;
    for (
      const value of [
        undefined,
        null,
        "AKIDEXAMPLE",
        {},
        { accessKeyId: KEYS.accessKeyId },
        { secretAccessKey: KEYS.secretAccessKey },
        { ...KEYS, accessKeyId: "" },
        { ...KEYS, secretAccessKey: 42 },
      ]
    ) refused(value, lacking);
  });

  it("refuses a session token that is not a string", () => {
    for (const sessionToken of [1, true, {}, ["token"]]) {
      refused({ ...KEYS, sessionToken }, /sessionToken is not a string$/);
    }
  });

  it("refuses an expiration that is not a valid date", () => {
    for (const expiration of ["tomorrow", Number.NaN, new Date(Number.NaN), {}, true]) {
      refused({ ...KEYS, expiration }, /expiration is not a valid date$/);
    }
  });
});
