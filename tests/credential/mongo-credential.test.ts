// The mechanism names: one frozen list, in the order messages list them, each one parseCredential knows.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { AUTH_MECHANISMS } from "../../src/credential/mongo-credential.ts";
import { parseCredential } from "../../src/credential/credential.ts";

describe("AUTH_MECHANISMS", () => {
  it("lists the seven mechanisms, SCRAM first, in the order messages list them", () => {
    assert.deepEqual(AUTH_MECHANISMS, [
      "SCRAM-SHA-256",
      "SCRAM-SHA-1",
      "MONGODB-X509",
      "MONGODB-AWS",
      "MONGODB-OIDC",
      "PLAIN",
      "GSSAPI",
    ]);
  });

  it("is frozen, so no caller can add or remove a mechanism", () => {
    assert.ok(Object.isFrozen(AUTH_MECHANISMS));
    assert.throws(() => (AUTH_MECHANISMS as string[]).push("MONGODB-CR"), TypeError);
  });

  it("is every mechanism a connection string may ask for, each with a credential it accepts", () => {
    const uris: Record<string, string> = {
      "SCRAM-SHA-256": "mongodb://user:pass@localhost/",
      "SCRAM-SHA-1": "mongodb://user:pass@localhost/",
      "MONGODB-X509": "mongodb://localhost/",
      "MONGODB-AWS": "mongodb://localhost/",
      "MONGODB-OIDC": "mongodb://localhost/?authMechanismProperties=ENVIRONMENT:test&",
      "PLAIN": "mongodb://user:pass@localhost/",
      "GSSAPI": "mongodb://user@localhost/",
    };
    assert.deepEqual(Object.keys(uris), [...AUTH_MECHANISMS]);
    for (const mechanism of AUTH_MECHANISMS) {
      const uri = uris[mechanism] + (uris[mechanism].includes("?") ? "" : "?") + `authMechanism=${mechanism}`;
      assert.equal(parseCredential(uri)?.mechanism, mechanism, uri);
    }
  });

  it("is the list an unknown mechanism's error offers, in this order, but for GSSAPI, which mongo-auth cannot log in with", () => {
    assert.throws(() => parseCredential("mongodb://u:p@localhost/?authMechanism=SCRAM-SHA-512"), {
      code: "INVALID_CREDENTIAL",
      message:
        'unknown authMechanism "SCRAM-SHA-512"; use one of SCRAM-SHA-256, SCRAM-SHA-1, MONGODB-X509, ' +
        "MONGODB-AWS, MONGODB-OIDC, PLAIN",
    });
  });
});
