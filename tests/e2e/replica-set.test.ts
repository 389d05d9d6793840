// connect() against a replica set of the reference server, through each transport of this runtime: a seed
// list of secondaries reaches the primary and writes there; readPreference lands where it should and
// reads work there; directConnection stays put; the wrong set, no primary and a dead primary fail clearly
// and in time; a member that steps down under a connection is NOT_PRIMARY; authentication happens on the
// member the connection ends on only.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  AuthCacheStore,
  type Connection,
  connectWith,
  type Document,
  MongoAuthError,
  MongoServerError,
  type Transport,
} from "@mongo-auth/core";
import {
  type RunningMember,
  type RunningReplicaSet,
  startReplicaSet,
} from "../../testing/reference-server/replica-set.ts";
import { fixturePath } from "../../testing/paths.ts";
import { transports } from "../support/transports.ts";
import { settledWithin } from "../support/settled-within.ts";

const READ_WRITE = [{ role: "readWriteAnyDatabase", db: "admin" }];
const USERS = [
  { db: "admin", user: "alice", password: "alice-pw", mechanisms: ["SCRAM-SHA-256"], roles: READ_WRITE },
  {
    db: "$external",
    user: "CN=client,OU=apps,O=Example,L=City,ST=State,C=US",
    mechanisms: ["MONGODB-X509"],
    roles: READ_WRITE,
  },
];
const LOGIN = "alice:alice-pw";

async function whoami(conn: Connection): Promise<Document> {
  const status = await conn.command("admin", { connectionStatus: 1 });
  return ((status.authInfo as Document).authenticatedUsers as Document[])[0];
}

const count = (member: RunningMember, command: string) => member.stats.commands[command] ?? 0;
const selected = (conn: Connection) => {
  const event = conn.trace.find((e) => e.type === "server.selected");
  assert.ok(event?.type === "server.selected", "a server.selected event");
  return event.attributes;
};
const authentications = (members: readonly RunningMember[]) => members.map((m) => m.stats.authSuccesses);
// The member accepts connections and holds each hello for `ms` (mode: the failpoint's, alwaysOn or a count).
const holdHellos = (member: RunningMember, ms: number, mode: "alwaysOn" | { times: number } = "alwaysOn") =>
  member.failPoints.configure({
    configureFailPoint: "failCommand",
    mode,
    data: { failCommands: ["hello"], blockConnection: true, blockTimeMS: ms },
  });

for (const { name, transport } of await transports()) {
  describe(`replica set end to end (${name} transport)`, () => {
    let rs: RunningReplicaSet;
    before(async () => {
      rs = await startReplicaSet({
        setName: "rs0",
        users: USERS,
        members: [
          {},
          { tags: { dc: "east" } },
          { tags: { dc: "west" }, lagSeconds: 300 },
          { state: "ARBITER" },
        ],
      });
    });
    after(() => rs?.close());

    const connect = (hosts: string, query = "", options = {}) =>
      connectWith(transport, `mongodb://${LOGIN}@${hosts}/${query}`, { connectTimeoutMS: 5000, ...options });
    const secondaries = () => rs.seedList(rs.secondaries());

    it("from a seed list of secondaries, reaches the primary, authenticates only there and writes", async () => {
      const primary = rs.primary()!;
      const before = authentications(rs.members);
      const inserts = count(primary, "insert");
      const conn = await connect(secondaries(), "?replicaSet=rs0");
      try {
        assert.equal(conn.address, primary.name);
        assert.equal(conn.role, "primary");
        assert.equal(conn.setName, "rs0");
        assert.equal(conn.topology.type, "ReplicaSetWithPrimary");
        assert.deepEqual([...conn.topology.hosts].sort(), rs.members.map((m) => m.name).sort());
        assert.equal(conn.handshake.serversChecked, 2, "a secondary, then the primary it names");
        assert.deepEqual(await whoami(conn), { user: "alice", db: "admin" });
        const reply = await conn.command("app", { insert: "items", documents: [{ _id: "seeded" }] });
        assert.equal(reply.n, 1);
      } finally {
        await conn.close();
      }
      assert.equal(count(primary, "insert"), inserts + 1);
      const after = authentications(rs.members);
      assert.deepEqual(
        after.map((n, i) => n - before[i]),
        rs.members.map((m) => m === primary ? 1 : 0),
        "only the primary authenticated the connection",
      );
    });

    it("a single seed that is a secondary, without replicaSet, also leads to the primary (SDAM default)", async () => {
      const conn = await connect(rs.secondaries()[0].address);
      try {
        assert.equal(conn.role, "primary");
        assert.equal(conn.topology.setName, "rs0");
      } finally {
        await conn.close();
      }
    });

    it("readPreference=secondary lands on a secondary, where reads work and carry $readPreference", async () => {
      const conn = await connect(rs.seedList(), "?replicaSet=rs0&readPreference=secondary");
      try {
        assert.equal(conn.role, "secondary");
        const member = rs.members.find((m) => m.name === conn.address)!;
        const found = await conn.command("app", { find: "items", filter: { _id: "seeded" } });
        assert.deepEqual((found.cursor as Document).firstBatch, [{ _id: "seeded" }]);
        assert.deepEqual(member.stats.readPreferences.find?.at(-1), "secondary");
        const refused = await conn.command("app", { insert: "items", documents: [{}] }).catch((e) => e);
        assert.ok(refused instanceof MongoServerError);
        assert.equal(refused.code, "NOT_PRIMARY");
        assert.equal(refused.serverCode, 10107);
      } finally {
        await conn.close();
      }
    });

    it("readPreferenceTags choose the member with those tags", async () => {
      for (const dc of ["east", "west"]) {
        const conn = await connect(rs.seedList(), `?readPreference=secondary&readPreferenceTags=dc:${dc}`);
        try {
          assert.equal(
            conn.address,
            rs.members.find((m) => m.name === conn.address && m.state === "SECONDARY")?.name,
          );
          assert.equal(conn.address, rs.members[dc === "east" ? 1 : 2].name);
        } finally {
          await conn.close();
        }
      }
    });

    it("maxStalenessSeconds leaves out the secondary 300 s behind", async () => {
      for (let i = 0; i < 4; i++) {
        const conn = await connect(rs.seedList(), "?readPreference=secondary&maxStalenessSeconds=120", {
          heartbeatFrequencyMS: 500,
        });
        try {
          assert.equal(conn.address, rs.members[1].name);
        } finally {
          await conn.close();
        }
      }
    });

    it("primaryPreferred, secondaryPreferred and nearest end on a member they allow", async () => {
      const roles = async (mode: string) => {
        const conn = await connect(rs.seedList(), `?readPreference=${mode}`);
        await conn.close();
        return conn.role;
      };
      assert.equal(await roles("primaryPreferred"), "primary");
      assert.equal(await roles("secondaryPreferred"), "secondary");
      assert.ok(["primary", "secondary"].includes(await roles("nearest")));
    });

    it("a read preference nothing matches is SERVER_SELECTION_FAILED naming the set, the tags and each member", async () => {
      await assert.rejects(connect(rs.seedList(), "?readPreference=secondary&readPreferenceTags=dc:north"), {
        code: "SERVER_SELECTION_FAILED",
        message: new RegExp(
          `no member of replica set "rs0" matches read preference secondary, tags \\[\\{"dc":"north"\\}\\].*` +
            `${rs.members[1].name} is a secondary of replica set "rs0" with tags \\{"dc":"east"\\}`,
        ),
      });
    });

    it("directConnection=true stays on the secondary: reads work (primaryPreferred), writes are NOT_PRIMARY", async () => {
      const secondary = rs.secondaries()[0];
      const conn = await connect(secondary.address, "?directConnection=true");
      try {
        assert.equal(conn.address, secondary.name);
        assert.equal(conn.role, "secondary");
        assert.equal(conn.topology.type, "Single");
        assert.equal(conn.handshake.serversChecked, 1);
        await conn.command("app", { find: "items", filter: {} });
        assert.equal(secondary.stats.readPreferences.find?.at(-1), "primaryPreferred");
        await assert.rejects(conn.command("app", { insert: "items", documents: [{}] }), {
          code: "NOT_PRIMARY",
          serverCode: 10107,
          codeName: "NotWritablePrimary",
        });
      } finally {
        await conn.close();
      }
    });

    it("a member of another set is never used: SERVER_SELECTION_FAILED naming both sets", async () => {
      await assert.rejects(connect(rs.seedList(), "?replicaSet=other"), {
        code: "SERVER_SELECTION_FAILED",
        message: /no member of replica set "other" answered.*is the primary of replica set "rs0"/,
      });
      await assert.rejects(connect(rs.secondaries()[0].address, "?replicaSet=other&directConnection=true"), {
        code: "SERVER_SELECTION_FAILED",
        message: /no member of replica set "other" answered.*is a secondary of replica set "rs0"/,
      });
    });
  });
}

// Elections, step-downs and dead primaries change the set: each gets one of its own.
for (const { name, transport } of await transports()) {
  describe(`replica set failures (${name} transport)`, () => {
    const sets: RunningReplicaSet[] = [];
    after(() => Promise.all(sets.map((s) => s.close())));
    const start = async () => {
      const rs = await startReplicaSet({ setName: "rs1", users: USERS, members: [{}, {}, {}] });
      sets.push(rs);
      return rs;
    };
    const connect = (rs: RunningReplicaSet, query = "", options = {}) =>
      connectWith(transport, `mongodb://${LOGIN}@${rs.seedList(rs.secondaries())}/${query}`, {
        connectTimeoutMS: 2000,
        ...options,
      });

    it("no primary: SERVER_SELECTION_FAILED at once, saying so", async () => {
      const rs = await start();
      rs.stepDown();
      await settledWithin(
        3000,
        "connect() to a set without a primary",
        assert.rejects(connect(rs), {
          code: "SERVER_SELECTION_FAILED",
          message: /replica set "rs1" has no primary that answers.*serverSelectionTryOnce=false/,
        }),
      );
    });

    it("no primary, serverSelectionTryOnce=false: waits for the election and connects to the new primary", async () => {
      const rs = await start();
      rs.stepDown();
      const next = rs.secondaries()[1];
      setTimeout(() => rs.elect(next), 700);
      const conn = await connect(rs, "?serverSelectionTryOnce=false&serverSelectionTimeoutMS=5000");
      try {
        assert.equal(conn.address, next.name);
        assert.equal(conn.role, "primary");
      } finally {
        await conn.close();
      }
    });

    it("no primary, serverSelectionTryOnce=false: gives up after serverSelectionTimeoutMS", async () => {
      const rs = await start();
      rs.stepDown();
      const started = performance.now();
      await assert.rejects(connect(rs, "?serverSelectionTryOnce=false&serverSelectionTimeoutMS=1200"), {
        code: "SERVER_SELECTION_FAILED",
        message:
          /has no primary that answers \(read preference primary\) within serverSelectionTimeoutMS \(1200 ms\)/,
      });
      assert.ok(performance.now() - started < 3000);
    });

    it("a primary the members name but nobody reaches: SERVER_SELECTION_FAILED naming it and why", async () => {
      const rs = await start();
      const primary = rs.primary()!;
      await rs.cutOff(primary);
      await assert.rejects(connect(rs), {
        code: "SERVER_SELECTION_FAILED",
        message: new RegExp(
          `replica set "rs1" has no primary that answers.*naming ${primary.name} as primary.*` +
            `${primary.name.replace(/\./g, "\\.")}: connection refused`,
        ),
      });
    });

    it("a primary that accepts but never answers: the error comes at connectTimeoutMS, not later", async () => {
      const rs = await start();
      const primary = rs.primary()!;
      holdHellos(primary, 60_000);
      await settledWithin(
        4000,
        "connect() to a primary that never answers",
        assert.rejects(connect(rs, "", { connectTimeoutMS: 600 }), {
          code: "SERVER_SELECTION_FAILED",
          message: new RegExp(
            `${primary.name.replace(/\./g, "\\.")}.*timed out after 600 ms \\(connectTimeoutMS\\)`,
          ),
        }),
      );
    });

    it("a secondary that accepts and never answers holds up no connection for its connectTimeoutMS", async () => {
      // Members are checked one at a time for the primary, in random order: the next starts beside a slow check.
      const rs = await start();
      const [stuck] = rs.secondaries();
      holdHellos(stuck, 60_000);
      for (let i = 0; i < 10; i++) {
        // A client of its own each time: no earlier scan to start from.
        const conn = await settledWithin(
          3000,
          "connect() beside a member that never answers",
          connectWith(transport, `mongodb://${LOGIN}@${rs.seedList()}/?replicaSet=rs1`, {
            connectTimeoutMS: 10_000,
            cacheStore: new AuthCacheStore(),
          }),
        );
        assert.equal(conn.role, "primary");
        await conn.close();
      }
    });

    const hellos = (rs: RunningReplicaSet) => rs.members.map((member) => count(member, "hello"));
    // Every member a seed, whatever happens to the set later: one deployment to the client throughout.
    const connectToAll = (rs: RunningReplicaSet, options = {}) =>
      connectWith(transport, `mongodb://${LOGIN}@${rs.seedList()}/?replicaSet=rs1`, {
        connectTimeoutMS: 2000,
        ...options,
      });

    it("nearest: a member whose hello is held 300 ms is not waited for, and never chosen by the client", async () => {
      const rs = await start();
      const [slow] = rs.secondaries();
      holdHellos(slow, 300);
      const options = { readPreference: "nearest" as const, cacheStore: new AuthCacheStore() };
      for (let i = 0; i < 5; i++) {
        const conn = await connectToAll(rs, options);
        try {
          assert.notEqual(conn.address, slow.name);
          // The first connection's scan did not wait for it; the next ones start from that scan.
          if (i === 0) assert.deepEqual(selected(conn).abandoned, [slow.name]);
          else assert.equal(conn.handshake.serversChecked, 1);
          assert.equal((await conn.command("admin", { ping: 1 })).ok, 1);
        } finally {
          await conn.close();
        }
      }
    });

    it("a client's connections after its first go straight to the primary: the secondaries see one scan's hellos", async () => {
      const rs = await start();
      const primary = rs.primary()!;
      const options = { cacheStore: new AuthCacheStore() };
      const before = hellos(rs);
      const first = await connectToAll(rs, options);
      const pool = await Promise.all(Array.from({ length: 20 }, () => connectToAll(rs, options)));
      try {
        const scanned = first.handshake.serversChecked!;
        assert.ok(scanned === 1 || scanned === 2, "the seeds in random order until the primary");
        for (const conn of pool) {
          assert.equal(conn.address, primary.name);
          assert.equal(conn.handshake.serversChecked, 1);
        }
        const seen = hellos(rs).map((n, i) => n - before[i]);
        assert.equal(seen[rs.members.indexOf(primary)], 21);
        assert.equal(
          seen.reduce((a, b) => a + b),
          20 + scanned,
          "the secondaries' hellos are the first scan's",
        );
        assert.deepEqual(await whoami(pool[0]), { user: "alice", db: "admin" });
      } finally {
        await Promise.all([first, ...pool].map((conn) => conn.close()));
      }
    });

    it("a client's first connections, started together, make one scan between them (replicaSet= given)", async () => {
      const rs = await start();
      const primary = rs.primary()!;
      const options = { cacheStore: new AuthCacheStore() };
      const before = hellos(rs);
      const pool = await Promise.all(Array.from({ length: 20 }, () => connectToAll(rs, options)));
      try {
        assert.ok(pool.every((conn) => conn.address === primary.name));
        const scans = pool.filter((conn) => selected(conn).rememberedMs === undefined);
        assert.equal(scans.length, 1, "one connection scanned; the others waited for it");
        const seen = hellos(rs).map((n, i) => n - before[i]);
        assert.equal(seen[rs.members.indexOf(primary)], 20);
        assert.equal(seen.reduce((a, b) => a + b), 19 + scans[0].handshake.serversChecked!);
      } finally {
        await Promise.all(pool.map((conn) => conn.close()));
      }
    });

    it("after an election, the client's next connection checks the old primary, scans, and the one after goes straight to the new", async () => {
      const rs = await start();
      const old = rs.primary()!;
      const options = { cacheStore: new AuthCacheStore() };
      await (await connectToAll(rs, options)).close();
      const next = rs.secondaries()[0];
      rs.elect(next);
      const conn = await connectToAll(rs, options);
      try {
        assert.equal(conn.address, next.name);
        assert.equal(conn.role, "primary");
        const checked = conn.trace.filter((e) => e.type === "host.connecting").map((e) => e.attributes);
        assert.equal(`${checked[0].host}:${checked[0].port}`, old.name, "the primary the client remembered");
        assert.ok(checked.length >= 2, "then the scan");
      } finally {
        await conn.close();
      }
      const after = await connectToAll(rs, options);
      try {
        assert.equal(after.address, next.name);
        assert.equal(after.handshake.serversChecked, 1);
      } finally {
        await after.close();
      }
    });

    it("a remembered primary that stops answering while another is elected costs the next connection 500 ms, not its connectTimeoutMS", async () => {
      const rs = await start();
      const old = rs.primary()!;
      const options = { cacheStore: new AuthCacheStore(), connectTimeoutMS: 10_000 };
      await (await connectToAll(rs, options)).close();
      holdHellos(old, 60_000);
      const next = rs.secondaries()[0];
      rs.elect(next);
      const conn = await settledWithin(
        3000,
        "connect() from a primary gone silent",
        connectToAll(rs, options),
      );
      try {
        assert.equal(conn.address, next.name);
        assert.equal(conn.role, "primary");
        const checked = conn.trace.filter((e) => e.type === "host.connecting").map((e) => e.attributes);
        assert.equal(`${checked[0].host}:${checked[0].port}`, old.name, "the primary the client remembered");
        assert.deepEqual(checked[1].beside, [old.name], "then the members, beside it");
        assert.deepEqual(selected(conn).abandoned, [old.name]);
      } finally {
        await conn.close();
      }
      const after = await connectToAll(rs, options);
      try {
        assert.equal(after.address, next.name, "the scan beside the silent primary is remembered");
        assert.equal(after.handshake.serversChecked, 1);
      } finally {
        await after.close();
      }
    });

    it("under elections, step-downs and members slow to answer, a client's connections land where their read preference says, in time, and leave no socket open", async () => {
      const rs = await startReplicaSet({ setName: "rs1", users: USERS, members: [{}, {}, {}, {}] });
      sets.push(rs);
      // A fixed sequence of pseudo-random choices, so that a failure can be replayed.
      let state = 41;
      const random = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
      const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
      const churn = setInterval(() => {
        const r = random();
        if (r < 0.3) rs.elect(pick(rs.members));
        else if (r < 0.4) rs.stepDown();
        else if (r < 0.5) {
          holdHellos(pick(rs.members), 1000, { times: 3 });
        }
      }, 100);
      const clients = [{ cacheStore: new AuthCacheStore() }, { cacheStore: new AuthCacheStore() }, {}];
      // A refusal is an answer: nothing suits the read preference, or every member's check ran out of its
      // 300 ms (all four held at once, or a loaded machine), and nothing else.
      const refusedInTime = (err: unknown) =>
        err instanceof MongoAuthError && (err.code === "SERVER_SELECTION_FAILED" ||
          err.code === "CONNECTION_FAILED" && err.cause instanceof AggregateError &&
            err.cause.errors.every((check) => check instanceof MongoAuthError && check.code === "TIMEOUT"));
      const modes = ["primary", "primaryPreferred", "secondary", "secondaryPreferred", "nearest"] as const;
      const placed = { primary: 0, secondary: 0, refused: 0 };
      const one = async () => {
        const mode = pick(modes);
        const replicaSet = random() < 0.7 ? "&replicaSet=rs1" : "";
        const uri =
          `mongodb://${LOGIN}@${rs.seedList()}/?readPreference=${mode}${replicaSet}&connectTimeoutMS=300`;
        // Each check has 300 ms, a wait for another's scan 300 ms more: four members checked one after the
        // other, a remembered one first, and the wait, well within 5 s.
        const conn = await settledWithin(
          5000,
          `connect() (${mode})`,
          connectWith(transport, uri, pick(clients)),
        )
          .catch((err) => {
            if (refusedInTime(err)) return undefined;
            throw err;
          });
        if (conn === undefined) return void placed.refused++;
        try {
          if (mode === "primary") assert.equal(conn.role, "primary", `readPreference=${mode}`);
          if (mode === "secondary") assert.equal(conn.role, "secondary", `readPreference=${mode}`);
          placed[conn.role === "primary" ? "primary" : "secondary"]++;
          await conn.command("admin", { ping: 1 });
        } finally {
          await conn.close();
        }
      };
      const until = performance.now() + 2000;
      try {
        while (performance.now() < until) {
          await Promise.all(Array.from({ length: 1 + Math.floor(random() * 20) }, one));
        }
      } finally {
        clearInterval(churn);
      }
      assert.ok(placed.primary > 0 && placed.secondary > 0, JSON.stringify(placed));
      // A hello the failpoint holds keeps its connection until the member answers it (1 s at most).
      const open = () => rs.members.map((member) => member.stats.connectionsOpen);
      for (
        const started = performance.now();
        open().some((n) => n > 0) && performance.now() - started < 3000;
      ) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.deepEqual(open(), [0, 0, 0, 0], "no socket left open");
    });

    it("a primary that steps down under a connection: NOT_PRIMARY keeps the server's code; connecting again finds the new one", async () => {
      const rs = await start();
      const conn = await connect(rs);
      const next = rs.secondaries()[0];
      try {
        assert.equal(conn.role, "primary");
        rs.elect(next);
        const error = await conn.command("app", { insert: "items", documents: [{}] }).catch((e) => e);
        assert.ok(error instanceof MongoServerError, String(error));
        assert.equal(error.code, "NOT_PRIMARY");
        assert.equal(error.serverCode, 10107);
        assert.match(error.message, /no longer primary, or cannot serve: connect again/);
      } finally {
        await conn.close();
      }
      const again = await connect(rs);
      try {
        assert.equal(again.address, next.name);
      } finally {
        await again.close();
      }
    });
  });
}

// MONGODB-X509's speculative step is the whole authentication: it goes only into a hello where connect()
// expects to stay, so a secondary that names the primary is never authenticated on.
describe("replica set over TLS with MONGODB-X509", () => {
  const pki = (file: string) => fixturePath(`pki/${file}`);
  let rs: RunningReplicaSet;
  before(async () => {
    rs = await startReplicaSet({
      setName: "tls0",
      users: USERS,
      members: [{}, {}],
      tls: { cert: pki("server-cert.pem"), key: pki("server-key.pem"), ca: pki("ca.pem") },
    });
  });
  after(() => rs?.close());

  it("authenticates speculatively on the primary only; the secondary saw a plain hello", async () => {
    const [primary, secondary] = rs.members;
    const { nodeTransport } = await import("../../src/transport/node.ts");
    const transport: Transport = nodeTransport;
    const conn = await connectWith(
      transport,
      `mongodb://${secondary.address}/?authMechanism=MONGODB-X509&tls=true&replicaSet=tls0`,
      { tlsCAFile: pki("ca.pem"), tlsCertificateKeyFile: pki("client.pem") },
    );
    try {
      assert.equal(conn.address, primary.name);
      assert.equal(conn.handshake.speculative, true);
      assert.equal(conn.handshake.roundTrips, 1);
      assert.equal(secondary.stats.speculative.received, 0);
      assert.equal(secondary.stats.authSuccesses, 0);
      assert.equal(primary.stats.authSuccesses, 1);
    } finally {
      await conn.close();
    }
  });
});
