// Starts ./fixture.mjs (panva's oidc-provider, a real OpenID Connect identity provider) as a Node.js
// child process on loopback, from any of the three runtimes, and stops it. For the human sign-in's
// tests and the demo; like the rest of testing/, it uses nothing of the library.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "../paths.ts";

/** What the fixture is started with (see the fixture's header). */
export interface IdentityProviderSettings {
  /** The public client's ID. Default "mongo-auth-cli". */
  clientId?: string;
  /** The audience of the access tokens. Default "api://mongo-auth-reference-server". */
  audience?: string;
  /** Access token lifetime in seconds. Default 3600. */
  accessTokenTtl?: number;
  /** Device code lifetime in seconds. Default 600. */
  deviceCodeTtl?: number;
  /** The `interval` of device authorization responses, in seconds. Default 1. */
  pollInterval?: number;
}

/** A running identity provider. */
export interface RunningIdentityProvider {
  /** `http://127.0.0.1:PORT`. */
  readonly issuer: string;
  /** The public client's ID. */
  readonly clientId: string;
  /** The access tokens' audience. */
  readonly audience: string;
  /** The grant types the token endpoint issued tokens for, in order. */
  grants(): Promise<string[]>;
  /** Stops the process. */
  close(): Promise<void>;
}

/**
 * Starts oidc-provider with `settings`; resolves once it listens.
 * @param settings client, audience, lifetimes
 * @returns the running provider
 */
export async function startIdentityProvider(
  settings: IdentityProviderSettings = {},
  startup: FixtureStartup = {},
): Promise<RunningIdentityProvider> {
  // A Node.js child has been seen to hang before it listens (its main thread parked, once in a CI run
  // of hundreds): the wait is bounded, and a hung start is killed and tried once more.
  for (let attempt = 1;; attempt++) {
    const child = spawnFixture(settings, startup.fixture);
    try {
      const ready = await readyLine(child.process, startup.timeoutMS ?? STARTUP_TIMEOUT_MS, child.stderr);
      child.process.stdout!.resume();
      return {
        ...ready,
        grants: async () => (await (await fetch(`${ready.issuer}/__events`)).json()) as string[],
        close: () => stop(child.process),
      };
    } catch (err) {
      // A hung process may not run its SIGTERM handler: SIGKILL.
      await stop(child.process, err instanceof StartupTimeout ? "SIGKILL" : "SIGTERM");
      if (attempt === 2 || !(err instanceof StartupTimeout)) throw err;
    }
  }
}

/** For the start's own test: another fixture script, a shorter wait. */
export interface FixtureStartup {
  /** The script `node` runs. Default: ./fixture.mjs. */
  fixture?: string;
  /** How long to wait for its ready line, per attempt. Default 20 000 ms. */
  timeoutMS?: number;
}

/** How long the fixture may take to print its ready line (it takes well under a second). */
const STARTUP_TIMEOUT_MS = 20_000;

class StartupTimeout extends Error {}

function spawnFixture(
  settings: IdentityProviderSettings,
  fixture = join(repoRoot(), "testing", "oidc-provider", "fixture.mjs"),
): { process: ChildProcess; stderr: () => string } {
  const child = spawn("node", [fixture, JSON.stringify(settings)], { stdio: ["pipe", "pipe", "pipe"] });
  let output = "";
  child.stderr!.on("data", (chunk) => (output += chunk));
  return { process: child, stderr: () => output };
}

// The fixture's one JSON line, once it listens.
function readyLine(
  child: ChildProcess,
  timeoutMS: number,
  stderr: () => string,
): Promise<{ issuer: string; clientId: string; audience: string }> {
  return new Promise((resolve, reject) => {
    let buffered = "";
    const timer = setTimeout(() => {
      child.stdout!.off("data", onData);
      reject(new StartupTimeout(`oidc-provider fixture printed nothing in ${timeoutMS} ms: ${stderr()}`));
    }, timeoutMS);
    const onData = (chunk: Buffer) => {
      buffered += chunk;
      for (const line of buffered.split("\n").slice(0, -1)) {
        if (!line.startsWith("{")) continue;
        clearTimeout(timer);
        child.stdout!.off("data", onData);
        resolve(JSON.parse(line));
        return;
      }
    };
    child.stdout!.on("data", onData);
    child.once("error", (err) => (clearTimeout(timer), reject(err)));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`oidc-provider fixture exited (${code}): ${stderr()}`));
    });
  });
}

function stop(child: ChildProcess, signal: "SIGTERM" | "SIGKILL" = "SIGTERM"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.stdin!.end();
    child.kill(signal);
  });
}
