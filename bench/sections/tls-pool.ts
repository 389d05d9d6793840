// Section 8: the pool warm-up over TLS — 100 connections of one user (SCRAM-SHA-256 over TLS, the server's CA
// pinned with tlsCAFile), each running one ping — with our connect() and with the official `mongodb` driver,
// in turns, against the reference server's TLS in a child process: what a deployment that requires TLS (Atlas,
// any private PKI) pays per pool, where every connection also sets up its TLS session. Wall time and the
// client's main-thread CPU, paired per round. No target: issue 16's pool targets are the plain-TCP section's.
import { fileURLToPath } from "node:url";
import type { Transport } from "../../mod.ts";
import { pairedRatio, type Plan, stats } from "../support/measure.ts";
import type { Row } from "../support/report.ts";
import type { Environment } from "../support/runtime.ts";
import { startServerProcess } from "../support/server-process.ts";
import { CPU_METER, interleavedWithCpu } from "../support/cpu.ts";
import { warmUpDriver, warmUpOurs } from "./pool.ts";

const PASSWORD = "tls-pool-pw";

/**
 * Runs the TLS pool warm-ups (connect(), the driver) in turns.
 *
 * @param plan run count (warm-up runs are not timed)
 * @param transport the runtime's transport
 * @param env runtime (the server process runs on the same one)
 * @param root the repository root
 * @returns the rows
 */
export async function tlsPoolSection(
  plan: Plan,
  transport: Transport,
  env: Environment,
  root: URL,
): Promise<Row[]> {
  const total = plan.warmup + plan.runs;
  const order = ["ours", "driver"] as const;
  const users = Array.from({ length: total }, (_, i) => order.map((name) => `tls-${name}${i}`)).flat();
  const pki = (name: string) => fileURLToPath(new URL(`testing/fixtures/pki/${name}`, root));
  const server = await startServerProcess(env, root, {
    users: users.map((user) => ({ db: "admin", user, password: PASSWORD, mechanisms: ["SCRAM-SHA-256"] })),
    tls: {
      cert: pki("server-cert.pem"),
      key: pki("server-key.pem"),
      ca: pki("ca.pem"),
      allowConnectionsWithoutCertificates: true,
    },
  });
  const uri = (user: string) =>
    `mongodb://${user}:${PASSWORD}@${server.address}/?authMechanism=SCRAM-SHA-256&tls=true` +
    `&tlsCAFile=${encodeURIComponent(pki("ca.pem"))}`;
  const cases = {
    ours: async (i: number) => (await warmUpOurs(transport, uri(`tls-ours${i}`), undefined)).ms,
    driver: async (i: number) => (await warmUpDriver(uri(`tls-driver${i}`))).ms,
  };
  const { ms, cpu } = await interleavedWithCpu(cases, plan).finally(() => server.close());
  return [
    {
      section: "tls-pool",
      name: "mongo-auth connect() ×100 + ping over TLS (SCRAM-SHA-256, tlsCAFile)",
      ...stats(ms.ours),
      ratio: pairedRatio(ms.ours, ms.driver),
      ratioOf: "driver",
    },
    {
      section: "tls-pool",
      name: "mongodb driver over TLS, connect() + 100 concurrent pings",
      ...stats(ms.driver),
    },
    {
      section: "tls-pool",
      name: "mongo-auth's main-thread CPU during its TLS warm-up",
      ...stats(cpu.ours),
      ratio: pairedRatio(cpu.ours, cpu.driver),
      ratioOf: "driver's main-thread CPU, same run",
      note: `measured with ${CPU_METER}`,
    },
    {
      section: "tls-pool",
      name: "the driver's main-thread CPU during its TLS warm-up",
      ...stats(cpu.driver),
    },
  ];
}
