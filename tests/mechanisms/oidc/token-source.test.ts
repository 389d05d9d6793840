// Where a MONGODB-OIDC credential's tokens come from: the user's OIDC_CALLBACK (machine) or
// OIDC_HUMAN_CALLBACK (human) with the spec's time budgets, or a built-in ENVIRONMENT's callback wired
// to the runtime env's fetch, variables and files and to the endpoints given. Every fetch is injected.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type OidcCallback, parseCredential, runtimeEnv } from "@mongo-auth/core";
import { tokenSourceOf } from "../../../src/mechanisms/oidc/token-source.ts";
import type { FetchLike } from "../../../src/core/runtime-env.ts";
import { settledWithin } from "../../support/settled-within.ts";

const URI = "mongodb://localhost/?authMechanism=MONGODB-OIDC";
const params = { version: 1 as const, timeoutContext: new AbortController().signal };
const refuseFetch: FetchLike = () => Promise.reject(new Error("no network in this test"));

function credential(properties: string, options: Record<string, unknown> = {}) {
  return parseCredential(`${URI}${properties ? `&authMechanismProperties=${properties}` : ""}`, {
    authMechanismProperties: options,
  })!;
}

/** A fetch that records each URL and answers `body`. */
function recordingFetch(body: string | object) {
  const urls: URL[] = [];
  const fetch: FetchLike = (input) => {
    urls.push(new URL(String(input)));
    return Promise.resolve(typeof body === "string" ? new Response(body) : Response.json(body));
  };
  return { fetch, urls };
}

describe("tokenSourceOf: the user's callbacks", () => {
  it("OIDC_CALLBACK: the machine flow, that very callback, 60 seconds", () => {
    const callback: OidcCallback = () => Promise.resolve({ accessToken: "t" });
    const source = tokenSourceOf(
      credential("", { OIDC_CALLBACK: callback }),
      runtimeEnv({ fetch: refuseFetch }),
    );
    assert.deepEqual(source, { flow: "machine", callback, name: "OIDC_CALLBACK", timeoutMs: 60_000 });
  });

  it("OIDC_HUMAN_CALLBACK: the human flow, that very callback, 5 minutes", () => {
    const callback: OidcCallback = () => Promise.resolve({ accessToken: "t" });
    const source = tokenSourceOf(
      credential("", { OIDC_HUMAN_CALLBACK: callback }),
      runtimeEnv({ fetch: refuseFetch }),
    );
    assert.deepEqual(source, { flow: "human", callback, name: "OIDC_HUMAN_CALLBACK", timeoutMs: 300_000 });
  });
});

describe("tokenSourceOf: the built-in environments", () => {
  it("azure: machine flow, 60 seconds; its callback asks the endpoint given, through the env's fetch", async () => {
    const { fetch, urls } = recordingFetch({ access_token: "azure-token", expires_in: "3599" });
    const source = tokenSourceOf(
      credential("ENVIRONMENT:azure,TOKEN_RESOURCE:api%3A%2F%2Fmongodb"),
      runtimeEnv({ fetch }),
      { azure: "http://127.0.0.1:9" },
    );
    assert.equal(source.flow, "machine");
    assert.equal(source.name, "ENVIRONMENT:azure");
    assert.equal(source.timeoutMs, 60_000);
    const result = await source.callback({
      ...params,
      tokenAudience: "api://mongodb",
      username: "client-id",
    });
    assert.deepEqual(result, { accessToken: "azure-token", expiresInSeconds: 3599 });
    assert.equal(urls[0].origin + urls[0].pathname, "http://127.0.0.1:9/metadata/identity/oauth2/token");
    assert.equal(urls[0].searchParams.get("resource"), "api://mongodb");
    assert.equal(urls[0].searchParams.get("client_id"), "client-id");
  });

  it("gcp: its callback asks the endpoint given for an identity token for the audience", async () => {
    const { fetch, urls } = recordingFetch("gcp-token\n");
    const source = tokenSourceOf(
      credential("ENVIRONMENT:gcp,TOKEN_RESOURCE:https%3A%2F%2Fmongodb.example"),
      runtimeEnv({ fetch }),
      { gcp: "http://127.0.0.1:9" },
    );
    assert.equal(source.name, "ENVIRONMENT:gcp");
    assert.deepEqual(await source.callback({ ...params, tokenAudience: "https://mongodb.example" }), {
      accessToken: "gcp-token",
    });
    assert.equal(urls[0].origin, "http://127.0.0.1:9");
    assert.equal(urls[0].searchParams.get("audience"), "https://mongodb.example");
  });

  it("gives the metadata endpoints the timeout it is given", async () => {
    const hanging: FetchLike = (_input, init) =>
      new Promise((_resolve, reject) =>
        init?.signal?.addEventListener("abort", () => reject(init.signal!.reason))
      );
    for (const environment of ["azure", "gcp"] as const) {
      const source = tokenSourceOf(
        credential(`ENVIRONMENT:${environment},TOKEN_RESOURCE:r`),
        runtimeEnv({ fetch: hanging }),
        { azure: "http://127.0.0.1:9", gcp: "http://127.0.0.1:9", timeoutMs: 25 },
      );
      const attempt = settledWithin(5000, environment, source.callback({ ...params, tokenAudience: "r" }));
      await assert.rejects(attempt, (err: Error & { code?: string }) => {
        assert.equal(err.code, "CREDENTIAL_PROVIDER_ERROR", err.message);
        assert.match(err.message, /did not answer within 25 ms/);
        return true;
      });
    }
  });

  it("k8s and test: their callbacks read the env's variables and files", async () => {
    const files: Record<string, string> = { "/aks/token": "k8s-token\n", "/tokens/test_user1": "test-token" };
    const env = runtimeEnv({
      env: { AZURE_FEDERATED_TOKEN_FILE: "/aks/token", OIDC_TOKEN_FILE: "/tokens/test_user1" },
      readTextFile: (path) => Promise.resolve(files[path]),
      fetch: refuseFetch,
    });
    const k8s = tokenSourceOf(credential("ENVIRONMENT:k8s"), env);
    assert.equal(k8s.name, "ENVIRONMENT:k8s");
    assert.equal(k8s.flow, "machine");
    assert.deepEqual(await k8s.callback(params), { accessToken: "k8s-token" });
    const test = tokenSourceOf(credential("ENVIRONMENT:test"), env);
    assert.equal(test.name, "ENVIRONMENT:test");
    assert.equal(test.timeoutMs, 60_000);
    assert.deepEqual(await test.callback(params), { accessToken: "test-token" });
  });
});
