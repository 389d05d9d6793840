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
          const { authzid, authcid, password } = parsePlain(payload);
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

// `[authzid] NUL authcid NUL passwd`, read as mongod reads it (LDAPPLAINServerMechanism::stepImpl): the name
// runs to the second NUL and the password to the third, if any (mongod copies it through c_str()), so a NUL
// in the name or the password shifts or shortens what is checked. Clients must not send one (RFC 4616).
function parsePlain(payload: Uint8Array): { authzid: string; authcid: string; password: string } {
  const text = new TextDecoder("utf-8", { fatal: true }).decode(payload);
  const first = text.indexOf("\0");
  const second = first < 0 ? -1 : text.indexOf("\0", first + 1);
  if (second < 0) throw new AuthFailure("PLAIN: a NUL delimiter is missing");
  const authcid = text.slice(first + 1, second);
  const password = text.slice(second + 1).split("\0", 1)[0];
  if (authcid === "") throw new AuthFailure("PLAIN: empty username");
  if (password === "") throw new AuthFailure("PLAIN: empty password");
  return { authzid: text.slice(0, first), authcid, password };
}
