// The MONGODB-X509 rules of a credential (src/credential/x509.ts), through parseCredential.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseCredential } from "@mongo-auth/core";
import { assertRejects, credential } from "../support/credentials.ts";

describe("MONGODB-X509 credentials", () => {
  it("MONGODB-X509: username optional, no password at all, not even an empty one", () => {
    assert.equal(credential("mongodb://h/?authMechanism=MONGODB-X509").username, undefined);
    assertRejects(
      () => parseCredential("mongodb://CN%3Dme:@h/?authMechanism=MONGODB-X509"),
      "INVALID_CREDENTIAL",
    );
    assertRejects(
      () => parseCredential("mongodb://h/?authMechanism=MONGODB-X509", { password: "pw" }),
      "INVALID_CREDENTIAL",
      "pw",
    );
  });
});
