/**
 * The `mongo-auth` command line, runtime-free: `cli.ts` hands it the runtime's arguments, output
 * and `connect`.
 *
 * @module
 */
import type { ConnectOptions } from "../client/options.ts";
import type { Connection } from "../client/connection.ts";
import { MongoAuthError } from "../core/errors.ts";
import type { Document } from "../wire/command.ts";

/** A runtime's `connect`. */
export type Connect = (uri: string, options?: ConnectOptions) => Promise<Connection>;

/** Arguments and output of the CLI. */
export interface CliIo {
  /** The arguments after the program name, e.g. `["whoami", "mongodb://…"]`. */
  args: string[];
  /** Writes one line of normal output. */
  out(line: string): void;
  /** Writes one line of error output. */
  err(line: string): void;
}

/**
 * Runs the CLI.
 *
 * @param io arguments and output
 * @param connect the runtime's `connect`
 * @returns the exit code: 0 authenticated, 1 failed, 2 usage
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cliMain } from "./main.ts";
 *
 * const errors: string[] = [];
 * const code = await cliMain({ args: [], out: () => {}, err: (l) => errors.push(l) }, () => Promise.reject(new Error()));
 * assert.equal(code, 2);
 * assert.match(errors[0], /usage/);
 * ```
 */
export async function cliMain(io: CliIo, connect: Connect): Promise<number> {
  const [command, uri, ...rest] = io.args;
  if (command !== "whoami" || !uri || rest.length > 0) {
    io.err("usage: mongo-auth whoami <connection-string>");
    return 2;
  }
  try {
    // The library never logs; the CLI is an application, so it shows warnings on stderr.
    const conn = await connect(uri, { onWarning: (message) => io.err(`mongo-auth: warning: ${message}`) });
    try {
      const status = await conn.command("admin", { connectionStatus: 1 });
      const users = ((status.authInfo as Document)?.authenticatedUsers ?? []) as Document[];
      const { mechanism, speculative, roundTrips, durationMs } = conn.handshake;
      const rows: [string, string][] = [
        ["user", users.map((u) => String(u.user)).join(", ") || "(not authenticated)"],
        ["db", users.map((u) => String(u.db)).join(", ") || "-"],
        ["mechanism", mechanism ? `${mechanism}${speculative ? " (speculative)" : ""}` : "none"],
        ["host", `${conn.address} (${conn.role}${conn.setName ? ` of replica set ${conn.setName}` : ""})`],
        ["round trips", String(roundTrips)],
        ["time", `${durationMs.toFixed(1)} ms`],
      ];
      for (const [k, v] of rows) io.out(`${k.padEnd(12)}${v}`);
      return 0;
    } finally {
      await conn.close();
    }
  } catch (err) {
    if (err instanceof MongoAuthError) io.err(`mongo-auth: ${err.code}: ${err.message}`);
    else io.err(`mongo-auth: unexpected error: ${(err as Error)?.name ?? "Error"}`);
    return 1;
  }
}
