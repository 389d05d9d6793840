// checkServer: the hello each connection sends. Its client document is the same for every connection of one
// transport and appName, so it is built once, not per connection.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { connectWith, type Transport } from "@mongo-auth/core";
import { nodeTransport } from "../../src/transport/node.ts";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";

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
