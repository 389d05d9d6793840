import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { tokenClaims } from "../../../src/mechanisms/oidc/token-claims.ts";
import { createIdentityProvider } from "../../../testing/identity-provider.ts";

describe("tokenClaims", () => {
  it("reads iss, aud, sub and exp of a signed JWT, unverified, and nothing else", async () => {
    const idp = await createIdentityProvider("https://idp.example", "api://mongodb");
    const token = await idp.token("app@example.com", -180, { email: "not@shown.example" });
    const now = Date.now();
    const claims = tokenClaims(token, now);
    assert.equal(claims.jwt, true);
    assert.equal(claims.issuer, "https://idp.example");
    assert.deepEqual(claims.audience, ["api://mongodb"]);
    assert.equal(claims.subject, "app@example.com");
    assert.ok(
      claims.expiresInSeconds! <= -179 && claims.expiresInSeconds! >= -182,
      String(claims.expiresInSeconds),
    );
    assert.match(claims.expiresAt!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    assert.equal(JSON.stringify(claims).includes("shown.example"), false);
  });

  it("an aud array stays an array; claims of the wrong type are left out", () => {
    const payload = btoa(JSON.stringify({ aud: ["a", 7, "b"], sub: 42, exp: "soon" })).replace(/=+$/, "")
      .replaceAll("+", "-").replaceAll("/", "_");
    assert.deepEqual(tokenClaims(`e30.${payload}.x`, 0), {
      jwt: true,
      issuer: undefined,
      audience: ["a", "b"],
      subject: undefined,
      expiresAt: undefined,
      expiresInSeconds: undefined,
    });
  });

  it("anything but a JWT with a JSON object payload has no claims", () => {
    for (
      const token of ["opaque", "a.b", "a.!!.c", `a.${btoa("[1]")}.c`, `a.${btoa("not json")}.c`, "a..c"]
    ) {
      assert.deepEqual(tokenClaims(token, 0), { jwt: false }, token);
    }
  });
});
