// Sections 4 and 5: pool warm-up — 100 connections of one user opened at once, each running one ping —
// with our connect(), with our conversation embedded in a pool of one's own (what a driver author pays; with
// the handshake steps docs/driver-authors.md shows, and all at once), and with the official `mongodb` driver
// (its connect(), then 100 concurrent pings; maxPoolSize 100, maxConnecting 100), against the same reference
// server in a child process. Every run uses a user of its own (own salt), so every client starts with a cold
// key cache, and every warm-up is timed from its start. While each run goes, a 1 ms interval timer records
// the longest event-loop gap (section 5), and the client's main-thread CPU is metered (bench/support/cpu.ts).
// mongo-auth runs with its default maxConnecting (100) unless `--max-connecting=N` says otherwise.
import { MongoClient } from "mongodb";
import {
  AuthCacheStore,
  beginAuthentication,
  connectWith,
  handshakeStepsFor,
  parseCredential,
  ScramKeyCache,
  type Transport,
  type TurnBudget,
  WireConnection,
} from "../../mod.ts";
import { pairedRatio, type Plan, roundOrder, stats } from "../support/measure.ts";
import type { Row } from "../support/report.ts";
import type { Environment } from "../support/runtime.ts";
import { startServerProcess } from "../support/server-process.ts";
import { parseAddress } from "../../src/topology/server-description.ts";
import { idleStall, startStallProbe } from "../support/stall.ts";
import { CPU_METER, startCpuMeter } from "../support/cpu.ts";
import { bareLogin } from "../support/bare-client.ts";

/** Connections per warm-up. */
export const POOL = 100;
const PASSWORD = "pool-pw";

/** What a warm-up uses of a build of the library: this one, or another revision's (bench/compare.ts). */
export interface Library {
  readonly connectWith: typeof connectWith;
  readonly AuthCacheStore: typeof AuthCacheStore;
  readonly ScramKeyCache: typeof ScramKeyCache;
}

const THIS_LIBRARY: Library = { connectWith, AuthCacheStore, ScramKeyCache };

/**
 * One client's pool: one cache store (with its own, cold, SCRAM key cache) for all 100 connections.
 *
 * @param transport the runtime's transport
 * @param uri the connection string
 * @param maxConnecting mongo-auth's maxConnecting (its default when undefined)
 * @param firstAlone open one connection (and ping) before the other 99, as a pool that grows after its first
 * @param library the build to warm up (this one unless given)
 * @returns the warm-up's wall time and its PBKDF2 computations
 */
export async function warmUpOurs(
  transport: Transport,
  uri: string,
  maxConnecting: number | undefined,
  firstAlone = false,
  { connectWith, AuthCacheStore, ScramKeyCache }: Library = THIS_LIBRARY,
): Promise<{ ms: number; computations: number }> {
  const scramKeyCache = new ScramKeyCache();
  const cacheStore = new AuthCacheStore({ scramKeyCache });
  const open = async () => {
    const conn = await connectWith(transport, uri, { cacheStore, maxConnecting });
    await conn.command("admin", { ping: 1 });
    return conn;
  };
  const started = performance.now();
  const conns = firstAlone ? [await open()] : [];
  conns.push(...await Promise.all(Array.from({ length: POOL - conns.length }, open)));
  const ms = performance.now() - started;
  await Promise.all(conns.map((conn) => conn.close()));
  return { ms, computations: scramKeyCache.computations };
}

/**
 * A driver author's pool with our conversation embedded: the credential parsed once per client, and per
 * connection the runtime's socket, our WireConnection, beginAuthentication and complete; no connect() (no
 * connection string, discovery, deadline, trace). With `steps`, each connection takes the four handshake
 * steps connect() takes, from the process's budget, as docs/driver-authors.md shows a driver's pool doing.
 *
 * @param transport the runtime's transport
 * @param address the server, `host:port`
 * @param uri the connection string the credential comes from
 * @param steps the handshake steps' budget, if any
 * @returns the warm-up's wall time
 */
export async function warmUpEmbedded(
  transport: Transport,
  address: string,
  uri: string,
  steps?: TurnBudget,
): Promise<number> {
  const credential = parseCredential(uri)!;
  const cacheStore = new AuthCacheStore({ scramKeyCache: new ScramKeyCache() });
  const { host, port } = parseAddress(address);
  const client = { driver: { name: "pool", version: "1" }, os: { type: "unknown" }, platform: "bench" };
  const started = performance.now();
  const wires = await Promise.all(Array.from({ length: POOL }, async () => {
    await steps?.step(); // before opening the socket
    const socket = await transport.openSocket({ host, port, signal: AbortSignal.timeout(10_000) });
    await steps?.step(); // once it is open
    const wire = new WireConnection(socket, { peer: address });
    const auth = await beginAuthentication(credential, { cacheStore });
    const hello = await wire.command("admin", { hello: 1, helloOk: true, client, ...auth.helloFields });
    await steps?.step(); // after hello
    await auth.complete(wire, hello);
    await steps?.step(); // after authentication
    await wire.command("admin", { ping: 1 });
    return wire;
  }));
  const ms = performance.now() - started;
  await Promise.all(wires.map((wire) => wire.close()));
  return ms;
}

// The floor under all: the same three messages from a bare client (bench/support/bare-client.ts).
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

/**
 * The driver's cold start, timed whole, as ours is: client.connect() is its server discovery (its monitor's
 * hello) and, with a credential, its first pool connection, authenticated (Topology.connect checks one out),
 * so its PBKDF2 runs there; the 100 pings then open the other 99.
 *
 * @param uri the connection string
 * @returns the warm-up's wall time, and the connections made ready while timed
 */
export async function warmUpDriver(uri: string): Promise<{ ms: number; connections: number }> {
  const client = new MongoClient(uri, { maxPoolSize: POOL, maxConnecting: POOL, directConnection: true });
  let connections = 0;
  let timing = false;
  client.on("connectionReady", () => timing && connections++);
  try {
    const started = performance.now();
    timing = true;
    await client.connect();
    await Promise.all(Array.from({ length: POOL }, () => client.db("admin").command({ ping: 1 })));
    return { ms: performance.now() - started, connections };
  } finally {
    await client.close();
  }
}

/**
 * Runs the pool warm-ups (connect(), the driver, the embedded conversation with and without handshake steps,
 * the bare client) in turns, with the stall probe on.
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
  // Each case's round i logs in as a user of its own, `${case}${i}`.
  const order = ["ours", "driver", "embedded", "embeddedAtOnce", "bare"] as const;
  const users = Array.from({ length: total }, (_, i) => order.map((name) => `${name}${i}`)).flat();
  const server = await startServerProcess(env, root, {
    users: users.map((user) => ({ db: "admin", user, password: PASSWORD, mechanisms: ["SCRAM-SHA-256"] })),
  });
  const uri = (user: string) =>
    `mongodb://${user}:${PASSWORD}@${server.address}/?authMechanism=SCRAM-SHA-256`;
  const computations: number[] = [], driverConns: number[] = [], idle: number[] = [];
  // Each case's timed warm-ups: wall time, main-thread CPU and longest event-loop gap, round by round.
  const samples = {} as Record<(typeof order)[number], Record<"ms" | "cpu" | "stall", number[]>>;
  for (const name of order) samples[name] = { ms: [], cpu: [], stall: [] };
  // Each warm-up leaves garbage that the next one may have to collect: the rounds rotate the order.
  const cases: Record<(typeof order)[number], (i: number) => Promise<number>> = {
    ours: async (i: number) => {
      const { ms, computations: n } = await warmUpOurs(transport, uri(`ours${i}`), maxConnecting);
      computations.push(n);
      return ms;
    },
    driver: async (i: number) => {
      const { ms, connections } = await warmUpDriver(uri(`driver${i}`));
      driverConns.push(connections);
      return ms;
    },
    embedded: (i: number) =>
      warmUpEmbedded(transport, server.address, uri(`embedded${i}`), handshakeStepsFor(transport)),
    embeddedAtOnce: (i: number) => warmUpEmbedded(transport, server.address, uri(`embeddedAtOnce${i}`)),
    bare: (i: number) => warmUpBare(server.address, `bare${i}`),
  };
  try {
    for (let i = 0; i < total; i++) {
      const timed = i >= plan.warmup;
      const quiet = await idleStall(100);
      const round: Partial<Record<keyof typeof cases, { ms: number; cpu: number; stall: number }>> = {};
      for (const name of roundOrder(order, i)) {
        const probe = startStallProbe();
        const cpu = startCpuMeter();
        const ms = await cases[name](i);
        round[name] = { ms, cpu: cpu.stop(), stall: probe.stop() };
      }
      if (!timed) {
        computations.pop(), driverConns.pop();
        continue;
      }
      for (const name of order) {
        const { ms, cpu, stall } = round[name]!;
        samples[name].ms.push(ms), samples[name].cpu.push(cpu), samples[name].stall.push(stall);
      }
      idle.push(quiet);
    }
  } finally {
    await server.close();
  }
  const { ms: ours, cpu: ourCpu, stall: ourStall } = samples.ours;
  const { ms: driver, cpu: driverCpu, stall: driverStall } = samples.driver;
  const { ms: embedded, cpu: embeddedCpu, stall: embeddedStall } = samples.embedded;
  const { ms: atOnce, cpu: atOnceCpu, stall: atOnceStall } = samples.embeddedAtOnce;
  const { ms: bare, cpu: bareCpu } = samples.bare;
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
      name: "mongodb driver, connect() + 100 concurrent pings (maxPoolSize 100, maxConnecting 100)",
      ...stats(driver),
    },
    {
      section: "pool",
      name: "the driver's connections made ready while timed (connectionReady)",
      ...stats(driverConns),
      unit: "count",
      target: String(POOL),
      met: driverConns.every((n) => n === POOL),
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
      name: "mongo-auth embedded in a pool of one's own ×100 (beginAuthentication/complete, no connect())",
      ...stats(embedded),
      ratio: pairedRatio(embedded, driver),
      ratioOf: "driver",
      note: "what a driver author who embeds the conversation pays, taking handshakeStepsFor()'s steps",
    },
    {
      section: "pool",
      name: "the embedded conversation's main-thread CPU",
      ...stats(embeddedCpu),
      ratio: pairedRatio(embeddedCpu, driverCpu),
      ratioOf: "driver's main-thread CPU, same run",
    },
    {
      section: "pool",
      name: "the same, all handshakes at once (no handshake steps)",
      ...stats(atOnce),
      ratio: pairedRatio(atOnce, driver),
      ratioOf: "driver",
    },
    {
      section: "pool",
      name: "its main-thread CPU",
      ...stats(atOnceCpu),
      ratio: pairedRatio(atOnceCpu, driverCpu),
      ratioOf: "driver's main-thread CPU, same run",
    },
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
    {
      section: "stall",
      name: "during the embedded conversation's warm-up, taking handshakeStepsFor()'s steps",
      ...stats(embeddedStall),
      ratio: pairedRatio(embeddedStall, driverStall),
      ratioOf: "the driver's stall, same run",
    },
    {
      section: "stall",
      name: "during the embedded conversation's warm-up, all handshakes at once",
      ...stats(atOnceStall),
      ratio: pairedRatio(atOnceStall, driverStall),
      ratioOf: "the driver's stall, same run",
    },
    { section: "stall", name: "during the driver's pool warm-up (same work)", ...stats(driverStall) },
    { section: "stall", name: "idle, 100 ms before each pool run (the machine's floor)", ...stats(idle) },
  ];
}
