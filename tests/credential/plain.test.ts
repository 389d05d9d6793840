// The PLAIN rules of a credential (src/credential/plain.ts), through parseCredential.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseCredential } from "@mongo-auth/core";
import { assertRejects, credential } from "../support/credentials.ts";

describe("PLAIN credentials", () => {
  it("needs a username and a password, and looks the user up in $external unless told otherwise", () => {
    assertRejects(() => parseCredential("mongodb://u@h/?authMechanism=PLAIN"), "INVALID_CREDENTIAL");
    assertRejects(
      () => parseCredential("mongodb://h/?authMechanism=PLAIN", { password: "pw" }),
      "INVALID_CREDENTIAL",
      "pw",
    );
    assert.equal(credential("mongodb://u:p@h/?authMechanism=PLAIN").source, "$external");
    assert.equal(credential("mongodb://u:p@h/ldap?authMechanism=PLAIN").source, "ldap");
    assert.equal(credential("mongodb://u:p@h/?authMechanism=PLAIN&authSource=admin").source, "admin");
  });

  it("takes no mechanism properties", () => {
    assertRejects(
      () => parseCredential("mongodb://u:p@h/?authMechanism=PLAIN&authMechanismProperties=SERVICE_NAME:x"),
      "INVALID_CREDENTIAL",
    );
  });
});
