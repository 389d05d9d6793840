// The official `mongodb` driver (v7) authenticates with MONGODB-AWS against the reference server,
// taking its credentials from our awsCredentialProvider(): this proves both that the server's own
// SigV4 check accepts what an independent client signs and that our provider has the driver's shape.
import { createRequire } from "node:module";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { MongoClient, MongoServerError } from "mongodb";
import { awsCredentialProvider } from "../../src/transport/node.ts";
import { awsMechanism } from "../../testing/reference-server/mechanisms/aws.ts";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import type { ServerConfig } from "../../testing/reference-server/config.ts";
import { startSsoStage, tempHome, testEnv } from "../support/aws-fakes.ts";
import { runShellCommand } from "../../src/transport/run-command.ts";
import { writeFileSync } from "node:fs";

const ALICE = {
  accessKeyId: "AKIDALICE",
  secretAccessKey: "alice-secret",
  arn: "arn:aws:iam::123456789012:user/alice",
};
const ROLE = {
  accessKeyId: "ASIAROLE",
  secretAccessKey: "role-secret",
  sessionToken: "role-token",
  arn: "arn:aws:sts::123456789012:assumed-role/app/session-1",
};
const CONFIG = {
  aws: { accounts: [ALICE, ROLE] },
  users: [
    { db: "$external", user: ALICE.arn, mechanisms: ["MONGODB-AWS"] },
    { db: "$external", user: "arn:aws:sts::123456789012:assumed-role/app/*", mechanisms: ["MONGODB-AWS"] },
  ],
} as ServerConfig;

/**
 * mongodb 7.9 loads the optional `@aws-sdk/credential-providers` module before it looks at a
 * user-supplied AWS_CREDENTIAL_PROVIDER, and throws when it is not installed, although it never
 * uses it then. Seed the driver's lazily loaded handle with a stand-in that fails if it is ever
 * called, so the test also proves the driver used our provider and nothing else.
 */
function satisfyDriverSdkCheck(): void {
  const require = createRequire(import.meta.url);
  const { AWSSDKCredentialProvider } = require("mongodb/lib/cmap/auth/aws_temporary_credentials.js");
  AWSSDKCredentialProvider._awsSDK = {
    fromNodeProviderChain() {
      throw new Error("the AWS SDK chain must not be used: AWS_CREDENTIAL_PROVIDER was given");
    },
  };
}

async function connectionStatus(
  server: RunningServer,
  vars: Record<string, string | undefined>,
  envOptions: Parameters<typeof testEnv>[1] = {},
): Promise<unknown> {
  const env = testEnv(vars, envOptions);
  const client = new MongoClient(
    `mongodb://${server.address}/?authMechanism=MONGODB-AWS&authSource=%24external`,
    {
      authMechanismProperties: { AWS_CREDENTIAL_PROVIDER: awsCredentialProvider({ env }) },
      serverSelectionTimeoutMS: 3000,
      connectTimeoutMS: 3000,
      maxPoolSize: 1,
    },
  );
  try {
    const status = await client.db("admin").command({ connectionStatus: 1 });
    return status.authInfo.authenticatedUsers;
  } finally {
    await client.close();
  }
}

describe("official mongodb driver with awsCredentialProvider against the reference server", () => {
  let server: RunningServer;
  before(async () => {
    satisfyDriverSdkCheck();
    server = await startServer(CONFIG, { mechanisms: [awsMechanism()] });
  });
  after(() => server.close());

  it("authenticates with long-term keys", async () => {
    const users = await connectionStatus(server, {
      AWS_ACCESS_KEY_ID: ALICE.accessKeyId,
      AWS_SECRET_ACCESS_KEY: ALICE.secretAccessKey,
    });
    assert.deepEqual(users, [{ user: ALICE.arn, db: "$external" }]);
  });

  it("authenticates an assumed role with a session token", async () => {
    const users = await connectionStatus(server, {
      AWS_ACCESS_KEY_ID: ROLE.accessKeyId,
      AWS_SECRET_ACCESS_KEY: ROLE.secretAccessKey,
      AWS_SESSION_TOKEN: ROLE.sessionToken,
    });
    assert.deepEqual(users, [{ user: "arn:aws:sts::123456789012:assumed-role/app/*", db: "$external" }]);
  });

  it("authenticates with what a profile's credential_process prints (the chain the driver gets is ours)", async () => {
    const home = tempHome({
      "creds.json": JSON.stringify({
        Version: 1,
        AccessKeyId: ROLE.accessKeyId,
        SecretAccessKey: ROLE.secretAccessKey,
        SessionToken: ROLE.sessionToken,
      }),
    });
    try {
      writeFileSync(
        home.path("config"),
        `[profile app]\ncredential_process = cat '${home.path("creds.json")}'\n`,
      );
      const users = await connectionStatus(
        server,
        { AWS_PROFILE: "app", AWS_CONFIG_FILE: home.path("config") },
        { home: home.home, runCommand: runShellCommand },
      );
      assert.deepEqual(users, [{ user: "arn:aws:sts::123456789012:assumed-role/app/*", db: "$external" }]);
    } finally {
      home.cleanup();
    }
  });

  it("authenticates with the role of an IAM Identity Center profile after `aws sso login`", async () => {
    const sso = await startSsoStage("app", ROLE);
    try {
      const users = await connectionStatus(server, sso.vars, { home: sso.home });
      assert.deepEqual(users, [{ user: "arn:aws:sts::123456789012:assumed-role/app/*", db: "$external" }]);
      assert.equal(sso.portal.requests.length, 1);
    } finally {
      await sso.close();
    }
  });

  it("fails with 18 for a wrong secret or a wrong session token", async () => {
    for (
      const vars of [
        { AWS_ACCESS_KEY_ID: ALICE.accessKeyId, AWS_SECRET_ACCESS_KEY: "wrong" },
        {
          AWS_ACCESS_KEY_ID: ROLE.accessKeyId,
          AWS_SECRET_ACCESS_KEY: ROLE.secretAccessKey,
          AWS_SESSION_TOKEN: "wrong",
        },
      ]
    ) {
      const error = await connectionStatus(server, vars).then(
        () => assert.fail("must fail"),
        (e: unknown) => e,
      );
      assert.ok(error instanceof MongoServerError, `expected a server error, got ${error}`);
      assert.equal(error.code, 18);
    }
  });
});
