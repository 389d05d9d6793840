// The official `mongodb` driver with tlsCRLFile against the reference server's TLS, the same fixtures as
// tests/e2e/tls.test.ts: the oracle for what a revocation list means (OpenSSL through node:tls decides,
// not our code). On Node.js and Bun the driver refuses the revoked certificate as mongo-auth does (and,
// where node:tls reads only the first list of the file, a chain through an intermediate CA too). On Deno
// it connects anyway, because Deno's node:tls ignores the list: the reason mongo-auth checks the chain
// against the lists itself there (tests/e2e/tls.test.ts holds it to the outcomes OpenSSL gives here).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { MongoClient, MongoServerSelectionError } from "mongodb";
import { fixturePath } from "../../testing/paths.ts";
import type { RunningServer } from "../../testing/reference-server/server.ts";
import { type CrlServers, startCrlServers } from "../support/crl-servers.ts";
import { runtime } from "../support/transports.ts";

const pki = (name: string) => fixturePath(`pki/${name}`);
// node:tls reads every list of a PEM text it is given whole from Node.js 26.10 on (nodejs/node#65576); Node.js
// 20.20.2, 22.23.5, 24.22.3 and 26.9.0 (checked) and Bun read its first list only.
const [major, minor] = process.versions.node.split(".").map(Number);
const readsEveryList = runtime === "node" && (major > 26 || (major === 26 && minor >= 10));
const users = [{ db: "admin", user: "alice", password: "alice-pw", mechanisms: ["SCRAM-SHA-256"] }];

// Pings as alice over TLS with crl-ca's CA and its revocation list; always closes the client.
async function ping(server: RunningServer): Promise<unknown> {
  const client = new MongoClient(`mongodb://alice:alice-pw@${server.address}/`, {
    tls: true,
    tlsCAFile: pki("crl-ca.pem"),
    tlsCRLFile: pki("crl.pem"),
    serverSelectionTimeoutMS: 2000,
    connectTimeoutMS: 2000,
    maxPoolSize: 1,
  });
  try {
    return (await client.db("admin").command({ ping: 1 })).ok;
  } finally {
    await client.close();
  }
}

// Pings as ping() does and expects the driver to give up on the server for the reason `why` names.
async function assertRefused(server: RunningServer, why: RegExp): Promise<void> {
  const err = await ping(server).catch((e) => e);
  assert.ok(err instanceof MongoServerSelectionError, String(err));
  assert.match(String(err.message), why);
}

describe("official driver: tlsCRLFile", () => {
  let servers: CrlServers;
  before(async () => void (servers = await startCrlServers(users)));
  after(() => servers.close());

  it("connects to the server whose certificate the list does not revoke", async () => {
    assert.equal(await ping(servers.good), 1);
  });

  if (runtime === "deno") {
    it("on Deno connects to the revoked server too: Deno's node:tls ignores the list", async () => {
      assert.equal(await ping(servers.revoked), 1);
    });
  } else {
    it("refuses the revoked server: certificate revoked", async () => {
      await assertRefused(servers.revoked, /certificate revoked/);
    });

    // It hands node:tls the file whole; mongo-auth hands each list on its own and connects wherever the
    // lists allow (tests/e2e/tls.test.ts).
    if (readsEveryList) {
      it("on Node.js 26.10 and later reads every list of the file: a chain through the intermediate CA connects", async () => {
        assert.equal(await ping(servers.chain), 1);
      });
    } else {
      it("reads only the file's first list: a chain through the intermediate CA fails", async () => {
        await assertRefused(servers.chain, /unable to get certificate CRL/);
      });
    }
  }
});
