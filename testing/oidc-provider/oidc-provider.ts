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
): Promise<RunningIdentityProvider> {
  const fixture = join(repoRoot(), "testing", "oidc-provider", "fixture.mjs");
  const child = spawn("node", [fixture, JSON.stringify(settings)], { stdio: ["pipe", "pipe", "pipe"] });
  let output = "";
  child.stderr!.on("data", (chunk) => (output += chunk));
  const ready = await new Promise<{ issuer: string; clientId: string; audience: string }>(
    (resolve, reject) => {
      let buffered = "";
      const onData = (chunk: Buffer) => {
        buffered += chunk;
        for (const line of buffered.split("\n").slice(0, -1)) {
          if (!line.startsWith("{")) continue;
          child.stdout!.off("data", onData);
          resolve(JSON.parse(line));
          return;
        }
      };
      child.stdout!.on("data", onData);
      child.once("error", reject);
      child.once("exit", (code) => reject(new Error(`oidc-provider fixture exited (${code}): ${output}`)));
    },
  );
  child.stdout!.resume();
  return {
    ...ready,
    grants: async () => (await (await fetch(`${ready.issuer}/__events`)).json()) as string[],
    close: () => stop(child),
  };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.stdin!.end();
    child.kill("SIGTERM");
  });
}
