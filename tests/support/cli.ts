// The real CLI as a user runs it, in this runtime: `deno run -A cli.ts`, `node dist/cli.js`, `bun cli.ts`.
import { spawn } from "node:child_process";
import process from "node:process";
import { join } from "node:path";
import { repoRoot } from "../../testing/paths.ts";
import { runtime } from "./transports.ts";

/** What one run of the CLI printed, and how it ended. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

// A script of this repository as this runtime runs it: `deno run -A x.ts`, `bun x.ts`, `node dist/x.js`.
function scriptCommand(script: string): string[] {
  const path = join(repoRoot(), runtime === "node" ? join("dist", script.replace(/\.ts$/, ".js")) : script);
  return runtime === "deno" ? [process.execPath, "run", "-A", path] : [process.execPath, path];
}

/**
 * The Deno executable, for a test that runs a Deno program from any runtime: this process's on Deno, the npm
 * dev dependency's (node_modules/.bin/deno) on Node.js and Bun.
 * @returns its path
 */
export function denoExecutable(): string {
  return runtime === "deno" ? process.execPath : join(repoRoot(), "node_modules", ".bin", "deno");
}

function cliCommand(): string[] {
  return scriptCommand("cli.ts");
}

/**
 * Runs `mongo-auth` with `args`; killed after 30 s.
 * @param args the arguments after the program name
 * @param env the child's whole environment when given (nothing of this process's is passed on then but PATH)
 * @returns exit code and output
 */
export function runCli(args: string[], env?: Record<string, string>): Promise<CliRun> {
  const [cmd, ...rest] = cliCommand();
  return spawned(cmd, [...rest, ...args], env);
}

/**
 * Runs `mongo-auth` with `args`, handing what it has written to stderr so far to `watch` as it comes, as a
 * person reads the terminal while the command runs (the sign-in page to open, the code to enter); killed after
 * 30 s.
 * @param args the arguments after the program name
 * @param env the child's whole environment (nothing of this process's is passed on but PATH)
 * @param watch called with all of stderr so far, on each write
 * @returns exit code and output
 */
export function runCliWatching(
  args: string[],
  env: Record<string, string>,
  watch: (stderr: string) => void,
): Promise<CliRun> {
  const [cmd, ...rest] = cliCommand();
  return spawned(cmd, [...rest, ...args], env, 30_000, undefined, watch);
}

/**
 * Runs a script of this repository in a process of its own, in this runtime (`deno run -A`, `bun`, or
 * `node` on its compiled copy under dist/).
 * @param script the script's path from the repository root, `.ts`
 * @param killAfterMs when to kill it (its code is then null)
 * @returns exit code and output
 */
export function runScript(script: string, killAfterMs: number): Promise<CliRun> {
  const [cmd, ...args] = scriptCommand(script);
  return spawned(cmd, args, undefined, killAfterMs);
}

/**
 * Runs `mongo-auth` with `args` on a terminal: util-linux `script` gives it a pseudo-terminal (Debian's
 * bsdutils, always installed), whose output, stdout and stderr together, is `stdout` here (with the
 * terminal's `\r\n` line ends). Killed after 30 s.
 * @param args the arguments after the program name
 * @param env the child's whole environment (nothing of this process's is passed on but PATH)
 * @param typed what a person types once the terminal shows `waitFor` (keys as bytes: `\r` is Enter)
 * @returns exit code and what the terminal showed
 */
export function runCliOnTerminal(
  args: string[],
  env: Record<string, string>,
  typed?: { waitFor: string; keys: string },
): Promise<CliRun> {
  return runOnTerminal([...cliCommand(), ...args], env, typed);
}

/**
 * Runs a script of this repository on a terminal, as {@link runCliOnTerminal} runs the CLI.
 * @param script the script's path from the repository root, `.ts`
 * @param env the child's whole environment (nothing of this process's is passed on but PATH)
 * @param typed what a person types once the terminal shows `waitFor`
 * @returns exit code and what the terminal showed
 */
export function runScriptOnTerminal(
  script: string,
  env: Record<string, string>,
  typed?: { waitFor: string; keys: string },
): Promise<CliRun> {
  return runOnTerminal(scriptCommand(script), env, typed);
}

/**
 * Runs any command on a terminal, as {@link runCliOnTerminal} runs the CLI: for a program whose behaviour
 * depends on one (Deno prompts for a permission only there).
 * @param command the program and its arguments
 * @param env the child's whole environment (nothing of this process's is passed on but PATH)
 * @param typed what a person types once the terminal shows `waitFor`
 * @returns exit code and what the terminal showed; killed after 30 s
 */
export function runOnTerminal(
  command: string[],
  env: Record<string, string>,
  typed?: { waitFor: string; keys: string },
): Promise<CliRun> {
  const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;
  return spawned("script", ["-q", "-e", "-c", command.map(quote).join(" "), "/dev/null"], env, 30_000, typed);
}

function spawned(
  cmd: string,
  args: string[],
  env: Record<string, string> | undefined,
  killAfterMs = 30_000,
  typed?: { waitFor: string; keys: string },
  watch?: (stderr: string) => void,
): Promise<CliRun> {
  const childEnv = env ? { PATH: process.env.PATH ?? "", ...env } : undefined;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: [typed ? "pipe" : "ignore", "pipe", "pipe"], env: childEnv });
    let stdout = "";
    let stderr = "";
    let waiting = typed !== undefined;
    child.stdout!.on("data", (d) => {
      stdout += d;
      if (waiting && stdout.includes(typed!.waitFor)) {
        waiting = false;
        child.stdin!.write(typed!.keys);
      }
    });
    child.stderr!.on("data", (d) => {
      stderr += d;
      watch?.(stderr);
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), killAfterMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
