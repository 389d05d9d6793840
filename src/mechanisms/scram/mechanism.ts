/**
 * SCRAM-SHA-1 and SCRAM-SHA-256 over saslStart/saslContinue, speculative in hello, with
 * `skipEmptyExchange` so a conversation takes 2 round trips including hello.
 *
 * @module
 */
import { MongoAuthError, MongoServerError } from "../../core/errors.ts";
import type { MongoCredential } from "../../credential/mongo-credential.ts";
import { ScramClient, scramPassword } from "./client.ts";
import { binaryText } from "../../wire/binary.ts";
import type { AuthContext, Authenticator, Mechanism } from "../../auth/mechanism.ts";
import type { CommandRunner, Document } from "../../wire/command.ts";

const encoder = new TextEncoder();

function scramMechanism(name: "SCRAM-SHA-1" | "SCRAM-SHA-256", hash: "SHA-1" | "SHA-256"): Mechanism {
  return {
    name,
    create(context: AuthContext): Authenticator {
      // The credential's rules (credential/scram.ts) require both.
      const { username, password, source } = context.credential as Required<MongoCredential>;
      const client = new ScramClient({
        hash,
        username,
        // Prepared once the key is needed, not now: while negotiating, this may be the SCRAM-SHA-256
        // guess for a SCRAM-SHA-1 user, whose password SASLprep may refuse (SCRAM-SHA-1 never SASLpreps).
        password: () => scramPassword(hash, username, password),
        cache: context.cache.scramKeys,
        maxIterations: context.maxScramIterations,
      });
      // One client-first per conversation: when the server ignores the speculative one (before 4.4, or
      // it dropped the attempt), saslStart sends the same message again, as the auth spec allows.
      let clientFirst: string | undefined;
      const saslStart = (): Document => ({
        saslStart: 1,
        mechanism: name,
        payload: encoder.encode(clientFirst ??= client.clientFirstMessage()),
        autoAuthorize: 1,
        options: { skipEmptyExchange: true },
      });
      return {
        // Object.assign, not a spread followed by a key (slow on Node.js 20; see WireConnection.command).
        speculativeCommand: () => Promise.resolve(Object.assign(saslStart(), { db: source })),
        async finish(runner: CommandRunner, speculativeReply: Document | undefined): Promise<void> {
          const first = speculativeReply ?? await runner.command(source, saslStart());
          let clientFinal: string;
          try {
            clientFinal = await client.clientFinalMessage(binaryText(first.payload));
          } catch (err) {
            throw inConversation(err, name, username, context.host);
          }
          let reply = await runner.command(source, {
            saslContinue: 1,
            conversationId: first.conversationId,
            payload: encoder.encode(clientFinal),
          });
          try {
            await client.verifyServerFinalMessage(binaryText(reply.payload));
          } catch (err) {
            throw inConversation(err, name, username, context.host);
          }
          // A server that ignores skipEmptyExchange wants one empty step more (and only one).
          if (!reply.done) {
            reply = await runner.command(source, {
              saslContinue: 1,
              conversationId: first.conversationId,
              payload: new Uint8Array(0),
            });
            if (!reply.done) {
              throw new MongoAuthError("PROTOCOL_ERROR", `${name} conversation did not complete`);
            }
          }
        },
      };
    },
  };
}

// What the server's messages broke is said with who was talking to whom: the server (the client cannot know
// it), and the mechanism and user, which the client's own words name only for a refused iteration count. A
// server's error reply or the connection's own failure, already its own story, passes as it is.
function inConversation(
  err: unknown,
  mechanism: string,
  username: string,
  host: string | undefined,
): unknown {
  if (!(err instanceof MongoAuthError) || err instanceof MongoServerError) return err;
  if (err.code !== "PROTOCOL_ERROR" && !err.code.startsWith("SCRAM_")) return err;
  const where = host ? `server ${host}: ` : "";
  const who = err.code === "SCRAM_ITERATIONS_TOO_HIGH"
    ? ""
    : `${mechanism} for user ${JSON.stringify(username)}: `;
  return new MongoAuthError(err.code, `${where}${who}${err.message}`, { cause: err });
}

/**
 * SCRAM-SHA-256 (RFC 7677): the default mechanism of MongoDB 4.0+.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scramSha256 } from "./mechanism.ts";
 * assert.equal(scramSha256.name, "SCRAM-SHA-256");
 * ```
 */
export const scramSha256: Mechanism = scramMechanism("SCRAM-SHA-256", "SHA-256");

/**
 * SCRAM-SHA-1 (RFC 5802) with MongoDB's password digest.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scramSha1 } from "./mechanism.ts";
 * assert.equal(scramSha1.name, "SCRAM-SHA-1");
 * ```
 */
export const scramSha1: Mechanism = scramMechanism("SCRAM-SHA-1", "SHA-1");
