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
