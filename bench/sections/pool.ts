// Sections 4 and 5: pool warm-up — 100 connections of one user opened at once, each running one ping —
// with our connect() and with the official `mongodb` driver (maxPoolSize 100, maxConnecting 100,
// 100 concurrent pings), against the same reference server in a child process. Every run uses a
// user of its own (own salt), so both clients start with cold key caches. While each run goes, a
// 1 ms interval timer records the longest event-loop gap (section 5), and the client's main-thread CPU
// is metered (bench/support/cpu.ts). mongo-auth runs with its default maxConnecting (100) unless
// `--max-connecting=N` says otherwise.
import { MongoClient } from "mongodb";
import { AuthCacheStore, connectWith, ScramKeyCache, type Transport } from "../../mod.ts";
import { pairedRatio, type Plan, stats } from "../support/measure.ts";
import type { Row } from "../support/report.ts";
import type { Environment } from "../support/runtime.ts";
import { startServerProcess } from "../support/server-process.ts";
import { idleStall, startStallProbe } from "../support/stall.ts";
import { CPU_METER, startCpuMeter } from "../support/cpu.ts";
import { bareLogin } from "../support/bare-client.ts";

const POOL = 100;
const PASSWORD = "pool-pw";

// One client's pool: one cache store (with its own, cold, SCRAM key cache) for all 100 connections.
async function warmUpOurs(
  transport: Transport,
  uri: string,
  maxConnecting: number | undefined,
): Promise<{ ms: number; computations: number }> {
  const scramKeyCache = new ScramKeyCache();
  const cacheStore = new AuthCacheStore({ scramKeyCache });
  const started = performance.now();
  const conns = await Promise.all(Array.from({ length: POOL }, async () => {
    const conn = await connectWith(transport, uri, { cacheStore, maxConnecting });
    await conn.command("admin", { ping: 1 });
    return conn;
  }));
  const ms = performance.now() - started;
  await Promise.all(conns.map((conn) => conn.close()));
  return { ms, computations: scramKeyCache.computations };
}

// The floor under both: the same three messages from a bare client (bench/support/bare-client.ts).
async function warmUpBare(address: string, user: string): Promise<number> {
  const cache = new ScramKeyCache();
  const started = performance.now();
  const conns = await Promise.all(
    Array.from({ length: POOL }, () => bareLogin(address, user, PASSWORD, cache)),
  );
  const ms = performance.now() - started;
  for (const conn of conns) conn.close();
  return ms;
}

async function warmUpDriver(uri: string): Promise<{ ms: number; connections: number }> {
  const client = new MongoClient(uri, { maxPoolSize: POOL, maxConnecting: POOL, directConnection: true });
  let connections = 0;
  client.on("connectionReady", () => connections++);
  try {
    await client.connect(); // server discovery (its monitor's hello), not timed
    const started = performance.now();
    await Promise.all(Array.from({ length: POOL }, () => client.db("admin").command({ ping: 1 })));
    return { ms: performance.now() - started, connections };
  } finally {
    await client.close();
  }
}

/**
 * Runs the pool warm-ups, ours and the driver's alternately, with the stall probe on.
 *
 * @param plan run count (warm-up runs are not timed)
 * @param transport the runtime's transport
 * @param env runtime (the server process runs on the same one)
 * @param root the repository root
 * @param maxConnecting mongo-auth's maxConnecting (its default when undefined)
 * @returns the pool rows and the stall rows
 */
export async function poolSection(
  plan: Plan,
  transport: Transport,
  env: Environment,
  root: URL,
  maxConnecting?: number,
): Promise<Row[]> {
  const total = plan.warmup + plan.runs;
  const users = Array.from({ length: total }, (_, i) => [`ours${i}`, `driver${i}`, `bare${i}`]).flat();
  const server = await startServerProcess(env, root, {
    users: users.map((user) => ({ db: "admin", user, password: PASSWORD, mechanisms: ["SCRAM-SHA-256"] })),
  });
  const uri = (user: string) =>
    `mongodb://${user}:${PASSWORD}@${server.address}/?authMechanism=SCRAM-SHA-256`;
  const ours: number[] = [], driver: number[] = [], computations: number[] = [], driverConns: number[] = [];
  const ourStall: number[] = [], driverStall: number[] = [], idle: number[] = [];
  const ourCpu: number[] = [], driverCpu: number[] = [];
  const bare: number[] = [], bareCpu: number[] = [];
  try {
    for (let i = 0; i < total; i++) {
      const timed = i >= plan.warmup;
      const quiet = await idleStall(100);
      let probe = startStallProbe();
      let cpu = startCpuMeter();
      const a = await warmUpOurs(transport, uri(`ours${i}`), maxConnecting);
      const cpuA = cpu.stop();
      const stallA = probe.stop();
      probe = startStallProbe();
      cpu = startCpuMeter();
      const b = await warmUpDriver(uri(`driver${i}`));
      const cpuB = cpu.stop();
      const stallB = probe.stop();
      cpu = startCpuMeter();
      const c = await warmUpBare(server.address, `bare${i}`);
      const cpuC = cpu.stop();
      if (!timed) continue;
      bare.push(c), bareCpu.push(cpuC);
      ours.push(a.ms), computations.push(a.computations), ourStall.push(stallA), ourCpu.push(cpuA);
      driver.push(b.ms), driverConns.push(b.connections), driverStall.push(stallB), idle.push(quiet);
      driverCpu.push(cpuB);
    }
  } finally {
    await server.close();
  }
  const ratio = pairedRatio(ours, driver);
  const cpuRatio = pairedRatio(ourCpu, driverCpu);
  const stallRatio = pairedRatio(ourStall, driverStall);
  const bound = maxConnecting === undefined ? "default maxConnecting" : `maxConnecting ${maxConnecting}`;
  const pbkdf2 = stats(computations);
  const longest = stats(ourStall);
  return [
    {
      section: "pool",
      name: `mongo-auth connect() ×100 + ping (${bound})`,
      ...stats(ours),
      ratio,
      ratioOf: "driver",
      target: env.runtime === "bun" ? "<= 0.65" : "<= 0.5",
      met: ratio <= (env.runtime === "bun" ? 0.65 : 0.5),
      note: `PBKDF2 computations per warm-up: ${[...new Set(computations)].join("/")}`,
    },
    {
      section: "pool",
      name: "PBKDF2 computations (ScramKeyCache.computations)",
      ...pbkdf2,
      unit: "count",
      target: "1",
      met: computations.every((n) => n === 1),
    },
    {
      section: "pool",
      name: "mongodb driver, 100 concurrent pings (maxPoolSize 100, maxConnecting 100)",
      ...stats(driver),
      note: `connections opened: ${[...new Set(driverConns)].join("/")}`,
    },
    {
      section: "pool",
      name: "mongo-auth's main-thread CPU during its warm-up",
      ...stats(ourCpu),
      ratio: cpuRatio,
      ratioOf: "driver's main-thread CPU, same run",
      target: "<= 0.4",
      met: cpuRatio <= 0.4,
      note: `measured with ${CPU_METER}`,
    },
    { section: "pool", name: "the driver's main-thread CPU during its warm-up", ...stats(driverCpu) },
    {
      section: "pool",
      name: "bare protocol client ×100 (the same three messages, no connect() machinery: the floor)",
      ...stats(bare),
      ratio: pairedRatio(bare, driver),
      ratioOf: "driver",
      note: "bench/support/bare-client.ts",
    },
    {
      section: "pool",
      name: "the bare client's main-thread CPU",
      ...stats(bareCpu),
      ratio: pairedRatio(bareCpu, driverCpu),
      ratioOf: "driver's main-thread CPU, same run",
    },
    {
      section: "stall",
      name: "during mongo-auth's pool warm-up (100 connections: sockets, hello, auth, ping)",
      ...longest,
      ratio: stallRatio,
      ratioOf: "the driver's stall, same run",
      target: "<= 0.5",
      met: stallRatio <= 0.5,
      note: "per run: longest gap",
    },
    { section: "stall", name: "during the driver's pool warm-up (same work)", ...stats(driverStall) },
    { section: "stall", name: "idle, 100 ms before each pool run (the machine's floor)", ...stats(idle) },
  ];
}
