// The reference server (testing/reference-server/main.ts) in a child process of the same runtime, so that its
// work does not run on the benchmark's event loop (which the pool and stall sections time).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import type { ServerConfig } from "../../testing/reference-server/config.ts";
import type { ReplicaSetConfig } from "../../testing/reference-server/replica-set.ts";
import type { ShardedClusterConfig } from "../../testing/reference-server/sharded.ts";
import { lineReader } from "../../testing/lines.ts";
import type { Environment } from "./runtime.ts";

/** What one server of the child process has counted so far (testing/reference-server/main.ts --stats). */
export interface ServerCounters {
  readonly address: string;
  readonly connectionsOpened: number;
  readonly hellos: number;
  readonly authSuccesses: number;
}

/** A reference server running in a child process. */
export interface ServerProcess {
  /** "127.0.0.1:PORT", or a replica set's seed list */
  readonly address: string;
  /** The child process's id. */
  readonly pid: number;
  /** Each server's counters now (a replica set's members in order). */
  counters(): Promise<ServerCounters[]>;
  close(): Promise<void>;
}

/**
 * Starts the reference server with `config` in a child process and waits for "listening".
 *
 * @param env which runtime to start it with (the benchmark's own)
 * @param root the repository root
 * @param config the server configuration
 * @returns its address and a way to stop it
 */
export async function startServerProcess(
  env: Environment,
  root: URL,
  config: ServerConfig | ReplicaSetConfig | ShardedClusterConfig,
): Promise<ServerProcess> {
  const dir = mkdtempSync(join(tmpdir(), "mongo-auth-bench-"));
  const configFile = join(dir, "server.json");
  writeFileSync(configFile, JSON.stringify(config));
  const path = (p: string) => fileURLToPath(new URL(p, root));
  const args = env.runtime === "deno"
    ? ["run", "-A", path("testing/reference-server/main.ts")]
    : env.runtime === "bun"
    ? [path("testing/reference-server/main.ts")]
    : [path("dist/testing/reference-server/main.js")];
  const child = spawn(process.execPath, [...args, "--stats", "--config", configFile], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  // Its output, line by line: "listening …" once, then one "stats …" per request.
  const waiting: Array<(line: string) => void> = [];
  child.stdout!.on("data", lineReader((line) => waiting.shift()?.(line)));
  const nextLine = () => new Promise<string>((resolve) => waiting.push(resolve));
  const address = await new Promise<string>((resolve, reject) => {
    nextLine().then((line) => {
      const match = /^listening (\S+)/.exec(line);
      if (match) resolve(match[1]);
      else reject(new Error(`reference server said ${line}`));
    });
    child.once("exit", (code) => reject(new Error(`reference server exited with ${code} before listening`)));
  });
  return {
    address,
    pid: child.pid!,
    async counters() {
      const line = nextLine();
      child.stdin!.write("stats\n");
      return JSON.parse((await line).slice("stats ".length)) as ServerCounters[];
    },
    async close() {
      child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
