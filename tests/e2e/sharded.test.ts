// connect() against the reference server's mongoses and the load balancer in front of them, through each
// transport of this runtime: a seed list of mongoses ends on a near one, which receives the read preference
// as $readPreference; loadBalanced=true makes the load-balanced handshake through the balancer; a server
// that is not behind a load balancer, and the combinations the Load Balancer spec forbids, are refused.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { AuthCacheStore, connectWith, type Document } from "@mongo-auth/core";
import { type RunningShardedCluster, startShardedCluster } from "../../testing/reference-server/sharded.ts";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import { transports } from "../support/transports.ts";

const USERS = [{
  db: "admin",
  user: "alice",
  password: "alice-pw",
  mechanisms: ["SCRAM-SHA-256"],
  roles: [{ role: "readWriteAnyDatabase", db: "admin" }],
}];
const LOGIN = "alice:alice-pw";

for (const { name, transport } of await transports()) {
  describe(`mongoses and a load balancer end to end (${name} transport)`, () => {
    let cluster: RunningShardedCluster;
    let standalone: RunningServer;
    before(async () => {
      cluster = await startShardedCluster({ users: USERS, mongoses: 2, loadBalancer: true });
      standalone = await startServer({ users: USERS });
    });
    after(async () => {
      await cluster?.close();
      await standalone?.close();
    });

    const connect = (hosts: string, query = "", options = {}) =>
      connectWith(transport, `mongodb://${LOGIN}@${hosts}/${query}`, { connectTimeoutMS: 5000, ...options });
    const mongosOf = (address: string) => cluster.mongoses.find((m) => m.address === address)!;

    it("checks every mongos at once, ends on one, and writes there", async () => {
      const seeds = cluster.mongoses.map((m) => m.address).join(",");
      const conn = await connect(seeds);
      try {
        assert.equal(conn.role, "mongos");
        assert.equal(conn.topology.type, "Sharded");
        assert.deepEqual([...conn.topology.hosts].sort(), cluster.mongoses.map((m) => m.address).sort());
        assert.equal(conn.handshake.serversChecked, 2);
        assert.equal((await conn.command("app", { insert: "routed", documents: [{ via: "mongos" }] })).n, 1);
        assert.deepEqual(mongosOf(conn.address).stats.readPreferences.insert, ["none"], "primary: none sent");
      } finally {
        await conn.close();
      }
    });

    it("never ends on a mongos that answers 300 ms after the others; a client's next connections check one mongos each", async () => {
      const far = await startShardedCluster({ users: USERS, mongoses: 3 });
      try {
        const [slow, ...near] = far.mongoses;
        slow.failPoints.configure({
          configureFailPoint: "failCommand",
          mode: "alwaysOn",
          data: { failCommands: ["hello"], blockConnection: true, blockTimeMS: 300 },
        });
        const seeds = far.mongoses.map((m) => m.address).join(",");
        const nearAddresses = near.map((m) => m.address).sort();
        const chosen = new Set<string>();
        for (let client = 0; client < 3; client++) {
          const options = { cacheStore: new AuthCacheStore() };
          for (let i = 0; i < 8; i++) {
            const conn = await connect(seeds, "", options);
            try {
              assert.ok(nearAddresses.includes(conn.address), `${conn.address} is one of the near mongoses`);
              assert.equal(conn.handshake.serversChecked, i === 0 ? 3 : 1);
              const selected = conn.trace.find((e) => e.type === "server.selected");
              assert.ok(selected?.type === "server.selected");
              assert.deepEqual(selected.attributes.abandoned, i === 0 ? [slow.address] : undefined);
              assert.equal((await conn.command("admin", { ping: 1 })).ok, 1);
              chosen.add(conn.address);
            } finally {
              await conn.close();
            }
          }
        }
        assert.equal(slow.stats.connectionsOpened, 3, "one check by each client's first scan, abandoned");
        assert.deepEqual([...chosen].sort(), nearAddresses, "both near mongoses chosen");
      } finally {
        await far.close();
      }
    });

    it("passes a read preference other than primary to the mongos as $readPreference, and primary not", async () => {
      const conn = await connect(
        cluster.mongoses[0].address,
        "?readPreference=secondary&readPreferenceTags=dc:east",
      );
      try {
        assert.equal(conn.role, "mongos");
        await conn.command("app", { find: "routed", filter: {} });
        assert.equal(cluster.mongoses[0].stats.readPreferences.find?.at(-1), "secondary");
      } finally {
        await conn.close();
      }
      const primary = await connect(cluster.mongoses[0].address);
      try {
        await primary.command("app", { find: "routed", filter: {} });
        assert.equal(cluster.mongoses[0].stats.readPreferences.find?.at(-1), "none");
      } finally {
        await primary.close();
      }
    });

    it("loadBalanced=true: the load-balanced handshake through the balancer, with the mongos's serviceId", async () => {
      const lb = cluster.loadBalancer!;
      const conn = await connect(lb.address, "?loadBalanced=true");
      try {
        assert.equal(conn.role, "loadBalancer");
        assert.equal(conn.topology.type, "LoadBalanced");
        assert.deepEqual(conn.topology.hosts, [lb.address]);
        assert.match(conn.serviceId ?? "", /^[0-9a-f]{24}$/);
        const status = await conn.command("admin", { connectionStatus: 1 });
        assert.deepEqual(((status.authInfo as Document).authenticatedUsers as Document[])[0], {
          user: "alice",
          db: "admin",
        });
        assert.equal((await conn.command("app", { insert: "balanced", documents: [{}] })).n, 1);
      } finally {
        await conn.close();
      }
    });

    it("without loadBalanced=true, the mongos behind the balancer refuses the connection (354)", async () => {
      await assert.rejects(connect(cluster.loadBalancer!.address), {
        code: "SERVER_ERROR",
        serverCode: 354,
        message: /accessed through a load balancer, but this driver does not have load balancing enabled/,
      });
    });

    it("loadBalanced=true to a server not behind a load balancer: SERVER_SELECTION_FAILED saying so", async () => {
      await assert.rejects(connect(standalone.address, "?loadBalanced=true"), {
        code: "SERVER_SELECTION_FAILED",
        message: new RegExp(
          `load balancing mode, but the server does not support this mode: ${standalone.address} answered ` +
            `hello without a serviceId`,
        ),
      });
    });

    it("refuses what the Load Balancer spec forbids with loadBalanced=true, before any socket", async () => {
      const lb = cluster.loadBalancer!.address;
      const seeds = cluster.mongoses.map((m) => m.address).join(",");
      for (
        const [hosts, query, message] of [
          [seeds, "?loadBalanced=true", /loadBalanced=true needs exactly one host/],
          [lb, "?loadBalanced=true&replicaSet=rs0", /loadBalanced=true cannot be combined with replicaSet/],
          [lb, "?loadBalanced=true&directConnection=true", /cannot be combined with directConnection=true/],
        ] as const
      ) {
        await assert.rejects(connect(hosts, query), { code: "INVALID_OPTION", message });
      }
    });
  });
}
