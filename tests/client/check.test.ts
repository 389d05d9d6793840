// checkServer: the hello each connection sends. Its client document is the same for every connection of one
// transport and appName, so it is built once, not per connection.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { connectWith, type MongoAuthError, runtimeEnv, type Transport } from "@mongo-auth/core";
import { nodeTransport } from "../../src/transport/node.ts";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import { scriptedDeployment, silentHost } from "../support/scripted-deployment.ts";
import { memorySocket, replyTo } from "../support/memory-socket.ts";
import { settledWithin } from "../support/settled-within.ts";

const users = [{ db: "admin", user: "alice", password: "alice-pw", mechanisms: ["SCRAM-SHA-256"] }];

// The Node.js transport, counting how often a client document is built from its platform.
function countingTransport(): { transport: Transport; builds: () => number } {
  let reads = 0;
  const transport = Object.create(nodeTransport, {
    platform: { get: () => (reads++, "Counting 1.0") },
  }) as Transport;
  return { transport, builds: () => reads };
}

describe("checkServer's hello", () => {
  let server: RunningServer;
  before(async () => void (server = await startServer({ users })));
  after(() => server.close());

  it("builds the client document once per transport and appName, and sends it on every connection", async () => {
    const { transport, builds } = countingTransport();
    const uri = (appName: string) =>
      `mongodb://alice:alice-pw@${server.address}/?authSource=admin&appName=${appName}`;
    const before = server.stats.clientMetadata.length;
    for (const appName of ["billing", "billing", "billing", "reports", "billing"]) {
      const conn = await connectWith(transport, uri(appName));
      await conn.close();
    }
    assert.equal(builds(), 2); // billing, then reports
    const sent = server.stats.clientMetadata.slice(before).map((m) => m.appName);
    assert.deepEqual(sent, ["billing", "billing", "billing", "reports", "billing"]);
  });
});

describe("checkServer's hello and compression", () => {
  const uri = "mongodb://db.example:27017/?directConnection=true";
  const helloOf = async (options: { compressors?: string[] }) => {
    const deployment = scriptedDeployment({ "db.example:27017": { isWritablePrimary: true } });
    await (await connectWith(deployment.transport, uri, options)).close();
    return deployment.bodies.get("db.example:27017")![0];
  };

  it("offers the compressors in the client's order", async () => {
    assert.deepEqual((await helloOf({ compressors: ["zlib", "snappy"] })).compression, ["zlib", "snappy"]);
  });

  it("offers nothing when none are configured (not the specification's SHOULD of an empty list: measured slower)", async () => {
    assert.equal("compression" in await helloOf({}), false);
    assert.equal("compression" in await helloOf({ compressors: ["lz4"] }), false);
  });
});

describe("checkServer's hello with a declared Stable API version (serverApi)", () => {
  const uri = "mongodb://db.example:27017/?directConnection=true";

  it("carries apiVersion, and apiStrict and apiDeprecationErrors as given", async () => {
    const deployment = scriptedDeployment({ "db.example:27017": { isWritablePrimary: true } });
    const conn = await connectWith(deployment.transport, uri, {
      serverApi: { version: "1", strict: true, deprecationErrors: false },
    });
    await conn.command("admin", { ping: 1 });
    await conn.close();
    const [hello, ping] = deployment.bodies.get("db.example:27017")!;
    assert.equal(Object.keys(hello)[0], "hello");
    for (const body of [hello, ping]) {
      assert.equal(body.apiVersion, "1");
      assert.equal(body.apiStrict, true);
      assert.equal(body.apiDeprecationErrors, false);
    }
  });

  it("sends no Stable API field when none is declared", async () => {
    const deployment = scriptedDeployment({ "db.example:27017": { isWritablePrimary: true } });
    const conn = await connectWith(deployment.transport, uri);
    await conn.command("admin", { ping: 1 });
    await conn.close();
    for (const body of deployment.bodies.get("db.example:27017")!) {
      assert.deepEqual(Object.keys(body).filter((key) => key.startsWith("api")), []);
    }
  });

  it("never falls back to the legacy isMaster, as the Stable API specification says", async () => {
    const legacy = { "db.example:27017": { isMasterOnly: { ismaster: true } } };
    const without = scriptedDeployment(legacy);
    await (await connectWith(without.transport, uri)).close();
    assert.deepEqual(without.commands.get("db.example:27017"), ["hello", "isMaster"]);

    const declared = scriptedDeployment(legacy);
    await assert.rejects(connectWith(declared.transport, uri, { serverApi: "1" }), {
      code: "SERVER_ERROR",
      serverCode: 59,
    });
    assert.deepEqual(declared.commands.get("db.example:27017"), ["hello"]);
  });
});

describe("checkServer when connectTimeoutMS runs out: where the check stood, and what stops it there most often", () => {
  const timeout = async (uri: string, transport: Transport): Promise<string> => {
    const error = await connectWith(transport, uri, { connectTimeoutMS: 50 }).then(
      () => assert.fail("connect() should have timed out"),
      (e: unknown) => e as MongoAuthError,
    );
    assert.equal(error.code, "TIMEOUT", error.message);
    return error.message;
  };
  const dropsPackets = (host: string) => silentHost(scriptedDeployment({}), host);

  it("no TCP connection: a firewall's doing, most often", async () => {
    assert.equal(
      await timeout("mongodb://db.internal:27017/", dropsPackets("db.internal")),
      "connecting to db.internal:27017 timed out after 50 ms (connectTimeoutMS): the TCP connection did not open, " +
        "as when a firewall drops it: check the host, the port, and that this machine may reach it",
    );
  });

  it("to MongoDB Atlas: its IP Access List, and where to add the address; or a paused cluster", async () => {
    const host = "cluster0-shard-00-00.abcde.mongodb.net";
    assert.equal(
      await timeout(`mongodb://${host}:27017/?tls=true`, dropsPackets(host)),
      `connecting to ${host}:27017 timed out after 50 ms (connectTimeoutMS): the TCP connection or the TLS ` +
        "handshake did not complete: MongoDB Atlas answers only the addresses on its project's IP Access List; " +
        "add this machine's public IP address there (Network Access in the Atlas UI); a paused cluster does not " +
        "answer either",
    );
  });

  it("through a SOCKS5 proxy: the proxied connection", async () => {
    assert.match(
      await timeout("mongodb://db.internal:27017/?proxyHost=proxy.internal", dropsPackets("db.internal")),
      /\(connectTimeoutMS\): the connection through the SOCKS5 proxy proxy\.internal:1080 did not open: the proxy did not answer \(check proxyHost and proxyPort: a SOCKS5 proxy's port, often 1080\), or could not reach the host, as when a firewall drops it$/,
    );
  });

  it("the connection opened but hello went unanswered: is it MongoDB's port?", async () => {
    const deployment = scriptedDeployment({ "db.internal:27017": { isWritablePrimary: true } }, undefined, {
      "db.internal:27017": 300,
    });
    assert.equal(
      await timeout("mongodb://db.internal:27017/", deployment.transport),
      "connecting to db.internal:27017 timed out after 50 ms (connectTimeoutMS): the connection opened, but " +
        "hello got no answer: check that the port is a MongoDB server's, and whether the server is overloaded",
    );
  });

  it("while the credential is read (a token file that never comes): the authentication, not the network", async () => {
    const deployment = scriptedDeployment({ "db.internal:27017": { isWritablePrimary: true } });
    const hangs = () => new Promise<string>(() => {});
    assert.equal(
      await timeout(
        "mongodb://db.internal:27017/?authMechanism=MONGODB-OIDC&authMechanismProperties=ENVIRONMENT:test",
        Object.create(deployment.transport, {
          defaultEnv: {
            value: () => runtimeEnv({ env: { OIDC_TOKEN_FILE: "/token" }, readTextFile: hangs }),
          },
        }),
      ),
      "connecting to db.internal:27017 timed out after 50 ms (connectTimeoutMS): the authentication " +
        "(MONGODB-OIDC) did not finish: a credential source or callback was slow to answer, or the server its steps",
    );
  });
});

describe("checkServer: hello's maxMessageSizeBytes limits the replies the connection waits for", () => {
  // A server that answers hello announcing `announced`, then answers the next command with the header of a
  // message of `claimed` bytes and nothing after it.
  const claiming = (announced: number, claimed: number): Transport =>
    Object.create(nodeTransport, {
      openSocket: {
        value: () => {
          const { socket, peer } = memorySocket();
          void (async () => {
            const hello = await peer.nextWrite();
            peer.send(
              replyTo(hello, {
                ok: 1,
                isWritablePrimary: true,
                maxWireVersion: 21,
                maxMessageSizeBytes: announced,
              }),
            );
            const next = await peer.nextWrite();
            const header = new DataView(new ArrayBuffer(16));
            header.setUint32(0, claimed, true);
            header.setInt32(8, new DataView(next.buffer, next.byteOffset).getInt32(4, true), true);
            header.setInt32(12, 2013, true);
            peer.send(new Uint8Array(header.buffer));
          })();
          return Promise.resolve(socket);
        },
      },
    });
  const uri = "mongodb://db.example:27017/?directConnection=true&socketTimeoutMS=20000";

  // A command whose reply claims `claimed` bytes, on a connection to a server announcing `announced`.
  async function refusedAt(announced: number, claimed: number, limit: number): Promise<void> {
    const conn = await connectWith(claiming(announced, claimed), uri);
    try {
      await settledWithin(
        2000,
        `a command whose reply claims ${claimed} bytes`,
        assert.rejects(conn.command("admin", { ping: 1 }), {
          code: "MESSAGE_TOO_LARGE",
          message: new RegExp(`more than maxMessageSizeBytes \\(${limit}\\)`),
        }),
      );
    } finally {
      await conn.close();
    }
  }

  it("no more than mongod's 48 000 000 bytes, whatever a server announces: a larger reply is refused at its header", async () => {
    await refusedAt(2 ** 40, 100_000_000, 48_000_000);
  });

  it("a smaller limit the server announces is kept", async () => {
    await refusedAt(4096, 8192, 4096);
  });
});
