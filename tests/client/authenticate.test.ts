import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  AuthCacheStore,
  authenticate,
  beginAuthentication,
  type Document,
  hintsFor,
  type MongoAuthError,
  type MongoServerError,
  parseCredential,
  ScramKeyCache,
  type TraceEvent,
} from "@mongo-auth/core";
import { scriptedRunner } from "../support/scripted-runner.ts";
import { settledWithin } from "../support/settled-within.ts";

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

  it("asks for saslSupportedMechs with a SCRAM mechanism given too: the list is the evidence when the server refuses", async () => {
    const auth = await beginAuthentication(
      parseCredential("mongodb://alice:pw@localhost/?authMechanism=SCRAM-SHA-1")!,
    );
    assert.equal(auth.helloFields.saslSupportedMechs, "admin.alice");
    assert.equal((auth.helloFields.speculativeAuthenticate as Document).mechanism, "SCRAM-SHA-1");
  });

  it("does not ask for saslSupportedMechs for the mechanisms of $external users", async () => {
    for (
      const uri of [
        "mongodb://alice:pw@localhost/?authMechanism=PLAIN",
        "mongodb://localhost/?authMechanism=MONGODB-X509",
      ]
    ) {
      const auth = await beginAuthentication(parseCredential(uri)!);
      assert.equal(auth.helloFields.saslSupportedMechs, undefined, uri);
    }
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

  it("takes MongoDB Atlas's proxy's 8000 \"bad auth\" for the refusal it is: AUTHENTICATION_FAILED with its words", async () => {
    // Atlas's free and shared clusters (M0, Flex; serverless) answer a wrong password this way, not with mongod's 18.
    const runner = scriptedRunner((_db, cmd) =>
      cmd.hello
        ? { ok: 1, saslSupportedMechs: ["SCRAM-SHA-1", "SCRAM-SHA-256"] }
        : { ok: 0, code: 8000, codeName: "AtlasError", errmsg: "bad auth : Authentication failed." }
    );
    // A host by another name (a CNAME of one's own): the proxy's code alone says it is Atlas.
    const credential = parseCredential("mongodb://bob:pw@db.example.com/?authSource=admin")!;
    await assert.rejects(
      authenticate(runner, credential, { host: "db.example.com:27017" }),
      (err: MongoAuthError) => {
        assert.equal(err.code, "AUTHENTICATION_FAILED");
        assert.equal((err.cause as MongoServerError).serverCode, 8000);
        assert.equal(
          err.message,
          'the server refused user "bob" on database "admin" with SCRAM-SHA-256 (server error 8000 AtlasError from ' +
            'MongoDB Atlas\'s proxy: "bad auth : Authentication failed."): check the password, and that the user was ' +
            "created in that database (authSource names the database that holds the user; it defaults to the " +
            "connection string's database, else admin), and that the user has SCRAM-SHA-256 credentials; on MongoDB " +
            "Atlas, the user is a database user from Database Access in the Atlas UI (the login of an Atlas account " +
            "is not one), and every such user is in admin (authSource=admin)",
        );
        return true;
      },
    );
  });

  it("behind Atlas's proxy, a hello that lists no mechanisms is no evidence that the user is missing", async () => {
    const runner = scriptedRunner((_db, cmd) =>
      cmd.hello
        ? { ok: 1 }
        : { ok: 0, code: 8000, codeName: "AtlasError", errmsg: "bad auth : Authentication failed." }
    );
    const credential = parseCredential(
      "mongodb://bob:pw@cluster0-shard-00-00.abcde.mongodb.net/?authSource=admin",
    )!;
    await assert.rejects(
      authenticate(runner, credential, { host: "cluster0-shard-00-00.abcde.mongodb.net:27017" }),
      (err: MongoAuthError) => {
        assert.equal(err.code, "AUTHENTICATION_FAILED");
        assert.doesNotMatch(err.message, /has no user/);
        assert.match(err.message, /: check the password, and that the user was created in that database/);
        return true;
      },
    );
  });

  it("passes every reply through one ok-check: each mechanism, and re-authentication, see ok: 0 as the server's error", async () => {
    const refusing = () =>
      scriptedRunner((_db, cmd) =>
        cmd.hello ? { ok: 1, maxWireVersion: 21 } : { ok: 0, code: 2, codeName: "BadValue", errmsg: "no" }
      );
    const isBadValue = (err: unknown) => (err as { serverCode?: number }).serverCode === 2;
    const credentials: [string, Parameters<typeof parseCredential>[1]?][] = [
      ["mongodb://alice:pw@localhost/?authMechanism=SCRAM-SHA-256"],
      ["mongodb://alice:pw@localhost/?authMechanism=SCRAM-SHA-1"],
      ["mongodb://alice:pw@localhost/?authMechanism=PLAIN"],
      ["mongodb://localhost/?authMechanism=MONGODB-X509"],
      ["mongodb://AKIDEXAMPLE:secret@localhost/?authMechanism=MONGODB-AWS"],
      [
        "mongodb://localhost/?authMechanism=MONGODB-OIDC",
        { authMechanismProperties: { OIDC_CALLBACK: () => Promise.resolve({ accessToken: "eyJ.a.b" }) } },
      ],
    ];
    for (const [uri, options] of credentials) {
      const credential = parseCredential(uri, options)!;
      const options_ = { host: "localhost", cacheStore: new AuthCacheStore() };
      await assert.rejects(authenticate(refusing(), credential, options_), isBadValue, uri);
      const auth = await beginAuthentication(credential, options_);
      await assert.rejects(auth.reauthenticate(refusing()), isBadValue, `${uri}: re-authentication`);
    }
  });

  it("traces the conversation for a driver author: onEvent as it happens, and the trace on the error", async () => {
    const events: TraceEvent[] = [];
    const runner = scriptedRunner((_db, cmd) =>
      cmd.hello
        ? { ok: 1, maxWireVersion: 21, saslSupportedMechs: ["SCRAM-SHA-1"] }
        : { ok: 0, code: 18, codeName: "AuthenticationFailed", errmsg: "Authentication failed." }
    );
    const credential = parseCredential("mongodb://alice:pw@localhost/?authMechanism=SCRAM-SHA-256")!;
    const error = await authenticate(runner, credential, { onEvent: (e) => events.push(e) }).catch((e) => e);
    assert.equal(error.code, "AUTHENTICATION_FAILED");
    assert.match(
      error.message,
      /the user has no SCRAM-SHA-256 credentials \(hello lists SCRAM-SHA-1 for it\)/,
    );
    assert.deepEqual(error.trace, events);
    assert.deepEqual(events.map((e) => e.type), [
      "auth.started",
      "auth.source",
      "hello",
      "auth.mechanism",
      "sasl.step",
      "auth.failed",
    ]);
    assert.deepEqual(events[1].attributes, {
      db: "admin",
      origin: "credential",
      reason: "the credential names it",
    });
    assert.equal(hintsFor(error.trace)[0].id, "mechanism");
  });

  it("reads only the strings of hello's saslSupportedMechs: a document listed there is no mechanism, and no TypeError", async () => {
    // BSON reads { toString: 1 } as an object whose own toString is a number, which String() cannot convert.
    const runner = () =>
      scriptedRunner((_db, cmd) =>
        cmd.hello
          ? { ok: 1, maxWireVersion: 21, saslSupportedMechs: [{ toString: 1 }, "SCRAM-SHA-1"] }
          : { ok: 0, code: 18, codeName: "AuthenticationFailed", errmsg: "Authentication failed." }
      );
    const refusalOf = async (uri: string) => {
      const events: TraceEvent[] = [];
      const error = await authenticate(runner(), parseCredential(uri)!, { onEvent: (e) => events.push(e) })
        .then(() => assert.fail("the server refuses"), (e: unknown) => e as MongoAuthError);
      assert.equal(error.code, "AUTHENTICATION_FAILED", String(error));
      return { error, events };
    };

    const negotiated = await refusalOf("mongodb://alice:pw@localhost/");
    const decision = negotiated.events.find((e) => e.type === "auth.mechanism")!;
    assert.deepEqual(decision.attributes, {
      mechanism: "SCRAM-SHA-1",
      how: "negotiated",
      reason: "hello lists SCRAM-SHA-1 for admin.alice, without SCRAM-SHA-256",
    });
    const hello = negotiated.events.find((e) => e.type === "hello")!;
    assert.deepEqual(hello.attributes.saslSupportedMechs, ["SCRAM-SHA-1"]);

    const given = await refusalOf("mongodb://alice:pw@localhost/?authMechanism=SCRAM-SHA-256");
    assert.match(
      given.error.message,
      /the user has no SCRAM-SHA-256 credentials \(hello lists SCRAM-SHA-1 for it\)/,
    );
  });

  it("traces a re-authentication (391) as an attempt of its own", async () => {
    const events: TraceEvent[] = [];
    const credential = parseCredential("mongodb://bob:pw@localhost/?authMechanism=PLAIN")!;
    const auth = await beginAuthentication(credential, { onEvent: (e) => events.push(e) });
    await auth.complete(scriptedRunner(() => ({ ok: 1, done: true })), { ok: 1, maxWireVersion: 21 });
    await auth.reauthenticate(scriptedRunner(() => ({ ok: 1, done: true })));
    assert.deepEqual(
      events.slice(-3).map((e) => [e.type, e.type === "auth.started" && e.attributes.reauthentication]),
      [
        ["auth.started", true],
        ["sasl.step", false],
        ["auth.succeeded", false],
      ],
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

describe("authenticate: settles on its signal whatever the server sends", () => {
  // A server whose first SCRAM message asks for `iterations` (under the default ceiling of 1 000 000).
  function scramServer(iterations: number): ReturnType<typeof scriptedRunner> {
    return scriptedRunner((_db, cmd) => {
      const start = cmd.speculativeAuthenticate as Document;
      const clientFirst = new TextDecoder().decode(start.payload as Uint8Array);
      const nonce = clientFirst.slice(clientFirst.indexOf("r=") + 2);
      const serverFirst = `r=${nonce}server,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=${iterations}`;
      return {
        ok: 1,
        maxWireVersion: 21,
        speculativeAuthenticate: {
          conversationId: 1,
          done: false,
          payload: new TextEncoder().encode(serverFirst),
        },
      };
    });
  }
  // A key derivation that never ends: a stand-in for a PBKDF2 that is still running.
  const stuck = () => {
    const started: number[] = [];
    const scramKeyCache = new ScramKeyCache({
      derive: (params) => (started.push(params.iterations), new Promise(() => {})),
    });
    return { started, cacheStore: new AuthCacheStore({ scramKeyCache }) };
  };
  const credential = () => parseCredential("mongodb://alice:pw@db.example/?authMechanism=SCRAM-SHA-256")!;
  const settled = <T>(attempt: Promise<T>) => settledWithin(10_000, "authenticate()", attempt);

  it("TIMEOUT when the signal times out while the key is derived", async () => {
    const { started, cacheStore } = stuck();
    await assert.rejects(
      settled(
        authenticate(scramServer(999_999), credential(), { cacheStore, signal: AbortSignal.timeout(50) }),
      ),
      { code: "TIMEOUT" },
    );
    assert.deepEqual(started, [999_999], "the derivation had started");
  });

  it("ABORTED when the caller aborts while the key is derived", async () => {
    const controller = new AbortController();
    const scramKeyCache = new ScramKeyCache({
      derive: () => (controller.abort(), new Promise(() => {})),
    });
    await assert.rejects(
      settled(authenticate(scramServer(999_999), credential(), {
        cacheStore: new AuthCacheStore({ scramKeyCache }),
        signal: controller.signal,
      })),
      { code: "ABORTED" },
    );
  });

  it("refuses a count above maxScramIterations before deriving, naming the host", async () => {
    const { started, cacheStore } = stuck();
    await assert.rejects(
      settled(authenticate(scramServer(20_000), credential(), {
        cacheStore,
        host: "db.example",
        maxScramIterations: 15_000,
      })),
      (err: MongoAuthError) => {
        assert.equal(err.code, "SCRAM_ITERATIONS_TOO_HIGH");
        assert.match(err.message, /db\.example/);
        assert.match(err.message, /"alice"/);
        assert.match(err.message, /SCRAM-SHA-256/);
        assert.match(err.message, /maxScramIterations/);
        return true;
      },
    );
    assert.deepEqual(started, []);
  });

  it("refuses a maxScramIterations out of range before sending anything", async () => {
    const runner = scriptedRunner(() => assert.fail("nothing may be sent"));
    for (const maxScramIterations of [0, 4095, 2 ** 31, 1e12]) {
      await assert.rejects(authenticate(runner, credential(), { maxScramIterations }), {
        code: "INVALID_OPTION",
        message: /maxScramIterations/,
      });
    }
  });
});

describe("authenticate: the human OIDC flow needs a host", () => {
  const human = () =>
    parseCredential("mongodb://localhost/?authMechanism=MONGODB-OIDC", {
      authMechanismProperties: { OIDC_HUMAN_CALLBACK: () => assert.fail("no token may be fetched") },
    })!;

  it("without host: INVALID_OPTION before anything is sent, never a default of localhost", async () => {
    const runner = scriptedRunner(() => assert.fail("nothing may be sent"));
    for (const start of [() => beginAuthentication(human()), () => authenticate(runner, human())]) {
      await assert.rejects(start(), (err: MongoAuthError) => {
        assert.equal(err.code, "INVALID_OPTION");
        assert.match(err.message, /host/);
        return true;
      });
    }
  });

  it("with a host in ALLOWED_HOSTS it starts (and the default list still applies)", async () => {
    const auth = await beginAuthentication(human(), { host: "localhost" });
    assert.equal(auth.helloFields.speculativeAuthenticate, undefined, "no cached token yet");
    await assert.rejects(beginAuthentication(human(), { host: "evil.example" }), { code: "INVALID_OPTION" });
  });

  it("machine flows do not need a host", async () => {
    const machine = parseCredential("mongodb://localhost/?authMechanism=MONGODB-OIDC", {
      authMechanismProperties: { OIDC_CALLBACK: () => Promise.resolve({ accessToken: "t" }) },
    })!;
    await beginAuthentication(machine);
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

describe("the conversation refuses arguments of the wrong type, as rejections with a code", () => {
  const credential = parseCredential("mongodb://alice:pw@localhost/?authMechanism=SCRAM-SHA-256")!;
  const runner = { command: () => Promise.resolve({ ok: 1 }) };

  it("beginAuthentication and authenticate: options of the wrong type are INVALID_OPTION, rejected not thrown", async () => {
    const begun = beginAuthentication(credential, { signal: "abort" } as never);
    assert.ok(begun instanceof Promise);
    await assert.rejects(begun, {
      code: "INVALID_OPTION",
      message: /^option signal of beginAuthentication\(\)/,
    });
    await assert.rejects(beginAuthentication(credential, { env: {} } as never), {
      code: "INVALID_OPTION",
      message: /^option env of beginAuthentication\(\) must be a RuntimeEnv/,
    });
    await assert.rejects(beginAuthentication(credential, { cacheStore: 5 } as never), {
      code: "INVALID_OPTION",
      message: /^option cacheStore of beginAuthentication\(\) must be an AuthCacheStore, got a number$/,
    });
    await assert.rejects(authenticate(runner, credential, { helloReply: [] } as never), {
      code: "INVALID_OPTION",
      message: /^option helloReply of authenticate\(\) must be the hello reply document/,
    });
    await assert.rejects(authenticate(runner, credential, "fast" as never), {
      code: "INVALID_OPTION",
      message: "the options of authenticate() must be an object, got a string",
    });
  });

  it("authenticate and complete: a runner without command(), or no hello reply, is INVALID_OPTION", async () => {
    for (const wrong of [undefined, null, 5, {}, { command: "hello" }]) {
      await assert.rejects(authenticate(wrong as never, credential), {
        code: "INVALID_OPTION",
        message: /^authenticate\(\) needs a CommandRunner/,
      });
      const auth = await beginAuthentication(credential);
      await assert.rejects(auth.complete(wrong as never, { ok: 1 }), {
        code: "INVALID_OPTION",
        message: /^complete\(\) needs a CommandRunner/,
      });
    }
    for (const hello of [undefined, null, 5, []]) {
      const auth = await beginAuthentication(credential);
      await assert.rejects(auth.complete(runner, hello as never), {
        code: "INVALID_OPTION",
        message: /^complete\(\) needs the server's hello reply/,
      });
    }
  });

  it("a runner that resolves to something else than a reply document: PROTOCOL_ERROR naming the command, not the server", async () => {
    for (
      const [reply, kind] of [[null, "null"], [42, "a number"], ["ok", "a string"], [[], "an array"]] as const
    ) {
      const auth = await beginAuthentication(credential);
      const wrong = { command: () => Promise.resolve(reply as never) };
      await assert.rejects(auth.complete(wrong, { ok: 1, maxWireVersion: 21 }), (error: MongoAuthError) => {
        assert.equal(error.code, "PROTOCOL_ERROR");
        assert.match(
          error.message,
          new RegExp(`^the reply to the saslStart command is ${kind}, not a document`),
        );
        return true;
      });
    }
  });
});

describe("reauthenticate refuses arguments of the wrong type", () => {
  it("a runner without command(), or a signal that is no AbortSignal, is INVALID_OPTION (it had crashed the process)", async () => {
    const credential = parseCredential("mongodb://alice:pw@localhost/?authMechanism=PLAIN")!;
    const runner = { command: () => Promise.resolve({ ok: 1, done: true, conversationId: 1 }) };
    const auth = await beginAuthentication(credential);
    await auth.complete(runner, { ok: 1, maxWireVersion: 21 });
    await assert.rejects(auth.reauthenticate({} as never), {
      code: "INVALID_OPTION",
      message: /^reauthenticate\(\) needs a CommandRunner/,
    });
    await assert.rejects(auth.reauthenticate(runner, "10s" as never), {
      code: "INVALID_OPTION",
      message: "reauthenticate() takes an AbortSignal as its second argument, got a string",
    });
    await auth.reauthenticate(runner, null as never);
  });
});
