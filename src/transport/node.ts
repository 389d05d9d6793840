/**
 * `connect()` for Node.js and Bun: sockets from `node:net`/`node:tls`, DNS from `node:dns`.
 *
 * @example
 * ```ts ignore
 * import { connect } from "@mongo-auth/core/node";
 *
 * const conn = await connect("mongodb://alice:s3cret@127.0.0.1:27017/?authSource=admin");
 * await conn.command("admin", { connectionStatus: 1 });
 * await conn.close();
 * ```
 *
 * @module
 */
import dns from "node:dns/promises";
import os from "node:os";
import process from "node:process";
import { readFile } from "node:fs/promises";
import type { ConnectOptions } from "../client/options.ts";
import { connectWith } from "../client/connect.ts";
import { timerFairImmediate } from "./immediate-turn.ts";
import type { Connection } from "../client/connection.ts";
import { MongoAuthError } from "../core/errors.ts";
import { onAbort, raceAbort, throwIfAborted } from "../core/abort.ts";
import { asRuntimeDefault, type RuntimeEnv, runtimeEnv } from "../core/runtime-env.ts";
import { runShellCommand } from "./run-command.ts";
import {
  type AwsCredentialProviderOptions,
  createAwsCredentialProvider,
} from "../mechanisms/aws/credentials/provider.ts";
import type { AwsCredentialProvider } from "../credential/aws.ts";
import type { Transport } from "../client/transport.ts";
import type { SrvRecord } from "../dns/resolver.ts";
import { nodeSocketCapabilities, openNodeSocket } from "./node-socket.ts";
import { nodeZstd } from "./zstd.ts";
import type { OidcCallback } from "../credential/oidc-callback.ts";
import {
  createHumanCallback as createSignIn,
  type HumanCallbackOptions,
} from "../mechanisms/oidc/human/human-callback.ts";
import { listenLoopbackNode } from "./loopback-listener-node.ts";
import { describeNodeHost } from "./host-description-node.ts";
import type { HostDescription } from "../client/handshake.ts";
import { grantedVariables } from "./host-description-deno.ts";

const isBun = typeof (globalThis as { Bun?: { version: string } }).Bun !== "undefined";
// Deno runs this entry point too (its node: modules), in tests and for TLS with a pinned CA.
const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";
const isNodeJs = !isBun && !isDeno;

/**
 * Connects to MongoDB and authenticates, on Node.js or Bun.
 *
 * @param uri a `mongodb://` or `mongodb+srv://` connection string
 * @param options MongoClient-style options (they win over the connection string's)
 * @returns the authenticated connection
 * @throws {MongoAuthError} see `connectWith`
 */
export function connect(uri: string, options?: ConnectOptions): Promise<Connection> {
  return connectWith(nodeTransport, uri, options);
}

/**
 * The runtime environment from `process.env`, `node:fs`, the global `fetch` and `node:child_process` (for
 * commands). Variables and the home directory are read when a credential source asks, so SCRAM and X509
 * never touch them. On Deno (which runs this entry point too) a variable is read only when Deno grants it,
 * as `denoEnv()` reads it, so that Deno never prompts; the home directory is then `HOME`, not
 * `os.homedir()` (which asks for `--allow-sys`).
 *
 * @returns the environment
 * @example
 * ```ts ignore
 * import { nodeEnv } from "@mongo-auth/core/node";
 *
 * console.log(nodeEnv().getEnv("AWS_REGION"), nodeEnv().homeDir);
 * ```
 */
export function nodeEnv(): RuntimeEnv {
  const base = runtimeEnv({ readTextFile: (path) => readFile(path, "utf8"), runCommand: runShellCommand });
  // Deno's node:process would ask for a variable its --allow-env does not grant (in a terminal, a prompt for
  // each), and os.homedir() for --allow-sys: on Deno the variables are read as denoEnv() reads them.
  const variables = isDeno ? grantedVariables() : undefined;
  return asRuntimeDefault({
    ...base,
    getEnv: variables ? variables.get : (name) => process.env[name],
    get homeDir() {
      return variables ? variables.homeDir() : os.homedir();
    },
    get envRestriction() {
      return variables?.restriction();
    },
  });
}

// On Node.js an immediate is a later turn in which the due timers have run: libuv runs them at the start of
// every loop iteration, before the immediates. It has no timer's 1 ms floor between turns (a pool warm-up of
// 100 connections took 0.89 x the time, bench/README.md). Bun and Deno ran immediates ahead of due timers.
function nextImmediate(run: () => void): void {
  setImmediate(run);
}

// On Bun and Deno an immediate made timerFair, the one the Deno transport uses: with a timer tick between
// turns (about 1.15 ms on Bun, 2 ms on Deno) a pool warm-up of 100 connections took 1.3 x the time on Bun,
// and through this transport on Deno about twice the time (bench/README.md).
const nextTurn = isNodeJs ? nextImmediate : timerFairImmediate;

// The transport's env, made once: every read through it is live (variables, home directory, files), and
// making it again for each connection cost 2.5 µs on Node.js 20.
let processEnv: RuntimeEnv | undefined;

// Made by a call marked pure, so that a bundle which takes only the human sign-in from this module leaves
// the sockets out (tests/bundle.test.ts).
/** The Node.js/Bun transport, for `connectWith` and tests. */
export const nodeTransport: Transport = /* @__PURE__ */ makeNodeTransport();

// Read once, when the first connection's client metadata is built.
let host: HostDescription | undefined;

function makeNodeTransport(): Transport {
  return {
    platform: isBun
      ? `Bun ${(globalThis as unknown as { Bun: { version: string } }).Bun.version}`
      : `Node.js ${process.version}`,
    osType: os.type(),
    describeHost: () => host ??= describeNodeHost(),
    capabilities: nodeSocketCapabilities(),
    openSocket: openNodeSocket,
    resolveSrv: async (name, signal) =>
      (await lookup(name, signal, (resolver) => resolver.resolveSrv(name)))
        .map((r): SrvRecord => ({ name: r.name, port: r.port })),
    resolveTxt: isBun
      ? resolveTxtOnBun
      : (name, signal) => lookup(name, signal, (resolver) => resolver.resolveTxt(name)),
    defaultEnv: () => processEnv ??= nodeEnv(),
    ...(nextTurn && { nextTurn }),
    zstd: nodeZstd(),
  };
}

// Each lookup on a resolver of its own (asking the servers node:dns/promises is set to), so that its signal
// cancels its queries and nothing else: node:dns retries a silent server for 24–26 s, and a query left
// running would keep the process alive that long after the connect gave up.
async function lookup<T>(
  name: string,
  signal: AbortSignal,
  query: (resolver: dns.Resolver) => Promise<T>,
): Promise<T> {
  const what = `resolving ${name}`;
  throwIfAborted(signal, what);
  const resolver = new dns.Resolver();
  resolver.setServers(dns.getServers());
  const stopListening = onAbort(signal, () => resolver.cancel());
  try {
    return await raceAbort(query(resolver), signal, what);
  } finally {
    stopListening();
  }
}

// Bun's node:dns returns each character-string of a TXT record as a record of its own
// (oven-sh/bun#21370), so one record of several strings and several records look the same. Both are
// rare for mongodb+srv (Atlas publishes one short string); refuse the ambiguous answer and say what works.
async function resolveTxtOnBun(name: string, signal: AbortSignal): Promise<string[][]> {
  const records = await lookup(name, signal, (resolver) => resolver.resolveTxt(name));
  if (records.length < 2) return records;
  throw new MongoAuthError(
    "DNS_ERROR",
    `Bun's node:dns cannot tell several TXT records of ${name} from one record of several strings ` +
      "(oven-sh/bun#21370); resolve with DNS-over-HTTPS instead: connect(uri, { dnsOverHttps: true })",
  );
}

export type { AwsCredentialProviderOptions };

/**
 * The MONGODB-AWS credential chain as a function for the official driver's `AWS_CREDENTIAL_PROVIDER`,
 * reading this runtime's environment variables and files unless `options.env` says otherwise.
 *
 * @param options env, signal, timeout
 * @returns the provider
 * @example
 * ```ts ignore
 * import { MongoClient } from "mongodb";
 * import { awsCredentialProvider } from "@mongo-auth/core/node";
 *
 * const client = new MongoClient("mongodb+srv://cluster.example.net/?authMechanism=MONGODB-AWS", {
 *   authMechanismProperties: { AWS_CREDENTIAL_PROVIDER: awsCredentialProvider() },
 * });
 * ```
 */
export function awsCredentialProvider(options?: AwsCredentialProviderOptions): AwsCredentialProvider {
  // options are checked by createAwsCredentialProvider: an env of the wrong type is INVALID_OPTION there.
  return createAwsCredentialProvider(options?.env ?? nodeEnv(), options);
}
export { fileTokenStore } from "./token-files.ts";
export { openBrowser } from "./open-browser.ts";

/**
 * An `OIDC_HUMAN_CALLBACK` that signs a person in at the identity provider the server names: refresh
 * when it can, otherwise the authorization code flow with PKCE in a browser (`node:http` on 127.0.0.1
 * receives the redirect) or, with `flow: "device"`, the device flow. For `connect()` and for the
 * official `mongodb` driver alike, on Node.js, Bun, and Deno.
 *
 * @param options flow, redirect URI, `openUrl`, token store, timeouts (see `HumanCallbackOptions`)
 * @returns the callback
 * @throws {MongoAuthError} `INVALID_OPTION` for a bad option. The callback throws what the sign-in
 *   can fail with: `OIDC_IDP_UNREACHABLE`, `OIDC_DISCOVERY_FAILED`, `OIDC_SIGN_IN_DECLINED`,
 *   `OIDC_REDIRECT_ERROR`, `OIDC_STATE_MISMATCH`, `OIDC_DEVICE_CODE_EXPIRED`, `CREDENTIAL_PROVIDER_ERROR`,
 *   `TIMEOUT`, `ABORTED`
 *
 * @example The official driver signs the person in with it
 * ```ts
 * import assert from "node:assert/strict";
 * import { MongoClient } from "mongodb";
 * import { createHumanCallback, fileTokenStore, openBrowser } from "@mongo-auth/core/node";
 *
 * const client = new MongoClient("mongodb+srv://cluster0.example.net/?authMechanism=MONGODB-OIDC", {
 *   authMechanismProperties: {
 *     OIDC_HUMAN_CALLBACK: createHumanCallback({ openUrl: openBrowser, store: fileTokenStore() }),
 *   },
 * });
 * // client.connect() asks the callback for a token when the server wants one.
 * assert.equal(typeof client.options.credentials?.mechanismProperties.OIDC_HUMAN_CALLBACK, "function");
 * ```
 */
export function createHumanCallback(options: HumanCallbackOptions = {}): OidcCallback {
  return createSignIn(options, listenLoopbackNode);
}
