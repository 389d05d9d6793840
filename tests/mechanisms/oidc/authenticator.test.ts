// One connection's MONGODB-OIDC authentication, the auth spec's machine and human algorithms, against a
// scripted server (saslStart/saslContinue answered from a set of accepted tokens) and a scripted
// callback. The end-to-end proof against the reference server is mechanism.test.ts; this file pins down
// what the authenticator itself decides: what it sends, when it calls back, what it caches and drops.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Binary, BSON } from "bson";
import type { OidcCallbackParams, OidcCallbackResult } from "@mongo-auth/core";
import { OidcAuthenticator, type OidcAuthenticatorInit } from "../../../src/mechanisms/oidc/authenticator.ts";
import { OidcTokenCache } from "../../../src/mechanisms/oidc/token-cache.ts";
import type { TokenSource } from "../../../src/mechanisms/oidc/token-source.ts";
import { MongoAuthError, MongoServerError } from "../../../src/core/errors.ts";
import { TraceRecorder } from "../../../src/core/trace.ts";
import type { MongoCredential } from "../../../src/credential/mongo-credential.ts";
import type { Document } from "../../../src/wire/command.ts";

const IDP_INFO = { issuer: "https://idp.example", clientId: "mongo-client", requestScopes: ["openid"] };
const payloadOf = (cmd: Document) => BSON.deserialize((cmd.payload as Binary).buffer);

/** A server that accepts the tokens in `accepted` and answers the principal step with IDP_INFO. */
class ScriptedServer {
  readonly accepted = new Set<string>();
  /** What the client sent: "start {jwt: x}", "start {n: y}", "continue 5 {jwt: x}". */
  readonly sent: string[] = [];
  /** A reply to use instead of the normal one for the next jwt step. */
  nextJwtReply: Document | undefined;
  /** An error to answer the next jwt step with. */
  nextJwtError: MongoServerError | undefined;
  /** Whether the principal step ({ n }) is refused. */
  refusePrincipal = false;
  readonly runner = {
    // deno-lint-ignore require-await
    command: async (db: string, cmd: Document): Promise<Document> => {
      assert.equal(db, "$external");
      const payload = payloadOf(cmd);
      if (cmd.saslStart === 1) {
        assert.equal(cmd.mechanism, "MONGODB-OIDC");
        if ("jwt" in payload) {
          this.sent.push(`start {jwt: ${payload.jwt}}`);
          return this.#check(payload.jwt);
        }
        this.sent.push(`start {n: ${payload.n}}`);
        if (this.refusePrincipal) {
          throw new MongoServerError(18, "AuthenticationFailed", "Authentication failed.");
        }
        return { ok: 1, conversationId: 5, done: false, payload: new Binary(BSON.serialize(IDP_INFO)) };
      }
      assert.equal(cmd.saslContinue, 1);
      this.sent.push(`continue ${cmd.conversationId} {jwt: ${payload.jwt}}`);
      return this.#check(payload.jwt);
    },
  };

  #check(jwt: string): Document {
    const scripted = this.nextJwtReply;
    const error = this.nextJwtError;
    this.nextJwtReply = this.nextJwtError = undefined;
    if (error) throw error;
    if (scripted) return scripted;
    if (!this.accepted.has(jwt)) {
      throw new MongoServerError(18, "AuthenticationFailed", "Authentication failed.");
    }
    return { ok: 1, conversationId: 1, done: true, payload: new Binary(new Uint8Array()) };
  }
}

/** A callback that hands out token-1, token-2, … (or what `answer` says) and records its params. */
function scriptedCallback(answer?: (params: OidcCallbackParams, n: number) => Promise<OidcCallbackResult>) {
  const calls: OidcCallbackParams[] = [];
  const callback = (params: OidcCallbackParams) => {
    calls.push(params);
    return answer ? answer(params, calls.length) : Promise.resolve({ accessToken: `token-${calls.length}` });
  };
  return { calls, callback };
}

function setup(
  flow: "machine" | "human",
  options: {
    properties?: Record<string, unknown>;
    username?: string;
    answer?: (params: OidcCallbackParams, n: number) => Promise<OidcCallbackResult>;
    init?: Partial<OidcAuthenticatorInit>;
  } = {},
) {
  const server = new ScriptedServer();
  const { calls, callback } = scriptedCallback(options.answer);
  const credential: MongoCredential = {
    source: "$external",
    mechanism: "MONGODB-OIDC",
    username: options.username,
    mechanismProperties: {
      [flow === "human" ? "OIDC_HUMAN_CALLBACK" : "OIDC_CALLBACK"]: callback,
      ...options.properties,
    },
  };
  const sleeps: number[] = [];
  let t = 1_700_000_000_000;
  const cache = new OidcTokenCache({
    now: () => t,
    sleep: (ms) => (sleeps.push(ms), t += ms, Promise.resolve()),
  });
  const source = (): TokenSource => ({
    flow,
    callback,
    name: flow === "human" ? "OIDC_HUMAN_CALLBACK" : "OIDC_CALLBACK",
    timeoutMs: 60_000,
  });
  const connection = () =>
    new OidcAuthenticator({ credential, host: "localhost", cache, source, now: () => t, ...options.init });
  return { server, calls, cache, connection, sleeps };
}

async function rejectsWithCode(promise: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof MongoAuthError, String(err));
    assert.equal(err.code, code, err.message);
    if (message) assert.match(err.message, message);
    return true;
  });
}

describe("OidcAuthenticator: machine flow", () => {
  it("without a cached token: no speculative step; one callback call, then saslStart { jwt }", async () => {
    const { server, calls, cache, connection } = setup("machine", {
      username: "app",
      properties: { TOKEN_RESOURCE: "api://mongodb" },
    });
    server.accepted.add("token-1");
    const auth = connection();
    assert.equal(await auth.speculativeCommand(), undefined);
    await auth.finish(server.runner, undefined);
    assert.deepEqual(server.sent, ["start {jwt: token-1}"]);
    assert.equal(calls.length, 1);
    assert.equal(calls[0].version, 1);
    assert.equal(calls[0].username, "app");
    assert.equal(calls[0].tokenAudience, "api://mongodb");
    assert.equal(calls[0].timeoutMS, 60_000);
    assert.equal("refreshToken" in calls[0], false);
    assert.equal("idpInfo" in calls[0], false);
    assert.equal(cache.current()?.accessToken, "token-1");
  });

  it("the callback is told the time the step has left when that is less than its own 60 s", async () => {
    for (const [left, told] of [[4_321.7, 4_321], [0.2, 1], [Infinity, 60_000], [90_000, 60_000]]) {
      const { server, calls, connection } = setup("machine", { init: { timeLeft: () => left } });
      server.accepted.add("token-1");
      await connection().finish(server.runner, undefined);
      assert.equal(calls[0].timeoutMS, told, `time left ${left}`);
    }
  });

  it("with a cached token: the speculative saslStart { jwt } on $external, and nothing more when the server is done", async () => {
    const { server, calls, connection } = setup("machine");
    server.accepted.add("token-1");
    await connection().finish(server.runner, undefined);
    const auth = connection();
    const speculative = await auth.speculativeCommand();
    assert.equal(speculative?.saslStart, 1);
    assert.equal(speculative?.mechanism, "MONGODB-OIDC");
    assert.equal(speculative?.db, "$external");
    assert.deepEqual(payloadOf(speculative!), { jwt: "token-1" });
    const before = server.sent.length;
    await auth.finish(server.runner, { ok: 1, done: true, conversationId: 1 });
    assert.equal(server.sent.length, before);
    assert.equal(calls.length, 1);
  });

  it("when the server did not finish the speculative step, sends the cached token again", async () => {
    const { server, calls, connection } = setup("machine");
    server.accepted.add("token-1");
    await connection().finish(server.runner, undefined);
    for (const reply of [undefined, { ok: 1, done: false, conversationId: 1 }]) {
      const auth = connection();
      await auth.speculativeCommand();
      await auth.finish(server.runner, reply);
    }
    assert.deepEqual(server.sent, ["start {jwt: token-1}", "start {jwt: token-1}", "start {jwt: token-1}"]);
    assert.equal(calls.length, 1);
  });

  it("does not trust a speculative reply that says done when no speculative step was sent", async () => {
    const { server, calls, connection } = setup("machine");
    server.accepted.add("token-1");
    const auth = connection();
    assert.equal(await auth.speculativeCommand(), undefined);
    await auth.finish(server.runner, { ok: 1, done: true, conversationId: 1 });
    assert.deepEqual(server.sent, ["start {jwt: token-1}"]);
    assert.equal(calls.length, 1);
  });

  it("a cached token refused with 18: dropped, one new token fetched and sent once", async () => {
    const { server, calls, cache, connection, sleeps } = setup("machine");
    server.accepted.add("token-1");
    await connection().finish(server.runner, undefined);
    server.accepted.clear();
    server.accepted.add("token-2");
    await connection().finish(server.runner, undefined);
    assert.deepEqual(server.sent, ["start {jwt: token-1}", "start {jwt: token-1}", "start {jwt: token-2}"]);
    assert.equal(calls.length, 2);
    assert.equal(cache.current()?.accessToken, "token-2");
    assert.deepEqual(sleeps, [100], "the spec's 100 ms between two callback calls");
  });

  it("a new token refused with 18 fails the authentication (no second retry) and is not kept", async () => {
    const { server, calls, cache, connection } = setup("machine");
    await rejectsWithCode(connection().finish(server.runner, undefined), "AUTHENTICATION_FAILED");
    assert.deepEqual(server.sent, ["start {jwt: token-1}"]);
    assert.equal(calls.length, 1);
    assert.equal(cache.current(), undefined);
  });

  it("another server error with a cached token is raised, and the token is kept", async () => {
    const { server, cache, connection } = setup("machine");
    server.accepted.add("token-1");
    await connection().finish(server.runner, undefined);
    const runner = {
      command: () => Promise.reject(new MongoServerError(11600, "InterruptedAtShutdown", "shutting down")),
    };
    await rejectsWithCode(connection().finish(runner, undefined), "NOT_PRIMARY");
    assert.equal(cache.current()?.accessToken, "token-1");
  });

  it("a jwt step the server does not finish is a PROTOCOL_ERROR", async () => {
    const { server, connection } = setup("machine");
    server.nextJwtReply = { ok: 1, done: false, conversationId: 1, payload: new Binary(new Uint8Array()) };
    await rejectsWithCode(connection().finish(server.runner, undefined), "PROTOCOL_ERROR", /did not finish/);
  });

  it("reauthenticate drops this connection's token, but not a newer one another connection fetched", async () => {
    const { server, calls, cache, connection } = setup("machine");
    server.accepted.add("token-1");
    server.accepted.add("token-2");
    const one = connection();
    const two = connection();
    await one.finish(server.runner, undefined);
    await two.finish(server.runner, undefined); // token-1, from the cache
    assert.equal(calls.length, 1);
    // The cache holds one's token: one drops it and fetches token-2.
    await one.reauthenticate(server.runner);
    assert.equal(calls.length, 2);
    assert.equal(cache.current()?.accessToken, "token-2");
    // two used token-1, which is gone already: it takes token-2 from the cache, no new call.
    await two.reauthenticate(server.runner);
    assert.equal(calls.length, 2);
    assert.equal(cache.current()?.accessToken, "token-2");
    assert.deepEqual(server.sent, [
      "start {jwt: token-1}",
      "start {jwt: token-1}",
      "start {jwt: token-2}",
      "start {jwt: token-2}",
    ]);
  });

  it("resolves the token source lazily: a bad credential rejects speculativeCommand and finish, not the constructor", async () => {
    const { cache } = setup("machine");
    const bad = new MongoAuthError("INVALID_CREDENTIAL", "MONGODB-OIDC needs a token source");
    const auth = new OidcAuthenticator({
      credential: { source: "$external", mechanism: "MONGODB-OIDC", mechanismProperties: {} },
      cache,
      source: () => {
        throw bad;
      },
    });
    await assert.rejects(auth.speculativeCommand(), bad);
    await assert.rejects(auth.finish({ command: () => assert.fail("nothing is sent") }, undefined), bad);
  });
});

describe("OidcAuthenticator: human flow", () => {
  it("needs the host, and refuses one outside ALLOWED_HOSTS before any callback or token is sent", async () => {
    const noHost = setup("human", { init: { host: undefined } });
    await rejectsWithCode(
      noHost.connection().speculativeCommand(),
      "INVALID_OPTION",
      /needs the server's host/,
    );

    const evil = setup("human", { init: { host: "evilmongodb.net" } });
    // Even a cached token is not sent speculatively to a host that is not allowed.
    await evil.cache.obtain(() => ({ call: () => Promise.resolve({ accessToken: "cached" }) }));
    await rejectsWithCode(
      evil.connection().speculativeCommand(),
      "INVALID_OPTION",
      /'evilmongodb\.net' is not in ALLOWED_HOSTS/,
    );
    await rejectsWithCode(evil.connection().finish(evil.server.runner, undefined), "INVALID_OPTION");
    assert.deepEqual(evil.server.sent, []);
    assert.equal(evil.calls.length, 0);
  });

  it("two-step: { n }, the IdP information to the callback, saslContinue { jwt } on the server's conversation", async () => {
    const { server, calls, cache, connection } = setup("human", {
      username: "ada",
      answer: () =>
        Promise.resolve({ accessToken: "human-1", refreshToken: "refresh-1", expiresInSeconds: 3600 }),
    });
    server.accepted.add("human-1");
    await connection().finish(server.runner, undefined);
    assert.deepEqual(server.sent, ["start {n: ada}", "continue 5 {jwt: human-1}"]);
    assert.deepEqual(calls[0].idpInfo, IDP_INFO);
    assert.equal(calls[0].username, "ada");
    assert.equal("refreshToken" in calls[0], false);
    assert.equal(cache.refreshToken, "refresh-1");
    assert.deepEqual(cache.idpInfo, IDP_INFO);
  });

  it("with a refresh token: the callback gets it and the IdP information; one saslStart { jwt }, no principal step", async () => {
    let n = 0;
    const { server, calls, connection } = setup("human", {
      answer: () => Promise.resolve({ accessToken: `human-${++n}`, refreshToken: `refresh-${n}` }),
    });
    server.accepted.add("human-1");
    server.accepted.add("human-2");
    const auth = connection();
    await auth.finish(server.runner, undefined);
    await auth.reauthenticate(server.runner);
    assert.deepEqual(server.sent, [
      "start {n: undefined}",
      "continue 5 {jwt: human-1}",
      "start {jwt: human-2}",
    ]);
    assert.equal(calls[1].refreshToken, "refresh-1");
    assert.deepEqual(calls[1].idpInfo, IDP_INFO);
  });

  it("a refresh the callback refuses falls back to the two-step conversation, without the refresh token", async () => {
    const { server, calls, cache, connection } = setup("human", {
      answer: (params, n) =>
        params.refreshToken
          ? Promise.reject(new Error("invalid_grant"))
          : Promise.resolve({ accessToken: `human-${n}`, refreshToken: `refresh-${n}` }),
    });
    server.accepted.add("human-1");
    server.accepted.add("human-3");
    const auth = connection();
    await auth.finish(server.runner, undefined);
    await auth.reauthenticate(server.runner);
    assert.equal(calls.length, 3);
    assert.equal(calls[1].refreshToken, "refresh-1");
    assert.equal("refreshToken" in calls[2], false);
    assert.deepEqual(server.sent.slice(-2), ["start {n: undefined}", "continue 5 {jwt: human-3}"]);
    assert.equal(cache.refreshToken, "refresh-3");
  });

  it("reauthentication fails when the two-step conversation fails too, and the refused refresh token is forgotten", async () => {
    const { server, cache, connection } = setup("human", {
      answer: (params, n) =>
        params.refreshToken
          ? Promise.reject(new Error("invalid_grant"))
          : Promise.resolve({ accessToken: `human-${n}`, refreshToken: `refresh-${n}` }),
    });
    server.accepted.add("human-1");
    const auth = connection();
    await auth.finish(server.runner, undefined);
    assert.equal(cache.refreshToken, "refresh-1");
    server.refusePrincipal = true;
    await rejectsWithCode(auth.reauthenticate(server.runner), "AUTHENTICATION_FAILED");
    assert.equal(cache.refreshToken, undefined);
    assert.equal(cache.current(), undefined);
  });

  it("a refreshed token the server refuses falls back to the two-step conversation", async () => {
    let n = 0;
    const { server, calls, connection } = setup("human", {
      answer: () => Promise.resolve({ accessToken: `human-${++n}`, refreshToken: `refresh-${n}` }),
    });
    server.accepted.add("human-1");
    server.accepted.add("human-3");
    const auth = connection();
    await auth.finish(server.runner, undefined);
    await auth.reauthenticate(server.runner);
    assert.deepEqual(server.sent.slice(2), [
      "start {jwt: human-2}",
      "start {n: undefined}",
      "continue 5 {jwt: human-3}",
    ]);
    assert.equal(calls.length, 3);
  });

  it("any other server error on a refreshed token is raised, and the refresh token stays: no new sign-in", async () => {
    let n = 0;
    const { server, calls, cache, connection } = setup("human", {
      answer: () => Promise.resolve({ accessToken: `human-${++n}`, refreshToken: `refresh-${n}` }),
    });
    server.accepted.add("human-1");
    const auth = connection();
    await auth.finish(server.runner, undefined);
    const shutdown = new MongoServerError(11600, "InterruptedAtShutdown", "interrupted at shutdown");
    server.nextJwtError = shutdown;
    await assert.rejects(auth.reauthenticate(server.runner), (error) => error === shutdown);
    assert.deepEqual(server.sent.slice(2), ["start {jwt: human-2}"]);
    assert.equal(calls.length, 2);
    assert.equal(cache.refreshToken, "refresh-2");
  });

  it("runs the callback outside the connect timeout when told how, and the machine flow never does", async () => {
    for (const flow of ["human", "machine"] as const) {
      let outside = 0;
      const { server, connection } = setup(flow, {
        init: { outsideConnectTimeout: (work) => (outside++, work(undefined)) },
      });
      server.accepted.add("token-1");
      await connection().finish(server.runner, undefined);
      if (flow === "human") assert.ok(outside > 0, "the human callback ran outside the connect timeout");
      else assert.equal(outside, 0);
    }
  });
});

describe("OidcAuthenticator: trace", () => {
  it("records the source, the IdP and where each token came from, never a token", async () => {
    const header = btoa(JSON.stringify({ alg: "RS256" })).replace(/=+$/, "");
    const claims = btoa(JSON.stringify({ sub: "ada", iss: "https://idp.example", exp: 1_800_000_000 }))
      .replace(/=+$/, "");
    const jwt = `${header}.${claims}.c2lnbmF0dXJl`;
    const trace = new TraceRecorder({ now: () => 0 });
    const { server, connection } = setup("human", {
      properties: { TOKEN_RESOURCE: "api://mongodb" },
      answer: () => Promise.resolve({ accessToken: jwt, refreshToken: "refresh-secret" }),
      init: { trace },
    });
    server.accepted.add(jwt);
    await connection().finish(server.runner, undefined);
    await connection().finish(server.runner, undefined);
    const events = trace.events.map((e) => e.type);
    assert.deepEqual(events, ["oidc.source", "oidc.idp", "oidc.token", "oidc.source", "oidc.token"]);
    const attributes = trace.events.map((e) =>
      (e as unknown as { attributes: Record<string, unknown> }).attributes
    );
    assert.deepEqual(attributes[0], {
      source: "OIDC_HUMAN_CALLBACK",
      flow: "human",
      tokenResource: "api://mongodb",
    });
    assert.equal(attributes[2].origin, "callback");
    assert.equal(attributes[4].origin, "cache");
    const printed = JSON.stringify(trace.events);
    for (const secret of [jwt, claims, "refresh-secret"]) assert.ok(!printed.includes(secret), printed);
  });

  it("records the scopes the server asked for, whatever the human callback does to its idpInfo", async () => {
    const trace = new TraceRecorder({ now: () => 0 });
    const { server, connection } = setup("human", {
      answer: (params) => {
        (params.idpInfo!.requestScopes as string[]).push("changed-by-the-callback");
        return Promise.resolve({ accessToken: "token-1" });
      },
      init: { trace },
    });
    server.accepted.add("token-1");
    await connection().finish(server.runner, undefined);
    const idp = trace.events.find((e) => e.type === "oidc.idp");
    assert.deepEqual(idp?.attributes, {
      issuer: IDP_INFO.issuer,
      clientId: IDP_INFO.clientId,
      requestScopes: ["openid"],
    });
  });
});
