// The reference server's mongod behaviours that a driver never exercises on its own: framing,
// OP_QUERY limits, command checks, the authentication session rules and the failpoint.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Binary } from "bson";
import type { ServerConfig } from "../config.ts";
import { type RawClient, scramAuth, withRawClient } from "./raw-client.ts";
import type { RunningServer } from "../server.ts";

const CONFIG: ServerConfig = {
  users: [
    {
      db: "admin",
      user: "alice",
      password: "alice-pw",
      mechanisms: ["SCRAM-SHA-1", "SCRAM-SHA-256"],
      roles: [{ role: "readWrite", db: "app" }],
    },
    {
      db: "admin",
      user: "bob",
      password: "bob-pw",
      mechanisms: ["SCRAM-SHA-256"],
      roles: [{ role: "root", db: "admin" }],
    },
    { db: "app", user: "carol", password: "carol-pw", mechanisms: ["SCRAM-SHA-1"] },
  ],
};

const withClient = (fn: (client: RawClient, server: RunningServer) => Promise<void>) =>
  withRawClient(CONFIG, fn);

const ALICE = { hash: "sha256", user: "alice", password: "alice-pw", db: "admin" } as const;

describe("reference server framing", () => {
  it("answers the legacy OP_QUERY isMaster handshake with OP_REPLY", async () => {
    await withClient(async (client) => {
      const reply = await client.query("admin.$cmd", { isMaster: 1, helloOk: true });
      assert.equal(reply?.ok, 1);
      assert.equal(reply?.ismaster, true);
      assert.equal(reply?.helloOk, true);
      assert.equal(reply?.maxWireVersion, 21);
    });
  });

  it("answers hello over OP_MSG with isWritablePrimary", async () => {
    await withClient(async (client) => {
      const reply = await client.msg({ hello: 1, $db: "admin" });
      assert.equal(reply?.isWritablePrimary, true);
      assert.equal(reply?.ismaster, undefined);
      assert.equal(typeof reply?.connectionId, "number");
    });
  });

  it("answers messages however the reads cut them: several in one read, one across several", async () => {
    await withClient(async (client) => {
      const frames = [
        client.msgFrame({ ping: 1, $db: "admin" }),
        client.msgFrame({ buildInfo: 1, $db: "admin" }),
        client.msgFrame({ ping: 1, comment: "x".repeat(300), $db: "admin" }),
        client.msgFrame({
          saslStart: 1,
          mechanism: "SCRAM-SHA-256",
          payload: new Binary(Buffer.from("n,,n=alice,r=abcdefghijklmnop")),
          $db: "admin",
        }),
      ];
      const bytes = Buffer.concat(frames);
      const at = (frame: number, offset: number) =>
        frames.slice(0, frame).reduce((sum, f) => sum + f.length, 0) + offset;
      // Each cut is answered before the next bytes go out, so the server really holds the partial frame:
      // 3 bytes of a length, then a header without its body, then the rest with two whole frames.
      const cuts = [
        { end: at(1, 3), answers: 1 },
        { end: at(2, 20), answers: 1 },
        { end: bytes.length, answers: 2 },
      ];
      // A server that lost a piece would wait for bytes forever: the client hangs up after 5 s instead,
      // and the missing answers read as undefined.
      const hangUp = setTimeout(() => client.close(), 5000);
      const replies = [];
      let sent = 0;
      for (const { end, answers } of cuts) {
        client.writeRaw(bytes.subarray(sent, end));
        sent = end;
        for (let n = 0; n < answers; n++) replies.push(await client.nextReply());
      }
      clearTimeout(hangUp);
      assert.deepEqual(replies.slice(0, 3).map((r) => [r?.ok, r?.version]), [
        [1, undefined],
        [1, "7.0.0"],
        [1, undefined],
      ]);
      const serverFirst = Buffer.from((replies[3]?.payload as Binary).buffer).toString();
      assert.match(serverFirst, /^r=abcdefghijklmnop[A-Za-z0-9+/]{32},s=/, "the payload arrived whole");
    });
  });

  it("requires $db in OP_MSG (40571)", async () => {
    await withClient(async (client) => {
      assert.equal((await client.msg({ ping: 1 }))?.code, 40571);
    });
  });

  it("accepts a valid CRC-32C checksum and drops the connection on a wrong one", async () => {
    await withClient(async (client) => {
      assert.equal((await client.msg({ ping: 1, $db: "admin" }, { checksum: "valid" }))?.ok, 1);
      assert.equal(await client.msg({ ping: 1, $db: "admin" }, { checksum: "corrupt" }), undefined);
      await client.closed();
    });
  });

  it("drops the connection on an unknown required flag bit but ignores optional ones", async () => {
    await withClient(async (client) => {
      assert.equal((await client.msg({ ping: 1, $db: "admin" }, { flags: 1 << 16 }))?.ok, 1);
      assert.equal(await client.msg({ ping: 1, $db: "admin" }, { flags: 1 << 5 }), undefined);
    });
  });
});

describe("reference server commands", () => {
  it("answers an unknown command with 59 CommandNotFound", async () => {
    await withClient(async (client) => {
      const reply = await client.msg({ frobnicate: 1, $db: "admin" });
      assert.deepEqual(
        { code: reply?.code, codeName: reply?.codeName, errmsg: reply?.errmsg },
        { code: 59, codeName: "CommandNotFound", errmsg: "no such command: 'frobnicate'" },
      );
    });
  });

  it("runs ping, buildInfo, connectionStatus and configureFailPoint before authentication but nothing that needs it", async () => {
    await withClient(async (client) => {
      assert.equal((await client.msg({ ping: 1, $db: "admin" }))?.ok, 1);
      assert.deepEqual((await client.msg({ buildInfo: 1, $db: "admin" }))?.versionArray, [7, 0, 0, 0]);
      const status = await client.msg({ connectionStatus: 1, $db: "admin" });
      assert.deepEqual(status?.authInfo, { authenticatedUsers: [], authenticatedUserRoles: [] });
      // A test command: mongod's FaultInjectCmd needs no authentication (only enableTestCommands).
      const failPoint = await client.msg({ configureFailPoint: "failCommand", mode: "off", $db: "admin" });
      assert.equal(failPoint?.ok, 1, JSON.stringify(failPoint));
      for (const cmd of [{ endSessions: [] }, { logout: 1 }, { find: "items" }]) {
        const reply = await client.msg({ ...cmd, $db: "admin" });
        assert.equal(reply?.code, 13, JSON.stringify(cmd));
      }
    });
  });
});

describe("reference server authentication", () => {
  it("lists a user's mechanisms in hello and omits the field for unknown users", async () => {
    await withClient(async (client) => {
      const known = await client.msg({ hello: 1, saslSupportedMechs: "admin.alice", $db: "admin" });
      assert.deepEqual(known?.saslSupportedMechs, ["SCRAM-SHA-1", "SCRAM-SHA-256"]);
      const one = await client.msg({
        hello: 1,
        saslSupportedMechs: { user: "carol", db: "app" },
        $db: "admin",
      });
      assert.deepEqual(one?.saslSupportedMechs, ["SCRAM-SHA-1"]);
      const unknown = await client.msg({ hello: 1, saslSupportedMechs: "admin.nobody", $db: "admin" });
      assert.equal(unknown?.ok, 1);
      assert.equal("saslSupportedMechs" in (unknown ?? {}), false);
    });
  });

  it("authenticates with SCRAM over saslStart/saslContinue and reports the user and roles", async () => {
    await withClient(async (client) => {
      const done = await scramAuth(client, { hash: "sha256", user: "bob", password: "bob-pw", db: "admin" });
      assert.deepEqual([done?.ok, done?.done], [1, true]);
      const status = await client.msg({ connectionStatus: 1, $db: "admin" });
      assert.deepEqual(status?.authInfo, {
        authenticatedUsers: [{ user: "bob", db: "admin" }],
        authenticatedUserRoles: [{ role: "root", db: "admin" }],
      });
      await client.msg({ logout: 1, $db: "admin" });
      const after = await client.msg({ connectionStatus: 1, $db: "admin" });
      assert.deepEqual((after?.authInfo as { authenticatedUsers: unknown[] }).authenticatedUsers, []);
    });
  });

  it("fails a wrong password, an unknown user and a missing credential with the same code 18", async () => {
    await withClient(async (client, server) => {
      const attempts = [
        { ...ALICE, password: "wrong" },
        { ...ALICE, user: "nobody" },
        { hash: "sha256", user: "carol", password: "carol-pw", db: "app" } as const,
        { ...ALICE, db: "app" },
      ];
      for (const attempt of attempts) {
        const reply = await scramAuth(client, attempt);
        assert.deepEqual(
          { ok: reply?.ok, code: reply?.code, codeName: reply?.codeName, errmsg: reply?.errmsg },
          { ok: 0, code: 18, codeName: "AuthenticationFailed", errmsg: "Authentication failed." },
          JSON.stringify({ ...attempt, password: undefined }),
        );
      }
      assert.equal(server.stats.authFailures, 4);
      assert.equal(server.stats.authSuccesses, 0);
    });
  });

  it("answers saslContinue without a conversation, or with another conversationId, with 17", async () => {
    await withClient(async (client) => {
      const none = await client.msg({
        saslContinue: 1,
        conversationId: 1,
        payload: new Binary(),
        $db: "admin",
      });
      assert.deepEqual([none?.code, none?.errmsg], [17, "No SASL session state found"]);
      await client.msg({
        saslStart: 1,
        mechanism: "SCRAM-SHA-256",
        payload: new Binary(Buffer.from("n,,n=alice,r=abcdefghijklmnop")),
        $db: "admin",
      });
      const other = await client.msg({
        saslContinue: 1,
        conversationId: 2,
        payload: new Binary(),
        $db: "admin",
      });
      assert.deepEqual([other?.code, other?.errmsg], [17, "sasl: Mismatched conversation id"]);
    });
  });

  it("lets the same user authenticate again but refuses a second user on the connection", async () => {
    await withClient(async (client) => {
      assert.equal((await scramAuth(client, ALICE))?.done, true);
      assert.equal((await scramAuth(client, ALICE))?.done, true);
      const bob = await scramAuth(client, { hash: "sha256", user: "bob", password: "bob-pw", db: "admin" });
      assert.equal(bob?.code, 5626701);
      const carol = await scramAuth(client, { hash: "sha1", user: "carol", password: "carol-pw", db: "app" });
      assert.equal(carol?.code, 5626702);
    });
  });

  it("runs the first step speculatively in hello and omits the reply when it fails", async () => {
    await withClient(async (client, server) => {
      const speculative = {
        saslStart: 1,
        mechanism: "SCRAM-SHA-256",
        payload: new Binary(Buffer.from("n,,n=alice,r=abcdefghijklmnop")),
        db: "admin",
      };
      const ok = await client.msg({ hello: 1, speculativeAuthenticate: speculative, $db: "admin" });
      const reply = ok?.speculativeAuthenticate as { conversationId: number; done: boolean; payload: Binary };
      assert.deepEqual([reply.conversationId, reply.done], [1, false]);
      assert.match(Buffer.from(reply.payload.value()).toString(), /^r=abcdefghijklmnop.{32},s=.+,i=15000$/);
      const noUser = { ...speculative, payload: new Binary(Buffer.from("n,,n=nobody,r=abcdefghijklmnop")) };
      const failed = await client.msg({ hello: 1, speculativeAuthenticate: noUser, $db: "admin" });
      assert.equal(failed?.ok, 1);
      assert.equal("speculativeAuthenticate" in (failed ?? {}), false);
      const bad = await client.msg({ hello: 1, speculativeAuthenticate: { find: "x" }, $db: "admin" });
      assert.equal(bad?.code, 51769);
      assert.equal(server.stats.commands.saslStart, undefined);
    });
  });

  it("accepts the client metadata document only in the first hello", async () => {
    await withClient(async (client) => {
      const client1 = {
        application: { name: "app" },
        driver: { name: "raw", version: "0" },
        os: { type: "Linux" },
      };
      assert.equal((await client.msg({ hello: 1, client: client1, $db: "admin" }))?.ok, 1);
      assert.equal((await client.msg({ hello: 1, client: client1, $db: "admin" }))?.code, 186);
    });
  });
});

describe("reference server failCommand failpoint", () => {
  it("fails the named command n times with the code and labels given, then turns off", async () => {
    await withClient(async (client, server) => {
      await scramAuth(client, ALICE);
      const set = await client.msg({
        configureFailPoint: "failCommand",
        mode: { times: 2 },
        data: { failCommands: ["ping"], errorCode: 391, errorLabels: ["X"] },
        $db: "admin",
      });
      assert.equal(set?.ok, 1);
      for (let i = 0; i < 2; i++) {
        const reply = await client.msg({ ping: 1, $db: "admin" });
        assert.deepEqual(
          [reply?.ok, reply?.code, reply?.codeName, reply?.errorLabels],
          [0, 391, "ReauthenticationRequired", ["X"]],
        );
      }
      assert.equal((await client.msg({ ping: 1, $db: "admin" }))?.ok, 1);
      assert.equal(server.stats.failpointHits, 2);
    });
  });

  it("closes the connection when closeConnection is set, and is admin-only", async () => {
    await withClient(async (client) => {
      await scramAuth(client, ALICE);
      const onApp = await client.msg({
        configureFailPoint: "failCommand",
        mode: "alwaysOn",
        data: {},
        $db: "app",
      });
      assert.equal(onApp?.code, 13);
      await client.msg({
        configureFailPoint: "failCommand",
        mode: "alwaysOn",
        data: { failCommands: ["buildInfo"], closeConnection: true },
        $db: "admin",
      });
      assert.equal(await client.msg({ buildInfo: 1, $db: "admin" }), undefined);
      await client.closed();
    });
  });
});
