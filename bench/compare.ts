/**
 * Compares the pool warm-up (`connect()` ×100 of one user and a ping each, as section 4 times it) of two
 * builds of the library in one process, against one reference server: the working tree's build (`dist/`)
 * and the build of another revision, made in a temporary git worktree. The two take turns, each warm-up with
 * a user of its own (a cold key cache), so that both run under the same load; the paired ratios of their
 * wall time and main-thread CPU say whether a change made the library slower, which a table taken days
 * apart cannot.
 *
 *   npm run bench:compare -- <revision> [--runs=N] [--quick]
 *   npm run build && deno run -A bench/compare.ts <revision>      (or: bun bench/compare.ts <revision>)
 *
 * `<revision>` is anything git names a commit by (`HEAD`, `main~3`, a hash); that revision needs
 * `bench/support/transport.ts` (every revision since the benchmark's pool section has it).
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Transport } from "../mod.ts";
import { startCpuMeter } from "./support/cpu.ts";
import { pairedRatio, roundOrder, stats } from "./support/measure.ts";
import { args, environment, repoRoot } from "./support/runtime.ts";
import { startServerProcess } from "./support/server-process.ts";
import { type Library, POOL, warmUpOurs } from "./sections/pool.ts";

const PASSWORD = "compare-pw";

/** A build of the library, and the runtime's transport from the same build. */
interface Build extends Library {
  readonly transport: Transport;
}

const argv = args();
const revision = argv.find((a) => !a.startsWith("--"));
const quick = argv.includes("--quick");
const runs = Number(argv.find((a) => a.startsWith("--runs="))?.slice("--runs=".length) ?? (quick ? 4 : 60));
if (revision === undefined || !Number.isSafeInteger(runs) || runs < 1) {
  console.error("usage: compare <revision> [--runs=N] [--quick]   (e.g. npm run bench:compare -- HEAD~1)");
  process.exit(2);
}
const root = fileURLToPath(repoRoot());
const current = join(root, "dist");
if (!existsSync(join(current, "mod.js"))) {
  console.error("no build of the working tree in dist/: run npm run build first");
  process.exit(2);
}

const workdir = mkdtempSync(join(tmpdir(), "mongo-auth-compare-"));
const other = join(workdir, "tree");
try {
  buildRevision(revision, other);
  await compare(await load(current), await load(join(other, "dist")), revision, runs);
} finally {
  run("git", ["-C", root, "worktree", "remove", "--force", other], { allowFailure: true });
  rmSync(workdir, { recursive: true, force: true });
  run("git", ["-C", root, "worktree", "prune"], { allowFailure: true });
}

// Checks the revision out beside the working tree and compiles it with the working tree's TypeScript.
function buildRevision(rev: string, into: string): void {
  run("git", ["-C", root, "worktree", "add", "--detach", into, rev]);
  symlinkSync(join(root, "node_modules"), join(into, "node_modules"), "dir");
  run(environment().runtime === "node" ? process.execPath : "node", [
    join(root, "node_modules", "typescript", "bin", "tsc"),
    "-p",
    join(into, "tsconfig.json"),
  ]);
}

function run(command: string, commandArgs: string[], { allowFailure = false } = {}): void {
  const result = spawnSync(command, commandArgs, { stdio: ["ignore", "ignore", "inherit"] });
  if (result.status !== 0 && !allowFailure) {
    throw new Error(`${command} ${commandArgs.join(" ")} failed (exit ${result.status ?? result.error})`);
  }
}

async function load(dist: string): Promise<Build> {
  const mod = await import(pathToFileURL(join(dist, "mod.js")).href);
  const { nativeTransport } = await import(
    pathToFileURL(join(dist, "bench", "support", "transport.js")).href
  );
  return {
    connectWith: mod.connectWith,
    AuthCacheStore: mod.AuthCacheStore,
    ScramKeyCache: mod.ScramKeyCache,
    transport: await nativeTransport(),
  };
}

async function compare(ours: Build, theirs: Build, rev: string, rounds: number): Promise<void> {
  const env = environment();
  const users = Array.from({ length: 2 * rounds + 2 }, (_, i) => ({
    db: "admin",
    user: `compare${i}`,
    password: PASSWORD,
    mechanisms: ["SCRAM-SHA-256"],
  }));
  const server = await startServerProcess(env, repoRoot(), { users });
  let next = 0;
  const warmUp = async (build: Build) => {
    const uri = `mongodb://compare${next++}:${PASSWORD}@${server.address}/?authMechanism=SCRAM-SHA-256`;
    return (await warmUpOurs(build.transport, uri, undefined, false, build)).ms;
  };
  try {
    await warmUp(ours), await warmUp(theirs); // JIT and sockets warm, not timed
    const wall = { ours: [] as number[], theirs: [] as number[] };
    const cpu = { ours: [] as number[], theirs: [] as number[] };
    for (let round = 0; round < rounds; round++) {
      // Taking turns: neither always runs right after the other's garbage.
      for (const side of roundOrder(["ours", "theirs"] as const, round)) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        const meter = startCpuMeter();
        wall[side].push(await warmUp(side === "ours" ? ours : theirs));
        cpu[side].push(meter.stop());
      }
    }
    const ms = (values: number[]) => `${stats(values).median.toFixed(1)} ms`;
    console.log(
      `${env.runtime} ${env.version}: connect() ×${POOL} + ping, ${rounds} warm-ups each, taking turns`,
    );
    console.log(`| build | wall (median) | main-thread CPU (median) |`);
    console.log(`| --- | ---: | ---: |`);
    console.log(`| working tree (dist/) | ${ms(wall.ours)} | ${ms(cpu.ours)} |`);
    console.log(`| ${rev} | ${ms(wall.theirs)} | ${ms(cpu.theirs)} |`);
    console.log(
      `working tree ÷ ${rev}, paired: wall ${pairedRatio(wall.ours, wall.theirs).toFixed(3)}, ` +
        `CPU ${pairedRatio(cpu.ours, cpu.theirs).toFixed(3)}`,
    );
  } finally {
    await server.close();
  }
}
