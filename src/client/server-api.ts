/**
 * The Stable API (the MongoDB Stable API specification): the `serverApi` option declares an API version,
 * and every command the connection sends then carries it as `apiVersion`, with `apiStrict` and
 * `apiDeprecationErrors` when they were given.
 *
 * @module
 */
import { MongoAuthError } from "../core/errors.ts";
import type { ApiParameters } from "../wire/command.ts";

/**
 * The Stable API versions there are: `"1"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ServerApiVersion } from "@mongo-auth/core";
 *
 * assert.equal(ServerApiVersion.v1, "1");
 * ```
 */
export const ServerApiVersion: { readonly v1: "1" } = Object.freeze({ v1: "1" });

/** A Stable API version: `"1"`. */
export type ServerApiVersion = typeof ServerApiVersion[keyof typeof ServerApiVersion];

/**
 * A declared Stable API version, as the official driver's `serverApi` option takes it.
 *
 * @example As MongoDB Atlas's connection snippet declares it
 * ```ts
 * import type { ServerApi } from "@mongo-auth/core";
 *
 * const serverApi: ServerApi = { version: "1", strict: true, deprecationErrors: true };
 * ```
 */
export interface ServerApi {
  /** The API version: `"1"`. */
  version: ServerApiVersion;
  /** `true`: the server refuses commands that are not in that version (APIStrictError, 323). */
  strict?: boolean;
  /** `true`: the server refuses what that version deprecates (APIDeprecationError, 324). */
  deprecationErrors?: boolean;
}

const VERSIONS: readonly string[] = Object.values(ServerApiVersion);

/**
 * The command fields of a `serverApi` option, checked.
 *
 * @param serverApi the option: a version (`"1"`) or a {@link ServerApi}
 * @returns the fields every command carries; `undefined` when no version is declared
 * @throws {MongoAuthError} `INVALID_OPTION` for a version this library does not know, or flags that are
 *   not booleans
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { apiParameters } from "./server-api.ts";
 *
 * assert.deepEqual(apiParameters({ version: "1", strict: true }), { apiVersion: "1", apiStrict: true });
 * assert.deepEqual(apiParameters("1"), { apiVersion: "1" });
 * assert.throws(() => apiParameters({ version: "2" as "1" }), { code: "INVALID_OPTION" });
 * ```
 */
export function apiParameters(
  serverApi: ServerApi | ServerApiVersion | undefined,
): ApiParameters | undefined {
  if (serverApi === undefined) return undefined;
  const declared = typeof serverApi === "string" ? { version: serverApi } : serverApi;
  if (typeof declared !== "object" || declared === null) {
    throw invalid(`option serverApi must be { version: "1" } or "1"`);
  }
  const { version, strict, deprecationErrors } = declared as ServerApi;
  if (typeof version !== "string" || !VERSIONS.includes(version)) {
    throw invalid(
      `option serverApi.version must be ${VERSIONS.map((v) => JSON.stringify(v)).join(" or ")} ` +
        `(ServerApiVersion.v1), the Stable API versions there are; got ${describe(version)}`,
    );
  }
  for (const [name, value] of [["strict", strict], ["deprecationErrors", deprecationErrors]] as const) {
    if (value !== undefined && typeof value !== "boolean") {
      throw invalid(`option serverApi.${name} must be true or false; got ${describe(value)}`);
    }
  }
  // The specification: apiStrict and apiDeprecationErrors go only when given, even as their default.
  return {
    apiVersion: version,
    ...(strict !== undefined && { apiStrict: strict }),
    ...(deprecationErrors !== undefined && { apiDeprecationErrors: deprecationErrors }),
  };
}

/**
 * The declared version in words, for the trace: `1`, `1 (strict)`, `1 (strict, deprecation errors)`.
 *
 * @param parameters the declared version's fields
 * @returns the words
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeApiParameters } from "./server-api.ts";
 *
 * assert.equal(describeApiParameters({ apiVersion: "1", apiStrict: true }), "1 (strict)");
 * ```
 */
export function describeApiParameters(parameters: ApiParameters): string {
  const flags = [
    parameters.apiStrict && "strict",
    parameters.apiDeprecationErrors && "deprecation errors",
  ].filter(Boolean);
  return flags.length === 0 ? parameters.apiVersion : `${parameters.apiVersion} (${flags.join(", ")})`;
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  return typeof value === "object" && value !== null ? "an object" : String(value);
}

function invalid(message: string): MongoAuthError {
  return new MongoAuthError("INVALID_OPTION", message);
}
