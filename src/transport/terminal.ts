/**
 * The CLI's terminal, on Deno, Node.js and Bun alike: whether it may colour its output (only on a terminal,
 * and never when `NO_COLOR` is set, https://no-color.org), whether a person sees its errors, and a password
 * typed without an echo.
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

/**
 * Whether standard error is a terminal: a person is there to see what it shows (the CLI opens a browser for
 * the human OIDC sign-in only then; piped, it prints where to go).
 *
 * @returns true on a terminal
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stderrIsTerminal } from "./terminal.ts";
 *
 * assert.equal(typeof stderrIsTerminal(), "boolean");
 * ```
 */
export function stderrIsTerminal(): boolean {
  const deno = (globalThis as { Deno?: { stderr: { isTerminal(): boolean } } }).Deno;
  return deno ? deno.stderr.isTerminal() : process.stderr.isTTY === true;
}

/**
 * What a hidden line read ends with: the line; `null` for Ctrl-C, or when the signal fired first; `undefined`
 * when stdin is no terminal.
 */
export type HiddenLine = string | null | undefined;

/**
 * Reads one line typed at the terminal without echoing it, as mongosh asks for a password left out of the
 * connection string. Backspace erases; Enter ends the line; Ctrl-C gives `null`; Ctrl-D on an empty line ends it.
 * The terminal is given back as it was however the read ends.
 *
 * @param prompt written to standard error before reading
 * @param signal ends the wait for a person who does not answer (`null`)
 * @returns the line, `null` when Ctrl-C was pressed or `signal` fired, `undefined` when standard input is not a
 *   terminal
 * @example Ask for a user's password, as the CLI does
 * ```ts
 * import { readHiddenLine } from "./terminal.ts";
 *
 * async function askPassword(user: string): Promise<string | undefined> {
 *   const typed = await readHiddenLine(`Enter password for "${user}": `, AbortSignal.timeout(300_000));
 *   if (typed === null) throw new Error("cancelled");
 *   return typed; // undefined: standard input is no terminal (piped), so nobody was asked
 * }
 * ```
 */
export async function readHiddenLine(prompt: string, signal: AbortSignal): Promise<HiddenLine> {
  const deno = (globalThis as { Deno?: DenoStdin }).Deno;
  if (deno ? !deno.stdin.isTerminal() : process.stdin.isTTY !== true) return undefined;
  if (signal.aborted) return null;
  // The prompt comes once the terminal echoes nothing: keys typed after it never show.
  const shown = () => process.stderr.write(prompt);
  try {
    return deno ? await denoHiddenLine(deno, shown, signal) : await nodeHiddenLine(shown, signal);
  } finally {
    process.stderr.write("\n");
  }
}

interface DenoStdin {
  stdin: {
    isTerminal(): boolean;
    setRaw(raw: boolean): void;
    read(buffer: Uint8Array): Promise<number | null>;
  };
}

async function denoHiddenLine(
  { stdin }: DenoStdin,
  prompt: () => void,
  signal: AbortSignal,
): Promise<HiddenLine> {
  const line = new HiddenLineEditor();
  const buffer = new Uint8Array(256);
  // A read of stdin takes no signal: the race ends the wait, and the read left pending dies with the process.
  const given = new Promise<null>((resolve) => signal.addEventListener("abort", () => resolve(null)));
  stdin.setRaw(true);
  prompt();
  try {
    for (;;) {
      const n = await Promise.race([stdin.read(buffer), given]);
      if (signal.aborted) return null;
      const done = n === null ? line.end() : line.type(buffer.subarray(0, n));
      if (done !== false) return done;
    }
  } finally {
    stdin.setRaw(false);
  }
}

function nodeHiddenLine(prompt: () => void, signal: AbortSignal): Promise<HiddenLine> {
  const stdin = process.stdin;
  const line = new HiddenLineEditor();
  return new Promise<HiddenLine>((resolve) => {
    const given = () => finish(null);
    const finish = (done: HiddenLine) => {
      signal.removeEventListener("abort", given);
      stdin.off("data", onData).off("end", onEnd);
      stdin.setRawMode(false);
      stdin.pause();
      resolve(done);
    };
    const onData = (chunk: Uint8Array) => {
      const done = line.type(chunk);
      if (done !== false) finish(done);
    };
    const onEnd = () => finish(line.end());
    signal.addEventListener("abort", given, { once: true });
    stdin.setRawMode(true);
    stdin.on("data", onData).on("end", onEnd);
    stdin.resume();
    prompt();
  });
}

// The keys of a line typed in raw mode, where the terminal does no editing of its own.
class HiddenLineEditor {
  #bytes: number[] = [];
  // Inside an escape sequence (an arrow or function key: ESC [ … and a final byte), which types nothing.
  #escape: "none" | "started" | "sequence" = "none";

  // The line once a key ends it (Enter, Ctrl-C, Ctrl-D on an empty line), else false.
  type(keys: Uint8Array): HiddenLine | false {
    for (const key of keys) {
      if (this.#inEscape(key)) continue;
      if (key === 0x0d || key === 0x0a) return this.end();
      if (key === 0x03) return null;
      if (key === 0x04 && this.#bytes.length === 0) return this.end();
      if (key === 0x7f || key === 0x08) this.#erase();
      else if (key >= 0x20) this.#bytes.push(key);
    }
    return false;
  }

  end(): string {
    return new TextDecoder().decode(new Uint8Array(this.#bytes));
  }

  // ESC, then `[` or `O` and the sequence's bytes up to its final one (a byte from @ to ~).
  #inEscape(key: number): boolean {
    if (this.#escape === "none") {
      if (key !== 0x1b) return false;
      this.#escape = "started";
    } else if (this.#escape === "started") {
      this.#escape = key === 0x5b || key === 0x4f ? "sequence" : "none";
    } else if (key >= 0x40 && key <= 0x7e) {
      this.#escape = "none";
    }
    return true;
  }

  // One character: a UTF-8 sequence's continuation bytes go with it.
  #erase(): void {
    while (this.#bytes.length > 0 && (this.#bytes.pop()! & 0xc0) === 0x80);
  }
}
