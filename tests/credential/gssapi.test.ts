// The GSSAPI rules of a credential (src/credential/gssapi.ts), through parseCredential.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseCredential } from "@mongo-auth/core";
import { assertRejects, credential, wrongTypes } from "../support/credentials.ts";

describe("GSSAPI credentials", () => {
  it("GSSAPI: property names in any case, CANONICALIZE_HOST_NAME booleans normalised", () => {
    const uri =
      "mongodb://u%40R@h/?authMechanism=GSSAPI&authMechanismProperties=service_name:x,Canonicalize_Host_Name:true";
    assert.deepEqual(credential(uri).mechanismProperties, {
      SERVICE_NAME: "x",
      CANONICALIZE_HOST_NAME: "forwardAndReverse",
    });
    const fromOptions = credential("mongodb://u%40R@h/?authMechanism=GSSAPI", {
      authMechanismProperties: { CANONICALIZE_HOST_NAME: false },
    });
    assert.deepEqual(fromOptions.mechanismProperties, {
      SERVICE_NAME: "mongodb",
      CANONICALIZE_HOST_NAME: "none",
    });
    assertRejects(
      () =>
        parseCredential("mongodb://u@h/?authMechanism=GSSAPI", {
          authMechanismProperties: wrongTypes({ CANONICALIZE_HOST_NAME: "yes" }),
        }),
      "INVALID_CREDENTIAL",
    );
    assertRejects(
      () =>
        parseCredential("mongodb://u@h/?authMechanism=GSSAPI", {
          authMechanismProperties: wrongTypes({ SERVICE_NAME: 1 }),
        }),
      "INVALID_CREDENTIAL",
    );
  });

  it("rejects properties of another mechanism", () => {
    assert.match(
      assertRejects(
        () => parseCredential("mongodb://u@h/?authMechanism=GSSAPI&authMechanismProperties=ENVIRONMENT:test"),
        "INVALID_CREDENTIAL",
      ).message,
      /does not apply to GSSAPI/,
    );
  });
});
