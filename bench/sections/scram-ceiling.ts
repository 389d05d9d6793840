// What the default SCRAM iteration ceiling costs: one derivation (SaltedPassword and the three keys, as
// a SCRAM conversation does) at DEFAULT_MAX_SCRAM_ITERATIONS, the most a server can make a client do
// unless the caller raises `maxScramIterations`. The README's SCRAM section quotes it.
import { deriveScramKeys } from "../../src/crypto/scram-key-cache.ts";
import { DEFAULT_MAX_SCRAM_ITERATIONS } from "../../src/mechanisms/scram/client.ts";
import { interleaved, type Plan, stats } from "../support/measure.ts";
import type { Row } from "../support/report.ts";

/**
 * Measures one SCRAM key derivation at the default ceiling, per hash; a fresh salt each time, so the
 * key cache never answers.
 *
 * @param plan warm-up and run counts
 * @returns one row per hash
 */
export async function scramCeilingSection(plan: Plan): Promise<Row[]> {
  const derive = (hash: "SHA-1" | "SHA-256") => () =>
    deriveScramKeys({
      hash,
      password: "1c33006ec1ffd90f9cadcbcc0e118200",
      salt: crypto.getRandomValues(new Uint8Array(16)),
      iterations: DEFAULT_MAX_SCRAM_ITERATIONS,
    });
  const samples = await interleaved({ "SHA-1": derive("SHA-1"), "SHA-256": derive("SHA-256") }, plan);
  return (["SHA-1", "SHA-256"] as const).map((hash) => ({
    section: "scram-ceiling",
    name: `SCRAM-${hash} keys × ${DEFAULT_MAX_SCRAM_ITERATIONS} (the default maxScramIterations)`,
    ...stats(samples[hash]),
  }));
}
