// Bundles the test Worker from our TypeScript sources with esbuild, as a Workers user's bundler would:
// ESM for the browser platform, with cloudflare:sockets left to the runtime.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../../../testing/paths.ts";

const run = promisify(execFile);

/**
 * Writes a bundled Worker to `outfile`. The package resolves to its sources through tsconfig's paths.
 * @param outfile where to write it
 * @param entry the Worker module; default the test Worker
 * @returns the bundle's size in bytes
 * @throws Error with esbuild's output when bundling fails
 */
export async function bundleWorker(
  outfile: string,
  entry = join(repoRoot(), "tests", "e2e", "workerd", "worker.ts"),
): Promise<number> {
  const root = repoRoot();
  const { stderr } = await run(join(root, "node_modules", ".bin", "esbuild"), [
    entry,
    "--bundle",
    "--format=esm",
    "--platform=browser",
    "--conditions=workerd,worker",
    "--external:cloudflare:*",
    "--log-level=warning",
    `--outfile=${outfile}`,
    "--metafile=" + outfile + ".meta.json",
  ], { cwd: root });
  if (stderr.trim()) console.error(stderr.trim());
  const meta = JSON.parse(await readFile(outfile + ".meta.json", "utf8"));
  return Object.values(meta.outputs as Record<string, { bytes: number }>)[0].bytes;
}
