// Section 9: the pool warm-up over TLS with a large tlsCRLFile — 100 connections of one user (SCRAM-SHA-256,
// the server's CA pinned with tlsCAFile, and the CA's revocation list of `entries` entries), each running one
// ping — with our connect() and with the official `mongodb` driver, and our connect() without the list, in
// turns, against the reference server's TLS in a child process. A throwaway PKI is made for the run
// (bench/support/revocation-pki.ts). What a deployment of a private CA that revokes pays per pool for checking
// its list. Wall time and the client's main-thread CPU, paired per round. No target.
import type { Transport } from "../../mod.ts";
import { pairedRatio, type Plan, stats } from "../support/measure.ts";
import type { Row } from "../support/report.ts";
import type { Environment } from "../support/runtime.ts";
import { startServerProcess } from "../support/server-process.ts";
import { CPU_METER, interleavedWithCpu } from "../support/cpu.ts";
import { makeRevocationPki } from "../support/revocation-pki.ts";
import { warmUpDriver, warmUpOurs } from "./pool.ts";

const PASSWORD = "tls-crl-pw";

/**
 * Runs the TLS pool warm-ups with a revocation list (connect(), the driver) and without (connect()) in turns.
 *
 * @param plan run count (warm-up runs are not timed)
 * @param transport the runtime's transport
 * @param env runtime (the server process runs on the same one)
 * @param root the repository root
 * @param entries how many certificates the list revokes
 * @returns the rows
 */
export async function tlsCrlSection(
  plan: Plan,
  transport: Transport,
  env: Environment,
  root: URL,
  entries: number,
): Promise<Row[]> {
  const total = plan.warmup + plan.runs;
  const order = ["ours", "driver", "unlisted"] as const;
  type Case = (typeof order)[number];
  const users = Array.from({ length: total }, (_, i) => order.map((name) => `crl-${name}${i}`)).flat();
  const pki = await makeRevocationPki(entries);
  const server = await startServerProcess(env, root, {
    users: users.map((user) => ({ db: "admin", user, password: PASSWORD, mechanisms: ["SCRAM-SHA-256"] })),
    tls: { cert: pki.certFile, key: pki.keyFile, ca: pki.caFile, allowConnectionsWithoutCertificates: true },
  });
  // A minute to connect: the driver's garbage (a TLS context per connection, each holding the list: 2 GB per
  // warm-up on Node.js) is freed by a full collection that may come during another case's warm-up, and on
  // Node.js that collection stopped the process for 5.7–5.9 s.
  const uri = (user: string, list: boolean) =>
    `mongodb://${user}:${PASSWORD}@${server.address}/?authMechanism=SCRAM-SHA-256&tls=true&connectTimeoutMS=60000` +
    `&tlsCAFile=${encodeURIComponent(pki.caFile)}` +
    (list ? `&tlsCRLFile=${encodeURIComponent(pki.crlFile)}` : "");
  const cases: Record<Case, (i: number) => Promise<number>> = {
    ours: async (i) => (await warmUpOurs(transport, uri(`crl-ours${i}`, true), undefined)).ms,
    driver: async (i) => (await warmUpDriver(uri(`crl-driver${i}`, true))).ms,
    unlisted: async (i) => (await warmUpOurs(transport, uri(`crl-unlisted${i}`, false), undefined)).ms,
  };
  const { ms, cpu } = await interleavedWithCpu(cases, plan).finally(async () => {
    await server.close();
    pki.remove();
  });
  const size = pki.crlBytes < 1e6
    ? `${(pki.crlBytes / 1e3).toFixed(0)} KB`
    : `${(pki.crlBytes / 1e6).toFixed(1)} MB`;
  const list = `a list of ${entries.toLocaleString("en")} entries (${size})`;
  // The official driver on Deno hands the list to Deno's node:tls, which ignores it: no check there.
  const driverNote = env.runtime === "deno"
    ? "Deno's node:tls ignores the list: the driver checks nothing"
    : undefined;
  return [
    {
      section: "tls-crl",
      name: `mongo-auth connect() ×100 + ping over TLS with ${list}`,
      ...stats(ms.ours),
      ratio: pairedRatio(ms.ours, ms.driver),
      ratioOf: "driver",
    },
    {
      section: "tls-crl",
      name: `mongodb driver over TLS with the same list`,
      ...stats(ms.driver),
      note: driverNote,
    },
    {
      section: "tls-crl",
      name: "mongo-auth connect() ×100 + ping over TLS without the list",
      ...stats(ms.unlisted),
      ratio: pairedRatio(ms.ours, ms.unlisted),
      ratioOf: "with the list ÷ without",
    },
    {
      section: "tls-crl",
      name: "mongo-auth's main-thread CPU during its warm-up with the list",
      ...stats(cpu.ours),
      ratio: pairedRatio(cpu.ours, cpu.driver),
      ratioOf: "driver's main-thread CPU, same run",
      note: `measured with ${CPU_METER}`,
    },
    {
      section: "tls-crl",
      name: "the driver's main-thread CPU during its warm-up with the list",
      ...stats(cpu.driver),
    },
    {
      section: "tls-crl",
      name: "mongo-auth's main-thread CPU during its warm-up without the list",
      ...stats(cpu.unlisted),
      ratio: pairedRatio(cpu.ours, cpu.unlisted),
      ratioOf: "with the list ÷ without",
    },
  ];
}
