/**
 * Whether the CLI may colour its output: only on a terminal, and never when `NO_COLOR` is set
 * (https://no-color.org), on Deno, Node.js and Bun alike.
 *
 * @module
 */
import process from "node:process";

/**
 * Whether standard output is a terminal that may get colour.
 *
 * @returns `false` when `NO_COLOR` is set (to anything but the empty string) or stdout is not a terminal
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stdoutTakesColor } from "./terminal.ts";
 *
 * assert.equal(typeof stdoutTakesColor(), "boolean");
 * ```
 */
export function stdoutTakesColor(): boolean {
  const deno = (globalThis as { Deno?: { noColor: boolean; stdout: { isTerminal(): boolean } } }).Deno;
  if (deno) return !deno.noColor && deno.stdout.isTerminal();
  let noColor: string | undefined;
  try {
    noColor = process.env.NO_COLOR;
  } catch {
    noColor = undefined;
  }
  return (noColor === undefined || noColor === "") && process.stdout.isTTY === true;
}
