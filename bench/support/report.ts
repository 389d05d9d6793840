// One row per measurement; printed as Markdown tables (one per section) and saved as JSON.
import { writeFileSync } from "node:fs";
import type { Environment } from "./runtime.ts";

/** One measurement. Times are milliseconds unless `unit` says otherwise. */
export interface Row {
  /** Section: "pbkdf2", "scram-client", "handshake", "pool", "stall" (issue #8's), "compression", … "workers". */
  readonly section: string;
  readonly name: string;
  readonly median: number;
  readonly p99: number;
  readonly n: number;
  readonly unit?: "ms" | "count";
  /** median / the median (or paired median) of `ratioOf`. */
  readonly ratio?: number;
  /** What the ratio is relative to. */
  readonly ratioOf?: string;
  /** The target from issue #8, as text ("<= 1.10"). */
  readonly target?: string;
  /** Whether the target is met in this run. */
  readonly met?: boolean;
  /** Anything else worth printing (round trips, WebCrypto calls, PBKDF2 computations). */
  readonly note?: string;
}

const SECTION_TITLES: Record<string, string> = {
  pbkdf2: "1. PBKDF2 (one derivation)",
  "scram-client": "2. SCRAM client work (no network)",
  "scram-ceiling": "SCRAM iteration ceiling (one key derivation at the default maxScramIterations)",
  handshake: "3. Handshake end to end (loopback, connect + hello + auth)",
  pool: "4. Pool warm-up (100 concurrent connections of one user)",
  stall: "5. Event-loop stall (longest gap of a 1 ms interval timer)",
  compression: "6. Wire compression (one insert of 5 000 documents, both ways)",
  "tls-pool": "7. Pool warm-up over TLS (100 concurrent connections of one user)",
  "tls-crl": "8. Pool warm-up over TLS with a revocation list",
  "replica-set-pool":
    "9. Pool warm-up against a replica set of three, and three mongoses (100 connections of one user)",
  workers: "10. Cloudflare Workers (workerd): one connection per request",
  "stall-anatomy": "11. What the longest gap of a pool warm-up is made of",
};

/**
 * Renders rows as Markdown: a heading with the environment, then one table per section.
 *
 * @param env runtime and machine
 * @param rows the measurements
 * @param quick whether this was a `--quick` run
 * @returns Markdown text
 */
export function markdown(env: Environment, rows: readonly Row[], quick: boolean): string {
  const lines = [
    `## ${env.runtime} ${env.version} — ${env.cpu}, ${env.cores} cores${quick ? " (--quick)" : ""}`,
    "",
  ];
  const order = Object.keys(SECTION_TITLES);
  const sections = [...new Set(rows.map((r) => r.section))].sort((a, b) =>
    order.indexOf(a) - order.indexOf(b)
  );
  for (const section of sections) {
    lines.push(`### ${SECTION_TITLES[section] ?? section}`, "");
    lines.push(
      "| case | median | p99 | n | ratio | target | note |",
      "| --- | ---: | ---: | ---: | ---: | --- | --- |",
    );
    for (const r of rows.filter((row) => row.section === section)) {
      const unit = r.unit === "count" ? "" : " ms";
      const ratio = r.ratio === undefined ? "" : `${r.ratio.toFixed(r.ratio < 0.1 ? 3 : 2)} × ${r.ratioOf}`;
      const target = r.target === undefined ? "" : `${r.target} ${r.met ? "✅" : "❌"}`;
      lines.push(
        `| ${r.name} | ${fmt(r.median)}${unit} | ${fmt(r.p99)}${unit} | ${r.n} | ${ratio} | ${target} | ${
          r.note ?? ""
        } |`,
      );
    }
    lines.push("");
  }
  return lines.join("\n");
}

function fmt(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(3);
}

/**
 * Writes `bench/results/<runtime>.json`; a run of some sections (`--only`) writes
 * `<runtime>.<sections>.json` instead, so that it never replaces a whole run's results.
 *
 * @param root the repository root
 * @param env runtime and machine
 * @param rows the measurements
 * @param quick whether this was a `--quick` run
 * @param only the sections run, when not all
 * @returns the path written
 */
export function saveJson(
  root: URL,
  env: Environment,
  rows: readonly Row[],
  quick: boolean,
  only?: readonly string[],
): string {
  const sections = only === undefined ? "" : `.${only.join("+")}`;
  const url = new URL(`bench/results/${env.runtime}${sections}${quick ? ".quick" : ""}.json`, root);
  const body = { ...env, quick, date: new Date().toISOString(), results: rows };
  writeFileSync(url, JSON.stringify(body, null, 2) + "\n");
  return url.pathname;
}
