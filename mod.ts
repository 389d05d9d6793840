/**
 * mongo-auth: MongoDB authentication for every JavaScript runtime with TCP.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCredential } from "@mongo-auth/core";
 *
 * const credential = parseCredential("mongodb://alice:s3cret@localhost/app");
 * assert.equal(credential?.username, "alice");
 * assert.equal(credential?.source, "app");
 * ```
 *
 * @module
 */
export { MongoAuthError, type MongoAuthErrorCode, MongoServerError } from "./src/errors.ts";
export { saslprep } from "./src/crypto/saslprep.ts";
export {
  ScramKeyCache,
  type ScramKeyCacheOptions,
  type ScramKeyParams,
  type ScramKeys,
} from "./src/crypto/scram-key-cache.ts";
export { ScramClient, type ScramClientOptions, type ScramHash, scramPassword } from "./src/scram.ts";
