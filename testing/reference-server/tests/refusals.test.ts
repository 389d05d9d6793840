// What the reference server refuses, class by class, with the code and code name mongod 7.0 answers
// (the mongod sources each class follows are listed in README.md). Every case sends raw messages, so
// nothing a driver would tidy up gets in the way.
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Binary, Double, Int32, Long, ObjectId, UUID } from "bson";
import { fixturePath } from "../../paths.ts";
import type { ServerConfig } from "../config.ts";
import { RawClient, rawDocument, scramAuth, withRawClient } from "./raw-client.ts";
import { type RunningServer, startServer } from "../server.ts";
import type { Document } from "../wire.ts";

const CONFIG: ServerConfig = {
  users: [
    {
      db: "admin",
      user: "alice",
      password: "alice-pw",
      mechanisms: ["SCRAM-SHA-1", "SCRAM-SHA-256"],
      roles: [{ role: "readWrite", db: "app" }],
    },
    { db: "$external", user: "ldap-bob", password: "bob-pw", mechanisms: ["PLAIN"] },
  ],
};

const ALICE = { hash: "sha256", user: "alice", password: "alice-pw", db: "admin" } as const;
const SCRAM_FIRST = new Binary(Buffer.from("n,,n=alice,r=abcdefghijklmnop"));
const CLIENT = { driver: { name: "raw", version: "0" }, os: { type: "Linux" } };

const withClient = (fn: (client: RawClient, server: RunningServer) => Promise<void>) =>
  withRawClient(CONFIG, fn);

/** Asserts a mongod error reply: ok 0, the code and its name. */
function refused(reply: Document | undefined, code: number, codeName: string, errmsg?: RegExp): void {
  assert.ok(reply !== undefined, "the server closed the connection instead of answering");
  assert.deepEqual(
    { ok: reply.ok, code: reply.code, codeName: reply.codeName },
    { ok: 0, code, codeName },
    JSON.stringify(reply),
  );
  if (errmsg !== undefined) assert.match(reply.errmsg as string, errmsg);
}

/** Asserts that no conversation is in flight on `db`: a saslContinue finds no session (17). */
async function refusedWithoutSession(client: RawClient, db: string): Promise<void> {
  refused(
    await client.msg({ saslContinue: 1, conversationId: 1, payload: new Binary(), $db: db }),
    17,
    "ProtocolError",
    /No SASL session state found/,
  );
}

/** A saslStart with `fields` replaced; a field set to undefined is left out. */
const saslStart = (fields: Document = {}) =>
  withoutUndefined({
    saslStart: 1,
    mechanism: "SCRAM-SHA-256",
    payload: SCRAM_FIRST,
    $db: "admin",
    ...fields,
  });

function withoutUndefined(doc: Document): Document {
  return Object.fromEntries(Object.entries(doc).filter(([, value]) => value !== undefined));
}

/** rawDocument(fields) with one more field, `name`, whose value is the document `sub` as it is (repeats kept). */
function withSubdocument(
  fields: ReadonlyArray<readonly [string, unknown]>,
  name: string,
  sub: Uint8Array,
): Uint8Array {
  const head = rawDocument(fields);
  const element = Buffer.concat([Buffer.from([3]), Buffer.from(`${name}\0`), sub]);
  const out = Buffer.concat([head.subarray(0, head.length - 1), element, Buffer.from([0])]);
  out.writeInt32LE(out.length, 0);
  return out;
}

describe("IDL: saslStart, saslContinue and authenticate are strict (sasl_commands.idl, authentication_commands.idl)", () => {
  it("refuses an unknown field with 40415", async () => {
    await withClient(async (client) => {
      refused(
        await client.msg(saslStart({ bogus: 1 })),
        40415,
        "Location40415",
        /'saslStart.bogus' is an unknown field/,
      );
      refused(
        await client.msg({
          saslContinue: 1,
          conversationId: 1,
          payload: new Binary(),
          extra: true,
          $db: "admin",
        }),
        40415,
        "Location40415",
      );
      refused(
        await client.msg({ authenticate: 1, mechanism: "MONGODB-X509", pwd: "x", $db: "$external" }),
        40415,
        "Location40415",
      );
    });
  });

  it("refuses a repeated field with 40413", async () => {
    await withClient(async (client) => {
      const doc = rawDocument([
        ["saslStart", 1],
        ["mechanism", "SCRAM-SHA-256"],
        ["mechanism", "SCRAM-SHA-1"],
        ["payload", SCRAM_FIRST],
        ["$db", "admin"],
      ]);
      refused(await client.msg(doc), 40413, "Location40413", /'saslStart.mechanism' is a duplicate field/);
    });
  });

  it("refuses a missing required field with 40414", async () => {
    await withClient(async (client) => {
      refused(
        await client.msg(saslStart({ mechanism: undefined })),
        40414,
        "Location40414",
        /saslStart.mechanism/,
      );
      refused(
        await client.msg(saslStart({ payload: undefined })),
        40414,
        "Location40414",
        /saslStart.payload/,
      );
      refused(
        await client.msg({ saslContinue: 1, payload: new Binary(), $db: "admin" }),
        40414,
        "Location40414",
      );
      refused(await client.msg({ authenticate: 1, $db: "$external" }), 40414, "Location40414");
    });
  });

  it("refuses a field of the wrong type with 14 TypeMismatch", async () => {
    await withClient(async (client) => {
      refused(await client.msg(saslStart({ mechanism: 5 })), 14, "TypeMismatch", /expected type 'string'/);
      refused(await client.msg(saslStart({ options: "skip" })), 14, "TypeMismatch");
      refused(await client.msg(saslStart({ autoAuthorize: "yes" })), 14, "TypeMismatch");
      refused(
        await client.msg({ authenticate: 1, mechanism: "MONGODB-X509", user: 7, $db: "$external" }),
        14,
        "TypeMismatch",
      );
    });
  });

  it("takes autoAuthorize as any number or boolean (safeBool), as pymongo and the Node driver send it", async () => {
    await withClient(async (client) => {
      for (const autoAuthorize of [1, true, new Long(1), new Double(1)]) {
        assert.equal((await client.msg(saslStart({ autoAuthorize })))?.ok, 1);
      }
    });
  });

  it("wants saslContinue's conversationId as a 32-bit int, not a double or a long", async () => {
    await withClient(async (client) => {
      for (const conversationId of [new Double(1), new Long(1), "1"]) {
        assert.equal((await client.msg(saslStart()))?.ok, 1);
        refused(
          await client.msg({ saslContinue: 1, conversationId, payload: new Binary(), $db: "admin" }),
          14,
          "TypeMismatch",
          /'saslContinue.conversationId' is the wrong type '\w+', expected type 'int'/,
        );
      }
    });
  });

  it("leaves the conversation alone when the command does not parse (mongod parses before the step)", async () => {
    await withClient(async (client) => {
      const nonce = "abcdefghijklmnopqrstuvwx";
      const start = await client.msg(
        saslStart({ payload: new Binary(Buffer.from(`n,,n=alice,r=${nonce}`)) }),
      );
      assert.equal(start?.ok, 1);
      refused(
        await client.msg({
          saslContinue: 1,
          conversationId: new Double(1),
          payload: new Binary(),
          $db: "admin",
        }),
        14,
        "TypeMismatch",
      );
      // Still in flight: a well-formed continue reaches the mechanism (and fails there, 18).
      refused(
        await client.msg({
          saslContinue: 1,
          conversationId: 1,
          payload: new Binary(Buffer.from("junk")),
          $db: "admin",
        }),
        18,
        "AuthenticationFailed",
      );
    });
  });

  it("accepts the generic arguments every command takes", async () => {
    await withClient(async (client) => {
      const reply = await client.msg(
        saslStart({ $readPreference: { mode: "primaryPreferred" }, comment: "hi", maxTimeMS: 1000 }),
      );
      assert.equal(reply?.ok, 1);
    });
  });
});

describe("IDL: hello (hello.idl)", () => {
  it("type-checks its known fields (14) and refuses a repeated one (40413)", async () => {
    await withClient(async (client) => {
      refused(
        await client.msg({ hello: 1, helloOk: "yes", $db: "admin" }),
        14,
        "TypeMismatch",
        /'hello.helloOk'/,
      );
      refused(await client.msg({ isMaster: 1, compression: "zstd", $db: "admin" }), 14, "TypeMismatch");
      refused(await client.msg({ hello: 1, compression: ["zstd", 1], $db: "admin" }), 14, "TypeMismatch");
      refused(await client.msg({ hello: 1, hostInfo: 1, $db: "admin" }), 14, "TypeMismatch");
      refused(await client.msg({ hello: 1, loadBalanced: 1, $db: "admin" }), 14, "TypeMismatch");
      refused(await client.msg({ hello: 1, speculativeAuthenticate: "x", $db: "admin" }), 14, "TypeMismatch");
      refused(await client.msg({ hello: 1, saslSupportedMechs: 5, $db: "admin" }), 14, "TypeMismatch");
      refused(
        await client.msg(rawDocument([["hello", 1], ["helloOk", true], ["helloOk", true], ["$db", "admin"]])),
        40413,
        "Location40413",
      );
    });
  });

  it("takes helloOk as any number or boolean, and unknown fields (the Node driver sends backpressure)", async () => {
    await withClient(async (client) => {
      const reply = await client.msg({ hello: 1, helloOk: 1, backpressure: "2", $db: "admin" });
      assert.equal(reply?.ok, 1);
      assert.equal(reply?.helloOk, true);
    });
  });

  it("refuses a saslSupportedMechs that is no user name with 2 BadValue, in AuthName<UserName>'s words", async () => {
    await withClient(async (client) => {
      const cases: Array<[unknown, string]> = [
        ["alice", "UserName must contain a '.' separated database.user pair"],
        [{ user: "alice" }, "UserName must contain a field named: db"],
        [{ db: "admin" }, "UserName must contain a field named: user"],
        [{ user: "alice", db: "admin", x: 1 }, "UserName contains an unknown field named: 'x"],
        [{ user: 1, db: "admin" }, "UserName must contain a string field named: user. But, has type int"],
        [{ user: "alice", db: true }, "UserName must contain a string field named: db. But, has type bool"],
      ];
      for (const [saslSupportedMechs, errmsg] of cases) {
        const reply = await client.msg({ hello: 1, saslSupportedMechs, $db: "admin" });
        refused(reply, 2, "BadValue");
        assert.equal(reply?.errmsg, errmsg);
      }
      const twice = rawDocument([["user", "alice"], ["db", "admin"], ["user", "alice"]]);
      const hello = withSubdocument([["hello", 1], ["$db", "admin"]], "saslSupportedMechs", twice);
      refused(await client.msg(hello), 2, "BadValue", /^UserName has more than one field named: user$/);
    });
  });

  it("wants topologyVersion and maxAwaitTimeMS together (31368), a counter ≥ 0 (31372), maxAwaitTimeMS ≥ 0 (51024)", async () => {
    await withClient(async (client) => {
      const topologyVersion = { processId: new ObjectId(), counter: new Long(0) };
      refused(await client.msg({ hello: 1, topologyVersion, $db: "admin" }), 31368, "Location31368");
      refused(await client.msg({ hello: 1, maxAwaitTimeMS: 10, $db: "admin" }), 31368, "Location31368");
      refused(
        await client.msg({
          hello: 1,
          topologyVersion: { ...topologyVersion, counter: Long.fromNumber(-1) },
          maxAwaitTimeMS: 10,
          $db: "admin",
        }),
        31372,
        "Location31372",
      );
      refused(
        await client.msg({ hello: 1, topologyVersion, maxAwaitTimeMS: -1, $db: "admin" }),
        51024,
        "Location51024",
      );
      refused(
        await client.msg({
          hello: 1,
          topologyVersion: { processId: "p", counter: new Long(0) },
          maxAwaitTimeMS: 1,
          $db: "admin",
        }),
        14,
        "TypeMismatch",
      );
      // Another process's topologyVersion is answered at once, as mongod does.
      assert.equal(
        (await client.msg({ hello: 1, topologyVersion, maxAwaitTimeMS: 10, $db: "admin" }))?.ok,
        1,
      );
    });
  });

  it("refuses an exhaust hello without maxAwaitTimeMS with 51756", async () => {
    await withClient(async (client) => {
      refused(await client.msg({ hello: 1, $db: "admin" }, { flags: 1 << 16 }), 51756, "Location51756");
    });
  });
});

describe("client metadata (client_metadata.cpp)", () => {
  it("refuses a client that is not a document with 14", async () => {
    await withClient(async (client) => {
      refused(
        await client.msg({ hello: 1, client: "raw", $db: "admin" }),
        14,
        "TypeMismatch",
        /must be a document/,
      );
    });
  });

  it("refuses a document without driver, driver.name, driver.version, os or os.type with 183", async () => {
    await withClient(async (client) => {
      const cases: Document[] = [
        { os: { type: "Linux" } },
        { driver: { name: "raw", version: "0" } },
        { driver: { name: "raw" }, os: { type: "Linux" } },
        { driver: { version: "0" }, os: { type: "Linux" } },
        { driver: { name: "raw", version: "0" }, os: { name: "Debian" } },
      ];
      for (const metadata of cases) {
        refused(
          await client.msg({ hello: 1, client: metadata, $db: "admin" }),
          183,
          "ClientMetadataMissingField",
        );
      }
    });
  });

  it("refuses non-string names and non-document parts with 14", async () => {
    await withClient(async (client) => {
      const cases: Document[] = [
        { ...CLIENT, driver: "raw" },
        { ...CLIENT, driver: { name: "raw", version: 0 } },
        { ...CLIENT, os: { type: 1 } },
        { ...CLIENT, application: "app" },
        { ...CLIENT, application: { name: 42 } },
      ];
      for (const metadata of cases) {
        refused(await client.msg({ hello: 1, client: metadata, $db: "admin" }), 14, "TypeMismatch");
      }
    });
  });

  it("refuses an application name over 128 bytes with 184", async () => {
    await withClient(async (client) => {
      const long = { ...CLIENT, application: { name: "é".repeat(65) } };
      refused(
        await client.msg({ hello: 1, client: long, $db: "admin" }),
        184,
        "ClientMetadataAppNameTooLarge",
      );
      const exact = { ...CLIENT, application: { name: "é".repeat(64) } };
      assert.equal((await client.msg({ hello: 1, client: exact, $db: "admin" }))?.ok, 1);
    });
  });

  it("refuses a document over 1024 bytes with 185", async () => {
    await withClient(async (client) => {
      const big = { ...CLIENT, platform: "x".repeat(1024) };
      refused(
        await client.msg({ hello: 1, client: big, $db: "admin" }),
        185,
        "ClientMetadataDocumentTooLarge",
      );
    });
  });

  it("takes metadata only until the first hello succeeds, with or without metadata (186)", async () => {
    await withClient(async (client) => {
      // A refused document does not end the handshake: the client may try again.
      refused(await client.msg({ hello: 1, client: {}, $db: "admin" }), 183, "ClientMetadataMissingField");
      assert.equal((await client.msg({ hello: 1, client: CLIENT, $db: "admin" }))?.ok, 1);
      refused(
        await client.msg({ hello: 1, client: CLIENT, $db: "admin" }),
        186,
        "ClientMetadataCannotBeMutated",
      );
    });
    await withClient(async (client) => {
      assert.equal((await client.msg({ hello: 1, $db: "admin" }))?.ok, 1);
      refused(
        await client.msg({ hello: 1, client: CLIENT, $db: "admin" }),
        186,
        "ClientMetadataCannotBeMutated",
      );
    });
  });
});

describe("SASL payloads (sasl_payload.cpp, util/base64.cpp)", () => {
  it("refuses a payload that is neither BinData nor a string, or BinData of another subtype, with 2 BadValue", async () => {
    await withClient(async (client) => {
      refused(
        await client.msg(saslStart({ payload: 5 })),
        2,
        "BadValue",
        /Expected Base64 or BinData, got: int/,
      );
      refused(await client.msg(saslStart({ payload: { p: 1 } })), 2, "BadValue");
      refused(await client.msg(saslStart({ payload: new UUID() })), 2, "BadValue", /Expected BinDataGeneral/);
    });
  });

  it("refuses base64 whose length is no multiple of 4 (10270) or with a character outside the alphabet (40537)", async () => {
    await withClient(async (client) => {
      const good = Buffer.from("n,,n=alice,r=abcdefghijklmnop").toString("base64");
      refused(
        await client.msg(saslStart({ payload: good.slice(0, -1) })),
        10270,
        "Location10270",
        /invalid base64/,
      );
      refused(await client.msg(saslStart({ payload: good.replace(/=+$/, "") })), 10270, "Location10270");
      refused(
        await client.msg(saslStart({ payload: `${good.slice(0, 4)} ${good.slice(5)}` })),
        40537,
        "Location40537",
      );
      refused(await client.msg(saslStart({ payload: "bixu-_ab" })), 40537, "Location40537");
      refused(
        await client.msg(saslStart({ payload: "QQ=A" })),
        40537,
        "Location40537",
        /Failed decoding SASL payload/,
      );
    });
  });

  it("refuses non-canonical padding bits (10270), which mongod ignores: stricter, see README", async () => {
    await withClient(async (client) => {
      refused(await client.msg(saslStart({ payload: "QR==" })), 10270, "Location10270");
    });
  });

  it("runs a whole SCRAM conversation on base64 string payloads, answering in kind", async () => {
    await withClient(async (client) => {
      const done = await scramAuth(client, { ...ALICE, base64: true });
      assert.deepEqual([done?.ok, done?.done, typeof done?.payload], [1, true, "string"]);
    });
  });
});

describe("legacy OP_QUERY (rpc/legacy_request.cpp, rpc/check_allowed_op_query_cmd.cpp)", () => {
  it("refuses numberToReturn other than 1 or -1 with 16979", async () => {
    await withClient(async (client) => {
      for (const numberToReturn of [0, 2, -2]) {
        refused(
          await client.query("admin.$cmd", { isMaster: 1 }, { numberToReturn }),
          16979,
          "Location16979",
          /Bad numberToReturn \(-?\d\) for \$cmd type ns - can only be 1 or -1/,
        );
      }
      assert.equal((await client.query("admin.$cmd", { isMaster: 1 }, { numberToReturn: 1 }))?.ok, 1);
    });
  });

  it("refuses the Exhaust flag with 18527", async () => {
    await withClient(async (client) => {
      refused(await client.query("admin.$cmd", { isMaster: 1 }, { flags: 1 << 6 }), 18527, "Location18527");
    });
  });

  it("refuses $db in the query with 40621", async () => {
    await withClient(async (client) => {
      refused(await client.query("admin.$cmd", { isMaster: 1, $db: "admin" }), 40621, "Location40621");
    });
  });

  it("refuses every command but the handshake and authentication ones with 352, a $query wrapper included", async () => {
    await withClient(async (client) => {
      for (
        const query of [{ ping: 1 }, { connectionStatus: 1 }, { frobnicate: 1 }, { $query: { isMaster: 1 } }]
      ) {
        refused(await client.query("admin.$cmd", query), 352, "UnsupportedOpQueryCommand");
      }
      assert.deepEqual((await client.query("admin.$cmd", { buildinfo: 1 }))?.versionArray, [7, 0, 0, 0]);
    });
  });

  it("authenticates over OP_QUERY, as mongod 7.0 still allows saslStart and saslContinue there", async () => {
    await withClient(async (client) => {
      const done = await scramAuth(client, { ...ALICE, opQuery: true });
      assert.deepEqual([done?.ok, done?.done], [1, true]);
      refused(await client.query("admin.$cmd", saslStart({ $db: undefined, x: 1 })), 40415, "Location40415");
    });
  });

  it("answers a query on a collection with QueryFailure and 5739101", async () => {
    await withClient(async (client) => {
      const reply = await client.query("app.things", { find: 1 });
      assert.equal(reply?.code, 5739101);
      assert.equal(client.lastReplyFlags & 2, 2);
    });
  });
});

describe("mechanisms on the wrong database (sasl_mechanism_registry.cpp): 334 before the conversation", () => {
  it("refuses SCRAM on $external, PLAIN on admin, MONGODB-X509 over SASL, and first an unknown or disabled mechanism (counters.cpp)", async () => {
    await withClient(async (client, server) => {
      const unsupported = (mechanism: string, db: string) =>
        `Unsupported mechanism '${mechanism}' on authentication database '${db}'`;
      // AuthCounter::getMechanismCounter, run before the registry: only enabled mechanisms are counted.
      const notEnabled = (mechanism: string) =>
        `Received authentication for mechanism ${mechanism} which is not enabled`;
      const cases = [
        ["SCRAM-SHA-256", "$external", unsupported],
        ["SCRAM-SHA-1", "$external", unsupported],
        ["PLAIN", "admin", unsupported],
        ["MONGODB-X509", "$external", unsupported], // 7.0 speaks it over `authenticate` only
        ["MONGODB-AWS", "$external", notEnabled], // no `aws` section: not enabled
        ["MONGODB-AWS", "admin", notEnabled], // not enabled comes before the database's list
        ["SCRAM-SHA-512", "admin", notEnabled],
      ] as const;
      for (const [mechanism, db, errmsg] of cases) {
        const reply = await client.msg(saslStart({ mechanism, $db: db }));
        refused(reply, 334, "MechanismUnavailable");
        assert.equal(reply?.errmsg, errmsg(mechanism, db));
        // No conversation was started.
        await refusedWithoutSession(client, db);
      }
      assert.equal(server.stats.authFailures, 0);
    });
  });

  it("still runs PLAIN on $external", async () => {
    await withClient(async (client) => {
      const reply = await client.msg({
        saslStart: 1,
        mechanism: "PLAIN",
        payload: new Binary(Buffer.from("\0ldap-bob\0bob-pw")),
        autoAuthorize: 1,
        $db: "$external",
      });
      assert.deepEqual([reply?.ok, reply?.done], [1, true]);
    });
  });

  it("reads a PLAIN message as mongod does: the password ends at a NUL, so clients must not send one", async () => {
    await withClient(async (client, server) => {
      const plain = (message: string) =>
        client.msg({
          saslStart: 1,
          mechanism: "PLAIN",
          payload: new Binary(Buffer.from(message)),
          autoAuthorize: 1,
          $db: "$external",
        });
      // mongod checks "bob-pw": a password given as "bob-pw\0anything" would pass for it.
      assert.deepEqual([(await plain("\0ldap-bob\0bob-pw\0anything"))?.done], [true]);
      assert.deepEqual([(await plain("ldap-bob\0ldap-bob\0bob-pw"))?.done], [true]);
      for (
        const message of ["ldap-bob", "\0ldap-bob", "\0\0bob-pw", "\0ldap-bob\0", "\0ldap-bob\0\0bob-pw"]
      ) {
        refused(await plain(message), 18, "AuthenticationFailed");
      }
      refused(await plain("ldap-eve\0ldap-bob\0bob-pw"), 18, "AuthenticationFailed");
      assert.equal(server.stats.authFailures, 6);
    });
  });

  it("lists only the database's mechanisms in saslSupportedMechs", async () => {
    await withClient(async (client) => {
      const admin = await client.msg({ hello: 1, saslSupportedMechs: "admin.alice", $db: "admin" });
      assert.deepEqual(admin?.saslSupportedMechs, ["SCRAM-SHA-1", "SCRAM-SHA-256"]);
      const external = await client.msg({ hello: 1, saslSupportedMechs: "$external.ldap-bob", $db: "admin" });
      assert.deepEqual(external?.saslSupportedMechs, ["PLAIN"]);
    });
  });
});

describe("SCRAM ClientProof (sasl_scram_server_conversation.cpp _secondStep, crypto/mechanism_scram.h): thrown, not 18", () => {
  /** saslStart as alice, then a client-final message whose p= is `proof` (the rest right). */
  async function finalWithProof(client: RawClient, mechanism: string, proof: string) {
    const start = await client.msg(saslStart({ mechanism }));
    const serverFirst = Buffer.from((start?.payload as Binary).value()).toString();
    const nonce = /^r=([^,]+),/.exec(serverFirst)![1];
    const final = new Binary(Buffer.from(`c=biws,r=${nonce},p=${proof}`));
    return await client.msg({ saslContinue: 1, conversationId: 1, payload: final, $db: "admin" });
  }

  it("refuses a proof that is valid base64 but not one hash long with 16 InvalidLength (HashBlock::fromBuffer)", async () => {
    await withClient(async (client, server) => {
      const cases = [
        ["SCRAM-SHA-256", "AAAA", "Unsupported SHA256Block hash length: 3"],
        ["SCRAM-SHA-256", Buffer.alloc(20).toString("base64"), "Unsupported SHA256Block hash length: 20"],
        ["SCRAM-SHA-1", "AAAA", "Unsupported SHA1Block hash length: 3"],
        ["SCRAM-SHA-1", Buffer.alloc(32).toString("base64"), "Unsupported SHA1Block hash length: 32"],
      ];
      for (const [mechanism, proof, errmsg] of cases) {
        refused(await finalWithProof(client, mechanism, proof), 16, "InvalidLength");
        assert.equal((await finalWithProof(client, mechanism, proof))?.errmsg, errmsg);
      }
      // The step failed: the session is gone, as after any failure.
      await refusedWithoutSession(client, "admin");
      assert.equal(server.stats.authSuccesses, 0);
    });
  });

  it("refuses a proof that is no base64 with base64::decode's 10270 (length) or 40537 (character)", async () => {
    await withClient(async (client) => {
      const cases = [
        ["abcde", 10270, "invalid base64"],
        ["AAAAA=", 10270, "invalid base64"],
        ["!!!!", 40537, "Invalid base64 character"],
        ["ab=c", 40537, "Invalid base64 character"],
        ["A===", 40537, "Invalid base64 character"],
      ] as const;
      for (const mechanism of ["SCRAM-SHA-256", "SCRAM-SHA-1"]) {
        for (const [proof, code, errmsg] of cases) {
          const reply = await finalWithProof(client, mechanism, proof);
          refused(reply, code, `Location${code}`);
          assert.equal(reply?.errmsg, errmsg, proof);
        }
      }
    });
  });

  it("still answers 18 for a proof of the right length that is wrong, non-zero padding bits included", async () => {
    await withClient(async (client) => {
      const wrong = Buffer.alloc(32).toString("base64"); // ends in "A=": its unused bits are zero
      refused(await finalWithProof(client, "SCRAM-SHA-256", wrong), 18, "AuthenticationFailed");
      // mongod ignores the unused bits, so "B=" decodes as "A=" does: a wrong proof, not a base64 error.
      const loose = `${wrong.slice(0, -2)}B=`;
      refused(await finalWithProof(client, "SCRAM-SHA-256", loose), 18, "AuthenticationFailed");
    });
  });
});

describe("one user per connection (authorization_session_impl.cpp addAndAuthorizeUser)", () => {
  const STRICT = { apiVersion: "1", apiStrict: true };

  it("refuses to authenticate the same user again under apiStrict: true with 5626703", async () => {
    await withClient(async (client, server) => {
      assert.equal(
        (await scramAuth(client, { ...ALICE, startArguments: STRICT, continueArguments: STRICT }))?.done,
        true,
      );
      const again = await scramAuth(client, { ...ALICE, startArguments: STRICT, continueArguments: STRICT });
      refused(again, 5626703, "Location5626703", /^Each client connection may only be authenticated once$/);
      // The user authenticated before is still authenticated.
      const status = await client.msg({ connectionStatus: 1, $db: "admin" });
      assert.deepEqual(
        (status?.authInfo as Document).authenticatedUsers,
        [{ user: "alice", db: "admin" }],
      );
      assert.equal(server.stats.authSuccesses, 1);
    });
  });

  it("reads apiStrict from the command that completes the authentication, not the saslStart", async () => {
    await withClient(async (client) => {
      assert.equal((await scramAuth(client, ALICE))?.done, true);
      // skipEmptyExchange: the saslContinue completes it.
      assert.equal((await scramAuth(client, { ...ALICE, startArguments: STRICT }))?.done, true);
      assert.equal(
        (await scramAuth(client, { ...ALICE, continueArguments: { apiVersion: "1", apiStrict: false } }))
          ?.done,
        true,
      );
      refused(await scramAuth(client, { ...ALICE, continueArguments: STRICT }), 5626703, "Location5626703");
    });
  });
});

describe("speculative saslStart (hello_auth.cpp, doSpeculativeSaslStart): what mongod would refuse is dropped", () => {
  const hello = (speculativeAuthenticate: Document) => ({ hello: 1, speculativeAuthenticate, $db: "admin" });
  const speculative = { saslStart: 1, mechanism: "SCRAM-SHA-256", payload: SCRAM_FIRST, db: "admin" };

  it("answers a good one", async () => {
    await withClient(async (client) => {
      assert.equal((await client.msg(hello(speculative)))?.speculativeAuthenticate !== undefined, true);
    });
  });

  it("drops an unknown field, a wrong type, a missing payload, bad base64, $db beside db, a wrong database, PLAIN", async () => {
    await withClient(async (client, server) => {
      const bad: Document[] = [
        { ...speculative, bogus: 1 },
        { ...speculative, mechanism: 1 },
        withoutUndefined({ ...speculative, payload: undefined }),
        { ...speculative, payload: "abc" },
        { ...speculative, payload: new UUID() },
        { ...speculative, $db: "admin" },
        { ...speculative, db: 7 },
        { ...speculative, db: "$external" },
        {
          ...speculative,
          mechanism: "PLAIN",
          db: "$external",
          payload: new Binary(Buffer.from("\0ldap-bob\0bob-pw")),
        },
        { ...speculative, mechanism: "SCRAM-SHA-512" },
        { ...speculative, options: { skipEmptyExchange: "yes" } },
      ];
      for (const attempt of bad) {
        const reply = await client.msg(hello(attempt));
        assert.equal(reply?.ok, 1, JSON.stringify(attempt));
        assert.equal("speculativeAuthenticate" in (reply ?? {}), false, JSON.stringify(attempt));
        // The session went with it: there is nothing to continue.
        refused(
          await client.msg({ saslContinue: 1, conversationId: 1, payload: new Binary(), $db: "admin" }),
          17,
          "ProtocolError",
        );
      }
      assert.equal(server.stats.authSuccesses, 0);
    });
  });

  it("still refuses a speculativeAuthenticate that names no command (2) or another command (51769)", async () => {
    await withClient(async (client) => {
      refused(
        await client.msg(hello({})),
        2,
        "BadValue",
        /^hello.speculativeAuthenticate must be a non-empty Object$/,
      );
      refused(await client.msg(hello({ find: "x" })), 51769, "Location51769");
    });
  });
});

describe("MONGODB-X509 (authentication_commands.cpp, 7.0)", () => {
  const pki = (name: string) => readFileSync(fixturePath(`pki/${name}`));
  const SUBJECT = "CN=client,OU=apps,O=Example,L=City,ST=State,C=US";

  async function withTlsClient(fn: (client: RawClient) => Promise<void>): Promise<void> {
    const path = (name: string) => fixturePath(`pki/${name}`);
    const server = await startServer({
      tls: { cert: path("server-cert.pem"), key: path("server-key.pem"), ca: path("ca.pem") },
      users: [{ db: "$external", user: SUBJECT, mechanisms: ["MONGODB-X509"] }],
    });
    const client = await RawClient.openTls(server.port, {
      ca: pki("ca.pem"),
      cert: pki("client.pem"),
      key: pki("client.pem"),
      servername: "localhost",
    });
    try {
      await fn(client);
    } finally {
      client.close();
      await server.close();
    }
  }

  it("answers authenticate on a database other than $external with 17 ProtocolError, not 18", async () => {
    await withTlsClient(async (client) => {
      refused(
        await client.msg({ authenticate: 1, mechanism: "MONGODB-X509", $db: "admin" }),
        17,
        "ProtocolError",
        /^X.509 authentication must always use the \$external database.$/,
      );
      const ok = await client.msg({ authenticate: 1, mechanism: "MONGODB-X509", $db: "$external" });
      assert.deepEqual([ok?.ok, ok?.user, ok?.dbname], [1, SUBJECT, "$external"]);
    });
  });

  it("answers a good speculative authenticate and drops one mongod's IDL would refuse", async () => {
    const hello = (speculativeAuthenticate: Document) => ({
      hello: 1,
      speculativeAuthenticate,
      $db: "admin",
    });
    await withTlsClient(async (client) => {
      for (
        const attempt of [
          { authenticate: 1, mechanism: "MONGODB-X509", x: 1 },
          { authenticate: 1, mechanism: 5 },
          { authenticate: 1, mechanism: "MONGODB-X509", user: 1 },
          { authenticate: 1, mechanism: "MONGODB-X509", db: "admin" },
        ]
      ) {
        const reply = await client.msg(hello(attempt));
        assert.equal(reply?.ok, 1);
        assert.equal("speculativeAuthenticate" in (reply ?? {}), false, JSON.stringify(attempt));
      }
      const good = await client.msg(hello({ authenticate: 1, mechanism: "MONGODB-X509" }));
      assert.deepEqual(good?.speculativeAuthenticate, { dbname: "$external", user: SUBJECT });
    });
  });

  it("masks authenticating again under apiStrict (5626703) as 18, and drops such a speculative one", async () => {
    await withTlsClient(async (client) => {
      const x509 = { authenticate: 1, mechanism: "MONGODB-X509", $db: "$external" };
      const strict = { apiVersion: "1", apiStrict: true };
      assert.equal((await client.msg(x509))?.ok, 1);
      assert.equal((await client.msg({ ...x509, apiVersion: "1", apiStrict: false }))?.ok, 1);
      refused(await client.msg({ ...x509, ...strict }), 18, "AuthenticationFailed");
      // In hello, hello's own apiStrict counts (APIParameters are the command's).
      const speculative = { authenticate: 1, mechanism: "MONGODB-X509" };
      const dropped = await client.msg({
        hello: 1,
        speculativeAuthenticate: speculative,
        ...strict,
        $db: "admin",
      });
      assert.equal(dropped?.ok, 1);
      assert.equal("speculativeAuthenticate" in (dropped ?? {}), false);
      const kept = await client.msg({
        hello: 1,
        speculativeAuthenticate: { ...speculative, ...strict },
        $db: "admin",
      });
      assert.deepEqual(kept?.speculativeAuthenticate, { dbname: "$external", user: SUBJECT });
    });
  });
});

describe("generic arguments (api_parameters.cpp, service_entry_point_common.cpp, max_time_ms_parser.cpp)", () => {
  it('wants apiVersion "1" (322), as a string (14), before apiStrict or apiDeprecationErrors (4886600)', async () => {
    await withClient(async (client) => {
      refused(await client.msg({ ping: 1, apiVersion: "2", $db: "admin" }), 322, "APIVersionError");
      refused(await client.msg({ ping: 1, apiVersion: 1, $db: "admin" }), 14, "TypeMismatch");
      refused(await client.msg({ ping: 1, apiVersion: "1", apiStrict: 1, $db: "admin" }), 14, "TypeMismatch");
      // mongod's words, whichever of the two is given (an apiStrict: false counts: it is given).
      const without = /^Provided apiStrict and\/or apiDeprecationErrors without passing apiVersion$/;
      refused(
        await client.msg({ ping: 1, apiStrict: false, $db: "admin" }),
        4886600,
        "Location4886600",
        without,
      );
      refused(
        await client.msg({ ping: 1, apiDeprecationErrors: true, $db: "admin" }),
        4886600,
        "Location4886600",
        without,
      );
      assert.equal((await client.msg({ hello: 1, apiVersion: "1", apiStrict: true, $db: "admin" }))?.ok, 1);
    });
  });

  it("refuses a command outside API version 1 under apiStrict with 323", async () => {
    await withClient(async (client) => {
      for (const command of [{ isMaster: 1 }, { buildInfo: 1 }, { connectionStatus: 1 }]) {
        refused(
          await client.msg({ ...command, apiVersion: "1", apiStrict: true, $db: "admin" }),
          323,
          "APIStrictError",
          new RegExp(
            `^Provided apiStrict:true, but the command ${
              Object.keys(command)[0]
            } is not in API Version 1\\. ` +
              "Information on supported commands and migrations in API Version 1 can be found at " +
              "https://dochub\\.mongodb\\.org/core/manual-versioned-api$",
          ),
        );
      }
    });
  });

  it("requireApiVersion: every command without apiVersion is refused with 498870, hello included", async () => {
    await withRawClient({ ...CONFIG, requireApiVersion: true }, async (client) => {
      const required =
        /^The apiVersion parameter is required, please configure your MongoClient's API version$/;
      for (const command of [{ hello: 1 }, { isMaster: 1 }, { ping: 1 }, saslStart()]) {
        refused(await client.msg({ ...command, $db: "admin" }), 498870, "Location498870", required);
      }
      assert.equal((await client.msg({ hello: 1, apiVersion: "1", $db: "admin" }))?.ok, 1);
      assert.equal((await client.msg({ ping: 1, apiVersion: "1", apiStrict: false, $db: "admin" }))?.ok, 1);
      // The checks that come first in mongod: the API parameters themselves, then authentication.
      refused(await client.msg({ ping: 1, apiStrict: true, $db: "admin" }), 4886600, "Location4886600");
      refused(await client.msg({ ping: 1, apiVersion: "2", $db: "admin" }), 322, "APIVersionError");
      refused(await client.msg({ connectionStatus: 1, $db: "admin" }), 498870, "Location498870");
      refused(await client.msg({ find: "c", $db: "test" }), 13, "Unauthorized");
    });
  });

  it("refuses writeConcern on a command that takes none with 72", async () => {
    await withClient(async (client) => {
      refused(await client.msg(saslStart({ writeConcern: { w: 1 } })), 72, "InvalidOptions");
      refused(await client.msg({ hello: 1, writeConcern: { w: 1 }, $db: "admin" }), 72, "InvalidOptions");
    });
  });

  it("wants maxTimeMS a whole number of milliseconds from 0 to 2^31 - 1 (2)", async () => {
    await withClient(async (client) => {
      for (const maxTimeMS of ["100", -1, 1.5, 2 ** 31, null]) {
        refused(await client.msg({ ping: 1, maxTimeMS, $db: "admin" }), 2, "BadValue", /maxTimeMS/);
      }
      assert.equal((await client.msg({ ping: 1, maxTimeMS: new Long(100), $db: "admin" }))?.ok, 1);
    });
  });
});

describe("database names (NamespaceString::validDBName)", () => {
  it('refuses an empty $db, one of 64 bytes or more, or one with . / \\ space " NUL, with 73', async () => {
    await withClient(async (client) => {
      for (const db of ["", "a.b", "a/b", "a\\b", "a b", 'a"b', "a\0b", "d".repeat(64)]) {
        refused(await client.msg({ ping: 1, $db: db }), 73, "InvalidNamespace", /^Invalid database name/);
      }
      assert.equal((await client.msg({ ping: 1, $db: "d".repeat(63) }))?.ok, 1);
      assert.equal((await client.msg({ ping: 1, $db: "$external" }))?.ok, 1);
      refused(await client.query("a b.$cmd", { isMaster: 1 }), 73, "InvalidNamespace");
    });
  });

  it("drops a speculative saslStart whose db is no database name", async () => {
    await withClient(async (client) => {
      const speculativeAuthenticate = {
        saslStart: 1,
        mechanism: "SCRAM-SHA-256",
        payload: SCRAM_FIRST,
        db: "ad.min",
      };
      const reply = await client.msg({ hello: 1, speculativeAuthenticate, $db: "admin" });
      assert.equal(reply?.ok, 1);
      assert.equal("speculativeAuthenticate" in (reply ?? {}), false);
    });
  });
});

describe("authentication sessions (authentication_session.cpp)", () => {
  it("answers saslContinue after saslSupportedMechs alone with 17 'saslContinue must follow saslStart'", async () => {
    await withClient(async (client) => {
      await client.msg({ hello: 1, saslSupportedMechs: "admin.alice", $db: "admin" });
      refused(
        await client.msg({ saslContinue: 1, conversationId: 1, payload: new Binary(), $db: "admin" }),
        17,
        "ProtocolError",
        /^saslContinue must follow saslStart$/,
      );
    });
  });
});

describe("the other commands the server implements", () => {
  const authenticated = async (fn: (client: RawClient) => Promise<void>) =>
    await withClient(async (client) => {
      assert.equal((await scramAuth(client, ALICE))?.done, true);
      await fn(client);
    });

  it("connectionStatus (connection_status.idl): strict, showPrivileges a safeBool", async () => {
    await withClient(async (client) => {
      refused(await client.msg({ connectionStatus: 1, verbose: true, $db: "admin" }), 40415, "Location40415");
      refused(
        await client.msg({ connectionStatus: 1, showPrivileges: "yes", $db: "admin" }),
        14,
        "TypeMismatch",
      );
      assert.equal((await client.msg({ connectionStatus: 1, showPrivileges: false, $db: "admin" }))?.ok, 1);
    });
  });

  it("logout takes no fields; authentication is checked before the parse", async () => {
    await withClient(async (client) => {
      refused(await client.msg({ logout: 1, x: 1, $db: "admin" }), 13, "Unauthorized");
    });
    await authenticated(async (client) => {
      refused(await client.msg({ logout: 1, x: 1, $db: "admin" }), 40415, "Location40415");
    });
  });

  it("endSessions: an array of { id: UUID }", async () => {
    await authenticated(async (client) => {
      assert.equal((await client.msg({ endSessions: [{ id: new UUID() }], $db: "admin" }))?.ok, 1);
      refused(await client.msg({ endSessions: { id: new UUID() }, $db: "admin" }), 14, "TypeMismatch");
      refused(await client.msg({ endSessions: [{ id: "x" }], $db: "admin" }), 14, "TypeMismatch");
      refused(
        await client.msg({ endSessions: [{ id: new Binary(Buffer.alloc(16)) }], $db: "admin" }),
        14,
        "TypeMismatch",
      );
      refused(
        await client.msg({ endSessions: [{ id: new UUID(), x: 1 }], $db: "admin" }),
        40415,
        "Location40415",
      );
      refused(await client.msg({ endSessions: [{}], $db: "admin" }), 40414, "Location40414");
      // The command itself is not strict (sessions_commands.idl), its sessions are.
      assert.equal((await client.msg({ endSessions: [], x: 1, $db: "admin" }))?.ok, 1);
    });
  });

  it("find, insert and drop: strict IDL, a collection name (73)", async () => {
    await authenticated(async (client) => {
      refused(await client.msg({ find: "c", filterr: {}, $db: "app" }), 40415, "Location40415");
      refused(await client.msg({ find: "c", filter: 1, $db: "app" }), 14, "TypeMismatch");
      refused(await client.msg({ find: 1, $db: "app" }), 73, "InvalidNamespace");
      refused(await client.msg({ insert: "c", $db: "app" }), 40414, "Location40414");
      refused(await client.msg({ insert: "c", documents: [1], $db: "app" }), 14, "TypeMismatch");
      refused(await client.msg({ insert: "c", documents: [{}], ordered: 1, $db: "app" }), 14, "TypeMismatch");
      refused(await client.msg({ drop: "c", x: 1, $db: "app" }), 40415, "Location40415");
      assert.equal(
        (await client.msg({ insert: "c", documents: [{ a: 1 }], ordered: true, $db: "app" }))?.n,
        1,
      );
    });
  });

  it("find, insert and drop on a database the user has no role on: 13 Unauthorized, after the IDL and namespace checks", async () => {
    await authenticated(async (client) => {
      const unauthorized =
        /^not authorized on other to execute command \{ (find|insert|drop): "c", \$db: "other" \}$/;
      for (const cmd of [{ find: "c" }, { insert: "c", documents: [{}] }, { drop: "c" }]) {
        refused(await client.msg({ ...cmd, $db: "other" }), 13, "Unauthorized", unauthorized);
      }
      // mongod parses the command (its IDL, its namespace) before it looks at the user's privileges.
      refused(await client.msg({ find: "c", filterr: {}, $db: "other" }), 40415, "Location40415");
      refused(await client.msg({ find: 1, $db: "other" }), 73, "InvalidNamespace");
      assert.equal((await client.msg({ find: "c", $db: "app" }))?.ok, 1, "readWrite on app");
    });
  });

  it("configureFailPoint: mode required (20) and of a known kind (2), times a number (14)", async () => {
    await authenticated(async (client) => {
      const data = { failCommands: ["ping"] };
      refused(
        await client.msg({ configureFailPoint: "failCommand", data, $db: "admin" }),
        20,
        "IllegalOperation",
      );
      refused(
        await client.msg({ configureFailPoint: "failCommand", mode: "sometimes", data, $db: "admin" }),
        2,
        "BadValue",
      );
      refused(
        await client.msg({ configureFailPoint: "failCommand", mode: 1, data, $db: "admin" }),
        14,
        "TypeMismatch",
      );
      refused(
        await client.msg({ configureFailPoint: "failCommand", mode: { times: "2" }, data, $db: "admin" }),
        14,
        "TypeMismatch",
      );
      refused(
        await client.msg({ configureFailPoint: "failCommand", mode: { times: -1 }, data, $db: "admin" }),
        2,
        "BadValue",
      );
      assert.equal(
        (await client.msg({
          configureFailPoint: "failCommand",
          mode: { times: new Int32(1) },
          data,
          $db: "admin",
        }))?.ok,
        1,
      );
    });
  });
});
