// The official `mongodb` driver (with the `socks` package it loads for proxyHost) through the test SOCKS5
// proxy to the reference server, as the SOCKS5 specification's prose tests run it: what the driver asks
// of the proxy is what our client asks (tests/e2e/socks5.test.ts), so both meet the same proxy the same way.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import { type RunningProxy, startSocks5Proxy } from "../support/socks5-proxy.ts";
import { driverAuthenticatedUsers } from "../support/driver-who-am-i.ts";

const MAPPED = "db.mongo-auth.invalid:27017";
const QUICK = { serverSelectionTimeoutMS: 1000 }; // for the clients that must fail

describe("official mongodb driver: through the test SOCKS5 proxy", () => {
  let server: RunningServer;
  let withAuth: RunningProxy;
  let noAuth: RunningProxy;
  before(async () => {
    server = await startServer({
      users: [{ db: "admin", user: "alice", password: "alice-pw", mechanisms: ["SCRAM-SHA-256"] }],
    });
    withAuth = await startSocks5Proxy({
      auth: { username: "username", password: "p4ssw0rd" },
      map: { [MAPPED]: server.address },
    });
    noAuth = await startSocks5Proxy({ map: { [MAPPED]: server.address } });
  });
  after(() => Promise.all([server.close(), withAuth.close(), noAuth.close()]));

  const uri = (proxy: RunningProxy, query = "") =>
    `mongodb://alice:alice-pw@${MAPPED}/?directConnection=true&proxyHost=127.0.0.1&proxyPort=${proxy.port}${query}`;
  const alice = [{ user: "alice", db: "admin" }];

  it("reaches a name only the proxy knows, asked for as a domain name (address type 3), unresolved", async () => {
    assert.deepEqual(await driverAuthenticatedUsers(uri(noAuth)), alice);
    assert.deepEqual(noAuth.requests.at(-1), {
      addressType: 3,
      host: "db.mongo-auth.invalid",
      port: 27017,
      methods: [0],
    });
  });

  it("fails at a proxy that wants a password, without one; succeeds with the right one", async () => {
    await assert.rejects(driverAuthenticatedUsers(uri(withAuth), QUICK), {
      name: "MongoServerSelectionError",
    });
    assert.deepEqual(
      await driverAuthenticatedUsers(uri(withAuth, "&proxyUsername=username&proxyPassword=p4ssw0rd")),
      alice,
    );
    assert.deepEqual(withAuth.requests.at(-1)?.methods, [0, 2]);
  });

  it("wrong credentials: refused by a proxy that wants them, ignored by one that does not", async () => {
    const bad = "&proxyUsername=nonexistentuser&proxyPassword=badauth";
    await assert.rejects(driverAuthenticatedUsers(uri(withAuth, bad), QUICK), {
      name: "MongoServerSelectionError",
    });
    assert.deepEqual(await driverAuthenticatedUsers(uri(noAuth, bad)), alice);
  });
});
