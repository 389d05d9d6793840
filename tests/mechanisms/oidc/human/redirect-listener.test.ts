// The redirect URI's rules (RFC 8252 §7.3: http on a loopback address) and the page the browser shows.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  DEFAULT_REDIRECT_URI,
  parseRedirectUri,
  redirectPage,
} from "../../../../src/mechanisms/oidc/human/redirect-listener.ts";

describe("redirect URI", () => {
  it("defaults to http://127.0.0.1:27097/redirect", () => {
    const target = parseRedirectUri(DEFAULT_REDIRECT_URI);
    assert.deepEqual([target.listenAddress, target.port, target.path], ["127.0.0.1", 27097, "/redirect"]);
    assert.equal(target.uriFor(27097), DEFAULT_REDIRECT_URI);
  });

  it("localhost is served on 127.0.0.1 and keeps its spelling; [::1] is served on ::1", () => {
    assert.equal(parseRedirectUri("http://localhost:27097/redirect").listenAddress, "127.0.0.1");
    assert.equal(parseRedirectUri("http://localhost:0/cb").uriFor(5000), "http://localhost:5000/cb");
    assert.equal(parseRedirectUri("http://[::1]:8080/cb").listenAddress, "::1");
  });

  for (
    const bad of [
      "https://127.0.0.1:27097/redirect",
      "http://192.168.1.2:27097/redirect",
      "http://example.com/redirect",
      "http://127.0.0.1:27097/redirect?x=1",
      "http://user:pw@127.0.0.1:27097/redirect",
      "not a url",
    ]
  ) {
    it(`refuses ${bad} with INVALID_OPTION`, () => {
      assert.throws(() => parseRedirectUri(bad), { code: "INVALID_OPTION" });
    });
  }

  it("the browser's pages echo nothing from the request", () => {
    for (const outcome of ["signed-in", "failed", "not-found", "done"] as const) {
      assert.doesNotMatch(redirectPage(outcome).html, /code=|state=/);
    }
    assert.equal(redirectPage("failed").status, 400);
  });
});
