// connect(): one deadline (connectTimeoutMS and the caller's signal) for socket, hello and
// authentication, kept whatever the server sends; connectTimeoutMS=0 and socketTimeoutMS=0 mean no
// timeout. Through each transport of this runtime, against the reference server behind a hostile peer.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Binary } from "bson";
import {
  AuthCacheStore,
  connectWith,
  type MongoAuthError,
  ScramKeyCache,
  type Transport,
} from "@mongo-auth/core";
import { nodeTransport } from "../../src/transport/node.ts";
import { STEPS_PER_TURN } from "../../src/client/turn-budget.ts";
import { deriveScramKeys, type ScramKeyParams } from "../../src/crypto/scram-key-cache.ts";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import { type HostileServer, startHostileServer } from "../support/hostile-server.ts";
import { settledWithin } from "../support/settled-within.ts";
import { transports } from "../support/transports.ts";

const users = [{ db: "admin", user: "alice", password: "alice-pw", mechanisms: ["SCRAM-SHA-256"] }];

// The hello reply with its speculative server-first-message asking for `iterations`.
function askingFor(iterations: string) {
  return (body: Record<string, unknown>, index: number) => {
    if (index !== 1) return body;
    const speculative = body.speculativeAuthenticate as { payload: Binary };
    const serverFirst = new TextDecoder().decode(speculative.payload.buffer);
    const rewritten = serverFirst.replace(/,i=\d+/, `,i=${iterations}`);
    return {
      ...body,
      speculativeAuthenticate: { ...speculative, payload: new Binary(new TextEncoder().encode(rewritten)) },
    };
  };
}

// A key cache that reports when a derivation starts and ends (or never ends, when `derive` says so).
function watchedKeys(
  derive: (params: ScramKeyParams) => Promise<Awaited<ReturnType<typeof deriveScramKeys>>>,
) {
  const seen = { started: 0, finished: 0 };
  const scramKeyCache = new ScramKeyCache({
    derive: async (params) => {
      seen.started++;
      const keys = await derive(params);
      seen.finished++;
      return keys;
    },
  });
  return { seen, scramKeyCache, cacheStore: new AuthCacheStore({ scramKeyCache }) };
}

// Derives with 4096 iterations whatever the server asked: a count let through must not cost minutes.
const cheaply = (params: ScramKeyParams) => deriveScramKeys({ ...params, iterations: 4096 });

for (const { name, transport } of await transports()) {
  describe(`connect() (${name} transport)`, () => {
    let server: RunningServer;
    before(async () => void (server = await startServer({ users })));
    after(() => server.close());

    it("a process stopped for longer than connectTimeoutMS still connects: that time is not the server's", async () => {
      // The process holds its event loop (as a long garbage collection would) once authentication is under
      // way (a microtask after the first SASL step: the connection's clock runs again by then): the budget's
      // timer is long due when the loop runs again, and the runtime runs it before it reads the server's answer.
      const stopMS = 1_700;
      let stopped = false;
      const conn = await connectWith(transport, uri(server.address, "&connectTimeoutMS=500"), {
        onEvent: (event) => {
          if (event.type !== "sasl.step" || stopped) return;
          stopped = true;
          queueMicrotask(() => {
            const until = Date.now() + stopMS;
            while (Date.now() < until); // synchronous work: nothing else runs
          });
        },
      });
      assert.equal(stopped, true);
      await conn.command("admin", { ping: 1 });
      await conn.close();
    });

    async function behindPeer(iterations: string, run: (peer: HostileServer) => Promise<void>) {
      const peer = await startHostileServer({
        upstream: { host: server.host, port: server.port },
        plan: { rewriteReply: askingFor(iterations) },
      });
      try {
        await run(peer);
      } finally {
        await peer.close();
      }
    }
    const uri = (address: string, query = "") =>
      `mongodb://alice:alice-pw@${address}/?authMechanism=SCRAM-SHA-256${query}`;

    describe("a hostile SCRAM iteration count", () => {
      for (const count of ["2147483647", "2147483648", "99999999999"]) {
        it(`i=${count}: refused before any key is derived, naming user, mechanism, host and the option`, async () => {
          await behindPeer(count, async (peer) => {
            const { seen, cacheStore } = watchedKeys(cheaply);
            await assert.rejects(
              connectWith(transport, uri(peer.address), { cacheStore }),
              (err: MongoAuthError) => {
                assert.equal(err.code, "SCRAM_ITERATIONS_TOO_HIGH");
                for (const part of ["127.0.0.1", '"alice"', "SCRAM-SHA-256", "maxScramIterations"]) {
                  assert.ok(err.message.includes(part), `${part} in: ${err.message}`);
                }
                assert.ok(!err.message.includes("alice-pw"));
                return true;
              },
            );
            assert.equal(seen.started, 0);
          });
        });
      }

      it("past 2³¹−1 it is the same coded error even with the ceiling raised to the top (never a DOMException)", async () => {
        await behindPeer("2147483648", async (peer) => {
          const { seen, cacheStore } = watchedKeys(cheaply);
          await assert.rejects(
            connectWith(transport, uri(peer.address), { cacheStore, maxScramIterations: 2 ** 31 - 1 }),
            { code: "SCRAM_ITERATIONS_TOO_HIGH" },
          );
          assert.equal(seen.started, 0);
        });
      });

      it("a ceiling past 2³¹−1 is refused before connecting", async () => {
        await assert.rejects(connectWith(transport, uri(server.address), { maxScramIterations: 2 ** 32 }), {
          code: "INVALID_OPTION",
          message: /maxScramIterations/,
        });
      });

      it("just under the ceiling, with a derivation still running at connectTimeoutMS: TIMEOUT", async () => {
        await behindPeer("999999", async (peer) => {
          const { seen, cacheStore } = watchedKeys(() => new Promise(() => {}));
          await assert.rejects(
            settledWithin(
              10_000,
              "connect()",
              connectWith(transport, uri(peer.address), { cacheStore, connectTimeoutMS: 1000 }),
            ),
            { code: "TIMEOUT", message: /connectTimeoutMS/ },
          );
          assert.equal(seen.started, 1, "the deadline fired while the key was being derived");
          await peer.connections[0].closed;
        });
      });

      it("just under the ceiling, real PBKDF2, short connectTimeoutMS: TIMEOUT without waiting for it", async () => {
        await behindPeer("999999", async (peer) => {
          const { seen, cacheStore } = watchedKeys(deriveScramKeys);
          await assert.rejects(
            connectWith(transport, uri(peer.address), { cacheStore, connectTimeoutMS: 30 }),
            { code: "TIMEOUT" },
          );
          assert.equal(seen.finished, 0, "connect() settled before the derivation ended");
        });
      });

      it("just under the ceiling, the caller aborts while PBKDF2 runs: ABORTED without waiting for it", async () => {
        await behindPeer("999999", async (peer) => {
          const controller = new AbortController();
          const { seen, cacheStore } = watchedKeys((params) => {
            controller.abort();
            return deriveScramKeys(params);
          });
          await assert.rejects(
            connectWith(transport, uri(peer.address), { cacheStore, signal: controller.signal }),
            { code: "ABORTED" },
          );
          assert.equal(seen.started, 1);
          assert.equal(seen.finished, 0, "connect() settled before the derivation ended");
          await peer.connections[0].closed;
        });
      });

      it("a count at the ceiling is derived (a server may really use that many)", async () => {
        await behindPeer("1000000", async (peer) => {
          const { seen, cacheStore } = watchedKeys(cheaply);
          // The keys are derived with the wrong count on purpose (to stay fast): the server refuses the proof.
          await assert.rejects(connectWith(transport, uri(peer.address), { cacheStore }), {
            code: "AUTHENTICATION_FAILED",
          });
          assert.equal(seen.finished, 1);
        });
      });
    });

    describe("0 means no timeout (uri-options specification)", () => {
      for (
        const [label, query, options] of [
          ["connectTimeoutMS=0 in the URI", "&connectTimeoutMS=0", {}],
          ["connectTimeoutMS: 0 as an option", "", { connectTimeoutMS: 0 }],
          ["socketTimeoutMS=0 in the URI", "&socketTimeoutMS=0", {}],
          ["both 0, with a caller signal", "&connectTimeoutMS=0&socketTimeoutMS=0", {
            signal: new AbortController().signal,
          }],
        ] as const
      ) {
        it(`${label}: connects and runs commands`, async () => {
          const conn = await connectWith(transport, uri(server.address, query), options);
          try {
            assert.equal((await conn.command("admin", { ping: 1 })).ok, 1);
          } finally {
            await conn.close();
          }
        });
      }

      it("connectTimeoutMS=0: a caller's abort still ends connecting (ABORTED)", async () => {
        const silent = await startHostileServer({ plan: { silent: true } });
        try {
          const controller = new AbortController();
          const attempt = connectWith(transport, uri(silent.address, "&connectTimeoutMS=0"), {
            signal: controller.signal,
          });
          while (silent.connections.length === 0 || silent.connections[0].messages.length === 0) {
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
          controller.abort();
          await assert.rejects(attempt, { code: "ABORTED" });
        } finally {
          await silent.close();
        }
      });
    });
  });
}

describe("connect(): mongodb+srv:// with connectTimeoutMS=0", () => {
  let server: RunningServer;
  before(async () => void (server = await startServer({ users })));
  after(() => server.close());

  it("resolves with a signal that never times out, and connects", async () => {
    const signals: AbortSignal[] = [];
    const dns: Transport = {
      ...nodeTransport,
      resolveSrv: (_name, signal) => {
        signals.push(signal);
        return Promise.resolve([{ name: "db.cluster0.mongo.test", port: server.port }]);
      },
      // A DNS failure for TXT: it is looked at once the signal has been (here: not) aborted.
      resolveTxt: () => Promise.reject(Object.assign(new Error("no TXT"), { code: "ENODATA" })),
      openSocket: (o) => nodeTransport.openSocket({ ...o, host: "127.0.0.1" }),
    };
    const conn = await connectWith(
      dns,
      "mongodb+srv://alice:alice-pw@cluster0.mongo.test/?tls=false&authSource=admin&connectTimeoutMS=0",
    );
    try {
      assert.equal(signals[0].aborted, false);
      assert.equal((await conn.command("admin", { ping: 1 })).ok, 1);
    } finally {
      await conn.close();
    }
  });
});

describe("connect(): maxConnecting bounds the handshakes in flight of one client", () => {
  let server: RunningServer;
  before(async () => void (server = await startServer({ users })));
  after(() => server.close());

  // Counts the sockets being opened at once, each held open a little so that they overlap unless
  // something bounds them.
  function counting() {
    let now = 0;
    let most = 0;
    const transport: Transport = {
      ...nodeTransport,
      openSocket: async (o) => {
        now++;
        most = Math.max(most, now);
        try {
          await new Promise((resolve) => setTimeout(resolve, 5));
          return await nodeTransport.openSocket(o);
        } finally {
          now--;
        }
      },
    };
    return { transport, most: () => most };
  }

  for (const maxConnecting of [1, 3]) {
    it(`maxConnecting=${maxConnecting}: 12 connections of one cache store, never more than that at once`, async () => {
      const { transport, most } = counting();
      const cacheStore = new AuthCacheStore();
      const conns = await Promise.all(
        Array.from(
          { length: 12 },
          () =>
            connectWith(transport, `mongodb://alice:alice-pw@127.0.0.1:${server.port}/?authSource=admin`, {
              cacheStore,
              maxConnecting,
            }),
        ),
      );
      try {
        assert.equal(most(), maxConnecting);
        for (const conn of conns) assert.equal((await conn.command("admin", { ping: 1 })).ok, 1);
      } finally {
        await Promise.all(conns.map((conn) => conn.close()));
      }
    });
  }

  it("two clients (cache stores) are bounded each on their own", async () => {
    const { transport, most } = counting();
    const uri = `mongodb://alice:alice-pw@127.0.0.1:${server.port}/?authSource=admin&maxConnecting=2`;
    const stores = [new AuthCacheStore(), new AuthCacheStore()];
    const conns = await Promise.all(
      Array.from(
        { length: 8 },
        (_, i) => connectWith(transport, uri, { cacheStore: stores[i % 2] }),
      ),
    );
    assert.equal(most(), 4);
    await Promise.all(conns.map((conn) => conn.close()));
  });

  it("a connection waiting its turn times out within its connectTimeoutMS", async () => {
    const cacheStore = new AuthCacheStore();
    // A socket that never opens, until the connection's deadline gives up on it.
    const stalled: Transport = {
      ...nodeTransport,
      openSocket: ({ signal }) =>
        new Promise((_, reject) =>
          signal.addEventListener("abort", () => reject(signal.reason), { once: true })
        ),
    };
    const uri = `mongodb://127.0.0.1:${server.port}/?maxConnecting=1&connectTimeoutMS=200`;
    const first = connectWith(stalled, uri, { cacheStore });
    const second = connectWith(nodeTransport, uri, { cacheStore, connectTimeoutMS: 50 });
    await assert.rejects(second, { code: "TIMEOUT" });
    await assert.rejects(first, { code: "TIMEOUT" });
  });
});

describe("connect(): the turn budget spreads a burst of connect() calls over turns of the event loop", () => {
  let server: RunningServer;
  before(async () => void (server = await startServer({ users })));
  after(() => server.close());

  // A transport whose next turns come only when the test lets them (a budget of its own: one per nextTurn).
  function turnByHand(openSocket: Transport["openSocket"] = nodeTransport.openSocket) {
    const turns: (() => void)[] = [];
    const transport: Transport = { ...nodeTransport, openSocket, nextTurn: (run) => void turns.push(run) };
    // Runs the turns asked for until `settled` settles.
    const untilSettled = async <T>(settled: Promise<T>): Promise<T> => {
      let done = false;
      const result = settled.finally(() => (done = true));
      while (!done) {
        turns.shift()?.();
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      return await result;
    };
    return { transport, untilSettled };
  }

  const uri = () => `mongodb://alice:alice-pw@127.0.0.1:${server.port}/?authSource=admin`;
  const later = () => new Promise((resolve) => setTimeout(resolve, 30));

  it(`reads the connection strings of ${STEPS_PER_TURN} connect() calls in the turn they start in, the others' in later turns`, async () => {
    const { transport, untilSettled } = turnByHand();
    const started: number[] = [];
    const cacheStore = new AuthCacheStore();
    const all = Promise.all(Array.from({ length: 25 }, (_, i) =>
      connectWith(transport, uri(), {
        cacheStore,
        onEvent: (event) => void (event.type === "connect.started" && started.push(i)),
      })));
    await later(); // no turn came
    assert.deepEqual(started, Array.from({ length: STEPS_PER_TURN }, (_, i) => i));
    const conns = await untilSettled(all);
    assert.equal(started.length, 25);
    await Promise.all(conns.map((conn) => conn.close()));
  });

  it("a step the budget has room for costs no turn: connect() reads its connection string before it returns", async () => {
    const { transport, untilSettled } = turnByHand();
    const events: string[] = [];
    const connecting = connectWith(transport, uri(), { onEvent: (event) => void events.push(event.type) });
    assert.deepEqual(events, ["connect.started"], "read in the call itself, not a microtask later");
    const conn = await untilSettled(connecting);
    await conn.close();
  });

  it("says hello on sockets that open together in turns, as the budget allows", async () => {
    // Every socket opens at once, when the test says so, as Deno hands a burst of them over.
    let openAll!: () => void;
    const gate = new Promise<void>((resolve) => (openAll = resolve));
    const { transport, untilSettled } = turnByHand(async (o) => {
      await gate;
      return await nodeTransport.openSocket(o);
    });
    const events: string[] = [];
    const cacheStore = new AuthCacheStore();
    const all = Promise.all(Array.from({ length: STEPS_PER_TURN }, () =>
      connectWith(transport, uri(), {
        cacheStore,
        onEvent: (event) => void events.push(event.type),
      })));
    const count = (type: string) => events.filter((seen) => seen === type).length;
    await later(); // this turn's budget went on starting them
    openAll();
    const openBy = performance.now() + 5_000;
    while (count("socket.opened") < STEPS_PER_TURN && performance.now() < openBy) await later();
    assert.equal(count("socket.opened"), STEPS_PER_TURN);
    await later(); // their sockets are open, and no turn came
    assert.equal(count("auth.started"), 0, "no hello before the next turn");
    const conns = await untilSettled(all);
    assert.equal(count("hello"), STEPS_PER_TURN);
    await Promise.all(conns.map((conn) => conn.close()));
  });
});

const runtimeTransports = await transports();

describe("connect(): an IPv6 literal is written [host]:port in messages and the trace, as in the connection string", () => {
  it("a socket that never opens: TIMEOUT naming [::1]:27017, and the trace's hosts in brackets", async () => {
    const silent: Transport = {
      ...nodeTransport,
      openSocket: ({ signal }) =>
        new Promise((_, reject) =>
          signal.addEventListener("abort", () => reject(signal.reason), { once: true })
        ),
    };
    const err = await connectWith(silent, "mongodb://[::1]:27017/?connectTimeoutMS=50").then(
      () => assert.fail("connected"),
      (e: MongoAuthError) => e,
    );
    assert.equal(err.code, "TIMEOUT");
    assert.match(err.message, /^connecting to \[::1\]:27017 timed out after 50 ms/);
    const started = err.trace!.find((e) => e.type === "connect.started")!;
    assert.deepEqual(started.attributes, { scheme: "mongodb", hosts: ["[::1]:27017"] });
  });

  for (const { name, transport } of runtimeTransports) {
    it(`nothing listens (${name} transport): CONNECTION_FAILED naming [::1] and the port`, async () => {
      // A port nobody listens on; without IPv6 on the machine the runtime's error differs, the address not.
      const server = await startServer({ users: [] });
      const port = server.port;
      await server.close();
      await assert.rejects(
        connectWith(transport, `mongodb://[::1]:${port}/?connectTimeoutMS=2000`),
        (e: MongoAuthError) => {
          assert.equal(e.code, "CONNECTION_FAILED", e.message);
          assert.ok(e.message.includes(`[::1]:${port}`), e.message);
          assert.doesNotMatch(e.message, new RegExp(`(^|[^[])::1:${port}`));
          return true;
        },
      );
    });
  }
});

describe("connect(): options of the wrong type are refused before any socket opens", () => {
  it("INVALID_OPTION naming the option, as a rejection, whatever the option was to carry", async () => {
    let sockets = 0;
    const transport: Transport = {
      ...nodeTransport,
      openSocket: () => {
        sockets++;
        return Promise.reject(new Error("no socket should open"));
      },
    };
    const wrong: [Record<string, unknown> | unknown, RegExp][] = [
      [{ signal: "abort" }, /^option signal of connect\(\) must be an AbortSignal/],
      [{ env: { getEnv: () => undefined } }, /^option env of connect\(\) must be a RuntimeEnv/],
      [{ cacheStore: "pool-1" }, /^option cacheStore of connect\(\) must be an AuthCacheStore/],
      [{ onWarning: "console" }, /^option onWarning of connect\(\) must be a function/],
      [{ onEvent: {} }, /^option onEvent of connect\(\) must be a function/],
      [{ explain: 1 }, /^option explain of connect\(\) must be true or false/],
      [{ proxyHost: "p", proxyPort: true }, /^option proxyPort must be a port number/],
      [42, /^the options of connect\(\) must be an object, got a number$/],
    ];
    for (const [options, message] of wrong) {
      const pending = connectWith(transport, "mongodb://alice:pw@127.0.0.1:1/", options as never);
      await assert.rejects(pending, { name: "MongoAuthError", code: "INVALID_OPTION", message });
    }
    assert.equal(sockets, 0);
  });

  it("a transport that lacks a part connecting calls on: INVALID_OPTION naming the parts, as a rejection", async () => {
    const { capabilities: _, resolveTxt: __, ...partial } = nodeTransport;
    await assert.rejects(connectWith(partial as never, "mongodb://127.0.0.1:1/"), {
      name: "MongoAuthError",
      code: "INVALID_OPTION",
      message: /^connectWith\(\) needs a Transport .*: it lacks resolveTxt\(\), capabilities$/,
    });
    await assert.rejects(connectWith(undefined as never, "mongodb://127.0.0.1:1/"), {
      code: "INVALID_OPTION",
      message: /: got undefined$/,
    });
  });

  it("a null option is no option: the connection string's value stands", async () => {
    const transport: Transport = {
      ...nodeTransport,
      openSocket: () => Promise.reject(new Error("refused")),
    };
    await assert.rejects(
      connectWith(transport, "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=100", {
        signal: null,
        cacheStore: null,
        onWarning: null,
      } as never),
      { code: "CONNECTION_FAILED" },
    );
  });
});
