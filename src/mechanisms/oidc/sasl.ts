/**
 * The MONGODB-OIDC SASL messages: the one-step `{ jwt }` saslStart, the two-step principal request
 * `{ n? }` and its saslContinue, and reading the server's replies.
 *
 * @module
 */
import { Binary, BSON } from "bson";
import { isLoginRefusal, MongoAuthError, MongoServerError } from "../../core/errors.ts";
import type { Document } from "../../wire/command.ts";
import { bytesOf } from "../../wire/binary.ts";

/** The mechanism's name. */
export const MONGODB_OIDC = "MONGODB-OIDC";

function payload(doc: Document): Binary {
  return new Binary(BSON.serialize(doc));
}

/**
 * `saslStart` carrying an access token (the one-step conversation, also used speculatively).
 *
 * @param accessToken the token
 * @returns the command
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jwtStepCommand } from "./sasl.ts";
 *
 * assert.equal(jwtStepCommand("abcd1234").mechanism, "MONGODB-OIDC");
 * ```
 */
export function jwtStepCommand(accessToken: string): Document {
  return { saslStart: 1, mechanism: MONGODB_OIDC, payload: payload({ jwt: accessToken }) };
}

/**
 * `saslStart` asking for the identity provider of `username` (the two-step conversation's first step).
 *
 * @param username the principal name; left out of the payload when undefined
 * @returns the command
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { principalStepCommand } from "./sasl.ts";
 *
 * assert.equal(principalStepCommand(undefined).saslStart, 1);
 * ```
 */
export function principalStepCommand(username: string | undefined): Document {
  return {
    saslStart: 1,
    mechanism: MONGODB_OIDC,
    payload: payload(username === undefined ? {} : { n: username }),
  };
}

/**
 * `saslContinue` carrying the access token (the two-step conversation's second step).
 *
 * @param conversationId the id from the saslStart reply
 * @param accessToken the token
 * @returns the command
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jwtContinueCommand } from "./sasl.ts";
 *
 * assert.equal(jwtContinueCommand(1, "abcd1234").conversationId, 1);
 * ```
 */
export function jwtContinueCommand(conversationId: unknown, accessToken: string): Document {
  return { saslContinue: 1, conversationId, payload: payload({ jwt: accessToken }) };
}

/**
 * The BSON document in a SASL reply's `payload`.
 *
 * @param reply the saslStart reply
 * @returns the decoded payload
 * @throws {MongoAuthError} `PROTOCOL_ERROR` when the payload is missing or not BSON
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BSON, Binary } from "bson";
 * import { readPayload } from "./sasl.ts";
 *
 * const reply = { ok: 1, payload: new Binary(BSON.serialize({ issuer: "https://idp" })) };
 * assert.equal(readPayload(reply).issuer, "https://idp");
 * ```
 */
export function readPayload(reply: Document): Document {
  const bytes = bytesOf(reply.payload);
  if (!bytes) throw new MongoAuthError("PROTOCOL_ERROR", "MONGODB-OIDC: the server's reply has no payload");
  try {
    return BSON.deserialize(bytes);
  } catch (error) {
    throw new MongoAuthError("PROTOCOL_ERROR", "MONGODB-OIDC: the server's payload is not BSON", {
      cause: error,
    });
  }
}

/**
 * Throws unless a reply that should end the conversation says `done: true`.
 *
 * @param reply the reply to the token step
 * @throws {MongoAuthError} `PROTOCOL_ERROR` when the server wants more steps
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkDone } from "./sasl.ts";
 *
 * assert.throws(() => checkDone({ ok: 1, done: false }), { code: "PROTOCOL_ERROR" });
 * ```
 */
export function checkDone(reply: Document): void {
  if (reply.done !== true) {
    throw new MongoAuthError(
      "PROTOCOL_ERROR",
      "MONGODB-OIDC: the server did not finish after the token step",
    );
  }
}

/**
 * Whether `error` is the server rejecting the credential (error 18, AuthenticationFailed, or Atlas's proxy's
 * 8000 "bad auth"): ours, or a driver's error with the server's `code`.
 *
 * @param error anything thrown by a command
 * @returns true for a refused login
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MongoServerError } from "@mongo-auth/core";
 * import { isAuthenticationFailure } from "./sasl.ts";
 *
 * assert.equal(isAuthenticationFailure(new MongoServerError(18, "AuthenticationFailed", "")), true);
 * ```
 */
export function isAuthenticationFailure(error: unknown): boolean {
  if (error instanceof MongoServerError) return error.code === "AUTHENTICATION_FAILED";
  // A driver's own error (the official driver's MongoServerError: code, errmsg or message).
  const { code, errmsg, message } = (error ?? {}) as { code?: unknown; errmsg?: unknown; message?: unknown };
  const words = typeof errmsg === "string" ? errmsg : typeof message === "string" ? message : "";
  return typeof code === "number" && isLoginRefusal(code, words);
}
