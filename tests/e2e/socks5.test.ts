// Through a SOCKS5 proxy (proxyHost), as the SOCKS5 specification's prose tests run it: a proxy that wants a
// user name and password and one that does not, in front of a server (by a mapped name no DNS knows, as
// socks5srv.py's --map) and a replica set, plain and over TLS, with the options in the connection string
// and as options; and the ways a proxy fails, each a network error that names the proxy, never its
// password. Through each transport of this runtime, against the reference server.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { inspect } from "node:util";
import { connectWith } from "@mongo-auth/core";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import { type RunningReplicaSet, startReplicaSet } from "../../testing/reference-server/replica-set.ts";
import { fixturePath } from "../../testing/paths.ts";
import { type RunningProxy, startSilentListener, startSocks5Proxy } from "../support/socks5-proxy.ts";
import { settledWithin } from "../support/settled-within.ts";
import { transports } from "../support/transports.ts";
import { refusal, whoami } from "../support/who-am-i.ts";

const CLIENT = "CN=client,OU=apps,O=Example,L=City,ST=State,C=US";
const users = [
  { db: "admin", user: "alice", password: "alice-pw", mechanisms: ["SCRAM-SHA-256"] },
  { db: "$external", user: CLIENT, mechanisms: ["MONGODB-X509"] },
];
const pki = (name: string) => encodeURIComponent(fixturePath(`pki/${name}`));
const MAPPED = "db.mongo-auth.invalid:27017"; // .invalid never resolves (RFC 6761): only the proxy knows it
const MAPPED_TLS = "localhost:12346"; // the test server certificate names localhost
const MAPPED_TLS_OTHER = "tls.mongo-auth.invalid:27017"; // the same server, by a name its certificate lacks

for (const { name, transport } of await transports()) {
  describe(`through a SOCKS5 proxy (${name} transport)`, () => {
    let server: RunningServer;
    let tlsServer: RunningServer;
    let rs: RunningReplicaSet;
    let withAuth: RunningProxy; // socks5srv.py --auth username:p4ssw0rd
    let noAuth: RunningProxy;
    before(async () => {
      server = await startServer({ users });
      tlsServer = await startServer({
        users,
        tls: {
          cert: fixturePath("pki/server-cert.pem"),
          key: fixturePath("pki/server-key.pem"),
          ca: fixturePath("pki/ca.pem"),
          allowConnectionsWithoutCertificates: true,
        },
      });
      rs = await startReplicaSet({ setName: "rs0", users, members: [{}, {}] });
      const map = {
        [MAPPED]: server.address,
        [MAPPED_TLS]: tlsServer.address,
        [MAPPED_TLS_OTHER]: tlsServer.address,
      };
      withAuth = await startSocks5Proxy({ auth: { username: "username", password: "p4ssw0rd" }, map });
      noAuth = await startSocks5Proxy({ map });
    });
    after(() => Promise.all([server, tlsServer, rs, withAuth, noAuth].map((s) => s?.close())));

    const through = (proxy: RunningProxy, login = "alice:alice-pw@") => (hosts: string, query = "") =>
      `mongodb://${login}${hosts}/?proxyHost=127.0.0.1&proxyPort=${proxy.port}${query}`;

    it("reaches a host name only the proxy knows, passed on unresolved; the connection names the server", async () => {
      const conn = await connectWith(transport, through(noAuth)(MAPPED, "&directConnection=true"));
      try {
        assert.deepEqual(await whoami(conn), { user: "alice", db: "admin" });
        assert.equal(conn.address, MAPPED);
        assert.equal(conn.handshake.roundTrips, 2);
        const opened = conn.trace.find((event) => event.type === "socket.opened")!;
        assert.deepEqual(opened.attributes, {
          host: "db.mongo-auth.invalid",
          port: 27017,
          tls: false,
          proxy: `127.0.0.1:${noAuth.port}`,
        });
      } finally {
        await conn.close();
      }
      assert.deepEqual(noAuth.requests.at(-1), {
        addressType: 3,
        host: "db.mongo-auth.invalid",
        port: 27017,
        methods: [0],
      });
    });

    it("a proxy that wants a password, without one: fails, saying to give proxyUsername and proxyPassword", async () => {
      const err = await refusal(connectWith(transport, through(withAuth)(MAPPED, "&directConnection=true")));
      assert.equal(err.code, "CONNECTION_FAILED");
      assert.equal(
        err.message,
        `SOCKS5 proxy 127.0.0.1:${withAuth.port} wants authentication: give proxyUsername and proxyPassword`,
      );
    });

    it("wrong credentials: refused by a proxy that wants them, ignored by one that does not", async () => {
      const bad = "&directConnection=true&proxyUsername=nonexistentuser&proxyPassword=badauth";
      const err = await refusal(connectWith(transport, through(withAuth)(MAPPED, bad)));
      assert.equal(err.code, "CONNECTION_FAILED");
      assert.match(
        err.message,
        /refused proxyUsername "nonexistentuser" and its password: check proxyUsername/,
      );
      assert.doesNotMatch(`${err.message} ${inspect(err)}`, /badauth/);
      const conn = await connectWith(transport, through(noAuth)(MAPPED, bad));
      await conn.close();
      assert.deepEqual(noAuth.requests.at(-1)?.methods, [0, 2]);
    });

    it("mongodb+srv://: SRV and TXT looked up here, the hosts they name reached through the proxy", async () => {
      const asked: string[] = [];
      const withDns = {
        ...transport,
        resolveSrv: (name: string) => {
          asked.push(`SRV ${name}`);
          return Promise.resolve([{ name: "db.mongo-auth.invalid", port: 27017 }]);
        },
        resolveTxt: (name: string) => {
          asked.push(`TXT ${name}`);
          return Promise.resolve([["authSource=admin"]]);
        },
      };
      const before = noAuth.requests.length;
      const conn = await connectWith(
        withDns,
        `mongodb+srv://alice:alice-pw@cluster0.mongo-auth.invalid/?tls=false&proxyHost=127.0.0.1&proxyPort=${noAuth.port}`,
      );
      try {
        assert.deepEqual(await whoami(conn), { user: "alice", db: "admin" });
        assert.equal(conn.address, MAPPED);
      } finally {
        await conn.close();
      }
      assert.deepEqual(asked.sort(), [
        "SRV _mongodb._tcp.cluster0.mongo-auth.invalid",
        "TXT cluster0.mongo-auth.invalid",
      ]);
      assert.deepEqual(noAuth.requests.slice(before).map((r) => `${r.host}:${r.port}`), [MAPPED]);
    });

    it("the right credentials, in the connection string or as options", async () => {
      const good = "&directConnection=true&proxyUsername=username&proxyPassword=p4ssw0rd";
      const conn = await connectWith(transport, through(withAuth)(MAPPED, good));
      assert.deepEqual(await whoami(conn), { user: "alice", db: "admin" });
      assert.doesNotMatch(inspect(conn, { depth: 8 }) + JSON.stringify(conn.trace), /p4ssw0rd/);
      await conn.close();
      assert.equal(withAuth.requests.at(-1)?.username, "username");
      const options = await connectWith(
        transport,
        `mongodb://alice:alice-pw@${MAPPED}/?directConnection=true`,
        {
          proxyHost: "127.0.0.1",
          proxyPort: withAuth.port,
          proxyUsername: "username",
          proxyPassword: "p4ssw0rd",
        },
      );
      await options.close();
    });

    it("a replica set: the members checked through the proxy, ending on the primary", async () => {
      const before = noAuth.requests.length;
      const conn = await connectWith(transport, through(noAuth)(rs.seedList(), "&replicaSet=rs0"));
      try {
        assert.equal(conn.role, "primary");
        assert.equal(conn.address, rs.primary()!.name);
      } finally {
        await conn.close();
      }
      const asked = noAuth.requests.slice(before).map((r) => `${r.host}:${r.port}`);
      assert.ok(asked.includes(rs.primary()!.address), `${rs.primary()!.address} in ${asked}`);
      for (const address of asked) assert.ok(rs.members.some((m) => m.address === address), address);
    });

    it("TLS end to end through the tunnel: the server's certificate checked for the host asked for", async () => {
      const conn = await connectWith(
        transport,
        through(noAuth, "")(
          MAPPED_TLS,
          `&directConnection=true&authMechanism=MONGODB-X509&tls=true&tlsCAFile=${pki("ca.pem")}` +
            `&tlsCertificateKeyFile=${pki("client.pem")}`,
        ),
      );
      try {
        assert.deepEqual(await whoami(conn), { user: CLIENT, db: "$external" });
      } finally {
        await conn.close();
      }
      const otherName = through(noAuth)(
        MAPPED_TLS_OTHER,
        `&directConnection=true&tls=true&tlsCAFile=${pki("ca.pem")}`,
      );
      const err = await refusal(connectWith(transport, otherName));
      assert.equal(err.code, "TLS_ERROR", err.message);
      assert.ok(err.message.includes(MAPPED_TLS_OTHER), err.message);
    });

    it("a proxy that cannot reach the server: CONNECTION_FAILED with the proxy's reason", async () => {
      const refusing = await startSocks5Proxy({ reply: 5 });
      try {
        const err = await refusal(
          connectWith(transport, through(refusing)(MAPPED, "&directConnection=true")),
        );
        assert.equal(err.code, "CONNECTION_FAILED");
        assert.match(
          err.message,
          new RegExp(
            `^SOCKS5 proxy 127\\.0\\.0\\.1:${refusing.port} could not connect to ${MAPPED}: connection refused ` +
              "\\(SOCKS5 reply 5\\)",
          ),
        );
      } finally {
        await refusing.close();
      }
    });

    it("no proxy listening, or not a SOCKS5 proxy: says which", async () => {
      const closed = net.createServer();
      await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
      const port = (closed.address() as net.AddressInfo).port;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      const uri = `mongodb://${MAPPED}/?directConnection=true&proxyHost=127.0.0.1&proxyPort=${port}`;
      const unreachable = await refusal(connectWith(transport, uri));
      assert.equal(unreachable.code, "CONNECTION_FAILED");
      assert.match(
        unreachable.message,
        new RegExp(
          `^SOCKS5 proxy \\(proxyHost, proxyPort\\): cannot connect to 127\\.0\\.0\\.1:${port}: connection refused`,
        ),
      );

      const http = net.createServer((socket) => socket.resume().end("HTTP/1.1 400 Bad Request\r\n\r\n"));
      await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
      try {
        const httpPort = (http.address() as net.AddressInfo).port;
        const err = await refusal(
          connectWith(
            transport,
            `mongodb://${MAPPED}/?directConnection=true&proxyHost=127.0.0.1&proxyPort=${httpPort}`,
          ),
        );
        assert.equal(err.code, "CONNECTION_FAILED");
        assert.match(
          err.message,
          /does not speak SOCKS5 \(its reply starts with byte 72\): .*not an HTTP proxy/,
        );
      } finally {
        await new Promise<void>((resolve) => http.close(() => resolve()));
      }
    });

    it("a proxy that never answers: TIMEOUT within connectTimeoutMS, and the socket to it closed", async () => {
      const silent = await startSilentListener();
      try {
        const port = silent.port;
        const uri = `mongodb://${MAPPED}/?directConnection=true&proxyHost=127.0.0.1&proxyPort=${port}`;
        const err = await settledWithin(
          5000,
          "connect",
          refusal(connectWith(transport, uri, { connectTimeoutMS: 200 })),
        );
        assert.equal(err.code, "TIMEOUT", err.message);
        assert.match(err.message, /^connecting to db\.mongo-auth\.invalid:27017 timed out after 200 ms/);
        // The proxy's port took the connection and never spoke SOCKS5: say so, with where to look.
        assert.match(
          err.message,
          new RegExp(
            `the connection through the SOCKS5 proxy 127\\.0\\.0\\.1:${port} did not open: the proxy did not ` +
              "answer \\(check proxyHost and proxyPort",
          ),
        );
        assert.equal(silent.closed.length, 1);
        await settledWithin(2000, "the client closing its socket to the proxy", Promise.all(silent.closed));
      } finally {
        await silent.close();
      }
    });
  });
}
