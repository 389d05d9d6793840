// The SCRAM rules of a credential (src/credential/scram.ts), through parseCredential.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseCredential } from "@mongo-auth/core";
import { assertRejects, credential } from "../support/credentials.ts";

describe("SCRAM-SHA-256 and SCRAM-SHA-1 (and negotiation) credentials", () => {
  it("SCRAM needs a password but accepts an empty one", () => {
    assertRejects(() => parseCredential("mongodb://user@localhost"), "INVALID_CREDENTIAL");
    assertRejects(() => parseCredential("mongodb://localhost", { username: "u" }), "INVALID_CREDENTIAL");
    assert.equal(credential("mongodb://user:@localhost").password, "");
  });

  it("a password alone asks for authentication and needs a username", () => {
    assertRejects(
      () => parseCredential("mongodb://localhost", { password: "pw" }),
      "INVALID_CREDENTIAL",
      "pw",
    );
  });

  it("refuses a NUL in the username (RFC 5802) before any connection; a password may hold one", () => {
    for (const uri of ["mongodb://a%00b:pw@h/", "mongodb://a%00b:pw@h/?authMechanism=SCRAM-SHA-1"]) {
      const error = assertRejects(() => parseCredential(uri), "INVALID_CREDENTIAL");
      assert.match(error.message, /^the username "a\\u0000b" contains a NUL character .*RFC 5802/);
    }
    assert.equal(credential("mongodb://ab:p%00w@h/").password, "p\0w");
  });

  it("SCRAM takes no mechanism properties", () => {
    for (const mechanism of ["SCRAM-SHA-256", "SCRAM-SHA-1"]) {
      assertRejects(
        () =>
          parseCredential(
            `mongodb://u:p@h/?authMechanism=${mechanism}&authMechanismProperties=SERVICE_NAME:x`,
          ),
        "INVALID_CREDENTIAL",
      );
    }
  });
});
