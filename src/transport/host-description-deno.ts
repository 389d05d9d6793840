/**
 * What Deno knows of its host for hello's client metadata, read without ever asking for a permission:
 * a variable, `/.dockerenv` or the OS version is read only when the process was granted it, so that a
 * program run with `--allow-net` alone neither prompts nor fails. Deno's environments (`denoEnv`, and
 * `nodeEnv` on Deno) read their variables the same way ({@link grantedVariables}).
 *
 * @module
 */
import type { HostDescription } from "../client/handshake.ts";
import { denoRefusedVariables } from "../core/runtime-env.ts";

type PermissionDescriptor =
  | { name: "env"; variable: string }
  | { name: "read"; path: string }
  | { name: "sys"; kind: "osRelease" };

// The slice of the Deno namespace used here, typed locally (see deno.ts).
interface DenoHostApi {
  readonly build: { readonly os: string; readonly arch: string };
  readonly permissions: { querySync(descriptor: PermissionDescriptor): { readonly state: string } };
  readonly env: { get(name: string): string | undefined };
  osRelease(): string;
  statSync(path: string): unknown;
}

/**
 * Describes the host Deno runs on: `Deno.build`'s OS and architecture, and what has been granted of the
 * handshake's variables, `/.dockerenv` and the OS version.
 *
 * @returns the host description
 * @example
 * ```ts ignore
 * import { describeDenoHost } from "./host-description-deno.ts";
 *
 * console.log(describeDenoHost().os); // { name: "linux", architecture: "x86_64", version: "6.8.0" } with --allow-sys
 * ```
 */
export function describeDenoHost(): HostDescription {
  const Deno = denoHost();
  const version = granted({ name: "sys", kind: "osRelease" }) ? attempt(() => Deno.osRelease()) : undefined;
  return {
    os: { name: Deno.build.os, architecture: Deno.build.arch, ...(version !== undefined && { version }) },
    getEnv: (name) => grantedVariable(name),
    dockerenv: granted({ name: "read", path: "/.dockerenv" }) &&
      attempt(() => Deno.statSync("/.dockerenv")) !== undefined,
  };
}

/**
 * An environment variable as this process may see it without a prompt: its value when Deno granted it
 * (`--allow-env`, whole or naming it), else `undefined`, and `refused` is told its name.
 *
 * @param name the variable
 * @param refused told the name of a variable Deno would not show
 * @returns its value, or `undefined` when unset or not granted
 * @example
 * ```ts ignore
 * import { grantedVariable } from "./host-description-deno.ts";
 *
 * // deno run --allow-env=AWS_REGION main.ts
 * console.log(grantedVariable("AWS_REGION"), grantedVariable("HOME", (name) => console.log(`${name} refused`)));
 * ```
 */
export function grantedVariable(name: string, refused?: (name: string) => void): string | undefined {
  if (granted({ name: "env", variable: name })) {
    try {
      return denoHost().env.get(name);
    } catch {
      // Refused all the same.
    }
  }
  refused?.(name);
  return undefined;
}

/** One environment's variables as Deno shows them without a prompt, and those it refused. */
export interface GrantedVariables {
  /** A variable when Deno grants it, else `undefined` (and the name joins those refused). */
  get(name: string): string | undefined;
  /** `HOME`, or `USERPROFILE`, as `get` reads them. */
  homeDir(): string | undefined;
  /** The sentence naming the variables refused so far (`RuntimeEnv.envRestriction`); `undefined` when none. */
  restriction(): string | undefined;
}

/**
 * The variables of one Deno environment (`denoEnv()`, and `nodeEnv()` when Deno runs the `/node` entry point):
 * each read when asked for, as it is then, and only when Deno grants it, so that Deno never prompts (the AWS
 * chain alone looks at a dozen) and `--allow-env=NAME,…` grants what it lists. The refused are remembered,
 * so that errors name them instead of calling them "not set".
 *
 * @returns the reader, with its own record of refusals
 * @example
 * ```ts ignore
 * import { grantedVariables } from "./host-description-deno.ts";
 *
 * // deno run --allow-env=AWS_REGION main.ts
 * const variables = grantedVariables();
 * console.log(variables.get("AWS_REGION"), variables.homeDir(), variables.restriction()); // … names HOME
 * ```
 */
export function grantedVariables(): GrantedVariables {
  const refused = new Set<string>();
  const get = (name: string) => grantedVariable(name, (variable) => refused.add(variable));
  return {
    get,
    homeDir: () => get("HOME") ?? get("USERPROFILE"),
    restriction: () => denoRefusedVariables(refused),
  };
}

// Read when asked for: this module also loads where there is no Deno (host-description-node.ts).
function denoHost(): DenoHostApi {
  return (globalThis as unknown as { Deno: DenoHostApi }).Deno;
}

function granted(descriptor: PermissionDescriptor): boolean {
  try {
    return denoHost().permissions.querySync(descriptor).state === "granted";
  } catch {
    return false;
  }
}

function attempt<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

// uname -s for each Deno.build.os, as Node.js's os.type() says it: the handshake's os.type is the same on
// every runtime of one machine.
const UNAME: Readonly<Record<string, string>> = {
  linux: "Linux",
  android: "Linux",
  darwin: "Darwin",
  windows: "Windows_NT",
  freebsd: "FreeBSD",
  netbsd: "NetBSD",
  openbsd: "OpenBSD",
  aix: "AIX",
  solaris: "SunOS",
  illumos: "SunOS",
};

/**
 * The handshake's `os.type` for Deno's name of the OS: what `uname -s` (and Node.js's `os.type()`) says.
 *
 * @param os `Deno.build.os`, or `undefined` outside Deno
 * @returns `Linux`, `Darwin`, `Windows_NT`, …; `unknown` without one
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { osTypeOf } from "./host-description-deno.ts";
 *
 * assert.equal(osTypeOf("darwin"), "Darwin");
 * assert.equal(osTypeOf(undefined), "unknown");
 * ```
 */
export function osTypeOf(os: string | undefined): string {
  return os === undefined ? "unknown" : UNAME[os] ?? os;
}
