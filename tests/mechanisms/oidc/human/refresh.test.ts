// The refresh token grant (RFC 6749 section 6) against an injected token endpoint: the request it sends,
// the new tokens, a refusal as "sign in again" (undefined), and every other failure as a coded error
// that never shows the refresh token.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { AuthorizationServer } from "oauth4webapi";
import { refreshTokens } from "../../../../src/mechanisms/oidc/human/refresh.ts";
import { idpRequestOptions } from "../../../../src/mechanisms/oidc/human/idp-http.ts";
import { MongoAuthError } from "../../../../src/core/errors.ts";
import type { FetchLike } from "../../../../src/core/runtime-env.ts";
import { settledWithin } from "../../../support/settled-within.ts";

const AS: AuthorizationServer = { issuer: "http://127.0.0.1:9", token_endpoint: "http://127.0.0.1:9/token" };
const CLIENT = { client_id: "mongo-cli" };
const REFRESH = "rt-0123456789-the-refresh-token";

/** Refreshes through a token endpoint that answers `answer`; returns the result and what was sent. */
function refreshWith(answer: () => Promise<Response>) {
  const sent: { url: string; method?: string; body: URLSearchParams }[] = [];
  const fetch: FetchLike = (input, init) => {
    sent.push({ url: String(input), method: init?.method, body: new URLSearchParams(String(init?.body)) });
    return answer();
  };
  const http = idpRequestOptions({ fetch, signal: new AbortController().signal, timeoutMs: 1000 });
  return { result: refreshTokens(AS, CLIENT, REFRESH, http), sent };
}

const json = (status: number, body: unknown) =>
  Promise.resolve(
    new Response(JSON.stringify(body), {
      status,
      headers: { "content-type": "application/json", "cache-control": "no-store" },
    }),
  );

async function failsWith(answer: () => Promise<Response>, code: string, message: RegExp): Promise<void> {
  const { result } = refreshWith(answer);
  await assert.rejects(result, (err: unknown) => {
    assert.ok(err instanceof MongoAuthError, String(err));
    assert.equal(err.code, code, err.message);
    assert.match(err.message, message);
    const printed = `${err.message} ${String(err.cause ?? "")}`;
    assert.ok(!printed.includes(REFRESH), printed);
    return true;
  });
}

describe("refreshTokens", () => {
  it("POSTs grant_type=refresh_token with the refresh token and the public client's id to the token endpoint", async () => {
    const { result, sent } = refreshWith(() =>
      json(200, { access_token: "new-at", token_type: "Bearer", expires_in: 3600, refresh_token: "rt-2" })
    );
    const tokens = await result;
    assert.equal(tokens?.access_token, "new-at");
    assert.equal(tokens?.refresh_token, "rt-2");
    assert.equal(tokens?.expires_in, 3600);
    assert.equal(sent.length, 1);
    assert.equal(sent[0].url, "http://127.0.0.1:9/token");
    assert.equal(sent[0].method, "POST");
    assert.equal(sent[0].body.get("grant_type"), "refresh_token");
    assert.equal(sent[0].body.get("refresh_token"), REFRESH);
    assert.equal(sent[0].body.get("client_id"), "mongo-cli");
    assert.equal(sent[0].body.get("client_secret"), null);
  });

  it("keeps working when the identity provider does not rotate the refresh token", async () => {
    const { result } = refreshWith(() => json(200, { access_token: "new-at", token_type: "bearer" }));
    const tokens = await result;
    assert.equal(tokens?.access_token, "new-at");
    assert.equal(tokens?.refresh_token, undefined);
  });

  it("is undefined when the identity provider refuses the refresh token: the person signs in again", async () => {
    for (const error of ["invalid_grant", "invalid_client", "unauthorized_client"]) {
      const { result } = refreshWith(() => json(400, { error, error_description: "Refresh token expired" }));
      assert.equal(await result, undefined, error);
    }
  });

  it("an identity provider it cannot reach is OIDC_IDP_UNREACHABLE", async () => {
    await failsWith(
      () => Promise.reject(new TypeError("connection refused")),
      "OIDC_IDP_UNREACHABLE",
      /the identity provider at http:\/\/127\.0\.0\.1:9 is unreachable/,
    );
  });

  it("an answer that is not a token response is CREDENTIAL_PROVIDER_ERROR naming the step and the issuer", async () => {
    const invalid =
      /refreshing the access token at http:\/\/127\.0\.0\.1:9 failed: the answer is not valid OpenID Connect/;
    await failsWith(() => json(200, { token_type: "bearer" }), "CREDENTIAL_PROVIDER_ERROR", invalid);
    await failsWith(() => json(200, { access_token: "at" }), "CREDENTIAL_PROVIDER_ERROR", invalid);
    await failsWith(
      () => Promise.resolve(new Response("<html>oops</html>")),
      "CREDENTIAL_PROVIDER_ERROR",
      invalid,
    );
  });

  it("a server error that echoes the refresh token never shows it, and says the status", async () => {
    await failsWith(
      () => Promise.resolve(new Response(`internal error for refresh_token=${REFRESH}`, { status: 500 })),
      "CREDENTIAL_PROVIDER_ERROR",
      /refreshing the access token .*\(HTTP 500\)/,
    );
  });

  it("gives up after its time budget: a coded error, never a hang", async () => {
    const hanging: FetchLike = (_input, init) =>
      new Promise((_resolve, reject) =>
        init?.signal?.addEventListener("abort", () => reject(init.signal!.reason))
      );
    const http = idpRequestOptions({ fetch: hanging, signal: new AbortController().signal, timeoutMs: 20 });
    const result = settledWithin(5000, "the refresh", refreshTokens(AS, CLIENT, REFRESH, http));
    await assert.rejects(result, (err: unknown) => {
      assert.ok(err instanceof MongoAuthError, String(err));
      assert.equal(err.code, "OIDC_IDP_UNREACHABLE", err.message);
      assert.match(err.message, /did not answer within 20 ms/);
      return true;
    });
  });
});
