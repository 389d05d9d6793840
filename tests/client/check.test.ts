// checkServer: the hello each connection sends. Its client document is the same for every connection of one
// transport and appName, so it is built once, not per connection.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { connectWith, type Transport } from "@mongo-auth/core";
import { nodeTransport } from "../../src/transport/node.ts";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import { scriptedDeployment } from "../support/scripted-deployment.ts";

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
