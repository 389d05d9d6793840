/**
 * PLAIN (RFC 4616), for LDAP proxy authentication: the password travels as is, so only ever over TLS.
 *
 * @module
 */
import { MongoAuthError } from "../core/errors.ts";
import type { MongoCredential } from "../credential/mongo-credential.ts";
import type { AuthContext, Authenticator, Mechanism } from "../auth/mechanism.ts";
import type { CommandRunner } from "../wire/command.ts";

/**
 * PLAIN: one saslStart with `\0username\0password`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { plain } from "./plain.ts";
 * assert.equal(plain.name, "PLAIN");
 * ```
 */
export const plain: Mechanism = {
  name: "PLAIN",
  create(context: AuthContext): Authenticator {
    // The credential's rules (credential/plain.ts) require both.
    const { username, password, source } = context.credential as Required<MongoCredential>;
    return {
      speculativeCommand: () => Promise.resolve(undefined),
      async finish(runner: CommandRunner): Promise<void> {
        const payload = new TextEncoder().encode(`\0${username}\0${password}`);
        const reply = await runner.command(source, {
          saslStart: 1,
          mechanism: "PLAIN",
          payload,
          autoAuthorize: 1,
        });
        if (!reply.done) throw new MongoAuthError("PROTOCOL_ERROR", "PLAIN conversation did not complete");
      },
    };
  },
};
