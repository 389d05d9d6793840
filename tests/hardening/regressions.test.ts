// Regression tests for the bugs the hardening work (fuzz, hostile peers) found in src/, one per bug,
// each named after it. Each failed before its fix.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Binary, BSON } from "bson";
import {
  AuthCacheStore,
  authenticate,
  beginAuthentication,
  type CommandRunner,
  MongoAuthError,
  parseCredential,
} from "@mongo-auth/core";
import { decodeOpMsg } from "../../src/wire/op-msg.ts";
import { runtimeEnv } from "../../src/core/runtime-env.ts";
import { httpRequest, redactedExcerpt, statusError } from "../../src/core/http.ts";
import { resolveAwsCredentials } from "../../src/mechanisms/aws/credentials/chain.ts";
import { AwsCredentialCache } from "../../src/mechanisms/aws/credentials/cache.ts";

/** An env of variables and files in memory, and no network. */
function memoryEnv(vars: Record<string, string>, files: Record<string, string> = {}) {
  return runtimeEnv({
    env: { AWS_EC2_METADATA_DISABLED: "true", ...vars },
    homeDir: "/home/r",
    readTextFile: (path) =>
      path in files ? Promise.resolve(files[path]) : Promise.reject(new Error("ENOENT")),
    fetch: () => Promise.reject(new TypeError("no network here")),
  });
}

describe("hardening regressions", () => {
  it("decodeOpMsg: a section identifier that is not UTF-8 is PROTOCOL_ERROR, not a TypeError", () => {
    const body = BSON.serialize({ ok: 1 });
    const doc = BSON.serialize({ a: 1 });
    const identifier = Uint8Array.of(0xff, 0xfe, 0); // invalid UTF-8, NUL-terminated
    const sectionSize = 4 + identifier.length + doc.length;
    const length = 16 + 4 + 1 + body.length + 1 + sectionSize;
    const frame = new Uint8Array(length);
    const view = new DataView(frame.buffer);
    view.setInt32(0, length, true);
    view.setInt32(12, 2013, true);
    let at = 20;
    frame[at++] = 0;
    frame.set(body, at);
    at += body.length;
    frame[at++] = 1;
    view.setInt32(at, sectionSize, true);
    frame.set(identifier, at + 4);
    frame.set(doc, at + 4 + identifier.length);
    assert.throws(() => decodeOpMsg(frame), (err: unknown) => {
      assert.ok(err instanceof MongoAuthError);
      assert.equal(err.code, "PROTOCOL_ERROR");
      return true;
    });
  });

  it("MONGODB-AWS: a saslStart payload that is not BSON is PROTOCOL_ERROR, not a BSONError", async () => {
    const credential = parseCredential("mongodb://AKIDEXAMPLE:secret@localhost/?authMechanism=MONGODB-AWS")!;
    const runner: CommandRunner = {
      command: () =>
        Promise.resolve({ ok: 1, conversationId: 1, done: false, payload: new Binary(Uint8Array.of(1, 2)) }),
    };
    await assert.rejects(
      authenticate(runner, credential, { cacheStore: new AuthCacheStore(), helloReply: { ok: 1 } }),
      (err: unknown) => err instanceof MongoAuthError && err.code === "PROTOCOL_ERROR",
    );
  });

  it("MONGODB-AWS: an STS host that is not a URL host is PROTOCOL_ERROR, not aws4fetch's TypeError", async () => {
    const credential = parseCredential("mongodb://AKIDEXAMPLE:secret@localhost/?authMechanism=MONGODB-AWS")!;
    for (
      const h of ["#", "sts.amazonaws.com:99999", "sts amazonaws.com", "sts.amazonaws.com/path", "u@sts.com"]
    ) {
      const runner: CommandRunner = {
        command(_db, cmd) {
          const r = BSON.deserialize((cmd.payload as Binary).value()).r as Binary;
          const s = new Binary(new Uint8Array([...r.value(), ...new Uint8Array(32)]));
          return Promise.resolve({
            ok: 1,
            conversationId: 1,
            done: false,
            payload: new Binary(BSON.serialize({ s, h })),
          });
        },
      };
      await assert.rejects(
        authenticate(runner, credential, { cacheStore: new AuthCacheStore(), helloReply: { ok: 1 } }),
        (err: unknown) => err instanceof MongoAuthError && err.code === "PROTOCOL_ERROR",
        h,
      );
    }
  });

  it("authenticate(): aborting while a driver's runner has a command pending rejects at once with ABORTED", async () => {
    const credential = parseCredential("mongodb://alice:pw@localhost/?authMechanism=SCRAM-SHA-256")!;
    const runner: CommandRunner = { command: () => new Promise(() => {}) }; // a server that never answers
    const controller = new AbortController();
    const attempt = authenticate(runner, credential, { signal: controller.signal });
    setTimeout(() => controller.abort(), 10);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const outcome = await Promise.race([
      attempt.then(() => "resolved", (err: unknown) => err),
      new Promise((resolve) => (timer = setTimeout(() => resolve("still pending after 2 s"), 2000))),
    ]);
    clearTimeout(timer);
    assert.ok(outcome instanceof MongoAuthError, String(outcome));
    assert.equal(outcome.code, "ABORTED");
  });

  it("SCRAM with an explicit mechanism against a server that ignores speculativeAuthenticate: saslStart is sent", async () => {
    // Before the fix the client-first message was made twice and SCRAM failed with SCRAM_PROTOCOL_ERROR
    // before sending anything (MongoDB < 4.4 never answers speculativeAuthenticate).
    for (const mechanism of ["SCRAM-SHA-256", "SCRAM-SHA-1"]) {
      const credential = parseCredential(`mongodb://alice:pw@h/?authMechanism=${mechanism}`)!;
      const sent: Record<string, unknown>[] = [];
      const runner: CommandRunner = {
        command(_db, cmd) {
          sent.push(cmd);
          return Promise.resolve({
            ok: 0,
            code: 18,
            codeName: "AuthenticationFailed",
            errmsg: "Authentication failed.",
          });
        },
      };
      const auth = await beginAuthentication(credential, { cacheStore: new AuthCacheStore() });
      await assert.rejects(auth.complete(runner, { ok: 1, maxWireVersion: 7 }), {
        code: "AUTHENTICATION_FAILED",
      });
      assert.equal(sent.length, 1);
      assert.equal(sent[0].saslStart, 1);
      const speculative = auth.helloFields.speculativeAuthenticate as Record<string, unknown>;
      assert.deepEqual(sent[0].payload, speculative.payload, "the same client-first message is sent");
    }
  });

  it("MONGODB-AWS: a session token with a line break is INVALID_CREDENTIAL, not the Headers TypeError of signing", () => {
    const uri =
      "mongodb://AKID:secret@h/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:tok%0Aen";
    assert.throws(() => parseCredential(uri), (err: unknown) => {
      assert.ok(err instanceof MongoAuthError);
      assert.equal(err.code, "INVALID_CREDENTIAL");
      assert.match(err.message, /must be visible ASCII/);
      assert.doesNotMatch(err.message, /tok/);
      return true;
    });
    // And an access key ID with a character no header carries.
    assert.throws(() => parseCredential("mongodb://AKID%E2%82%AC:secret@h/?authMechanism=MONGODB-AWS"), {
      code: "INVALID_CREDENTIAL",
    });
  });

  it("MONGODB-AWS sources: keys no header can carry, from the environment, a profile or an answer, are CREDENTIAL_PROVIDER_ERROR", async () => {
    await assert.rejects(
      resolveAwsCredentials({
        env: memoryEnv({ AWS_ACCESS_KEY_ID: "AKID", AWS_SECRET_ACCESS_KEY: "s", AWS_SESSION_TOKEN: "a\nb" }),
        cache: new AwsCredentialCache(),
      }),
      {
        code: "CREDENTIAL_PROVIDER_ERROR",
        message: /environment variables: sessionToken has a character an HTTP header/,
      },
    );
    await assert.rejects(
      resolveAwsCredentials({
        env: memoryEnv({}, {
          "/home/r/.aws/credentials": "[default]\naws_access_key_id = AKID€\naws_secret_access_key = s\n",
        }),
        cache: new AwsCredentialCache(),
      }),
      { code: "CREDENTIAL_PROVIDER_ERROR", message: /profile "default".*accessKeyId has a character/ },
    );
  });

  it("MONGODB-AWS: a region that is no region name is CREDENTIAL_PROVIDER_ERROR, not an invalid URL or header inside", async () => {
    const files: Record<string, string> = {
      "/home/r/.aws/config":
        "[profile app]\nrole_arn = arn:aws:iam::1:role/app\nsource_profile = base\nregion = eu west\n",
      "/home/r/.aws/credentials": "[base]\naws_access_key_id = AKID\naws_secret_access_key = s\n",
    };
    const env = memoryEnv({ AWS_PROFILE: "app" }, files);
    await assert.rejects(resolveAwsCredentials({ env, cache: new AwsCredentialCache() }), {
      code: "CREDENTIAL_PROVIDER_ERROR",
      message:
        "MONGODB-AWS: the profile's region is not an AWS region name (letters, digits and dashes, like eu-west-1)",
    });
  });

  it("HTTP errors: a secret in an answer's body is redacted by its field's name, however short it is", () => {
    assert.equal(
      redactedExcerpt('{"AccessKeyId":"AKID","SecretAccessKey":"short","Token":"t0k"}'),
      '{"AccessKeyId":"AKID","SecretAccessKey":[redacted],"Token":[redacted]}',
    );
    assert.equal(
      redactedExcerpt("<Credentials><SecretAccessKey>short</SecretAccessKey><SessionToken>t</SessionToken>"),
      "<Credentials><SecretAccessKey>[redacted]</SecretAccessKey><SessionToken>[redacted]</SessionToken>",
    );
    assert.equal(redactedExcerpt("client_secret=abc&grant=x"), "client_secret=[redacted]&grant=x");
  });

  it("HTTP errors: a token with a lone surrogate (a garbled token file) is redacted, not a URIError", async () => {
    const token = "tok\ud800en";
    const request = {
      what: "a stand-in",
      url: "http://127.0.0.1:9/",
      secrets: [token],
      fetch: () => Promise.resolve(new Response(`refused ${token}`, { status: 401 })),
      timeoutMs: 1000,
      failure: "CREDENTIAL_PROVIDER_ERROR" as const,
    };
    assert.equal(
      statusError(await httpRequest(request), request).message,
      "a stand-in answered HTTP 401: refused [redacted]",
    );
  });
});
