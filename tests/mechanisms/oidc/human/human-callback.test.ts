// createHumanCallback on its own (called as a driver calls it): what happens when the identity provider
// is unreachable, silent or misconfigured; cancellation and the time budget releasing the listener,
// timers and signal listeners; refresh tokens the identity provider refuses; tokens kept across
// "processes" in a file; Workers; and no token in any error.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { after, before, describe, it } from "node:test";
import type { MongoAuthError, OidcCallback, OidcCallbackParams } from "@mongo-auth/core";
import { createHumanCallback as createSignIn } from "../../../../src/mechanisms/oidc/human/human-callback.ts";
import { createHumanCallback as createWorkersHumanCallback } from "../../../../src/transport/workers.ts";
import { createHumanCallback, fileTokenStore } from "../../../../src/transport/node.ts";
import { listenLoopbackNode } from "../../../../src/transport/loopback-listener-node.ts";
import { countedSignal, settle, trackTimers } from "../../../hardening/resources.ts";
import { renderings } from "../../../hardening/exposure.ts";
import { stillListening, TEST_REDIRECT_URI } from "../../../support/human-sign-in.ts";
import {
  type RunningIdentityProvider,
  startIdentityProvider,
} from "../../../../testing/oidc-provider/oidc-provider.ts";
import { ScriptedPerson } from "../../../../testing/oidc-provider/person.ts";
import { startEndpoint } from "../../../support/oidc-fakes.ts";
import { settledWithin } from "../../../support/settled-within.ts";

function params(
  idpInfo: OidcCallbackParams["idpInfo"],
  extra: Partial<OidcCallbackParams> = {},
): OidcCallbackParams {
  return { version: 1, timeoutContext: new AbortController().signal, idpInfo, ...extra };
}

describe("createHumanCallback: the identity provider cannot be used", () => {
  it("an identity provider that never answers: OIDC_IDP_UNREACHABLE after requestTimeoutMs", async () => {
    const silent = await startEndpoint(() => {}); // accepts, reads, never answers
    try {
      const callback = createHumanCallback({ requestTimeoutMs: 200, openUrl: () => {} });
      const attempt = callback(params({ issuer: silent.url, clientId: "cli" }));
      await assert.rejects(settledWithin(10_000, "the sign-in", attempt), (error: MongoAuthError) => {
        assert.equal(error.code, "OIDC_IDP_UNREACHABLE");
        assert.match(error.message, /did not answer within 200 ms; check that the issuer .* is right/);
        return true;
      });
      assert.equal(silent.requests[0]?.url.pathname, "/.well-known/openid-configuration");
    } finally {
      await silent.close();
    }
  });

  it("nothing listens at the issuer: OIDC_IDP_UNREACHABLE naming the reason", async () => {
    const gone = await startEndpoint(() => {});
    await gone.close();
    const callback = createHumanCallback({ openUrl: () => {} });
    await assert.rejects(callback(params({ issuer: gone.url, clientId: "cli" })), (error: MongoAuthError) => {
      assert.equal(error.code, "OIDC_IDP_UNREACHABLE");
      assert.match(error.message, /^the identity provider at http:\/\/127\.0\.0\.1:\d+ is unreachable: /);
      return true;
    });
  });

  it("no discovery document, or one for another issuer: OIDC_DISCOVERY_FAILED", async () => {
    let metadata: unknown;
    const idp = await startEndpoint((_request, response) => {
      if (metadata === undefined) return void response.writeHead(404).end("not found");
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(metadata));
    });
    try {
      const callback = createHumanCallback({ openUrl: () => {} });
      await assert.rejects(
        callback(params({ issuer: idp.url, clientId: "cli" })),
        (error: MongoAuthError) => {
          assert.equal(error.code, "OIDC_DISCOVERY_FAILED");
          assert.match(error.message, /HTTP 404.*publishes \/\.well-known\/openid-configuration/);
          return true;
        },
      );
      metadata = { issuer: "https://someone-else.example", authorization_endpoint: `${idp.url}/auth` };
      await assert.rejects(callback(params({ issuer: idp.url, clientId: "cli" })), {
        code: "OIDC_DISCOVERY_FAILED",
      });
    } finally {
      await idp.close();
    }
  });

  it("an answer larger than 1 MiB is refused, not read to the end", async () => {
    const idp = await startEndpoint((_request, response) => {
      response.writeHead(200, { "content-type": "application/json" }).end("[" + "0,".repeat(600_000) + "0]");
    });
    try {
      const callback = createHumanCallback({ openUrl: () => {} });
      await assert.rejects(
        callback(params({ issuer: idp.url, clientId: "cli" })),
        (error: MongoAuthError) => {
          assert.equal(error.code, "CREDENTIAL_PROVIDER_ERROR");
          assert.match(error.message, /larger than 1048576 bytes/);
          return true;
        },
      );
    } finally {
      await idp.close();
    }
  });

  it("an issuer over plain http on another machine is refused before any request", async () => {
    const callback = createHumanCallback({ openUrl: () => {} });
    await assert.rejects(
      callback(params({ issuer: "http://idp.example.com", clientId: "cli" })),
      (error: MongoAuthError) => {
        assert.equal(error.code, "OIDC_DISCOVERY_FAILED");
        assert.match(error.message, /not https/);
        return true;
      },
    );
  });

  it("a server that sends no clientId (machine-only identity provider) is refused with what to do", async () => {
    const callback = createHumanCallback({ openUrl: () => {} });
    await assert.rejects(callback(params({ issuer: "https://idp.example" })), /supportsHumanFlows: false/);
  });

  it("Workers cannot listen (their capabilities say so): the code flow is RUNTIME_UNSUPPORTED when created", () => {
    for (const options of [{}, { flow: "code" as const, openUrl: () => {} }]) {
      assert.throws(() => createWorkersHumanCallback(options), (error: MongoAuthError) => {
        assert.equal(error.code, "RUNTIME_UNSUPPORTED");
        assert.match(
          error.message,
          /^Cloudflare Workers cannot listen .*: .*createHumanCallback\(\{ flow: "device" \}\)/,
        );
        return true;
      });
    }
    assert.equal(typeof createWorkersHumanCallback({ flow: "device" }), "function");
    assert.throws(() => createWorkersHumanCallback({ flow: "browser" as "code" }), {
      code: "INVALID_OPTION",
    });
  });

  it("no token in the error when the token endpoint's answer is invalid", async () => {
    const secret = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJzZWNyZXQifQ.leaked-access-token";
    const idp = await startEndpoint((request, response) => {
      const json = (body: unknown) =>
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
      if (request.url.pathname === "/.well-known/openid-configuration") {
        return json({
          issuer: idp.url,
          token_endpoint: `${idp.url}/token`,
          authorization_endpoint: `${idp.url}/auth`,
        });
      }
      json({ access_token: secret, refresh_token: "refresh-secret", token_type: "weird-type" });
    });
    try {
      const callback = createHumanCallback({ openUrl: () => {} });
      const error = await callback(
        params({ issuer: idp.url, clientId: "cli" }, { refreshToken: "old-refresh" }),
      )
        .then(() => assert.fail("resolved"), (e: unknown) => e as MongoAuthError);
      assert.equal(error.code, "CREDENTIAL_PROVIDER_ERROR");
      for (const [where, text] of renderings(error, "error")) {
        assert.ok(!text.includes(secret) && !text.includes("refresh-secret"), `token in ${where}`);
      }
    } finally {
      await idp.close();
    }
  });
});

describe("createHumanCallback against oidc-provider", () => {
  let idp: RunningIdentityProvider;
  let info: OidcCallbackParams["idpInfo"];
  before(async () => {
    idp = await startIdentityProvider();
    info = { issuer: idp.issuer, clientId: idp.clientId, requestScopes: ["mongodb"] };
  });
  after(() => idp?.close());

  it("cancelled mid-flow (the person is at the browser): ABORTED; listener, timers and signal listeners released", async () => {
    const timers = trackTimers();
    const caller = countedSignal();
    const driver = countedSignal();
    let redirectUri = "";
    try {
      const callback = createHumanCallback({
        redirectUri: TEST_REDIRECT_URI,
        signal: caller.signal,
        openUrl(url) {
          redirectUri = new URL(url).searchParams.get("redirect_uri")!;
          setTimeout(() => caller.controller.abort(), 0); // Ctrl-C while the person reads the login page
        },
      });
      await assert.rejects(callback(params(info, { timeoutContext: driver.signal })), { code: "ABORTED" });
      // Node's fetch (undici) keeps a timer of its own for a kept-alive socket (4 s), created while
      // tracking: wait for it to end; a timer of the sign-in's would never end (5 minutes).
      assert.deepEqual(
        await settle(() => (timers.live() > 0 ? [`${timers.live()} live timer(s)`] : []), 6000),
        [],
      );
    } finally {
      timers.restore();
    }
    assert.equal(driver.listeners(), 0, "no listener left on the driver's signal");
    assert.equal(await stillListening(redirectUri), false, "the listener is closed");
  });

  it("the sign-in's own time budget: TIMEOUT when nobody signs in, and the listener is closed", async () => {
    let redirectUri = "";
    const callback = createHumanCallback({
      redirectUri: TEST_REDIRECT_URI,
      timeoutMs: 300,
      openUrl: (url) => void (redirectUri = new URL(url).searchParams.get("redirect_uri")!),
    });
    await assert.rejects(
      settledWithin(10_000, "the sign-in", callback(params(info))),
      (error: MongoAuthError) => {
        assert.equal(error.code, "TIMEOUT");
        assert.match(error.message, /did not finish within 300 ms/);
        return true;
      },
    );
    assert.equal(await stillListening(redirectUri), false);
  });

  it("the listener closes as soon as the browser comes back, before the code is exchanged", async () => {
    const person = new ScriptedPerson("alice");
    const events: string[] = [];
    const callback = createSignIn({
      redirectUri: TEST_REDIRECT_URI,
      openUrl: (url) => void person.signIn(url),
      fetch: (input, init) => {
        if (String(input).endsWith("/token")) events.push("token request");
        return fetch(input, init);
      },
    }, async (options) => {
      const server = await listenLoopbackNode(options);
      events.push("listening");
      return { port: server.port, close: () => (events.push("closed"), server.close()) };
    });
    await callback(params(info));
    assert.deepEqual(events, ["listening", "closed", "token request"]);
  });

  it("a refresh token the identity provider refuses: the person signs in again", async () => {
    const person = new ScriptedPerson("alice");
    const callback = createHumanCallback({
      redirectUri: TEST_REDIRECT_URI,
      openUrl: (url) => void person.signIn(url),
    });
    const result = await callback(params(info, { refreshToken: "revoked-or-made-up" }));
    assert.ok(result.accessToken);
    assert.equal(person.opened.length, 1);
  });

  it("fileTokenStore: the next run refreshes from the file instead of opening the browser; the file is 0600", async () => {
    const dir = await mkdtemp(join(tmpdir(), "mongo-auth-tokens-"));
    try {
      const file = join(dir, "nested", "oidc-tokens.json");
      const person = new ScriptedPerson("alice");
      const run = () =>
        createHumanCallback({
          redirectUri: TEST_REDIRECT_URI,
          prompt: "consent",
          store: fileTokenStore(file),
          openUrl: (url) => void person.signIn(url),
        });
      const first = await run()(params(info, { username: "alice" }));
      const second = await run()(params(info, { username: "alice" })); // a new process: a new callback
      assert.equal(person.opened.length, 1, "signed in once");
      assert.notEqual(second.accessToken, first.accessToken);
      assert.ok(second.refreshToken);
      const stored = JSON.parse(await readFile(file, "utf8"));
      assert.deepEqual(Object.keys(stored.tokens), [JSON.stringify([idp.issuer, idp.clientId, "alice"])]);
      assert.equal(stored.tokens[Object.keys(stored.tokens)[0]].accessToken, second.accessToken);
      if (process.platform !== "win32") {
        assert.equal((await stat(file)).mode & 0o777, 0o600);
        assert.equal((await stat(join(dir, "nested"))).mode & 0o777, 0o700);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("a stored access token is handed out once; asked again without a refresh token, the person signs in", async () => {
    const person = new ScriptedPerson("alice");
    const callback: OidcCallback = createHumanCallback({
      redirectUri: TEST_REDIRECT_URI,
      openUrl: (url) => void person.signIn(url),
    });
    const first = await callback(params(info));
    const second = await callback(params(info)); // the driver's token did not work
    assert.notEqual(second.accessToken, first.accessToken);
    assert.equal(person.opened.length, 2);
  });
});

describe("createHumanCallback: options of the wrong type", () => {
  it("are INVALID_OPTION at once; none (or null) are the defaults", () => {
    assert.throws(() => createHumanCallback({ store: { get: () => Promise.resolve(undefined) } } as never), {
      code: "INVALID_OPTION",
      message: "option store of createHumanCallback() must be a TokenStore (get and set), got an object",
    });
    assert.throws(() => createHumanCallback({ openUrl: "firefox" } as never), {
      code: "INVALID_OPTION",
      message: "option openUrl of createHumanCallback() must be a function, got a string",
    });
    assert.equal(typeof createSignIn(null as never, undefined), "function");
    // The fuzz found it: a flow JSON.stringify cannot print threw its TypeError in place of the message.
    assert.throws(() => createHumanCallback({ flow: 10n } as never), {
      code: "INVALID_OPTION",
      message: 'flow must be "code" or "device", not a bigint',
    });
    // 1.5 passed the old check (a finite number > 0), and Node.js's timers throw a RangeError for it.
    for (const name of ["timeoutMs", "requestTimeoutMs"]) {
      for (const value of [0, -5, 1.5, Number.POSITIVE_INFINITY]) {
        assert.throws(() => createHumanCallback({ [name]: value }), {
          code: "INVALID_OPTION",
          message:
            `option ${name} of createHumanCallback() must be a whole number of milliseconds from 1 to ` +
            `2147483647, got ${value}`,
        });
      }
    }
  });
});
