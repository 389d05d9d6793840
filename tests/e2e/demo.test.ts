// The demo's logins, on every transport of this runtime: each mechanism ends as expected, in the
// expected number of round trips.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { connectWith, type Document } from "@mongo-auth/core";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import { demoScenarios, type DemoSetup } from "../../examples/demo-scenarios.ts";
import { transports } from "../support/transports.ts";

const setup: DemoSetup = await demoScenarios();

for (const { name, transport } of await transports()) {
  describe(`the demo's logins (${name} transport)`, () => {
    let server: RunningServer;
    let personServer: RunningServer;
    before(async () => {
      server = await startServer(setup.serverConfig);
      personServer = await startServer(setup.personServerConfig);
    });
    after(async () => {
      await server.close();
      await personServer.close();
    });

    for (const scenario of setup.scenarios()) {
      it(`${scenario.label}: ${scenario.expect.mechanism} in ${scenario.expect.roundTrips} round trip(s)`, async () => {
        const target = scenario.server === "person" ? personServer : server;
        const conn = await connectWith(transport, scenario.uri(target.address), scenario.options);
        try {
          assert.equal(conn.handshake.mechanism, scenario.expect.mechanism);
          assert.equal(conn.handshake.roundTrips, scenario.expect.roundTrips);
          const status = await conn.command("admin", { connectionStatus: 1 });
          const [user] = (status.authInfo as Document).authenticatedUsers as Document[];
          assert.deepEqual(user, { user: scenario.expect.user, db: scenario.expect.db });
        } finally {
          await conn.close();
        }
      });
    }
  });
}

after(() => setup.close());
