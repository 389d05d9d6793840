// The cross-check for the reference server's MONGODB-OIDC side and for our built-in environments:
// the official `mongodb` driver authenticates against the server with OIDC_CALLBACK (including
// mongo-auth's Azure callback pointed at a loopback IMDS) and OIDC_HUMAN_CALLBACK (two-step), and an
// expired token fails with 18, as against mongod.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { MongoClient, type MongoClientOptions, MongoServerError } from "mongodb";
import { createAzureCallback, DEFAULT_ALLOWED_HOSTS, type OidcCallback } from "@mongo-auth/core";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import {
  createIdentityProvider,
  oidcServerConfig,
  type TestIdentityProvider,
} from "../../testing/identity-provider.ts";
import { type FakeEndpoint, loopbackOnlyFetch, startAzureImds } from "../support/oidc-fakes.ts";

async function authenticatedUsers(server: RunningServer, options: MongoClientOptions): Promise<unknown> {
  const client = new MongoClient(`mongodb://${server.address}/?authMechanism=MONGODB-OIDC`, {
    serverSelectionTimeoutMS: 3000,
    connectTimeoutMS: 3000,
    maxPoolSize: 1,
    ...options,
  });
  try {
    const status = await client.db("admin").command({ connectionStatus: 1 });
    return status.authInfo.authenticatedUsers;
  } finally {
    await client.close();
  }
}

describe("official mongodb driver, MONGODB-OIDC, against the reference server", () => {
  let idp: TestIdentityProvider;
  let server: RunningServer;
  let imds: FakeEndpoint;
  before(async () => {
    idp = await createIdentityProvider();
    server = await startServer({
      oidc: oidcServerConfig(idp, { requestScopes: ["offline_access"] }),
      users: [{ db: "$external", user: "test_user1", mechanisms: ["MONGODB-OIDC"] }],
    });
    imds = await startAzureImds({ token: await idp.token("test_user1"), expiresIn: "3599" });
  });
  after(async () => {
    await server.close();
    await imds.close();
  });

  it("authenticates with OIDC_CALLBACK (one step)", async () => {
    let calls = 0;
    const callback: OidcCallback = async () => (calls++, { accessToken: await idp.token("test_user1") });
    const users = await authenticatedUsers(server, { authMechanismProperties: { OIDC_CALLBACK: callback } });
    assert.deepEqual(users, [{ user: "test_user1", db: "$external" }]);
    assert.equal(calls, 1);
  });

  it("authenticates with mongo-auth's Azure callback as OIDC_CALLBACK", async () => {
    const callback = createAzureCallback({
      endpoint: imds.url,
      fetch: loopbackOnlyFetch,
      tokenResource: "api://mongodb",
    });
    const users = await authenticatedUsers(server, { authMechanismProperties: { OIDC_CALLBACK: callback } });
    assert.deepEqual(users, [{ user: "test_user1", db: "$external" }]);
    assert.equal(imds.requests.at(-1)?.url.searchParams.get("resource"), "api://mongodb");
  });

  it("authenticates with OIDC_HUMAN_CALLBACK (two steps, IdP information from the server)", async () => {
    const seen: unknown[] = [];
    const callback: OidcCallback = async (params) => {
      seen.push(params.idpInfo);
      return { accessToken: await idp.token("test_user1"), refreshToken: "r" };
    };
    const users = await authenticatedUsers(server, {
      authMechanismProperties: { OIDC_HUMAN_CALLBACK: callback },
    });
    assert.deepEqual(users, [{ user: "test_user1", db: "$external" }]);
    assert.deepEqual(seen, [{
      issuer: idp.issuer,
      clientId: "mongo-auth-client",
      requestScopes: ["offline_access"],
    }]);
  });

  for (
    const [label, token] of [
      ["an expired token", () => idp.token("test_user1", -60)],
      ["a token for another audience", () => idp.token("test_user1", 3600, { aud: "someone-else" })],
      ["a token from another issuer", () => idp.token("test_user1", 3600, { iss: "https://evil.invalid" })],
      ["a token for an unknown principal", () => idp.token("mallory")],
      [
        "a token signed by another key",
        async () => (await createIdentityProvider(idp.issuer, idp.audience)).token("test_user1"),
      ],
    ] as const
  ) {
    it(`refuses ${label} with 18`, async () => {
      const callback: OidcCallback = async () => ({ accessToken: await token() });
      const error = await authenticatedUsers(server, { authMechanismProperties: { OIDC_CALLBACK: callback } })
        .then(
          () => assert.fail("authentication should have failed"),
          (e: unknown) => e,
        );
      assert.ok(error instanceof MongoServerError, `expected a server error, got ${error}`);
      assert.equal(error.code, 18);
    });
  }
});

describe("official mongodb driver, MONGODB-OIDC defaults", () => {
  it("a human callback's default ALLOWED_HOSTS is the driver's, entry for entry", () => {
    const human: OidcCallback = () => Promise.resolve({ accessToken: "unused" });
    const client = new MongoClient("mongodb://localhost/?authMechanism=MONGODB-OIDC", {
      authMechanismProperties: { OIDC_HUMAN_CALLBACK: human },
    });
    assert.deepEqual(client.options.credentials?.mechanismProperties.ALLOWED_HOSTS, [
      ...DEFAULT_ALLOWED_HOSTS,
    ]);
  });
});
