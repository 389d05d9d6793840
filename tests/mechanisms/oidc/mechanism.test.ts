// MONGODB-OIDC end to end at the mechanism level: the client mechanism against the reference
// server's OIDC module (testing/reference-server/mechanisms/oidc.ts) through an in-process CommandRunner.
// Time never passes in these tests: the clock and the sleep between callback calls are injected.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Binary, BSON } from "bson";
import {
  AuthCacheStore,
  beginAuthentication,
  type MongoAuthError,
  MongoServerError,
  type OidcCallback,
  type OidcCallbackParams,
  parseCredential,
  type RuntimeEnv,
  runtimeEnv,
} from "@mongo-auth/core";
import type { AuthContext } from "../../../src/auth/mechanism.ts";
import { createOidcMechanism } from "../../../src/mechanisms/oidc/mechanism.ts";
import {
  createIdentityProvider,
  oidcServerConfig,
  type TestIdentityProvider,
} from "../../../testing/identity-provider.ts";
import {
  type FakeEndpoint,
  loopbackOnlyFetch,
  OidcSaslEndpoint,
  type OidcTestConnection,
  startAzureImds,
  startGcpMetadata,
} from "../../support/oidc-fakes.ts";
import { checkOk, type Document } from "../../../src/wire/command.ts";

const URI = "mongodb://localhost/?authMechanism=MONGODB-OIDC";

// The injected clock: sleeps move it, nothing else does.
function testClock() {
  const clock = {
    t: 1_700_000_000_000,
    sleeps: [] as number[],
    sleep: (ms: number) => {
      clock.sleeps.push(ms);
      clock.t += ms;
      return Promise.resolve();
    },
  };
  return clock;
}

interface Client {
  readonly calls: OidcCallbackParams[];
  readonly clock: ReturnType<typeof testClock>;
  /** Opens one connection: speculative hello, then finish. */
  connect(
    host?: string,
    options?: { speculative?: boolean },
  ): Promise<{ conn: OidcTestConnection; reauthenticate: () => Promise<void> }>;
  /** A find on `conn`; on 391 reauthenticates and retries once (what connect() does). */
  find(opened: { conn: OidcTestConnection; reauthenticate: () => Promise<void> }): Promise<void>;
}

interface ClientOptions {
  uri?: string;
  properties?: Record<string, unknown>;
  env?: RuntimeEnv;
  endpoints?: { azure?: string; gcp?: string };
  cacheStore?: AuthCacheStore;
}

function client(
  server: OidcSaslEndpoint,
  callbackKind: "machine" | "human",
  callback: OidcCallback | undefined,
  options: ClientOptions = {},
): Client {
  const calls: OidcCallbackParams[] = [];
  const clock = testClock();
  const counted: OidcCallback | undefined = callback &&
    ((params) => {
      calls.push(params);
      return callback(params);
    });
  const property = callbackKind === "human" ? "OIDC_HUMAN_CALLBACK" : "OIDC_CALLBACK";
  const credential = parseCredential(options.uri ?? URI, {
    authMechanismProperties: { ...(counted ? { [property]: counted } : {}), ...options.properties },
  })!;
  const cache = (options.cacheStore ?? new AuthCacheStore()).scopeFor(credential);
  const mechanism = createOidcMechanism({ sleep: clock.sleep, endpoints: options.endpoints });
  const env = options.env ?? runtimeEnv({ now: () => clock.t, fetch: loopbackOnlyFetch });
  const self: Client = {
    calls,
    clock,
    async connect(host = "localhost", { speculative: useSpeculative = true } = {}) {
      const context: AuthContext = { credential, host, env, cache };
      const auth = mechanism.create(context);
      const conn = server.connection();
      // What the authentication layer hands a mechanism: a runner whose `ok: 0` replies throw.
      const runner = { command: async (db: string, cmd: Document) => checkOk(await conn.command(db, cmd)) };
      const speculative = await auth.speculativeCommand();
      const reply = await conn.hello(useSpeculative ? speculative : undefined);
      await auth.finish(runner, reply);
      return { conn, reauthenticate: () => auth.reauthenticate!(runner) };
    },
    async find(opened) {
      let reply = await opened.conn.command("test", { find: "coll", filter: {} });
      if (reply.ok === 0 && reply.code === 391) {
        await opened.reauthenticate();
        reply = await opened.conn.command("test", { find: "coll", filter: {} });
      }
      if (reply.ok !== 1) throw MongoServerError.fromReply(reply);
    },
  };
  return self;
}

describe("MONGODB-OIDC mechanism", () => {
  let idp: TestIdentityProvider;
  before(async () => {
    idp = await createIdentityProvider();
  });

  const newServer = (extra = {}) =>
    new OidcSaslEndpoint(oidcServerConfig(idp, extra), ["test_user1", "test_user2"]);
  const machine = (user = "test_user1"): OidcCallback => async () => ({ accessToken: await idp.token(user) });

  describe("machine flow", () => {
    it("authenticates with one saslStart { jwt } and caches the token", async () => {
      const server = newServer();
      const c = client(server, "machine", machine());
      const { conn } = await c.connect();
      assert.equal(conn.user, "$external.test_user1");
      assert.deepEqual(server.received, ["hello", "saslStart"]);
      assert.equal(c.calls.length, 1);
      assert.equal(c.calls[0].version, 1);
      assert.equal(c.calls[0].timeoutMS, 60_000);
      assert.ok(c.calls[0].timeoutContext instanceof AbortSignal);
      assert.equal(c.calls[0].idpInfo, undefined);
    });

    it("sends the cached token speculatively: the next connection authenticates inside hello", async () => {
      const server = newServer();
      const c = client(server, "machine", machine());
      await c.connect();
      server.received.length = 0;
      const { conn } = await c.connect();
      assert.equal(conn.user, "$external.test_user1");
      assert.deepEqual(server.received, ["hello"]);
      assert.equal(c.calls.length, 1);
    });

    it("calls the callback once for 10 connections opened together", async () => {
      const server = newServer();
      const c = client(server, "machine", machine());
      const opened = await Promise.all(Array.from({ length: 10 }, () => c.connect()));
      await Promise.all(opened.map((o) => c.find(o)));
      assert.equal(c.calls.length, 1);
      assert.ok(opened.every(({ conn }) => conn.user === "$external.test_user1"));
    });

    it("a callback shared by two clients may run for both at once", async () => {
      const server = newServer();
      let active = 0;
      let maxActive = 0;
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const shared: OidcCallback = async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        if (active === 2) release();
        await gate;
        active--;
        return { accessToken: await idp.token("test_user1") };
      };
      const a = client(server, "machine", shared);
      const b = client(server, "machine", shared);
      await Promise.all([a.connect(), b.connect()]);
      assert.equal(maxActive, 2);
    });

    it("error 18 with a cached token: drops it, fetches a new one once, retries once, then fails", async () => {
      const server = newServer();
      const c = client(server, "machine", machine());
      await c.connect();
      // The IdP rotates its key: the cached token no longer verifies, and neither does the next one
      // (the callback still signs with the old key).
      const rotated = await createIdentityProvider(idp.issuer, idp.audience);
      server.config.oidc = oidcServerConfig(rotated);
      server.received.length = 0;
      await assert.rejects(c.connect(), { code: "AUTHENTICATION_FAILED" });
      // hello (speculative refused), saslStart with the cached token (18), saslStart with the new one (18).
      assert.deepEqual(server.received, ["hello", "saslStart", "saslStart"]);
      assert.equal(c.calls.length, 2);
    });

    it("error 18 with a cached token, then a good new token: one callback call and success", async () => {
      const server = newServer();
      let signer = idp;
      const c = client(server, "machine", async () => ({ accessToken: await signer.token("test_user1") }));
      await c.connect();
      const rotated = await createIdentityProvider(idp.issuer, idp.audience);
      server.config.oidc = oidcServerConfig(rotated);
      signer = rotated;
      server.received.length = 0;
      const { conn } = await c.connect();
      assert.equal(conn.user, "$external.test_user1");
      assert.equal(c.calls.length, 2);
      // hello (speculative refused), saslStart with the cached token (18), saslStart with the new one.
      assert.deepEqual(server.received, ["hello", "saslStart", "saslStart"]);
      assert.deepEqual(c.clock.sleeps, [100], "the second call waited out the 100 ms interval");
    });

    it("a fresh token refused with 18 fails the connection (no retry) and is not kept", async () => {
      const server = newServer();
      const c = client(server, "machine", async () => ({ accessToken: await idp.token("test_user1", -60) }));
      await assert.rejects(c.connect(), (error: MongoAuthError) => {
        assert.equal(error.code, "AUTHENTICATION_FAILED");
        assert.ok(error instanceof MongoServerError && error.serverCode === 18);
        return true;
      });
      assert.equal(c.calls.length, 1);
      assert.deepEqual(server.received, ["hello", "saslStart"]);
      await assert.rejects(c.connect(), { code: "AUTHENTICATION_FAILED" });
      assert.equal(c.calls.length, 2, "the refused token was not sent speculatively or reused");
      assert.deepEqual(c.clock.sleeps, [100], "the second call waited out the interval");
    });

    it("handshake without cached token: a saslStart failing with 18 is raised", async () => {
      const server = newServer();
      const c = client(server, "machine", machine());
      server.failNext = { commands: ["saslStart"], errorCode: 18, times: 1 };
      await assert.rejects(c.connect(), { code: "AUTHENTICATION_FAILED" });
      assert.equal(c.calls.length, 1);
    });

    it("handshake with cached token uses speculative authentication (a saslStart failpoint is not hit)", async () => {
      const server = newServer();
      const c = client(server, "machine", machine());
      await c.connect();
      server.failNext = { commands: ["saslStart"], errorCode: 18, times: 1 };
      const { conn } = await c.connect();
      assert.equal(conn.user, "$external.test_user1");
      assert.ok(server.failNext, "no saslStart was sent");
    });

    it("an unexpected server error with a cached token is raised and does not clear the cache", async () => {
      const server = newServer();
      const c = client(server, "machine", machine());
      await c.connect();
      server.failNext = { commands: ["saslStart"], errorCode: 20, times: 1 };
      await assert.rejects(
        c.connect("localhost", { speculative: false }),
        (error: MongoServerError) => error.serverCode === 20,
      );
      const { conn } = await c.connect();
      assert.equal(conn.user, "$external.test_user1");
      assert.equal(c.calls.length, 1);
    });

    it("391: reauthenticate drops only the token this connection used", async () => {
      const server = newServer();
      const c = client(server, "machine", machine());
      const a = await c.connect();
      const b = await c.connect();
      server.failNext = { commands: ["find"], errorCode: 391, times: 1 };
      await c.find(a);
      assert.equal(c.calls.length, 2, "a's reauthentication fetched a new token");
      server.failNext = { commands: ["find"], errorCode: 391, times: 1 };
      await c.find(b);
      assert.equal(c.calls.length, 2, "b's old token was already replaced: b reuses the new one");
      assert.equal(b.conn.user, "$external.test_user1");
    });

    it("a runner that throws MongoServerError (instead of returning ok: 0) gets the same retry on 18", async () => {
      const server = newServer();
      let signer = idp;
      let calls = 0;
      const callback: OidcCallback = async () => (calls++, { accessToken: await signer.token("test_user1") });
      const credential = parseCredential(URI, { authMechanismProperties: { OIDC_CALLBACK: callback } })!;
      const cache = new AuthCacheStore().scopeFor(credential);
      const mechanism = createOidcMechanism({ sleep: () => Promise.resolve() });
      const throwingConnection = () => {
        const conn = server.connection();
        const runner = {
          command: async (db: string, cmd: Record<string, unknown>) => {
            const reply = await conn.command(db, cmd);
            if (reply.ok !== 1) throw MongoServerError.fromReply(reply);
            return reply;
          },
        };
        return { conn, runner };
      };
      const first = throwingConnection();
      await mechanism.create({ credential, host: "localhost", env: runtimeEnv(), cache }).finish(
        first.runner,
        undefined,
      );
      assert.equal(first.conn.user, "$external.test_user1");
      const rotated = await createIdentityProvider(idp.issuer, idp.audience);
      server.config.oidc = oidcServerConfig(rotated);
      signer = rotated;
      const second = throwingConnection();
      await mechanism.create({ credential, host: "localhost", env: runtimeEnv(), cache }).finish(
        second.runner,
        undefined,
      );
      assert.equal(second.conn.user, "$external.test_user1");
      assert.equal(calls, 2);
    });

    it("a bad callback result is a clear error and nothing is sent", async () => {
      const server = newServer();
      // deno-lint-ignore no-explicit-any
      const c = client(server, "machine", (() => Promise.resolve({ token: "x" })) as any);
      await assert.rejects(c.connect(), {
        code: "CREDENTIAL_PROVIDER_ERROR",
        message: /OIDC_CALLBACK returned no accessToken/,
      });
      assert.deepEqual(server.received, ["hello"]);
    });

    it("ALLOWED_HOSTS does not apply to the machine flow", async () => {
      const server = newServer();
      const c = client(server, "machine", machine());
      const { conn } = await c.connect("db.example.com");
      assert.equal(conn.user, "$external.test_user1");
    });
  });

  describe("human flow", () => {
    const human = (refreshToken?: string) => async () => ({
      accessToken: await idp.token("test_user1"),
      ...(refreshToken ? { refreshToken } : {}),
    });

    it("two-step: { n } → IdP information → callback → saslContinue { jwt }", async () => {
      const server = newServer({ requestScopes: ["offline_access"] });
      const c = client(server, "human", human(), {
        uri: "mongodb://test_user1@localhost/?authMechanism=MONGODB-OIDC",
      });
      const { conn } = await c.connect();
      assert.equal(conn.user, "$external.test_user1");
      assert.deepEqual(server.received, ["hello", "saslStart", "saslContinue"]);
      assert.equal(c.calls.length, 1);
      const params = c.calls[0];
      assert.equal(params.version, 1);
      assert.equal(params.timeoutMS, 300_000);
      assert.equal(params.username, "test_user1");
      assert.deepEqual(params.idpInfo, {
        issuer: idp.issuer,
        clientId: "mongo-auth-client",
        requestScopes: ["offline_access"],
      });
      assert.equal("refreshToken" in params, false);
    });

    it("without a username the principal request is empty and the IdP still answers", async () => {
      const server = newServer();
      const c = client(server, "human", human());
      const { conn } = await c.connect();
      assert.equal(conn.user, "$external.test_user1");
      assert.equal(c.calls[0].username, undefined);
    });

    it("391 with a refresh token: the callback gets it, one saslStart { jwt }", async () => {
      const server = newServer();
      const c = client(server, "human", human("refresh-1"));
      const opened = await c.connect();
      server.received.length = 0;
      server.failNext = { commands: ["find"], errorCode: 391, times: 1 };
      await c.find(opened);
      assert.equal(c.calls.length, 2);
      assert.equal(c.calls[1].refreshToken, "refresh-1");
      assert.deepEqual(c.calls[1].idpInfo, { issuer: idp.issuer, clientId: "mongo-auth-client" });
      assert.deepEqual(server.received, ["find", "saslStart", "find"]);
    });

    it("391 without a refresh token: a new two-step conversation", async () => {
      const server = newServer();
      const c = client(server, "human", human());
      const opened = await c.connect();
      server.received.length = 0;
      server.failNext = { commands: ["find"], errorCode: 391, times: 1 };
      await c.find(opened);
      assert.equal(c.calls.length, 2);
      assert.equal("refreshToken" in c.calls[1], false);
      assert.deepEqual(server.received, ["find", "saslStart", "saslContinue", "find"]);
    });

    it("a refreshed token the server refuses (18) falls back to two-step: 3 calls", async () => {
      const server = newServer();
      const c = client(server, "human", async (params) => ({
        accessToken: params.refreshToken ? "refused-token" : await idp.token("test_user1"),
        refreshToken: "refresh-1",
      }));
      const opened = await c.connect();
      server.failNext = { commands: ["find"], errorCode: 391, times: 1 };
      await c.find(opened);
      assert.equal(c.calls.length, 3);
      assert.equal(c.calls[1].refreshToken, "refresh-1");
      assert.equal(
        "refreshToken" in c.calls[2],
        false,
        "no cached refresh token in a new two-step conversation",
      );
    });

    it("any other server error on the refreshed token is raised (spec): no new sign-in, the refresh token kept", async () => {
      const server = newServer();
      const c = client(server, "human", human("refresh-1"));
      const opened = await c.connect();
      server.failNext = { commands: ["find", "saslStart"], errorCode: 391, times: 2 };
      await assert.rejects(c.find(opened), (error: MongoServerError) => error.serverCode === 391);
      assert.equal(c.calls.length, 2);
      server.failNext = { commands: ["find"], errorCode: 391, times: 1 };
      await c.find(opened);
      assert.equal(c.calls.length, 3);
      assert.equal(c.calls[2].refreshToken, "refresh-1", "the refresh token was kept");
    });

    it("a refresh the callback refuses falls back to two-step", async () => {
      const server = newServer();
      const c = client(server, "human", async (params) => {
        if (params.refreshToken) throw new Error("invalid_grant");
        return { accessToken: await idp.token("test_user1"), refreshToken: "refresh-1" };
      });
      const opened = await c.connect();
      server.failNext = { commands: ["find"], errorCode: 391, times: 1 };
      await c.find(opened);
      assert.equal(c.calls.length, 3);
    });

    it("reauthentication fails when the two-step conversation fails too", async () => {
      const server = newServer();
      const c = client(server, "human", human("refresh-1"));
      const opened = await c.connect();
      server.failNext = { commands: ["find", "saslStart"], errorCode: 391, times: 3 };
      await assert.rejects(c.find(opened), (error: MongoServerError) => error.serverCode === 391);
      assert.equal(c.calls.length, 2);
    });

    it("a cached human token is sent speculatively", async () => {
      const server = newServer();
      const c = client(server, "human", human());
      await c.connect();
      server.received.length = 0;
      await c.connect();
      assert.deepEqual(server.received, ["hello"]);
      assert.equal(c.calls.length, 1);
    });

    it("refuses a host outside ALLOWED_HOSTS before any callback or token: evilmongodb.net", async () => {
      const server = newServer();
      const c = client(server, "human", human());
      await assert.rejects(c.connect("evilmongodb.net"), {
        code: "INVALID_OPTION",
        message: /evilmongodb\.net/,
      });
      assert.equal(c.calls.length, 0);
      assert.deepEqual(server.received, []);
      await c.connect("cluster0.abcde.mongodb.net");
      server.received.length = 0;
      await assert.rejects(c.connect("evilmongodb.net"), { code: "INVALID_OPTION" });
      assert.deepEqual(server.received, [], "the cached token was not sent either");
    });

    it("an empty ALLOWED_HOSTS allows nothing; a listed host is allowed", async () => {
      const server = newServer();
      const blocked = client(server, "human", human(), { properties: { ALLOWED_HOSTS: [] } });
      await assert.rejects(blocked.connect("localhost"), { code: "INVALID_OPTION" });
      assert.equal(blocked.calls.length, 0);
      const listed = client(server, "human", human(), { properties: { ALLOWED_HOSTS: ["example.com"] } });
      await assert.rejects(listed.connect("localhost"), { code: "INVALID_OPTION" });
      await listed.connect("example.com");
      assert.equal(listed.calls.length, 1);
    });

    it("refuses malformed IdP information from the server before calling the callback", async () => {
      let calls = 0;
      const callback = () => Promise.resolve((calls++, { accessToken: "t" }));
      const credential = parseCredential(URI, {
        authMechanismProperties: { OIDC_HUMAN_CALLBACK: callback },
      })!;
      const cache = new AuthCacheStore().scopeFor(credential);
      const auth = createOidcMechanism().create({ credential, host: "localhost", env: runtimeEnv(), cache });
      const payload = new Binary(BSON.serialize({ issuer: "https://idp.test.invalid", clientId: 42 }));
      const runner = { command: () => Promise.resolve({ ok: 1, conversationId: 1, done: false, payload }) };
      await assert.rejects(auth.finish(runner, undefined), { code: "PROTOCOL_ERROR", message: /clientId/ });
      assert.equal(calls, 0);
    });
  });

  describe("built-in environments", () => {
    let dir: string;
    let imds: FakeEndpoint;
    let gcp: FakeEndpoint;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), "mongo-auth-oidc-mech-"));
      imds = await startAzureImds({ token: await idp.token("test_user1"), expiresIn: "3599" });
      gcp = await startGcpMetadata({ token: await idp.token("test_user2") });
    });
    after(async () => {
      rmSync(dir, { recursive: true, force: true });
      await imds.close();
      await gcp.close();
    });

    it("azure: IMDS token for TOKEN_RESOURCE, username as client_id", async () => {
      const server = newServer();
      const c = client(server, "machine", undefined, {
        uri: "mongodb://my-client-id@localhost/?authMechanism=MONGODB-OIDC",
        properties: { ENVIRONMENT: "azure", TOKEN_RESOURCE: "api://mongodb" },
        endpoints: { azure: imds.url },
      });
      const { conn } = await c.connect();
      assert.equal(conn.user, "$external.test_user1");
      const request = imds.requests.at(-1)!;
      assert.equal(request.url.searchParams.get("resource"), "api://mongodb");
      assert.equal(request.url.searchParams.get("client_id"), "my-client-id");
    });

    it("gcp: metadata identity token for TOKEN_RESOURCE", async () => {
      const server = newServer();
      const c = client(server, "machine", undefined, {
        properties: { ENVIRONMENT: "gcp", TOKEN_RESOURCE: "https://mongodb.example/aud" },
        endpoints: { gcp: gcp.url },
      });
      const { conn } = await c.connect();
      assert.equal(conn.user, "$external.test_user2");
      assert.equal(gcp.requests.at(-1)!.url.searchParams.get("audience"), "https://mongodb.example/aud");
    });

    it("k8s and test: token files named by the environment", async () => {
      const path = join(dir, "token");
      writeFileSync(path, (await idp.token("test_user2")) + "\n");
      const readTextFile = (p: string) => readFile(p, "utf8");
      for (
        const [environment, vars] of [
          ["k8s", { AZURE_FEDERATED_TOKEN_FILE: path }],
          ["test", { OIDC_TOKEN_FILE: path }],
        ] as const
      ) {
        const server = newServer();
        const c = client(server, "machine", undefined, {
          properties: { ENVIRONMENT: environment },
          env: runtimeEnv({ env: vars, readTextFile, fetch: loopbackOnlyFetch }),
        });
        const { conn } = await c.connect();
        assert.equal(conn.user, "$external.test_user2", environment);
      }
    });

    it("two tenants with their own env in one cache store: each gets the token of its own env", async () => {
      const readTextFile = (p: string) => readFile(p, "utf8");
      const tokenFile = async (user: string) => {
        const path = join(dir, `token-${user}`);
        writeFileSync(path, await idp.token(user));
        return path;
      };
      const tenants = [
        runtimeEnv({
          env: { OIDC_TOKEN_FILE: await tokenFile("test_user1") },
          readTextFile,
          fetch: loopbackOnlyFetch,
        }),
        runtimeEnv({
          env: { OIDC_TOKEN_FILE: await tokenFile("test_user2") },
          readTextFile,
          fetch: loopbackOnlyFetch,
        }),
      ];
      const cacheStore = new AuthCacheStore(); // what a process-wide default does
      const server = newServer();
      const users = [];
      for (const env of [...tenants, ...tenants]) {
        const c = client(server, "machine", undefined, {
          properties: { ENVIRONMENT: "test" },
          env,
          cacheStore,
        });
        const { conn } = await c.connect();
        users.push(conn.user);
      }
      assert.deepEqual(users, [
        "$external.test_user1",
        "$external.test_user2",
        "$external.test_user1",
        "$external.test_user2",
      ]);
    });

    it("an environment failure says which source failed", async () => {
      const server = newServer();
      const failing = await startAzureImds({ token: "", fail: { status: 500, body: "upstream error" } });
      try {
        const c = client(server, "machine", undefined, {
          properties: { ENVIRONMENT: "azure", TOKEN_RESOURCE: "api://mongodb" },
          endpoints: { azure: failing.url },
        });
        await assert.rejects(c.connect(), {
          code: "CREDENTIAL_PROVIDER_ERROR",
          message: /Azure IMDS .* answered HTTP 500: upstream error/,
        });
        assert.deepEqual(server.received, ["hello"]);
      } finally {
        await failing.close();
      }
    });
  });

  describe("credential problems", () => {
    it("a credential built by hand without a token source fails the authentication (rejects), by the credential's rules", async () => {
      const credential = { source: "$external", mechanism: "MONGODB-OIDC" as const, mechanismProperties: {} };
      const starting = beginAuthentication(credential, { host: "localhost", env: runtimeEnv() });
      await assert.rejects(starting, {
        code: "INVALID_CREDENTIAL",
        message: /MONGODB-OIDC needs ENVIRONMENT/,
      });
    });
  });
});
