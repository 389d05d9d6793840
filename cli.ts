#!/usr/bin/env node
/**
 * `mongo-auth whoami [--explain] [--json] [<uri>]`: connects, authenticates, and prints who the server
 * says we are; `--explain` adds the login's trace and, when it fails, hints that say why; `--json` prints
 * the same as one JSON document.
 *
 *     npx -p @mongo-auth/core mongo-auth whoami "mongodb://alice:alice-pw@127.0.0.1:27117/"
 *     npx -p @mongo-auth/core mongo-auth whoami --explain "mongodb://alice:alice-pw@127.0.0.1:27117/app"
 *     MONGODB_URI="mongodb://alice:alice-pw@127.0.0.1:27117/" npx -p @mongo-auth/core mongo-auth whoami
 *     deno run -A jsr:@mongo-auth/core/cli whoami "mongodb://alice:alice-pw@127.0.0.1:27117/"
 *
 * (The bare npm name `mongo-auth` is another package: name this one with `-p`.)
 *
 * `--help` prints the usage and `--version` the version (exit 0); a command line it does not understand
 * gets what it did not understand and the usage (exit 2).
 *
 * Exit codes: 0 authenticated, 1 connection or authentication failed, 2 usage, 130 cancelled (Ctrl-C at the
 * password prompt). The password is never printed: errors carry a code and a message that hold no secret.
 *
 * @module
 */
import { type CliIo, cliMain } from "./src/cli/main.ts";
import type { HumanCallbackOptions } from "./src/mechanisms/oidc/human/human-callback.ts";
import type { OidcCallback } from "./src/credential/oidc-callback.ts";

interface DenoLike {
  args: string[];
  env: { get(name: string): string | undefined };
  exit(code: number): never;
}
interface ProcessLike {
  argv: string[];
  env: Record<string, string | undefined>;
  exitCode?: number;
}

const deno = (globalThis as { Deno?: DenoLike }).Deno;
const proc = (globalThis as { process?: ProcessLike }).process;
const args = deno ? deno.args : proc!.argv.slice(2);
const { connect, createHumanCallback, openBrowser } = deno
  ? await import("./src/transport/deno.ts")
  : await import("./src/transport/node.ts");
const { readHiddenLine, stderrIsTerminal, stdoutTakesColor } = await import("./src/transport/terminal.ts");
const { printUrl } = await import("./src/mechanisms/oidc/human/prompts.ts");
const io: CliIo = {
  args,
  out: (l: string) => console.log(l),
  err: (l: string) => console.error(l),
  color: stdoutTakesColor(),
  getEnv: (name: string) => deno ? denoEnv(deno, name) : proc!.env[name],
  readSecret: readHiddenLine,
  signIn,
};

// A person at the terminal gets the sign-in page in their browser, as mongosh opens it; its address is printed
// too, for when no browser opens. Piped, it is only printed.
function signIn(options: HumanCallbackOptions): OidcCallback {
  if (!stderrIsTerminal()) return createHumanCallback(options);
  const show = printUrl(options.print ?? console.error);
  const openUrl = async (url: string) => {
    show(url);
    await openBrowser(url).catch(() => {});
  };
  return createHumanCallback({ ...options, openUrl });
}

// Deno without --allow-env refuses to read a variable: then there is none to use.
function denoEnv(deno: DenoLike, name: string): string | undefined {
  try {
    return deno.env.get(name);
  } catch {
    return undefined;
  }
}
const code = await cliMain(io, connect);
if (deno) deno.exit(code);
else proc!.exitCode = code;
