// The connection connect() hands back: what it says about the member and the deployment it is on, the
// `$readPreference` its commands carry, the one re-authentication and retry on 391
// (ReauthenticationRequired), and closing. Built directly over an in-memory socket whose peer the test
// plays, so each command on the wire can be read.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Connection, type Document, MongoServerError, WireConnection } from "@mongo-auth/core";
import type { Authentication } from "../../src/client/authenticate.ts";
import type { CommandRunner } from "../../src/wire/command.ts";
import {
  type ServerDescription,
  type ServerType,
  unknownServer,
} from "../../src/topology/server-description.ts";
import type { TopologyType } from "../../src/topology/topology-description.ts";
import type { ReadPreference } from "../../src/topology/read-preference.ts";
import { memorySocket, type Peer, replyTo, requestBody } from "../support/memory-socket.ts";
import { settledWithin } from "../support/settled-within.ts";
import { TraceRecorder } from "../../src/core/trace.ts";

const HANDSHAKE = { speculative: false, roundTrips: 1, durationMs: 1, maxWireVersion: 21 };
const ADDRESS = { host: "db.test", port: 27017 };

/** A connection on a member of `type` in a topology of `topologyType`, and the peer that plays it. */
function connectionOn(
  type: ServerType,
  topologyType: TopologyType,
  readPreference: ReadPreference,
  options: {
    auth?: Authentication;
    server?: Partial<ServerDescription>;
    others?: string[];
    timeoutMS?: number;
  } = {},
): { conn: Connection; peer: Peer } {
  const { socket, peer } = memorySocket();
  const server = { ...unknownServer("db.test:27017"), type, ...options.server };
  const servers = new Map(
    [server, ...(options.others ?? []).map((a) => unknownServer(a))].map((s) => [s.address, s]),
  );
  const conn = new Connection(
    new WireConnection(socket),
    ADDRESS,
    HANDSHAKE,
    options.auth,
    [],
    {
      server,
      topology: {
        type: topologyType,
        servers,
        compatible: true,
        ...(server.setName && { setName: server.setName }),
      },
      readPreference,
    },
    undefined,
    options.timeoutMS,
  );
  return { conn, peer };
}

/**
 * Answers the next command the client writes, and gives back its body. A command the client fails to send
 * (a retry that never comes) fails the test within 5 s instead of waiting on the connection's timeout.
 */
async function answer(peer: Peer, reply: Document): Promise<Document> {
  const request = await settledWithin(5_000, "the client's next command", peer.nextWrite());
  peer.send(replyTo(request, reply));
  return requestBody(request);
}

const reauthenticationRequired = {
  ok: 0,
  code: 391,
  codeName: "ReauthenticationRequired",
  errmsg: "expired",
};

/** An authentication whose re-authentication sends one saslStart through the runner it is given. */
function reauthenticating(): Authentication & { readonly reauthentications: number } {
  let reauthentications = 0;
  return {
    helloFields: {},
    complete: () => Promise.reject(new Error("not used")),
    async reauthenticate(runner: CommandRunner) {
      reauthentications++;
      await runner.command("$external", { saslStart: 1 });
    },
    get reauthentications() {
      return reauthentications;
    },
  };
}

describe("Connection: what it says about where it is", () => {
  it("without a placement: a standalone at the address given, Single, read preference primary", () => {
    const { socket } = memorySocket();
    const conn = new Connection(new WireConnection(socket), ADDRESS, HANDSHAKE, undefined);
    assert.equal(conn.address, "db.test:27017");
    assert.equal(conn.role, "standalone");
    assert.deepEqual(conn.topology, { type: "Single", hosts: ["db.test:27017"] });
    assert.deepEqual(conn.readPreference, { mode: "primary" });
    assert.deepEqual(conn.warnings, []);
    assert.equal(conn.setName, undefined);
  });

  it("without a placement, an IPv6 literal's address is in brackets: [::1]:27017", () => {
    const { socket } = memorySocket();
    const conn = new Connection(
      new WireConnection(socket),
      { host: "::1", port: 27017 },
      HANDSHAKE,
      undefined,
    );
    assert.equal(conn.address, "[::1]:27017");
    assert.deepEqual(conn.topology, { type: "Single", hosts: ["[::1]:27017"] });
  });

  it("names each kind of member by its role", () => {
    const roles: [ServerType, string][] = [
      ["Standalone", "standalone"],
      ["RSPrimary", "primary"],
      ["RSSecondary", "secondary"],
      ["RSArbiter", "arbiter"],
      ["RSOther", "other"],
      ["RSGhost", "other"],
      ["Mongos", "mongos"],
      ["LoadBalancer", "loadBalancer"],
    ];
    for (const [type, role] of roles) {
      assert.equal(connectionOn(type, "Single", { mode: "primary" }).conn.role, role, type);
    }
  });

  it("gives the member's set and serviceId, and the deployment's hosts, none of which a caller can change", () => {
    const { conn } = connectionOn("RSSecondary", "ReplicaSetWithPrimary", { mode: "secondary" }, {
      server: { setName: "rs0" },
      others: ["p.test:27017"],
    });
    assert.equal(conn.setName, "rs0");
    assert.deepEqual(conn.topology, {
      type: "ReplicaSetWithPrimary",
      setName: "rs0",
      hosts: ["db.test:27017", "p.test:27017"],
    });
    assert.ok(Object.isFrozen(conn.topology) && Object.isFrozen(conn.topology.hosts));
    const lb = connectionOn("LoadBalancer", "LoadBalanced", { mode: "primary" }, {
      server: { serviceId: "65a1b2c3d4e5f60718293a4b" },
    });
    assert.equal(lb.conn.serviceId, "65a1b2c3d4e5f60718293a4b");
  });

  it("keeps its own copy of the warnings, frozen", () => {
    const { socket } = memorySocket();
    const warnings = ["unknown option 'fo'"];
    const conn = new Connection(new WireConnection(socket), ADDRESS, HANDSHAKE, undefined, warnings);
    warnings.push("later");
    assert.deepEqual(conn.warnings, ["unknown option 'fo'"]);
    assert.ok(Object.isFrozen(conn.warnings));
  });

  it("has its recorder's trace: what is recorded later (a re-authentication) is in it too", () => {
    const { socket } = memorySocket();
    const recorder = new TraceRecorder();
    recorder.emit("option.warning", { message: "w" });
    const conn = new Connection(
      new WireConnection(socket),
      ADDRESS,
      HANDSHAKE,
      undefined,
      [],
      undefined,
      recorder,
    );
    assert.deepEqual(conn.trace.map((e) => e.type), ["option.warning"]);
    recorder.emit("auth.started", {
      mechanism: "SCRAM-SHA-256",
      user: "u",
      db: "admin",
      reauthentication: true,
    });
    assert.deepEqual(conn.trace.map((e) => e.type), ["option.warning", "auth.started"]);
    assert.equal(conn.trace, recorder.events);
  });
});

describe("Connection.command: $readPreference", () => {
  it("a mongos with a non-primary read preference: every command carries it", async () => {
    const { conn, peer } = connectionOn("Mongos", "Sharded", { mode: "secondary", tags: [{ dc: "ny" }] });
    const [reply, sent] = await Promise.all([
      conn.command("app", { find: "c" }),
      answer(peer, { ok: 1, n: 1 }),
    ]);
    assert.deepEqual(reply, { ok: 1, n: 1 });
    assert.deepEqual(sent, {
      find: "c",
      $readPreference: { mode: "secondary", tags: [{ dc: "ny" }] },
      $db: "app",
    });
    await conn.close();
  });

  it("a command's own $readPreference is sent as it is", async () => {
    const { conn, peer } = connectionOn("Mongos", "Sharded", { mode: "secondary" });
    const own = { find: "c", $readPreference: { mode: "nearest" } };
    const [, sent] = await Promise.all([conn.command("app", own), answer(peer, { ok: 1 })]);
    assert.deepEqual(sent.$readPreference, { mode: "nearest" });
    await conn.close();
  });

  it("a primary read, or a standalone, sends none", async () => {
    for (
      const [type, topology, mode] of [["Mongos", "Sharded", "primary"], [
        "Standalone",
        "Single",
        "secondary",
      ]] as const
    ) {
      const { conn, peer } = connectionOn(type, topology, { mode });
      const [, sent] = await Promise.all([conn.command("app", { ping: 1 }), answer(peer, { ok: 1 })]);
      assert.equal("$readPreference" in sent, false, `${type} ${mode}`);
      await conn.close();
    }
  });
});

describe("Connection.command: 391 ReauthenticationRequired", () => {
  it("re-authenticates on the same socket and sends the command once more", async () => {
    const auth = reauthenticating();
    const { conn, peer } = connectionOn("Standalone", "Single", { mode: "primary" }, { auth });
    const pending = conn.command("app", { find: "c" });
    assert.deepEqual(await answer(peer, reauthenticationRequired), { find: "c", $db: "app" });
    assert.deepEqual(await answer(peer, { ok: 1, done: true }), { saslStart: 1, $db: "$external" });
    assert.deepEqual(await answer(peer, { ok: 1, n: 7 }), { find: "c", $db: "app" });
    assert.deepEqual(await pending, { ok: 1, n: 7 });
    assert.equal(auth.reauthentications, 1);
    await conn.close();
  });

  it("retries only once: a second 391 reaches the caller", async () => {
    const auth = reauthenticating();
    const { conn, peer } = connectionOn("Standalone", "Single", { mode: "primary" }, { auth });
    const pending = assert.rejects(conn.command("app", { find: "c" }), (e: unknown) => {
      assert.ok(e instanceof MongoServerError);
      assert.equal(e.serverCode, 391);
      return true;
    });
    await answer(peer, reauthenticationRequired);
    await answer(peer, { ok: 1, done: true });
    await answer(peer, reauthenticationRequired);
    await pending;
    assert.equal(auth.reauthentications, 1);
    await conn.close();
  });

  it("without an authentication (no credential), or for another server error, nothing is retried", async () => {
    const bare = connectionOn("Standalone", "Single", { mode: "primary" });
    const unauthenticated = assert.rejects(bare.conn.command("app", { find: "c" }), { serverCode: 391 });
    await answer(bare.peer, reauthenticationRequired);
    await unauthenticated;
    assert.equal(bare.peer.written.length, 1);
    await bare.conn.close();

    const auth = reauthenticating();
    const other = connectionOn("Standalone", "Single", { mode: "primary" }, { auth });
    const failed = assert.rejects(other.conn.command("app", { find: "c" }), { serverCode: 13 });
    await answer(other.peer, { ok: 0, code: 13, codeName: "Unauthorized", errmsg: "not authorized" });
    await failed;
    assert.equal(auth.reauthentications, 0);
    await other.conn.close();
  });
});

describe("Connection.command: maxTimeMS under timeoutMS (the Client Side Operations Timeout)", () => {
  const csot = (timeoutMS?: number) =>
    connectionOn("Mongos", "Sharded", { mode: "secondary" }, { timeoutMS });

  it("each command carries maxTimeMS = its timeoutMS, beside $readPreference; the caller's object is left alone", async () => {
    const { conn, peer } = csot(2_500);
    const cmd = { find: "c", filter: {} };
    const [, sent] = await Promise.all([conn.command("app", cmd), answer(peer, { ok: 1 })]);
    assert.deepEqual(sent, {
      find: "c",
      filter: {},
      $readPreference: { mode: "secondary" },
      maxTimeMS: 2_500,
      $db: "app",
    });
    assert.deepEqual(cmd, { find: "c", filter: {} });
    await conn.close();
  });

  it("a command's own timeoutMS wins (whole milliseconds, at least 1); 0 sends none", async () => {
    const { conn, peer } = csot(2_500);
    for (const [timeoutMS, expected] of [[700, 700], [0.4, 1], [99.9, 99], [0, undefined]] as const) {
      const [, sent] = await Promise.all([
        conn.command("app", { ping: 1 }, { timeoutMS }),
        answer(peer, { ok: 1 }),
      ]);
      assert.equal(sent.maxTimeMS, expected, `timeoutMS ${timeoutMS}`);
    }
    await conn.close();
  });

  it("replaces a maxTimeMS of the command's own", async () => {
    const { conn, peer } = csot(2_500);
    const [, sent] = await Promise.all([
      conn.command("app", { find: "c", maxTimeMS: 60_000 }),
      answer(peer, { ok: 1 }),
    ]);
    assert.equal(sent.maxTimeMS, 2_500);
    await conn.close();
  });

  it("never on getMore, which keeps its own (the specification; the server refuses one on most cursors)", async () => {
    const { conn, peer } = csot(2_500);
    for (const cmd of [{ getMore: 7n, collection: "c" }, { getMore: 7n, collection: "c", maxTimeMS: 50 }]) {
      const [, sent] = await Promise.all([conn.command("app", cmd), answer(peer, { ok: 1 })]);
      assert.equal(sent.maxTimeMS, cmd.maxTimeMS);
    }
    await conn.close();
  });

  it("without timeoutMS (socketTimeoutMS), nothing is added", async () => {
    const { conn, peer } = csot(undefined);
    const [, sent] = await Promise.all([
      conn.command("app", { ping: 1 }, { timeoutMS: 500 }),
      answer(peer, { ok: 1 }),
    ]);
    assert.equal("maxTimeMS" in sent, false);
    await conn.close();
  });

  it("the server's MaxTimeMSExpired (50) is TIMEOUT, its error the cause; without maxTimeMS it stays the server's", async () => {
    const expired = {
      ok: 0,
      code: 50,
      codeName: "MaxTimeMSExpired",
      errmsg: "operation exceeded time limit",
    };
    const { conn, peer } = csot(300);
    const failed = assert.rejects(conn.command("app", { find: "c" }), (err: unknown) => {
      assert.ok(err instanceof Error && !(err instanceof MongoServerError));
      assert.equal((err as { code?: string }).code, "TIMEOUT");
      assert.equal(
        err.message,
        "db.test:27017 stopped the command at its maxTimeMS (300 ms, from timeoutMS): operation exceeded time " +
          "limit; give it longer with timeoutMS, or with { timeoutMS } for this command",
      );
      assert.ok(err.cause instanceof MongoServerError && err.cause.serverCode === 50);
      return true;
    });
    await answer(peer, expired);
    await failed;
    const plain = csot(undefined);
    const own = assert.rejects(plain.conn.command("app", { find: "c", maxTimeMS: 5 }), { serverCode: 50 });
    await answer(plain.peer, expired);
    await own;
    await Promise.all([conn.close(), plain.conn.close()]);
  });
});

describe("Connection: round trips and closing", () => {
  it("counts each command answered", async () => {
    const { conn, peer } = connectionOn("Standalone", "Single", { mode: "primary" });
    assert.equal(conn.roundTrips, 0);
    await Promise.all([conn.command("app", { ping: 1 }), answer(peer, { ok: 1 })]);
    assert.equal(conn.roundTrips, 1);
    await conn.close();
  });

  it("close() closes the socket, and again does nothing; await using closes it too", async () => {
    const { conn, peer } = connectionOn("Standalone", "Single", { mode: "primary" });
    assert.equal(conn.closed, false);
    await conn.close();
    await conn.close();
    assert.equal(conn.closed, true);
    assert.equal(peer.closed, true);

    const scoped = connectionOn("Standalone", "Single", { mode: "primary" });
    await scoped.conn[Symbol.asyncDispose]();
    assert.equal(scoped.conn.closed, true);
    assert.equal(scoped.peer.closed, true);
  });
});

describe("Connection.command: what a caller asks to send", () => {
  it("a database name or command of the wrong type is INVALID_OPTION before anything is read from it or sent", async () => {
    // A mongos with a non-primary read: the command is read (for its own $readPreference) before it is sent.
    const { conn, peer } = connectionOn("Mongos", "Sharded", { mode: "secondaryPreferred" });
    await assert.rejects(conn.command("admin", "ping" as never), {
      code: "INVALID_OPTION",
      message: "command() needs the command as a document, e.g. { ping: 1 }, got a string",
    });
    await assert.rejects(conn.command(undefined as never, { ping: 1 }), {
      code: "INVALID_OPTION",
      message: 'command() needs the database name as a non-empty string, e.g. "admin", got undefined',
    });
    await assert.rejects(conn.command("admin", null as never), { code: "INVALID_OPTION" });
    assert.equal(peer.written.length, 0);
    await conn.close();
  });
});
