import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { authenticate, beginAuthentication, type Document, parseCredential } from "@mongo-auth/core";

// A runner that records commands and answers from a script.
function scriptedRunner(answer: (db: string, cmd: Document) => Document) {
  const sent: { db: string; cmd: Document }[] = [];
  return {
    sent,
    command(db: string, cmd: Document) {
      sent.push({ db, cmd });
      return Promise.resolve(answer(db, cmd));
    },
  };
}

describe("beginAuthentication", () => {
  it("negotiates when no mechanism is given: saslSupportedMechs plus a speculative SCRAM-SHA-256 start", async () => {
    const auth = await beginAuthentication(parseCredential("mongodb://alice:pw@localhost/app")!);
    assert.equal(auth.helloFields.saslSupportedMechs, "app.alice");
    const spec = auth.helloFields.speculativeAuthenticate as Document;
    assert.equal(spec.saslStart, 1);
    assert.equal(spec.mechanism, "SCRAM-SHA-256");
    assert.equal(spec.db, "app");
    assert.deepEqual(spec.options, { skipEmptyExchange: true });
    assert.match(new TextDecoder().decode(spec.payload as Uint8Array), /^n,,n=alice,r=/);
  });

  it("does not ask for saslSupportedMechs when the mechanism is given", async () => {
    const auth = await beginAuthentication(
      parseCredential("mongodb://alice:pw@localhost/?authMechanism=SCRAM-SHA-1")!,
    );
    assert.equal(auth.helloFields.saslSupportedMechs, undefined);
    assert.equal((auth.helloFields.speculativeAuthenticate as Document).mechanism, "SCRAM-SHA-1");
  });

  it("puts X509's authenticate command into hello, on $external", async () => {
    const auth = await beginAuthentication(
      parseCredential("mongodb://localhost/?authMechanism=MONGODB-X509", { username: "CN=client" })!,
    );
    assert.deepEqual(auth.helloFields.speculativeAuthenticate, {
      authenticate: 1,
      mechanism: "MONGODB-X509",
      user: "CN=client",
      db: "$external",
    });
  });

  it("finishes X509 in the hello round trip when the server took the speculative step", async () => {
    const auth = await beginAuthentication(
      parseCredential("mongodb://localhost/?authMechanism=MONGODB-X509")!,
    );
    const runner = scriptedRunner(() => assert.fail("no command should be needed"));
    const result = await auth.complete(runner, {
      ok: 1,
      speculativeAuthenticate: { dbname: "$external", user: "CN=c" },
    });
    assert.deepEqual(result, { mechanism: "MONGODB-X509", speculative: true });
    assert.equal(runner.sent.length, 0);
  });

  it("falls back to the explicit X509 command without a speculative reply", async () => {
    const auth = await beginAuthentication(
      parseCredential("mongodb://localhost/?authMechanism=MONGODB-X509")!,
    );
    const runner = scriptedRunner(() => ({ ok: 1, dbname: "$external", user: "CN=c" }));
    const result = await auth.complete(runner, { ok: 1 });
    assert.equal(result.speculative, false);
    assert.deepEqual(runner.sent, [{ db: "$external", cmd: { authenticate: 1, mechanism: "MONGODB-X509" } }]);
  });

  it("refuses GSSAPI clearly", async () => {
    await assert.rejects(
      beginAuthentication(parseCredential("mongodb://user%40REALM@localhost/?authMechanism=GSSAPI")!),
      { code: "UNSUPPORTED_MECHANISM", message: /GSSAPI/ },
    );
  });
});

describe("authenticate", () => {
  it("sends its own hello when none is given, then the mechanism's commands", async () => {
    const runner = scriptedRunner((
      _db,
      cmd,
    ) => (cmd.hello ? { ok: 1, maxWireVersion: 21 } : { ok: 1, done: true }));
    const result = await authenticate(
      runner,
      parseCredential("mongodb://bob:pw@localhost/?authMechanism=PLAIN")!,
    );
    assert.equal(result.mechanism, "PLAIN");
    assert.equal(runner.sent[0].cmd.hello, 1);
    assert.equal(runner.sent[1].db, "$external");
    assert.deepEqual(runner.sent[1].cmd.payload, new TextEncoder().encode("\0bob\0pw"));
  });

  it("turns the server's 18 into AUTHENTICATION_FAILED, from runners that return ok: 0", async () => {
    const runner = scriptedRunner((_db, cmd) =>
      cmd.hello
        ? { ok: 1 }
        : { ok: 0, code: 18, codeName: "AuthenticationFailed", errmsg: "Authentication failed." }
    );
    await assert.rejects(
      authenticate(runner, parseCredential("mongodb://bob:pw@localhost/?authMechanism=PLAIN")!),
      (err: Error & { code?: string }) => {
        assert.equal(err.code, "AUTHENTICATION_FAILED");
        assert.doesNotMatch(err.message, /pw/);
        return true;
      },
    );
  });

  it("stops before sending anything once the signal has fired", async () => {
    const runner = scriptedRunner(() => ({ ok: 1 }));
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(
      authenticate(runner, parseCredential("mongodb://bob:pw@localhost/?authMechanism=PLAIN")!, {
        signal: controller.signal,
      }),
      { code: "ABORTED" },
    );
    assert.equal(runner.sent.length, 0);
  });
});

describe("server version", () => {
  it("refuses MONGODB-AWS on a server before 4.4 (maxWireVersion < 9) before sending anything", async () => {
    const auth = await beginAuthentication(
      parseCredential("mongodb://AKID:secret@localhost/?authMechanism=MONGODB-AWS")!,
    );
    const runner = scriptedRunner(() => assert.fail("nothing may be sent"));
    await assert.rejects(auth.complete(runner, { ok: 1, maxWireVersion: 8 }), {
      code: "UNSUPPORTED_MECHANISM",
      message: /MONGODB-AWS needs MongoDB 4\.4 or later/,
    });
  });
});
