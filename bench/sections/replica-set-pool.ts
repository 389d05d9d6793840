// Section 9: the pool warm-up against a replica set of three — 100 connections of one user (SCRAM-SHA-256),
// each running one ping, read from the primary and with `nearest` — and against three mongoses (all seeds, no
// `replicaSet`), all alike or one of them 30 ms further (a failpoint holds each of its replies that long), with
// our connect() all at once, with our connect() once and then 99 at once (a pool that grows after its first
// connection), and with the official `mongodb` driver (its connect(), then 100 pings: its pools and a monitor
// per server), in turns, against the reference server in a child process. Besides the wall time, the sockets
// the servers accepted while each warm-up ran: what a deployment pays for a pool's discovery. No target.
import { MongoClient, ReadPreference } from "mongodb";
import { connectWith, type Transport } from "../../mod.ts";
import { pairedRatio, type Plan, roundOrder, stats } from "../support/measure.ts";
import type { Row } from "../support/report.ts";
import type { Environment } from "../support/runtime.ts";
import { type ServerProcess, startServerProcess } from "../support/server-process.ts";
import { warmUpOurs } from "./pool.ts";

const POOL = 100;
const PASSWORD = "rs-pool-pw";
/** A replica set read from the primary, or with nearest; three mongoses alike, or one of them further. */
const MODES = ["primary", "nearest", "mongoses", "far-mongos"] as const;
type Mode = (typeof MODES)[number];
/** How much further the far mongos is: each of its replies is held this long. */
const FAR_MS = 30;
const DEPLOYMENTS: Record<Mode, string> = {
  primary: "replica set of 3, read preference primary",
  nearest: "replica set of 3, read preference nearest",
  mongoses: "3 mongoses",
  "far-mongos": `3 mongoses, one ${FAR_MS} ms further`,
};
const CASES = ["burst", "grown", "driver"] as const;
type Case = (typeof CASES)[number];

const LABELS: Record<Case, string> = {
  burst: "connect() ×100 at once",
  grown: "connect() once, then ×99",
  driver: "the driver",
};

/** One warm-up: its wall time, and the sockets the servers (and the far mongos) accepted meanwhile. */
interface Sample {
  readonly ms: number;
  readonly sockets: number;
  /** Of those, the first server's: the far mongos, where there is one. */
  readonly far: number;
}

// The driver's cold start: its monitors' discovery, then 100 pings, which open its pool on the member the
// read preference selects.
async function warmUpDriver(uri: string, mode: Mode): Promise<number> {
  const client = new MongoClient(uri, { maxPoolSize: POOL, maxConnecting: POOL });
  try {
    const started = performance.now();
    await client.connect();
    const readPreference = new ReadPreference(mode === "nearest" ? "nearest" : "primary");
    await Promise.all(
      Array.from({ length: POOL }, () => client.db("admin").command({ ping: 1 }, { readPreference })),
    );
    return performance.now() - started;
  } finally {
    await client.close();
  }
}

// A mongos further away than the others: a failpoint holds every reply of a connection's handshake and its
// ping (and the driver's monitor's hellos) for FAR_MS. Set through a direct connection of one of the users.
async function holdReplies(transport: Transport, address: string, user: string): Promise<void> {
  const uri = `mongodb://${user}:${PASSWORD}@${address}/?directConnection=true&authMechanism=SCRAM-SHA-256`;
  const conn = await connectWith(transport, uri);
  try {
    await conn.command("admin", {
      configureFailPoint: "failCommand",
      mode: "alwaysOn",
      data: {
        failCommands: ["hello", "isMaster", "saslStart", "saslContinue", "ping"],
        blockConnection: true,
        blockTimeMS: FAR_MS,
      },
    });
  } finally {
    await conn.close();
  }
}

/** The sockets the servers of one process (the set's members, or the mongoses) have accepted: all, and the first's. */
async function socketsAccepted(server: ServerProcess): Promise<{ all: number; first: number }> {
  const counters = await server.counters();
  const all = counters.reduce((sum, member) => sum + member.connectionsOpened, 0);
  return { all, first: counters[0].connectionsOpened };
}

/**
 * Runs the replica set warm-ups (connect() at once, connect() after a first, the driver) in turns, for each
 * read preference.
 *
 * @param plan run count (warm-up runs are not timed)
 * @param transport the runtime's transport
 * @param env runtime (the server process runs on the same one)
 * @param root the repository root
 * @returns the rows
 */
export async function replicaSetPoolSection(
  plan: Plan,
  transport: Transport,
  env: Environment,
  root: URL,
): Promise<Row[]> {
  const total = plan.warmup + plan.runs;
  const user = (mode: Mode, name: Case, round: number) => `rs-${mode}-${name}${round}`;
  const users = MODES.flatMap((mode) =>
    Array.from({ length: total }, (_, round) => CASES.map((name) => user(mode, name, round))).flat()
  );
  const userConfigs = users.map((name) => ({
    db: "admin",
    user: name,
    password: PASSWORD,
    mechanisms: ["SCRAM-SHA-256"],
  }));
  const replicaSet = await startServerProcess(env, root, {
    setName: "bench0",
    members: [{}, {}, {}],
    users: userConfigs,
  });
  const started: ServerProcess[] = [replicaSet];
  let mongoses: ServerProcess, farMongoses: ServerProcess;
  try {
    started.push(mongoses = await startServerProcess(env, root, { mongoses: 3, users: userConfigs }));
    started.push(farMongoses = await startServerProcess(env, root, { mongoses: 3, users: userConfigs }));
    await holdReplies(transport, farMongoses.address.split(",")[0], user("far-mongos", "driver", 0));
  } catch (error) {
    await Promise.all(started.map((server) => server.close()));
    throw error;
  }
  const serverOf = (mode: Mode) =>
    mode === "mongoses" ? mongoses : mode === "far-mongos" ? farMongoses : replicaSet;
  const uri = (name: string, mode: Mode) =>
    mode === "mongoses" || mode === "far-mongos"
      ? `mongodb://${name}:${PASSWORD}@${serverOf(mode).address}/?authMechanism=SCRAM-SHA-256`
      : `mongodb://${name}:${PASSWORD}@${replicaSet.address}/?replicaSet=bench0&authMechanism=SCRAM-SHA-256` +
        `&readPreference=${mode}`;
  const samples = Object.fromEntries(
    MODES.map((mode) => [mode, Object.fromEntries(CASES.map((name) => [name, [] as Sample[]]))]),
  ) as Record<Mode, Record<Case, Sample[]>>;
  const run: Record<Case, (mode: Mode, round: number) => Promise<number>> = {
    burst: async (mode, round) =>
      (await warmUpOurs(transport, uri(user(mode, "burst", round), mode), undefined)).ms,
    grown: async (mode, round) =>
      (await warmUpOurs(transport, uri(user(mode, "grown", round), mode), undefined, true)).ms,
    driver: (mode, round) => warmUpDriver(uri(user(mode, "driver", round), mode), mode),
  };
  try {
    for (let round = 0; round < total; round++) {
      for (const mode of MODES) {
        for (const name of roundOrder(CASES, round)) {
          const before = await socketsAccepted(serverOf(mode));
          const ms = await run[name](mode, round);
          const after = await socketsAccepted(serverOf(mode));
          const [sockets, far] = [after.all - before.all, after.first - before.first];
          if (round >= plan.warmup) samples[mode][name].push({ ms, sockets, far });
        }
      }
    }
  } finally {
    await Promise.all(started.map((server) => server.close()));
  }
  return MODES.flatMap((mode) => rowsOf(mode, samples[mode]));
}

function rowsOf(mode: Mode, samples: Record<Case, Sample[]>): Row[] {
  const ms = (name: Case) => samples[name].map((s) => s.ms);
  const sockets = (name: Case) => stats(samples[name].map((s) => s.sockets));
  const what = DEPLOYMENTS[mode];
  const onFar = (name: Case) =>
    mode === "far-mongos" ? `, ${stats(samples[name].map((s) => s.far)).median} on the far mongos` : "";
  return [
    {
      section: "replica-set-pool",
      name: `mongo-auth connect() ×100 at once + ping, ${what}`,
      ...stats(ms("burst")),
      ratio: pairedRatio(ms("burst"), ms("driver")),
      ratioOf: "driver",
      note: `sockets accepted: ${sockets("burst").median}${onFar("burst")} (median)`,
    },
    {
      section: "replica-set-pool",
      name: `mongo-auth connect() once, then ×99 at once + ping, ${what}`,
      ...stats(ms("grown")),
      ratio: pairedRatio(ms("grown"), ms("driver")),
      ratioOf: "driver",
      note: `sockets accepted: ${sockets("grown").median}${onFar("grown")} (median)`,
    },
    {
      section: "replica-set-pool",
      name: `mongodb driver connect() + 100 pings, ${what}`,
      ...stats(ms("driver")),
      note: `sockets accepted: ${sockets("driver").median}${onFar("driver")} (median)`,
    },
    ...CASES.map((name): Row => ({
      section: "replica-set-pool",
      name: `sockets accepted: ${LABELS[name]}, ${what}`,
      ...sockets(name),
      unit: "count",
    })),
  ];
}
