// Section 10: Cloudflare Workers. The Worker of bench/workers/worker.ts, bundled from our sources as a Workers
// user's bundler would, is served by the real workerd binary (npm package `workerd`) and logs in to the
// reference server (a child process) with SCRAM-SHA-256, then pings: one connection per request. Each request
// is timed from this process, from its send to its answer's last byte. A cold request is the first one a
// workerd just started answers, PBKDF2 included (beside it, an empty request as a workerd's first); the warm
// ones go to one workerd, taking turns: a user the isolate has not logged in yet (PBKDF2 runs), the same user
// again (the isolate's SCRAM key cache), no credential (hello and ping), and an empty request (the HTTP round
// trip alone).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleWorker } from "../../tests/e2e/workerd/bundle.ts";
import { workerdConfig } from "../../tests/e2e/workerd/config.ts";
import { freePort, startWorkerd, stopWorkerd } from "../../tests/e2e/workerd/workerd-process.ts";
import { interleaved, type Plan, stats } from "../support/measure.ts";
import type { Row } from "../support/report.ts";
import type { Environment } from "../support/runtime.ts";
import { startServerProcess } from "../support/server-process.ts";

const PASSWORD = "workers-pw";
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Cold and warm Worker requests that log in and ping.
 *
 * @param plan warm-up and timed rounds of the warm requests
 * @param coldRuns how many workerd processes to start, one cold request each
 * @param env the runtime (the reference server runs on it)
 * @param root the repository root
 * @returns the rows
 */
export async function workersSection(
  plan: Plan,
  coldRuns: number,
  env: Environment,
  root: URL,
): Promise<Row[]> {
  const names = [
    ...Array.from({ length: coldRuns }, (_, i) => `cold${i}`),
    ...Array.from({ length: plan.warmup + plan.runs }, (_, i) => `fresh${i}`),
    "cached",
  ];
  const users = names.map((user) => ({
    db: "admin",
    user,
    password: PASSWORD,
    mechanisms: ["SCRAM-SHA-256"],
  }));
  const server = await startServerProcess(env, root, { users });
  const dir = await mkdtemp(join(tmpdir(), "mongo-auth-bench-workers-"));
  try {
    await bundleWorker(join(dir, "worker.js"), fileURLToPath(new URL("bench/workers/worker.ts", root)));
    const port = await freePort();
    const bindings = { MONGODB_ADDRESS: server.address, PASSWORD };
    await writeFile(join(dir, "config.capnp"), workerdConfig({ port, bundle: "worker.js", bindings }));
    const ask = (path: string, roundTrips?: number) => request(`http://127.0.0.1:${port}${path}`, roundTrips);

    // Each cold request has a workerd of its own; cold logins and cold empty requests take turns.
    const cold = { login: [] as number[], empty: [] as number[] };
    for (let i = 0; i < 2 * coldRuns; i++) {
      const workerd = await startWorkerd(dir, port);
      try {
        if (i % 2 === 0) cold.login.push(await ask(`/login?user=cold${i / 2}`, 2));
        else cold.empty.push(await ask("/empty"));
      } finally {
        await stopWorkerd(workerd);
      }
    }

    const workerd = await startWorkerd(dir, port);
    try {
      await ask("/login?user=cached", 2);
      let next = 0;
      const warm = await interleaved({
        fresh: () => ask(`/login?user=fresh${next++}`, 2),
        cached: () => ask("/login?user=cached", 2),
        hello: () => ask("/hello", 1),
        empty: () => ask("/empty"),
      }, plan);
      const row = (name: string, samples: number[]): Row => ({ section: "workers", name, ...stats(samples) });
      return [
        row(
          "cold: the first request a workerd just started answers (SCRAM-SHA-256 with PBKDF2, ping)",
          cold.login,
        ),
        row("cold: an empty request as a workerd's first", cold.empty),
        row("warm: a user the isolate has not logged in yet (SCRAM-SHA-256 with PBKDF2, ping)", warm.fresh),
        row("warm: the same user again (SCRAM-SHA-256, the isolate's keys cached, ping)", warm.cached),
        row("warm: no credential (hello, ping)", warm.hello),
        row("an empty request (the HTTP round trip to workerd alone)", warm.empty),
      ];
    } finally {
      await stopWorkerd(workerd);
    }
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

// One request, timed from its send to its answer's last byte. Anything but a 200 with the handshake's round
// trips fails the section: a failed login is not a sample.
async function request(url: string, roundTrips?: number): Promise<number> {
  const started = performance.now();
  const response = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const text = await response.text();
  const ms = performance.now() - started;
  const answer = response.status === 200 ? JSON.parse(text) as { roundTrips?: number } : undefined;
  if (answer?.roundTrips !== roundTrips) {
    throw new Error(`workerd answered ${url} with ${response.status}: ${text}`);
  }
  return ms;
}
