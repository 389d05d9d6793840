// What a runtime can do, declared once per transport and checked once when connecting: one
// RUNTIME_UNSUPPORTED shape for every runtime, before any socket is opened.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { connectWith, MongoAuthError } from "@mongo-auth/core";
import {
  explainPbkdf2Cap,
  FULL_CAPABILITIES,
  requireCapabilities,
  requireCapability,
  type Transport,
} from "../../src/client/transport.ts";
import { nodeTransport } from "../../src/transport/node.ts";
import { workersTransport } from "../../src/transport/workers.ts";

describe("requireCapability", () => {
  const limited = {
    ...FULL_CAPABILITIES,
    runtime: "Example 1.0",
    customCA: { instead: "give the server a certificate from a public CA" },
    skipHostnameVerification: { instead: "remove the option" },
  };

  it("says which runtime cannot do what, which options ask for it, and what to do instead", () => {
    assert.throws(() => requireCapability(limited, "customCA"), {
      code: "RUNTIME_UNSUPPORTED",
      message:
        "Example 1.0 cannot trust only the CA it is given (tlsCAFile/tlsCA): give the server a certificate from a public CA",
    });
    requireCapability(limited, "clientCertificates");
  });

  it("checks the TLS settings and the mechanism of a connection", () => {
    const tls = { allowInvalidCertificates: false, allowInvalidHostnames: false };
    requireCapabilities(limited, undefined, "MONGODB-X509");
    requireCapabilities(limited, { ...tls, certificateKeyFile: "/client.pem", certificateKeyPassword: "pw" });
    assert.throws(() => requireCapabilities(limited, { ...tls, ca: "PEM" }), { message: /tlsCAFile\/tlsCA/ });
    assert.throws(() => requireCapabilities(limited, { ...tls, allowInvalidHostnames: true }), {
      message: /tlsAllowInvalidHostnames\/tlsInsecure/,
    });
    const noCertificates = { ...limited, clientCertificates: { instead: "use SCRAM" } };
    assert.throws(() => requireCapabilities(noCertificates, undefined, "MONGODB-X509"), {
      message: /^Example 1\.0 cannot present a TLS client certificate \(MONGODB-X509, .*\): use SCRAM$/,
    });
  });

  it("a revocation list needs a transport that declares it checks one (one written before it does not)", () => {
    const tls = { allowInvalidCertificates: false, allowInvalidHostnames: false, crlFile: "/crl.pem" };
    requireCapabilities(limited, tls);
    const older = { ...limited, certificateRevocationLists: undefined };
    assert.throws(() => requireCapabilities(older, tls), {
      code: "RUNTIME_UNSUPPORTED",
      message: "Example 1.0 cannot check the server's certificate against a revocation list (tlsCRLFile): " +
        "remove tlsCRLFile, or connect with the Node.js transport",
    });
    assert.notEqual(workersTransport.capabilities.certificateRevocationLists, true);
  });

  it("connectWith checks before it resolves a name or opens a socket", async () => {
    let touched = false;
    const transport: Transport = {
      ...nodeTransport,
      capabilities: limited,
      openSocket: () => (touched = true, Promise.reject(new Error("no socket expected"))),
      resolveSrv: () => (touched = true, Promise.reject(new Error("no lookup expected"))),
    };
    await assert.rejects(connectWith(transport, "mongodb+srv://a:b@cluster0.example.net/?tlsCA=x"), {
      code: "RUNTIME_UNSUPPORTED",
    });
    assert.equal(touched, false);
  });
});

describe("explainPbkdf2Cap (the Workers transport declares the cap)", () => {
  const refusal = new DOMException(
    "Pbkdf2 failed: iteration counts above 100000 are not supported (requested 310000).",
    "NotSupportedError",
  );

  it("finds the PBKDF2 refusal in causes and aggregated host failures", () => {
    for (
      const err of [
        refusal,
        new Error("x", { cause: refusal }),
        new AggregateError([new Error("y"), refusal]),
      ]
    ) {
      const explained = explainPbkdf2Cap(err, workersTransport.capabilities);
      assert.ok(explained instanceof MongoAuthError);
      assert.equal(explained.code, "RUNTIME_UNSUPPORTED");
      assert.match(explained.message, /310000/);
      assert.match(explained.message, /scramSHA256IterationCount/);
      assert.equal(explained.cause, refusal);
    }
  });

  it("explains nothing for a runtime without a cap", () => {
    assert.equal(explainPbkdf2Cap(refusal, nodeTransport.capabilities), refusal);
  });

  it("returns any other error as it is", () => {
    const other = new MongoAuthError("AUTHENTICATION_FAILED", "no");
    assert.equal(explainPbkdf2Cap(other, workersTransport.capabilities), other);
    const unrelated = new DOMException("not supported", "NotSupportedError");
    assert.equal(explainPbkdf2Cap(unrelated, workersTransport.capabilities), unrelated);
  });
});
