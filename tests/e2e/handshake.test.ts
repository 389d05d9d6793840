// The handshake's client metadata against the reference server, which checks it as mongod 7.0 does
// (application name at most 128 bytes: 184; document at most 1024 bytes: 185): our client refuses a
// longer appName itself, and keeps its metadata within the handshake spec's 512 bytes, on every transport.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { connectWith, MongoAuthError, type Transport } from "@mongo-auth/core";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import { transports } from "../support/transports.ts";

for (const { name, transport } of await transports()) {
  describe(`handshake metadata (${name} transport)`, () => {
    let server: RunningServer;
    before(async () => {
      server = await startServer({
        users: [{ db: "admin", user: "alice", password: "alice-pw", mechanisms: ["SCRAM-SHA-256"] }],
      });
    });
    after(() => server.close());

    const uri = (query: string) => `mongodb://alice:alice-pw@${server.address}/${query}`;

    it("refuses an appName over 128 bytes with INVALID_OPTION before it connects", async () => {
      const opened = server.stats.connectionsOpened;
      for (
        const attempt of [
          () => connectWith(transport, uri(`?appName=${"a".repeat(200)}`)),
          () => connectWith(transport, uri(""), { appName: "é".repeat(65) }),
        ]
      ) {
        await assert.rejects(attempt(), (err: unknown) => {
          assert.ok(err instanceof MongoAuthError);
          assert.equal(err.code, "INVALID_OPTION");
          assert.match(err.message, /appName must be at most 128 bytes/);
          return true;
        });
      }
      assert.equal(server.stats.connectionsOpened, opened);
    });

    it("sends an appName of exactly 128 bytes, which the server takes", async () => {
      const appName = "é".repeat(63) + "ab";
      const conn = await connectWith(transport, uri(""), { appName });
      await conn.close();
      assert.deepEqual(server.stats.clientMetadata.at(-1)?.appName, appName);
    });

    it("keeps its metadata within 512 bytes when the runtime's platform string is huge", async () => {
      const verbose: Transport = { ...transport, platform: `${transport.platform} ${"x".repeat(2000)}` };
      const conn = await connectWith(verbose, uri(""), { appName: "a".repeat(128) });
      await conn.close();
      const sent = server.stats.clientMetadata.at(-1)!;
      assert.equal(sent.appName, "a".repeat(128));
      assert.ok(sent.bytes <= 512, `${sent.bytes} bytes`);
    });
  });
}
