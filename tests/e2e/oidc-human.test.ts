// The human sign-in against a real identity provider (oidc-provider, in a Node.js child process) and
// the reference server configured with its issuer (keys found through discovery), through connect():
// the scripted person signs in in the "browser" (fetch), and the connection is authenticated as them.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  AuthCacheStore,
  type Connection,
  connectWith,
  type Document,
  type MongoAuthError,
  type OidcCallback,
  runtimeEnv,
} from "@mongo-auth/core";
import { startIdentityProvider } from "../../testing/oidc-provider/oidc-provider.ts";
import { ScriptedPerson } from "../../testing/oidc-provider/person.ts";
import {
  humanSignIns,
  referenceServerFor,
  signInDeployment,
  stillListening,
  TEST_REDIRECT_URI,
} from "../support/human-sign-in.ts";

async function whoami(conn: Connection): Promise<string | undefined> {
  const status = await conn.command("admin", { connectionStatus: 1 });
  const users = (status.authInfo as Document).authenticatedUsers as Document[];
  return users[0] ? `${users[0].db}.${users[0].user}` : undefined;
}

for (const { name, transport, createHumanCallback } of await humanSignIns()) {
  describe(`human OIDC sign-in against oidc-provider (${name})`, () => {
    const deployment = signInDeployment();

    const connect = (callback: OidcCallback, cacheStore = new AuthCacheStore(), now?: () => number) =>
      connectWith(transport, deployment.uri, {
        authMechanismProperties: { OIDC_HUMAN_CALLBACK: callback },
        cacheStore,
        connectTimeoutMS: 10_000,
        ...(now ? { env: runtimeEnv({ now }) } : {}),
      });

    it("code flow: the person signs in in the browser and the connection is theirs; the listener is gone", async () => {
      const person = new ScriptedPerson("alice");
      let browsing: Promise<{ status: number; body: string }> | undefined;
      const callback = createHumanCallback({
        redirectUri: TEST_REDIRECT_URI,
        openUrl: (url) => void (browsing = person.signIn(url)),
      });
      const conn = await connect(callback);
      try {
        assert.equal(await whoami(conn), "$external.alice");
      } finally {
        await conn.close();
      }
      const page = await browsing!;
      assert.equal(page.status, 200);
      assert.match(page.body, /Signed in/);
      const authorization = new URL(person.opened[0]);
      const query = authorization.searchParams;
      assert.equal(query.get("code_challenge_method"), "S256");
      assert.equal(query.get("response_type"), "code");
      assert.ok(query.get("state") && query.get("nonce") && query.get("code_challenge"));
      assert.deepEqual(query.get("scope")?.split(" "), ["openid", "offline_access", "mongodb"]);
      const redirectUri = query.get("redirect_uri")!;
      assert.match(redirectUri, /^http:\/\/127\.0\.0\.1:\d+\/redirect$/);
      assert.equal(await stillListening(redirectUri), false, "the redirect listener is closed");
    });

    it("device flow: the person approves the code on another device", async () => {
      const person = new ScriptedPerson("bob");
      let approving: Promise<unknown> | undefined;
      const shown: string[] = [];
      const callback = createHumanCallback({
        flow: "device",
        showDeviceCode(prompt) {
          shown.push(prompt.userCode);
          approving = person.approveDevice(prompt.verificationUriComplete!);
        },
      });
      const conn = await connect(callback);
      try {
        assert.equal(await whoami(conn), "$external.bob");
      } finally {
        await conn.close();
      }
      await approving;
      assert.equal(shown.length, 1);
      assert.ok((await deployment.idp.grants()).includes("urn:ietf:params:oauth:grant-type:device_code"));
    });

    it("refresh: after the access token expires, the next connection refreshes it without a new sign-in", async () => {
      const person = new ScriptedPerson("alice");
      let clock = Date.now();
      const callback = createHumanCallback({
        redirectUri: TEST_REDIRECT_URI,
        prompt: "consent", // oidc-provider issues refresh tokens with consent only (OpenID Connect Core §11)
        openUrl: (url) => void person.signIn(url),
      });
      const cacheStore = new AuthCacheStore();
      const grantsBefore = (await deployment.idp.grants()).length;
      const first = await connect(callback, cacheStore, () => clock);
      await first.close();
      clock += 2 * 3600_000; // past the access token's hour
      const second = await connect(callback, cacheStore, () => clock);
      try {
        assert.equal(await whoami(second), "$external.alice");
      } finally {
        await second.close();
      }
      assert.equal(person.opened.length, 1, "the person signed in once");
      assert.deepEqual((await deployment.idp.grants()).slice(grantsBefore), [
        "authorization_code",
        "refresh_token",
      ]);
    });

    it("the person declines consent: OIDC_SIGN_IN_DECLINED, and the browser is told it failed", async () => {
      const person = new ScriptedPerson("alice");
      person.consent = "decline";
      let browsing: Promise<{ status: number; body: string }> | undefined;
      const callback = createHumanCallback({
        redirectUri: TEST_REDIRECT_URI,
        openUrl: (url) => void (browsing = person.signIn(url)),
      });
      await assert.rejects(connect(callback), (error: MongoAuthError) => {
        assert.equal(error.code, "OIDC_SIGN_IN_DECLINED");
        assert.match(error.message, /declined \(access_denied.*sign in again/);
        return true;
      });
      const page = await browsing!;
      assert.equal(page.status, 400);
      assert.match(page.body, /Sign-in failed/);
      const redirectUri = new URL(person.opened[0]).searchParams.get("redirect_uri")!;
      assert.equal(await stillListening(redirectUri), false);
    });

    it("a tampered state: OIDC_STATE_MISMATCH, and the code is never exchanged", async () => {
      const person = new ScriptedPerson("alice");
      const grantsBefore = (await deployment.idp.grants()).length;
      const callback = createHumanCallback({
        redirectUri: TEST_REDIRECT_URI,
        openUrl(url) {
          const forged = new URL(url);
          forged.searchParams.set("state", "forged-by-another-page");
          void person.signIn(forged.href);
        },
      });
      await assert.rejects(connect(callback), { code: "OIDC_STATE_MISMATCH" });
      assert.equal((await deployment.idp.grants()).length, grantsBefore, "no token was issued");
    });
  });
}

describe("human OIDC sign-in: the device code expires", () => {
  it("nobody approves before the device code expires: OIDC_DEVICE_CODE_EXPIRED", async () => {
    const idp = await startIdentityProvider({ deviceCodeTtl: 2, pollInterval: 1 });
    const server = await referenceServerFor(idp);
    try {
      const [{ transport, createHumanCallback }] = await humanSignIns();
      const callback = createHumanCallback({ flow: "device", showDeviceCode: () => {} });
      await assert.rejects(
        connectWith(transport, `mongodb://${server.address}/?authMechanism=MONGODB-OIDC`, {
          authMechanismProperties: { OIDC_HUMAN_CALLBACK: callback },
        }),
        (error: MongoAuthError) => {
          assert.equal(error.code, "OIDC_DEVICE_CODE_EXPIRED");
          assert.match(error.message, /expired before anyone approved it: sign in again/);
          return true;
        },
      );
    } finally {
      await server.close();
      await idp.close();
    }
  });
});
