// The real CLI as a user runs it, in this runtime: `deno run -A cli.ts`, `node dist/cli.js`, `bun cli.ts`.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import process from "node:process";
import { join } from "node:path";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import { repoRoot } from "../../testing/paths.ts";
import { runtime } from "../support/transports.ts";

function cliCommand(): string[] {
  const root = repoRoot();
  if (runtime === "deno") return [process.execPath, "run", "-A", join(root, "cli.ts")];
  if (runtime === "bun") return [process.execPath, join(root, "cli.ts")];
  return [process.execPath, join(root, "dist", "cli.js")];
}

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const [cmd, ...rest] = cliCommand();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, [...rest, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe(`mongo-auth whoami (${runtime})`, () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({
      users: [{ db: "admin", user: "alice", password: "s3cret-pw", mechanisms: ["SCRAM-SHA-256"] }],
    });
  });
  after(() => server.close());

  it("prints who we are and exits 0", async () => {
    const { code, stdout } = await run(["whoami", `mongodb://alice:s3cret-pw@${server.address}/`]);
    assert.equal(code, 0);
    assert.match(stdout, /user\s+alice/);
    assert.match(stdout, /mechanism\s+SCRAM-SHA-256 \(speculative\)/);
    assert.match(stdout, /round trips\s+2/);
    assert.doesNotMatch(stdout, /s3cret-pw/);
  });

  it("exits 1 with a clear message and never echoes the password", async () => {
    const { code, stdout, stderr } = await run(["whoami", `mongodb://alice:wrong-pw-123@${server.address}/`]);
    assert.equal(code, 1);
    assert.match(stderr, /AUTHENTICATION_FAILED/);
    assert.doesNotMatch(stdout + stderr, /wrong-pw-123/);
  });

  it("refuses an appName over 128 bytes before connecting (mongod would refuse the handshake: 184)", async () => {
    const opened = server.stats.connectionsOpened;
    const { code, stderr } = await run([
      "whoami",
      `mongodb://alice:s3cret-pw@${server.address}/?appName=${"a".repeat(200)}`,
    ]);
    assert.equal(code, 1);
    assert.match(stderr, /INVALID_OPTION: option appName must be at most 128 bytes/);
    assert.equal(server.stats.connectionsOpened, opened);
  });

  it("exits 2 with usage for a bad invocation", async () => {
    const { code, stderr } = await run(["whoareyou"]);
    assert.equal(code, 2);
    assert.match(stderr, /usage/);
  });
});
