// The socket failures every transport reports in the same words (the transports are tested end to end
// in tests/e2e/first-contact.test.ts).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  closedDuringTlsHandshake,
  connectionRefused,
  unresolvableHost,
} from "../../src/wire/socket-errors.ts";

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
});
