/**
 * MONGODB-AWS (auth spec "MONGODB-AWS"): the client proves it holds AWS credentials by signing an STS
 * `GetCallerIdentity` request that the server then sends to STS itself.
 *
 * 1. `saslStart` on `$external`, payload BSON `{ r: <32 random bytes>, p: 110 }` (no channel binding);
 * 2. the server answers `{ s: <64-byte nonce starting with ours>, h: <STS host> }`;
 * 3. `saslContinue`, payload BSON `{ a: Authorization, d: X-Amz-Date, t?: session token }`.
 *
 * No speculative step. Credentials come from the chain in `credentials/chain.ts`; temporary ones are kept
 * in the client's {@link AuthCache}. A failed authentication clears that cache, and a refusal (server
 * error 18) of cached credentials is retried once with fresh ones.
 *
 * @module
 */
import { Binary, deserialize, serialize } from "bson";
import { resolveAwsCredentials } from "./credentials/chain.ts";
import { AwsCredentialCache } from "./credentials/cache.ts";
import { type AwsCredentials, awsKeysOf, awsProviderOf } from "../../credential/aws.ts";
import { signCallerIdentity } from "./caller-identity.ts";
import { lookUpCallerIdentity, mongodbUserOf } from "./identity.ts";
import { validateStsHost } from "./sts-host.ts";
import { randomBytes } from "../../crypto/random.ts";
import { MongoAuthError, MongoServerError } from "../../core/errors.ts";
import { envScope } from "../../core/runtime-env.ts";
import type { AuthContext, Authenticator, Mechanism } from "../../auth/mechanism.ts";
import type { CommandRunner, Document } from "../../wire/command.ts";
import { binaryBytes, bytesOf } from "../../wire/binary.ts";

/** The key of the client-wide credential cache in {@link AuthCache}. */
const CACHE_KEY = "MONGODB-AWS";
/** ASCII `n`: the client does not support channel binding (the spec's MUST). */
const GS2_CB_FLAG_N = 110;
const CLIENT_NONCE_BYTES = 32;
const SERVER_NONCE_BYTES = 64;

/**
 * The MONGODB-AWS mechanism.
 *
 * @example Drive the conversation over your own command channel
 * ```ts
 * import assert from "node:assert/strict";
 * import { mongodbAws } from "./mechanism.ts";
 *
 * assert.equal(mongodbAws.name, "MONGODB-AWS");
 * ```
 */
export const mongodbAws: Mechanism = {
  name: "MONGODB-AWS",
  minServer: { wireVersion: 9, release: "4.4" },
  create: (context) => new AwsAuthenticator(context),
};

class AwsAuthenticator implements Authenticator {
  readonly #context: AuthContext;

  constructor(context: AuthContext) {
    this.#context = context;
  }

  speculativeCommand(): Promise<Document | undefined> {
    return Promise.resolve(undefined);
  }

  async finish(runner: CommandRunner, _speculativeReply: Document | undefined): Promise<void> {
    const { credential, env, signal, trace } = this.#context;
    // Temporary credentials belong to the env that produced them (its variables, files and fetch): a
    // connection given another env must not reuse them.
    const cache = this.#context.cache.get(`${CACHE_KEY} ${envScope(env)}`, () => new AwsCredentialCache());
    const keys = awsKeysOf(credential);
    const explicit = keys && { credentials: keys, source: "the MongoCredential", temporary: false };
    const provider = awsProviderOf(credential);
    for (let attempt = 0;; attempt++) {
      const found = await resolveAwsCredentials({ env, cache, explicit, provider, signal, trace });
      try {
        await converse(runner, credential.source || "$external", found.credentials, env.now);
        return;
      } catch (err) {
        cache.clear(); // the spec: "If AWS authentication fails for any reason, the cache MUST be cleared."
        const refused = err instanceof MongoServerError && err.code === "AUTHENTICATION_FAILED";
        if (refused && found.fromCache && attempt === 0) continue;
        if (refused && !found.identity) await this.#traceIdentity(found.credentials, found.source);
        throw err;
      }
    }
  }

  // Refused, with credentials whose source did not say whose they are: say what is known, and when the
  // caller asked to explain, ask STS (one bounded request).
  async #traceIdentity(credentials: AwsCredentials, source: string): Promise<void> {
    const { trace, explain, env, signal } = this.#context;
    if (!trace) return;
    if (!explain) {
      trace.emit("aws.identity.unknown", {
        reason:
          `the keys from ${source} do not say whose they are; explain (mongo-auth whoami --explain) asks STS GetCallerIdentity`,
      });
      return;
    }
    const identity = await lookUpCallerIdentity(env, credentials, signal);
    if ("unknown" in identity) trace.emit("aws.identity.unknown", { reason: identity.unknown });
    else trace.emit("aws.identity", { ...identity, user: mongodbUserOf(identity.arn) });
  }
}

async function converse(
  runner: CommandRunner,
  db: string,
  credentials: AwsCredentials,
  now: () => number,
): Promise<void> {
  const clientNonce = randomBytes(CLIENT_NONCE_BYTES);
  const start = await runner.command(db, {
    saslStart: 1,
    mechanism: "MONGODB-AWS",
    payload: new Binary(serialize({ r: new Binary(clientNonce), p: GS2_CB_FLAG_N })),
  });
  const first = serverFirst(binaryBytes(start.payload, "MONGODB-AWS saslStart payload"));
  const serverNonce = checkServerNonce(first.s, clientNonce);
  validateStsHost(first.h);
  const signature = await signCallerIdentity(credentials, first.h, serverNonce, now());
  const reply = await runner.command(db, {
    saslContinue: 1,
    conversationId: start.conversationId,
    payload: new Binary(serialize(signature)),
  });
  if (reply.done !== true) {
    throw new MongoAuthError(
      "PROTOCOL_ERROR",
      "MONGODB-AWS: the server did not finish after the signed request",
    );
  }
}

function serverFirst(bytes: Uint8Array): Document {
  try {
    return deserialize(bytes, { promoteBuffers: false });
  } catch (err) {
    throw new MongoAuthError("PROTOCOL_ERROR", "MONGODB-AWS: the server's saslStart payload is not BSON", {
      cause: err,
    });
  }
}

function checkServerNonce(s: unknown, clientNonce: Uint8Array): Uint8Array {
  const bytes = bytesOf(s);
  if (!bytes || bytes.length !== SERVER_NONCE_BYTES) {
    throw new MongoAuthError("PROTOCOL_ERROR", "MONGODB-AWS: the server nonce is not 64 bytes");
  }
  if (!clientNonce.every((b, i) => bytes[i] === b)) {
    throw new MongoAuthError(
      "PROTOCOL_ERROR",
      "MONGODB-AWS: the server nonce does not start with the client nonce",
    );
  }
  return bytes;
}
