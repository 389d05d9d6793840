// timeoutMS, the Client Side Operations Timeout: one bound on connect() as a whole (whatever it waits on:
// a host that never answers, several of them in turn, a server that answers slowly), and then each
// command's timeout in place of socketTimeoutMS. Through each transport of this runtime.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { connectWith } from "@mongo-auth/core";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import { startSilentListener } from "../support/socks5-proxy.ts";
import { settledWithin } from "../support/settled-within.ts";
import { transports } from "../support/transports.ts";
import { refusal } from "../support/who-am-i.ts";

const users = [{ db: "admin", user: "alice", password: "alice-pw", mechanisms: ["SCRAM-SHA-256"] }];

for (const { name, transport } of await transports()) {
  describe(`timeoutMS (${name} transport)`, () => {
    let server: RunningServer;
    before(async () => void (server = await startServer({ users })));
    after(() => server.close());

    it("bounds connect() as a whole: two silent hosts, each with 10 s of connectTimeoutMS, end at timeoutMS", async () => {
      const [a, b] = [await startSilentListener(), await startSilentListener()];
      try {
        const uri = `mongodb://alice:alice-pw@127.0.0.1:${a.port},127.0.0.1:${b.port}/?timeoutMS=300`;
        const err = await settledWithin(
          4000,
          "connect() under timeoutMS",
          refusal(connectWith(transport, uri, { connectTimeoutMS: 10_000 })),
        );
        assert.equal(err.code, "TIMEOUT");
        assert.match(
          err.message,
          new RegExp(
            `^connecting to 127\\.0\\.0\\.1:${a.port},127\\.0\\.0\\.1:${b.port} did not finish within timeoutMS \\(300 ms\\)`,
          ),
        );
        assert.doesNotMatch(err.message, /alice-pw/);
        // Both hosts were cut short by the same clock: said once, then where each stood, their errors the cause.
        assert.equal(err.message.split("timeoutMS").length, 2, err.message);
        assert.match(
          err.message,
          /: could not connect to any host: connecting to 127\.0\.0\.1:\d+, 127\.0\.0\.1:\d+: the connection opened, but hello got no answer: /,
        );
        assert.ok(err.cause instanceof Error);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });

    it("a member whose turn comes after timeoutMS ran out is said to be not tried, not to have failed", async () => {
      // With replicaSet (read from the primary) members are checked one at a time; the next starts beside a
      // check 500 ms slow, after these 300 ms.
      const [a, b] = [await startSilentListener(), await startSilentListener()];
      try {
        const uri =
          `mongodb://alice:alice-pw@127.0.0.1:${a.port},127.0.0.1:${b.port}/?replicaSet=rs0&timeoutMS=300`;
        const err = await settledWithin(
          4000,
          "connect() under timeoutMS",
          refusal(connectWith(transport, uri)),
        );
        assert.equal(err.code, "TIMEOUT");
        assert.match(
          err.message,
          /: could not connect to any host: connecting to 127\.0\.0\.1:\d+: the connection opened, but hello got no answer: .*; 127\.0\.0\.1:\d+ was not tried: timeoutMS \(300 ms\) ran out before its turn \(the hosts before it took the time\)$/,
        );
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });

    it("an option wins over the connection string's; the caller's abort still says ABORTED", async () => {
      const silent = await startSilentListener();
      try {
        const uri = `mongodb://127.0.0.1:${silent.port}/?timeoutMS=60000&directConnection=true`;
        const timedOut = await settledWithin(
          4000,
          "timeoutMS as an option",
          refusal(connectWith(transport, uri, { timeoutMS: 200 })),
        );
        assert.equal(timedOut.code, "TIMEOUT");
        assert.match(timedOut.message, /timeoutMS \(200 ms\)/);
        const controller = new AbortController();
        setTimeout(() => controller.abort(), 50);
        const aborted = await settledWithin(
          4000,
          "an abort under timeoutMS",
          refusal(connectWith(transport, uri, { signal: controller.signal })),
        );
        assert.equal(aborted.code, "ABORTED");
      } finally {
        await silent.close();
      }
    });

    // A failpoint holds the server's reply to one command for 5 s; the TIMEOUT at timeoutMS says where the
    // connection stood, as connectTimeoutMS's does. The login case leaves time enough to reach saslContinue
    // (PBKDF2 included) on a loaded machine.
    const held = [
      {
        what: "a server slow to answer hello",
        command: "hello",
        timeoutMS: 250,
        stood:
          "the connection opened, but hello got no answer: check that the port is a MongoDB server's, and " +
          "whether the server is overloaded",
      },
      {
        what: "a login slow to finish",
        command: "saslContinue",
        timeoutMS: 1000,
        stood:
          "the authentication (SCRAM) did not finish: a credential source or callback was slow to answer, " +
          "or the server its steps",
      },
    ];
    for (const { what, command, timeoutMS, stood } of held) {
      it(`${what}: TIMEOUT at timeoutMS, not at connectTimeoutMS, saying where it stood`, async () => {
        server.failPoints.configure({
          configureFailPoint: "failCommand",
          mode: { times: 1 },
          data: { failCommands: [command], blockConnection: true, blockTimeMS: 5_000 },
        });
        try {
          const uri =
            `mongodb://alice:alice-pw@${server.address}/?timeoutMS=${timeoutMS}&connectTimeoutMS=20000`;
          const err = await settledWithin(
            4000,
            `${what} under timeoutMS`,
            refusal(connectWith(transport, uri)),
          );
          assert.equal(err.code, "TIMEOUT");
          assert.equal(
            err.message,
            `connecting to ${server.address} did not finish within timeoutMS (${timeoutMS} ms): ${stood}`,
          );
        } finally {
          server.failPoints.configure({ configureFailPoint: "failCommand", mode: "off" });
        }
      });
    }

    it("then bounds each command in place of socketTimeoutMS", async () => {
      const conn = await connectWith(transport, `mongodb://alice:alice-pw@${server.address}/?timeoutMS=400`, {
        socketTimeoutMS: 60_000,
      });
      try {
        assert.equal((await conn.command("admin", { ping: 1 })).ok, 1);
        server.failPoints.configure({
          configureFailPoint: "failCommand",
          mode: { times: 1 },
          data: { failCommands: ["ping"], blockConnection: true, blockTimeMS: 5_000 },
        });
        const err = await settledWithin(
          4000,
          "a slow command under timeoutMS",
          refusal(conn.command("admin", { ping: 1 })),
        );
        assert.equal(err.code, "TIMEOUT");
      } finally {
        server.failPoints.configure({ configureFailPoint: "failCommand", mode: "off" });
        await conn.close();
      }
    });

    it("each command carries maxTimeMS, its timeoutMS, and the server's MaxTimeMSExpired (50) is TIMEOUT", async () => {
      const conn = await connectWith(transport, `mongodb://alice:alice-pw@${server.address}/?timeoutMS=4000`);
      const seen = () => server.stats.maxTimeMS.connectionStatus ?? [];
      try {
        const before = seen().length;
        await conn.command("admin", { connectionStatus: 1 });
        await conn.command("admin", { connectionStatus: 1 }, { timeoutMS: 1500 });
        assert.deepEqual(seen().slice(before), [4000, 1500]);
        // The handshake's commands carry none (connect() bounds them itself).
        assert.equal(server.stats.maxTimeMS.saslContinue, undefined);
        server.failPoints.configure({
          configureFailPoint: "failCommand",
          mode: { times: 1 },
          data: { failCommands: ["connectionStatus"], errorCode: 50 },
        });
        const err = await refusal(conn.command("admin", { connectionStatus: 1 }));
        assert.equal(err.code, "TIMEOUT");
        assert.match(err.message, /stopped the command at its maxTimeMS \(4000 ms, from timeoutMS\)/);
        assert.equal((err.cause as { serverCode?: number }).serverCode, 50);
      } finally {
        server.failPoints.configure({ configureFailPoint: "failCommand", mode: "off" });
        await conn.close();
      }
    });

    it("without timeoutMS no command carries maxTimeMS", async () => {
      const conn = await connectWith(transport, `mongodb://alice:alice-pw@${server.address}/`);
      try {
        const before = server.stats.maxTimeMS.ping?.length ?? 0;
        await conn.command("admin", { ping: 1 }, { timeoutMS: 500 });
        assert.equal(server.stats.maxTimeMS.ping?.length ?? 0, before);
      } finally {
        await conn.close();
      }
    });

    it("connect()'s clock stops when it returns: each later command has timeoutMS of its own", async () => {
      const conn = await connectWith(transport, `mongodb://alice:alice-pw@${server.address}/?timeoutMS=300`);
      try {
        await new Promise((resolve) => setTimeout(resolve, 400));
        assert.equal((await conn.command("admin", { ping: 1 })).ok, 1);
        assert.equal(conn.closed, false);
      } finally {
        await conn.close();
      }
    });
  });
}
