/**
 * What the core needs from its host, handed in as functions so the core never touches a runtime
 * global: environment variables, file reads, HTTP, the clock. Each transport (`src/transport/*`)
 * builds the default for its runtime; tests and Workers users pass their own.
 *
 * @module
 */
import { checkOptions, IS, type OptionCheck, optionChecks } from "./options.ts";

/**
 * A `fetch` with the standard signature; tests point it at loopback fakes.
 *
 * @example A fetch that only reaches loopback
 * ```ts
 * import assert from "node:assert/strict";
 * import { type FetchLike, runtimeEnv } from "@mongo-auth/core";
 *
 * const loopbackOnly: FetchLike = (input, init) =>
 *   new URL(String(input)).hostname === "127.0.0.1" ? fetch(input, init) : Promise.reject(new TypeError("refused"));
 * assert.equal(runtimeEnv({ fetch: loopbackOnly }).fetch, loopbackOnly);
 * ```
 */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * How a command run by {@link RuntimeEnv.runCommand} ended, and what it printed.
 *
 * @example What a finished command reports
 * ```ts
 * import assert from "node:assert/strict";
 * import type { CommandResult } from "@mongo-auth/core";
 *
 * const result: CommandResult = { exitCode: 0, stdout: '{"Version":1}', stderr: "" };
 * assert.equal(result.exitCode, 0);
 * ```
 */
export interface CommandResult {
  /** The exit code; `null` when a signal ended it. */
  readonly exitCode: number | null;
  /** Standard output, UTF-8. */
  readonly stdout: string;
  /** Standard error, UTF-8. */
  readonly stderr: string;
}

/**
 * The host facilities the credential sources (AWS, OIDC environments) use.
 *
 * @example An environment for tests and Workers: nothing from the process
 * ```ts
 * import assert from "node:assert/strict";
 * import { runtimeEnv } from "@mongo-auth/core";
 *
 * const env = runtimeEnv({ env: { AWS_REGION: "eu-west-1" } });
 * assert.equal(env.getEnv("AWS_REGION"), "eu-west-1");
 * assert.equal(env.getEnv("HOME"), undefined);
 * ```
 */
export interface RuntimeEnv {
  /** An environment variable, or `undefined` when unset. */
  getEnv(name: string): string | undefined;
  /** The whole file as UTF-8 text; rejects when it cannot be read. `undefined` where the runtime has no files. */
  readonly readTextFile?: (path: string) => Promise<string>;
  /** The user's home directory, for `~/.aws/credentials`; `undefined` when unknown. */
  readonly homeDir?: string;
  /** `fetch` for every HTTP call (IMDS, ECS, STS, DNS-over-HTTPS). */
  readonly fetch: FetchLike;
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * Runs a command line through the system shell, as the AWS SDK for JavaScript runs a profile's
   * `credential_process`; aborting `signal` ends it. Rejects when it cannot be started or prints too
   * much. `undefined` where the runtime runs no programs (Workers).
   */
  readonly runCommand?: (command: string, options: { signal: AbortSignal }) => Promise<CommandResult>;
  /**
   * Why environment variables may be invisible here (Deno without `--allow-env`), or `undefined`.
   * Errors about a missing variable quote it, so "not set" is never blamed on the user.
   */
  readonly envRestriction?: string;
}

/**
 * What {@link RuntimeEnv.envRestriction} says on Deno when it refused to show variables that were asked for
 * (no `--allow-env`, or one that does not list them), from either transport: `/deno` and Deno's
 * Node-compatible `process` alike.
 *
 * @param refused the variables Deno refused, in the order they were asked for
 * @returns the sentence, naming them and the three ways out; `undefined` when none was refused
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { denoRefusedVariables } from "./runtime-env.ts";
 *
 * assert.match(denoRefusedVariables(["AWS_REGION"])!, /^Deno refused to show the environment variable AWS_REGION/);
 * assert.equal(denoRefusedVariables(new Set()), undefined);
 * ```
 */
export function denoRefusedVariables(refused: Iterable<string>): string | undefined {
  const names = [...refused];
  if (names.length === 0) return undefined;
  const one = names.length === 1;
  const which = `the environment variable${one ? "" : "s"} ${names.join(", ")}`;
  const them = one ? "it" : "them";
  return `Deno refused to show ${which} (no --allow-env for ${them}): run deno with --allow-env, or list ${them} ` +
    "(--allow-env=NAME,…), or pass env: runtimeEnv({ env: { … } }) in the options";
}

/**
 * Options for {@link runtimeEnv}.
 *
 * @example A Worker's bindings as the environment
 * ```ts
 * import assert from "node:assert/strict";
 * import { runtimeEnv, type RuntimeEnvOptions } from "@mongo-auth/core";
 *
 * const bindings = { AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "secret" };
 * const options: RuntimeEnvOptions = { env: bindings };
 * assert.equal(runtimeEnv(options).readTextFile, undefined); // no files, as in a Worker
 * ```
 */
export interface RuntimeEnvOptions {
  /** Environment variables (for Workers: your bindings). Default: none. */
  env?: Readonly<Record<string, string | undefined>>;
  /** File reader. Default: none (file-based sources report that they need one). */
  readTextFile?: (path: string) => Promise<string>;
  /** Home directory. Default: `env.HOME` or `env.USERPROFILE`. */
  homeDir?: string;
  /** `fetch`. Default: the global `fetch`. */
  fetch?: FetchLike;
  /** Clock. Default: `Date.now`. */
  now?: () => number;
  /** Command runner (see {@link RuntimeEnv.runCommand}). Default: none. */
  runCommand?: (command: string, options: { signal: AbortSignal }) => Promise<CommandResult>;
  /** Why environment variables may be invisible (see {@link RuntimeEnv.envRestriction}). Default: none. */
  envRestriction?: string;
}

/**
 * Builds a {@link RuntimeEnv} from plain values: what tests and Workers use, and what each
 * transport's default is made of.
 *
 * @param options the pieces to use; anything left out has a web-platform default
 * @returns the environment
 * @example Variables and a clock of your own
 * ```ts
 * import assert from "node:assert/strict";
 * import { runtimeEnv } from "@mongo-auth/core";
 *
 * const env = runtimeEnv({ env: { HOME: "/home/ada" }, now: () => 0 });
 * assert.equal(env.homeDir, "/home/ada");
 * assert.equal(env.now(), 0);
 * ```
 */
export function runtimeEnv(given?: RuntimeEnvOptions): RuntimeEnv {
  const options = checkOptions(given, "runtimeEnv()", RUNTIME_ENV_OPTION_CHECKS);
  const vars = options.env ?? {};
  return {
    getEnv: (name) => vars[name],
    readTextFile: options.readTextFile,
    homeDir: options.homeDir ?? vars.HOME ?? vars.USERPROFILE,
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    now: options.now ?? (() => Date.now()),
    runCommand: options.runCommand,
    envRestriction: options.envRestriction,
  };
}

const RUNTIME_ENV_OPTION_CHECKS = optionChecks({
  env: IS.object,
  readTextFile: IS.function,
  homeDir: IS.string,
  fetch: IS.function,
  now: IS.function,
  runCommand: IS.function,
  envRestriction: IS.string,
});

/**
 * Whether `value` can serve as a {@link RuntimeEnv}: `getEnv`, `fetch` and `now` are functions, and
 * `readTextFile` and `runCommand`, when there, are too. What an `env` option is checked with.
 *
 * @param value an `env` option
 * @returns whether it is one
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isRuntimeEnv, runtimeEnv } from "./runtime-env.ts";
 *
 * assert.equal(isRuntimeEnv(runtimeEnv({ env: { HOME: "/home/app" } })), true);
 * assert.equal(isRuntimeEnv({ HOME: "/home/app" }), false); // variables alone: wrap them in runtimeEnv()
 * ```
 */
export function isRuntimeEnv(value: unknown): value is RuntimeEnv {
  const env = value as Record<string, unknown> | null;
  return typeof env === "object" && env !== null && typeof env.getEnv === "function" &&
    typeof env.fetch === "function" && typeof env.now === "function" &&
    (env.readTextFile === undefined || typeof env.readTextFile === "function") &&
    (env.runCommand === undefined || typeof env.runCommand === "function");
}

/** The check of an `env` option, for {@link checkOptions}. */
export const RUNTIME_ENV_CHECK: OptionCheck = [
  isRuntimeEnv,
  "a RuntimeEnv with getEnv, fetch and now (runtimeEnv({ env, fetch }) builds one)",
];

const runtimeDefaults = new WeakSet<RuntimeEnv>();
const envIds = new WeakMap<RuntimeEnv, number>();
let nextEnvId = 1;

/**
 * Marks `env` as the runtime's own (the process environment, files and global `fetch`): every env a
 * transport builds this way reads the same process, so credentials they produce share one cache scope.
 * For transports only.
 *
 * @param env the env a transport built
 * @returns the same env
 * @internal
 */
export function asRuntimeDefault(env: RuntimeEnv): RuntimeEnv {
  runtimeDefaults.add(env);
  return env;
}

/**
 * Which cache scope credentials produced from `env` belong to: one for the runtime's own env, one per
 * object otherwise. Temporary AWS credentials and `ENVIRONMENT` OIDC tokens are cached under it, so two
 * tenants with their own env in one process never get each other's identity.
 *
 * @param env the env the credentials came from
 * @returns a scope name (no secret: it names the object, never its contents)
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { envScope, runtimeEnv } from "./runtime-env.ts";
 *
 * const a = runtimeEnv({ env: { AWS_ROLE_ARN: "arn:a" } });
 * const b = runtimeEnv({ env: { AWS_ROLE_ARN: "arn:b" } });
 * assert.notEqual(envScope(a), envScope(b));
 * assert.equal(envScope(a), envScope(a));
 * ```
 */
export function envScope(env: RuntimeEnv): string {
  if (runtimeDefaults.has(env)) return "env:runtime";
  let id = envIds.get(env);
  if (id === undefined) envIds.set(env, id = nextEnvId++);
  return `env#${id}`;
}
