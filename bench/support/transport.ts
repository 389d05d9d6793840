// The runtime's own transport: Deno's on Deno, the node: one on Node and Bun.
import type { Transport } from "../../mod.ts";

/**
 * Loads the transport an application on this runtime would use.
 *
 * @returns the transport
 */
export async function nativeTransport(): Promise<Transport> {
  if ("Deno" in globalThis) return (await import("../../src/transport/deno.ts")).denoTransport;
  return (await import("../../src/transport/node.ts")).nodeTransport;
}
