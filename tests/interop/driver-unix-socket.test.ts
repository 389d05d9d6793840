// The official `mongodb` driver against the reference server's UNIX domain socket, as it reaches a local
// mongod's /tmp/mongodb-27017.sock: SCRAM over the plain socket, and MONGODB-X509 over TLS on the socket
// (the driver checks the server's certificate for "localhost" there, as our client does).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixturePath } from "../../testing/paths.ts";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import { driverAuthenticatedUsers } from "../support/driver-who-am-i.ts";

const pki = (name: string) => fixturePath(`pki/${name}`);
const CLIENT = "CN=client,OU=apps,O=Example,L=City,ST=State,C=US";
const users = [
  { db: "admin", user: "alice", password: "alice-pw", mechanisms: ["SCRAM-SHA-256"] },
  { db: "$external", user: CLIENT, mechanisms: ["MONGODB-X509"] },
];

describe("official mongodb driver: the reference server's UNIX domain socket", () => {
  const dir = mkdtempSync(join(tmpdir(), "mongo-auth-uds-"));
  let plain: RunningServer;
  let tls: RunningServer;
  before(async () => {
    plain = await startServer({ users, unixDomainSocket: join(dir, "plain.sock") });
    tls = await startServer({
      users,
      unixDomainSocket: join(dir, "tls.sock"),
      tls: { cert: pki("server-cert.pem"), key: pki("server-key.pem"), ca: pki("ca.pem") },
    });
  });
  after(async () => {
    await Promise.all([plain.close(), tls.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it("SCRAM-SHA-256 over the socket", async () => {
    const uri = `mongodb://alice:alice-pw@${encodeURIComponent(plain.socketPath!)}/`;
    assert.deepEqual(await driverAuthenticatedUsers(uri), [{ user: "alice", db: "admin" }]);
  });

  it("MONGODB-X509 over TLS on the socket", async () => {
    const uri = `mongodb://${encodeURIComponent(tls.socketPath!)}/?authMechanism=MONGODB-X509`;
    const options = { tls: true, tlsCAFile: pki("ca.pem"), tlsCertificateKeyFile: pki("client.pem") };
    assert.deepEqual(await driverAuthenticatedUsers(uri, options), [{ user: CLIENT, db: "$external" }]);
  });

  it("the server removes its socket file when it stops, as mongod does", async () => {
    const path = join(dir, "stopped.sock");
    const server = await startServer({ users, unixDomainSocket: path });
    await server.close();
    await assert.rejects(
      driverAuthenticatedUsers(`mongodb://alice:alice-pw@${encodeURIComponent(path)}/`, {
        serverSelectionTimeoutMS: 300,
      }),
      { name: "MongoServerSelectionError", message: /ENOENT/ },
    );
  });
});
