// The mechanism names mongo-auth speaks, each to its implementation, and the refusal of every other name.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mechanismNamed } from "../../src/mechanisms/registry.ts";

describe("mechanismNamed", () => {
  it("finds each supported mechanism by its exact name", () => {
    for (
      const name of ["SCRAM-SHA-256", "SCRAM-SHA-1", "MONGODB-X509", "PLAIN", "MONGODB-AWS", "MONGODB-OIDC"]
    ) {
      assert.equal(mechanismNamed(name).name, name);
    }
  });

  it("refuses GSSAPI with UNSUPPORTED_MECHANISM, saying what to use instead", () => {
    assert.throws(() => mechanismNamed("GSSAPI"), {
      name: "MongoAuthError",
      code: "UNSUPPORTED_MECHANISM",
      message: "GSSAPI (Kerberos) is not supported by mongo-auth: use SCRAM, X509, AWS or OIDC",
    });
  });

  it("refuses any other name, naming it; names are case-sensitive, as the server's are", () => {
    for (const name of ["SCRAM-SHA-512", "scram-sha-256", "MONGODB-CR", ""]) {
      assert.throws(() => mechanismNamed(name), {
        code: "UNSUPPORTED_MECHANISM",
        message: `unsupported authentication mechanism ${name}`,
      });
    }
  });

  it("does not take names from Object.prototype", () => {
    assert.throws(() => mechanismNamed("constructor"), { code: "UNSUPPORTED_MECHANISM" });
  });
});
