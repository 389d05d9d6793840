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

  it("refuses a NUL in the username or password, which RFC 4616 uses to separate them, never quoting the password", () => {
    const nul = assertRejects(
      () => parseCredential("mongodb://bob:s3cret%00x@h/?authMechanism=PLAIN"),
      "INVALID_CREDENTIAL",
      "s3cret",
    );
    assert.match(nul.message, /^the password of user "bob" contains a NUL character .*RFC 4616/);
    assertRejects(
      () =>
        parseCredential("mongodb://h/?authMechanism=PLAIN", {
          auth: { username: "bob", password: "\0s3cret" },
        }),
      "INVALID_CREDENTIAL",
      "s3cret",
    );
    const inName = assertRejects(
      () => parseCredential("mongodb://bob%00eve:s3cret@h/?authMechanism=PLAIN"),
      "INVALID_CREDENTIAL",
      "s3cret",
    );
    assert.match(inName.message, /^the username "bob\\u0000eve" contains a NUL character/);
  });

  it("takes no mechanism properties", () => {
    assertRejects(
      () => parseCredential("mongodb://u:p@h/?authMechanism=PLAIN&authMechanismProperties=SERVICE_NAME:x"),
      "INVALID_CREDENTIAL",
    );
  });
});
