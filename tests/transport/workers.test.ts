// The Workers transport outside workerd: its code paths with a `connect` that has the
// cloudflare:sockets shape but runs over node:net, so the same checks run on Deno, Node and Bun.
// The real runtime is exercised by tests/e2e/workerd/run.ts.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import tls from "node:tls";
import { readFileSync } from "node:fs";
import { Readable, Writable } from "node:stream";
import { connectWith, MongoAuthError } from "@mongo-auth/core";
import {
  connect,
  createWorkersTransport,
  type WorkersConnect,
  workersEnv,
  workersTransport,
} from "../../src/transport/workers.ts";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import { fixturePath } from "../../testing/paths.ts";
import { startSilentListener, startSocks5Proxy } from "../support/socks5-proxy.ts";
import { settledWithin } from "../support/settled-within.ts";

// cloudflare:sockets' connect() over node:net: `opened` resolves on connect, rejects on error.
const nodeSocketConnect: WorkersConnect = ({ hostname, port }, options) => {
  assert.equal(options?.secureTransport, "off");
  const socket = net.connect(port, hostname);
  const opened = new Promise<unknown>((resolve, reject) => {
    socket.once("connect", () => resolve({ remoteAddress: `${hostname}:${port}` }));
    socket.once("error", reject);
  });
  return {
    readable: Readable.toWeb(socket) as ReadableStream<Uint8Array>,
    writable: Writable.toWeb(socket) as WritableStream<Uint8Array>,
    opened,
    close: () => Promise.resolve(void socket.destroy()),
  };
};

describe("Workers transport (injected sockets)", () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({
      users: [{ db: "admin", user: "alice", password: "alice-pw", mechanisms: ["SCRAM-SHA-256"] }],
    });
  });
  after(() => server.close());

  it("authenticates with SCRAM-SHA-256 through openSocket", async () => {
    const transport = createWorkersTransport({ connect: nodeSocketConnect });
    const conn = await connectWith(transport, `mongodb://alice:alice-pw@${server.address}/`);
    try {
      assert.equal(conn.handshake.mechanism, "SCRAM-SHA-256");
      const status = await conn.command("admin", { connectionStatus: 1 });
      assert.deepEqual((status.authInfo as { authenticatedUsers: unknown[] }).authenticatedUsers, [
        { user: "alice", db: "admin" },
      ]);
    } finally {
      await conn.close();
    }
  });

  it("reports a refused connection as CONNECTION_FAILED", async () => {
    const transport = createWorkersTransport({ connect: nodeSocketConnect });
    await assert.rejects(connectWith(transport, "mongodb://alice:pw@127.0.0.1:1/"), {
      code: "CONNECTION_FAILED",
    });
  });

  it("gives up with ABORTED when the caller aborts while the socket opens, naming [host]:port", async () => {
    const never: WorkersConnect = () => ({
      readable: new ReadableStream(),
      writable: new WritableStream(),
      opened: new Promise(() => {}),
      close: () => Promise.resolve(),
    });
    const controller = new AbortController();
    const opening = createWorkersTransport({ connect: never }).openSocket({
      host: "::1",
      port: 27017,
      signal: controller.signal,
    });
    controller.abort();
    await assert.rejects(opening, { code: "ABORTED", message: /connecting to \[::1\]:27017/ });
  });

  it("hands cloudflare:sockets an IPv6 literal in brackets, which its connect() reads as an authority", async () => {
    const asked: string[] = [];
    const recording: WorkersConnect = ({ hostname }) => {
      asked.push(hostname);
      return {
        readable: new ReadableStream(),
        writable: new WritableStream(),
        opened: Promise.reject(new Error("not this time")),
        close: () => Promise.resolve(),
      };
    };
    const transport = createWorkersTransport({ connect: recording });
    for (const host of ["::1", "fe80::1:2", "db.example", "127.0.0.1"]) {
      await assert.rejects(transport.openSocket({ host, port: 27017, signal: AbortSignal.timeout(5_000) }));
    }
    assert.deepEqual(asked, ["[::1]", "[fe80::1:2]", "db.example", "127.0.0.1"]);
  });

  it("through a SOCKS5 proxy: the handshake on a STARTTLS socket, then TLS for the host asked for", async () => {
    const tlsServer = await startServer({
      users: [{ db: "admin", user: "alice", password: "alice-pw", mechanisms: ["SCRAM-SHA-256"] }],
      tls: {
        cert: fixturePath("pki/server-cert.pem"),
        key: fixturePath("pki/server-key.pem"),
        ca: fixturePath("pki/ca.pem"),
        allowConnectionsWithoutCertificates: true,
      },
    });
    const proxy = await startSocks5Proxy({ map: { "localhost:12346": tlsServer.address } });
    const upgrades: (string | undefined)[] = [];
    // cloudflare:sockets' connect() with secureTransport "starttls", over node:net; startTls over node:tls,
    // trusting the test CA as a Worker trusts the platform's roots.
    const starttls: WorkersConnect = ({ hostname, port }, options) => {
      assert.equal(options?.secureTransport, "starttls");
      const socket = net.connect(port, hostname);
      const onData: { listener?: (chunk: Uint8Array) => void } = {};
      return {
        readable: new ReadableStream<Uint8Array>({
          start: (controller) =>
            void socket.on("data", onData.listener = (chunk) => controller.enqueue(chunk)),
        }),
        writable: new WritableStream<Uint8Array>({ write: (chunk) => void socket.write(chunk) }),
        opened: new Promise((resolve, reject) => socket.once("connect", resolve).once("error", reject)),
        close: () => Promise.resolve(void socket.destroy()),
        startTls: ({ expectedServerHostname } = {}) => {
          upgrades.push(expectedServerHostname);
          socket.off("data", onData.listener!).pause();
          const secure = tls.connect({
            socket,
            servername: expectedServerHostname,
            ca: readFileSync(fixturePath("pki/ca.pem")),
          });
          return {
            readable: Readable.toWeb(secure) as ReadableStream<Uint8Array>,
            writable: Writable.toWeb(secure) as WritableStream<Uint8Array>,
            opened: new Promise((resolve, reject) =>
              secure.once("secureConnect", resolve).once("error", reject)
            ),
            close: () => Promise.resolve(void secure.destroy()),
          };
        },
      };
    };
    try {
      const transport = createWorkersTransport({ connect: starttls });
      const uri =
        `mongodb://alice:alice-pw@localhost:12346/?tls=true&directConnection=true&proxyHost=127.0.0.1` +
        `&proxyPort=${proxy.port}`;
      const conn = await connectWith(transport, uri);
      assert.equal((await conn.command("admin", { ping: 1 })).ok, 1);
      await conn.close();
      assert.deepEqual(upgrades, ["localhost"]);
      assert.deepEqual(proxy.requests.map((r) => `${r.host}:${r.port}`), ["localhost:12346"]);
    } finally {
      await Promise.all([proxy.close(), tlsServer.close()]);
    }
  });

  it("through a SOCKS5 proxy with TLS, sockets without startTls: RUNTIME_UNSUPPORTED before the handshake", async () => {
    const proxy = await startSocks5Proxy({ map: { "localhost:12346": server.address } });
    let closed = 0;
    // An injected connect with the shape of cloudflare:sockets' but no startTls().
    const noStartTls: WorkersConnect = (address, options) => {
      const socket = nodeSocketConnect(address, { ...options, secureTransport: "off" });
      return { ...socket, close: () => (closed++, socket.close()) };
    };
    try {
      const transport = createWorkersTransport({ connect: noStartTls });
      const uri = `mongodb://alice:alice-pw@localhost:12346/?tls=true&directConnection=true` +
        `&proxyHost=127.0.0.1&proxyPort=${proxy.port}`;
      await assert.rejects(connectWith(transport, uri), (err: unknown) => {
        assert.ok(err instanceof MongoAuthError);
        assert.equal(err.code, "RUNTIME_UNSUPPORTED");
        assert.match(
          err.message,
          new RegExp(`proxy 127\\.0\\.0\\.1:${proxy.port} needs sockets with startTls`),
        );
        assert.match(err.message, /pass connect from cloudflare:sockets/);
        return true;
      });
      assert.deepEqual(proxy.requests, []);
      assert.ok(closed > 0, "the socket to the proxy is closed");
    } finally {
      await proxy.close();
    }
  });

  it("through a SOCKS5 proxy that never answers: TIMEOUT, and the socket to the proxy closed", async () => {
    const silent = await startSilentListener();
    try {
      const port = silent.port;
      const transport = createWorkersTransport({ connect: nodeSocketConnect });
      await assert.rejects(
        settledWithin(
          5000,
          "connect",
          connectWith(transport, `mongodb://db.invalid:27017/?proxyHost=127.0.0.1&proxyPort=${port}`, {
            connectTimeoutMS: 200,
          }),
        ),
        { code: "TIMEOUT" },
      );
      assert.equal(silent.closed.length, 1);
      await settledWithin(2000, "the Worker closing its socket to the proxy", Promise.all(silent.closed));
    } finally {
      await silent.close();
    }
  });

  it("says what to do instead of TLS files, custom CAs, client certificates and skipped checks", async () => {
    const transport = createWorkersTransport({ connect: nodeSocketConnect });
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ tlsCAFile: "/ca.pem" }, /trust store/],
      [{ tlsCA: "-----BEGIN CERTIFICATE-----" }, /tlsCAFile\/tlsCA/],
      [{ tlsCertificateKeyFile: "/client.pem" }, /client certificate/],
      [{ tlsAllowInvalidCertificates: true }, /always verify/],
      [{ tlsInsecure: true }, /tlsInsecure/],
    ];
    for (const [options, message] of cases) {
      const uri = `mongodb://alice:alice-pw@127.0.0.1:1,${server.address}/?tls=true`;
      await assert.rejects(connectWith(transport, uri, options), (err: unknown) => {
        // RUNTIME_UNSUPPORTED holds for every host: connectWith stops at the first.
        assert.ok(err instanceof MongoAuthError);
        assert.equal(err.code, "RUNTIME_UNSUPPORTED");
        assert.match(err.message, message);
        return true;
      });
    }
  });

  it("refuses a UNIX domain socket host before connecting, saying to connect over TCP", async () => {
    let opened = 0;
    const transport = createWorkersTransport({
      connect: (...args) => (opened++, nodeSocketConnect(...args)),
    });
    await assert.rejects(connectWith(transport, "mongodb://alice:alice-pw@%2Ftmp%2Fmongodb-27017.sock/"), {
      code: "RUNTIME_UNSUPPORTED",
      message:
        "Cloudflare Workers cannot open a UNIX domain socket (a socket path as the host): connect over " +
        "TCP (host:port): a Worker's sockets reach only TCP hosts",
    });
    assert.equal(opened, 0);
  });

  it("refuses MONGODB-X509 before connecting", async () => {
    await assert.rejects(
      connect("mongodb://127.0.0.1:1/?authMechanism=MONGODB-X509&tls=true", {
        tlsCertificateKey: { cert: "c", key: "k" },
      }),
      { code: "RUNTIME_UNSUPPORTED", message: /MONGODB-X509.*MONGODB-AWS or MONGODB-OIDC/ },
    );
  });

  it("outside Workers, says that cloudflare:sockets is missing and which entry point to use", async () => {
    await assert.rejects(connect(`mongodb://${server.address}/`), {
      code: "RUNTIME_UNSUPPORTED",
      message: /cloudflare:sockets.*@mongo-auth\/core\/node/,
    });
  });

  it("has an environment with no variables and no files", () => {
    const env = workersEnv();
    assert.equal(env.getEnv("HOME"), undefined);
    assert.equal(env.readTextFile, undefined);
    assert.equal(workersTransport.defaultEnv().readTextFile, undefined);
  });

  it("rejects a DNS-over-HTTPS endpoint that is not https://, naming its own option", () => {
    assert.throws(() => createWorkersTransport({ dnsOverHttps: "http://dns.example/q" }), {
      code: "INVALID_OPTION",
      message: /^option dnsOverHttps of createWorkersTransport\(\) must be true or an https:\/\/ URL/,
    });
  });
});
