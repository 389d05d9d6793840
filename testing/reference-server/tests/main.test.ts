// The reference server's command line, run by this runtime as a user or a benchmark runs it: a replica set
// config starts the set and prints its seed list; with --stats, each "stats" line on standard input is answered
// with every server's counters, so that another process can read what its clients did.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { repoRoot } from "../../paths.ts";
import { lineReader } from "../../lines.ts";
import { RawClient } from "./raw-client.ts";

const runtime = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";

function serverCommand(args: string[]): string[] {
  const main = (path: string) => join(repoRoot(), path);
  if (runtime === "deno") return ["run", "-A", main("testing/reference-server/main.ts"), ...args];
  if (runtime === "bun") return [main("testing/reference-server/main.ts"), ...args];
  return [main("dist/testing/reference-server/main.js"), ...args];
}

/** The child's standard output, line by line, each awaited in turn (bounded). */
function lines(child: ChildProcess): () => Promise<string> {
  const queue: string[] = [];
  const waiting: Array<(line: string) => void> = [];
  child.stdout!.on(
    "data",
    lineReader((line) => {
      const waiter = waiting.shift();
      if (waiter) waiter(line);
      else queue.push(line);
    }),
  );
  return () => {
    const line = queue.shift();
    if (line !== undefined) return Promise.resolve(line);
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no line from the server within 20 s")), 20_000);
      waiting.push((next) => {
        clearTimeout(timer);
        resolve(next);
      });
    });
  };
}

async function helloAt(address: string) {
  const client = await RawClient.open(Number(address.split(":")[1]));
  try {
    return await client.msg({ hello: 1, $db: "admin" });
  } finally {
    client.close();
  }
}

describe(`reference server command line (${runtime})`, () => {
  let dir: string;
  let child: ChildProcess;
  let nextLine: () => Promise<string>;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "reference-server-main-"));
    const config = join(dir, "set.json");
    writeFileSync(config, JSON.stringify({ setName: "rs9", members: [{}, {}, {}], users: [] }));
    const cluster = join(dir, "cluster.json");
    writeFileSync(cluster, JSON.stringify({ mongoses: 2, users: [] }));
    child = spawn(process.execPath, serverCommand(["--stats", "--config", config, "--config", cluster]), {
      stdio: ["pipe", "pipe", "inherit"],
    });
    nextLine = lines(child);
  });
  after(async () => {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
    rmSync(dir, { recursive: true, force: true });
  });

  it("starts a replica set from a config with setName and members, and prints its seed list", async () => {
    const line = await nextLine();
    const match = /^listening (\S+) \(.*set\.json\)$/.exec(line);
    assert.ok(match, line);
    const seeds = match[1].split(",");
    assert.equal(seeds.length, 3);
    const hello = await helloAt(seeds[1]);
    assert.equal(hello?.setName, "rs9");
    assert.equal(hello?.secondary, true);
    assert.deepEqual([...(hello?.hosts as string[])].sort(), [...seeds].sort());
  });

  it("starts the mongoses of a sharded cluster from a config with mongoses, and prints their addresses", async () => {
    const line = await nextLine();
    const match = /^listening (\S+) \(.*cluster\.json\)$/.exec(line);
    assert.ok(match, line);
    const addresses = match[1].split(",");
    assert.equal(addresses.length, 2);
    assert.equal((await helloAt(addresses[0]))?.msg, "isdbgrid");
  });

  it("answers a stats line with each server's counters: the hellos just sent are counted where they arrived", async () => {
    child.stdin!.write("stats\n");
    const line = await nextLine();
    assert.match(line, /^stats /);
    const counters = JSON.parse(line.slice("stats ".length)) as Array<Record<string, number | string>>;
    assert.equal(counters.length, 5);
    assert.deepEqual(counters.map((c) => [c.connectionsOpened, c.hellos, c.authSuccesses]), [
      [0, 0, 0],
      [1, 1, 0],
      [0, 0, 0],
      [1, 1, 0],
      [0, 0, 0],
    ]);
  });
});
