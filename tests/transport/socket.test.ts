// The socket failures every transport reports in the same words (the transports are tested end to end
// in tests/e2e/first-contact.test.ts).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  closedDuringTlsHandshake,
  connectionRefused,
  socketError,
  unresolvableHost,
} from "../../src/transport/socket.ts";

describe("socket errors", () => {
  it("name the host or peer, keep the runtime's error as cause, and say what to check", () => {
    const cause = new Error("getaddrinfo ENOTFOUND db.exmaple.net");
    const unresolvable = unresolvableHost("db.exmaple.net", "ENOTFOUND", cause);
    assert.equal(unresolvable.code, "CONNECTION_FAILED");
    assert.equal(unresolvable.cause, cause);
    assert.equal(
      unresolvable.message,
      "cannot resolve host db.exmaple.net (ENOTFOUND): check the host name in the connection string",
    );
    const refused = connectionRefused("127.0.0.1:27018", cause);
    assert.equal(refused.code, "CONNECTION_FAILED");
    assert.match(
      refused.message,
      /^cannot connect to 127\.0\.0\.1:27018: connection refused .*check the host, the port/,
    );
    const tls = closedDuringTlsHandshake("127.0.0.1:27017", cause);
    assert.equal(tls.code, "TLS_ERROR");
    assert.match(tls.message, /during the TLS handshake: it may not speak TLS, so remove tls=true/);
  });

  it("socketError reads Node's codes, Deno's names and a Worker's messages the same way", () => {
    const node = (code: string, message = code) => Object.assign(new Error(message), { code });
    const deno = (name: string, message = name) => Object.assign(new Error(message), { name });
    const cases: [unknown, boolean, string, RegExp][] = [
      [node("ENOTFOUND"), false, "CONNECTION_FAILED", /cannot resolve host db\.example \(ENOTFOUND\)/],
      [
        new Error("failed to lookup address information: Name or service not known"),
        false,
        "CONNECTION_FAILED",
        /cannot resolve host/,
      ],
      [node("ECONNREFUSED"), false, "CONNECTION_FAILED", /connection refused/],
      [deno("ConnectionRefused"), false, "CONNECTION_FAILED", /connection refused/],
      [node("ECONNRESET"), true, "TLS_ERROR", /closed the connection during the TLS handshake/],
      [deno("UnexpectedEof"), true, "TLS_ERROR", /closed the connection during the TLS handshake/],
      [
        node("CERT_HAS_EXPIRED", "certificate has expired"),
        true,
        "TLS_ERROR",
        /TLS handshake with db\.example:27017 failed/,
      ],
      [new Error("TLS handshake failed"), true, "TLS_ERROR", /TLS handshake with db\.example:27017 failed/],
      [
        new Error("Network connection lost."),
        false,
        "CONNECTION_FAILED",
        /cannot connect to db\.example:27017: Network connection lost/,
      ],
    ];
    for (const [err, tls, code, message] of cases) {
      const reported = socketError(err, "db.example", 27017, tls);
      assert.equal(reported.code, code, String(err));
      assert.match(reported.message, message);
      assert.equal(reported.cause, err);
    }
  });
});
