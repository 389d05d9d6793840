/**
 * `ALLOWED_HOSTS`: the hosts a human OIDC flow may send tokens to. A human callback hands out a
 * person's token, so it only ever runs for a connection to a host the user allowed.
 *
 * @module
 */
import { MongoAuthError } from "../../core/errors.ts";

// DNS names compare without case; IPv6 literals may come with brackets.
function normalize(host: string): string {
  const lower = host.toLowerCase();
  return lower.startsWith("[") && lower.endsWith("]") ? lower.slice(1, -1) : lower;
}

/**
 * Whether `host` matches one of `patterns`. A pattern is a host name or address, matched exactly, or
 * `*.suffix`, matched by any name that ends with `.suffix` (subdomains at any depth). There is no bare
 * suffix match: `*.mongodb.net` matches `a.mongodb.net`, never `evilmongodb.net` nor `mongodb.net`.
 *
 * @param host the host the connection goes to, after SRV resolution, without port
 * @param patterns the allowed hosts
 * @returns true when the host is allowed
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_ALLOWED_HOSTS } from "@mongo-auth/core";
 * import { isHostAllowed } from "./allowed-hosts.ts";
 *
 * assert.equal(isHostAllowed("cluster0.abcde.mongodb.net", DEFAULT_ALLOWED_HOSTS), true);
 * assert.equal(isHostAllowed("evilmongodb.net", DEFAULT_ALLOWED_HOSTS), false);
 * ```
 */
export function isHostAllowed(host: string, patterns: readonly string[]): boolean {
  const name = normalize(host);
  return patterns.some((raw) => {
    const pattern = normalize(raw);
    if (!pattern.startsWith("*.")) return name === pattern;
    const suffix = pattern.slice(2);
    return suffix.length > 0 && name.endsWith("." + suffix);
  });
}

/**
 * Throws unless `host` is allowed: run before a human callback runs or a cached human token is sent.
 *
 * @param host the host the connection goes to
 * @param patterns the allowed hosts
 * @throws {MongoAuthError} `INVALID_OPTION` naming the host and what to add to `ALLOWED_HOSTS`
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { assertHostAllowed } from "./allowed-hosts.ts";
 *
 * assert.throws(() => assertHostAllowed("example.com", ["*.mongodb.net"]), { code: "INVALID_OPTION" });
 * ```
 */
export function assertHostAllowed(host: string, patterns: readonly string[]): void {
  if (isHostAllowed(host, patterns)) return;
  throw new MongoAuthError(
    "INVALID_OPTION",
    `MONGODB-OIDC: host '${host}' is not in ALLOWED_HOSTS (${patterns.join(", ") || "empty"}); ` +
      `add it (or a '*.domain' pattern) to the ALLOWED_HOSTS mechanism property to send a human OIDC token to it`,
  );
}
