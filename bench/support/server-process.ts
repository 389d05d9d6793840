// The reference server (testing/reference-server/main.ts) in a child process of the same runtime, so that its
// work does not run on the benchmark's event loop (which the pool and stall sections time).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import type { ServerConfig } from "../../testing/reference-server/config.ts";
import type { Environment } from "./runtime.ts";

/** A reference server running in a child process. */
export interface ServerProcess {
  /** "127.0.0.1:PORT" */
  readonly address: string;
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
  config: ServerConfig,
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
  const child = spawn(process.execPath, [...args, "--config", configFile], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const address = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Uint8Array) => {
      out += new TextDecoder().decode(chunk);
      const match = /listening (\S+)/.exec(out);
      if (match) resolve(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`reference server exited with ${code} before listening`)));
  });
  return {
    address,
    async close() {
      child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
