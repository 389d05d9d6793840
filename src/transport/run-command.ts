/**
 * Runs a command line through the system shell with `node:child_process`: the `runCommand` of the
 * Node.js, Bun and Deno runtime envs (Deno needs `--allow-run`), for an AWS profile's
 * `credential_process`.
 *
 * @module
 */
import type { CommandResult } from "../core/runtime-env.ts";

/** More output than any credential document needs; past it the command is ended and the run fails. */
const MAX_OUTPUT_BYTES = 1024 * 1024;

/**
 * Runs `command` with `/bin/sh -c` (`cmd.exe` on Windows), as the AWS SDK for JavaScript runs a
 * `credential_process`, and collects its output.
 *
 * @param command the command line, as written in the profile
 * @param options `signal`: aborting it kills the command
 * @returns its exit code and output, whatever the exit code
 * @throws an `Error` with the runtime's message and code (never the command line) when the shell cannot
 *   be started (Deno without `--allow-run`) or the output passes 1 MiB; `signal`'s reason when it aborts
 *
 * @example Run a command and read what it printed
 * ```ts
 * import assert from "node:assert/strict";
 * import { runShellCommand } from "./run-command.ts";
 *
 * const { exitCode, stdout } = await runShellCommand("echo hello", { signal: AbortSignal.timeout(5_000) });
 * assert.deepEqual([exitCode, stdout.trim()], [0, "hello"]);
 * ```
 */
export async function runShellCommand(
  command: string,
  { signal }: { signal: AbortSignal },
): Promise<CommandResult> {
  if (signal.aborted) throw signal.reason;
  // Loaded on first use: most logins run no command, and a host without processes (Deno Deploy) may
  // refuse the module itself.
  const { exec } = await import("node:child_process");
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const done = (
      err: (Error & { code?: unknown; signal?: unknown }) | null,
      stdout: string,
      stderr: string,
    ) => {
      if (signal.aborted) return reject(signal.reason);
      if (!err) return resolve({ exitCode: 0, stdout, stderr });
      // A number is the exit code of a command that ran, a signal what ended it; anything else (the shell
      // missing, too much output) means it did not run to its end.
      if (typeof err.code === "number") return resolve({ exitCode: err.code, stdout, stderr });
      if (err.code === null && typeof err.signal === "string") {
        return resolve({ exitCode: null, stdout, stderr });
      }
      reject(withoutCommandLine(err));
    };
    try {
      exec(command, { signal, maxBuffer: MAX_OUTPUT_BYTES, windowsHide: true, encoding: "utf8" }, done);
    } catch (err) {
      reject(withoutCommandLine(err)); // Deno without --allow-run refuses at once
    }
  });
}

// The runtime's error keeps the command line (`cmd`, `spawnargs`), which may hold a secret: only its
// message and code go on.
function withoutCommandLine(err: unknown): Error {
  const { message, code } = (err ?? {}) as { message?: unknown; code?: unknown };
  const clean = new Error(typeof message === "string" ? message : "the command could not run");
  if (typeof code === "string") (clean as Error & { code?: string }).code = code;
  return clean;
}
