// The cross-check that makes the reference server trustworthy: the official `mongodb` driver
// authenticates against it with every SCRAM variant, and fails exactly where a real mongod
// makes it fail.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type AuthMechanism, MongoClient, MongoServerError } from "mongodb";
import type { ServerConfig } from "../../testing/reference-server/config.ts";
import { MATRIX_USERS, SASLPREP_LOGINS } from "../../testing/reference-server/matrix.ts";
import type { RunningServer } from "../../testing/reference-server/server.ts";
import { withServer } from "../support/with-server.ts";

const CONFIG: ServerConfig = { users: MATRIX_USERS };

interface Login {
  user: string;
  password: string;
  authSource?: string;
  mechanism?: AuthMechanism;
}

/** Connects, runs fn with the client, always closes the client. */
async function withClient<T>(
  server: RunningServer,
  login: Login,
  fn: (client: MongoClient) => Promise<T>,
): Promise<T> {
  const client = new MongoClient(`mongodb://${server.address}/`, {
    auth: { username: login.user, password: login.password },
    authSource: login.authSource ?? "admin",
    authMechanism: login.mechanism,
    serverSelectionTimeoutMS: 3000,
    connectTimeoutMS: 3000,
    maxPoolSize: 1,
  });
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

async function authenticatedUsers(server: RunningServer, login: Login): Promise<unknown> {
  return await withClient(server, login, async (client) => {
    const status = await client.db("admin").command({ connectionStatus: 1 });
    return status.authInfo.authenticatedUsers;
  });
}

async function authError(server: RunningServer, login: Login): Promise<MongoServerError> {
  const error = await withClient(server, login, (client) => client.db("admin").command({ ping: 1 })).then(
    () => assert.fail("authentication should have failed"),
    (e: unknown) => e,
  );
  assert.ok(error instanceof MongoServerError, `expected a server error, got ${error}`);
  return error;
}

describe("official mongodb driver against the reference server", () => {
  for (const mechanism of ["SCRAM-SHA-1", "SCRAM-SHA-256"] as const) {
    it(`authenticates with ${mechanism}`, async () => {
      await withServer(CONFIG, async (server) => {
        const users = await authenticatedUsers(server, { user: "alice", password: "alice-pw", mechanism });
        assert.deepEqual(users, [{ user: "alice", db: "admin" }]);
        assert.equal(server.stats.authSuccessesByMechanism[mechanism], 1);
      });
    });
  }

  it("negotiates SCRAM-SHA-256 and authenticates speculatively (no saslStart on the wire)", async () => {
    await withServer(CONFIG, async (server) => {
      const users = await authenticatedUsers(server, { user: "alice", password: "alice-pw" });
      assert.deepEqual(users, [{ user: "alice", db: "admin" }]);
      assert.equal(server.stats.commands.saslStart, undefined);
      assert.equal(server.stats.commands.saslContinue, 1);
      assert.deepEqual(server.stats.speculative, { received: 1, successful: 1 });
      assert.deepEqual(server.stats.authSuccessesByMechanism, { "SCRAM-SHA-256": 1 });
      // The driver opens with the legacy OP_QUERY isMaster and moves to OP_MSG after it.
      assert.ok((server.stats.opcodes.OP_QUERY ?? 0) >= 1);
      assert.ok((server.stats.opcodes.OP_MSG ?? 0) >= 2);
    });
  });

  it("negotiates SCRAM-SHA-1 for a user that only has SCRAM-SHA-1 credentials", async () => {
    await withServer(CONFIG, async (server) => {
      const users = await authenticatedUsers(server, {
        user: "sha1only",
        password: "old-pw",
        authSource: "app",
      });
      assert.deepEqual(users, [{ user: "sha1only", db: "app" }]);
      // The speculative SCRAM-SHA-256 attempt failed silently; the driver then ran SCRAM-SHA-1.
      assert.deepEqual(server.stats.speculative, { received: 1, successful: 0 });
      assert.equal(server.stats.commands.saslStart, 1);
      assert.deepEqual(server.stats.authSuccessesByMechanism, { "SCRAM-SHA-1": 1 });
    });
  });

  it("authenticates a user name holding '=' and ',' with SCRAM-SHA-256", async () => {
    await withServer(CONFIG, async (server) => {
      const login = { user: "a=b,c", password: "odd-pw", mechanism: "SCRAM-SHA-256" } as const;
      assert.deepEqual(await authenticatedUsers(server, login), [{ user: "a=b,c", db: "admin" }]);
    });
  });

  it("fails that user with SCRAM-SHA-1 (code 18): the driver digests the escaped name, mongod the raw one", async () => {
    await withServer(CONFIG, async (server) => {
      const error = await authError(server, { user: "a=b,c", password: "odd-pw", mechanism: "SCRAM-SHA-1" });
      assert.equal(error.code, 18);
      assert.deepEqual(server.stats.authFailureReasons, ["SCRAM authentication failed, storedKey mismatch"]);
    });
  });

  it("SASLpreps SCRAM-SHA-256 passwords (auth spec prose test)", async () => {
    await withServer(CONFIG, async (server) => {
      for (const [user, password] of SASLPREP_LOGINS) {
        const login = { user, password, mechanism: "SCRAM-SHA-256" } as const;
        assert.deepEqual(
          await authenticatedUsers(server, login),
          [{ user, db: "admin" }],
          `${user} / ${password}`,
        );
      }
    });
  });

  it("fails a wrong password with code 18 AuthenticationFailed", async () => {
    await withServer(CONFIG, async (server) => {
      for (const mechanism of [undefined, "SCRAM-SHA-1", "SCRAM-SHA-256"] as const) {
        const error = await authError(server, { user: "alice", password: "wrong", mechanism });
        assert.equal(error.code, 18, String(mechanism));
        assert.equal(error.codeName, "AuthenticationFailed");
      }
    });
  });

  it("fails a command with the failpoint's code", async () => {
    await withServer(CONFIG, async (server) => {
      await withClient(server, { user: "alice", password: "alice-pw" }, async (client) => {
        const admin = client.db("admin");
        await admin.command({
          configureFailPoint: "failCommand",
          mode: { times: 1 },
          data: { failCommands: ["buildInfo"], errorCode: 8 },
        });
        await assert.rejects(() => admin.command({ buildInfo: 1 }), (e: unknown) => {
          return e instanceof MongoServerError && e.code === 8 && e.codeName === "UnknownError";
        });
        assert.equal((await admin.command({ buildInfo: 1 })).version, "7.0.0");
      });
    });
  });

  it("makes the driver re-authenticate on 391 ReauthenticationRequired and retry", async () => {
    await withServer(CONFIG, async (server) => {
      await withClient(server, { user: "alice", password: "alice-pw" }, async (client) => {
        const admin = client.db("admin");
        await admin.command({
          configureFailPoint: "failCommand",
          mode: { times: 1 },
          data: { failCommands: ["connectionStatus"], errorCode: 391 },
        });
        const status = await admin.command({ connectionStatus: 1 });
        assert.deepEqual(status.authInfo.authenticatedUsers, [{ user: "alice", db: "admin" }]);
        assert.equal(server.stats.failpointHits, 1);
        assert.equal(server.stats.commands.saslStart, 1, "the re-authentication is a full saslStart");
        assert.equal(server.stats.authSuccesses, 2);
      });
    });
  });
});
