#!/usr/bin/env node
/**
 * `mongo-auth whoami <uri>`: connects, authenticates, and prints who the server says we are.
 *
 *     npx -p @mongo-auth/core mongo-auth whoami "mongodb://alice:alice-pw@127.0.0.1:27117/"
 *     deno run -A jsr:@mongo-auth/core/cli whoami "mongodb://alice:alice-pw@127.0.0.1:27117/"
 *
 * (The bare npm name `mongo-auth` is another package: name this one with `-p`.)
 *
 * Exit codes: 0 authenticated, 1 connection or authentication failed, 2 usage. The password is
 * never printed: errors carry a code and a message that hold no secret.
 *
 * @module
 */
import { cliMain } from "./src/cli/main.ts";

interface DenoLike {
  args: string[];
  exit(code: number): never;
}
interface ProcessLike {
  argv: string[];
  exitCode?: number;
}

const deno = (globalThis as { Deno?: DenoLike }).Deno;
const proc = (globalThis as { process?: ProcessLike }).process;
const args = deno ? deno.args : proc!.argv.slice(2);
const { connect } = deno ? await import("./src/transport/deno.ts") : await import("./src/transport/node.ts");
const code = await cliMain({ args, out: (l) => console.log(l), err: (l) => console.error(l) }, connect);
if (deno) deno.exit(code);
else proc!.exitCode = code;
