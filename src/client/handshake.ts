/**
 * The `client` metadata document of hello, within the MongoDB handshake specification's limits: the
 * application name at most 128 bytes (mongod refuses more with error 184), the whole document at most
 * 512 bytes (the spec; mongod refuses more than 1024 with error 185, a mongos more than 512).
 *
 * @module
 */
import { BSON } from "bson";
import { MongoAuthError } from "../core/errors.ts";
import type { Document } from "../wire/command.ts";
import { VERSION } from "../core/version.ts";

/** The most bytes (UTF-8) of `client.application.name` a server accepts. */
export const MAX_APP_NAME_BYTES = 128;
/** The most bytes of the whole `client` document, BSON overhead included (handshake spec). */
export const MAX_CLIENT_METADATA_BYTES = 512;

/** What the runtime says about itself (a {@link Transport}'s `osType` and `platform`). */
export interface RuntimeDescription {
  readonly osType: string;
  readonly platform: string;
}

/**
 * Checks an application name against the server's limit.
 *
 * @param appName the `appName` option
 * @throws {MongoAuthError} `INVALID_OPTION` when it is longer than 128 bytes of UTF-8
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkAppName } from "./handshake.ts";
 *
 * checkAppName("billing");
 * assert.throws(() => checkAppName("x".repeat(129)), { code: "INVALID_OPTION" });
 * ```
 */
export function checkAppName(appName: string): void {
  const bytes = new TextEncoder().encode(appName).length;
  if (bytes > MAX_APP_NAME_BYTES) {
    throw new MongoAuthError(
      "INVALID_OPTION",
      `option appName must be at most ${MAX_APP_NAME_BYTES} bytes of UTF-8, this one has ${bytes}: ` +
        "MongoDB refuses a longer application name in the handshake",
    );
  }
}

/**
 * The `client` document for hello. When it would exceed 512 bytes, `platform` is shortened first (the
 * spec's order; this library sends no `env` and only `os.type`), then `os.type`.
 *
 * @param runtime the runtime's OS type and platform
 * @param appName the application name, already checked with {@link checkAppName}
 * @returns the metadata document
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BSON } from "bson";
 * import { clientMetadata } from "./handshake.ts";
 *
 * const client = clientMetadata({ osType: "Linux", platform: "x".repeat(1000) }, "billing");
 * assert.equal(client.application?.name, "billing");
 * assert.ok(BSON.calculateObjectSize(client) <= 512);
 * ```
 */
export function clientMetadata(runtime: RuntimeDescription, appName?: string): ClientMetadata {
  const client: ClientMetadata = {
    ...(appName === undefined ? {} : { application: { name: appName } }),
    driver: { name: "mongo-auth", version: VERSION },
    os: { type: runtime.osType },
    platform: runtime.platform,
  };
  const excess = () => BSON.calculateObjectSize(client) - MAX_CLIENT_METADATA_BYTES;
  if (excess() > 0) client.platform = truncateUtf8(client.platform, utf8Length(client.platform) - excess());
  if (excess() > 0) client.os.type = truncateUtf8(client.os.type, utf8Length(client.os.type) - excess());
  return client;
}

/** hello's `client` document (handshake spec). */
export interface ClientMetadata extends Document {
  application?: { name: string };
  driver: { name: string; version: string };
  os: { type: string };
  platform: string;
}

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** The longest prefix of `text` of at most `maxBytes` UTF-8 bytes that does not split a character. */
function truncateUtf8(text: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const size = utf8Length(char);
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += char.length;
  }
  return text.slice(0, end);
}
