// The authorization code flow with PKCE and a loopback redirect (RFC 6749 section 4.1, RFC 7636,
// RFC 8252), driven step by step: a stand-in listener whose requests the test makes as the browser
// would, and an injected token endpoint. What the authorization URL carries, what the redirect must
// carry, when the listener closes, what the code is exchanged with, and each failure's code. The same
// flow against a real identity provider (oidc-provider) is human-callback.test.ts and tests/e2e.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { AuthorizationServer } from "oauth4webapi";
import {
  type CodeFlowContext,
  signInWithBrowser,
} from "../../../../src/mechanisms/oidc/human/authorization-code.ts";
import { idpRequestOptions } from "../../../../src/mechanisms/oidc/human/idp-http.ts";
import {
  type LoopbackListenOptions,
  type LoopbackResponse,
  parseRedirectUri,
} from "../../../../src/mechanisms/oidc/human/redirect-listener.ts";
import { MongoAuthError } from "../../../../src/core/errors.ts";
import type { FetchLike } from "../../../../src/core/runtime-env.ts";

const ISSUER = "https://idp.example";
const AS: AuthorizationServer = {
  issuer: ISSUER,
  authorization_endpoint: `${ISSUER}/authorize?tenant=t1`,
  token_endpoint: `${ISSUER}/token`,
};
const CLIENT_ID = "mongo-cli";
const PORT = 50123;

const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const encodeJson = (value: unknown) => base64url(new TextEncoder().encode(JSON.stringify(value)));

/** An ID token as the identity provider would sign it (the flow checks its claims, not its signature). */
function idToken(claims: Record<string, unknown>): string {
  const now = Math.floor(Date.now() / 1000);
  return `${encodeJson({ alg: "RS256", typ: "JWT" })}.${
    encodeJson({ iss: ISSUER, aud: CLIENT_ID, sub: "ada", iat: now, exp: now + 3600, ...claims })
  }.c2lnbmF0dXJl`;
}

interface Browser {
  /** The authorization URL the flow handed to openUrl. */
  authorize: URL;
  /** Makes a request to the listener as the browser would, returning the page it got. */
  visit(pathAndQuery: string, method?: string): LoopbackResponse;
  /** Comes back from the identity provider with `query` (state and iss filled in unless given). */
  redirect(query: Record<string, string>): LoopbackResponse;
}

function harness(options: {
  /**
   * What the "browser" does once the flow opens the URL; default: redirect back with a code. It runs
   * inside openUrl, so it must not assert: the pages it got are in `pages`, checked after the run.
   */
  browser?: (browser: Browser) => void;
  /** The token endpoint's answer to the code exchange. */
  token?: (request: URLSearchParams, authorize: URL) => Response;
  context?: Partial<CodeFlowContext>;
  signal?: AbortSignal;
} = {}) {
  const events: string[] = [];
  const listened: Omit<LoopbackListenOptions, "handle">[] = [];
  const tokenRequests: URLSearchParams[] = [];
  const pages: LoopbackResponse[] = [];
  let handle: LoopbackListenOptions["handle"] | undefined;
  let authorize: URL | undefined;
  const browser: Browser = {
    get authorize() {
      return authorize!;
    },
    visit(pathAndQuery, method = "GET") {
      const page = handle!({ method, url: new URL(`http://127.0.0.1:${PORT}${pathAndQuery}`) });
      pages.push(page);
      return page;
    },
    redirect(query) {
      const state = authorize!.searchParams.get("state")!;
      const params = new URLSearchParams({ state, iss: ISSUER, ...query });
      return browser.visit(`/redirect?${params}`);
    },
  };
  const fetch: FetchLike = (input, init) => {
    events.push("token request");
    assert.equal(String(input), `${ISSUER}/token`);
    const body = new URLSearchParams(String(init?.body));
    tokenRequests.push(body);
    return Promise.resolve(
      options.token?.(body, authorize!) ??
        Response.json({
          access_token: "the-access-token",
          token_type: "Bearer",
          expires_in: 3600,
          refresh_token: "the-refresh-token",
          id_token: idToken({ nonce: authorize!.searchParams.get("nonce") }),
        }),
    );
  };
  const signal = options.signal ?? new AbortController().signal;
  const context: CodeFlowContext = {
    as: AS,
    client: { client_id: CLIENT_ID },
    http: idpRequestOptions({ fetch, signal, timeoutMs: 1000 }),
    scope: "openid offline_access mongodb",
    signal,
    redirect: parseRedirectUri("http://127.0.0.1:0/redirect"),
    listen: ({ handle: handler, ...where }) => {
      events.push("listening");
      listened.push(where);
      handle = handler;
      return Promise.resolve({ port: PORT, close: () => (events.push("closed"), Promise.resolve()) });
    },
    openUrl: (url) => {
      authorize = new URL(url);
      (options.browser ?? ((b) => b.redirect({ code: "the-code" })))(browser);
    },
    ...options.context,
  };
  return { run: () => signInWithBrowser(context), events, listened, tokenRequests, pages, browser };
}

async function failsWith(promise: Promise<unknown>, code: string, message?: RegExp): Promise<MongoAuthError> {
  let caught: MongoAuthError | undefined;
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof MongoAuthError, String(err));
    assert.equal(err.code, code, err.message);
    if (message) assert.match(err.message, message);
    caught = err;
    return true;
  });
  return caught!;
}

async function s256(verifier: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))));
}

describe("signInWithBrowser: the authorization request", () => {
  it("listens on the loopback address and port of the redirect URI, and sends the port it got", async () => {
    const h = harness();
    await h.run();
    assert.deepEqual(h.listened, [{ hostname: "127.0.0.1", port: 0 }]);
    assert.equal(h.browser.authorize.searchParams.get("redirect_uri"), `http://127.0.0.1:${PORT}/redirect`);
  });

  it("asks for a code for the client and scopes, with state, nonce and an S256 PKCE challenge", async () => {
    const h = harness();
    await h.run();
    const url = h.browser.authorize;
    assert.equal(url.origin + url.pathname, `${ISSUER}/authorize`);
    assert.equal(url.searchParams.get("tenant"), "t1", "the endpoint's own query is kept");
    assert.equal(url.searchParams.get("client_id"), CLIENT_ID);
    assert.equal(url.searchParams.get("response_type"), "code");
    assert.equal(url.searchParams.get("scope"), "openid offline_access mongodb");
    assert.match(url.searchParams.get("state")!, /^[A-Za-z0-9_-]{43}$/);
    assert.match(url.searchParams.get("nonce")!, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(url.searchParams.get("code_challenge_method"), "S256");
    assert.equal(url.searchParams.has("login_hint"), false);
    assert.equal(url.searchParams.has("prompt"), false);
  });

  it("adds login_hint and prompt when given", async () => {
    const h = harness({ context: { loginHint: "ada@example.com", prompt: "select_account" } });
    await h.run();
    assert.equal(h.browser.authorize.searchParams.get("login_hint"), "ada@example.com");
    assert.equal(h.browser.authorize.searchParams.get("prompt"), "select_account");
  });

  it("makes a new state, nonce and verifier for every sign-in", async () => {
    const [one, two] = [harness(), harness()];
    await one.run();
    await two.run();
    for (const name of ["state", "nonce", "code_challenge"]) {
      assert.notEqual(
        one.browser.authorize.searchParams.get(name),
        two.browser.authorize.searchParams.get(name),
        name,
      );
    }
  });

  it("needs an authorization endpoint, and says to use the device flow otherwise", async () => {
    const { authorization_endpoint: _none, ...noEndpoint } = AS;
    const h = harness({ context: { as: noEndpoint } });
    await failsWith(
      h.run(),
      "OIDC_DISCOVERY_FAILED",
      /https:\/\/idp\.example has no authorization endpoint: sign in with flow: "device"/,
    );
    assert.deepEqual(h.events, [], "nothing listened");
  });
});

describe("signInWithBrowser: the redirect and the code exchange", () => {
  it("closes the listener when the browser comes back, then exchanges the code with the PKCE verifier", async () => {
    const h = harness();
    const tokens = await h.run();
    assert.equal(tokens.access_token, "the-access-token");
    assert.equal(tokens.refresh_token, "the-refresh-token");
    assert.deepEqual(h.events, ["listening", "closed", "token request"]);
    assert.equal(h.pages[0].status, 200);
    const [exchange] = h.tokenRequests;
    assert.equal(exchange.get("grant_type"), "authorization_code");
    assert.equal(exchange.get("code"), "the-code");
    assert.equal(exchange.get("client_id"), CLIENT_ID);
    assert.equal(exchange.get("redirect_uri"), `http://127.0.0.1:${PORT}/redirect`);
    assert.equal(
      await s256(exchange.get("code_verifier")!),
      h.browser.authorize.searchParams.get("code_challenge"),
    );
  });

  it("answers other paths and methods with 404 and keeps waiting; a second redirect gets 410", async () => {
    const h = harness({
      browser: (b) => {
        b.visit("/favicon.ico");
        b.visit("/redirect?code=x", "POST");
        b.redirect({ code: "the-code" });
        b.redirect({ code: "another-code" });
      },
    });
    await h.run();
    assert.deepEqual(h.pages.map((page) => page.status), [404, 404, 200, 410]);
    assert.equal(h.tokenRequests.length, 1);
    assert.equal(h.tokenRequests[0].get("code"), "the-code");
  });

  it("a redirect with another state is OIDC_STATE_MISMATCH: the sign-in fails at once, nothing is exchanged", async () => {
    const h = harness({ browser: (b) => b.redirect({ code: "forged", state: "not-the-state" }) });
    await failsWith(h.run(), "OIDC_STATE_MISMATCH", /nothing was exchanged/);
    assert.equal(h.pages[0].status, 400);
    assert.deepEqual(h.events, ["listening", "closed"]);
  });

  it("a redirect from another issuer (iss) is refused without an exchange", async () => {
    const h = harness({ browser: (b) => b.redirect({ code: "the-code", iss: "https://evil.example" }) });
    await failsWith(h.run(), "OIDC_REDIRECT_ERROR");
    assert.equal(h.tokenRequests.length, 0);
  });

  it("access_denied is OIDC_SIGN_IN_DECLINED; another error is OIDC_REDIRECT_ERROR naming it", async () => {
    const declined = harness({
      browser: (b) => b.redirect({ error: "access_denied", error_description: "User said no" }),
    });
    await failsWith(declined.run(), "OIDC_SIGN_IN_DECLINED", /declined \(access_denied: User said no\)/);
    const other = harness({ browser: (b) => b.redirect({ error: "invalid_scope" }) });
    await failsWith(other.run(), "OIDC_REDIRECT_ERROR", /redirected back with the error invalid_scope/);
    assert.equal(other.tokenRequests.length, 0);
  });

  it("a token endpoint that refuses the code is CREDENTIAL_PROVIDER_ERROR, without the code or the verifier", async () => {
    const h = harness({ token: () => Response.json({ error: "invalid_grant" }, { status: 400 }) });
    const err = await failsWith(
      h.run(),
      "CREDENTIAL_PROVIDER_ERROR",
      /refused exchanging the authorization code: invalid_grant/,
    );
    const verifier = h.tokenRequests[0].get("code_verifier")!;
    assert.ok(!err.message.includes("the-code") && !err.message.includes(verifier), err.message);
  });

  it("refuses an answer without an ID token, or whose ID token has another nonce or audience", async () => {
    const answers: Record<string, (authorize: URL) => Record<string, unknown>> = {
      "no ID token": () => ({}),
      "another nonce": () => ({ id_token: idToken({ nonce: "replayed" }) }),
      "another audience": (authorize) => ({
        id_token: idToken({ nonce: authorize.searchParams.get("nonce"), aud: "other" }),
      }),
      "another issuer": (authorize) => ({
        id_token: idToken({ nonce: authorize.searchParams.get("nonce"), iss: "https://evil.example" }),
      }),
    };
    for (const [what, extra] of Object.entries(answers)) {
      const h = harness({
        token: (_request, authorize) =>
          Response.json({ access_token: "the-access-token", token_type: "Bearer", ...extra(authorize) }),
      });
      const err = await failsWith(
        h.run(),
        "CREDENTIAL_PROVIDER_ERROR",
        /exchanging the authorization code at https:\/\/idp\.example failed/,
      );
      assert.ok(!err.message.includes("the-access-token"), `${what}: ${err.message}`);
    }
  });
});

describe("signInWithBrowser: when the person never comes back", () => {
  it("an openUrl that fails is CREDENTIAL_PROVIDER_ERROR with what to do, and the listener is closed", async () => {
    const h = harness({
      context: {
        openUrl: () => {
          throw new Error("no browser here");
        },
      },
    });
    const err = await failsWith(
      h.run(),
      "CREDENTIAL_PROVIDER_ERROR",
      /openUrl failed to show the sign-in page .*flow: "device"/,
    );
    assert.equal((err.cause as Error).message, "no browser here");
    assert.deepEqual(h.events, ["listening", "closed"]);
  });

  it("the signal cancels the wait, and the listener is closed", async () => {
    const controller = new AbortController();
    const h = harness({ signal: controller.signal, browser: () => setTimeout(() => controller.abort(), 0) });
    await failsWith(h.run(), "ABORTED");
    assert.deepEqual(h.events, ["listening", "closed"]);
  });
});
