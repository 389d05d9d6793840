// Starting and stopping the workerd binary (npm package `workerd`) around a config in a folder: what
// the Workers proof (run.ts) and the documentation's Workers example (tests/docs/examples.test.ts)
// both need. Ready means the socket accepts connections; stopping escalates to SIGKILL.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { connect as tcpConnect, createServer } from "node:net";
import { join } from "node:path";
import { repoRoot } from "../../../testing/paths.ts";

/** How long workerd may take to listen. */
export const READY_TIMEOUT_MS = 30_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A workerd serving `config.capnp` of a folder. */
export interface WorkerdProcess {
  readonly child: ChildProcess;
  /** The last 8000 characters workerd wrote (stdout and stderr). */
  output(): string;
}

/**
 * A free loopback port (listen on 0, read it, close): workerd needs the port in its config.
 * @returns the port
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `workerd serve config.capnp` in `dir` and waits until it accepts connections on `port`.
 * @param dir the folder with config.capnp and the bundle
 * @param port the port the config listens on
 * @returns the process; stop it with {@link stopWorkerd}
 * @throws Error with workerd's output when it exits or does not listen in time
 */
export async function startWorkerd(dir: string, port: number): Promise<WorkerdProcess> {
  const child = spawn(join(repoRoot(), "node_modules", ".bin", "workerd"), ["serve", "config.capnp"], {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Uint8Array) => (output = (output + new TextDecoder().decode(chunk)).slice(-8000));
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const workerd = { child, output: () => output };
  try {
    await waitForPort(port, child, workerd.output);
  } catch (err) {
    await stopWorkerd(workerd);
    throw err;
  }
  return workerd;
}

/**
 * Stops workerd: SIGTERM, then SIGKILL after 3 s.
 * @param workerd the process
 */
export async function stopWorkerd(workerd: WorkerdProcess): Promise<void> {
  const { child } = workerd;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const stopped = await Promise.race([exited.then(() => true), sleep(3000).then(() => false)]);
  if (!stopped) child.kill("SIGKILL");
}

// Ready = the socket accepts connections. No HTTP request, so the first scenario is the first request.
async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`workerd exited before listening (${child.exitCode ?? child.signalCode}):\n${log()}`);
    }
    const open = await new Promise<boolean>((resolve) => {
      const socket = tcpConnect(port, "127.0.0.1");
      socket.once("connect", () => (socket.destroy(), resolve(true)));
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await sleep(50);
  }
  throw new Error(`workerd did not listen on 127.0.0.1:${port} within ${READY_TIMEOUT_MS} ms:\n${log()}`);
}
