// Which runtime, which machine, which arguments; where the results go.
import { cpus } from "node:os";
import process from "node:process";

/** The runtime the benchmark runs on. */
export type RuntimeName = "deno" | "node" | "bun";

/** Runtime name and version, CPU model and core count. */
export interface Environment {
  readonly runtime: RuntimeName;
  readonly version: string;
  readonly cpu: string;
  readonly cores: number;
}

/**
 * Describes this process's runtime and machine.
 *
 * @returns runtime, version, CPU model (from `os.cpus()`, which reads /proc/cpuinfo on Linux)
 */
export function environment(): Environment {
  const g = globalThis as { Deno?: { version: { deno: string } }; Bun?: { version: string } };
  const list = cpus();
  const cpu = list[0]?.model?.trim() || "unknown CPU";
  if (g.Deno) return { runtime: "deno", version: g.Deno.version.deno, cpu, cores: list.length };
  if (g.Bun) return { runtime: "bun", version: g.Bun.version, cpu, cores: list.length };
  return { runtime: "node", version: process.versions.node, cpu, cores: list.length };
}

/** The command-line arguments after the script. */
export function args(): string[] {
  return process.argv.slice(2);
}

/**
 * The repository root: `bench/` is one level down, the Node build (`dist/bench/`) two.
 *
 * @returns a file URL ending in "/"
 */
export function repoRoot(): URL {
  const compiled = import.meta.url.includes("/dist/bench/");
  return new URL(compiled ? "../../../" : "../../", import.meta.url);
}
