import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Connection, MongoAuthError } from "@mongo-auth/core";
import { cliMain } from "../../src/cli/main.ts";

function io(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { args, out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

describe("mongo-auth whoami", () => {
  it("prints usage and exits 2 without a connection string", async () => {
    const t = io(["whoami"]);
    assert.equal(await cliMain(t.io, () => assert.fail("must not connect")), 2);
    assert.match(t.err[0], /usage: mongo-auth whoami/);
  });

  it("prints the user, db, mechanism, member, round trips and time from connectionStatus", async () => {
    const t = io(["whoami", "mongodb://alice:s3cret@127.0.0.1/"]);
    let closed = false;
    const conn = {
      host: "127.0.0.1",
      port: 27017,
      address: "127.0.0.1:27017",
      role: "primary",
      setName: "rs0",
      handshake: {
        mechanism: "SCRAM-SHA-256",
        speculative: true,
        roundTrips: 2,
        durationMs: 3.25,
        maxWireVersion: 21,
      },
      command: () =>
        Promise.resolve({ ok: 1, authInfo: { authenticatedUsers: [{ user: "alice", db: "admin" }] } }),
      close: () => Promise.resolve(void (closed = true)),
    } as unknown as Connection;
    assert.equal(await cliMain(t.io, () => Promise.resolve(conn)), 0);
    const text = t.out.join("\n");
    assert.match(text, /user\s+alice/);
    assert.match(text, /db\s+admin/);
    assert.match(text, /mechanism\s+SCRAM-SHA-256 \(speculative\)/);
    assert.match(text, /host\s+127\.0\.0\.1:27017 \(primary of replica set rs0\)/);
    assert.match(text, /round trips\s+2/);
    assert.match(text, /time\s+3\.3 ms/);
    assert.doesNotMatch(text, /s3cret/);
    assert.ok(closed);
  });

  it("exits 1 with the error's code and message, never the password", async () => {
    const t = io(["whoami", "mongodb://alice:s3cret@127.0.0.1/"]);
    const code = await cliMain(
      t.io,
      () =>
        Promise.reject(
          new MongoAuthError("AUTHENTICATION_FAILED", "authentication failed: Authentication failed."),
        ),
    );
    assert.equal(code, 1);
    assert.match(t.err[0], /AUTHENTICATION_FAILED/);
    assert.doesNotMatch(t.err.join("\n"), /s3cret/);
  });

  it("shows connect()'s warnings on stderr, even when connecting then fails", async () => {
    const t = io(["whoami", "mongodb://alice:s3cret@127.0.0.1/?authSorce=admin"]);
    const code = await cliMain(t.io, (_uri, options) => {
      options?.onWarning?.('the option "authSorce" ... (did you mean authSource?)');
      return Promise.reject(new MongoAuthError("AUTHENTICATION_FAILED", "authentication failed"));
    });
    assert.equal(code, 1);
    assert.match(t.err[0], /^mongo-auth: warning: .*did you mean authSource\?/);
    assert.match(t.err[1], /AUTHENTICATION_FAILED/);
  });
});
