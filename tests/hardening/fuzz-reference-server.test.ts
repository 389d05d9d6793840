// Fuzz: what a hostile or broken client sends the reference server — the commands it serves with fields of
// every type (each command's valid form mutated field by field, and random documents), and SASL payloads
// of every mechanism mutated byte by byte — on an authenticated connection. As with mongod, each must be
// answered (ok: 1, or ok: 0 with a numeric code and a message); the server must never fail inside (it
// logs "internal error" and drops the connection then), and must serve the next connection. The harness
// is the library's (fuzz.ts); configureFailPoint is left out, since a failpoint it turns
// on would fail the cases after it by design.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Binary, Long } from "bson";
import { compressFrame, RawClient, scramAuth } from "../../testing/reference-server/tests/raw-client.ts";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import type { Document } from "../../testing/reference-server/wire.ts";
import {
  failureMessage,
  fuzzCases,
  mutateBytes,
  type Prng,
  randomDoc,
  randomValue,
  runFuzz,
} from "./fuzz.ts";

const ALICE = { hash: "sha256", user: "alice", password: "alice-pw", db: "admin" } as const;

// Each command's valid form; a case replaces, drops or adds fields.
const TEMPLATES: Document[] = [
  { hello: 1, helloOk: true },
  { isMaster: 1 },
  { buildInfo: 1 },
  { ping: 1 },
  { connectionStatus: 1, showPrivileges: true },
  {
    saslStart: 1,
    mechanism: "SCRAM-SHA-256",
    payload: new Binary(new TextEncoder().encode("n,,n=alice,r=abc")),
    options: { skipEmptyExchange: true },
  },
  { saslContinue: 1, conversationId: 1, payload: new Binary(new Uint8Array(0)) },
  { authenticate: 1, mechanism: "MONGODB-X509", user: "CN=client" },
  { endSessions: [{ id: new Binary(new Uint8Array(16), 4) }] },
  {
    find: "c",
    filter: { a: 1 },
    projection: { _id: 0 },
    sort: { a: 1 },
    limit: 1,
    batchSize: 2,
    singleBatch: true,
  },
  { insert: "c", documents: [{ a: 1 }], ordered: true, writeConcern: { w: 1 } },
  { drop: "c", writeConcern: { w: "majority" } },
  { logout: 1 },
  { noSuchCommand: 1 },
];
const MECHANISMS = [
  "SCRAM-SHA-1",
  "SCRAM-SHA-256",
  "MONGODB-AWS",
  "MONGODB-OIDC",
  "MONGODB-X509",
  "PLAIN",
  "GSSAPI",
  "",
];

function mutatedCommand(rng: Prng): Document {
  if (rng.chance(0.15)) {
    // Any document whose first field names a command.
    const name = Object.keys(rng.pick(TEMPLATES))[0];
    return { [name]: randomValue(rng), ...randomDoc(rng) };
  }
  const doc: Document = { ...rng.pick(TEMPLATES) };
  const keys = Object.keys(doc);
  for (let i = 0, n = 1 + rng.int(3); i < n; i++) {
    const key = rng.chance(0.8) ? rng.pick(keys) : rng.pick([
      "$db",
      "lsid",
      "$readPreference",
      "comment",
      "maxTimeMS",
      "apiVersion",
      "apiStrict",
      rng.text(4).replaceAll("\0", ""),
    ]);
    if (rng.chance(0.2) && key !== keys[0]) delete doc[key];
    else doc[key] = rng.chance(0.3) ? new Long(rng.edgeInt()) : randomValue(rng);
  }
  return doc;
}

function saslCommand(rng: Prng): Document {
  const template = rng.pick(TEMPLATES.filter((t) => "saslStart" in t || "saslContinue" in t));
  const payload = (template.payload as Binary).value();
  const bytes = payload.length > 0 && rng.chance(0.6) ? mutateBytes(rng, payload) : rng.bytes(rng.int(200));
  const doc: Document = { ...template, payload: new Binary(bytes) };
  if ("saslStart" in doc) doc.mechanism = rng.pick(MECHANISMS);
  return doc;
}

describe("fuzz: what a client sends the reference server", () => {
  let server: RunningServer;
  let client: RawClient | undefined;
  let internal: unknown[] = [];
  // Every internal error of the run, also one logged after its case stopped waiting.
  const everInternal: unknown[] = [];
  let dropped = false;
  const answers = { ok: 0, refused: 0, dropped: 0 };
  const consoleError = console.error;
  before(async () => {
    server = await startServer({
      users: [{
        db: "admin",
        user: "alice",
        password: "alice-pw",
        mechanisms: ["SCRAM-SHA-256"],
        roles: [{ role: "root", db: "admin" }],
      }],
    });
    console.error = (...args: unknown[]) => void (internal.push(args), everInternal.push(args));
  });
  after(async () => {
    console.error = consoleError;
    client?.close();
    await server.close();
  });

  async function authenticated(fresh: boolean): Promise<RawClient> {
    if (client && !fresh && !dropped) return client;
    dropped = false;
    client?.close();
    client = await RawClient.open(server.port);
    const done = await scramAuth(client, ALICE);
    assert.equal(done?.ok, 1, "the fuzz's own login");
    return client;
  }

  it("commands with fields of every type, and SASL payloads of every mechanism: an answer with a code, never an internal error", async () => {
    const report = await runFuzz("reference server commands", fuzzCases(2000), async (rng, index) => {
      const connection = await authenticated(index % 50 === 0);
      const doc = rng.chance(0.7) ? mutatedCommand(rng) : saslCommand(rng);
      if (!("$db" in doc) || rng.chance(0.9)) {
        doc.$db = rng.pick(["admin", "admin", "test", "$external", "a.b", ""]);
      }
      internal = [];
      const reply = await connection.msg(doc);
      if (internal.length > 0) {
        dropped = true; // the server drops the connection after an internal error
        throw new Error(
          `internal error for ${Object.keys(doc)[0]}: ${String((internal[0] as unknown[])[1])}`,
        );
      }
      if (reply === undefined) {
        // Dropped without an internal error (mongod drops a connection for some errors too): go on with a new one.
        dropped = true;
        answers.dropped++;
        return;
      }
      if (reply.ok === 1) return void answers.ok++;
      answers.refused++;
      if (reply.ok !== 0 || typeof reply.code !== "number" || typeof reply.errmsg !== "string") {
        throw new Error(
          `a reply that is neither ok: 1 nor a coded error: ${JSON.stringify(reply).slice(0, 200)}`,
        );
      }
    }, { caseTimeoutMs: 5_000 });
    assert.equal(report.failures.length, 0, failureMessage(report));
    console.info(`reference server answers: ${JSON.stringify(answers)}`);
    assert.ok(answers.refused > answers.ok / 4, "most mutated commands are refused with a code");
    // The server still serves a new connection.
    const after = await authenticated(true);
    assert.equal((await after.msg({ ping: 1, $db: "admin" }))?.ok, 1);
  });

  it("frames mutated byte by byte (OP_MSG, OP_QUERY, OP_COMPRESSED): an answer or a dropped connection, never an internal error", async () => {
    const outcomes = { answered: 0, dropped: 0, waiting: 0 };
    const report = await runFuzz("reference server frames", fuzzCases(500), async (rng) => {
      const connection = await RawClient.open(server.port);
      try {
        const frames = [
          connection.msgFrame({ hello: 1, helloOk: true, $db: "admin" }),
          connection.msgFrame({
            saslStart: 1,
            mechanism: "SCRAM-SHA-256",
            payload: TEMPLATES[5].payload,
            $db: "admin",
          }, {
            checksum: "valid",
          }),
          connection.queryFrame("admin.$cmd", {
            isMaster: 1,
            client: { driver: { name: "fuzz", version: "1" } },
          }),
        ];
        const frame = rng.pick(frames);
        const sent = mutateBytes(
          rng,
          rng.chance(0.3)
            ? compressFrame(frame, { compressor: rng.pick(["zlib", "snappy"] as const) })
            : frame,
        );
        internal = [];
        // A frame whose length says more than was sent leaves the server waiting for the rest, as mongod does.
        const reply = await Promise.race([
          connection.sendFrame(sent).then((r) => r === undefined ? "dropped" : "answered"),
          new Promise<"waiting">((resolve) => setTimeout(() => resolve("waiting"), 20)),
        ]);
        outcomes[reply]++;
        if (internal.length > 0) throw new Error(`internal error: ${String((internal[0] as unknown[])[1])}`);
      } finally {
        connection.close();
      }
    }, { caseTimeoutMs: 5_000 });
    assert.equal(report.failures.length, 0, failureMessage(report));
    console.info(`reference server frames: ${JSON.stringify(outcomes)}`);
    assert.deepEqual(everInternal, [], "no internal error, however late");
    const after = await authenticated(true);
    assert.equal((await after.msg({ ping: 1, $db: "admin" }))?.ok, 1);
  });
});
