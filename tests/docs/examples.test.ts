// The documentation's examples, run: every block marked `runnable=` for this runtime is executed as a
// program, as a user would run it, against reference servers started from the README's "try it
// locally" fixtures (on free ports: 127.0.0.1:27117 and :27118 in the block become the real addresses).
// A block passes when it exits 0 on its own, which it only does when it closes its connections. The
// README's table of connection strings is logged in with, row by row. Blocks for workerd run in workerd,
// from the Node.js suite.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { promisify } from "node:util";
import { connectWith, runtimeEnv } from "@mongo-auth/core";
import { readConfigFile } from "../../testing/reference-server/config.ts";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import { fixturePath, repoRoot } from "../../testing/paths.ts";
import { runtime, transports } from "../support/transports.ts";
import { bundleWorker } from "../e2e/workerd/bundle.ts";
import { workerdConfig } from "../e2e/workerd/config.ts";
import { freePort, startWorkerd, stopWorkerd } from "../e2e/workerd/workerd-process.ts";
import { allCodeBlocks, blockName, type CodeBlock } from "./blocks.ts";

const run = promisify(execFile);
const RUN_TIMEOUT_MS = 60_000;
const PLAIN = "127.0.0.1:27117";
const TLS = "127.0.0.1:27118";

let plain: RunningServer;
let tls: RunningServer;
const withAddresses = (text: string) => text.replaceAll(PLAIN, plain.address).replaceAll(TLS, tls.address);
const dir = join(repoRoot(), ".test-tmp", `doc-examples-${runtime}`);

before(async () => {
  const local = (name: string) => ({ ...readConfigFile(fixturePath(`server/${name}`)), port: 0 });
  plain = await startServer(local("local.json"));
  tls = await startServer(local("local-x509.json"));
  mkdirSync(dir, { recursive: true });
});
after(() => Promise.all([plain.close(), tls.close()]));

/** Runs one block as a program of this runtime, from the repository root; resolves to its output. */
async function runBlock(block: CodeBlock): Promise<string> {
  const source = join(dir, `${blockName(block)}.${block.lang.startsWith("t") ? "ts" : "mjs"}`);
  writeFileSync(source, withAddresses(block.code));
  let command: string[];
  if (runtime === "deno") {
    const flags = block.denoFlags.length > 0 ? block.denoFlags : ["--allow-net"];
    command = [process.execPath, "run", "--no-prompt", ...flags, source];
  } else if (runtime === "bun") {
    command = [process.execPath, source];
  } else if (source.endsWith(".mjs")) {
    command = [process.execPath, source];
  } else {
    // Node.js runs JavaScript: strip the types, keep the imports (they resolve to this package's dist/).
    const js = source.replace(/\.ts$/, ".mjs");
    await run(join(repoRoot(), "node_modules", ".bin", "esbuild"), [
      source,
      "--format=esm",
      "--platform=node",
      "--log-level=warning",
      `--outfile=${js}`,
    ]);
    command = [process.execPath, js];
  }
  const { stdout, stderr } = await run(command[0], command.slice(1), {
    cwd: repoRoot(),
    timeout: RUN_TIMEOUT_MS,
    killSignal: "SIGKILL",
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NO_COLOR: "1" },
  }).catch((err: { code?: unknown; killed?: boolean; stdout?: string; stderr?: string }) => {
    const why = err.killed
      ? `did not exit within ${RUN_TIMEOUT_MS} ms (a connection left open?)`
      : `exit ${err.code}`;
    throw new Error(`${block.file}:${block.line} ${why}\n${err.stdout ?? ""}\n${err.stderr ?? ""}`);
  });
  return stdout + stderr;
}

/** Serves a Worker-module block in workerd with MONGODB_URI bound, and asks it GET /. */
async function runWorkerBlock(block: CodeBlock): Promise<{ status: number; body: string }> {
  const folder = join(dir, blockName(block));
  mkdirSync(folder, { recursive: true });
  const source = join(folder, "index.ts");
  writeFileSync(source, withAddresses(block.code));
  await bundleWorker(join(folder, "worker.js"), source); // as wrangler would bundle it
  const port = await freePort();
  writeFileSync(
    join(folder, "config.capnp"),
    workerdConfig({
      port,
      bundle: "worker.js",
      bindings: { MONGODB_URI: `mongodb://alice:alice-pw@${plain.address}/` },
    }),
  );
  const workerd = await startWorkerd(folder, port);
  try {
    const response = await fetch(`http://127.0.0.1:${port}/`, {
      signal: AbortSignal.timeout(RUN_TIMEOUT_MS),
    });
    return { status: response.status, body: await response.text() };
  } finally {
    await stopWorkerd(workerd);
  }
}

describe(`documentation examples (${runtime})`, () => {
  const blocks = allCodeBlocks();
  const mine = blocks.filter((b) => b.runnable.includes(runtime));
  const workerBlocks = runtime === "node" ? blocks.filter((b) => b.runnable.includes("workerd")) : [];

  it("has runnable examples for this runtime", () => {
    assert.ok(mine.length >= 5, `only ${mine.length}`);
  });

  for (const block of mine) {
    it(`${block.file}:${block.line} runs and exits on its own`, async () => {
      const output = await runBlock(block);
      assert.doesNotMatch(output, /MongoAuthError|Uncaught|TypeError/, output);
    });
  }

  for (const block of workerBlocks) {
    it(`${block.file}:${block.line} serves a request in workerd`, async () => {
      const { status, body } = await runWorkerBlock(block);
      assert.equal(status, 200, body);
      assert.match(body, /"authenticatedUsers":\[\{"user":"alice","db":"admin"\}\]/);
    });
  }
});

describe(`README: the "try it locally" connection strings (${runtime})`, () => {
  const readme = readFileSync(join(repoRoot(), "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Try it locally"), readme.indexOf("## Mechanisms"));
  const rows = [...section.matchAll(/^\| ([A-Z0-9-]+) +\| `(mongodb:\/\/[^`]+)`(.*)\|$/gm)].map((m) => ({
    mechanism: m[1],
    uri: m[2],
    env: Object.fromEntries([...m[3].matchAll(/`([A-Z_]+)=([^`]+)`/g)].map((e) => [e[1], e[2]])),
  }));

  it("has a row for every mechanism but GSSAPI", () => {
    assert.deepEqual(rows.map((r) => r.mechanism).sort(), [
      "MONGODB-AWS",
      "MONGODB-OIDC",
      "MONGODB-X509",
      "PLAIN",
      "SCRAM-SHA-1",
      "SCRAM-SHA-256",
    ]);
  });

  for (const row of rows) {
    it(`${row.mechanism} logs in with the README's string against the fixtures`, async () => {
      for (const { transport } of await transports()) {
        const env = runtimeEnv({
          env: row.env,
          readTextFile: (path) => readFile(join(repoRoot(), path), "utf8"),
        });
        const conn = await connectWith(transport, withAddresses(row.uri), { env });
        try {
          assert.equal(conn.handshake.mechanism, row.mechanism);
          const status = await conn.command("admin", { connectionStatus: 1 });
          assert.equal((status.authInfo as { authenticatedUsers: unknown[] }).authenticatedUsers.length, 1);
        } finally {
          await conn.close();
        }
      }
    });
  }
});
