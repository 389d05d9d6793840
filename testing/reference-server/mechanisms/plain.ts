// PLAIN (RFC 4616) as mongod Enterprise speaks it: only for users in $external, whose password lives
// in an external directory (LDAP via saslauthd). Here the "directory" is the config's `password` of a
// $external user with mechanisms ["PLAIN"]; the server keeps only a salted PBKDF2 hash of it, like a
// directory would, and compares in constant time.
import { pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";
import { AuthFailure } from "../errors.ts";
import type { SaslConversation, SaslMechanismServer, ServerAuthContext } from "../sasl.ts";
import type { UserConfig } from "../config.ts";

interface DirectoryEntry {
  salt: Buffer;
  hash: Buffer;
}

const ITERATIONS = 10_000;

function hashOf(password: string, salt: Buffer): Buffer {
  return pbkdf2Sync(password, salt, ITERATIONS, 32, "sha256");
}

export function plainMechanism(): SaslMechanismServer {
  return {
    name: "PLAIN",
    plaintext: true,
    external: true,
    storeCredential(user: UserConfig): DirectoryEntry {
      if (user.db !== "$external") throw new TypeError(`PLAIN user ${user.user} must be in $external`);
      if (typeof user.password !== "string") throw new TypeError(`PLAIN user ${user.user} needs a password`);
      const salt = randomBytes(16);
      return { salt, hash: hashOf(user.password, salt) };
    },
    start(ctx: ServerAuthContext): SaslConversation {
      return {
        step(payload: Uint8Array) {
          const parts = new TextDecoder("utf-8", { fatal: true }).decode(payload).split("\0");
          if (parts.length !== 3) throw new AuthFailure("PLAIN: malformed payload");
          const [authzid, authcid, password] = parts;
          if (authzid !== "" && authzid !== authcid) {
            throw new AuthFailure("PLAIN: authzid differs from authcid");
          }
          const user = ctx.findUser(authcid, "$external");
          const entry = user?.credentials.get("PLAIN") as DirectoryEntry | undefined;
          if (!entry) throw new AuthFailure("PLAIN: unknown user");
          if (!timingSafeEqual(hashOf(password, entry.salt), entry.hash)) {
            throw new AuthFailure("PLAIN: wrong password");
          }
          ctx.authenticated(authcid, "$external");
          return Promise.resolve({ payload: new Uint8Array(0), done: true });
        },
      };
    },
  };
}
