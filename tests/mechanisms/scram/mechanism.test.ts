// The SCRAM mechanisms as connect() drives them (the SCRAM messages themselves are ScramClient's, in
// client.test.ts): the speculative saslStart and its options, the same client-first sent again when the
// server ignored it, saslContinue on the server's conversationId, the one extra empty step a server that
// ignores skipEmptyExchange wants (and no more), the server's signature checked before done, and a refused
// iteration count, and every other fault of the server's messages, naming the host. The server side is played with the reference server's key derivation.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { type Document, MongoAuthError } from "@mongo-auth/core";
import { scramSha1, scramSha256 } from "../../../src/mechanisms/scram/mechanism.ts";
import type { Mechanism } from "../../../src/auth/mechanism.ts";
import {
  deriveScramCredential,
  mongoScramPassword,
  type ScramHash,
} from "../../../testing/reference-server/mechanisms/scram.ts";
import { authContext } from "../../support/auth-context.ts";
import { scriptedRunner } from "../../support/scripted-runner.ts";

const USER = "alice";
const PASSWORD = "alice-pw";
const SALT = new Uint8Array(16).fill(7);
const ITERATIONS = 4096;

const text = (payload: unknown) => new TextDecoder().decode(payload as Uint8Array);
const bytes = (value: string) => new TextEncoder().encode(value);

function authenticator(mechanism: Mechanism, source = "admin") {
  const uri = `mongodb://${USER}:${PASSWORD}@db.test/?authSource=${source}&authMechanism=${mechanism.name}`;
  return mechanism.create(authContext(uri, "db.test"));
}

interface ServerScript {
  /** The iteration count the server asks for. */
  iterations?: number;
  /** How many replies after the server-final one say done: false (a server ignoring skipEmptyExchange). */
  notDoneAfterFinal?: number;
  /** Sends a server signature that does not verify. */
  forgeSignature?: boolean;
}

/** A SCRAM server for USER/PASSWORD, answering saslStart (or the speculative reply) and saslContinue. */
function scramServer(hash: ScramHash, script: ServerScript = {}) {
  const stored = deriveScramCredential(hash, mongoScramPassword(hash, USER, PASSWORD), SALT, ITERATIONS);
  let clientFirstBare = "";
  let serverFirst = "";
  let notDone = script.notDoneAfterFinal ?? 0;
  const first = (clientFirst: string): Document => {
    clientFirstBare = clientFirst.slice(3); // after the gs2 header "n,,"
    const nonce = clientFirstBare.slice(clientFirstBare.indexOf("r=") + 2);
    serverFirst = `r=${nonce}server-part,s=${stored.salt},i=${script.iterations ?? ITERATIONS}`;
    return { ok: 1, conversationId: 7, done: false, payload: bytes(serverFirst) };
  };
  const answer = (_db: string, cmd: Document): Document => {
    if (cmd.saslStart) return first(text(cmd.payload));
    assert.equal(cmd.conversationId, 7, "saslContinue carries the server's conversationId");
    const clientFinal = text(cmd.payload);
    if (clientFinal === "") {
      return { ok: 1, conversationId: 7, done: notDone-- <= 0, payload: new Uint8Array(0) };
    }
    const withoutProof = clientFinal.slice(0, clientFinal.indexOf(",p="));
    const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
    const signature = createHmac(hash, script.forgeSignature ? bytes("forged") : stored.serverKey)
      .update(authMessage).digest("base64");
    return { ok: 1, conversationId: 7, done: notDone-- <= 0, payload: bytes(`v=${signature}`) };
  };
  return { answer, first };
}

for (const [mechanism, hash] of [[scramSha256, "sha256"], [scramSha1, "sha1"]] as const) {
  describe(`${mechanism.name}`, () => {
    it("speculates with saslStart on the credential's source: client-first, autoAuthorize, skipEmptyExchange", async () => {
      const command = (await authenticator(mechanism, "app").speculativeCommand())!;
      assert.deepEqual({ ...command, payload: undefined }, {
        saslStart: 1,
        mechanism: mechanism.name,
        payload: undefined,
        autoAuthorize: 1,
        options: { skipEmptyExchange: true },
        db: "app",
      });
      assert.match(text(command.payload), /^n,,n=alice,r=[A-Za-z0-9+/=]{32}$/);
    });

    it("finishes the speculative conversation: saslContinue only, on the reply's conversationId", async () => {
      const auth = authenticator(mechanism);
      const server = scramServer(hash);
      const speculativeReply = server.first(text((await auth.speculativeCommand())!.payload));
      const runner = scriptedRunner(server.answer);
      await auth.finish(runner, speculativeReply);
      assert.deepEqual(runner.sent.map(({ db, cmd }) => [db, Object.keys(cmd)[0]]), [[
        "admin",
        "saslContinue",
      ]]);
      assert.match(text(runner.sent[0].cmd.payload), /^c=biws,r=.+server-part,p=/);
    });

    it("when the server ignored the speculative step, sends the same client-first in saslStart", async () => {
      const auth = authenticator(mechanism);
      const speculative = (await auth.speculativeCommand())!;
      const runner = scriptedRunner(scramServer(hash).answer);
      await auth.finish(runner, undefined);
      assert.deepEqual(runner.sent.map(({ db, cmd }) => [db, Object.keys(cmd)[0]]), [
        ["admin", "saslStart"],
        ["admin", "saslContinue"],
      ]);
      assert.deepEqual(runner.sent[0].cmd.payload, speculative.payload);
    });
  });
}

describe("SCRAM: the end of the conversation", () => {
  it("a server that ignores skipEmptyExchange gets one empty saslContinue more", async () => {
    const runner = scriptedRunner(scramServer("sha256", { notDoneAfterFinal: 1 }).answer);
    await authenticator(scramSha256).finish(runner, undefined);
    assert.equal(runner.sent.length, 3);
    assert.deepEqual(runner.sent[2].cmd, { saslContinue: 1, conversationId: 7, payload: new Uint8Array(0) });
  });

  it("and only one: still not done after it is PROTOCOL_ERROR naming the mechanism", async () => {
    const runner = scriptedRunner(scramServer("sha256", { notDoneAfterFinal: 2 }).answer);
    await assert.rejects(authenticator(scramSha256).finish(runner, undefined), {
      code: "PROTOCOL_ERROR",
      message: "SCRAM-SHA-256 conversation did not complete",
    });
    assert.equal(runner.sent.length, 3);
  });

  it("checks the server's signature before anything else: a forged one fails, and nothing more is sent", async () => {
    const runner = scriptedRunner(
      scramServer("sha256", { forgeSignature: true, notDoneAfterFinal: 1 }).answer,
    );
    const error = await authenticator(scramSha256).finish(runner, undefined).catch((e) => e);
    assert.ok(error instanceof MongoAuthError, String(error));
    assert.equal(runner.sent.length, 2);
  });

  it("an iteration count over the ceiling is refused before deriving, the message naming the host", async () => {
    const runner = scriptedRunner(scramServer("sha256", { iterations: 2_000_000 }).answer);
    const error = await authenticator(scramSha256).finish(runner, undefined).catch((e) => e);
    assert.equal(error.code, "SCRAM_ITERATIONS_TOO_HIGH");
    assert.match(error.message, /^server db\.test: SCRAM-SHA-256 for user "alice": the server asked for /);
    assert.equal(runner.sent.length, 1, "no saslContinue");
  });

  it("what the server's messages broke is said naming the server, the mechanism and the user", async () => {
    const forged = scriptedRunner(scramServer("sha256", { forgeSignature: true }).answer);
    const tooFew = scriptedRunner(scramServer("sha256", { iterations: 1000 }).answer);
    const noPayload = scriptedRunner(() => ({ ok: 1, conversationId: 7, done: false }));
    for (
      const [runner, code, words] of [
        [forged, "SCRAM_SERVER_SIGNATURE_MISMATCH", "the server's SCRAM signature is wrong"],
        [tooFew, "SCRAM_ITERATIONS_TOO_LOW", "the server asked for 1000 SCRAM iterations"],
        [noPayload, "PROTOCOL_ERROR", "server reply has no binary payload"],
      ] as const
    ) {
      const error = await authenticator(scramSha256).finish(runner, undefined).catch((e) => e);
      assert.equal(error.code, code);
      assert.ok(
        error.message.startsWith(`server db.test: SCRAM-SHA-256 for user "alice": ${words}`),
        error.message,
      );
      assert.equal(error.cause?.code, code, "the client's own error is the cause");
    }
  });
});
