import { describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { type MongoAuthError, MongoServerError, WireConnection } from "@mongo-auth/core";
import {
  memorySocket as memorySocketOf,
  replyTo,
  requestBody,
  type SocketKind,
} from "../support/memory-socket.ts";
import { compressMessage, decompressMessage, OP_COMPRESSED } from "../../src/wire/compression.ts";
import { STOPPED_PROCESS_MS } from "../../src/core/abort.ts";

for (const kind of ["raw", "streams"] as const satisfies SocketKind[]) {
  describe(`WireConnection (${kind === "raw" ? "a socket that pushes" : "a socket of Web Streams"})`, () => {
    const memorySocket = () => memorySocketOf(kind);

    it("sends the command with $db and resolves with the reply that answers it", async () => {
      const { socket, peer } = memorySocket();
      const conn = new WireConnection(socket);
      const pending = conn.command("admin", { ping: 1 });
      const request = await peer.nextWrite();
      assert.deepEqual(requestBody(request), { ping: 1, $db: "admin" });
      peer.send(replyTo(request, { ok: 1, pong: true }));
      assert.deepEqual(await pending, { ok: 1, pong: true });
      assert.equal(conn.roundTrips, 1);
      await conn.close();
    });

    it("adds a declared Stable API version's fields to every command, after its own and before $db", async () => {
      const { socket, peer } = memorySocket();
      const conn = new WireConnection(socket, { apiParameters: { apiVersion: "1", apiStrict: false } });
      for (
        const cmd of [{ hello: 1, helloOk: true }, { saslStart: 1, mechanism: "SCRAM-SHA-256" }, {
          getMore: 7,
        }]
      ) {
        const pending = conn.command("admin", cmd);
        const request = await peer.nextWrite();
        const body = requestBody(request);
        assert.deepEqual(body, { ...cmd, apiVersion: "1", apiStrict: false, $db: "admin" });
        // The command's name stays its first key: the server reads the command from it.
        assert.equal(Object.keys(body)[0], Object.keys(cmd)[0]);
        peer.send(replyTo(request, { ok: 1 }));
        await pending;
      }
      await conn.close();
    });

    it("matches concurrent replies by responseTo, whatever their order", async () => {
      const { socket, peer } = memorySocket();
      const conn = new WireConnection(socket);
      const first = conn.command("a", { n: 1 });
      const second = conn.command("a", { n: 2 });
      const [r1, r2] = [await peer.nextWrite(), await peer.nextWrite()];
      peer.send(replyTo(r2, { ok: 1, n: 2 }));
      peer.send(replyTo(r1, { ok: 1, n: 1 }));
      assert.equal((await first).n, 1);
      assert.equal((await second).n, 2);
      await conn.close();
    });

    it("throws a MongoServerError with the server's code for ok: 0", async () => {
      const { socket, peer } = memorySocket();
      const conn = new WireConnection(socket);
      const pending = conn.command("admin", { nope: 1 });
      peer.send(
        replyTo(await peer.nextWrite(), {
          ok: 0,
          code: 59,
          codeName: "CommandNotFound",
          errmsg: "no such command",
        }),
      );
      await assert.rejects(pending, (err: unknown) => {
        assert.ok(err instanceof MongoServerError);
        assert.equal(err.serverCode, 59);
        assert.equal(err.codeName, "CommandNotFound");
        return true;
      });
      assert.equal(conn.closed, false, "a server error leaves the connection usable");
      await conn.close();
    });

    it("times out, and closes the socket since its state is unknown", async () => {
      const { socket, peer } = memorySocket();
      const conn = new WireConnection(socket, { timeoutMS: 20, peer: "db.example:27017" });
      await assert.rejects(conn.command("admin", { ping: 1 }), {
        code: "TIMEOUT",
        message:
          "no reply from db.example:27017 within 20 ms: the connection is closed, its state unknown; " +
          "connect again, and give slow commands longer (socketTimeoutMS, or timeoutMS)",
      });
      assert.ok(peer.closed);
      await assert.rejects(conn.command("admin", { ping: 1 }), { code: "TIMEOUT" });
    });

    it("a process stopped past a command's timeout: the reply that comes after gets the stopped time, once", async () => {
      const { socket, peer } = memorySocket();
      const conn = new WireConnection(socket, { timeoutMS: 100, peer: "db.example:27017" });
      const reply = conn.command("admin", { ping: 1 });
      const request = await peer.nextWrite();
      const until = Date.now() + 100 + STOPPED_PROCESS_MS + 200;
      while (Date.now() < until); // the event loop held (a long garbage collection): the timer is long due
      setTimeout(() => peer.send(replyTo(request, { ok: 1 })), 20); // the reply, read after that timer
      assert.deepEqual(await reply, { ok: 1 });
      assert.equal(conn.closed, false);

      const unanswered = conn.command("admin", { ping: 1 });
      const stoppedUntil = Date.now() + 100 + STOPPED_PROCESS_MS + 200;
      while (Date.now() < stoppedUntil);
      await assert.rejects(unanswered, (err: MongoAuthError) => {
        assert.equal(err.code, "TIMEOUT");
        assert.match(err.message, /^no reply from db\.example:27017 within 100 ms: /);
        assert.match(err.message, /this process had stopped for \d+ ms of that time/);
        return true;
      });
      assert.ok(peer.closed);
    });

    it("stops waiting when the caller's signal fires", async () => {
      const { socket, peer } = memorySocket();
      const conn = new WireConnection(socket);
      const controller = new AbortController();
      const pending = conn.command("admin", { ping: 1 }, { signal: controller.signal });
      await peer.nextWrite();
      controller.abort();
      await assert.rejects(pending, { code: "ABORTED" });
      assert.ok(peer.closed);
    });

    it("fails pending commands when the server closes the connection, naming it and what to do", async () => {
      const { socket, peer } = memorySocket();
      const conn = new WireConnection(socket, { peer: "db.example:27017" });
      const pending = conn.command("admin", { ping: 1 });
      await peer.nextWrite();
      peer.end();
      await assert.rejects(pending, {
        code: "CONNECTION_CLOSED",
        message:
          "db.example:27017 closed the connection: connect again (a server closes its connections when " +
          "it restarts or steps down, and a firewall or load balancer may drop one that sat idle)",
      });
      assert.equal(conn.closed, true);
    });

    it("a connection that fails under a command (a reset): CONNECTION_CLOSED naming the server, the code and what to do", async () => {
      const { socket, peer } = memorySocket();
      const conn = new WireConnection(socket, { peer: "db.example:27017" });
      const pending = conn.command("admin", { ping: 1 });
      await peer.nextWrite();
      peer.fail(Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }));
      await assert.rejects(pending, {
        code: "CONNECTION_CLOSED",
        message:
          "db.example:27017 closed the connection or it failed (ECONNRESET): connect again (a server closes " +
          "its connections when it restarts or steps down, and a firewall or load balancer may drop one that sat idle)",
      });
      assert.equal(conn.closed, true);
    });

    it("close() fails the commands in flight and every later one with one CONNECTION_CLOSED error", async () => {
      const { socket, peer } = memorySocket();
      const conn = new WireConnection(socket, { peer: "db.example:27017" });
      const pending = conn.command("admin", { ping: 1 });
      await peer.nextWrite();
      await conn.close();
      const inFlight = await pending.catch((err) => err);
      assert.equal(inFlight.code, "CONNECTION_CLOSED");
      assert.equal(
        inFlight.message,
        "the connection to db.example:27017 was closed (close() was called): connect again to run more commands",
      );
      assert.equal(await conn.command("admin", { ping: 1 }).catch((err) => err), inFlight);
      assert.ok(peer.closed);
      assert.equal(conn.closed, true);
    });

    it("after close() with nothing in flight, refuses every command with the same CONNECTION_CLOSED error", async () => {
      const { socket, peer } = memorySocket();
      const conn = new WireConnection(socket);
      await conn.close();
      await conn.close();
      assert.equal(conn.closed, true);
      assert.ok(peer.closed);
      const first = await conn.command("admin", { ping: 1 }).catch((err) => err);
      assert.equal(first.code, "CONNECTION_CLOSED");
      assert.match(first.message, /^the connection to the server was closed \(close\(\) was called\)/);
      assert.equal(await conn.command("admin", { ping: 1 }).catch((err) => err), first);
      assert.equal(peer.written.length, 0, "nothing is sent on a closed connection");
    });

    it("treats a reply to a request it never sent as a protocol error", async () => {
      const { socket, peer } = memorySocket();
      const conn = new WireConnection(socket);
      const pending = conn.command("admin", { ping: 1 });
      const request = await peer.nextWrite();
      peer.send(replyTo(request, { ok: 1 }, { responseTo: 123456 }));
      await assert.rejects(pending, { code: "PROTOCOL_ERROR" });
      assert.ok(peer.closed);
    });

    it("rejects a reply larger than maxMessageSizeBytes without waiting for its bytes", async () => {
      const { socket, peer } = memorySocket();
      const conn = new WireConnection(socket, { maxMessageSizeBytes: 1024 });
      const pending = conn.command("admin", { ping: 1 });
      await peer.nextWrite();
      const header = new Uint8Array(16);
      new DataView(header.buffer).setInt32(0, 1_000_000, true);
      peer.send(header);
      await assert.rejects(pending, { code: "MESSAGE_TOO_LARGE" });
    });

    it("refuses to send a command larger than maxMessageSizeBytes", async () => {
      const { socket } = memorySocket();
      const conn = new WireConnection(socket, { maxMessageSizeBytes: 100 });
      await assert.rejects(conn.command("admin", { big: "x".repeat(200) }), { code: "MESSAGE_TOO_LARGE" });
      await conn.close();
    });

    it("with a compressor (snappy or zlib): compresses commands but never hello or authentication", async () => {
      for (const [compressor, id] of [["snappy", 1], ["zlib", 2]] as const) {
        const { socket, peer } = memorySocket();
        const conn = new WireConnection(socket);
        conn.compressor = compressor;
        for (
          const [cmd, compressed] of [
            [{ hello: 1 }, false],
            [{ saslContinue: 1, payload: new Uint8Array(8) }, false],
            [{ ping: 1 }, true],
            [{ find: "c", filter: {} }, true],
          ] as const
        ) {
          const pending = conn.command("admin", cmd);
          const sent = await peer.nextWrite();
          assert.equal(opCodeOf(sent), compressed ? OP_COMPRESSED : 2013, Object.keys(cmd)[0]);
          if (compressed) assert.equal(sent[24], id, compressor);
          const request = compressed ? await decompressMessage(sent, 48_000_000, "test") : sent;
          assert.equal(Object.keys(requestBody(request))[0], Object.keys(cmd)[0]);
          peer.send(replyTo(request, { ok: 1 }));
          assert.equal((await pending).ok, 1);
        }
        await conn.close();
      }
    });

    it("reads compressed replies, whether or not it compresses (the server may compress any reply)", async () => {
      const { socket, peer } = memorySocket();
      const conn = new WireConnection(socket);
      const first = conn.command("admin", { ping: 1 });
      const second = conn.command("admin", { ping: 2 });
      const third = conn.command("admin", { ping: 3 });
      const [r1, r2, r3] = [await peer.nextWrite(), await peer.nextWrite(), await peer.nextWrite()];
      peer.send(await compressMessage(replyTo(r1, { ok: 1, n: 1 }), "zlib"));
      peer.send(replyTo(r2, { ok: 1, n: 2 }));
      peer.send(await compressMessage(replyTo(r3, { ok: 1, n: 3 }), "snappy"));
      assert.equal((await first).n, 1);
      assert.equal((await second).n, 2);
      assert.equal((await third).n, 3);
      await conn.close();
    });

    it("a compressed reply followed at once by the server's close still answers its command", async () => {
      const { socket, peer } = memorySocket();
      const conn = new WireConnection(socket);
      const pending = conn.command("admin", { ping: 1 });
      const second = conn.command("admin", { ping: 2 });
      const [r1] = [await peer.nextWrite(), await peer.nextWrite()];
      peer.send(await compressMessage(replyTo(r1, { ok: 1, n: 1 }), "zlib"));
      peer.end();
      assert.equal((await pending).n, 1);
      // The command the server never answered fails as the close says.
      await assert.rejects(second, {
        code: "CONNECTION_CLOSED",
        message: /^the server closed the connection: /,
      });
      assert.equal(conn.closed, true);
    });

    it("a compressed reply that lies about its size fails the connection with PROTOCOL_ERROR", async () => {
      const { socket, peer } = memorySocket();
      const conn = new WireConnection(socket, { peer: "db:27017" });
      const pending = conn.command("admin", { ping: 1 });
      const reply = await compressMessage(replyTo(await peer.nextWrite(), { ok: 1 }), "zlib");
      const declared = new DataView(reply.buffer).getInt32(20, true);
      new DataView(reply.buffer).setInt32(20, declared + 64, true);
      peer.send(reply);
      await assert.rejects(pending, {
        code: "PROTOCOL_ERROR",
        message: /^db:27017 sent a compressed message/,
      });
      assert.equal(conn.closed, true);
      assert.equal(peer.closed, true);
    });

    it("a compressed reply that wraps another compressed reply fails the connection with PROTOCOL_ERROR", async () => {
      const { socket, peer } = memorySocket();
      const conn = new WireConnection(socket, { peer: "db:27017" });
      const pending = conn.command("admin", { ping: 1 });
      const once = await compressMessage(replyTo(await peer.nextWrite(), { ok: 1 }), "snappy");
      peer.send(noopWrapped(once));
      await assert.rejects(pending, {
        code: "PROTOCOL_ERROR",
        message: /^db:27017 sent a compressed message that wraps another compressed message/,
      });
      assert.equal(conn.closed, true);
      assert.equal(peer.closed, true);
    });
  });
}

// An OP_COMPRESSED (noop) around a whole message, as the compression header says: its opcode, its size.
function noopWrapped(message: Uint8Array): Uint8Array {
  const out = new Uint8Array(9 + message.length);
  const view = new DataView(out.buffer);
  out.set(message.subarray(0, 16));
  view.setInt32(0, out.length, true);
  view.setInt32(12, OP_COMPRESSED, true);
  view.setInt32(16, opCodeOf(message), true);
  view.setInt32(20, message.length - 16, true);
  out[24] = 0;
  out.set(message.subarray(16), 25);
  return out;
}

function opCodeOf(message: Uint8Array): number {
  return new DataView(message.buffer, message.byteOffset).getInt32(12, true);
}

describe("new WireConnection: arguments of the wrong type", () => {
  it("a socket that is not one, or options of the wrong type, are INVALID_OPTION", () => {
    for (
      const [socket, type] of [[undefined, "undefined"], [null, "null"], [5, "a number"], [
        {},
        "an object",
      ]]
    ) {
      assert.throws(() => new WireConnection(socket as never), {
        code: "INVALID_OPTION",
        message:
          `new WireConnection() needs a socket: what Transport.openSocket resolves to (readable and writable streams and close(), or raw), got ${type}`,
      });
    }
    const socket = { readable: new ReadableStream(), writable: new WritableStream(), close() {} };
    assert.throws(() => new WireConnection(socket, { timeoutMS: "60s" } as never), {
      code: "INVALID_OPTION",
      message: "option timeoutMS of new WireConnection() must be a number, got a string",
    });
  });
});

describe("WireConnection.command: what a caller asks to send", () => {
  it("a database name, command or options of the wrong type are INVALID_OPTION, and nothing is written", async () => {
    const { socket, peer } = memorySocketOf("raw");
    const conn = new WireConnection(socket);
    await assert.rejects(conn.command(5 as never, { ping: 1 }), {
      code: "INVALID_OPTION",
      message: /database name/,
    });
    await assert.rejects(conn.command("admin", "ping" as never), {
      code: "INVALID_OPTION",
      message: /as a document/,
    });
    await assert.rejects(conn.command("admin", {}), { code: "INVALID_OPTION", message: /empty command/ });
    await assert.rejects(conn.command("admin", { ping: 1 }, { signal: "stop" } as never), {
      code: "INVALID_OPTION",
      message: /^option signal of command\(\) must be an AbortSignal/,
    });
    await assert.rejects(conn.command("admin", { ping: 1 }, { timeoutMS: "1s" } as never), {
      code: "INVALID_OPTION",
      message: "option timeoutMS of command() must be a number, got a string",
    });
    assert.equal(peer.written.length, 0);
    await conn.close();
  });

  it("a first reply of 789 bytes, whose length starts as a TLS alert record does, answers its command", async () => {
    const { socket, peer } = memorySocketOf("raw");
    const conn = new WireConnection(socket, { peer: "db:27017" });
    const pending = conn.command("admin", { hello: 1 });
    const request = await peer.nextWrite();
    const empty = replyTo(request, { ok: 1, pad: "" });
    const reply = replyTo(request, { ok: 1, pad: "x".repeat(789 - empty.length) });
    assert.deepEqual([...reply.subarray(0, 4)], [0x15, 0x03, 0x00, 0x00]);
    peer.send(reply.subarray(0, 7));
    peer.send(reply.subarray(7));
    assert.equal((await pending).ok, 1);
    await conn.close();
  });

  it("a TLS alert and a hang-up (a TLS server reached without tls=true): TLS_ERROR saying to add tls=true", async () => {
    const { socket, peer } = memorySocketOf("raw");
    const conn = new WireConnection(socket, { peer: "db:27017" });
    const pending = conn.command("admin", { hello: 1 });
    await peer.nextWrite();
    peer.send(Uint8Array.of(0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46));
    peer.end();
    await assert.rejects(pending, {
      code: "TLS_ERROR",
      message: /^db:27017 answered with TLS \(a TLS alert record\) to a plain connection: .*add tls=true/,
    });
  });

  it("a command of 20 MB, larger than bson's own buffer, is sent whole", async () => {
    const { socket, peer } = memorySocketOf("raw");
    const conn = new WireConnection(socket);
    const text = "x".repeat(20_000_000);
    const pending = conn.command("app", { insert: "c", documents: [{ text }] });
    const request = await peer.nextWrite();
    const body = requestBody(request) as { documents: { text: string }[]; $db: string };
    assert.equal(body.documents[0].text.length, text.length);
    assert.equal(body.$db, "app");
    peer.send(replyTo(request, { ok: 1, n: 1 }));
    assert.equal((await pending).n, 1);
    await conn.close();
  });

  it("a command over maxMessageSizeBytes: MESSAGE_TOO_LARGE naming it, its size and the limit; nothing is sent", async () => {
    const { socket, peer } = memorySocketOf("raw");
    const conn = new WireConnection(socket, { maxMessageSizeBytes: 19_000_000 });
    await assert.rejects(
      conn.command("app", { insert: "c", documents: [{ text: "x".repeat(20_000_000) }] }),
      {
        code: "MESSAGE_TOO_LARGE",
        message:
          /^the insert command is 20000\d{3} bytes, more than maxMessageSizeBytes \(19000000\), the largest /,
      },
    );
    assert.equal(peer.written.length, 0);
    assert.equal(conn.closed, false, "nothing was sent: the connection stays usable");
    await conn.close();
  });

  it("a command BSON cannot hold (one that contains itself): INVALID_OPTION naming it; nothing is sent", async () => {
    const { socket, peer } = memorySocketOf("raw");
    const conn = new WireConnection(socket);
    const filter: Record<string, unknown> = { status: "open" };
    filter.again = filter;
    await assert.rejects(conn.command("app", { find: "orders", filter }), {
      name: "MongoAuthError",
      code: "INVALID_OPTION",
      message: /^the find command cannot be encoded as BSON \(Cannot convert circular structure to BSON\)/,
    });
    assert.equal(peer.written.length, 0);
    assert.equal(conn.closed, false);
    await conn.close();
  });

  it("a command that fails after it is registered leaves nothing pending: close() rejects no orphan promise", async () => {
    const { socket } = memorySocketOf("raw");
    const conn = new WireConnection(socket);
    const signal = new AbortController().signal;
    // An AbortSignal whose listener cannot be added (patched by some library): the command fails there.
    signal.addEventListener = () => {
      throw new Error("patched addEventListener");
    };
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      await assert.rejects(conn.command("admin", { ping: 1 }, { signal }), /patched addEventListener/);
      await conn.close();
      await new Promise((resolve) => setTimeout(resolve, 10));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});
