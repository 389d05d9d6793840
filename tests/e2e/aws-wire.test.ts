// MONGODB-AWS over real sockets: our mechanism on a WireConnection to the reference server, with
// credentials fetched from a loopback ECS endpoint, then connectionStatus names the ARN.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mongodbAws } from "../../src/mechanisms/aws/mechanism.ts";
import type { AuthCache } from "../../src/auth/mechanism.ts";
import type { MongoCredential } from "../../src/credential/mongo-credential.ts";
import type { RuntimeEnv } from "../../src/core/runtime-env.ts";
import { nodeTransport } from "../../src/transport/node.ts";
import { WireConnection } from "../../src/wire/wire-connection.ts";
import { MongoServerError } from "../../src/core/errors.ts";
import { awsMechanism } from "../../testing/reference-server/mechanisms/aws.ts";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import type { ServerConfig } from "../../testing/reference-server/config.ts";
import { type Fake, startFakeEcs, tempCredentials, testEnv } from "../support/aws-fakes.ts";

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
