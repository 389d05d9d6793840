// MONGODB-AWS end to end at the command level: the client mechanism against the reference server's
// MONGODB-AWS module (its own SigV4 on node:crypto), through a CommandRunner built here.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Binary, deserialize, serialize } from "bson";
import { AuthCacheStore } from "../../../src/auth/cache-store.ts";
import { mongodbAws } from "../../../src/mechanisms/aws/mechanism.ts";
import type { AuthCache } from "../../../src/auth/mechanism.ts";
import { checkOk, type CommandRunner, type Document } from "../../../src/wire/command.ts";
import { parseCredential } from "../../../src/credential/credential.ts";
import type { MongoCredential } from "../../../src/credential/mongo-credential.ts";
import type { RuntimeEnv } from "../../../src/core/runtime-env.ts";
import { MongoAuthError, MongoServerError } from "../../../src/core/errors.ts";
import { awsMechanism, type AwsServerConfig } from "../../../testing/reference-server/mechanisms/aws.ts";
import type { ServerConfig } from "../../../testing/reference-server/config.ts";
import { startFakeEcs, tempCredentials, testEnv } from "../../support/aws-fakes.ts";

const ALICE = {
  accessKeyId: "AKIDALICE",
  secretAccessKey: "alice-secret",
  arn: "arn:aws:iam::123456789012:user/alice",
};
const NOW = Date.UTC(2024, 0, 15, 12, 0, 0);

function credential(props: Partial<MongoCredential> = {}): MongoCredential {
  return {
    source: "$external",
    mechanism: "MONGODB-AWS",
    mechanismProperties: {},
    ...props,
  } as MongoCredential;
}

function newCache(): AuthCache {
  const entries = new Map<string, unknown>();
  return {
    get<T>(key: string, create: () => T): T {
      if (!entries.has(key)) entries.set(key, create());
      return entries.get(key) as T;
    },
  };
}

interface ServerHarness {
  runner: CommandRunner;
  sent: Document[];
  authenticatedAs: string[];
  failures: string[];
}

const MONGOD_REFUSAL = {
  ok: 0,
  code: 18,
  codeName: "AuthenticationFailed",
  errmsg: "Authentication failed.",
};
// MongoDB Atlas's proxy refuses a login with a code of its own.
const ATLAS_PROXY_REFUSAL = {
  ok: 0,
  code: 8000,
  codeName: "AtlasError",
  errmsg: "bad auth : Authentication failed.",
};

/**
 * A CommandRunner that hands saslStart/saslContinue to the server module, replying as mongod does
 * (ok: 0, code 18 on any failure, or `refusal`); `tamper` may rewrite the server's first payload.
 */
function serverRunner(
  aws: AwsServerConfig,
  options: {
    users?: string[];
    now?: () => number;
    tamper?: (first: Document) => Document;
    refusal?: Document;
  } = {},
): ServerHarness {
  const mechanism = awsMechanism({ now: options.now ?? (() => NOW) });
  const config = { aws, users: [] } as ServerConfig;
  const users = options.users ?? aws.accounts.map((a) => a.arn);
  // What the authentication layer hands a mechanism: a runner whose `ok: 0` replies throw.
  const runner = { command: async (db: string, cmd: Document) => checkOk(await command(db, cmd)) };
  const harness: ServerHarness = { runner, sent: [], authenticatedAs: [], failures: [] };
  let conversation: ReturnType<typeof mechanism.start> | undefined;
  async function command(db: string, cmd: Document): Promise<Document> {
    harness.sent.push({ db, ...cmd });
    try {
      if ("saslStart" in cmd) {
        assert.equal(cmd.mechanism, "MONGODB-AWS");
        conversation = mechanism.start({
          db,
          config,
          connection: { id: 1, remoteAddress: "127.0.0.1", remotePort: 1, tls: false },
          speculative: false,
          options: {},
          findUser: (user, userDb) =>
            userDb === "$external" && users.includes(user)
              ? { db: userDb, user, mechanisms: ["MONGODB-AWS"], roles: [], credentials: new Map() }
              : undefined,
          authenticated: (user) => harness.authenticatedAs.push(user),
        });
      }
      const payload = (cmd.payload as Binary).buffer.subarray(0, (cmd.payload as Binary).position);
      const step = await conversation!.step(payload);
      let out = step.payload;
      if ("saslStart" in cmd && options.tamper) {
        out = serialize(options.tamper(deserialize(out, { promoteBuffers: false })));
      }
      return { ok: 1, conversationId: 1, done: step.done, payload: new Binary(out) };
    } catch (err) {
      harness.failures.push((err as Error).message);
      return options.refusal ?? MONGOD_REFUSAL;
    }
  }
  return harness;
}

function authenticate(
  harness: ServerHarness,
  cred: MongoCredential,
  env: RuntimeEnv = testEnv({}, { now: () => NOW }),
  cache: AuthCache = newCache(),
): Promise<void> {
  const authenticator = mongodbAws.create({ credential: cred, host: "localhost", env, cache });
  return authenticator.finish(harness.runner, undefined);
}

function decodePayload(cmd: Document): Document {
  const b = cmd.payload as Binary;
  return deserialize(b.buffer.subarray(0, b.position), { promoteBuffers: false });
}

describe("MONGODB-AWS conversation against the reference server", () => {
  it("has no speculative step", async () => {
    const authenticator = mongodbAws.create({
      credential: credential(),
      host: "h",
      env: testEnv(),
      cache: newCache(),
    });
    assert.equal(await authenticator.speculativeCommand(), undefined);
    assert.equal(mongodbAws.name, "MONGODB-AWS");
  });

  it("authenticates with keys from the credential and sends the spec's messages", async () => {
    const harness = serverRunner({ accounts: [ALICE] });
    await authenticate(harness, credential({ username: ALICE.accessKeyId, password: ALICE.secretAccessKey }));
    assert.deepEqual(harness.authenticatedAs, [ALICE.arn]);
    const [start, next] = harness.sent;
    assert.equal(start.db, "$external");
    assert.equal(start.saslStart, 1);
    const first = decodePayload(start);
    assert.ok(first.r instanceof Binary);
    assert.equal((first.r as Binary).position, 32);
    assert.equal(first.p, 110);
    assert.deepEqual(Object.keys(first), ["r", "p"]);
    assert.equal(next.saslContinue, 1);
    assert.equal(next.conversationId, 1);
    const second = decodePayload(next);
    assert.deepEqual(Object.keys(second), ["a", "d"]);
    assert.equal(second.d, "20240115T120000Z");
    assert.match(
      second.a as string,
      /^AWS4-HMAC-SHA256 Credential=AKIDALICE\/20240115\/us-east-1\/sts\/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-date;x-mongodb-gs2-cb-flag;x-mongodb-server-nonce, Signature=[0-9a-f]{64}$/,
    );
  });

  it("sends and signs the session token of temporary credentials", async () => {
    const temp = { ...ALICE, accessKeyId: "ASIATEMP", sessionToken: "the-session-token" };
    const harness = serverRunner({ accounts: [temp] });
    await authenticate(
      harness,
      credential({
        username: temp.accessKeyId,
        password: temp.secretAccessKey,
        mechanismProperties: { AWS_SESSION_TOKEN: temp.sessionToken },
      }),
    );
    assert.deepEqual(harness.authenticatedAs, [ALICE.arn]);
    const second = decodePayload(harness.sent[1]);
    assert.equal(second.t, "the-session-token");
    assert.match(second.a as string, /SignedHeaders=[^,]*x-amz-security-token;/);
  });

  it("authenticates with a parsed connection string (percent-decoded keys and session token)", async () => {
    const temp = {
      accessKeyId: "ASIAURI",
      secretAccessKey: "se/cret+x",
      sessionToken: "tok+en/=",
      arn: ALICE.arn,
    };
    const harness = serverRunner({ accounts: [temp] });
    const parsed = parseCredential(
      "mongodb://ASIAURI:se%2Fcret%2Bx@localhost/?authMechanism=MONGODB-AWS" +
        "&authMechanismProperties=AWS_SESSION_TOKEN:tok%2Ben%2F%3D",
    );
    assert.equal(parsed?.source, "$external");
    await authenticate(harness, parsed!);
    assert.deepEqual(harness.authenticatedAs, [ALICE.arn]);
  });

  it("signs for the region of a regional STS host", async () => {
    const harness = serverRunner({ accounts: [ALICE], stsHost: "sts.eu-west-3.amazonaws.com" });
    await authenticate(harness, credential({ username: ALICE.accessKeyId, password: ALICE.secretAccessKey }));
    assert.match(decodePayload(harness.sent[1]).a as string, /\/20240115\/eu-west-3\/sts\/aws4_request/);
  });

  it("fails with AUTHENTICATION_FAILED (18) for a wrong secret, a wrong token or an unknown user", async () => {
    const cases: [AwsServerConfig, Partial<MongoCredential>, string[]?][] = [
      [{ accounts: [ALICE] }, { username: ALICE.accessKeyId, password: "wrong" }],
      [
        { accounts: [{ ...ALICE, sessionToken: "right" }] },
        {
          username: ALICE.accessKeyId,
          password: ALICE.secretAccessKey,
          mechanismProperties: { AWS_SESSION_TOKEN: "wrong" },
        },
      ],
      [{ accounts: [ALICE] }, { username: ALICE.accessKeyId, password: ALICE.secretAccessKey }, []],
    ];
    for (const [aws, props, users] of cases) {
      const harness = serverRunner(aws, { users });
      await assert.rejects(authenticate(harness, credential(props)), (err: unknown) => {
        assert.ok(err instanceof MongoServerError);
        assert.equal(err.code, "AUTHENTICATION_FAILED");
        assert.equal(err.serverCode, 18);
        return true;
      });
      assert.equal(harness.sent.filter((c) => "saslStart" in c).length, 1, "static keys are not retried");
    }
  });

  it("takes its signing time from the injected clock (the server refuses a date 16 minutes off)", async () => {
    const harness = serverRunner({ accounts: [ALICE] });
    const env = testEnv({}, { now: () => NOW - 16 * 60 * 1000 });
    await assert.rejects(
      authenticate(
        harness,
        credential({ username: ALICE.accessKeyId, password: ALICE.secretAccessKey }),
        env,
      ),
      { code: "AUTHENTICATION_FAILED" },
    );
    assert.deepEqual(harness.failures, ["X-Amz-Date is more than 15 minutes off"]);
  });

  const badFirsts: [string, (first: Document) => Document, RegExp][] = [
    [
      "a 32-byte server nonce",
      (f) => ({ ...f, s: new Binary((f.s as Binary).buffer.subarray(0, 32)) }),
      /not 64 bytes/,
    ],
    ["a 65-byte server nonce", (f) => ({ ...f, s: new Binary(new Uint8Array(65)) }), /not 64 bytes/],
    ["a nonce that does not start with ours", (f) => {
      const s = new Uint8Array((f.s as Binary).buffer.subarray(0, 64));
      s[0] ^= 1;
      return { ...f, s: new Binary(s) };
    }, /does not start with the client nonce/],
    ["an empty host", (f) => ({ ...f, h: "" }), /invalid STS host/],
    ["a host over 255 bytes", (f) => ({ ...f, h: "a".repeat(250) + ".com.x" }), /invalid STS host/],
    ["a host with an empty label", (f) => ({ ...f, h: "sts..com" }), /invalid STS host/],
    ["a host starting with a period", (f) => ({ ...f, h: ".amazonaws.com" }), /invalid STS host/],
    ["a host ending with a period", (f) => ({ ...f, h: "sts.amazonaws." }), /invalid STS host/],
    ["no host", (f) => ({ s: f.s }), /invalid STS host/],
  ];
  for (const [what, tamper, message] of badFirsts) {
    it(`rejects ${what} without sending saslContinue`, async () => {
      const harness = serverRunner({ accounts: [ALICE] }, { tamper });
      await assert.rejects(
        authenticate(harness, credential({ username: ALICE.accessKeyId, password: ALICE.secretAccessKey })),
        (err: unknown) => {
          assert.ok(err instanceof MongoAuthError);
          assert.equal(err.code, "PROTOCOL_ERROR");
          assert.match(err.message, message);
          return true;
        },
      );
      assert.equal(harness.sent.length, 1);
    });
  }

  it("is checked by a server that refuses what mongod and STS refuse", async () => {
    // aws4fetch's defaults leave Content-Type and Content-Length unsigned; the spec (and this
    // server) want them signed. A client built that way must fail, proving the check is real.
    const { AwsClient } = await import("aws4fetch");
    const harness = serverRunner({ accounts: [ALICE] });
    const start = await harness.runner.command("$external", {
      saslStart: 1,
      mechanism: "MONGODB-AWS",
      payload: new Binary(serialize({ r: new Binary(new Uint8Array(32)), p: 110 })),
    });
    const first = deserialize((start.payload as Binary).buffer, { promoteBuffers: false });
    const signed = await new AwsClient({ ...ALICE, service: "sts", region: "us-east-1" }).sign(
      `https://${first.h}/`,
      {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          "Content-Length": "43",
          "X-MongoDB-Server-Nonce": Buffer.from((first.s as Binary).buffer).toString("base64"),
          "X-MongoDB-GS2-CB-Flag": "n",
        },
        body: "Action=GetCallerIdentity&Version=2011-06-15",
        aws: { datetime: "20240115T120000Z" },
      },
    );
    const refused = harness.runner.command("$external", {
      saslContinue: 1,
      conversationId: 1,
      payload: new Binary(serialize({ a: signed.headers.get("Authorization"), d: "20240115T120000Z" })),
    });
    await assert.rejects(refused, (err: unknown) => err instanceof MongoServerError && err.serverCode === 18);
    assert.deepEqual(harness.failures, ["content-length must be signed"]);
  });

  it("uses an AWS_CREDENTIAL_PROVIDER function from the credential's options", async () => {
    const harness = serverRunner({ accounts: [ALICE] });
    let calls = 0;
    const provider = () => {
      calls++;
      return Promise.resolve({ accessKeyId: ALICE.accessKeyId, secretAccessKey: ALICE.secretAccessKey });
    };
    await authenticate(harness, credential({ mechanismProperties: { AWS_CREDENTIAL_PROVIDER: provider } }));
    assert.equal(calls, 1);
    assert.deepEqual(harness.authenticatedAs, [ALICE.arn]);
  });

  it("reads environment variables afresh at every authentication", async () => {
    const bob = {
      accessKeyId: "AKIDBOB",
      secretAccessKey: "bob-secret",
      arn: "arn:aws:iam::123456789012:user/bob",
    };
    const vars: Record<string, string> = {
      AWS_ACCESS_KEY_ID: ALICE.accessKeyId,
      AWS_SECRET_ACCESS_KEY: ALICE.secretAccessKey,
    };
    const env = testEnv(vars, { now: () => NOW });
    const cache = newCache();
    const harness = serverRunner({ accounts: [ALICE, bob] });
    await authenticate(harness, credential(), env, cache);
    vars.AWS_ACCESS_KEY_ID = bob.accessKeyId;
    vars.AWS_SECRET_ACCESS_KEY = bob.secretAccessKey;
    await authenticate(harness, credential(), testEnv(vars, { now: () => NOW }), cache);
    assert.deepEqual(harness.authenticatedAs, [ALICE.arn, bob.arn]);
  });
});

describe("MONGODB-AWS credential cache across connections", () => {
  const arn = "arn:aws:sts::123456789012:assumed-role/task/abc";

  it("fetches temporary credentials once, refreshes them 5 minutes before expiry", async () => {
    const current = tempCredentials("one", NOW + 60 * 60 * 1000);
    const ecs = await startFakeEcs({ path: "/creds", credentials: current });
    try {
      const accounts = [{
        accessKeyId: current.AccessKeyId,
        secretAccessKey: current.SecretAccessKey,
        sessionToken: current.Token,
        arn,
      }];
      let clock = NOW;
      const env = testEnv({ AWS_CONTAINER_CREDENTIALS_FULL_URI: ecs.url + "/creds" }, { now: () => clock });
      const harness = serverRunner({ accounts }, {
        now: () => clock,
        users: ["arn:aws:sts::123456789012:assumed-role/task/*"],
      });
      const cache = newCache();
      await authenticate(harness, credential(), env, cache);
      await authenticate(harness, credential(), env, cache);
      assert.equal(ecs.requests.length, 1, "the second connection uses the cached credentials");
      clock = NOW + 55 * 60 * 1000 + 1; // 4m59s before expiry
      await authenticate(harness, credential(), env, cache);
      assert.equal(ecs.requests.length, 2, "credentials within 5 minutes of expiry are fetched anew");
      assert.deepEqual(
        harness.authenticatedAs,
        Array(3).fill("arn:aws:sts::123456789012:assumed-role/task/*"),
      );
    } finally {
      await ecs.close();
    }
  });

  it("two tenants with their own env share one cache scope, never each other's credentials", async () => {
    const tenant = (name: string) => tempCredentials(name, NOW + 60 * 60 * 1000);
    const [a, b] = [tenant("a"), tenant("b")];
    const ecsA = await startFakeEcs({ path: "/creds", credentials: a });
    const ecsB = await startFakeEcs({ path: "/creds", credentials: b });
    try {
      const role = (account: string, c: typeof a) => ({
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.Token,
        arn: `arn:aws:sts::${account}:assumed-role/tenant/session`,
      });
      const users = ["111111111111", "222222222222"].map((id) => `arn:aws:sts::${id}:assumed-role/tenant/*`);
      const harness = serverRunner({ accounts: [role("111111111111", a), role("222222222222", b)] }, {
        users,
      });
      // One process-wide store, one credential (no keys in it): the scope is the same for both tenants.
      const cache = new AuthCacheStore().scopeFor(credential());
      const envA = testEnv({ AWS_CONTAINER_CREDENTIALS_FULL_URI: ecsA.url + "/creds" }, { now: () => NOW });
      const envB = testEnv({ AWS_CONTAINER_CREDENTIALS_FULL_URI: ecsB.url + "/creds" }, { now: () => NOW });
      await authenticate(harness, credential(), envA, cache);
      await authenticate(harness, credential(), envB, cache);
      await authenticate(harness, credential(), envA, cache);
      assert.deepEqual(harness.authenticatedAs, [users[0], users[1], users[0]]);
      assert.equal(ecsA.requests.length, 1, "tenant A's credentials stay cached for tenant A");
      assert.equal(ecsB.requests.length, 1, "tenant B fetched its own");
    } finally {
      await ecsA.close();
      await ecsB.close();
    }
  });

  for (const refusal of [MONGOD_REFUSAL, ATLAS_PROXY_REFUSAL]) {
    it(`clears the cache when the server refuses cached credentials (${refusal.code} ${refusal.codeName}) and retries once with fresh ones`, async () => {
      const first = tempCredentials("first", NOW + 60 * 60 * 1000);
      const second = tempCredentials("second", NOW + 60 * 60 * 1000);
      const ecs = await startFakeEcs({ path: "/creds", credentials: first });
      const rotated = await startFakeEcs({ path: "/creds", credentials: second });
      try {
        const account = (c: typeof first) => ({
          accessKeyId: c.AccessKeyId,
          secretAccessKey: c.SecretAccessKey,
          sessionToken: c.Token,
          arn,
        });
        const users = ["arn:aws:sts::123456789012:assumed-role/task/*"];
        const vars: Record<string, string> = { AWS_CONTAINER_CREDENTIALS_FULL_URI: ecs.url + "/creds" };
        // One env whose variables change, as a process's do (credentials are cached per env).
        const base = testEnv({}, { now: () => NOW });
        const env: RuntimeEnv = { ...base, getEnv: (name) => vars[name] ?? base.getEnv(name) };
        const cache = newCache();
        await authenticate(
          serverRunner({ accounts: [account(first)] }, { users, refusal }),
          credential(),
          env,
          cache,
        );
        // The role's keys were rotated: the server only knows the new ones, the endpoint serves them.
        vars.AWS_CONTAINER_CREDENTIALS_FULL_URI = rotated.url + "/creds";
        const harness = serverRunner({ accounts: [account(second)] }, { users, refusal });
        await authenticate(harness, credential(), env, cache);
        assert.equal(harness.sent.filter((c) => "saslStart" in c).length, 2, "one failed attempt, one retry");
        assert.deepEqual(harness.authenticatedAs, users);
        assert.equal(rotated.requests.length, 1);
        // Refused twice: no third attempt, and the error is the server's refusal.
        const refusing = serverRunner({ accounts: [] }, { users, refusal });
        await assert.rejects(authenticate(refusing, credential(), env, cache), {
          code: "AUTHENTICATION_FAILED",
        });
        assert.equal(refusing.sent.filter((c) => "saslStart" in c).length, 2);
      } finally {
        await ecs.close();
        await rotated.close();
      }
    });
  }
});
