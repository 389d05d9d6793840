// Section 11: what the longest event-loop gap of section 4's pool warm-ups is made of. The same warm-ups
// (connect() ×100, the embedded conversation taking the handshake steps, the official driver) take turns
// against a reference server in a child process, under a stall probe that reads the main thread's run-queue
// clock at every tick (Linux): how long of the longest gap the main thread was ready to run but had no core;
// and per warm-up, the CPU of the client's other threads (the runtime's compiler and collector, WebCrypto's
// and I/O threads) and of the server process, which share the machine's cores with it. The probe's reads
// cost the main thread a file read a millisecond: sections 4 and 5 time without them.
import process from "node:process";
import { handshakeStepsFor, type Transport } from "../../mod.ts";
import { pairedRatio, type Plan, roundOrder, stats } from "../support/measure.ts";
import type { Row } from "../support/report.ts";
import type { Environment } from "../support/runtime.ts";
import { startServerProcess } from "../support/server-process.ts";
import { type GapAnatomy, idleStall, startGapAnatomyProbe } from "../support/stall.ts";
import { schedulerTimes, threadsCpuMs } from "../support/cpu.ts";
import { warmUpDriver, warmUpEmbedded, warmUpOurs } from "./pool.ts";

const PASSWORD = "anatomy-pw";
const CASES = ["connect()", "embedded", "driver"] as const;
type Case = (typeof CASES)[number];

/** One warm-up: its longest gap, split, and the CPU the machine's other threads spent meanwhile. */
interface Sample extends GapAnatomy {
  readonly helpersMs: number;
  readonly serverMs: number;
}

/**
 * Runs the three warm-ups in turns under the splitting probe.
 *
 * @param plan run count (warm-up rounds are not counted)
 * @param transport the runtime's transport
 * @param env runtime (the server process runs on the same one)
 * @param root the repository root
 * @returns the section's rows; none where the scheduler's clocks cannot be read (not Linux)
 */
export async function stallAnatomySection(
  plan: Plan,
  transport: Transport,
  env: Environment,
  root: URL,
): Promise<Row[]> {
  if (schedulerTimes() === undefined) {
    console.error(
      "stall-anatomy: no per-thread scheduler clocks here (/proc/thread-self/schedstat); skipped",
    );
    return [];
  }
  const total = plan.warmup + plan.runs;
  const users = Array.from({ length: total }, (_, i) => CASES.map((_, c) => `anatomy${c}x${i}`)).flat();
  const server = await startServerProcess(env, root, {
    users: users.map((user) => ({ db: "admin", user, password: PASSWORD, mechanisms: ["SCRAM-SHA-256"] })),
  });
  const uri = (c: Case, i: number) =>
    `mongodb://anatomy${CASES.indexOf(c)}x${i}:${PASSWORD}@${server.address}/?authMechanism=SCRAM-SHA-256`;
  const warmUps: Record<Case, (i: number) => Promise<unknown>> = {
    "connect()": (i) => warmUpOurs(transport, uri("connect()", i), undefined),
    embedded: (i) =>
      warmUpEmbedded(transport, server.address, uri("embedded", i), handshakeStepsFor(transport)),
    driver: (i) => warmUpDriver(uri("driver", i)),
  };
  const samples: Record<Case, Sample[]> = { "connect()": [], embedded: [], driver: [] };
  try {
    for (let i = 0; i < total; i++) {
      await idleStall(100);
      for (const name of roundOrder(CASES, i)) {
        const sample = await measured(() => warmUps[name](i), server.pid);
        if (i >= plan.warmup && sample) samples[name].push(sample);
      }
    }
  } finally {
    await server.close();
  }
  return CASES.flatMap((name) => rowsOf(name, samples[name]));
}

async function measured(warmUp: () => Promise<unknown>, serverPid: number): Promise<Sample | undefined> {
  const clientBefore = threadsCpuMs(process.pid);
  const serverBefore = threadsCpuMs(serverPid);
  const probe = startGapAnatomyProbe();
  await warmUp();
  const gap = probe.stop();
  if (!gap) return undefined;
  // The main thread's id is the process's.
  const helpersMs = spentSince(clientBefore, threadsCpuMs(process.pid), String(process.pid));
  return { ...gap, helpersMs, serverMs: spentSince(serverBefore, threadsCpuMs(serverPid)) };
}

// The CPU the threads spent between two readings, the thread `except` aside; threads born between them count
// from zero.
function spentSince(before: Map<string, number>, after: Map<string, number>, except?: string): number {
  let spent = 0;
  for (const [id, ms] of after) if (id !== except) spent += ms - (before.get(id) ?? 0);
  return spent;
}

// How each case is named in the rows.
const LABELS: Record<Case, string> = {
  "connect()": "connect() ×100",
  embedded: "embedded, taking the steps",
  driver: "the driver",
};

function rowsOf(name: Case, samples: readonly Sample[]): Row[] {
  const section = "stall-anatomy";
  const label = LABELS[name];
  const gaps = samples.map((s) => s.gapMs);
  const waits = samples.map((s) => s.waitMs);
  return [
    { section, name: `${label}: longest gap`, ...stats(gaps) },
    {
      section,
      name: `${label}: of it, the main thread waiting for a core (run queue)`,
      ...stats(waits),
      ratio: pairedRatio(waits, gaps),
      ratioOf: "the gap",
    },
    {
      section,
      name: `${label}: the client's other threads, CPU during the warm-up`,
      ...stats(samples.map((s) => s.helpersMs)),
    },
    {
      section,
      name: `${label}: the server process, CPU during the warm-up`,
      ...stats(samples.map((s) => s.serverMs)),
    },
  ];
}
