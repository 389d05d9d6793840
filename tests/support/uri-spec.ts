// The comparison the connection-string and uri-options spec files share (their README "Format"): valid
// or not, a warning or not, then each host, userinfo and option the case names; null means no assertion.
import assert from "node:assert/strict";
import {
  type ConnectionString,
  MongoAuthError,
  parseConnectionString,
  type UriOptions,
} from "@mongo-auth/core";

/** One case of connection-string/*.json or uri-options/*.json. */
export interface UriSpecCase {
  description: string;
  uri: string;
  valid: boolean;
  warning?: boolean;
  hosts: { type: string; host: string; port: number | null }[] | null;
  auth: { username: string | null; password: string | null; db: string | null } | null;
  options: Record<string, unknown> | null;
}

/** The host types of the spec, told apart the way our parser does. */
function hostType(host: string): string {
  if (host.includes("/")) return "unix";
  if (host.includes(":")) return "ip_literal";
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) && host.split(".").every((n) => Number(n) <= 255)
    ? "ipv4"
    : "hostname";
}

/**
 * The value of an option named as a spec file names it (any case: `authmechanismProperties`).
 * @param options our parsed options
 * @param specName the file's name for it
 * @returns our value
 */
export function optionNamed(options: UriOptions, specName: string): unknown {
  const entry = Object.entries(options).find(([name]) => name.toLowerCase() === specName.toLowerCase());
  return entry?.[1];
}

/**
 * Checks one case: parseConnectionString throws (INVALID_URI or INVALID_OPTION) exactly when the case is
 * invalid, warns exactly when it says so, and yields its hosts, userinfo, database and options.
 * @param test the case
 * @returns the parsed connection string of a valid case
 */
export function checkUriSpecCase(test: UriSpecCase): ConnectionString | undefined {
  if (!test.valid) {
    assert.throws(() => parseConnectionString(test.uri), (err: unknown) => {
      assert.ok(err instanceof MongoAuthError, `expected a MongoAuthError, got ${err}`);
      assert.ok(err.code === "INVALID_URI" || err.code === "INVALID_OPTION", `${err.code}: ${err.message}`);
      return true;
    });
    return undefined;
  }
  const cs = parseConnectionString(test.uri);
  if (test.warning !== undefined) {
    assert.equal(cs.warnings.length > 0, test.warning, `warnings: ${JSON.stringify(cs.warnings)}`);
  }
  if (test.hosts !== null) {
    assert.equal(cs.hosts.length, test.hosts.length);
    test.hosts.forEach((expected, i) => {
      assert.equal(cs.hosts[i].host, expected.host);
      if (expected.port !== null) assert.equal(cs.hosts[i].port, expected.port);
      assert.equal(hostType(cs.hosts[i].host), expected.type);
    });
  }
  if (test.auth !== null) {
    if (test.auth.username !== null) assert.equal(cs.username, test.auth.username);
    if (test.auth.password !== null) assert.equal(cs.password, test.auth.password);
    if (test.auth.db !== null) assert.equal(cs.database, test.auth.db);
  }
  for (const [name, expected] of Object.entries(test.options ?? {})) {
    assert.deepEqual(optionNamed(cs.parsedOptions, name), expected, `option ${name}`);
  }
  return cs;
}
