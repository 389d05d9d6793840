// A UNIX domain socket as the host (`mongodb://%2Ftmp%2Fmongodb-27017.sock/`), as mongod listens on one
// beside its port: our client through each transport of this runtime against the reference server
// listening on a socket, plain and over TLS (mongod 7.0 in requireTLS mode wants TLS there too), and the
// ways it fails.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectWith } from "@mongo-auth/core";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import { fixturePath } from "../../testing/paths.ts";
import { transports } from "../support/transports.ts";
import { refusal, whoami } from "../support/who-am-i.ts";

const pki = (name: string) => encodeURIComponent(fixturePath(`pki/${name}`));
const CLIENT = "CN=client,OU=apps,O=Example,L=City,ST=State,C=US";
const users = [
  { db: "admin", user: "alice", password: "alice-pw", mechanisms: ["SCRAM-SHA-256"] },
  { db: "$external", user: CLIENT, mechanisms: ["MONGODB-X509"] },
];

const dir = mkdtempSync(join(tmpdir(), "mongo-auth-uds-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let sockets = 0;
const socketPath = () => join(dir, `mongodb-${++sockets}.sock`);

for (const { name, transport } of await transports()) {
  describe(`a UNIX domain socket host (${name} transport)`, () => {
    let plain: RunningServer;
    let tls: RunningServer;
    before(async () => {
      plain = await startServer({ users, unixDomainSocket: socketPath() });
      tls = await startServer({
        users,
        unixDomainSocket: socketPath(),
        tls: {
          cert: fixturePath("pki/server-cert.pem"),
          key: fixturePath("pki/server-key.pem"),
          ca: fixturePath("pki/ca.pem"),
          allowConnectionsWithoutCertificates: true,
        },
      });
    });
    after(() => Promise.all([plain.close(), tls.close()]));

    const at = (server: RunningServer) => encodeURIComponent(server.socketPath!);

    it("SCRAM-SHA-256 over the socket: the connection's address is the path", async () => {
      const conn = await connectWith(transport, `mongodb://alice:alice-pw@${at(plain)}/?appName=uds`);
      try {
        assert.equal(conn.address, plain.socketPath);
        assert.equal(conn.role, "standalone");
        assert.deepEqual(await whoami(conn), { user: "alice", db: "admin" });
        assert.equal(conn.handshake.roundTrips, 2);
      } finally {
        await conn.close();
      }
    });

    it("MONGODB-X509 over TLS on the socket, the server's certificate checked for localhost", async () => {
      const conn = await connectWith(
        transport,
        `mongodb://${at(tls)}/?authMechanism=MONGODB-X509&tls=true&tlsCAFile=${pki("ca.pem")}` +
          `&tlsCertificateKeyFile=${pki("client.pem")}`,
      );
      try {
        assert.deepEqual(await whoami(conn), { user: CLIENT, db: "$external" });
        assert.equal(conn.address, tls.socketPath);
      } finally {
        await conn.close();
      }
    });

    it("a certificate that does not name localhost fails, unless tlsAllowInvalidHostnames", async () => {
      const wrongHost = await startServer({
        users,
        unixDomainSocket: socketPath(),
        tls: {
          cert: fixturePath("pki/wrong-host-server.pem"),
          key: fixturePath("pki/wrong-host-server.pem"),
          ca: fixturePath("pki/ca.pem"),
          allowConnectionsWithoutCertificates: true,
        },
      });
      try {
        const uri = `mongodb://alice:alice-pw@${at(wrongHost)}/?tls=true&tlsCAFile=${
          pki("wrong-host-ca.pem")
        }`;
        const err = await refusal(connectWith(transport, uri));
        assert.equal(err.code, "TLS_ERROR", err.message);
        assert.ok(err.message.includes(wrongHost.socketPath!), err.message);
        const conn = await connectWith(transport, `${uri}&tlsAllowInvalidHostnames=true`);
        assert.deepEqual(await whoami(conn), { user: "alice", db: "admin" });
        await conn.close();
      } finally {
        await wrongHost.close();
      }
    });

    it("no file at the path: CONNECTION_FAILED that says so and names the path", async () => {
      const missing = join(dir, "nothing-here.sock");
      const err = await refusal(connectWith(transport, `mongodb://${encodeURIComponent(missing)}/`));
      assert.equal(err.code, "CONNECTION_FAILED");
      assert.match(
        err.message,
        /^cannot connect to UNIX domain socket .* \((ENOENT|NotFound)\): no such file: /,
      );
      assert.ok(err.message.includes(missing), err.message);
    });

    it("a file nothing listens on (left by a server that stopped): connection refused", async () => {
      const stale = join(dir, "stale.sock");
      writeFileSync(stale, "");
      const err = await refusal(connectWith(transport, `mongodb://${encodeURIComponent(stale)}/`));
      assert.equal(err.code, "CONNECTION_FAILED");
      assert.match(
        err.message,
        /\((ECONNREFUSED|ConnectionRefused)\): connection refused: nothing listens there/,
      );
    });
  });
}
