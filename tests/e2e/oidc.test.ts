// The auth specification's MONGODB-OIDC prose tests (source/auth/tests/mongodb-oidc.md), end to end:
// connect() through each transport of this runtime against the reference server. The server has no
// collections, so `connectionStatus` (it names the authenticated user) stands in for `find`.
// Failpoints are scoped by appName, as the spec asks.
import assert from "node:assert/strict";
import { settledWithin } from "../support/settled-within.ts";
import { after, before, describe, it } from "node:test";
import {
  AuthCacheStore,
  type Connection,
  type ConnectOptions,
  connectWith,
  type Document,
  MongoAuthError,
  type MongoServerError,
  type OidcCallback,
  type OidcCallbackParams,
  parseCredential,
  runtimeEnv,
} from "@mongo-auth/core";
import { OIDC_CACHE_KEY } from "../../src/mechanisms/oidc/mechanism.ts";
import { OidcTokenCache } from "../../src/mechanisms/oidc/token-cache.ts";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import {
  createIdentityProvider,
  oidcServerConfig,
  type TestIdentityProvider,
} from "../../testing/identity-provider.ts";
import { transports } from "../support/transports.ts";

const APP = "oidc-prose";

async function whoami(conn: Connection): Promise<Document | undefined> {
  const status = await conn.command("admin", { connectionStatus: 1 });
  return ((status.authInfo as Document).authenticatedUsers as Document[])[0];
}

for (const { name, transport } of await transports()) {
  describe(`MONGODB-OIDC prose tests end to end (${name} transport)`, () => {
    let idp: TestIdentityProvider;
    let server: RunningServer;
    let uri: string;
    before(async () => {
      idp = await createIdentityProvider();
      server = await startServer({
        oidc: oidcServerConfig(idp),
        users: [
          { db: "$external", user: "test_user1", mechanisms: ["MONGODB-OIDC"] },
          { db: "$external", user: "test_user2", mechanisms: ["MONGODB-OIDC"] },
        ],
      });
      uri = `mongodb://${server.address}/?authMechanism=MONGODB-OIDC`;
    });
    after(() => server.close());

    // A client: one cache store (the "Client Cache"), a counted callback.
    function client(kind: "machine" | "human", callback: OidcCallback, extra: ConnectOptions = {}) {
      const calls: OidcCallbackParams[] = [];
      const counted: OidcCallback = (params) => {
        calls.push(params);
        return callback(params);
      };
      const property = kind === "human" ? "OIDC_HUMAN_CALLBACK" : "OIDC_CALLBACK";
      const options: ConnectOptions = {
        appName: APP,
        cacheStore: new AuthCacheStore(),
        env: runtimeEnv(),
        connectTimeoutMS: 5000,
        ...extra,
        authMechanismProperties: { [property]: counted, ...(extra.authMechanismProperties as object) },
      };
      return { calls, options, connect: (target = uri) => connectWith(transport, target, options) };
    }

    // The failpoint client: its own OIDC client, as the spec's tests have one (configureFailPoint itself needs no
    // login).
    async function failPoint(data: Document, times: number | "off" = 1): Promise<void> {
      const admin = client("machine", async () => ({ accessToken: await idp.token("test_user2") }), {
        appName: "admin",
      });
      const conn = await admin.connect();
      try {
        const mode = times === "off" ? "off" : { times };
        await conn.command("admin", {
          configureFailPoint: "failCommand",
          mode,
          data: { appName: APP, ...data },
        });
      } finally {
        await conn.close();
      }
    }

    const machine = () => async () => ({ accessToken: await idp.token("test_user1") });
    const human = (refreshToken?: string) => async () => ({
      accessToken: await idp.token("test_user1"),
      ...(refreshToken ? { refreshToken } : {}),
    });

    describe("(1) callback authentication", () => {
      it("1.1 the callback is called during authentication", async () => {
        const c = client("machine", machine());
        const conn = await c.connect();
        try {
          assert.deepEqual(await whoami(conn), { user: "test_user1", db: "$external" });
          assert.equal(c.calls.length, 1);
        } finally {
          await conn.close();
        }
      });

      it("1.2 the callback is called once for multiple connections", async () => {
        const c = client("machine", machine());
        const conns = await Promise.all(Array.from({ length: 10 }, () => c.connect()));
        try {
          await Promise.all(conns.map(async (conn) => {
            for (let i = 0; i < 10; i++) assert.equal((await whoami(conn))?.user, "test_user1");
          }));
          assert.equal(c.calls.length, 1);
        } finally {
          await Promise.all(conns.map((conn) => conn.close()));
        }
      });
    });

    describe("(2) callback validation", () => {
      it("2.1 the callback gets version 1, a timeout signal and the timeout: 1 minute with no clock on connect()", async () => {
        const c = client("machine", machine(), { connectTimeoutMS: 0 });
        await (await c.connect()).close();
        const params = c.calls[0];
        assert.equal(params.version, 1);
        assert.ok(params.timeoutContext instanceof AbortSignal);
        assert.equal(params.timeoutMS, 60_000);
      });

      // The auth specification: min(remaining connectTimeoutMS, remaining timeoutMS). connectTimeoutMS
      // bounds connect()'s whole handshake here, so it is the time the callback really has without
      // timeoutMS too.
      for (
        const [label, extra, most] of [
          ["connectTimeoutMS", { connectTimeoutMS: 5000 }, 5000],
          ["timeoutMS", { connectTimeoutMS: 0, timeoutMS: 3000 }, 3000],
          ["the nearer of the two", { connectTimeoutMS: 4000, timeoutMS: 30_000 }, 4000],
        ] as const
      ) {
        it(`the timeout is what ${label} has left when that is less than 1 minute`, async () => {
          const c = client("machine", machine(), extra);
          await (await c.connect()).close();
          const timeoutMS = c.calls[0].timeoutMS ?? NaN;
          assert.ok(timeoutMS > 0 && timeoutMS <= most, `timeoutMS ${timeoutMS}, at most ${most}`);
        });
      }

      for (
        const [label, result] of [
          ["2.2 returns null", null],
          ["2.3 returns data without accessToken", { expiresInSeconds: 60 }],
        ] as const
      ) {
        it(`${label}: connecting fails`, async () => {
          // deno-lint-ignore no-explicit-any
          const c = client("machine", (() => Promise.resolve(result)) as any);
          await assert.rejects(c.connect(), { code: "CREDENTIAL_PROVIDER_ERROR" });
        });
      }

      it("a callback that never answers: TIMEOUT at connectTimeoutMS, saying the authentication did not finish", async () => {
        const c = client("machine", () => new Promise<never>(() => {}), { connectTimeoutMS: 300 });
        await assert.rejects(c.connect(), (err: unknown) => {
          assert.ok(err instanceof MongoAuthError);
          assert.equal(err.code, "TIMEOUT", err.message);
          assert.match(
            err.message,
            /timed out after 300 ms \(connectTimeoutMS\): the authentication \(MONGODB-OIDC\) did not finish: a credential source or callback was slow to answer/,
          );
          return true;
        });
        assert.equal(c.calls.length, 1);
      });

      it("2.4 a callback together with ENVIRONMENT is a configuration error", async () => {
        const c = client("machine", machine(), { authMechanismProperties: { ENVIRONMENT: "test" } });
        await assert.rejects(c.connect(), { code: "INVALID_CREDENTIAL" });
        assert.equal(c.calls.length, 0);
      });
    });

    describe("(3) authentication failure", () => {
      it("3.1 a poisoned cache: the bad token is dropped, one callback call, success", async () => {
        const c = client("machine", machine());
        const scope = c.options.cacheStore!.scopeFor(parseCredential(uri, c.options)!);
        const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
        const cache = scope.get(OIDC_CACHE_KEY, () => new OidcTokenCache({ now: () => Date.now(), sleep }));
        await cache.obtain(() => ({ call: () => Promise.resolve({ accessToken: "poisoned" }) }));
        const conn = await c.connect();
        try {
          assert.equal((await whoami(conn))?.user, "test_user1");
          assert.equal(c.calls.length, 1);
          assert.equal(conn.handshake.speculative, false, "the poisoned token was refused in hello");
        } finally {
          await conn.close();
        }
      });

      it("3.2 a callback that always returns invalid tokens fails after one call", async () => {
        const c = client("machine", async () => ({ accessToken: await idp.token("test_user1", -60) }));
        await assert.rejects(c.connect(), (error: MongoAuthError) => error.code === "AUTHENTICATION_FAILED");
        assert.equal(c.calls.length, 1);
      });
    });

    describe("(4) reauthentication", () => {
      it("391: the command succeeds after one more callback call", async () => {
        const c = client("machine", machine());
        const conn = await c.connect();
        try {
          await failPoint({ failCommands: ["connectionStatus"], errorCode: 391 });
          assert.equal((await whoami(conn))?.user, "test_user1");
          assert.equal(c.calls.length, 2);
        } finally {
          await conn.close();
        }
      });
    });

    describe("human flow", () => {
      it("1.1 single principal, implicit username", async () => {
        const c = client("human", human());
        const conn = await c.connect();
        assert.equal((await whoami(conn))?.user, "test_user1");
        assert.equal(c.calls[0].username, undefined);
        await conn.close();
      });

      it("1.2 single principal, explicit username", async () => {
        const c = client("human", human());
        const conn = await c.connect(`mongodb://test_user1@${server.address}/?authMechanism=MONGODB-OIDC`);
        assert.equal((await whoami(conn))?.user, "test_user1");
        assert.equal(c.calls[0].username, "test_user1");
        await conn.close();
      });

      it("1.6 ALLOWED_HOSTS blocked: a client-side error, no callback", async () => {
        for (const hosts of [[], ["example.com"]]) {
          const c = client("human", human(), { authMechanismProperties: { ALLOWED_HOSTS: hosts } });
          await assert.rejects(c.connect(), { code: "INVALID_OPTION" });
          assert.equal(c.calls.length, 0);
        }
      });

      it("2.1 valid callback inputs: IdP information, 5 minute timeout", async () => {
        const c = client("human", human());
        await (await c.connect()).close();
        assert.deepEqual(c.calls[0].idpInfo, { issuer: idp.issuer, clientId: "mongo-auth-client" });
        assert.equal(c.calls[0].timeoutMS, 300_000);
        assert.equal(c.calls[0].version, 1);
      });

      it("1.8 machine IdP with a human callback: IdP information without clientId is passed on as sent", async () => {
        const machineIdp = await startServer({
          oidc: oidcServerConfig(idp, { clientId: undefined }),
          users: [{ db: "$external", user: "test_machine", mechanisms: ["MONGODB-OIDC"] }],
        });
        try {
          const c = client("human", async () => ({ accessToken: await idp.token("test_machine") }));
          const conn = await c.connect(
            `mongodb://test_machine@${machineIdp.address}/?authMechanism=MONGODB-OIDC`,
          );
          try {
            assert.equal((await whoami(conn))?.user, "test_machine");
            assert.deepEqual(c.calls[0].idpInfo, { issuer: idp.issuer });
          } finally {
            await conn.close();
          }
        } finally {
          await machineIdp.close();
        }
      });

      it("a sign-in that outlasts connectTimeoutMS still connects: the callback has its own 5 minutes", async () => {
        const connectTimeoutMS = 300;
        const c = client("human", async (params) => {
          // A person at a browser: three connect timeouts pass before the token comes back.
          await new Promise((resolve) => setTimeout(resolve, 3 * connectTimeoutMS));
          assert.equal(params.timeoutContext.aborted, false);
          return { accessToken: await idp.token("test_user1") };
        }, { connectTimeoutMS });
        const conn = await c.connect();
        try {
          assert.equal((await whoami(conn))?.user, "test_user1");
          assert.equal(c.calls[0].timeoutMS, 300_000);
        } finally {
          await conn.close();
        }
      });

      it("under timeoutMS the sign-in still has its own 5 minutes (auth spec: not subject to CSOT)", async () => {
        const c = client("human", human(), { connectTimeoutMS: 300, timeoutMS: 20_000 });
        await (await c.connect()).close();
        assert.equal(c.calls[0].timeoutMS, 300_000);
      });

      it("the caller's signal still cancels a sign-in in progress (ABORTED)", async () => {
        const controller = new AbortController();
        const c = client("human", (params) => {
          controller.abort();
          return new Promise((_, reject) =>
            params.timeoutContext.addEventListener("abort", () => reject(new Error("stopped")))
          );
        }, { connectTimeoutMS: 300, signal: controller.signal });
        await assert.rejects(c.connect(), { code: "ABORTED" });
      });

      it("a sign-in that outlasts timeoutMS still connects: neither clock runs while a person signs in", async () => {
        const timeoutMS = 300;
        const c = client("human", async (params) => {
          await new Promise((resolve) => setTimeout(resolve, 3 * timeoutMS));
          assert.equal(params.timeoutContext.aborted, false);
          return { accessToken: await idp.token("test_user1") };
        }, { connectTimeoutMS: 10_000, timeoutMS });
        const conn = await c.connect();
        try {
          assert.equal((await whoami(conn))?.user, "test_user1");
        } finally {
          await conn.close();
        }
      });

      it("timeoutMS still bounds the rest of connect(): a server that stops answering after the sign-in", async () => {
        const c = client("human", async () => {
          server.failPoints.configure({
            configureFailPoint: "failCommand",
            mode: { times: 1 },
            data: { failCommands: ["saslContinue"], blockConnection: true, blockTimeMS: 5_000 },
          });
          return { accessToken: await idp.token("test_user1") };
        }, { connectTimeoutMS: 10_000, timeoutMS: 300 });
        await settledWithin(
          4000,
          "the rest of connect() under timeoutMS",
          assert.rejects(c.connect(), {
            code: "TIMEOUT",
            message: /did not finish within timeoutMS \(300 ms\)/,
          }),
        );
      });

      it("2.2 the human callback returns missing data: connecting fails", async () => {
        // deno-lint-ignore no-explicit-any
        const c = client("human", (() => Promise.resolve({ refreshToken: "r" })) as any);
        await assert.rejects(c.connect(), { code: "CREDENTIAL_PROVIDER_ERROR" });
      });

      it("2.3 the refresh token is passed to the callback", async () => {
        const c = client("human", human("refresh-1"));
        const conn = await c.connect();
        try {
          await failPoint({ failCommands: ["connectionStatus"], errorCode: 391 });
          assert.equal((await whoami(conn))?.user, "test_user1");
          assert.equal(c.calls.length, 2);
          assert.equal(c.calls.filter((p) => p.refreshToken === "refresh-1").length, 1);
        } finally {
          await conn.close();
        }
      });

      it("3.1 uses speculative authentication when a token is cached", async () => {
        const c = client("human", human());
        await (await c.connect()).close();
        await failPoint({ failCommands: ["saslStart"], errorCode: 18 });
        const conn = await c.connect();
        try {
          assert.equal(conn.handshake.speculative, true);
          assert.equal(conn.handshake.roundTrips, 1);
          assert.equal((await whoami(conn))?.user, "test_user1");
        } finally {
          await conn.close();
          await failPoint({ failCommands: ["saslStart"], errorCode: 18 }, "off");
        }
      });

      it("3.2 does not use speculative authentication without a cached token", async () => {
        const c = client("human", human());
        await failPoint({ failCommands: ["saslStart"], errorCode: 18 });
        await assert.rejects(c.connect(), { code: "AUTHENTICATION_FAILED" });
      });

      it("4.1 reauthentication succeeds: command, saslStart with the refreshed token, command", async () => {
        const c = client("human", human("refresh-1"));
        const conn = await c.connect();
        try {
          await failPoint({ failCommands: ["connectionStatus"], errorCode: 391 });
          const afterFailPoint = { ...server.stats.commands };
          assert.equal((await whoami(conn))?.user, "test_user1");
          const count = (name: string) => (server.stats.commands[name] ?? 0) - (afterFailPoint[name] ?? 0);
          assert.equal(count("connectionStatus"), 2);
          assert.equal(count("saslStart"), 1);
          assert.equal(count("saslContinue"), 0);
          assert.equal(c.calls.length, 2);
        } finally {
          await conn.close();
        }
      });

      it("4.2 reauthentication succeeds without a refresh token (two-step again)", async () => {
        const c = client("human", human());
        const conn = await c.connect();
        try {
          await failPoint({ failCommands: ["connectionStatus"], errorCode: 391 });
          assert.equal((await whoami(conn))?.user, "test_user1");
          assert.equal(c.calls.length, 2);
        } finally {
          await conn.close();
        }
      });

      it("4.3 reauthentication succeeds after the refresh fails: 3 calls", async () => {
        // A bad refresh token: the callback fails with it, as an identity provider refusing it would make it.
        const c = client("human", async (params) => {
          if (params.refreshToken) throw new Error("invalid_grant: the refresh token is not valid");
          return { accessToken: await idp.token("test_user1"), refreshToken: "bad-refresh" };
        });
        const conn = await c.connect();
        try {
          await failPoint({ failCommands: ["connectionStatus"], errorCode: 391 });
          assert.equal((await whoami(conn))?.user, "test_user1");
          assert.equal(c.calls.length, 3);
          assert.equal(c.calls[1].refreshToken, "bad-refresh");
          assert.equal("refreshToken" in c.calls[2], false);
        } finally {
          await conn.close();
        }
      });

      it("4.4 reauthentication fails: 3 calls, the last two tokens refused", async () => {
        let n = 0;
        const c = client("human", async () => ({
          accessToken: ++n === 1 ? await idp.token("test_user1") : "not-a-valid-token",
          refreshToken: "bad-refresh",
        }));
        const conn = await c.connect();
        try {
          await failPoint({ failCommands: ["connectionStatus"], errorCode: 391 });
          await assert.rejects(whoami(conn), { code: "AUTHENTICATION_FAILED" });
          assert.equal(c.calls.length, 3);
        } finally {
          await conn.close();
        }
      });

      it("a server error other than 18 on the refreshed token is raised: no new sign-in", async () => {
        const c = client("human", human("refresh-1"));
        const conn = await c.connect();
        try {
          await failPoint({ failCommands: ["connectionStatus", "saslStart"], errorCode: 391 }, 2);
          await assert.rejects(whoami(conn), (error: MongoServerError) => error.serverCode === 391);
          assert.equal(c.calls.length, 2);
        } finally {
          await conn.close();
        }
      });
    });
  });
}
