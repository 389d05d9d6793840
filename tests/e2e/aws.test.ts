// MONGODB-AWS end to end: through connect(), our client on each transport of this runtime; and the
// mechanism on a bare WireConnection with credentials fetched from a loopback ECS endpoint. Both against
// the reference server's independent SigV4 check. No request leaves loopback: the env is injected (IMDS
// disabled) and fetch refuses anything but 127.0.0.1.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { connectWith, MongoAuthError } from "@mongo-auth/core";
import type { ServerConfig } from "../../testing/reference-server/config.ts";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import {
  type Fake,
  startFakeEcs,
  startSsoStage,
  tempCredentials,
  tempHome,
  testEnv,
} from "../support/aws-fakes.ts";
import { mongodbAws } from "../../src/mechanisms/aws/mechanism.ts";
import type { AuthCache } from "../../src/auth/mechanism.ts";
import type { MongoCredential } from "../../src/credential/mongo-credential.ts";
import type { RuntimeEnv } from "../../src/core/runtime-env.ts";
import { nodeTransport } from "../../src/transport/node.ts";
import { WireConnection } from "../../src/wire/wire-connection.ts";
import { MongoServerError } from "../../src/core/errors.ts";
import { awsMechanism } from "../../testing/reference-server/mechanisms/aws.ts";
import { transports } from "../support/transports.ts";
import { runShellCommand } from "../../src/transport/run-command.ts";
import { writeFileSync } from "node:fs";
import { whoami } from "../support/who-am-i.ts";

const KEY_ID = "AKIAEXAMPLEKEY123456";
const SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const TEMP_KEY_ID = "ASIAEXAMPLETEMP12345";
const TEMP_SECRET = "temporary/secret+key";
const TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE//token==";
const USER_ARN = "arn:aws:iam::123456789012:user/alice";
const TEMP_ARN = "arn:aws:iam::123456789012:user/temp";

const config = {
  aws: {
    accounts: [
      { accessKeyId: KEY_ID, secretAccessKey: SECRET, arn: USER_ARN },
      { accessKeyId: TEMP_KEY_ID, secretAccessKey: TEMP_SECRET, sessionToken: TOKEN, arn: TEMP_ARN },
    ],
  },
  users: [
    { db: "$external", user: USER_ARN, mechanisms: ["MONGODB-AWS"] },
    { db: "$external", user: TEMP_ARN, mechanisms: ["MONGODB-AWS"] },
  ],
} as ServerConfig;

for (const { name, transport } of await transports()) {
  describe(`MONGODB-AWS end to end (${name} transport)`, () => {
    let server: RunningServer;
    before(async () => void (server = await startServer(config)));
    after(() => server.close());

    it("authenticates with keys from the connection string, percent-decoded", async () => {
      const uri = `mongodb://${KEY_ID}:${
        encodeURIComponent(SECRET)
      }@${server.address}/?authMechanism=MONGODB-AWS`;
      const conn = await connectWith(transport, uri, { env: testEnv() });
      try {
        assert.equal(conn.handshake.mechanism, "MONGODB-AWS");
        assert.deepEqual(await whoami(conn), { user: USER_ARN, db: "$external" });
      } finally {
        await conn.close();
      }
    });

    it("authenticates with a session token from authMechanismProperties", async () => {
      const uri = `mongodb://${TEMP_KEY_ID}:${encodeURIComponent(TEMP_SECRET)}@${server.address}/` +
        `?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:${encodeURIComponent(TOKEN)}`;
      const conn = await connectWith(transport, uri, { env: testEnv() });
      assert.deepEqual(await whoami(conn), { user: TEMP_ARN, db: "$external" });
      await conn.close();
    });

    it("authenticates with keys from the environment", async () => {
      const env = testEnv({ AWS_ACCESS_KEY_ID: KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET });
      const conn = await connectWith(transport, `mongodb://${server.address}/?authMechanism=MONGODB-AWS`, {
        env,
      });
      assert.deepEqual(await whoami(conn), { user: USER_ARN, db: "$external" });
      await conn.close();
    });

    it("a wrong secret fails with AUTHENTICATION_FAILED and the secret appears nowhere", async () => {
      const uri = `mongodb://${KEY_ID}:not-the-secret@${server.address}/?authMechanism=MONGODB-AWS`;
      await assert.rejects(connectWith(transport, uri, { env: testEnv() }), (err: unknown) => {
        assert.ok(err instanceof MongoAuthError);
        assert.equal(err.code, "AUTHENTICATION_FAILED");
        assert.doesNotMatch(
          JSON.stringify({ m: err.message, c: String(err.cause), s: err.stack }),
          /not-the-secret/,
        );
        return true;
      });
    });

    it("authenticates with the role of an IAM Identity Center profile, after `aws sso login`", async () => {
      const sso = await startSsoStage("Temp", {
        accessKeyId: TEMP_KEY_ID,
        secretAccessKey: TEMP_SECRET,
        sessionToken: TOKEN,
      });
      try {
        const env = testEnv(sso.vars, { home: sso.home });
        const conn = await connectWith(transport, `mongodb://${server.address}/?authMechanism=MONGODB-AWS`, {
          env,
        });
        assert.deepEqual(await whoami(conn), { user: TEMP_ARN, db: "$external" });
        await conn.close();
        assert.equal(sso.portal.requests.length, 1);
      } finally {
        await sso.close();
      }
    });

    it("authenticates with what a profile's credential_process prints, run through the shell", async () => {
      const home = tempHome({
        "creds.json": JSON.stringify({
          Version: 1,
          AccessKeyId: TEMP_KEY_ID,
          SecretAccessKey: TEMP_SECRET,
          SessionToken: TOKEN,
          Expiration: new Date(Date.now() + 60 * 60 * 1000).toISOString(),
        }),
      });
      try {
        const config = `[profile tool]\ncredential_process = cat '${home.path("creds.json")}'\n`;
        writeFileSync(home.path("config"), config);
        const env = testEnv({ AWS_PROFILE: "tool", AWS_CONFIG_FILE: home.path("config") }, {
          home: home.home,
          runCommand: runShellCommand,
        });
        const conn = await connectWith(transport, `mongodb://${server.address}/?authMechanism=MONGODB-AWS`, {
          env,
        });
        assert.deepEqual(await whoami(conn), { user: TEMP_ARN, db: "$external" });
        await conn.close();
      } finally {
        home.cleanup();
      }
    });

    it("with no credentials anywhere, says which sources it tried", async () => {
      await assert.rejects(
        connectWith(transport, `mongodb://${server.address}/?authMechanism=MONGODB-AWS`, { env: testEnv() }),
        { code: "CREDENTIAL_PROVIDER_ERROR" },
      );
    });
  });
}

const ROLE_ARN = "arn:aws:sts::123456789012:assumed-role/task/abc";
const ROLE_USER = "arn:aws:sts::123456789012:assumed-role/task/*";

function newCache(): AuthCache {
  const entries = new Map<string, unknown>();
  return {
    get: <T>(key: string, create: () => T): T => {
      if (!entries.has(key)) entries.set(key, create());
      return entries.get(key) as T;
    },
  };
}

describe("MONGODB-AWS over the wire against the reference server", () => {
  const creds = tempCredentials("task", Date.now() + 60 * 60 * 1000);
  let server: RunningServer;
  let ecs: Fake;
  before(async () => {
    ecs = await startFakeEcs({ path: "/v2/creds", authorization: "ecs-auth", credentials: creds });
    const config = {
      aws: {
        accounts: [{
          accessKeyId: creds.AccessKeyId,
          secretAccessKey: creds.SecretAccessKey,
          sessionToken: creds.Token,
          arn: ROLE_ARN,
        }],
      },
      users: [{ db: "$external", user: ROLE_USER, mechanisms: ["MONGODB-AWS"] }],
    } as ServerConfig;
    server = await startServer(config, { mechanisms: [awsMechanism()] });
  });
  after(async () => {
    await server.close();
    await ecs.close();
  });

  async function authenticate(env: RuntimeEnv, cache: AuthCache): Promise<unknown> {
    const socket = await nodeTransport.openSocket({
      host: server.host,
      port: server.port,
      signal: AbortSignal.timeout(5000),
    });
    const wire = new WireConnection(socket, { timeoutMS: 5000 });
    try {
      await wire.command("admin", { hello: 1 });
      const credential = {
        source: "$external",
        mechanism: "MONGODB-AWS",
        mechanismProperties: {},
      } as MongoCredential;
      await mongodbAws.create({ credential, host: server.host, env, cache }).finish(wire, undefined);
      const status = await wire.command("admin", { connectionStatus: 1 });
      return (status.authInfo as { authenticatedUsers: unknown }).authenticatedUsers;
    } finally {
      await wire.close();
    }
  }

  it("authenticates with ECS credentials and reuses them on the next connection", async () => {
    const env = testEnv({
      AWS_CONTAINER_CREDENTIALS_FULL_URI: ecs.url + "/v2/creds",
      AWS_CONTAINER_AUTHORIZATION_TOKEN: "ecs-auth",
    });
    const cache = newCache();
    assert.deepEqual(await authenticate(env, cache), [{ user: ROLE_USER, db: "$external" }]);
    assert.deepEqual(await authenticate(env, cache), [{ user: ROLE_USER, db: "$external" }]);
    assert.equal(ecs.requests.length, 1);
  });

  it("is refused with 18 for keys the server does not know", async () => {
    const env = testEnv({ AWS_ACCESS_KEY_ID: "AKIDNOBODY", AWS_SECRET_ACCESS_KEY: "x" });
    await assert.rejects(authenticate(env, newCache()), (err: unknown) => {
      assert.ok(err instanceof MongoServerError);
      assert.equal(err.serverCode, 18);
      return true;
    });
  });
});
