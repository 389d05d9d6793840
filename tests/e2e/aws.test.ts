// MONGODB-AWS end to end through connect(): our client, through each transport of this runtime,
// against the reference server's independent SigV4 check. No request leaves loopback: the env is
// injected (IMDS disabled) and fetch refuses anything but 127.0.0.1.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { connectWith, type Document, MongoAuthError } from "@mongo-auth/core";
import type { ServerConfig } from "../../testing/reference-server/config.ts";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import { testEnv } from "../support/aws-fakes.ts";
import { transports } from "../support/transports.ts";

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

async function whoami(conn: { command(db: string, cmd: Document): Promise<Document> }) {
  const status = await conn.command("admin", { connectionStatus: 1 });
  return ((status.authInfo as Document).authenticatedUsers as Document[])[0];
}

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

    it("with no credentials anywhere, says which sources it tried", async () => {
      await assert.rejects(
        connectWith(transport, `mongodb://${server.address}/?authMechanism=MONGODB-AWS`, { env: testEnv() }),
        { code: "CREDENTIAL_PROVIDER_ERROR" },
      );
    });
  });
}
