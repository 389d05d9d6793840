// Replica set members that lie in their hello: connect() must end with a coded error, in time, having closed
// every socket it opened — never a TypeError, a loop between members that name each other, or a hang. Each
// "member" is the hostile peer in front of a reference standalone, its hello rewritten into a secondary's.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { connectWith, MongoAuthError } from "@mongo-auth/core";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import { type HostileServer, startHostileServer } from "../support/hostile-server.ts";
import { settledWithin } from "../support/settled-within.ts";
import { transports } from "../support/transports.ts";

type Doc = Record<string, unknown>;

const USERS = [{ db: "admin", user: "alice", password: "alice-pw", mechanisms: ["SCRAM-SHA-256"] }];

for (const { name, transport } of await transports()) {
  describe(`members whose hello lies (${name} transport)`, () => {
    let upstream: RunningServer;
    const peers: HostileServer[] = [];
    before(async () => {
      upstream = await startServer({ users: USERS });
    });
    after(async () => {
      await Promise.all(peers.map((p) => p.close()));
      await upstream?.close();
    });

    // A peer whose hello says it is a secondary of rs0; `lie` adds or overrides fields, given its address.
    async function member(lie: (self: string) => Doc): Promise<HostileServer> {
      let self = "";
      const peer = await startHostileServer({
        upstream: { host: upstream.host, port: upstream.port },
        plan: {
          rewriteReply: (body, index) =>
            index === 1
              ? { ...body, isWritablePrimary: false, secondary: true, setName: "rs0", me: self, ...lie(self) }
              : body,
        },
      });
      self = peer.address;
      peers.push(peer);
      return peer;
    }

    async function refused(seeds: HostileServer[], code: string, message: RegExp): Promise<void> {
      const uri = `mongodb://alice:alice-pw@${seeds.map((s) => s.address).join(",")}/?replicaSet=rs0`;
      await settledWithin(
        5000,
        "connect() to lying members",
        assert.rejects(connectWith(transport, uri, { connectTimeoutMS: 1000 }), (err: unknown) => {
          assert.ok(err instanceof MongoAuthError, String(err));
          assert.equal(err.code, code, err.message);
          assert.match(err.message, message);
          return true;
        }),
      );
      for (const peer of seeds) {
        for (const connection of peer.connections) {
          await settledWithin(1000, `closing ${peer.address}`, connection.closed);
        }
      }
    }

    it("names itself as primary while saying it is a secondary: no primary, after one check", async () => {
      const liar = await member((self) => ({ hosts: [self], primary: self }));
      await refused([liar], "SERVER_SELECTION_FAILED", /replica set "rs0" has no primary that answers/);
      assert.equal(liar.connections.length, 1);
    });

    it("two secondaries naming each other as primary: each checked once, then no primary", async () => {
      let other = "";
      const a = await member((self) => ({ hosts: [self, other], primary: other }));
      const b = await member((self) => ({ hosts: [a.address, self], primary: a.address }));
      other = b.address;
      await refused([a, b], "SERVER_SELECTION_FAILED", /has no primary that answers/);
      assert.equal(a.connections.length + b.connections.length, 2);
    });

    it("a primary and hosts that are not host:port, fields of the wrong type: a coded error naming the member", async () => {
      const liar = await member((self) => ({
        hosts: [self, "127.0.0.1:99999", 42], // loopback only: the members it lists are dialled
        passives: "db2.example.net:27017",
        primary: "::::",
        tags: ["dc", "ny"],
        setVersion: "one",
        electionId: "not an ObjectId",
        topologyVersion: { processId: 1, counter: "x" },
      }));
      await refused(
        [liar],
        "SERVER_SELECTION_FAILED",
        new RegExp(`${liar.address} is a secondary of replica set "rs0".*127\\.0\\.0\\.1:99999`),
      );
    });

    it("a primary that is nothing listening: SERVER_SELECTION_FAILED naming it", async () => {
      const liar = await member((self) => ({ hosts: [self, "127.0.0.1:1"], primary: "127.0.0.1:1" }));
      await refused([liar], "SERVER_SELECTION_FAILED", /naming 127\.0\.0\.1:1 as primary.*127\.0\.0\.1:1/);
    });
  });
}
