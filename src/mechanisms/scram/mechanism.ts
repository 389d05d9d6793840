/**
 * SCRAM-SHA-1 and SCRAM-SHA-256 over saslStart/saslContinue, speculative in hello, with
 * `skipEmptyExchange` so a conversation takes 2 round trips including hello.
 *
 * @module
 */
import { MongoAuthError } from "../../core/errors.ts";
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
          const clientFinal = await client.clientFinalMessage(binaryText(first.payload)).catch((err) => {
            throw namingHost(err, context.host);
          });
          let reply = await runner.command(source, {
            saslContinue: 1,
            conversationId: first.conversationId,
            payload: encoder.encode(clientFinal),
          });
          await client.verifyServerFinalMessage(binaryText(reply.payload));
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

// The client cannot know the host; the message of a refused iteration count should name it.
function namingHost(err: unknown, host: string | undefined): unknown {
  if (!(err instanceof MongoAuthError) || err.code !== "SCRAM_ITERATIONS_TOO_HIGH" || !host) return err;
  return new MongoAuthError(err.code, `server ${host}: ${err.message}`);
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
