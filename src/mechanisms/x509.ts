/**
 * MONGODB-X509: the TLS client certificate is the credential; one `authenticate` command, sent
 * speculatively inside hello, so authentication completes in the hello round trip.
 *
 * @module
 */
import { MongoAuthError, MongoServerError } from "../core/errors.ts";
import type { AuthContext, Authenticator, Mechanism } from "../auth/mechanism.ts";
import type { CommandRunner, Document } from "../wire/command.ts";

/**
 * MONGODB-X509. The username is optional: the server takes it from the certificate's subject.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mongodbX509 } from "./x509.ts";
 * assert.equal(mongodbX509.name, "MONGODB-X509");
 * ```
 */
export const mongodbX509: Mechanism = {
  name: "MONGODB-X509",
  create(context: AuthContext): Authenticator {
    const { username } = context.credential;
    const command: Document = { authenticate: 1, mechanism: "MONGODB-X509" };
    if (username !== undefined) command.user = username;
    return {
      // Object.assign, not a spread followed by a key (slow on Node.js 20; see WireConnection.command).
      speculativeCommand: () => Promise.resolve(Object.assign({}, command, { db: "$external" })),
      async finish(runner: CommandRunner, speculativeReply: Document | undefined): Promise<void> {
        if (speculativeReply) {
          if (typeof speculativeReply.user !== "string") {
            throw new MongoAuthError("PROTOCOL_ERROR", "server's speculative X509 reply names no user");
          }
          return;
        }
        try {
          await runner.command("$external", command);
        } catch (err) {
          // mongod answers 11 UserNotFound (not 18) when no $external user has the certificate's subject.
          if (!(err instanceof MongoServerError) || err.serverCode !== 11) throw err;
          throw unknownSubject(username, err);
        }
      },
    };
  },
};

// Worded as connect() words the other refusals (who, where, with which mechanism, the server's code, what to
// check), keeping mongod's message, which names the subject.
function unknownSubject(username: string | undefined, cause: MongoServerError): MongoAuthError {
  const who = username === undefined ? "the client certificate" : `user ${JSON.stringify(username)}`;
  const server = `server error 11 ${cause.codeName || "UserNotFound"}: ${cause.errmsg}`;
  return new MongoAuthError(
    "AUTHENTICATION_FAILED",
    `the server refused ${who} on database "$external" with MONGODB-X509 (${server}): create that user in ` +
      "$external, named exactly as the certificate's subject",
    { cause },
  );
}
