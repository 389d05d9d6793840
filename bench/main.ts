/**
 * mongo-auth benchmarks (issue #8), one entry for every runtime:
 *
 *   deno task bench            node_modules/.bin/deno run -A bench/main.ts
 *   npm run bench              tsc -p tsconfig.json && node dist/bench/main.js
 *   bun run bench:bun          bun bench/main.ts
 *
 * Flags: `--quick` (few runs, under a minute: a CI smoke test that asserts nothing about timings),
 * `--only=pbkdf2,scram-client,scram-ceiling,handshake,stall,pool,compression,tls-pool,tls-crl,replica-set-pool,`
 * `workers` (sections to run, comma-separated),
 * `--max-connecting=N` (mongo-auth's maxConnecting in the pool section; default: the library's). Prints
 * Markdown tables and writes bench/results/<runtime>.json (<runtime>.quick.json for --quick; a run of some
 * sections, <runtime>.<sections>.json, so that it never replaces a whole run's results). bench/README.md
 * explains them.
 *
 * @module
 */
import { compressionSection } from "./sections/compression.ts";
import { handshakeSection } from "./sections/handshake.ts";
import { pbkdf2Section } from "./sections/pbkdf2.ts";
import { poolSection } from "./sections/pool.ts";
import { scramCeilingSection } from "./sections/scram-ceiling.ts";
import { scramClientSection } from "./sections/scram-client.ts";
import { stallSection } from "./sections/stall.ts";
import { stallAnatomySection } from "./sections/stall-anatomy.ts";
import { tlsCrlSection } from "./sections/tls-crl.ts";
import { tlsPoolSection } from "./sections/tls-pool.ts";
import { replicaSetPoolSection } from "./sections/replica-set-pool.ts";
import { workersSection } from "./sections/workers.ts";
import type { Plan } from "./support/measure.ts";
import { markdown, type Row, saveJson } from "./support/report.ts";
import { args, environment, repoRoot } from "./support/runtime.ts";
import { nativeTransport } from "./support/transport.ts";

const argv = args();
const quick = argv.includes("--quick");
const only = argv.find((a) => a.startsWith("--only="))?.slice("--only=".length).split(",");
const maxConnectingArg = argv.find((a) => a.startsWith("--max-connecting="))?.slice(
  "--max-connecting=".length,
);
const maxConnecting = maxConnectingArg === undefined ? undefined : Number(maxConnectingArg);
const env = environment();
const root = repoRoot();
const transport = await nativeTransport();

// Run counts per section: full runs for the README, --quick for CI.
const PLANS: Record<string, { full: Plan; quick: Plan }> = {
  pbkdf2: { full: { warmup: 5, runs: 51 }, quick: { warmup: 1, runs: 5 } },
  "scram-client": { full: { warmup: 20, runs: 301 }, quick: { warmup: 3, runs: 21 } },
  "scram-ceiling": { full: { warmup: 1, runs: 21 }, quick: { warmup: 0, runs: 1 } },
  handshake: { full: { warmup: 20, runs: 200 }, quick: { warmup: 2, runs: 20 } },
  stall: { full: { warmup: 3, runs: 41 }, quick: { warmup: 1, runs: 5 } },
  pool: { full: { warmup: 1, runs: 15 }, quick: { warmup: 0, runs: 2 } },
  "stall-anatomy": { full: { warmup: 3, runs: 24 }, quick: { warmup: 0, runs: 1 } },
  compression: { full: { warmup: 30, runs: 51 }, quick: { warmup: 1, runs: 3 } },
  "tls-pool": { full: { warmup: 1, runs: 11 }, quick: { warmup: 0, runs: 1 } },
  "tls-crl": { full: { warmup: 1, runs: 7 }, quick: { warmup: 0, runs: 1 } },
  "replica-set-pool": { full: { warmup: 1, runs: 11 }, quick: { warmup: 0, runs: 1 } },
  workers: { full: { warmup: 3, runs: 31 }, quick: { warmup: 0, runs: 2 } },
};
// workerd processes started for the workers section, one cold request each.
const COLD_WORKERS = { full: 7, quick: 1 };
// The revocation list's entries in the tls-crl section: a large CA's list, or a small one for --quick.
const CRL_ENTRIES = { full: 100_000, quick: 1_000 };
const plan = (section: string) => quick ? PLANS[section].quick : PLANS[section].full;
const wanted = (section: string) => only === undefined || only.includes(section);

const rows: Row[] = [];
const started = performance.now();
if (wanted("pbkdf2")) rows.push(...await pbkdf2Section(plan("pbkdf2")));
if (wanted("scram-client")) rows.push(...await scramClientSection(plan("scram-client")));
if (wanted("scram-ceiling")) rows.push(...await scramCeilingSection(plan("scram-ceiling")));
if (wanted("handshake")) rows.push(...await handshakeSection(plan("handshake"), transport));
if (wanted("pool")) rows.push(...await poolSection(plan("pool"), transport, env, root, maxConnecting));
if (wanted("stall")) rows.push(...await stallSection(plan("stall")));
if (wanted("stall-anatomy")) {
  rows.push(...await stallAnatomySection(plan("stall-anatomy"), transport, env, root));
}
if (wanted("compression")) rows.push(...await compressionSection(plan("compression")));
if (wanted("tls-pool")) rows.push(...await tlsPoolSection(plan("tls-pool"), transport, env, root));
if (wanted("replica-set-pool")) {
  rows.push(...await replicaSetPoolSection(plan("replica-set-pool"), transport, env, root));
}
if (wanted("workers")) {
  rows.push(
    ...await workersSection(plan("workers"), quick ? COLD_WORKERS.quick : COLD_WORKERS.full, env, root),
  );
}
// Last: on Node.js the official driver's warm-ups leave TLS contexts that each hold the whole list, and the
// full garbage collection that frees them stopped the process for up to 19 s in a later section, long
// enough for connectTimeoutMS (10 s) to run out on connections the server had answered.
if (wanted("tls-crl")) {
  const entries = quick ? CRL_ENTRIES.quick : CRL_ENTRIES.full;
  rows.push(...await tlsCrlSection(plan("tls-crl"), transport, env, root, entries));
}

console.log(markdown(env, rows, quick));
const path = saveJson(root, env, rows, quick, only);
console.log(`results: ${path} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
