// The property checks the credential families share: INVALID_CREDENTIAL naming the property, never its value.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MongoAuthError } from "../../src/core/errors.ts";
import { invalidCredential, nonEmptyString, optionFunction, refuseNul } from "../../src/credential/rules.ts";

// Asserts INVALID_CREDENTIAL with a message matching `message` and not containing `secret`.
function refused(run: () => unknown, message: RegExp, secret?: string) {
  assert.throws(run, (err: unknown) => {
    assert.ok(err instanceof MongoAuthError);
    assert.equal(err.code, "INVALID_CREDENTIAL");
    assert.match(err.message, message);
    if (secret) assert.ok(!err.message.includes(secret), err.message);
    return true;
  });
}

describe("invalidCredential", () => {
  it("is a MongoAuthError with code INVALID_CREDENTIAL and the message given", () => {
    const err = invalidCredential("MONGODB-X509 takes no password");
    assert.ok(err instanceof MongoAuthError);
    assert.equal(err.code, "INVALID_CREDENTIAL");
    assert.equal(err.message, "MONGODB-X509 takes no password");
  });
});

describe("nonEmptyString", () => {
  it("returns a non-empty string as it is", () => {
    assert.equal(nonEmptyString("us-east-1", "AWS_REGION", "MONGODB-AWS"), "us-east-1");
  });

  it("refuses the empty string and every other type, naming the mechanism and the property", () => {
    for (const value of ["", undefined, null, 0, true, ["a"], { a: 1 }]) {
      refused(
        () => nonEmptyString(value, "ENVIRONMENT", "MONGODB-OIDC"),
        /^MONGODB-OIDC property ENVIRONMENT must be a non-empty string$/,
      );
    }
  });

  it("does not quote the value it refuses", () => {
    const secret = { toString: () => "AQoDYXdzEJr-secret-session-token" };
    refused(
      () => nonEmptyString(secret, "AWS_SESSION_TOKEN", "MONGODB-AWS"),
      /AWS_SESSION_TOKEN/,
      String(secret),
    );
  });
});

describe("optionFunction", () => {
  it("returns a function as it is", () => {
    const callback = () => Promise.resolve({ accessToken: "t" });
    assert.equal(optionFunction(callback, "OIDC_CALLBACK", "MONGODB-OIDC"), callback);
  });

  it("refuses anything else, saying it can only come from options.authMechanismProperties", () => {
    for (const value of ["myCallback", undefined, null, {}, 1]) {
      refused(
        () => optionFunction(value, "OIDC_HUMAN_CALLBACK", "MONGODB-OIDC"),
        /^MONGODB-OIDC property OIDC_HUMAN_CALLBACK must be a function, given in options\.authMechanismProperties \(it cannot be given in the connection string\)$/,
      );
    }
    refused(
      () => optionFunction("s3cret-token", "OIDC_CALLBACK", "MONGODB-OIDC"),
      /OIDC_CALLBACK/,
      "s3cret-token",
    );
  });
});

describe("refuseNul", () => {
  const why = "the mechanism cannot send";

  it("passes fields without a NUL, and fields it is not asked about", () => {
    refuseNul({ username: "bob", password: "pw" }, ["username", "password"], why);
    refuseNul({ username: "bob", password: "p\0w" }, ["username"], why);
    refuseNul({}, ["username", "password"], why);
  });

  it("names the username, escaped, and the user whose password holds one, never the password", () => {
    refused(
      () => refuseNul({ username: "a\0b" }, ["username"], why),
      /^the username "a\\u0000b" contains a NUL/,
    );
    refused(
      () => refuseNul({ username: "bob", password: "s3cret\0" }, ["username", "password"], why),
      /^the password of user "bob" contains a NUL character \(U\+0000\), which the mechanism cannot send; remove it/,
      "s3cret",
    );
  });
});
